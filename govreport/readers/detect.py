"""Sniff the format of an input from its bytes (the extension is only a hint)."""

from __future__ import annotations

from pathlib import Path

from ..errors import EmptyInputError, UnsupportedFormatError

TEXT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md"}


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
    probe = head[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<html" in probe[:1024] or b"<body" in probe:
        return "html"
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFormatError(f"{path}: binary data that is not a PDF, Word or text file")
    return TEXT_EXTENSIONS.get(path.suffix.lower(), "txt")
