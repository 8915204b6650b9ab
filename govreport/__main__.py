"""``python -m govreport``: the same command line as ``govreport``."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line loads: exit 130, no traceback
    sys.exit(130)

if __name__ == "__main__":
    main()
