"""Who is looking: sign-in, roles and idle sessions, enforced on the server.

Sign-in applies whenever users exist in the store, and whenever the server listens
beyond this machine (then with no users nobody gets in). A local ``make run`` with
no users stays open on 127.0.0.1 only, with full rights.

The sign-in page is drawn before anything else: until a user signs in, the page
holds no data. The URL (page and view state) is left as it is, so after sign-in
the shared view opens as it was shared.

A sign-in lasts beyond one Streamlit session: a reload, or a link opened in another
tab, keeps it. After the password check the page hands the browser a one-time grant,
which the browser posts to ``/_auth/session`` (:mod:`ui.session_routes`) for an
HttpOnly session cookie, and reloads. Every run then reads that cookie
(``st.context.cookies``) and looks its session up in the store
(:func:`analytics.access.sessions.check_session`): idle and absolute expiry, sign-out, a
password change or removal end it, and the role is the user's role now.
"""

from __future__ import annotations

import json

import streamlit as st

from analytics.station.config import default_station
from ui.db import db_for, store_url
from ui.i18n import text
from ui.session_routes import COOKIE_NAME, SESSION_ROUTE, SIGNOUT_ROUTE, route_path

LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1", ""}
LOCAL_ROLE = "admin"  # no users, bound to this machine: the station's own analyst


def listens_beyond_localhost() -> bool:
    address = str(st.get_option("server.address") or "")
    return address not in LOCAL_ADDRESSES


def sign_in_required(db_url: str) -> bool:
    from analytics.access.users import has_users

    return listens_beyond_localhost() or has_users(db_for(db_url))


def client_address() -> str | None:
    """The browser's address as the server saw it (None: this machine).

    Behind a reverse proxy on this machine, uvicorn takes it from X-Forwarded-For.
    """
    try:
        return st.context.ip_address
    except Exception:  # no browser connection (e.g. a test run): this machine
        return None


def current_role() -> str | None:
    return st.session_state.get("auth_role")


def current_user() -> str | None:
    return st.session_state.get("auth_user")


def session_token() -> str | None:
    """The session cookie this browser sent when it connected (None: none)."""
    try:
        return st.context.cookies.get(COOKIE_NAME)
    except Exception:  # no browser connection (e.g. a test run)
        return None


def _sign_out(expired: bool = False) -> None:
    for k in ("auth_user", "auth_role", "auth_station", "auth_province"):
        st.session_state.pop(k, None)
    if expired:
        st.session_state["auth_expired"] = True


def _post_to_server(route: str, *, grant: str | None = None, reload: bool) -> None:
    """Have the browser POST to one of :mod:`ui.session_routes` (then reload the page).

    Only a grant ever passes through here, in the request body: the session token
    comes back as an HttpOnly cookie that this script and the page cannot read. A
    reload keeps the URL, so the shared view opens as it was shared.
    """
    body = json.dumps({"grant": grant} if grant else {})
    then = "if (r.ok) window.location.reload();" if reload else ""
    st.html(
        "<script>"
        f"fetch({json.dumps(route_path(route))}, {{method: 'POST', credentials: 'same-origin',"
        f" cache: 'no-store', headers: {{'Content-Type': 'application/json'}},"
        f" body: {json.dumps(body)}}}).then((r) => {{ {then} }});"
        "</script>",
        unsafe_allow_javascript=True,
    )


def email_is_verified(claim: object) -> bool:
    """True only for an ``email_verified`` claim that says true (missing is false).

    Some providers send the claim as the text ``"true"``; nothing else counts.
    """
    if isinstance(claim, str):
        return claim.strip().lower() == "true"
    return claim is True


def oidc_role(
    email: str | None, roles: tuple[tuple[str, str], ...], *, email_verified: object
) -> str | None:
    """The role an OIDC-signed-in e-mail address has (None: not allowed in).

    Parameters
    ----------
    email : str or None
        The ``email`` claim.
    roles : tuple of (e-mail, role)
        The station's ``[auth.oidc_roles]``.
    email_verified : object
        The ``email_verified`` claim. Only ``true`` lets anyone in: a provider that
        lets people type any address must not turn an unverified address on the list
        into a role (:func:`email_is_verified`).
    """
    if not email_is_verified(email_verified):
        return None
    if not isinstance(email, str) or not email.strip():
        return None
    return dict(roles).get(email.strip().lower())


def _oidc_signed_in_role() -> str | None:
    user = st.user
    if not getattr(user, "is_logged_in", False):
        return None
    email = user.get("email")
    role = oidc_role(email, default_station().oidc_roles, email_verified=user.get("email_verified"))
    if role:
        st.session_state.update(auth_user=email, auth_role=role)
    else:  # e.g. the address lost its verification: no role left over from before
        _sign_out()
    return role


