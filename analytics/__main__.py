"""``python -m analytics``: the command line (:mod:`analytics.cli`)."""

from analytics.cli import main
from analytics.cli.common import keep_freed_memory

if __name__ == "__main__":
    keep_freed_memory()
    raise SystemExit(main())
