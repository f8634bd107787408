"""Which of the trust's agreed targets applies to a chart.

Targets are data, not code: the ``targets`` table (docs/data-model.md) holds each target with
its scope, value, first month and who set it. :func:`target_for` picks the one that covers a
chart: the most specific row (the nearest unit first, then a row naming the chart's setting
over one that does not), and of those the latest that took effect by the report month. A
measure has no target unless a row gives it one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pxassure.analysis.measures import Measure, latest_national, lineage
from pxassure.ingest.columns import SETTINGS


@dataclass(frozen=True)
class Target:
    """The target a chart is judged against, and where it comes from."""

    value: float
    set_by: str
    from_month: pd.Timestamp
    covers: str  # e.g. "the whole trust", "Medicine", "inpatient wards of Medicine"
    basis: str  # "value" or "national"

    def describe(self) -> str:
        """Where the target comes from, for a chart's description and the method note."""
        what = "the latest national figure for the setting" if self.basis == "national" else "a fixed figure"
        return f"{what}, set by {self.set_by} for {self.covers} from {self.from_month:%Y-%m}"


def covering(rows: pd.DataFrame, unit_id: str, units: pd.DataFrame) -> pd.DataFrame:
    """Rows (with ``unit_id`` and ``from_month``) that cover ``unit_id``: trust-wide rows (no unit)
    and rows for the unit or any unit above it; with ``_depth`` (nearer units are deeper, 0 for
    trust-wide) and ``_from`` (the month as a date) for ranking the most specific, latest first."""
    line = lineage(units, unit_id)  # unit itself, then upwards
    depth = {u: len(line) - i for i, u in enumerate(line)}
    rows = rows[rows["unit_id"].isna() | rows["unit_id"].isin(line)]
    return rows.assign(_depth=rows["unit_id"].map(depth).fillna(0), _from=pd.to_datetime(rows["from_month"]))


def target_for(
    measure: Measure,
    unit_id: str,
    setting: str | None,
    month: pd.Timestamp,
    targets: pd.DataFrame,
    units: pd.DataFrame,
    national: pd.DataFrame,
) -> Target | None:
    """The target for ``measure`` on ``unit_id``'s chart in ``month``, or None.

    ``setting`` is the chart's service type (a ward's own, or the one setting pooled into a
    division or trust figure; None for a mix of settings, which only whole-setting rows then
    cannot cover). A row with basis "national" takes the national figure for the setting,
    so it gives no target where the setting is mixed or has no national figure.
    """
    if targets is None or targets.empty:
        return None
    rows = targets[(targets["measure"] == measure.id) & (pd.to_datetime(targets["from_month"]) <= month)]
    if rows.empty:
        return None
    rows = covering(rows, unit_id, units)
    rows = rows[rows["service_type"].isna() | (rows["service_type"] == setting)]
    if rows.empty:
        return None
    ranked = rows.assign(_setting=rows["service_type"].notna()).sort_values(
        ["_depth", "_setting", "_from"], ascending=False
    )
    row = ranked.iloc[0]
    if row["basis"] == "national":
        if measure.national is None or setting is None or national is None or national.empty:
            return None
        value = latest_national(national, setting, month, measure.national)
        if value is None:
            return None
    else:
        value = float(row["value"])
    return Target(
        value=value,
        set_by=str(row["set_by"]),
        from_month=pd.Timestamp(row["from_month"]),
        covers=_covers(row, units),
        basis=str(row["basis"]),
    )


def _covers(row: pd.Series, units: pd.DataFrame) -> str:
    names = units.set_index("unit_id")["name"]
    where = "the whole trust" if pd.isna(row["unit_id"]) else str(names.get(row["unit_id"], row["unit_id"]))
    if pd.isna(row["service_type"]):
        return where
    setting = SETTINGS.get(row["service_type"], row["service_type"])
    return f"{setting} services of {where}" if not pd.isna(row["unit_id"]) else f"{setting} services"
