"""Personal-data masking: what is masked, what is left alone, and properties."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from analytics.access import masking
from analytics.access.masking import mask_pii, mask_series

P, R, E = "[전화번호]", "[주민번호]", "[이메일]"

MASKED = [
    # mobile phones, every way people write them
    ("010-1234-5678", P),
    ("01012345678", P),
    ("010 1234 5678", P),
    ("010.1234.5678", P),
    ("011-123-4567", P),
    ("016-1234-5678", P),
    ("019 123 4567", P),
    ("+82 10-1234-5678", P),
    ("+82-10-1234-5678", P),
    ("+82 10 1234 5678", P),
    ("+821012345678", P),
    ("+82 (0)10-1234-5678", P),
    # area codes, internet phones, 050x, representative numbers
    ("(063)625-1234", P),
    ("(063) 625-1234", P),
    ("063)625-1234", P),
    ("063-625-1234", P),
    ("0636251234", P),
    ("02-123-4567", P),
    ("02-1234-5678", P),
    ("(02) 1234-5678", P),
    ("0212345678", P),
    ("031-123-4567", P),
    ("055.123.4567", P),
    ("070-1234-5678", P),
    ("0505-123-4567", P),
    ("1588-1234", P),
    ("1644 1234", P),
    ("18001234", P),
    # resident registration numbers, also foreigners' (5-8) and half-masked ones
    ("900101-1234567", R),
    ("9001011234567", R),
    ("900101 1234567", R),
    ("900101 - 2234567", R),
    ("000229-3234567", R),
    ("900101-5234567", R),
    ("900101-1******", R),
    # a 13-digit resident number that starts like a mobile phone: not half-eaten
    ("0101011234567", R),
    ("010101-3123456", R),
    # e-mail
    ("hong@example.com", E),
    ("a.b-c+d@mail.co.kr", E),
    ("Hong.GilDong@Naver.COM", E),
    # in Korean sentences, without spaces around
    ("신고자 010-1234-5678 연락 바람", f"신고자 {P} 연락 바람"),
    ("연락처:01012345678입니다", f"연락처:{P}입니다"),
    ("전화(010-1234-5678)로", f"전화({P})로"),
    ("Tel.010-1234-5678", f"Tel.{P}"),
    ("주민번호900101-1234567확인", f"주민번호{R}확인"),
    ("메일은hong@example.com로", f"메일은{E}로"),
    ("신고자 010-1234-5678, hong@example.com, 900101-1234567", f"신고자 {P}, {E}, {R}"),
    # several, even when only one character apart
    ("010-1234-5678,010-2345-6789,010-3456-7890", f"{P},{P},{P}"),
    ("010-1234-5678/02-123-4567", f"{P}/{P}"),
    # a short number just before a spaced phone goes with it, so nothing is left over
    ("010 010 1234 5678", P),
    ("1588 1588 1234", P),
    ("여러줄\n010-1234-5678\n끝", f"여러줄\n{P}\n끝"),
    ("010-1234-5678\n", f"{P}\n"),
    # Written the way Korean keyboards, IMEs and word processors write them: other
    # dashes, full-width forms, ㅡ for a dash, spaces around the separators.
    ("010 - 1234 - 5678", P),
    ("010 -1234- 5678", P),
    ("010–1234–5678", P),  # en dash
    ("010—1234—5678", P),  # em dash
    ("010−1234−5678", P),  # minus sign
    ("010‐1234‑5678", P),  # hyphen, non-breaking hyphen
    ("010‒1234―5678", P),  # figure dash, horizontal bar
    ("010﹣1234－5678", P),  # small and full-width hyphen-minus
    ("010ㅡ1234ㅡ5678", P),
    ("010 ㅡ 1234 ㅡ 5678", P),
    ("010一1234一5678", P),  # the Hanja "one" the Hanja key offers for ㅡ
    ("010·1234·5678", P),
    ("010ㆍ1234ㆍ5678", P),
    ("０１０-１２３４-５６７８", P),
    ("０１０１２３４５６７８", P),
    ("０１０ㅡ１２３４ㅡ５６７８", P),
    ("010\u3000\u20131234\u00a0\u20135678", P),  # ideographic and no-break spaces
    ("010\u200b1234\u200b5678", P),  # zero-width spaces
    ("＋８２ １０－１２３４－５６７８", P),
    ("+82 10 ㅡ 1234 ㅡ 5678", P),
    ("063 - 625 - 1234", P),
    ("063–625–1234", P),
    ("０６３ㅡ６２５ㅡ１２３４", P),
    ("（０６３）６２５－１２３４", P),
    ("( 063 ) 625 - 1234", P),
    ("02–123–4567", P),
    ("1588–1234", P),
    ("900101–1234567", R),
    ("900101—1234567", R),
    ("900101ㅡ1234567", R),
    ("900101 – 1234567", R),
    ("９００１０１-１２３４５６７", R),
    ("９００１０１１２３４５６７", R),
    ("900101－1******", R),
    ("kim @ police.kr", E),
    ("kim＠police.kr", E),
    ("ｋｉｍ＠ｐｏｌｉｃｅ．ｋｒ", E),
    ("kim(at)police.kr", E),
    ("kim [at] police.kr", E),
    ("Kim (AT) Police.Go.Kr", E),
    # Only the number is replaced: the text around it stays as written.
    ("연락처：０１０－１２３４－５６７８입니다", f"연락처：{P}입니다"),
    ("ㅡㅡ 010ㅡ1234ㅡ5678 ㅡㅡ;", f"ㅡㅡ {P} ㅡㅡ;"),
    ("신고자（０１０ㅡ１２３４ㅡ５６７８）", f"신고자（{P}）"),
    ("１번 010–1234–5678, ２번 ９００１０１–１２３４５６７", f"１번 {P}, ２번 {R}"),
    ("메일 ｋｉｍ ＠ ｐｏｌｉｃｅ．ｋｒ 로", f"메일 {E} 로"),
    ("010–1234–5678／063–625–1234", f"{P}／{P}"),
    ("010ㅡ1234ㅡ5678ㅡ가", f"{P}ㅡ가"),
]

LEFT_ALONE = [
    "2017-10-10",
    "2017.10.10",
    "2017. 10. 10.",
    "20171010",
    "201710102135",
    "20171010213500",
    "2017년 10월 10일",
    "2017-10-10 21:35",
    "21:35",
    "21시 35분",
    "989485.77",
    "1712481.37",
    "989485.77 1712481.37",
    "x=989485.77, y=1712481.37",
    "989485 1712481",  # integer UTM-K pair: not a resident number (month 94)
    "35.4080 127.3842",
    "35.0101234567",  # a latitude whose decimals look like a phone
    "2017-001234",
    "사건번호 2017-001234 접수",
    "2017-0012345",
    "남원시 향교동 123-4",
    "C0 코드 112 신고",
    "hong@",
    "@example.com",
    "",
    "가로등이 어두워요",
    # The same dates, times, amounts and case numbers in the variants that are masked
    # in phone numbers.
    "2017–10–10",
    "2017 - 10 - 10",
    "２０１７-１０-１０",
    "２０１７．１０．１０．",
    "2017ㅡ10ㅡ10",
    "2017·10·10",
    "２０１７１０１０",
    "2017-10-10 ～ 2017-10-12",
    "２１：３５",
    "21:35~23:00",
    "1,000,000원",
    "１,０００,０００원",
    "1,588,000원",
    "금액 12,345,678원",
    "사건번호 2017–001234 접수",
    "２０１７-００１２３４",
    "제2017ㅡ00123호",
    "2017고단1234",
    "남원시 향교동 123ㅡ4",
    # ㅡ, 一 and · are only separators between digits
    "ㅡㅡ;",
    "010ㅡㅡ",
    "一二三",
    "가·나·다",
    # a number with more digits than a phone on either side of it
    "010–1234–5678–9",
    "1010–1234–5678",
    "kim @ police",
    "kim at police.kr",
    "3 @ 2.5kg",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_masks(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_leaves_alone(text):
    assert mask_pii(text) == text


@pytest.mark.parametrize(("value", "expected"), [(None, None), (np.nan, None), (pd.NA, None)])
def test_null_stays_null(value, expected):
    assert mask_pii(value) is expected


def test_series_matches_tables_and_keeps_nulls_and_index():
    texts = [t for t, _ in MASKED] + LEFT_ALONE + [None, np.nan]
    expected = [e for _, e in MASKED] + LEFT_ALONE + [None, None]
    index = pd.Index([f"r{i}" for i in range(len(texts))][::-1])
    out = mask_series(pd.Series(texts, index=index, dtype=object, name="description"))
    assert out.dtype == "string" and out.name == "description"
    assert out.index.equals(index)
    assert out.isna().tolist() == [e is None for e in expected]
    assert [None if pd.isna(v) else v for v in out] == expected


def test_series_of_other_dtypes():
    assert mask_series(pd.Series(["010-1234-5678", None], dtype="str")).tolist()[0] == P
    assert mask_series(pd.Series([20171010, 7])).tolist() == ["20171010", "7"]
    assert mask_series(pd.Series([], dtype=object)).empty


# ---------------------------------------------------------------------------
# Properties.

HANGUL = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
# Context often ends (or starts) with digits, the hard case: "02 010 1234 5678".
DIGITS = st.one_of(
    st.just(""),
    st.text("0123456789", max_size=5),
    st.sampled_from(["0", "02", "010", "063", "1588", "+82", "900101", "3."]),
)
PREFIX = st.tuples(st.text(st.one_of(HANGUL, ASCII), max_size=12), DIGITS).map("".join)
SUFFIX = st.tuples(DIGITS, st.text(st.one_of(HANGUL, ASCII), max_size=12)).map("".join)
SEPARATOR = st.one_of(st.just(" "), HANGUL)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


AREA_CODES = ("02", "031", "032", "033", "041", "042", "043", "044", "051", "052", "053")
AREA_CODES += ("054", "055", "061", "062", "063", "064")


@st.composite
def phones(draw) -> str:
    sep = draw(st.sampled_from(["-", ".", " ", ""]))
    kind = draw(st.sampled_from(["mobile", "area", "paren", "intl", "070", "050", "rep"]))
    last = draw(_digits(4))
    mid = draw(st.one_of(_digits(3), _digits(4)))
    if kind == "rep":
        return draw(st.sampled_from(["15", "16", "18"])) + draw(_digits(2)) + sep + last
    if kind == "050":
        return f"050{draw(_digits(1))}{sep}{mid}{sep}{last}"
    if kind == "paren":
        area = draw(st.sampled_from(AREA_CODES))
        return f"({area}){draw(st.sampled_from(['', ' ']))}{mid}-{last}"
    if kind == "intl":
        lead = draw(st.sampled_from(["+82 ", "+82-", "+82"]))
        return f"{lead}1{draw(st.sampled_from('016789'))}{sep}{mid}{sep}{last}"
    prefix = {
        "mobile": st.sampled_from(["010", "011", "016", "017", "018", "019"]),
        "area": st.sampled_from(AREA_CODES),
        "070": st.just("070"),
    }[kind]
    return f"{draw(prefix)}{sep}{mid}{sep}{last}"


@st.composite
def resident_numbers(draw) -> str:
    born = draw(st.dates(min_value=pd.Timestamp("1900-01-01").date()))
    sep = draw(st.sampled_from(["-", " ", ""]))
    return f"{born:%y%m%d}{sep}{draw(st.sampled_from('12345678'))}{draw(_digits(6))}"


LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)


@st.composite
def emails(draw) -> str:
    local = draw(LABEL) + draw(st.text("abcxyz019._-+", max_size=6)) + draw(LABEL)
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    tld = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6))
    return f"{local}@{'.'.join(labels)}.{tld}"


def _assert_gone(secret: str, prefix: str, suffix: str, out: str) -> None:
    assert secret not in out
    # No group of three or more of its digits survives (beyond those in the context).
    for group in re.findall(r"[0-9]{3,}", secret):
        assert out.count(group) <= prefix.count(group) + suffix.count(group), (group, out)


@settings(max_examples=300)
@given(phones(), PREFIX, SUFFIX, SEPARATOR, SEPARATOR)
def test_any_phone_in_any_text_is_masked(phone, prefix, suffix, left, right):
    out = mask_pii(prefix + left + phone + right + suffix)
    _assert_gone(phone, prefix, suffix, out)
    assert P in out


@settings(max_examples=300)
@given(resident_numbers(), PREFIX, SUFFIX, SEPARATOR, SEPARATOR)
def test_any_resident_number_in_any_text_is_masked(rrn, prefix, suffix, left, right):
    out = mask_pii(prefix + left + rrn + right + suffix)
    _assert_gone(rrn, prefix, suffix, out)
    assert R in out


@settings(max_examples=300)
@given(emails(), PREFIX, SUFFIX, SEPARATOR, SEPARATOR)
def test_any_email_in_any_text_is_masked(email, prefix, suffix, left, right):
    assume("@" not in prefix + suffix)
    out = mask_pii(prefix + left + email + right + suffix)
    assert email not in out and "@" not in out and E in out


TEXT = st.one_of(
    st.text(),
    st.text(
        st.one_of(HANGUL, st.sampled_from("0123456789-. +()@abc*\n０５ㅡ－–＠·\u3000\u200b")),
        max_size=40,
    ),
)


@given(TEXT)
def test_masking_is_idempotent(text):
    once = mask_pii(text)
    assert mask_pii(once) == once


# ---------------------------------------------------------------------------
# Properties of the variants: numbers and addresses rendered the way Korean
# keyboards, IMEs and word processors render them, inside Korean text that must come
# out exactly as it went in.

DASHES = "-‐‑‒–—―−﹣－ㅡ一─"  # ASCII, Unicode dashes, ㅡ and what stands in for it
SPACES = " \u00a0\u3000"  # plain, no-break, ideographic
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Full-width forms of the printable ASCII but the space (＠, ｋ, ．, ...).
_WIDEN = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


@st.composite
def dashes(draw) -> str:
    """A dash of any kind with or without spaces around it: "-", " – ", "ㅡ "."""
    space = st.sampled_from(["", *SPACES])
    return draw(space) + draw(st.sampled_from(DASHES)) + draw(space)


def separators(*, dots: bool) -> st.SearchStrategy[str]:
    others = ["", *SPACES, "\u200b"] + ([".", "·", "ㆍ", " . "] if dots else [])
    return st.one_of(dashes(), st.sampled_from(others))


@st.composite
def digits_written(draw, digits: str) -> str:
    """``digits`` with each digit in ASCII or full-width."""
    wide = draw(st.lists(st.booleans(), min_size=len(digits), max_size=len(digits)))
    return "".join(d.translate(FULL_WIDTH) if w else d for d, w in zip(digits, wide, strict=True))


@st.composite
def phones_written(draw) -> tuple[str, str]:
    """A phone number in any variant, and the subscriber digits it must not leak."""
    kind = draw(st.sampled_from(["mobile", "area", "paren", "intl", "rep"]))
    mid, last = draw(st.one_of(_digits(3), _digits(4))), draw(_digits(4))
    sep = separators(dots=True)
    if kind == "rep":
        groups = [draw(st.sampled_from(["15", "16", "18"])) + draw(_digits(2)), last]
    elif kind == "mobile":
        groups = [draw(st.sampled_from(["010", "011", "016", "017", "018", "019"])), mid, last]
    else:
        groups = [draw(st.sampled_from((*AREA_CODES, "070"))), mid, last]
    written = [draw(digits_written(g)) for g in groups]
    if kind == "paren":
        opening, closing = draw(st.sampled_from(["()", "（）"]))
        space = draw(st.sampled_from(["", " "]))
        return f"{opening}{written[0]}{closing}{space}{written[1]}{draw(sep)}{written[2]}", last
    number = written[0] + "".join(draw(sep) + g for g in written[1:])
    if kind == "intl":
        plus = draw(st.sampled_from(["+82", "＋８２", "+８２"]))
        number = plus + draw(st.sampled_from(["", " ", "-", "－", " ㅡ "])) + number[1:]
    return number, last


@st.composite
def resident_numbers_written(draw) -> tuple[str, str]:
    """A resident number in any variant, and the seven back digits it must not leak."""
    born = draw(st.dates(min_value=pd.Timestamp("1900-01-01").date()))
    back = draw(st.sampled_from("12345678")) + draw(_digits(6))
    sep = draw(st.one_of(dashes(), st.sampled_from(["", " ", "\u3000", "\u200b"])))
    return draw(digits_written(f"{born:%y%m%d}")) + sep + draw(digits_written(back)), back


@st.composite
def emails_written(draw) -> tuple[str, str]:
    """An e-mail address in any variant, and its plain form, which must not leak."""
    plain = draw(emails())
    local, domain = plain.split("@")
    at = draw(st.sampled_from(["@", "＠", " @ ", "@ ", " ＠ ", "(at)", "[at]", " (AT) "]))
    written = f"{local}{at}{domain}"
    if draw(st.booleans()):
        written = unicodedata.normalize("NFKC", written).translate(_WIDEN)
    return written, plain


# Korean text with the punctuation and look-alikes that sit next to numbers; no
# digits, so that every digit in the output would be one of the secret's.
KOREAN = st.text(
    st.one_of(HANGUL, st.sampled_from([" ", ",", ".", ":", "：", "(", ")", "ㅡ", "·", "-", "\n"])),
    max_size=12,
)
# E-mail context has no "." or "-": they may start a local part ("가.kim@x.kr").
KOREAN_AROUND_EMAIL = st.text(
    st.one_of(HANGUL, st.sampled_from([" ", ",", ":", "ㅡ"])), max_size=12
)


def _ascii_digits(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c in "0123456789")


@settings(max_examples=300)
@given(phones_written(), KOREAN, KOREAN)
def test_any_written_phone_is_masked_and_the_text_around_kept(phone, before, after):
    number, last = phone
    out = mask_pii(before + number + after)
    assert last not in _ascii_digits(out)
    assert out == before + P + after


@settings(max_examples=300)
@given(resident_numbers_written(), KOREAN, KOREAN)
def test_any_written_resident_number_is_masked_and_the_text_around_kept(rrn, before, after):
    number, back = rrn
    out = mask_pii(before + number + after)
    assert back not in _ascii_digits(out)
    assert out == before + R + after


@settings(max_examples=300)
@given(emails_written(), KOREAN_AROUND_EMAIL, KOREAN_AROUND_EMAIL)
def test_any_written_email_is_masked_and_the_text_around_kept(email, before, after):
    written, plain = email
    out = mask_pii(before + written + after)
    assert plain.split("@")[0] not in unicodedata.normalize("NFKC", out)
    assert out == before + E + after


@st.composite
def not_personal_data(draw) -> str:
    """Dates, times, amounts and case numbers, written in the same variants."""
    year = str(draw(st.integers(1950, 2030)))
    month, day = f"{draw(st.integers(1, 12)):02d}", f"{draw(st.integers(1, 28)):02d}"
    sep = draw(separators(dots=True))
    kind = draw(st.sampled_from(["date", "time", "amount", "case"]))
    if kind == "date":
        parts = [year, month, day]
    elif kind == "time":
        parts = [f"{draw(st.integers(0, 23)):02d}", f"{draw(st.integers(0, 59)):02d}"]
        sep = draw(st.sampled_from([":", "：", "시 "]))
    elif kind == "amount":
        parts = [str(draw(st.integers(1, 999)))] + [draw(_digits(3)) for _ in range(2)]
        sep = draw(st.sampled_from([",", "，"]))
    else:
        parts = [year, "00" + draw(_digits(4))]
    return sep.join(draw(digits_written(p)) for p in parts)


@settings(max_examples=300)
@given(not_personal_data(), KOREAN, KOREAN)
def test_dates_times_amounts_and_case_numbers_in_any_variant_are_left_alone(text, before, after):
    assert mask_pii(before + text + after) == before + text + after


# Any text, personal data as it is typed included.
ANY_TEXT = st.one_of(
    TEXT,
    phones(),
    resident_numbers(),
    emails(),
    st.one_of(phones_written(), resident_numbers_written(), emails_written()).map(
        lambda written: written[0]
    ),
)


# deadline=None: each call makes several arrow passes, slow on a busy shared machine.
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), ANY_TEXT),
        max_size=20,
    )
)
def test_series_and_scalar_agree(values):
    # mask_series runs the patterns in RE2 (arrow), mask_pii in Python's re.
    out = mask_series(pd.Series(values, dtype=object))
    assert [None if pd.isna(v) else v for v in out] == [mask_pii(v) for v in values]


def test_characters_of_the_fast_path_fold_to_themselves():
    # mask_pii and mask_series skip folding for text made only of these characters.
    unfolded = [chr(c) for c in range(0x110000) if masking._UNFOLDED.fullmatch(chr(c))]
    assert len(unfolded) > 30_000
    assert [c for c in unfolded if masking._fold(c) != c or c in masking._DIGIT_JOINERS] == []


@given(TEXT)
def test_every_character_of_the_view_maps_back_to_the_text(text):
    # The index map is what puts a token exactly where the number was written.
    view = masking._matching_view(text)
    origins = masking._origins(text)
    assert len(origins) == len(view)
    assert origins == sorted(origins) and all(0 <= i < len(text) for i in origins)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Found by Hypothesis: "02000 0500" read as 02-000-0500 left "000 0000" behind.
        ("02000 0500 000 0000 ", "[전화번호] "),
        ("02000 0500-000-0000", "02000 [전화번호]"),
        # A year after a phone is not a phone's tail.
        ("연락처 010-1234-5678 2017년", "연락처 [전화번호] 2017년"),
    ],
)
def test_no_tail_of_a_phone_is_left_behind(text, expected):
    assert mask_pii(text) == expected
    assert mask_series(pd.Series([text]))[0] == expected


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, KOREAN, KOREAN)
def test_only_texts_some_rule_matches_go_through_the_passes(text, before, after):
    # mask_series runs its passes only where the one-pass union of the rules matches
    # the matching view: every text it skips must be one mask_pii leaves as it was.
    written = [before + text + after, text, text + "\n"]
    views = pd.Series([masking._matching_view(v) for v in written], dtype="string")
    skipped = ~masking._matches_any_rule(views)
    changed = [mask_pii(v) != v for v in written]
    assert [v for v, s, c in zip(written, skipped, changed, strict=True) if s and c] == []


@pytest.mark.parametrize(
    "text",
    ["010-1234-5678", "연락 010-1234-5678\n", "900101-1234567", "kim@police.kr", "1588-1234"],
)
def test_the_union_of_the_rules_finds_numbers_at_the_end_of_a_text(text):
    # RE2 spells the end anchor \z: a number that ends the text must still be found.
    assert masking._matches_any_rule(pd.Series([text], dtype="string")).tolist() == [True]
