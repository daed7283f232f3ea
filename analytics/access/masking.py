"""Personal-data masking of free text on import.

Descriptions typed by officers and citizens carry phone numbers, resident
registration numbers (주민등록번호) and e-mail addresses. They are replaced by fixed
tokens before anything is stored, so the store never holds them.

People do not type them in ASCII only: Korean IMEs and word processors give full-width
digits (０１０-１２３４-５６７８), en/em dashes and the minus sign, and many write the
Hangul vowel ㅡ as a dash (010ㅡ1234ㅡ5678). The rules therefore run on a *matching
view* of the text, not on the text itself: every character is folded on its own
(NFKC when that yields ASCII, any dash to "-", ㅡ/一/─ to "-" and ·/ㆍ to "." when
they stand between digits, invisible format characters such as U+200B dropped), and
an index map from view to text lets each match replace exactly the characters it
came from. Everything around a match stays as written, full-width colon and all.
Spaces around a separator ("010 - 1234 - 5678", "kim @ police.kr") and "(at)"/"[at]"
for "@" are left to the patterns.

Rules run in order: e-mail first (a local part may be a phone number), then resident
numbers (13 digits the phone rule would otherwise half-eat), then phones. A number
is only taken whole: never when it starts or ends inside a longer run of digits or a
decimal, so dates (2017-10-10, 20171010), times, UTM-K coordinates (989485.77) and
case ids (2017-001234) are left alone, in any of the variants above too.

The patterns avoid lookarounds so that pandas hands them to the arrow (RE2) kernel,
about ten times faster than Python's ``re`` per row. :func:`mask_series` folds in
Python only the rows holding a character outside a set known to fold to itself, matches
their views in arrow too, and sends through :func:`mask_pii` only those where something
matched. The number boundaries are matched and put back (groups 1 and 2), and each
rule runs twice: a boundary character taken by one match cannot start the next, so of
two numbers separated by one character the second is only caught by the second pass.

Known limits, erring towards masking: any 8 digits shaped 15xx/16xx/18xx-xxxx are
taken for a representative number (so "1600-1800" is masked), and a number of up to
four digits followed by a space goes with a phone after it. Local numbers written
without an area code (625-1234) and resident numbers with a space or no hyphen whose
first six digits are not a date are not masked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PHONE_TOKEN = "[전화번호]"
RRN_TOKEN = "[주민번호]"
EMAIL_TOKEN = "[이메일]"

# ---------------------------------------------------------------------------
# The matching view.

# Dashes that NFKC leaves alone (or turns into U+2010) but people put in numbers.
_DASHES = frozenset(
    "\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d"
)
# Characters that are a separator only between digits: elsewhere ㅡ is a vowel or an
# emoticon ("ㅡㅡ;"), 一 the Hanja "one" and · a list mark, and must not become
# punctuation that would change where a number is allowed to start or end.
_DIGIT_JOINERS = {
    "\u3161": "-",  # ㅡ Hangul compatibility vowel EU, typed as a dash on 2-set keyboards
    "\u1173": "-",  # ᅳ its conjoining form (what NFKC makes of ㅡ)
    "\u4e00": "-",  # 一 Hanja "one", offered for ㅡ by the Hanja key
    "\u30fc": "-",  # ー katakana prolonged sound mark
    "\u2500": "-",  # ─ box drawing, offered by the ㅂ+한자 symbol menu
    "\u2501": "-",  # ━
    "\u00b7": ".",  # · middle dot
    "\u318d": ".",  # ㆍ Hangul araea, the dot of the 천지인 keypad
    "\u30fb": ".",  # ・ katakana middle dot
    "\u2027": ".",  # ‧ hyphenation point
}
# Characters that fold to themselves, so that text made only of them (nearly all
# Korean free text) is matched as it is, in arrow too. Checked exhaustively by the
# tests; a character left out merely costs its text a fold in Python.
_IDENTITY_RANGES = (
    r"\x00-\x7f"  # ASCII, escaped so that the pattern holds no control characters
    "\uac00-\ud7a3"  # Hangul syllables
    "\u3131-\u3160\u3162-\u318c\u318e"  # compatibility jamo but ㅡ and ㆍ
    "\u4e01-\u9fff"  # CJK ideographs but 一
    "\u00b0\u00d7\u00f7\u2018-\u2022\u2030\u203b\u2103"  # ° × ÷ ‘’“” • ‰ ※ ℃
    "\u3001-\u3006\u3008-\u301b"  # 、。〃 〈〉《》「」『』【】〔〕
    "\u2190-\u21ff\u25a0-\u25ff\u2600-\u26ff"  # arrows, shapes, symbols
    "\U0001f300-\U0001faff"  # emoji
)
_FOLDS_SOMETHING = f"[^{_IDENTITY_RANGES}]"
_UNFOLDED = re.compile(f"[{_IDENTITY_RANGES}]*")


def _fold(char: str) -> str:
    """What one character is in the matching view, regardless of its neighbours."""
    if char in _DIGIT_JOINERS:
        return char  # decided by _matching_view, which sees the neighbours
    if char in _DASHES:
        return "-"
    if unicodedata.category(char) == "Cf":
        # Zero-width spaces, joiners, soft hyphens: invisible, so dropped inside numbers.
        return ""
    folded = unicodedata.normalize("NFKC", char)
    if folded in _DASHES:
        return "-"
    # Only ASCII results matter to the patterns; other changes (ㄱ to its conjoining
    # form, ㈜ to "(주)") could only move boundaries for no gain.
    return folded if folded.isascii() else char


class _FoldTable(dict):
    """``str.translate`` table of :func:`_fold`, filled as characters are met.

    Folding whole texts in C keeps the rows that need a view nearly as cheap as
    those that do not; the table only grows to the characters the texts hold.
    """

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()
_HAS_JOINER = re.compile(f"[{''.join(_DIGIT_JOINERS)}]")
# A joiner between digits, spaces allowed ("010 ㅡ 1234"); the right digit is only
# looked at, so that it can be the left digit of the next joiner.
_JOINER_BETWEEN_DIGITS = re.compile(f"([0-9] *)([{''.join(_DIGIT_JOINERS)}])(?= *[0-9])")
# Every rule needs a digit, an "@" or an "(at)" in the view.
_MAYBE_PII = re.compile("[0-9@]|[Aa][Tt]")


def _matching_view(text: str) -> str:
    """Fold ``text`` for matching.

    Parameters
    ----------
    text : str
        Text as stored.

    Returns
    -------
    str
        ``text`` with full-width forms, dashes and separators between digits in
        ASCII and format characters dropped; ``text`` itself when nothing folds.
    """
    if _UNFOLDED.fullmatch(text):
        return text
    view = text.translate(_FOLD_TABLE)
    if _HAS_JOINER.search(view):
        view = _JOINER_BETWEEN_DIGITS.sub(lambda match: match[1] + _DIGIT_JOINERS[match[2]], view)
    # Returning ``text`` itself tells mask_pii it can substitute in place.
    return text if view == text else view


def _origins(text: str) -> list[int]:
    """For each character of ``_matching_view(text)``, its index in ``text``."""
    # A character stands for as many as it folds to; a joiner for one, folded or not.
    return [i for i, char in enumerate(text) for _ in _FOLD_TABLE[ord(char)]]


# ---------------------------------------------------------------------------
# The patterns, written for the ASCII of the matching view.

# Before a number: the start, or a character that is neither a digit nor the "." of
# a decimal such as 35.0101234567. ``\Z`` (not ``$``) so a trailing newline does not
# send pandas back to Python's re.
_LEAD = r"(^|^[.]|[^0-9.]|[^0-9][.])"
# After a number: the end, or not a digit and not "-digit"/".digit" (a longer code).
_TRAIL = r"(\Z|[^0-9.-]|[.-]\Z|[.-][^0-9])"

_EMAIL = (
    r"[A-Za-z0-9._%+-]+"
    # "kim @ police.kr", "kim(at)police.kr", "kim [AT] police.kr"
    r" *(?:@|[(\[] *[Aa][Tt] *[)\]]) *"
    r"[A-Za-z0-9-]+(?:[.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}"
)

_RRN = (
    # With a hyphen the shape is enough; "*" covers half-masked 900101-1******.
    r"[0-9]{6} *- *[1-8*][0-9*]{6}"
    # With a space or nothing, the first six digits must read as YYMMDD, so that a
    # pair of integer coordinates such as "989485 1712481" is not taken for one.
    r"|[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]) ?[1-8][0-9]{6}"
)

# Between the groups of a phone: "-" or "." with any spaces around, one space, or
# nothing. Only one lone space, as the short number taken before a phone allows only
# one: with wider gaps "010  010 1234 5678" would be read as "010  010 1234".
_SEP = "(?: *[-.] *| )?"
_AREA = r"2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70"  # 02 Seoul ... 063 Namwon ... 064 Jeju, 070
_PHONE = (
    # A short number and a space just before the phone go with it: otherwise
    # "010 010 1234 5678" would match as "010 010 1234" and leave "5678" behind.
    r"(?:[0-9]{1,4} )?(?:"
    # After a trunk 0 or +82 (also "+82 (0)10"): mobile, area, 080/060, 050x.
    rf"(?:[+] *82{_SEP}(?:[(]0[)] *|0)?|0)"
    rf"(?:1[016789]|{_AREA}|80|60|50[0-9])(?:[)] *|{_SEP})[0-9]{{3,4}}{_SEP}[0-9]{{4}}"
    # "(063)625-1234"
    rf"|[(] *0(?:{_AREA}) *[)] *[0-9]{{3,4}}{_SEP}[0-9]{{4}}"
    # Representative numbers: 1588-1234, 1644 1234, 18001234.
    rf"|1[568][0-9]{{2}}{_SEP}[0-9]{{4}}"
    r")"
)


@dataclass(frozen=True)
class _Rule:
    """One kind of personal data: its pattern, its token and how often it runs."""

    pattern: str
    token: str
    passes: int
    # Bounded patterns match the characters around the number as groups 1 and 2.
    bounded: bool

    @property
    def replacement(self) -> str:
        return rf"\1{self.token}\2" if self.bounded else self.token


def _bounded(body: str) -> str:
    return f"{_LEAD}(?:{body}){_TRAIL}"


# What a phone match can leave behind: digits typed just before a phone can join its
# first group into a shorter phone ("02000 0500 000 0000" reads as 02-000-0500 and
# leaves "000 0000"). Groups shaped like a phone's last two, right after a phone
# token, go with it (erring towards masking).
_PHONE_TAIL = rf"(\[{PHONE_TOKEN[1:-1]}\]){_SEP}[0-9]{{3,4}}{_SEP}[0-9]{{4}}{_TRAIL}"

# In the order they must run.
_RULES: tuple[_Rule, ...] = (
    _Rule(_EMAIL, EMAIL_TOKEN, 1, bounded=False),
    _Rule(_bounded(_RRN), RRN_TOKEN, 2, bounded=True),
    _Rule(_bounded(_PHONE), PHONE_TOKEN, 2, bounded=True),
    # Group 1 is the token itself: the tail after it is replaced by nothing.
    _Rule(_PHONE_TAIL, "", 1, bounded=True),
)
_COMPILED = tuple((re.compile(rule.pattern), rule) for rule in _RULES)
# Any rule at all, in one RE2 pass. A text none of the rules matches comes out of
# every pass as it went in (a pass only changes text its own rule matched), so only
# the texts this finds need the passes: record ids are unique per row and nearly
# never hold a phone, and six passes over a million of them took 0.4 s.
# RE2 spells Python's end anchor \Z as \z (pandas translates it for the passes).
_ANY_RULE = "|".join(f"(?:{rule.pattern})" for rule in _RULES).replace(r"\Z", r"\z")


def _mask_view(pattern: re.Pattern[str], rule: _Rule, text: str, view: str) -> str:
    """One pass of ``rule`` matched on ``view``, with the matches replaced in ``text``."""
    pieces: list[str] = []
    done = 0  # text[:done] is already in pieces
    origin: list[int] = []  # built on the first match: most texts have none
    for match in pattern.finditer(view):
        origin = origin or _origins(text)
        start, end = (match.end(1), match.start(2)) if rule.bounded else match.span()
        # A character that folded to several (㉑ to "21") is taken whole.
        first, last = max(origin[start], done), origin[end - 1] + 1
        if last > first:
            pieces += [text[done:first], rule.token]
            done = last
    return "".join([*pieces, text[done:]]) if pieces else text


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
        ``[이메일]``, and every other character as it was. Idempotent; same result
        as :func:`mask_series`.
    """
    if text is None or text is pd.NA or (isinstance(text, float) and text != text):
        return None
    text = str(text)
    view = _matching_view(text)
    if not _MAYBE_PII.search(view):
        return text
    for pattern, rule in _COMPILED:
        for _ in range(rule.passes):
            if view is text:
                text = view = pattern.sub(rule.replacement, text)
                continue
            masked = _mask_view(pattern, rule, text, view)
            if masked is not text:
                # Masking changes what is between digits, so fold again.
                text = masked
                view = _matching_view(text)
    return text


def _matches_any_rule(text: pd.Series) -> np.ndarray:
    """Rows of ``text`` where some rule matches (null rows: False)."""
    hit = pc.match_substring_regex(pa.array(text.array), _ANY_RULE)
    return hit.to_numpy(zero_copy_only=False).astype(bool, copy=False) & text.notna().to_numpy()


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
    # Rows with characters that fold are matched on their view, in arrow as well. A
    # view nothing matches in leaves its text as it was; the few that do match need
    # the index map back to the text, which only mask_pii has.
    folds = text.str.contains(_FOLDS_SOMETHING, regex=True, na=False).to_numpy(dtype=bool)
    subject = text
    if folds.any():
        subject = text.copy()
        subject[folds] = text[folds].map(_matching_view)
    masked = subject
    candidates = _matches_any_rule(subject)
    if candidates.any():
        found = subject[candidates]
        for rule in _RULES:
            for _ in range(rule.passes):
                found = found.str.replace(rule.pattern, rule.replacement, regex=True)
        masked = subject.copy()
        masked[candidates] = found
    if folds.any():
        matched = folds & (masked != subject).fillna(False).to_numpy(dtype=bool)
        masked[folds] = text[folds]
        masked[matched] = text[matched].map(mask_pii)
    return masked
