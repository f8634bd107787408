"""The vectorised core: centre lines and limits per segment, and every point judged by the rules.

A *segment* is one series' period between rebases; :func:`judge` works on flat arrays of
observed points, so one chart and a batch of thousands run the same code and cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from pxassure.analysis.options import SPCOptions
from pxassure.analysis.spc.results import RULES
from pxassure.analysis.spc.rules import rule_outside_limits, rule_shift, rule_trend, rule_two_of_three, sparse_periods

# Constants of the XmR chart (Wheeler; NHS England MDC).
#: The XmR limits' multiple of the mean moving range (``SPCOptions.xmr_constant``): Making Data
#: Count publishes 2.66; qicharts2 and PowerBI-SPC use 3 / d2 exactly (2.6596).
XMR_CONSTANTS = {"mdc": 2.66, "d2": 3 / 1.128}
SCREEN_CONSTANT = 3.267  # D4 for n = 2: an MR at or above 3.267 × mean MR is screened out
D2 = 1.128
#: The t chart's power: times between events are charted as an XmR chart of time ** (1 / 3.6),
#: which makes exponential times nearly symmetric (Nelson 1994), and its lines are turned back.
T_POWER = 3.6


def segment_mean(values: np.ndarray, seg: np.ndarray, use: np.ndarray, nseg: int) -> np.ndarray:
    total = np.bincount(seg, weights=np.where(use, values, 0.0), minlength=nseg)
    count = np.bincount(seg, weights=use.astype(float), minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def mean_moving_range(
    values: np.ndarray, seg: np.ndarray, use: np.ndarray, nseg: int, screen: bool, adjacent: np.ndarray | None = None
) -> np.ndarray:
    """Mean moving range per segment, optionally screened. A moving range is the difference
    between two baseline points next to each other in time (``adjacent[i]``: point i directly
    follows point i - 1): a missing or left-out month breaks it, as in NHSRplotthedots and
    PowerBI-SPC, rather than joining months that are not neighbours."""
    both = use[1:] & use[:-1] & (seg[1:] == seg[:-1])
    if adjacent is not None:
        both &= adjacent[1:]
    mr = np.abs(np.diff(values))[both]
    mr_seg = seg[1:][both]
    amr = segment_mean(mr, mr_seg, np.ones(len(mr), dtype=bool), nseg)
    if screen:
        keep = mr < SCREEN_CONSTANT * amr[mr_seg]
        amr = segment_mean(mr, mr_seg, keep, nseg)
    return amr


def centre_and_sigma(
    chart: str,
    y: np.ndarray,
    n: np.ndarray,
    seg: np.ndarray,
    base: np.ndarray,
    nseg: int,
    opts: SPCOptions,
    adjacent: np.ndarray | None = None,
):
    """Centre, sigma (per point) for each chart type, computed from the baseline points."""
    screen = opts.screen_outliers
    if chart == "xmr":
        centre = segment_mean(y, seg, base, nseg)[seg]
        # MDC publishes the constant 2.66 (not 3 / 1.128 = 2.6596), kept by default for its figures.
        constant = XMR_CONSTANTS[opts.xmr_constant]
        sigma = (mean_moving_range(y, seg, base, nseg, screen, adjacent) * constant / 3)[seg]
        return centre, sigma
    if chart == "c":
        centre = segment_mean(y, seg, base, nseg)[seg]
        return centre, np.sqrt(centre)
    if chart == "g":
        # Geometric counts of opportunities between events: variance g(g + 1) about the mean g.
        centre = segment_mean(y, seg, base, nseg)[seg]
        return centre, np.sqrt(centre * (centre + 1))
    # p and u families: centre = Σ numerator / Σ denominator over the baseline.
    num = np.bincount(seg, weights=np.where(base, y * n, 0.0), minlength=nseg)
    den = np.bincount(seg, weights=np.where(base, n, 0.0), minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        cbar = (num / den)[seg]
        if chart in ("p", "pp"):
            sd = np.sqrt(cbar * (1 - cbar) / n)
        else:
            sd = np.sqrt(cbar / n)
        if chart in ("pp", "up"):
            # Laney: scale by the spread of the standardised values between points.
            z = (y - cbar) / sd
            z = np.where(np.isfinite(z), z, 0.0)
            sigma_z = mean_moving_range(z, seg, base, nseg, screen, adjacent)[seg] / D2
            sd = sd * sigma_z
    return cbar, sd


def judge(
    chart: str,
    y: np.ndarray,
    n: np.ndarray,
    seg: np.ndarray,
    base: np.ndarray,
    improvement: np.ndarray,
    opts: SPCOptions,
    positions: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Centre, limits, rule and point type of each observed point. ``improvement`` holds +1, -1
    or 0 per point; ``base`` marks the points that set the centre and limits; ``positions``
    (each point's place in the whole series) says which points are neighbours in time."""
    nseg = int(seg.max()) + 1 if len(seg) else 0
    adjacent = None if positions is None else np.diff(positions, prepend=positions[:1] - 1) == 1
    bands = _bands(chart, y, n, seg, base, nseg, opts, adjacent)
    # Segments too short for limits become run charts: centre is the median, no limits.
    short = (np.bincount(seg, minlength=nseg) < opts.minimum_points)[seg]
    if short.any():
        _as_run_charts(bands, y, seg, short)
    side = np.sign(y - bands["centre"])
    side[short] = 0
    sparse = sparse_periods(chart, y, seg, nseg)[seg] & ~short
    rule, direction = _rules(y, seg, side, bands, short, sparse, opts)
    point_type = _point_types(rule, direction, improvement)
    point_type[short] = None  # a run chart judges no single point: not "common cause" either
    return {**bands, "rule": rule, "point_type": point_type}


