"""Many series at once (every ward × measure): one pass of the vectorised core, no loop per point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis.options import SPCOptions, resolve
from pxassure.analysis.spc import inputs, limits
from pxassure.analysis.spc.results import (
    CHARTS,
    IMPROVEMENT,
    SINGLE_VALUE_CHARTS,
    BatchResult,
    assurance_icon,
    variation_icon,
)
from pxassure.errors import SPCInputError


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
    exclude: str | None = None,
    baseline: str | None = None,
    preset: str | None = None,
    options: SPCOptions | None = None,
    **overrides: Any,
) -> BatchResult:
    """SPC for every series in ``frame`` at once (e.g. every ward × measure).

    ``by`` names the columns identifying a series; ``order`` the column that orders its
    points (row order if None). ``value`` is used for XmR charts, ``numerator`` and
    ``denominator`` for attribute charts. ``improvement`` is a direction or the name of a
    column holding one per row; ``target`` a number, None or a column name; ``rebase`` a
    boolean column marking points that start a new period; ``exclude`` a boolean column marking
    points left out of the limits (still judged against them); ``baseline`` a column holding, on
    the first point of a period, how many of its points set its limits (empty: all). Returns one row per input row
    in ``points`` and one row per series in ``summary`` (latest value, limits, icons).
    """
    inputs.check_chart(chart, CHARTS)
    by = list(by)
    counted = value if chart == "xmr" else numerator or value if chart in SINGLE_VALUE_CHARTS else numerator
    _check_columns(
        frame, [*by, order, rebase, exclude, baseline, counted, None if chart in SINGLE_VALUE_CHARTS else denominator]
    )
    opts = resolve(options, preset, **overrides)
    df = frame.reset_index(drop=True)
    df = df.assign(_row=np.arange(len(df))).sort_values([*by, *([order] if order else []), "_row"], kind="stable")
    y, n = _values(df, chart, counted, denominator)
    directions, direction_names = _directions(df, improvement)

    series_id = df.groupby(by, sort=False, dropna=False).ngroup().to_numpy()
    new_series = np.ones(len(df), dtype=bool)
    new_series[1:] = series_id[1:] != series_id[:-1]
    starts = new_series | (df[rebase].fillna(False).astype(bool).to_numpy() if rebase else False)
    seg = np.cumsum(starts) - 1

    small = limits.small_denominators(np.isfinite(y) & np.isfinite(n), n, chart not in SINGLE_VALUE_CHARTS, opts)
    observed = np.isfinite(y) & np.isfinite(n) & ~small
    pending = _pending(seg, observed, series_id, new_series, opts) if rebase else np.zeros(len(df), dtype=bool)
    fix = _baselines(df, baseline, seg, starts)
    seg = np.where(pending, seg - 1, seg)
    excluded = df[exclude].fillna(False).astype(bool).to_numpy() if exclude else np.zeros(len(df), dtype=bool)
    base = limits.baseline_mask(seg, observed, excluded, fix) & ~pending
    idx = np.flatnonzero(observed)
    _, seg_obs = np.unique(seg[idx], return_inverse=True)  # compact segment ids among observed points
    core = limits.judge(chart, y[idx], n[idx], seg_obs, base[idx], directions[idx], opts, positions=idx)

    points = _points(df, frame.index, y * multiply, small, core, idx, multiply)
    last = pd.DataFrame({"series": series_id[idx], "pos": idx}).groupby("series")["pos"].max().to_numpy()
    summary = df.iloc[last][by].reset_index(drop=True)
    summary["points"] = np.bincount(series_id[idx])[series_id[last]]
    summary["value"] = y[last] * multiply
    at = np.searchsorted(idx, last)  # each series' last point among the observed ones
    for col in ("centre", "lower", "upper"):
        summary[col] = core[col][at] * multiply
    has_limits = np.bincount(seg_obs)[seg_obs[at]] >= opts.minimum_points
    summary["chart"] = np.where(has_limits, chart, "run")
    summary["target"] = _targets(df, target, last)
    _icons(summary, core["point_type"][at], direction_names[last], has_limits)
    return BatchResult(points=points, summary=summary, options=opts)


def _check_columns(frame: pd.DataFrame, needed: list[str | None]) -> None:
    for col in needed:
        if col is not None and col not in frame.columns:
            raise SPCInputError(f"column {col!r} is not in the frame (columns: {list(frame.columns)})")


def _values(df: pd.DataFrame, chart: str, counted: str, denominator: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The plotted value of each row (before ``multiply``) and its denominator (1 without one)."""
    if chart in SINGLE_VALUE_CHARTS:
        values = pd.to_numeric(df[counted], errors="raise").to_numpy(dtype=float)
        if chart != "xmr" and (values < 0).any():
            raise SPCInputError(f"column {counted!r} must not be negative on a {chart} chart")
        return values, np.ones(len(df))
    num = pd.to_numeric(df[counted], errors="raise").to_numpy(dtype=float)
    n = pd.to_numeric(df[denominator], errors="raise").to_numpy(dtype=float)
    if (n <= 0).any():
        raise SPCInputError(f"column {denominator!r} must be positive (pass empty periods as missing)")
    if chart in ("p", "pp") and (num > n).any():
        raise SPCInputError(f"column {counted!r} exceeds {denominator!r} in some rows: a proportion cannot be above 1")
    with np.errstate(invalid="ignore", divide="ignore"):
        return num / n, n


