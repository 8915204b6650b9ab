"""Legacy Word (.doc) and WPS files: converted to .docx by LibreOffice when ``soffice`` is on the PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BadInputError, MissingDependencyError
from ..limits import OFFICE_CONVERT_SECONDS
from . import Document

def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path: Path, data: bytes) -> Document:
    exe = soffice()
    if exe is None:
        raise MissingDependencyError(
            f"{path}: reading .doc/.wps files needs LibreOffice",
            hint="install it so that 'soffice' is on the PATH, e.g. apt-get install libreoffice-writer; "
                 "or save the file as .docx")
    from . import docx

    with tempfile.TemporaryDirectory(prefix="govreport-office-") as tmp:
        suffix = path.suffix.lower() if path.suffix.lower() in (".doc", ".wps") else ".doc"
        src = Path(tmp) / f"input{suffix}"
        src.write_bytes(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--convert-to", "docx", "--outdir", tmp, str(src)]
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=OFFICE_CONVERT_SECONDS,
                           check=False, env={**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise BadInputError(f"{path}: LibreOffice did not convert the file within {OFFICE_CONVERT_SECONDS} s") from None
        out = Path(tmp) / "input.docx"
        if not out.exists():
            raise BadInputError(f"{path}: LibreOffice could not convert the file (damaged or not a Word file)")
        doc = docx.read(path, out.read_bytes())
    doc.format = "doc"
    return doc
