"""Users and roles, sign-in with lockout, and the append-only audit log, in the store.

Roles nest: ``admin`` ⊃ ``analyst`` ⊃ ``viewer`` (:func:`role_allows`). Passwords are
hashed with Argon2id (argon2-cffi's :class:`~argon2.PasswordHasher`); a hash made with
older parameters is replaced at the next successful sign-in.

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

After a sign-in the browser holds a random session token in a cookie; the store
keeps only its SHA-256 (:func:`create_session`, :func:`session_for_token`,
:func:`revoke_session`, :func:`revoke_sessions`). The token reaches the browser
through a one-time grant (:func:`create_grant`, :func:`redeem_grant`) so that it
never passes through the page's script or a URL.

The audit log is append-only: this module has no function that changes or removes an
entry, and on SQLite (and PostgreSQL) triggers abort any UPDATE or DELETE of
``audit_log`` (and an INSERT OR REPLACE on SQLite). It is tamper-evident: each entry
carries the hash of the one before it, and :func:`verify_audit_chain` finds the first
entry that was changed, removed or slipped in. User changes, imports
(:func:`audited_import`) and undos (:func:`audited_undo`) are written together with
their audit entry in one transaction: both land, or neither.

Who may call what is the caller's business (the UI checks :func:`role_allows` for the
signed-in user; the CLI is trusted as the machine's operator): these functions record
``actor`` but do not check it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from analytics.station.config import StationConfig, default_station
from analytics.storage import store

log = logging.getLogger(__name__)

ROLES = ("viewer", "analyst", "admin")
ACTIONS = (
    "signin.ok",
    "signin.fail",
    "signin.locked",
    "signin.throttled",
    "signout",
    "session.revoked",
    "import",
    "import.fail",
    "undo",
    "export",
    "user.add",
    "user.remove",
    "user.passwd",
    "user.role",
    "backup",
)
NAME_MAX = 40
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
KST = "Asia/Seoul"

# Replace (e.g. in tests, or to raise the cost) by assigning a new PasswordHasher: stored
# hashes made with other parameters still verify and are rehashed at the next sign-in.
PASSWORD_HASHER = PasswordHasher()

_ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
_ACTOR_MAX = 200
_DETAIL_MAX = 2000

MESSAGES: dict[str, dict[str, str]] = {
    "auth.bad_name": {
        "ko": "사용자 이름은 1~{max}자이며 공백이나 제어 문자를 쓸 수 없습니다: '{name}'",
        "en": "a user name is 1–{max} characters with no spaces or control characters: '{name}'",
    },
    "auth.short_password": {
        "ko": "비밀번호는 {min}자 이상이어야 합니다",
        "en": "the password must be at least {min} characters long",
    },
    "auth.long_password": {
        "ko": "비밀번호는 {max}자 이하여야 합니다",
        "en": "the password must be at most {max} characters long",
    },
    "auth.password_control": {
        "ko": "비밀번호에 제어 문자(줄바꿈 등)를 쓸 수 없습니다",
        "en": "the password cannot contain control characters (such as line breaks)",
    },
    "auth.password_is_name": {
        "ko": "비밀번호가 사용자 이름과 같습니다",
        "en": "the password is the same as the user name",
    },
    "auth.password_mismatch": {
        "ko": "두 번 입력한 비밀번호가 서로 다릅니다",
        "en": "the two passwords do not match",
    },
    "auth.bad_role": {
        "ko": "알 수 없는 역할입니다: '{role}' (viewer, analyst, admin 중 하나)",
        "en": "unknown role '{role}' (one of viewer, analyst, admin)",
    },
    "auth.user_exists": {
        "ko": "이미 있는 사용자입니다: {name}",
        "en": "the user already exists: {name}",
    },
    "auth.no_user": {
        "ko": "없는 사용자입니다: {name}",
        "en": "no such user: {name}",
    },
    "auth.last_admin": {
        "ko": "마지막 관리자(admin)는 삭제하거나 역할을 낮출 수 없습니다: {name}",
        "en": "the last admin cannot be removed or demoted: {name}",
    },
    "auth.bad_action": {
        "ko": "감사 기록의 동작 이름이 올바르지 않습니다: '{action}'",
        "en": "not a valid audit action name: '{action}'",
    },
    "auth.no_actor": {
        "ko": "감사 기록에는 누가 했는지(actor)가 있어야 합니다",
        "en": "an audit entry needs an actor",
    },
    # The one message the sign-in page shows for every failure.
    "auth.signin_failed": {
        "ko": "이름 또는 비밀번호가 맞지 않거나, 잠시 잠긴 계정입니다. 잠긴 계정은 {minutes}분 뒤에 다시 시도하거나 관리자에게 문의하세요",
        "en": "wrong name or password, or the account is locked for a while. A locked account can try again after {minutes} minutes, or ask an admin",
    },
}


def message(key: str, lang: str = "ko", /, **params) -> str:
    """The auth message ``key`` in ``lang`` ('ko' or 'en'), formatted with ``params``."""
    entry = MESSAGES[key]
    return entry.get(lang, entry["ko"]).format(**params)


class AuthError(ValueError):
    """A user name, password, role or user change that cannot be accepted.

    ``key`` and ``params`` name a message; ``text(lang)`` gives it in Korean or English.
    """

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(message(key, "ko", **params))

    def text(self, lang: str = "ko") -> str:
        return message(self.key, lang, **self.params)


# --- roles and validation ---------------------------------------------------------


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` may do what ``needed`` may (admin ⊃ analyst ⊃ viewer).

    An unknown or missing ``role`` allows nothing; an unknown ``needed`` is an error.
    """
    if needed not in ROLES:
        raise AuthError("auth.bad_role", role=_printable(str(needed)))
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def _printable(text: str, limit: int = _ACTOR_MAX) -> str:
    """``text`` with control and format characters escaped, cut to ``limit``: safe to log."""
    out = "".join(_escape(c) for c in text[: limit + 1])
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _escape(c: str) -> str:
    if not unicodedata.category(c).startswith("C"):
        return c
    return f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}"


