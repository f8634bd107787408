"""NHS England FFT files for tests: the real published template filled in, a small copy of its layout,
and the raw extract."""

from pathlib import Path

import openpyxl

from conftest import ROOT

TEMPLATE = ROOT.parent / "shared" / "reference" / "fft" / "FFT_IP_template.xlsm"
HEADINGS = [
    "ICB Code", "Trust Code", "Trust Name", "Site Code", "Site Name", "Ward Name", "Total Responses",
    "Total Eligible", "Percentage Positive", "Percentage Negative", "Breakdown of Responses", None, None, None,
    None, None, "First Speciality", "Second Speciality",
]  # fmt: skip
ANSWER_HEADINGS = ["Very Good", "Good", "Neither Good nor Poor", "Poor", "Very Poor", "Don't Know"]


def ward_row(trust, site, ward, answers, eligible, icb="QXX"):
    """One Wards-sheet row; ``answers`` are six counts or six '*' (suppressed)."""
    suppressed = answers[0] == "*"
    total = "*" if suppressed else sum(answers)
    pos = "*" if suppressed else (answers[0] + answers[1]) / total
    neg = "*" if suppressed else (answers[3] + answers[4]) / total
    return [
        icb,
        trust,
        f"{trust} NHS TRUST",
        site,
        f"SITE {site}",
        ward,
        total,
        eligible,
        pos,
        neg,
        *answers,
        "100",
        "",
    ]


def england_rows(answers=(90000, 9000, 1000, 600, 400, 100), eligible=400000):
    total = sum(answers)
    inc = [None] * 5 + ["England (including Independent Sector Providers)", total, eligible, None, None, *answers]
    exc = [None] * 5 + ["England (excluding Independent Sector Providers)", total, eligible, None, None, *answers]
    return [inc, exc]


def fill_template(path: Path, title_month: str, rows: list[list]) -> Path:
    """NHS England's real inpatient template with its England rows and ``rows`` filled in, as .xlsx."""
    book = openpyxl.load_workbook(TEMPLATE)
    book["Notes"]["A2"] = f"Inpatient Friends and Family Test (FFT) Data - {title_month}"
    ws = book["Wards"]
    for r, values in enumerate(england_rows(), start=12):
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    for r, values in enumerate(rows, start=15):
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, v)
    book.save(path)
    return path


def small_published(path: Path, title_month: str | None, rows: list[list], sheet: str = "Wards") -> Path:
    """The same layout as the published workbook, without the template's bulk (for committed test files)."""
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "Notes"
    if title_month:
        notes["A2"] = f"Inpatient Friends and Family Test (FFT) Data - {title_month}"
    ws = book.create_sheet(sheet)
    ws["E6"] = "Filter by:                     Trust:"
    for c, h in enumerate(HEADINGS, start=1):
        ws.cell(10, c, h)
    ws.merge_cells("K10:P10")
    for c, h in enumerate(ANSWER_HEADINGS, start=11):
        ws.cell(11, c, h)
    for r, values in enumerate([*england_rows(), [None] * 5 + ["Selection (excluding suppressed data)"], *rows], 12):
        for c, v in enumerate(values, start=1):
            if v is not None:
                ws.cell(r, c, v)
    book.save(path)
    return path


RAW_HEADER = (
    "Yearnumber,Periodname,Parent org code,Parent name,Org code,Org name,Site code,Site name,Ward name,"
    "Spec 1,Spec 2,1 Very Good SUM,2 Good SUM,3 Neither Good nor Poor SUM,4 Poor SUM,5 Very Poor SUM,"
    "6 Dont Know SUM,Total Responses,Total Eligible SUM,Prop_Pos,Response Rate\n"
)


def raw_line(year, period, trust, site, ward, answers, eligible):
    total = sum(a for a in answers if isinstance(a, int))
    cells = [
        year,
        period,
        "QXX",
        "ICB",
        trust,
        f"{trust} TRUST",
        site,
        "SITE",
        ward,
        "100",
        "",
        *answers,
        total,
        eligible,
    ]
    return ",".join(str(c) for c in cells) + ",,\n"
