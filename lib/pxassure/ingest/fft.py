"""NHS England's Friends and Family Test files → ``fft_monthly`` (and the England row → ``fft_national``).

Two layouts are read, one or many months at a time:

* the **published monthly inpatient workbook** (``Wards`` sheet: header on one row with the six
  answers on the next under a merged "Breakdown of Responses"; England and "Selection" rows
  before the wards; the month in the ``Notes`` title);
* the **raw monthly extract** (CSV or XLSX; one row per ward and month, ``Yearnumber`` such as
  ``2025_26`` and ``Periodname`` such as ``AUGUST``).

Wards map to the trust's organisation units through ``fft_ward_map`` (trust code, site code and
published ward name → unit). Rows of other trusts are left out; a ward of the trust that is not
in the mapping is a problem, never dropped silently. Names are matched ignoring case and
repeated spaces, and a ward renamed over time simply has a mapping row per name. Where two
published rows map to one unit in a month their counts are added.

NHS England replaces the counts of a ward with 1–4 responses (and of the next smallest ward of
the site) by ``"*"``. A suppressed ward-month's counts are not loaded — they are unknown — but the
month is recorded in ``fft_suppressed``, so papers name it as suppressed, and the load lists them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.ingest import readers
from pxassure.ingest.columns import FFT_ANSWERS, SUPPRESSED_MARK
from pxassure.ingest.problems import Problem
from pxassure.ingest.schema import TABLES
from pxassure.ingest.sources import Loader, parse_table
from pxassure.ingest.staging import SourceFile

_MONTHS = "january february march april may june july august september october november december".split()

#: Published workbook headings → our names (matched ignoring case and spaces).
PUBLISHED_COLUMNS = {
    "Trust Code": "trust_code",
    "Site Code": "site_code",
    "Ward Name": "ward_name",
    "Total Responses": "total",
    "Total Eligible": "eligible",
    "Very Good": "very_good",
    "Good": "good",
    "Neither Good nor Poor": "neither",
    "Poor": "poor",
    "Very Poor": "very_poor",
    "Don't Know": "dont_know",
}
#: Raw extract headings → our names.
RAW_COLUMNS = {
    "Yearnumber": "year",
    "Periodname": "period",
    "Org code": "trust_code",
    "Site code": "site_code",
    "Ward name": "ward_name",
    "1 Very Good SUM": "very_good",
    "2 Good SUM": "good",
    "3 Neither Good nor Poor SUM": "neither",
    "4 Poor SUM": "poor",
    "5 Very Poor SUM": "very_poor",
    "6 Dont Know SUM": "dont_know",
    "Total Responses": "total",
    "Total Eligible SUM": "eligible",
}
#: The England row used as the national benchmark for inpatients (NHS providers only).
ENGLAND_ROW = "England (excluding Independent Sector Providers)"


def _norm(text) -> str:
    return " ".join(str(text or "").split()).casefold()


def ward_key(trust_code, site_code, ward_name) -> tuple[str, str, str]:
    """How a published ward is looked up in the mapping: codes upper case, names ignoring case and spacing."""
    return (str(trust_code).strip().upper(), str(site_code).strip().upper(), _norm(ward_name))


class Rows:
    """Ward rows read from one FFT file, in our column names, as text, before mapping.

    ``headings`` maps our column names back to the file's, so problems name what the analyst sees.
    """

    def __init__(self, path: str, sheet: str | None, frame: pd.DataFrame, headings: dict[str, str], national=None):
        self.path, self.sheet, self.frame, self.national = path, sheet, frame, national
        self.headings = headings


# -- reading the two layouts ---------------------------------------------------------------


def _columns(header: Iterable, wanted: dict[str, str]) -> dict[int, str]:
    """Column index → our name for the headings found (matched ignoring case and spacing)."""
    by_norm = {_norm(k): v for k, v in wanted.items()}
    return {i: by_norm[_norm(h)] for i, h in enumerate(header) if _norm(h) in by_norm}


def _missing(path, sheet, row, found: dict[int, str], wanted: dict[str, str]) -> list[Problem]:
    have = set(found.values())
    return [
        Problem(path, row, heading, None, f"a column headed {heading!r} (NHS England's layout)", sheet)
        for heading, name in wanted.items()
        if name not in have
    ]


def _month_from_title(book) -> str | None:
    if "Notes" not in book.sheetnames:
        return None
    for _, values in readers.sheet_rows(book["Notes"]):
        for v in values:
            m = re.search(r"\b(" + "|".join(_MONTHS) + r")\s+(\d{4})\b", str(v or ""), flags=re.I)
            if m:
                return f"{m.group(2)}-{_MONTHS.index(m.group(1).lower()) + 1:02d}"
        break  # the title is the first non-empty row
    return None


def read_published(path: str | Path, month: str | None = None) -> tuple[Rows | None, list[Problem]]:
    """The ward rows of NHS England's published inpatient workbook (``Wards`` sheet)."""
    path = str(path)
    book = readers.open_workbook(path)
    try:
        if "Wards" not in book.sheetnames:
            return None, [
                Problem(
                    path, None, None, book.sheetnames, "a sheet named 'Wards' (NHS England's inpatient FFT workbook)"
                )
            ]
        titled = _month_from_title(book)
        problems = []
        if titled and month and titled != month:
            problems.append(
                Problem(path, 2, None, titled, f"the month given ({month}) to match the workbook's title", "Notes")
            )
        month = titled or month
        if not month:
            problems.append(
                Problem(
                    path, None, None, None, "the month in the Notes title ('… Data - July 2025') or --month", "Notes"
                )
            )
        sheet = book["Wards"]
        rows = readers.sheet_rows(sheet)
        header_row, columns = None, {}
        for number, values in rows:
            found = _columns(values, PUBLISHED_COLUMNS)
            if "ward_name" in found.values() and "trust_code" in found.values():
                header_row, columns = number, found
                # The six answers sit on the next row, under the merged "Breakdown of Responses".
                _, answers = next(rows, (None, ()))
                columns.update(_columns(answers, PUBLISHED_COLUMNS))
                break
            if number > 30:
                break
        if header_row is None:
            return None, [
                *problems,
                Problem(path, None, None, None, "a header row with 'Trust Code' and 'Ward Name' in rows 1–30", "Wards"),
            ]
        problems += _missing(path, "Wards", header_row, columns, PUBLISHED_COLUMNS)
        if problems:
            return None, problems
        records, numbers, national = [], [], None
        for number, values in rows:
            cells = {name: readers.cell_text(values[i]).strip() for i, name in columns.items() if i < len(values)}
            ward = cells.get("ward_name", "")
            if _norm(ward) == _norm(ENGLAND_ROW):
                national = _national_row(cells, month, number)
            if not cells.get("trust_code"):
                continue  # England and Selection rows, blank rows
            records.append(cells)
            numbers.append(number)
        frame = pd.DataFrame(records, columns=list(PUBLISHED_COLUMNS.values()))
        frame["month"] = month
        frame["source_row"] = numbers
        headings = {v: k for k, v in PUBLISHED_COLUMNS.items()}
        return Rows(path, "Wards", frame, headings, national), []
    finally:
        book.close()


