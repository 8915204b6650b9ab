"""Find template row labels in document text, however extraction split, wrapped or garbled them.

Matching happens on the compact form of the text (``normalize.match_form``): no whitespace, simplified
characters, one kind of quote and list separator. A label is found by its full form (list number
optional), or failing that by one of its keywords extended along the label as far as the text agrees.
"""

from __future__ import annotations

import bisect
import heapq
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

from ..normalize import compact
from ..template import RowDef, strip_list_marker


@dataclass(frozen=True)
class LabelMatch:
    row: str
    start: int  # offsets in the compact text
    end: int
    quality: int  # 2: full label, 1: keyword extended along the label


@dataclass(frozen=True)
class _RowPatterns:
    full: Tuple["re.Pattern[str]", ...]
    bodies: Tuple[str, ...]
    keywords: Tuple[str, ...]
    marker: str = ""  # the label's list marker in compact form ("2.", "(七)"), if any


@lru_cache(maxsize=None)
def _patterns(row: RowDef) -> _RowPatterns:
    full: List["re.Pattern[str]"] = []
    bodies: List[str] = []
    seen = set()
    for form in row.forms:
        c = compact(form)
        marker, body = strip_list_marker(c)
        if not body or (marker, body) in seen:
            continue
        seen.add((marker, body))
        bodies.append(body)
        if marker:
            m = re.escape(marker)
            # short bodies (其他, 总计) are only safe with their list marker
            prefix = f"{m}" if len(body) <= 2 else f"(?:{m})?"
            full.append(re.compile(prefix + re.escape(body)))
        else:
            full.append(re.compile(re.escape(body)))
    keywords = tuple(compact(k) for k in row.keywords if len(compact(k)) >= 2)
    return _RowPatterns(tuple(full), tuple(bodies), keywords, strip_list_marker(compact(row.label))[0])


def _extend(text: str, body: str, k_text: int, k_body: int, length: int) -> Tuple[int, int]:
    """Grow a keyword hit at text[k_text:k_text+length] == body[k_body:...] along the body both ways."""
    s, b = k_text, k_body
    while s > 0 and b > 0 and text[s - 1] == body[b - 1]:
        s -= 1
        b -= 1
    e, be = k_text + length, k_body + length
    while e < len(text) and be < len(body) and text[e] == body[be]:
        e += 1
        be += 1
    return s, e


class _Covered:
    """The union of spans ``[a, b)`` as sorted disjoint intervals: whether a position is in any of them, in
    logarithmic time (a page of 10⁴ repeated labels made the plain scan quadratic)."""

    def __init__(self) -> None:
        self.starts: List[int] = []
        self.ends: List[int] = []

    def covers(self, p: int) -> bool:
        i = bisect.bisect_right(self.starts, p)
        return i > 0 and p < self.ends[i - 1]

    def add(self, a: int, b: int) -> None:
        if b <= a:
            return
        i = bisect.bisect_left(self.ends, a)  # the first interval that ends at or after a: may merge
        j = bisect.bisect_right(self.starts, b)  # the intervals before j start at or before b
        if i < j:
            a, b = min(a, self.starts[i]), max(b, self.ends[j - 1])
        self.starts[i:j] = [a]
        self.ends[i:j] = [b]


def find_labels(text: str, rows: Sequence[RowDef]) -> List[LabelMatch]:
    """Every occurrence of every row's label in the compact ``text`` (overlaps allowed)."""
    out: List[LabelMatch] = []
    for row in rows:
        pats = _patterns(row)
        seen: set = set()
        taken = _Covered()
        for pat in pats.full:
            for m in pat.finditer(text):
                span = (m.start(), m.end())
                if span not in seen:
                    seen.add(span)
                    taken.add(*span)
                    out.append(LabelMatch(row.key, m.start(), m.end(), 2))
        for kw in pats.keywords:
            for m in re.finditer(re.escape(kw), text):
                if taken.covers(m.start()):
                    continue
                body = next((b for b in pats.bodies if kw in b), pats.bodies[0] if pats.bodies else kw)
                k_body = body.find(kw)
                s, e = _extend(text, body, m.start(), max(k_body, 0), len(kw)) if k_body >= 0 else (m.start(), m.end())
                # take the row's own list marker in front of the label with it ("2." of 2.申请人…, never
                # a digit of the number before it)
                if pats.marker and text[:s].endswith(pats.marker):
                    s -= len(pats.marker)
                taken.add(s, e)
                out.append(LabelMatch(row.key, s, e, 1))
    out.sort(key=lambda m: (m.start, -m.end))
    return out


def best_monotone(matches: Sequence[LabelMatch], order: Dict[str, int]) -> List[LabelMatch]:
    """The largest set of matches increasing both in text position and template order (no overlaps).

    Dynamic programming over the matches by position: a match extends the best chain that ends, before it
    starts, on a row earlier in the template. The chains ending on each row are kept as one best per row
    (a table has a few dozen rows), so the work is linear in the matches, not quadratic (10⁴ repeated row
    labels took minutes). Ties go to the earliest match, as a plain scan over all pairs would choose.
    """
    ms = sorted(matches, key=lambda m: (m.start, -(m.end - m.start)))
    n = len(ms)
    if not n:
        return []
    score = [0.0] * n
    prev = [-1] * n
    ranks = sorted({order[m.row] for m in ms})
    rank_of = {r: i for i, r in enumerate(ranks)}
    best: List[Tuple[float, int]] = [(0.0, -1)] * len(ranks)  # per row rank: (score, index) of the best chain
    pending: List[Tuple[int, int]] = []  # (end, index) of matches not yet closed (their end is past the cursor)
    for i, m in enumerate(ms):
        while pending and pending[0][0] <= m.start:
            _, j = heapq.heappop(pending)
            r = rank_of[order[ms[j].row]]
            if score[j] > best[r][0] or (score[j] == best[r][0] and best[r][1] > j):
                best[r] = (score[j], j)
        score[i] = 1 + 0.01 * m.quality
        top, arg = 0.0, -1
        for r in range(rank_of[order[m.row]]):
            sc, j = best[r]
            if j >= 0 and (sc > top or (sc == top and j < arg)):
                top, arg = sc, j
        if arg >= 0 and top + 1 + 0.01 * m.quality > score[i]:
            score[i] = top + 1 + 0.01 * m.quality
            prev[i] = arg
        heapq.heappush(pending, (m.end, i))
    i = max(range(n), key=lambda k: score[k])
    chain: List[LabelMatch] = []
    while i >= 0:
        chain.append(ms[i])
        i = prev[i]
    return chain[::-1]
