"""Patient experience set beside safety and staffing across wards: each ward's figure for the
period, and how closely the wards' FFT % positive goes with each other measure (Spearman)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pxassure.analysis.measures import Measure

#: Fewest wards with both figures for a correlation to be computed at all.
MIN_WARDS = 4


def ward_figure(series: pd.DataFrame, measure: Measure) -> pd.Series:
    """One figure per ward over ``series`` (already cut to the period): the pooled ratio for a
    rate or proportion, the mean for an XmR measure."""
    if not measure.is_ratio:
        return series.groupby("unit_id")["numerator"].mean()
    g = series.groupby("unit_id")[["numerator", "denominator"]].sum()
    return measure.multiply * g["numerator"] / g["denominator"]


def correlations(figures: pd.DataFrame, against: str, columns: list[tuple[str, str]]) -> pd.DataFrame:
    """Spearman's rho and its p-value of each ``(name, column)`` against the column ``against``,
    over the wards that have both (none below :data:`MIN_WARDS`)."""
    rows = []
    for name, column in columns:
        both = figures[[against, column]].dropna()
        rho, p = stats.spearmanr(both[against], both[column]) if len(both) >= MIN_WARDS else (np.nan, np.nan)
        rows.append({"measure": name, "column": column, "wards": len(both), "rho": float(rho), "p_value": float(p)})
    return pd.DataFrame(rows, columns=["measure", "column", "wards", "rho", "p_value"])