def check_name(name: str) -> str:
    """A valid user name (NFC-normalised), or :class:`AuthError`.

    1–40 characters; no whitespace, control or invisible format characters. Korean
    names are fine. Names are case-sensitive.
    """
    if not isinstance(name, str):
        raise AuthError("auth.bad_name", name=_printable(repr(name)), max=NAME_MAX)
    norm = unicodedata.normalize("NFC", name)
    bad = any(c.isspace() or unicodedata.category(c).startswith("C") for c in norm)
    if not 1 <= len(norm) <= NAME_MAX or bad:
        raise AuthError("auth.bad_name", name=_printable(name, 60), max=NAME_MAX)
    return norm


def check_password(password: str, name: str | None = None) -> str:
    """A password that may be set (NFC-normalised), or :class:`AuthError`.

    At least 10 characters (a Korean syllable counts as one), at most 1024, no control
    characters, and not the user name itself.
    """
    if not isinstance(password, str):
        raise AuthError("auth.short_password", min=PASSWORD_MIN)
    pw = unicodedata.normalize("NFC", password)
    if len(pw) < PASSWORD_MIN:
        raise AuthError("auth.short_password", min=PASSWORD_MIN)
    if len(pw) > PASSWORD_MAX:
        raise AuthError("auth.long_password", max=PASSWORD_MAX)
    if any(unicodedata.category(c) == "Cc" for c in pw):
        raise AuthError("auth.password_control")
    if name is not None and pw == unicodedata.normalize("NFC", name):
        raise AuthError("auth.password_is_name")
    return pw


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise AuthError("auth.bad_role", role=_printable(str(role)))
    return role


# --- time ---------------------------------------------------------------------------


def _now(now: datetime | pd.Timestamp | None) -> pd.Timestamp:
    if now is None:
        return pd.Timestamp.now(tz=KST)
    ts = pd.Timestamp(now)
    return ts.tz_localize(KST) if ts.tzinfo is None else ts.tz_convert(KST)


def _iso(ts: pd.Timestamp, timespec: str = "seconds") -> str:
    return ts.tz_convert(KST).isoformat(timespec=timespec)


def _parse(text: str | None) -> pd.Timestamp | None:
    return None if text is None else pd.Timestamp(text).tz_convert(KST)


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


# --- audit log ----------------------------------------------------------------------


def _audit(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    detail: str = "",
    batch_id: str | None = None,
    file_name: str | None = None,
    at: pd.Timestamp | None = None,
) -> int:
    if not isinstance(action, str) or len(action) > 40 or not _ACTION_RE.match(action):
        raise AuthError("auth.bad_action", action=_printable(str(action), 60))
    if not isinstance(actor, str) or not actor.strip():
        raise AuthError("auth.no_actor")
    entry = {
        "at": _iso(at if at is not None else _now(None)),
        "actor": _printable(actor),
        "action": action,
        "detail": _printable(str(detail or ""), _DETAIL_MAX),
        "batch_id": batch_id,
        "file_name": None if file_name is None else _printable(str(file_name), 500),
    }
    t = store.audit_log
    _lock_audit_chain(conn)
    last = conn.execute(sa.select(t.c.id, t.c.entry_hash).order_by(t.c.id.desc()).limit(1)).first()
    # The id is chosen here, not by the database, because the hash covers it. Under the
    # chain lock, last id + 1 is free; on PostgreSQL the id sequence is then unused.
    entry["id"] = 1 if last is None else int(last.id) + 1
    prev_hash = GENESIS_HASH if last is None else last.entry_hash
    conn.execute(
        t.insert().values(
            **entry, prev_hash=prev_hash, entry_hash=audit_entry_hash(entry, prev_hash)
        )
    )
    return entry["id"]


# An arbitrary constant: the key of the PostgreSQL advisory lock that serialises appends.
_PG_AUDIT_LOCK = 0x61756474  # "audt"


