"""Start the Streamlit server for dashboard.py: ``python -m ui.serve [streamlit run args]``.

Streamlit still honours the legacy ``pages/`` folder for the very first request
after start (a deep link such as ``/map`` would run ``pages/map.py`` on its own,
without the router's frame and sign-in). ``st.navigation`` switches that off, but
only once it has run; here it is switched off before the server starts.
"""

from __future__ import annotations

import sys

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", "dashboard.py", *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
