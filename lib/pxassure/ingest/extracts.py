"""A trust's own extracts, mapped onto pxassure's tables by the sources file, without code.

A complaints system, Datix, the PALS log and e-rostering each export their own columns, their
own spellings and their own names for the same ward. The sources file's ``extracts:`` section
says, per extract, which file (or glob, or workbook sheet) feeds which table and how::

    locations: locations.csv          # each system's location names → unit codes (or a list here)
    holidays: [2026-12-25, 2026-12-28] # not working days, for working_days
    extracts:
      datix:
        file: datix_*.csv
        table: incidents
        aggregate: true                # one row per incident → the table's grain (unit, month, harm)
        columns:
          unit_id: {location: Location (exact)}
          month: Incident date         # a date in a month column is its month
          harm_level: Result / Harm
          incidents: {count: rows}
        values:
          harm_level: {No harm: no_harm, Low harm: low, Moderate harm: moderate,
                       Severe harm: severe, Death: death}
        skip:
          - {column: Result / Harm, blank: true, reason: not yet graded}

A column is their column's name, or one derivation: ``{constant: V}``, ``{location: C}`` (the
shared look-up, by the row's date where a name was reused), ``{working_days: [FROM, TO]}``, and in
an aggregated extract ``{count: rows}``, ``{sum: C}`` or ``{percent: [C, D]}``, each optionally
``where: {C: value or [values]}``. Nullable columns not named are left empty. Cells are trimmed;
values and location names match ignoring case and repeated spaces; dates are read day first
(:mod:`pxassure.ingest.dates`). Rows identical to an earlier row and rows a ``skip:`` rule names
are counted and reported by rule, never dropped silently. An unknown value, location or date is
a problem naming file, sheet, row, column and value and what the mapping knows; every problem of
every extract is reported in one pass, and nothing is loaded unless all is well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.ingest import dates, readers
from pxassure.ingest.columns import FALSE_TEXT, TRUE_TEXT, Table
from pxassure.ingest.extract_spec import (
    AGGREGATES,
    IDENTICAL,
    ROW_DATE,
    Extract,
    Locations,
    Rule,
    cell_text,
    first_few,
    match_key,
)
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import Chunk
from pxassure.ingest.staging import SourceFile


@dataclass
class Mapped:
    """One chunk's rows in pxassure's columns (text), with the problems and skips met on the way."""

    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem]
    skipped: Counter


class Mapper:
    """Turns an extract's rows, chunk by chunk, into rows of its table as text cells."""

    def __init__(self, extract: Extract, locations: Locations, holidays: tuple = ()):
        self.extract = extract
        self.locations = locations
        self.holidays = list(holidays)
        self.seen: set[int] = set()  # hashes of rows already read, to spot exact duplicates

    def map(self, chunk: Chunk) -> Mapped:
        x = self.extract
        raw = chunk.raw.rename(columns=lambda c: " ".join(str(c).split()))
        raw = raw.apply(lambda s: s.fillna("").astype(str).str.strip())
        problems: list[Problem] = []
        skipped: Counter = Counter()

        def problem(row, column, value, expected):
            problems.append(Problem(chunk.source, int(row), column, value, expected, chunk.sheet))

        rows = chunk.rows
        if x.unpivot:
            raw, rows = self._unpivoted(raw, rows, skipped)
        missing = [c for c in x.needed if c not in raw.columns]
        if missing:
            for c in missing:
                problem(x.header_row, c, None, f"a column named {c!r} ({x.where}; columns found: {list(raw.columns)})")
            return Mapped(pd.DataFrame(), np.array([], dtype=int), problems, skipped)

        keep = self._fresh(raw, skipped)
        for rule in x.skips:
            hit = keep & rule.matches(raw)
            skipped[rule.reason] += int(hit.sum())
            keep &= ~hit
        raw, rows = raw[keep.to_numpy()].reset_index(drop=True), rows[keep.to_numpy()]
        ok = pd.Series(True, index=raw.index)
        out: dict[str, pd.Series] = {}
        parsed: dict[str, pd.Series] = {}  # date columns, parsed (for working days and look-ups)

        def flag(mask: pd.Series, column: str, values: pd.Series, expected: str):
            for r, v in zip(rows[mask.to_numpy()], values[mask].tolist()):
                problem(r, column, v, expected)
            ok.loc[mask] = False

        for rule in [r for r in x.rules if r.kind not in ("location", *AGGREGATES)]:
            out[rule.ours] = self._column(rule, raw, parsed, flag)
        for rule in [r for r in x.rules if r.kind == "location"]:
            out[rule.ours] = self._locate(rule, raw, flag, ok, skipped)
        for rule in [r for r in x.rules if r.kind in AGGREGATES]:
            out.update(self._contribution(rule, raw, flag))
        frame = pd.DataFrame(out, index=raw.index)[ok]
        return Mapped(frame.reset_index(drop=True), rows[ok.to_numpy()], problems, skipped)

    def _unpivoted(self, raw: pd.DataFrame, rows: np.ndarray, skipped: Counter) -> tuple[pd.DataFrame, np.ndarray]:
        """A column per month as a row per month: each row keeps the number of the row it came
        from; an empty cell is no row, counted (a month a ward had no figure)."""
        keep, (header, cell) = self.extract.unpivot
        absent = [k for k in keep if k not in raw.columns]
        if absent:  # left as it is: the caller reports the columns missing
            return raw, rows
        long = raw.assign(_row=rows).melt(id_vars=[*keep, "_row"], var_name=header, value_name=cell)
        blank = long[cell].str.strip() == ""
        skipped[f"empty cell: no figure for that {header}"] += int(blank.sum())
        long = long[~blank].sort_values("_row", kind="stable")
        return long.drop(columns="_row").reset_index(drop=True), long["_row"].to_numpy()

    def _fresh(self, raw: pd.DataFrame, skipped: Counter) -> pd.Series:
        """False for rows identical (in every column) to an earlier row of the extract."""
        hashes = pd.util.hash_pandas_object(raw, index=False).to_numpy()
        keep = np.ones(len(raw), dtype=bool)
        for i, h in enumerate(hashes.tolist()):
            if h in self.seen:
                keep[i] = False
            self.seen.add(h)
        skipped[IDENTICAL] += int((~keep).sum())
        return pd.Series(keep, index=raw.index)

    def _column(self, rule: Rule, raw: pd.DataFrame, parsed: dict, flag) -> pd.Series:
        col = self.extract.table.column(rule.ours)
        if rule.kind == "constant":
            return pd.Series(cell_text(rule.constant) if rule.constant is not None else "", index=raw.index)
        if rule.kind == "working_days":
            start, end = (self._date(c, raw, parsed, flag) for c in rule.their)
            both = start.notna() & end.notna()
            days = pd.Series("", index=raw.index)
            if both.any():
                counts = np.busday_count(
                    pd.to_datetime(start[both]).values.astype("datetime64[D]"),
                    pd.to_datetime(end[both]).values.astype("datetime64[D]"),
                    holidays=np.array(self.holidays, dtype="datetime64[D]"),
                )
                days[both] = [str(int(n)) for n in counts]
            return days
        their = rule.their[0]
        if col.type == "DATE":
            day = self._date(their, raw, parsed, flag, month=col.is_month)
            return day.map(lambda d: "" if d is None else d.isoformat())
        text = raw[their]
        if rule.ours in self.extract.values:
            text = self._translate(rule.ours, their, text, flag)
        return text

    def _date(self, their: str, raw: pd.DataFrame, parsed: dict, flag, month: bool = False) -> pd.Series:
        key = (their, month)
        if key not in parsed:
            day = dates.parse(raw[their], month=month, fmt=self.extract.date_format)
            bad = (raw[their] != "") & day.isna()
            expected = f"the format {self.extract.date_format!r}" if self.extract.date_format else None
            flag(bad, their, raw[their], expected or (dates.ACCEPTED_MONTH if month else dates.ACCEPTED))
            parsed[key] = day
        return parsed[key]

    def _translate(self, ours: str, their: str, text: pd.Series, flag) -> pd.Series:
        """Their spellings → pxassure's; a value neither listed nor already pxassure's is a problem."""
        mapping = self.extract.values[ours]
        col = self.extract.table.column(ours)
        keys = text.map(match_key)
        listed = keys.isin(list(mapping))
        out = text.where(~listed, keys.map(mapping)).fillna("")
        if col.type == "BOOLEAN":
            native = text.str.lower().isin(list(TRUE_TEXT | FALSE_TEXT))
        elif col.choices:
            native = text.isin(list(col.choices))
        elif col.type in ("INTEGER", "DOUBLE"):
            native = pd.to_numeric(text, errors="coerce").notna()
        else:
            native = pd.Series(True, index=text.index)  # free text: only the listed values change
        unknown = ~listed & (text != "") & ~native
        names = self.extract.value_names[ours]
        flag(unknown, their, text, f"a value {self.extract.where}.values.{ours} lists: {first_few(names)}")
        return out

    def _locate(self, rule: Rule, raw: pd.DataFrame, flag, ok: pd.Series, skipped: Counter):
        their = rule.their[0]
        day = self._row_date(raw)
        units = pd.Series("", index=raw.index)
        reasons = pd.Series("", index=raw.index)
        problems = pd.Series("", index=raw.index)
        cache: dict = {}
        for i, name, d in zip(raw.index, raw[their].tolist(), day.tolist()):
            if name == "":
                continue  # a blank location is the schema's to report (unit_id is required)
            key = (name, d)
            if key not in cache:
                cache[key] = self.locations.find(name, d)
            place, expected = cache[key]
            if place is None:
                problems[i] = expected
            elif place.skip:
                reasons[i] = place.skip
            else:
                units[i] = place.unit
        for reason, n in reasons[reasons != ""].value_counts().items():
            skipped[f"location {reason}"] += int(n)
        ok.loc[reasons != ""] = False  # skipped: not a problem, not loaded
        for expected in problems[problems != ""].unique():
            flag(problems == expected, their, raw[their], expected)
        return units

    def _row_date(self, raw: pd.DataFrame) -> pd.Series:
        """Each row's own date (to the day where the extract has it), for names reused over time."""
        for name in ROW_DATE:
            rule = next((r for r in self.extract.rules if r.ours == name and r.kind == "column"), None)
            if rule is not None:
                text = raw[rule.their[0]]
                day = dates.parse(text, fmt=self.extract.date_format)
                if self.extract.table.column(name).is_month:  # a month alone ('Mar-24') where no day is given
                    day = day.where(day.notna(), dates.parse(text, month=True))
                return day
        return pd.Series([None] * len(raw), index=raw.index, dtype=object)

    def _contribution(self, rule: Rule, raw: pd.DataFrame, flag) -> dict[str, pd.Series]:
        """What each row adds to an aggregated column (summed per group later)."""
        match = pd.Series(True, index=raw.index)
        for column, values in rule.where:
            match &= raw[column].map(match_key).isin([match_key(v) for v in values])
        if rule.kind == "count":
            return {rule.ours: match.astype(float)}
        out = {}
        for i, their in enumerate(rule.their):
            number = pd.to_numeric(raw[their].str.replace(",", "", regex=False), errors="coerce")
            flag(match & (raw[their] != "") & number.isna(), their, raw[their], "a number")
            out[f"{rule.ours}\x00{i}"] = number.where(match, 0.0).fillna(0.0)
        return out