def _lock_audit_chain(conn: sa.Connection) -> None:
    """Hold the right to append until ``conn``'s transaction ends.

    Two writers that read the same last entry would fork the chain. On SQLite the
    caller's :func:`analytics.storage.store.write_transaction` began with BEGIN IMMEDIATE, so
    this connection already is the only writer. On PostgreSQL a row lock on the last
    entry is not enough (the second writer, once let through, still sees the same last
    entry), so a transaction-scoped advisory lock serialises appenders.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_AUDIT_LOCK)))


GENESIS_HASH = "0" * 64  # the prev_hash of the first entry
_CHAINED = ("id", "at", "actor", "action", "detail", "batch_id", "file_name")


def audit_entry_hash(entry: Mapping, prev_hash: str) -> str:
    """The sha256 (hex) that chains an audit entry to the one before it.

    Computed over a canonical JSON list (a version tag, then ``id``, ``at``, ``actor``,
    ``action``, ``detail``, ``batch_id``, ``file_name`` and ``prev_hash``): any change
    to any of them changes the hash. Migration 0003 holds a frozen copy.
    """
    payload = ["audit/v1", *(entry[k] for k in _CHAINED), prev_hash]
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def audit(
    engine: sa.Engine,
    *,
    actor: str,
    action: str,
    detail: str = "",
    batch_id: str | None = None,
    file_name: str | None = None,
) -> int:
    """Append one entry to the audit log; returns its id.

    Parameters
    ----------
    actor : str
        Who: a user name, or ``cli:<OS user>`` from the command line.
    action : str
        What, as a dotted lower-case name: see :data:`ACTIONS` (others are allowed,
        e.g. ``export``, ``signout``).
    detail, batch_id, file_name : optional
        Free text (control characters are escaped), and the batch and file concerned.
    """
    with store.write_transaction(engine) as conn:
        return _audit(
            conn,
            actor=actor,
            action=action,
            detail=detail,
            batch_id=batch_id,
            file_name=file_name,
        )


AUDIT_COLUMNS = ("id", "at", "actor", "action", "detail", "batch_id", "file_name")


def read_audit(engine: sa.Engine, *, limit: int | None = 500) -> pd.DataFrame:
    """The audit log, newest first (``limit`` entries; None for all).

    Columns: id, at (KST Timestamp), actor, action, detail, batch_id, file_name.
    """
    t = store.audit_log
    q = sa.select(*(t.c[c] for c in AUDIT_COLUMNS)).order_by(t.c.id.desc())
    if limit is not None:
        if int(limit) < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        q = q.limit(int(limit))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(q).mappings().all(), columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], format="ISO8601", utc=True).dt.tz_convert(KST)
    return frame


# The audit chain's messages live with the audit code; message() finds them in MESSAGES.
MESSAGES.update(
    {
        "audit.intact": {
            "ko": "감사 기록이 온전합니다: {n:,}건 (마지막 #{last_id}, 해시 {last_hash})",
            "en": "intact, {n:,} entries (last #{last_id}, hash {last_hash})",
        },
        "audit.intact_empty": {
            "ko": "감사 기록이 온전합니다: 0건 (아직 기록이 없습니다)",
            "en": "intact, 0 entries (the audit log is empty)",
        },
        "audit.broken_entry_hash": {
            "ko": "감사 기록이 변조되었습니다: #{id} 항목의 내용이 저장된 해시와 맞지 않습니다"
            " (항목이 수정됨). 저장된 해시 {found}, 내용으로 계산한 해시 {expected}",
            "en": "audit log broken at entry #{id}: its contents do not match its stored hash"
            " (the entry was changed). stored {found}, computed {expected}",
        },
        "audit.broken_prev_hash": {
            "ko": "감사 기록이 변조되었습니다: #{id} 항목의 이전 해시가 앞 항목 #{prev_id}의 해시와"
            " 다릅니다 (그 사이 항목이 삭제·삽입되었거나 앞 항목이 수정됨)."
            " 저장된 값 {found}, 기대값 {expected}",
            "en": "audit log broken at entry #{id}: its prev_hash does not match the hash of"
            " entry #{prev_id} (an entry between was removed or inserted, or the one before"
            " was changed). stored {found}, expected {expected}",
        },
        "audit.broken_first": {
            "ko": "감사 기록이 변조되었습니다: 첫 항목 #{id}의 이전 해시가 0이 아닙니다"
            " (그 앞 항목들이 삭제되었을 수 있음). 저장된 값 {found}",
            "en": "audit log broken at entry #{id}: the first entry's prev_hash is not zero"
            " (the entries before it may have been removed). stored {found}",
        },
    }
)


@dataclass(frozen=True)
class AuditVerification:
    """What :func:`verify_audit_chain` found.

    ``entries`` counts every entry; ``broken_id`` is the first entry whose link does
    not hold (None when intact), ``problem`` says which: ``"entry_hash"`` (its
    contents were changed), ``"prev_hash"`` (something before it was removed,
    inserted or changed) or ``"first"`` (the first entry does not start the chain).
    ``last_id`` and ``last_hash`` are the chain's head: written down elsewhere, they
    also reveal a later truncation or rewrite of the whole log.
    """

    entries: int
    broken_id: int | None = None
    problem: str | None = None
    prev_id: int | None = None
    expected: str | None = None
    found: str | None = None
    last_id: int | None = None
    last_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def text(self, lang: str = "ko") -> str:
        """One sentence for people, in Korean (``ko``) or English (``en``)."""
        if self.ok:
            if not self.entries:
                return message("audit.intact_empty", lang)
            return message(
                "audit.intact",
                lang,
                n=self.entries,
                last_id=self.last_id,
                last_hash=self.last_hash,
            )
        return message(
            f"audit.broken_{self.problem}",
            lang,
            id=self.broken_id,
            prev_id=self.prev_id,
            expected=self.expected,
            found=self.found,
        )


def verify_audit_chain(db: sa.Engine) -> AuditVerification:
    """Check the audit log's hash chain from its first entry to its last.

    Reads only. Each entry's ``entry_hash`` must be the hash of its contents and its
    ``prev_hash`` (:func:`audit_entry_hash`), and its ``prev_hash`` the ``entry_hash``
    of the entry before it by id (:data:`GENESIS_HASH` for the first).

    Parameters
    ----------
    db : sqlalchemy.Engine
        The store.

    Returns
    -------
    AuditVerification
        The number of entries and, when the chain is broken, the first broken link.
    """
    t = store.audit_log
    q = sa.select(*(t.c[c] for c in _CHAINED), t.c.prev_hash, t.c.entry_hash).order_by(t.c.id)
    n, broken = 0, None
    prev_id, prev_hash = None, GENESIS_HASH
    with db.connect() as conn:
        for row in conn.execution_options(yield_per=2000).execute(q).mappings():
            n += 1
            if broken is None:
                computed = audit_entry_hash(row, row["prev_hash"])
                if row["prev_hash"] != prev_hash:
                    broken = {
                        "problem": "first" if prev_id is None else "prev_hash",
                        "expected": prev_hash,
                        "found": row["prev_hash"],
                    }
                elif row["entry_hash"] != computed:
                    broken = {
                        "problem": "entry_hash",
                        "expected": computed,
                        "found": row["entry_hash"],
                    }
                if broken is not None:
                    broken.update(broken_id=row["id"], prev_id=prev_id)
            prev_id, prev_hash = row["id"], row["entry_hash"]
    return AuditVerification(entries=n, last_id=prev_id, last_hash=prev_hash, **(broken or {}))


# --- users --------------------------------------------------------------------------


def _user(conn: sa.Connection, name: str):
    return conn.execute(sa.select(store.users).where(store.users.c.name == name)).first()


def _admin_count(conn: sa.Connection) -> int:
    t = store.users
    return conn.execute(
        sa.select(sa.func.count()).select_from(t).where(t.c.role == "admin")
    ).scalar_one()


def add_user(
    engine: sa.Engine, name: str, password: str, *, role: str = "viewer", actor: str = "cli"
) -> None:
    """Add a user. Raises :class:`AuthError` for a bad name, password or role, or a
    name that is taken."""
    name = check_name(name)
    _check_role(role)
    pw = check_password(password, name)
    hashed = hash_password(pw)  # outside the write lock: it takes a tenth of a second
    now = _iso(_now(None))
    with store.write_transaction(engine) as conn:
        if _user(conn, name) is not None:
            raise AuthError("auth.user_exists", name=name)
        conn.execute(
            store.users.insert().values(
                name=name,
                password_hash=hashed,
                role=role,
                created_at=now,
                password_changed_at=now,
            )
        )
        _audit(conn, actor=actor, action="user.add", detail=f"name={name} role={role}")


def remove_user(engine: sa.Engine, name: str, *, actor: str = "cli") -> None:
    """Remove a user, ending their sessions. The last admin cannot be removed."""
    name = check_name(name)
    with store.write_transaction(engine) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        if row.role == "admin" and _admin_count(conn) <= 1:
            raise AuthError("auth.last_admin", name=name)
        conn.execute(store.login_attempts.delete().where(store.login_attempts.c.user_name == name))
        # Revoked (and audited) before the rows go: ON DELETE CASCADE would drop them
        # silently, and not every database enforces it.
        _revoke_all(conn, name, "removed", _now(None), actor=actor)
        conn.execute(store.sessions.delete().where(store.sessions.c.user_name == name))
        conn.execute(store.users.delete().where(store.users.c.name == name))
        _audit(conn, actor=actor, action="user.remove", detail=f"name={name} role={row.role}")


def set_password(engine: sa.Engine, name: str, password: str, *, actor: str = "cli") -> None:
    """Set a user's password. This also unlocks the account, clears its failed
    attempts (an admin's reset) and ends all of the user's sessions."""
    name = check_name(name)
    pw = check_password(password, name)
    with engine.connect() as conn:
        if _user(conn, name) is None:
            raise AuthError("auth.no_user", name=name)
    hashed = hash_password(pw)
    now = _now(None)
    with store.write_transaction(engine) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        was_locked = row.locked_until is not None and _parse(row.locked_until) > now
        conn.execute(
            store.users.update()
            .where(store.users.c.name == name)
            .values(password_hash=hashed, password_changed_at=_iso(now), locked_until=None)
        )
        conn.execute(store.login_attempts.delete().where(store.login_attempts.c.user_name == name))
        detail = f"name={name}" + (" unlocked" if was_locked else "")
        _audit(conn, actor=actor, action="user.passwd", detail=detail)
        # Whoever knew the old password may hold a session: every one of them ends.
        _revoke_all(conn, name, "password", now, actor=actor)


def set_role(engine: sa.Engine, name: str, role: str, *, actor: str = "cli") -> None:
    """Change a user's role. The last admin cannot be demoted."""
    name = check_name(name)
    _check_role(role)
    with store.write_transaction(engine) as conn:
        row = _user(conn, name)
        if row is None:
            raise AuthError("auth.no_user", name=name)
        if row.role == "admin" and role != "admin" and _admin_count(conn) <= 1:
            raise AuthError("auth.last_admin", name=name)
        conn.execute(store.users.update().where(store.users.c.name == name).values(role=role))
        _audit(conn, actor=actor, action="user.role", detail=f"name={name} {row.role}->{role}")


USER_COLUMNS = ("name", "role", "created_at", "locked_until", "failed_count")


def list_users(
    engine: sa.Engine,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
) -> pd.DataFrame:
    """The users, by name: name, role, created_at, locked_until, failed_count.

    Never the password hashes. ``locked_until`` is set only while the account is
    locked; ``failed_count`` counts failed sign-ins within the lockout window.
    """
    now_ts = _now(now)
    window = pd.Timedelta(minutes=(station or default_station()).lockout_minutes)
    u, a = store.users, store.login_attempts
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(u.c.name, u.c.role, u.c.created_at, u.c.locked_until).order_by(u.c.name)
        ).all()
        attempts = conn.execute(sa.select(a.c.user_name, a.c.attempted_at)).all()
    failed: dict[str, int] = {}
    for user_name, at in attempts:
        if _parse(at) > now_ts - window:
            failed[user_name] = failed.get(user_name, 0) + 1
    records = []
    for name, role, created_at, locked_until in rows:
        lock = _parse(locked_until)
        records.append(
            {
                "name": name,
                "role": role,
                "created_at": _parse(created_at),
                "locked_until": lock if lock is not None and lock > now_ts else None,
                "failed_count": failed.get(name, 0),
            }
        )
    frame = pd.DataFrame(records, columns=list(USER_COLUMNS))
    for col in ("created_at", "locked_until"):
        frame[col] = pd.to_datetime(frame[col], utc=True).dt.tz_convert(KST)
    frame["failed_count"] = frame["failed_count"].astype(int)
    return frame


