"""Exit codes and the exception tree. The CLI maps these to exit codes in one place."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    ok = 0
    internal_error = 1
    usage = 2
    bad_input = 3
    missing_dependency = 4
    output_not_writable = 5
    batch_failed_inputs = 7
    fail_on = 8  # --fail-on: a record met the condition (as jq -e)
    interrupted = 130


# The codes of a batch's error lines (``error.code``) that no exception of the tree below carries: the
# input's process died (killed, a crash in a C extension) or ran out of memory. With ``TIMEOUT`` and
# ``INTERNAL_ERROR`` (the codes of ``TimeLimitError`` and ``GovReportError``), a later ``--resume`` tries
# their inputs again (``RETRIED``): another run may well finish them.
TIMEOUT = "timeout"
WORKER_DIED = "worker_died"
OUT_OF_MEMORY = "out_of_memory"
INTERNAL_ERROR = "internal_error"
RETRIED = (TIMEOUT, WORKER_DIED, INTERNAL_ERROR, OUT_OF_MEMORY)


class GovReportError(Exception):
    """Base of every error govreport raises on purpose."""

    exit_code = ExitCode.internal_error
    code = INTERNAL_ERROR

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class BadInputError(GovReportError):
    """The input cannot be read as a report (exit 3)."""

    exit_code = ExitCode.bad_input
    code = "bad_input"


class UnsupportedFormatError(BadInputError):
    code = "unsupported_format"


class EmptyInputError(BadInputError):
    code = "empty_input"


class NotAReportError(BadInputError):
    code = "not_a_report"


class TimeLimitError(BadInputError):
    """The input took longer than ``--timeout`` (exit 3): no record, never a partial one."""

    code = TIMEOUT


class MissingDependencyError(GovReportError):
    """An optional dependency is needed for this input (exit 4)."""

    exit_code = ExitCode.missing_dependency
    code = "missing_dependency"


class OutputNotWritableError(GovReportError):
    exit_code = ExitCode.output_not_writable
    code = "output_not_writable"
