"""Inputs → validated tables → the store.

Each table of :mod:`pxassure.ingest.schema` has a documented layout with the same column names
(``docs/data-model.md``), as a CSV named after the table or as a sheet named after the table
in an Excel workbook. A :class:`Loader` reads every source in chunks, reports *every*
problem in one pass (file, sheet, row, column, value, what was expected) and loads nothing
unless everything validates; rows are staged in the store and committed in one transaction.
The demo trust, NHS England's FFT files (:mod:`pxassure.ingest.fft`), self-assessment workbooks
(:mod:`pxassure.ingest.selfassessment`) and SQL warehouses (:mod:`pxassure.ingest.warehouse`) all load
through this path.

Cells are read as text and parsed by type; nothing in a cell is ever evaluated, so a cell
starting with ``=``, ``+``, ``-`` or ``@`` is just text (or a number, if it is one).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import MAX_PROBLEMS_SHOWN, ReadError, ValidationError
from pxassure.ingest import readers, themes
from pxassure.ingest.coding import ENRICH
from pxassure.ingest.columns import FALSE_TEXT, FFT_ANSWERS, SUPPRESSED_MARK, TRUE_TEXT, Table
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import Chunk
from pxassure.ingest.schema import TABLES
from pxassure.ingest.staging import SourceFile, StagedLoad
from pxassure.ingest.store import Store

__all__ = ["Loader", "Problem", "ValidationError", "discover", "load_files", "parse_table", "MAX_PROBLEMS_SHOWN"]

#: Problems kept in full per load (all are counted): bounds memory on a hopeless file.
MAX_PROBLEMS_KEPT = 1000

_INT = re.compile(r"^[+-]?\d+$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
# Control characters never belong in a cell (tab, newline and carriage return do, in comments).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "@")
#: Tables with one row per unit per month: a month missing inside a unit's run is warned about.
MONTHLY_TABLES = ("fft_monthly", "activity", "staffing")


def _formula(text: pd.Series) -> pd.Series:
    """Cells that look like a spreadsheet formula ('+5' is a number; a leading '-' is checked as a sign)."""
    plain = text.fillna("")
    return plain.str.startswith(_FORMULA_START) & ~plain.str.match(r"^\+\d+(\.\d+)?$")


def parse_table(
    raw: pd.DataFrame,
    table: Table,
    file: str,
    sheet: str | None = None,
    first_data_row: int = 2,
    rows: np.ndarray | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse text cells into the table's types. Returns the typed frame and the problems found.

    ``rows`` are the rows' numbers in the file (default: consecutive from ``first_data_row``).
    Checks within a row are made here; checks across rows (duplicate keys, references) are
    made by the :class:`Loader` over everything staged.
    """
    problems: list[Problem] = []
    raw = raw.rename(columns=lambda c: str(c).strip())
    wanted = table.input_columns
    left_out = {c.name: None for c in wanted if c.optional and c.name not in raw.columns}
    if left_out:
        raw = raw.assign(**left_out)
    missing = [c.name for c in wanted if c.name not in raw.columns]
    for col in missing:
        problems.append(
            Problem(file, 1, col, None, f"a column named {col!r} (columns found: {list(raw.columns)})", sheet)
        )
    if missing:
        return pd.DataFrame(columns=[c.name for c in wanted]), problems

    rows = np.arange(len(raw)) + first_data_row if rows is None else np.asarray(rows)
    out = {}
    for col in wanted:
        text = raw[col.name].astype("string").str.strip()
        blank = text.isna() | (text == "")

        def bad(mask, expected, _text=text, _col=col):
            for r, v in zip(rows[mask.to_numpy()], _text[mask].tolist()):
                problems.append(Problem(file, int(r), _col.name, v, expected, sheet))

        if not col.nullable:
            bad(blank, "a value (this column is required)")
        control = text.fillna("").str.contains(_CONTROL)
        bad(control, "text without control characters such as NUL (remove them, then save the file again)")
        blank |= control  # reported once: not checked again as a value
        if col.pattern:
            bad(~blank & ~text.fillna("").str.fullmatch(col.pattern), col.pattern_text)
        values = _PARSERS[col.type](text, blank, col, bad)

        _check_range(values, col, bad)
        out[col.name] = values.reset_index(drop=True)

    frame = pd.DataFrame(out)
    problems += _table_checks(frame, table, file, sheet, rows)
    return frame, problems


# Each column type's parser: (its cells as trimmed text, which are blank, the column, a function
# recording a problem for the rows of a mask) -> the typed values, blank or unreadable as missing.
def _varchar(text, blank, col, bad):
    return text.where(~blank, None)