def _directions(df: pd.DataFrame, improvement: str) -> tuple[np.ndarray, np.ndarray]:
    """Each row's better direction as +1, -1 or 0, and by name."""
    if improvement in IMPROVEMENT:
        return np.full(len(df), IMPROVEMENT[improvement]), np.full(len(df), improvement, dtype=object)
    if improvement not in df.columns:
        raise SPCInputError(f"improvement must be one of {list(IMPROVEMENT)} or a column name, got {improvement!r}")
    names = df[improvement].to_numpy(dtype=object)
    bad = set(names) - set(IMPROVEMENT)
    if bad:
        raise SPCInputError(f"column {improvement!r} holds {sorted(map(str, bad))}: expected {list(IMPROVEMENT)}")
    return np.select([names == "increase", names == "decrease"], [1, -1], 0), names


def _baselines(df: pd.DataFrame, column: str | None, seg: np.ndarray, starts: np.ndarray) -> np.ndarray | None:
    """Per period, how many of its first observed points set its limits (infinite: all of them)."""
    if column is None:
        return None
    n = pd.to_numeric(df[column], errors="raise").to_numpy(dtype=float)
    given = np.isfinite(n)
    if (given & ~starts).any():
        raise SPCInputError(f"column {column!r} holds a baseline on a point that does not start a period")
    for v in n[given]:
        inputs.check_baseline(int(v) if v == round(v) else float(v))
    fix = np.full(int(seg.max()) + 1 if len(seg) else 0, np.inf)
    fix[seg[given]] = n[given]
    return fix


def _pending(seg, observed, series_id, new_series, opts: SPCOptions) -> np.ndarray:
    """Rows of each series' latest rebase period that is too short for limits of its own: as in
    a single chart (``limits.pending_rebase``), they are judged against the period before."""
    pending = np.zeros(len(seg), dtype=bool)
    counts = np.bincount(seg, weights=observed.astype(float))
    for last in pd.Series(seg).groupby(series_id).max().to_numpy():
        first_row = np.flatnonzero(seg == last)[0]
        if not new_series[first_row] and counts[last] < opts.minimum_points <= counts[last - 1]:
            pending |= seg == last
    return pending


def _points(df, index, values, small, core, idx, multiply) -> pd.DataFrame:
    out = df.copy()
    out["value"] = values
    for col in ("centre", "lower", "upper", "lower_2s", "upper_2s"):
        full = np.full(len(df), np.nan)
        full[idx] = core[col] * multiply
        out[col] = full
    for col in ("rule", "point_type"):
        full = np.full(len(df), None, dtype=object)
        full[idx] = core[col]
        out[col] = pd.Series(full, index=out.index, dtype=object)  # keep None, not NaN
    out["small"] = small
    return out.sort_values("_row").drop(columns="_row").set_index(index)


def _targets(df: pd.DataFrame, target: str | float | None, last: np.ndarray) -> np.ndarray:
    if target is None:
        return np.full(len(last), np.nan)
    if isinstance(target, str):
        return pd.to_numeric(df[target], errors="raise").to_numpy(dtype=float)[last]
    return np.full(len(last), inputs.check_target(target))


def _icons(summary: pd.DataFrame, types, directions, has_limits) -> None:
    summary["variation"] = [variation_icon(t, d) if ok else None for t, d, ok in zip(types, directions, has_limits)]
    summary["assurance"] = [
        assurance_icon(None if np.isnan(t) else t, d, lo, up) if ok else None
        for t, d, lo, up, ok in zip(summary["target"], directions, summary["lower"], summary["upper"], has_limits)
    ]
