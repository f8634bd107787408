"""One series: the XmR chart, the attribute charts (p, p′, u, u′, c) and the median run chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis.options import DEFAULT, SPCOptions, resolve
from pxassure.analysis.spc import inputs, limits
from pxassure.analysis.spc.results import IMPROVEMENT, SINGLE_VALUE_CHARTS, Flag, RunChartResult, SPCResult
from pxassure.analysis.spc.rules import anhoj_crossings_limit, anhoj_longest_run_limit, run_lengths, sparse_periods
from pxassure.errors import SPCInputError

#: How many periods a flag names before it stops listing them.
LABELS_LISTED = 5
_LINES = ("centre", "lower", "upper", "lower_2s", "upper_2s")


def xmr(
    values: Any,
    *,
    improvement: str = "increase",
    target: float | None = None,
    rebase: Any = (),
    fix_after_n_points: int | Mapping[Any, int] | None = None,
    preset: str | None = None,
    exclude: Any = (),
    options: SPCOptions | None = None,
    **overrides: Any,
) -> SPCResult:
    """XmR chart of ``values`` (a sequence or a Series whose index labels the periods).

    ``rebase`` lists the labels (positions for plain sequences) that start a new period;
    every calculation and rule stays within its period. ``fix_after_n_points`` (≥ 12)
    computes each period's centre and limits from its first N points only; a mapping
    {label: N} fixes only the periods starting at those labels. ``exclude``
    lists points left out of the limits but still judged against them. Rule options come
    from ``options`` (an :class:`SPCOptions`) or from ``preset`` (default ``"mdc"``) with
    single options overridden by keyword, e.g. ``shift_length=6`` (see ``options.PRESETS``).
    """
    return _chart(
        "xmr",
        inputs.as_series(values, "values"),
        None,
        multiply=1,
        improvement=improvement,
        target=inputs.check_target(target),
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
    fix_after_n_points: int | Mapping[Any, int] | None = None,
    exclude: Any = (),
    options: SPCOptions | None = None,
    **overrides: Any,
) -> SPCResult:
    """Attribute chart: ``chart`` is "p", "pp" (Laney p′), "u", "up" (Laney u′), "c", "g" or "t".

    p charts take counts (e.g. positive FFT answers) and their denominators (responses);
    u charts take events and exposure (e.g. complaints and bed days) with ``multiply``
    (1,000 for a rate per 1,000); c charts take counts only. For rare events, g charts take
    the opportunities (days, admissions) between successive events and t charts the times
    between them, one value per event: pass ``improvement="increase"`` when longer between
    events is better (harm, complaints). ``target`` is on the plotted scale (after
    ``multiply``). Rule options as for :func:`xmr`.
    """
    opts = resolve(options, preset, **overrides)
    inputs.check_chart(chart, ("p", "pp", "u", "up", "c", "g", "t"))
    num = inputs.as_series(numerator, "numerator")
    den = inputs.check_counts(chart, num, denominator)
    if den is None:
        y = num
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            y = num / den
    return _chart(
        chart,
        y,
        None if den is None else den.to_numpy(dtype=float),
        multiply=multiply,
        improvement=improvement,
        target=inputs.check_target(target),
        rebase=rebase,
        exclude=exclude,
        fix_after_n_points=fix_after_n_points,
        opts=opts,
    )


def run_chart(values: Any) -> SPCResult:
    """Median run chart with Anhøj's rules; ``result.run`` holds the run analysis.

    Points on the median are ignored. A signal is a run longer than
    round(log2(n)) + 3 or fewer crossings than the 5th percentile of Binomial(n − 1, 0.5).
    """
    s = inputs.as_series(values, "values")
    y = s.to_numpy(dtype=float)
    obs = y[np.isfinite(y)]
    if len(obs) < 2:
        raise SPCInputError(f"a run chart needs at least 2 observed values, got {len(obs)}")
    run = _run_analysis(obs)
    points = _empty_points(y, s.index, np.zeros(len(y), dtype=bool))
    points["centre"] = run.median
    return SPCResult(points, "xmr", "neutral", None, DEFAULT, period_starts=[0], run=run, flags=[Flag("run_chart")])


def _run_analysis(observed: np.ndarray) -> RunChartResult:
    median = float(np.median(observed))
    side = np.sign(observed - median)
    useful = side[side != 0]
    n = len(useful)
    longest = int(run_lengths(useful, np.zeros(n, dtype=int)).max()) if n else 0
    crossings = int((useful[1:] != useful[:-1]).sum()) if n else 0
    return RunChartResult(
        median=median,
        useful_points=n,
        longest_run=longest,
        longest_run_limit=anhoj_longest_run_limit(n),
        crossings=crossings,
        crossings_limit=anhoj_crossings_limit(n),
    )


@dataclass(frozen=True)
class _Periods:
    """Where a series' points fall: which are observed and usable, where its periods start, and
    which points set the limits."""

    observed: np.ndarray
    small: np.ndarray
    usable: np.ndarray
    starts: list[int]
    pending: int | None
    seg: np.ndarray
    base: np.ndarray


def _periods(y, n, index, has_denominator, rebase, exclude, fix_after, opts: SPCOptions) -> _Periods:
    observed = np.isfinite(y) & np.isfinite(n)
    small = limits.small_denominators(observed, n, has_denominator, opts)
    usable = observed & ~small
    starts = sorted({0, *(p for p in inputs.positions(rebase, index, "rebase") if p > 0)})
    pending = limits.pending_rebase(starts, usable, opts.minimum_points)
    if pending is not None:
        starts.remove(pending)
    seg = limits.segments(len(y), starts)
    excluded = np.zeros(len(y), dtype=bool)
    excluded[inputs.positions(exclude, index, "exclude")] = True
    if isinstance(fix_after, Mapping) and pending is not None:
        # a baseline of the period still too short for limits of its own waits with its rebase
        fix_after = {k: v for k, v in fix_after.items() if k != index[pending]}
    base = limits.baseline_mask(seg, usable, excluded, inputs.baselines(fix_after, index, starts, seg))
    if pending is not None:
        base[pending:] = False  # judged against the limits before the rebase, not part of them
    return _Periods(observed, small, usable, starts, pending, seg, base)


def _chart(
    chart: str,
    value: pd.Series,
    denominator: np.ndarray | None,
    *,
    multiply: Any,
    improvement: str,
    target: float | None,
    rebase: Any,
    exclude: Any,
    fix_after_n_points: int | Mapping[Any, int] | None,
    opts: SPCOptions,
) -> SPCResult:
    inputs.check_improvement(improvement)
    inputs.check_baseline(fix_after_n_points)
    multiply = inputs.check_multiply(multiply)
    index = value.index
    y = value.to_numpy(dtype=float)
    n = np.ones(len(y)) if denominator is None else denominator
    periods = _periods(y, n, index, denominator is not None, rebase, exclude, fix_after_n_points, opts)
    idx = np.flatnonzero(periods.usable)
    seg_obs = periods.seg[idx]
    core = None
    if len(idx):
        direction = np.full(len(idx), IMPROVEMENT[improvement])
        core = limits.judge(chart, y[idx], n[idx], seg_obs, periods.base[idx], direction, opts, positions=idx)
    points = _points(chart, y, index, periods, core, idx)
    for col in ("value", *_LINES):
        points[col] = points[col].astype(float) * multiply
    counts = np.bincount(seg_obs, minlength=len(periods.starts))
    sparse = bool(
        len(idx)
        and counts[-1] >= opts.minimum_points
        and sparse_periods(chart, y[idx], seg_obs, len(periods.starts))[-1]
    )
    last_start = periods.starts[-1]
    last_y = y[last_start:][periods.usable[last_start:]]
    run = _run_analysis(last_y) if counts[-1] < opts.minimum_points and len(last_y) >= 2 else None
    return SPCResult(
        points=points,
        chart=chart,
        improvement=improvement,
        target=target,
        options=opts,
        multiply=multiply,
        period_starts=periods.starts,
        flags=_flags(index, periods, counts, sparse, opts),
        run=run,
        pending_rebase=periods.pending,
        sparse=sparse,
    )


def _empty_points(y: np.ndarray, index: pd.Index, small: np.ndarray) -> pd.DataFrame:
    none = pd.Series([None] * len(y), dtype=object).to_numpy()
    return pd.DataFrame(
        {"value": y, **{col: np.nan for col in _LINES}, "rule": none, "point_type": none.copy(), "small": small},
        index=index,
    )


def _points(chart, y, index, periods: _Periods, core, idx) -> pd.DataFrame:
    points = _empty_points(y, index, periods.small)
    if core is None:
        return points
    for col, arr in core.items():
        points.iloc[idx, points.columns.get_loc(col)] = arr
    # Missing rows keep their segment's centre and (constant) limits so the chart has no gaps.
    missing = np.flatnonzero(~periods.observed)
    if len(missing) and chart in SINGLE_VALUE_CHARTS:
        lines = points.iloc[idx][list(_LINES)].groupby(periods.seg[idx]).first()
        for i in missing:
            if periods.seg[i] in lines.index:
                points.iloc[i, 1:6] = lines.loc[periods.seg[i]].to_numpy()
    return points


def _listed(index: pd.Index, where: np.ndarray) -> tuple:
    return tuple(index[i] for i in where[:LABELS_LISTED])


def _flags(index: pd.Index, periods: _Periods, counts: np.ndarray, sparse: bool, opts: SPCOptions) -> list[Flag]:
    """What the reader should know about this chart, in the order it matters to them."""
    flags = []
    if periods.pending is not None:
        have = int(periods.usable[periods.pending :].sum())
        flags.append(Flag("pending_rebase", (index[periods.pending],), have, opts.minimum_points))
    missing = np.flatnonzero(~periods.observed)
    if len(missing):
        flags.append(Flag("missing", _listed(index, missing), len(missing)))
    small = np.flatnonzero(periods.small)
    if len(small):
        flags.append(Flag("small_denominator", _listed(index, small), len(small), opts.minimum_denominator))
    for k, start in enumerate(periods.starts):
        if counts[k] < opts.minimum_points:
            start_label = (index[start],) if len(periods.starts) > 1 else ()
            flags.append(Flag("too_few_points", start_label, int(counts[k]), opts.minimum_points))
    if sparse:
        flags.append(Flag("sparse"))
    return flags