def signed_in_role(db_url: str) -> str | None:
    """The role of whoever is looking, or None when they must sign in first."""
    if default_station().auth_method == "oidc":
        return _oidc_signed_in_role()
    if not sign_in_required(db_url):
        st.session_state["auth_role"] = LOCAL_ROLE
        st.session_state["auth_user"] = None
        for k in ("auth_station", "auth_province"):  # every station (ui.stations)
            st.session_state.pop(k, None)
        return LOCAL_ROLE
    from analytics.access.sessions import check_session

    # The store decides at every run, not this Streamlit session: a sign-out in another
    # tab, a password change or a role change applies at the next click.
    session, reason = check_session(db_for(db_url), session_token())
    if session is None:
        _sign_out(expired=reason in ("idle", "expired"))
        return None
    st.session_state.update(
        auth_user=session.user_name,
        auth_role=session.role,
        auth_station=session.station,
        auth_province=session.province,
    )
    return session.role


def sign_in_page(db_url: str, lang: str) -> None:
    """Draw the sign-in page (and nothing else) and end the run."""
    _sign_in_page(db_url, lang)
    st.stop()


def _sign_in_page(db_url: str, lang: str) -> None:
    from analytics.access.sessions import create_grant
    from analytics.access.users import authenticate, has_users

    st.title(text("auth.title", lang))
    if default_station().auth_method == "oidc":
        if getattr(st.user, "is_logged_in", False):  # signed in, but not let in
            verified = email_is_verified(st.user.get("email_verified"))
            st.error(text("auth.oidc_refused" if verified else "auth.oidc_unverified", lang))
            st.button(text("auth.sign_out", lang), on_click=st.logout, key="auth_oidc_out")
        else:
            st.caption(text("auth.intro", lang))
            st.button(text("auth.oidc", lang), on_click=st.login, key="auth_oidc_in")
        return
    if not has_users(db_for(db_url)):
        st.error(text("auth.no_users", lang))
        return
    if st.session_state.pop("auth_signed_out", False):
        _post_to_server(SIGNOUT_ROUTE, reload=False)  # the cookie goes too
    if st.session_state.pop("auth_expired", False):
        st.info(text("auth.expired", lang))
    st.caption(text("auth.intro", lang))
    with st.form("auth_form"):
        name = st.text_input(text("auth.name", lang), key="auth_name")
        password = st.text_input(text("auth.password", lang), type="password", key="auth_password")
        submitted = st.form_submit_button(text("auth.submit", lang))
    if submitted:
        role = authenticate(db_for(db_url), name.strip(), password, client_address=client_address())
        if role:
            st.session_state.pop("auth_password", None)
            grant = create_grant(
                db_for(db_url), user_name=name.strip(), client_address=client_address()
            )
            _post_to_server(SESSION_ROUTE, grant=grant, reload=True)
            st.info(text("auth.signing_in", lang))
            return
        st.error(text("auth.failed", lang))


def require(needed: str, lang: str) -> None:
    """Refuse the page on the server unless the role allows it."""
    from analytics.access.identity import role_allows

    role = current_role()
    if not role or not role_allows(role, needed):
        st.error(text("auth.refused", lang, role=text(f"role.{role or 'viewer'}", lang)))
        st.stop()


def sidebar_user(lang: str) -> None:
    """Who is signed in, and the sign-out button."""
    user = current_user()
    if user is None:
        return
    with st.sidebar:
        st.caption(
            text("auth.signed_in", lang, name=user, role=text(f"role.{current_role()}", lang))
        )
        if st.button(text("auth.sign_out", lang), key="auth_sign_out"):
            _sign_out()
            if default_station().auth_method == "oidc":
                st.logout()
            else:
                from analytics.access.sessions import revoke_session

                # Revoked here, not only by the sign-out route: it must hold even if
                # the browser never makes that request.
                token = session_token()
                if token:
                    revoke_session(db_for(store_url()), token)
                st.session_state["auth_signed_out"] = True
            st.rerun()


def is_viewer() -> bool:
    """True for roles that must not see free text or exact sensitive points."""
    return current_role() == "viewer"


def audit_export(file_name: str):
    """An ``on_click`` callback for a download button: the export goes to the audit log."""

    def record() -> None:
        from analytics.access.audit import audit

        try:
            audit(
                db_for(store_url()),
                actor=current_user() or "local",
                action="export",
                detail=f"role={current_role()}",
                file_name=file_name,
            )
        except Exception:  # never lose the user's download over the log
            import logging

            logging.getLogger(__name__).exception("could not audit an export")

    return record
