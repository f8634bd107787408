"""A paper's period: a month, or a calendar quarter named also as the NHS financial quarter; a
quarterly committee's paper covers a quarter; tables count the whole quarter, charts end at its
last month."""

import pandas as pd
import pytest

from pxassure.errors import ParameterError
from pxassure.execution import planning
from pxassure.ingest.store import Store
from pxassure.periods import Period, financial_quarter, latest_complete_quarter
from pxassure.reports.data import ReportData, feedback_counts
from pxassure.reports.parameters import resolve_period


@pytest.mark.parametrize(
    ("text", "first", "last", "name"),
    [
        ("2026-10", "2026-10", "2026-10", "October 2026"),
        ("2026-Q3", "2026-07", "2026-09", "July to September 2026 (Q2 2026/27)"),
        ("2026-q2", "2026-04", "2026-06", "April to June 2026 (Q1 2026/27)"),
        ("2027-Q1", "2027-01", "2027-03", "January to March 2027 (Q4 2026/27)"),
        ("2026-Q4", "2026-10", "2026-12", "October to December 2026 (Q3 2026/27)"),
    ],
)
def test_a_period_is_read_from_how_commands_write_it_and_named_as_papers_name_it(text, first, last, name):
    period = Period.parse(text)
    assert (period.first, period.last) == (pd.Timestamp(first + "-01"), pd.Timestamp(last + "-01"))
    assert period.name == name
    assert Period.parse(str(period)) == period  # its label reads back as itself
    assert period.months == (3 if period.is_quarter else 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "Q3 2026", "2026/27 Q2", "October", ""])
def test_a_period_written_otherwise_is_refused_saying_what_is_expected(text):
    with pytest.raises(ParameterError, match=r"YYYY-MM .* YYYY-Qn"):
        Period.parse(text)


def test_the_financial_year_starts_in_april():
    quarters = pd.period_range("2026Q1", "2027Q1", freq="Q")
    assert [financial_quarter(q) for q in quarters] == [
        "Q4 2025/26",
        "Q1 2026/27",
        "Q2 2026/27",
        "Q3 2026/27",
        "Q4 2026/27",
    ]


def test_a_month_that_ends_a_quarter_completes_it():
    assert str(latest_complete_quarter(pd.Timestamp("2026-09-01"))) == "2026-Q3"
    assert str(latest_complete_quarter(pd.Timestamp("2026-10-01"))) == "2026-Q3"
    assert str(latest_complete_quarter(pd.Timestamp("2026-12-01"))) == "2026-Q4"


def test_a_quarter_is_built_only_once_all_its_months_are_in_the_data(demo_db):
    with Store(demo_db, read_only=True) as store:
        latest = resolve_period(store, "latest")
        current = Period.of_quarter(latest.last.to_period("Q"))
        complete = latest_complete_quarter(latest.last)
        assert resolve_period(store, str(complete)) == complete
        if current != complete:
            with pytest.raises(ParameterError, match=f"not complete: the data run to {latest.last:%B %Y}"):
                resolve_period(store, str(current))
        with pytest.raises(ParameterError, match="outside the data"):
            resolve_period(store, "2001-Q1")


def test_a_quarters_tables_count_all_three_of_its_months(demo_db):
    with Store(demo_db, read_only=True) as store:
        quarter = latest_complete_quarter(resolve_period(store, "latest").last)
        whole = feedback_counts(ReportData.from_store(store, quarter)).set_index("unit_id")
        months = [
            feedback_counts(ReportData.from_store(store, Period.of_month(m))).set_index("unit_id")
            for m in pd.date_range(quarter.first, quarter.last, freq="MS")
        ]
    summed = sum(m.drop(columns="name") for m in months)
    assert whole.drop(columns="name").astype(float).equals(summed.astype(float))
    assert whole["complaints"].sum() > months[-1]["complaints"].sum()  # not the last month alone


def test_a_quarterly_committee_has_its_paper_for_the_latest_complete_quarter_in_a_months_build(demo_db):
    jobs = planning.plan(None, period="latest", database=demo_db)
    with Store(demo_db, read_only=True) as store:
        month = resolve_period(store, "latest")
    by_cadence = {job.spec.cadence: set() for job in jobs}
    for job in jobs:
        by_cadence[job.spec.cadence].add(job.period)
    assert by_cadence.pop("quarterly") == {str(latest_complete_quarter(month.last))}
    assert by_cadence == {"monthly": {str(month)}}
    [governors] = [j for j in jobs if j.layer == "governors"]
    assert governors.below == ()  # it reads no layer's findings, so waits for none of the month's papers


def test_a_quarters_build_gives_every_committee_the_quarter(demo_db):
    jobs = planning.plan(None, period="2026-Q3", database=demo_db)
    assert {job.period for job in jobs} == {"2026-Q3"}
    assert {job.layer for job in jobs} >= {"board", "governors", "division", "ward"}


def test_the_trusts_index_lists_quarters_beside_months_newest_first_and_what_ifs_apart(tmp_path):
    from pxassure.publish import contents
    from pxassure.publish.pages import periods_page

    for folder in ("2026-09", "2026-10", "2026-Q3", "2026-10-what-if-preset-ptd", "notes"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "index.html").write_text("<html></html>")
    entries = contents.periods(tmp_path)
    assert [e.folder for e in entries] == ["2026-10", "2026-Q3", "2026-09", "2026-10-what-if-preset-ptd"]
    page = periods_page(entries, "Trust")
    assert "July to September 2026 (Q2 2026/27)</a>: 0 papers, for the quarter" in page
    assert "October 2026</a> (what-if: preset-ptd): 0 papers, for the month" in page.split("What-if builds")[1]
