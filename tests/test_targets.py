"""Targets and rebases are data the trust loads, not code (#10 point 5).

Which target covers a chart, how the loaders check the two tables, how a recorded rebase
changes a chart and its words, and how a chart whose limits span a sustained change with no
rebase recorded says so. Run on the demo trust (whose deteriorating ward has its rebase
recorded) and on copies of it without the decision tables.
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import measures, spc
from pxassure.analysis.options import SPCOptions
from pxassure.analysis.targets import target_for
from pxassure.cli import main
from pxassure.ingest import demo
from pxassure.ingest.store import Store
from pxassure.publish import framing, render, vocabulary
from pxassure.reports import ward_report
from pxassure.reports.charting import chart_measure
from pxassure.reports.data import load

WARD = demo.PLANTED["deteriorating_ward"]
MDC = SPCOptions.from_preset("mdc")
STABLE = [10, 12, 11, 13, 10, 12, 11, 12, 10, 13, 11, 12, 11, 12, 10, 12, 11, 13, 11, 12]

# --- which target covers a chart ------------------------------------------------------------

UNITS = pd.DataFrame(
    [
        ("T", "Trust", "trust", None, None),
        ("D", "Medicine", "division", "T", None),
        ("E", "Surgery", "division", "T", None),
        ("W1", "Ward 1", "ward", "D", "inpatient"),
        ("W2", "Emergency department", "ward", "D", "ae"),
        ("W3", "Ward 3", "ward", "E", "inpatient"),
        ("W4", "Urgent treatment centre", "ward", "E", "ae"),
    ],
    columns=["unit_id", "name", "level", "parent_id", "service_type"],
)
NATIONAL = pd.DataFrame(
    {
        "month": pd.to_datetime(["2024-01-01", "2025-01-01"]),
        "service_type": ["inpatient", "inpatient"],
        "response_rate": [20.0, 24.5],
        "percent_positive": [94.0, 93.0],
    }
)


def targets(*rows):
    cols = ["measure", "unit_id", "service_type", "basis", "value", "from_month", "set_by"]
    t = pd.DataFrame(rows, columns=cols)
    t["from_month"] = pd.to_datetime(t["from_month"])
    return t


TARGETS = targets(
    ("fft_positive", None, None, "value", 95.0, "2024-01-01", "Board"),
    ("fft_positive", None, None, "value", 96.0, "2025-01-01", "Board (revised)"),
    ("fft_positive", None, "ae", "value", 85.0, "2024-01-01", "UEC board"),
    ("fft_positive", "D", None, "value", 97.0, "2024-06-01", "Medicine board"),
    ("fft_positive", "D", "ae", "value", 88.0, "2024-01-01", "Medicine UEC"),
    ("fft_positive", "W1", None, "value", 99.0, "2024-01-01", "Ward 1 team"),
    ("fft_response_rate", None, None, "national", None, "2024-01-01", "PEC"),
)


def value(unit, setting, month="2025-03-01", measure="fft_positive", table=TARGETS):
    t = target_for(measures.get(measure), unit, setting, pd.Timestamp(month), table, UNITS, NATIONAL)
    return None if t is None else t.value


def test_the_most_specific_target_covers_a_chart():
    assert value("W1", "inpatient") == 99.0  # the ward's own
    assert value("W2", "ae") == 88.0  # its division's target for its setting beats the division's own
    assert value("W4", "ae") == 85.0  # a setting's target beats the trust-wide one
    assert value("W3", "inpatient") == 96.0  # trust-wide: the latest in force
    assert value("W3", "inpatient", month="2024-06-01") == 95.0  # before the revision
    assert value("D", None) == 97.0  # a division's pooled chart
    assert value("D", None, month="2024-03-01") == 95.0  # the division's target was not yet set
    assert value("T", None) == 96.0
    assert value("W1", "inpatient", month="2023-12-01") is None  # before any target took effect


def test_a_target_says_who_set_it_and_for_what():
    t = target_for(measures.get("fft_positive"), "W2", "ae", pd.Timestamp("2025-03-01"), TARGETS, UNITS, NATIONAL)
    assert t.set_by == "Medicine UEC" and t.covers == "A&E services of Medicine"
    assert t.describe() == "a fixed figure, set by Medicine UEC for A&E services of Medicine from 2024-01"


def test_a_national_target_takes_the_latest_national_figure_for_the_setting():
    assert value("W1", "inpatient", measure="fft_response_rate") == 24.5
    assert value("W1", "inpatient", month="2024-07-01", measure="fft_response_rate") == 20.0
    assert value("T", None, measure="fft_response_rate") is None  # mixed settings: no national figure
    assert value("W2", "ae", measure="fft_response_rate") is None  # no national figure for the setting


def test_no_measure_has_a_target_unless_a_row_gives_it_one():
    assert value("W1", "inpatient", measure="complaints_in_target") is None
    assert value("W1", "inpatient", table=TARGETS.iloc[0:0]) is None
    assert not any(hasattr(m, "target") for m in measures.MEASURES.values())


# --- the tables are loaded and checked like any other ------------------------------------------


@pytest.fixture(scope="module")
def without_decisions(demo_inputs, tmp_path_factory):
    """The demo trust loaded without its targets and rebase decisions."""
    folder = tmp_path_factory.mktemp("nodecisions")
    inputs = folder / "in"
    shutil.copytree(demo_inputs, inputs)
    (inputs / "targets.csv").unlink()
    (inputs / "spc_rebases.csv").unlink()
    db = folder / "plain.duckdb"
    assert main(["load", str(inputs), "--database", str(db)]) == 0
    return db


def test_the_demo_supplies_both_tables(demo_db):
    with Store(demo_db, read_only=True) as store:
        t, r = store.table("targets"), store.table("spc_rebases")
    assert set(t["measure"]) <= set(measures.MEASURES) and len(t) >= 3
    assert r.to_dict("records")[0]["unit_id"] == WARD


def test_without_a_targets_table_no_chart_has_a_target(without_decisions):
    r = ward_report(without_decisions, unit_id=WARD)
    assert r.charts and all(c.result.target is None and c.target is None for c in r.charts)
    used = r.data_used.set_index("table")
    assert not used.loc["targets", "supplied"] and not used.loc["spc_rebases", "supplied"]


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_text(text)


def test_bad_decision_rows_are_refused_with_file_row_and_column(demo_db, tmp_path, capsys):
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    folder = tmp_path / "in"
    write(
        folder,
        "targets",
        "measure,unit_id,service_type,basis,value,from_month,set_by\n"
        "fft_postive,,,value,95,2024-01,Board\n"  # row 2: a typo in the measure id
        "fft_positive,,,value,,2024-01,Board\n"  # row 3: no figure
        "fft_response_rate,,,national,22,2024-01,PEC\n"  # row 4: a figure with basis national
        "fft_positive,XYZ,,value,95,2024-02,Board\n"  # row 5: unknown unit
        "fft_positive,,,value,95,2024-03-15,Board\n"  # row 6: not a month
        "fft_positive,,,value,95,2024-04,Board\n"  # rows 7 and 8: the same trust-wide target twice
        "fft_positive,,,value,96,2024-04,Board\n",
    )
    write(folder, "spc_rebases", "measure,unit_id,month,reason,agreed_by\nfft_positive,014,2026-03,,Board\n")
    assert main(["load", str(folder), "--database", str(db), "--append"]) == 1
    err = capsys.readouterr().err
    targets_csv, rebases_csv = str(folder / "targets.csv"), str(folder / "spc_rebases.csv")
    for row, column, expected in [
        (2, "measure", "one of pxassure's measure ids"),
        (3, "value", "a target figure, as basis is 'value'"),
        (4, "value", "empty, as basis is 'national'"),
        (5, "unit_id", "a value that exists in org_units.unit_id"),
        (6, "from_month", "a month: YYYY-MM or the first day of the month"),
        (8, "measure,unit_id,service_type,from_month", "each key to appear once"),
    ]:
        line = next((x for x in err.splitlines() if f"{targets_csv}, row {row}, column '{column}'" in x), None)
        assert line is not None and expected in line, (row, column, err)
    assert f"{rebases_csv}, row 2, column 'reason'" in err
    with Store(db, read_only=True) as store:  # nothing loaded
        assert len(store.table("targets")) == 5 and len(store.table("spc_rebases")) == 2


def test_decisions_load_from_a_workbook_and_append_by_key(demo_db, tmp_path):
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    book = tmp_path / "decisions.xlsx"
    with pd.ExcelWriter(book) as xl:
        pd.DataFrame(
            [
                ["fft_positive", None, None, "value", 90, "2023-11", "Board (corrected)"],  # replaces the demo's
                ["fft_positive", WARD, None, "value", 92, "2026-01", "Medicine board"],
            ],
            columns=["measure", "unit_id", "service_type", "basis", "value", "from_month", "set_by"],
        ).to_excel(xl, sheet_name="targets", index=False)
    assert main(["load", str(book), "--database", str(db), "--append"]) == 0
    with Store(db, read_only=True) as store:
        t = store.table("targets")
    assert len(t) == 6  # one replaced (same key, empty unit and setting included), one added
    trust_wide = t[(t["measure"] == "fft_positive") & t["unit_id"].isna() & t["service_type"].isna()]
    assert trust_wide["value"].tolist() == [90.0]
    chart = next(c for c in ward_report(db, unit_id=WARD).charts if c.measure.id == "fft_positive")
    assert chart.result.target == 92.0 and chart.target.set_by == "Medicine board"


# --- a recorded rebase --------------------------------------------------------------------------


def test_a_rebase_with_enough_points_starts_a_new_period_with_its_reason():
    y = pd.Series(STABLE + [v + 8 for v in STABLE[:14]], index=[str(m) for m in range(34)])
    r = spc.xmr(y, rebase=["20"], options=MDC)
    assert r.period_starts == [0, 20] and r.pending_rebase is None
    assert r.points["centre"].iloc[-1] == pytest.approx(np.mean(STABLE[:14]) + 8)
    text = vocabulary.describe_chart(r, "x", rebases={"20": "new triage model; agreed by the board"})
    assert "Limits were recalculated from 20 (new triage model; agreed by the board)." in text
    assert "record a rebase" not in text


def test_a_rebase_too_recent_for_its_own_limits_is_judged_against_the_limits_before():
    y = STABLE + [v - 6 for v in STABLE[:8]]
    r = spc.xmr(y, rebase=[20], options=MDC)
    assert r.period_starts == [0] and r.pending_rebase == 20
    p = r.points
    assert p["centre"].iloc[-1] == pytest.approx(np.mean(STABLE))  # the new points are not in the limits
    assert (p["point_type"].iloc[20:] == "special_cause_concern").all()
    assert (p["point_type"].iloc[:20] == "common_cause").all()
    assert r.variation == "concern_low"
    text = vocabulary.describe_chart(r, "x", rebases={20: "ward moved"})
    assert "A rebase is recorded from 20 (ward moved); that period has 8 of the 13 points" in text
    # once the period has enough points, it gets limits of its own
    longer = spc.xmr(STABLE + [v - 6 for v in STABLE[:13]], rebase=[20], options=MDC)
    assert longer.period_starts == [0, 20] and longer.pending_rebase is None


def test_batch_treats_a_recent_rebase_as_a_single_chart_does():
    rows = []
    for key, after in (("short", 8), ("long", 15)):
        y = STABLE + [v - 6 for v in (STABLE * 2)[:after]]
        rows += [{"k": key, "t": i, "value": v, "rebase": i == 20} for i, v in enumerate(y)]
    frame = pd.DataFrame(rows)
    b = spc.batch(frame, ["k"], value="value", order="t", rebase="rebase", options=MDC)
    for key, g in frame.groupby("k"):
        single = spc.xmr(g["value"].tolist(), rebase=[20], options=MDC).points
        got = b.points[b.points["k"] == key]
        np.testing.assert_allclose(got["centre"].to_numpy(), single["centre"].to_numpy())
        assert got["point_type"].tolist() == single["point_type"].tolist()


def test_the_demo_ward_reads_as_a_deterioration_not_months_of_improvement(demo_db):
    r = ward_report(demo_db, unit_id=WARD)
    chart = next(c for c in r.charts if c.measure.id == "fft_positive")
    types = chart.result.points["point_type"]
    assert (types != "special_cause_improvement").all()
    assert chart.result.variation == "concern_low" and chart.sustained_runs == []
    start = pd.Timestamp(demo.END_MONTH + "-01") - pd.DateOffset(months=demo.PLANTED["deteriorating_months"] - 1)
    assert list(chart.rebases) == [f"{start:%Y-%m}"]
    html = str(render.chart(chart))
    assert "ward reconfigured as an acute frailty unit" in html and "Medicine divisional quality board" in html
    assert ">Rebase recorded (new<" in html and ">limits pending)<" in html  # the chart legend, wrapped
    assert not any("Limits span a sustained change" in s for s in r.summary_text())
    note = str(framing.method_note(r))
    assert "Targets: from the trust&#x27;s targets table" in note and "Rebases: 1 recorded" in note
    assert "1 too recent for limits of their own" in note


def test_the_measure_ids_are_listed_for_people_writing_these_tables(capsys):
    assert main(["measures"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in out[1:]] == list(measures.MEASURES)


def test_without_the_rebase_the_same_chart_says_its_limits_span_a_change(without_decisions):
    r = ward_report(without_decisions, unit_id=WARD)
    chart = next(c for c in r.charts if c.measure.id == "fft_positive")
    assert (chart.result.points["point_type"] == "special_cause_improvement").sum() >= 12
    runs = chart.sustained_runs
    assert {x.point_type for x in runs} == {"special_cause_improvement", "special_cause_concern"}
    text = vocabulary.describe_chart(chart.result, "FFT % positive", "%")
    assert "Its limits span a sustained change with no rebase recorded" in text and "record a rebase" in text
    assert any(f"FFT % positive, {chart.unit_name}" in s and "no rebase recorded" in s for s in r.summary_text())


def test_a_sustained_run_needs_length_or_a_change_of_level():
    # an isolated special-cause point is a signal, not a sustained change
    one = spc.xmr(STABLE + [30] + STABLE[:12], options=MDC)
    assert one.points["rule"].iloc[20] == "outside_limits" and spc.sustained_runs(one) == []
    # a run on one side only: sustained once it is long enough for limits of its own (13 points)
    level = [16, 17, 16.5, 17, 16, 16.5, 17, 16, 16.5, 17, 16, 17, 16.5, 16]
    short = spc.xmr([9, 19] * 7 + level[:7], options=MDC)
    assert (short.points["point_type"].iloc[-7:] == "special_cause_improvement").all()
    assert spc.sustained_runs(short) == []
    long = spc.sustained_runs(spc.xmr([9, 19] * 7 + level, options=MDC))
    assert [(r.first, r.last, r.points, r.point_type) for r in long] == [(13, 27, 15, "special_cause_improvement")]
    # a run on each side of one centre line: the limits straddle two levels
    both = spc.sustained_runs(spc.xmr([v + 3 for v in STABLE[:8]] + STABLE + [v - 3 for v in STABLE[:8]]))
    assert {r.point_type for r in both} == {"special_cause_improvement", "special_cause_concern"}
    # nothing for a run chart
    assert spc.sustained_runs(spc.xmr(STABLE[:8])) == []


def test_a_rebase_outside_the_charted_months_changes_nothing():
    m = measures.get("complaints_count")
    s = pd.DataFrame(
        {"unit_id": "W", "month": pd.date_range("2024-01-01", periods=20, freq="MS"), "numerator": 2.0}
    ).assign(denominator=1.0)
    plain = chart_measure(s, m, MDC)
    moved = chart_measure(s, m, MDC, rebase=["2020-01", "2030-01"])
    assert moved.period_starts == plain.period_starts == [0]


def test_a_reports_targets_are_read_as_of_its_month(demo_db):
    later, earlier = load(demo_db, demo.END_MONTH), load(demo_db, "2024-06")
    m = measures.get("complaints_in_target")
    trust = later.trust["unit_id"]
    assert later.target(m, trust, None).value == 85.0  # the annual review raised it
    assert earlier.target(m, trust, None).value == 80.0
    assert earlier.rebases(measures.get("fft_positive"), WARD) == {}  # recorded later
