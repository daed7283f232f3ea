"""Reading CSV and XLSX exports into a table of cells, with their file row numbers.

Encodings are detected (UTF-8, UTF-8 with BOM, CP949/EUC-KR, then charset-normalizer
as a last resort), title rows above the header are skipped, blank rows are counted,
and every data row keeps the row number a person sees in Excel or a text editor.

A file over a cap of ``station.toml`` ``[import]`` (:class:`~analytics.station.config.ImportLimits`)
is refused with :class:`~analytics.storage.importers.errors.ImportLimitError` before it costs minutes or memory: its size,
an XLSX's unpacked size and compression ratio (checked before openpyxl opens it),
rows, and an XLSX sheet's cells.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analytics.station.config import ImportLimits
from analytics.storage.importers.errors import ImportFileError, ImportLimitError
from analytics.storage.importers.headers import header_score


def human_size(n: int) -> str:
    """``n`` bytes for people: ``512 bytes``, ``1.5 KB``, ``339.0 MB``."""
    if n < 1024:
        return f"{n:,} bytes"
    if n < 2**20:
        return f"{n / 1024:,.1f} KB"
    return f"{n / 2**20:,.1f} MB"


@dataclass
class RawTable:
    """Cells of one sheet or CSV: ``frame`` holds the data rows, all as objects.

    ``row_numbers[i]`` is the 1-based file row of ``frame.iloc[i]``.
    """

    frame: pd.DataFrame
    row_numbers: np.ndarray  # int64, one per frame row
    header_row: int
    encoding: str | None
    file_kind: str
    sheet: str | None = None
    blank_rows: int = 0
    sha256: str = ""
    sheets: list[str] = field(default_factory=list)


XLSX_MAGIC = b"PK\x03\x04"
MAX_HEADER_SCAN = 10
# XLSX members smaller than this are not checked for their compression ratio: a
# small styles.xml may compress 50 times and harms nobody.
RATIO_FLOOR_BYTES = 2**20
# Only the delimiter is sniffed from these: a line's first characters are enough.
_SNIFF_LINE_CHARS = 4096


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode an export. Returns ``(text, encoding)``."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for enc in ("utf-8", "cp949"):
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError("error.unreadable", detail="알 수 없는 문자 인코딩")
    return str(best), best.encoding


def _sniff_delimiter(lines: list[str]) -> str:
    sample = "\n".join(line[:_SNIFF_LINE_CHARS] for line in lines[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _find_header(rows: list[list], source: str, known: frozenset[str] = frozenset()) -> int:
    """Index of the header row among the first rows: the one naming most known fields.

    ``known`` holds headers named by the user's mapping file.
    """
    best, best_score = -1, 0
    for i, row in enumerate(rows[:MAX_HEADER_SCAN]):
        cells = [c for c in row if c not in (None, "")]
        score = header_score(cells, source) + sum(str(c).strip() in known for c in cells)
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        raise ImportFileError("error.no_header")
    return best


def _dedupe_headers(cells: list) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, c in enumerate(cells):
        name = str(c).strip() if c not in (None, "") else f"열{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _csv_error(exc: csv.Error, line: int) -> ImportFileError:
    """The csv module's error as an ImportFileError naming the line."""
    if "field larger than field limit" in str(exc):
        return ImportFileError("error.csv_field_too_long", line=line, limit=csv.field_size_limit())
    return ImportFileError("error.csv_unparsable", line=line, detail=str(exc))


def _head_rows(lines: list[str], delim: str) -> tuple[list[list[str]], ImportFileError | None]:
    """The first rows for the header scan, and the error of a line the csv module
    could not read (None when it read them all).

    A data line it cannot read (a cell over its field limit) must not hide a header
    above it: the pyarrow and pandas parsers read that line later, and the row is
    judged on its own.
    """
    reader = csv.reader(lines[:MAX_HEADER_SCAN], delimiter=delim)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        return rows, _csv_error(exc, reader.line_num)
    return rows, None


