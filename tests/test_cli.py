"""The pxassure command: exit codes and messages people see."""

import pytest

from pxassure.cli import main


def test_build_rejects_period_outside_data(demo_db, capsys):
    assert main(["build", "--period", "2031-01", "--database", str(demo_db)]) == 2
    assert "period 2031-01 is outside the data: 2023-11 to 2026-10" in capsys.readouterr().err


def test_build_rejects_unknown_committee(demo_db, capsys):
    assert main(["build", "--committee", "nope", "--database", str(demo_db)]) == 2
    assert "no parameters file for committee 'nope'" in capsys.readouterr().err


def test_build_missing_database(tmp_path, capsys):
    assert main(["build", "--database", str(tmp_path / "none.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_load_reports_problems_and_exits_non_zero(tmp_path, capsys):
    (tmp_path / "org_units.csv").write_text("unit_id,name,level,parent_id,site,service_type\nT,Trust,county,,,\n")
    assert main(["load", str(tmp_path), "--database", str(tmp_path / "x.duckdb")]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'level': found 'county'; expected one of 'trust'" in err


def test_demo_rejects_bad_scale(tmp_path, capsys):
    assert main(["demo", "--wards", "5", "--database", str(tmp_path / "d.duckdb")]) == 2
    assert "wards must be between 12 and 300" in capsys.readouterr().err


@pytest.mark.integration
def test_export_command(board, tmp_path, capsys):
    out = tmp_path / "again.html"
    assert main(["export", str(board.notebook), str(out), "--title", "Board"]) == 0
    html = out.read_text()
    assert "<title>Board</title>" in html and "<script" not in html
