"""Every figure of the public SPC worked examples (A–H and the run-chart table): from the test
suites of NHSRplotthedots 0.2.2 and qicharts2 0.8.1, and Montgomery's tables qicharts2 tests against."""

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import spc
from pxassure.analysis.spc.results import assurance_icon

A = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


def first(result, cols=("centre", "lower", "upper")):
    return [result.points[c].iloc[0] for c in cols]


# --- A -----------------------------------------------------------------------


def test_a_screened():
    assert first(spc.xmr(A, preset="ptd")) == pytest.approx([0.1416238, -3.01138, 3.294627], abs=5e-6)


def test_a_outlier_screened():
    y = list(A)
    y[14] = 10  # y[15], 1-based
    assert first(spc.xmr(y, preset="ptd")) == pytest.approx([0.6694159, -2.383666, 3.722497], abs=5e-6)


def test_a_outlier_not_screened():
    y = list(A)
    y[14] = 10
    r = spc.xmr(y, preset="ptd", screen_outliers=False)
    assert first(r) == pytest.approx([0.6694159, -4.596625, 5.935457], abs=5e-6)


def test_a_mdc_preset_does_not_screen():
    y = list(A)
    y[14] = 10
    assert first(spc.xmr(y)) == pytest.approx([0.6694159, -4.596625, 5.935457], abs=5e-6)


def test_a_rebased_periods():
    r = spc.xmr(A, preset="ptd", rebase=[10], minimum_points=10)
    assert r.points.iloc[0][["centre", "lower", "upper"]].tolist() == pytest.approx([0.0746, -2.60, 2.75], abs=6e-3)
    assert r.points.iloc[-1][["centre", "lower", "upper"]].tolist() == pytest.approx([0.209, -3.28, 3.70], abs=6e-3)
    assert r.period_starts == [0, 10]


def test_a_rebase_by_label():
    s = pd.Series(A, index=[f"2024-{m:02d}" for m in range(1, 13)] + [f"2025-{m:02d}" for m in range(1, 9)])
    by_label = spc.xmr(s, preset="ptd", rebase=["2024-11"], minimum_points=10)
    by_pos = spc.xmr(A, preset="ptd", rebase=[10], minimum_points=10)
    np.testing.assert_allclose(by_label.points["upper"].to_numpy(), by_pos.points["upper"].to_numpy())
    assert list(by_label.points.index) == list(s.index)


# --- B -----------------------------------------------------------------------

B = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_b_screened():
    r = spc.xmr(B, preset="ptd")
    assert first(r, ("upper", "centre", "lower")) == pytest.approx([4.60, 1.94, -0.72], abs=5e-3)
    expected = ["common_cause"] * 18
    expected[4] = "special_cause_improvement"
    assert r.points["point_type"].tolist() == expected
    assert r.points["rule"].iloc[4] == "outside_limits"


def test_b_not_screened():
    r = spc.xmr(B, preset="ptd", screen_outliers=False)
    assert first(r, ("upper", "centre", "lower")) == pytest.approx([6.95, 1.94, -3.06], abs=5e-3)


# --- C -----------------------------------------------------------------------


def test_c_close_points_on_opposite_sides_are_common_cause():
    y = [1, -1] * 8
    y[14], y[15] = 5.5, -5.5
    r = spc.xmr(y, preset="ptd")
    assert first(r, ("centre", "lower", "upper")) == pytest.approx([0, -6.175, 6.175], abs=5e-4)
    assert r.points["upper_2s"].iloc[0] == pytest.approx(4.117, abs=5e-4)
    assert set(r.points["point_type"]) == {"common_cause"}


# --- D: rule fragments ---------------------------------------------------------

SEG = np.zeros


def test_d_trend_fires_on_seventh_point_and_marks_the_run():
    y = np.arange(1.0, 8.0)
    flag, direction = spc.rule_trend(y, SEG(7, dtype=int), 7)
    assert flag.all() and (direction == 1).all()
    six, _ = spc.rule_trend(y[:6], SEG(6, dtype=int), 7)
    assert not six.any()


def test_d_trend_tie_breaks_run():
    y = np.array([1, 2, 3, 3, 4, 5, 6], dtype=float)
    flag, _ = spc.rule_trend(y, SEG(7, dtype=int), 7)
    assert not flag.any()


def test_d_shift_seven_on_one_side():
    side = np.array([1, 1, 1, 1, 1, 1, 1, 1, -1])
    flag = spc.rule_shift(side, SEG(9, dtype=int), 7)
    # fires on points 7 and 8; the run that fired is marked from its start, as in NHSRplotthedots
    assert flag.tolist() == [True] * 8 + [False]
    assert not spc.rule_shift(side[:6], SEG(6, dtype=int), 7).any()


