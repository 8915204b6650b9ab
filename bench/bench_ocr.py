"""OCR speed and tilt per page of scanned PDFs (the ocr extra): a figure, not a test.

    python bench/bench_ocr.py [PDF ...] [--dpi N] [--json FILE]

Without arguments: samples/sample-2021-scanned.pdf and the scanned files of corpus-synth
($GOVREPORT_SYNTH, else ../shared/corpus-synth; those whose manifest variant starts with "scanned").
Prints, per file, the seconds of every page (render, deskew, grids, recognition), the tilt found and the
tables found, then the mean seconds per page over all pages. The engine is created before the clock
starts. CPU time is printed too: on a shared machine wall time is what the other processes leave.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _default_files() -> list:
    files = [ROOT / "samples" / "sample-2021-scanned.pdf"]
    synth = Path(os.environ.get("GOVREPORT_SYNTH") or ROOT.parent / "shared" / "corpus-synth")
    manifest = synth / "manifest.tsv"
    if manifest.is_file():
        lines = manifest.read_text("utf-8").splitlines()
        head = lines[0].split("\t")
        for line in lines[1:]:
            row = dict(zip(head, line.split("\t"), strict=False))  # a short line: its fields
            if row.get("variant", "").startswith("scanned"):
                files.append(synth / "docs" / row["file"])
    return [f for f in files if f.is_file()]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--dpi", type=int, default=None,
                    help="default: a bilevel scan at its own resolution (150..300), else 200")
    ap.add_argument("--json")
    a = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from govreport.readers import ocr

    if not ocr.available():
        print("the ocr extra is not installed: pip install 'govreport[ocr]'", file=sys.stderr)
        return 4
    import pypdfium2 as pdfium

    ocr.engine.get_engine()
    files = a.pdfs or _default_files()
    out = []
    wall_all, cpu_all, pages_all = 0.0, 0.0, 0
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        try:
            numbers = list(range(1, len(pdf) + 1))
            wall, cpu = time.perf_counter(), time.process_time()
            pages = ocr.ocr_pages(path, numbers, dpi=a.dpi, pdf=pdf)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        finally:
            pdf.close()
        wall_all, cpu_all, pages_all = wall_all + wall, cpu_all + cpu, pages_all + len(pages)
        detail = ", ".join(f"{p.seconds:.1f}" for p in pages)
        skews = ", ".join(f"{p.skew:+.2f}" for p in pages)
        print(f"{path.name}: {wall / len(pages):.1f} s/page wall, {cpu / len(pages):.1f} s/page CPU "
              f"[{detail}] tilt [{skews}] tables {[p.tables for p in pages]}")
        out.append({"file": path.name, "pages": len(pages), "wall": wall, "cpu": cpu,
                    "page_seconds": [p.seconds for p in pages], "skew": [p.skew for p in pages],
                    "tables": [p.tables for p in pages]})
    if pages_all:
        print(f"TOTAL {pages_all} pages: {wall_all / pages_all:.1f} s/page wall, {cpu_all / pages_all:.1f} s/page CPU")
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
