"""What the trust-wide committee papers share: each measure charted trust-wide and for each
division, and complaints handling against the agreed response times."""

from __future__ import annotations

import pandas as pd

from pxassure.analysis import complaints, measures
from pxassure.analysis.measures import Measure
from pxassure.reports import committees
from pxassure.reports.charting import Chart, charts_for
from pxassure.reports.data import ReportData


def trust_and_division_charts(data: ReportData, measure_list: list[Measure], options, missing: list) -> list[Chart]:
    """Every listed measure trust-wide and for every division (by name), charted; what cannot be
    is added to ``missing``. The trust-wide rows are what the board is told, so every committee
    on the way up sees them too."""
    divisions = committees.divisions_in_order(data.units)["unit_id"]
    return charts_for(data, measure_list, [data.trust["unit_id"], *divisions], options, missing)


def complaints_performance(data: ReportData, *, by_division: bool = False, months: int = 12) -> pd.DataFrame:
    """Complaints handling over the last ``months``, per target band or per division."""
    since = data.month - pd.DateOffset(months=months - 1)
    c = data.complaints[pd.to_datetime(data.complaints["received"]) >= since]
    if by_division:
        pairs = measures.ancestors(data.units)
        divs = data.units.loc[data.units["level"] == "division", ["unit_id", "name"]]
        c = c.merge(pairs, on="unit_id").merge(
            divs, left_on="ancestor_id", right_on="unit_id", suffixes=("", "_division")
        )
        return complaints.performance(c, "name")
    c = c.assign(band=c["target_working_days"].astype(int).astype(str) + " working days")
    return complaints.performance(c, "band")