def _integer(text, blank, col, bad):
    ok = text.fillna("").str.match(_INT)
    formula = _formula(text)
    bad(~blank & ~ok & ~formula, "a whole number")
    bad(~blank & formula, "a whole number, not a formula (pxassure never evaluates formulas)")
    return pd.to_numeric(text.where(~blank & ok), errors="coerce").astype("Int64")


def _double(text, blank, col, bad):
    formula = _formula(text)
    values = pd.to_numeric(text.where(~blank & ~formula), errors="coerce")
    bad(~blank & values.isna() & ~formula, "a number")
    bad(~blank & formula, "a number, not a formula (pxassure never evaluates formulas)")
    return values.astype("Float64")


def _date(text, blank, col, bad):
    is_month = text.fillna("").str.match(_MONTH)
    padded = text.where(~is_month, text + "-01")
    values = pd.to_datetime(padded.where(~blank), format="%Y-%m-%d", errors="coerce")
    bad(~blank & values.isna(), "a real date as YYYY-MM-DD" + (" or YYYY-MM" if col.is_month else ""))
    if col.is_month:
        bad(values.notna() & (values.dt.day != 1), "a month: YYYY-MM or the first day of the month")
    return values.dt.date


def _boolean(text, blank, col, bad):
    low = text.fillna("").str.lower()
    truth = low.isin(list(TRUE_TEXT))
    falsity = low.isin(list(FALSE_TEXT))
    bad(~blank & ~truth & ~falsity, "true or false (also yes/no, 1/0)")
    return pd.Series(np.where(truth, True, np.where(falsity, False, None)), dtype="boolean")


_PARSERS = {"VARCHAR": _varchar, "INTEGER": _integer, "DOUBLE": _double, "DATE": _date, "BOOLEAN": _boolean}


def _check_range(values: pd.Series, col, bad) -> None:
    """The column's allowed values, minimum and maximum, checked on the values present."""
    present = values.notna()
    if col.choices:
        bad(present & ~values.isin(list(col.choices)), "one of " + ", ".join(repr(c) for c in col.choices))
    if col.minimum is not None and col.type in ("INTEGER", "DOUBLE"):
        bad(present & (values < col.minimum).fillna(False), f"a value of at least {col.minimum:g}")
    if col.maximum is not None and col.type in ("INTEGER", "DOUBLE"):
        bad(present & (values > col.maximum).fillna(False), f"a value of at most {col.maximum:g}")


def _table_checks(frame: pd.DataFrame, table: Table, file: str, sheet: str | None, rows) -> list[Problem]:
    """The cross-column checks of the schema, in Python so each failure names its row."""
    problems = []
    if table.name == "fft_monthly":
        answers = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
        total = frame[answers].sum(axis=1, min_count=1)
        zero = ((frame["eligible"] == 0) & (total > 0)).fillna(False)
        for r, t in zip(rows[zero.to_numpy()], total[zero]):
            problems.append(
                Problem(
                    file,
                    int(r),
                    "eligible",
                    0,
                    f"the number of eligible patients, above 0 with {int(t)} responses "
                    "(a response rate needs a denominator; leave it empty where the setting does not count it)",
                    sheet,
                )
            )
        over = ((total > frame["eligible"]) & ~zero).fillna(False)
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
    if table.name == "targets":
        no_value = ((frame["basis"] == "value") & frame["value"].isna()).fillna(False)
        for r in rows[no_value.to_numpy()]:
            problems.append(Problem(file, int(r), "value", None, "a target figure, as basis is 'value'", sheet))
        national = (frame["basis"] == "national") & frame["value"].notna()
        for r, v in zip(rows[national.fillna(False).to_numpy()], frame["value"][national.fillna(False)]):
            problems.append(
                Problem(
                    file,
                    int(r),
                    "value",
                    float(v),
                    "empty, as basis is 'national' (the national figure is the target)",
                    sheet,
                )
            )
    for part, whole in (("satisfied", "satisfaction_asked"),):
        if part in frame.columns and whole in frame.columns:
            over = (frame[part] > frame[whole]).fillna(False)
            for r, v in zip(rows[over.to_numpy()], frame[part][over]):
                problems.append(Problem(file, int(r), part, str(int(v)), f"at most {whole!r} (of those asked)", sheet))
    for later, earlier in (
        ("acknowledged", "received"),
        ("closed", "received"),
        ("resolved", "received"),
        ("closed", "opened"),
    ):
        if later in frame.columns and earlier in frame.columns:
            wrong = (pd.to_datetime(frame[later]) < pd.to_datetime(frame[earlier])).fillna(False)
            for r, v in zip(rows[wrong.to_numpy()], frame[later][wrong]):
                problems.append(Problem(file, int(r), later, str(v), f"a date on or after {earlier!r}", sheet))
    return problems


