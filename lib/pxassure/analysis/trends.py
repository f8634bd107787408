"""Trend tests: is a measure rising or falling over time, and how fast?

- :func:`mann_kendall`: non-parametric test with tie-corrected variance and Sen's slope.
- :func:`glm_trend`: a regression on time with statsmodels — binomial for proportions
  with denominators, Poisson or negative binomial with an exposure offset for counts —
  optionally with seasonal terms (one annual sine/cosine pair).
- :func:`trend_tests`: either test for many units at once, with Benjamini–Hochberg
  false-discovery-rate adjusted p-values, so ward-level testing does not drown a board
  in false alarms. Raw and adjusted p-values are both reported.

Time is in periods (months by default); slopes are reported per year.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from pxassure.errors import SPCInputError


@dataclass(frozen=True)
class TrendResult:
    """One trend test. ``slope_per_year`` is on ``scale``; the interval is ``confidence`` level."""

    method: str
    n: int
    slope_per_year: float
    ci_low: float
    ci_high: float
    p_value: float
    scale: str
    confidence: float = 0.95
    statistic: float | None = None  # Mann-Kendall S, or the GLM's z (t when quasi) for the time term
    dispersion: float | None = None  # GLM: Pearson χ² / residual df of the plain fit (1 = as the family assumes)

    @property
    def direction(self) -> str:
        if self.ci_low > 0:
            return "increasing"
        if self.ci_high < 0:
            return "decreasing"
        return "no clear trend"

    def as_dict(self) -> dict:
        return asdict(self)


def _clean(values: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(pd.to_numeric(pd.Series(values), errors="raise"), dtype=float)
    except (ValueError, TypeError):
        raise SPCInputError(f"{name} must be numeric") from None
    if np.isinf(arr).any():
        raise SPCInputError(f"{name} must be finite")
    return arr


def mann_kendall(
    values: Any, *, periods_per_year: float = 12, confidence: float = 0.95, times: Any = None
) -> TrendResult:
    """Mann–Kendall trend test (two-sided, continuity-corrected, tie-corrected variance) with
    Sen's slope and its confidence interval. Missing values are left out, keeping the
    others' positions in time; ``times`` (e.g. calendar month numbers) places each value."""
    y = _clean(values, "values")
    t = np.arange(len(y), dtype=float) if times is None else _clean(times, "times")
    if len(t) != len(y):
        raise SPCInputError(f"values has {len(y)} entries but times has {len(t)}")
    keep = np.isfinite(y)
    y, t = y[keep], t[keep]
    n = len(y)
    if n < 4:
        raise SPCInputError(f"Mann-Kendall needs at least 4 observed values, got {n}")
    diff = y[None, :] - y[:, None]
    s = float(np.sign(diff[np.triu_indices(n, 1)]).sum())
    _, tie_counts = np.unique(y, return_counts=True)
    var_s = (n * (n - 1) * (2 * n + 5) - np.sum(tie_counts * (tie_counts - 1) * (2 * tie_counts + 5))) / 18.0
    if var_s <= 0:
        z = 0.0
    else:
        z = (s - np.sign(s)) / np.sqrt(var_s)
    p = float(2 * stats.norm.sf(abs(z)))
    slope, _, low, high = stats.theilslopes(y, t, alpha=confidence)
    return TrendResult(
        "mann_kendall",
        n,
        float(slope * periods_per_year),
        float(low * periods_per_year),
        float(high * periods_per_year),
        p,
        "units per year (Sen's slope)",
        confidence,
        s,
    )


def _design(t_years: np.ndarray, seasonal: bool, periods: np.ndarray, periods_per_year: float) -> np.ndarray:
    cols = [np.ones_like(t_years), t_years]
    if seasonal:
        angle = 2 * np.pi * periods / periods_per_year
        cols += [np.sin(angle), np.cos(angle)]
    return np.column_stack(cols)


#: How a GLM trend allows for overdispersion: "quasi" scales the binomial or Poisson variance by
#: the Pearson dispersion (never below 1) and uses t-based p-values; "none" trusts the family.
DISPERSION = ("quasi", "none")


