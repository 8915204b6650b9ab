"""The library entry point: ``extract(path) -> Report``."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Dict, List, Optional, Union

from . import __version__
from .errors import BadInputError, MissingDependencyError, NotAReportError, UnsupportedFormatError
from .limits import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, MAX_TEXT_CHARS
from .metadata import find_title, issuer_and_year
from .normalize import clean_text, compact, tidy
from .readers import Document
from .readers.detect import sniff
from .record import Cell, CellStatus, Issue, Level, Number, Report, ReportMeta, Section, Source, Subsection
from .sections import Layout, find_headings, numbered_sections, subsections
from .tables.from_text import TableResult, extract_tables
from .tables.recover import CellResult
from .template import Template, TemplateSource, read_template

log = logging.getLogger(__name__)

PathLike = Union[str, "os.PathLike[str]"]


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    if path.is_dir():
        raise BadInputError(f"{path}: is a directory (use 'govreport batch' for folders)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise BadInputError(f"{path}: {size} bytes is over the {max_bytes}-byte limit",
                                hint="raise it with --max-bytes")
        return path.read_bytes()
    except PermissionError:
        raise BadInputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def read_document(path: Path, data: bytes, max_pages: Optional[int] = DEFAULT_MAX_PAGES,
                  pdf_engine: Optional[str] = None) -> Document:
    fmt = sniff(data[:8192], path)
    if fmt in ("txt", "md"):
        from .readers import text

        return text.read(data, path, fmt)
    if fmt == "pdf":
        from .readers import pdf
        from .readers.pdf_streams import refuse_flate_bombs

        refuse_flate_bombs(data, path)  # before an engine inflates a stream of gigabytes in memory
        return pdf.read(path, max_pages=max_pages, engine=pdf_engine)
    if fmt == "html":
        from .readers import html

        return html.read(path, data)
    if fmt == "docx":
        from .readers import docx

        return docx.read(path, data)
    if fmt == "doc":
        from .readers import office

        return office.read(path, data)
    raise UnsupportedFormatError(f"{path}: {fmt.upper()} input is not supported "
                                 "(PDF, .docx, HTML, text and Markdown are; convert .doc/.wps to .docx first)")


def extract(path: PathLike, *, strict: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
            max_pages: Optional[int] = DEFAULT_MAX_PAGES, pdf_engine: Optional[str] = None,
            template: TemplateSource = None) -> Report:
    """Read one report and return its checked record.

    ``strict=True`` leaves ambiguous cells ``null`` in ``tables`` instead of their most plausible reading.
    ``pdf_engine`` reads PDFs with ``"pdfium"`` (the default) or ``"pdfplumber"``.
    ``template`` reads the report by another template than the packaged one: a :class:`govreport.template.Template`
    or the path of a template JSON file (a bad one raises :class:`govreport.template.TemplateError`).
    Raises :class:`govreport.errors.GovReportError` subclasses for unreadable input.
    """
    tmpl = read_template(template)  # a bad template fails before the document is read
    p = Path(os.fspath(path))
    data = _read_bytes(p, max_bytes)
    doc = read_document(p, data, max_pages, pdf_engine)
    if len(doc.text) > MAX_TEXT_CHARS:
        raise BadInputError(f"{p}: its text is {len(doc.text)} characters long, over the {MAX_TEXT_CHARS}-character "
                            "limit (an annual report prints about a million at most)")
    source = Source(path=str(path), sha256=hashlib.sha256(data).hexdigest(), format=doc.format,
                    encoding=doc.encoding, pages=doc.pages, text_layer=doc.text_layer, ocr=doc.ocr)
    return build_report(doc, source, strict=strict, template=tmpl)


def _looks_like_a_report(title: Optional[str], layout: Layout, results: Dict[str, TableResult], text: str,
                         template: Template) -> bool:
    """Enough of the report's own structure: table rows, most section headings, or a report title (or the
    old reports' phrases) over at least a statistical row or a numbered section. A title alone (a portal
    page that only links to the report) is not a report."""
    rows = sum(len(r.rows_found) for r in results.values() if not r.table.one_row)
    if rows >= 5 or len(layout.headings) >= 4:
        return True
    structure = rows >= 1 or len(layout.headings) >= 1 or len(numbered_sections(text)) >= 2
    if not structure:
        return False
    if title and ("年度报告" in title or "年报" in title):
        return True
    return len(_pre2019_evidence(text, template)) >= template.pre2019.min_hits


def _pre2019_evidence(text: str, template: Template) -> List[str]:
    c = compact(text)
    return [m for m in template.pre2019.markers if compact(m) in c]


def _fallback_version(year: Optional[int], template: Template) -> str:
    """The version the report year points to (``report_years``), else the template's default."""
    return template.version_for_year(year)