def aggregate(extract: Extract, chunks: list[Chunk]) -> list[Chunk]:
    """Mapped rows combined to the table's grain: one row per distinct value of the other columns,
    numbered by the first source row it combines (one chunk per file those rows came from)."""
    frame = pd.concat([c.raw for c in chunks], ignore_index=True)
    frame["_row"] = np.concatenate([c.rows for c in chunks])
    frame["_source"] = [c.source for c in chunks for _ in range(len(c.rows))]
    by = [r.ours for r in extract.rules if r.kind not in AGGREGATES]
    parts = [c for c in frame.columns if c not in by and not c.startswith("_")]
    grouped = frame.groupby(by, sort=True, dropna=False)
    sums = grouped[parts].sum()
    first = grouped[["_row", "_source"]].first()
    out = pd.DataFrame(index=sums.index)
    for rule in [r for r in extract.rules if r.kind in AGGREGATES]:
        if rule.kind == "count":
            out[rule.ours] = sums[rule.ours].map(lambda v: str(int(v)))
        elif rule.kind == "sum":
            out[rule.ours] = sums[f"{rule.ours}\x000"].map(_number)
        else:
            num, den = sums[f"{rule.ours}\x000"], sums[f"{rule.ours}\x001"]
            out[rule.ours] = [_number(round(100 * n / d, 2)) if d else "" for n, d in zip(num, den)]
    out = complete(out.reset_index(), extract.table)
    files = first["_source"].to_numpy()
    return [
        Chunk(out[files == source].reset_index(drop=True), source, first["_row"].to_numpy()[files == source])
        for source in dict.fromkeys(files.tolist())
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- the extract's files ----------------------------------------------------------------------


def file_chunks(extract: Extract, path: Path) -> Iterator[Chunk]:
    """The rows of one of the extract's files as text cells (a CSV, or the named or first sheet)."""
    if path.suffix.lower() not in readers.EXCEL_SUFFIXES:
        if extract.header_row != 1:
            raise ReadError(
                Problem(str(path), None, None, None, "the header on row 1 of a CSV (header_row is for workbooks)")
            )
        readers.check_csv(path, f"the columns of {extract.where}")
        yield from readers.csv_chunks(path)
        return
    book = readers.open_workbook(path)
    try:
        if extract.sheet is None:
            sheet = book.worksheets[0]
        elif extract.sheet in book.sheetnames:
            sheet = book[extract.sheet]
        else:
            raise ReadError(Problem(str(path), None, None, book.sheetnames, f"a sheet named {extract.sheet!r}"))
        yield from readers.sheet_chunks(path, sheet, header_row=extract.header_row)
    finally:
        book.close()


def load(loader, extracts: list[Extract], locations: Locations, holidays: tuple = ()) -> None:
    """Stage every extract in ``loader``: mapped, then validated like any file of its table."""
    for extract in extracts:
        mapper = Mapper(extract, locations, holidays)
        labels = {r.ours: r.their[0] for r in extract.rules if len(r.their) == 1}
        table = extract.table.name
        skipped: Counter = Counter()
        held: list[Chunk] = []  # an aggregated extract's rows, combined once every file is read
        for path in extract.files:
            chunks = _mapped_chunks(loader, mapper, path, skipped)
            if extract.aggregate:
                mine = [c for c in chunks if len(c.rows)]  # a file with a problem may leave none
                held += mine
                rows = sum(len(c.rows) for c in mine)
            else:
                completed = (replace(c, raw=complete(c.raw, extract.table)) for c in chunks)
                rows = loader.add_chunks(table, completed, str(path), labels=labels, require_rows=False)
            loader.record(SourceFile.of(path, table, rows))
        if held:
            loader.add_chunks(table, aggregate(extract, held), extract.where, labels=labels, require_rows=False)
        for reason, n in skipped.items():
            if n:
                loader.warn(table, None, f"{extract.where}: {n} row(s) skipped: {reason}")


def complete(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The table's input columns the mapping leaves out (all nullable) as empty cells."""
    absent = {c.name: "" for c in table.input_columns if c.name not in frame.columns}
    return frame.assign(**absent) if absent else frame


def _mapped_chunks(loader, mapper: Mapper, path: Path, skipped: Counter) -> Iterator[Chunk]:
    """The file's chunks with their rows mapped to the table's columns; problems go to ``loader``."""
    read = 0
    try:
        for chunk in file_chunks(mapper.extract, path):
            read += len(chunk.raw)
            mapped = mapper.map(chunk)
            loader.report(mapped.problems)
            skipped.update(mapped.skipped)
            yield replace(chunk, raw=mapped.frame, rows=mapped.rows)
    except ReadError as exc:
        loader.report([exc.problem])
        return
    if read == 0:
        loader.report([Problem(str(path), None, None, None, f"at least one data row ({mapper.extract.where})")])
