"""Dates, times and time slots as police, city and card exports write them.

One column can mix formats (a clerk types ``2017. 10. 10.``, Excel stores the next
row as serial 43018), so every row is parsed on its own, but without a Python loop
per row: each pattern runs on the rows still unparsed, in pyarrow's RE2 kernel, and
the timestamps are built from the integer parts at once.

Naive values are wall-clock time in the station's zone
(:func:`analytics.station.clock.zone`); values with an offset (``+09:00``, ``Z``, ``KST``)
are converted. Anything that cannot be read exactly, including
impossible dates such as 2017-02-30, gives NaT: never a guess, never an exception.

Rejected on purpose, because they are ambiguous:

- day-first or month-first dates (``10/10/2017``; ``10-10-17`` reads as 2010-10-17),
  unless the caller says which (``day_first``): the importer decides per file, never
  per row (:mod:`analytics.storage.importers.date_order`);
  a two-digit year is only read year-first and with ``.`` or ``-``, as 20xx;
- six-digit compact dates (``171010``), partial dates (``2017``, ``2017-10``);
- ``24:00`` and other impossible clock times;
- years outside 1900–2100 (typos such as ``0217``; also keeps ``datetime64[ns]``
  in range).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.station import clock

_EPOCH_EXCEL = pd.Timestamp("1899-12-30")  # serial 0; Lotus' 1900 leap-year bug included
_SERIAL_RANGE = (20000, 80000)  # 1954-10-03 .. 2119-01-10: plausible, and not a yyyymmdd
_YEAR_RANGE = (1900, 2100)
_DIGIT_STRINGS = (1e7, 1e14)  # 8- to 14-digit numbers are yyyymmdd[HHMM[SS]] typed as numbers

# ---------------------------------------------------------------------------
# Patterns, for RE2: named groups only, "[0-9]" and " " (spaces are normalised first).

_AM_PM_EN = "[AaPp][.]?[Mm][.]?"
_TIME = (
    rf"(?:(?P<ap>오전|오후|새벽|아침|낮|저녁|밤|{_AM_PM_EN}) ?)?"
    r"(?P<h>[0-9]{1,2})"
    r"(?::(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"| ?시(?: ?(?P<mk>[0-9]{1,2}) ?분?| ?(?P<half>반))?(?: ?(?P<sk>[0-9]{1,2}) ?초)?)"
    rf"(?: ?(?P<ap2>{_AM_PM_EN}))?"
)
_TZ = r"(?: ?(?:(?P<tzz>[Zz]|UTC|GMT|KST)|(?P<tzs>[+-])(?P<tzh>[0-9]{2}):?(?P<tzm>[0-9]{2})?))?"
_WEEKDAY = r"(?: ?[(]?[월화수목금토일](?:요일)?[)]?)?"
# Police reports write "21:35경" (about 21:35).
_ABOUT = r"(?: ?(?:경|쯤|무렵))?"

_SEPARATED = (
    # 2017-10-10, 2017/10/10, 2017. 10. 10., 17.10.10, then an optional time.
    r"^(?:(?P<y>[0-9]{4}) ?[-./]|(?P<yy>[0-9]{2}) ?[-.]) ?(?P<mo>[0-9]{1,2}) ?[-./] ?"
    rf"(?P<d>[0-9]{{1,2}})[.]?{_WEEKDAY}(?:(?:(?P<iso>[Tt])| +){_TIME}{_TZ})?{_ABOUT}$"
)
_KOREAN = (
    r"^(?:(?P<y>[0-9]{4})|(?P<yy>[0-9]{2})) ?년 ?(?P<mo>[0-9]{1,2}) ?월 ?"
    rf"(?P<d>[0-9]{{1,2}}) ?일{_WEEKDAY}(?: ?{_TIME}{_TZ})?{_ABOUT}$"
)
_COMPACT = (
    r"^(?P<y>[0-9]{4})(?P<mo>[0-9]{2})(?P<d>[0-9]{2})"
    r"(?:[Tt ]?(?P<h2>[0-9]{2})(?P<mi2>[0-9]{2})(?P<s2>[0-9]{2})?"
    rf"|(?:(?P<iso>[Tt])| +){_TIME}{_TZ})?{_ABOUT}$"
)
_SERIAL = r"^(?P<serial>[0-9]{5}(?:[.][0-9]+)?)$"
_DATE_PATTERNS = (_SEPARATED, _KOREAN, _COMPACT)
# 25/10/2017 or 10/25/2017 (also with . or -, and a time): read only in the order the
# file's other rows decide (analytics.storage.importers.date_order), never row by row.
DAY_MONTH = (
    r"^(?P<p1>[0-9]{1,2}) ?(?P<sep>[-./]) ?(?P<p2>[0-9]{1,2}) ?[-./] ?(?P<y>[0-9]{4})"
    rf"(?:(?:(?P<iso>[Tt])| +){_TIME}{_TZ})?{_ABOUT}$"
)

_CLOCK = rf"^{_TIME}{_ABOUT}$"
# 935, 2135 or 213500; not 21350, which could be 2:13:50 as well as 21:35:0.
_CLOCK_COMPACT = (
    r"^(?:(?P<h2>[0-9]{1,2})(?P<mi2>[0-9]{2})|(?P<h3>[0-9]{2})(?P<mi3>[0-9]{2})(?P<s3>[0-9]{2}))$"
)

# Morning words: 12 o'clock is 0 h. Afternoon words: 1-11 o'clock add 12 h.
_AM_WORDS = frozenset({"오전", "새벽", "아침", "am"})
_PM_WORDS = frozenset({"오후", "낮", "저녁", "밤", "pm"})
# "10일 밤 12시" is the midnight that ends the 10th.
_MIDNIGHT_WORDS = frozenset({"저녁", "밤"})

# Unicode spaces (NBSP from Excel, the ideographic space) become plain ones.
_SPACES = "[\t\n\r\f\v \u00a0\u2000-\u200b\u3000]+"


# ---------------------------------------------------------------------------
# Arrow helpers. pandas 3 runs ``str.extract`` row by row in Python even for arrow
# strings, so the patterns go to pyarrow's RE2 kernel directly.


def _arrow_text(values: pd.Series) -> pa.Array:
    """Cells as one arrow string array, spaces normalised and stripped; nulls kept."""
    try:
        strings = values.astype("string[pyarrow]")
    except UnicodeEncodeError:
        # Lone surrogates (bytes kept by "surrogateescape") cannot go to arrow, and
        # cannot be part of a date either.
        strings = values.map(_encodable, na_action="ignore").astype("string[pyarrow]")
    arr = pa.array(strings.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.replace_substring_regex(arr, _SPACES, " ")
    return pc.utf8_trim_whitespace(arr)


def _encodable(value) -> str:
    return str(value).encode("utf-8", "replace").decode("utf-8")


def _extract(text: pa.Array, pattern: str) -> tuple[np.ndarray, pa.StructArray]:
    """Rows of ``text`` that match ``pattern`` (bool, shape (n,)) and their groups."""
    found = pc.extract_regex(text, pattern)
    hit = _bools(found.is_valid())
    return hit, found.filter(pa.array(hit))


def _bools(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False).astype(bool)


def _field(parts: pa.StructArray, *names: str) -> pa.Array | None:
    """The first non-empty group of ``names`` (RE2 gives "" for a group not taken)."""
    out = None
    for name in names:
        if parts.type.get_field_index(name) < 0:
            continue
        col = parts.field(name)
        col = pc.if_else(pc.equal(col, ""), pa.scalar(None, col.type), col)
        out = col if out is None else pc.coalesce(out, col)
    return out


def _num(parts: pa.StructArray, *names: str) -> np.ndarray:
    """:func:`_field` as float64 (NaN when absent); the groups hold only digits."""
    col = _field(parts, *names)
    if col is None:
        return np.full(len(parts), np.nan)
    return pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)


def _word_in(parts: pa.StructArray, words: frozenset[str], *names: str) -> np.ndarray:
    """Whether the word group (lower-cased, dots dropped: "P.M." = "pm") is in ``words``."""
    col = _field(parts, *names)
    if col is None:
        return np.zeros(len(parts), bool)
    col = pc.replace_substring(pc.utf8_lower(col), ".", "")
    return _bools(pc.is_in(col, value_set=pa.array(sorted(words), type=col.type)))


# ---------------------------------------------------------------------------
# From extracted groups to naive wall-clock datetime64[ns].

_NAT = np.datetime64("NaT", "ns")


def _clock_seconds(parts: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds after midnight and nanoseconds from the time groups of ``parts``.

    Parameters
    ----------
    parts : StructArray, length n
        Groups of :data:`_TIME` or the compact patterns; absent groups are fine.

    Returns
    -------
    seconds : ndarray of float64, shape (n,)
        0 where there is no time, NaN for an impossible one; ``밤 12시`` gives 86400
        (the midnight that ends the day).
    nanos : ndarray of float64, shape (n,)
        Fraction of the second in nanoseconds (0 when absent).
    """
    hour = _num(parts, "h", "h2", "h3")
    minute = _num(parts, "mi", "mk", "mi2", "mi3")
    second = _num(parts, "s", "sk", "s2", "s3")
    minute = np.where(_present(parts, "half") & np.isnan(minute), 30.0, minute)
    hour = np.nan_to_num(hour, nan=0.0)
    minute = np.nan_to_num(minute, nan=0.0)
    second = np.nan_to_num(second, nan=0.0)

    am = _word_in(parts, _AM_WORDS, "ap", "ap2")
    pm = _word_in(parts, _PM_WORDS, "ap", "ap2")
    midnight = _word_in(parts, _MIDNIGHT_WORDS, "ap") & (hour == 12)
    bad = am & (hour > 12)
    hour = np.where(am & (hour == 12), 0.0, hour)
    hour = np.where(pm & (hour <= 11), hour % 12 + 12, hour)  # 오후 0시 is noon too
    hour = np.where(midnight, 24.0, hour)
    bad |= (
        ((hour > 23) & ~midnight)
        | (minute > 59)
        | (second > 59)
        | (midnight & ((minute > 0) | (second > 0)))
    )
    seconds = np.where(bad, np.nan, hour * 3600 + minute * 60 + second)

    nanos = np.zeros(len(parts))
    frac = _field(parts, "f")
    if frac is not None:
        frac = pc.utf8_rpad(frac, width=9, padding="0")
        nanos = np.nan_to_num(pc.cast(frac, pa.float64()).to_numpy(zero_copy_only=False))
    return seconds, nanos


