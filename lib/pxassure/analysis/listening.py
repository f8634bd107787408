"""Listening and acting: which patient stories a meeting heard, and what became of their actions.

Every function reads only what the trust recorded. A month with no story recorded is reported as
such, and only from the first story the trust recorded (before that, the record says nothing); an
action is overdue only when its recorded status is not complete and its due date has passed.
"""

from __future__ import annotations

import pandas as pd

from pxassure.analysis import actions

#: How far back a paper looks for meetings without a story.
STORY_LOOKBACK_MONTHS = 12


def _heard(stories: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(stories["heard_on"])


def stories_heard(stories: pd.DataFrame, meeting: str, month: pd.Timestamp) -> pd.DataFrame:
    """The stories recorded as heard at ``meeting`` in ``month``, earliest first."""
    heard = _heard(stories)
    this = stories[(stories["meeting"] == meeting) & (heard.dt.to_period("M") == month.to_period("M"))]
    return this.sort_values("heard_on").reset_index(drop=True)


def months_without_story(stories: pd.DataFrame, meeting: str, month: pd.Timestamp) -> list[pd.Timestamp]:
    """Months of the last year, up to ``month``, with no story recorded at ``meeting`` — counted from
    the first story the trust recorded at any meeting, so a record that starts later is no gap."""
    if stories.empty:
        return []
    first = _heard(stories).min().to_period("M")
    start = max(first, (month - pd.DateOffset(months=STORY_LOOKBACK_MONTHS - 1)).to_period("M"))
    at_meeting = set(_heard(stories[stories["meeting"] == meeting]).dt.to_period("M"))
    span = pd.period_range(start, month.to_period("M"), freq="M")
    return [p.to_timestamp() for p in span if p not in at_meeting]


def open_story_actions(stories: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """Actions agreed from stories heard before ``month`` that are not recorded as completed, with
    ``overdue`` (due before the month ended); overdue first, then by due date."""
    before = stories[_heard(stories) < month.to_period("M").to_timestamp()]
    open_ = before[before["action"].notna() & (before["action_status"] != "completed")].copy()
    open_["overdue"] = actions.overdue(open_["action_due"], True, month)
    return open_.sort_values(["overdue", "action_due"], ascending=[False, True]).reset_index(drop=True)


def follow_ups_due(stories: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """Stories whose follow-up is recorded as coming back in ``month``."""
    due = pd.to_datetime(stories["follow_up"]).dt.to_period("M") == month.to_period("M")
    return stories[due].sort_values("heard_on").reset_index(drop=True)
