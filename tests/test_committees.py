"""The governance structure: templates expanded over the hierarchy, layer order, links."""

import pandas as pd
import pytest

from pxassure.ingest import demo
from pxassure.periods import Period
from pxassure.reports import committees


@pytest.fixture(scope="module")
def units():
    return demo.org_units(demo.Scale())


@pytest.fixture(scope="module")
def params():
    return committees.load_all(committees.params_dir())


def test_templates_expand_over_the_hierarchy(units, params):
    specs = committees.plan(params, units)
    wards = [s for s in specs if s.layer == "ward"]
    assert len(wards) == 60 and {s.name for s in wards} == set(units.loc[units["level"] == "ward", "unit_id"])
    assert wards[0].parameters["unit_id"] == wards[0].unit_id and "{" not in wards[0].title
    assert [s.layer for s in specs] == sorted((s.layer for s in specs), key=committees.LAYERS.index)


def test_new_ward_gets_a_report_without_editing_params(units, params):
    new = pd.concat(
        [
            units,
            pd.DataFrame(
                [
                    {
                        "unit_id": "999",
                        "name": "New Ward",
                        "level": "ward",
                        "parent_id": "MED1",
                        "site": "x",
                        "service_type": "inpatient",
                    }
                ]
            ),
        ]
    )
    assert "ward/999.html" in {s.path for s in committees.plan(params, new)}


def test_links_up_and_down(units, params):
    ward = committees.links("ward", "014", units, params)
    assert ward["up"] == [("Medicine and Urgent Care divisional report", "division/MED.html")]
    division = committees.links("division", "MED", units, params)
    assert ("Willow Ward (014)", "ward/014.html") in division["down"]
    board = committees.links("board", "AVH", units, params)
    assert board["up"] == []


def test_bad_params_file(tmp_path):
    (tmp_path / "x.yaml").write_text("layer: attic\nnotebook: x\ntitle: X\n")
    with pytest.raises(committees.CommitteeError, match="layer 'attic' is not one of"):
        committees.load_all(tmp_path)
    (tmp_path / "x.yaml").write_text("!!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(Exception, match="could not determine a constructor|ConstructorError"):
        committees.load_all(tmp_path)


def test_a_new_committee_on_an_existing_paper_needs_only_its_params_file(demo_db, tmp_path, monkeypatch):
    """docs/extending.md's "Adding a committee": a params file naming the quality notebook, nothing else."""
    import shutil

    from conftest import ROOT
    from pxassure.execution import planning
    from pxassure.reports import quality_report

    shutil.copytree(ROOT / "params", tmp_path / "params")
    (tmp_path / "params" / "safeguarding_committee.yaml").write_text(
        "layer: executive_quality\nnotebook: quality_committee\n"
        'title: "Patient experience: report to the Safeguarding Committee"\n'
        "parameters:\n  committee: safeguarding_committee\n  preset: mdc\n"
        "measures: [fft_positive, complaints_rate]\ntriangulate: [harm_incidents_rate]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PXASSURE_HOME", str(tmp_path))
    jobs = planning.plan("safeguarding_committee", database=demo_db)
    assert [j.spec.path for j in jobs] == ["executive_quality/safeguarding_committee.html"]
    report = quality_report(demo_db, committee="safeguarding_committee")
    assert {c.measure.id for c in report.charts} == {"fft_positive", "complaints_rate"}
    assert list(report.correlations["column"]) == ["harm_incidents_rate"]
    assert "COMMITTEE=safeguarding_committee" in report.reproduce_commands()[0]
    assert "notebooks/quality_committee.ipynb" in report.reproduce_commands()[1]


def test_a_cover_names_the_trusts_own_committees_and_the_chain_below_it():
    """The meeting and 'previously considered by' come from the trust's committees table (a trust
    calling its board 'Board of Directors' is not told 'Trust Board'), lowest committee first."""
    import pandas as pd

    from pxassure.reports.data import ReportData

    table = pd.DataFrame(
        {
            "committee_id": ["BOD", "QC", "EQC", "PEC"],
            "name": [
                "Board of Directors",
                "Quality Committee",
                "Executive Quality Committee",
                "Patient Experience Group",
            ],
            "layer": ["board", "board_quality", "executive_quality", "patient_experience"],
            "reports_to": [None, "BOD", "QC", "EQC"],
        }
    )
    found = ReportData(period=Period.of_month("2026-10-01"), tables={"committees": table}, snapshot={}).governance()
    assert found["committee_names"]["board"] == "Board of Directors"
    assert found["reported_by"]["board"] == [
        "Patient Experience Group",
        "Executive Quality Committee",
        "Quality Committee",
    ]
    assert found["reported_by"]["executive_quality"] == ["Patient Experience Group"]
    assert found["reported_by"]["patient_experience"] == []
