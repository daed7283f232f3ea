"""Personal-data masking of free text on import.

Descriptions typed by officers and citizens carry phone numbers, resident
registration numbers (주민등록번호) and e-mail addresses. They are replaced by fixed
tokens before anything is stored, so the store never holds them.

Rules run in order: e-mail first (a local part may be a phone number), then resident
numbers (13 digits the phone rule would otherwise half-eat), then phones. A number
is only taken whole: never when it starts or ends inside a longer run of digits or a
decimal, so dates (2017-10-10, 20171010), times, UTM-K coordinates (989485.77) and
case ids (2017-001234) are left alone.

The patterns avoid lookarounds so that pandas hands them to the arrow (RE2) kernel,
about ten times faster than Python's ``re`` per row. The number boundaries are
therefore matched and put back (groups 1 and 2), and each rule runs twice: a
boundary character taken by one match cannot start the next, so of two numbers
separated by one character the second is only caught by the second pass.

Known limits, erring towards masking: any 8 digits shaped 15xx/16xx/18xx-xxxx are
taken for a representative number (so "1600-1800" is masked), and a number of up to
four digits followed by a space goes with a phone after it. Local numbers written
without an area code (625-1234) and resident numbers with a space or no hyphen whose
first six digits are not a date are not masked.
"""

from __future__ import annotations

import re

import pandas as pd

PHONE_TOKEN = "[전화번호]"
RRN_TOKEN = "[주민번호]"
EMAIL_TOKEN = "[이메일]"

# Before a number: the start, or a character that is neither a digit nor the "." of
# a decimal such as 35.0101234567. ``\Z`` (not ``$``) so a trailing newline does not
# send pandas back to Python's re.
_LEAD = r"(^|^[.]|[^0-9.]|[^0-9][.])"
# After a number: the end, or not a digit and not "-digit"/".digit" (a longer code).
_TRAIL = r"(\Z|[^0-9.-]|[.-]\Z|[.-][^0-9])"

_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}"

_RRN = (
    # With a hyphen the shape is enough; "*" covers half-masked 900101-1******.
    r"[0-9]{6} ?- ?[1-8*][0-9*]{6}"
    # With a space or nothing, the first six digits must read as YYMMDD, so that a
    # pair of integer coordinates such as "989485 1712481" is not taken for one.
    r"|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]) ?[1-8][0-9]{6}"
)

_SEP = "[-. ]?"
_AREA = r"2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70"  # 02 Seoul ... 064 Jeju, 070 internet
_PHONE = (
    # A short number and a space just before the phone go with it: otherwise
    # "010 010 1234 5678" would match as "010 010 1234" and leave "5678" behind.
    r"(?:[0-9]{1,4} )?(?:"
    # After a trunk 0 or +82 (also "+82 (0)10"): mobile, area, 080/060, 050x.
    r"(?:[+] ?82[-. ]?(?:[(]0[)] ?|0)?|0)"
    rf"(?:1[016789]|{_AREA}|80|60|50[0-9])(?:[)] ?|{_SEP})[0-9]{{3,4}}{_SEP}[0-9]{{4}}"
    # "(063)625-1234"
    rf"|[(]0(?:{_AREA})[)] ?[0-9]{{3,4}}{_SEP}[0-9]{{4}}"
    # Representative numbers: 1588-1234, 1644 1234, 18001234.
    rf"|1[568][0-9]{{2}}{_SEP}[0-9]{{4}}"
    r")"
)


def _bounded(body: str) -> str:
    return f"{_LEAD}(?:{body}){_TRAIL}"


# (pattern, replacement, passes), in the order they must run.
_RULES: tuple[tuple[str, str, int], ...] = (
    (_EMAIL, EMAIL_TOKEN, 1),
    (_bounded(_RRN), rf"\1{RRN_TOKEN}\2", 2),
    (_bounded(_PHONE), rf"\1{PHONE_TOKEN}\2", 2),
)
_COMPILED = tuple((re.compile(p), r, n) for p, r, n in _RULES)


def _encodable(value) -> str:
    return str(value).encode("utf-8", "replace").decode("utf-8")


def mask_pii(text: str | None) -> str | None:
    """Mask phone numbers, resident registration numbers and e-mails in one text.

    Parameters
    ----------
    text : str or None
        Free text. None, NaN and NA give None; other values go through ``str``.

    Returns
    -------
    str or None
        ``text`` with each match replaced by ``[전화번호]``, ``[주민번호]`` or
        ``[이메일]``. Idempotent; same result as :func:`mask_series`.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return None
    text = str(text)
    for pattern, repl, passes in _COMPILED:
        for _ in range(passes):
            text = pattern.sub(repl, text)
    return text


def mask_series(values: pd.Series) -> pd.Series:
    """Mask personal data in a column of free text; vectorised :func:`mask_pii`.

    Parameters
    ----------
    values : Series, shape (n,)
        Text; other non-null values go through ``str``.

    Returns
    -------
    Series of dtype ``string``, shape (n,)
        Same index and name; nulls (None, NaN, NA) stay null.
    """
    try:
        text = values.astype("string")
    except UnicodeEncodeError:
        # Lone surrogates (bytes kept by "surrogateescape") cannot go to arrow.
        text = values.map(_encodable, na_action="ignore").astype("string")
    for pattern, repl, passes in _RULES:
        for _ in range(passes):
            text = text.str.replace(pattern, repl, regex=True)
    return text
