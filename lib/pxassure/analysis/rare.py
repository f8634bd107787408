"""Rare events: when a monthly count is too sparse for a c or u chart, and the days between events.

A c chart of a count averaging fewer than one a month reads every month with none as good news
and has no lower limit to speak of; Making Data Count, qicharts2 and PowerBI-SPC chart such
events by the time between them instead (g and t charts, :mod:`pxassure.analysis.spc`). A measure
declares how it may be charted when rare (:class:`RareForm`): from each event's date, or, where
its table holds only monthly counts, as counts with no run rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pxassure.analysis.spc.rules import RARE_BELOW

__all__ = ["RARE_BELOW", "Gaps", "RareForm", "days_between", "event_dates", "is_rare", "per_month"]

#: The store's tables as a report sees them, by name.
Tables = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class RareForm:
    """How a measure's events are charted when they are rare.

    ``events`` names the events in words ("complaints"); ``dated`` gives each event's unit and
    date, (table, date column), or None where the table holds only monthly counts, and then
    ``undated`` says so in words for the paper."""

    events: str
    dated: tuple[str, str] | None = None
    undated: str = ""


@dataclass(frozen=True)
class Gaps:
    """Days between a unit's successive events up to the end of a period."""

    days: pd.Series  # days since the event before, indexed by each later event's date ("YYYY-MM-DD")
    last: pd.Timestamp | None  # the latest event's date
    days_since: int | None  # days from it to the end of the period


def is_rare(numerators: pd.Series) -> bool:
    """True when a monthly count averages fewer than :data:`RARE_BELOW` events over the months
    with a figure (a c chart's centre line below one)."""
    return bool(per_month(numerators) < RARE_BELOW)  # False where there is no figure (NaN)


def event_dates(tables: Tables, form: RareForm, unit_ids: list[str]) -> pd.Series:
    """The dates of ``unit_ids``' events, oldest first (empty where the form holds no dates)."""
    if form.dated is None:
        return pd.Series([], dtype="datetime64[ns]")
    table, column = form.dated
    t = tables[table]
    dates = pd.to_datetime(t.loc[t["unit_id"].isin(unit_ids), column]).dropna()
    return dates.sort_values().reset_index(drop=True)


def days_between(dates: pd.Series, through: pd.Timestamp) -> Gaps:
    """Days between successive events up to ``through`` (the period's last day), with the last
    event's date and the days since it. Two events on one day are 0 days apart."""
    dates = pd.Series(pd.to_datetime(dates)).sort_values()
    dates = dates[dates <= through].reset_index(drop=True)
    if dates.empty:
        return Gaps(pd.Series([], dtype=float, name="days"), None, None)
    gaps = dates.diff().dt.days.iloc[1:].astype(float)
    labels = pd.Index(dates.iloc[1:].dt.strftime("%Y-%m-%d"), name="event")
    days = pd.Series(gaps.to_numpy(), index=labels, name="days")
    last = pd.Timestamp(dates.iloc[-1])
    return Gaps(days, last, int((through.normalize() - last.normalize()).days))


def per_month(numerators: pd.Series) -> float:
    """Mean events a month over the months with a figure (NaN when there are none)."""
    seen = pd.to_numeric(numerators, errors="coerce").dropna()
    return float(seen.mean()) if len(seen) else np.nan
