"""Regenerate the bad-input corpus beside this file (run from the project root):

    .venv/bin/python tests/data/bad/make_corpus.py

Each file breaks one rule; tests/test_bad_inputs.py asserts the exact error it gives and that the
database is unchanged. File names say what they are for: ``<table>__<case>.csv|xlsx`` loads as that
table, ``selfassessment__*`` through the framework import, ``fftpub__*`` and ``fftraw__*`` through
the FFT import.
"""

import sys
from pathlib import Path

import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parents[2] / "lib")]

from fftfiles import RAW_HEADER, raw_line, small_published, ward_row  # noqa: E402
from minitrust import TRUST_CODE  # noqa: E402
from pxassure.ingest import selfassessment  # noqa: E402

FFT = "unit_id,month,very_good,good,neither,poor,very_poor,dont_know,eligible\n"
OK = "007,2026-02,10,5,1,0,0,1,80\n"
COMPLAINTS = (
    "complaint_id,unit_id,received,acknowledged,closed,primary_subject,outcome,reopened,target_working_days,ombudsman\n"
)
COMMENTS = "comment_id,unit_id,month,source,question,text,labels,sentiment\n"
UNITS = "unit_id,name,level,parent_id,site,service_type\n"

TEXT = {
    "fft_monthly__missing_column.csv": FFT.replace(",dont_know", "") + "007,2026-02,10,5,1,0,0,80\n",
    "fft_monthly__renamed_column.csv": FFT.replace("very_good", "Very Good") + OK,
    "fft_monthly__unknown_ward.csv": FFT + OK + "999,2026-02,1,1,0,0,0,0,10\n",
    "fft_monthly__impossible_month.csv": FFT + "007,2026-13,10,5,1,0,0,1,80\n",
    "fft_monthly__negative_count.csv": FFT + "007,2026-02,10,5,1,-2,0,1,80\n",
    "fft_monthly__responses_above_eligible.csv": FFT + "007,2026-02,50,50,0,0,0,0,80\n",
    "fft_monthly__zero_eligible.csv": FFT + "007,2026-02,3,1,0,0,0,0,0\n",
    "fft_monthly__empty.csv": "",
    "fft_monthly__header_only.csv": FFT,
    "fft_monthly__duplicate_rows.csv": FFT + OK + "008,2026-02,1,1,0,0,0,0,10\n" + OK,
    "fft_monthly__not_a_number.csv": FFT + "007,2026-02,ten,5,1,0,0,1,80\n",
    "fft_monthly__semicolons.csv": FFT.replace(",", ";") + OK.replace(",", ";"),
    "complaints__impossible_date.csv": COMPLAINTS + "C1,007,2026-02-30,,,Staff,,no,25,no\n",
    "complaints__closed_before_received.csv": COMPLAINTS
    + "C1,007,2026-03-10,2026-03-11,2026-03-01,Staff,upheld,no,25,no\n",
    "complaints__unknown_subject.csv": COMPLAINTS + "C1,007,2026-03-10,,,Parking,,no,25,no\n",
    "org_units__path_like_code.csv": UNITS
    + "../x,Up a folder,ward,D1,Main,inpatient\n"
    + "/etc,Absolute,ward,D1,Main,inpatient\n"
    + "a/b,Nested,ward,D1,Main,inpatient\n"
    + "W" * 33
    + ",Too long,ward,D1,Main,inpatient\n"
    + "W-10_b,Fine,ward,D1,Main,inpatient\n",
    "fft_monthly__repeated_column.csv": FFT.replace(",poor,", ",good,") + OK,
    "fft_monthly__unclosed_quote.csv": FFT + '"007,2026-02,10,5,1,0,0,1,80\n',
    "fft_monthly__extra_cell.csv": FFT + OK + "008,2026-02,1,1,0,0,0,0,10,5\n",
    "feedback_comments__nul_byte.csv": COMMENTS + "K1,007,2026-02,fft,What was good?,Lovely\x00 food,,\n",
    # coding given by a person must use the framework's names and the 1-5 scale
    "feedback_comments__bad_coding.csv": COMMENTS
    + "K1,007,2026-02,fft,What was good?,Lovely food,Food and drink,1\n"
    + "K2,007,2026-02,fft,What was good?,Kind staff,Staff manner & personal attributes,7\n",
    "fftraw__bad_period.csv": RAW_HEADER
    + raw_line("2025_26", "AUGUSTT", TRUST_CODE, "R1X01", "WARD 7", [1, 0, 0, 0, 0, 0], 5),
    "fftraw__missing_column.csv": RAW_HEADER.replace("Total Eligible SUM", "Eligible")
    + raw_line("2025_26", "AUGUST", TRUST_CODE, "R1X01", "WARD 7", [1, 0, 0, 0, 0, 0], 5),
}


