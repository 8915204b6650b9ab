"""govreport: the statistical tables of 政府信息公开工作年度报告 as checked, structured records."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Union

__version__ = "0.1.0"

from .errors import (  # noqa: E402
    BadInputError,
    ExitCode,
    GovReportError,
    MissingDependencyError,
    NotAReportError,
)

if TYPE_CHECKING:  # the record (pydantic) loads on first use, so that `govreport --help` stays quick
    import os

    from .record import Report


def __getattr__(name: str) -> Any:
    if name == "Report":
        from .record import Report

        return Report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def extract(path: Union[str, "os.PathLike[str]"], *, strict: bool = False, **options: Any) -> "Report":
    """Read one report (PDF, DOCX, DOC, HTML, TXT, MD) and return its checked :class:`Report`. See :func:`govreport.api.extract`."""
    from .api import extract as _extract

    return _extract(path, strict=strict, **options)


logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["extract", "Report", "GovReportError", "BadInputError", "NotAReportError", "MissingDependencyError",
           "ExitCode", "__version__"]
