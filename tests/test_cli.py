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


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("shift_length=6", ("shift_length", 6)),
        ("preset=ptd", ("preset", "ptd")),
        ("minimum_points=None", ("minimum_points", None)),
        ("unit_id=014", ("unit_id", 14)),  # as papermill -p types it; unit codes are padded back
        ("screen=True", ("screen", True)),
        ("ratio=0.5", ("ratio", 0.5)),
        ("period=2026-06", ("period", "2026-06")),
        ("title=a: b", ("title", "a: b")),
    ],
)
def test_parameters_are_typed_as_papermill_types_them(item, expected):
    from papermill.cli import _resolve_type

    from pxassure.cli import parse_param

    assert parse_param(item) == expected
    assert parse_param(item)[1] == _resolve_type(item.partition("=")[2])  # papermill's own rule


def test_a_bad_rule_option_is_a_plain_message_before_anything_runs(demo_db, capsys):
    assert (
        main(["build", "--committee", "ward", "--unit", "014", "-p", "shift_length=5", "--database", str(demo_db)]) == 2
    )
    err = capsys.readouterr().err
    assert "ward/014.html: SPC option shift_length=5 is not allowed: expected one of [6, 7, 8, 9]" in err
    assert "Traceback" not in err
    assert main(["build", "-p", "shift_length", "--database", str(demo_db)]) == 2
    assert "expected key=value" in capsys.readouterr().err


def test_user_mistakes_never_show_a_traceback(tmp_path):
    import subprocess
    import sys

    for args in (
        ["build", "--database", str(tmp_path / "none.duckdb")],
        ["framework", "template", "--unit", "X", "--period", "2026-13", "--database", str(tmp_path / "none.duckdb")],
        ["demo", "--months", "500", "--database", str(tmp_path / "d.duckdb")],
    ):
        out = subprocess.run([sys.executable, "-m", "pxassure.cli", *args], capture_output=True, text=True)
        assert out.returncode == 2 and "Traceback" not in out.stderr and out.stderr.startswith("pxassure "), args


@pytest.mark.integration
def test_build_with_a_typed_rule_option(demo_db, tmp_path, capsys):
    """The README's command: 6 arrives as a number, the report says which rule it used."""
    args = ["build", "--committee", "ward", "--unit", "014", "-p", "preset=ptd", "-p", "shift_length=6"]
    assert main([*args, "--database", str(demo_db), "--output", str(tmp_path)]) == 0
    import html as html_lib

    page = html_lib.unescape(next(tmp_path.glob("AVH/*/ward/014.html")).read_text(encoding="utf-8"))
    assert "preset ptd; moving-range screening on; shift 6 points" in page
    assert "PARAMS='preset=ptd shift_length=6'" in page and "-p preset ptd -p shift_length 6" in page