def _read_csv(data: bytes, source: str, known: frozenset[str]) -> RawTable:
    text, encoding = decode_bytes(data)
    if "\x00" in text:
        raise ImportFileError("error.unreadable", detail="텍스트 파일이 아닙니다")
    whole = _read_csv_whole(text, encoding, source, known)
    if whole is not None:
        return whole
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise ImportFileError("error.empty")
    delim = _sniff_delimiter([ln for ln in lines if ln.strip()])
    head_rows, unreadable = _head_rows(lines, delim)
    try:
        h = _find_header(head_rows, source, known)
    except ImportFileError:
        # The header may be on (or below) the line that could not be read.
        raise unreadable or ImportFileError("error.no_header") from None
    fast = _read_csv_arrow(lines, h, delim, _dedupe_headers(head_rows[h]))
    if fast is not None:
        frame, row_numbers, blank_lines = fast
        table = _drop_blank(frame, row_numbers, h + 1, encoding, "csv")
        table.blank_rows += blank_lines
        return table
    # Ragged rows or quoted line breaks: the slower, forgiving path.
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delim,
            header=None,
            skiprows=h + 1,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            names=None,
            on_bad_lines="error",
        )
        if frame.shape[1] < len(head_rows[h]):
            for j in range(frame.shape[1], len(head_rows[h])):
                frame[j] = ""
    except pd.errors.ParserError:
        # Ragged rows: fall back to the csv module, padding or folding extra cells.
        reader = csv.reader(lines[h + 1 :], delimiter=delim)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise _csv_error(exc, h + 1 + reader.line_num) from exc
        width = max([len(head_rows[h]), *map(len, rows)])
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame(columns=range(len(head_rows[h])))
    width = len(head_rows[h])
    if frame.shape[1] > width:
        # Cells beyond the header are kept under numbered names so nothing is lost.
        headers = _dedupe_headers(head_rows[h] + [None] * (frame.shape[1] - width))
    else:
        headers = _dedupe_headers(head_rows[h])
    frame.columns = headers[: frame.shape[1]]
    # Cells stay pandas strings; missing cells (short rows) are NA.
    row_numbers = np.arange(h + 2, h + 2 + len(frame))
    return _drop_blank(frame, row_numbers, h + 1, encoding, "csv")


# Line breaks other than CR and LF that str.splitlines also splits on: a text holding
# any of them is read line by line, as it always was.
_CONTROL_BREAKS = tuple(c.encode("utf-8") for c in "\x0b\x0c\x1c\x1d\x1e")
# Characters no CP949 byte sequence decodes to (checked over every one- and two-byte
# sequence): a CP949 export needs only the one-byte searches, a few ms each, where
# each of these multi-byte searches takes a tenth of a second on a million rows.
_UNICODE_BREAKS = tuple(c.encode("utf-8") for c in "\x85\u2028\u2029")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The whole-text path needs this many lines, none blank, above the body.
_HEAD_LINES = 30


