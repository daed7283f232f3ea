"""Users: Argon2id hashing, sign-in with lockout and per-address throttling, user changes."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from argon2 import PasswordHasher

from analytics.access import audit, identity, users
from analytics.station.config import default_station
from analytics.text import text
from tests.access.conftest import MIN, PW, T0, CountingHasher, actions, cheap_hasher, stored_hash

pytestmark = pytest.mark.usefixtures("fast_hashing")


# --- hashing ------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(engine):
    users.add_user(engine, "kim", PW, role="analyst")
    h = stored_hash(engine, "kim")
    assert h != PW and PW not in h and h.startswith("$argon2id$")
    assert users.PASSWORD_HASHER.verify(h, PW)
    users.add_user(engine, "lee", PW)
    assert stored_hash(engine, "lee") != h  # salted
    assert "password_hash" not in users.list_users(engine).columns


def test_default_hasher_is_argon2id_with_rfc9106_parameters():
    ph = PasswordHasher()
    assert ph.type.name == "ID" and ph.memory_cost >= 65536 and ph.time_cost >= 3


def test_hash_is_replaced_when_parameters_change(engine, monkeypatch):
    users.add_user(engine, "kim", PW)
    old = stored_hash(engine, "kim")
    stronger = cheap_hasher(time_cost=2)
    monkeypatch.setattr(users, "PASSWORD_HASHER", stronger)
    assert stronger.check_needs_rehash(old)
    assert users.authenticate(engine, "kim", PW) == "viewer"
    new = stored_hash(engine, "kim")
    assert new != old and not stronger.check_needs_rehash(new) and "t=2" in new
    assert "rehashed" in audit.read_audit(engine, limit=1)["detail"].iloc[0]
    # A wrong password never rehashes.
    monkeypatch.setattr(users, "PASSWORD_HASHER", cheap_hasher(time_cost=3))
    assert users.authenticate(engine, "kim", "wrong password!") is None
    assert stored_hash(engine, "kim") == new
    assert users.authenticate(engine, "kim", PW) == "viewer"
    assert "t=3" in stored_hash(engine, "kim")


# --- sign-in and lockout ------------------------------------------------------------


def test_sign_in_returns_the_role(engine):
    users.add_user(engine, "kim", PW, role="analyst")
    assert users.authenticate(engine, "kim", PW, now=T0) == "analyst"
    assert users.authenticate(engine, "kim", PW + "x", now=T0) is None
    assert users.authenticate(engine, "Kim", PW, now=T0) is None  # names are case-sensitive


def test_unknown_user_wrong_password_and_locked_all_give_the_same_none(engine):
    users.add_user(engine, "kim", PW)
    results = [users.authenticate(engine, "nobody", PW, now=T0)]
    for i in range(5):
        results.append(users.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN))
    results.append(users.authenticate(engine, "kim", PW, now=T0 + 6 * MIN))  # locked
    results.append(users.authenticate(engine, "kim lee", PW, now=T0))  # not even a valid name
    results.append(users.authenticate(engine, "kim", None, now=T0))
    assert all(r is None for r in results)
    log = audit.read_audit(engine, limit=None).iloc[::-1]
    signins = log[log["action"].str.startswith("signin")]
    assert signins["action"].tolist() == [
        *["signin.fail"] * 6,
        "signin.locked",
        "signin.fail",
        "signin.locked",
    ]
    assert signins["actor"].tolist() == ["nobody", *["kim"] * 6, "kim lee", "kim"]  # as typed
    assert signins["detail"].iloc[0] == signins["detail"].iloc[7] == "unknown user"
    assert signins["detail"].iloc[1] == "wrong password (1 of 5)"
    # The one message the sign-in page shows, whatever went wrong.
    assert "비밀번호" in text("access.auth.signin_failed", "ko", minutes=15)


def test_lockout_after_five_failures_within_fifteen_minutes(engine):
    st = default_station()
    assert (st.lockout_failures, st.lockout_minutes) == (5, 15)
    users.add_user(engine, "kim", PW)
    for i in range(4):
        assert users.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN) is None
    listed = users.list_users(engine, now=T0 + 4 * MIN).set_index("name")
    assert listed.loc["kim", "failed_count"] == 4 and pd.isna(listed.loc["kim", "locked_until"])
    # The fifth failure, four minutes after the first, locks the account for 15 minutes.
    fifth = T0 + 4 * MIN
    assert users.authenticate(engine, "kim", "wrong password", now=fifth) is None
    listed = users.list_users(engine, now=fifth).set_index("name")
    assert listed.loc["kim", "locked_until"] == fifth + 15 * MIN
    assert "locked until" in audit.read_audit(engine, limit=1)["detail"].iloc[0]
    # The right password fails while locked, and does not extend the lock.
    for minutes in (1, 10, 14.9):
        at = fifth + pd.Timedelta(minutes=minutes)
        assert users.authenticate(engine, "kim", PW, now=at) is None
        assert audit.read_audit(engine, limit=1)["action"].iloc[0] == "signin.locked"
    # Failures while locked do not extend it either.
    assert users.authenticate(engine, "kim", "wrong password", now=fifth + 14 * MIN) is None
    assert users.list_users(engine, now=fifth + 14 * MIN)["locked_until"].iloc[0] == (
        fifth + 15 * MIN
    )
    # When the lock ends, the right password works and the count starts again.
    after = fifth + 15 * MIN + pd.Timedelta(seconds=1)
    assert pd.isna(users.list_users(engine, now=after)["locked_until"].iloc[0])
    assert users.authenticate(engine, "kim", PW, now=after) == "viewer"
    listed = users.list_users(engine, now=after)
    assert listed["failed_count"].iloc[0] == 0 and pd.isna(listed["locked_until"].iloc[0])


def test_failures_older_than_the_window_do_not_count(engine):
    users.add_user(engine, "kim", PW)
    # Four failures, then a fifth 16 minutes after the first: only those within the
    # last 15 minutes count (a sliding window), so no lock.
    for minutes in (0, 1, 2, 3, 16):
        assert users.authenticate(engine, "kim", "wrong", now=T0 + minutes * MIN) is None
    assert users.list_users(engine, now=T0 + 16 * MIN)["failed_count"].iloc[0] == 3
    assert users.authenticate(engine, "kim", PW, now=T0 + 16 * MIN) == "viewer"
    # ... but five within any 15 minutes do lock, however they straddle.
    for minutes in (20, 30, 33, 34, 34.5):
        users.authenticate(engine, "kim", "wrong", now=T0 + pd.Timedelta(minutes=minutes))
    assert users.authenticate(engine, "kim", PW, now=T0 + 35 * MIN) is None


def test_success_resets_the_failure_count(engine):
    users.add_user(engine, "kim", PW)
    for i in range(4):
        users.authenticate(engine, "kim", "wrong", now=T0 + i * MIN)
    assert users.authenticate(engine, "kim", PW, now=T0 + 5 * MIN) == "viewer"
    for i in range(4):
        users.authenticate(engine, "kim", "wrong", now=T0 + (6 + i) * MIN)
    assert users.authenticate(engine, "kim", PW, now=T0 + 11 * MIN) == "viewer"


def test_lockout_settings_come_from_the_station(engine):
    st = dataclasses.replace(default_station(), lockout_failures=2, lockout_minutes=3)
    users.add_user(engine, "kim", PW)
    users.authenticate(engine, "kim", "wrong", now=T0, station=st)
    users.authenticate(engine, "kim", "wrong", now=T0 + MIN, station=st)
    assert users.authenticate(engine, "kim", PW, now=T0 + 2 * MIN, station=st) is None
    assert users.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st) == "viewer"


def test_a_locked_account_is_per_user(engine):
    users.add_user(engine, "kim", PW)
    users.add_user(engine, "lee", PW)
    for i in range(5):
        users.authenticate(engine, "kim", "wrong", now=T0 + i * MIN)
    assert users.authenticate(engine, "lee", PW, now=T0 + 5 * MIN) == "viewer"
    assert users.authenticate(engine, "kim", PW, now=T0 + 5 * MIN) is None


def test_failures_are_throttled_per_client_address_whatever_the_name(engine):
    st = dataclasses.replace(default_station(), address_failures=3, lockout_failures=100)
    users.add_user(engine, "kim", PW)
    here, there = "10.0.0.7", "10.0.0.8"
    # Unknown names count too: before, nothing limited them.
    for i, name in enumerate(("nobody", "admin", "kim")):
        pw = PW if name != "kim" else "wrong password"
        assert (
            users.authenticate(engine, name, pw, now=T0 + i * MIN, station=st, client_address=here)
            is None
        )
    # The limit is reached: even the right password fails from this address ...
    assert (
        users.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st, client_address=here)
        is None
    )
    last = audit.read_audit(engine, limit=1).iloc[0]
    assert last["action"] == "signin.throttled" and last["actor"] == "kim"
    assert "address=10.0.0.7" in last["detail"]
    # ... but not from another address, and the account itself is not locked.
    assert (
        users.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st, client_address=there)
        == "viewer"
    )
    # Throttled attempts do not count: once the first failure is 15 minutes old, one
    # more try is allowed (a sliding window).
    assert (
        users.authenticate(engine, "kim", PW, now=T0 + 14 * MIN, station=st, client_address=here)
        is None
    )
    assert (
        users.authenticate(
            engine, "kim", PW, now=T0 + 15 * MIN + MIN / 2, station=st, client_address=here
        )
        == "viewer"
    )


def test_a_success_does_not_reset_the_address_count(engine):
    st = dataclasses.replace(default_station(), address_failures=2, lockout_failures=100)
    users.add_user(engine, "kim", PW)
    addr = "192.168.1.20"
    users.authenticate(engine, "lee", PW, now=T0, station=st, client_address=addr)
    # An attacker with one account of their own cannot wipe the address's record.
    assert (
        users.authenticate(engine, "kim", PW, now=T0 + MIN, station=st, client_address=addr)
        == "viewer"
    )
    users.authenticate(engine, "park", PW, now=T0 + 2 * MIN, station=st, client_address=addr)
    assert (
        users.authenticate(engine, "kim", PW, now=T0 + 3 * MIN, station=st, client_address=addr)
        is None
    )
    assert actions(engine)[-1] == "signin.throttled"


def test_this_machine_is_one_address(engine):
    assert {identity.client_key(a) for a in (None, "", "127.0.0.1", "::1")} == {"local"}
    assert identity.client_key(" 10.1.2.3 ") == "10.1.2.3"
    assert len(identity.client_key("x" * 500)) == 64
    st = dataclasses.replace(default_station(), address_failures=2)
    users.add_user(engine, "kim", PW)
    users.authenticate(engine, "a", PW, now=T0, station=st)
    users.authenticate(engine, "b", PW, now=T0, station=st, client_address="127.0.0.1")
    assert users.authenticate(engine, "kim", PW, now=T0, station=st, client_address="::1") is None


def test_a_throttled_address_costs_no_hash(engine, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(users, "PASSWORD_HASHER", counting)
    st = dataclasses.replace(default_station(), address_failures=1)
    users.authenticate(engine, "nobody", PW, now=T0, station=st, client_address="10.9.9.9")
    before = counting.verified
    assert (
        users.authenticate(engine, "nobody", PW, now=T0, station=st, client_address="10.9.9.9")
        is None
    )
    assert counting.verified == before
    assert actions(engine)[-2:] == ["signin.fail", "signin.throttled"]


def test_address_failures_default_to_twenty():
    assert default_station().address_failures == 20


def test_unknown_users_verify_a_hash_too(engine, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(users, "PASSWORD_HASHER", counting)
    users.add_user(engine, "kim", PW)
    for name in ("kim", "nobody", "not a name"):
        before = counting.verified
        assert users.authenticate(engine, name, "wrong password") is None
        assert counting.verified == before + 1, name
    for i in range(5):
        users.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN)
    before = counting.verified
    users.authenticate(engine, "kim", PW, now=T0 + 6 * MIN)  # locked
    assert counting.verified == before + 1


# --- user management ----------------------------------------------------------------


def test_user_management_and_its_audit_entries(engine):
    assert not users.has_users(engine)
    users.add_user(engine, "kim", PW, role="admin", actor="cli:root")
    assert users.has_users(engine)
    users.add_user(engine, "lee", PW, actor="kim")
    with pytest.raises(identity.AuthError, match="이미 있는 사용자"):
        users.add_user(engine, "lee", PW)
    users.set_role(engine, "lee", "analyst", actor="kim")
    users.set_password(engine, "lee", "a new long password", actor="kim")
    assert users.authenticate(engine, "lee", PW) is None
    assert users.authenticate(engine, "lee", "a new long password") == "analyst"
    listed = users.list_users(engine)
    assert list(listed.columns) == [
        "name",
        "role",
        "station",
        "province",
        "created_at",
        "locked_until",
        "failed_count",
    ]
    assert listed["name"].tolist() == ["kim", "lee"] and listed["role"].tolist() == [
        "admin",
        "analyst",
    ]
    assert str(listed["created_at"].dt.tz) == "Asia/Seoul"
    users.remove_user(engine, "lee", actor="kim")
    assert users.list_users(engine)["name"].tolist() == ["kim"]
    assert users.authenticate(engine, "lee", "a new long password") is None
    log = audit.read_audit(engine, limit=None).iloc[::-1]
    changes = log[log["action"].str.startswith("user.")]
    assert changes["action"].tolist() == [
        "user.add",
        "user.add",
        "user.role",
        "user.passwd",
        "user.remove",
    ]
    assert changes["actor"].tolist() == ["cli:root", "kim", "kim", "kim", "kim"]
    assert changes["detail"].tolist()[2] == "name=lee viewer->analyst"
    assert not any(PW in d or "new long" in d for d in log["detail"])


@pytest.mark.parametrize(
    "call",
    [
        lambda e: users.remove_user(e, "ghost"),
        lambda e: users.set_password(e, "ghost", PW),
        lambda e: users.set_role(e, "ghost", "admin"),
    ],
)
def test_changes_to_unknown_users_are_refused(engine, call):
    with pytest.raises(identity.AuthError, match="없는 사용자입니다: ghost"):
        call(engine)


def test_the_last_admin_stays(engine):
    users.add_user(engine, "kim", PW, role="admin")
    with pytest.raises(identity.AuthError, match="마지막 관리자"):
        users.remove_user(engine, "kim")
    with pytest.raises(identity.AuthError, match="마지막 관리자"):
        users.set_role(engine, "kim", "viewer")
    users.add_user(engine, "lee", PW, role="admin")
    users.set_role(engine, "kim", "viewer")
    users.remove_user(engine, "kim")
    assert users.list_users(engine)["role"].tolist() == ["admin"]


def test_set_password_unlocks(engine):
    users.add_user(engine, "kim", PW)
    now = pd.Timestamp.now(tz="Asia/Seoul")
    for i in range(5):
        users.authenticate(engine, "kim", "wrong", now=now + i * pd.Timedelta(seconds=1))
    assert users.authenticate(engine, "kim", PW) is None
    users.set_password(engine, "kim", "the admin reset it", actor="admin")
    assert audit.read_audit(engine, limit=1)["detail"].iloc[0] == "name=kim unlocked"
    assert users.authenticate(engine, "kim", "the admin reset it") == "viewer"
