"""Every paper on any subset of a trust's data and structure (issue #27, part 4).

A small trust (12 wards, 24 months) is varied one way at a time — each optional source left out;
the self-assessment by the trust only, the divisions only, both or neither; wards directly under
divisions (no care groups); one division only; a ward closed — and every paper's report model is
built on each variant. Each must say no more than its data: no chart of a source not supplied,
every measure it could not chart named with why, no "nan"/"None" in its words, no assurance gap or
score for a unit that did not assess itself. The harshest variants also build through the
notebooks (`pxassure build --all`), so every paper exports.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from htmlcheck import check_findings_shown
from pxassure.analysis import measures
from pxassure.cli import main
from pxassure.ingest import demo
from pxassure.ingest.store import Store
from pxassure.reports import board_report, division_report, patient_experience_report, quality_report, ward_report

SCALE = demo.Scale(wards=12, months=24)
#: Sources a trust may not have; each is left out on its own (complaint subjects go with complaints).
OPTIONAL = [
    "fft_monthly",
    "fft_national",
    "feedback_comments",
    "complaints",
    "pals_contacts",
    "compliments",
    "activity",
    "incidents",
    "staffing",
    "framework_scores",
    "inpatient_survey",
    "staff_survey",
    "targets",
    "spc_rebases",
    "spc_exclusions",
    "exception_responses",
    "data_quality",
]
GOES_WITH = {"complaints": ["complaint_subjects"], "fft_monthly": ["fft_suppressed"]}
DATED = ("month", "received", "assessed_month", "from_month", "raised")
#: A missing value printed as if it were words ("None" only where no sentence goes on from it).
UNSAID = re.compile(r"\bnan\b|\bNaT\b|<NA>|\bNone(?=\s*(?:[,.;:)]|$))")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("small-trust")
    demo.generate(folder, SCALE)
    return folder


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*.csv"))}


def _scores_by(tables, which: str) -> None:
    """Keep the self-assessment of the trust only, the divisions only, both, or none."""
    levels = tables["org_units"].set_index("unit_id")["level"]
    scores = tables["framework_scores"]
    level = scores["unit_id"].map(levels)
    keep = {"trust": ["trust"], "divisions": ["division"], "both": ["trust", "division"], "none": []}[which]
    tables["framework_scores"] = scores[level.isin(keep)]


def _without_care_groups(tables) -> None:
    units = tables["org_units"]
    parent = units.set_index("unit_id")["parent_id"]
    groups = units["level"] == "care_group"
    wards = units["level"] == "ward"
    units.loc[wards, "parent_id"] = units.loc[wards, "parent_id"].map(parent)  # the care group's division
    tables["org_units"] = units[~groups]
    _only_units(tables, set(tables["org_units"]["unit_id"]))


def _one_division(tables) -> None:
    units = tables["org_units"]
    division = units.loc[units["level"] == "division", "unit_id"].iloc[0]
    keep = {division}
    while True:  # everything under the division
        more = set(units.loc[units["parent_id"].isin(keep), "unit_id"]) - keep
        if not more:
            break
        keep |= more
    keep.add(units.loc[units["level"] == "trust", "unit_id"].iloc[0])
    tables["org_units"] = units[units["unit_id"].isin(keep)]
    _only_units(tables, keep)


def _close_a_ward(tables) -> str:
    """The first ward closes four months before the end: no rows after that."""
    units = tables["org_units"]
    ward = units.loc[units["level"] == "ward", "unit_id"].iloc[0]
    closed = pd.Timestamp(demo.END_MONTH) - pd.DateOffset(months=4)
    units["closed"] = ""
    units.loc[units["unit_id"] == ward, "closed"] = f"{closed:%Y-%m-%d}"
    for name, frame in tables.items():
        column = next((c for c in DATED if c in frame.columns), None)
        if name == "org_units" or column is None or "unit_id" not in frame.columns:
            continue
        late = (frame["unit_id"] == ward) & (pd.to_datetime(frame[column], errors="coerce") > closed)
        tables[name] = frame[~late]
    _only_units(tables, set(tables["org_units"]["unit_id"]))
    return ward


def _only_units(tables, keep: set[str]) -> None:
    """Rows of the kept units only (an empty unit is trust-wide), and subjects of kept complaints."""
    for name, frame in list(tables.items()):
        if name != "org_units" and "unit_id" in frame.columns:
            tables[name] = frame[frame["unit_id"].isin(keep) | (frame["unit_id"] == "")]
    if "complaint_subjects" in tables:
        kept = set(tables["complaints"]["complaint_id"]) if "complaints" in tables else set()
        subjects = tables["complaint_subjects"]
        tables["complaint_subjects"] = subjects[subjects["complaint_id"].isin(kept)]


def _variant(inputs: Path, folder: Path, *, drop=(), scores="both", care_groups=True, single=False, close=False):
    tables = _read(inputs)
    for name in drop:
        for gone in (name, *GOES_WITH.get(name, [])):
            tables.pop(gone, None)
    if "framework_scores" in tables:
        _scores_by(tables, scores)
    if not care_groups:
        _without_care_groups(tables)
    if single:
        _one_division(tables)
    if close:
        _close_a_ward(tables)
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        if len(frame):  # an empty file is refused, as a real one would be: a source not supplied
            frame.to_csv(folder / f"{name}.csv", index=False)
    db = folder / "trust.duckdb"
    assert main(["load", str(folder), "--database", str(db)]) == 0
    return db


def _papers(db):
    """The report model of every paper the trust would table for the latest month."""
    with Store(db, read_only=True) as store:
        units = store.table("org_units")
    month = pd.Timestamp(demo.END_MONTH)
    yield board_report(db)
    yield quality_report(db, committee="quality_committee")
    yield quality_report(db, committee="executive_quality_committee")
    yield patient_experience_report(db)
    for division in units.loc[units["level"] == "division", "unit_id"]:
        yield division_report(db, unit_id=division)
    for ward in measures.open_units(units[units["level"] == "ward"], month)["unit_id"]:
        yield ward_report(db, unit_id=ward)


def _words(report) -> str:
    text = list(report.summary_text())
    if report.layer not in ("division", "ward"):  # the committee papers open with a cover sheet
        cover = report.cover_sheet()
        text += [f"{k}: {v}" for k, v in cover.rows()] + cover.asked_to
    return " ".join(text)


def _says_no_more_than_its_data(report, absent: set[str]) -> None:
    name = f"{report.committee} {report.unit_id}"
    for chart in report.all_charts():
        assert not set(chart.measure.sources) & absent, (name, chart.measure.id, "charted from a source not supplied")
    for m in report.missing:
        assert m["reason"], (name, m)
    said = _words(report)
    assert not UNSAID.search(said), (name, UNSAID.search(said).group(), said)
    used = report.data_used.set_index("table") if len(report.data_used) else None
    for table in absent & set(used.index if used is not None else ()):
        assert not used.loc[table, "supplied"], (name, table)


def _check_all(db, absent: set[str]) -> list:
    papers = list(_papers(db))
    for report in papers:
        _says_no_more_than_its_data(report, absent)
    return papers


@pytest.mark.parametrize("source", OPTIONAL)
def test_every_paper_without_one_source(inputs, tmp_path, source):
    db = _variant(inputs, tmp_path / source, drop=[source])
    papers = _check_all(db, {source, *GOES_WITH.get(source, [])})
    board = papers[0]
    if source in ("complaints", "pals_contacts", "compliments"):  # a count never stands in for "not supplied"
        assert set(board.feedback_counts[source]) == {"not supplied"}
    needing = [m for m in board.escalated if source in m.sources]
    if source != "framework_scores":
        assert not any(c.measure in needing for c in board.all_charts())


@pytest.mark.parametrize("scores", ["trust", "divisions", "both", "none"])
def test_every_paper_with_each_self_assessment(inputs, tmp_path, scores):
    db = _variant(inputs, tmp_path / scores, scores=scores)
    papers = _check_all(db, {"framework_scores"} if scores == "none" else set())
    divisions = [p for p in papers if p.layer == "division"]
    for d in divisions:
        assessed = scores in ("divisions", "both")
        assert d.self_assessed == assessed, d.unit_id
        if not assessed:  # no scores, gaps or actions claimed for a division that did not assess itself
            assert d.assurance_gaps.empty and d.actions.empty
            assert "has no self-assessment against the framework" in " ".join(d.summary_text())
    board = papers[0]
    if scores in ("divisions", "none"):
        assert not [i for i in board.attention() if i.kind == "assurance_gap"]


@pytest.mark.parametrize(
    "shape",
    [
        {"care_groups": False},
        {"single": True},
        {"close": True},
        {"care_groups": False, "single": True, "close": True, "scores": "trust"},
    ],
    ids=["no-care-groups", "one-division", "a-ward-closed", "all-at-once"],
)
def test_every_paper_on_each_structure(inputs, tmp_path, shape):
    db = _variant(inputs, tmp_path / "v", **shape)
    papers = _check_all(db, set())
    with Store(db, read_only=True) as store:
        units = store.table("org_units").set_index("unit_id")
    trust = units.index[units["level"] == "trust"][0]
    for p in papers:
        if p.layer == "ward":  # a ward's division is a division, never the trust
            assert p.division_id != trust and units.loc[p.division_id, "level"] == "division"
            assert not p.care_group or shape.get("care_groups", True)
    if shape.get("close"):
        closed = units.index[units["closed"].notna()][0]
        assert closed not in {p.unit_id for p in papers if p.layer == "ward"}
        above = units.loc[closed, "parent_id"]
        while units.loc[above, "level"] != "division":  # through a care group, where there is one
            above = units.loc[above, "parent_id"]
        division = next(p for p in papers if p.layer == "division" and p.unit_id == above)
        assert closed not in {c.unit_id for c in division.ward_charts}
        assert any(units.loc[closed, "name"] in w for w in division.closed_wards)


def test_the_harshest_variant_builds_every_paper_through_its_notebook(inputs, tmp_path):
    """No care groups, one division, a ward closed, the trust's self-assessment only, and no
    comments, staffing or surveys: every paper runs through papermill and exports."""
    drop = ["feedback_comments", "staffing", "inpatient_survey", "staff_survey", "compliments"]
    db = _variant(inputs, tmp_path / "harsh", drop=drop, care_groups=False, single=True, close=True, scores="trust")
    out = tmp_path / "out"
    assert main(["build", "--all", "--database", str(db), "--output", str(out)]) == 0
    with Store(db, read_only=True) as store:
        units = store.table("org_units")
    open_wards = measures.open_units(units[units["level"] == "ward"], pd.Timestamp(demo.END_MONTH))
    papers = [p for p in out.rglob("*.html") if not p.name.endswith(".appendix.html") and p.name != "index.html"]
    # the board's, three committees' and the governors' committee's papers, the division, its open wards
    assert len(papers) == 5 + 1 + len(open_wards)
    kinds = [k for p in papers for k in check_findings_shown(p.read_text(encoding="utf-8"), p.name)]
    assert "not_assessed" in kinds  # what could not be assessed is listed where the summary points
