"""Users, roles, hashing, lockout, the audit log, the [auth]/[privacy] config and the CLI."""

from __future__ import annotations

import dataclasses
import io
import json
import sqlite3
import unicodedata

import pandas as pd
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from analytics.access import auth
from analytics.cli import main
from analytics.station.config import default_station, load_station
from analytics.storage import store
from analytics.storage.importers.reading import ImportFileError
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows

T0 = pd.Timestamp("2017-10-13 08:00", tz="Asia/Seoul")
PW = "correct horse battery"
MIN = pd.Timedelta(minutes=1)


def cheap_hasher(time_cost: int = 1) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch):
    """Argon2 with tiny parameters: the same code paths, a thousandth of the time."""
    monkeypatch.setattr(auth, "PASSWORD_HASHER", cheap_hasher())


def stored_hash(engine, name: str) -> str:
    with engine.connect() as conn:
        return conn.execute(
            sa.select(store.users.c.password_hash).where(store.users.c.name == name)
        ).scalar_one()


def actions(engine) -> list[str]:
    return auth.read_audit(engine, limit=None)["action"].tolist()[::-1]  # oldest first


# --- roles --------------------------------------------------------------------------


def test_roles_nest():
    assert auth.ROLES == ("viewer", "analyst", "admin")
    allowed = {(r, n) for r in auth.ROLES for n in auth.ROLES if auth.role_allows(r, n)}
    assert allowed == {
        ("viewer", "viewer"),
        ("analyst", "viewer"),
        ("analyst", "analyst"),
        ("admin", "viewer"),
        ("admin", "analyst"),
        ("admin", "admin"),
    }
    assert not auth.role_allows(None, "viewer")
    assert not auth.role_allows("superuser", "viewer")
    with pytest.raises(auth.AuthError):
        auth.role_allows("admin", "root")


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "a" * 41, "kim lee", "kim\tlee", "kim\x00", "ki\u200bm", " "])
def test_bad_names_are_refused_with_a_korean_message(engine, name):
    with pytest.raises(auth.AuthError) as err:
        auth.add_user(engine, name, PW)
    assert err.value.key == "auth.bad_name"
    assert "사용자 이름은 1~40자" in err.value.text("ko") and "1–40" in err.value.text("en")
    assert isinstance(err.value, ValueError)
    assert not auth.has_users(engine)


def test_names_are_unicode_normalised(engine):
    auth.add_user(engine, "김경위", PW)
    decomposed = unicodedata.normalize("NFD", "김경위")
    assert decomposed != "김경위"
    assert auth.authenticate(engine, decomposed, PW) == "viewer"
    with pytest.raises(auth.AuthError, match="이미 있는 사용자"):
        auth.add_user(engine, decomposed, PW)
    assert auth.check_name("a" * 40) == "a" * 40


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("short", "auth.short_password"),
        ("123456789", "auth.short_password"),
        ("x" * 1025, "auth.long_password"),
        ("line one\nline two", "auth.password_control"),
        ("officer_kim_01", "auth.password_is_name"),
    ],
)
def test_bad_passwords_are_refused(engine, password, key):
    with pytest.raises(auth.AuthError) as err:
        auth.add_user(engine, "officer_kim_01", password)
    assert err.value.key == key and err.value.text("ko") != err.value.text("en")
    assert not auth.has_users(engine)


def test_short_password_message_says_ten():
    with pytest.raises(auth.AuthError) as err:
        auth.check_password("abc")
    assert err.value.text() == "비밀번호는 10자 이상이어야 합니다"
    assert auth.check_password("비밀번호는열자이상입니다") == "비밀번호는열자이상입니다"


def test_bad_role_is_refused(engine):
    with pytest.raises(auth.AuthError, match="알 수 없는 역할"):
        auth.add_user(engine, "kim", PW, role="root")


# --- hashing ------------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes(engine):
    auth.add_user(engine, "kim", PW, role="analyst")
    h = stored_hash(engine, "kim")
    assert h != PW and PW not in h and h.startswith("$argon2id$")
    assert auth.PASSWORD_HASHER.verify(h, PW)
    auth.add_user(engine, "lee", PW)
    assert stored_hash(engine, "lee") != h  # salted
    assert "password_hash" not in auth.list_users(engine).columns


def test_default_hasher_is_argon2id_with_rfc9106_parameters():
    ph = PasswordHasher()
    assert ph.type.name == "ID" and ph.memory_cost >= 65536 and ph.time_cost >= 3


def test_hash_is_replaced_when_parameters_change(engine, monkeypatch):
    auth.add_user(engine, "kim", PW)
    old = stored_hash(engine, "kim")
    stronger = cheap_hasher(time_cost=2)
    monkeypatch.setattr(auth, "PASSWORD_HASHER", stronger)
    assert stronger.check_needs_rehash(old)
    assert auth.authenticate(engine, "kim", PW) == "viewer"
    new = stored_hash(engine, "kim")
    assert new != old and not stronger.check_needs_rehash(new) and "t=2" in new
    assert "rehashed" in auth.read_audit(engine, limit=1)["detail"].iloc[0]
    # A wrong password never rehashes.
    monkeypatch.setattr(auth, "PASSWORD_HASHER", cheap_hasher(time_cost=3))
    assert auth.authenticate(engine, "kim", "wrong password!") is None
    assert stored_hash(engine, "kim") == new
    assert auth.authenticate(engine, "kim", PW) == "viewer"
    assert "t=3" in stored_hash(engine, "kim")


