"""The records of listening and acting as one workbook to keep: a template to fill in, loaded back
with ``pxassure load``.

``pxassure evidence template`` writes an .xlsx with a sheet named after each table —
``patient_stories``, ``involvement_activities``, ``you_said_we_did``, ``strategy_commitments`` —
its columns headed by name (each heading's note says what it holds), drop-down lists where a
column takes codes, dates formatted as dates, and the trust's records already in the database
prefilled, so the workbook is the whole record: add rows, update statuses, then
``pxassure load evidence.xlsx`` replaces each table with what the workbook holds (every problem
named by sheet, row and column, and nothing loaded until all are fixed). A "Read me" sheet says
how. Text pxassure writes is stored as text, never as a formula.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from pxassure.ingest.columns import Column, Table
from pxassure.ingest.evidence_schema import EVIDENCE_TABLES
from pxassure.ingest.readers import text_cell

READ_ME = "Read me"
#: Excel refuses a list validation longer than this; longer code lists are described, not offered.
_LIST_LIMIT = 255


def write_template(
    path: str | Path, records: dict[str, pd.DataFrame], trust_name: str, tables: tuple[str, ...] | None = None
) -> Path:
    """Write the evidence workbook to ``path``: a sheet per table of :data:`EVIDENCE_TABLES` (or
    of those named in ``tables``), prefilled with ``records`` ({table: rows}; a table missing or
    empty gives a sheet with headings)."""
    from openpyxl import Workbook

    from pxassure.files import atomic_write_bytes

    book = Workbook()
    _read_me(book.active, trust_name)
    for table in (t for t in EVIDENCE_TABLES if tables is None or t.name in tables):
        _sheet(book.create_sheet(table.name), table, records.get(table.name))
    buffer = io.BytesIO()
    book.save(buffer)
    path = Path(path)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _read_me(ws, trust_name: str) -> None:
    from openpyxl.styles import Font

    ws.title = READ_ME
    lines = [
        f"{trust_name}: records of listening and acting",
        "Each sheet is one table of pxassure's data model (docs/data-model.md). Keep the sheet names and the "
        "headings in row 1; add one row per record.",
        "A heading's note says what the column holds; a column with a drop-down takes only its codes.",
        "Dates as dates (or YYYY-MM-DD); a month as its first day. Leave a cell empty where nothing is recorded.",
        "Load it with: pxassure load THIS-FILE.xlsx --database YOUR.duckdb",
        "Loading replaces each of these tables with what its sheet holds: the rows already in the database "
        "were written here, so keep them. Nothing is loaded until every problem is fixed.",
    ]
    for i, line in enumerate(lines, start=1):
        text_cell(ws.cell(i, 1), line)
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def _sheet(ws, table: Table, rows: pd.DataFrame | None) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    fill = PatternFill("solid", fgColor="005EB8")  # NHS blue, white text: 7.1:1 contrast
    columns = table.input_columns
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(1, j, col.name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.comment = Comment(_note(col), "pxassure")
        ws.column_dimensions[cell.column_letter].width = max(14, min(48, len(col.name) + 4))
    ws.freeze_panes = "A2"
    if rows is not None:
        for i, record in enumerate(rows.itertuples(index=False), start=2):
            values = dict(zip(rows.columns, record))
            for j, col in enumerate(columns, start=1):
                _value(ws.cell(i, j), col, values.get(col.name))
    _validations(ws, columns)


def _note(col: Column) -> str:
    allowed = f" One of: {', '.join(col.choices)}." if col.choices else ""
    need = " May be left empty." if col.nullable else " Required."
    return f"{col.meaning}.{allowed}{need}"


def _value(cell, col: Column, value) -> None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return
    if col.type == "DATE":
        cell.value = pd.Timestamp(value).date()
        cell.number_format = "yyyy-mm-dd"
    elif col.type == "BOOLEAN":
        cell.value = "yes" if bool(value) else "no"
    elif col.type in ("INTEGER", "DOUBLE"):
        cell.value = value.item() if hasattr(value, "item") else value
    else:
        text_cell(cell, str(value))


def _validations(ws, columns: tuple[Column, ...]) -> None:
    """Drop-down lists for coded columns and yes/no, down to row 2,000."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for j, col in enumerate(columns, start=1):
        choices = ("yes", "no") if col.type == "BOOLEAN" else col.choices
        listed = ",".join(choices)
        if not choices or len(listed) + 2 > _LIST_LIMIT or "," in "".join(choices):
            continue
        rule = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=col.nullable)
        rule.error = f"{col.name}: one of {', '.join(choices)}"
        rule.showErrorMessage = True
        letter = ws.cell(1, j).column_letter
        rule.add(f"{letter}2:{letter}2000")
        ws.add_data_validation(rule)
