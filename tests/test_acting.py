"""Acting on what patients said (issue #31): involvement and participants' satisfaction by quarter,
"you said, we did" with before/after charts, the strategy's work plan, and the evidence the records
give the self-assessment — on the demo, and on a trust that supplies only some of the records."""

import pandas as pd
import pytest

from minitrust import CORE_TABLES, load_some
from pxassure.analysis import evidence, framework, involvement
from pxassure.errors import CommitteeError
from pxassure.ingest import demo
from pxassure.reports import committees
from pxassure.words import quarter_name

MONTH = pd.Timestamp("2026-10-01")


def _activities(*rows):
    cols = ["activity_id", "held_on", "unit_id", "kind", "informed", "groups_reached"]
    cols += ["participants", "satisfaction_asked", "satisfied", "changed"]
    return pd.DataFrame(rows, columns=cols)


@pytest.mark.parametrize(
    ("month", "name"),
    [
        ("2026-07", "Jul–Sep 2026 (Q2 2026/27)"),
        ("2026-02", "Jan–Mar 2026 (Q4 2025/26)"),
        ("2026-04", "Apr–Jun 2026 (Q1 2026/27)"),
        ("2026-12", "Oct–Dec 2026 (Q3 2026/27)"),
    ],
)
def test_a_quarter_is_named_in_months_and_as_the_nhs_financial_quarter(month, name):
    assert quarter_name(pd.Period(month, freq="Q")) == name


def test_satisfaction_is_a_figure_only_where_enough_were_asked_and_no_one_asked_is_no_figure():
    a = _activities(
        ("A1", "2026-01-10", "T", "focus group", "x", None, 20, 10, 9, None),
        ("A2", "2026-05-10", "T", "focus group", "x", None, 20, 4, 4, None),  # too few asked
        ("A3", "2026-08-10", "T", "focus group", "x", None, 20, 10, 8, None),
        ("A4", "2026-10-02", "T", "focus group", "x", None, 8, None, None, None),  # nobody asked
    )
    q = involvement.satisfaction_by_quarter(a, MONTH).set_index(pd.Index(["Q1", "Q2", "Q3", "Q4"]))
    assert q.loc["Q1", "percent"] == 90 and q.loc["Q1", "meets"] is True
    assert pd.isna(q.loc["Q2", "percent"]) and q.loc["Q2", "meets"] is None
    assert q.loc["Q3", "percent"] == 80 and q.loc["Q3", "meets"] is False
    assert q.loc["Q4", "meets"] is None and q.loc["Q4", "activities"] == 1  # held, but no one asked: not 0 %
    assert q["to_date"].tolist() == [False, False, False, True]  # October ends no quarter


def test_reach_counts_each_group_an_activity_named_once():
    a = _activities(
        ("A1", "2026-09-01", "T", "focus group", "x", "carers|young people", 5, 0, 0, None),
        ("A2", "2026-10-01", "T", "focus group", "x", " carers ", 5, 0, 0, None),
        ("A3", "2025-01-01", "T", "focus group", "x", "older people", 5, 0, 0, None),  # over a year ago
        ("A4", "2026-10-01", "T", "focus group", "x", None, 5, 0, 0, None),
    )
    r = involvement.reach(a, MONTH)
    assert r.set_index("group")["activities"].to_dict() == {"carers": 2, "young people": 1}


def test_the_work_plan_takes_each_commitments_latest_status_off_track_first():
    plan = pd.DataFrame(
        {
            "commitment_id": ["S1", "S1", "S2", "S2", "S3"],
            "commitment": ["a", "a", "b", "b", "c"],
            "owner": "o",
            "due": None,
            "milestone": None,
            "reported_month": pd.to_datetime(["2026-06-01", "2026-09-01"] * 2 + ["2026-12-01"]),
            "status": ["on track", "on track", "on track", "off track", "complete"],
            "evidence": None,
        }
    )
    wp = involvement.work_plan(plan, MONTH)  # S3's December report is after the paper's month
    assert wp[["commitment_id", "status", "previous"]].values.tolist() == [
        ["S2", "off track", "on track"],
        ["S1", "on track", "on track"],
    ]


def _held(supplied, held):
    return pd.DataFrame(
        [("3A", "patient_stories", supplied, held, "what the record shows")],
        columns=["requirement", "table", "supplied", "held", "statement"],
    )


def _scored(score):
    return pd.DataFrame(
        [("3A", "Stories at board", score, score, 0)], columns=["requirement", "title", "latest", "previous", "change"]
    )


@pytest.mark.parametrize(
    ("score", "supplied", "held", "gap"),
    [
        (4, True, 0, True),  # a high score with none of its record: an evidence gap
        (5, True, 3, False),
        (3, True, 0, False),  # no claim that it is largely met
        (5, False, None, False),  # not supplied: the paper cannot say, and claims nothing
    ],
)
def test_a_high_score_with_none_of_its_record_is_an_evidence_gap(score, supplied, held, gap):
    none = pd.DataFrame(columns=["requirement", "supports", "statement"])
    gaps = framework.assurance_gaps(_scored(score), none, _held(supplied, held))
    assert (gaps["gap"] == "no evidence recorded").any() == gap


