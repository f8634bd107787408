"""The framework catalogue and the analysis of self-assessment scores."""

import re

import pandas as pd

from pxassure.analysis import framework
from pxassure.ingest import catalogue


def test_catalogue_complete():
    cat = catalogue.catalogue()
    assert list(cat.columns) == ["section", "characteristic", "requirement", "title"]
    assert len(cat) == 57
    assert cat["requirement"].is_unique
    assert cat["characteristic"].dtype.kind == "i"
    assert sorted(cat["characteristic"].unique()) == list(range(1, 24))
    assert list(dict.fromkeys(cat["section"])) == list(catalogue.SECTIONS.values())
    assert cat["requirement"].iloc[0] == "1A" and cat["requirement"].iloc[-1] == "23A"
    assert all(re.fullmatch(r"\d{1,2}[A-E]", r) for r in cat["requirement"])
    assert (cat["requirement"].str[:-1].astype(int) == cat["characteristic"]).all()
    assert cat["title"].str.len().between(10, 90).all()


def test_requirements_per_characteristic_match_the_framework():
    counts = catalogue.catalogue().groupby("characteristic").size().to_dict()
    assert counts[1] == 3 and counts[4] == 3 and counts[6] == 5 and counts[10] == 5 and counts[12] == 3
    assert counts[13] == 2 and counts[14] == 1 and counts[21] == 1 and counts[23] == 1


def test_sections_of_known_requirements():
    cat = catalogue.catalogue().set_index("requirement")["section"]
    assert cat["1A"] == "Leadership" and cat["8C"] == "Organisational culture"
    assert cat["12C"] == "Collecting feedback" and cat["16C"] == "Analysis and triangulation"
    assert cat["20C"] == "Using feedback for improvement" and cat["23A"] == "Reporting and publication"


def _scores(rows):
    return pd.DataFrame(rows, columns=["unit_id", "assessed_month", "requirement", "score"]).assign(
        assessed_month=lambda d: pd.to_datetime(d["assessed_month"]), score=lambda d: d["score"].astype("Int64")
    )


def test_score_changes_and_gaps():
    scores = _scores(
        [
            ("T", "2026-06-01", "12C", 5),
            ("T", "2026-09-01", "12C", 5),
            ("T", "2026-06-01", "16A", 4),
            ("T", "2026-09-01", "16A", 2),
            ("T", "2026-06-01", "1A", 2),
            ("T", "2026-09-01", "1A", 3),
            ("T", "2026-09-01", "20C", None),
        ]
    )
    ch = framework.score_changes(scores, "T", pd.Timestamp("2026-10-01")).set_index("requirement")
    assert ch.loc["16A", "change"] == -2 and ch.loc["1A", "change"] == 1 and pd.isna(ch.loc["20C", "latest"])
    evidence = pd.DataFrame(
        [("12C", False, "response rate 15% vs 22%."), ("1A", False, "x")],
        columns=["requirement", "supports", "statement"],
    )
    gaps = framework.assurance_gaps(ch.reset_index(), evidence)
    assert gaps[["requirement", "gap"]].values.tolist() == [["12C", "contradicted by data"], ["16A", "score fell"]]
    assert "15% vs 22%" in gaps["detail"].iloc[0]


def test_score_changes_respect_as_of():
    scores = _scores([("T", "2026-06-01", "16A", 4), ("T", "2026-09-01", "16A", 2)])
    ch = framework.score_changes(scores, "T", pd.Timestamp("2026-07-01")).set_index("requirement")
    assert ch.loc["16A", "latest"] == 4 and pd.isna(ch.loc["16A", "previous"])


def test_section_scores_leave_out_not_assessed():
    scores = _scores([("T", "2026-09-01", "1A", 4), ("T", "2026-09-01", "1B", None), ("T", "2026-09-01", "5A", 1)])
    s = framework.section_scores(scores).set_index("section")
    assert s.loc["Leadership", "mean_score"] == 4 and s.loc["Leadership", "assessed"] == 1
    assert list(s.index) == ["Leadership", "Organisational culture"]
