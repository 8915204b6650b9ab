"""Bad input never crashes: one line on stderr, a documented exit code, nothing on stdout, no traceback.

Every bad input of the issue is one row of ``CASES``; each row runs through the same assertions, through
the real entry point (a subprocess of ``python -m govreport``), with its CPU time and its peak memory
measured (``os.wait4`` gives the child's ``ru_maxrss``, KiB on Linux). ``test_batch_of_bad_inputs`` then
puts all of them in one folder with a good report and checks that the batch turns each bad one into an
error record and goes on.

The files are built here (reportlab, Pillow, python-docx, zipfile, the project's own samples), once per
session, in a temporary folder.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOOD = SAMPLES / "sample-2021.txt"

# A guard against blow-ups, in CPU seconds (the work the process did: a loaded machine does not count); the
# wall clock only ends a process that hangs.
MAX_CPU_SECONDS = 60
KILL_AFTER_SECONDS = 600
MAX_RSS_KIB = 1024 * 1024  # 1 GiB
BOMB_BYTES = 1 << 30  # what the zip bomb declares (and would take) once decompressed
SECRET = "XXE-SECRET-4d1f"  # the content of the file the XXE entities point at
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------------------------------------------------
# running the CLI, measured


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float
    max_rss_kib: int

    def summary(self) -> str:
        return f"exit {self.returncode}, {self.cpu_seconds:.1f} s CPU, {self.max_rss_kib / 1024:.0f} MiB"


def cli_env(*pythonpath: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_cli(*args: str, env: Optional[Dict[str, str]] = None, kill_after: float = KILL_AFTER_SECONDS) -> Run:
    """``python -m govreport ARGS``, reaped with ``os.wait4`` for its CPU time and peak RSS; killed after
    ``kill_after`` s (wall clock)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "govreport", *args], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err, cwd=ROOT, env=env or cli_env())
        killer = threading.Timer(kill_after, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Run(proc.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def assert_within_limits(run: Run, max_rss_kib: int = MAX_RSS_KIB) -> None:
    assert run.cpu_seconds < MAX_CPU_SECONDS, run.summary()
    assert run.max_rss_kib < max_rss_kib, run.summary()


def assert_one_line_error(run: Run, code: int, *words: str) -> None:
    assert run.returncode == code, (run.summary(), run.stderr)
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.endswith("\n"), run.stderr
    assert run.stderr.startswith("govreport: error: "), run.stderr
    assert "Traceback" not in run.stderr
    for w in words:
        assert w in run.stderr, (w, run.stderr)


# ---------------------------------------------------------------------------------------------------------
# building the bad inputs


def _noise(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _canvas(path: Path, **encrypt):
    pytest.importorskip("reportlab")
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    kw = {"encrypt": pdfencrypt.StandardEncryption(**encrypt)} if encrypt else {}
    return canvas.Canvas(str(path), **kw)


def _text_pdf(path: Path, lines: Sequence[str], **encrypt) -> Path:
    """A PDF with a text layer: ``lines`` in reportlab's built-in CJK font (nothing embedded)."""
    from reportlab.pdfbase import cidfonts, pdfdoc, pdfmetrics

    c = _canvas(path, **encrypt)
    pdfmetrics.registerFont(cidfonts.UnicodeCIDFont("STSong-Light"))
    # reportlab writes the font's CIDSystemInfo strings as raw "(Adobe)" and "(GB1)", which it then leaves
    # unencrypted in an encrypted PDF: a reader decrypts them into garbage and loses the font's Unicode
    # mapping. PDFString objects are encrypted like every other string of the document.
    descendant = cidfonts.CIDFontInfo["STSong-Light"]["DescendantFonts"][0]
    system_info = descendant["CIDSystemInfo"]
    descendant["CIDSystemInfo"] = {"Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("GB1"),
                                   "Supplement": system_info["Supplement"]}
    try:
        y = 800.0
        c.setFont("STSong-Light", 9)
        for line in lines:
            for i in range(0, max(len(line), 1), 60):  # wrap long lines
                if y < 60:
                    c.showPage()
                    c.setFont("STSong-Light", 9)
                    y = 800.0
                c.drawString(40, y, line[i:i + 60])
                y -= 13
        c.save()
    finally:
        descendant["CIDSystemInfo"] = system_info
    return path


def _report_lines() -> List[str]:
    return [line.replace("\t", "  ") for line in GOOD.read_text("utf-8").splitlines()]


def build_user_password(d: Path) -> Path:
    return _text_pdf(d / "user-password.pdf", ["hello, this page has a text layer of its own"],
                     userPassword="secret", ownerPassword="owner")


def build_owner_password(d: Path) -> Path:
    """Only an owner password (printing forbidden): opens without a password, so it must just work."""
    return _text_pdf(d / "owner-password.pdf", _report_lines(), userPassword="", ownerPassword="owner", canPrint=0)


def build_image_only(d: Path) -> Path:
    """A scan: one page holding an image and no text layer at all."""
    pytest.importorskip("PIL")
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    img = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(img)
    for y in range(60, 500, 40):
        draw.rectangle([40, y, 360, y + 12], fill=40)  # dark bars where a scan would have text
    p = d / "image-only.pdf"
    c = _canvas(p)
    c.drawImage(ImageReader(img), 40, 80, width=500, height=700)
    c.save()
    return p


def bytes_file(name: str, data: Callable[[], bytes]) -> Callable[[Path], Path]:
    """A builder of the file ``name`` holding ``data()``."""
    def build(d: Path) -> Path:
        p = d / name
        p.write_bytes(data())
        return p
    return build


def build_not_a_report(d: Path) -> Path:
    p = d / "not-a-report.txt"
    p.write_text("今天天气很好，我们去公园散步。\n明天再说。\n", "utf-8")
    return p


def build_title_only_html(d: Path) -> Path:
    """A portal page that holds a report's title and a link, not the report."""
    p = d / "title-only.html"
    title = "云溪县人民政府2023年政府信息公开工作年度报告"
    p.write_text(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1>{title}</h1>"
                 "<p>发布日期：2024-01-20</p><a href='report.pdf'>下载附件</a></body></html>", "utf-8")
    return p


def build_gb18030(d: Path) -> Path:
    p = d / "gb18030.utf8.txt"  # named as UTF-8, encoded in GB18030
    p.write_bytes(GOOD.read_text("utf-8").encode("gb18030"))
    return p


def build_directory(d: Path) -> Path:
    p = d.parent / "aux" / "a-folder.pdf"
    p.mkdir(parents=True, exist_ok=True)
    return p


def build_missing(d: Path) -> Path:
    return d.parent / "aux" / "no-such-file.pdf"


def build_unreadable(d: Path) -> Path:
    p = d / "unreadable.txt"
    p.write_bytes(GOOD.read_bytes())  # a good report: only the permission makes it bad
    p.chmod(0)
    return p


def build_zip_bomb(d: Path) -> Path:
    """A .docx whose document.xml is 1 GiB of zeros compressed to a few MB (streamed: the test never holds
    the GiB either)."""
    p = d / "zip-bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = bytes(1 << 20)
            for _ in range(BOMB_BYTES >> 20):
                f.write(chunk)
    assert p.stat().st_size < 8 * 1024 * 1024
    return p


def build_zip_bomb_ratio(d: Path) -> Path:
    """Under the total limit, but one member compressed over 100 to 1 (64 MiB of zeros)."""
    p = d / "zip-bomb-ratio.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", bytes(64 << 20))
    return p


def build_zip_bomb_lying(d: Path) -> Path:
    """A directory that lies: document.xml declares 1000 bytes but holds 64 MiB of zeros (the sizes are
    patched in its local header and in the central directory)."""
    p = d / "zip-bomb-lying.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", bytes(64 << 20))
        info = z.getinfo("word/document.xml")
    data = bytearray(p.read_bytes())
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    data[local + 22:local + 26] = (1000).to_bytes(4, "little")  # uncompressed size
    central = data.rindex(b"PK\x01\x02")  # the last entry: document.xml
    assert data[central + 46:central + 46 + 17] == b"word/document.xml"
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")
    p.write_bytes(bytes(data))
    return p


def _secret_file(d: Path) -> Path:
    p = d.parent / "aux" / "secret.txt"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(SECRET + "\n", "utf-8")
    return p


def _evil_dtd(d: Path, root: str, xxe: bool = True, laughs: bool = True) -> str:
    """An internal subset with an external entity (the secret file) and a billion laughs (10^9 "ha")."""
    subset = f'<!ENTITY xxe SYSTEM "{_secret_file(d).as_uri()}">' if xxe else ""
    if laughs:
        subset += '<!ENTITY l0 "ha">' + "".join(f'<!ENTITY l{i} "{"&l%d;" % (i - 1) * 10}">' for i in range(1, 10))
    return f"<!DOCTYPE {root} [{subset}]>"


def _evil_refs(xxe: bool = True, laughs: bool = True) -> str:
    return ("&xxe;" if xxe else "") + ("&l9;" if laughs else "")


# the entities are used in the middle of section 一's first paragraph, which the record holds
BODY_PHRASE = "把政务公开作为"


def build_html_entities(d: Path) -> Path:
    p = d / "entities.html"
    p.write_text('<?xml version="1.0"?>' + _evil_dtd(d, "html") + f"<html><body><p>{_evil_refs()}</p></body></html>",
                 "utf-8")
    return p


def build_html_entities_in_report(d: Path) -> Path:
    """The bundled HTML report with the entities declared and used in section 一's first paragraph."""
    html = (SAMPLES / "sample-2021.html").read_bytes().decode("gbk")
    html = html.replace("<!DOCTYPE html>", _evil_dtd(d, "html"), 1)
    assert html.count(BODY_PHRASE) == 1
    html = html.replace(BODY_PHRASE, _evil_refs() + BODY_PHRASE)
    p = d / "entities-report.html"
    p.write_bytes(html.encode("gbk"))
    return p


def _poison_docx(src: bytes, d: Path, xxe: bool = True, laughs: bool = True) -> bytes:
    """``src`` with the entities declared in word/document.xml and used in a text run (before
    ``BODY_PHRASE``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                decl = re.match(r"<\?xml[^>]*\?>\s*", xml)
                assert decl
                xml = xml[:decl.end()] + _evil_dtd(d, "w:document", xxe, laughs) + xml[decl.end():]
                assert xml.count(BODY_PHRASE) == 1
                xml = xml.replace(BODY_PHRASE, _evil_refs(xxe, laughs) + BODY_PHRASE)
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    return out.getvalue()


def build_docx_entities(d: Path) -> Path:
    pytest.importorskip("docx")
    import docx

    buf = io.BytesIO()
    doc = docx.Document()
    doc.add_paragraph(f"今天天气很好，我们{BODY_PHRASE}话题。")
    doc.save(buf)
    p = d / "entities.docx"
    p.write_bytes(_poison_docx(buf.getvalue(), d))
    return p


def build_docx_xxe_in_report(d: Path) -> Path:
    """The bundled .docx report with an external entity used in section 一 (no billion laughs:
    libxml2 refuses those on its own, and the whole part with them, see the case above)."""
    p = d / "xxe-report.docx"
    p.write_bytes(_poison_docx((SAMPLES / "sample-2021.docx").read_bytes(), d, laughs=False))
    return p


def ocr_absent(d: Path) -> Path:
    """A folder to put first on PYTHONPATH: its ``rapidocr_onnxruntime`` raises ImportError, as when the ocr
    extra is not installed (``govreport.readers.ocr.available`` imports it to decide)."""
    shadow = d.parent / "no-ocr-extra"
    (shadow / "rapidocr_onnxruntime").mkdir(parents=True, exist_ok=True)
    (shadow / "rapidocr_onnxruntime" / "__init__.py").write_text(
        'raise ImportError("rapidocr_onnxruntime is not installed (shadowed by the test)")\n', "utf-8")
    return shadow


# ---------------------------------------------------------------------------------------------------------
# the table of cases


def _record_of_report(run: Run) -> dict:
    rec = json.loads(run.stdout)
    assert "error" not in rec
    assert rec["report"]["year"] == 2023 and "年度报告" in (rec["report"]["title"] or ""), rec["report"]
    return rec


def _check_owner_password(run: Run) -> None:
    rec = _record_of_report(run)
    assert rec["source"]["format"] == "pdf" and rec["source"]["text_layer"] == "ok"


def _check_gb18030(run: Run) -> None:
    rec = _record_of_report(run)
    assert rec["source"]["encoding"] == "gb18030"
    assert rec["tables"]["applications"]["new_received"]["total"] is not None


def _check_nothing_expanded(run: Run) -> None:
    """The entities were neither read (the secret file) nor expanded (no "hahaha")."""
    rec = _record_of_report(run)
    overall = next(s["text"] for s in rec["sections"] if s["key"] == "overall")
    assert BODY_PHRASE in overall  # where the entities were used
    assert SECRET not in run.stdout and "hahaha" not in run.stdout
    assert len(run.stdout) < 2 * 1024 * 1024


@dataclass
class Case:
    id: str
    build: Callable[[Path], Path]
    code: int  # the exit code of ``extract``
    error: Optional[str]  # the error code of its batch error record (None: a record, not an error)
    words: Sequence[str] = ()  # in the error line
    check: Optional[Callable[[Run], None]] = None  # for the inputs that must be read (exit 0)
    extract_args: Sequence[str] = ()
    pythonpath: Callable[[Path], List[Path]] = lambda d: []
    in_batch: bool = True  # a folder or an output path is not an input of a batch
    names_file: bool = True  # the error line names the input
    max_rss_kib: int = MAX_RSS_KIB
    marks: Sequence = field(default_factory=tuple)


_ROOT_CAN_READ = pytest.mark.skipif(
    IS_ROOT, reason="running as root: chmod 000 does not stop root from reading (see test_unreadable_in_process)")

CASES = [
    Case("empty", bytes_file("empty.pdf", lambda: b""), 3, "empty_input", ["empty"]),
    Case("truncated-pdf", bytes_file("truncated.pdf", lambda: (SAMPLES / "sample-2021.pdf").read_bytes()[:4000]),
         3, "bad_input", ["not a readable PDF"]),
    Case("header-only-pdf", bytes_file("header-only.pdf", lambda: b"%PDF-1.7\n"),
         3, "bad_input", ["not a readable PDF"]),
    Case("garbage-after-pdf-header", bytes_file("garbage-after-header.pdf", lambda: b"%PDF-1.4\n" + _noise(2000, 1)),
         3, "bad_input", ["not a readable PDF"]),
    Case("user-password-pdf", build_user_password, 3, "bad_input", ["password", "decrypt", "qpdf"]),
    Case("owner-password-only-pdf", build_owner_password, 0, None, check=_check_owner_password,
         pythonpath=lambda d: [ocr_absent(d)]),  # a text layer lost would fail fast, not run OCR
    Case("image-only-pdf-without-ocr-extra", build_image_only, 4, "missing_dependency",
         ["OCR", "pip install 'govreport[ocr]'"], pythonpath=lambda d: [ocr_absent(d)]),
    Case("random-bytes-pdf", bytes_file("random.pdf", lambda: _noise(3000, 2)),
         3, "unsupported_format", ["binary data"]),
    Case("random-bytes-txt", bytes_file("random.txt", lambda: _noise(3000, 3)),
         3, "unsupported_format", ["binary data"]),
    Case("random-bytes-docx", bytes_file("random.docx", lambda: _noise(3000, 4)),
         3, "unsupported_format", ["binary data"]),
    Case("random-bytes-after-zip-signature-docx",  # a zip's signature, then noise
         bytes_file("broken-zip.docx", lambda: b"PK\x03\x04" + _noise(3000, 5)),
         3, "bad_input", ["not a readable .docx"]),
    Case("not-a-report", build_not_a_report, 3, "not_a_report", ["not a 政府信息公开工作年度报告"]),
    Case("title-only-html", build_title_only_html, 3, "not_a_report", ["not a 政府信息公开工作年度报告"]),
    Case("gb18030-named-utf8", build_gb18030, 0, None, check=_check_gb18030),
    Case("directory", build_directory, 3, "bad_input", ["is a directory"], in_batch=False),
    Case("missing-file", build_missing, 3, "bad_input", ["no such file"]),
    Case("unreadable-file", build_unreadable, 3, "bad_input", ["permission denied"], marks=[_ROOT_CAN_READ]),
    Case("unwritable-output", lambda d: GOOD, 5, None, ["does not exist"], in_batch=False, names_file=False,
         extract_args=["-o", "{aux}/no-such-dir/out.json"]),
    Case("docx-zip-bomb", build_zip_bomb, 3, "bad_input", ["zip bomb"], max_rss_kib=256 * 1024),
    Case("docx-zip-bomb-ratio", build_zip_bomb_ratio, 3, "bad_input", ["zip bomb"], max_rss_kib=256 * 1024),
    Case("docx-zip-bomb-lying-sizes", build_zip_bomb_lying, 3, "bad_input", ["word/document.xml"],
         max_rss_kib=256 * 1024),
    Case("html-xxe-billion-laughs", build_html_entities, 3, "not_a_report", ["not a 政府信息公开工作年度报告"]),
    Case("html-xxe-billion-laughs-in-report", build_html_entities_in_report, 0, None,
         check=_check_nothing_expanded),
    # libxml2 refuses the part outright (entity amplification), though entities are never resolved
    Case("docx-xxe-billion-laughs", build_docx_entities, 3, "bad_input",
         ["word/document.xml", "not well-formed"]),
    Case("docx-xxe-in-report", build_docx_xxe_in_report, 0, None, check=_check_nothing_expanded),
]
CASE_BY_ID = {c.id: c for c in CASES}


class Inputs:
    """The inputs, built on first use, once per session: bad inputs in ``folder`` (the batch's folder),
    everything else (the secret file, the OCR shadow, a folder, output paths) in ``aux``."""

    def __init__(self, base: Path):
        self.folder = base / "inputs"
        self.aux = base / "aux"
        self.folder.mkdir()
        self.aux.mkdir()
        self._paths: Dict[str, Path] = {}

    def path(self, case: Case) -> Path:
        if case.id not in self._paths:
            self._paths[case.id] = case.build(self.folder)
        return self._paths[case.id]

    def args(self, case: Case) -> List[str]:
        return ["extract", str(self.path(case)), *(a.format(aux=self.aux) for a in case.extract_args)]

    def env(self, case: Case) -> Dict[str, str]:
        return cli_env(*case.pythonpath(self.folder))


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Inputs:
    base = tmp_path_factory.mktemp("bad-input")
    yield Inputs(base)
    for p in (base / "inputs").iterdir():  # let pytest clean up what was made unreadable
        if not p.is_symlink():
            p.chmod(0o644 if p.is_file() else 0o755)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=list(c.marks)) for c in CASES])
def test_bad_input(inputs: Inputs, case: Case) -> None:
    path = inputs.path(case)
    run = run_cli(*inputs.args(case), env=inputs.env(case))
    assert_within_limits(run, case.max_rss_kib)
    if case.code == 0:
        assert run.returncode == 0, (run.summary(), run.stderr)
        assert "Traceback" not in run.stderr and "error" not in run.stderr, run.stderr
        assert case.check is not None
        case.check(run)
        return
    assert_one_line_error(run, case.code, *case.words)
    if case.names_file:
        assert str(path) in run.stderr
    if case.id.startswith(("html-xxe", "docx-xxe")):
        assert SECRET not in run.stderr


def test_traceback_only_with_verbose(inputs: Inputs) -> None:
    case = CASE_BY_ID["garbage-after-pdf-header"]
    run = run_cli("extract", "-v", str(inputs.path(case)))
    assert run.returncode == 3 and run.stdout == ""
    assert "Traceback" in run.stderr
    assert run.stderr.splitlines()[-1].startswith("govreport: error: ")
    assert_within_limits(run)


@pytest.mark.parametrize("command", ["extract", "batch"])
def test_unwritable_output_exits_5(inputs: Inputs, command: str) -> None:
    """An output that cannot be written (its folder is a file) fails at once, for extract and for batch,
    and leaves nothing behind."""
    target = inputs.aux / f"not-a-folder-{command}"
    target.write_text("a file where the output's folder should be\n", "utf-8")
    run = run_cli(command, str(GOOD), "-o", str(target / "out.jsonl"))
    assert_one_line_error(run, 5, str(target / "out.jsonl"))
    assert "is not a directory" in run.stderr
    assert_within_limits(run)
    assert target.read_text("utf-8").startswith("a file")


# ---------------------------------------------------------------------------------------------------------
# unreadable files as root: chmod 000 does not stop root, so the denial is simulated in-process


def test_unreadable_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """``cli.main`` in this process, on a good report whose reading is denied: as the kernel denies a
    non-root user (both the CLI's access check and the read itself), then with the access check passing
    and only the read failing (an ACL, a root-squashed NFS share, a race)."""
    import errno

    from govreport import cli
    from govreport.batch import runner

    p = tmp_path / "unreadable.txt"
    shutil.copyfile(GOOD, p)
    real_open = io.open

    def denied_open(file, *args, **kwargs):
        if os.fspath(file) == str(p):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(p))
        return real_open(file, *args, **kwargs)

    def main(*args: str) -> int:
        monkeypatch.setattr(sys, "argv", ["govreport", *args])
        with pytest.raises(SystemExit) as exc:
            cli.main()
        return exc.value.code

    monkeypatch.setattr(io, "open", denied_open)
    monkeypatch.setattr(Path, "open", lambda self, *a, **kw: denied_open(self, *a, **kw))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda f, mode, **kw: os.fspath(f) != str(p) and real_access(f, mode, **kw))
    code = main("extract", str(p))
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert err == f"govreport: error: {p}: permission denied\n"

    monkeypatch.setattr(os, "access", real_access)  # the access check passes; the read is denied
    code = main("extract", str(p))
    out, err = capsys.readouterr()
    assert (code, out) == (3, "")
    assert err == f"govreport: error: {p}: permission denied\n"

    outcome = runner.work(str(p))  # a batch worker
    assert not outcome.ok and outcome.error_code == "bad_input" and "permission denied" in outcome.error_message


# ---------------------------------------------------------------------------------------------------------
# all of them in one batch


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_of_bad_inputs(inputs: Inputs, tmp_path: Path, jobs: str) -> None:
    """One folder: every bad input and one good report. Each bad input becomes an error record naming
    the file with its error code, the good one (and the inputs that must be read) become records, the
    batch goes on to the end and exits 7. ``--jobs 1`` runs everything in the measured process (its peak
    RSS is the batch's); ``--jobs 2`` in a pool of worker processes."""
    cases = [c for c in CASES if c.in_batch and not (IS_ROOT and c.id == "unreadable-file")]
    paths = {c.id: inputs.path(c) for c in cases}
    good = inputs.folder / f"good-sample-2021-{jobs}.txt"
    shutil.copyfile(GOOD, good)
    missing = [p for p in paths.values() if not p.exists()]  # a missing file is named on the command line
    out = tmp_path / "out.jsonl"
    env = cli_env(*{p for c in cases for p in c.pythonpath(inputs.folder)})
    try:
        run = run_cli("batch", str(inputs.folder), *map(str, missing), "-o", str(out), "--jobs", jobs, env=env)
    finally:
        good.unlink()
    assert_within_limits(run)
    assert run.returncode == 7, (run.summary(), run.stderr)
    assert run.stdout == "" and "Traceback" not in run.stderr

    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    by_path = {r["source"]["path"]: r for r in records}
    assert len(by_path) == len(records) == len(cases) + 1, sorted(by_path)
    assert "error" not in by_path[str(good)] and by_path[str(good)]["report"]["year"] == 2023
    for c in cases:
        rec = by_path[str(paths[c.id])]
        if c.error is None:
            assert "error" not in rec and rec["report"]["title"], (c.id, rec.get("error"))
        else:
            assert rec["error"]["code"] == c.error, (c.id, rec["error"])
            assert str(paths[c.id]) in rec["error"]["message"], (c.id, rec["error"])
    failed = sum(1 for c in cases if c.error)
    errors = [line for line in run.stderr.splitlines() if line.startswith("govreport: error: ")]
    assert len(errors) == failed, run.stderr
    assert f"{len(cases) + 1} inputs, " in run.stderr and f", {failed} failed" in run.stderr
    assert SECRET not in out.read_text("utf-8") + run.stderr
