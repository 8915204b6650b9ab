"""Text normalisation before matching.

Two layers:

* :func:`clean_text` repairs what extraction does to the whole text (Kangxi radicals and compatibility
  ideographs from PDF fonts, full-width digits, thousands separators, spaces inside Chinese runs, doubled
  "fake bold" characters, page-number lines). Full-width punctuation is kept: NFKC would turn it into ASCII.
* :func:`match_form` makes the compact, whitespace-free form used to compare labels (traditional forms to
  simplified, one kind of quote, 其它 to 其他, 、 to .), with a map back to the original offsets.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from functools import lru_cache
from typing import Dict, List, Optional, Sequence, Tuple

# CJK Radicals Supplement forms that fonts emit for ordinary ideographs; NFKC maps only two of them.
_RADICALS_SUPPLEMENT = {
    "⺀": "冫", "⺁": "厂", "⺇": "几", "⺈": "刀", "⺊": "卜", "⺌": "小", "⺍": "小", "⺎": "兀",
    "⺏": "尣", "⺐": "尢", "⺑": "尢", "⺒": "巳", "⺓": "幺", "⺔": "彑", "⺕": "彐", "⺖": "忄",
    "⺗": "心", "⺘": "扌", "⺙": "攵", "⺛": "旡", "⺜": "日", "⺝": "月", "⺞": "歹", "⺟": "母",
    "⺠": "民", "⺡": "氵", "⺢": "氺", "⺣": "灬", "⺤": "爫", "⺥": "爫", "⺦": "丬", "⺧": "牛",
    "⺨": "犭", "⺩": "王", "⺪": "疋", "⺫": "目", "⺬": "示", "⺭": "礻", "⺮": "竹", "⺯": "糸",
    "⺰": "纟", "⺱": "网", "⺲": "罒", "⺳": "网", "⺴": "网", "⺵": "网", "⺶": "羊", "⺷": "羊",
    "⺸": "羊", "⺹": "耂", "⺺": "聿", "⺻": "聿", "⺼": "月", "⺽": "臼", "⺾": "艹", "⺿": "艹",
    "⻀": "艹", "⻁": "虎", "⻂": "衤", "⻃": "覀", "⻄": "西", "⻅": "见", "⻆": "角", "⻇": "角",
    "⻈": "讠", "⻉": "贝", "⻋": "车", "⻌": "辶", "⻍": "辶", "⻎": "辶", "⻏": "阝", "⻐": "钅",
    "⻑": "長", "⻒": "镸", "⻓": "长", "⻔": "门", "⻕": "阝", "⻖": "阝", "⻗": "雨", "⻘": "青",
    "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食", "⻞": "食", "⻟": "食", "⻠": "饣",
    "⻡": "饣", "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦",
    "⻩": "黄", "⻪": "黾", "⻫": "斉", "⻬": "齐", "⻭": "歯", "⻮": "齿", "⻯": "竜", "⻰": "龙",
    "⻱": "龜", "⻲": "亀", "⻳": "龟",
}

# every replacement keeps the length: offsets into the cleaned text are offsets into the original
_SPACES = {"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200b": " ",
           "\ufeff": " ", "\r": " ", "\f": " ", "\v": " "}


@lru_cache(maxsize=1)
def _fold_table() -> Dict[int, str]:
    table: Dict[int, str] = {}
    ranges = [(0x2F00, 0x2FD6), (0xF900, 0xFB00), (0x2F800, 0x2FA20)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            mapped = unicodedata.normalize("NFKC", chr(cp))
            if mapped != chr(cp):
                table[cp] = mapped
    for src, dst in _RADICALS_SUPPLEMENT.items():
        table[ord(src)] = dst
    for cp in range(0xFF10, 0xFF1A):  # full-width digits
        table[cp] = chr(cp - 0xFF10 + 0x30)
    for src, dst in _SPACES.items():
        table[ord(src)] = dst
    return table


def fold_chars(text: str) -> str:
    """Map radicals, compatibility ideographs, full-width digits and odd spaces; keep everything else.

    Length-preserving: the table maps one character to one character.
    """
    return text.translate(_fold_table())


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:[,，]\d{3})+)(?![\d,，])")
# full-width and typographic signs before a digit (2019 本年增/减 printed ＋21, －4, −4)
_SIGN = re.compile(r"[－＋−](?=\d)")
_FULLWIDTH_DOT = re.compile(r"(?<=\d)[．。](?=\d)")
# ≥ 4 doubled non-digit characters in a row: a "fake bold" run (each glyph drawn twice)
_FAKE_BOLD = re.compile(r"((?:([^\d\s])\2){4,})")
_PAGE_NUMBER_LINE = re.compile(
    r"^\s*(?:[-—－–~～]\s*\d{1,3}\s*[-—－–~～]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|·\s*\d{1,3}\s*·)\s*$",
    re.M,
)
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$", re.M)


def _undouble(match: "re.Match[str]") -> str:
    run = match.group(1)
    return run[::2] + " " * (len(run) // 2)


def _blank(match: "re.Match[str]") -> str:
    return "".join(ch if ch == "\n" else " " for ch in match.group(0))


# a bare number on the line next to a page break (form feed) is a page number
_PAGE_BREAK_NUMBER = re.compile(r"(?:(?<=\f)|(?<=\f\n))[ \t]*\d{1,3}[ \t]*(?=\n|$)|(?<=\n)[ \t]*\d{1,3}[ \t]*(?=\n?\f)")


def clean_text(text: str) -> str:
    """Repair extraction damage in a whole document text, keeping its length.

    Line structure and tabs are kept, and every character stays at its offset (removed characters
    become spaces), so provenance recorded against the original text still holds.
    """
    text = _PAGE_BREAK_NUMBER.sub(_blank, text)
    text = fold_chars(text)
    text = _FULLWIDTH_DOT.sub(".", text)
    text = _SIGN.sub(lambda m: "+" if m.group(0) == "＋" else "-", text)
    # the separators' room goes in front, so that a decimal part stays attached: 2,344.6 -> " 2344.6"
    text = _THOUSANDS.sub(lambda m: " " * (len(m.group(2)) // 4) + m.group(1) + re.sub("[,，]", "", m.group(2)),
                          text)
    text = _FAKE_BOLD.sub(_undouble, text)
    text = _PAGE_NUMBER_LINE.sub(_blank, text)
    text = _MD_RULE.sub(_blank, text)
    return text


def tidy(text: str) -> str:
    """Text for people: no spaces inside Chinese runs, no trailing blanks, at most one empty line."""
    text = text.replace("\u2063", "")  # tables.tokens.COVERED
    text = _SPACE_IN_CJK.sub("", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# --- the compact form for label matching -------------------------------------------------------------

_QUOTES = {"“": '"', "”": '"', "‘": '"', "’": '"', "'": '"', "「": '"', "」": '"', "『": '"', "』": '"'}
_PUNCT = {"、": ".", "．": ".", "。": ".", "，": ",", "：": ":", "；": ";", "（": "(", "）": ")",
          "／": "/", "【": "[", "】": "]"}


@lru_cache(maxsize=1)
def _t2s() -> Dict[str, str]:
    from .template import traditional_to_simplified

    return traditional_to_simplified()


def _phrases() -> Tuple[Tuple[str, str], ...]:
    """The template's ``conventions.label_phrases`` (其它 -> 其他, ...), mapped after the characters."""
    from .template import label_phrases

    return label_phrases()


