"""Score govreport against a gold corpus (the dev corpus or corpus-synth), cell by cell.

    python bench/score_corpus.py [DIR] [--jobs N] [--skip-scanned] [--json FILE] [-v]

DIR defaults to $GOVREPORT_SYNTH or ../shared/corpus-synth. Prints one line per file that is not perfect
(right/total, flagged, silent, its variant) and the totals. A figure, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from scoring import score  # noqa: E402


def _manifest(folder: Path) -> dict:
    for name in ("manifest.tsv", "MANIFEST.tsv"):
        p = folder / name
        if p.exists():
            lines = p.read_text("utf-8").splitlines()
            head = lines[0].split("\t")
            return {r[0]: dict(zip(head, r, strict=False)) for r in (ln.split("\t") for ln in lines[1:]) if r}
    return {}


def _one(args):
    doc, gold_path = args
    import govreport

    engine = os.environ.get("SCORE_PDF_ENGINE")
    if engine:  # measure one PDF engine (the default otherwise)
        from govreport.readers import pdf

        pdf.DEFAULT_ENGINE = engine

    gold = json.loads(Path(gold_path).read_text("utf-8"))
    try:
        rec = govreport.extract(doc).to_dict()
    except Exception as exc:  # a file with no record is scored as all missing
        return doc, None, f"{type(exc).__name__}: {exc}", gold
    return doc, rec, None, gold


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", nargs="?", default=os.environ.get("GOVREPORT_SYNTH") or str(ROOT.parent / "shared" / "corpus-synth"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--skip-scanned", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--json")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    folder = Path(a.dir)
    man = _manifest(folder)
    todo = []
    for g in sorted((folder / "gold").glob("*.json")):
        name = g.name[:-5]
        doc = folder / "docs" / name
        if not doc.exists():
            continue
        variant = man.get(name, {}).get("variant", "")
        if a.skip_scanned and variant.startswith("scanned"):
            continue
        if a.only and a.only not in name and a.only not in variant:
            continue
        if not json.loads(g.read_text("utf-8")).get("tables"):
            continue
        todo.append((str(doc), str(g)))
    tot = {"right": 0, "flagged": 0, "silent": 0, "total": 0, "norecord": 0}
    out = []
    with ProcessPoolExecutor(a.jobs) as ex:
        for doc, rec, err, gold in ex.map(_one, todo):
            name = Path(doc).name
            variant = man.get(name, {}).get("variant", "")
            if rec is None:
                n = sum(len(c) for rows in gold["tables"].values() for c in rows.values())
                tot["norecord"] += 1
                tot["total"] += n
                tot["flagged"] += n
                print(f"{name}: NO RECORD {err} | {variant}")
                continue
            s = score(rec, gold)
            tot["right"] += s.right
            tot["flagged"] += s.flagged
            tot["silent"] += len(s.silent)
            tot["total"] += s.total
            out.append({"file": name, "right": s.right, "total": s.total, "flagged": s.flagged,
                        "silent": [list(x) for x in s.silent], "variant": variant})
            if s.right != s.total:
                print(f"{name}: {s.right}/{s.total} flagged {s.flagged} silent {len(s.silent)} | {variant}")
                if a.v:
                    for ref, got, exp in s.silent:
                        print(f"    SILENT {ref}: got {got} want {exp}")
                    for ref, got, exp, st in s.wrong_flagged:
                        print(f"    flag   {ref}: got {got} want {exp} [{st}]")
    acc = tot["right"] / tot["total"] if tot["total"] else 1.0
    print(f"TOTAL {tot['right']}/{tot['total']} = {acc:.4%} right, {tot['flagged']} flagged, "
          f"{tot['silent']} silent, {tot['norecord']} without record, {len(todo)} files")
    if a.json:
        Path(a.json).write_text(json.dumps({"totals": tot, "files": out}, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
