"""g and t charts for rare events, matched to PowerBI-SPC 1.7.4.28's published test cases.

PowerBI-SPC (NHS-adjacent, WA Health) publishes its g and t limits in
``test/Chart Types/g.test.ts`` and ``t.test.ts``: the same 67 values each, and the limits every
point must carry to two decimal places (vitest ``toBeCloseTo(x, 2)``: within 0.005). The t
case runs with ``outliers_in_limits = false`` (moving ranges screened) and, like every
PowerBI-SPC individuals chart, 3 / 1.128 as the XmR constant.
"""

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import spc
from pxassure.errors import SPCInputError
from pxassure.publish import vocabulary

# fmt: off
G_VALUES = [23, 39, 15, 34, 1, 49, 98, 29, 27, 13, 45, 7, 10, 27, 24, 14, 20, 38, 44, 11, 10, 3, 113, 183, 3, 47, 18,
            18, 33, 15, 2, 38, 27, 27, 1, 52, 23, 7, 26, 82, 5, 49, 5, 17, 24, 44, 26, 2, 27, 46, 55, 97, 22, 22, 20,
            4, 60, 51, 7, 21, 66, 36, 25, 72, 15, 5, 3]
T_VALUES = [16, 20, 5, 13, 1, 26, 46, 12, 12, 5, 19, 4, 3, 15, 14, 9, 8, 15, 21, 6, 3, 1, 56, 117, 1, 33, 9, 9, 19,
            12, 1, 16, 13, 18, 1, 35, 16, 5, 21, 38, 3, 25, 3, 11, 13, 20, 9, 3, 8, 21, 24, 38, 8, 13, 9, 1, 30, 23, 3,
            7, 22, 19, 11, 31, 6, 1, 1]
# fmt: on
#: PowerBI-SPC's expected limits: (upper 3σ, upper 2σ, lower 2σ, lower 3σ).
G_LIMITS = (128.17, 96.01, 0, 0)
T_LIMITS = (97.268, 54.0812, 0.6402, 0.0221)
CLOSE = 0.005  # vitest toBeCloseTo(x, 2)


def limits_of(result):
    p = result.points
    return [p[col].to_numpy(dtype=float) for col in ("upper", "upper_2s", "lower_2s", "lower")]


def test_g_chart_matches_powerbi_spc_published_case():
    r = spc.attribute("g", G_VALUES, improvement="increase")
    for got, expected in zip(limits_of(r), G_LIMITS):
        assert np.all(np.abs(got - expected) < CLOSE)
    # the centre line is the median, as PowerBI-SPC and qicharts2 draw it (the limits use the mean)
    assert (r.points["centre"] == np.median(G_VALUES)).all()


def test_t_chart_matches_powerbi_spc_published_case():
    r = spc.attribute("t", T_VALUES, improvement="increase", xmr_constant="d2", screen_outliers=True)
    for got, expected in zip(limits_of(r), T_LIMITS):
        assert np.all(np.abs(got - expected) < CLOSE)


def test_g_limits_from_first_principles():
    """Mean ḡ, sigma √(ḡ(ḡ + 1)), lower limits floored at zero (Montgomery; Benneyan 2001)."""
    values = [4, 9, 0, 15, 7, 2, 30, 11, 5, 8, 1, 19, 6, 12]
    r = spc.attribute("g", values, improvement="increase")
    mean = np.mean(values)
    sd = np.sqrt(mean * (mean + 1))
    p = r.points.iloc[0]
    assert p["upper"] == pytest.approx(mean + 3 * sd)
    assert p["upper_2s"] == pytest.approx(mean + 2 * sd)
    assert p["lower"] == 0 and p["lower_2s"] == 0
    assert p["centre"] == pytest.approx(np.median(values))