def _is_pre2019(text: str, template: Template, year: Optional[int], has_tables: bool) -> bool:
    if has_tables:
        return False
    return template.is_pre2019_year(year) or len(_pre2019_evidence(text, template)) >= template.pre2019.min_hits


def build_report(doc: Document, source: Source, strict: bool = False, template: TemplateSource = None) -> Report:
    """The checked record of a document read already, by ``template`` (the packaged one by default)."""
    template = read_template(template)
    if doc.format == "pdf" and doc.text_layer == "none" and not doc.ocr:
        raise MissingDependencyError(f"{source.path}: scanned PDF: OCR needs the ocr extra",
                                     hint="pip install 'govreport[ocr]'")
    text = clean_text(doc.text)
    title = find_title(text)
    issuer, year = issuer_and_year(title, text)
    layout = find_headings(text, template.versions[template.default_version])
    # tab-separated lines of a PDF come only from its ruled tables, whose cells are explicit: an empty one
    # was printed empty. On a scanned page the grid comes from the rule lines, and a cell holding ink the
    # OCR cannot read is written as read with a low confidence (flagged), so an empty one is empty too.
    def explicit(offset: int) -> bool:
        if doc.empty_cells_blank:
            return True
        page = doc.page_of(offset) if doc.format == "pdf" else None
        return page is not None and 0 < page <= len(doc.page_layers) and doc.page_layers[page - 1] in ("ok", "ocr")

    tables = extract_tables(text, layout, template, _fallback_version(year, template), empty_blank=explicit,
                            page_starts=doc.page_offsets[1:])
    has_tables = any(r.found for r in tables.results.values())
    issues: List[Issue] = []
    if not _looks_like_a_report(title, layout, tables.results, text, template):
        raise NotAReportError(f"{source.path}: not a 政府信息公开工作年度报告 (neither a statistical table nor a "
                              "numbered section found)")

    meta = ReportMeta(title=title, issuer=issuer, year=year)
    if _is_pre2019(text, template, year, has_tables):
        meta.template = template.pre2019.key
        meta.template_evidence = _pre2019_evidence(text, template)
        if template.is_pre2019_year(year):
            meta.template_evidence.append(f"report year {year}")
        sections = _generic_sections(text)
        issues.append(Issue(level=Level.info, code="pre2019_report",
                            message="report under the 2007 条例 (before the fixed tables of 2019): sections only, "
                                    "no table numbers"))
        return Report(tool_version=__version__, source=source, report=meta, sections=sections, issues=issues)

    versions = tables.versions
    meta.table_templates = dict(versions)
    # the version of the last table found that prints rows of its own (table 三, else table 二)
    main = next((versions[k] for k in reversed(template.table_keys)
                 if tables.results[k].found and not tables.results[k].table.one_row), None)
    meta.template = main or ("unknown" if not has_tables else _fallback_version(year, template))
    meta.template_evidence = tables.evidence
    if len({versions[k] for k, r in tables.results.items() if r.found and not r.table.one_row}) > 1:
        issues.append(Issue(level=Level.warning, code="template_mismatch",
                            message="the tables follow different template versions: "
                                    + ", ".join(f"{k} {v}" for k, v in versions.items())))
    if year is not None and main and template.year_expects(year) != main:
        issues.append(Issue(level=Level.info, code="template_year_mismatch",
                            message=f"report year {year} but the tables follow the {main} template"))

    for number, layer in enumerate(doc.page_layers, start=1):
        if layer == "none":
            issues.append(Issue(level=Level.warning, code="ocr_needed",
                                message=f"page {number} has no usable text layer (scanned or garbled fonts); "
                                        "its content needs OCR (pip install 'govreport[ocr]')"))
        elif layer == "ocr":
            issues.append(Issue(level=Level.info, code="ocr_page",
                                message=f"page {number} has no text layer: read by OCR"))
    for note in doc.reader_notes:
        issues.append(Issue(level=Level.warning, code="reader_note", message=note))
    report = Report(tool_version=__version__, source=source, report=meta, sections=_sections(doc, text, layout),
                    issues=issues)
    _fill_tables(report, doc, tables.results, template, strict)
    from .review import review_issues  # the reviewer's one-report findings (milliseconds, never raises)

    report.issues.extend(review_issues(report))
    return report


