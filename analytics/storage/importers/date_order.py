"""Day/month/year or month/day/year: decided once per file, never row by row.

Exports from abroad, and spreadsheets set to an English locale, write dates with the
year last: ``25/10/2017``, ``25.10.2017 21:35``, ``10/25/2017 9:35 PM``. Whether
``03/04/2017`` is the 3rd of April or the 4th of March cannot be told from that cell,
only from the file: :func:`detect_date_order` looks at every such cell of the file's
date columns together.

- A first number over 12 somewhere (``25/10/2017``, a possible date only day first)
  and no date possible only month first: day first, for the whole file.
- A second number over 12 somewhere (``10/25/2017``) and no date possible only day
  first: month first.
- Both: the file mixes the two orders; none is chosen and its year-last dates are
  rejected, saying so.
- Neither, every such date written with dots (``03.04.2017``): day first. Dots with
  the year last are the day-first convention (German, Russian, …); no export writes
  month.day.year. The report says this is why.
- Neither otherwise: ambiguous. Nothing is guessed: those rows are rejected with a
  reason that says the order could not be told, and the analyst chooses it on the
  data page (or with a saved template).

Year-first dates (``2017-10-25``, ``2017/10/25``, ``17.10.25``) are never in question
and are read as before (:mod:`analytics.storage.importers.dates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.storage.importers.dates import DAY_MONTH, _arrow_text, _bools, _num

# Why the order is what it is (catalogue keys ``date_order.<reason>``).
REASONS = ("given", "day_over_12", "month_over_12", "dots", "ambiguous", "conflict")


@dataclass(frozen=True)
class DateOrder:
    """How a file's year-last dates are read.

    Attributes
    ----------
    day_first : bool or None
        True day/month/year, False month/day/year, None undecided (those cells are
        rejected).
    reason : str
        One of :data:`REASONS`.
    cells : int
        How many cells of the file are written with the year last.
    """

    day_first: bool | None
    reason: str
    cells: int

    @property
    def code(self) -> str | None:
        """``'dmy'``, ``'mdy'`` or None: what the import report and templates store."""
        return None if self.day_first is None else ("dmy" if self.day_first else "mdy")


def _text_cells(values: pd.Series) -> pa.Array:
    """The string cells of a column (numbers and date objects are never year-last text)."""
    if values.dtype == object:
        values = values[[isinstance(v, str) for v in values.to_numpy()]]
    return _arrow_text(values)


def day_month_cells(values: pd.Series) -> np.ndarray:
    """Which cells of ``values`` are written with the year last (bool, shape (n,))."""
    if values.dtype == object:
        is_str = np.fromiter((isinstance(v, str) for v in values.to_numpy()), bool, len(values))
    else:
        is_str = np.ones(len(values), bool)
    out = np.zeros(len(values), bool)
    if is_str.any():
        found = pc.extract_regex(_arrow_text(values[is_str]), DAY_MONTH)
        out[is_str] = _bools(found.is_valid())
    return out


def detect_date_order(*columns: pd.Series, given: bool | None = None) -> DateOrder | None:
    """The order of the year-last dates in a file's date ``columns``; None when it has none.

    Parameters
    ----------
    *columns : Series
        The file's date columns (the occurrence date, a resolution date); only their
        cells still unread matter, but any may be given.
    given : bool, optional
        The analyst's choice (the data page, a template): it wins; the reason is
        ``'given'``.
    """
    parts = []
    for col in columns:
        text = _text_cells(col)
        if len(text):
            found = pc.extract_regex(text, DAY_MONTH)
            parts.append(found.filter(found.is_valid()))
    cells = sum(len(p) for p in parts)
    if cells == 0:
        return None
    if given is not None:
        return DateOrder(bool(given), "given", cells)
    first = np.concatenate([_num(p, "p1") for p in parts])
    second = np.concatenate([_num(p, "p2") for p in parts])
    # A cell is evidence only when it is possible in one order: 31/13/2017 is in neither.
    day_first = bool(((first > 12) & (first <= 31) & (second >= 1) & (second <= 12)).any())
    month_first = bool(((second > 12) & (second <= 31) & (first >= 1) & (first <= 12)).any())
    if day_first and month_first:
        return DateOrder(None, "conflict", cells)
    if day_first or month_first:
        return DateOrder(day_first, "day_over_12" if day_first else "month_over_12", cells)
    seps = set().union(*(set(p.field("sep").to_pylist()) for p in parts))
    if seps == {"."}:
        return DateOrder(True, "dots", cells)
    return DateOrder(None, "ambiguous", cells)


def describe(reason: str | None, code: str | None, cells: int, lang: str = "ko") -> str | None:
    """The report's sentence on how year-last dates were read (None when there were none)."""
    from analytics.text import text

    if not reason:
        return None
    order = text(f"date_order.{code}", lang) if code else ""
    return text(f"date_order.{reason}", lang, cells=cells, order=order)
