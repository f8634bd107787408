"""A pack build across layers: ward → division → board, in parallel, with links and an index."""

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from htmlcheck import check_findings_shown, check_page
from pxassure.execution import build, execute, planning
from pxassure.ingest import demo
from pxassure.publish import contents

pytestmark = pytest.mark.integration
WARD = demo.PLANTED["deteriorating_ward"]


@pytest.fixture(scope="module")
def pack(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("pack")
    jobs = planning.plan(None, database=demo_db)
    keep = {
        f"ward/{WARD}.html",
        "ward/031.html",
        "division/MED.html",
        "division/SUR.html",
        "patient_experience/patient_experience_committee.html",
        "executive_quality/executive_quality_committee.html",
        "board_quality/quality_committee.html",
        "board/board.html",
    }
    jobs = [j for j in jobs if j.spec.path in keep]
    assert len(jobs) == 8
    outcomes = build.run_pack(jobs, out, workers=2, progress=False)
    assert all(o.ok for o in outcomes), build.summary(outcomes)
    return out / jobs[0].trust / demo.END_MONTH, outcomes


def findings(root: Path, path: str) -> dict:
    layer, name = path.split("/")
    return json.loads((root / layer / f"{Path(name).stem}.findings.json").read_text())


def test_planted_ward_is_an_exception_at_every_layer(pack):
    root, _ = pack
    assert "fft_positive" in {e["measure_id"] for e in findings(root, f"ward/{WARD}.html")["exceptions"]}
    assert WARD in {e["unit_id"] for e in findings(root, "division/MED.html")["exceptions"]}
    pec = findings(root, "patient_experience/patient_experience_committee.html")
    assert WARD in {e["unit_id"] for e in pec["exceptions"]}
    assert WARD in {o["unit_id"] for o in pec["funnel_outliers"]["fft_positive"] if o["position"] == "below_998"}
    assert WARD in {t["unit_id"] for t in pec["trends_significant"]}
    eqc = findings(root, "executive_quality/executive_quality_committee.html")
    assert WARD in {e["unit_id"] for e in eqc["exceptions"]}
    assert {c["column"] for c in eqc["correlations"]} == {"harm_incidents_rate", "rn_fill_rate"}
    assert WARD in {e["unit_id"] for e in findings(root, "board/board.html")["exceptions"]}


def test_every_executive_summary_row_leads_to_a_section_that_shows_it(pack):
    root, _ = pack
    kinds = []
    for page in sorted(root.glob("*/*.html")):
        kinds += check_findings_shown(page.read_text(encoding="utf-8"), page.name)
    assert len(kinds) >= 40
    assert set(kinds) >= {"not_assured", "ward_exception", "ward_responded", "assurance_gap", "overdue_actions"}


def test_each_committee_sees_what_the_body_above_it_is_told(pack, demo_db):
    """PEC → EQC → QGC → Board: every finding the board's cover names is in each committee's below it."""
    from pxassure import reports

    chain = [
        reports.patient_experience_report(demo_db),
        reports.quality_report(demo_db, committee="executive_quality_committee"),
        reports.quality_report(demo_db, committee="quality_committee"),
        reports.board_report(demo_db),
    ]
    told = [{(i.kind, i.what) for i in r.attention()} for r in chain]
    for lower, upper, name in zip(told, told[1:], ["EQC", "QGC", "Board"]):
        assert upper <= lower, (name, upper - lower)
    assert {k for k, _ in told[-1]} >= {"not_assured", "assurance_gap", "ward_exception"}


def test_the_two_quality_committees_get_papers_fitted_to_each(pack):
    root, _ = pack
    qgc = (root / "board_quality" / "quality_committee.html").read_text(encoding="utf-8")
    eqc = (root / "executive_quality" / "executive_quality_committee.html").read_text(encoding="utf-8")
    assert ">Trust-wide measures</h2>" in qgc and ">Trust-wide measures</h2>" not in eqc
    assert ">Complaints performance</h2>" in eqc and ">Complaints performance</h2>" not in qgc
    assert "takes assurance on the Trust Board" in qgc and "operational picture" in eqc


def test_improving_division_shows_improvement(pack):
    root, _ = pack
    icons = {i["measure"]: i["variation"] for i in findings(root, "division/SUR.html")["icons"]}
    assert icons["FFT % positive"] == "improvement_high"


def test_every_link_resolves(pack):
    root, _ = pack
    pages = list(root.glob("*/*.html")) + [root / "index.html"]
    assert len(pages) == 10  # eight papers, the PEC's appendix page, the index
    checked = 0
    for page in pages:
        for href in re.findall(r'href="(?!data:)([^"#]+)"', page.read_text()):
            assert (page.parent / href).resolve().exists(), f"{page.name}: broken link {href}"
            checked += 1
    # index 9 (eight papers and the PEC's appendix) and 1 up to the trust's periods; ward 014 → MED; MED → 014 (navigation, two exceptions: FFT and a comment theme)
    # and → PEC; SUR → PEC; PEC → MED, SUR, EQC, → 014 (two exceptions) and → its appendix;
    # EQC → PEC, QGC and → 014 (two exceptions); QGC → EQC, board and → 014 (two exceptions);
    # board → QGC and → 014 (two exceptions)
    assert checked == 9 + 1 + 1 + 4 + 1 + 6 + 4 + 4 + 3


def test_reports_link_up_and_down(pack):
    root, _ = pack
    ward = (root / "ward" / f"{WARD}.html").read_text()
    assert 'href="../division/MED.html"' in ward
    division = (root / "division" / "MED.html").read_text()
    assert f'href="../ward/{WARD}.html"' in division
    board = (root / "board" / "board.html").read_text()
    assert f'href="../ward/{WARD}.html"' in board  # escalated exception: where to read more


def test_index_lists_every_report_in_agenda_order_wards_by_division(pack):
    root, _ = pack
    index = (root / "index.html").read_text()
    assert index.index("Trust Board") < index.index("Divisions") < index.index("Wards and departments")
    for path in ("board/board.html", "division/MED.html", f"ward/{WARD}.html"):
        assert f'href="{path}"' in index
    assert index.index('href="division/MED.html"') < index.index('href="division/SUR.html"')  # by name
    wards = index[index.index("Wards and departments") :]
    assert wards.index("<h3>Medicine and Urgent Care</h3>") < wards.index(f'href="ward/{WARD}.html"')
    assert wards.count("<h3>") == 2 and wards.index(f'href="ward/{WARD}.html"') < wards.index('href="ward/031.html"')
    willow = wards[wards.index(f'href="ward/{WARD}.html"') :]
    assert willow.index("(escalated)") < willow.index("</li>")
    assert 'href="patient_experience/patient_experience_committee.appendix.html"' in index


#: A comment that tries to inject markup and a spreadsheet formula and carries personal details:
#: loaded here, never part of the demo a trust sees.
HOSTILE = (
    '<script>alert("x")</script> =HYPERLINK("http://x") Nurse Priya ignored me; '
    "call 07700 900123, NHS number 943 476 5919."
)


@pytest.mark.integration
def test_ward_report_escapes_and_redacts_patient_text(demo_db, tmp_path):
    import shutil

    from pxassure.cli import main

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    comments = tmp_path / "in" / "feedback_comments.csv"
    comments.parent.mkdir()
    pd.DataFrame(
        [
            {
                "comment_id": "F9999999",
                "unit_id": WARD,
                "month": "2026-10",
                "source": "fft",
                "question": "What could we do better?",
                "rating": 5,
                "text": HOSTILE,
            }
        ]
    ).to_csv(comments, index=False)
    assert main(["load", str(comments), "--database", str(db)]) == 0
    job = planning.plan("ward", database=db, unit=WARD)[0]
    outcome = execute.run(job, tmp_path / "out")
    assert outcome.ok, outcome.error
    html = outcome.html.read_text()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "Nurse Priya" not in html and "07700 900123" not in html and "943 476 5919" not in html
    assert "Nurse [name] ignored me" in html


def test_failure_is_summarised_and_does_not_stop_others(demo_db, tmp_path):
    jobs = [j for j in planning.plan("ward", database=demo_db) if j.name in ("001", "002")]
    jobs[0].parameters["preset"] = "bogus"
    outcomes = build.run_pack(jobs, tmp_path, workers=2, progress=False)
    assert [o.ok for o in sorted(outcomes, key=lambda o: o.job.name)] == [False, True]
    text = build.summary(outcomes)
    assert "1 report built, 1 failed." in text and "FAILED ward/001.html" in text and "001.failed.ipynb" in text


def test_ward_code_from_papermill_integer(demo_db):
    from pxassure.reports import ward_report

    assert ward_report(demo_db, "latest", 14).unit_id == WARD  # papermill's -p unit_id 014 arrives as 14


def test_contradicted_self_assessment_is_an_assurance_gap(pack):
    root, _ = pack
    gaps = {(g["requirement"], g["gap"]) for g in findings(root, "board/board.html")["framework"]["assurance_gaps"]}
    assert (demo.PLANTED["contradicted_requirement"], "contradicted by data") in gaps


def test_every_page_is_fit_to_read(pack):
    root, _ = pack
    for page in list(root.glob("*/*.html")) + [root / "index.html"]:
        assert page.stat().st_size < 1_000_000, f"{page.name}: too big to email"
        parsed = check_page(page.read_text(encoding="utf-8"), page.name)
        if page.name.endswith(".appendix.html"):  # a long table, titled as the paper's appendix
            assert parsed.headings[0] == (
                1,
                "Appendix to: " + contents.title_of(page.with_name(page.name.replace(".appendix", ""))),
            )
        elif page.name != "index.html":
            assert len(parsed.svgs) >= 1 and any(t == "Provenance" for _, t in parsed.headings), page.name


def test_exceptions_are_escalated_from_the_findings_below(pack):
    root, _ = pack
    division = findings(root, "division/MED.html")
    assert {e["source"] for e in division["exceptions"] if e["unit_id"] == WARD} == {"ward report"}
    board = findings(root, "board/board.html")
    by_unit = {e["unit_id"]: e["source"] for e in board["exceptions"]}
    assert by_unit[WARD] == "division report"  # MED's report was built: read from its findings
    # divisions not in this pack (e.g. Women's and Children's) are computed from the same data
    assert set(by_unit.values()) <= {"division report", "computed"}


def test_reading_current_findings_or_computing_gives_the_same_exceptions(pack, demo_db):
    """A layer believes the current report below it; that must never change what is escalated
    (a comment theme's exception was once dropped when read from findings)."""
    from pxassure.reports import board_report

    root, _ = pack
    columns = ["unit_id", "measure_id", "latest", "action", "responded"]
    read = board_report(demo_db, reports_dir=root).exceptions
    computed = board_report(demo_db).exceptions
    assert "division report" in set(read["source"]) and set(computed["source"]) == {"computed"}
    assert read[columns].equals(computed[columns])


def test_stale_findings_are_not_escalated(pack, demo_db, tmp_path):
    import shutil

    from pxassure.reports import division_report

    root, _ = pack
    stale = tmp_path / "period"
    shutil.copytree(root, stale)
    f = stale / "ward" / f"{WARD}.findings.json"
    data = json.loads(f.read_text())
    data["snapshot"]["load_id"] = "an-older-load"
    data["exceptions"] = []  # the stale file says nothing is wrong
    f.write_text(json.dumps(data))
    report = division_report(demo_db, unit_id="MED", reports_dir=stale)
    row = report.exceptions[report.exceptions["unit_id"] == WARD]
    assert len(row) and set(row["source"]) == {"computed"}


def _period_copy(root, tmp_path):
    import shutil

    copy = tmp_path / "period"
    shutil.copytree(root, copy)
    return copy


def test_a_current_childs_findings_are_what_the_layer_above_reports(pack, demo_db, tmp_path):
    """The division believes a current ward report: what that report says is what is escalated."""
    from pxassure.reports import division_report

    root, _ = pack
    copy = _period_copy(root, tmp_path)
    f = copy / "ward" / f"{WARD}.findings.json"
    data = json.loads(f.read_text())
    data["exceptions"] = [dict(e, ward="Name as the ward report gave it") for e in data["exceptions"]]
    f.write_text(json.dumps(data))  # same snapshot, options and measures: current, so believed
    report = division_report(demo_db, unit_id="MED", reports_dir=copy)
    row = report.exceptions[report.exceptions["unit_id"] == WARD]
    assert len(row) and set(row["ward"]) == {"Name as the ward report gave it"}
    assert set(row["source"]) == {"ward report"}


def test_missing_or_differently_built_children_are_recomputed(pack, demo_db, tmp_path):
    from pxassure.reports import division_report

    root, _ = pack
    expected = set(division_report(demo_db, unit_id="MED").exceptions["unit_id"])
    assert WARD in expected
    for change in ("not built", "other options", "other escalated measures"):
        copy = _period_copy(root, tmp_path / change.replace(" ", "-"))
        f = copy / "ward" / f"{WARD}.findings.json"
        data = json.loads(f.read_text())
        data["exceptions"] = []  # if this file were believed, the ward would vanish
        if change == "not built":
            f.unlink()
        else:
            if change == "other options":
                data["options"]["shift_length"] = 6
            else:
                data["escalate"] = ["fft_positive"]
            f.write_text(json.dumps(data))
        report = division_report(demo_db, unit_id="MED", reports_dir=copy)
        assert set(report.exceptions["source"]) == {"computed"}, change
        assert set(report.exceptions["unit_id"]) == expected, change


def test_reproduce_commands_name_the_notebook_run_and_every_non_default_parameter(pack, demo_db):
    from pxassure.reports import quality_report

    root, _ = pack
    html = (root / "executive_quality" / "executive_quality_committee.html").read_text(encoding="utf-8")
    assert "papermill notebooks/quality_committee.ipynb outputs/quality_committee-review.ipynb" in html
    assert (
        "-p committee executive_quality_committee" in html
        and "make report COMMITTEE=executive_quality_committee" in html
    )
    assert "notebooks/executive_quality_committee.ipynb" not in html
    assert f"-p database {demo_db}" in html and f"DATABASE={demo_db}" in html
    ptd = quality_report(demo_db, committee="quality_committee", preset="ptd", shift_length=6)
    make, papermill = ptd.reproduce_commands()
    assert "PARAMS='preset=ptd shift_length=6'" in make and "COMMITTEE=quality_committee" in make
    assert "-p preset ptd -p shift_length 6" in papermill and "notebooks/quality_committee.ipynb" in papermill
    ward = findings(root, f"ward/{WARD}.html")
    assert ward["options"]["preset"] == "mdc"
