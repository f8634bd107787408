"""Statistical process control to NHS England's Making Data Count (MDC) standard.

Public API (reports, tests and analysts use exactly this):

- :func:`xmr` – XmR ("plot the dots") chart of one series.
- :func:`attribute` – p, Laney p′ ("pp"), u, Laney u′ ("up") and c charts.
- :func:`run_chart` – median run chart with Anhøj's rules, for short series.
- :func:`batch` – many series (e.g. every ward × measure) at once.

Every chart is computed by one vectorised core (:func:`_compute`) working on flat
arrays where a *segment* is one series' period between rebases. That is why
:func:`batch` needs no Python loop per point, and why a single series and a batch
can never disagree.

The rules follow NHSRplotthedots 0.2.2 (one small function per rule below); the
two presets and every option are described in ``docs/methods.md``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis.options import DEFAULT, PRESETS, SPCOptions, resolve
from pxassure.errors import SPCInputError

__all__ = [
    "PRESETS",
    "SPCResult",
    "RunChartResult",
    "BatchResult",
    "xmr",
    "attribute",
    "run_chart",
    "batch",
    "resolve_options",
    "SPCOptions",
    "POINT_TYPES",
    "VARIATION_ICONS",
    "ASSURANCE_ICONS",
]

# Constants of the XmR chart (Wheeler; NHS England MDC).
LIMIT_CONSTANT = 2.66  # 3 / d2, d2 = 1.128 for moving ranges of two
SCREEN_CONSTANT = 3.267  # D4 for n = 2: an MR at or above 3.267 × mean MR is screened out
D2 = 1.128

#: What the rules make of each point of a chart with limits; points of a run chart (too few
#: points for limits) have no type at all (None), so that nothing calls them common cause.
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
RULES = ("outside_limits", "trend", "two_of_three", "shift")  # in order of precedence
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("consistent_pass", "consistent_fail", "inconsistent")
IMPROVEMENT = ("increase", "decrease", "neutral")
CHARTS = ("xmr", "p", "pp", "u", "up", "c")

#: Rule options live in :mod:`pxassure.analysis.options` (one frozen, validated object).
resolve_options = SPCOptions.from_preset


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass
class RunChartResult:
    """A median run chart judged by Anhøj's rules (unusually long run, too few crossings)."""

    median: float
    useful_points: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int

    @property
    def long_run_signal(self) -> bool:
        return self.longest_run > self.longest_run_limit

    @property
    def crossings_signal(self) -> bool:
        return self.crossings < self.crossings_limit

    @property
    def signal(self) -> bool:
        """True when either Anhøj rule signals non-random variation."""
        return self.long_run_signal or self.crossings_signal


@dataclass
class SPCResult:
    """One chart: per-point results, icons, and what method produced them."""

    points: pd.DataFrame
    chart: str
    improvement: str
    target: float | None
    options: SPCOptions
    multiply: float = 1
    period_starts: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    run: RunChartResult | None = None
    #: Position of a recorded rebase whose period is still too short for its own limits: its
    #: points are judged against the limits of the period before (see ``_pending_rebase``).
    pending_rebase: int | None = None
    #: The latest period's counts are too sparse for the run rules (see :func:`sparse_periods`).
    sparse: bool = False

    @property
    def has_limits(self) -> bool:
        """False when the latest period is too short and only a run chart is shown."""
        last = self.points["upper"].iloc[self.period_starts[-1] :] if len(self.points) else []
        return bool(len(last)) and bool(np.isfinite(last).any())

    @property
    def last_point(self) -> pd.Series | None:
        """The last observed point not suppressed as small (None when there is none)."""
        # Positions found on the arrays, not by filtering the frame: each chart's summary row,
        # icons and description ask for it, several times a chart.
        p = self.points
        assessed = p["value"].notna().to_numpy()
        if "small" in p:
            assessed = assessed & ~p["small"].to_numpy(dtype=bool)
        where = np.flatnonzero(assessed)
        return p.iloc[where[-1]] if len(where) else None

    @property
    def variation(self) -> str | None:
        """The variation icon: the type of the last observed point (None without limits)."""
        last = self.last_point
        if last is None or not self.has_limits:
            return None
        return _variation_icon(last["point_type"], self.improvement)

    @property
    def assurance(self) -> str | None:
        """The assurance icon against the target, from the last observed point's limits."""
        last = self.last_point
        if last is None or not self.has_limits:
            return None
        return _assurance_icon(self.target, self.improvement, last["lower"], last["upper"])


@dataclass
class BatchResult:
    """Many series at once: ``points`` (one row per input row) and ``summary`` (one row per series)."""

    points: pd.DataFrame
    summary: pd.DataFrame
    options: SPCOptions


# ---------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------


