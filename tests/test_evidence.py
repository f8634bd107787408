"""Listening and acting (issue #31): patient stories, involvement activities, "you said, we did" and
the strategy's work plan load like any table, are in the demo with their planted findings, and a
trust that has not supplied them is recorded as not supplied, never as having none."""

import pandas as pd
import pytest

from minitrust import assert_unchanged, build, contents, load_some
from pxassure.analysis import listening
from pxassure.errors import ValidationError
from pxassure.ingest import demo, sources
from pxassure.ingest.evidence_schema import EVIDENCE_TABLES
from pxassure.ingest.sources import Loader
from pxassure.ingest.store import RECORDED, Store
from pxassure.periods import Period

NAMES = [t.name for t in EVIDENCE_TABLES]


@pytest.fixture(scope="module")
def demo_tables(demo_db):
    with Store(demo_db, read_only=True) as store:
        return store.as_of(pd.Timestamp(demo.END_MONTH + "-01"))


def test_the_demo_records_each_kind_and_they_are_supplied(demo_tables):
    recorded = demo_tables[RECORDED].set_index("table")["supplied"]
    for name in NAMES:
        assert len(demo_tables[name]), name
        assert recorded[name], name


def test_the_demo_plants_a_board_meeting_with_no_story(demo_tables):
    stories = demo_tables["patient_stories"]
    board = stories[stories["meeting"] == "board"]
    months = set(pd.to_datetime(board["heard_on"]).dt.strftime("%Y-%m"))
    last_year = {f"{m:%Y-%m}" for m in demo.month_range(12)}
    assert last_year - months == {demo.PLANTED["no_story_month"]}


def test_the_demo_plants_an_overdue_story_action(demo_tables):
    stories = demo_tables["patient_stories"].set_index("story_id")
    story = stories.loc[demo.PLANTED["overdue_story"]]
    assert story["action_status"] != "completed"
    assert pd.Timestamp(story["action_due"]) < pd.Timestamp(demo.END_MONTH + "-01")


def test_the_demo_plants_one_quarter_below_90_percent_satisfied(demo_tables):
    activities = demo_tables["involvement_activities"]
    quarter = pd.to_datetime(activities["held_on"]).dt.to_period("Q")
    rate = activities.groupby(quarter)[["satisfied", "satisfaction_asked"]].sum()
    below = rate[rate["satisfied"] < 0.9 * rate["satisfaction_asked"]].index.astype(str).tolist()
    assert below == [demo.PLANTED["low_satisfaction_quarter"]]


def test_the_demo_plants_a_commitment_off_track_at_the_latest_quarter(demo_tables):
    plan = demo_tables["strategy_commitments"]
    latest = plan[plan["reported_month"] == plan["reported_month"].max()]
    assert latest.loc[latest["status"] == "off track", "commitment_id"].tolist() == [
        demo.PLANTED["off_track_commitment"]
    ]


def test_the_work_plan_is_read_whole_by_a_division_paper(demo_db):
    """The strategy is the trust's: a division's paper sees all of it; its own stories only."""
    with Store(demo_db, read_only=True) as store:
        scoped = store.as_of(pd.Timestamp(demo.END_MONTH + "-01"), units=["MED"])
        whole = store.as_of(pd.Timestamp(demo.END_MONTH + "-01"))
    assert len(scoped["strategy_commitments"]) == len(whole["strategy_commitments"])
    assert set(scoped["patient_stories"]["unit_id"]) == {"MED"}
    assert len(scoped["patient_stories"]) < len(whole["patient_stories"])


def test_a_trust_that_supplied_none_of_them_has_them_not_supplied(tmp_path):
    with build(tmp_path / "mini.duckdb") as store:
        recorded = store.as_of(pd.Timestamp("2026-01-01"))[RECORDED].set_index("table")["supplied"]
    assert not recorded[NAMES].any()


def test_more_satisfied_than_asked_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "involvement_activities.csv"
    sources.write_csv(
        pd.DataFrame(
            [
                ("IA1", "2026-01-10", "T", "patient panel", "Letters", None, 10, 8, 8, None, None),
                ("IA2", "2026-01-12", "D1", "focus group", "Maternity", "carers", 10, 6, 7, None, None),
            ],
            columns=[c.name for c in EVIDENCE_TABLES[1].input_columns],
        ),
        path,
    )
    with build(tmp_path / "mini.duckdb") as store:
        before = contents(store)
        with Loader(store) as loader:
            loader.add_file("involvement_activities", path)
            with pytest.raises(ValidationError) as info:
                loader.finish()
        assert_unchanged(store, before)
    assert [str(p) for p in info.value.problems] == [
        f"{path}, row 3, column 'satisfied': found '7'; expected at most 'satisfaction_asked' (of those asked)"
    ]


def test_a_story_heard_at_an_unknown_meeting_is_refused(tmp_path):
    path = tmp_path / "patient_stories.csv"
    row = (
        "S1",
        "2026-01-10",
        "council of governors",
        "T",
        "film",
        "yes",
        None,
        "Waited long",
        None,
        None,
        None,
        None,
        None,
    )
    sources.write_csv(pd.DataFrame([row], columns=[c.name for c in EVIDENCE_TABLES[0].input_columns]), path)
    with build(tmp_path / "mini.duckdb") as store, Loader(store) as loader:
        loader.add_file("patient_stories", path)
        with pytest.raises(ValidationError) as info:
            loader.finish()
    (problem,) = info.value.problems
    assert "column 'meeting': found 'council of governors'" in str(problem)


# -- what a paper says of the stories its meeting heard ------------------------------------------


def _stories(*rows):
    columns = ["story_id", "heard_on", "meeting", "unit_id", "action", "action_status", "action_due", "follow_up"]
    return pd.DataFrame(list(rows), columns=columns)