def test_d_point_on_mean_breaks_shift():
    side = np.array([1, 1, 1, 0, 1, 1, 1, 1])
    assert not spc.rule_shift(side, SEG(8, dtype=int), 7).any()


def test_d_two_of_three():
    close = np.array([0, 0, 1, 1, 0, 0, 0], dtype=bool)
    side = np.ones(7)
    flag = spc.rule_two_of_three(close, side, SEG(7, dtype=int))
    assert flag.tolist() == [False, False, True, True, False, False, False]


def test_d_two_of_three_needs_one_side():
    close = np.array([0, 0, 1, 1, 0, 0, 0], dtype=bool)
    side = np.array([1, 1, 1, -1, 1, 1, 1])
    assert not spc.rule_two_of_three(close, side, SEG(7, dtype=int)).any()


def test_d_precedence_outside_over_trend_over_two_of_three_over_shift():
    # A long stable stretch, then a rising run whose last point breaks the upper limit.
    y = [10, 11] * 10 + [10.2, 10.4, 10.6, 10.8, 11.0, 11.5, 20]
    r = spc.xmr(y)
    rules = r.points["rule"].tolist()
    assert rules[-1] == "outside_limits"
    assert rules[-2] == "trend"


# --- E: assurance --------------------------------------------------------------


@pytest.mark.parametrize(
    "limits, increase, decrease",
    [
        ((1, 3), "consistent_fail", "consistent_pass"),
        ((5, 7), "consistent_pass", "consistent_fail"),
        ((1, 5), "inconsistent", "inconsistent"),
        ((4, 7), "inconsistent", "inconsistent"),
        ((1, 4), "inconsistent", "inconsistent"),
    ],
)
def test_e_assurance(limits, increase, decrease):
    assert assurance_icon(4, "increase", *limits) == increase
    assert assurance_icon(4, "decrease", *limits) == decrease
    assert assurance_icon(None, "increase", *limits) is None
    assert assurance_icon(4, "neutral", *limits) is None


def test_e_assurance_through_the_api():
    y = [5.5, 6.5] * 10  # limits about 3.34 to 8.66
    assert spc.xmr(y, target=2, improvement="increase").assurance == "consistent_pass"
    assert spc.xmr(y, target=2, improvement="decrease").assurance == "consistent_fail"
    assert spc.xmr(y, target=6, improvement="increase").assurance == "inconsistent"
    assert spc.xmr(y).assurance is None
    assert spc.xmr(y, target=2, improvement="neutral").assurance is None


def test_variation_icon_is_last_point_type():
    r = spc.xmr(B, preset="ptd")
    assert r.variation == "common_cause"
    r = spc.xmr(B[:-1] + [20], preset="ptd")
    assert r.variation == "improvement_high"
    assert spc.xmr(B[:-1] + [20], preset="ptd", improvement="decrease").variation == "concern_high"
    assert spc.xmr(B[:-1] + [20], preset="ptd", improvement="neutral").variation == "neutral_high"


# --- F, G, H: attribute charts ---------------------------------------------------

F_Y = [12, 8, 6, 9, 10, 12, 11, 16, 10, 6, 20, 15, 9, 8, 6, 8, 10, 7, 5, 8, 5, 8, 10, 6, 9]
F_N = [
    100,
    80,
    80,
    100,
    110,
    110,
    100,
    100,
    90,
    90,
    110,
    120,
    120,
    120,
    110,
    80,
    80,
    80,
    90,
    100,
    100,
    100,
    100,
    90,
    90,
]


def test_f_p_chart():
    p = spc.attribute("p", F_Y, F_N).points
    assert p["centre"].iloc[0] == pytest.approx(0.09551, abs=5e-6)
    assert [p["lower"].iloc[0], p["upper"].iloc[0]] == pytest.approx([0.007335, 0.183686], abs=5e-7)
    assert [p["lower"].iloc[1], p["upper"].iloc[1]] == pytest.approx([0.0, 0.194093], abs=5e-7)
    assert [p["lower"].iloc[11], p["upper"].iloc[11]] == pytest.approx([0.015017, 0.176003], abs=5e-7)
    assert p["rule"].iloc[10] == "outside_limits"
    assert (p["rule"] == "outside_limits").sum() == 1


def test_g_u_chart():
    g = [2, 3, 8, 1, 1, 4, 1, 4, 5, 1, 8, 2, 4, 3, 4, 1, 8, 3, 7, 4]
    p = spc.attribute("u", g, [50] * 20).points
    assert first(spc.attribute("u", g, [50] * 20)) == pytest.approx([0.074, 0, 0.189412], abs=5e-7)
    # multiply scales centre, limits and values together
    per_1000 = spc.attribute("u", g, [50] * 20, multiply=1000).points
    np.testing.assert_allclose(per_1000["upper"], p["upper"] * 1000)
    np.testing.assert_allclose(per_1000["value"], p["value"] * 1000)