def has_users(engine: sa.Engine) -> bool:
    """True when at least one user exists (until then the app has no sign-in to offer)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(store.users.c.name).limit(1)).first() is not None


# --- sign-in ------------------------------------------------------------------------


def authenticate(
    engine: sa.Engine,
    name: str,
    password: str,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
    client_address: str | None = None,
) -> str | None:
    """Check a sign-in: the user's role, or None.

    None alike for an unknown name, a wrong password, a locked account and a
    throttled client address (show one generic message, :data:`MESSAGES`
    ``auth.signin_failed``). Every attempt is audited (``signin.ok``,
    ``signin.fail``, ``signin.locked``, ``signin.throttled``) with the name as typed.
    If the store stays busy longer than its busy timeout, the attempt cannot be
    recorded and fails (None).

    Parameters
    ----------
    now : datetime, optional
        The time of the attempt (tests pin it); naive times are KST.
    station : StationConfig, optional
        For ``lockout_failures``, ``lockout_minutes`` and ``address_failures``; the
        configured station by default.
    client_address : str, optional
        Where the attempt came from (an IP address); None is this machine. Failures
        are counted per address as well as per account.
    """
    st = station or default_station()
    address = client_key(client_address)
    ph = PASSWORD_HASHER
    dummy = _dummy_hash(ph)  # made before any look-up: the first attempt costs the same
    now_ts = _now(now)
    typed = name if isinstance(name, str) and name else repr(name)
    with engine.connect() as conn:
        throttled = _address_failures(conn, address, now_ts, st) >= st.address_failures
    if throttled:
        # No hash for a throttled address: a guessing run must not cost the server
        # a tenth of a second per try. Telling a throttled address so quickly says
        # nothing about which names exist.
        try:
            with store.write_transaction(engine) as conn:
                _audit_throttled(conn, typed, address, now_ts, st)
        except store.StoreBusyError:
            log.warning("throttled sign-in not recorded: the store stayed busy")
        return None
    try:
        key = check_name(name)
    except AuthError:
        key = None
    pw = unicodedata.normalize("NFC", password) if isinstance(password, str) else ""
    row = None
    if key is not None:
        with engine.connect() as conn:
            row = _user(conn, key)
    # Every path verifies one hash: an unknown name costs what a known one does.
    ok = _verify(ph, row.password_hash if row is not None else dummy, pw) and row is not None
    new_hash = None
    if ok and ph.check_needs_rehash(row.password_hash):
        new_hash = ph.hash(pw)
    try:
        with store.write_transaction(engine) as conn:
            # Again under the write lock: parallel attempts must not slip past the limit.
            if _address_failures(conn, address, now_ts, st) >= st.address_failures:
                _audit_throttled(conn, typed, address, now_ts, st)
                return None
            role = _record_signin(conn, key, typed, ok, new_hash, now_ts, st)
            if role is None:
                _record_address_failure(conn, address, now_ts, st)
            return role
    except store.StoreBusyError:
        log.warning("sign-in not recorded: the store stayed busy")
        return None


def client_key(client_address: str | None) -> str:
    """The address sign-in failures and sessions are recorded under.

    This machine (None, empty, ``127.0.0.1``, ``::1``: Streamlit reports a local
    browser as None) is ``local``; anything else is kept as given, cut to 64 characters.
    """
    text = "" if client_address is None else str(client_address).strip()
    if text in ("", "127.0.0.1", "::1", "localhost"):
        return "local"
    return _printable(text, 64)


def _address_failures(
    conn: sa.Connection, address: str, now: pd.Timestamp, st: StationConfig
) -> int:
    """Failed sign-ins from ``address`` within the lockout window (older ones are
    ignored, and pruned at the next failure from anywhere)."""
    t = store.address_attempts
    since = _iso(now - pd.Timedelta(minutes=st.lockout_minutes), "microseconds")
    # ISO text with one fixed offset sorts as time does (see analytics.storage.store).
    return conn.execute(
        sa.select(sa.func.count())
        .select_from(t)
        .where(t.c.client_address == address, t.c.attempted_at > since)
    ).scalar_one()


def _record_address_failure(
    conn: sa.Connection, address: str, now: pd.Timestamp, st: StationConfig
) -> None:
    t = store.address_attempts
    since = _iso(now - pd.Timedelta(minutes=st.lockout_minutes), "microseconds")
    conn.execute(t.delete().where(t.c.attempted_at <= since))  # the table stays small
    conn.execute(t.insert().values(client_address=address, attempted_at=_iso(now, "microseconds")))


def _audit_throttled(
    conn: sa.Connection, typed: str, address: str, now: pd.Timestamp, st: StationConfig
) -> None:
    _audit(
        conn,
        actor=typed,
        action="signin.throttled",
        detail=f"address={address}: {st.address_failures} failures within {st.lockout_minutes} min",
        at=now,
    )


def _record_signin(
    conn: sa.Connection,
    key: str | None,
    typed: str,
    ok: bool,
    new_hash: str | None,
    now: pd.Timestamp,
    st: StationConfig,
) -> str | None:
    """The sign-in's outcome, decided and recorded under the write lock."""
    u, a = store.users, store.login_attempts
    row = _user(conn, key) if key is not None else None
    if row is None:
        _audit(conn, actor=typed, action="signin.fail", detail="unknown user", at=now)
        return None
    window = pd.Timedelta(minutes=st.lockout_minutes)
    attempts = conn.execute(sa.select(a.c.id, a.c.attempted_at).where(a.c.user_name == key)).all()
    old = [i for i, at in attempts if _parse(at) <= now - window]
    if old:
        conn.execute(a.delete().where(a.c.id.in_(old)))
    recent = len(attempts) - len(old)
    locked_until = _parse(row.locked_until)
    if locked_until is not None and now < locked_until:
        _audit(
            conn,
            actor=typed,
            action="signin.locked",
            detail=f"locked until {_iso(locked_until)}",
            at=now,
        )
        return None
    if ok:
        values = {"last_signin_at": _iso(now), "locked_until": None}
        if new_hash is not None:
            values["password_hash"] = new_hash
        conn.execute(u.update().where(u.c.name == key).values(**values))
        conn.execute(a.delete().where(a.c.user_name == key))
        detail = f"role={row.role}" + (" (password rehashed)" if new_hash else "")
        _audit(conn, actor=typed, action="signin.ok", detail=detail, at=now)
        return row.role
    conn.execute(a.insert().values(user_name=key, attempted_at=_iso(now, "microseconds")))
    recent += 1
    detail = f"wrong password ({recent} of {st.lockout_failures})"
    if recent >= st.lockout_failures:
        lock = now + window
        conn.execute(
            u.update().where(u.c.name == key).values(locked_until=_iso(lock, "microseconds"))
        )
        detail += f"; locked until {_iso(lock)}"
    _audit(conn, actor=typed, action="signin.fail", detail=detail, at=now)
    return None


