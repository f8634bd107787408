"""Complaints handling: acknowledged within 3 working days, answered within the agreed target,
reopened, referred to the Ombudsman. Working days are Monday to Friday (numpy's business days)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The NHS complaints regulations ask for acknowledgement within three working days.
ACKNOWLEDGE_WITHIN = 3
_OPEN = pd.Timestamp("2100-01-01")  # stands in for "not yet" so the day count is defined


def _days(dates: pd.Series) -> np.ndarray:
    return pd.to_datetime(dates).fillna(_OPEN).to_numpy().astype("datetime64[D]")


def _working_days(start: pd.Series, end: pd.Series) -> np.ndarray:
    return np.busday_count(_days(start), _days(end))


def handled(complaints: pd.DataFrame) -> pd.DataFrame:
    """Each complaint with whether it was acknowledged in time, is closed, its working days to
    close (missing while open) and whether it closed within its target."""
    c = complaints.copy()
    acknowledged = pd.to_datetime(c["acknowledged"]).notna()
    c["ack_in_3"] = acknowledged & (_working_days(c["received"], c["acknowledged"]) <= ACKNOWLEDGE_WITHIN)
    c["is_closed"] = pd.to_datetime(c["closed"]).notna()
    c["working_days"] = np.where(c["is_closed"], _working_days(c["received"], c["closed"]), np.nan)
    c["in_target"] = c["is_closed"] & (c["working_days"] <= c["target_working_days"])
    return c


def performance(complaints: pd.DataFrame, group: str) -> pd.DataFrame:
    """Handling figures per value of the column ``group``: received, % acknowledged in 3 working
    days, closed, closed in target and its %, median working days, reopened, Ombudsman."""
    g = (
        handled(complaints)
        .groupby(group)
        .agg(
            received=("complaint_id", "count"),
            acknowledged_in_3=("ack_in_3", "mean"),
            closed=("is_closed", "sum"),
            closed_in_target=("in_target", "sum"),
            median_working_days=("working_days", "median"),
            reopened=("reopened", "sum"),
            ombudsman=("ombudsman", "sum"),
        )
    )
    g["acknowledged_in_3"] = (100 * g["acknowledged_in_3"]).round(1)
    g["pct_in_target"] = (100 * g["closed_in_target"] / g["closed"].replace(0, np.nan)).round(1)
    return g.reset_index().rename(columns={group: "group"})