def test_months_without_a_story_count_only_from_the_first_story_recorded():
    stories = _stories(
        ("A", "2026-06-10", "board", "T", None, None, None, None),
        ("B", "2026-08-12", "board", "T", None, None, None, None),
        ("C", "2026-09-03", "patient_experience", "T", None, None, None, None),
    )
    gaps = listening.months_without_story(stories, "board", pd.Timestamp("2026-10-01"))
    assert [f"{m:%Y-%m}" for m in gaps] == ["2026-07", "2026-09", "2026-10"]
    assert listening.months_without_story(stories.iloc[:0], "board", pd.Timestamp("2026-10-01")) == []


def test_a_board_meeting_every_other_month_is_asked_for_a_story_in_each_two_month_span():
    from pxassure.reports.listening import StoryRecord

    # heard in February, April, June and October 2026: the meeting of July or August heard none
    stories = _stories(
        *[(m, f"2026-{m}-15", "board", "T", None, None, None, None) for m in ("02", "04", "06", "10")],
    )
    october = pd.Timestamp("2026-10-01")
    monthly = listening.months_without_story(stories, "board", october)
    assert [f"{m:%Y-%m}" for m in monthly] == ["2026-03", "2026-05", "2026-07", "2026-08", "2026-09"]
    gaps = listening.months_without_story(stories, "board", october, every=2)
    assert [f"{m:%Y-%m}" for m in gaps] == ["2026-08"]  # the span July to August; the span before February is no gap
    quarterly = listening.months_without_story(stories, "board", pd.Timestamp("2026-12-01"), every=3)
    # July to September heard none; January to March starts before the first story, so is no gap
    assert [f"{m:%Y-%m}" for m in quarterly] == ["2026-09"]

    class Data:
        period = Period.of_month(october)
        units = pd.DataFrame({"unit_id": ["T"], "name": ["The trust"]})
        tables = {"patient_stories": stories.assign(how_told="in person", consent_recorded=True, themes=None)}

        def source_supplied(self, table):
            return True

    text = " ".join(StoryRecord.from_data(Data(), "board", "Trust Board", "bimonthly").text())
    assert "No story is recorded for the Trust Board in July to August 2026 (the last 12 months" in text
    assert "it meets every 2 months" in text and "March 2026" not in text


def test_an_open_story_action_is_overdue_only_once_its_due_date_has_passed():
    stories = _stories(
        ("late", "2026-01-10", "board", "T", "Fix it", "in progress", "2026-04-10", None),
        ("soon", "2026-09-10", "board", "T", "Fix that", "planned", "2026-12-10", None),
        ("done", "2026-02-10", "board", "T", "Fixed", "completed", "2026-03-10", None),
        ("none", "2026-03-10", "board", "T", None, None, None, None),
        ("this month", "2026-10-02", "board", "T", "New", "planned", "2026-10-20", None),
    )
    actions = listening.open_story_actions(stories, Period.of_month("2026-10-01"))
    assert actions[["story_id", "overdue"]].values.tolist() == [["late", True], ["soon", False]]


def test_the_board_paper_reports_the_story_heard_and_earlier_actions(demo_db):
    from pxassure.reports import board_report

    record = board_report(demo_db).stories
    text = " ".join(record.text())
    assert record.supplied and len(record.heard) == 1
    assert "No story is recorded for the Trust Board in August 2026" in text
    assert "1 of them past its due date" in text
    overdue = record.open_actions[record.open_actions["overdue"]]
    assert overdue["story_id"].tolist() == [demo.PLANTED["overdue_story"]]
    assert "in progress (overdue)" in record.actions_table()["status"].tolist()


def test_a_board_month_with_no_story_says_none_is_recorded(demo_db):
    from pxassure.reports import board_report

    record = board_report(demo_db, period=demo.PLANTED["no_story_month"]).stories
    assert record.heard.empty
    assert record.text()[0] == "No patient story is recorded for the Trust Board in August 2026."


def test_a_trust_without_its_stories_is_told_not_supplied_never_none(tmp_path, demo_inputs):
    from pxassure.reports import board_report

    report = board_report(load_some(demo_inputs, tmp_path))
    (text,) = report.stories.text()
    assert text.startswith("The trust has not supplied its record of patient stories")
    assert "no patient story" not in text.lower()
    used = report.data_used.set_index("table")
    assert not used.loc["patient_stories", "supplied"]


def test_no_open_story_action_never_claims_actions_were_completed(demo_db):
    """Stories supplied with no action open: the paper says none is open, not that any was done."""
    from pxassure.reports import board_report

    record = board_report(demo_db, period="2025-11").stories  # the first month of the record
    assert record.open_actions.empty
    assert "No action agreed from an earlier story is recorded as still open." in record.text()
    assert not any("completed" in line for line in record.text())


def test_a_story_theme_not_in_the_comment_framework_is_refused_naming_it(tmp_path):
    path = tmp_path / "patient_stories.csv"
    columns = [c.name for c in EVIDENCE_TABLES[0].input_columns]
    good = (
        "S1",
        "2026-01-10",
        "board",
        "T",
        "film",
        "yes",
        "Timeliness of care | Staff manner & personal attributes",
        "x",
        *[None] * 5,
    )
    bad = ("S2", "2026-02-10", "board", "T", "film", "yes", "Timeliness of care|Car parks", "x", *[None] * 5)
    sources.write_csv(pd.DataFrame([good, bad], columns=columns), path)
    with build(tmp_path / "mini.duckdb") as store, Loader(store) as loader:
        loader.add_file("patient_stories", path)
        with pytest.raises(ValidationError) as info:
            loader.finish()
    (problem,) = info.value.problems
    assert problem.row == 3 and problem.column == "themes" and "not 'Car parks'" in str(problem)