def _pages(doc: Document, start: int, end: int) -> Optional[List[int]]:
    first, last = doc.page_of(start), doc.page_of(max(start, end - 1))
    return [first, last] if first is not None and last is not None else None


def _sections(doc: Document, text: str, layout: Layout) -> List[Section]:
    out = []
    for number in sorted(layout.headings):
        h = layout.headings[number]
        span = layout.span(number, len(text))
        if span is None:  # never: the heading is in the layout
            continue
        body = tidy(text[span[0]:span[1]])
        subs = [Subsection(title=t, text=b) for t, b in subsections(body)] if not h.section.has_table else []
        out.append(Section(number=number, key=h.section.key, title=tidy(h.title), text=body, subsections=subs,
                           pages=_pages(doc, h.start, span[1])))
    return out


def _generic_sections(text: str) -> List[Section]:
    found = numbered_sections(text)
    out = []
    for i, (n, title, _start, end) in enumerate(found):
        stop = found[i + 1][2] if i + 1 < len(found) else len(text)
        out.append(Section(number=n, key=None, title=tidy(title), text=tidy(text[end:stop])))
    return out


_STATUS_ISSUE = {CellStatus.inferred.value: (Level.info, "cell_inferred"),
                 CellStatus.ambiguous.value: (Level.warning, "cell_ambiguous"),
                 CellStatus.missing.value: (Level.warning, "cell_missing")}


def _fill_tables(report: Report, doc: Document, results: Dict[str, TableResult], template: Template,
                 strict: bool) -> None:
    """Assemble the tables' finished decisions into the record: values, cells (with their page and box),
    checks and issues. Nothing here changes a decision."""
    trust_issues: List[Issue] = []
    for key, res in results.items():
        out: Dict[str, Dict[str, Optional[Number]]] = {}
        for row in res.rules.rows:
            out[row.key] = {}
            for col in row.columns:
                ref = f"{key}.{row.key}.{col.key}"
                d = res.cells[ref]
                out[row.key][col.key] = None if strict and d.status in _STRICT_NULL else d.value
                report.cells[ref] = _cell(report, doc, d)
        report.tables[key] = out
        report.issues.extend(_table_issues(key, res))
        report.checks.extend(res.checks)
        trust_issues.extend(res.trust_issues)
    report.issues.extend(trust_issues)
    report.issues.extend(_check_issues(report))


# statuses whose value ``strict`` leaves null in ``tables``
_STRICT_NULL = (CellStatus.ambiguous.value, CellStatus.suspect.value)