# --- sign-in and lockout ------------------------------------------------------------


def test_sign_in_returns_the_role(engine):
    auth.add_user(engine, "kim", PW, role="analyst")
    assert auth.authenticate(engine, "kim", PW, now=T0) == "analyst"
    assert auth.authenticate(engine, "kim", PW + "x", now=T0) is None
    assert auth.authenticate(engine, "Kim", PW, now=T0) is None  # names are case-sensitive


def test_unknown_user_wrong_password_and_locked_all_give_the_same_none(engine):
    auth.add_user(engine, "kim", PW)
    results = [auth.authenticate(engine, "nobody", PW, now=T0)]
    for i in range(5):
        results.append(auth.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN))
    results.append(auth.authenticate(engine, "kim", PW, now=T0 + 6 * MIN))  # locked
    results.append(auth.authenticate(engine, "kim lee", PW, now=T0))  # not even a valid name
    results.append(auth.authenticate(engine, "kim", None, now=T0))
    assert all(r is None for r in results)
    log = auth.read_audit(engine, limit=None).iloc[::-1]
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
    assert "비밀번호" in auth.message("auth.signin_failed", "ko", minutes=15)


def test_lockout_after_five_failures_within_fifteen_minutes(engine):
    st = default_station()
    assert (st.lockout_failures, st.lockout_minutes) == (5, 15)
    auth.add_user(engine, "kim", PW)
    for i in range(4):
        assert auth.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN) is None
    users = auth.list_users(engine, now=T0 + 4 * MIN).set_index("name")
    assert users.loc["kim", "failed_count"] == 4 and pd.isna(users.loc["kim", "locked_until"])
    # The fifth failure, four minutes after the first, locks the account for 15 minutes.
    fifth = T0 + 4 * MIN
    assert auth.authenticate(engine, "kim", "wrong password", now=fifth) is None
    users = auth.list_users(engine, now=fifth).set_index("name")
    assert users.loc["kim", "locked_until"] == fifth + 15 * MIN
    assert "locked until" in auth.read_audit(engine, limit=1)["detail"].iloc[0]
    # The right password fails while locked, and does not extend the lock.
    for minutes in (1, 10, 14.9):
        at = fifth + pd.Timedelta(minutes=minutes)
        assert auth.authenticate(engine, "kim", PW, now=at) is None
        assert auth.read_audit(engine, limit=1)["action"].iloc[0] == "signin.locked"
    # Failures while locked do not extend it either.
    assert auth.authenticate(engine, "kim", "wrong password", now=fifth + 14 * MIN) is None
    assert auth.list_users(engine, now=fifth + 14 * MIN)["locked_until"].iloc[0] == (
        fifth + 15 * MIN
    )
    # When the lock ends, the right password works and the count starts again.
    after = fifth + 15 * MIN + pd.Timedelta(seconds=1)
    assert pd.isna(auth.list_users(engine, now=after)["locked_until"].iloc[0])
    assert auth.authenticate(engine, "kim", PW, now=after) == "viewer"
    users = auth.list_users(engine, now=after)
    assert users["failed_count"].iloc[0] == 0 and pd.isna(users["locked_until"].iloc[0])


def test_failures_older_than_the_window_do_not_count(engine):
    auth.add_user(engine, "kim", PW)
    # Four failures, then a fifth 16 minutes after the first: only those within the
    # last 15 minutes count (a sliding window), so no lock.
    for minutes in (0, 1, 2, 3, 16):
        assert auth.authenticate(engine, "kim", "wrong", now=T0 + minutes * MIN) is None
    assert auth.list_users(engine, now=T0 + 16 * MIN)["failed_count"].iloc[0] == 3
    assert auth.authenticate(engine, "kim", PW, now=T0 + 16 * MIN) == "viewer"
    # ... but five within any 15 minutes do lock, however they straddle.
    for minutes in (20, 30, 33, 34, 34.5):
        auth.authenticate(engine, "kim", "wrong", now=T0 + pd.Timedelta(minutes=minutes))
    assert auth.authenticate(engine, "kim", PW, now=T0 + 35 * MIN) is None


def test_success_resets_the_failure_count(engine):
    auth.add_user(engine, "kim", PW)
    for i in range(4):
        auth.authenticate(engine, "kim", "wrong", now=T0 + i * MIN)
    assert auth.authenticate(engine, "kim", PW, now=T0 + 5 * MIN) == "viewer"
    for i in range(4):
        auth.authenticate(engine, "kim", "wrong", now=T0 + (6 + i) * MIN)
    assert auth.authenticate(engine, "kim", PW, now=T0 + 11 * MIN) == "viewer"