def test_records_held_say_not_supplied_and_count_only_what_the_rule_counts():
    stories = pd.DataFrame(
        {
            "heard_on": pd.to_datetime(["2026-09-10", "2026-09-20", "2025-06-01"]),
            "meeting": ["board", "patient_experience", "board"],
            "unit_id": "T",
        }
    )
    tables = {"patient_stories": stories}
    held = evidence.records_held(tables, lambda t: t == "patient_stories", ["T"], MONTH, trust=True).set_index(
        "requirement"
    )
    assert held.loc["3A", "held"] == 1  # one at the board in the last 12 months; the other was at the committee
    assert not held.loc["1C", "supplied"] and pd.isna(held.loc["1C", "held"])
    assert held.loc["1C", "statement"].startswith("no record of involvement activities")
    division = evidence.records_held(tables, tables.__contains__, ["MED"], MONTH, trust=False)
    assert "3A" not in set(division["requirement"])  # a division holds no board story


def test_a_satisfaction_commitment_that_is_not_a_percentage_is_refused():
    assert committees.satisfaction_commitment({}) == 90
    assert committees.satisfaction_commitment({"involvement": {"satisfaction_commitment": 85}}) == 85
    with pytest.raises(CommitteeError, match="satisfaction_commitment is '90%'"):
        committees.satisfaction_commitment({"involvement": {"satisfaction_commitment": "90%"}, "_path": "p.yaml"})


@pytest.fixture(scope="module")
def pec(demo_db):
    from pxassure.reports import patient_experience_report

    return patient_experience_report(demo_db)


def test_the_committee_sees_the_planted_evidence_gap_as_the_board_does(pec, demo_db):
    from pxassure.reports import board_report

    planted = demo.PLANTED["evidence_gap_requirement"]
    gap = pec.assurance_gaps[pec.assurance_gaps["gap"] == "no evidence recorded"]
    assert gap["requirement"].tolist() == [planted]
    assert "no co-design or co-production activity is recorded" in gap["detail"].iloc[0]
    board = board_report(demo_db).assurance_gaps
    assert planted in set(board.loc[board["gap"] == "no evidence recorded", "requirement"])
    row = pec.evidence.set_index("requirement").loc[planted]
    assert row["holds"] == "none recorded"


def test_the_committee_sees_the_quarter_below_the_commitment_and_the_commitment_off_track(pec):
    q = pec.involvement.quarters
    below = q.loc[q["meets"].map(lambda m: m is False), "quarter"].astype(str).tolist()
    assert below == [demo.PLANTED["low_satisfaction_quarter"]]
    assert any("below the commitment of 90%" in line for line in pec.involvement.text())
    assert pec.work_plan.plan["commitment_id"].iloc[0] == demo.PLANTED["off_track_commitment"]
    assert "1 off track" in pec.work_plan.text()[0]


def test_a_change_naming_a_measure_is_charted_with_limits_from_before_it(pec):
    named = pec.changes_made.items.dropna(subset=["measure"])
    assert {b.item_id for b in pec.changes_made.charts} == set(named["item_id"])
    for b in pec.changes_made.charts:
        p = b.chart.result.points
        before = p[p.index < b.change_month]
        # The limits come from the months before the change: recomputing them from those alone agrees.
        assert before["centre"].iloc[-1] == pytest.approx(p["centre"].iloc[-1])
        assert b.months_after == int((p.index >= b.change_month).sum()) > 0
        assert b.text().startswith(f"{b.item_id}: limits are calculated from the months before")


def test_a_trust_with_only_its_involvement_records_is_told_what_was_not_supplied(tmp_path, demo_inputs):
    from pxassure.reports import patient_experience_report

    db = load_some(demo_inputs, tmp_path, (*CORE_TABLES, "framework_scores", "involvement_activities"))
    report = patient_experience_report(db)
    assert report.involvement.supplied and report.involvement.activities > 0
    (said,) = report.changes_made.text()
    assert said.startswith('The trust has not supplied its record of "you said, we did"')
    (plan,) = report.work_plan.text()
    assert plan.startswith("The trust has not supplied its record of the strategy's work plan")
    held = report.evidence.set_index("requirement")
    assert held.loc["3A", "holds"] == "not supplied" and held.loc["1C", "holds"] == "records held"
    # Nothing not supplied is an evidence gap: only the co-design the involvement record lacks.
    gaps = report.assurance_gaps
    assert gaps.loc[gaps["gap"] == "no evidence recorded", "requirement"].tolist() == ["19B"]


def test_the_cover_says_how_patients_were_involved_in_the_papers_scope(pec, demo_db):
    from pxassure.reports import division_report

    engagement = pec.cover_sheet().engagement
    recent = pec.involved
    assert len(recent) and f"Involvement recorded from August to October 2026: {len(recent)} activities" in engagement
    assert all(informed in engagement for informed in recent["informed"])
    division = division_report(demo_db, unit_id="MED")
    assert set(division.involved["unit_id"]) <= {"MED"}  # its own activities, never the trust's or another's


