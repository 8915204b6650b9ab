"""Put on PYTHONPATH by the timeout tests: every PDF page read by PDFium first waits (a slow reader that
needs no slow machine), in the CLI process and in its pool workers (they inherit the environment).

GOVREPORT_TEST_PAGE_DELAY: seconds each page waits; GOVREPORT_TEST_PAGE_STUCK=1: the wait happens with
SIGALRM blocked, as code stuck in a C call that no signal interrupts; GOVREPORT_TEST_SLOW_MATCH: only the
files whose path holds this text are slow."""

import os
import signal
import time

_delay = float(os.environ.get("GOVREPORT_TEST_PAGE_DELAY", "0") or 0)

def _patch() -> None:
    from govreport.readers import pdf_pdfium

    _page = pdf_pdfium.Reader.page

    def page(self, *args, **kwargs):
        if os.environ.get("GOVREPORT_TEST_SLOW_MATCH", "") not in str(self.path):
            return _page(self, *args, **kwargs)
        if os.environ.get("GOVREPORT_TEST_PAGE_STUCK"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            try:
                time.sleep(_delay)
            finally:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})
        else:
            time.sleep(_delay)
        return _page(self, *args, **kwargs)

    pdf_pdfium.Reader.page = page


if _delay:
    try:
        _patch()
    except KeyboardInterrupt:  # the Ctrl-C tests interrupt interpreters as they start: not this file's business
        pass