def test_lockout_settings_come_from_the_station(engine):
    st = dataclasses.replace(default_station(), lockout_failures=2, lockout_minutes=3)
    auth.add_user(engine, "kim", PW)
    auth.authenticate(engine, "kim", "wrong", now=T0, station=st)
    auth.authenticate(engine, "kim", "wrong", now=T0 + MIN, station=st)
    assert auth.authenticate(engine, "kim", PW, now=T0 + 2 * MIN, station=st) is None
    assert auth.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st) == "viewer"


def test_a_locked_account_is_per_user(engine):
    auth.add_user(engine, "kim", PW)
    auth.add_user(engine, "lee", PW)
    for i in range(5):
        auth.authenticate(engine, "kim", "wrong", now=T0 + i * MIN)
    assert auth.authenticate(engine, "lee", PW, now=T0 + 5 * MIN) == "viewer"
    assert auth.authenticate(engine, "kim", PW, now=T0 + 5 * MIN) is None


def test_failures_are_throttled_per_client_address_whatever_the_name(engine):
    st = dataclasses.replace(default_station(), address_failures=3, lockout_failures=100)
    auth.add_user(engine, "kim", PW)
    here, there = "10.0.0.7", "10.0.0.8"
    # Unknown names count too: before, nothing limited them.
    for i, name in enumerate(("nobody", "admin", "kim")):
        pw = PW if name != "kim" else "wrong password"
        assert (
            auth.authenticate(engine, name, pw, now=T0 + i * MIN, station=st, client_address=here)
            is None
        )
    # The limit is reached: even the right password fails from this address ...
    assert (
        auth.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st, client_address=here)
        is None
    )
    last = auth.read_audit(engine, limit=1).iloc[0]
    assert last["action"] == "signin.throttled" and last["actor"] == "kim"
    assert "address=10.0.0.7" in last["detail"]
    # ... but not from another address, and the account itself is not locked.
    assert (
        auth.authenticate(engine, "kim", PW, now=T0 + 5 * MIN, station=st, client_address=there)
        == "viewer"
    )
    # Throttled attempts do not count: once the first failure is 15 minutes old, one
    # more try is allowed (a sliding window).
    assert (
        auth.authenticate(engine, "kim", PW, now=T0 + 14 * MIN, station=st, client_address=here)
        is None
    )
    assert (
        auth.authenticate(
            engine, "kim", PW, now=T0 + 15 * MIN + MIN / 2, station=st, client_address=here
        )
        == "viewer"
    )


def test_a_success_does_not_reset_the_address_count(engine):
    st = dataclasses.replace(default_station(), address_failures=2, lockout_failures=100)
    auth.add_user(engine, "kim", PW)
    addr = "192.168.1.20"
    auth.authenticate(engine, "lee", PW, now=T0, station=st, client_address=addr)
    # An attacker with one account of their own cannot wipe the address's record.
    assert (
        auth.authenticate(engine, "kim", PW, now=T0 + MIN, station=st, client_address=addr)
        == "viewer"
    )
    auth.authenticate(engine, "park", PW, now=T0 + 2 * MIN, station=st, client_address=addr)
    assert (
        auth.authenticate(engine, "kim", PW, now=T0 + 3 * MIN, station=st, client_address=addr)
        is None
    )
    assert actions(engine)[-1] == "signin.throttled"


def test_this_machine_is_one_address(engine):
    assert {auth.client_key(a) for a in (None, "", "127.0.0.1", "::1")} == {"local"}
    assert auth.client_key(" 10.1.2.3 ") == "10.1.2.3"
    assert len(auth.client_key("x" * 500)) == 64
    st = dataclasses.replace(default_station(), address_failures=2)
    auth.add_user(engine, "kim", PW)
    auth.authenticate(engine, "a", PW, now=T0, station=st)
    auth.authenticate(engine, "b", PW, now=T0, station=st, client_address="127.0.0.1")
    assert auth.authenticate(engine, "kim", PW, now=T0, station=st, client_address="::1") is None


def test_a_throttled_address_costs_no_hash(engine, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(auth, "PASSWORD_HASHER", counting)
    st = dataclasses.replace(default_station(), address_failures=1)
    auth.authenticate(engine, "nobody", PW, now=T0, station=st, client_address="10.9.9.9")
    before = counting.verified
    assert (
        auth.authenticate(engine, "nobody", PW, now=T0, station=st, client_address="10.9.9.9")
        is None
    )
    assert counting.verified == before
    assert actions(engine)[-2:] == ["signin.fail", "signin.throttled"]


def test_address_failures_default_to_twenty():
    assert default_station().address_failures == 20


class CountingHasher(PasswordHasher):
    def __init__(self):
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash, password):
        self.verified += 1
        return super().verify(hash, password)