def test_the_cover_says_nothing_of_involvement_where_the_record_was_not_supplied(tmp_path, demo_inputs):
    from pxassure.reports import patient_experience_report

    report = patient_experience_report(load_some(demo_inputs, tmp_path))
    assert report.involved is None
    assert "nvolvement" not in report.cover_sheet().engagement


# -- the governors' committee paper ---------------------------------------------------------------


def test_the_governors_paper_reads_only_the_records_of_listening_and_acting(demo_db):
    from pxassure.reports import governors_report

    report = governors_report(demo_db)
    assert report.charts == [] and report.layer == "governors"
    assert set(report.data_used["table"]) == {"strategy_commitments", "involvement_activities", "you_said_we_did"}
    assert report.quarter == pd.Period("2026Q3")  # October's paper: July to September is the last complete quarter
    assert set(report.membership["kind"]) <= {"membership event", "community event"} and len(report.membership)
    kinds = {i.kind for i in report.attention()}
    assert kinds == {"off_track", "below_commitment"}
    cover = report.cover_sheet()
    assert cover.meeting == "Governors' Membership and Community Engagement Committee"
    assert cover.assurance == "limited"  # a commitment off track and a quarter below the commitment
    assert "Friends and Family Test" not in cover.engagement  # this paper reads no feedback


def test_the_governors_paper_stands_beside_the_chain_and_out_of_the_board_pack(demo_db):
    units = pd.DataFrame({"unit_id": ["T"], "level": ["trust"], "parent_id": [None], "name": ["Trust"]})
    linked = committees.report_links("governors", None, units, None)
    assert linked == {"up": [], "down": []}
    board_up = committees.report_links("board", None, units, None)["up"]
    assert board_up == []  # the board reports to no governors' committee


def test_a_cadence_that_is_not_one_of_the_trusts_is_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("layer: governors\nnotebook: governors\ntitle: t\ncadence: yearly\n", encoding="utf-8")
    with pytest.raises(CommitteeError, match="cadence 'yearly' is not one of"):
        committees.read_params(path)


# -- the evidence workbook: template, filled in, loaded back -------------------------------------


def test_the_evidence_workbook_round_trips_every_record(tmp_path, demo_db):
    import shutil

    from pxassure.cli import main
    from pxassure.ingest.evidence_schema import EVIDENCE_TABLES
    from pxassure.ingest.store import Store

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    book = tmp_path / "evidence.xlsx"
    assert main(["evidence", "template", "--output", str(book), "--database", str(db)]) == 0
    with Store(db, read_only=True) as store:
        before = {t.name: store.table(t.name) for t in EVIDENCE_TABLES}
    assert main(["load", str(book), "--database", str(db)]) == 0
    with Store(db, read_only=True) as store:
        for t in EVIDENCE_TABLES:
            key = list(t.key)
            after = store.table(t.name).sort_values(key).reset_index(drop=True)
            pd.testing.assert_frame_equal(after, before[t.name].sort_values(key).reset_index(drop=True), obj=t.name)


def test_a_row_added_with_a_code_not_offered_is_refused_by_sheet_row_and_column(tmp_path, demo_db, capsys):
    import shutil

    from openpyxl import load_workbook

    from pxassure.cli import main

    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    book = tmp_path / "evidence.xlsx"
    main(["evidence", "template", "--output", str(book), "--database", str(db)])
    wb = load_workbook(book)
    ws = wb["involvement_activities"]
    headings = [c.value for c in ws[1]]
    row = ws.max_row + 1
    new = {"activity_id": "NEW1", "held_on": "2026-10-20", "unit_id": "AVH", "kind": "picnic", "informed": "=cmd()"}
    for name, value in new.items():
        ws.cell(row, headings.index(name) + 1, value)
    wb.save(book)
    before = db.read_bytes()
    assert main(["load", str(book), "--database", str(db)]) == 1
    err = capsys.readouterr().err
    assert "involvement_activities" in err and f"row {row}" in err and "kind" in err and "picnic" in err
    assert db.read_bytes() == before  # nothing loaded


def test_the_evidence_template_without_a_database_has_headings_notes_and_drop_downs(tmp_path):
    from openpyxl import load_workbook

    from pxassure.ingest import evidence_workbook
    from pxassure.ingest.evidence_schema import EVIDENCE_TABLES

    path = evidence_workbook.write_template(tmp_path / "e.xlsx", {}, "A Trust")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Read me", *(t.name for t in EVIDENCE_TABLES)]
    ws = wb["patient_stories"]
    assert [c.value for c in ws[1]] == [c.name for c in EVIDENCE_TABLES[0].input_columns]
    assert ws.max_row == 1 and "One of: in person" in ws["E1"].comment.text
    listed = {str(v.formula1) for v in ws.data_validations.dataValidation}
    assert '"yes,no"' in listed and any("in person" in f for f in listed)
