"""The two HTTP routes behind the session cookie, added to Streamlit's own server.

A Streamlit script can read cookies (``st.context.cookies``) but cannot set one, let
alone an HttpOnly one. So the sign-in page hands the browser a one-time grant
(:func:`analytics.access.sessions.create_grant`), and the browser posts it here:

``POST /_auth/session``  body ``{"grant": "..."}``
    Redeems the grant (:func:`analytics.access.sessions.redeem_grant`) and answers 204 with the
    session token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS, when a
    proxy says ``X-Forwarded-Proto: https``, or with ``[auth] secure_cookie``). The
    token is in no response body and no URL: the page's script never sees it.
``POST /_auth/signout``
    Revokes the cookie's session and clears the cookie.

Both refuse (403) a request that does not come from a page of this same site
(``Origin``/``Sec-Fetch-Site``): another site must not sign a browser in to an
account of its choosing, or out.

Streamlit 1.67 serves with Starlette; :func:`install` adds these routes in front of
Streamlit's own by wrapping ``create_streamlit_routes``, before the server starts
(``ui.serve`` calls it).
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

COOKIE_NAME = "hotspot_session"
SESSION_ROUTE = "_auth/session"
SIGNOUT_ROUTE = "_auth/signout"
_MAX_BODY = 4096  # a grant is 43 characters; anything big is not a sign-in


def base_path() -> str:
    """Streamlit's ``server.baseUrlPath`` as ``/base`` (empty for none)."""
    from streamlit import config

    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def route_path(route: str) -> str:
    """The absolute URL path of ``route`` (e.g. ``/_auth/session``) under the base path."""
    return f"{base_path()}/{route}"


def cookie_path() -> str:
    return base_path() or "/"


def same_site_request(headers) -> bool:
    """True when a request comes from a page of this site (not a cross-site form).

    Browsers send ``Sec-Fetch-Site`` and, on a POST, ``Origin``; a request with
    neither is not one of our pages' ``fetch`` calls.
    """
    site = headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return False
    origin = headers.get("origin")
    if origin is None:
        return site == "same-origin"
    host = headers.get("host")
    return bool(host) and urlsplit(origin).netloc == host


def wants_secure(scheme: str, headers, *, always: bool) -> bool:
    """Whether the cookie gets ``Secure``: over HTTPS, behind an HTTPS proxy, or always."""
    forwarded = str(headers.get("x-forwarded-proto") or "").split(",")[0].strip().lower()
    return always or scheme == "https" or forwarded == "https"


@lru_cache(maxsize=4)
def _db(db_url: str):
    from analytics.storage import store

    return store.open_store(db_url)


def _store():
    from analytics.station.config import resolve_db_url

    return _db(resolve_db_url(None))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused():
    from starlette.responses import Response

    return _no_store(Response(status_code=403))


def _cookie_args(request) -> dict:
    from analytics.station.config import default_station

    secure = wants_secure(
        request.url.scheme, request.headers, always=default_station().secure_cookie
    )
    return {"path": cookie_path(), "httponly": True, "samesite": "strict", "secure": secure}


async def _session(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from analytics.access.sessions import redeem_grant

    if not same_site_request(request.headers):
        return _refused()
    body = await request.body()
    try:
        grant = json.loads(body.decode("utf-8"))["grant"] if len(body) <= _MAX_BODY else None
    except (ValueError, KeyError, TypeError):
        grant = None
    client = request.client.host if request.client else None
    try:
        token = await run_in_threadpool(redeem_grant, _store(), grant, client_address=client)
    except Exception:
        log.exception("a sign-in grant could not be redeemed")
        token = None
    if token is None:
        return _refused()
    response = _no_store(Response(status_code=204))
    # No Max-Age: the cookie goes when the browser closes (a shared meeting-room PC);
    # the server ends the session anyway after idle_minutes or session_hours.
    response.set_cookie(COOKIE_NAME, token, **_cookie_args(request))
    return response


async def _signout(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    from analytics.access.sessions import revoke_session

    if not same_site_request(request.headers):
        return _refused()
    token = request.cookies.get(COOKIE_NAME)
    if token:
        try:
            await run_in_threadpool(revoke_session, _store(), token)
        except Exception:  # the cookie is cleared anyway; the script revoked it first
            log.exception("a session could not be revoked at sign-out")
    response = _no_store(Response(status_code=204))
    response.delete_cookie(COOKIE_NAME, **_cookie_args(request))
    return response


def routes() -> list:
    """The session routes, as Starlette routes under the base path."""
    from starlette.routing import Route

    return [
        Route(route_path(SESSION_ROUTE), _session, methods=["POST"]),
        Route(route_path(SIGNOUT_ROUTE), _signout, methods=["POST"]),
    ]


def install() -> None:
    """Add :func:`routes` to the server Streamlit is about to build (idempotent).

    Streamlit builds its Starlette app in ``create_starlette_app``, which looks up
    ``create_streamlit_routes`` in its module at call time; ours go first, so the
    single-page app's catch-all never shadows them.
    """
    from streamlit.web.server.starlette import starlette_app

    original = starlette_app.create_streamlit_routes
    if getattr(original, "_hotspot_sessions", False):
        return

    def create_streamlit_routes(runtime):
        return [*routes(), *original(runtime)]

    create_streamlit_routes._hotspot_sessions = True
    starlette_app.create_streamlit_routes = create_streamlit_routes
