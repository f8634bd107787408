"""Trend tests: Mann-Kendall with Sen's slope, GLM trends and false-discovery-rate control."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pxassure.analysis import trends
from pxassure.errors import SPCInputError


def test_mann_kendall_hand_computed():
    # S = 10, Var(S) = 5·4·15/18, Z = (S - 1)/sqrt(Var)
    r = trends.mann_kendall([1, 2, 3, 4, 5])
    z = 9 / np.sqrt(5 * 4 * 15 / 18)
    assert r.statistic == 10 and r.p_value == pytest.approx(2 * stats.norm.sf(z))
    assert r.slope_per_year == pytest.approx(12)


def test_mann_kendall_tie_correction():
    # ties of 3 reduce Var(S) by 3·2·11/18
    r = trends.mann_kendall([1, 2, 2, 2, 3, 4])
    var = (6 * 5 * 17 - 3 * 2 * 11) / 18
    assert r.statistic == 12
    assert r.p_value == pytest.approx(2 * stats.norm.sf(11 / np.sqrt(var)))


def test_sen_slope_matches_scipy_and_ignores_gaps():
    rng = np.random.default_rng(0)
    y = 0.5 * np.arange(30) + rng.normal(0, 1, 30)
    y[7] = np.nan
    r = trends.mann_kendall(y, periods_per_year=12)
    t = np.arange(30)[~np.isnan(y)]
    slope, _, lo, hi = stats.theilslopes(y[~np.isnan(y)], t)
    assert r.slope_per_year == pytest.approx(slope * 12)
    assert (r.ci_low, r.ci_high) == pytest.approx((lo * 12, hi * 12))
    assert r.direction == "increasing" and r.n == 29


def test_mann_kendall_needs_four_points():
    with pytest.raises(SPCInputError, match="at least 4 observed values, got 3"):
        trends.mann_kendall([1, 2, np.nan, 3])


def test_binomial_trend_recovers_slope():
    rng = np.random.default_rng(1)
    t = np.arange(48)
    p = 1 / (1 + np.exp(-(2.0 + 0.4 * t / 12)))
    n = np.full(48, 400)
    r = trends.glm_trend(rng.binomial(n, p), n, family="binomial")
    assert r.ci_low < 0.4 < r.ci_high and r.p_value < 1e-6 and r.scale == "log-odds per year"


@pytest.mark.parametrize("family", ["poisson", "negbin"])
def test_count_trend_with_exposure(family):
    rng = np.random.default_rng(2)
    t = np.arange(48)
    exposure = rng.integers(600, 900, 48).astype(float)
    y = rng.poisson(exposure / 1000 * 3 * np.exp(-0.3 * t / 12))
    r = trends.glm_trend(y, exposure, family=family)
    assert r.ci_low < -0.3 < r.ci_high and r.direction == "decreasing"


def test_seasonal_terms_absorb_seasonality():
    t = np.arange(48)
    season = 0.5 * np.sin(2 * np.pi * t / 12)
    y = np.round(200 * np.exp(season)).astype(int)  # strong season, no trend
    plain = trends.glm_trend(y, np.ones(48), family="poisson")
    seasonal = trends.glm_trend(y, np.ones(48), family="poisson", seasonal=True)
    assert abs(seasonal.slope_per_year) < abs(plain.slope_per_year) + 1e-9
    assert seasonal.method == "glm_quasipoisson_seasonal"


def test_glm_bad_input():
    with pytest.raises(SPCInputError, match="needs a denominator"):
        trends.glm_trend([1, 2, 3, 4], family="binomial")
    with pytest.raises(SPCInputError, match="cannot exceed denominator"):
        trends.glm_trend([1, 2, 30, 4], [10, 10, 10, 10])
    with pytest.raises(SPCInputError, match="family must be"):
        trends.glm_trend([1, 2, 3, 4], family="gamma")


def test_fdr_adjustment_across_units():
    rng = np.random.default_rng(4)
    rows = []
    for unit in range(40):
        slope = 1.0 if unit < 4 else 0.0
        for t in range(36):
            rows.append({"unit": unit, "t": t, "value": slope * t / 12 + rng.normal(0, 1)})
    out = trends.trend_tests(pd.DataFrame(rows), ["unit"], order="t")
    assert len(out) == 40
    assert (out["p_adjusted"] >= out["p_value"]).all()
    # Benjamini-Hochberg by hand
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    bh = np.minimum.accumulate((p[order] * 40 / np.arange(1, 41))[::-1])[::-1]
    np.testing.assert_allclose(np.sort(out["p_adjusted"].to_numpy()), np.minimum(bh, 1))
    assert set(out.loc[out["significant"], "unit"]) <= set(range(4)) | set()
    assert out.loc[out["unit"] < 4, "significant"].all()


def test_trend_tests_note_untestable_groups():
    frame = pd.DataFrame(
        {"unit": ["a"] * 3 + ["b"] * 10, "t": list(range(3)) + list(range(10)), "value": [1, 2, 3] + list(range(10))}
    )
    out = trends.trend_tests(frame, ["unit"], order="t")
    a = out[out["unit"] == "a"].iloc[0]
    assert np.isnan(a["p_value"]) and "at least 4" in a["note"]
    assert out[out["unit"] == "b"]["p_value"].iloc[0] < 0.01


def _overdispersed_fft(seed=7, months=36):
    """Monthly FFT counts with between-month variation (beta-binomial, intra-class correlation 0.02)."""
    rng = np.random.default_rng(seed)
    n = rng.integers(150, 400, months)
    p = rng.beta(0.9 * 49, 0.1 * 49, months)  # mean 0.9, rho = 1 / (49 + 1)
    return rng.binomial(n, p), n


def test_quasi_binomial_matches_statsmodels_and_reports_the_dispersion():
    import statsmodels.api as sm

    y, n = _overdispersed_fft()
    r = trends.glm_trend(y, n, family="binomial")
    X = sm.add_constant(np.arange(len(y)) / 12)
    plain = sm.GLM(np.column_stack([y, n - y]), X, family=sm.families.Binomial()).fit()
    phi = plain.pearson_chi2 / plain.df_resid
    quasi = sm.GLM(np.column_stack([y, n - y]), X, family=sm.families.Binomial()).fit(scale=phi, use_t=True)
    assert r.method == "glm_quasibinomial" and r.dispersion == pytest.approx(phi)
    assert phi > 3  # overdispersed: 1 + (n - 1) rho is about 6 here
    assert r.slope_per_year == pytest.approx(quasi.params[1])
    assert r.p_value == pytest.approx(quasi.pvalues[1]) and (r.ci_low, r.ci_high) == pytest.approx(
        tuple(quasi.conf_int()[1])
    )
    assert r.p_value > plain.pvalues[1]  # the plain binomial p-value is too small
    naive = trends.glm_trend(y, n, family="binomial", dispersion="none")
    assert naive.p_value == pytest.approx(plain.pvalues[1]) and naive.method == "glm_binomial"


def test_quasi_poisson_matches_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(3)
    exposure = rng.integers(800, 1200, 30).astype(float)
    y = rng.negative_binomial(2, 2 / (2 + 0.003 * exposure))  # complaints: variance well above the mean
    r = trends.glm_trend(y, exposure, family="poisson")
    X = sm.add_constant(np.arange(30) / 12)
    plain = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(exposure)).fit()
    phi = plain.pearson_chi2 / plain.df_resid
    quasi = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(exposure)).fit(scale=max(phi, 1), use_t=True)
    assert r.dispersion == pytest.approx(phi) and r.p_value == pytest.approx(quasi.pvalues[1])


def test_underdispersion_never_narrows_the_interval():
    y = np.array([90, 91, 90, 92, 91, 92, 93, 92, 93, 94, 93, 94])
    n = np.full(12, 100)
    quasi, plain = trends.glm_trend(y, n), trends.glm_trend(y, n, dispersion="none")
    assert quasi.dispersion < 1 and quasi.ci_high - quasi.ci_low >= plain.ci_high - plain.ci_low - 1e-12


def test_trend_tests_count_calendar_months_not_rows():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    frame = pd.DataFrame({"unit": "a", "month": months, "numerator": np.arange(24) + 50.0, "denominator": 200.0})
    gappy = frame.drop(index=range(6, 18))  # a year missing in the middle
    whole = trends.trend_tests(frame, ["unit"], order="month", method="glm")
    with_gap = trends.trend_tests(gappy, ["unit"], order="month", method="glm")
    # the same underlying line: the slope per year is the same with the year missing
    assert with_gap["slope_per_year"].iloc[0] == pytest.approx(whole["slope_per_year"].iloc[0], rel=0.05)
    by_position = trends.glm_trend(gappy["numerator"], gappy["denominator"])
    assert by_position.slope_per_year > 1.5 * with_gap["slope_per_year"].iloc[0]  # what positions would say
    assert "dispersion" in with_gap.columns


def test_sens_slope_counts_calendar_months():
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    frame = pd.DataFrame({"unit": "a", "month": months, "value": np.arange(24) * 0.5})  # 6 a year
    gappy = frame.drop(index=range(6, 18))
    out = trends.trend_tests(gappy, ["unit"], order="month", method="mann_kendall")
    assert out["slope_per_year"].iloc[0] == pytest.approx(6.0)
