"""Who is who: roles, the rules for user names and passwords, and client addresses.

Roles nest: ``admin`` ⊃ ``analyst`` ⊃ ``viewer`` (:func:`role_allows`). A user name or
password that breaks a rule is refused with :class:`AuthError`, whose sentence comes
from the catalogue (``analytics/text/access.toml``) in Korean or English.

This is the ground floor of :mod:`analytics.access`: the audit log
(:mod:`~analytics.access.audit`), sessions (:mod:`~analytics.access.sessions`) and
users (:mod:`~analytics.access.users`) all build on it, and it imports none of them.
"""

from __future__ import annotations

import unicodedata

from analytics.text import text

ROLES = ("viewer", "analyst", "admin")
NAME_MAX = 40
PASSWORD_MIN = 10
PASSWORD_MAX = 1024
# How long an actor (a name as typed) may be in the audit log; longer text is cut.
_ACTOR_MAX = 200


class AuthError(ValueError):
    """A user name, password, role or user change that cannot be accepted.

    ``key`` names the refusal (``auth.bad_name``, ``auth.no_user`` …) and ``params``
    fill its sentence, the catalogue entry ``access.<key>``; ``text(lang)`` gives it
    in Korean or English. The exception's own message is the Korean sentence.
    """

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.text("ko"))

    def text(self, lang: str = "ko") -> str:
        """The refusal in ``lang`` ('ko' or 'en'; any other language reads Korean)."""
        return text(f"access.{self.key}", lang, **self.params)


def role_allows(role: str | None, needed: str) -> bool:
    """True when ``role`` may do what ``needed`` may (admin ⊃ analyst ⊃ viewer).

    An unknown or missing ``role`` allows nothing; an unknown ``needed`` is an error.
    """
    if needed not in ROLES:
        raise AuthError("auth.bad_role", role=printable(str(needed)))
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def check_role(role: str) -> str:
    """``role`` when it is one of :data:`ROLES`, or :class:`AuthError`."""
    if role not in ROLES:
        raise AuthError("auth.bad_role", role=printable(str(role)))
    return role


def printable(value: str, limit: int = _ACTOR_MAX) -> str:
    """``value`` with control and format characters escaped, cut to ``limit``: safe to log.

    A name typed at the sign-in page or a file name from an upload ends up in the
    audit log and in error messages; escaping keeps a line break or a terminal
    escape in it from forging a second line or repainting a terminal.
    """
    out = "".join(_escape(c) for c in value[: limit + 1])
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
        raise AuthError("auth.bad_name", name=printable(repr(name)), max=NAME_MAX)
    norm = unicodedata.normalize("NFC", name)
    bad = any(c.isspace() or unicodedata.category(c).startswith("C") for c in norm)
    if not 1 <= len(norm) <= NAME_MAX or bad:
        raise AuthError("auth.bad_name", name=printable(name, 60), max=NAME_MAX)
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


def client_key(client_address: str | None) -> str:
    """The address sign-in failures and sessions are recorded under.

    This machine (None, empty, ``127.0.0.1``, ``::1``: Streamlit reports a local
    browser as None) is ``local``; anything else is kept as given, cut to 64 characters.
    """
    value = "" if client_address is None else str(client_address).strip()
    if value in ("", "127.0.0.1", "::1", "localhost"):
        return "local"
    return printable(value, 64)