def test_unknown_users_verify_a_hash_too(engine, monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(auth, "PASSWORD_HASHER", counting)
    auth.add_user(engine, "kim", PW)
    for name in ("kim", "nobody", "not a name"):
        before = counting.verified
        assert auth.authenticate(engine, name, "wrong password") is None
        assert counting.verified == before + 1, name
    for i in range(5):
        auth.authenticate(engine, "kim", "wrong password", now=T0 + i * MIN)
    before = counting.verified
    auth.authenticate(engine, "kim", PW, now=T0 + 6 * MIN)  # locked
    assert counting.verified == before + 1


# --- user management ----------------------------------------------------------------


def test_user_management_and_its_audit_entries(engine):
    assert not auth.has_users(engine)
    auth.add_user(engine, "kim", PW, role="admin", actor="cli:root")
    assert auth.has_users(engine)
    auth.add_user(engine, "lee", PW, actor="kim")
    with pytest.raises(auth.AuthError, match="이미 있는 사용자"):
        auth.add_user(engine, "lee", PW)
    auth.set_role(engine, "lee", "analyst", actor="kim")
    auth.set_password(engine, "lee", "a new long password", actor="kim")
    assert auth.authenticate(engine, "lee", PW) is None
    assert auth.authenticate(engine, "lee", "a new long password") == "analyst"
    users = auth.list_users(engine)
    assert list(users.columns) == ["name", "role", "created_at", "locked_until", "failed_count"]
    assert users["name"].tolist() == ["kim", "lee"] and users["role"].tolist() == [
        "admin",
        "analyst",
    ]
    assert str(users["created_at"].dt.tz) == "Asia/Seoul"
    auth.remove_user(engine, "lee", actor="kim")
    assert auth.list_users(engine)["name"].tolist() == ["kim"]
    assert auth.authenticate(engine, "lee", "a new long password") is None
    log = auth.read_audit(engine, limit=None).iloc[::-1]
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
        lambda e: auth.remove_user(e, "ghost"),
        lambda e: auth.set_password(e, "ghost", PW),
        lambda e: auth.set_role(e, "ghost", "admin"),
    ],
)
def test_changes_to_unknown_users_are_refused(engine, call):
    with pytest.raises(auth.AuthError, match="없는 사용자입니다: ghost"):
        call(engine)


def test_the_last_admin_stays(engine):
    auth.add_user(engine, "kim", PW, role="admin")
    with pytest.raises(auth.AuthError, match="마지막 관리자"):
        auth.remove_user(engine, "kim")
    with pytest.raises(auth.AuthError, match="마지막 관리자"):
        auth.set_role(engine, "kim", "viewer")
    auth.add_user(engine, "lee", PW, role="admin")
    auth.set_role(engine, "kim", "viewer")
    auth.remove_user(engine, "kim")
    assert auth.list_users(engine)["role"].tolist() == ["admin"]


def test_set_password_unlocks(engine):
    auth.add_user(engine, "kim", PW)
    now = pd.Timestamp.now(tz="Asia/Seoul")
    for i in range(5):
        auth.authenticate(engine, "kim", "wrong", now=now + i * pd.Timedelta(seconds=1))
    assert auth.authenticate(engine, "kim", PW) is None
    auth.set_password(engine, "kim", "the admin reset it", actor="admin")
    assert auth.read_audit(engine, limit=1)["detail"].iloc[0] == "name=kim unlocked"
    assert auth.authenticate(engine, "kim", "the admin reset it") == "viewer"


# --- audit log ----------------------------------------------------------------------


def test_audit_entries_newest_first_with_limit(engine):
    for i in range(5):
        auth.audit(engine, actor="kim", action="export", detail=f"patrol list {i}")
    log = auth.read_audit(engine, limit=3)
    assert log["detail"].tolist() == ["patrol list 4", "patrol list 3", "patrol list 2"]
    assert list(log.columns) == list(auth.AUDIT_COLUMNS)
    assert str(log["at"].dt.tz) == "Asia/Seoul"
    assert len(auth.read_audit(engine)) == 5


def test_audit_refuses_bad_actions_and_escapes_control_characters(engine):
    with pytest.raises(auth.AuthError, match="동작 이름"):
        auth.audit(engine, actor="kim", action="Export; DROP TABLE")
    with pytest.raises(auth.AuthError):
        auth.audit(engine, actor="", action="export")
    auth.audit(engine, actor="kim\nsignin.ok admin", action="export", detail="a\x1b[2Jb")
    row = auth.read_audit(engine, limit=1).iloc[0]
    assert row["actor"] == "kim\\x0asignin.ok admin" and row["detail"] == "a\\x1b[2Jb"


def test_audit_log_is_append_only(engine):
    auth.audit(engine, actor="kim", action="export", detail="brief.xlsx")
    for change in (store.audit_log.update().values(detail="nothing"), store.audit_log.delete()):
        with (
            pytest.raises(sa.exc.IntegrityError, match="append-only"),
            store.write_transaction(engine) as conn,
        ):
            conn.execute(change)
    # Nor from outside the app, with the plain sqlite3 module.
    raw = sqlite3.connect(engine.url.database)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM audit_log")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE audit_log SET actor = 'someone else'")
    raw.close()
    assert auth.read_audit(engine)["detail"].tolist() == ["brief.xlsx"]
    # And the module offers no way to change an entry.
    from pathlib import Path

    source = Path(auth.__file__).read_text(encoding="utf-8")
    assert "audit_log.update" not in source and "audit_log.delete" not in source


