"""The bad-input corpus (tests/data/bad/): each file gives exactly its expected error, and the
database is unchanged afterwards. Regenerate the files with tests/data/bad/make_corpus.py."""

import pytest

from conftest import ROOT
from minitrust import assert_unchanged, build, contents
from pxassure.errors import ValidationError
from pxassure.ingest import fft, selfassessment
from pxassure.ingest.sources import Loader

BAD = ROOT / "tests" / "data" / "bad"


def load(store, path):
    """Load one corpus file the way its name says; return the problems as text ('{f}' for its path)."""
    kind = path.name.split("__")[0]
    with Loader(store, replace=kind in ("fft_monthly", "complaints", "feedback_comments")) as loader:
        if kind == "selfassessment":
            selfassessment.import_workbooks(loader, [path], set(store.table("org_units")["unit_id"]))
        elif kind in ("fftpub", "fftraw"):
            fft.import_files(loader, [path], store.table("fft_ward_map"))
        else:
            loader.add_file(kind, path)
        with pytest.raises(ValidationError) as info:
            loader.finish()
    return [str(p).replace(str(path), "{f}") for p in info.value.problems]


EXPECTED: dict[str, list[str]] = {
    "complaints__closed_before_received.csv": [
        "{f}, row 2, column 'closed': found '2026-03-01'; expected a date on or after 'received'"
    ],
    "complaints__impossible_date.csv": [
        "{f}, row 2, column 'received': found '2026-02-30'; expected a real date as YYYY-MM-DD"
    ],
    "complaints__unknown_subject.csv": [
        "{f}, row 2, column 'primary_subject': found 'Parking'; expected one of 'Access to treatment or drugs', 'Admissions, discharges and transfers', 'Appointments', 'Clinical treatment', 'Communications', 'Consent', 'End of life care', 'Facilities services', 'Patient care', 'Prescribing errors', 'Privacy, dignity and wellbeing', 'Restraint', 'Staff', 'Trust administration', 'Waiting times', 'Other'"
    ],
    "feedback_comments__latin1.csv": [
        "{f}, row 2: found 'byte 0xE9'; expected UTF-8 text (in Excel: Save As 'CSV UTF-8 (Comma delimited)')"
    ],
    "feedback_comments__bad_coding.csv": [
        "{f}, row 3, column 'sentiment': found '7'; expected a value of at most 5",
        "{f}, row 2, column 'labels': found 'Food and drink'; expected label names of the FFT comment framework, not 'Food and drink'",
    ],
    "feedback_comments__nul_byte.csv": [
        "{f}, row 2, column 'text': found 'Lovely\\x00 food'; expected text without control characters such as NUL (remove them, then save the file again)"
    ],
    "fft_monthly__unclosed_quote.csv": [
        "{f}; expected comma-separated rows, each with as many cells as the header and every quote closed (the CSV reader stopped: Error tokenizing data. C error: EOF inside string starting at row 1)"
    ],
    "fft_monthly__extra_cell.csv": [
        "{f}, row 3; expected comma-separated rows, each with as many cells as the header and every quote closed (the CSV reader stopped: Error tokenizing data. C error: Expected 9 fields in line 3, saw 10)"
    ],
    "fft_monthly__repeated_column.csv": [
        "{f}, row 1, column 'good'; expected each column named once: 'good' is in the header twice"
    ],
    "fft_monthly__repeated_column.xlsx": [
        "{f}, sheet 'fft_monthly', row 1, column 'very_good'; expected each column named once: 'very_good' is in the header twice"
    ],
    "org_units__path_like_code.csv": [
        "{f}, row 2, column 'unit_id': found '../x'; expected a code of letters, digits, '-' and '_' (at most 32, starting with a letter or digit)",
        "{f}, row 3, column 'unit_id': found '/etc'; expected a code of letters, digits, '-' and '_' (at most 32, starting with a letter or digit)",
        "{f}, row 4, column 'unit_id': found 'a/b'; expected a code of letters, digits, '-' and '_' (at most 32, starting with a letter or digit)",
        "{f}, row 5, column 'unit_id': found 'WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW'; expected a code of letters, digits, '-' and '_' (at most 32, starting with a letter or digit)",
    ],
    "fft_monthly__bom_unknown_ward.csv": [
        "{f}, row 2, column 'unit_id': found '999'; expected a value that exists in org_units.unit_id"
    ],
    "fft_monthly__duplicate_rows.csv": [
        "{f}, row 4, column 'unit_id,month': found 'unit_id=007, month=2026-02-01'; expected each key to appear once (duplicate row)"
    ],
    "fft_monthly__empty.csv": ["{f}; expected a header row with the columns of fft_monthly (the file is empty)"],
    "fft_monthly__formula.xlsx": [
        "{f}, sheet 'fft_monthly', row 3, column 'very_good': found '=SUM(C2:D2)'; expected a whole number, not a formula (pxassure never evaluates formulas)"
    ],
    "fft_monthly__header_only.csv": ["{f}; expected at least one data row for table fft_monthly"],
    "fft_monthly__impossible_month.csv": [
        "{f}, row 2, column 'month': found '2026-13'; expected a real date as YYYY-MM-DD or YYYY-MM"
    ],
    "fft_monthly__missing_column.csv": [
        "{f}, row 1, column 'dont_know'; expected a column named 'dont_know' (columns found: ['unit_id', 'month', 'very_good', 'good', 'neither', 'poor', 'very_poor', 'eligible'])"
    ],
    "fft_monthly__negative_count.csv": ["{f}, row 2, column 'poor': found '-2'; expected a value of at least 0"],
    "fft_monthly__not_a_number.csv": ["{f}, row 2, column 'very_good': found 'ten'; expected a whole number"],
    "fft_monthly__renamed_column.csv": [
        "{f}, row 1, column 'very_good'; expected a column named 'very_good' (columns found: ['unit_id', 'month', 'Very Good', 'good', 'neither', 'poor', 'very_poor', 'dont_know', 'eligible'])"
    ],
    "fft_monthly__responses_above_eligible.csv": [
        "{f}, row 2, column 'eligible': found 80; expected at least the total responses (100): responses cannot exceed eligible"
    ],
    "fft_monthly__semicolons.csv": [
        "{f}, row 1: found 'unit_id;month;very_good;good;neither;poor;very_poor;dont_know;eligible'; expected columns separated by commas (this file separates them with semicolons; in Excel: Save As 'CSV UTF-8 (Comma delimited)')"
    ],
    "fft_monthly__unknown_ward.csv": [
        "{f}, row 3, column 'unit_id': found '999'; expected a value that exists in org_units.unit_id"
    ],
    "fft_monthly__wrong_sheet.xlsx": ["{f}: found ['Sheet1']; expected a sheet named 'fft_monthly'"],
    "fft_monthly__zero_eligible.csv": [
        "{f}, row 2, column 'eligible': found 0; expected the number of eligible patients, above 0 with 4 responses (a response rate needs a denominator; leave it empty where the setting does not count it)"
    ],
    "fftpub__not_a_number.xlsx": [
        "{f}, sheet 'Wards', row 15, column 'Very Good': found 'four'; expected a whole number"
    ],
    "fftpub__unmapped_ward.xlsx": [
        "{f}, sheet 'Wards', row 16, column 'Ward Name': found 'NEW WARD 12'; expected a ward listed in the FFT ward mapping (fft_ward_map) for trust R1X, site R1X01: add a row mapping this name to its unit"
    ],
    "fftpub__wrong_sheet.xlsx": [
        "{f}: found ['Notes', 'Ward data']; expected a sheet named 'Wards' (NHS England's inpatient FFT workbook)"
    ],
    "fftraw__bad_period.csv": [
        "{f}, row 2, column 'Yearnumber, Periodname': found '2025_26 AUGUSTT'; expected a financial year such as '2025_26' and a month name such as 'AUGUST'"
    ],
    "fftraw__missing_column.csv": [
        "{f}, row 1, column 'Total Eligible SUM'; expected a column headed 'Total Eligible SUM' (NHS England's layout)"
    ],
    "selfassessment__duplicate_requirement.xlsx": [
        "{f}, sheet 'Self-assessment', row 8, column 'Requirement': found '1A'; expected each requirement once (1A is already on row 7)",
        "{f}, sheet 'Self-assessment', column 'Requirement': found '1B'; expected every one of the framework's 57 requirements",
    ],
    "selfassessment__impossible_due_date.xlsx": [
        "{f}, sheet 'Self-assessment', row 7, column 'Due date': found '2026-02-30'; expected a real date as YYYY-MM-DD"
    ],
    "selfassessment__score_4_5.xlsx": [
        "{f}, sheet 'Self-assessment', row 7, column 'Score (0–5)': found '4.5'; expected a whole number from 0 to 5, or blank for not assessed"
    ],
    "selfassessment__score_6.xlsx": [
        "{f}, sheet 'Self-assessment', row 7, column 'Score (0–5)': found '6'; expected a whole number from 0 to 5, or blank for not assessed"
    ],
    "selfassessment__score_five.xlsx": [
        "{f}, sheet 'Self-assessment', row 7, column 'Score (0–5)': found 'five'; expected a whole number from 0 to 5, or blank for not assessed"
    ],
    "selfassessment__score_minus_1.xlsx": [
        "{f}, sheet 'Self-assessment', row 7, column 'Score (0–5)': found '-1'; expected a whole number from 0 to 5, or blank for not assessed"
    ],
    "selfassessment__unknown_requirement.xlsx": [
        "{f}, sheet 'Self-assessment', row 63, column 'Requirement': found '24A'; expected one of the framework's 57 requirement IDs (1A … 23A)",
        "{f}, sheet 'Self-assessment', column 'Requirement': found '23A'; expected every one of the framework's 57 requirements",
    ],
    "selfassessment__unknown_unit.xlsx": [
        "{f}, sheet 'Self-assessment', row 3, column 'B': found 'ZZZ'; expected a unit code that exists in org_units.unit_id"
    ],
    "selfassessment__wrong_sheet.xlsx": [
        "{f}: found ['Sheet1']; expected a sheet named 'Self-assessment' (from `pxassure framework template`)"
    ],
}


def test_every_corpus_file_has_an_expected_error():
    files = sorted(p.name for p in BAD.iterdir() if p.suffix in (".csv", ".xlsx"))
    assert len(files) >= 25
    assert sorted(EXPECTED) == files


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_gives_its_error_and_changes_nothing(name, tmp_path):
    with build(tmp_path / "s.duckdb") as store:
        before = contents(store)
        assert load(store, BAD / name) == EXPECTED[name]
        assert_unchanged(store, before)


if __name__ == "__main__":  # print the errors the corpus gives, to review before pasting above
    import tempfile
    from pathlib import Path

    for p in sorted(BAD.iterdir()):
        if p.suffix in (".csv", ".xlsx"):
            with tempfile.TemporaryDirectory() as d, build(Path(d) / "s.duckdb") as store:
                print(f"    {p.name!r}: {load(store, p)!r},")
