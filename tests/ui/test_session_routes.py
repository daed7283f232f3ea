"""ui.session_routes: the grant-for-cookie and sign-out routes, called as the server would."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from argon2 import PasswordHasher
from starlette.requests import Request

from analytics.access import audit, sessions, users
from ui import session_routes

PW = "correct horse battery"
SITE = {
    "host": "127.0.0.1:8501",
    "origin": "http://127.0.0.1:8501",
    "sec-fetch-site": "same-origin",
}


@pytest.fixture
def served(engine, monkeypatch):
    """The routes over an empty store with one user, ``kim``."""
    monkeypatch.setattr(
        users, "PASSWORD_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    users.add_user(engine, "kim", PW)
    monkeypatch.setattr(session_routes, "_store", lambda: engine)
    return engine


def call(handler, *, body: bytes = b"", headers: dict | None = None, scheme: str = "http"):
    """Run one route handler on a POST, as Starlette would."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/_auth/session",
        "raw_path": b"/_auth/session",
        "query_string": b"",
        "root_path": "",
        "scheme": scheme,
        "server": ("127.0.0.1", 8501),
        "client": ("127.0.0.1", 50000),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    # On a thread of its own: the browser tests' Playwright keeps an event loop running
    # in this one for the whole test run, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, handler(Request(scope, receive))).result()


def grant_body(engine) -> bytes:
    grant = sessions.create_grant(engine, user_name="kim")
    return f'{{"grant": "{grant}"}}'.encode()


def set_cookie(response) -> str:
    return response.headers["set-cookie"]


def test_a_grant_becomes_an_httponly_strict_cookie_once(served):
    body = grant_body(served)
    response = call(session_routes._session, body=body, headers=SITE)
    assert response.status_code == 204 and response.body == b""
    cookie = set_cookie(response)
    name, token = cookie.split(";")[0].split("=", 1)
    assert name == "hotspot_session" and len(token) == 43
    attrs = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"httponly", "samesite=strict", "path=/"} <= attrs
    assert "secure" not in attrs and not any(a.startswith(("max-age", "expires")) for a in attrs)
    assert response.headers["cache-control"] == "no-store"
    assert sessions.session_for_token(served, token).user_name == "kim"
    # The same grant again: refused, no cookie.
    again = call(session_routes._session, body=body, headers=SITE)
    assert again.status_code == 403 and "set-cookie" not in again.headers


@pytest.mark.parametrize(
    ("scheme", "extra", "always"),
    [("https", {}, False), ("http", {"x-forwarded-proto": "https"}, False), ("http", {}, True)],
)
def test_the_cookie_is_secure_over_https(served, monkeypatch, scheme, extra, always):
    import dataclasses

    from analytics.station.config import default_station

    station = dataclasses.replace(default_station(), secure_cookie=always)
    monkeypatch.setattr("analytics.station.config.default_station", lambda: station)
    headers = {**SITE, **extra}
    response = call(
        session_routes._session, body=grant_body(served), headers=headers, scheme=scheme
    )
    assert response.status_code == 204
    assert "secure" in {a.strip().lower() for a in set_cookie(response).split(";")}


@pytest.mark.parametrize(
    "headers",
    [
        {**SITE, "sec-fetch-site": "cross-site"},
        {**SITE, "origin": "http://evil.example"},
        {"host": "127.0.0.1:8501"},  # neither Origin nor Sec-Fetch-Site: not our page
        {**SITE, "sec-fetch-site": "same-site"},
    ],
)
def test_other_sites_cannot_sign_a_browser_in(served, headers):
    body = grant_body(served)
    response = call(session_routes._session, body=body, headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    # The grant was not spent by the refused request.
    assert call(session_routes._session, body=body, headers=SITE).status_code == 204


@pytest.mark.parametrize(
    "body", [b"", b"{}", b"not json", b'{"grant": 42}', b'{"grant": "' + b"a" * 5000 + b'"}']
)
def test_junk_bodies_are_refused(served, body):
    assert call(session_routes._session, body=body, headers=SITE).status_code == 403


def test_sign_out_revokes_the_session_and_clears_the_cookie(served):
    token = sessions.create_session(served, user_name="kim")
    headers = {**SITE, "cookie": f"hotspot_session={token}"}
    assert call(session_routes._signout, headers={**headers, "origin": "http://evil.example"})
    assert sessions.session_for_token(served, token) is not None  # a cross-site sign-out: refused
    response = call(session_routes._signout, headers=headers)
    assert response.status_code == 204
    cookie = set_cookie(response)
    assert cookie.startswith('hotspot_session="";') or cookie.startswith("hotspot_session=;")
    assert "max-age=0" in cookie.lower() and "httponly" in cookie.lower()
    assert sessions.session_for_token(served, token) is None
    log = audit.read_audit(served, limit=1)
    assert log["action"].iloc[0] == "signout" and log["actor"].iloc[0] == "kim"
    assert call(session_routes._signout, headers=SITE).status_code == 204  # no cookie: fine


def test_an_expired_grant_gives_no_cookie(served):
    grant = sessions.create_grant(
        served, user_name="kim", now=pd.Timestamp.now(tz="Asia/Seoul") - pd.Timedelta(minutes=2)
    )
    body = f'{{"grant": "{grant}"}}'.encode()
    assert call(session_routes._session, body=body, headers=SITE).status_code == 403


def test_routes_sit_under_the_base_path(monkeypatch):
    from streamlit import config

    assert [r.path for r in session_routes.routes()] == ["/_auth/session", "/_auth/signout"]
    monkeypatch.setattr(
        config, "get_option", lambda key: "/police/" if key == "server.baseUrlPath" else None
    )
    assert session_routes.route_path("_auth/session") == "/police/_auth/session"
    assert session_routes.cookie_path() == "/police"


def test_install_puts_the_routes_in_front_once(monkeypatch):
    from streamlit.web.server.starlette import starlette_app

    monkeypatch.setattr(starlette_app, "create_streamlit_routes", lambda runtime: ["streamlit"])
    session_routes.install()
    session_routes.install()  # idempotent
    built = starlette_app.create_streamlit_routes(None)
    assert [getattr(r, "path", r) for r in built] == [
        "/_auth/session",
        "/_auth/signout",
        "streamlit",
    ]