def _offset_minutes(parts: pa.StructArray) -> np.ndarray:
    """UTC offset in minutes from the zone groups: NaN when naive, inf when impossible."""
    out = np.full(len(parts), np.nan)
    named = _field(parts, "tzz")
    if named is not None:
        named = pc.utf8_upper(named)
        out[_bools(pc.is_in(named, value_set=pa.array(["Z", "UTC", "GMT"])))] = 0.0
        out[_bools(pc.equal(named, "KST"))] = 540.0
    hours = _num(parts, "tzh")
    if not np.isnan(hours).all():
        sign = np.where(_bools(pc.equal(_field(parts, "tzs"), "-")), -1.0, 1.0)
        signed = sign * (hours * 60 + np.nan_to_num(_num(parts, "tzm"), nan=0.0))
        # "21:00-02:00" is a range, not 21:00 at UTC-2: a numeric offset only counts
        # in ISO form, after a "T" or after seconds.
        iso = _present(parts, "iso") | _present(parts, "s")
        signed = np.where(iso & (np.abs(signed) <= 18 * 60), signed, np.inf)
        out = np.where(np.isnan(hours), out, signed)
    return out


def _present(parts: pa.StructArray, name: str) -> np.ndarray:
    col = _field(parts, name)
    return np.zeros(len(parts), bool) if col is None else _bools(col.is_valid())


