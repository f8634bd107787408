"""Framework self-assessment workbooks: a template to fill in, and the import of completed ones.

``pxassure framework template --unit AVH --period 2026-12`` writes an .xlsx mirroring the
framework's table — section, characteristic, requirement, our short text, score 0–5 (with cell
validation), current position, planned action, owner, due date, what good looks like —
prefilled with the unit's previous answers. ``pxassure framework import FILE…`` validates
completed workbooks and loads them (``framework_scores``), replacing that unit's answers for
that month. Text pxassure writes into a workbook is stored as text, never as a formula.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from pxassure.errors import ParameterError, ReadError
from pxassure.ingest import catalogue, readers
from pxassure.ingest.problems import Problem
from pxassure.ingest.schema import TABLES
from pxassure.ingest.sources import Loader, parse_table
from pxassure.ingest.staging import SourceFile

SHEET = "Self-assessment"
UNIT_ROW, PERIOD_ROW, HEADER_ROW = 3, 4, 6
SCORE_HEADING = "Score (0–5)"
#: Workbook headings, in order, and the framework_scores column each fills (None: for reading only).
HEADINGS = {
    "Section": None,
    "Characteristic": None,
    "Requirement": "requirement",
    "What it asks (pxassure's short text)": None,
    SCORE_HEADING: "score",
    "Current position": "current_position",
    "Planned action": "planned_action",
    "Owner": "owner",
    "Due date": "due_date",
    "What good looks like": "good_looks_like",
}
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_SCORES = {str(n) for n in range(6)}


# -- writing the template ---------------------------------------------------------------------


def previous_answers(scores: pd.DataFrame, unit_id: str, period: str) -> pd.DataFrame:
    """The unit's latest assessment on or before ``period`` (one row per requirement), or none."""
    s = scores[scores["unit_id"] == unit_id].copy()
    s["assessed_month"] = pd.to_datetime(s["assessed_month"])
    s = s[s["assessed_month"] <= pd.Timestamp(period + "-01")]
    if s.empty:
        return s
    return s[s["assessed_month"] == s["assessed_month"].max()].set_index("requirement")


def write_template(path: str | Path, unit_id: str, unit_name: str, period: str, previous: pd.DataFrame) -> Path:
    """Write the self-assessment workbook for ``unit_id`` and ``period`` (YYYY-MM) to ``path``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from pxassure.files import atomic_write_bytes

    if not _PERIOD.match(period):
        raise ParameterError(f"period {period!r}: expected a month as YYYY-MM")
    book = Workbook()
    ws = book.active
    ws.title = SHEET
    readers.text_cell(ws.cell(1, 1), "Patient experience improvement framework: self-assessment")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    readers.text_cell(
        ws.cell(2, 1), "Score each requirement 0–5; leave the score blank if not assessed. Do not change B3 or B4."
    )
    for row, label, value in ((UNIT_ROW, "Unit code", unit_id), (PERIOD_ROW, "Assessment month", period)):
        ws.cell(row, 1, label).font = Font(bold=True)
        readers.text_cell(ws.cell(row, 2), value)
    readers.text_cell(ws.cell(UNIT_ROW, 3), unit_name)
    header_fill = PatternFill("solid", fgColor="005EB8")  # NHS blue, white text: 7.1:1 contrast
    for col, heading in enumerate(HEADINGS, start=1):
        cell = ws.cell(HEADER_ROW, col, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    _requirement_rows(ws, previous)
    path = Path(path)
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return path


def _requirement_rows(ws, previous: pd.DataFrame) -> None:
    """One row per requirement, carrying the previous assessment forward; scores limited to 0–5 and
    due dates to dates; columns sized, headings frozen and repeated, printed landscape."""
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.datavalidation import DataValidation

    requirements = catalogue.catalogue()
    first = HEADER_ROW + 1
    for i, req in enumerate(requirements.itertuples(index=False)):
        row = first + i
        before = previous.loc[req.requirement] if req.requirement in previous.index else None
        values = [req.section, int(req.characteristic), req.requirement, req.title]
        for name in ("score", "current_position", "planned_action", "owner", "due_date", "good_looks_like"):
            v = None if before is None else before[name]
            values.append(None if v is None or pd.isna(v) else v)
        for col, value in enumerate(values, start=1):
            if isinstance(value, pd.Timestamp):
                value = value.date()
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar → int
            readers.text_cell(ws.cell(row, col), value)
            ws.cell(row, col).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 9).number_format = "yyyy-mm-dd"
    last = first + len(requirements) - 1
    score = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="5",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Score 0–5",
        error="Enter a whole number from 0 to 5, or leave blank if not assessed.",
    )
    due = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True, showErrorMessage=True)
    due.error = "Enter a date."
    ws.add_data_validation(score)
    ws.add_data_validation(due)
    score.add(f"E{first}:E{last}")
    due.add(f"I{first}:I{last}")
    for letter, width in zip("ABCDEFGHIJ", (22, 8, 11, 48, 9, 40, 40, 24, 12, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(first, 5)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1


# -- importing completed workbooks ------------------------------------------------------------


def read_workbook(path: str | Path, known_units: set[str]) -> tuple[pd.DataFrame | None, list, list[Problem]]:
    """A completed workbook as framework_scores rows (text), their row numbers, and the problems found."""
    path = str(path)
    try:
        book = readers.open_workbook(path)
    except ReadError as exc:
        return None, [], [exc.problem]
    try:
        if SHEET not in book.sheetnames:
            return (
                None,
                [],
                [
                    Problem(
                        path,
                        None,
                        None,
                        book.sheetnames,
                        f"a sheet named {SHEET!r} (from `pxassure framework template`)",
                    )
                ],
            )
        rows = {n: v for n, v in readers.sheet_rows(book[SHEET])}
    finally:
        book.close()
    unit_id, period, index, problems = _cover_and_header(rows, path, known_units)
    if any(p.row == HEADER_ROW for p in problems):
        return None, [], problems
    records, numbers, row_problems = _requirement_records(rows, index, unit_id, period, path)
    return pd.DataFrame(records, columns=TABLES["framework_scores"].column_names), numbers, problems + row_problems


def _cover_and_header(rows: dict, path: str, known_units: set[str]) -> tuple[str, str, dict, list[Problem]]:
    """The workbook's unit and month (B3, B4), where each heading is, and what is wrong with them."""
    problems = []
    unit_id = readers.cell_text((rows.get(UNIT_ROW) or (None, None))[1]).strip()
    period = readers.cell_text((rows.get(PERIOD_ROW) or (None, None))[1]).strip()[:7]
    if unit_id not in known_units:
        problems.append(Problem(path, UNIT_ROW, "B", unit_id, "a unit code that exists in org_units.unit_id", SHEET))
    if not _PERIOD.match(period):
        problems.append(Problem(path, PERIOD_ROW, "B", period, "the assessment month as YYYY-MM", SHEET))
    header = [readers.cell_text(h).strip() for h in rows.get(HEADER_ROW, ())]
    index = {h: header.index(h) for h in HEADINGS if h in header}
    for heading in HEADINGS:
        if heading not in index and HEADINGS[heading]:
            problems.append(Problem(path, HEADER_ROW, heading, None, f"a column headed {heading!r}", SHEET))
    return unit_id, period, index, problems


