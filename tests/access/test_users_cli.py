"""The command line's users and audit commands."""

from __future__ import annotations

import io
import json

import pytest

from analytics.access import audit, users
from analytics.cli import main
from analytics.storage import store
from tests.access.conftest import PW
from tests.conftest import write_csv
from tests.storage.test_import_files import incident_rows

pytestmark = pytest.mark.usefixtures("fast_hashing")


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
    assert "사용자를 추가했습니다: kim (admin, namwon)" in capsys.readouterr().out
    assert len(prompts) == 2 and not answers
    engine = store.open_store(db)
    assert users.authenticate(engine, "kim", PW) == "admin"
    entry = audit.read_audit(engine, limit=None).iloc[-1]
    assert (entry["actor"], entry["action"]) == ("cli:officer", "user.add")


def test_cli_users_add_refuses_a_mismatch_and_a_short_password(db, typed, capsys):
    answers, _ = typed
    answers += [PW, PW + "!"]
    assert main(["users", "add", "kim", "--db", db]) == 2
    assert "두 번 입력한 비밀번호가 서로 다릅니다" in capsys.readouterr().err
    answers += ["short", "short"]
    assert main(["users", "add", "kim", "--db", db, "--lang", "en"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert not users.has_users(store.open_store(db))


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
    assert users.authenticate(engine, "kim", PW) == "viewer"
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new password\r\n"))
    assert main(["users", "passwd", "kim", "--password-stdin", "--db", db]) == 0
    assert "비밀번호를 바꿨습니다: kim" in capsys.readouterr().out
    assert users.authenticate(engine, "kim", "a brand new password") == "viewer"


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
