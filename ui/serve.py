"""Start the Streamlit server for dashboard.py: ``python -m ui.serve [streamlit run args]``.

Three things happen before the server listens:

* Streamlit still honours the legacy ``pages/`` folder for the very first request
  after start (a deep link such as ``/map`` would run ``pages/map.py`` on its own,
  without the router's frame and sign-in). ``st.navigation`` switches that off, but
  only once it has run; here it is switched off before the server starts.
* The app's pages answer with Streamlit's ``index.html`` plus hints that fetch the
  code of the elements the pages use at once (:mod:`ui.preload`).
* The sign-in session routes (``/_auth/session``, ``/_auth/signout``,
  :mod:`ui.session_routes`) are added to the server Streamlit builds: a script
  cannot set the HttpOnly session cookie itself.
* The meeting brief's default view is computed, with its map as the browser gets it
  (:func:`ui.warm.warm_brief`), so the first visit does not pay for imports,
  clustering and map rendering. Done before listening, not beside it: a background
  warm-up competes with that first visit for the CPU.

Then the other pages' default views are warmed in a thread that waits for the first
page to be drawn (:func:`ui.warm.start_background`).
"""

from __future__ import annotations

import logging
import sys
import time

from streamlit import config as st_config
from streamlit import delta_generator
from streamlit import logger as st_logger
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from analytics.text import text
from ui import preload, session_routes


def warm() -> None:
    """Compute the landing page once; report the steps. Never stops the server from starting."""
    t0 = time.perf_counter()
    print(text("serve.warming"), file=sys.stderr, flush=True)
    # Outside a script run Streamlit warns on every cached call; the caches still fill.
    st_config.get_config_options()  # parsed now, or parsing would reset the level below
    level = st_logger._global_log_level
    st_logger.set_log_level(logging.ERROR)
    try:
        from ui import data, warm

        steps = warm.warm_brief(data.store_url())
    except Exception as exc:  # the app computes everything on demand anyway
        print(text("serve.warm_failed", error=exc), file=sys.stderr)
        return
    finally:
        st_logger.set_log_level(level)
        # `streamlit run` parses the config again with its flags (--server.port ...);
        # forget this early parse so it does not warn that [server] changed.
        st_config._config_options = None
    warm.freeze_heap()
    detail = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in steps)
    seconds = time.perf_counter() - t0
    print(text("serve.ready", seconds=seconds, detail=detail), file=sys.stderr, flush=True)


def page_names() -> list[str]:
    """The URL path of every page (``pages/<name>.py`` is served at ``/<name>``)."""
    from analytics.station.config import REPO_ROOT

    return sorted(p.stem for p in (REPO_ROOT / "pages").glob("*.py"))


def main(argv: list[str] | None = None) -> int:
    PagesManager.uses_pages_directory = False
    # The first element of the first run would check whether Streamlit runs in a REPL
    # by walking inspect.stack() (0.2 s); this is `streamlit run`, so skip the check.
    delta_generator._use_warning_has_been_displayed = True
    session_routes.install()
    preload.install(page_names())
    warm()
    from ui import data
    from ui import warm as warming

    warming.start_background(data.store_url())
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", "dashboard.py", *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