def glm_trend(
    numerator: Any,
    denominator: Any = None,
    *,
    family: str = "binomial",
    seasonal: bool = False,
    periods_per_year: float = 12,
    confidence: float = 0.95,
    dispersion: str = "quasi",
    times: Any = None,
) -> TrendResult:
    """Regression trend on time with statsmodels.

    ``family="binomial"``: ``numerator`` successes out of ``denominator`` trials; slope is
    the change in log-odds per year. ``"poisson"`` or ``"negbin"``: ``numerator`` counts
    with ``denominator`` as exposure (offset, optional); slope is the change in log rate
    per year (exp(slope) is the rate ratio per year). ``seasonal`` adds an annual
    sine/cosine pair. Periods with a missing value are left out. ``times`` gives each
    period's position on the calendar (e.g. month numbers), so a missing month stays a gap
    in time; by default periods are consecutive.

    Real patient-experience counts vary more than a binomial or Poisson model allows (FFT
    and complaints are overdispersed), which makes plain GLM p-values far too small. With
    ``dispersion="quasi"`` (the default) the model is fitted, its Pearson dispersion
    φ = χ² / residual df is estimated, and the fit is repeated with the variance scaled by
    max(φ, 1) and t-based p-values: quasi-binomial or quasi-Poisson. The negative binomial
    family models overdispersion itself and is not scaled. ``dispersion`` in the result is φ.
    """
    if family not in ("binomial", "poisson", "negbin"):
        raise SPCInputError(f"family must be 'binomial', 'poisson' or 'negbin', got {family!r}")
    if dispersion not in DISPERSION:
        raise SPCInputError(f"dispersion must be one of {list(DISPERSION)}, got {dispersion!r}")
    y, n, periods = _glm_inputs(numerator, denominator, times, family, seasonal)
    t_years = (periods - periods.min()) / periods_per_year
    X = _design(t_years, seasonal, periods, periods_per_year)
    fit, scale, phi = _glm_fit(family, dispersion, y, n, X)
    params = np.asarray(fit.params)
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))
    quasi = dispersion == "quasi" and family != "negbin"
    return TrendResult(
        ("glm_quasi" + family if quasi else f"glm_{family}") + ("_seasonal" if seasonal else ""),
        int(len(y)),
        float(params[1]),
        float(ci[1, 0]),
        float(ci[1, 1]),
        float(np.asarray(fit.pvalues)[1]),
        scale,
        confidence,
        float(np.asarray(fit.tvalues)[1]),
        phi,
    )


def _glm_inputs(numerator, denominator, times, family: str, seasonal: bool):
    """The observed periods' counts, trials (or exposure) and positions, checked for a GLM trend."""
    y = _clean(numerator, "numerator")
    n = np.ones_like(y) if denominator is None else _clean(denominator, "denominator")
    if len(n) != len(y):
        raise SPCInputError(f"numerator has {len(y)} values but denominator has {len(n)}")
    if family == "binomial" and denominator is None:
        raise SPCInputError("a binomial trend needs a denominator (trials)")
    periods = np.arange(len(y), dtype=float) if times is None else _clean(times, "times")
    if len(periods) != len(y):
        raise SPCInputError(f"numerator has {len(y)} values but times has {len(periods)}")
    keep = np.isfinite(y) & np.isfinite(n)
    y, n, periods = y[keep], n[keep], periods[keep]
    if (y < 0).any():
        raise SPCInputError("numerator must not be negative")
    if (n <= 0).any():
        raise SPCInputError("denominator must be positive (leave empty periods missing)")
    if family == "binomial" and (y > n).any():
        raise SPCInputError("numerator cannot exceed denominator for a binomial trend")
    min_points = 6 if seasonal else 4
    if len(y) < min_points:
        raise SPCInputError(f"a GLM trend needs at least {min_points} observed periods, got {len(y)}")
    return y, n, periods


