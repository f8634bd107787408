"""The reviewer's path: a notebook re-run by papermill or "Run all" with other parameters."""

import json
import shutil
from pathlib import Path

import pytest

from pxassure.cli import main
from pxassure.errors import MissingDatabaseError, ParameterError
from pxassure.ingest.store import Store
from pxassure.reports import parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_notebook_declares_what_a_build_passes(notebook):
    declared = parameters.notebook_parameters(notebook)
    assert {"period", "database", "committee", "linkable", "what_if", *parameters.SPC_PARAMETERS} <= set(declared)
    assert declared["database"] == "data/pxassure.duckdb" and declared["what_if"] is None


def test_an_unknown_parameter_names_the_nearest_one():
    namespace = {**parameters.notebook_parameters("ward"), "shift_lenght": 6, "json": json, "main": main}
    with pytest.raises(ParameterError, match=r"unknown parameter 'shift_lenght' \(did you mean shift_length\?\)"):
        parameters.check_parameters(namespace, "ward")


def test_other_spc_settings_make_a_what_if_unless_the_build_says_official():
    namespace = parameters.notebook_parameters("board")
    assert parameters.check_parameters(dict(namespace), "board") is None
    assert parameters.check_parameters({**namespace, "preset": "ptd"}, "board") == "preset=ptd"
    # a build passes "" for a paper built with its committee's own settings
    assert parameters.check_parameters({**namespace, "preset": "ptd", "what_if": ""}, "board") is None
    assert parameters.what_if_folder("preset=ptd shift_length=6") == "what-if-preset-ptd-shift-length-6"


def test_a_unit_written_without_its_zeros_is_suggested(demo_db, capsys):
    assert main(["build", "--committee", "ward", "--unit", "14", "--database", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert "unknown unit_id '14': not in org_units (did you mean 014?)" in err and "Traceback" not in err


def test_build_refuses_a_misspelt_option_before_anything_runs(demo_db, tmp_path, capsys):
    args = ["build", "--committee", "ward", "--unit", "014", "-p", "shift_lenght=6", "--output", str(tmp_path)]
    assert main([*args, "--database", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'shift_lenght' (did you mean shift_length?)" in err
    assert not any(tmp_path.iterdir())  # nothing built, nothing written
    # an option only some papers of the build take goes to those (a cover's agenda item)
    from pxassure.execution import planning

    jobs = planning.plan(None, database=demo_db, overrides={"agenda_item": "7"})
    takes = {j.layer for j in jobs if "agenda_item" in j.parameters}
    assert "board" in takes and not takes & {"ward", "division"}


def test_a_relative_database_is_found_from_a_folder_below(tmp_path, demo_db, monkeypatch):
    (tmp_path / "data").mkdir()
    shutil.copy(demo_db, tmp_path / "data" / "trust.duckdb")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    with Store(Path("data/trust.duckdb"), read_only=True) as store:
        assert store.path == tmp_path / "data" / "trust.duckdb"
    with pytest.raises(MissingDatabaseError):  # still a plain error when no folder has it
        Store(Path("data/none.duckdb"), read_only=True)


@pytest.mark.integration
def test_run_all_from_the_notebooks_folder_uses_the_defaults_and_refuses_a_typo(demo_db, tmp_path, capfd):
    """As JupyterLab runs it: from notebooks/, default parameters, the default database path, and
    the notebooks' own kernel (which `make setup` installs)."""
    import papermill as pm

    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT / "notebooks", checkout / "notebooks")
    (checkout / "data").mkdir()
    shutil.copy(demo_db, checkout / "data" / "pxassure.duckdb")
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(checkout / "notebooks" / "ward.ipynb"),
        str(out),
        cwd=str(checkout / "notebooks"),
        progress_bar=False,
    )
    text = json.dumps(json.loads(out.read_text())["cells"])
    assert "Traceback" not in text and "What-if" not in text
    assert "without encryption" not in capfd.readouterr().err  # the kernel's own warning, if it had cause
    with pytest.raises(pm.PapermillExecutionError, match="did you mean shift_length"):
        pm.execute_notebook(
            str(checkout / "notebooks" / "ward.ipynb"),
            str(out),
            cwd=str(checkout / "notebooks"),
            parameters={"shift_lenght": 6},
            progress_bar=False,
        )
    ran = [c for c in json.loads(out.read_text())["cells"] if c["cell_type"] == "code" and c["outputs"]]
    assert "ParameterError" in json.dumps(ran[-1]["outputs"]) and len(ran) <= 3  # stopped before any paper


@pytest.mark.integration
def test_a_what_if_build_is_written_beside_the_official_paper(board, demo_db, tmp_path, capsys):
    official = board.html.read_bytes()
    output = board.html.parents[3]
    assert (
        main(["build", "--committee", "board", "-p", "preset=ptd", "--database", str(demo_db), "--output", str(output)])
        == 0
    )
    assert "what-if papers (preset=ptd)" in capsys.readouterr().out
    what_if = next(output.glob("AVH/*-what-if-preset-ptd/board/board.html"))
    assert board.html.read_bytes() == official
    page = what_if.read_text(encoding="utf-8")
    assert "What-if paper, not the official one: built with preset=ptd" in page
    assert "What-if" not in official.decode("utf-8")


def test_each_committee_can_have_its_own_meeting_date(demo_db):
    from pxassure.execution import planning
    from pxassure.reports.parameters import meeting_dates

    committees = ["board", "patient_experience_committee", "quality_committee"]
    dates = meeting_dates(["26 November 2026", "patient_experience_committee=5 November 2026"], committees)
    assert dates == {None: "26 November 2026", "patient_experience_committee": "5 November 2026"}
    with pytest.raises(
        ParameterError, match=r"no committee 'patient_experience' \(did you mean patient_experience_committee\?\)"
    ):
        meeting_dates(["patient_experience=5 November 2026"], committees)
    jobs = planning.plan(None, database=demo_db, cover={"meeting_date": dates.pop(None), "meeting_dates": dates})
    by_key = {j.spec.key: j.parameters.get("meeting_date") for j in jobs if j.layer not in ("ward", "division")}
    assert by_key["patient_experience_committee"] == "5 November 2026" and by_key["board"] == "26 November 2026"


def test_a_meeting_date_already_past_is_warned_about(demo_db, tmp_path, capsys):
    import pandas as pd

    from pxassure.reports.parameters import past_meeting

    today = pd.Timestamp("2026-12-05")
    assert "the meeting date 26 November 2026 has passed" in past_meeting("26 November 2026", today)
    assert past_meeting("10 December 2026", today) is None and past_meeting("to be confirmed", today) is None
    assert past_meeting("2026-12-01", today) and past_meeting("01/12/2026", today)  # year first, or day first
    assert past_meeting("2026-12-17", today) is None
    assert (
        main(["pack", "--meeting-date", "1 January 2020", "--database", str(demo_db), "--output", str(tmp_path)]) != 0
    )
    assert "warning: the meeting date 1 January 2020 has passed" in capsys.readouterr().err
