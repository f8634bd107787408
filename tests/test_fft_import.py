"""NHS England FFT files in: the real published workbook template, raw extracts, ward mapping, suppression."""

import pytest

from fftfiles import RAW_HEADER, TEMPLATE, fill_template, raw_line, small_published, ward_row
from minitrust import TRUST_CODE, assert_unchanged, build, contents
from pxassure.cli import main
from pxassure.errors import ValidationError
from pxassure.ingest import fft
from pxassure.ingest.sources import Loader


@pytest.fixture
def store(tmp_path):
    with build(tmp_path / "s.duckdb") as s:
        yield s


def _import(store, paths, month=None):
    with Loader(store, replace=False) as loader:
        fft.import_files(loader, paths, store.table("fft_ward_map"), month=month)
        loader.finish()
        return loader


@pytest.mark.skipif(not TEMPLATE.exists(), reason="../shared/reference/fft is not beside the project")
def test_published_template_workbook_imports(store, tmp_path):
    rows = [
        ward_row("RAA", "RAA01", "OTHER TRUST WARD", [50, 5, 0, 0, 0, 0], 90),  # another trust: not ours
        ward_row(TRUST_CODE, "R1X01", "Ward 7", [40, 8, 1, 1, 0, 0], 120),  # case differs from the mapping
        ward_row(TRUST_CODE, "R1X01", "WARD  8 (OLD NAME)", [20, 2, 0, 0, 1, 0], 60),  # old name, two spaces
        ward_row(TRUST_CODE, "R1X01", "WARD 8", [5, 1, 0, 0, 0, 0], 20),  # same unit, new name: added
        ward_row(TRUST_CODE, "R1X01", "WARD 9", ["*"] * 6, 15),  # suppressed by NHS England
    ]
    path = fill_template(tmp_path / "FFT_IP_July_2025.xlsx", "July 2025", rows)
    loader = _import(store, [path])
    fft_rows = store.query("SELECT * FROM fft_monthly WHERE month = DATE '2025-07-01' ORDER BY unit_id")
    assert fft_rows["unit_id"].tolist() == ["007", "008"]
    assert fft_rows[["very_good", "good", "neither", "poor", "very_poor", "dont_know", "eligible"]].values.tolist() == [
        [40, 8, 1, 1, 0, 0, 120],
        [25, 3, 0, 0, 1, 0, 80],
    ]
    assert loader.notes == [
        f"{path}: 1 ward-month(s) suppressed by NHS England ('*'), recorded as suppressed: 009 2025-07",
        # the tiny trust already holds 007's January 2026: July 2025 leaves a gap, warned about
        "warning: fft_monthly: unit 007 has no row for 2025-08, 2025-09, 2025-10, 2025-11, 2025-12 "
        "(shown as a gap in its charts)",
    ]
    suppressed = store.table("fft_suppressed")  # named as suppressed in papers, never as no data
    assert suppressed.astype(str).values.tolist() == [["009", "2025-07-01"]]
    national = store.table("fft_national")
    assert national["service_type"].tolist() == ["inpatient"]
    assert national["response_rate"].round(2).tolist() == [round(100 * 101100 / 400000, 2)]
    assert national["percent_positive"].round(2).tolist() == [round(100 * 99000 / 101100, 2)]
    # Loading the same month again replaces it: nothing double counted.
    _import(store, [path])
    assert len(store.query("SELECT * FROM fft_monthly WHERE month = DATE '2025-07-01'")) == 2