def _read_csv_whole(
    text: str, encoding: str, source: str, known: frozenset[str]
) -> RawTable | None:
    """The common export read from the whole text at once, or None for the line path.

    The common export: at least :data:`_HEAD_LINES` lines, none of the first of them
    blank, one record per line and no blank line below the header. Its body goes to
    pyarrow's CSV reader as one block: no list of a million lines, no joining them
    again. It gives the table the line path gives (tests compare the two); anything
    else (blank lines, ragged rows, quoted line breaks, a header it cannot find)
    returns None and is read line by line.
    """
    utf8 = text.encode("utf-8")
    # Each search below is a memchr over the bytes; a regular expression over the
    # text took a quarter of a second on a million rows.
    marks = _CONTROL_BREAKS if encoding == "cp949" else _CONTROL_BREAKS + _UNICODE_BREAKS
    if any(mark in utf8 for mark in marks):
        return None
    head, ends, start = [], [], 0
    for m in _LINE_BREAK.finditer(text):
        head.append(text[start : m.start()])
        ends.append(m.end())
        start = m.end()
        if len(head) == _HEAD_LINES:
            break
    if len(head) < _HEAD_LINES or not all(line.strip() for line in head):
        return None
    delim = _sniff_delimiter(head)
    head_rows, unreadable = _head_rows(head, delim)
    if unreadable is not None:
        return None
    try:
        h = _find_header(head_rows, source, known)
    except ImportFileError:
        return None
    start = len(text[: ends[h]].encode("utf-8"))  # the body's first byte
    lines = utf8.count(b"\n", start) + utf8.count(b"\r", start) - utf8.count(b"\r\n", start)
    lines += len(utf8) > start and not utf8.endswith((b"\n", b"\r"))
    headers = _dedupe_headers(head_rows[h])
    frame = _arrow_cells(memoryview(utf8)[start:], delim, headers)
    if frame is None or len(frame) != lines:  # a blank line skipped: the line path numbers rows
        return None
    row_numbers = np.arange(h + 2, h + 2 + len(frame))
    return _drop_blank(frame, row_numbers, h + 1, encoding, "csv")


def _arrow_cells(data: bytes | memoryview, delim: str, headers: list[str]) -> pd.DataFrame | None:
    """UTF-8 CSV lines (no header) as a frame of string cells named ``headers``, read by
    pyarrow; None when it cannot read them (ragged rows, quoted line breaks)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(len(headers))]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),  # no copy of the bytes
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    frame = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get
    )
    frame.columns = headers
    return frame


def _read_csv_arrow(
    lines: list[str], h: int, delim: str, headers: list[str]
) -> tuple[pd.DataFrame, list[int], int] | None:
    """Parse the data lines with pyarrow's CSV reader, or None when it cannot.

    It handles the common, well-formed export (one record per line, as many cells
    as the header) about five times faster than pandas' parser. Anything else
    (ragged rows, quoted line breaks) returns None for the forgiving path.
    """
    body = lines[h + 1 :]
    keep = [i for i, line in enumerate(body) if line.strip()]
    if not keep:
        return None
    frame = _arrow_cells("\n".join(body[i] for i in keep).encode("utf-8"), delim, headers)
    if frame is None or len(frame) != len(keep):
        return None
    row_numbers = h + 2 + np.asarray(keep, dtype=np.int64)
    return frame, row_numbers, len(body) - len(keep)


def _drop_blank(frame, row_numbers, header_row, encoding, kind, sheet=None, sheets=()):
    """Drop rows with no value in any cell, counting them; row numbers follow."""
    keep = np.zeros(len(frame), dtype=bool)
    for col in frame.columns:
        keep |= _filled(frame[col])
    blank = int((~keep).sum())
    nums = np.asarray(row_numbers, dtype=np.int64)
    if blank:
        frame, nums = frame.loc[keep], nums[keep]
    frame = frame.reset_index(drop=True)  # no copy under copy-on-write
    return RawTable(frame, nums, header_row, encoding, kind, sheet, blank, "", list(sheets))


def _filled(values: pd.Series) -> np.ndarray:
    """True where a cell holds something other than white space."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        cells = pa.array(values.array)
        # A cell is filled when it has a character that is not white space: two
        # kernels over Arrow's buffers, no stripped copy of every cell.
        filled = pc.and_(pc.greater(pc.utf8_length(cells), 0), pc.invert(pc.utf8_is_space(cells)))
        return np.asarray(filled.fill_null(False), dtype=bool)
    text = values.astype("string") if values.dtype == object else values
    filled = text.str.strip().fillna("").ne("") if hasattr(text, "str") else text.notna()
    return filled.to_numpy(dtype=bool)


