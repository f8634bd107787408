"""The embedded store: a DuckDB file holding the validated tables of :mod:`pxassure.ingest.schema`.

Loads are transactional: either every table of a load is written, or none is and the
previous data stay exactly as they were. Every load is recorded in ``load_log`` with
its files' SHA-256 checksums; reports show the latest entry as their data snapshot.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd

from pxassure.errors import MissingDatabaseError, StoreError
from pxassure.ingest import catalogue
from pxassure.ingest.columns import Table
from pxassure.ingest.schema import DEFAULT_DATABASE, LOAD_ORDER, TABLES
from pxassure.ingest.staging import SourceFile, StagedLoad

LOAD_MEMORY_LIMIT = "192MB"


def _ddl(table: Table) -> str:
    cols = []
    for c in table.columns:
        col = f"{c.name} {c.type}" + ("" if c.nullable else " NOT NULL")
        checks = []
        if c.choices:
            checks.append(f"{c.name} IN ({', '.join(_sql_literal(x) for x in c.choices)})")
        if c.minimum is not None:
            checks.append(f"{c.name} >= {c.minimum}")
        if c.maximum is not None:
            checks.append(f"{c.name} <= {c.maximum}")
        if checks:
            col += f" CHECK ({' AND '.join(checks)})"
        cols.append(col)
    cols += [f"CHECK ({x})" for x in table.extra_checks]
    if not any(table.column(k).nullable for k in table.key):
        # A key with an optional column (a trust-wide target has no unit) cannot be a primary key;
        # the loader checks such keys for duplicates itself, treating empty as a value.
        cols.append(f"PRIMARY KEY ({', '.join(table.key)})")
    return f"CREATE TABLE IF NOT EXISTS {table.name} (\n  " + ",\n  ".join(cols) + "\n)"


def _sql_literal(text: str) -> str:
    # Only used for the fixed choice lists of the schema, never for input data.
    return "'" + text.replace("'", "''") + "'"


LOAD_LOG_DDL = """
CREATE TABLE IF NOT EXISTS load_log (
  load_id VARCHAR NOT NULL,
  loaded_at TIMESTAMP NOT NULL,
  table_name VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  sha256 VARCHAR NOT NULL,
  rows INTEGER NOT NULL
)
"""


LOAD_WARNINGS_DDL = """
CREATE TABLE IF NOT EXISTS load_warnings (
  load_id VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  unit_id VARCHAR,
  message VARCHAR NOT NULL
)
"""


#: Tables read by every paper whatever its scope (rows with a unit here apply to units below it
#: too: a trust-wide target covers every ward). A paper about one unit reads these whole, and of
#: every other table only its own units' rows; its content key digests the same (``freshness``).
SHARED_TABLES = (
    "org_units",
    "committees",
    "framework_requirements",
    "fft_ward_map",
    "fft_national",
    "targets",
    "spc_rebases",
    "spc_exclusions",
    "data_quality",
    "strategy_commitments",
)
#: Tables whose rows belong to a unit through another table: table -> (key, table with the unit).
THROUGH = {"complaint_subjects": ("complaint_id", "complaints")}
#: The entry of :meth:`Store.as_of` that says, for the whole trust, what each table records up to
#: the month: whether it holds any row (was supplied) and its first date (or year).
RECORDED = "recorded"

#: What a report may read: each table up to its month, bounded by the column that dates it
#: (``month``: first of the month; ``day``: the month's last day; ``year``: the calendar year).
#: Entries: table -> (query, bound, the column that dates its rows).
AS_OF: dict[str, tuple[str, str | None, str | None]] = {
    "org_units": ("SELECT * FROM org_units", None, None),
    "committees": ("SELECT * FROM committees", None, None),
    "fft_monthly": ("SELECT * FROM fft_monthly WHERE month <= ?", "month", "month"),
    "fft_national": ("SELECT * FROM fft_national WHERE month <= ?", "month", "month"),
    "fft_suppressed": ("SELECT * FROM fft_suppressed WHERE month <= ?", "month", "month"),
    "complaints": ("SELECT * FROM complaints WHERE received <= ?", "day", "received"),
    "complaint_subjects": (
        "SELECT s.*, c.received FROM complaint_subjects s JOIN complaints c USING (complaint_id) WHERE c.received <= ?",
        "day",
        "received",
    ),
    "pals_contacts": ("SELECT * FROM pals_contacts WHERE received <= ?", "day", "received"),
    "compliments": ("SELECT * FROM compliments WHERE month <= ?", "month", "month"),
    "feedback_comments": ("SELECT * FROM feedback_comments WHERE month <= ?", "month", "month"),
    "theme_reviews": ("SELECT * FROM theme_reviews WHERE month <= ?", "month", "month"),
    "activity": ("SELECT * FROM activity WHERE month <= ?", "month", "month"),
    "incidents": ("SELECT * FROM incidents WHERE month <= ?", "month", "month"),
    "staffing": ("SELECT * FROM staffing WHERE month <= ?", "month", "month"),
    "framework_scores": ("SELECT * FROM framework_scores WHERE assessed_month <= ?", "month", "assessed_month"),
    "inpatient_survey": ("SELECT * FROM inpatient_survey WHERE year <= ?", "year", "year"),
    "staff_survey": ("SELECT * FROM staff_survey WHERE year <= ?", "year", "year"),
    "targets": ("SELECT * FROM targets WHERE from_month <= ?", "month", "from_month"),
    "spc_rebases": ("SELECT * FROM spc_rebases WHERE month <= ?", "month", "month"),
    "spc_exclusions": ("SELECT * FROM spc_exclusions WHERE month <= ?", "month", "month"),
    "exception_responses": ("SELECT * FROM exception_responses WHERE raised <= ?", "month", "raised"),
    "data_quality": ("SELECT * FROM data_quality WHERE from_month <= ?", "month", "from_month"),
    "patient_stories": ("SELECT * FROM patient_stories WHERE heard_on <= ?", "day", "heard_on"),
    "involvement_activities": ("SELECT * FROM involvement_activities WHERE held_on <= ?", "day", "held_on"),
    "you_said_we_did": ("SELECT * FROM you_said_we_did WHERE recorded_on <= ?", "day", "recorded_on"),
    "strategy_commitments": (
        "SELECT * FROM strategy_commitments WHERE reported_month <= ?",
        "month",
        "reported_month",
    ),
}


def damaged(path, detail: str) -> str:
    """What to say of a database file DuckDB could not read (cut short, say); nothing was changed."""
    return (
        f"the database {path} could not be read ({detail}). It may be damaged or cut short (a copy that did "
        "not finish, a full disk): restore it from a backup, or build it again — `make demo-data` for the demo, "
        "`pxassure load` for a trust's data; nothing was changed"
    )


def open_failure(path: Path, exc: BaseException, read_only: bool) -> str:
    """Why a database could not be opened, in words, with what to do; nothing was changed."""
    text = str(exc)
    unchanged = "; nothing was changed"
    if "not a valid DuckDB database" in text:
        return (
            f"{path} is not a DuckDB database pxassure can open (damaged, or another kind of file): restore it "
            "from a backup, or rebuild it — `make demo-data` for the demo, `pxassure load` for a trust's data"
            + unchanged
        )
    if "Could not set lock" in text:
        pid = re.search(r"PID (\d+)", text)
        who = f" (process {pid.group(1)})" if pid else ""
        return (
            f"{path} is in use by another program{who}: wait for it to finish, or close it (another pxassure "
            "command, or a notebook kernel holding it open), then try again" + unchanged
        )
    if isinstance(exc, PermissionError) or "Permission denied" in text or "Read-only file system" in text:
        doing = "read" if read_only else "write"
        return (
            f"cannot {doing} {path}: permission denied (a read-only folder?). Choose a folder you can {doing} "
            "with --database, or ask for its permissions to be changed" + unchanged
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if "IO Error" in text:
        return damaged(path, first)
    return f"cannot open the database {path}: {first}" + unchanged


def found_above(path: Path) -> Path:
    """A relative ``path`` read from the nearest folder above the working directory that has it:
    a notebook opened in JupyterLab runs in ``notebooks/``, and its default ``data/pxassure.duckdb``
    means the checkout's. ``path`` itself when no folder has it."""
    if path.is_absolute():
        return path
    for folder in Path.cwd().resolve().parents:
        if (folder / path).exists():
            return folder / path
    return path