H = [
    21,
    24,
    16,
    12,
    15,
    5,
    28,
    20,
    31,
    25,
    20,
    24,
    16,
    19,
    10,
    17,
    13,
    22,
    18,
    39,
    30,
    24,
    16,
    19,
    17,
    15,
    16,
    18,
    12,
    15,
    24,
    21,
    28,
    20,
    25,
    19,
    18,
    21,
    16,
    22,
    19,
    12,
    14,
    9,
    16,
    21,
]


def test_h_c_chart_with_baseline_and_exclusions():
    r = spc.attribute("c", H, fix_after_n_points=26, exclude=[5, 19])
    assert first(r) == pytest.approx([19.666667, 6.362532, 32.970801], abs=5e-6)
    assert r.points["rule"].iloc[5] == "outside_limits"
    assert r.points["rule"].iloc[19] == "outside_limits"


# --- Run charts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "n, run_limit, crossing_limit",
    [(10, 6, 2), (12, 7, 3), (20, 7, 6), (24, 8, 8), (30, 8, 10), (36, 8, 13), (50, 9, 19), (100, 10, 41)],
)
def test_anhoj_limits(n, run_limit, crossing_limit):
    assert spc.anhoj_longest_run_limit(n) == run_limit
    assert spc.anhoj_crossings_limit(n) == crossing_limit


def test_crossings_limit_is_scipys_binomial_percentile():
    """Counted in whole numbers, the limit is scipy's 5th percentile of Binomial(n-1, 0.5)."""
    from scipy import stats

    for n in range(0, 400):
        assert spc.anhoj_crossings_limit(n) == (int(stats.binom.ppf(0.05, n - 1, 0.5)) if n > 1 else 0), n


def test_run_chart_ignores_points_on_median():
    r = spc.run_chart([1, 2, 3, 3, 3, 4, 5]).run
    assert r.median == 3 and r.useful_points == 4
    assert r.longest_run == 2 and r.crossings == 1


def test_run_chart_signals_long_run():
    r = spc.run_chart([1] * 8 + [5] * 8 + [3]).run
    assert r.longest_run == 8 and r.longest_run_limit == 7 and r.signal


# ---------------------------------------------------------------------------
# NHSRplotthedots 0.2.2: trends are coloured by their direction (its issue #167). Worked by hand
# from its ptd_special_cause_type() and ptd_point_type(): a point in a 7-point trend is
# "Increasing" or "Decreasing" by the move out of it when the next point is in a trend too,
# else by the move into it; outside limits comes first, then the trend, then 2-in-3, then shift.
# ---------------------------------------------------------------------------

BASE = [10.0, 10.4] * 9  # mean 10.2 before the runs below; limits wide enough for small steps


def _types(y, **kwargs):
    r = spc.xmr(y, preset="ptd", **kwargs)
    return list(r.points["rule"]), list(r.points["point_type"])


def test_ptd_falling_trend_above_the_mean_is_concern_when_higher_is_better():
    y = BASE + [10.9, 10.8, 10.7, 10.6, 10.5, 10.45, 10.41]  # all above the mean, falling
    rules, types = _types(y)
    assert rules[-7:] == ["trend"] * 7
    assert types[-7:] == ["special_cause_concern"] * 7  # 0.2.1 and earlier: improvement (side of mean)


def test_ptd_neutral_measure_rising_trend_below_the_mean_is_neutral_high():
    y = BASE + [9.4, 9.5, 9.6, 9.7, 9.8, 9.9, 10.0]  # all below the mean, rising
    rules, types = _types(y, improvement="neutral")
    assert rules[-7:] == ["trend"] * 7
    assert types[-7:] == ["special_cause_neutral_high"] * 7
    falling = BASE + [11.0, 10.9, 10.8, 10.7, 10.6, 10.5, 10.45]
    assert _types(falling, improvement="neutral")[1][-7:] == ["special_cause_neutral_low"] * 7


def test_ptd_a_peak_shared_by_two_trends_takes_the_direction_out_of_it():
    rise = [10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6]  # 7 rising points, the last is the peak
    fall = [10.55, 10.5, 10.45, 10.4, 10.35, 10.3]  # 6 more falling: the peak starts a falling 7
    y = BASE + rise + fall
    rules, types = _types(y, improvement="decrease")  # lower is better
    peak = len(BASE) + len(rise) - 1
    assert rules[peak - 6 : peak + 7] == ["trend"] * 13
    assert types[peak - 6 : peak] == ["special_cause_concern"] * 6  # rising: worse when lower is better
    assert types[peak] == "special_cause_improvement"  # the move out of the peak is down
    assert types[peak + 1 : peak + 7] == ["special_cause_improvement"] * 6