def _check_xlsx_zip(data: bytes, limits: ImportLimits) -> None:
    """Refuse a zip bomb from its directory, before anything is unpacked.

    The sizes a zip declares can lie; Python's zipfile never unpacks more than the
    declared size of a member (then fails its CRC check), so a member declared small
    stays small, and the sheet's cells are capped again while it is read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            "error.unreadable", detail=f"XLSX 파일이 손상되었습니다 ({exc})"
        ) from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_xlsx_bytes:
        raise ImportLimitError(
            "error.xlsx_too_large", size=human_size(total), limit=human_size(limits.max_xlsx_bytes)
        )
    for m in members:
        ratio = m.file_size // max(m.compress_size, 1)
        if m.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_xlsx_ratio:
            raise ImportLimitError(
                "error.xlsx_ratio", member=m.filename[:80], ratio=ratio, limit=limits.max_xlsx_ratio
            )


def _sheet_rows(ws, limits: ImportLimits) -> list[list]:
    """A sheet's rows as lists, refused once they pass the row or cell cap."""
    rows, cells = [], 0
    # The header may sit below up to MAX_HEADER_SCAN title rows; the exact count of
    # data rows is checked once the header is known.
    max_rows = limits.max_rows + MAX_HEADER_SCAN
    for r in ws.iter_rows(values_only=True):
        rows.append(list(r))
        cells += len(r)
        if len(rows) > max_rows:
            raise ImportLimitError("error.too_many_rows", rows=len(rows), limit=limits.max_rows)
        if cells > limits.max_cells:
            raise ImportLimitError("error.too_many_cells", cells=cells, limit=limits.max_cells)
    return rows


def _read_xlsx(
    data: bytes, source: str, sheet: str | None, known: frozenset[str], limits: ImportLimits
) -> RawTable:
    import openpyxl

    _check_xlsx_zip(data, limits)
    # A damaged or lying zip can fail while the sheet is read, not only when it opens.
    damaged = (zipfile.BadZipFile, zlib.error, KeyError, OSError, ValueError, EOFError)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except damaged as exc:
        raise ImportFileError(
            "error.unreadable", detail=f"XLSX 파일이 손상되었습니다 ({exc})"
        ) from exc
    try:
        names = wb.sheetnames
        if sheet is not None and sheet not in names:
            raise ImportFileError("error.sheet_not_found", sheet=sheet, sheets=", ".join(names))
        chosen = sheet
        if chosen is None:
            # The first sheet that has a recognisable header.
            for name in names:
                rows = list(wb[name].iter_rows(max_row=MAX_HEADER_SCAN, values_only=True))
                if any(header_score([c for c in r if c is not None], source) for r in rows):
                    chosen = name
                    break
            else:
                chosen = names[0]
        rows = _sheet_rows(wb[chosen], limits)
    except damaged as exc:
        raise ImportFileError(
            "error.unreadable", detail=f"XLSX 파일이 손상되었습니다 ({exc})"
        ) from exc
    finally:
        wb.close()
    if not rows:
        raise ImportFileError("error.empty")
    h = _find_header([[("" if c is None else str(c)) for c in r] for r in rows], source, known)
    width = max(len(r) for r in rows)
    headers = _dedupe_headers((rows[h] + [None] * width)[:width])
    body = [(r + [None] * width)[:width] for r in rows[h + 1 :]]
    frame = pd.DataFrame(body, columns=headers, dtype=object)
    # Drop trailing columns that have neither a header nor any value.
    unnamed = [c for c, raw in zip(headers, rows[h] + [None] * width, strict=False) if raw is None]
    empty_unnamed = [c for c in unnamed if frame[c].isna().all()]
    frame = frame.drop(columns=empty_unnamed)
    row_numbers = np.arange(h + 2, h + 2 + len(frame))
    return _drop_blank(frame, row_numbers, h + 1, None, "xlsx", chosen, names)


