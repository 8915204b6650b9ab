"""Write generated documents and their truth: ``python -m layoutgen OUTDIR SEED[-SEED2] [FORMAT ...]``.

Run from ``tests/`` (``cd tests && python -m layoutgen /tmp/lg 41 layout raw``). For every seed and format it
writes ``layout-<seed>-<format>.<ext>`` and ``layout-<seed>-<format>.truth.json`` (corpus gold format, the
variant included).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import FORMATS, make


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    out = Path(argv[0])
    first, _, last = argv[1].partition("-")
    formats = argv[2:] or list(FORMATS)
    out.mkdir(parents=True, exist_ok=True)
    for seed in range(int(first), int(last or first) + 1):
        for fmt in formats:
            name, data, doc = make(seed, fmt)
            (out / name).write_bytes(data)
            (out / (name.rsplit(".", 1)[0] + ".truth.json")).write_text(
                json.dumps(doc.truth, ensure_ascii=False, indent=1), "utf-8")
            sys.stderr.write("%s\n" % (out / name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
