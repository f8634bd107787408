"""SQL warehouses as sources: any table can come from a SQLAlchemy URL plus a query or a table mapping.

A sources file (YAML, always safe-loaded) names connections and, per pxassure table, where its
rows come from::

    connections:
      warehouse: ${PXASSURE_WAREHOUSE_URL}     # from the environment: no password in the file
    tables:
      fft_monthly:
        connection: warehouse
        query: >
          SELECT ward_code AS unit_id, month_start AS month, very_good, good, neither,
                 poor, very_poor, dont_know, eligible
          FROM px.fft WHERE month_start >= :since
        params: {since: 2024-04-01}            # bound parameters, never pasted into the SQL
      complaints:
        connection: warehouse
        table: px.complaints                   # schema.table, quoted by SQLAlchemy
        columns: {complaint_id: ComplaintRef, unit_id: WardCode}   # pxassure name: warehouse name

Rows are fetched in chunks and go through exactly the validation a CSV gets; a problem names the
connection (password hidden), the query or table, the result row and the column. Trusts usually
hold these data in SQL Server (``mssql+pyodbc://…``, with Microsoft's ODBC driver and ``pyodbc``
installed locally); PostgreSQL is the tested stand-in.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import yaml

from pxassure.errors import SourcesFileError
from pxassure.ingest import readers
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import Chunk
from pxassure.ingest.schema import TABLES
from pxassure.ingest.sources import Loader
from pxassure.ingest.store import SourceFile

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def read_sources_file(path: str | Path) -> dict:
    """The parsed sources file, with ``${VAR}`` in connection URLs taken from the environment."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourcesFileError(f"{path}: expected a readable YAML sources file ({exc})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), dict):
        raise SourcesFileError(f"{path}: expected a 'tables' mapping (see pxassure.warehouse)")
    connections = {}
    for name, url in (spec.get("connections") or {}).items():

        def env(m, _name=name):
            value = os.environ.get(m.group(1))
            if value is None:
                raise SourcesFileError(f"{path}: connections.{_name}: environment variable {m.group(1)} is not set")
            return value

        connections[name] = _ENV.sub(env, str(url))
    for table, entry in spec["tables"].items():
        where = f"{path}: tables.{table}"
        if table not in TABLES:
            raise SourcesFileError(f"{where}: expected a pxassure table, one of {list(TABLES)}")
        if not isinstance(entry, dict) or entry.get("connection") not in connections:
            raise SourcesFileError(f"{where}: expected 'connection' naming one of {list(connections)}")
        if ("query" in entry) == ("table" in entry):
            raise SourcesFileError(f"{where}: expected either 'query' or 'table', not both or neither")
    return {"connections": connections, "tables": spec["tables"]}


def _label(engine, entry: dict, table: str) -> str:
    url = engine.url.render_as_string(hide_password=True)
    what = f"table {entry['table']}" if "table" in entry else f"query for {table}"
    return f"{url} ({what})"


def _statement(entry: dict):
    """The SELECT to run: the query as given (with bound parameters), or built from the table mapping."""
    import sqlalchemy as sa

    if "query" in entry:
        return sa.text(entry["query"]), dict(entry.get("params") or {})
    schema, _, name = str(entry["table"]).rpartition(".")
    columns = entry.get("columns") or {}
    source = sa.table(name, *[sa.column(c) for c in columns.values()], schema=schema or None)
    if not columns:
        return sa.select(sa.text("*")).select_from(source), {}
    return sa.select(*[sa.column(theirs).label(ours) for ours, theirs in columns.items()]).select_from(source), {}


def table_chunks(engine, entry: dict, table: str, chunk_rows: int = readers.CHUNK_ROWS) -> Iterator[Chunk]:
    """The rows a sources-file entry yields, as chunks of text cells (row numbers from 1)."""
    statement, params = _statement(entry)
    label = _label(engine, entry, table)
    first = 1
    with engine.connect() as con:
        result = con.execution_options(stream_results=True).execute(statement, params)
        names = list(result.keys())
        while rows := result.fetchmany(chunk_rows):
            raw = readers.frame_text(_frame(rows, names))
            yield Chunk(raw, label, np.arange(first, first + len(raw)))
            first += len(raw)


def _frame(rows, names):
    import pandas as pd

    return pd.DataFrame([tuple(r) for r in rows], columns=names, dtype=object)


def load_sources(loader: Loader, path: str | Path) -> None:
    """Stage every table a sources file names in ``loader`` (validated like any file)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    spec = read_sources_file(path)
    engines = {name: sa.create_engine(url) for name, url in spec["connections"].items()}
    try:
        for table, entry in spec["tables"].items():
            engine = engines[entry["connection"]]
            label = _label(engine, entry, table)
            digest = hashlib.sha256()

            def hashed(chunks, _digest=digest):
                for chunk in chunks:  # the data's own checksum stands for a file's in the load log
                    _digest.update(chunk.raw.to_csv(index=False).encode())
                    yield chunk

            try:
                rows = loader.add_chunks(table, hashed(table_chunks(engine, entry, table)), label)
                loader.record(SourceFile(label, digest.hexdigest(), table, rows))
            except SQLAlchemyError as exc:
                message = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
                loader.report([Problem(label, None, None, None, f"a query the database can run ({message})")])
    finally:
        for engine in engines.values():
            engine.dispose()
