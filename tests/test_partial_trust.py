"""A trust that supplied only FFT, complaints and activity (as a small trust does): its papers must
never show what it did not supply as zero, and must say what they could not assess."""

import html
import re
import shutil

import pandas as pd
import pytest

from htmlcheck import check_page
from pxassure.cli import main
from pxassure.execution import build, planning
from pxassure.ingest import demo
from pxassure.publish import render
from pxassure.reports import board_report, quality_report, ward_report

WARD = demo.PLANTED["deteriorating_ward"]
SUPPLIED = ["org_units", "framework_requirements", "fft_monthly", "complaints", "complaint_subjects", "activity"]


@pytest.fixture(scope="module")
def partial_db(demo_inputs, tmp_path_factory):
    folder = tmp_path_factory.mktemp("partial")
    inputs = folder / "in"
    inputs.mkdir()
    for table in SUPPLIED:
        shutil.copy(demo_inputs / f"{table}.csv", inputs / f"{table}.csv")
    db = folder / "partial.duckdb"
    assert main(["load", str(inputs), "--database", str(db)]) == 0
    return db


def test_a_ward_paper_charts_only_what_was_supplied(partial_db):
    r = ward_report(partial_db, unit_id=WARD)
    assert {c.measure.id for c in r.charts} == {"fft_positive", "fft_response_rate", "complaints_count"}
    reasons = {m["measure"]: m["reason"] for m in r.missing}
    assert reasons["Moderate or worse harm incidents per 1,000 bed days"] == "not supplied: incidents"
    assert reasons["Compliments received"] == "not supplied: compliments"
    text = " ".join(r.summary_text())
    assert "Not assessed: Compliments received" in text and "not supplied: incidents" in text
    assert "Every measure" not in text


def test_the_board_says_not_supplied_never_zero(partial_db):
    r = board_report(partial_db)
    counts = r.feedback_counts
    assert set(counts["pals_contacts"]) == {"not supplied"} and set(counts["compliments"]) == {"not supplied"}
    assert counts["complaints"].map(lambda v: str(v).isdigit() or v == "*").all()  # supplied: counted
    used = r.data_used.set_index("table")
    assert not used.loc["incidents", "supplied"] and used.loc["fft_monthly", "supplied"]
    assert used.loc["fft_monthly", "first"] == "2023-11" and used.loc["fft_monthly", "latest"] == demo.END_MONTH
    assert not used.loc["fft_national", "supplied"]
    rr = next(c for c in r.charts if c.measure.id == "fft_response_rate")
    assert rr.result.target is None  # no national data: no national comparison


def test_triangulation_without_its_sources_says_so(partial_db):
    q = quality_report(partial_db, committee="quality_committee")
    assert q.correlations.empty and q.scatter_measures() == []
    text = " ".join(q.triangulation_text())
    assert "not set side by side (not supplied: incidents)" in text and "(not supplied: staffing)" in text
    assert "across 0 wards" not in text and "nan" not in text
    assert "Not assessed:" in " ".join(q.summary_text())


def test_too_few_months_are_named_not_called_stable(partial_db):
    r = ward_report(partial_db, period="2024-06", unit_id=WARD)  # eight months of data
    assert r.charts and not any(c.result.has_limits for c in r.charts)
    text = " ".join(r.summary_text())
    assert "No measure could be assessed with process limits this month." in text
    assert "8 months of data; 13 needed for process limits" in text
    assert "common-cause" not in text and "shows a significant change" not in text


def test_the_front_of_a_partial_trusts_paper_claims_nothing_unsupplied(partial_db):
    r = board_report(partial_db)
    sheet = r.cover_sheet()
    engagement = dict(sheet.rows())["Patient and public engagement"]
    assert engagement.endswith("Friends and Family Test responses, complaints.")
    assert "PALS" not in engagement and "comments" not in engagement
    assert [i.what for i in sheet.items if i.kind == "not_assessed"] == r.unassessed()
    early = board_report(partial_db, period="2024-06")  # eight months: no chart has process limits
    sheet = early.cover_sheet()
    assert [i.what for i in sheet.items if i.kind == "not_assessed"] == early.unassessed() != []
    assert any("could not assess" in a for a in sheet.asked_to)
    assert sheet.assurance == "no" and sheet.assurance_reason == "no measure could be assessed with process limits"
    table = render.summary_icons(r.summary)
    assert "Data-quality ratings: not supplied" in table and "Data quality</th>" not in table


