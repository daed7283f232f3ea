"""Roles, the rules for user names and passwords, and the OIDC role mapping."""

from __future__ import annotations

import unicodedata

import pytest

from analytics.access import identity, users
from tests.access.conftest import PW

pytestmark = pytest.mark.usefixtures("fast_hashing")


# --- roles --------------------------------------------------------------------------


def test_roles_nest():
    assert identity.ROLES == ("viewer", "analyst", "admin")
    allowed = {(r, n) for r in identity.ROLES for n in identity.ROLES if identity.role_allows(r, n)}
    assert allowed == {
        ("viewer", "viewer"),
        ("analyst", "viewer"),
        ("analyst", "analyst"),
        ("admin", "viewer"),
        ("admin", "analyst"),
        ("admin", "admin"),
    }
    assert not identity.role_allows(None, "viewer")
    assert not identity.role_allows("superuser", "viewer")
    with pytest.raises(identity.AuthError):
        identity.role_allows("admin", "root")


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "a" * 41, "kim lee", "kim\tlee", "kim\x00", "ki\u200bm", " "])
def test_bad_names_are_refused_with_a_korean_message(engine, name):
    with pytest.raises(identity.AuthError) as err:
        users.add_user(engine, name, PW)
    assert err.value.key == "auth.bad_name"
    assert "사용자 이름은 1~40자" in err.value.text("ko") and "1–40" in err.value.text("en")
    assert isinstance(err.value, ValueError)
    assert not users.has_users(engine)


def test_names_are_unicode_normalised(engine):
    users.add_user(engine, "김경위", PW)
    decomposed = unicodedata.normalize("NFD", "김경위")
    assert decomposed != "김경위"
    assert users.authenticate(engine, decomposed, PW) == "viewer"
    with pytest.raises(identity.AuthError, match="이미 있는 사용자"):
        users.add_user(engine, decomposed, PW)
    assert identity.check_name("a" * 40) == "a" * 40


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
    with pytest.raises(identity.AuthError) as err:
        users.add_user(engine, "officer_kim_01", password)
    assert err.value.key == key and err.value.text("ko") != err.value.text("en")
    assert not users.has_users(engine)


def test_short_password_message_says_ten():
    with pytest.raises(identity.AuthError) as err:
        identity.check_password("abc")
    assert err.value.text() == "비밀번호는 10자 이상이어야 합니다"
    assert identity.check_password("비밀번호는열자이상입니다") == "비밀번호는열자이상입니다"


def test_bad_role_is_refused(engine):
    with pytest.raises(identity.AuthError, match="알 수 없는 역할"):
        users.add_user(engine, "kim", PW, role="root")


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