def test_t_limits_follow_the_xmr_constant_option():
    """A t chart is an XmR chart of time ** (1 / 3.6): MDC's 2.66 by default, 3 / 1.128 on request."""
    y = np.array(T_VALUES[:20], dtype=float) ** (1 / 3.6)
    amr = np.abs(np.diff(y)).mean()
    for constant, k in (("mdc", 2.66), ("d2", 3 / 1.128)):
        r = spc.attribute("t", T_VALUES[:20], improvement="increase", xmr_constant=constant)
        p = r.points.iloc[0]
        assert p["centre"] == pytest.approx(y.mean() ** 3.6)
        assert p["upper"] == pytest.approx((y.mean() + k * amr) ** 3.6)
        low = y.mean() - k * amr
        assert p["lower"] == pytest.approx(low**3.6 if low > 0 else 0.0)


def test_a_long_gap_after_harm_is_improvement_when_longer_is_better():
    """The direction is the analyst's: for harm, a longer time between events is better."""
    values = [10, 12, 8, 11, 9, 14, 10, 7, 12, 9, 11, 10, 13, 8, 400]
    better = spc.attribute("g", values, improvement="increase")
    assert better.points["point_type"].iloc[-1] == "special_cause_improvement"
    assert better.variation == "improvement_high"
    worse = spc.attribute("g", values, improvement="decrease")
    assert worse.variation == "concern_high"


def test_g_chart_runs_are_read_against_the_median():
    """Seven points above the median is a shift even when they sit below the (higher) mean."""
    values = [1, 2, 1, 3, 2, 1, 2, 60, 80, 1, 2, 3, 1, 2] + [6, 7, 8, 6, 7, 9, 6]
    r = spc.attribute("g", values, improvement="increase")
    centre = r.points["centre"].iloc[0]
    assert centre == np.median(values) < np.mean(values)
    tail = r.points.iloc[-7:]
    assert (tail["value"] > centre).all() and (tail["value"] < np.mean(values)).all()
    assert (tail["rule"] == "shift").all()


def test_batch_takes_g_and_t_and_agrees_with_single_charts():
    frame = pd.concat(
        [
            pd.DataFrame({"ward": "A", "gap": G_VALUES}),
            pd.DataFrame({"ward": "B", "gap": T_VALUES}),
        ]
    )
    for chart in ("g", "t"):
        b = spc.batch(frame, ["ward"], chart=chart, value="gap", improvement="increase")
        for ward, values in (("A", G_VALUES), ("B", T_VALUES)):
            single = spc.attribute(chart, values, improvement="increase")
            rows = b.points[b.points["ward"] == ward]
            for col in ("centre", "upper", "lower", "upper_2s", "lower_2s"):
                np.testing.assert_allclose(rows[col].to_numpy(), single.points[col].to_numpy())
            assert list(rows["point_type"]) == list(single.points["point_type"])
            summary = b.summary.set_index("ward").loc[ward]
            assert summary["chart"] == chart and summary["variation"] == single.variation


def test_rare_event_charts_refuse_what_they_cannot_chart():
    with pytest.raises(SPCInputError, match="must not be negative"):
        spc.attribute("g", [3, -1, 4])
    with pytest.raises(SPCInputError, match="one value per event"):
        spc.attribute("t", [3, 1, 4], [1, 1, 1])
    with pytest.raises(SPCInputError, match="must not be negative on a t chart"):
        spc.batch(pd.DataFrame({"k": 1, "value": [3, -1]}), ["k"], chart="t")


def test_rare_event_charts_have_names_in_words():
    r = spc.attribute("g", G_VALUES, improvement="increase")
    assert vocabulary.chart_label(r) == "g chart (days between events)"


# --- rare measures in the papers ---------------------------------------------------------------

from pxassure.analysis import measures, rare  # noqa: E402
from pxassure.analysis.options import SPCOptions  # noqa: E402
from pxassure.reports.charting import chart_for  # noqa: E402
from pxassure.reports.data import load  # noqa: E402

MDC = SPCOptions.from_preset("mdc")


def test_rare_below_one_a_month_turns_the_run_rules_off_even_with_few_empty_months():
    """The threshold is the centre: 0.8 a month is rare though most months have one."""
    counts = [1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1]
    assert np.mean(counts) < rare.RARE_BELOW and (np.array(counts) == 0).sum() * 2 < len(counts)
    r = spc.attribute("c", counts, improvement="decrease")
    assert r.sparse and r.points["rule"].isna().all()
    assert rare.is_rare(pd.Series(counts)) and not rare.is_rare(pd.Series([1, 2, 1, 0]))
    assert not rare.is_rare(pd.Series([np.nan, np.nan]))  # no figures: nothing to call rare


