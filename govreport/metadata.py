"""Title, issuer and report year."""

from __future__ import annotations

import re
from typing import Optional, Tuple

_TITLE_LINE = re.compile(r"(政府信息公开|政务公开|信息公开)[^\n]{0,20}(年度报告|年报)")
_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")
_PREFIX = re.compile(r"^\s*(?:#+\s*|标题\s*[:：]\s*|题目\s*[:：]\s*)")


# common short names of government bodies, expanded so that an issuer matches its full name
_ABBREVIATIONS = {
    "科委": "科学技术委员会", "发改委": "发展和改革委员会", "发改局": "发展和改革局", "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局", "经信委": "经济和信息化委员会", "经信局": "经济和信息化局", "住建委": "住房和城乡建设委员会",
    "住建局": "住房和城乡建设局", "人社局": "人力资源和社会保障局", "市监局": "市场监督管理局", "教委": "教育委员会",
    "民宗委": "民族宗教事务委员会", "国资委": "国有资产监督管理委员会", "规自局": "自然资源和规划局",
}


def expand_issuer(name: str) -> str:
    """``上海市科委`` → ``上海市科学技术委员会``; names already in full are returned unchanged."""
    for short, full in _ABBREVIATIONS.items():
        if name.endswith(short):
            return name[: -len(short)] + full
    return name


def find_title(text: str) -> Optional[str]:
    """The report's title: the short line naming the annual report (joined when wrapped).

    Among candidate lines, one with a year and 年度报告 wins over portal menus and breadcrumbs.
    """
    lines = text.splitlines()
    best: Optional[Tuple[int, int, str]] = None
    for i, line in enumerate(lines[:120]):
        s = _PREFIX.sub("", line).strip()
        if not s or len(s) > 80:
            continue
        joined = s
        if not _TITLE_LINE.search(s) and i + 1 < len(lines):
            nxt = lines[i + 1].strip()
            if len(nxt) <= 12 and _TITLE_LINE.search(s + nxt):
                joined = s + nxt
        if not (_TITLE_LINE.search(joined) and ("报告" in joined or "年报" in joined)):
            continue
        # "淮安市人民政府" / "2024 年政府信息公开工作年度报告": the issuer on the line above
        if re.match(r"\s*(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开|信息公开)", joined) and i > 0:
            prev = next((x.strip() for x in reversed(lines[max(0, i - 3):i]) if x.strip()), "")
            if prev and len(prev) <= 30 and not re.search(r"[。，,；;：:•·]", prev):
                joined = prev + joined
        score = 2 * bool(_YEAR.search(joined)) + 2 * ("年度报告" in joined) - 3 * bool(re.search(r"[•·|]", joined))
        if best is None or score > best[0]:
            best = (score, i, re.sub(r"\s+", " ", joined).strip())
    if best is not None and best[0] > 0:
        return best[2]
    # crawler dumps keep everything on one line: the first phrase naming the report
    m = re.search(r"[\u4e00-\u9fff（）()]{2,40}?\s*(?:19|20)\d{2}\s*年度?\s*(?:政府信息公开|政务公开)[^\s。，,]{0,12}报告", text[:5000])
    return m.group(0).strip() if m else (best[2] if best else None)


def issuer_and_year(title: Optional[str], text: str) -> Tuple[Optional[str], Optional[int]]:
    issuer: Optional[str] = None
    year: Optional[int] = None
    if title:
        m = _YEAR.search(title)
        if m:
            year = int(m.group(1))
            before = title[: m.start()].strip(" \u3000（(")
            after = title[m.end():]
            if before:
                issuer = before
            else:
                m2 = re.match(r"\s*度?\s*(.+?)(?:政府信息公开|政务公开|信息公开)", after)
                if m2 and m2.group(1).strip():
                    issuer = m2.group(1).strip()
        else:
            m2 = re.match(r"(.+?)(?:政府信息公开|政务公开)", title)
            if m2:
                issuer = m2.group(1).strip()
    if year is None:
        m = re.search(r"统计期限?[^\n。]{0,10}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日", text)
        if m:
            year = int(m.group(1))
    if year is None:
        m = _YEAR.search(text[:3000])
        if m:
            year = int(m.group(1))
    if issuer:
        issuer = expand_issuer(re.sub(r"\s+", "", issuer))
    return issuer, year
