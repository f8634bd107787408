"""Involvement, "you said, we did" and the strategy's work plan, as the trust recorded them.

Pure functions on the trust's own records. Participants' satisfaction is judged against the
strategy's commitment (90 % by default; a committee's parameters file may set its own) only
where enough people were asked; a quarter with no one asked has no figure, never 0 %.
"""

from __future__ import annotations

import pandas as pd

#: Fewer participants asked than this in a quarter: the percentage satisfied is not shown.
MINIMUM_ASKED = 5
#: The involvement programme's commitment: at least this % of participants satisfied.
SATISFACTION_COMMITMENT = 90.0
#: How far back a paper looks at involvement and "you said, we did" (months, to the report month).
LOOKBACK_MONTHS = 12


def quarter_of(month: pd.Timestamp) -> pd.Period:
    """The calendar quarter holding ``month``."""
    return pd.Timestamp(month).to_period("Q")


def within(frame: pd.DataFrame, column: str, month: pd.Timestamp, months: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """Rows dated in the ``months`` calendar months ending with ``month``."""
    at = pd.to_datetime(frame[column]).dt.to_period("M")
    end = pd.Timestamp(month).to_period("M")
    return frame[(at > end - months) & (at <= end)]


def satisfaction_by_quarter(
    activities: pd.DataFrame, month: pd.Timestamp, quarters: int = 4, commitment: float = SATISFACTION_COMMITMENT
) -> pd.DataFrame:
    """Participants' satisfaction in each of the last ``quarters`` calendar quarters to ``month``
    (the latest may be part of a quarter): activities, participants, asked, satisfied, percent
    (None where fewer than :data:`MINIMUM_ASKED` were asked), meets (None where no percent),
    to_date (the quarter is not over by the report month)."""
    last = quarter_of(month)
    span = pd.period_range(last - (quarters - 1), last, freq="Q")
    held = pd.to_datetime(activities["held_on"])
    mine = activities[held.dt.to_period("M") <= pd.Timestamp(month).to_period("M")].copy()
    mine["quarter"] = pd.to_datetime(mine["held_on"]).dt.to_period("Q")
    counts = ["participants", "satisfaction_asked", "satisfied"]
    g = mine.groupby("quarter")[counts].sum(min_count=1).reindex(span)
    g["activities"] = mine.groupby("quarter").size().reindex(span).fillna(0).astype(int)
    out = g.rename_axis("quarter").reset_index().rename(columns={"satisfaction_asked": "asked"})
    enough = out["asked"].fillna(0) >= MINIMUM_ASKED
    out["percent"] = (100 * out["satisfied"] / out["asked"]).where(enough)
    out["meets"] = [None if pd.isna(p) else bool(p >= commitment) for p in out["percent"]]
    out["to_date"] = out["quarter"].map(lambda q: q.end_time.to_period("M") > pd.Timestamp(month).to_period("M"))
    return out[["quarter", "activities", "participants", "asked", "satisfied", "percent", "meets", "to_date"]]


def reach(activities: pd.DataFrame, month: pd.Timestamp, months: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """The groups the activities of the last ``months`` reached: group, activities, latest (date);
    most often reached first. Activities with no group recorded add nothing."""
    recent = within(activities, "held_on", month, months)
    groups = recent.assign(group=recent["groups_reached"].str.split("|")).explode("group")
    groups = groups[groups["group"].notna() & (groups["group"].str.strip() != "")]
    groups["group"] = groups["group"].str.strip()
    g = groups.groupby("group").agg(activities=("activity_id", "nunique"), latest=("held_on", "max")).reset_index()
    return g.sort_values(["activities", "group"], ascending=[False, True]).reset_index(drop=True)


def by_kind(activities: pd.DataFrame, month: pd.Timestamp, months: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """Activities of the last ``months`` by kind: kind, activities, participants, changed (how
    many record a change that resulted)."""
    recent = within(activities, "held_on", month, months)
    g = recent.groupby("kind").agg(
        activities=("activity_id", "nunique"),
        participants=("participants", lambda s: s.sum(min_count=1)),
        changed=("changed", lambda s: int(s.notna().sum())),
    )
    return g.reset_index().sort_values(["activities", "kind"], ascending=[False, True]).reset_index(drop=True)


def work_plan(commitments: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """Each commitment's latest status reported by ``month``, with the status reported before it:
    commitment_id, commitment, owner, due, milestone, reported_month, status, previous, evidence;
    off track first, then at risk, on track and complete."""
    reported = commitments[pd.to_datetime(commitments["reported_month"]) <= month]
    if reported.empty:
        return reported.assign(previous=pd.Series(dtype=object))
    ordered = reported.sort_values(["commitment_id", "reported_month"])
    previous = ordered.groupby("commitment_id")["status"].shift(1)
    latest = ordered.assign(previous=previous).groupby("commitment_id").tail(1)
    rank = {"off track": 0, "at risk": 1, "on track": 2, "complete": 3}
    latest = latest.sort_values(["status", "commitment_id"], key=lambda c: c.map(rank) if c.name == "status" else c)
    return latest.reset_index(drop=True)


def changes_made(items: pd.DataFrame, month: pd.Timestamp, months: int = LOOKBACK_MONTHS) -> pd.DataFrame:
    """ "You said, we did" items recorded in the last ``months``, latest first."""
    recent = within(items, "recorded_on", month, months)
    return recent.sort_values(["recorded_on", "item_id"], ascending=[False, True]).reset_index(drop=True)


def recent(activities: pd.DataFrame, units: list[str], month: pd.Timestamp, months: int = 3) -> pd.DataFrame:
    """The activities for ``units`` held in the ``months`` to ``month``, earliest first (what a
    paper's cover says of how patients and the public were involved)."""
    mine = within(activities[activities["unit_id"].isin(units)], "held_on", month, months)
    return mine.sort_values(["held_on", "activity_id"]).reset_index(drop=True)
