"""Word documents (.docx), read from the zip with lxml: paragraphs in body order, tables as tab grids.

The archive is checked before anything is decompressed (total uncompressed size, compression ratio,
number of members: a zip bomb is refused) and its XML is parsed without DTDs, entity expansion or network
access. Each paragraph becomes a line (its automatic list number included, e.g. ``一、``); each table
becomes one line per row with its cells separated by tabs, merged cells (``gridSpan``, ``vMerge``)
expanded into the table grid with the covered positions left as empty fields, as the PDF reader writes
them.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..errors import BadInputError, MissingDependencyError
from ..limits import DOCX_MAX_MEMBERS, DOCX_MAX_RATIO, DOCX_MAX_UNCOMPRESSED, DOCX_RATIO_FLOOR
from . import COVERED, Document
from .markup import collapse, join_pieces, make_document

_LAYOUT_CELL_CHARS = 300  # a table of a few cells, one holding more text than this, frames the page
_LAYOUT_MAX_CELLS = 3
_MAX_DEPTH = 32  # tables nested deeper are flattened to text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


P, R, T, TBL, TR, TC = _w("p"), _w("r"), _w("t"), _w("tbl"), _w("tr"), _w("tc")
SDT, SDT_CONTENT, CUSTOM_XML, SMART_TAG = _w("sdt"), _w("sdtContent"), _w("customXml"), _w("smartTag")
VAL = _w("val")
# run-level elements whose content is not the document's visible text
_SKIP = {_w(n) for n in ("pPr", "rPr", "del", "moveFrom", "delText", "instrText", "delInstrText", "tblPr",
                         "tblGrid", "trPr", "tcPr", "sectPr", "footnoteReference", "endnoteReference",
                         "commentReference", "annotationRef", "fldData", "bookmarkStart", "bookmarkEnd")}


# ---------------------------------------------------------------------------------------------------------
# the archive


def _etree():
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingDependencyError("reading Word documents needs lxml", hint="pip install lxml") from None
    return etree


def _open_zip(path: Path, data: bytes) -> zipfile.ZipFile:
    if not data.startswith(b"PK"):
        raise BadInputError(f"{path}: not a Word .docx file (not a zip archive)")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise BadInputError(f"{path}: not a readable .docx file (broken zip archive: "
                            f"{' '.join(str(exc).split()) or type(exc).__name__})") from None
    check_archive(path, infos)
    return zf


def check_archive(path: Path, infos: List[zipfile.ZipInfo]) -> None:
    """Refuse an archive that would decompress to too much, judged from its directory alone."""
    if len(infos) > DOCX_MAX_MEMBERS:
        raise BadInputError(f"{path}: the .docx archive has {len(infos)} members (over {DOCX_MAX_MEMBERS}): refused")
    total = sum(i.file_size for i in infos)
    if total > DOCX_MAX_UNCOMPRESSED:
        raise BadInputError(f"{path}: the .docx archive would decompress to {total} bytes (over the "
                            f"{DOCX_MAX_UNCOMPRESSED}-byte limit): refused as a possible zip bomb")
    for i in infos:
        if i.file_size > DOCX_RATIO_FLOOR and i.file_size > DOCX_MAX_RATIO * max(i.compress_size, 1):
            raise BadInputError(f"{path}: {i.filename} in the .docx archive is compressed "
                                f"{i.file_size // max(i.compress_size, 1)} to 1: refused as a possible zip bomb")


def _member(zf: zipfile.ZipFile, name: str, path: Path) -> Optional[bytes]:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    try:
        with zf.open(info) as f:  # never reads past the size the directory declares
            out = f.read(min(info.file_size, DOCX_MAX_UNCOMPRESSED) + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError, EOFError, ValueError) as exc:
        raise BadInputError(f"{path}: {name} in the .docx archive cannot be read "
                            f"({' '.join(str(exc).split()) or type(exc).__name__})") from None
    if len(out) > info.file_size:
        raise BadInputError(f"{path}: {name} in the .docx archive is larger than declared: refused")
    return out


def parse_xml(data: bytes, what: str, path: Path):
    """XML with no DTD, no entity expansion, no network, no huge trees."""
    etree = _etree()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True, dtd_validation=False)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise BadInputError(f"{path}: {what} in the .docx archive is not well-formed XML "
                            f"({' '.join(str(exc).split())})") from None


def _main_part(zf: zipfile.ZipFile, path: Path) -> str:
    """The name of the main document part: from the package relationships, else word/document.xml."""
    names = set(zf.namelist())
    rels = _member(zf, "_rels/.rels", path) if "_rels/.rels" in names else None
    if rels:
        try:
            root = parse_xml(rels, "_rels/.rels", path)
            for rel in root.iter(f"{{{_REL}}}Relationship"):
                if (rel.get("Type") or "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                    target = posixpath.normpath((rel.get("Target") or "").lstrip("/"))
                    if target in names:
                        return target
        except BadInputError:
            pass
    if "word/document.xml" in names:
        return "word/document.xml"
    raise BadInputError(f"{path}: a zip archive without word/document.xml (not a Word .docx file)")


# ---------------------------------------------------------------------------------------------------------
# automatic numbering (一、 （一） 1. as Word generates them)

_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n <= 0 or n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    s = ("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else ""
    return s + (_CN_DIGITS[ones] if ones else "")


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "chineseLegalSimplified",
               "taiwaneseCounting", "taiwaneseCountingThousand", "japaneseCounting"):
        return _chinese(n)
    if fmt == "lowerLetter":
        return _letters(n)
    if fmt == "upperLetter":
        return _letters(n).upper()
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(c) + 0xFEE0) for c in str(n))
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""


@dataclass
class Numbering:
    """Word's list numbering: the label each numbered paragraph shows."""

    abstract: Dict[str, Dict[int, _Level]] = field(default_factory=dict)
    nums: Dict[str, Tuple[str, Dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, overrides)
    style_num: Dict[str, Tuple[str, int]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: Dict[str, Dict[int, int]] = field(default_factory=dict)
    started: set = field(default_factory=set)

    @classmethod
    def load(cls, numbering_root, styles_root) -> "Numbering":
        out = cls()
        if numbering_root is not None:
            for an in numbering_root.iter(_w("abstractNum")):
                levels: Dict[int, _Level] = {}
                for lvl in an.iter(_w("lvl")):
                    lv = _Level()
                    start, fmt, text = lvl.find(_w("start")), lvl.find(_w("numFmt")), lvl.find(_w("lvlText"))
                    lv.start = _int(start.get(VAL) if start is not None else None, 1)
                    lv.fmt = (fmt.get(VAL) if fmt is not None else None) or "decimal"
                    lv.text = (text.get(VAL) if text is not None else None) or ""
                    levels[_int(lvl.get(_w("ilvl")), 0)] = lv
                out.abstract[an.get(_w("abstractNumId")) or ""] = levels
            for num in numbering_root.iter(_w("num")):
                aid = num.find(_w("abstractNumId"))
                overrides = {}
                for ov in num.iter(_w("lvlOverride")):
                    so = ov.find(_w("startOverride"))
                    if so is not None:
                        overrides[_int(ov.get(_w("ilvl")), 0)] = _int(so.get(VAL), 1)
                out.nums[num.get(_w("numId")) or ""] = (aid.get(VAL) if aid is not None else "", overrides)
        if styles_root is not None:
            for st in styles_root.iter(_w("style")):
                npr = st.find(f"{_w('pPr')}/{_w('numPr')}")
                if npr is not None:
                    nid, ilvl = npr.find(_w("numId")), npr.find(_w("ilvl"))
                    if nid is not None:
                        out.style_num[st.get(_w("styleId")) or ""] = (
                            nid.get(VAL) or "", _int(ilvl.get(VAL) if ilvl is not None else None, 0))
        return out

    def label(self, p) -> str:
        ppr = p.find(_w("pPr"))
        if ppr is None:
            return ""
        num_id, ilvl = None, 0
        npr = ppr.find(_w("numPr"))
        style = ppr.find(_w("pStyle"))
        if style is not None and style.get(VAL) in self.style_num:
            num_id, ilvl = self.style_num[style.get(VAL)]
        if npr is not None:
            nid, lv = npr.find(_w("numId")), npr.find(_w("ilvl"))
            if nid is not None:
                num_id = nid.get(VAL)
            if lv is not None:
                ilvl = _int(lv.get(VAL), 0)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        aid, overrides = self.nums[num_id]
        levels = self.abstract.get(aid)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(aid, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for k, start in overrides.items():
                counters[k] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""
        text = level.text
        for k in range(9):
            token = f"%{k + 1}"
            if token in text:
                lv = levels.get(k, _Level())
                n = counters.get(k, lv.start)
                text = text.replace(token, _format_number(n, lv.fmt if k != ilvl else level.fmt))
        return text


def _int(value: Optional[str], default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------------------------------------------------
# the body


def _local(el) -> str:
    return el.tag if isinstance(el.tag, str) else ""


def _on(el) -> bool:
    """A boolean run property: present and not switched off."""
    return el is not None and (el.get(VAL) or "true").lower() not in ("0", "false", "off")


class _Reader:
    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.lines: List[str] = []

    # paragraphs -------------------------------------------------------------------------------------
    def paragraph(self, p) -> Tuple[List[str], List[object]]:
        """The paragraph's lines (a line break inside it starts a new one) and the text boxes it holds."""
        parts: List[str] = [self.numbering.label(p)]
        boxes: List[object] = []
        stack = list(reversed(list(p)))
        while stack:
            el = stack.pop()
            tag = _local(el)
            if not tag or tag in _SKIP:
                continue
            if tag == T:  # an unexpanded entity reference inside is left out, the text around it kept
                parts.append((el.text or "") + "".join(c.tail or "" for c in el))
            elif tag == R:
                rpr = el.find(_w("rPr"))
                if rpr is not None and (_on(rpr.find(_w("vanish"))) or _on(rpr.find(_w("specVanish")))):
                    continue
                stack.extend(reversed(list(el)))
            elif tag in (_w("tab"), _w("ptab")):
                parts.append(" ")
            elif tag in (_w("br"), _w("cr")):
                parts.append("\n")
            elif tag == _w("noBreakHyphen"):
                parts.append("-")
            elif tag == _w("txbxContent"):
                boxes.append(el)
            elif tag == f"{{{MC}}}AlternateContent":
                choice = el.find(f"{{{MC}}}Choice")
                chosen = choice if choice is not None else el.find(f"{{{MC}}}Fallback")
                if chosen is not None:
                    stack.extend(reversed(list(chosen)))
            elif tag == P:  # a paragraph inside a paragraph (only through unusual wrappers)
                boxes.append(el)
            else:
                stack.extend(reversed(list(el)))
        return "".join(parts).split("\n"), boxes

    def write_paragraph(self, p, depth: int) -> None:
        lines, boxes = self.paragraph(p)
        for line in lines:
            s = collapse(line, join_wide=False)
            if s:
                self.lines.append(s)
        for box in boxes:
            self.blocks(box if _local(box) != P else [box], depth + 1)

    def cell_text(self, tc, depth: int) -> str:
        pieces: List[str] = []
        for el in _children(tc):
            tag = _local(el)
            if tag == P:
                lines, boxes = self.paragraph(el)
                pieces += [collapse(x, join_wide=False) for x in lines]
                for box in boxes:
                    pieces.append(self.flat_text(box, depth + 1))
            elif tag == TBL:
                pieces.append(self.flat_text(el, depth + 1))
        return join_pieces(pieces)

    def flat_text(self, el, depth: int) -> str:
        """Everything under ``el`` as one field (a table inside a table cell, a text box in a cell)."""
        sub = _Reader(self.numbering)
        sub.blocks(el if _local(el) != TBL else [el], depth + 1, flat=True)
        return join_pieces(x.replace("\t", " ") for x in sub.lines)

    # blocks -----------------------------------------------------------------------------------------
    def blocks(self, container, depth: int = 0, flat: bool = False) -> None:
        for el in _children(container):
            tag = _local(el)
            if tag == P:
                self.write_paragraph(el, depth)
            elif tag == TBL:
                if depth >= _MAX_DEPTH or flat:
                    for row in _rows(el):
                        self.lines.append(" ".join(self.cell_text(tc, depth + 1) for tc in _cells(row)))
                elif _is_layout(el):
                    for row in _rows(el):
                        for tc in _cells(row):
                            self.blocks(tc, depth + 1)
                else:
                    self.table(el, depth)

    def table(self, tbl, depth: int) -> None:
        grid_cols = min(len(tbl.findall(f"{_w('tblGrid')}/{_w('gridCol')}")), 1000)
        cells: List[List[Tuple[str, int]]] = []
        rows: List[List[str]] = []
        for tr in _rows(tbl):
            trpr = tr.find(_w("trPr"))
            before = after = 0
            if trpr is not None:
                gb, ga = trpr.find(_w("gridBefore")), trpr.find(_w("gridAfter"))
                before = min(_int(gb.get(VAL) if gb is not None else None, 0), 100)
                after = min(_int(ga.get(VAL) if ga is not None else None, 0), 100)
            fields: List[Tuple[str, int]] = [("", before)] if before else []
            for tc in _cells(tr):
                tcpr = tc.find(_w("tcPr"))
                span, continued = 1, False
                if tcpr is not None:
                    gs = tcpr.find(_w("gridSpan"))
                    span = max(1, min(_int(gs.get(VAL) if gs is not None else None, 1), 100))
                    vm, hm = tcpr.find(_w("vMerge")), tcpr.find(_w("hMerge"))
                    continued = (vm is not None and (vm.get(VAL) or "continue") != "restart") or (
                        hm is not None and (hm.get(VAL) or "continue") != "restart")
                fields.append((COVERED if continued else self.cell_text(tc, depth + 1), span))
            if after:
                fields.append(("", after))
            cells.append(fields)
        # spans that would blow the grid up far beyond its cells (hostile markup) are ignored
        n_cells = sum(len(f) for f in cells)
        spread = sum(span for f in cells for _, span in f) > 64 * n_cells + 10000
        for fields in cells:
            row: List[str] = []
            for text, span in fields:
                row += [text] + [COVERED] * (0 if spread else span - 1)  # covered by a merged cell
            rows.append(row)
        width = max([grid_cols] + [len(r) for r in rows]) if rows else 0
        for r in rows:
            self.lines.append("\t".join(r + [""] * (width - len(r))))


def _children(container):
    """Block-level children, looking through content controls and custom XML wrappers."""
    stack = list(reversed(list(container)))
    while stack:
        el = stack.pop()
        tag = _local(el)
        if tag in (SDT, SDT_CONTENT, CUSTOM_XML, SMART_TAG, _w("ins"), _w("moveTo")):
            inner = el.find(SDT_CONTENT) if tag == SDT else el
            if inner is not None:
                stack.extend(reversed(list(inner)))
        elif tag == f"{{{MC}}}AlternateContent":
            choice = el.find(f"{{{MC}}}Choice")
            chosen = choice if choice is not None else el.find(f"{{{MC}}}Fallback")
            if chosen is not None:
                stack.extend(reversed(list(chosen)))
        else:
            yield el


def _rows(tbl) -> List:
    return [el for el in _children(tbl) if _local(el) == TR]


def _cells(tr) -> List:
    return [el for el in _children(tr) if _local(el) == TC]


def _is_layout(tbl) -> bool:
    """A table that lays out the page, not data: a table inside it, or a frame of one to three cells
    around running text (a data table with a long footnote cell stays a data table)."""
    if tbl.find(f".//{TBL}") is not None:
        return True
    cells = list(tbl.iter(TC))
    return len(cells) <= _LAYOUT_MAX_CELLS and any(
        len("".join(t.text or "" for t in tc.iter(T))) > _LAYOUT_CELL_CHARS for tc in cells)


def read(path: Path, data: bytes) -> Document:
    zf = _open_zip(path, data)
    with zf:
        main = _main_part(zf, path)
        body_xml = _member(zf, main, path)
        if body_xml is None:  # pragma: no cover - _main_part checked it
            raise BadInputError(f"{path}: a zip archive without word/document.xml (not a Word .docx file)")
        root = parse_xml(body_xml, main, path)
        folder = posixpath.dirname(main)
        extra = {}
        for part in ("numbering.xml", "styles.xml"):
            raw = _member(zf, posixpath.join(folder, part), path)
            if raw is not None:
                try:
                    extra[part] = parse_xml(raw, part, path)
                except BadInputError:
                    extra[part] = None  # numbering is a nicety: the text is still readable without it
    body = root.find(_w("body"))
    if body is None:
        raise BadInputError(f"{path}: {main} has no document body (not a Word document)")
    reader = _Reader(Numbering.load(extra.get("numbering.xml"), extra.get("styles.xml")))
    reader.blocks(body)
    text = "\n".join(reader.lines) + ("\n" if reader.lines else "")
    return make_document(text=text, format="docx", encoding=None, spans=[], reader_notes=[])
