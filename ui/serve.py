"""Start the Streamlit server for dashboard.py: ``python -m ui.serve [streamlit run args]``.

Streamlit still honours the legacy ``pages/`` folder for the very first request
after start (a deep link such as ``/map`` would run ``pages/map.py`` on its own,
without the router's frame and sign-in). ``st.navigation`` switches that off, but
only once it has run; here it is switched off before the server starts.
"""

from __future__ import annotations

import sys
import threading

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli


def _warm() -> None:
    """Load what every first visit needs (heavy imports, geometry, the baseline grid)
    while the server starts, so the meeting's first page does not wait for it."""
    try:
        from analytics.config import default_station
        from analytics.evaluation import study_grid
        from analytics.geo import load_geography
        from analytics.hotspots import find_hotspots  # noqa: F401  (imports the engine)

        geo = load_geography(default_station())
        study_grid(geo.boundary_m, cell_m=50.0)
    except Exception:  # warming is best effort; the app loads these on demand anyway
        pass


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    threading.Thread(target=_warm, daemon=True).start()
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", "dashboard.py", *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
