"""Sessions that survive a reload: the HttpOnly cookie, new tabs, sign-out, expiry.

A real server (``python -m ui.serve``, as ``make run``) over the demo year with one
viewer. Each test starts from a fresh browser context, i.e. no cookies.
"""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.demo.store import build_demo_store
from analytics.storage import store
from tests.browser.conftest import screenshot, start_streamlit
from tests.browser.conftest import sign_in as browser_sign_in

pytestmark = pytest.mark.browser

VIEWER, PASSWORD = "unit_chief", "correct horse battery"
COOKIE = "hotspot_session"
SHARED = "/map?week=2017-10-13&src=incident&eps=60&min=4"
CONTENT = "eps 60 m, 최소 4건"  # the shared view's own words: it really opened


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The demo year with a viewer, served for real; yields (url, db)."""
    from analytics.access.users import add_user

    folder = tmp_path_factory.mktemp("sessions")
    db = folder / "store.sqlite"
    engine = store.open_store(str(db))
    build_demo_store(engine, out_dir=folder / "samples")
    add_user(engine, VIEWER, PASSWORD, role="viewer")
    engine.dispose()
    proc, url = start_streamlit(db)
    yield url, db
    proc.terminate()
    proc.wait(timeout=20)


def sign_in(page, name: str = VIEWER, password: str = PASSWORD) -> None:
    browser_sign_in(page, name, password)


def sign_in_form(page):
    return page.get_by_role("button", name="로그인")


def shows_the_view(page) -> None:
    page.get_by_text(CONTENT).first.wait_for(timeout=60_000)
    assert sign_in_form(page).count() == 0


def session_cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def audit_actions(db) -> list[str]:
    from analytics.access.audit import read_audit

    engine = store.open_store(str(db))
    try:
        return read_audit(engine, limit=None)["action"].tolist()[::-1]
    finally:
        engine.dispose()


def test_a_reload_and_a_new_tab_keep_the_sign_in(served, page):
    url, db = served
    urls: list[str] = []
    page.context.on("request", lambda request: urls.append(request.url))
    page.goto(url + SHARED)
    sign_in_form(page).wait_for(timeout=60_000)
    sign_in(page)
    shows_the_view(page)
    assert page.url == url + SHARED  # the shared link survived the sign-in

    cookie = session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and cookie["expires"] == -1  # goes with the browser
    token = cookie["value"]
    assert len(token) == 43
    assert COOKIE not in page.evaluate("document.cookie")  # the page's script cannot read it

    # F5: no password form, the view again.
    page.reload()
    shows_the_view(page)
    assert "eps=60" in page.url

    # A shared link opened in a new tab of the same browser.
    other = page.context.new_page()
    other.goto(f"{url}/map?week=2017-10-13&src=incident&eps=80&min=4")
    other.get_by_text("eps 80 m, 최소 4건").first.wait_for(timeout=60_000)
    assert other.get_by_text("기간: 2017.10.06(금) ~ 2017.10.12(목)").first.is_visible()
    assert sign_in_form(other).count() == 0
    screenshot(other, "session-new-tab")

    # The token is in no URL the browser asked for (page, websocket, route, asset).
    assert urls and not [u for u in urls if token in u]
    assert any(u.endswith("/_auth/session") for u in urls)
    assert audit_actions(db).count("signin.ok") >= 1


def test_after_sign_out_the_old_cookie_opens_nothing(served, page, browser):
    url, db = served
    page.goto(url + SHARED)
    sign_in_form(page).wait_for(timeout=60_000)
    sign_in(page)
    shows_the_view(page)
    old = session_cookie(page.context)
    assert old is not None

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="로그아웃").click()
    sign_in_form(page).wait_for(timeout=60_000)
    for _ in range(50):  # the sign-out route clears the cookie
        if session_cookie(page.context) is None:
            break
        page.wait_for_timeout(100)
    assert session_cookie(page.context) is None
    assert audit_actions(db)[-1] == "signout"

    # Someone who copied the cookie before the sign-out gets the sign-in form only.
    thief = browser.new_context()
    thief.add_cookies([{k: old[k] for k in ("name", "value", "domain", "path")}])
    stolen = thief.new_page()
    stolen.goto(url + SHARED)
    sign_in_form(stolen).wait_for(timeout=60_000)
    stolen.wait_for_timeout(1500)
    assert stolen.get_by_text(CONTENT).count() == 0
    thief.close()


def test_an_idle_session_asks_for_the_password_again(served, page):
    url, db = served
    page.goto(url + SHARED)
    sign_in_form(page).wait_for(timeout=60_000)
    sign_in(page)
    shows_the_view(page)
    # Nobody waits 30 minutes in a test: the session's last activity is moved back.
    engine = store.open_store(str(db))
    long_ago = (pd.Timestamp.now(tz="Asia/Seoul") - pd.Timedelta(minutes=31)).isoformat()
    with store.write_transaction(engine) as conn:
        conn.execute(
            store.sessions.update()
            .where(store.sessions.c.revoked_at.is_(None))
            .values(last_seen_at=long_ago)
        )
    engine.dispose()
    page.reload()
    sign_in_form(page).wait_for(timeout=60_000)
    assert page.get_by_text("오래 사용하지 않아 로그아웃되었습니다").first.is_visible()
    assert page.get_by_text(CONTENT).count() == 0
    engine = store.open_store(str(db))
    with engine.connect() as conn:
        reasons = conn.execute(sa.select(store.sessions.c.revoked_reason)).scalars().all()
    engine.dispose()
    assert "idle" in reasons
