"""Exports: CSV/XLSX that are safe to open in a spreadsheet.

User text that begins with ``= + - @`` (or a tab/CR) is a formula to Excel; such
cells are prefixed with an apostrophe so they stay text (OWASP CSV injection).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value that a spreadsheet will not evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell (and header) passed through :func:`safe_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell, na_action="ignore")
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a UTF-8-with-BOM CSV (Excel opens it as Korean) with safe cells."""
    path = Path(path)
    safe_frame(frame).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def rejected_rows_table(rejected: pd.DataFrame, *, lang: str = "ko") -> pd.DataFrame:
    """Rejected rows as a flat table: batch, row, reason, then the row's own cells."""
    headers = {
        "ko": ("배치", "행 번호", "이유"),
        "en": ("batch", "row", "reason"),
    }[lang]
    if rejected.empty:
        return pd.DataFrame(columns=list(headers))
    raw = pd.DataFrame(list(rejected["raw"]), index=rejected.index)
    base = pd.DataFrame(
        {
            headers[0]: rejected["batch_id"],
            headers[1]: rejected["row_number"],
            headers[2]: rejected["reason" if lang == "ko" else "reason_en"],
        }
    )
    return pd.concat([base, raw.add_prefix("원본:" if lang == "ko" else "raw:")], axis=1)
