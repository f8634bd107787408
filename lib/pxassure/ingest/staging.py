"""A load in progress: the files that feed it (with their checksums) and its rows, staged in
temporary tables of the store's connection, checked there by SQL, then written in one transaction."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from pxassure.errors import StoreError
from pxassure.ingest.columns import Table
from pxassure.ingest.schema import LOAD_ORDER, TABLES


@dataclass(frozen=True)
class SourceFile:
    """A file that fed a load, with its checksum."""

    path: str
    sha256: str
    table: str
    rows: int

    @classmethod
    def of(cls, path: str | Path, table: str, rows: int) -> SourceFile:
        return cls(str(path), sha256_of(path), table, rows)


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class StagedLoad:
    """A load in progress: rows are staged in temporary tables, checked there, then committed.

    Staging lets a load of any size be validated in bounded memory (files are read in
    chunks; checks across chunks — duplicate keys, references — run as SQL over the staged
    rows) and written in one transaction. Nothing touches the store's tables until
    :meth:`commit`; temporary tables vanish with the connection, so an abandoned load
    leaves no trace.
    """

    def __init__(self, store):
        # ``store`` is the Store that made this load (Store.staging); typed loosely, as the store
        # module imports this one.
        self.store = store
        self.con = store.con
        self.staged: dict[str, int] = {}  # table -> rows staged
        self._ord = 0

    def __enter__(self) -> StagedLoad:
        return self

    def __exit__(self, *exc) -> None:
        self.discard()

    @staticmethod
    def _name(table: str) -> str:
        return f"_stage_{table}"

    def stage(
        self,
        table: str,
        frame: pd.DataFrame,
        *,
        source: str = "",
        sheet: str | None = None,
        rows=None,
    ) -> None:
        """Add typed rows of ``table``; ``rows`` are their row numbers in ``source`` (for messages)."""
        if table not in TABLES:
            raise StoreError(f"unknown table {table!r}: expected one of {LOAD_ORDER}")
        spec = TABLES[table]
        name = self._name(table)
        if table not in self.staged:
            cols = ", ".join(f"{c.name} {c.type}" for c in spec.columns)
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name} ({cols}, _source VARCHAR, _sheet VARCHAR, _row BIGINT, _ord BIGINT)"
            )
            self.staged[table] = 0
        out = conform(frame, spec)
        n = len(out)
        out["_source"] = pd.Series([source] * n, dtype="string")
        out["_sheet"] = pd.Series([sheet] * n, dtype="string")
        out["_row"] = pd.array(range(n) if rows is None else list(rows), dtype="Int64")
        out["_ord"] = pd.array(range(self._ord, self._ord + n), dtype="Int64")
        self._ord += n
        view = f"_incoming_{table}"
        self.con.register(view, out)
        try:
            self.con.execute(f"INSERT INTO {name} SELECT * FROM {view}")
        finally:
            self.con.unregister(view)
        self.staged[table] += n

    def frame(self, table: str) -> pd.DataFrame:
        """The rows of ``table`` staged so far, in the table's columns."""
        cols = ", ".join(TABLES[table].column_names)
        return self.con.execute(f"SELECT {cols} FROM {self._name(table)} ORDER BY _ord").df()

    def duplicate_keys(self, table: str, limit: int) -> pd.DataFrame:
        """Staged rows whose key an earlier staged row already has: _source, _sheet, _row and the key."""
        keys = ", ".join(TABLES[table].key)
        return self.con.execute(
            f"SELECT _source, _sheet, _row, {keys} FROM ("
            f"  SELECT *, row_number() OVER (PARTITION BY {keys} ORDER BY _ord) AS _n FROM {self._name(table)}"
            f") WHERE _n > 1 ORDER BY _ord LIMIT ?",
            [limit],
        ).df()

    def unknown_references(self, table: str, column: str, limit: int, *, replace: bool) -> pd.DataFrame:
        """Staged values of ``column`` not found in the table it references.

        Known values are those staged in this load, plus — unless this load replaces that
        table — those already in the store.
        """
        ref_table, ref_col = TABLES[table].column(column).references.split(".")
        known = []
        if ref_table in self.staged:
            known.append(f"SELECT {ref_col} AS v FROM {self._name(ref_table)}")
        if not (replace and ref_table in self.staged):
            known.append(f"SELECT {ref_col} AS v FROM {ref_table}")
        return self.con.execute(
            f"SELECT _source, _sheet, _row, {column} AS value FROM {self._name(table)} "
            f"WHERE {column} IS NOT NULL AND {column} NOT IN ({' UNION ALL '.join(known)}) ORDER BY _ord LIMIT ?",
            [limit],
        ).df()

    def unknown_values(self, table: str, column: str, known: list[str], limit: int) -> pd.DataFrame:
        """Staged values of ``column`` that are not among ``known``: _source, _sheet, _row, value."""
        return self.con.execute(
            f"SELECT _source, _sheet, _row, {column} AS value FROM {self._name(table)} "
            f"WHERE {column} IS NOT NULL AND NOT list_contains(?, {column}) ORDER BY _ord LIMIT ?",
            [known, limit],
        ).df()

    def missing_months(self, table: str, *, replace: bool) -> pd.DataFrame:
        """unit_id, month: months with no row inside each unit's span of months, counting the rows
        staged and (unless this load replaces the table) those already stored."""
        rows = f"SELECT unit_id, month FROM {self._name(table)}"
        if not replace:
            rows += f" UNION SELECT unit_id, month FROM {table}"
        return self.con.execute(
            f"WITH r AS ({rows}), spans AS (SELECT unit_id, min(month) AS a, max(month) AS b FROM r GROUP BY unit_id), "
            "every AS (SELECT unit_id, CAST(unnest(generate_series(a, b, INTERVAL 1 MONTH)) AS DATE) AS month "
            "FROM spans) SELECT unit_id, month FROM every EXCEPT SELECT unit_id, month FROM r ORDER BY unit_id, month"
        ).df()

    def replaced(self, table: str) -> tuple[int, list[str]]:
        """Rows of ``table`` a replacing load would remove (their key is not staged), and the
        sources of the earlier loads that brought rows into that table."""
        keys = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in TABLES[table].key)
        gone = self.con.execute(
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {self._name(table)} s WHERE {keys})"
        ).fetchall()[0][0]
        loads = self.con.execute(
            "SELECT source, max(loaded_at) AS last_loaded FROM load_log WHERE table_name = ? GROUP BY source "
            "ORDER BY last_loaded",
            [table],
        ).fetchall()
        return int(gone), [f"{source} (loaded {at:%Y-%m-%d %H:%M})" for source, at in loads]

    def commit(
        self, sources: Iterable[SourceFile] = (), *, replace: bool = True, warnings: Iterable[tuple] = ()
    ) -> str:
        """Write the staged tables in one transaction; return the load id.

        ``replace=True`` swaps each staged table's contents; otherwise rows are upserted by
        the table's key. ``warnings`` (table, unit, message) are kept in ``load_warnings``. On
        any error everything is rolled back and :class:`StoreError` raised.
        """
        if self.store.read_only:
            raise StoreError(f"{self.store.path} is open read-only: a check never loads")
        load_id = uuid.uuid4().hex[:12]
        now = datetime.now(UTC).replace(tzinfo=None)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            # Children first when deleting, parents first when inserting.
            ordered = [t for t in LOAD_ORDER if t in self.staged]
            if replace:
                for name in reversed(ordered):
                    con.execute(f"DELETE FROM {name}")
            for name in ordered:
                table = TABLES[name]
                stage = self._name(name)
                cols = ", ".join(table.column_names)
                if not replace:
                    keys = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in table.key)
                    con.execute(f"DELETE FROM {name} t USING {stage} s WHERE {keys}")
                con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {stage} ORDER BY _ord")
            for src in sources:
                con.execute(
                    "INSERT INTO load_log VALUES (?, ?, ?, ?, ?, ?)",
                    [load_id, now, src.table, src.path, src.sha256, src.rows],
                )
            for table_name, unit, message in warnings:
                con.execute("INSERT INTO load_warnings VALUES (?, ?, ?, ?)", [load_id, table_name, unit, message])
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            raise StoreError(f"load failed and was rolled back; {self.store.path} is unchanged: {exc}") from exc
        return load_id

    def discard(self) -> None:
        """Drop the staged rows (after a commit, or to abandon the load)."""
        for table in self.staged:
            self.con.execute(f"DROP TABLE IF EXISTS {self._name(table)}")
        self.staged = {}


def conform(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Columns in schema order with pandas dtypes DuckDB maps to the schema's types; an optional
    column the frame lacks is empty (not supplied), a required one is an error."""
    missing = [c.name for c in table.columns if c.name not in frame.columns and not c.optional]
    frame = frame.assign(**{c.name: None for c in table.columns if c.optional and c.name not in frame.columns})
    if missing:
        raise StoreError(f"table {table.name} is missing column(s) {missing}")
    out = pd.DataFrame(index=range(len(frame)))
    for c in table.columns:
        s = frame[c.name].reset_index(drop=True)
        if c.type == "VARCHAR":
            out[c.name] = s.astype("string")
        elif c.type == "INTEGER":
            out[c.name] = pd.to_numeric(s).astype("Int64")
        elif c.type == "DOUBLE":
            out[c.name] = pd.to_numeric(s).astype("Float64")
        elif c.type == "DATE":
            out[c.name] = pd.to_datetime(s).dt.date
        elif c.type == "BOOLEAN":
            out[c.name] = s.astype("boolean")
        else:
            out[c.name] = s
    return out
