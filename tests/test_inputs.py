"""Input formats: detected from the bytes, stdin, legacy Word without LibreOffice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import govreport
from govreport.readers.detect import sniff
from govreport.readers.office import soffice

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, input=stdin,
                          timeout=120, cwd=ROOT)


@pytest.mark.parametrize("head, name, fmt", [
    (b"%PDF-1.7\n", "x.txt", "pdf"),
    (b"PK\x03\x04", "x.bin", "docx"),
    (b"\xd0\xcf\x11\xe0", "x.wps", "doc"),
    (b"<!DOCTYPE html><html>", "x.txt", "html"),
    ("二、主动公开".encode("gb18030"), "x.md", "md"),
    (b"plain", "noext", "txt"),
])
def test_format_is_sniffed_from_the_bytes(head: bytes, name: str, fmt: str) -> None:
    assert sniff(head, Path(name)) == fmt


def test_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    p = tmp_path / "report.txt"
    p.write_bytes((SAMPLES / "sample-2021.pdf").read_bytes())
    rec = govreport.extract(p)
    assert rec.source.format == "pdf" and rec.report.issuer == "云溪县人民政府"


def test_pdf_from_stdin_gives_the_same_tables() -> None:
    direct = run_cli("extract", str(SAMPLES / "sample-2021.pdf"))
    piped = run_cli("extract", "-", stdin=(SAMPLES / "sample-2021.pdf").read_bytes())
    assert piped.returncode == 0, piped.stderr
    a, b = json.loads(direct.stdout), json.loads(piped.stdout)
    assert a["tables"] == b["tables"] and b["source"]["path"] == "<stdin>"


@pytest.mark.skipif(soffice() is not None, reason="LibreOffice is installed here")
def test_doc_without_libreoffice_exits_4_with_one_line(tmp_path: Path) -> None:
    p = tmp_path / "report.doc"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    r = run_cli("extract", str(p))
    assert r.returncode == 4
    assert r.stdout == b""
    err = r.stderr.decode()
    assert err.count("\n") == 1 and "soffice" in err and "LibreOffice" in err