class Loader:
    """One load: read sources in chunks, validate and stage them, check across rows, commit once.

    Use as a context manager; call the ``add_*`` methods, then :meth:`finish`, which raises
    :class:`ValidationError` listing every problem (and loads nothing) or commits everything
    in one transaction and returns the load id. ``progress`` is called with the number of
    rows after each chunk (a progress bar, say).
    """

    def __init__(
        self,
        store: Store,
        *,
        replace: bool = True,
        progress: Callable[[int], None] | None = None,
        vocabularies: Mapping[str, Collection[str]] | None = None,
        themes_model: str | Path | None = None,
    ):
        self.store = store
        self.themes_model_path = themes_model  # None: the classifier shipped with pxassure
        self._themes_model = None
        self._themes_labels: list[str] | None = None
        self._reviews: pd.DataFrame | None = None
        #: Names defined above this layer that columns must be one of (``Column.vocabulary``),
        #: e.g. {"measure ids": the measure registry's ids}; a vocabulary not given is not checked.
        self.vocabularies = dict(vocabularies or {})
        self.replace = replace
        self.progress = progress
        self.staged: StagedLoad = store.staging()
        self.problems: list[Problem] = []
        self.total_problems = 0
        self.sources: list[SourceFile] = []
        self.notes: list[str] = []  # things a person should know about a successful load
        self.warnings: list[tuple[str, str | None, str]] = []  # (table, unit, message): kept with the load
        #: Per source file, its own name for each column (a mapped extract's), for problems found later.
        self.labels: dict[str, Mapping[str, str]] = {}

    @property
    def themes_model(self):
        """The comment classifier, loaded on first use (only loads with comments need it)."""
        if self._themes_model is None:
            self._themes_model = themes.Model.load(self.themes_model_path)
        return self._themes_model

    @property
    def reviews(self) -> pd.DataFrame:
        """Comments a person checked in a review workbook (``theme_reviews``), read once."""
        if self._reviews is None:
            self._reviews = self.store.table("theme_reviews")
        return self._reviews

    @property
    def reviewed_ids(self) -> set:
        return set(self.reviews["comment_id"])

    @property
    def themes_labels(self) -> list[str]:
        """The classifier's label names (read without loading the classifier)."""
        if self._themes_labels is None:
            self._themes_labels = themes.model_labels(self.themes_model_path)
        return self._themes_labels

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc) -> None:
        self.staged.discard()

    # -- problems -------------------------------------------------------------------------

    def report(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            self.total_problems += 1
            if len(self.problems) < MAX_PROBLEMS_KEPT:
                self.problems.append(p)

    # -- sources ---------------------------------------------------------------------------

    def add_chunks(
        self,
        table: str,
        chunks: Iterable[Chunk],
        source: str,
        *,
        labels: Mapping[str, str] | None = None,
        require_rows: bool = True,
    ) -> int:
        """Parse and stage ``chunks`` of text cells laid out as ``table``; return the rows read.

        ``labels`` names a column in problems as its source calls it (a mapped extract's own
        column names); ``require_rows=False`` accepts a source left with no rows (every row
        skipped, and reported as such by the caller).
        """
        spec = TABLES[table]
        total, sheet = 0, None
        try:
            for chunk in chunks:
                sheet = chunk.sheet
                if labels:
                    self.labels[chunk.source] = labels
                if table == "fft_monthly":
                    chunk = self._set_aside_suppressed(chunk, labels)
                frame, found = parse_table(chunk.raw, spec, chunk.source, chunk.sheet, rows=chunk.rows)
                if labels:
                    found = [dataclasses.replace(p, column=labels.get(p.column, p.column)) for p in found]
                self.report(found)
                columns = {str(c).strip() for c in chunk.raw.columns}
                if not {c.name for c in spec.input_columns if not c.optional} <= columns:
                    return total  # missing columns: the rest of this source can only repeat them
                if table in ENRICH:
                    frame, found = ENRICH[table](self, frame, chunk.rows, chunk.source, chunk.sheet)
                    self.report(found)
                self.staged.stage(table, frame, source=chunk.source, sheet=chunk.sheet, rows=chunk.rows)
                total += len(frame)
                if self.progress:
                    self.progress(len(frame))
        except ReadError as exc:
            self.report([exc.problem])
            return total
        if total == 0 and require_rows:
            self.report([Problem(source, None, None, None, f"at least one data row for table {table}", sheet)])
        return total

    def _set_aside_suppressed(self, chunk: Chunk, labels: Mapping[str, str] | None) -> Chunk:
        """``chunk`` without the FFT rows NHS England suppressed ('*' for a count): their counts are
        unknown, so only their unit and month are staged, in ``fft_suppressed``, and counted."""
        answers = [a for a in FFT_ANSWERS if a in chunk.raw.columns]
        marked = chunk.raw[answers].apply(lambda s: s.astype(str).str.strip() == SUPPRESSED_MARK)
        hidden = marked.any(axis=1).to_numpy()
        if not hidden.any() or not {"unit_id", "month"} <= set(chunk.raw.columns):
            return chunk
        aside = Chunk(chunk.raw.loc[hidden, ["unit_id", "month"]], chunk.source, chunk.rows[hidden], chunk.sheet)
        self.add_chunks("fft_suppressed", [aside], chunk.source, labels=labels, require_rows=False)
        self.warn(
            "fft_monthly",
            None,
            f"{chunk.source}: {int(hidden.sum())} row(s) suppressed by NHS England ('*'), recorded as suppressed",
        )
        return dataclasses.replace(chunk, raw=chunk.raw[~hidden].reset_index(drop=True), rows=chunk.rows[~hidden])

    def add_file(self, table: str, path: str | Path) -> None:
        """A CSV laid out as ``table``, or the sheet named ``table`` in a workbook."""
        path = Path(path)
        if table not in TABLES:
            self.report([Problem(str(path), None, None, table, f"a table name, one of {list(TABLES)}")])
            return
        if path.suffix.lower() in readers.EXCEL_SUFFIXES:
            self.add_workbook(path, only=table)
            return
        try:
            readers.check_csv(path, f"the columns of {table}")
        except ReadError as exc:
            self.report([exc.problem])
            return
        try:
            rows = self.add_chunks(table, readers.csv_chunks(path), str(path))
        except ReadError as exc:  # the parser stopped part-way: nothing of this file is loaded
            self.report([exc.problem])
            return
        self.sources.append(SourceFile.of(path, table, rows))

    def add_workbook(self, path: str | Path, only: str | None = None) -> None:
        """Every sheet named after a table (or only the sheet ``only``) of an Excel workbook."""
        path = Path(path)
        try:
            book = readers.open_workbook(path)
        except ReadError as exc:
            self.report([exc.problem])
            return
        try:
            wanted = [only] if only else list(TABLES)
            names = [n for n in book.sheetnames if n in wanted]
            if not names:
                expected = f"a sheet named {only!r}" if only else "sheets named after tables, e.g. 'fft_monthly'"
                self.report([Problem(str(path), None, None, book.sheetnames, expected)])
                return
            for name in names:
                rows = self.add_chunks(name, readers.sheet_chunks(path, book[name]), str(path))
                self.sources.append(SourceFile.of(path, name, rows))
        finally:
            book.close()

    def stage(self, table: str, frame: pd.DataFrame, source: str, rows, sheet: str | None = None) -> None:
        """Stage rows an importer has already parsed with :func:`parse_table`."""
        self.staged.stage(table, frame, source=source, sheet=sheet, rows=rows)
        if self.progress:
            self.progress(len(frame))

    def warn(self, table: str, unit: str | None, message: str) -> None:
        """Something a person should know about the load (rows skipped, say), kept in ``load_warnings``."""
        self.warnings.append((table, unit, message))

    def record(self, source: SourceFile) -> None:
        """Note a source's checksum for the load log."""
        self.sources.append(source)

    # -- finishing -------------------------------------------------------------------------

    def check(self) -> None:
        """Checks across everything staged: duplicate keys and references to other tables."""
        room = max(MAX_PROBLEMS_KEPT - len(self.problems), 1)
        for name in list(self.staged.staged):
            table = TABLES[name]
            for r in self.staged.duplicate_keys(name, room).to_dict("records"):
                key = ", ".join(f"{k}={_key_text(r[k])}" for k in table.key)
                self.report([_staged_problem(r, ",".join(table.key), key, "each key to appear once (duplicate row)")])
            for col in table.columns:
                if col.references:
                    found = self.staged.unknown_references(name, col.name, room, replace=self.replace)
                    parent = col.references.split(".")[0]
                    expected = f"a value that exists in {col.references}"
                    if parent != "org_units":  # a complaint's subjects: rows skipped there are missing here
                        expected += f" (rows skipped from {parent} must be skipped here too)"
                    self.report(
                        _staged_problem(r, self._label(r, col.name), r["value"], expected)
                        for r in found.to_dict("records")
                    )
                if col.vocabulary and col.vocabulary in self.vocabularies:
                    known = sorted(self.vocabularies[col.vocabulary])
                    found = self.staged.unknown_values(name, col.name, known, room)
                    expected = f"one of pxassure's {col.vocabulary}: " + ", ".join(known)
                    self.report(_staged_problem(r, col.name, r["value"], expected) for r in found.to_dict("records"))

    def _label(self, row: dict, column: str) -> str:
        """A staged row's column as its own source names it (a mapped extract's column)."""
        return self.labels.get(row["_source"], {}).get(column, column)

    def finish(self) -> str:
        """Commit everything staged in one transaction, or raise :class:`ValidationError`."""
        self.check()
        if self.total_problems:
            raise ValidationError(self.problems, self.total_problems)
        if not self.staged.staged:
            raise ValidationError([Problem("(no input)", None, None, None, "at least one file to load")])
        warnings = self.warnings + self.gap_warnings()
        self.notes += [f"warning: {message}" for _, _, message in warnings]
        return self.staged.commit(self.sources, replace=self.replace, warnings=warnings)

    def gap_warnings(self) -> list[tuple[str, str, str]]:
        """Months missing inside a unit's run of monthly rows (a gap in its charts): warned about,
        never refused, since a ward can close for a month or an extract can miss one."""
        out = []
        for table in MONTHLY_TABLES:
            if table not in self.staged.staged:
                continue
            gaps = self.staged.missing_months(table, replace=self.replace)
            if table == "fft_monthly" and "fft_suppressed" in self.staged.staged:  # named, not a gap
                hidden = self.staged.frame("fft_suppressed")[["unit_id", "month"]].assign(_hidden=True)
                hidden["month"] = pd.to_datetime(hidden["month"])
                gaps = gaps.assign(month=pd.to_datetime(gaps["month"])).merge(hidden, how="left")
                gaps = gaps[gaps["_hidden"].isna()]
            for unit, g in gaps.groupby("unit_id", sort=True):
                months = [f"{m:%Y-%m}" for m in pd.to_datetime(g["month"])]
                shown = ", ".join(months[:6]) + (f" and {len(months) - 6} more" if len(months) > 6 else "")
                out.append((table, unit, f"{table}: unit {unit} has no row for {shown} (shown as a gap in its charts)"))
        return out


def _staged_problem(row: dict, column: str, value, expected: str) -> Problem:
    sheet = row["_sheet"] if isinstance(row["_sheet"], str) else None
    return Problem(row["_source"], int(row["_row"]), column, value, expected, sheet)


def _key_text(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def load_files(
    store: Store,
    files: dict[str, str | Path],
    *,
    replace: bool = True,
    progress=None,
    vocabularies: Mapping[str, Collection[str]] | None = None,
) -> str:
    """Validate ``files`` ({table: path}, CSV or XLSX) and load them in one transaction; return the load id.

    Raises :class:`ValidationError` listing every problem, with nothing loaded.
    """
    with Loader(store, replace=replace, progress=progress, vocabularies=vocabularies) as loader:
        for name, path in files.items():
            loader.add_file(name, path)
        return loader.finish()


def discover(folder: str | Path) -> dict[str, Path]:
    """Files in ``folder`` named after tables (``<table>.csv`` or ``<table>.xlsx``)."""
    folder = Path(folder)
    found = {}
    for p in sorted(folder.iterdir()):
        if p.stem in TABLES and p.suffix.lower() in (".csv", *readers.EXCEL_SUFFIXES):
            found[p.stem] = p
    return found


def staged_summary(staged: StagedLoad) -> list[str]:
    """A line per staged table: rows, units and the months or dates they cover."""
    lines = []
    for table, rows in staged.staged.items():
        frame = staged.frame(table)
        parts = [f"{table}: {rows} row(s)"]
        if "unit_id" in frame.columns:
            parts.append(f"{frame['unit_id'].nunique()} unit(s)")
        for column in ("month", "received", "assessed_month"):
            if column in frame.columns and frame[column].notna().any():
                days = pd.to_datetime(frame[column])
                parts.append(f"{column} {days.min():%Y-%m-%d} to {days.max():%Y-%m-%d}")
                break
        lines.append(", ".join(parts))
    return lines


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a table in its documented CSV layout (dates ISO, blanks for missing)."""
    frame.to_csv(path, index=False, date_format="%Y-%m-%d")
