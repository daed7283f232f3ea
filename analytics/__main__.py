"""``python -m analytics``: the command line (:mod:`analytics.cli`)."""

from analytics.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
