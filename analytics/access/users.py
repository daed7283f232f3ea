"""Users: their passwords, their management, and signing in with lockout and throttling.

Passwords are hashed with Argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`); a
hash made with older parameters is replaced at the next successful sign-in.

:func:`authenticate` gives the same ``None`` for an unknown name, a wrong password and
a locked account, and costs about the same for each (an unknown name is checked
against a dummy hash), so the sign-in page cannot tell anyone which names exist.
After ``lockout_failures`` failed attempts within ``lockout_minutes``
(``station.toml`` ``[auth]``) an account is locked for ``lockout_minutes``; while it
is locked even the right password fails. Failures are also counted per client
address, whatever name was typed: after ``address_failures`` within
``lockout_minutes`` that address's sign-ins are refused (``signin.throttled``) until
the oldest failure ages out. Every attempt is written to the audit log with the name
as typed.

User changes (:func:`add_user`, :func:`remove_user`, :func:`set_password`,
:func:`set_role`) are written together with their audit entry in one transaction:
both land, or neither. A new password or a removed user ends the user's sessions.
Who may make them is the caller's business: ``actor`` is recorded, not checked.
Roles and the rules for names and passwords are :mod:`analytics.access.identity`'s.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analytics.access.audit import audit_in
from analytics.access.identity import (
    AuthError,
    check_name,
    check_password,
    check_role,
    client_key,
)
from analytics.access.scope import StationScope, check_scope
from analytics.access.sessions import revoke_user_sessions_in
from analytics.access.times import from_text, moment, to_text
from analytics.station import clock
from analytics.station.config import StationConfig, default_station
from analytics.storage import connection, tables

log = logging.getLogger(__name__)

# Replace (e.g. in tests, or to raise the cost) by assigning a new PasswordHasher: stored
# hashes made with other parameters still verify and are rehashed at the next sign-in.
PASSWORD_HASHER = PasswordHasher()

# --- hashing ------------------------------------------------------------------------

_DUMMY_HASHES: dict[tuple, str] = {}


def _params(ph: PasswordHasher) -> tuple:
    return (ph.time_cost, ph.memory_cost, ph.parallelism, ph.hash_len, ph.salt_len, ph.type)


def _dummy_hash(ph: PasswordHasher) -> str:
    """A hash of a random secret with ``ph``'s parameters, made once per parameter set."""
    key = _params(ph)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = ph.hash(secrets.token_urlsafe(24))
    return _DUMMY_HASHES[key]


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (never the password itself)."""
    return PASSWORD_HASHER.hash(password)


def _verify(ph: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return ph.verify(stored, password)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError):
        log.warning("a stored password hash could not be verified")
        return False


# --- users --------------------------------------------------------------------------


def _user(conn: sa.Connection, name: str):
    return conn.execute(sa.select(tables.users).where(tables.users.c.name == name)).first()


def _admin_count(conn: sa.Connection) -> int:
    t = tables.users
    return conn.execute(
        sa.select(sa.func.count()).select_from(t).where(t.c.role == "admin")
    ).scalar_one()


def add_user(
    db: sa.Engine,
    name: str,
    password: str,
    *,
    role: str = "viewer",
    station: str | None = None,
    provincial: bool = False,
    actor: str = "cli",
) -> None:
    """Add a user of ``station`` (default: the configured one); a ``provincial`` user
    may open every station of that station's province (:mod:`analytics.access.scope`).

    Raises :class:`AuthError` for a bad name, password, role or station, or a name that
    is taken."""
    name = check_name(name)
    check_role(role)
    scope = check_scope(station, provincial=provincial)
    pw = check_password(password, name)
    hashed = hash_password(pw)  # outside the write lock: it takes a tenth of a second
    now = to_text(moment(None))
    with connection.write_transaction(db) as conn:
        if _user(conn, name) is not None:
            raise AuthError("auth.user_exists", name=name)
        conn.execute(
            tables.users.insert().values(
                name=name,
                password_hash=hashed,
                role=role,
                station=scope.home,
                province=scope.province,
                created_at=now,
                password_changed_at=now,
            )
        )
        audit_in(
            conn, actor=actor, action="user.add", detail=f"name={name} role={role}{_where(scope)}"
        )


def remove_user(db: sa.Engine, name: str, *, actor: str = "cli") -> None:
    """Remove a user, ending their sessions. The last admin cannot be removed."""
    name = check_name(name)
    with connection.write_transaction(db) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        if row.role == "admin" and _admin_count(conn) <= 1:
            raise AuthError("auth.last_admin", name=name)
        conn.execute(
            tables.login_attempts.delete().where(tables.login_attempts.c.user_name == name)
        )
        # Revoked (and audited) before the rows go: ON DELETE CASCADE would drop them
        # silently, and not every database enforces it.
        revoke_user_sessions_in(conn, name, "removed", moment(None), actor=actor)
        conn.execute(tables.sessions.delete().where(tables.sessions.c.user_name == name))
        conn.execute(tables.users.delete().where(tables.users.c.name == name))
        audit_in(conn, actor=actor, action="user.remove", detail=f"name={name} role={row.role}")


def set_password(db: sa.Engine, name: str, password: str, *, actor: str = "cli") -> None:
    """Set a user's password. This also unlocks the account, clears its failed
    attempts (an admin's reset) and ends all of the user's sessions."""
    name = check_name(name)
    pw = check_password(password, name)
    with db.connect() as conn:
        if _user(conn, name) is None:
            raise AuthError("auth.no_user", name=name)
    hashed = hash_password(pw)
    now = moment(None)
    with connection.write_transaction(db) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        was_locked = row.locked_until is not None and from_text(row.locked_until) > now
        conn.execute(
            tables.users.update()
            .where(tables.users.c.name == name)
            .values(password_hash=hashed, password_changed_at=to_text(now), locked_until=None)
        )
        conn.execute(
            tables.login_attempts.delete().where(tables.login_attempts.c.user_name == name)
        )
        detail = f"name={name}" + (" unlocked" if was_locked else "")
        audit_in(conn, actor=actor, action="user.passwd", detail=detail)
        # Whoever knew the old password may hold a session: every one of them ends.
        revoke_user_sessions_in(conn, name, "password", now, actor=actor)


def set_role(db: sa.Engine, name: str, role: str, *, actor: str = "cli") -> None:
    """Change a user's role. The last admin cannot be demoted."""
    name = check_name(name)
    check_role(role)
    with connection.write_transaction(db) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        if row.role == "admin" and role != "admin" and _admin_count(conn) <= 1:
            raise AuthError("auth.last_admin", name=name)
        conn.execute(tables.users.update().where(tables.users.c.name == name).values(role=role))
        audit_in(conn, actor=actor, action="user.role", detail=f"name={name} {row.role}->{role}")


def set_scope(
    db: sa.Engine,
    name: str,
    *,
    station: str | None = None,
    provincial: bool = False,
    actor: str = "cli",
) -> None:
    """Move a user to ``station`` (default: the configured one), provincial or not.

    The user's sessions end: a session must not keep a station it no longer has."""
    name = check_name(name)
    scope = check_scope(station, provincial=provincial)
    with connection.write_transaction(db) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        conn.execute(
            tables.users.update()
            .where(tables.users.c.name == name)
            .values(station=scope.home, province=scope.province)
        )
        before = _where(StationScope(home=row.station, province=row.province, stations=("-",)))
        audit_in(
            conn, actor=actor, action="user.scope", detail=f"name={name}{before} ->{_where(scope)}"
        )
        revoke_user_sessions_in(conn, name, "scope", moment(None), actor=actor)


def user_scope(db: sa.Engine, name: str) -> StationScope | None:
    """The stations ``name`` may open, or None for an unknown user."""
    u = tables.users
    with db.connect() as conn:
        row = conn.execute(sa.select(u.c.station, u.c.province).where(u.c.name == name)).first()
    return None if row is None else StationScope(home=row.station, province=row.province)


def _where(scope: StationScope) -> str:
    return f" station={scope.home}" + (f" province={scope.province}" if scope.province else "")


USER_COLUMNS = ("name", "role", "station", "province", "created_at", "locked_until", "failed_count")


def list_users(
    db: sa.Engine,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
) -> pd.DataFrame:
    """The users, by name: name, role, station, province, created_at, locked_until,
    failed_count.

    Never the password hashes. ``locked_until`` is set only while the account is
    locked; ``failed_count`` counts failed sign-ins within the lockout window.
    """
    now_ts = moment(now)
    window = pd.Timedelta(minutes=(station or default_station()).lockout_minutes)
    u, a = tables.users, tables.login_attempts
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(
                u.c.name, u.c.role, u.c.station, u.c.province, u.c.created_at, u.c.locked_until
            ).order_by(u.c.name)
        ).all()
        attempts = conn.execute(sa.select(a.c.user_name, a.c.attempted_at)).all()
    failed: dict[str, int] = {}
    for user_name, at in attempts:
        if from_text(at) > now_ts - window:
            failed[user_name] = failed.get(user_name, 0) + 1
    records = []
    for name, role, home, province, created_at, locked_until in rows:
        lock = from_text(locked_until)
        records.append(
            {
                "name": name,
                "role": role,
                "station": home,
                "province": province,
                "created_at": from_text(created_at),
                "locked_until": lock if lock is not None and lock > now_ts else None,
                "failed_count": failed.get(name, 0),
            }
        )
    frame = pd.DataFrame(records, columns=list(USER_COLUMNS))
    for col in ("created_at", "locked_until"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_convert(clock.zone())
    frame["failed_count"] = frame["failed_count"].astype(int)
    return frame


def has_users(db: sa.Engine) -> bool:
    """True when at least one user exists (until then the app has no sign-in to offer)."""
    with db.connect() as conn:
        return conn.execute(sa.select(tables.users.c.name).limit(1)).first() is not None


# --- sign-in ------------------------------------------------------------------------


def authenticate(
    db: sa.Engine,
    name: str,
    password: str,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
    client_address: str | None = None,
) -> str | None:
    """Check a sign-in: the user's role, or None.

    None alike for an unknown name, a wrong password, a locked account and a
    throttled client address (show one generic message, the catalogue's
    ``access.auth.signin_failed``). Every attempt is audited (``signin.ok``,
    ``signin.fail``, ``signin.locked``, ``signin.throttled``) with the name as typed.
    If the store stays busy longer than its busy timeout, the attempt cannot be
    recorded and fails (None).

    Parameters
    ----------
    now : datetime, optional
        The time of the attempt (tests pin it); naive times are station time.
    station : StationConfig, optional
        For ``lockout_failures``, ``lockout_minutes`` and ``address_failures``; the
        configured station by default.
    client_address : str, optional
        Where the attempt came from (an IP address); None is this machine. Failures
        are counted per address as well as per account.
    """
    station = station or default_station()
    address = client_key(client_address)
    ph = PASSWORD_HASHER
    dummy = _dummy_hash(ph)  # made before any look-up: the first attempt costs the same
    now_ts = moment(now)
    typed = name if isinstance(name, str) and name else repr(name)
    with db.connect() as conn:
        throttled = _address_failures(conn, address, now_ts, station) >= station.address_failures
    if throttled:
        # No hash for a throttled address: a guessing run must not cost the server
        # a tenth of a second per try. Telling a throttled address so quickly says
        # nothing about which names exist.
        try:
            with connection.write_transaction(db) as conn:
                _audit_throttled(conn, typed, address, now_ts, station)
        except connection.StoreBusyError:
            log.warning("throttled sign-in not recorded: the store stayed busy")
        return None
    try:
        key = check_name(name)
    except AuthError:
        key = None
    pw = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
    row = None
    if key is not None:
        with db.connect() as conn:
            row = _user(conn, key)
    # Every path verifies one hash: an unknown name costs what a known one does.
    ok = _verify(ph, row.password_hash if row is not None else dummy, pw) and row is not None
    new_hash = None
    if ok and ph.check_needs_rehash(row.password_hash):
        new_hash = ph.hash(pw)
    try:
        with connection.write_transaction(db) as conn:
            # Again under the write lock: parallel attempts must not slip past the limit.
            if _address_failures(conn, address, now_ts, station) >= station.address_failures:
                _audit_throttled(conn, typed, address, now_ts, station)
                return None
            role = _record_signin(conn, key, typed, ok, new_hash, now_ts, station)
            if role is None:
                _record_address_failure(conn, address, now_ts, station)
            return role
    except connection.StoreBusyError:
        log.warning("sign-in not recorded: the store stayed busy")
        return None


def _address_failures(
    conn: sa.Connection, address: str, now: pd.Timestamp, station: StationConfig
) -> int:
    """Failed sign-ins from ``address`` within the lockout window (older ones are
    ignored, and pruned at the next failure from anywhere)."""
    t = tables.address_attempts
    since = to_text(now - pd.Timedelta(minutes=station.lockout_minutes), "microseconds")
    # ISO text with one fixed offset sorts as time does (see analytics.storage.store).
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.client_address == address, t.c.attempted_at > since)
    ).scalar_one()