def _bands(chart, y, n, seg, base, nseg, opts, adjacent) -> dict[str, np.ndarray]:
    """Centre line with the 3-sigma (process) and 2-sigma limits, clipped to the chart's scale.

    The g and t charts are those of PowerBI-SPC 1.7.4 (docs/methods.md): a g chart's limits come
    from the mean, its centre line is the median (the rules read the points against it, as the
    geometric distribution is skewed); a t chart is an XmR chart of the transformed times."""
    if chart == "t":
        centre, sigma = centre_and_sigma("xmr", y ** (1 / T_POWER), n, seg, base, nseg, opts, adjacent)
    else:
        centre, sigma = centre_and_sigma(chart, y, n, seg, base, nseg, opts, adjacent)
    upper, lower = centre + 3 * sigma, centre - 3 * sigma
    upper2, lower2 = centre + 2 * sigma, centre - 2 * sigma
    if chart == "t":
        with np.errstate(invalid="ignore"):
            centre, upper, upper2 = centre**T_POWER, upper**T_POWER, upper2**T_POWER
            lower, lower2 = (np.where(v > 0, v, 0.0) ** T_POWER for v in (lower, lower2))
    if chart == "g":
        centre = pd.Series(np.where(base, y, np.nan)).groupby(seg).median().reindex(seg).to_numpy()
    if chart in ("p", "pp"):
        upper, upper2 = np.minimum(upper, 1.0), np.minimum(upper2, 1.0)
    if chart != "xmr":
        lower, lower2 = np.maximum(lower, 0.0), np.maximum(lower2, 0.0)
    return {"centre": centre, "lower": lower, "upper": upper, "lower_2s": lower2, "upper_2s": upper2}


def _as_run_charts(bands: dict[str, np.ndarray], y: np.ndarray, seg: np.ndarray, short: np.ndarray) -> None:
    medians = pd.Series(y[short]).groupby(seg[short]).median()
    bands["centre"] = np.where(short, medians.reindex(seg).to_numpy(), bands["centre"])
    for name in ("upper", "lower", "upper_2s", "lower_2s"):
        bands[name][short] = np.nan


def _rules(y, seg, side, bands, short, sparse, opts: SPCOptions) -> tuple[np.ndarray, np.ndarray]:
    """The rule each point breaks (highest precedence first; None for none) and its direction."""
    outside = rule_outside_limits(y, bands["lower"], bands["upper"])
    beyond_2s = (y > bands["upper_2s"]) | (y < bands["lower_2s"])
    close = beyond_2s if opts.two_of_three == "beyond_2_sigma" else beyond_2s & ~outside
    shift = rule_shift(side, seg, opts.shift_length) & ~sparse
    trend, trend_dir = rule_trend(y, seg, opts.trend_length)
    trend &= ~short & ~sparse
    two3 = rule_two_of_three(close, side, seg) & ~sparse
    rule = np.full(len(y), None, dtype=object)
    for name, hit in zip(RULES[::-1], (shift, two3, trend, outside)):  # lowest precedence first
        rule[hit] = name
    direction = side.copy()
    if opts.trend_colour == "direction":
        is_trend = rule == "trend"
        direction[is_trend] = trend_dir[is_trend]
    return rule, direction


def _point_types(rule: np.ndarray, direction: np.ndarray, improvement: np.ndarray) -> np.ndarray:
    special = rule != None  # noqa: E711 - elementwise comparison on an object array
    point_type = np.full(len(rule), "common_cause", dtype=object)
    neutral = special & (improvement == 0)
    point_type[neutral & (direction > 0)] = "special_cause_neutral_high"
    point_type[neutral & (direction <= 0)] = "special_cause_neutral_low"
    directed = special & (improvement != 0)
    point_type[directed & (direction == improvement)] = "special_cause_improvement"
    point_type[directed & (direction != improvement)] = "special_cause_concern"
    return point_type


def segments(n_points: int, starts: Sequence[int]) -> np.ndarray:
    seg = np.zeros(n_points, dtype=int)
    for s in starts:
        if s > 0:
            seg[s:] += 1
    return seg


def small_denominators(observed: np.ndarray, n: np.ndarray, has_denominator: bool, opts: SPCOptions) -> np.ndarray:
    """Observed points whose denominator is under ``minimum_denominator`` (ratio charts only)."""
    if not has_denominator or not opts.minimum_denominator:
        return np.zeros(len(observed), dtype=bool)
    return observed & (n < opts.minimum_denominator)


def baseline_mask(seg: np.ndarray, observed: np.ndarray, excluded: np.ndarray, fix_after=None) -> np.ndarray:
    """Points that set the centre and limits: observed, not excluded, within the fixed baseline.
    ``fix_after`` is None (every point), N (each period's first N observed points) or an array of
    N per period (infinite: every point of that period)."""
    base = observed & ~excluded
    if fix_after is not None:
        # position of each point among its segment's observed points
        pos = pd.Series(observed.astype(int)).groupby(seg).cumsum().to_numpy()
        limit = np.asarray(fix_after, dtype=float)
        base &= pos <= (limit[seg] if limit.ndim else limit)
    return base


def pending_rebase(starts: list[int], usable: np.ndarray, minimum_points: int) -> int | None:
    """The latest rebase, when its period is still too short for limits of its own and the
    period before it has enough: Making Data Count recalculates limits only once the new
    process has enough points, and until then judges new points against the old limits."""
    if len(starts) < 2:
        return None
    last, before = starts[-1], starts[-2]
    if usable[last:].sum() < minimum_points <= usable[before:last].sum():
        return last
    return None
