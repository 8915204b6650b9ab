"""External references are never followed: nothing is fetched, nothing outside the input is read.

Each input points everywhere it can at files in a folder beside it (``outside/``, holding a secret) and at
the network: HTML ``<base>``, ``<img src="file://…">``, ``<iframe>``, ``<link>``, ``<script>``,
``<object>``, an external DTD, XInclude; DOCX relationships with ``TargetMode="External"`` (a hyperlink,
a linked image, an ``altChunk``) and customXml with an external DTD and entity; PDF launch, URI and
JavaScript actions and an embedded file that names one outside. ``govreport extract`` runs in a
subprocess with an audit hook (``sys.addaudithook``) that logs every ``open`` and every ``socket.*``
event, and, where ``strace`` works, under strace watching the ``openat`` and ``connect`` system calls
of the C libraries too (libxml2, PDFium). Nothing under ``outside/`` may be opened, no socket created,
and the secret never reaches the output.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List, Tuple

import pytest

import hostile
from test_bad_input import cli_env

SECRET = "OUTSIDE-SECRET-7c2e"
NET = "http://127.0.0.1:9"  # the discard port: nothing listens, and nothing may try

HOOK = r"""
import os, sys
log = os.open(sys.argv.pop(1), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
def hook(event, args):
    if event == "open" or event.startswith("socket.") or event in ("urllib.Request", "subprocess.Popen",
                                                                   "os.system", "ctypes.dlopen"):
        os.write(log, (event + "\t" + repr(args[:1]) + "\n").encode("utf-8", "replace"))
sys.addaudithook(hook)
from govreport.cli import main
sys.argv[0] = "govreport"
main()
"""


def _outside(base: Path) -> Path:
    d = base / "outside"
    d.mkdir(exist_ok=True)
    for name in ("secret.txt", "secret.html", "secret.dtd", "img.png", "style.css", "inc.xml", "script.js"):
        (d / name).write_text(f"{SECRET}\n", "utf-8")
    (d / "secret.dtd").write_text(f'<!ENTITY ext "{SECRET}">\n', "utf-8")
    return d


def build_html(base: Path, out: Path) -> Path:
    o = out.as_uri()
    refs = (f'<base href="{o}/"><link rel="stylesheet" href="{o}/style.css"><link rel="import" href="{NET}/x">'
            f'<script src="{o}/script.js"></script>')
    body = (f'<img src="{o}/img.png"><img src="img.png"><img src="{NET}/pixel.gif">'
            f'<iframe src="{o}/secret.html"></iframe><object data="{o}/secret.html"></object>'
            f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{o}/inc.xml" parse="text"/>'
            f'<svg><image href="{o}/img.png"/></svg><embed src="{o}/secret.txt">')
    html = hostile.sample_html()
    html = html.replace("<!DOCTYPE html>", f'<!DOCTYPE html SYSTEM "{o}/secret.dtd">', 1)
    i = html.index("</head>")
    html = html[:i] + refs + html[i:]
    i = html.index(">", html.index("<body")) + 1
    html = html[:i] + body + html[i:]
    p = base / "refs.html"
    p.write_bytes(html.encode("gb18030"))
    return p


def build_docx(base: Path, out: Path) -> Path:
    o = out.as_uri()
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    src = zipfile.ZipFile(hostile.ROOT / "samples" / "sample-2021.docx")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                extra = (f'<Relationship Id="rIdX1" Type="{rel}/hyperlink" Target="{o}/secret.txt" TargetMode="External"/>'
                         f'<Relationship Id="rIdX2" Type="{rel}/image" Target="{o}/img.png" TargetMode="External"/>'
                         f'<Relationship Id="rIdX3" Type="{rel}/aFChunk" Target="{o}/secret.html" TargetMode="External"/>'
                         f'<Relationship Id="rIdX4" Type="{rel}/attachedTemplate" Target="{NET}/t.dotx" '
                         'TargetMode="External"/>'
                         f'<Relationship Id="rIdX5" Type="{rel}/subDocument" Target="{o}/secret.txt" TargetMode="External"/>')
                data = data.replace(b"</Relationships>", extra.encode() + b"</Relationships>")
            elif info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                i = xml.index("<w:body>") + len("<w:body>")
                inject = ('<w:p><w:hyperlink r:id="rIdX1"><w:r><w:t>link</w:t></w:r></w:hyperlink></w:p>'
                          '<w:altChunk r:id="rIdX3"/><w:subDoc r:id="rIdX5"/>')
                data = (xml[:i] + inject + xml[i:]).encode("utf-8")
            elif info.filename == "customXml/item1.xml":
                data = (f'<?xml version="1.0"?><!DOCTYPE x SYSTEM "{o}/secret.dtd">'
                        '<x>&ext;</x>').encode("utf-8")
            z.writestr(info, data)
    p = base / "refs.docx"
    p.write_bytes(buf.getvalue())
    return p


def build_pdf(base: Path, out: Path) -> Path:
    o = out.as_uri().encode()
    text = b"BT /F1 14 Tf 72 760 Td (An invented report page with enough text to read.) Tj ET"
    pdf = hostile.raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 6 0 R /Names << /JavaScript 7 0 R /EmbeddedFiles 8 0 R >>"
        b" /AA << /WC 9 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >>"
        b" >> /Annots [10 0 R] /AA << /O 9 0 R >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /S /Launch /F << /Type /Filespec /F (" + o + b"/secret.txt) /UF (" + o + b"/secret.txt) >> /NewWindow true >>",
        b"<< /Names [(js) << /S /JavaScript /JS (app.launchURL('" + NET.encode() + b"/x');) >>] >>",
        b"<< /Names [(secret.txt) << /Type /Filespec /F (" + o + b"/secret.txt) /FS /URL >>] >>",
        b"<< /S /URI /URI (" + NET.encode() + b"/y) >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] /A << /S /GoToR /F (" + o + b"/secret.pdf) /D [0] >> >>",
    ])
    p = base / "refs.pdf"
    p.write_bytes(pdf)
    return p


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("external-refs")


def _run(base: Path, path: Path, trace: bool) -> Tuple[subprocess.CompletedProcess, List[str], List[str]]:
    events = base / f"{path.name}.events"
    events.unlink(missing_ok=True)
    cmd = [sys.executable, "-c", HOOK, str(events), "extract", str(path)]
    syscalls: List[str] = []
    st = base / f"{path.name}.strace"
    if trace:
        cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,connect,socket", "-o", str(st), *cmd]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=hostile.ROOT, env=cli_env(), timeout=300)
    if trace:
        syscalls = st.read_text("utf-8", "replace").splitlines()
    return run, events.read_text("utf-8").splitlines(), syscalls


def _strace_works() -> bool:
    if shutil.which("strace") is None:
        return False
    try:
        return subprocess.run(["strace", "-qq", "-e", "trace=openat", "-o", os.devnull, "true"],
                              capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.parametrize("build", [build_html, build_docx, build_pdf], ids=["html", "docx", "pdf"])
def test_external_references_are_not_followed(base: Path, build) -> None:
    out = _outside(base)
    path = build(base, out)
    run, events, syscalls = _run(base, path, trace=_strace_works())
    assert "Traceback" not in run.stderr, run.stderr
    if run.returncode == 0:
        rec = json.loads(run.stdout)
        assert rec["report"]["year"] == 2023  # the report around the references was read
    else:  # the PDF page holds no report: one line, a documented code
        assert run.returncode in (3, 4) and run.stderr.count("\n") == 1, (run.returncode, run.stderr)
    assert SECRET not in run.stdout + run.stderr
    assert events, "the audit hook logged nothing: it did not run"
    assert any(str(path) in e for e in events if e.startswith("open"))  # the input itself is opened
    touched = [e for e in events if str(out) in e or "127.0.0.1" in e]
    assert touched == [], touched
    sockets = [e for e in events if e.startswith("socket.")]
    assert sockets == [], sockets
    if syscalls:
        outside = [s for s in syscalls if str(out) in s]
        assert outside == [], outside
        inet = [s for s in syscalls if ("AF_INET" in s) or (" connect(" in s and "AF_UNIX" not in s)]
        assert inet == [], inet