def _cell(report: Report, doc: Document, d: CellResult) -> Cell:
    """A decision as a record cell (its page and box from the printed span), with its cell issues."""
    if d.absent:
        return Cell(status=CellStatus.missing)
    tok = d.token
    span = doc.locate(tok.start, tok.end) if tok is not None else None
    page = span.page if span else (doc.page_of(tok.start) if tok is not None else None)
    confidence = doc.span_confidence.get(span.start) if span is not None else None
    if confidence is not None:  # OCR'd: the OCR module is loaded already
        from .readers.ocr import LOW_CONFIDENCE as OCR_LOW_CONFIDENCE

        if confidence < OCR_LOW_CONFIDENCE:
            report.issues.append(Issue(level=Level.warning, code="ocr_low_confidence", cell=d.ref,
                                       message=f"read by OCR with confidence {confidence:.2f}: "
                                               f"check {d.raw!r} against the page"))
    issue = _STATUS_ISSUE.get(d.status)
    if issue is not None:
        report.issues.append(Issue(level=issue[0], code=issue[1], cell=d.ref, message=_cell_message(d)))
    return Cell(raw=d.raw, status=d.status, page=page, bbox=list(span.bbox) if span else None,
                candidates=d.candidates, guesses=d.guesses or None)


def _table_issues(key: str, res: TableResult) -> List[Issue]:
    table = res.table
    out: List[Issue] = []
    if not res.found:
        out.append(Issue(level=Level.error, code="table_not_found",
                         message=f"table {table.section} ({key}) not found in the document; its cells are missing"))
    for row in res.placed_by_order:
        out.append(Issue(level=Level.warning, code="row_placed_by_order", cell=f"{key}.{row}",
                         message="the row's label is not next to its numbers; the numbers were placed by their "
                                 "order between labelled rows"))
    for extra, version in res.extra_rows:
        out.append(Issue(level=Level.warning, code="row_from_other_template", cell=f"{key}.{extra.key}",
                         message=f"the report prints the {version} row {extra.label} in a "
                                 f"{table.version}-format table; recorded as {extra.key}"))
    for code, note in res.notes:
        out.append(Issue(level=Level.warning, code=code, message=f"{key}: {note}"))
    return out


def _check_issues(report: Report) -> List[Issue]:
    """An issue per failed hard check, and one per cell in one: a misprint or a cell read wrong, the record
    cannot tell which of them, so every one of them needs a look (its value and status stay as read)."""
    out: List[Issue] = []
    failed: Dict[str, List[str]] = {}  # cell -> the failed hard checks over it
    for c in report.checks:
        if c.status == "fail" and c.severity == "hard":
            out.append(Issue(level=Level.warning, code="check_failed",
                             message=f"{c.id}: {c.lhs} vs {c.rhs} as printed ({c.expr})"))
            for ref in c.cells:
                failed.setdefault(ref, []).append(c.id)
    for ref, ids in failed.items():
        if ref in report.cells:
            out.append(Issue(level=Level.info, code="cell_in_failed_check", cell=ref,
                             message="in the failed check" + ("s " if len(ids) > 1 else " ")
                             + ", ".join(ids) + ": a misprint or a cell read wrong"))
    return out


def _cell_message(cr: CellResult) -> str:
    by = ", ".join(x for x in cr.decided_by if x)
    if cr.status == "inferred" and "narrative:" in by:
        return f"not printed as a separate number; decided among the table's readings by the text ({by})"
    if cr.status == "inferred":
        return ("not printed as a separate number; the only value the hard checks allow"
                + (f" ({by})" if by else "") + (f"; printed run: {cr.raw!r}" if cr.raw else ""))
    if cr.status == "ambiguous":
        cands = ", ".join("null" if v is None else str(v) for v in (cr.candidates or []))
        return (f"several readings remain ({cands}); the value given is the most plausible one"
                + (f"; {cr.note}" if cr.note else ""))
    return cr.note or "the document does not give this cell in a readable form"