class Store:
    """A DuckDB database file with pxassure's tables.

    Use as a context manager. ``read_only=True`` is what reports use, so a report can
    never change the data it reads.
    """

    def __init__(self, path: str | Path = DEFAULT_DATABASE, *, read_only: bool = False):
        self.path = Path(path)
        if read_only and not self.path.exists():
            self.path = found_above(self.path)
        if read_only and not self.path.exists():
            raise MissingDatabaseError(
                f"database {self.path} does not exist: build the demo with `make demo-data` "
                "or load your data with `pxassure load`"
            )
        self.read_only = read_only
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.Error, OSError) as exc:
            raise StoreError(open_failure(self.path, exc, read_only)) from None
        if not read_only:
            try:
                self.con.execute("SET enable_progress_bar = false")  # loads draw their own bar
            except duckdb.Error:
                pass  # under Jupyter DuckDB refuses to touch its bar without ipywidgets; loads are not run there
            # A load stages every row before committing; past this DuckDB spills to disk beside the
            # database, so a file of any size loads in bounded memory (benchmarks/load_large.py).
            self.con.execute(f"SET memory_limit = '{LOAD_MEMORY_LIMIT}'")
            try:
                self.create_schema()
            except duckdb.Error as exc:
                self.con.close()
                raise StoreError(open_failure(self.path, exc, read_only)) from None
        try:
            self.check_schema()
        except StoreError:
            self.con.close()
            raise

    def check_schema(self) -> None:
        """Refuse a database whose tables are not the ones this version of pxassure reads (one
        built by an older version, say), with what differs and how to rebuild it."""
        for name in LOAD_ORDER:
            expected = TABLES[name].column_names
            # Each table's own columns: a query of DuckDB's catalog views costs three times as much,
            # and every report's kernel opens the store.
            try:
                found = [c[0] for c in self.con.execute(f"SELECT * FROM main.{name} LIMIT 0").description]
            except duckdb.CatalogException:
                found = None
            if found != expected:
                what = "has no table" if found is None else f"has columns {found} in table"
                raise StoreError(
                    f"database {self.path} {what} {name!r}; this version of pxassure expects {expected}. "
                    "It was built by another version: rebuild the demo with `make demo-data`, or load your "
                    "files again into a new database with `pxassure load`"
                )

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def create_schema(self) -> None:
        for name in LOAD_ORDER:
            self.con.execute(_ddl(TABLES[name]))
            self._add_optional_columns(TABLES[name])
        self.con.execute(LOAD_LOG_DDL)
        self.con.execute(LOAD_WARNINGS_DDL)
        # The framework's catalogue is the framework's, not the trust's: it ships with pxassure, so
        # a trust loads only its scores (a loaded catalogue still replaces it, as before).
        if self.con.execute("SELECT count(*) FROM framework_requirements").fetchall()[0][0] == 0:
            rows = catalogue.catalogue()[TABLES["framework_requirements"].column_names]
            self.con.register("_catalogue", rows)
            try:
                self.con.execute("INSERT INTO framework_requirements SELECT * FROM _catalogue")
            finally:
                self.con.unregister("_catalogue")

    def _add_optional_columns(self, table: Table) -> None:
        """Give a database built by an earlier version the optional columns added since at the end of
        a table (``org_units.opened`` and ``closed``, say), empty, so its data need not be loaded again."""
        found = [c[0] for c in self.con.execute(f"SELECT * FROM main.{table.name} LIMIT 0").description]
        expected = table.column_names
        if found == expected or found != expected[: len(found)]:
            return  # as expected, or different otherwise: check_schema says what to do
        if all(table.column(c).optional for c in expected[len(found) :]):
            for c in expected[len(found) :]:
                self.con.execute(f"ALTER TABLE {table.name} ADD COLUMN {c} {table.column(c).type}")

    # -- writing -------------------------------------------------------------

    def load(self, tables: dict[str, pd.DataFrame], sources: Iterable[SourceFile] = (), *, replace: bool = True) -> str:
        """Write validated ``tables`` in one transaction and return the load id.

        ``replace=True`` swaps each named table's contents; otherwise rows are upserted
        by the table's key, so loading the same file twice does not double count.
        On any error the transaction is rolled back and :class:`StoreError` raised.
        """
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise StoreError(f"unknown table(s) {sorted(unknown)}: expected {LOAD_ORDER}")
        with self.staging() as staged:
            for name, frame in tables.items():
                staged.stage(name, frame)
            return staged.commit(sources, replace=replace)

    def staging(self) -> StagedLoad:
        """A new load whose rows are staged first (see :class:`StagedLoad`). A read-only store
        stages too (in temporary tables) so a load can be checked, but never commits."""
        return StagedLoad(self)

    # -- reading -------------------------------------------------------------

    def query(self, sql: str, params: list | None = None) -> pd.DataFrame:
        """Run a parameterised query (values always passed as ``params``, never formatted in)."""
        return self.con.execute(sql, params or []).df()

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES and name not in ("load_log", "load_warnings"):
            raise StoreError(f"unknown table {name!r}: expected one of {LOAD_ORDER}")
        return self.con.execute(f"SELECT * FROM {name}").df()

    def counts(self) -> dict[str, int]:
        return {name: self.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in LOAD_ORDER}

    def as_of(
        self, month: pd.Timestamp, units: list[str] | None = None, leave_out: dict[str, tuple[str, ...]] | None = None
    ) -> dict[str, pd.DataFrame]:
        """Every table a report reads, each up to and including ``month`` (see :data:`AS_OF`);
        with ``units``, only those units' rows of each table that is not shared (a ward's paper
        reads its own rows, not the whole trust's); without the columns ``leave_out`` names."""
        tables = {}
        leave_out = leave_out or {}
        for name, (sql, kind, _) in AS_OF.items():
            params = self._bound(month, kind)
            if leave_out.get(name):
                sql = f"SELECT * EXCLUDE ({', '.join(leave_out[name])}) FROM ({sql})"
            if units is not None and name not in SHARED_TABLES:
                if name in THROUGH:
                    key, owner = THROUGH[name]
                    sql = f"SELECT * FROM ({sql}) WHERE {key} IN (SELECT {key} FROM {owner} WHERE unit_id IN ?)"
                else:
                    sql = f"SELECT * FROM ({sql}) WHERE unit_id IN ?"
                params = [*params, list(units)]
            tables[name] = self.query(sql, params)
        tables[RECORDED] = self._recorded(month)
        return tables

    def _recorded(self, month: pd.Timestamp) -> pd.DataFrame:
        """For the whole trust, whatever units a paper reads: whether each table was supplied (a
        ward with no complaints is not a trust that sent none) and the first date it records
        (where a count series starts)."""
        # One query, one row: each table's two answers side by side, each column keeping its own
        # type (a date, or a survey's year); a query per table took a third longer, in every kernel.
        parts, params = [], []
        for sql, kind, column in AS_OF.values():
            first = f"min({column})" if column is not None else "NULL"
            parts.append(f"(SELECT count(*) > 0, {first} FROM ({sql}))")
            params += self._bound(month, kind)
        row = self.con.execute("SELECT * FROM " + " CROSS JOIN ".join(parts), params).fetchone()
        rows = [(name, bool(row[2 * i]), row[2 * i + 1]) for i, name in enumerate(AS_OF)]
        return pd.DataFrame(rows, columns=["table", "supplied", "first"])

    @staticmethod
    def _bound(month: pd.Timestamp, kind: str | None) -> list:
        end = (month + pd.offsets.MonthEnd(0)).date()
        return [{"month": month.date(), "day": end, "year": month.year}[kind]] if kind else []

    def snapshot(self) -> dict:
        """The data snapshot reports cite: latest load, when, and a digest of its files."""
        row = self.con.execute(
            "SELECT load_id, max(loaded_at) AS loaded_at, count(*) AS files, "
            "string_agg(sha256, '' ORDER BY table_name, source) AS digests "
            "FROM load_log GROUP BY load_id ORDER BY loaded_at DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return {"load_id": None, "loaded_at": None, "files": 0, "digest": None, "database": str(self.path)}
        load_id, loaded_at, files, digests = row
        return {
            "load_id": load_id,
            "loaded_at": loaded_at.isoformat(timespec="seconds") + "Z",
            "files": int(files),
            "digest": hashlib.sha256(digests.encode()).hexdigest()[:16],
            "database": str(self.path),
        }


def replace_file_atomically(build, target: str | Path) -> None:
    """Build a whole database at a temporary path with ``build(path)``, then swap it in.

    A failure leaves the existing ``target`` untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (tmp, Path(str(tmp) + ".wal")):
        leftover.unlink(missing_ok=True)
    try:
        build(tmp)
        os.replace(tmp, target)
    finally:
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
