"""The bundled samples (made by samples/make_samples.py): their truth cell by cell, and golden records.

Golden records live in tests/golden/; after an intended change of the output, rewrite them with
GOVREPORT_REGEN_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import govreport
from scoring import score

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"

CASES = {
    "sample-2021.txt": "sample-2021.truth.json",
    "sample-2021.gb18030.txt": "sample-2021.truth.json",
    "sample-2021-runtogether.txt": "sample-2021.truth.json",
    "sample-2021.pdf": "sample-2021.truth.json",
    "sample-2019.txt": "sample-2019.truth.json",
}


def _stable(record: dict) -> dict:
    """The record without what depends on where and with which version it ran."""
    record = json.loads(json.dumps(record))
    record["source"]["path"] = Path(record["source"]["path"]).name
    record.pop("tool_version", None)
    return record


@pytest.mark.pipeline
@pytest.mark.parametrize("name", sorted(CASES))
def test_sample_equals_its_truth(name: str) -> None:
    truth = json.loads((SAMPLES / CASES[name]).read_text("utf-8"))
    rec = govreport.extract(SAMPLES / name).to_dict()
    s = score(rec, truth)
    assert s.silent == [] and s.right == s.total, s.wrong_flagged
    assert rec["report"]["issuer"] == truth["report"]["issuer"]
    assert rec["report"]["year"] == truth["report"]["year"]
    assert rec["report"]["template"] == truth["report"]["template"]
    assert all(c["status"] == "pass" for c in rec["checks"] if c["severity"] == "hard")


@pytest.mark.pipeline
@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_record(name: str) -> None:
    rec = _stable(govreport.extract(SAMPLES / name).to_dict())
    path = GOLDEN / f"{name}.json"
    if os.environ.get("GOVREPORT_REGEN_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", "utf-8")
    expected = json.loads(path.read_text("utf-8"))
    assert rec == expected


def test_regeneration_flag_is_off() -> None:
    assert os.environ.get("GOVREPORT_REGEN_GOLDEN") != "1", "golden files are being rewritten, not checked"


@pytest.mark.pipeline
def test_pdf_sample_provenance_and_page_break() -> None:
    rec = govreport.extract(SAMPLES / "sample-2021.pdf").to_dict()
    pages = {c["page"] for ref, c in rec["cells"].items() if ref.startswith("applications.")}
    assert len(pages) == 2, "table 三 runs over a page break"
    assert all(c["bbox"] and c["page"] for c in rec["cells"].values())
    assert rec["source"]["pages"] >= 3 and rec["source"]["text_layer"] == "ok"


@pytest.mark.pipeline
def test_runtogether_sample_marks_what_the_checks_decided() -> None:
    rec = govreport.extract(SAMPLES / "sample-2021-runtogether.txt").to_dict()
    statuses = {c["status"] for c in rec["cells"].values()}
    assert "inferred" in statuses
    for ref, cell in rec["cells"].items():
        if cell["status"] == "inferred":
            assert any(i.get("cell") == ref and i["code"] == "cell_inferred" for i in rec["issues"])
