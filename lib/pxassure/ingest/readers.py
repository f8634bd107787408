"""Reading input files as text cells: CSV (in chunks) and Excel workbooks.

Everything is read as text and typed later by :func:`pxassure.ingest.sources.parse_table`, so a
cell is never evaluated: an Excel formula arrives as its text (``=SUM(A1:A3)``) and a
CSV cell starting with ``=``, ``+``, ``-`` or ``@`` is just text. Problems a reader meets
(wrong encoding, wrong delimiter, missing sheet) are returned as
:class:`~pxassure.ingest.problems.Problem` values naming the file, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.ingest.problems import Problem

#: Rows read from a CSV at a time: bounds the memory of a load, whatever the file's size.
CHUNK_ROWS = 100_000

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Chunk:
    """Rows of text cells from one source, with each row's number in that source (header = row 1)."""

    raw: pd.DataFrame
    source: str
    rows: np.ndarray
    sheet: str | None = None


# -- CSV -----------------------------------------------------------------------------------


def check_csv(path: str | Path, what: str = "the columns") -> None:
    """Raise :class:`ReadError` unless ``path`` is comma-separated UTF-8 text with a header row.

    Checked line by line before parsing, so the error names the row (and a huge file is
    never held in memory).
    """
    path = Path(path)
    if not path.exists():
        raise ReadError(Problem(str(path), None, None, None, "an existing file"))
    with open(path, "rb") as fh:
        header = None
        for number, line in enumerate(fh, start=1):
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # byte-order mark, as Excel writes "CSV UTF-8"
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                bad = line[exc.start : exc.start + 1].hex().upper()
                raise ReadError(
                    Problem(
                        str(path),
                        number,
                        None,
                        f"byte 0x{bad}",
                        "UTF-8 text (in Excel: Save As 'CSV UTF-8 (Comma delimited)')",
                    )
                ) from None
            if header is None:
                header = text
    if header is None or not header.strip():
        raise ReadError(Problem(str(path), None, None, None, f"a header row with {what} (the file is empty)"))
    import csv

    try:
        names = next(csv.reader([header.rstrip("\r\n")]))
    except csv.Error:
        raise ReadError(
            Problem(str(path), 1, None, header.strip()[:80], "a header row of column names separated by commas")
        ) from None
    check_header(names, str(path))
    if "," not in header:
        for delimiter, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delimiter in header:
                raise ReadError(
                    Problem(
                        str(path),
                        1,
                        None,
                        header.strip()[:80],
                        f"columns separated by commas (this file separates them with {label}; "
                        "in Excel: Save As 'CSV UTF-8 (Comma delimited)')",
                    )
                )


def check_header(names: list, file: str, sheet: str | None = None) -> None:
    """Raise :class:`ReadError` if a column name appears twice (a reader would keep only one copy)."""
    seen: set[str] = set()
    for name in (str(n).strip() for n in names):
        if name and name in seen:
            raise ReadError(
                Problem(file, 1, name, None, f"each column named once: {name!r} is in the header twice", sheet)
            )
        seen.add(name)


def csv_chunks(path: str | Path, chunk_rows: int = CHUNK_ROWS) -> Iterator[Chunk]:
    """The rows of a CSV as text cells, ``chunk_rows`` at a time. Call :func:`check_csv` first.

    A file the CSV parser cannot read (a quote never closed, a row with more cells than the
    header) raises :class:`ReadError` naming the file and, where the parser says, the row.
    """
    first = 2
    try:
        with warnings.catch_warnings():
            # More cells than the header would otherwise be dropped, or shift every value into an
            # index column: an error here, never a silent misreading.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            reader = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                encoding="utf-8-sig",
                chunksize=chunk_rows,
                index_col=False,
            )
            with reader:
                for raw in reader:
                    yield Chunk(raw, str(path), np.arange(first, first + len(raw)))
                    first += len(raw)
    except (pd.errors.ParserError, pd.errors.ParserWarning, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        line = re.search(r"\bline (\d+)", detail)
        raise ReadError(
            Problem(
                str(path),
                int(line.group(1)) if line else None,
                None,
                None,
                "comma-separated rows, each with as many cells as the header and every quote closed "
                f"(the CSV reader stopped: {detail})",
            )
        ) from None


# -- Excel ---------------------------------------------------------------------------------


def cell_text(value) -> str:
    """One spreadsheet or database value as the text :func:`parse_table` reads.

    Whole numbers lose Excel's ``.0``; dates become ISO; formulas stay as their text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, dt.datetime | pd.Timestamp):
        if value.hour == value.minute == value.second == 0:
            return value.strftime("%Y-%m-%d")
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def frame_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell of ``frame`` as text (see :func:`cell_text`)."""
    return pd.DataFrame({c: [cell_text(v) for v in frame[c].tolist()] for c in frame.columns}, dtype=object)


def open_workbook(path: str | Path):
    """Open an Excel workbook read-only, formulas as text (never their cached results)."""
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise ReadError(Problem(str(path), None, None, None, "an existing file"))
    try:
        # data_only=False: a formula cell gives its formula text, which validation rejects
        # where a value is expected; pxassure never uses a value Excel computed.
        return openpyxl.load_workbook(path, read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise ReadError(
            Problem(str(path), None, None, None, f"an Excel workbook (.xlsx) that opens ({type(exc).__name__}: {exc})")
        ) from None


def sheet_rows(sheet, min_row: int = 1) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for each row of a worksheet from ``min_row``, skipping wholly empty rows."""
    for number, values in enumerate(sheet.iter_rows(min_row=min_row, values_only=True), start=min_row):
        if any(v is not None and str(v).strip() != "" for v in values):
            yield number, values


def sheet_chunks(path: str | Path, sheet, chunk_rows: int = CHUNK_ROWS, header_row: int = 1) -> Iterator[Chunk]:
    """A sheet laid out as a table (header on ``header_row``, below any title rows) as chunks of text cells."""
    rows = sheet_rows(sheet, min_row=header_row)
    try:
        _, header = next(rows)
    except StopIteration:
        raise ReadError(
            Problem(str(path), None, None, None, "a header row naming the columns (the sheet is empty)", sheet.title)
        ) from None
    names = [cell_text(h).strip() for h in header]
    while names and names[-1] == "":
        names.pop()
    check_header(names, str(path), sheet.title)
    numbers: list[int] = []
    values: list[list[str]] = []
    emitted = False

    def chunk():
        frame = pd.DataFrame(values, columns=names, dtype=object) if values else pd.DataFrame(columns=names)
        return Chunk(frame, str(path), np.array(numbers, dtype=int), sheet.title)

    for number, row in rows:
        cells = [cell_text(v) for v in row[: len(names)]]
        cells += [""] * (len(names) - len(cells))
        numbers.append(number)
        values.append(cells)
        if len(values) >= chunk_rows:
            yield chunk()
            emitted = True
            numbers, values = [], []
    if values or not emitted:
        yield chunk()


#: What makes a spreadsheet treat a cell as a formula.
FORMULA_START = ("=", "+", "-", "@")


def text_cell(cell, value) -> None:
    """Write ``value`` so a spreadsheet shows it and never evaluates it."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # a string cell, not a formula
        cell.quotePrefix = True  # and it stays text if someone edits it