def _glm_fit(family: str, dispersion: str, y, n, X):
    """The fitted model, its slope's scale in words, and the Pearson dispersion φ (None for negbin)."""
    phi = None
    if family == "negbin":
        fit = sm.NegativeBinomial(y, X, offset=np.log(n)).fit(disp=0, maxiter=200)
        scale = "log rate per year"
    else:
        if family == "binomial":
            model = sm.GLM(np.column_stack([y, n - y]), X, family=sm.families.Binomial())
            scale = "log-odds per year"
        else:
            model = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(n))
            scale = "log rate per year"
        fit = model.fit()
        phi = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else None
        if dispersion == "quasi" and phi is not None:
            fit = model.fit(scale=max(phi, 1.0), use_t=True)
    return fit, scale, phi


def adjust_p_values(p_values: Any, alpha: float = 0.05) -> np.ndarray:
    """Benjamini–Hochberg false-discovery-rate adjusted p-values (missing stay missing)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], alpha=alpha, method="fdr_bh")[1]
    return out


def _calendar(order: pd.Series) -> np.ndarray | None:
    """Calendar month numbers for a column of dates (None for anything else: positions are used)."""
    if not pd.api.types.is_datetime64_any_dtype(order):
        return None
    d = pd.to_datetime(order)
    return (d.dt.year * 12 + d.dt.month).to_numpy(dtype=float)


def trend_tests(
    frame: pd.DataFrame,
    by: list[str],
    *,
    order: str,
    method: str = "mann_kendall",
    value: str = "value",
    numerator: str = "numerator",
    denominator: str | None = "denominator",
    family: str = "binomial",
    seasonal: bool = False,
    periods_per_year: float = 12,
    alpha: float = 0.05,
    dispersion: str = "quasi",
) -> pd.DataFrame:
    """One trend test per group of ``by``, with raw and FDR-adjusted p-values.

    When ``order`` holds dates, time is counted in calendar months, so a month with no row
    is a gap in time, not a step. Returns the ``by`` columns plus method, n, slope_per_year,
    ci_low, ci_high, scale, p_value, dispersion (GLM), p_adjusted, significant (adjusted
    p < ``alpha``) and note (why a group was not tested).
    """
    if method not in ("mann_kendall", "glm"):
        raise SPCInputError(f"method must be 'mann_kendall' or 'glm', got {method!r}")
    rows = []
    for key, g in frame.sort_values(order).groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        try:
            if method == "mann_kendall":
                r = mann_kendall(g[value], periods_per_year=periods_per_year, times=_calendar(g[order]))
            else:
                r = glm_trend(
                    g[numerator],
                    None if denominator is None else g[denominator],
                    family=family,
                    seasonal=seasonal,
                    periods_per_year=periods_per_year,
                    dispersion=dispersion,
                    times=_calendar(g[order]),
                )
            row.update({k: v for k, v in r.as_dict().items() if k not in ("confidence", "statistic")})
            row["note"] = None
        except (SPCInputError, ValueError) as exc:  # a group too short or unfit to test: noted, not fatal
            row.update(
                method=method,
                n=len(g),
                slope_per_year=np.nan,
                ci_low=np.nan,
                ci_high=np.nan,
                scale=None,
                p_value=np.nan,
                dispersion=np.nan,
                note=str(exc),
            )
        rows.append(row)
    columns = [*by, "method", "n", "slope_per_year", "ci_low", "ci_high", "scale", "p_value", "dispersion", "note"]
    out = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
    if out.empty:
        return out.assign(p_adjusted=pd.Series(dtype=float), significant=pd.Series(dtype=bool))
    out["p_adjusted"] = adjust_p_values(out["p_value"], alpha)
    out["significant"] = out["p_adjusted"] < alpha
    return out


def proportion_trends(series: pd.DataFrame, by: str = "unit_id") -> pd.DataFrame:
    """Quasi-binomial GLM trend of a proportion (``numerator`` of ``denominator`` each ``month``)
    for every value of ``by``, overdispersion allowed for, with Benjamini–Hochberg adjusted
    p-values across them and the odds ratio per year; strongest evidence first."""
    out = trend_tests(series, [by], order="month", method="glm", family="binomial")
    out["odds_ratio_per_year"] = np.exp(out["slope_per_year"])
    return out.sort_values("p_value").reset_index(drop=True)
