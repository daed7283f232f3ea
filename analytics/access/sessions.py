"""Browser sessions: one-time sign-in grants, session tokens, and their revocation.

After a sign-in (:func:`analytics.access.users.authenticate`) the browser holds a
random session token in a cookie; the store keeps only its SHA-256
(:func:`create_session`, :func:`check_session`, :func:`session_for_token`,
:func:`revoke_session`, :func:`revoke_sessions`). The token reaches the browser
through a one-time grant (:func:`create_grant`, :func:`redeem_grant`) so that it
never passes through the page's script or a URL.

A session ends when its user signs out, after ``idle_minutes`` without activity or
``session_hours`` after sign-in (``station.toml`` ``[auth]``), and when its user's
password changes or the user is removed (:func:`revoke_user_sessions_in`, which
:mod:`analytics.access.users` calls). Every ending is audited.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from analytics.access.audit import audit_in
from analytics.access.identity import AuthError, check_name, client_key
from analytics.access.times import from_text, moment, to_text
from analytics.station.config import StationConfig, default_station
from analytics.storage import connection, tables

log = logging.getLogger(__name__)

# How long a sign-in grant may wait for the browser to trade it for the cookie.
GRANT_SECONDS = 60
# last_seen_at is written at most this often: a run per click must not be a write
# per click (idle timeouts are counted in minutes anyway).
TOUCH_SECONDS = 60
# secrets.token_urlsafe(32) gives 43 characters; anything far from that is not ours.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
SESSION_REASONS = ("ok", "none", "unknown", "revoked", "idle", "expired")


@dataclass(frozen=True)
class Session:
    """A signed-in browser session, as :func:`check_session` found it.

    ``role`` is the user's role now (read from ``users`` at every look-up), not the
    role at sign-in. Times are on the station's clock.
    """

    user_name: str
    role: str
    created_at: pd.Timestamp
    last_seen_at: pd.Timestamp
    client_address: str | None
    # The user's station and, for a provincial user, province (analytics.access.scope),
    # read from users at every look-up like the role.
    station: str | None = None
    province: str | None = None


def _secret_hash(secret: str) -> str:
    """SHA-256 of a token or grant, in hex: what the store keeps instead of it.

    A plain hash is enough (no salt, no stretching): the secrets are 256 random bits,
    so nobody can guess one from its hash, and a look-up needs the hash to be stable.
    """
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _is_secret(value: object) -> bool:
    return isinstance(value, str) and _SECRET_RE.match(value) is not None


def _user_exists(conn: sa.Connection, name: str) -> bool:
    u = tables.users
    return conn.execute(sa.select(u.c.name).where(u.c.name == name)).first() is not None


def create_grant(
    db: sa.Engine,
    *,
    user_name: str,
    client_address: str | None = None,
    now: datetime | pd.Timestamp | None = None,
) -> str:
    """A one-time sign-in grant for ``user_name``, valid for :data:`GRANT_SECONDS`.

    Call it right after :func:`authenticate` succeeded. The sign-in page hands the
    grant (never a session token) to the browser, which posts it to the server's
    session route; :func:`redeem_grant` then makes the session. Only the grant's
    hash is stored.

    Parameters
    ----------
    user_name : str
        The user who just signed in.
    client_address : str, optional
        Where the sign-in came from; the grant is redeemed only from there.
    now : datetime, optional
        The time (tests pin it); naive times are station time.

    Raises
    ------
    AuthError
        ``auth.no_user`` when the user does not exist (any more).
    """
    name = check_name(user_name)
    now_ts = moment(now)
    grant = secrets.token_urlsafe(32)
    g = tables.signin_grants
    with connection.write_transaction(db) as conn:
        if not _user_exists(conn, name):
            raise AuthError("auth.no_user", name=name)
        conn.execute(g.delete().where(g.c.expires_at <= to_text(now_ts, "microseconds")))
        conn.execute(
            g.insert().values(
                grant_hash=_secret_hash(grant),
                user_name=name,
                created_at=to_text(now_ts, "microseconds"),
                expires_at=to_text(now_ts + pd.Timedelta(seconds=GRANT_SECONDS), "microseconds"),
                client_address=client_key(client_address),
            )
        )
    return grant


def redeem_grant(
    db: sa.Engine,
    grant: object,
    *,
    client_address: str | None = None,
    now: datetime | pd.Timestamp | None = None,
) -> str | None:
    """Trade a sign-in grant for a new session: the session token, or None.

    A grant works once: it is removed whether or not it is still valid. None for an
    unknown, used or expired grant, one made for another client address, or a user
    removed meanwhile. The token goes into the browser's cookie and nowhere else.
    """
    if not _is_secret(grant):
        return None
    now_ts = moment(now)
    address = client_key(client_address)
    g = tables.signin_grants
    with connection.write_transaction(db) as conn:
        row = conn.execute(sa.select(g).where(g.c.grant_hash == _secret_hash(grant))).first()
        if row is None:
            return None
        conn.execute(g.delete().where(g.c.grant_hash == row.grant_hash))
        if from_text(row.expires_at) <= now_ts or row.client_address != address:
            return None
        if not _user_exists(conn, row.user_name):
            return None
        return _create_session(conn, row.user_name, address, now_ts)


def create_session(
    db: sa.Engine,
    *,
    user_name: str,
    client_address: str | None = None,
    now: datetime | pd.Timestamp | None = None,
) -> str:
    """A new session for ``user_name``: returns its token (only its hash is stored).

    The web sign-in goes through :func:`create_grant` and :func:`redeem_grant`; this
    is the same step for callers that hand the token over themselves.

    Raises
    ------
    AuthError
        ``auth.no_user`` when the user does not exist.
    """
    name = check_name(user_name)
    now_ts = moment(now)
    with connection.write_transaction(db) as conn:
        if not _user_exists(conn, name):
            raise AuthError("auth.no_user", name=name)
        return _create_session(conn, name, client_key(client_address), now_ts)


def _create_session(conn: sa.Connection, name: str, address: str, now: pd.Timestamp) -> str:
    s = tables.sessions
    # Sessions older than any lifetime are only clutter; the audit log keeps the trail.
    # (A week: longer than any session_hours a station would choose.)
    stale = to_text(now - pd.Timedelta(days=7), "microseconds")
    conn.execute(s.delete().where(s.c.last_seen_at < stale))
    token = secrets.token_urlsafe(32)
    conn.execute(
        s.insert().values(
            token_hash=_secret_hash(token),
            user_name=name,
            created_at=to_text(now, "microseconds"),
            last_seen_at=to_text(now, "microseconds"),
            client_address=address,
        )
    )
    return token


def check_session(
    db: sa.Engine,
    token: object,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
) -> tuple[Session | None, str]:
    """Look a session token up: ``(session, "ok")`` or ``(None, reason)``.

    Reasons: ``none`` (no token), ``unknown`` (not a token of this store),
    ``revoked`` (signed out, password changed, user removed, or ended before),
    ``idle`` (nothing for ``idle_minutes``) and ``expired`` (older than
    ``session_hours``). An idle or expired session is revoked here, and audited
    (``session.revoked``). A live one has its ``last_seen_at`` moved on, at most
    once per :data:`TOUCH_SECONDS`.

    Parameters
    ----------
    token : str
        The cookie's value, as the browser sent it.
    now : datetime, optional
        The time (tests pin it); naive times are station time.
    station : StationConfig, optional
        For ``idle_minutes`` and ``session_hours``; the configured station by default.
    """
    if token is None or token == "":
        return None, "none"
    if not _is_secret(token):
        return None, "unknown"
    station = station or default_station()
    now_ts = moment(now)
    s, u = tables.sessions, tables.users
    token_hash = _secret_hash(token)
    query = (
        sa.select(s, u.c.role, u.c.station, u.c.province)
        .join(u, u.c.name == s.c.user_name)
        .where(s.c.token_hash == token_hash)
    )
    with db.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None, "unknown"
    if row.revoked_at is not None:
        return None, "revoked"
    created, seen = from_text(row.created_at), from_text(row.last_seen_at)
    reason = None
    if now_ts >= created + pd.Timedelta(hours=station.session_hours):
        reason = "expired"
    elif now_ts >= seen + pd.Timedelta(minutes=station.idle_minutes):
        reason = "idle"
    if reason is not None:
        try:
            with connection.write_transaction(db) as conn:
                _revoke(conn, [token_hash], row.user_name, reason, now_ts, actor=row.user_name)
        except connection.StoreBusyError:
            log.warning("an ended session was not marked: the store stayed busy")
        return None, reason
    if now_ts - seen >= pd.Timedelta(seconds=TOUCH_SECONDS):
        try:
            with connection.write_transaction(db) as conn:
                conn.execute(
                    s.update()
                    .where(s.c.token_hash == token_hash, s.c.revoked_at.is_(None))
                    .values(last_seen_at=to_text(now_ts, "microseconds"))
                )
            seen = now_ts
        except connection.StoreBusyError:  # the next run tries again; the user goes on
            log.warning("session activity not recorded: the store stayed busy")
    session = Session(
        user_name=row.user_name,
        role=row.role,
        created_at=created,
        last_seen_at=seen,
        client_address=row.client_address,
        station=row.station,
        province=row.province,
    )
    return session, "ok"


def session_for_token(
    db: sa.Engine,
    token: object,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
) -> Session | None:
    """The live session a token opens, or None (see :func:`check_session`)."""
    return check_session(db, token, now=now, station=station)[0]


def _revoke(
    conn: sa.Connection,
    hashes: list[str],
    name: str,
    reason: str,
    now: pd.Timestamp,
    *,
    actor: str,
) -> int:
    """Mark live sessions revoked and audit it; returns how many were live."""
    s = tables.sessions
    live = s.c.token_hash.in_(hashes) & s.c.revoked_at.is_(None)
    n = conn.execute(
        s.update()
        .where(live)
        .values(revoked_at=to_text(now, "microseconds"), revoked_reason=reason)
    ).rowcount
    if n and reason == "signout":
        audit_in(conn, actor=actor, action="signout", detail=f"name={name}", at=now)
    elif n:
        audit_in(
            conn,
            actor=actor,
            action="session.revoked",
            detail=f"name={name} sessions={n} reason={reason}",
            at=now,
        )
    return n


def revoke_session(
    db: sa.Engine,
    token: object,
    *,
    reason: str = "signout",
    now: datetime | pd.Timestamp | None = None,
) -> bool:
    """End one session (sign-out). True when it was live; audited as ``signout``
    (``session.revoked`` for another ``reason``). Revoking twice is harmless."""
    _check_reason(reason)
    if not _is_secret(token):
        return False
    now_ts = moment(now)
    s = tables.sessions
    token_hash = _secret_hash(token)
    with connection.write_transaction(db) as conn:
        name = conn.execute(
            sa.select(s.c.user_name).where(s.c.token_hash == token_hash)
        ).scalar_one_or_none()
        if name is None:
            return False
        return _revoke(conn, [token_hash], name, reason, now_ts, actor=name) > 0


def revoke_sessions(
    db: sa.Engine,
    user_name: str,
    *,
    reason: str,
    actor: str = "cli",
    now: datetime | pd.Timestamp | None = None,
) -> int:
    """End every live session of ``user_name`` (and drop its unused grants).

    Returns how many were live; audited as ``session.revoked`` when any were.
    """
    _check_reason(reason)
    name = check_name(user_name)
    with connection.write_transaction(db) as conn:
        return revoke_user_sessions_in(conn, name, reason, moment(now), actor=actor)


def revoke_user_sessions_in(
    conn: sa.Connection, name: str, reason: str, now: pd.Timestamp, *, actor: str
) -> int:
    """End every live session of ``name`` and drop its unused grants, in ``conn``'s
    transaction: the user change that calls for it (a new password, the user
    removed) and the revocation land together. Returns how many were live."""
    s, g = tables.sessions, tables.signin_grants
    conn.execute(g.delete().where(g.c.user_name == name))
    hashes = conn.execute(
        sa.select(s.c.token_hash).where(s.c.user_name == name, s.c.revoked_at.is_(None))
    ).scalars()
    return _revoke(conn, list(hashes), name, reason, now, actor=actor)


_REVOKE_REASONS = ("signout", "password", "removed", "scope", "admin", "idle", "expired")


def _check_reason(reason: str) -> None:
    if reason not in _REVOKE_REASONS:
        raise ValueError(f"reason must be one of {_REVOKE_REASONS}, got {reason!r}")