def _requirement_records(rows: dict, index: dict, unit_id: str, period: str, path: str):
    """One record per requirement row (text cells) with its row number; unknown, repeated and
    missing requirements and unreadable scores as problems."""
    problems = []
    known = catalogue.requirement_ids()
    records, numbers, seen = [], [], {}
    for number in sorted(n for n in rows if n > HEADER_ROW):
        values = rows[number]
        cell = {h: readers.cell_text(values[i]).strip() if i < len(values) else "" for h, i in index.items()}
        req = cell["Requirement"].upper()
        if req not in known:
            expected = "one of the framework's 57 requirement IDs (1A … 23A)"
            problems.append(Problem(path, number, "Requirement", cell["Requirement"], expected, SHEET))
            continue
        if req in seen:
            expected = f"each requirement once ({req} is already on row {seen[req]})"
            problems.append(Problem(path, number, "Requirement", cell["Requirement"], expected, SHEET))
            continue
        seen[req] = number
        if cell[SCORE_HEADING] not in _SCORES and cell[SCORE_HEADING] != "":
            expected = "a whole number from 0 to 5, or blank for not assessed"
            problems.append(Problem(path, number, SCORE_HEADING, cell[SCORE_HEADING], expected, SHEET))
            cell[SCORE_HEADING] = ""
        record = {name: cell.get(h, "") for h, name in HEADINGS.items() if name}
        record.update(requirement=req, unit_id=unit_id, assessed_month=period)
        records.append(record)
        numbers.append(number)
    missing = [r for r in known if r not in seen]
    if missing:
        problems.append(
            Problem(
                path, None, "Requirement", ", ".join(missing), "every one of the framework's 57 requirements", SHEET
            )
        )
    return records, numbers, problems


def import_workbooks(loader: Loader, paths: Iterable[str | Path], known_units: set[str]) -> None:
    """Validate completed workbooks and stage their scores in ``loader``."""
    column_heading = {name: h for h, name in HEADINGS.items() if name}
    for path in paths:
        frame, numbers, problems = read_workbook(path, known_units)
        loader.report(problems)
        if frame is None:
            continue
        typed, found = parse_table(frame, TABLES["framework_scores"], str(path), SHEET, rows=numbers)
        # Name each problem's column as the workbook heads it.
        loader.report(dataclasses.replace(p, column=column_heading.get(p.column, p.column)) for p in found)
        if not any(p.row == UNIT_ROW or p.row == PERIOD_ROW for p in problems):
            loader.stage("framework_scores", typed, str(path), numbers, SHEET)
        loader.record(SourceFile.of(path, "framework_scores", len(typed)))
