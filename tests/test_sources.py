"""Loading input files: every problem reported at once, and nothing loaded unless all is valid."""

import shutil

import pandas as pd
import pytest

from pxassure.ingest import sources
from pxassure.ingest.store import Store

UNITS_CSV = """unit_id,name,level,parent_id,site,service_type
T,Trust,trust,,,
007,Ward 7,ward,T,Site,inpatient
"""
FFT_HEADER = "unit_id,month,very_good,good,neither,poor,very_poor,dont_know,eligible\n"


@pytest.fixture
def store(tmp_path):
    (tmp_path / "org_units.csv").write_text(UNITS_CSV)
    (tmp_path / "fft_monthly.csv").write_text(FFT_HEADER + "007,2026-01,10,5,1,0,0,1,80\n")
    with Store(tmp_path / "s.duckdb") as s:
        sources.load_files(s, sources.discover(tmp_path))
        yield s


def _snapshot(store):
    return {t: store.table(t) for t in ("org_units", "fft_monthly")}


def _assert_unchanged(store, before):
    for t, frame in before.items():
        pd.testing.assert_frame_equal(store.table(t), frame)


def test_valid_files_load_and_codes_stay_text(store):
    fft = store.table("fft_monthly")
    assert fft["unit_id"].tolist() == ["007"] and str(fft["month"].iloc[0])[:10] == "2026-01-01"


def test_every_problem_reported_with_row_and_column(store, tmp_path):
    before = _snapshot(store)
    bad = tmp_path / "bad" / "fft_monthly.csv"
    bad.parent.mkdir()
    bad.write_text(
        FFT_HEADER
        + "007,2026-02,10,5,1,0,0,1,80\n"
        + "007,2026-13,10,5,1,0,0,1,80\n"  # impossible month
        + "007,2026-04,-3,5,1,0,0,1,80\n"  # negative count
        + "007,2026-05,10,five,1,0,0,1,80\n"  # not a number
        + "007,2026-06,50,50,0,0,0,0,80\n"  # responses above eligible
        + "999,2026-07,1,1,1,1,1,1,80\n"  # unknown ward
        + "007,2026-02,10,5,1,0,0,1,80\n"
    )  # duplicate key
    with pytest.raises(sources.ValidationError) as info:
        sources.load_files(store, {"fft_monthly": bad})
    text = str(info.value)
    assert "nothing was loaded" in text
    assert f"{bad}, row 3, column 'month': found '2026-13'; expected a real date as YYYY-MM-DD or YYYY-MM" in text
    assert "row 4, column 'very_good': found '-3'; expected a value of at least 0" in text
    assert "row 5, column 'good': found 'five'; expected a whole number" in text
    assert "row 6, column 'eligible': found 80; expected at least the total responses (100)" in text
    assert "row 8, column 'unit_id,month': found 'unit_id=007, month=2026-02-01'; expected each key" in text
    assert "row 7, column 'unit_id': found '999'; expected a value that exists in org_units.unit_id" in text
    assert len(info.value.problems) == 6
    _assert_unchanged(store, before)


def test_unknown_unit_reported(store, tmp_path):
    before = _snapshot(store)
    bad = tmp_path / "fft_unknown.csv"
    bad.write_text(FFT_HEADER + "999,2026-07,1,1,1,1,1,1,80\n")
    with pytest.raises(
        sources.ValidationError,
        match="row 2, column 'unit_id': found '999'; expected a value that exists in org_units.unit_id",
    ):
        sources.load_files(store, {"fft_monthly": bad})
    _assert_unchanged(store, before)


def test_missing_and_renamed_columns(store, tmp_path):
    before = _snapshot(store)
    bad = tmp_path / "renamed.csv"
    bad.write_text(FFT_HEADER.replace("very_good", "Very Good") + "007,2026-02,10,5,1,0,0,1,80\n")
    with pytest.raises(sources.ValidationError, match="row 1, column 'very_good'; expected a column named 'very_good'"):
        sources.load_files(store, {"fft_monthly": bad})
    _assert_unchanged(store, before)


@pytest.mark.parametrize(
    "content, expected",
    [
        ("", "expected a header row with the columns of fft_monthly"),
        (FFT_HEADER, "expected at least one data row for table fft_monthly"),
    ],
)
def test_empty_and_header_only_files(store, tmp_path, content, expected):
    before = _snapshot(store)
    bad = tmp_path / "empty.csv"
    bad.write_text(content)
    with pytest.raises(sources.ValidationError, match=expected):
        sources.load_files(store, {"fft_monthly": bad})
    _assert_unchanged(store, before)