# --- sessions -----------------------------------------------------------------------

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
    role at sign-in. Times are KST.
    """

    user_name: str
    role: str
    created_at: pd.Timestamp
    last_seen_at: pd.Timestamp
    client_address: str | None


def _secret_hash(secret: str) -> str:
    """SHA-256 of a token or grant, in hex: what the store keeps instead of it.

    A plain hash is enough (no salt, no stretching): the secrets are 256 random bits,
    so nobody can guess one from its hash, and a look-up needs the hash to be stable.
    """
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _is_secret(value: object) -> bool:
    return isinstance(value, str) and _SECRET_RE.match(value) is not None


def create_grant(
    engine: sa.Engine,
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
        The time (tests pin it); naive times are KST.

    Raises
    ------
    AuthError
        ``auth.no_user`` when the user does not exist (any more).
    """
    name = check_name(user_name)
    now_ts = _now(now)
    grant = secrets.token_urlsafe(32)
    g = store.signin_grants
    with store.write_transaction(engine) as conn:
        if _user(conn, name) is None:
            raise AuthError("auth.no_user", name=name)
        conn.execute(g.delete().where(g.c.expires_at <= _iso(now_ts, "microseconds")))
        conn.execute(
            g.insert().values(
                grant_hash=_secret_hash(grant),
                user_name=name,
                created_at=_iso(now_ts, "microseconds"),
                expires_at=_iso(now_ts + pd.Timedelta(seconds=GRANT_SECONDS), "microseconds"),
                client_address=client_key(client_address),
            )
        )
    return grant