def read_table(
    file: str | Path | bytes,
    *,
    source: str,
    sheet: str | None = None,
    file_name: str = "",
    known_headers: frozenset[str] = frozenset(),
    limits: ImportLimits | None = None,
) -> RawTable:
    """Read a CSV or XLSX export.

    Parameters
    ----------
    file : path or bytes
    source : {'suggestion', 'complaint', 'incident'}
        Used to recognise the header row.
    sheet : str, optional
        XLSX sheet; by default the first sheet with a recognisable header.
    file_name : str
        Used only to tell the kind when ``file`` is bytes.
    known_headers : frozenset of str
        Extra header names (from a mapping file) that mark the header row.
    limits : ImportLimits, optional
        Caps on the file (``station.toml`` ``[import]``); the defaults when None.

    Raises
    ------
    ImportFileError
        When the file cannot be read at all (:class:`ImportLimitError` when it is over
        a cap).
    """
    limits = limits if limits is not None else ImportLimits()
    if isinstance(file, bytes):
        data = file
    else:
        try:
            size = Path(file).stat().st_size
            # Before reading: a file over the cap is never loaded into memory.
            _check_file_size(size, limits)
            data = Path(file).read_bytes()
        except OSError as exc:
            raise ImportFileError("error.unreadable", detail=str(exc)) from exc
        file_name = file_name or Path(file).name
    _check_file_size(len(data), limits)
    if not data.strip():
        raise ImportFileError("error.empty")
    is_xlsx = data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm"))
    known = frozenset(known_headers)
    if is_xlsx:
        table = _read_xlsx(data, source, sheet, known, limits)
    else:
        table = _read_csv(data, source, known)
    table.sha256 = hashlib.sha256(data).hexdigest()
    if table.frame.empty:
        raise ImportFileError("error.empty")
    if len(table.frame) > limits.max_rows:
        raise ImportLimitError("error.too_many_rows", rows=len(table.frame), limit=limits.max_rows)
    return table


def _check_file_size(size: int, limits: ImportLimits) -> None:
    if size > limits.max_file_bytes:
        raise ImportLimitError(
            "error.file_too_large", size=human_size(size), limit=human_size(limits.max_file_bytes)
        )


def file_headers(
    file: bytes,
    *,
    source: str,
    sheet: str | None = None,
    file_name: str = "",
    known_headers: frozenset[str] = frozenset(),
    limits: ImportLimits | None = None,
) -> list[str]:
    """The headers of a file's columns, for mapping them by hand (the data page).

    Those of its header row (:func:`read_table`); when no row is recognised as one, the
    cells of the first of its first rows that fills two or more cells: a mapping that
    names them makes that row the header (``known_headers``). An empty list when there
    is no such row.

    Raises
    ------
    ImportFileError
        The file cannot be read at all.
    """
    limits = limits if limits is not None else ImportLimits()
    try:
        table = read_table(
            file,
            source=source,
            sheet=sheet,
            file_name=file_name,
            known_headers=known_headers,
            limits=limits,
        )
        return [str(c) for c in table.frame.columns]
    except ImportFileError as exc:
        if exc.key != "error.no_header":
            raise
    for row in _first_rows(file, sheet, file_name, limits):
        filled = [c for c in row if c is not None and str(c).strip()]
        if len(filled) >= 2:
            while row and (row[-1] is None or not str(row[-1]).strip()):
                row = row[:-1]
            return _dedupe_headers(row)
    return []


def _first_rows(data: bytes, sheet: str | None, file_name: str, limits: ImportLimits) -> list:
    """The first :data:`MAX_HEADER_SCAN` rows of a CSV or of an XLSX sheet, as cells."""
    if data.startswith(XLSX_MAGIC) or file_name.lower().endswith((".xlsx", ".xlsm")):
        import openpyxl

        _check_xlsx_zip(data, limits)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet in wb.sheetnames else wb[wb.sheetnames[0]]
            return [list(r) for r in ws.iter_rows(max_row=MAX_HEADER_SCAN, values_only=True)]
        finally:
            wb.close()
    text, _ = decode_bytes(data)
    lines = [ln for ln in text.splitlines()[: MAX_HEADER_SCAN * 2] if ln.strip()]
    rows, _ = _head_rows(lines, _sniff_delimiter(lines)) if lines else ([], None)
    return rows