def test_days_between_events_with_the_last_and_the_days_since():
    dates = pd.to_datetime(["2026-01-10", "2026-01-10", "2026-03-01", "2026-11-02"])
    gaps = rare.days_between(dates, pd.Timestamp("2026-10-31"))
    assert list(gaps.days) == [0, 50] and list(gaps.days.index) == ["2026-01-10", "2026-03-01"]
    assert gaps.last == pd.Timestamp("2026-03-01") and gaps.days_since == 244
    empty = rare.days_between(pd.Series([], dtype="datetime64[ns]"), pd.Timestamp("2026-10-31"))
    assert empty.last is None and empty.days.empty


@pytest.fixture(scope="module")
def demo_data(demo_db):
    return load(demo_db, "latest")


def rare_ward(data):
    """A demo ward with fewer than one complaint a month."""
    s = data.series(measures.get("complaints_count"))
    means = s.groupby("unit_id")["numerator"].mean()
    return str(means[means < 1].index[0])


def test_a_ward_with_rare_complaints_shows_the_days_between_them(demo_data):
    ward = rare_ward(demo_data)
    chart = chart_for(demo_data, measures.get("complaints_count"), ward, MDC)
    assert chart.result.chart == "g" and chart.result.improvement == "increase"
    assert chart.measure.name == "Days between complaints" and chart.measure.id == "complaints_count"
    t = demo_data.tables["complaints"]
    dates = pd.to_datetime(t.loc[t["unit_id"] == ward, "received"]).sort_values()
    assert list(chart.result.points["value"]) == list(dates.diff().dt.days.iloc[1:])
    assert (
        chart.rare.last == dates.iloc[-1]
        and chart.rare.days_since == (pd.Timestamp("2026-10-31") - dates.iloc[-1]).days
    )
    words = vocabulary.describe_chart(chart.result, chart.measure.name, rare=chart.rare)
    assert "Complaints are rare here" in words and "The chart shows the days between complaints instead" in words
    assert f"The latest was on {dates.iloc[-1].day} {dates.iloc[-1]:%B %Y}" in words


def test_rare_harm_without_event_dates_shows_counts_and_says_why(demo_data):
    harm = measures.get("harm_incidents_rate")
    s = demo_data.series(harm)
    means = s.groupby("unit_id")["numerator"].mean()
    ward = str(means[means < 1].index[0])
    chart = chart_for(demo_data, harm, ward, MDC)
    assert chart.result.chart == "c" and chart.result.sparse and chart.result.target is None
    assert chart.measure.name == "Moderate or worse harm incidents a month"
    words = vocabulary.describe_chart(chart.result, chart.measure.name, rare=chart.rare)
    assert "The days between them cannot be charted: the incidents table holds monthly counts" in words
    # the trust, with every ward's incidents pooled, is not rare: it keeps its rate
    trust = demo_data.units.loc[demo_data.units["level"] == "trust", "unit_id"].iloc[0]
    pooled = chart_for(demo_data, harm, trust, MDC)
    assert pooled.result.chart == "up" and pooled.rare is None


def test_escalation_judges_a_rare_ward_on_the_chart_its_paper_shows(demo_data):
    """A ward's rare harm is escalated on its counts, as its paper charts them, not on the rate."""
    from pxassure.reports.escalation import ward_exceptions

    harm = measures.get("harm_incidents_rate")
    found = ward_exceptions(demo_data, MDC, [harm])
    found = found[found["measure_id"] == harm.id]  # theme exceptions come with every call
    assert len(found)
    for row in found.itertuples():
        chart = chart_for(demo_data, harm, row.unit_id, MDC)
        last = chart.result.last_point
        assert row.measure == chart.measure.name == "Moderate or worse harm incidents a month"
        assert last["point_type"] == "special_cause_concern" and row.latest == last["value"]
