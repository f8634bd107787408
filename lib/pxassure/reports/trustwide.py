"""What the trust-wide committee papers share: each measure charted trust-wide and for each
division, and complaints handling against the agreed response times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pxassure.analysis import measures
from pxassure.analysis.measures import Measure
from pxassure.reports import committees
from pxassure.reports.data import ReportData
from pxassure.reports.model import Chart, charts_for


def trust_and_division_charts(data: ReportData, measure_list: list[Measure], options, missing: list) -> list[Chart]:
    """Every listed measure trust-wide and for every division (by name), charted; what cannot be
    is added to ``missing``. The trust-wide rows are what the board is told, so every committee
    on the way up sees them too."""
    divisions = committees.divisions_in_order(data.units)["unit_id"]
    return charts_for(data, measure_list, [data.trust["unit_id"], *divisions], options, missing)


def complaints_performance(data: ReportData, *, by_division: bool = False, months: int = 12) -> pd.DataFrame:
    """Complaints handling over the last ``months``: acknowledged within 3 working days,
    answered within the agreed target (per target band, or per division), reopened, Ombudsman."""
    since = data.month - pd.DateOffset(months=months - 1)
    c = data.complaints[pd.to_datetime(data.complaints["received"]) >= since].copy()
    received = pd.to_datetime(c["received"]).to_numpy().astype("datetime64[D]")
    ack = pd.to_datetime(c["acknowledged"])
    closed = pd.to_datetime(c["closed"])
    c["ack_in_3"] = ack.notna() & (
        np.busday_count(received, ack.fillna(pd.Timestamp("2100-01-01")).to_numpy().astype("datetime64[D]")) <= 3
    )
    c["is_closed"] = closed.notna()
    days = np.busday_count(received, closed.fillna(pd.Timestamp("2100-01-01")).to_numpy().astype("datetime64[D]"))
    c["working_days"] = np.where(c["is_closed"], days, np.nan)
    c["in_target"] = c["is_closed"] & (c["working_days"] <= c["target_working_days"])
    if by_division:
        pairs = measures.ancestors(data.units)
        divs = data.units.loc[data.units["level"] == "division", ["unit_id", "name"]]
        c = c.merge(pairs, on="unit_id").merge(
            divs, left_on="ancestor_id", right_on="unit_id", suffixes=("", "_division")
        )
        key = "name"
    else:
        c["band"] = c["target_working_days"].astype(int).astype(str) + " working days"
        key = "band"
    g = c.groupby(key).agg(
        received=("complaint_id", "count"),
        acknowledged_in_3=("ack_in_3", "mean"),
        closed=("is_closed", "sum"),
        closed_in_target=("in_target", "sum"),
        median_working_days=("working_days", "median"),
        reopened=("reopened", "sum"),
        ombudsman=("ombudsman", "sum"),
    )
    g["acknowledged_in_3"] = (100 * g["acknowledged_in_3"]).round(1)
    g["pct_in_target"] = (100 * g["closed_in_target"] / g["closed"].replace(0, np.nan)).round(1)
    return g.reset_index().rename(columns={key: "group"})