_MATCH_CHAR: Dict[str, str] = {}


def _match_char(ch: str) -> str:
    """What one character of the text becomes in the compact form ('' when it is left out)."""
    out = _MATCH_CHAR.get(ch)
    if out is None:
        out = _MATCH_CHAR[ch] = _map_char(ch)
    return out


def _map_char(ch: str) -> str:
    t2s = _t2s()
    ch = ch.translate(_fold_table())
    if not ch or ch.isspace() or ch == "\u2063":  # tables.tokens.COVERED: a merged cell's position
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", ch) if len(ch) == 1 and 0xFF00 < ord(ch) < 0xFFEF else ch:
        if c.isspace():
            continue
        c = _QUOTES.get(c, c)
        c = _PUNCT.get(c, c)
        out.append(t2s.get(c, c))
    return "".join(out)


def match_form(text: str) -> Tuple[str, Sequence[int]]:
    """Compact text for label matching, and for each of its characters the offset in ``text``.

    Each distinct character is mapped once and the text translated in one pass (``str.translate``); the
    offsets are an ``array`` (8 bytes a character, not a Python list of ints): a text of megabytes costs
    a second and a few times its size, not minutes and gigabytes.
    """
    table: Dict[int, Optional[str]] = {}
    dropped: List[str] = []
    for ch in set(text):
        out = _match_char(ch)
        if len(out) > 1:
            return _match_form_by_char(text)  # a character that becomes several: map one at a time
        if not out:
            table[ord(ch)] = None
            dropped.append(ch)
        elif out != ch:
            table[ord(ch)] = out
    compact = text.translate(table)
    index = array("q")
    if not dropped:
        index.extend(range(len(text)))
    else:
        pos = 0
        for m in re.finditer("[" + "".join(re.escape(ch) for ch in dropped) + "]+", text):
            index.extend(range(pos, m.start()))
            pos = m.end()
        index.extend(range(pos, len(text)))
    for src, dst in _phrases():
        compact = compact.replace(src, dst)
    return compact, index


def _match_form_by_char(text: str) -> Tuple[str, Sequence[int]]:
    out: List[str] = []
    index = array("q")
    for i, ch in enumerate(text):
        for c in _match_char(ch):
            out.append(c)
            index.append(i)
    compact = "".join(out)
    for src, dst in _phrases():
        compact = compact.replace(src, dst)
    return compact, index


def compact(text: str) -> str:
    """:func:`match_form` without the offsets (short texts, the labels, keywords and grid fields that the
    table code compares again and again, from a bounded cache)."""
    if len(text) <= 64:
        return _compact_short(text)
    return _compact_long(text)


@lru_cache(maxsize=16384)
def _compact_short(text: str) -> str:
    return match_form(text)[0]


@lru_cache(maxsize=2)  # a document's text, compacted by several steps of one extraction
def _compact_long(text: str) -> str:
    return match_form(text)[0]
