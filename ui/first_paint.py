"""A session's first run waits until its map is on screen (for :mod:`ui.preload`).

The hidden elements of :func:`ui.preload.mount_elements` end a session's first run.
Sent with the page, the browser rendered them before the map and held the map's first
paint back by about a third of a second. So the run waits first, before drawing them,
until the page's map calls back that it is drawn (:data:`ROUTE`, served by
:func:`ui.preload.routes`), or for :data:`WAIT_S` at most.

The run is not ended and rerun for them: a second run would drop the deferred
downloads of the first (a download clicked in between stays disabled). A click during
the wait is served when the wait ends, as any click during a run. Only a run that
drew a map waits; without the server's routes (AppTest, ``streamlit run``) none does.
"""

from __future__ import annotations

import json
import secrets
import threading

import streamlit as st

WAIT_S = 2.0
ROUTE = "_hs/painted"
_KEY = "hs_paint"
_USED_KEY = "hs_paint_used"
_MAX_WAITING = 256
# token -> set once the map of that session's first run is drawn. Sessions' script
# threads add and remove tokens while the server's event loop reads them: one lock.
_WAITING: dict[str, threading.Event] = {}
_LOCK = threading.Lock()


def expect() -> None:
    """At the start of a session's first run, on a server with the routes."""
    token = st.session_state.setdefault(_KEY, secrets.token_urlsafe(16))
    with _LOCK:
        while len(_WAITING) >= _MAX_WAITING:  # sessions closed before their first run ended
            _WAITING.pop(next(iter(_WAITING)), None)
        _WAITING[token] = threading.Event()


def url() -> str | None:
    """The URL a map of this session calls once drawn, or None (no route served).

    The same URL on every run of the session, so that a map's page stays the same page
    from run to run; only a call during the session's first run is waited for.
    """
    token = st.session_state.get(_KEY)
    if token is None:
        return None
    if token in _WAITING:
        st.session_state[_USED_KEY] = True
    from ui.session_routes import route_path

    return route_path(f"{ROUTE}/{token}")


def script(target: str | None) -> str:
    """A map page's call of ``target`` (:func:`url`), placed after its shapes are drawn."""
    if target is None:
        return ""
    quoted = json.dumps(target).replace("<", "\\u003c")
    return (
        f'<script>fetch({quoted}, {{method: "POST", keepalive: true}}).catch(() => {{}});</script>'
    )


def painted(token: str) -> None:
    """The route's side: the map of the session holding ``token`` is drawn."""
    with _LOCK:
        event = _WAITING.get(token)
    if event is not None:
        event.set()


def wait() -> None:
    """At the end of a session's first run: until the map this run drew is on screen
    (at most :data:`WAIT_S`). No wait when the run drew no map."""
    used = st.session_state.pop(_USED_KEY, False)
    with _LOCK:
        event = _WAITING.pop(st.session_state.get(_KEY), None)
    if event is not None and used:
        event.wait(WAIT_S)