def test_many_months_from_raw_extracts_and_workbooks(store, tmp_path):
    raw = tmp_path / "extract.csv"
    raw.write_text(
        RAW_HEADER
        + raw_line("2025_26", "MARCH", TRUST_CODE, "R1X01", "WARD 7", [1, 2, 0, 0, 0, 0], 10)  # → 2026-03
        + raw_line("2025_26", "APRIL", TRUST_CODE, "R1X01", "WARD 7", [3, 2, 0, 0, 0, 0], 10)  # → 2025-04
        + raw_line("2025_26", "APRIL", "RAA", "RAA01", "ELSEWHERE", [3, 2, 0, 0, 0, 0], 10)
    )
    book = small_published(
        tmp_path / "aug.xlsx", "August 2025", [ward_row(TRUST_CODE, "R1X01", "WARD 9", [9, 0, 0, 0, 0, 0], 30)]
    )
    _import(store, [raw, book])
    got = store.query("SELECT unit_id, strftime(month, '%Y-%m') AS m, very_good FROM fft_monthly ORDER BY m, unit_id")
    assert got.values.tolist() == [
        ["007", "2025-04", 3],
        ["009", "2025-08", 9],
        ["007", "2026-01", 10],
        ["007", "2026-03", 1],
    ]


def test_unmapped_ward_is_reported_and_nothing_loads(store, tmp_path):
    before = contents(store)
    rows = [
        ward_row(TRUST_CODE, "R1X01", "WARD 7", [4, 4, 0, 0, 0, 0], 20),
        ward_row(TRUST_CODE, "R1X01", "NEW WARD 12", [4, 4, 0, 0, 0, 0], 20),
    ]
    path = small_published(tmp_path / "sep.xlsx", "September 2025", rows)
    with pytest.raises(ValidationError) as info:
        _import(store, [path])
    assert [str(p) for p in info.value.problems] == [
        f"{path}, sheet 'Wards', row 16, column 'Ward Name': found 'NEW WARD 12'; expected a ward listed in the FFT "
        f"ward mapping (fft_ward_map) for trust {TRUST_CODE}, site R1X01: add a row mapping this name to its unit"
    ]
    assert_unchanged(store, before)


def test_month_from_option_when_the_title_has_none(store, tmp_path):
    path = small_published(tmp_path / "x.xlsx", None, [ward_row(TRUST_CODE, "R1X01", "WARD 7", [4, 4, 0, 0, 0, 0], 20)])
    with pytest.raises(ValidationError, match="expected the month in the Notes title"):
        _import(store, [path])
    _import(store, [path], month="2025-10")
    assert "2025-10" in store.query("SELECT strftime(month, '%Y-%m') AS m FROM fft_monthly")["m"].tolist()


def test_cli_fft_import_with_mapping_file(tmp_path, capsys):
    database = tmp_path / "cli.duckdb"
    build(database).close()
    mapping = tmp_path / "map.csv"
    mapping.write_text("trust_code,site_code,ward_name,unit_id\nR1X,R1X01,Ward Seven,007\n")
    book = small_published(
        tmp_path / "oct.xlsx", "October 2025", [ward_row(TRUST_CODE, "R1X01", "WARD SEVEN", [7, 0, 0, 0, 0, 0], 9)]
    )
    assert main(["fft", "import", str(book), "--mapping", str(mapping), "--database", str(database)]) == 0
    assert "loaded 2 source(s)" in capsys.readouterr().out


def test_a_plain_fft_file_with_suppressed_cells_records_them(store, tmp_path):
    """'*' pasted from NHS England's files into the trust's own fft_monthly.csv: the month is
    recorded as suppressed, not refused as a bad count and not loaded as a number."""
    path = tmp_path / "fft_monthly.csv"
    path.write_text(
        "unit_id,month,very_good,good,neither,poor,very_poor,dont_know,eligible\n"
        "007,2026-02-01,30,5,1,0,0,0,100\n"
        "008,2026-02-01,*,*,*,*,*,*,40\n"
    )
    with Loader(store, replace=False) as loader:
        loader.add_file("fft_monthly", path)
        loader.finish()
    assert store.query("SELECT unit_id FROM fft_monthly WHERE month = DATE '2026-02-01'")["unit_id"].tolist() == ["007"]
    hidden = store.query("SELECT unit_id, month FROM fft_suppressed")
    assert hidden.astype(str).values.tolist() == [["008", "2026-02-01"]]
    assert any("1 row(s) suppressed by NHS England" in n for n in loader.notes)