def _national_row(cells: dict, month: str, number: int) -> pd.DataFrame | None:
    try:
        counts = {k: float(cells[k]) for k in (*FFT_ANSWERS, "eligible")}
    except (KeyError, ValueError):
        return None  # the template, or a layout without England counts
    total = sum(counts[a] for a in FFT_ANSWERS)
    if not total or not counts["eligible"]:
        return None
    return pd.DataFrame(
        {
            "month": [month],
            "service_type": ["inpatient"],
            "response_rate": [str(round(100 * total / counts["eligible"], 2))],
            "percent_positive": [str(round(100 * (counts["very_good"] + counts["good"]) / total, 2))],
            "source_row": [number],
        }
    )


def _raw_month(year: str, period: str) -> str | None:
    """``2025_26`` and ``AUGUST`` → ``2025-08``; financial years run April to March."""
    m = re.fullmatch(r"(\d{4})_(\d{2})", year.strip())
    name = period.strip().lower()
    if not m or name not in _MONTHS:
        return None
    number = _MONTHS.index(name) + 1
    first = int(m.group(1))
    return f"{first if number >= 4 else first + 1}-{number:02d}"


def read_raw_extract(path: str | Path) -> tuple[Rows | None, list[Problem]]:
    """The rows of NHS England's raw monthly extract (CSV, or the first sheet of a workbook)."""
    path = str(path)
    if Path(path).suffix.lower() in readers.EXCEL_SUFFIXES:
        book = readers.open_workbook(path)
        try:
            sheet = book[book.sheetnames[0]]
            chunks = list(readers.sheet_chunks(path, sheet))
            sheet_name = sheet.title
        finally:
            book.close()
    else:
        readers.check_csv(path, "NHS England's raw FFT extract columns")
        chunks = list(readers.csv_chunks(path))
        sheet_name = None
    raw = pd.concat([c.raw for c in chunks]) if chunks else pd.DataFrame()
    numbers = np.concatenate([c.rows for c in chunks]) if chunks else np.array([], dtype=int)
    columns = _columns(raw.columns, RAW_COLUMNS)
    problems = _missing(path, sheet_name, 1, columns, RAW_COLUMNS)
    if problems:
        return None, problems
    frame = pd.DataFrame({name: raw.iloc[:, i].astype(str).str.strip().to_numpy() for i, name in columns.items()})
    frame["source_row"] = numbers
    months = [_raw_month(y, p) for y, p in zip(frame["year"], frame["period"])]
    for row, year, period, month in zip(numbers, frame["year"], frame["period"], months):
        if month is None:
            problems.append(
                Problem(
                    path,
                    int(row),
                    "Yearnumber, Periodname",
                    f"{year} {period}",
                    "a financial year such as '2025_26' and a month name such as 'AUGUST'",
                    sheet_name,
                )
            )
    frame["month"] = months
    frame = frame[frame["month"].notna()].drop(columns=["year", "period"])
    return Rows(path, sheet_name, frame, {v: k for k, v in RAW_COLUMNS.items()}), problems