def _calendar(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[D] of the given float parts; NaT for NaN, out of range or 02-30."""
    ok = (
        ~np.isnan(year + month + day)
        & (year >= _YEAR_RANGE[0])
        & (year <= _YEAR_RANGE[1])
        & (month >= 1)
        & (month <= 12)
        & (day >= 1)
        & (day <= 31)
    )
    y = np.where(ok, year, 1970).astype("int64")
    m = np.where(ok, month, 1).astype("int64")
    d = np.where(ok, day, 1).astype("int64")
    first = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    date = first.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= date.astype("datetime64[M]") == first  # day 30 of February rolls into March
    return np.where(ok, date, np.datetime64("NaT", "D"))


def _naive_from_parts(parts: pa.StructArray) -> tuple[np.ndarray, np.ndarray]:
    """Naive wall-clock datetime64[ns] and offsets (minutes) from date and time groups."""
    year = _num(parts, "y")
    year = np.where(np.isnan(year), _num(parts, "yy") + 2000, year)
    date = _calendar(year, _num(parts, "mo"), _num(parts, "d"))
    seconds, nanos = _clock_seconds(parts)
    offset = _offset_minutes(parts)
    ok = ~np.isnat(date) & ~np.isnan(seconds) & ~np.isinf(offset)
    clock = np.where(ok, seconds * 1e9 + nanos, 0).astype("int64").astype("timedelta64[ns]")
    naive = np.where(ok, date.astype("datetime64[ns]") + clock, _NAT)
    return naive, np.where(ok, offset, np.nan)


def _serial_to_naive(serial: np.ndarray) -> np.ndarray:
    """Excel serial days to naive datetime64[ns]; NaT outside the plausible range."""
    ok = (serial >= _SERIAL_RANGE[0]) & (serial <= _SERIAL_RANGE[1])
    # Whole seconds: Excel's binary fractions make 21:00 into 20:59:59.99999.
    secs = np.round(np.where(ok, serial, 0.0) * 86400.0).astype("int64")
    out = np.datetime64(_EPOCH_EXCEL, "ns") + secs.astype("timedelta64[s]")
    return np.where(ok, out, _NAT)


# Formats an export writes every row in, tried as a whole column in C before the
# patterns: the one that reads most of the first rows is applied to all of them, and
# only the rows it cannot read go through the patterns (which read them the same way).
_DOMINANT_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y%m%d%H%M",
)
_SNIFF_ROWS = 200


def _parse_dominant(text: pa.Array, todo: np.ndarray, naive: np.ndarray) -> None:
    """Parse the rows written in the column's commonest plain format, in place.

    Rows it reads get their naive wall time and leave ``todo``; a year outside the
    accepted range is left to the patterns, which refuse it as they always did.
    """
    rows = np.flatnonzero(todo)
    if len(rows) < _SNIFF_ROWS:
        return  # a small file: the patterns are fast enough
    sample = text.take(pa.array(rows[:_SNIFF_ROWS]))
    best, best_hits = None, _SNIFF_ROWS // 2  # a format must read most of the sample
    for fmt in _DOMINANT_FORMATS:
        hits = pc.strptime(sample, format=fmt, unit="s", error_is_null=True).is_valid()
        count = pc.sum(hits).as_py() or 0
        if count > best_hits:
            best, best_hits = fmt, count
    if best is None:
        return
    parsed = pc.strptime(text, format=best, unit="s", error_is_null=True)
    seconds = pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False)
    stamps = seconds.astype("datetime64[s]")
    years = stamps.astype("datetime64[Y]").astype(np.int64) + 1970
    ok = (
        _bools(parsed.is_valid())
        & todo
        & (years >= _YEAR_RANGE[0])
        & (years <= _YEAR_RANGE[1])
        & _read_alike(text, stamps, best)
    )
    naive[ok] = stamps[ok].astype("datetime64[ns]")
    todo[ok] = False


def _read_alike(text: pa.Array, stamps: np.ndarray, fmt: str) -> np.ndarray:
    """Rows strptime read as the patterns would: zero-padded to the format's width (it
    also reads "2017-1-5"), and with the day it was given (it rolls 30 February over
    into March, which the patterns refuse)."""
    width, day_at, at = 0, None, 0
    parts = iter(fmt)
    for ch in parts:
        if ch != "%":
            at += 1
            continue
        code = next(parts)
        if code == "d":
            day_at = at
        at += 4 if code == "Y" else 2
    width = at
    ok = _bools(pc.equal(pc.utf8_length(text), width))
    if day_at is not None:
        given = pc.utf8_slice_codeunits(text, day_at, day_at + 2)
        # Text of the same width in another form ("2017년 10월 10일 오후 9시") has no day
        # digits there: such a row is left to the patterns, not cast.
        ok &= _bools(pc.match_substring_regex(given, r"^[0-9][0-9]$"))
        given = pc.cast(pc.if_else(pa.array(ok), given, "0"), pa.int64()).to_numpy()
        days = stamps.astype("datetime64[D]") - stamps.astype("datetime64[M]")
        ok &= given == days.astype(np.int64) + 1
    return ok


def _day_month_parts(parts: pa.StructArray, day_first: bool) -> pa.StructArray:
    """The groups of :data:`DAY_MONTH` named as day and month in the file's order."""
    first, second = ("d", "mo") if day_first else ("mo", "d")
    names = [{"p1": first, "p2": second}.get(f.name, f.name) for f in parts.type]
    return pa.StructArray.from_arrays([parts.field(i) for i in range(len(names))], names=names)