def test_every_action_is_recorded(engine, tmp_path, capsys):
    """signin.*, import, undo, export, user.*, backup: one of each in the log."""
    auth.add_user(engine, "kim", PW, role="admin")
    auth.add_user(engine, "lee", PW)
    auth.set_role(engine, "lee", "analyst", actor="kim")
    auth.set_password(engine, "lee", "another password", actor="kim")
    auth.authenticate(engine, "kim", PW)
    auth.authenticate(engine, "kim", "wrong")
    for i in range(5):
        auth.authenticate(engine, "lee", "wrong", now=T0 + i * MIN)
    auth.authenticate(engine, "lee", "another password", now=T0 + 5 * MIN)
    path = write_csv(tmp_path / "in.csv", incident_rows(3))
    result = auth.audited_import(engine, "lee", file=path, source="incident")
    auth.audited_undo(engine, "lee", result.batch_id)
    auth.audit(engine, actor="kim", action="export", detail="patrol list 중앙지구대.xlsx")
    auth.remove_user(engine, "lee", actor="kim")
    db = engine.url.database
    assert main(["backup", str(tmp_path / "copy.sqlite"), "--db", db]) == 0
    have = set(actions(engine))
    wanted = {
        "signin.ok",
        "signin.fail",
        "signin.locked",
        "import",
        "undo",
        "export",
        "user.add",
        "user.remove",
        "user.passwd",
        "user.role",
        "backup",
    }
    assert wanted <= have <= set(auth.ACTIONS)


def test_audited_import_and_undo(engine, tmp_path):
    path = write_csv(tmp_path / "week41.csv", incident_rows(3))
    result = auth.audited_import(engine, "analyst1", file=path, source="incident")
    entry = auth.read_audit(engine, limit=1).iloc[0]
    assert (entry["action"], entry["actor"]) == ("import", "analyst1")
    assert entry["batch_id"] == result.batch_id and entry["file_name"] == "week41.csv"
    assert entry["detail"] == "source=incident rows=3 imported=3 duplicates=0 rejected=0"
    assert auth.audited_undo(engine, "analyst1", result.batch_id) == 3
    entry = auth.read_audit(engine, limit=1).iloc[0]
    assert (entry["action"], entry["batch_id"], entry["file_name"]) == (
        "undo",
        result.batch_id,
        "week41.csv",
    )
    assert entry["detail"] == "removed=3"
    with pytest.raises(store.UnknownBatchError):
        auth.audited_undo(engine, "analyst1", "no-such-batch")
    assert len(auth.read_audit(engine)) == 2


def test_failed_import_is_audited_and_raised(engine, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["접수번호", "장소"], ["1", "용남시장"]])
    with pytest.raises(ImportFileError):
        auth.audited_import(engine, "analyst1", file=path, source="incident")
    entry = auth.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "import.fail" and entry["file_name"] == "bad.csv"
    assert "error.no_date_column" in entry["detail"]
    assert store.is_empty(engine)


def test_upload_bytes_are_audited_by_their_file_name(engine, tmp_path):
    data = write_csv(tmp_path / "x.csv", incident_rows(2)).read_bytes()
    auth.audited_import(engine, "kim", file=data, source="incident", file_name="업로드.csv")
    assert auth.read_audit(engine, limit=1)["file_name"].iloc[0] == "업로드.csv"


# --- station config -----------------------------------------------------------------

MINIMAL = """
[station]
name = "x"
[hotspots]
eps_m = 100
min_samples = 5
[geo]
boundary = "b"
townships = "t"
police_units = "p"
landmarks = "l"
"""


def test_auth_and_privacy_settings_are_read():
    st = default_station()
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (30, 5, 15)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (12, 20, False)
    assert st.sensitive_categories == (
        "sexual",
        "hidden_camera",
        "domestic",
        "child_abuse",
        "missing",
    )
    assert st.geomask_m == 100.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        st.lockout_failures = 100


