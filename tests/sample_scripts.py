"""The sample scripts (``samples/make_samples.py``, ``samples/render_office.py``) as modules, each loaded
once per test session under the name ``render_office.py`` itself uses, so that every test shares one copy."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def load(script: str) -> ModuleType:
    """``samples/<script>.py`` as a module (``script``: ``make_samples`` or ``render_office``)."""
    name = f"govreport_samples_{script}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, SAMPLES / f"{script}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        except BaseException:
            del sys.modules[name]
            raise
    return module