def _parse_text(
    text: pa.Array,
    patterns: tuple[str, ...] = (*_DATE_PATTERNS, _SERIAL),
    day_first: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Naive wall time and offset (minutes; NaN = naive) of normalised strings; with
    ``day_first``, day/month/year dates too, read in that order."""
    if day_first is not None:
        patterns = (*patterns, DAY_MONTH)
    n = len(text)
    naive = np.full(n, _NAT)
    offset = np.full(n, np.nan)
    todo = _bools(pc.greater(pc.utf8_length(text), 0))
    if patterns[0] is _DATE_PATTERNS[0]:
        _parse_dominant(text, todo, naive)
    for pattern in patterns:
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        hit, parts = _extract(text.take(pa.array(rows)), pattern)
        if not hit.any():
            continue
        hit_rows = rows[hit]
        if pattern is DAY_MONTH:
            parts = _day_month_parts(parts, bool(day_first))
        if pattern is _SERIAL:
            naive[hit_rows] = _serial_to_naive(_num(parts, "serial"))
        else:
            naive[hit_rows], offset[hit_rows] = _naive_from_parts(parts)
        todo[hit_rows] = False  # matched: an impossible date stays NaT
    return naive, offset


def _numbers_to_naive(num: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel serials, and 8–14-digit yyyymmdd[HHMM[SS]] typed as numbers."""
    naive = _serial_to_naive(num)
    offset = np.full(len(num), np.nan)
    with np.errstate(invalid="ignore"):
        digits = (num >= _DIGIT_STRINGS[0]) & (num < _DIGIT_STRINGS[1]) & (num == np.floor(num))
    if digits.any():
        text = pa.array(num[digits].astype("int64").astype(str))
        naive[digits], offset[digits] = _parse_text(text)
    return naive, offset


def _objects_to_naive(objs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """datetime/date/Timestamp/datetime64 objects → naive wall time and offset."""
    naive = np.full(len(objs), _NAT)
    offset = np.full(len(objs), np.nan)
    for i, v in enumerate(objs):  # rare in text exports: a loop is fine
        try:
            ts = pd.Timestamp(v)
        except (ValueError, OverflowError, TypeError):
            continue
        if ts is pd.NaT or not (_YEAR_RANGE[0] <= ts.year <= _YEAR_RANGE[1]):
            continue
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
            offset[i] = 0.0
        naive[i] = ts.as_unit("ns").to_datetime64()
    return naive, offset


def _localise(naive: np.ndarray, offset: np.ndarray, timezone: str) -> pd.Series:
    """Wall time in ``timezone`` (offset NaN), else wall time at ``offset`` → aware."""
    wall = pd.Series(naive, dtype="datetime64[ns]")
    # ambiguous: the standard-time reading; nonexistent: the moment after the gap.
    local = wall.dt.tz_localize(
        timezone, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward"
    )
    has_offset = ~np.isnan(offset)
    if has_offset.any():
        utc = wall - pd.to_timedelta(np.where(has_offset, offset, 0.0), unit="min")
        local = local.where(~has_offset, utc.dt.tz_localize("UTC").dt.tz_convert(timezone))
    return local.astype(f"datetime64[ns, {timezone}]")


def _as_float(value) -> float:
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return math.nan


# Kinds of cell in an object column. NaN is a number (it reads as blank anyway).
_OTHER, _BLANK, _STR, _NUM, _DATETIME, _TIME_OF_DAY = range(6)


def _kind(value) -> int:
    if isinstance(value, str):
        return _STR
    if value is None or value is pd.NA:
        return _BLANK
    if isinstance(value, bool | np.bool_):
        return _OTHER
    if isinstance(value, int | float | np.integer | np.floating):
        return _NUM
    if isinstance(value, dt.date | np.datetime64):  # datetime and Timestamp are dates
        return _BLANK if pd.isna(value) else _DATETIME
    if isinstance(value, dt.time):
        return _TIME_OF_DAY
    return _OTHER


def _kinds(obj: np.ndarray) -> np.ndarray:
    """The kind of each cell of an object array, shape (n,) of int8."""
    return np.fromiter(map(_kind, obj), np.int8, len(obj))


# ---------------------------------------------------------------------------
# Public functions.


def parse_datetimes(
    values: pd.Series, *, timezone: str | None = None, day_first: bool | None = None
) -> pd.Series:
    """Parse a column of dates or date-times written any of the usual Korean ways.

    Accepted per row (formats may be mixed): ``2017-10-10 09:01[:30]``,
    ``2017-10-10T09:01:00[+09:00|Z]``, ``2017/10/10 21:35``, ``2017.10.10``,
    ``2017. 10. 10.``, ``17.10.10``, ``20171010``, ``201710102135[00]``,
    ``2017년 10월 10일 [오후 9시 [30분]]``, ``2017-10-10 오후 9:30``, ``... 9:30 PM``,
    with an optional weekday (``(화)``) and a trailing ``경``; Excel serial days
    (20000–80000) as numbers or text; 8–14-digit numbers as yyyymmdd[HHMM[SS]];
    ``datetime``, ``date``, ``Timestamp`` and ``datetime64`` objects.

    Parameters
    ----------
    values : Series, shape (n,)
        Any dtype; object columns may mix strings, numbers and datetime objects.
    timezone : str, optional
        IANA zone of naive values, and of the result; by default the station's.
    day_first : bool, optional
        How to read dates written with the year last (``25/10/2017``, ``25.10.2017
        21:35``): day first (True) or month first (False), as the whole file says
        (:func:`analytics.storage.importers.date_order.detect_date_order`). None (the
        default) leaves them NaT: ambiguous.

    Returns
    -------
    Series of dtype ``datetime64[ns, timezone]``, shape (n,)
        Same index and name. NaT for blank, unreadable or impossible values.
    """
    timezone = timezone or clock.zone()
    n = len(values)
    naive = np.full(n, _NAT)
    offset = np.full(n, np.nan)
    dtype = values.dtype

    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        aware = isinstance(dtype, pd.DatetimeTZDtype)
        stamps = values.dt.tz_convert("UTC").dt.tz_localize(None) if aware else values
        years = stamps.dt.year.to_numpy(dtype="float64", na_value=np.nan)
        inside = (years >= _YEAR_RANGE[0]) & (years <= _YEAR_RANGE[1])
        naive[inside] = stamps[inside].astype("datetime64[ns]").to_numpy()
        if aware:
            offset[:] = 0.0  # UTC wall time
    elif pd.api.types.is_bool_dtype(dtype):
        pass
    elif pd.api.types.is_numeric_dtype(dtype):
        num = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        naive, offset = _numbers_to_naive(num)
    elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        naive, offset = _parse_text(_arrow_text(values), day_first=day_first)
    else:
        obj = values.to_numpy(dtype=object)
        kind = _kinds(obj)
        is_str, is_num, is_dt = kind == _STR, kind == _NUM, kind == _DATETIME
        if is_str.any():
            naive[is_str], offset[is_str] = _parse_text(
                _arrow_text(pd.Series(obj[is_str], dtype=object)), day_first=day_first
            )
        if is_num.any():
            num = np.fromiter((_as_float(v) for v in obj[is_num]), float, int(is_num.sum()))
            naive[is_num], offset[is_num] = _numbers_to_naive(num)
        if is_dt.any():
            naive[is_dt], offset[is_dt] = _objects_to_naive(obj[is_dt])

    out = _localise(naive, offset, timezone)
    out.index = values.index
    return out.rename(values.name)


def _clock_of_text(text: pa.Array) -> np.ndarray:
    """Seconds after midnight of normalised time strings; NaN when unreadable."""
    n = len(text)
    seconds = np.full(n, np.nan)
    todo = _bools(text.is_valid())
    for pattern in (_CLOCK, _CLOCK_COMPACT):
        if not todo.any():
            break
        rows = np.flatnonzero(todo)
        hit, parts = _extract(text.take(pa.array(rows)), pattern)
        if hit.any():
            secs, nanos = _clock_seconds(parts)
            seconds[rows[hit]] = secs + nanos / 1e9
            todo[rows[hit]] = False
    # Last resort: a whole date-time in the time column ("2017-10-10 21:35"), but not
    # a serial: "21350" is no time of day.
    if todo.any():
        rows = np.flatnonzero(todo)
        naive, offset = _parse_text(text.take(pa.array(rows)), _DATE_PATTERNS)
        keep = ~np.isnat(naive) & np.isnan(offset)
        clock = (naive - naive.astype("datetime64[D]")).astype("timedelta64[ns]")
        seconds[rows[keep]] = clock[keep].astype("int64") / 1e9
    return seconds


def _clock_of_numbers(num: np.ndarray) -> np.ndarray:
    """Excel day fractions (0.875), serial date-times (43018.875) and HHMM (2135)."""
    with np.errstate(invalid="ignore", over="ignore"):  # inf and 1e308 give NaN below
        frac = num - np.floor(num)
        out = np.where((num >= 0) & (num < 1), num * 86400.0, np.nan)
        serial = (num >= _SERIAL_RANGE[0]) & (num <= _SERIAL_RANGE[1])
        out = np.where(serial, frac * 86400.0, out)
        hhmm = (num >= 1) & (num < 2400) & (frac == 0) & (num % 100 < 60)
        out = np.where(hhmm, (num // 100) * 3600.0 + (num % 100) * 60.0, out)
    return np.round(out)  # whole seconds, as for serial date-times


def _clock_of_objects(objs: np.ndarray) -> np.ndarray:
    out = np.full(len(objs), np.nan)
    for i, v in enumerate(objs):
        if isinstance(v, dt.datetime):  # also Timestamp; NaT never gets here
            v = v.time()
        if isinstance(v, dt.time):
            out[i] = v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6
    return out


def combine_date_time(
    dates: pd.Series,
    times: pd.Series,
    *,
    timezone: str | None = None,
    day_first: bool | None = None,
) -> pd.Series:
    """Join an export's separate date and time columns into one timestamp.

    Parameters
    ----------
    dates : Series, shape (n,)
        Anything :func:`parse_datetimes` reads; only the calendar date is used.
    times : Series, shape (n,)
        ``21:35``, ``21:35:10``, ``2135``, ``21시 35분``, ``오후 9:35``, ``9시 반``,
        ``datetime.time`` or ``datetime`` objects, Excel day fractions (0.875) or
        HHMM numbers (2135). Blank (None, NaN, "") means midnight.
    timezone : str, optional
        IANA zone of the wall-clock values, and of the result; by default the station's.
    day_first : bool, optional
        As for :func:`parse_datetimes`.

    Returns
    -------
    Series of dtype ``datetime64[ns, timezone]``, shape (n,)
        Indexed like ``dates``. NaT where the date is unreadable, or the time is
        present but unreadable.
    """
    if len(dates) != len(times):
        raise ValueError(f"dates and times differ in length: {len(dates)} != {len(times)}")
    timezone = timezone or clock.zone()
    day = parse_datetimes(dates, timezone=timezone, day_first=day_first)
    midnight = day.dt.tz_localize(None).to_numpy().astype("datetime64[D]")

    obj = times.to_numpy(dtype=object)
    n = len(obj)
    seconds = np.full(n, np.nan)
    kind = _kinds(obj)
    is_str, is_num = kind == _STR, kind == _NUM
    is_clock = (kind == _DATETIME) | (kind == _TIME_OF_DAY)
    blank = kind == _BLANK
    if is_str.any():
        text = _arrow_text(pd.Series(obj[is_str], dtype=object))
        seconds[is_str] = _clock_of_text(text)
        blank[is_str] = _bools(pc.equal(text, ""))
    if is_num.any():
        num = np.fromiter((_as_float(v) for v in obj[is_num]), float, int(is_num.sum()))
        seconds[is_num] = _clock_of_numbers(num)
        blank[is_num] = np.isnan(num)
    if is_clock.any():
        seconds[is_clock] = _clock_of_objects(obj[is_clock])
    seconds[blank] = 0.0  # None, NaN, "" and "  ": midnight

    ok = ~np.isnat(midnight) & ~np.isnan(seconds)
    since_midnight = np.where(ok, seconds * 1e9, 0).astype("int64").astype("timedelta64[ns]")
    naive = np.where(ok, midnight.astype("datetime64[ns]") + since_midnight, _NAT)
    out = _localise(naive, np.full(n, np.nan), timezone)
    out.index = dates.index
    return out.rename(dates.name)


# ---------------------------------------------------------------------------
# Time slots ("when is it unsafe?") on suggestion cards.

# Single words people tick or write, as (start hour, end hour); the end is exclusive
# and 24 is written 0, so (20, 0) is 20:00–24:00 and (20, 6) wraps past midnight.
# 등하교 covers both school runs, so it spans the school day rather than
# pretending to be morning only.
SLOT_WORDS: dict[str, tuple[int, int]] = {
    "새벽": (0, 6),
    "아침": (6, 9),
    "오전": (9, 12),
    "낮": (12, 14),
    "점심": (12, 14),
    "오후": (12, 18),
    "저녁": (18, 22),
    "밤": (20, 0),
    "야간": (20, 6),
    "심야": (0, 4),
    "등교": (7, 9),
    "하교": (15, 18),
    "등하교": (7, 18),
}

# How a period word turns a 12-hour clock reading into 0–23; hours not listed stay.
# 밤 1시 is one in the morning; 밤 12시 is midnight.
_SLOT_PERIODS: dict[str, dict[int, int]] = {
    "새벽": {12: 0},
    "아침": {12: 0},
    "오전": {12: 0},
    "낮": {h: h + 12 for h in range(1, 7)},
    "점심": {h: h + 12 for h in range(1, 7)},
    "오후": {h: h + 12 for h in range(1, 12)},
    "저녁": {**{h: h + 12 for h in range(1, 12)}, 12: 0},
    "밤": {**{h: h + 12 for h in range(6, 12)}, 12: 0},
}
_PERIOD = "|".join(_SLOT_PERIODS)
_DASH = "(?:[-–—~〜∼]|부터)"
_SLOT_RANGE = (
    rf"^(?:(?P<w1>{_PERIOD}) ?)?(?P<h1>[0-9]{{1,2}})(?::(?P<m1>[0-9]{{2}}))?(?: ?시)?"
    rf"(?: ?(?P<k1>[0-9]{{1,2}}) ?분)?"
    rf"(?: ?{_DASH} ?(?:(?P<w2>{_PERIOD}) ?)?(?P<h2>[0-9]{{1,2}})(?::(?P<m2>[0-9]{{2}}))?"
    rf"(?: ?시)?(?: ?(?P<k2>[0-9]{{1,2}}) ?분)?(?: ?까지)?)?(?: ?(?:사이|경|쯤|무렵))?$"
)
_SLOT_WORD = (
    "^(?P<w>"
    + "|".join(sorted(SLOT_WORDS, key=len, reverse=True))  # 등하교 before 하교
    + ")(?: ?(?:시간대|시간|무렵|쯤|경|때|에|중))*$"
)


def _apply_period(hour: np.ndarray, parts: pa.StructArray, name: str) -> np.ndarray:
    """Hours made 0–23 by the period word in group ``name``."""
    word = _field(parts, name)
    out = hour.copy()
    if word is None:
        return out
    for period, table in _SLOT_PERIODS.items():
        sel = _bools(pc.equal(word, period))
        for h12, h24 in table.items():
            out[sel & (hour == h12)] = h24
    return out


def _nearest(other: np.ndarray, raw: np.ndarray, *, forward: bool) -> np.ndarray:
    """The reading of a 12-hour ``raw`` (h or h+12) closest to ``other`` in time.

    With ``forward`` the reading comes after ``other`` (an end hour), else before it.
    """
    low = raw % 12
    high = low + 12
    if forward:
        d_low, d_high = (low - other) % 24, (high - other) % 24
    else:
        d_low, d_high = (other - low) % 24, (other - high) % 24
    d_low = np.where(d_low == 0, 24, d_low)
    d_high = np.where(d_high == 0, 24, d_high)
    return np.where(d_high < d_low, high, low)


def parse_time_slots(values: pd.Series) -> pd.DataFrame:
    """Read the time window written on a suggestion card.

    Accepted: ranges ``22-02``, ``22–02시``, ``22~02시``, ``22시~02시``,
    ``22:00-02:00``, ``밤 10시~새벽 2시``, ``오후 6시-9시``; a single hour (``22시``,
    one hour long); and the words of :data:`SLOT_WORDS`, also with 시간/시간대/때/에.

    Parameters
    ----------
    values : Series, shape (n,)
        Cells as typed; non-strings go through ``str``.

    Returns
    -------
    DataFrame, shape (n, 2)
        Int64 columns ``slot_start_hour`` and ``slot_end_hour`` (0–23; the end is
        exclusive and rounded up to the hour; end < start wraps past midnight),
        indexed like ``values``. <NA> for blank or unreadable cells.

    Notes
    -----
    A period word turns 12-hour readings into 0–23: 오후/저녁 add 12 to 1–11, 밤 to
    6–11 (밤 1시 is 01 h), 낮/점심 to 1–6; 12 o'clock is 0 h for 새벽/아침/오전/저녁/밤.
    When only one end has a word, the other end (12 or less) takes the reading that
    makes the window shortest: 오후 6시-9시 → 18–21, 오후 11시-2시 → 23–2,
    10시~새벽 2시 → 22–2. Without any word, hours are read as 0–23 (``6-9`` → 6–9).
    """
    text = _arrow_text(values)
    n = len(text)
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)

    hit, p = _extract(text, _SLOT_RANGE)
    if hit.any():
        h1, h2 = _num(p, "h1"), _num(p, "h2")
        m1, m2 = _num(p, "m1", "k1"), _num(p, "m2", "k2")
        single = np.isnan(h2)
        h2 = np.where(single, h1, h2)
        m2 = np.where(single, m1, m2)
        s = _apply_period(h1, p, "w1")
        e = _apply_period(h2, p, "w2")
        has1, has2 = _present(p, "w1"), _present(p, "w2")
        s = np.where(~has1 & has2 & (h1 <= 12), _nearest(e, h1, forward=False), s)
        e = np.where(has1 & ~has2 & (h2 <= 12) & ~single, _nearest(s, h2, forward=True), e)
        e = np.where(single, s + 1, e)  # "22시": the hour from 22 to 23
        e = np.where(np.nan_to_num(m2) > 0, e + 1, e)  # 02:30 ends in the 3 o'clock hour
        bad = (h1 > 24) | (h2 > 24) | (np.nan_to_num(m1) > 59) | (np.nan_to_num(m2) > 59)
        start[hit] = np.where(bad, np.nan, s % 24)
        end[hit] = np.where(bad, np.nan, e % 24)

    rest = np.flatnonzero(~hit)
    if len(rest):
        words = pc.replace_substring(text.take(pa.array(rest)), " ", "")
        found, w = _extract(words, _SLOT_WORD)
        if found.any():
            names = w.field("w").to_pylist()
            start[rest[found]] = [SLOT_WORDS[x][0] for x in names]
            end[rest[found]] = [SLOT_WORDS[x][1] for x in names]

    return pd.DataFrame(
        {
            "slot_start_hour": pd.array(start, dtype="Float64").astype("Int64"),
            "slot_end_hour": pd.array(end, dtype="Float64").astype("Int64"),
        },
        index=values.index,
    )