def _record_address_failure(
    conn: sa.Connection, address: str, now: pd.Timestamp, station: StationConfig
) -> None:
    t = tables.address_attempts
    since = to_text(now - pd.Timedelta(minutes=station.lockout_minutes), "microseconds")
    conn.execute(t.delete().where(t.c.attempted_at <= since))  # the table stays small
    conn.execute(
        t.insert().values(client_address=address, attempted_at=to_text(now, "microseconds"))
    )


def _audit_throttled(
    conn: sa.Connection, typed: str, address: str, now: pd.Timestamp, station: StationConfig
) -> None:
    audit_in(
        conn,
        actor=typed,
        action="signin.throttled",
        detail=f"address={address}: {station.address_failures} failures within {station.lockout_minutes} min",
        at=now,
    )


def _record_signin(
    conn: sa.Connection,
    key: str | None,
    typed: str,
    ok: bool,
    new_hash: str | None,
    now: pd.Timestamp,
    station: StationConfig,
) -> str | None:
    """The sign-in's outcome, decided and recorded under the write lock."""
    u, a = tables.users, tables.login_attempts
    row = _user(conn, key) if key is not None else None
    if row is None:
        audit_in(conn, actor=typed, action="signin.fail", detail="unknown user", at=now)
        return None
    window = pd.Timedelta(minutes=station.lockout_minutes)
    attempts = conn.execute(sa.select(a.c.id, a.c.attempted_at).where(a.c.user_name == key)).all()
    old = [i for i, at in attempts if from_text(at) <= now - window]
    if old:
        conn.execute(a.delete().where(a.c.id.in_(old)))
    recent = len(attempts) - len(old)
    locked_until = from_text(row.locked_until)
    if locked_until is not None and now < locked_until:
        audit_in(
            conn,
            actor=typed,
            action="signin.locked",
            detail=f"locked until {to_text(locked_until)}",
            at=now,
        )
        return None
    if ok:
        values = {"last_signin_at": to_text(now), "locked_until": None}
        if new_hash is not None:
            values["password_hash"] = new_hash
        conn.execute(u.update().where(u.c.name == key).values(**values))
        conn.execute(a.delete().where(a.c.user_name == key))
        detail = f"role={row.role}" + (" (password rehashed)" if new_hash else "")
        audit_in(conn, actor=typed, action="signin.ok", detail=detail, at=now)
        return row.role
    conn.execute(a.insert().values(user_name=key, attempted_at=to_text(now, "microseconds")))
    recent += 1
    detail = f"wrong password ({recent} of {station.lockout_failures})"
    if recent >= station.lockout_failures:
        lock = now + window
        conn.execute(
            u.update().where(u.c.name == key).values(locked_until=to_text(lock, "microseconds"))
        )
        detail += f"; locked until {to_text(lock)}"
    audit_in(conn, actor=typed, action="signin.fail", detail=detail, at=now)
    return None
