"""Sessions: one-time grants, tokens stored as hashes, idle and absolute expiry, revocation."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import sqlalchemy as sa

from analytics.access import audit, identity, sessions, times, users
from analytics.station.config import default_station
from analytics.storage import tables
from tests import backends
from tests.access.conftest import MIN, PW, T0, actions

pytestmark = pytest.mark.usefixtures("fast_hashing")


# --- sessions -----------------------------------------------------------------------


def session_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(tables.sessions)).mappings()]


def test_a_grant_is_traded_once_for_a_session_whose_token_is_never_stored(engine):
    users.add_user(engine, "kim", PW, role="analyst")
    grant = sessions.create_grant(engine, user_name="kim", now=T0)
    token = sessions.redeem_grant(engine, grant, now=T0 + pd.Timedelta(seconds=5))
    assert isinstance(token, str) and len(token) == 43 and token != grant
    assert sessions.redeem_grant(engine, grant, now=T0 + pd.Timedelta(seconds=6)) is None  # once
    session = sessions.session_for_token(engine, token, now=T0 + MIN)
    assert session.user_name == "kim" and session.role == "analyst"
    # The store holds hashes only: neither the token nor the grant is in the file.
    dump = backends.dump_text(engine)
    assert token not in dump and grant not in dump
    assert session_rows(engine)[0]["token_hash"] == sessions._secret_hash(token)


def test_a_grant_expires_after_a_minute_and_binds_to_the_address(engine):
    users.add_user(engine, "kim", PW)
    late = sessions.create_grant(engine, user_name="kim", now=T0)
    assert sessions.redeem_grant(engine, late, now=T0 + pd.Timedelta(seconds=60)) is None
    elsewhere = sessions.create_grant(engine, user_name="kim", client_address="10.0.0.7", now=T0)
    assert sessions.redeem_grant(engine, elsewhere, client_address="10.0.0.8", now=T0) is None
    # ... and a failed redemption uses the grant up.
    assert sessions.redeem_grant(engine, elsewhere, client_address="10.0.0.7", now=T0) is None
    here = sessions.create_grant(engine, user_name="kim", client_address="10.0.0.7", now=T0)
    assert sessions.redeem_grant(engine, here, client_address="10.0.0.7", now=T0) is not None
    for junk in (None, "", "x", 42, "a" * 500, "grant with spaces and more than 32 chars"):
        assert sessions.redeem_grant(engine, junk, now=T0) is None
    with pytest.raises(identity.AuthError, match="없는 사용자"):
        sessions.create_grant(engine, user_name="nobody", now=T0)


def test_a_session_ends_after_the_idle_time(engine):
    st = dataclasses.replace(default_station(), idle_minutes=30, session_hours=12)
    users.add_user(engine, "kim", PW)
    token = sessions.create_session(engine, user_name="kim", now=T0)
    # Activity every 20 minutes keeps it alive well past 30 minutes.
    for minutes in (20, 40, 60):
        session, reason = sessions.check_session(engine, token, now=T0 + minutes * MIN, station=st)
        assert reason == "ok" and session.last_seen_at == T0 + minutes * MIN
    # 30 minutes without a run: over.
    session, reason = sessions.check_session(engine, token, now=T0 + 90 * MIN, station=st)
    assert session is None and reason == "idle"
    assert sessions.check_session(engine, token, now=T0 + 91 * MIN, station=st) == (None, "revoked")
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "session.revoked" and "reason=idle" in entry["detail"]
    assert session_rows(engine)[0]["revoked_reason"] == "idle"


def test_last_seen_is_written_at_most_once_a_minute(engine):
    users.add_user(engine, "kim", PW)
    token = sessions.create_session(engine, user_name="kim", now=T0)
    for seconds in (10, 30, 59):
        sessions.check_session(engine, token, now=T0 + pd.Timedelta(seconds=seconds))
    assert times.from_text(session_rows(engine)[0]["last_seen_at"]) == T0
    sessions.check_session(engine, token, now=T0 + pd.Timedelta(seconds=61))
    assert times.from_text(session_rows(engine)[0]["last_seen_at"]) == T0 + pd.Timedelta(seconds=61)


def test_a_session_ends_after_its_absolute_lifetime_however_active(engine):
    st = dataclasses.replace(default_station(), idle_minutes=30, session_hours=2)
    users.add_user(engine, "kim", PW)
    token = sessions.create_session(engine, user_name="kim", now=T0)
    for minutes in range(10, 120, 10):
        assert sessions.session_for_token(engine, token, now=T0 + minutes * MIN, station=st)
    assert sessions.check_session(engine, token, now=T0 + 120 * MIN, station=st) == (
        None,
        "expired",
    )


def test_the_role_is_read_at_every_look_up(engine):
    users.add_user(engine, "kim", PW, role="admin")
    users.add_user(engine, "lee", PW, role="analyst")
    token = sessions.create_session(engine, user_name="lee", now=T0)
    assert sessions.session_for_token(engine, token, now=T0).role == "analyst"
    users.set_role(engine, "lee", "viewer")
    assert sessions.session_for_token(engine, token, now=T0 + MIN).role == "viewer"


def test_sign_out_revokes_one_session(engine):
    users.add_user(engine, "kim", PW)
    first = sessions.create_session(engine, user_name="kim", now=T0)
    second = sessions.create_session(engine, user_name="kim", now=T0)
    assert sessions.revoke_session(engine, first, now=T0 + MIN) is True
    assert sessions.revoke_session(engine, first, now=T0 + MIN) is False  # harmless twice
    assert sessions.check_session(engine, first, now=T0 + MIN) == (None, "revoked")
    assert sessions.session_for_token(engine, second, now=T0 + MIN).user_name == "kim"
    assert actions(engine).count("signout") == 1
    assert sessions.revoke_session(engine, "not-a-token", now=T0) is False
    with pytest.raises(ValueError, match="reason"):
        sessions.revoke_session(engine, second, reason="because")


def test_a_password_change_ends_every_session_of_that_user(engine):
    users.add_user(engine, "kim", PW)
    users.add_user(engine, "lee", PW)
    kims = [sessions.create_session(engine, user_name="kim", now=T0) for _ in range(2)]
    lees = sessions.create_session(engine, user_name="lee", now=T0)
    grant = sessions.create_grant(engine, user_name="kim", now=T0)
    users.set_password(engine, "kim", PW + "!", actor="admin1")
    for token in kims:
        assert sessions.session_for_token(engine, token, now=T0 + MIN) is None
    assert sessions.redeem_grant(engine, grant, now=T0 + MIN) is None  # issued before the change
    assert sessions.session_for_token(engine, lees, now=T0 + MIN) is not None
    entry = audit.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "session.revoked" and entry["actor"] == "admin1"
    assert entry["detail"] == "name=kim sessions=2 reason=password"


def test_removing_a_user_ends_their_sessions(engine):
    users.add_user(engine, "kim", PW, role="admin")
    users.add_user(engine, "lee", PW)
    token = sessions.create_session(engine, user_name="lee", now=T0)
    users.remove_user(engine, "lee", actor="kim")
    assert sessions.check_session(engine, token, now=T0 + MIN) == (None, "unknown")
    assert session_rows(engine) == []
    assert actions(engine)[-2:] == ["session.revoked", "user.remove"]
    # A new user of the same name does not inherit the old session.
    users.add_user(engine, "lee", PW)
    assert sessions.session_for_token(engine, token, now=T0 + MIN) is None


def test_revoke_sessions_and_junk_tokens(engine):
    users.add_user(engine, "kim", PW)
    token = sessions.create_session(engine, user_name="kim", now=T0)
    assert sessions.revoke_sessions(engine, "kim", reason="admin", actor="cli:root", now=T0) == 1
    assert sessions.revoke_sessions(engine, "kim", reason="admin", actor="cli:root", now=T0) == 0
    assert sessions.session_for_token(engine, token, now=T0) is None
    for junk in (None, "", "short", "x" * 43 + "!", 12345, b"bytes" * 10):
        assert sessions.session_for_token(engine, junk, now=T0) is None
    assert sessions.check_session(engine, None) == (None, "none")
    assert sessions.check_session(engine, "A" * 43) == (None, "unknown")
