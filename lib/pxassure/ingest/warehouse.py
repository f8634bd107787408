"""SQL warehouses as sources: any table can come from a SQLAlchemy URL plus a query or a table mapping.

The sources file (:mod:`pxassure.ingest.sourcesfile`) names connections and, per pxassure table,
where its rows come from::

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
from collections.abc import Iterator

import numpy as np

from pxassure.ingest import readers
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import Chunk
from pxassure.ingest.sources import Loader
from pxassure.ingest.staging import SourceFile


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


def load_tables(loader: Loader, connections: dict[str, str], tables: dict[str, dict]) -> None:
    """Stage every SQL table of a sources file in ``loader`` (validated like any file)."""
    import sqlalchemy as sa
    from sqlalchemy.exc import SQLAlchemyError

    engines = {name: sa.create_engine(url) for name, url in connections.items()}
    try:
        for table, entry in tables.items():
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
