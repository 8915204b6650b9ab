"""Bad input never crashes: one line on stderr, a documented exit code, nothing on stdout, no traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govreport", *args], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def assert_one_line_error(r: subprocess.CompletedProcess, code: int, *words: str) -> None:
    assert r.returncode == code, (r.returncode, r.stderr)
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("govreport: error: "), r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in r.stderr


def _pdf(tmp_path: Path, name: str, **encrypt) -> Path:
    reportlab = pytest.importorskip("reportlab")  # noqa: F841
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    path = tmp_path / name
    kw = {"encrypt": pdfencrypt.StandardEncryption(**encrypt)} if encrypt else {}
    c = canvas.Canvas(str(path), **kw)
    c.drawString(72, 720, "hello, this page has a text layer of its own")
    c.save()
    return path


@pytest.mark.parametrize("name, data, words", [
    ("empty.pdf", b"", ["empty"]),
    ("header-only.pdf", b"%PDF-1.7\n", ["PDF"]),
    ("random.pdf", None, []),
    ("random.txt", None, []),
    ("random.docx", None, []),
    ("not-a-report.txt", "今天天气很好，我们去公园散步。\n明天再说。\n".encode(), ["not a"]),
])
def test_bad_files_exit_3(tmp_path: Path, name: str, data, words) -> None:
    p = tmp_path / name
    p.write_bytes(os.urandom(3000) if data is None else data)
    assert_one_line_error(run_cli("extract", str(p)), 3, *words)


def test_truncated_pdf_exits_3(tmp_path: Path) -> None:
    p = tmp_path / "truncated.pdf"
    p.write_bytes((SAMPLES / "sample-2021.pdf").read_bytes()[:4000])
    assert_one_line_error(run_cli("extract", str(p)), 3, "PDF")


def test_directory_and_missing_file_exit_3(tmp_path: Path) -> None:
    assert_one_line_error(run_cli("extract", str(tmp_path)), 3, "directory")
    assert_one_line_error(run_cli("extract", str(tmp_path / "nope.pdf")), 3, "no such file")


def test_unwritable_output_exits_5(tmp_path: Path) -> None:
    r = run_cli("extract", str(SAMPLES / "sample-2021.txt"), "-o", str(tmp_path / "missing" / "out.json"))
    assert_one_line_error(r, 5)


def test_gb18030_text_named_utf8_still_reads(tmp_path: Path) -> None:
    p = tmp_path / "report.utf8.txt"
    p.write_bytes((SAMPLES / "sample-2021.gb18030.txt").read_bytes())
    r = run_cli("extract", str(p))
    assert r.returncode == 0 and '"encoding": "gb18030"' in r.stdout


def test_pdf_with_a_user_password_names_the_fix(tmp_path: Path) -> None:
    p = _pdf(tmp_path, "locked.pdf", userPassword="secret", ownerPassword="owner")
    assert_one_line_error(run_cli("extract", str(p)), 3, "password", "decrypt")


def test_pdf_with_only_an_owner_password_just_works(tmp_path: Path) -> None:
    """Owner-password-only PDFs open without a password; this one holds no report, so exit 3 not_a_report
    proves it was read (not refused as encrypted)."""
    p = _pdf(tmp_path, "owner.pdf", userPassword="", ownerPassword="owner", canPrint=0)
    r = run_cli("extract", str(p))
    assert r.returncode == 3 and "password" not in r.stderr and "not a" in r.stderr


def test_docx_zip_bomb_stops_early(tmp_path: Path) -> None:
    p = tmp_path / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (150 * 1024 * 1024))  # compresses ~1000:1
    assert p.stat().st_size < 1024 * 1024
    assert_one_line_error(run_cli("extract", str(p)), 3)


def test_html_xxe_and_billion_laughs_expand_nothing(tmp_path: Path) -> None:
    laughs = "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    html = ('<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
            '<!ENTITY l0 "ha">' + laughs + ']><html><body><p>&xxe;&l9;</p></body></html>')
    p = tmp_path / "evil.html"
    p.write_text(html, "utf-8")
    r = run_cli("extract", str(p))
    assert r.returncode == 3 and "root:" not in r.stdout + r.stderr
    assert r.stdout == ""


def test_traceback_only_with_verbose(tmp_path: Path) -> None:
    p = tmp_path / "random.pdf"
    p.write_bytes(b"%PDF-1.4\n" + os.urandom(2000))
    quiet = run_cli("extract", str(p))
    assert "Traceback" not in quiet.stderr and quiet.returncode == 3