def read(path: str | Path, month: str | None = None) -> tuple[Rows | None, list[Problem]]:
    """Either layout, told apart by content: a workbook with a ``Wards`` sheet is the publication."""
    path = Path(path)
    try:
        if path.suffix.lower() in readers.EXCEL_SUFFIXES:
            book = readers.open_workbook(path)
            published = "Wards" in book.sheetnames or "Notes" in book.sheetnames
            book.close()
            if published:
                return read_published(path, month)
        return read_raw_extract(path)
    except ReadError as exc:
        return None, [exc.problem]


# -- mapping and loading ---------------------------------------------------------------------


def map_wards(rows: Rows, mapping: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """The trust's rows (trust codes in the mapping) with their ``unit_id``; unmapped wards are problems."""
    frame = rows.frame
    trusts = {str(t).strip().upper() for t in mapping["trust_code"]}
    ours = frame[frame["trust_code"].str.upper().isin(trusts)].copy()
    problems = []
    if len(frame) and ours.empty:
        problems.append(
            Problem(
                rows.path,
                None,
                "Trust Code",
                sorted(set(frame["trust_code"]))[:5],
                f"rows for the trust code(s) in the ward mapping ({', '.join(sorted(trusts))})",
                rows.sheet,
            )
        )
    lookup = {
        ward_key(t, s, w): u
        for t, s, w, u in mapping[["trust_code", "site_code", "ward_name", "unit_id"]].itertuples(index=False)
    }
    keys = [ward_key(t, s, w) for t, s, w in ours[["trust_code", "site_code", "ward_name"]].itertuples(index=False)]
    ours["unit_id"] = [lookup.get(k) for k in keys]
    for r in ours[ours["unit_id"].isna()].itertuples(index=False):
        problems.append(
            Problem(
                rows.path,
                int(r.source_row),
                "Ward Name",
                r.ward_name,
                f"a ward listed in the FFT ward mapping (fft_ward_map) for trust {r.trust_code}, site {r.site_code}: "
                "add a row mapping this name to its unit",
                rows.sheet,
            )
        )
    return ours[ours["unit_id"].notna()], problems


def to_monthly(rows: Rows, mapped: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, list[Problem]]:
    """Validated ``fft_monthly`` rows (summed per unit and month) with their first source rows,
    and the suppressed unit-months (``fft_suppressed`` rows, with their first source rows)."""
    suppressed_row = (mapped[list(FFT_ANSWERS)] == SUPPRESSED_MARK).any(axis=1)
    layout = mapped[["unit_id", "month", *FFT_ANSWERS, "eligible"]].copy()
    layout.loc[suppressed_row, list(FFT_ANSWERS)] = "0"  # validated below only for their other cells
    layout["eligible"] = layout["eligible"].replace(SUPPRESSED_MARK, "")
    typed, found = parse_table(
        layout, TABLES["fft_monthly"], rows.path, rows.sheet, rows=mapped["source_row"].to_numpy()
    )
    problems = [dataclasses.replace(p, column=rows.headings.get(p.column, p.column)) for p in found]
    typed["source_row"] = mapped["source_row"].to_numpy()
    typed["_suppressed"] = suppressed_row.to_numpy()
    groups = typed.groupby(["unit_id", "month"], sort=True, dropna=False)
    hidden = groups["_suppressed"].any()
    summed = groups[list(FFT_ANSWERS)].sum(min_count=1)
    summed["eligible"] = groups["eligible"].sum(min_count=1)
    first_row = groups["source_row"].min()
    keep = ~hidden
    out = summed[keep].reset_index()
    suppressed = hidden[hidden].index.to_frame(index=False)
    suppressed["source_row"] = first_row[hidden].to_numpy()
    return out, first_row[keep].to_numpy(), suppressed, problems


def import_files(loader: Loader, paths: Iterable[str | Path], mapping: pd.DataFrame, month: str | None = None) -> None:
    """Read, map and validate FFT files and stage their rows in ``loader`` (see :class:`Loader`)."""
    for path in paths:
        rows, problems = read(path, month)
        loader.report(problems)
        if rows is None:
            continue
        mapped, problems = map_wards(rows, mapping)
        loader.report(problems)
        monthly, first_rows, suppressed, problems = to_monthly(rows, mapped)
        loader.report(problems)
        if len(monthly):
            loader.stage("fft_monthly", monthly, str(path), first_rows, rows.sheet)
        if len(suppressed):
            loader.stage(
                "fft_suppressed", suppressed[["unit_id", "month"]], str(path), suppressed["source_row"], rows.sheet
            )
        if rows.national is not None:
            national, problems = parse_table(rows.national, TABLES["fft_national"], str(path), rows.sheet)
            loader.report(problems)
            loader.stage("fft_national", national, str(path), rows.national["source_row"], rows.sheet)
        loader.record(SourceFile.of(path, "fft_monthly", len(monthly)))
        if len(suppressed):
            listed = ", ".join(
                f"{u} {pd.Timestamp(m):%Y-%m}" for u, m in zip(suppressed["unit_id"], suppressed["month"])
            )
            loader.notes.append(
                f"{path}: {len(suppressed)} ward-month(s) suppressed by NHS England ('*'), recorded as suppressed: "
                + listed
            )
