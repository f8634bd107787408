"""Checks on what a caller passes to a chart, each naming the value and what was expected."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis.spc.results import CHARTS, IMPROVEMENT, SINGLE_VALUE_CHARTS
from pxassure.errors import SPCInputError

#: The shortest baseline a fixed-baseline chart may use.
MINIMUM_BASELINE = 12


def as_series(values: Any, name: str) -> pd.Series:
    """``values`` as a float Series: a sequence or a Series of numbers, missing allowed, never infinite."""
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


def positions(labels: Iterable[Any], index: pd.Index, what: str) -> list[int]:
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


def check_chart(chart: str, allowed: Iterable[str] = CHARTS) -> None:
    allowed = list(allowed)
    if chart not in allowed:
        raise SPCInputError(f"chart must be one of {allowed}, got {chart!r}")


def check_improvement(improvement: str) -> None:
    if improvement not in IMPROVEMENT:
        raise SPCInputError(f"improvement must be one of {list(IMPROVEMENT)}, got {improvement!r}")


def check_target(target: Any) -> float | None:
    if target is None:
        return None
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise SPCInputError(f"target must be a number or None, got {target!r}") from None
    if not np.isfinite(t):
        raise SPCInputError(f"target must be finite, got {target!r}")
    return t


def check_baseline(fix_after_n_points: Any) -> None:
    """None, or a whole number of points (at least :data:`MINIMUM_BASELINE`), or a mapping of the
    labels that start periods to such numbers."""
    if fix_after_n_points is None:
        return
    given = fix_after_n_points.values() if isinstance(fix_after_n_points, Mapping) else [fix_after_n_points]
    for n in given:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise SPCInputError(f"fix_after_n_points must be a whole number, got {n!r}")
        if n < MINIMUM_BASELINE:
            raise SPCInputError(
                f"fix_after_n_points must be at least {MINIMUM_BASELINE} (a baseline needs {MINIMUM_BASELINE} "
                f"points), got {n}"
            )


def baselines(fix_after_n_points: Any, index: pd.Index, starts: list[int], seg: np.ndarray):
    """``fix_after_n_points`` as the engine reads it: None, one N for every period, or N per period
    (infinite where a mapping names no baseline for the period)."""
    if not isinstance(fix_after_n_points, Mapping):
        return fix_after_n_points
    fix = np.full(len(starts), np.inf)
    for label, n in fix_after_n_points.items():
        (pos,) = positions([label], index, "baseline")
        if pos not in starts:
            raise SPCInputError(
                f"baseline label {label!r} does not start a period: a fixed baseline begins at the chart's "
                "first point or at a rebase"
            )
        fix[seg[pos]] = n
    return fix


def check_multiply(multiply: Any) -> float:
    try:
        value = float(multiply)
    except (TypeError, ValueError):
        raise SPCInputError(f"multiply must be a positive number, got {multiply!r}") from None
    if not value > 0:
        raise SPCInputError(f"multiply must be a positive number, got {multiply!r}")
    return value


def check_counts(chart: str, numerator: pd.Series, denominator: Any) -> pd.Series | None:
    """The denominator of an attribute chart as a Series aligned with ``numerator`` (None for c, g and t)."""
    if (numerator.dropna() < 0).any():
        bad = numerator[numerator < 0]
        raise SPCInputError(f"numerator must not be negative: {bad.iloc[0]} at {bad.index[0]!r}")
    if chart in SINGLE_VALUE_CHARTS:
        if denominator is not None:
            what = "counts" if chart == "c" else "one value per event"
            raise SPCInputError(
                f"a {chart} chart takes {what} only: leave denominator as None (use a u chart for rates)"
            )
        return None
    if denominator is None:
        raise SPCInputError(f"a {chart} chart needs a denominator")
    d = as_series(denominator, "denominator")
    if len(d) != len(numerator):
        raise SPCInputError(f"numerator has {len(numerator)} values but denominator has {len(d)}")
    d.index = numerator.index
    if (d.dropna() <= 0).any():
        bad = d[d <= 0]
        raise SPCInputError(
            f"denominator must be positive: {bad.iloc[0]:g} at {bad.index[0]!r} "
            "(a period with no responses or no exposure has no rate: pass it as missing)"
        )
    if chart in ("p", "pp") and (numerator > d).any():
        bad = numerator[numerator > d]
        raise SPCInputError(
            f"numerator {bad.iloc[0]:g} exceeds denominator {d[bad.index[0]]:g} at {bad.index[0]!r}: "
            "a proportion cannot be above 1"
        )
    return d
