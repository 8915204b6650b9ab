"""``python -m govreport``: the same command line as ``govreport``."""

from .cli import main

if __name__ == "__main__":
    main()