@pytest.mark.integration
def test_the_papers_of_a_partial_trust(partial_db, tmp_path):
    jobs = planning.plan("board", database=partial_db) + planning.plan("ward", database=partial_db, unit=WARD)
    jobs += planning.plan("patient_experience_committee", database=partial_db)
    outcomes = build.run_pack(jobs, tmp_path, workers=2, progress=False)
    assert all(o.ok for o in outcomes), build.summary(outcomes)
    for o in outcomes:
        page = o.html.read_text(encoding="utf-8")
        check_page(page, o.job.name)
        text = html.unescape(re.sub(r"<[^>]+>", " ", page))
        assert "Data used in this paper" in text and "not supplied" in text
        titles = re.findall(r'<title id="chart-[^"]*">([^<]*)</title>', page)
        assert titles and not any("harm incidents" in t or "Compliments" in t for t in titles), titles
        if o.job.layer == "ward":  # comments were never loaded: not "no comments received"
            assert "Patients' comments: not supplied" in text and "No comments were received" not in text
        if o.job.layer == "patient_experience":
            assert "not supplied: no patients' comments were loaded" in text
        if o.job.layer in ("board", "patient_experience"):
            assert "Cover sheet" in text and "Executive summary" in text and "Level of assurance offered" in text


def demo_with_fft(demo_inputs, folder, edit):
    """The demo trust loaded through ``pxassure load`` after ``edit`` changed its FFT file (as text)."""
    import pandas as pd

    inputs = folder / "in"
    shutil.copytree(demo_inputs, inputs)
    fft = pd.read_csv(inputs / "fft_monthly.csv", dtype=str, keep_default_na=False)
    edit(fft).to_csv(inputs / "fft_monthly.csv", index=False)
    db = folder / "trust.duckdb"
    assert main(["load", str(inputs), "--database", str(db)]) == 0
    return db


@pytest.fixture(scope="module")
def gappy_db(demo_inputs, tmp_path_factory):
    """The demo trust with one ward's FFT missing for two months, as a real extract can be."""

    def drop_two_months(fft):
        gone = (fft["unit_id"] == WARD) & fft["month"].str.startswith(("2025-02", "2025-03"))
        assert gone.sum() == 2
        return fft[~gone]

    return demo_with_fft(demo_inputs, tmp_path_factory.mktemp("gappy"), drop_two_months)


def test_a_missing_month_is_a_gap_not_a_join(gappy_db):
    from pxassure.publish import vocabulary

    r = ward_report(gappy_db, unit_id=WARD)
    chart = next(c for c in r.charts if c.measure.id == "fft_positive")
    p = chart.result.points
    assert p.loc["2025-02":"2025-03", "value"].isna().all() and len(p) == 36
    text = vocabulary.describe_chart(chart.result, chart.measure.name, chart.measure.unit)
    assert "No data for 2025-02, 2025-03: shown as a gap" in text
    assert p.index.is_monotonic_increasing and p.index[-1] == demo.END_MONTH


def test_no_national_data_means_no_national_comparison(partial_db, demo_db):
    from pxassure.reports import patient_experience_report

    r = patient_experience_report(partial_db)
    text = " ".join(r.summary_text())
    assert "below the national average" not in text
    assert "No national average to compare with for: " in text and "(not supplied)" in text
    assert r.response_rates["meets_national"].isna().all()
    full = patient_experience_report(demo_db)  # the demo trust supplies national data
    assert full.response_rates["meets_national"].notna().all()


def test_the_trend_text_is_computed_from_what_was_tested(partial_db):
    from pxassure.reports import patient_experience_report

    r = patient_experience_report(partial_db)
    tested = int(r.trends["p_value"].notna().sum())
    text = r.trends_text()
    assert f"each of the {tested} wards" in text and f"about {tested * 0.05:.0f} by chance" in text
    assert "over the 24 months from 2024-11 to 2026-10" in text
    short = patient_experience_report(partial_db, period="2024-02")  # four months of data
    assert "over the 4 months from 2023-11 to 2024-02" in short.trends_text()  # not "two years"


@pytest.fixture(scope="module")
def few_responses_db(demo_inputs, tmp_path_factory):
    """The demo trust with the planted ward's latest month down to three responses."""

    def three_responses(fft):
        row = (fft["unit_id"] == WARD) & fft["month"].str.startswith(demo.END_MONTH)
        assert row.sum() == 1
        answers = {"very_good": "3", "good": "0", "neither": "0", "poor": "0", "very_poor": "0", "dont_know": "0"}
        for col, value in answers.items():
            fft.loc[row, col] = value
        return fft

    return demo_with_fft(demo_inputs, tmp_path_factory.mktemp("few"), three_responses)