def test_auth_and_privacy_defaults_when_the_sections_are_absent(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    st = load_station(path)
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (30, 5, 15)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (12, 20, False)
    assert st.sensitive_categories == default_station().sensitive_categories
    assert st.geomask_m == 100.0


def test_auth_and_privacy_values_are_taken(tmp_path):
    path = tmp_path / "station.toml"
    path.write_text(
        MINIMAL
        + "[auth]\nidle_minutes = 10\nlockout_failures = 3\nlockout_minutes = 30\n"
        + "session_hours = 8\naddress_failures = 50\nsecure_cookie = true\n"
        + '[privacy]\nsensitive_categories = ["sexual", "sexual", "missing"]\ngeomask_m = 250\n',
        encoding="utf-8",
    )
    st = load_station(path)
    assert (st.idle_minutes, st.lockout_failures, st.lockout_minutes) == (10, 3, 30)
    assert (st.session_hours, st.address_failures, st.secure_cookie) == (8, 50, True)
    assert st.sensitive_categories == ("sexual", "missing") and st.geomask_m == 250.0


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ("[auth]\nlockout_failures = 0\n", "lockout_failures must be >= 1"),
        ("[auth]\nidle_minutes = '30'\n", "idle_minutes must be a whole number"),
        ("[auth]\nlockout_minutes = 1.5\n", "lockout_minutes must be a whole number"),
        ("[auth]\nidle_minutes = true\n", "idle_minutes must be a whole number"),
        ("[auth]\nsession_hours = 0\n", "session_hours must be >= 1"),
        ("[auth]\naddress_failures = 2.5\n", "address_failures must be a whole number"),
        ("[auth]\nsecure_cookie = 'yes'\n", "secure_cookie must be true or false"),
        ("[privacy]\nsensitive_categories = ['sexual', 'burglary']\n", "unknown codes"),
        ("[privacy]\nsensitive_categories = 'sexual'\n", "must be a list"),
        ("[privacy]\ngeomask_m = 0\n", "geomask_m must be > 0"),
    ],
)
def test_auth_and_privacy_settings_are_validated(tmp_path, extra, match):
    path = tmp_path / "station.toml"
    path.write_text(MINIMAL + extra, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        load_station(path)


# --- CLI ----------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cli.sqlite")


@pytest.fixture
def typed(monkeypatch):
    """Answers for getpass.getpass, in order; the prompts are kept."""
    answers: list[str] = []
    prompts: list[str] = []

    def fake_getpass(prompt=""):
        prompts.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr("analytics.cli.people.getpass.getpass", fake_getpass)
    monkeypatch.setattr("analytics.cli.people.getpass.getuser", lambda: "officer")
    return answers, prompts


def test_cli_users_add_asks_twice(db, typed, capsys):
    answers, prompts = typed
    answers += [PW, PW]
    assert main(["users", "add", "kim", "--role", "admin", "--db", db]) == 0
    assert "사용자를 추가했습니다: kim (admin)" in capsys.readouterr().out
    assert len(prompts) == 2 and not answers
    engine = store.open_store(db)
    assert auth.authenticate(engine, "kim", PW) == "admin"
    entry = auth.read_audit(engine, limit=None).iloc[-1]
    assert (entry["actor"], entry["action"]) == ("cli:officer", "user.add")


def test_cli_users_add_refuses_a_mismatch_and_a_short_password(db, typed, capsys):
    answers, _ = typed
    answers += [PW, PW + "!"]
    assert main(["users", "add", "kim", "--db", db]) == 2
    assert "두 번 입력한 비밀번호가 서로 다릅니다" in capsys.readouterr().err
    answers += ["short", "short"]
    assert main(["users", "add", "kim", "--db", db, "--lang", "en"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert not auth.has_users(store.open_store(db))


def test_cli_users_add_checks_the_name_before_asking(db, typed, capsys):
    answers, prompts = typed
    assert main(["users", "add", "kim lee", "--db", db]) == 2
    assert "사용자 이름은" in capsys.readouterr().err and not prompts
    answers += [PW, PW]
    main(["users", "add", "kim", "--db", db])
    assert main(["users", "add", "kim", "--db", db]) == 2
    assert "이미 있는 사용자" in capsys.readouterr().err and len(prompts) == 2


def test_cli_password_from_stdin(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PW + "\n"))
    assert main(["users", "add", "kim", "--password-stdin", "--db", db]) == 0
    engine = store.open_store(db)
    assert auth.authenticate(engine, "kim", PW) == "viewer"
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\r\n"))
    assert main(["users", "passwd", "kim", "--password-stdin", "--db", db]) == 0
    assert "비밀번호를 바꿨습니다: kim" in capsys.readouterr().out
    assert auth.authenticate(engine, "kim", "a brand new password") == "viewer"


def test_cli_users_list_role_passwd_remove(db, typed, capsys):
    answers, _ = typed
    answers += [PW, PW, PW, PW]
    main(["users", "add", "kim", "--role", "admin", "--db", db])
    main(["users", "add", "lee", "--db", db])
    capsys.readouterr()
    assert main(["users", "role", "lee", "--role", "analyst", "--db", db]) == 0
    assert main(["users", "list", "--db", db, "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out.split("\n", 1)[1])  # after the role line
    assert [(u["name"], u["role"]) for u in listed] == [("kim", "admin"), ("lee", "analyst")]
    assert "argon2" not in out and "hash" not in out
    assert main(["users", "passwd", "ghost", "--db", db]) == 2
    assert "없는 사용자입니다: ghost" in capsys.readouterr().err
    answers += ["the new password", "the new password"]
    assert main(["users", "passwd", "lee", "--db", db]) == 0
    assert main(["users", "remove", "lee", "--db", db]) == 0
    assert main(["users", "remove", "kim", "--db", db]) == 2
    assert "마지막 관리자" in capsys.readouterr().err
    assert main(["users", "list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "kim" in out and "lee" not in out
    with pytest.raises(SystemExit):
        main(["users", "role", "kim", "--role", "root", "--db", db])


def test_cli_audit_shows_the_log(db, typed, tmp_path, capsys):
    answers, _ = typed
    answers += [PW, PW]
    main(["users", "add", "kim", "--db", db])
    path = write_csv(tmp_path / "in.csv", incident_rows(2))
    main(["import", "--source", "incident", str(path), "--db", db, "--json"])
    batch = json.loads(capsys.readouterr().out.split("\n", 1)[1])["batch_id"]
    main(["undo", batch, "--db", db])
    capsys.readouterr()
    assert main(["audit", "--db", db, "--json", "--limit", "2"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in log] == ["undo", "import"]
    assert {e["actor"] for e in log} == {"cli:officer"}
    assert {e["batch_id"] for e in log} == {batch} and log[1]["file_name"] == "in.csv"
    assert main(["audit", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "user.add" in out and "import" in out


def test_cli_users_never_takes_a_password_argument(db):
    with pytest.raises(SystemExit):
        main(["users", "add", "kim", "--password", PW, "--db", db])


# --- OIDC ---------------------------------------------------------------------------

OIDC_ROLES = (("kim@police.example", "analyst"),)


@pytest.mark.parametrize(
    ("verified", "expected"),
    [
        (True, "analyst"),
        ("true", "analyst"),
        (" TRUE ", "analyst"),
        (False, None),
        ("false", None),
        (None, None),  # the claim is missing
        (1, None),
        ("yes", None),
    ],
)
def test_oidc_needs_a_verified_email(verified, expected):
    from ui.auth import email_is_verified, oidc_role

    assert oidc_role("Kim@police.example", OIDC_ROLES, email_verified=verified) == expected
    assert email_is_verified(verified) is (expected is not None)


def test_oidc_refusal_messages_exist_in_both_languages():
    from ui.i18n import text

    for key in ("auth.oidc_refused", "auth.oidc_unverified"):
        assert text(key, "ko") != text(key, "en")
    assert "확인" in text("auth.oidc_unverified", "ko")


# --- sessions -----------------------------------------------------------------------


def session_rows(engine) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(store.sessions)).mappings()]


def test_a_grant_is_traded_once_for_a_session_whose_token_is_never_stored(engine):
    auth.add_user(engine, "kim", PW, role="analyst")
    grant = auth.create_grant(engine, user_name="kim", now=T0)
    token = auth.redeem_grant(engine, grant, now=T0 + pd.Timedelta(seconds=5))
    assert isinstance(token, str) and len(token) == 43 and token != grant
    assert auth.redeem_grant(engine, grant, now=T0 + pd.Timedelta(seconds=6)) is None  # once
    session = auth.session_for_token(engine, token, now=T0 + MIN)
    assert session.user_name == "kim" and session.role == "analyst"
    # The store holds hashes only: neither the token nor the grant is in the file.
    dump = "\n".join(sqlite3.connect(engine.url.database).iterdump())
    assert token not in dump and grant not in dump
    assert session_rows(engine)[0]["token_hash"] == auth._secret_hash(token)


def test_a_grant_expires_after_a_minute_and_binds_to_the_address(engine):
    auth.add_user(engine, "kim", PW)
    late = auth.create_grant(engine, user_name="kim", now=T0)
    assert auth.redeem_grant(engine, late, now=T0 + pd.Timedelta(seconds=60)) is None
    elsewhere = auth.create_grant(engine, user_name="kim", client_address="10.0.0.7", now=T0)
    assert auth.redeem_grant(engine, elsewhere, client_address="10.0.0.8", now=T0) is None
    # ... and a failed redemption uses the grant up.
    assert auth.redeem_grant(engine, elsewhere, client_address="10.0.0.7", now=T0) is None
    here = auth.create_grant(engine, user_name="kim", client_address="10.0.0.7", now=T0)
    assert auth.redeem_grant(engine, here, client_address="10.0.0.7", now=T0) is not None
    for junk in (None, "", "x", 42, "a" * 500, "grant with spaces and more than 32 chars"):
        assert auth.redeem_grant(engine, junk, now=T0) is None
    with pytest.raises(auth.AuthError, match="없는 사용자"):
        auth.create_grant(engine, user_name="nobody", now=T0)


def test_a_session_ends_after_the_idle_time(engine):
    st = dataclasses.replace(default_station(), idle_minutes=30, session_hours=12)
    auth.add_user(engine, "kim", PW)
    token = auth.create_session(engine, user_name="kim", now=T0)
    # Activity every 20 minutes keeps it alive well past 30 minutes.
    for minutes in (20, 40, 60):
        session, reason = auth.check_session(engine, token, now=T0 + minutes * MIN, station=st)
        assert reason == "ok" and session.last_seen_at == T0 + minutes * MIN
    # 30 minutes without a run: over.
    session, reason = auth.check_session(engine, token, now=T0 + 90 * MIN, station=st)
    assert session is None and reason == "idle"
    assert auth.check_session(engine, token, now=T0 + 91 * MIN, station=st) == (None, "revoked")
    entry = auth.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "session.revoked" and "reason=idle" in entry["detail"]
    assert session_rows(engine)[0]["revoked_reason"] == "idle"


def test_last_seen_is_written_at_most_once_a_minute(engine):
    auth.add_user(engine, "kim", PW)
    token = auth.create_session(engine, user_name="kim", now=T0)
    for seconds in (10, 30, 59):
        auth.check_session(engine, token, now=T0 + pd.Timedelta(seconds=seconds))
    assert auth._parse(session_rows(engine)[0]["last_seen_at"]) == T0
    auth.check_session(engine, token, now=T0 + pd.Timedelta(seconds=61))
    assert auth._parse(session_rows(engine)[0]["last_seen_at"]) == T0 + pd.Timedelta(seconds=61)


def test_a_session_ends_after_its_absolute_lifetime_however_active(engine):
    st = dataclasses.replace(default_station(), idle_minutes=30, session_hours=2)
    auth.add_user(engine, "kim", PW)
    token = auth.create_session(engine, user_name="kim", now=T0)
    for minutes in range(10, 120, 10):
        assert auth.session_for_token(engine, token, now=T0 + minutes * MIN, station=st)
    assert auth.check_session(engine, token, now=T0 + 120 * MIN, station=st) == (None, "expired")


def test_the_role_is_read_at_every_look_up(engine):
    auth.add_user(engine, "kim", PW, role="admin")
    auth.add_user(engine, "lee", PW, role="analyst")
    token = auth.create_session(engine, user_name="lee", now=T0)
    assert auth.session_for_token(engine, token, now=T0).role == "analyst"
    auth.set_role(engine, "lee", "viewer")
    assert auth.session_for_token(engine, token, now=T0 + MIN).role == "viewer"


def test_sign_out_revokes_one_session(engine):
    auth.add_user(engine, "kim", PW)
    first = auth.create_session(engine, user_name="kim", now=T0)
    second = auth.create_session(engine, user_name="kim", now=T0)
    assert auth.revoke_session(engine, first, now=T0 + MIN) is True
    assert auth.revoke_session(engine, first, now=T0 + MIN) is False  # harmless twice
    assert auth.check_session(engine, first, now=T0 + MIN) == (None, "revoked")
    assert auth.session_for_token(engine, second, now=T0 + MIN).user_name == "kim"
    assert actions(engine).count("signout") == 1
    assert auth.revoke_session(engine, "not-a-token", now=T0) is False
    with pytest.raises(ValueError, match="reason"):
        auth.revoke_session(engine, second, reason="because")


def test_a_password_change_ends_every_session_of_that_user(engine):
    auth.add_user(engine, "kim", PW)
    auth.add_user(engine, "lee", PW)
    kims = [auth.create_session(engine, user_name="kim", now=T0) for _ in range(2)]
    lees = auth.create_session(engine, user_name="lee", now=T0)
    grant = auth.create_grant(engine, user_name="kim", now=T0)
    auth.set_password(engine, "kim", PW + "!", actor="admin1")
    for token in kims:
        assert auth.session_for_token(engine, token, now=T0 + MIN) is None
    assert auth.redeem_grant(engine, grant, now=T0 + MIN) is None  # issued before the change
    assert auth.session_for_token(engine, lees, now=T0 + MIN) is not None
    entry = auth.read_audit(engine, limit=1).iloc[0]
    assert entry["action"] == "session.revoked" and entry["actor"] == "admin1"
    assert entry["detail"] == "name=kim sessions=2 reason=password"


def test_removing_a_user_ends_their_sessions(engine):
    auth.add_user(engine, "kim", PW, role="admin")
    auth.add_user(engine, "lee", PW)
    token = auth.create_session(engine, user_name="lee", now=T0)
    auth.remove_user(engine, "lee", actor="kim")
    assert auth.check_session(engine, token, now=T0 + MIN) == (None, "unknown")
    assert session_rows(engine) == []
    assert actions(engine)[-2:] == ["session.revoked", "user.remove"]
    # A new user of the same name does not inherit the old session.
    auth.add_user(engine, "lee", PW)
    assert auth.session_for_token(engine, token, now=T0 + MIN) is None


def test_revoke_sessions_and_junk_tokens(engine):
    auth.add_user(engine, "kim", PW)
    token = auth.create_session(engine, user_name="kim", now=T0)
    assert auth.revoke_sessions(engine, "kim", reason="admin", actor="cli:root", now=T0) == 1
    assert auth.revoke_sessions(engine, "kim", reason="admin", actor="cli:root", now=T0) == 0
    assert auth.session_for_token(engine, token, now=T0) is None
    for junk in (None, "", "short", "x" * 43 + "!", 12345, b"bytes" * 10):
        assert auth.session_for_token(engine, junk, now=T0) is None
    assert auth.check_session(engine, None) == (None, "none")
    assert auth.check_session(engine, "A" * 43) == (None, "unknown")