def test_byte_order_mark_is_accepted(store, tmp_path):
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (FFT_HEADER + "007,2026-03,10,5,1,0,0,1,80\n").encode())
    sources.load_files(store, {"fft_monthly": f}, replace=False)
    assert store.counts()["fft_monthly"] == 2


def test_formula_like_cells_are_text_never_evaluated(store, tmp_path):
    f = tmp_path / "org_units.csv"
    f.write_text(UNITS_CSV + '008,"=HYPERLINK(""http://x"")",ward,T,@SUM(A1),inpatient\n')
    sources.load_files(store, {"org_units": f})
    row = store.table("org_units").set_index("unit_id").loc["008"]
    assert row["name"] == '=HYPERLINK("http://x")' and row["site"] == "@SUM(A1)"


def test_loading_the_same_file_twice_does_not_double_count(store, tmp_path):
    f = tmp_path / "more.csv"
    f.write_text(FFT_HEADER + "007,2026-02,10,5,1,0,0,1,80\n")
    sources.load_files(store, {"fft_monthly": f}, replace=False)
    sources.load_files(store, {"fft_monthly": f}, replace=False)
    assert store.counts()["fft_monthly"] == 2


def test_demo_inputs_reload_through_the_same_path(demo_inputs, tmp_path):
    copy = tmp_path / "inputs"
    shutil.copytree(demo_inputs, copy)
    with Store(tmp_path / "again.duckdb") as s:
        sources.load_files(s, sources.discover(copy))
        assert s.counts()["framework_scores"] > 0


def test_header_only_sheet_is_named_in_the_error(store, tmp_path):
    import openpyxl

    before = _snapshot(store)
    book = openpyxl.Workbook()
    book.active.title = "fft_monthly"
    book.active.append(FFT_HEADER.strip().split(","))
    path = tmp_path / "extracts.xlsx"
    book.save(path)
    with pytest.raises(sources.ValidationError) as info:
        sources.load_files(store, {"fft_monthly": path})
    assert [str(p) for p in info.value.problems] == [
        f"{path}, sheet 'fft_monthly'; expected at least one data row for table fft_monthly"
    ]
    _assert_unchanged(store, before)


def test_missing_months_are_warned_about_and_kept_in_the_load_log(tmp_path, capsys):
    """A month missing inside a unit's run loads (it is a gap), with a warning kept beside the load log."""
    from minitrust import build
    from pxassure.cli import main

    with build(tmp_path / "s.duckdb"):
        pass
    fft = tmp_path / "fft_monthly.csv"
    rows = [f"007,2025-{m:02d},10,5,1,0,0,1,80" for m in (1, 2, 5, 6)] + ["008,2025-01,1,1,0,0,0,0,10"]
    fft.write_text("unit_id,month,very_good,good,neither,poor,very_poor,dont_know,eligible\n" + "\n".join(rows) + "\n")
    assert main(["load", str(fft), "--replace", "--database", str(tmp_path / "s.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "warning: fft_monthly: unit 007 has no row for 2025-03, 2025-04 (shown as a gap in its charts)" in out
    # replacing says what it removed, and which earlier load had brought it
    assert "replaced fft_monthly: " in out and "row(s) from earlier loads removed" in out
    assert "unit 008" not in out
    with Store(tmp_path / "s.duckdb", read_only=True) as store:
        kept = store.table("load_warnings")
        assert kept["unit_id"].tolist() == ["007"] and kept["load_id"].iloc[0] == store.snapshot()["load_id"]
    # appending the missing months fills the gap: no warning
    fill = tmp_path / "fill" / "fft_monthly.csv"
    fill.parent.mkdir()
    fill.write_text(fft.read_text().splitlines()[0] + "\n007,2025-03,1,1,0,0,0,0,9\n007,2025-04,1,1,0,0,0,0,9\n")
    assert main(["load", str(fill), "--append", "--database", str(tmp_path / "s.duckdb")]) == 0
    assert "warning" not in capsys.readouterr().out


def test_every_column_type_in_the_schema_has_a_parser():
    from pxassure.ingest import sources as loader
    from pxassure.ingest.schema import TABLES as declared

    types = {c.type for t in declared.values() for c in t.input_columns}
    assert types <= set(loader._PARSERS), types - set(loader._PARSERS)
