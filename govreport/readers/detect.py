"""Sniff the format of an input from its bytes (the extension is only a hint)."""

from __future__ import annotations

from pathlib import Path

from ..errors import EmptyInputError, UnsupportedFormatError

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}
# text that is never a report, whatever it holds: source code, configuration, and the data files a batch writes
NOT_REPORT_EXTENSIONS = frozenset(
    ".py .pyc .pyi .ipynb .js .mjs .ts .sh .bash .zsh .ps1 .bat .c .h .cc .cpp .hpp .java .go .rs .rb .pl .php "
    ".r .sql .css .json .jsonl .ndjson .csv .tsv .xlsx .xls .sqlite .sqlite3 .db .parquet .yaml .yml .toml .ini "
    ".cfg .lock .log".split())
_OWN_RECORD = b'"schema":"govreport.record/'


def sniff(head: bytes, path: Path) -> str:
    """One of pdf, docx, doc, html, md, txt."""
    if not head:
        raise EmptyInputError(f"{path}: the file is empty")
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if path.suffix.lower() in NOT_REPORT_EXTENSIONS:
        raise UnsupportedFormatError(f"{path}: a {path.suffix.lower()} file is source code or data, not a report")
    if _OWN_RECORD in head[:64].replace(b" ", b""):
        raise UnsupportedFormatError(f"{path}: govreport's own output (a record), not a report")
    probe = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in probe[:1024] or b"<body" in probe:
        return "html"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFormatError(f"{path}: binary data that is not a PDF, Word or text file")
    return TEXT_EXTENSIONS.get(path.suffix.lower(), "txt")