def _as_series(values: Any, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        s = values
    else:
        try:
            s = pd.Series(list(values))
        except TypeError:
            raise SPCInputError(f"{name} must be a sequence or a pandas Series, got {type(values).__name__}") from None
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        converted = pd.to_numeric(s, errors="coerce")
        bad = s[converted.isna() & s.notna()]
        if len(bad):
            label, value = bad.index[0], bad.iloc[0]
            raise SPCInputError(f"{name} must be numeric: value {value!r} at {label!r} is not a number")
        s = converted
    elif pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise SPCInputError(f"{name} must be numeric, got dtype {s.dtype}")
    s = s.astype(float)
    inf = s[np.isinf(s.to_numpy())]
    if len(inf):
        raise SPCInputError(f"{name} must be finite: value {inf.iloc[0]} at {inf.index[0]!r}")
    return s


def _positions(labels: Iterable[Any], index: pd.Index, what: str) -> list[int]:
    """Positions in ``index`` of ``labels`` (labels are positions for a plain RangeIndex)."""
    if isinstance(labels, (str, bytes)) or not isinstance(labels, Iterable):
        labels = [labels]
    out = []
    for label in labels:
        try:
            pos = index.get_loc(label)
        except KeyError:
            raise SPCInputError(f"{what} label {label!r} is not in the series index") from None
        if not isinstance(pos, (int, np.integer)):
            raise SPCInputError(f"{what} label {label!r} appears more than once in the series index")
        out.append(int(pos))
    return sorted(set(out))


def _check_improvement(improvement: str) -> None:
    if improvement not in IMPROVEMENT:
        raise SPCInputError(f"improvement must be one of {list(IMPROVEMENT)}, got {improvement!r}")


def _check_target(target: Any) -> float | None:
    if target is None:
        return None
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise SPCInputError(f"target must be a number or None, got {target!r}") from None
    if not np.isfinite(t):
        raise SPCInputError(f"target must be finite, got {target!r}")
    return t


# ---------------------------------------------------------------------------
# The rules: one small function each, on flat arrays split into segments.
# ``seg`` holds each point's segment id (non-decreasing); only observed points are passed.
# ---------------------------------------------------------------------------


def _run_lengths(key: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Length of the maximal run of equal ``key`` (within a segment) that each point is in."""
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=int)
    breaks = np.ones(n, dtype=bool)
    breaks[1:] = (key[1:] != key[:-1]) | (seg[1:] != seg[:-1])
    run_id = np.cumsum(breaks) - 1
    return np.bincount(run_id)[run_id]


def rule_outside_limits(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Points above the upper or below the lower process limit."""
    with np.errstate(invalid="ignore"):
        return (y > upper) | (y < lower)


def rule_shift(side: np.ndarray, seg: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of ``length`` or more on one side of the centre line.

    A point exactly on the centre (side 0) breaks the run. Every point of a qualifying
    run is marked, as NHSRplotthedots marks the six points before the one that fires.
    """
    runs = _run_lengths(side, seg)
    return (side != 0) & (runs >= length)


def rule_trend(y: np.ndarray, seg: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``length`` or more strictly increasing or decreasing values.

    A tie breaks the run. Returns (flag, direction) where direction is +1 or -1 for flagged
    points: the move out of the point when the next point is flagged too, else the move into it
    (as NHSRplotthedots 0.2.2's ``ptd_special_cause_type``, so the peak between a rising and a
    falling trend takes the falling trend's direction).
    """
    n = len(y)
    step = np.zeros(n)
    if n > 1:
        same = seg[1:] == seg[:-1]
        step[1:] = np.where(same, np.sign(y[1:] - y[:-1]), 0)
    # step[i] is the move into point i; a run of k equal non-zero steps spans k + 1 points.
    runs = _run_lengths(step, seg)
    ends_trend = (step != 0) & (runs >= length - 1)  # the move into i is part of a trend
    starts_trend = np.zeros(n, dtype=bool)
    starts_trend[:-1] = ends_trend[1:]  # the move out of i is part of a trend
    flagged = ends_trend | starts_trend
    nxt = np.zeros(n)
    nxt[:-1] = step[1:]
    next_flagged = np.zeros(n, dtype=bool)
    next_flagged[:-1] = flagged[1:]
    direction = np.where(flagged & next_flagged & (nxt != 0), nxt, np.where(ends_trend, step, nxt))
    return flagged, np.where(flagged, direction, 0.0)


def rule_two_of_three(close: np.ndarray, side: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Close-to-limit points in any window of three where two or more are close and all
    three lie on the same side of the centre line. Only the close points are marked."""
    n = len(close)
    hit = np.zeros(n, dtype=bool)
    if n < 3:
        return hit
    c = close.astype(int)
    window_close = c[:-2] + c[1:-1] + c[2:]
    window_side = side[:-2] + side[1:-1] + side[2:]
    window_seg = seg[:-2] == seg[2:]
    qualifies = window_seg & (window_close >= 2) & (np.abs(window_side) == 3)
    for offset in range(3):  # each point is in up to three windows
        hit[offset : n - 2 + offset] |= qualifies
    return hit & close


# ---------------------------------------------------------------------------
# Centre and limits
# ---------------------------------------------------------------------------


def _segment_mean(values: np.ndarray, seg: np.ndarray, use: np.ndarray, nseg: int) -> np.ndarray:
    total = np.bincount(seg, weights=np.where(use, values, 0.0), minlength=nseg)
    count = np.bincount(seg, weights=use.astype(float), minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def _mean_moving_range(values: np.ndarray, seg: np.ndarray, use: np.ndarray, nseg: int, screen: bool) -> np.ndarray:
    """Mean moving range per segment over consecutive baseline points, optionally screened."""
    idx = np.flatnonzero(use)
    v, s = values[idx], seg[idx]
    same = s[1:] == s[:-1]
    mr = np.abs(np.diff(v))[same]
    mr_seg = s[1:][same]
    amr = _segment_mean(mr, mr_seg, np.ones(len(mr), dtype=bool), nseg)
    if screen:
        keep = mr < SCREEN_CONSTANT * amr[mr_seg]
        amr = _segment_mean(mr, mr_seg, keep, nseg)
    return amr


def _limits(chart: str, y: np.ndarray, n: np.ndarray, seg: np.ndarray, base: np.ndarray, nseg: int, screen: bool):
    """Centre, sigma (per point) for each chart type, computed from the baseline points."""
    if chart == "xmr":
        centre = _segment_mean(y, seg, base, nseg)[seg]
        # MDC publishes the constant 2.66 (not 3 / 1.128 = 2.6596): keep its figures exactly.
        sigma = (_mean_moving_range(y, seg, base, nseg, screen) * LIMIT_CONSTANT / 3)[seg]
        return centre, sigma
    if chart == "c":
        centre = _segment_mean(y, seg, base, nseg)[seg]
        return centre, np.sqrt(centre)
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
            sigma_z = _mean_moving_range(z, seg, base, nseg, screen)[seg] / D2
            sd = sd * sigma_z
    return cbar, sd


# ---------------------------------------------------------------------------
# The core
# ---------------------------------------------------------------------------


#: The words for a c chart too sparse for the run rules (see :func:`sparse_periods`).
SPARSE_TEXT = (
    "more than half the months have none, so a run of empty months is ordinary: the run rules are not "
    "applied, and only a month above the upper limit is flagged"
)


def sparse_periods(chart: str, y: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Per period, whether a c chart's counts are too sparse for the run rules: more months with none
    than with any. Below a centre of about one a month, months of zero sit under the centre line by
    the floor of the scale, not by a change in the process, so a run of them is no shift (a rare
    event's chart is the g or t chart: the time between events)."""
    if chart != "c" or not len(y):
        return np.zeros(nseg, dtype=bool)
    zeros = np.bincount(seg, weights=(y == 0).astype(float), minlength=nseg)
    return zeros * 2 > np.bincount(seg, minlength=nseg)


def _compute(
    chart: str,
    y: np.ndarray,
    n: np.ndarray,
    seg: np.ndarray,
    base: np.ndarray,
    improvement: np.ndarray,
    opts: SPCOptions,
) -> dict[str, np.ndarray]:
    """Vectorised SPC on observed points. ``improvement`` holds +1, -1 or 0 per point."""
    nseg = int(seg.max()) + 1 if len(seg) else 0
    centre, sigma = _limits(chart, y, n, seg, base, nseg, opts.screen_outliers)
    upper, lower = centre + 3 * sigma, centre - 3 * sigma
    upper2, lower2 = centre + 2 * sigma, centre - 2 * sigma
    if chart in ("p", "pp"):
        upper, upper2 = np.minimum(upper, 1.0), np.minimum(upper2, 1.0)
    if chart != "xmr":
        lower, lower2 = np.maximum(lower, 0.0), np.maximum(lower2, 0.0)

    # Segments too short for limits become run charts: centre is the median, no limits.
    count = np.bincount(seg, minlength=nseg)
    short = (count < opts.minimum_points)[seg]
    if short.any():
        medians = pd.Series(y[short]).groupby(seg[short]).median()
        centre = np.where(short, medians.reindex(seg).to_numpy(), centre)
        for arr in (upper, lower, upper2, lower2):
            arr[short] = np.nan

    side = np.sign(y - centre)
    side[short] = 0
    outside = rule_outside_limits(y, lower, upper)
    beyond_2s = (y > upper2) | (y < lower2)
    close = beyond_2s if opts.two_of_three == "beyond_2_sigma" else beyond_2s & ~outside
    sparse = sparse_periods(chart, y, seg, nseg)[seg] & ~short
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
    special = rule != None  # noqa: E711 - elementwise comparison on an object array
    point_type = np.full(len(y), "common_cause", dtype=object)
    neutral = special & (improvement == 0)
    point_type[neutral & (direction > 0)] = "special_cause_neutral_high"
    point_type[neutral & (direction <= 0)] = "special_cause_neutral_low"
    directed = special & (improvement != 0)
    point_type[directed & (direction == improvement)] = "special_cause_improvement"
    point_type[directed & (direction != improvement)] = "special_cause_concern"
    point_type[short] = None  # a run chart judges no single point: not "common cause" either
    return {
        "centre": centre,
        "lower": lower,
        "upper": upper,
        "lower_2s": lower2,
        "upper_2s": upper2,
        "rule": rule,
        "point_type": point_type,
    }


def _segments(n_points: int, starts: Sequence[int]) -> np.ndarray:
    seg = np.zeros(n_points, dtype=int)
    for s in starts:
        if s > 0:
            seg[s:] += 1
    return seg


def _small(observed: np.ndarray, n: np.ndarray, has_denominator: bool, opts: SPCOptions) -> np.ndarray:
    """Observed points whose denominator is under ``minimum_denominator`` (ratio charts only)."""
    if not has_denominator or not opts.minimum_denominator:
        return np.zeros(len(observed), dtype=bool)
    return observed & (n < opts.minimum_denominator)


def _baseline_mask(seg: np.ndarray, observed: np.ndarray, excluded: np.ndarray, fix_after: int | None) -> np.ndarray:
    """Points that set the centre and limits: observed, not excluded, within the fixed baseline."""
    base = observed & ~excluded
    if fix_after is not None:
        # position of each point among its segment's observed points
        pos = pd.Series(observed.astype(int)).groupby(seg).cumsum().to_numpy()
        base &= pos <= fix_after
    return base


def _single(
    chart: str,
    value: pd.Series,
    denominator: np.ndarray | None,
    *,
    multiply: float,
    improvement: str,
    target: Any,
    rebase: Any,
    exclude: Any,
    fix_after_n_points: int | None,
    opts: SPCOptions,
) -> SPCResult:
    _check_improvement(improvement)
    target = _check_target(target)
    if fix_after_n_points is not None:
        if isinstance(fix_after_n_points, bool) or not isinstance(fix_after_n_points, (int, np.integer)):
            raise SPCInputError(f"fix_after_n_points must be a whole number, got {fix_after_n_points!r}")
        if fix_after_n_points < 12:
            raise SPCInputError(
                f"fix_after_n_points must be at least 12 (a baseline needs 12 points), got {fix_after_n_points}"
            )
    try:
        multiply = float(multiply)
    except (TypeError, ValueError):
        raise SPCInputError(f"multiply must be a positive number, got {multiply!r}") from None
    if not multiply > 0:
        raise SPCInputError(f"multiply must be a positive number, got {multiply!r}")

    index = value.index
    n_points = len(value)
    y_all = value.to_numpy(dtype=float)
    n_all = np.ones(n_points) if denominator is None else denominator
    observed = np.isfinite(y_all) & np.isfinite(n_all)
    small = _small(observed, n_all, denominator is not None, opts)
    usable = observed & ~small

    starts = sorted({0, *(p for p in _positions(rebase, index, "rebase") if p > 0)})
    pending = _pending_rebase(starts, usable, opts.minimum_points)
    if pending is not None:
        starts.remove(pending)
    seg_all = _segments(n_points, starts)
    excluded = np.zeros(n_points, dtype=bool)
    excluded[_positions(exclude, index, "exclude")] = True
    base_all = _baseline_mask(seg_all, usable, excluded, fix_after_n_points)
    if pending is not None:
        base_all[pending:] = False  # judged against the limits before the rebase, not part of them

    flags = []
    if pending is not None:
        have = int(usable[pending:].sum())
        flags.append(
            f"a rebase is recorded from {index[pending]!r}, but that period has {have} of the {opts.minimum_points} "
            "points needed for its own limits: until it has them, its points are judged against the limits of "
            "the period before"
        )
    missing = np.flatnonzero(~observed)
    if len(missing):
        labels = ", ".join(str(index[i]) for i in missing[:5]) + (" …" if len(missing) > 5 else "")
        flags.append(f"{len(missing)} missing value(s) left out of the limits and rules: {labels}")
    if small.any():
        labels = ", ".join(str(index[i]) for i in np.flatnonzero(small)[:5]) + (" …" if small.sum() > 5 else "")
        flags.append(
            f"{int(small.sum())} point(s) with a denominator under {opts.minimum_denominator} drawn hollow and left "
            f"out of the limits and rules: {labels}"
        )

    idx = np.flatnonzero(usable)
    imp = {"increase": 1, "decrease": -1, "neutral": 0}[improvement]
    # Re-number segments among observed points so that empty segments vanish.
    seg_obs = seg_all[idx]
    core = (
        _compute(
            chart,
            y_all[idx],
            n_all[idx],
            seg_obs,
            base_all[idx],
            np.full(len(idx), imp),
            opts,
        )
        if len(idx)
        else None
    )

    points = pd.DataFrame(
        {
            "value": y_all,
            "centre": np.nan,
            "lower": np.nan,
            "upper": np.nan,
            "lower_2s": np.nan,
            "upper_2s": np.nan,
            "rule": pd.Series([None] * n_points, dtype=object).to_numpy(),
            "point_type": pd.Series([None] * n_points, dtype=object).to_numpy(),
            "small": small,
        },
        index=index,
    )
    if core is not None:
        for col, arr in core.items():
            points.iloc[idx, points.columns.get_loc(col)] = arr
        # Missing rows keep their segment's centre and (xmr/c) limits so the chart has no gaps.
        if len(missing) and chart in ("xmr", "c"):
            seg_frame = points.iloc[idx][["centre", "lower", "upper", "lower_2s", "upper_2s"]].groupby(seg_obs).first()
            for i in missing:
                if seg_all[i] in seg_frame.index:
                    points.iloc[i, 1:6] = seg_frame.loc[seg_all[i]].to_numpy()

    for col in ("value", "centre", "lower", "upper", "lower_2s", "upper_2s"):
        points[col] = points[col].astype(float) * multiply

    counts = np.bincount(seg_obs, minlength=len(starts)) if len(idx) else np.zeros(len(starts), dtype=int)
    for k, start in enumerate(starts):
        if counts[k] < opts.minimum_points:
            where = f"the period starting at {index[start]!r}" if len(starts) > 1 else "the series"
            flags.append(
                f"{where} has {counts[k]} observed point(s), fewer than the {opts.minimum_points} needed "
                "for process limits: shown as a run chart, with no variation or assurance icon"
            )

    sparse = False
    if len(idx) and counts[-1] >= opts.minimum_points:
        sparse = bool(sparse_periods(chart, y_all[idx], seg_obs, len(starts))[-1])
        if sparse:
            flags.append(f"counts too sparse for the run rules: {SPARSE_TEXT}")

    run = None
    last_start = starts[-1]
    last_y = y_all[last_start:][usable[last_start:]]
    if counts[-1] < opts.minimum_points and len(last_y) >= 2:
        run = run_chart(last_y).run
    return SPCResult(
        points=points,
        chart=chart,
        improvement=improvement,
        target=None if target is None else target,
        options=opts,
        multiply=multiply,
        period_starts=starts,
        flags=flags,
        run=run,
        pending_rebase=pending,
        sparse=sparse,
    )


def _pending_rebase(starts: list[int], usable: np.ndarray, minimum_points: int) -> int | None:
    """The latest rebase, when its period is still too short for limits of its own and the
    period before it has enough: Making Data Count recalculates limits only once the new
    process has enough points, and until then judges new points against the old limits."""
    if len(starts) < 2:
        return None
    last, before = starts[-1], starts[-2]
    if usable[last:].sum() < minimum_points <= usable[before:last].sum():
        return last
    return None


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def xmr(
    values: Any,
    *,
    improvement: str = "increase",
    target: float | None = None,
    rebase: Any = (),
    fix_after_n_points: int | None = None,
    preset: str | None = None,
    exclude: Any = (),
    options: SPCOptions | None = None,
    **overrides: Any,
) -> SPCResult:
    """XmR chart of ``values`` (a sequence or a Series whose index labels the periods).

    ``rebase`` lists the labels (positions for plain sequences) that start a new period;
    every calculation and rule stays within its period. ``fix_after_n_points`` (≥ 12)
    computes each period's centre and limits from its first N points only. ``exclude``
    lists points left out of the limits but still judged against them. Rule options come
    from ``options`` (an :class:`SPCOptions`) or from ``preset`` (default ``"mdc"``) with
    single options overridden by keyword, e.g. ``shift_length=6`` (see :data:`PRESETS`).
    """
    s = _as_series(values, "values")
    return _single(
        "xmr",
        s,
        None,
        multiply=1,
        improvement=improvement,
        target=target,
        rebase=rebase,
        exclude=exclude,
        fix_after_n_points=fix_after_n_points,
        opts=resolve(options, preset, **overrides),
    )


def attribute(
    chart: str,
    numerator: Any,
    denominator: Any = None,
    *,
    multiply: float = 1,
    improvement: str = "increase",
    target: float | None = None,
    rebase: Any = (),
    preset: str | None = None,
    fix_after_n_points: int | None = None,
    exclude: Any = (),
    options: SPCOptions | None = None,
    **overrides: Any,
) -> SPCResult:
    """Attribute chart: ``chart`` is "p", "pp" (Laney p′), "u", "up" (Laney u′) or "c".

    p charts take counts (e.g. positive FFT answers) and their denominators (responses);
    u charts take events and exposure (e.g. complaints and bed days) with ``multiply``
    (1,000 for a rate per 1,000); c charts take counts only. ``target`` is on the
    plotted scale (after ``multiply``). Rule options as for :func:`xmr`.
    """
    opts = resolve(options, preset, **overrides)
    if chart not in ("p", "pp", "u", "up", "c"):
        raise SPCInputError(f"chart must be one of 'p', 'pp', 'u', 'up', 'c', got {chart!r}")
    num = _as_series(numerator, "numerator")
    if (num.dropna() < 0).any():
        bad = num[num < 0]
        raise SPCInputError(f"numerator must not be negative: {bad.iloc[0]} at {bad.index[0]!r}")
    if chart == "c":
        if denominator is not None:
            raise SPCInputError("a c chart takes counts only: leave denominator as None (use a u chart for rates)")
        y, den = num, None
    else:
        if denominator is None:
            raise SPCInputError(f"a {chart} chart needs a denominator")
        d = _as_series(denominator, "denominator")
        if len(d) != len(num):
            raise SPCInputError(f"numerator has {len(num)} values but denominator has {len(d)}")
        d.index = num.index
        if (d.dropna() <= 0).any():
            bad = d[d <= 0]
            raise SPCInputError(
                f"denominator must be positive: {bad.iloc[0]:g} at {bad.index[0]!r} "
                "(a period with no responses or no exposure has no rate: pass it as missing)"
            )
        if chart in ("p", "pp") and (num > d).any():
            bad = num[num > d]
            raise SPCInputError(
                f"numerator {bad.iloc[0]:g} exceeds denominator {d[bad.index[0]]:g} at {bad.index[0]!r}: "
                "a proportion cannot be above 1"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            y = num / d
        den = d.to_numpy(dtype=float)
    target_raw = None if target is None else _check_target(target) / float(multiply)
    result = _single(
        chart,
        y,
        den,
        multiply=multiply,
        improvement=improvement,
        target=target_raw,
        rebase=rebase,
        exclude=exclude,
        fix_after_n_points=fix_after_n_points,
        opts=opts,
    )
    result.target = _check_target(target)
    return result


def run_chart(values: Any) -> SPCResult:
    """Median run chart with Anhøj's rules; ``result.run`` holds the run analysis.

    Points on the median are ignored. A signal is a run longer than
    round(log2(n)) + 3 or fewer crossings than the 5th percentile of Binomial(n − 1, 0.5).
    """
    s = _as_series(values, "values")
    y = s.to_numpy(dtype=float)
    obs = y[np.isfinite(y)]
    if len(obs) < 2:
        raise SPCInputError(f"a run chart needs at least 2 observed values, got {len(obs)}")
    median = float(np.median(obs))
    side = np.sign(obs - median)
    useful = side[side != 0]
    n = len(useful)
    if n:
        longest = int(_run_lengths(useful, np.zeros(n, dtype=int)).max())
        crossings = int((useful[1:] != useful[:-1]).sum())
    else:
        longest = crossings = 0
    run = RunChartResult(
        median=median,
        useful_points=n,
        longest_run=longest,
        longest_run_limit=anhoj_longest_run_limit(n),
        crossings=crossings,
        crossings_limit=anhoj_crossings_limit(n),
    )
    points = pd.DataFrame(
        {
            "value": y,
            "centre": median,
            "lower": np.nan,
            "upper": np.nan,
            "lower_2s": np.nan,
            "upper_2s": np.nan,
            "rule": pd.Series([None] * len(y), dtype=object).to_numpy(),
            "point_type": pd.Series([None] * len(y), dtype=object).to_numpy(),  # a run chart types no point
            "small": np.zeros(len(y), dtype=bool),
        },
        index=s.index,
    )
    return SPCResult(
        points,
        "xmr",
        "neutral",
        None,
        DEFAULT,
        period_starts=[0],
        run=run,
        flags=["run chart: judged by Anhøj's rules, no process limits"],
    )


def anhoj_longest_run_limit(n: int) -> int:
    """Longest run of points on one side of the median expected by chance."""
    return int(round(np.log2(n))) + 3 if n > 0 else 0


@functools.cache
def anhoj_crossings_limit(n: int) -> int:
    """Fewest median crossings expected by chance: the 5th percentile of Binomial(n-1, 0.5), the
    least k whose cumulative probability reaches 1/20. Counted exactly in whole numbers (scipy.stats
    gives the same, tests/test_spc_reference.py; importing it took 0.7 s in every process that
    draws a chart)."""
    if n <= 1:
        return 0
    trials = n - 1
    below = 0  # ways to cross the median k times or fewer, out of 2**trials
    for k in range(trials):
        below += math.comb(trials, k)
        if 20 * below >= 2**trials:
            return k
    return trials  # every way counted: the whole distribution


# ---------------------------------------------------------------------------
# Batch
# ---------------------------------------------------------------------------


def batch(
    frame: pd.DataFrame,
    by: Sequence[str],
    *,
    chart: str = "xmr",
    value: str = "value",
    numerator: str | None = None,
    denominator: str | None = None,
    order: str | None = None,
    multiply: float = 1,
    improvement: str = "increase",
    target: str | float | None = None,
    rebase: str | None = None,
    preset: str | None = None,
    options: SPCOptions | None = None,
    **overrides: Any,
) -> BatchResult:
    """SPC for every series in ``frame`` at once (e.g. every ward × measure).

    ``by`` names the columns identifying a series; ``order`` the column that orders its
    points (row order if None). ``value`` is used for XmR charts, ``numerator`` and
    ``denominator`` for attribute charts. ``improvement`` is a direction or the name of a
    column holding one per row; ``target`` a number, None or a column name; ``rebase`` a
    boolean column marking points that start a new period. Returns one row per input row
    in ``points`` and one row per series in ``summary`` (latest value, limits, icons).
    """
    if chart not in CHARTS:
        raise SPCInputError(f"chart must be one of {list(CHARTS)}, got {chart!r}")
    by = list(by)
    needed = by + ([order] if order else []) + ([rebase] if rebase else [])
    needed += [numerator, denominator] if chart not in ("xmr", "c") else [numerator or value]
    for col in needed:
        if col is not None and col not in frame.columns:
            raise SPCInputError(f"column {col!r} is not in the frame (columns: {list(frame.columns)})")
    opts = resolve(options, preset, **overrides)
    df = frame.reset_index(drop=True)
    sort_cols = by + ([order] if order else [])
    df = df.assign(_row=np.arange(len(df))).sort_values(sort_cols + ["_row"], kind="stable")

    if chart == "xmr":
        y = pd.to_numeric(df[value], errors="raise").to_numpy(dtype=float)
        n = np.ones(len(df))
    elif chart == "c":
        y = pd.to_numeric(df[numerator or value], errors="raise").to_numpy(dtype=float)
        n = np.ones(len(df))
    else:
        num = pd.to_numeric(df[numerator], errors="raise").to_numpy(dtype=float)
        n = pd.to_numeric(df[denominator], errors="raise").to_numpy(dtype=float)
        if (n <= 0).any():
            raise SPCInputError(f"column {denominator!r} must be positive (pass empty periods as missing)")
        if chart in ("p", "pp") and (num > n).any():
            raise SPCInputError(
                f"column {numerator!r} exceeds {denominator!r} in some rows: a proportion cannot be above 1"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            y = num / n

    series_id = df.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    new_series = np.ones(len(df), dtype=bool)
    new_series[1:] = series_id[1:] != series_id[:-1]
    starts = new_series.copy()
    if rebase:
        starts |= df[rebase].fillna(False).astype(bool).to_numpy()
    seg_all = np.cumsum(starts) - 1

    if improvement in IMPROVEMENT:
        imp_all = np.full(len(df), {"increase": 1, "decrease": -1, "neutral": 0}[improvement])
        imp_names = np.full(len(df), improvement, dtype=object)
    elif improvement in df.columns:
        imp_names = df[improvement].to_numpy(dtype=object)
        bad = set(imp_names) - set(IMPROVEMENT)
        if bad:
            raise SPCInputError(f"column {improvement!r} holds {sorted(map(str, bad))}: expected {list(IMPROVEMENT)}")
        imp_all = np.select([imp_names == "increase", imp_names == "decrease"], [1, -1], 0)
    else:
        raise SPCInputError(f"improvement must be one of {list(IMPROVEMENT)} or a column name, got {improvement!r}")

    small = _small(np.isfinite(y) & np.isfinite(n), n, chart not in ("xmr", "c"), opts)
    observed = np.isfinite(y) & np.isfinite(n) & ~small
    pending = np.zeros(len(df), dtype=bool)
    if rebase:
        # As in a single chart: a latest rebase period too short for its own limits is judged
        # against the period before (see _pending_rebase).
        counts = np.bincount(seg_all, weights=observed.astype(float))
        last_seg = pd.Series(seg_all).groupby(series_id).max()
        for seg in last_seg.to_numpy():
            first_row = np.flatnonzero(seg_all == seg)[0]
            if not new_series[first_row] and counts[seg] < opts.minimum_points <= counts[seg - 1]:
                pending |= seg_all == seg
        seg_all = np.where(pending, seg_all - 1, seg_all)
    base = _baseline_mask(seg_all, observed, np.zeros(len(df), dtype=bool), None) & ~pending
    idx = np.flatnonzero(observed)
    # compact segment ids among observed points
    _, seg_obs = np.unique(seg_all[idx], return_inverse=True)
    core = _compute(chart, y[idx], n[idx], seg_obs, base[idx], imp_all[idx], opts)

    out = df.copy()
    out["value"] = y * multiply
    for col in ("centre", "lower", "upper", "lower_2s", "upper_2s"):
        full = np.full(len(df), np.nan)
        full[idx] = core[col] * multiply
        out[col] = full
    for col in ("rule", "point_type"):
        full = np.full(len(df), None, dtype=object)
        full[idx] = core[col]
        out[col] = pd.Series(full, index=out.index, dtype=object)  # keep None, not NaN
    out["small"] = small
    out = out.sort_values("_row").drop(columns="_row").set_index(frame.index)

    # Summary: the last observed point of each series, with its icons.
    last = pd.DataFrame({"series": series_id[idx], "pos": idx}).groupby("series")["pos"].max().to_numpy()
    seg_counts = np.bincount(seg_obs)
    summary = df.iloc[last][by].reset_index(drop=True)
    summary["points"] = np.bincount(series_id[idx])[series_id[last]]
    summary["value"] = y[last] * multiply
    pos_in_obs = np.searchsorted(idx, last)
    for col in ("centre", "lower", "upper"):
        summary[col] = core[col][pos_in_obs] * multiply
    has_limits = seg_counts[seg_obs[pos_in_obs]] >= opts.minimum_points
    summary["chart"] = np.where(has_limits, chart, "run")
    types = core["point_type"][pos_in_obs]
    imps = imp_names[last]
    summary["variation"] = [_variation_icon(t, i) if ok else None for t, i, ok in zip(types, imps, has_limits)]
    if target is None:
        targets = np.full(len(last), np.nan)
    elif isinstance(target, str):
        targets = pd.to_numeric(df[target], errors="raise").to_numpy(dtype=float)[last]
    else:
        targets = np.full(len(last), _check_target(target))
    summary["target"] = targets
    summary["assurance"] = [
        _assurance_icon(None if np.isnan(t) else t, i, lo, up) if ok else None
        for t, i, lo, up, ok in zip(targets, imps, summary["lower"], summary["upper"], has_limits)
    ]
    return BatchResult(points=out, summary=summary, options=opts)


# ---------------------------------------------------------------------------
# Limits that span a change
# ---------------------------------------------------------------------------

OPPOSITE = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "special_cause_neutral_high": "special_cause_neutral_low",
    "special_cause_neutral_low": "special_cause_neutral_high",
}


@dataclass(frozen=True)
class SustainedRun:
    """Consecutive special-cause points of one type: ``first`` and ``last`` are their labels."""

    first: Any
    last: Any
    points: int
    point_type: str


def sustained_runs(result: SPCResult) -> list[SustainedRun]:
    """Runs of special cause that suggest the process has changed while one set of limits spans
    the change, in the chart's latest period (before any pending rebase, which already records one).

    A run is consecutive judged points (gaps and small months skipped) of one special-cause type.
    It counts as sustained when it has at least ``minimum_points`` points (enough for limits of
    its own), or at least ``shift_length`` points while a run of the opposite type of that length
    also lies in the same period (the limits straddle two levels). Empty when there is none.
    """
    if not result.has_limits:
        return []
    opts = result.options
    p = result.points
    stop = result.pending_rebase if result.pending_rebase is not None else len(p)
    window = p.iloc[result.period_starts[-1] : stop]
    judged = window[window["value"].notna() & ~window["small"].astype(bool) & window["point_type"].notna()]
    runs: list[SustainedRun] = []
    types = judged["point_type"].tolist()
    labels = list(judged.index)
    i = 0
    while i < len(types):
        j = i
        while j + 1 < len(types) and types[j + 1] == types[i]:
            j += 1
        if types[i] in OPPOSITE:
            runs.append(SustainedRun(labels[i], labels[j], j - i + 1, types[i]))
        i = j + 1
    long = [r for r in runs if r.points >= opts.shift_length]
    present = {r.point_type for r in long}
    return [r for r in long if r.points >= opts.minimum_points or OPPOSITE[r.point_type] in present]


# ---------------------------------------------------------------------------
# Icons and words
# ---------------------------------------------------------------------------


def _variation_icon(point_type: str | None, improvement: str) -> str | None:
    if point_type is None:
        return None
    if point_type == "common_cause":
        return "common_cause"
    if point_type == "special_cause_neutral_high":
        return "neutral_high"
    if point_type == "special_cause_neutral_low":
        return "neutral_low"
    high = improvement == "increase"
    if point_type == "special_cause_improvement":
        return "improvement_high" if high else "improvement_low"
    return "concern_low" if high else "concern_high"


def _assurance_icon(target: float | None, improvement: str, lower: float, upper: float) -> str | None:
    """consistent_pass / consistent_fail / inconsistent; None without a target or with neutral direction."""
    if target is None or improvement == "neutral" or not np.isfinite(lower) or not np.isfinite(upper):
        return None
    increasing = improvement == "increase"
    if target > upper:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lower:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"  # includes a target exactly on a limit
