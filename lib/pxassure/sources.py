"""Input files → validated tables → the store.

Each table of :mod:`pxassure.schema` has a documented CSV layout with the same column
names (``docs/data-model.md``). :func:`load_files` reads every file, reports *every*
problem in one pass (file, row, column, value, what was expected) and loads nothing
unless everything validates. The demo trust is loaded through exactly this path.

Cells are read as text and parsed by type; nothing in a cell is ever evaluated, so a
cell starting with ``=``, ``+``, ``-`` or ``@`` is just text (or a number, if it is one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.schema import TABLES, Table
from pxassure.store import SourceFile, Store

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    row: int | None  # 1-based row in the file, header = row 1
    column: str | None
    value: object
    expected: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = "" if self.value is None else f": found {self.value!r}"
        return f"{', '.join(where)}{value}; expected {self.expected}"


class ValidationError(ValueError):
    """Input files failed validation; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = f"\n  … and {len(problems) - MAX_PROBLEMS_SHOWN} more" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{len(problems)} problem(s) found; nothing was loaded:\n{shown}{more}")


_INT = re.compile(r"^[+-]?\d+$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def read_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV as text cells (UTF-8, with or without a byte-order mark)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")


def parse_table(
    raw: pd.DataFrame, table: Table, file: str, sheet: str | None = None, first_data_row: int = 2
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse text cells into the table's types. Returns the typed frame and the problems found."""
    problems: list[Problem] = []
    raw = raw.rename(columns=lambda c: str(c).strip())
    missing = [c for c in table.column_names if c not in raw.columns]
    for col in missing:
        problems.append(
            Problem(file, 1, col, None, f"a column named {col!r} (columns found: {list(raw.columns)})", sheet)
        )
    if missing:
        return pd.DataFrame(columns=table.column_names), problems
    if len(raw) == 0:
        problems.append(Problem(file, None, None, None, f"at least one data row for table {table.name}", sheet))
        return pd.DataFrame(columns=table.column_names), problems

    rows = np.arange(len(raw)) + first_data_row
    out = {}
    for col in table.columns:
        text = raw[col.name].astype("string").str.strip()
        blank = text.isna() | (text == "")

        def bad(mask, expected, _text=text, _col=col):
            for r, v in zip(rows[mask.to_numpy()], _text[mask].tolist()):
                problems.append(Problem(file, int(r), _col.name, v, expected, sheet))

        if not col.nullable:
            bad(blank, "a value (this column is required)")
        if col.type == "VARCHAR":
            values = text.where(~blank, None)
        elif col.type == "INTEGER":
            ok = text.fillna("").str.match(_INT)
            bad(~blank & ~ok, "a whole number")
            values = pd.to_numeric(text.where(~blank & ok), errors="coerce").astype("Int64")
        elif col.type == "DOUBLE":
            values = pd.to_numeric(text.where(~blank), errors="coerce")
            bad(~blank & values.isna(), "a number")
            values = values.astype("Float64")
        elif col.type == "DATE":
            is_month = text.fillna("").str.match(_MONTH)
            padded = text.where(~is_month, text + "-01")
            values = pd.to_datetime(padded.where(~blank), format="%Y-%m-%d", errors="coerce")
            bad(~blank & values.isna(), "a real date as YYYY-MM-DD" + (" or YYYY-MM" if col.name == "month" else ""))
            if col.name == "month":
                bad(values.notna() & (values.dt.day != 1), "a month: YYYY-MM or the first day of the month")
            values = values.dt.date
        elif col.type == "BOOLEAN":
            low = text.fillna("").str.lower()
            truth = low.isin(list(_TRUE))
            falsity = low.isin(list(_FALSE))
            bad(~blank & ~truth & ~falsity, "true or false (also yes/no, 1/0)")
            values = pd.Series(np.where(truth, True, np.where(falsity, False, None)), dtype="boolean")
        else:  # pragma: no cover - schema types are fixed
            raise AssertionError(col.type)

        present = values.notna()
        if col.choices:
            bad(present & ~values.isin(list(col.choices)), "one of " + ", ".join(repr(c) for c in col.choices))
        if col.minimum is not None and col.type in ("INTEGER", "DOUBLE"):
            bad(present & (values < col.minimum).fillna(False), f"a value of at least {col.minimum:g}")
        if col.maximum is not None and col.type in ("INTEGER", "DOUBLE"):
            bad(present & (values > col.maximum).fillna(False), f"a value of at most {col.maximum:g}")
        out[col.name] = values.reset_index(drop=True)

    frame = pd.DataFrame(out)
    dup = frame.duplicated(list(table.key), keep="first") & frame[list(table.key)].notna().all(axis=1)
    for r in rows[dup.to_numpy()]:
        key = ", ".join(f"{k}={frame.loc[r - first_data_row, k]}" for k in table.key)
        problems.append(
            Problem(file, int(r), ",".join(table.key), key, "each key to appear once (duplicate row)", sheet)
        )
    problems += _table_checks(frame, table, file, sheet, rows)
    return frame, problems


def _table_checks(frame: pd.DataFrame, table: Table, file: str, sheet: str | None, rows) -> list[Problem]:
    """The cross-column checks of the schema, in Python so each failure names its row."""
    problems = []
    if table.name == "fft_monthly":
        answers = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
        total = frame[answers].sum(axis=1, min_count=1)
        over = (total > frame["eligible"]).fillna(False)
        for r, t, e in zip(rows[over.to_numpy()], total[over], frame["eligible"][over]):
            problems.append(
                Problem(
                    file,
                    int(r),
                    "eligible",
                    int(e),
                    f"at least the total responses ({int(t)}): responses cannot exceed eligible",
                    sheet,
                )
            )
    for later, earlier in (("acknowledged", "received"), ("closed", "received"), ("resolved", "received")):
        if later in frame.columns and earlier in frame.columns:
            wrong = (pd.to_datetime(frame[later]) < pd.to_datetime(frame[earlier])).fillna(False)
            for r, v in zip(rows[wrong.to_numpy()], frame[later][wrong]):
                problems.append(Problem(file, int(r), later, str(v), f"a date on or after {earlier!r}", sheet))
    return problems


def _reference_problems(parsed: dict[str, tuple[pd.DataFrame, str]], store: Store | None) -> list[Problem]:
    """Values that must exist in another table (in this load, or already in the store)."""
    problems = []
    for name, (frame, file) in parsed.items():
        for col in TABLES[name].columns:
            if not col.references or col.name not in frame.columns:
                continue
            ref_table, ref_col = col.references.split(".")
            if ref_table in parsed:
                known = set(parsed[ref_table][0][ref_col].dropna())
            elif store is not None:
                known = set(store.query(f"SELECT {ref_col} FROM {ref_table}")[ref_col])
            else:
                known = set()
            values = frame[col.name]
            unknown = values.notna() & ~values.isin(list(known))
            for i, v in zip(np.flatnonzero(unknown.to_numpy()), values[unknown]):
                problems.append(Problem(file, int(i) + 2, col.name, v, f"a value that exists in {ref_table}.{ref_col}"))
    return problems


def validate_files(files: dict[str, str | Path], store: Store | None = None):
    """Read and validate ``files`` ({table: path}); return (tables, sources, problems)."""
    parsed: dict[str, tuple[pd.DataFrame, str]] = {}
    problems: list[Problem] = []
    sources = []
    for name, path in files.items():
        if name not in TABLES:
            problems.append(Problem(str(path), None, None, name, f"a table name, one of {list(TABLES)}"))
            continue
        path = Path(path)
        try:
            raw = read_csv(path)
        except FileNotFoundError:
            problems.append(Problem(str(path), None, None, None, "an existing file"))
            continue
        except pd.errors.EmptyDataError:
            problems.append(Problem(str(path), None, None, None, f"a header row with the columns of {name}"))
            continue
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(path), None, None, None, f"UTF-8 text ({exc.reason} at byte {exc.start})"))
            continue
        frame, found = parse_table(raw, TABLES[name], str(path))
        problems += found
        parsed[name] = (frame, str(path))
        sources.append(SourceFile.of(path, name, len(frame)))
    if not problems:
        problems += _reference_problems(parsed, store)
    return {k: v[0] for k, v in parsed.items()}, sources, problems


def load_files(store: Store, files: dict[str, str | Path], *, replace: bool = True) -> str:
    """Validate ``files`` ({table: path}) and load them in one transaction; return the load id.

    Raises :class:`ValidationError` listing every problem, with nothing loaded.
    """
    tables, sources, problems = validate_files(files, store)
    if problems:
        raise ValidationError(problems)
    return store.load(tables, sources, replace=replace)


def discover(folder: str | Path) -> dict[str, Path]:
    """Files in ``folder`` named after tables (``<table>.csv``)."""
    folder = Path(folder)
    return {p.stem: p for p in sorted(folder.glob("*.csv")) if p.stem in TABLES}


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table in its documented CSV layout (dates ISO, blanks for missing)."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
