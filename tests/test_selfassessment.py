"""Framework self-assessment workbooks: the template, its prefill, formula safety, and import."""

import openpyxl
import pandas as pd
import pytest

from minitrust import build
from pxassure.cli import main
from pxassure.ingest import catalogue, selfassessment
from pxassure.ingest.sources import Loader

HOSTILE = '=HYPERLINK("http://x","click")'


@pytest.fixture
def store(tmp_path):
    with build(tmp_path / "s.duckdb") as s:
        yield s


def _import(store, paths):
    with Loader(store, replace=False) as loader:
        selfassessment.import_workbooks(loader, paths, set(store.table("org_units")["unit_id"]))
        return loader.finish()


def _previous():
    cat = catalogue.catalogue()
    return pd.DataFrame(
        {
            "unit_id": "D1",
            "assessed_month": pd.Timestamp("2026-09-01"),
            "requirement": cat["requirement"],
            "score": pd.array([3] * len(cat), dtype="Int64"),
            "current_position": [HOSTILE if r == "12C" else f"Position {r}" for r in cat["requirement"]],
            "planned_action": "Act",
            "owner": "Head of Patient Experience",
            "due_date": pd.Timestamp("2027-03-31"),
            "good_looks_like": "-good is +better @all",
        }
    ).set_index("requirement", drop=False)


def test_template_mirrors_the_framework_with_validation(tmp_path):
    path = selfassessment.write_template(tmp_path / "t.xlsx", "D1", "Division One", "2026-12", _previous())
    ws = openpyxl.load_workbook(path)[selfassessment.SHEET]
    assert [c.value for c in ws[selfassessment.HEADER_ROW]] == list(selfassessment.HEADINGS)
    reqs = [ws.cell(r, 3).value for r in range(7, 64)]
    assert reqs == catalogue.requirement_ids() and ws.cell(64, 3).value is None
    assert (ws["B3"].value, ws["B4"].value) == ("D1", "2026-12")
    assert ws.cell(7, 5).value == 3 and ws.cell(7, 8).value == "Head of Patient Experience"
    rules = {str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert rules["E7:E63"] == ("whole", "0", "5")


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    path = selfassessment.write_template(tmp_path / "t.xlsx", "D1", "Division One", "2026-12", _previous())
    ws = openpyxl.load_workbook(path)[selfassessment.SHEET]
    row = 7 + catalogue.requirement_ids().index("12C")
    cell = ws.cell(row, 6)
    assert cell.value == HOSTILE and cell.data_type == "s" and cell.quotePrefix
    assert ws.cell(row, 10).data_type == "s" and ws.cell(row, 10).quotePrefix
    assert not any(c.data_type == "f" for r in ws.iter_rows() for c in r)


def test_completed_workbook_round_trips_and_replaces_that_assessment(store, tmp_path):
    path = selfassessment.write_template(tmp_path / "t.xlsx", "D1", "Division One", "2026-12", _previous())
    _import(store, [path])
    scores = store.table("framework_scores")
    assert len(scores) == 57 and set(scores["score"]) == {3}
    assert scores.set_index("requirement").loc["12C", "current_position"] == HOSTILE  # text, kept as written
    book = openpyxl.load_workbook(path)
    book[selfassessment.SHEET].cell(7, 5).value = None  # 1A: not assessed
    book[selfassessment.SHEET].cell(8, 5, 5)
    book.save(path)
    _import(store, [path])
    scores = store.table("framework_scores").set_index("requirement")
    assert len(scores) == 57 and pd.isna(scores.loc["1A", "score"]) and scores.loc["1B", "score"] == 5


def test_cli_template_prefills_from_the_previous_assessment(tmp_path, capsys):
    database = tmp_path / "cli.duckdb"
    with build(database) as store:
        store.load({"framework_scores": _previous().reset_index(drop=True)}, replace=False)
    out = tmp_path / "D1.xlsx"
    assert (
        main(
            [
                "framework",
                "template",
                "--unit",
                "D1",
                "--period",
                "2026-12",
                "--output",
                str(out),
                "--database",
                str(database),
            ]
        )
        == 0
    )
    assert "prefilled from 2026-09" in capsys.readouterr().out
    assert main(["framework", "import", str(out), "--database", str(database)]) == 0
    assert main(["framework", "template", "--unit", "NOPE", "--period", "2026-12", "--database", str(database)]) == 2