def test_three_responses_show_as_a_star_with_the_reason(few_responses_db):
    import pandas as pd

    from pxassure.publish import render

    r = ward_report(few_responses_db, unit_id=WARD)
    row = r.summary.set_index("measure_id").loc["fft_positive"]
    assert row["latest"] == "*" and row["month"] == demo.END_MONTH and pd.isna(row["variation"])
    change = r.changes.set_index("measure").loc["FFT % positive"]
    assert change["latest"] == "*" and pd.isna(change["variation"])
    assert "FFT % positive" not in {e for e in r.escalations["measure"]}  # 3 x 'Very good' is no signal
    page = render.summary_icons(r.summary) + render.changes_table(r.changes, "t")
    assert page.count("Fewer than 5 responses in the month") == 2 and "100.0%" not in page


def test_a_ward_paper_reads_only_its_own_rows_yet_knows_what_the_trust_supplied(demo_db):
    """A ward's or division's paper loads its own units' rows and the shared tables only (#13: a
    300-ward trust's ward paper no longer reads every ward's comments), as its content key digests
    them. What the trust supplied, and where a count series starts, are still the trust's: the
    same figures as from the whole trust's data."""
    from pxassure.analysis import measures
    from pxassure.reports import data

    whole = data.load(demo_db, "latest")
    own = data.load(demo_db, "latest", unit_id=WARD)
    for table in ("fft_monthly", "complaints", "feedback_comments", "incidents", "staffing"):
        assert set(own.tables[table]["unit_id"]) == {WARD}, table
    assert set(own.tables["complaint_subjects"]["complaint_id"]) <= set(own.complaints["complaint_id"])
    assert len(own.units) == len(whole.units)  # the hierarchy is shared
    division = data.load(demo_db, "latest", unit_id=whole.unit(WARD)["parent_id"])
    assert WARD in set(division.fft["unit_id"]) and len(set(division.fft["unit_id"])) > 1
    for measure in measures.MEASURES.values():
        assert own.not_supplied(measure) == whole.not_supplied(measure), measure.id
        mine = own.series(measure).reset_index(drop=True)
        theirs = whole.series(measure)
        theirs = theirs[theirs["unit_id"] == WARD].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine[mine["unit_id"] == WARD].reset_index(drop=True), theirs, check_dtype=False)
    used = own.data_used([WARD]).set_index("table")["supplied"]
    assert used.equals(whole.data_used([WARD]).set_index("table")["supplied"])


def test_a_ward_with_no_rows_in_a_supplied_table_is_not_told_it_was_not_supplied(demo_db, tmp_path):
    """Scoped loading must not turn "this ward had none" into "the trust sent none": with every
    complaint of one ward removed, its paper still counts complaints as supplied, with a zero for
    each month from the trust's first complaint."""
    from pxassure.analysis import measures
    from pxassure.ingest.store import Store
    from pxassure.reports import data

    db = tmp_path / "no-complaints.duckdb"
    shutil.copy(demo_db, db)
    with Store(db) as store:
        store.con.execute(
            "DELETE FROM complaint_subjects WHERE complaint_id IN (SELECT complaint_id FROM complaints WHERE unit_id = ?)",
            [WARD],
        )
        store.con.execute("DELETE FROM complaints WHERE unit_id = ?", [WARD])
    own = data.load(db, "latest", unit_id=WARD)
    assert own.complaints.empty
    count = measures.get("complaints_count")
    assert own.not_supplied(count) == []
    used = own.data_used([WARD]).set_index("table")
    assert bool(used.loc["complaints", "supplied"]) and used.loc["complaints", "rows"] == 0
    series = own.series(count)
    series = series[series["unit_id"] == WARD]
    whole = data.load(db, "latest").series(count)
    assert len(series) == len(whole[whole["unit_id"] == WARD]) > 12 and series["numerator"].eq(0).all()


def test_only_a_paper_that_quotes_comments_reads_their_text(demo_db):
    """Patients' words are read by the ward paper, which redacts and quotes them; every other
    paper counts comments by theme and tone from the same rows, without the text."""
    from pxassure.analysis import comments
    from pxassure.reports import data

    counted = data.load(demo_db, "latest")
    quoted = data.load(demo_db, "latest", quotes=True)
    # the question, the FFT answer and who gave the tone, to keep tones against the answer out of counts
    assert list(counted.comments.columns) == [
        "unit_id",
        "month",
        "question",
        "rating",
        "labels",
        "sentiment",
        "sentiment_by",
    ]
    assert quoted.comments["text"].notna().any()
    assert "text" in data.load(demo_db, "latest", unit_id=WARD, quotes=True).comments.columns
    pd.testing.assert_frame_equal(counted.comments, quoted.comments[counted.comments.columns])
    pd.testing.assert_frame_equal(
        comments.theme_changes(counted.comments, counted.month), comments.theme_changes(quoted.comments, quoted.month)
    )
