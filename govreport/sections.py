"""Locate the six sections (一 to 六), their subsections, and the regions that hold the three tables."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from .normalize import match_form
from .template import SectionDef, VersionDef

_NUMERALS = "一二三四五六七八九十"
_SUB = re.compile(r"[（(]([一二三四五六七八九十])[）)]")


@dataclass
class Heading:
    section: SectionDef
    start: int  # offsets in the document text
    end: int
    title: str


@dataclass
class Layout:
    headings: Dict[int, Heading] = field(default_factory=dict)  # by section number

    def span(self, number: int, text_len: int) -> Optional[Tuple[int, int]]:
        h = self.headings.get(number)
        if h is None:
            return None
        later = [x.start for n, x in self.headings.items() if x.start > h.start]
        return h.end, min(later) if later else text_len


def _body(title: str) -> str:
    c, _ = match_form(title)
    return re.sub(r"^[一二三四五六七八九十]{1,2}[.、]", "", c)


def find_headings(text: str, version: VersionDef) -> Layout:
    """Section headings in order; a missing heading is skipped, never guessed."""
    compact, index = match_form(text)
    layout = Layout()
    pos = 0
    for sec in version.sections:
        bodies = sorted({_body(f) for f in sec.forms}, key=len, reverse=True)
        pattern = re.compile(r"(?:^|(?<=[^一二三四五六七八九十]))[一二三四五六七八九十]{1,2}\.(?:" +
                             "|".join(re.escape(b) for b in bodies) + ")")
        m = pattern.search(compact, pos)
        if not m:
            continue
        start, end = index[m.start()], index[m.end() - 1] + 1
        layout.headings[sec.number] = Heading(sec, start, end, text[start:end].strip())
        pos = m.end()
    return layout


def subsections(text: str) -> List[Tuple[str, str]]:
    """(title, text) of the （一）（二）… parts of a section's text, numbered in sequence."""
    found: List[Tuple[int, int]] = []
    expect = 0
    for m in _SUB.finditer(text):
        n = _NUMERALS.index(m.group(1))
        if n != expect:
            continue
        before = text[m.start() - 1] if m.start() else "\n"
        if before not in "\n。：:；; \t" and m.start() > 0:
            continue
        found.append((m.start(), m.end()))
        expect += 1
    out: List[Tuple[str, str]] = []
    for i, (s, e) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        chunk = text[s:stop]
        cut = re.search(r"[。\n：:]", chunk[e - s:])
        title_end = (e - s + cut.start() + (1 if cut and cut.group() in "：:" else 0)) if cut else min(len(chunk), 40)
        title_end = min(title_end, e - s + 40)
        out.append((chunk[:title_end].strip(), chunk[title_end:].strip()))
    return out


def numbered_sections(text: str, limit: int = 12) -> List[Tuple[int, str, int, int]]:
    """Headings numbered 一、二、… in sequence (reports without the fixed template): (n, title, start, end)."""
    found: List[Tuple[int, str, int, int]] = []
    pos = 0
    for n in range(1, limit + 1):
        numeral = _NUMERALS[n - 1] if n <= 10 else "十" + _NUMERALS[n - 11]
        m = re.compile(rf"(?:^|(?<=[\n。\s]))[ \t]*{numeral}[、.．]\s*([^\n。，,：:]{{2,30}})").search(text, pos)
        if not m:
            break
        title = re.split(r"\d", m.group(1))[0].strip() or m.group(1).strip()
        found.append((n, f"{numeral}、{title}", m.start(), m.start() + len(m.group(0).split(title)[0]) + len(title)))
        pos = m.end()
    return found