def main() -> None:
    for name, text in TEXT.items():
        (HERE / name).write_text(text, encoding="utf-8")
    # A byte-order mark, as Excel's "CSV UTF-8" writes: the first column is still 'unit_id'.
    (HERE / "fft_monthly__bom_unknown_ward.csv").write_bytes(
        b"\xef\xbb\xbf" + (FFT + "999,2026-02,1,1,0,0,0,0,10\n").encode()
    )
    # Latin-1 (Excel's plain "CSV" on Windows): é is byte 0xE9, not UTF-8.
    (HERE / "feedback_comments__latin1.csv").write_bytes(
        (COMMENTS + "K1,007,2026-02,fft,What was good?,Lovely café,,\n").encode("latin-1")
    )

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "fft_monthly"
    ws.append(FFT.strip().split(","))
    ws.append(["007", "2026-02", 10, 5, 1, 0, 0, 1, 80])
    ws.append(["008", "2026-02", "=SUM(C2:D2)", 5, 1, 0, 0, 1, 80])
    book.save(HERE / "fft_monthly__formula.xlsx")
    repeated = openpyxl.Workbook()
    rs = repeated.active
    rs.title = "fft_monthly"
    rs.append(FFT.strip().replace(",neither,", ",very_good,").split(","))
    rs.append(["007", "2026-02", 10, 5, 1, 0, 0, 1, 80])
    repeated.save(HERE / "fft_monthly__repeated_column.xlsx")
    ws.title = "Sheet1"
    book.save(HERE / "fft_monthly__wrong_sheet.xlsx")

    template = HERE / "_template.xlsx"
    selfassessment.write_template(template, "T", "Trust", "2026-12", pd.DataFrame())

    def workbook(name, edit):
        book = openpyxl.load_workbook(template)
        edit(book[selfassessment.SHEET])
        book.save(HERE / name)

    def score(value, row=7):
        def edit(ws):
            for r in range(7, 64):
                ws.cell(r, 5, 3)
            ws.cell(row, 5, value)

        return edit

    workbook("selfassessment__score_6.xlsx", score(6))
    workbook("selfassessment__score_minus_1.xlsx", score(-1))
    workbook("selfassessment__score_4_5.xlsx", score(4.5))
    workbook("selfassessment__score_five.xlsx", score("five"))
    workbook("selfassessment__duplicate_requirement.xlsx", lambda ws: ws.cell(8, 3, "1A"))
    workbook("selfassessment__unknown_requirement.xlsx", lambda ws: ws.cell(63, 3, "24A"))
    workbook("selfassessment__unknown_unit.xlsx", lambda ws: ws.cell(3, 2, "ZZZ"))
    workbook("selfassessment__impossible_due_date.xlsx", lambda ws: ws.cell(7, 9, "2026-02-30"))

    def rename(ws):
        ws.title = "Sheet1"

    workbook("selfassessment__wrong_sheet.xlsx", rename)
    template.unlink()

    rows = [
        ward_row(TRUST_CODE, "R1X01", "WARD 7", [4, 4, 0, 0, 0, 0], 20),
        ward_row(TRUST_CODE, "R1X01", "NEW WARD 12", [4, 4, 0, 0, 0, 0], 20),
    ]
    small_published(HERE / "fftpub__unmapped_ward.xlsx", "September 2025", rows)
    small_published(HERE / "fftpub__wrong_sheet.xlsx", "September 2025", rows, sheet="Ward data")
    bad = [ward_row(TRUST_CODE, "R1X01", "WARD 7", [4, 4, 0, 0, 0, 0], 20)]
    bad[0][10] = "four"
    small_published(HERE / "fftpub__not_a_number.xlsx", "September 2025", bad)


if __name__ == "__main__":
    main()
