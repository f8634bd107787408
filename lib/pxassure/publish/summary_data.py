"""A paper's integrated-performance summary as data: ``<name>.ipr.csv`` and ``<name>.ipr.xlsx``
beside it, for information teams' own tools (Excel, Power BI).

Read from the paper's findings (what the paper itself showed), never recomputed: one row per
chart of the paper's summary table, with its latest month, figure, target, mean and process
limits, and its Making Data Count variation and assurance as codes and in the paper's words. A
figure withheld for too few responses is empty, with ``withheld`` saying so: never 0.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pxassure.files import atomic_write_bytes
from pxassure.publish.style import ICONS

#: The columns, in order, as they are headed in the files.
COLUMNS = {
    "report": "report",
    "period": "period",
    "measure": "measure",
    "measure_id": "measure_code",
    "scope": "scope",
    "unit_id": "unit_code",
    "month": "latest_month",
    "latest": "latest_value",
    "withheld": "withheld",
    "unit": "unit",
    "target": "target",
    "mean": "mean",
    "lower": "lower_process_limit",
    "upper": "upper_process_limit",
    "variation": "variation",
    "variation_words": "variation_meaning",
    "assurance": "assurance",
    "assurance_words": "assurance_meaning",
    "chart": "chart_type",
    "data_quality": "data_quality",
}
SUFFIXES = (".ipr.csv", ".ipr.xlsx")


def summary_frame(findings: dict) -> pd.DataFrame:
    """The paper's summary table as rows of plain values (empty when the paper charts nothing)."""
    rows = pd.DataFrame(findings.get("icons") or [], columns=[c for c in COLUMNS if not c.endswith("_words")])
    rows["report"], rows["period"] = findings.get("report"), findings.get("period")
    rows["withheld"] = rows["latest"].map(lambda v: isinstance(v, str))  # "*": too few responses
    rows["latest"] = pd.to_numeric(rows["latest"].where(~rows["withheld"]), errors="coerce")
    for kind in ("variation", "assurance"):
        rows[f"{kind}_words"] = rows[kind].map(lambda code: ICONS[code].label if code in ICONS else None)
    return rows[list(COLUMNS)].rename(columns=COLUMNS)


def write_summary(findings_path: Path, stem: Path) -> list[Path]:
    """Write ``<stem>.ipr.csv`` and ``<stem>.ipr.xlsx`` from a paper's findings (atomically);
    none for a paper with no summary table."""
    rows = summary_frame(json.loads(Path(findings_path).read_text(encoding="utf-8")))
    if rows.empty:
        return []
    csv, xlsx = (stem.with_name(stem.name + s) for s in SUFFIXES)
    atomic_write_bytes(csv, rows.to_csv(index=False).encode("utf-8-sig"))  # Excel reads the BOM as UTF-8
    atomic_write_bytes(xlsx, _workbook(rows))
    return [csv, xlsx]


def _workbook(rows: pd.DataFrame) -> bytes:
    """The rows as one Excel table: header row frozen, columns wide enough to read."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Summary"
    sheet.append(list(rows.columns))
    for record in rows.itertuples(index=False):
        sheet.append([None if pd.isna(v) else (bool(v) if isinstance(v, bool) else v) for v in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, column in enumerate(rows.columns, start=1):
        width = max([len(column), *(len(str(v)) for v in rows[column].dropna())])
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = min(width + 2, 60)
    out = BytesIO()
    book.save(out)
    return out.getvalue()