def redeem_grant(
    engine: sa.Engine,
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
    now_ts = _now(now)
    address = client_key(client_address)
    g = store.signin_grants
    with store.write_transaction(engine) as conn:
        row = conn.execute(sa.select(g).where(g.c.grant_hash == _secret_hash(grant))).first()
        if row is None:
            return None
        conn.execute(g.delete().where(g.c.grant_hash == row.grant_hash))
        if _parse(row.expires_at) <= now_ts or row.client_address != address:
            return None
        if _user(conn, row.user_name) is None:
            return None
        return _create_session(conn, row.user_name, address, now_ts)


def create_session(
    engine: sa.Engine,
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
    now_ts = _now(now)
    with store.write_transaction(engine) as conn:
        if _user(conn, name) is None:
            raise AuthError("auth.no_user", name=name)
        return _create_session(conn, name, client_key(client_address), now_ts)


def _create_session(conn: sa.Connection, name: str, address: str, now: pd.Timestamp) -> str:
    s = store.sessions
    # Sessions older than any lifetime are only clutter; the audit log keeps the trail.
    # (A week: longer than any session_hours a station would choose.)
    stale = _iso(now - pd.Timedelta(days=7), "microseconds")
    conn.execute(s.delete().where(s.c.last_seen_at < stale))
    token = secrets.token_urlsafe(32)
    conn.execute(
        s.insert().values(
            token_hash=_secret_hash(token),
            user_name=name,
            created_at=_iso(now, "microseconds"),
            last_seen_at=_iso(now, "microseconds"),
            client_address=address,
        )
    )
    return token


def check_session(
    engine: sa.Engine,
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
        The time (tests pin it); naive times are KST.
    station : StationConfig, optional
        For ``idle_minutes`` and ``session_hours``; the configured station by default.
    """
    if token is None or token == "":
        return None, "none"
    if not _is_secret(token):
        return None, "unknown"
    st = station or default_station()
    now_ts = _now(now)
    s, u = store.sessions, store.users
    token_hash = _secret_hash(token)
    query = (
        sa.select(s, u.c.role)
        .join(u, u.c.name == s.c.user_name)
        .where(s.c.token_hash == token_hash)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None, "unknown"
    if row.revoked_at is not None:
        return None, "revoked"
    created, seen = _parse(row.created_at), _parse(row.last_seen_at)
    reason = None
    if now_ts >= created + pd.Timedelta(hours=st.session_hours):
        reason = "expired"
    elif now_ts >= seen + pd.Timedelta(minutes=st.idle_minutes):
        reason = "idle"
    if reason is not None:
        try:
            with store.write_transaction(engine) as conn:
                _revoke(conn, [token_hash], row.user_name, reason, now_ts, actor=row.user_name)
        except store.StoreBusyError:
            log.warning("an ended session was not marked: the store stayed busy")
        return None, reason
    if now_ts - seen >= pd.Timedelta(seconds=TOUCH_SECONDS):
        try:
            with store.write_transaction(engine) as conn:
                conn.execute(
                    s.update()
                    .where(s.c.token_hash == token_hash, s.c.revoked_at.is_(None))
                    .values(last_seen_at=_iso(now_ts, "microseconds"))
                )
            seen = now_ts
        except store.StoreBusyError:  # the next run tries again; the user goes on
            log.warning("session activity not recorded: the store stayed busy")
    session = Session(
        user_name=row.user_name,
        role=row.role,
        created_at=created,
        last_seen_at=seen,
        client_address=row.client_address,
    )
    return session, "ok"


def session_for_token(
    engine: sa.Engine,
    token: object,
    *,
    now: datetime | pd.Timestamp | None = None,
    station: StationConfig | None = None,
) -> Session | None:
    """The live session a token opens, or None (see :func:`check_session`)."""
    return check_session(engine, token, now=now, station=station)[0]


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
    s = store.sessions
    live = s.c.token_hash.in_(hashes) & s.c.revoked_at.is_(None)
    n = conn.execute(
        s.update().where(live).values(revoked_at=_iso(now, "microseconds"), revoked_reason=reason)
    ).rowcount
    if n and reason == "signout":
        _audit(conn, actor=actor, action="signout", detail=f"name={name}", at=now)
    elif n:
        _audit(
            conn,
            actor=actor,
            action="session.revoked",
            detail=f"name={name} sessions={n} reason={reason}",
            at=now,
        )
    return n


def revoke_session(
    engine: sa.Engine,
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
    now_ts = _now(now)
    s = store.sessions
    token_hash = _secret_hash(token)
    with store.write_transaction(engine) as conn:
        name = conn.execute(
            sa.select(s.c.user_name).where(s.c.token_hash == token_hash)
        ).scalar_one_or_none()
        if name is None:
            return False
        return _revoke(conn, [token_hash], name, reason, now_ts, actor=name) > 0


def revoke_sessions(
    engine: sa.Engine,
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
    with store.write_transaction(engine) as conn:
        return _revoke_all(conn, name, reason, _now(now), actor=actor)


def _revoke_all(
    conn: sa.Connection, name: str, reason: str, now: pd.Timestamp, *, actor: str
) -> int:
    s, g = store.sessions, store.signin_grants
    conn.execute(g.delete().where(g.c.user_name == name))
    hashes = conn.execute(
        sa.select(s.c.token_hash).where(s.c.user_name == name, s.c.revoked_at.is_(None))
    ).scalars()
    return _revoke(conn, list(hashes), name, reason, now, actor=actor)


_REVOKE_REASONS = ("signout", "password", "removed", "admin", "idle", "expired")


def _check_reason(reason: str) -> None:
    if reason not in _REVOKE_REASONS:
        raise ValueError(f"reason must be one of {_REVOKE_REASONS}, got {reason!r}")


# --- audited store operations -----------------------------------------------------


def audited_import(engine: sa.Engine, actor: str, **import_kwargs):
    """:func:`analytics.storage.importers.core.import_file` plus its audit entry.

    ``import_kwargs`` are import_file's (``file=``, ``source=``, ``sheet=`` ...);
    ``engine`` is passed for you. The ``import`` entry (batch id, file name and
    counts) is written in the import's own transaction: the rows and their entry land
    together or not at all. A file that is refused gets an ``import.fail`` entry (the
    error) in a transaction of its own, and the error is re-raised (a busy store,
    ``error.busy``, is re-raised unaudited: nothing changed).

    Returns
    -------
    ImportResult
    """
    from pathlib import Path

    from analytics.storage.importers.core import import_file
    from analytics.storage.importers.reading import ImportFileError

    def record(conn: sa.Connection, result) -> None:
        detail = (
            f"source={result.source} rows={result.rows_total} imported={result.imported} "
            f"duplicates={result.duplicates} rejected={len(result.rejected)}"
            + (" synthetic" if result.synthetic else "")
        )
        _audit(
            conn,
            actor=actor,
            action="import",
            detail=detail,
            batch_id=result.batch_id,
            file_name=result.file_name,
        )

    try:
        return import_file(engine=engine, in_transaction=record, **import_kwargs)
    except ImportFileError as exc:
        if exc.key == "error.busy":
            # Nothing changed, and the store is still busy: another wait to write the
            # entry would only double the time the user waits for the message.
            raise
        file = import_kwargs.get("file")
        file_name = import_kwargs.get("file_name") or (
            "upload" if isinstance(file, bytes) or file is None else Path(file).name
        )
        try:
            audit(
                engine,
                actor=actor,
                action="import.fail",
                detail=import_failure_detail(import_kwargs.get("source"), exc),
                file_name=file_name,
            )
        except store.StoreBusyError:
            log.warning("failed import not audited: the store stayed busy")
        raise


def import_failure_detail(source, exc) -> str:
    """``source=… error=<key>`` and the error's figures (a cap and the value found)."""
    params = " ".join(
        f"{k}={v}"
        for k, v in exc.params.items()
        if isinstance(v, int | float | str) and k != "columns"
    )
    return f"source={source} error={exc.key}" + (f" {params}" if params else "")


def audited_undo(engine: sa.Engine, actor: str, batch_id: str) -> int:
    """:func:`analytics.storage.store.undo_batch` plus its ``undo`` audit entry.

    The undo and its entry are one transaction. Returns the number of events removed;
    raises :class:`analytics.storage.store.UnknownBatchError` (nothing audited) for an unknown
    batch.
    """
    b = store.import_batches
    with store.write_transaction(engine) as conn:
        row = conn.execute(
            sa.select(b.c.file_name, b.c.status).where(b.c.batch_id == batch_id)
        ).first()
        removed = store.undo_batch_in(conn, batch_id)
        detail = f"removed={removed}" + (" (already undone)" if row.status == "undone" else "")
        _audit(
            conn,
            actor=actor,
            action="undo",
            detail=detail,
            batch_id=batch_id,
            file_name=row.file_name,
        )
    return removed
