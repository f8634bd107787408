"""Listening and acting: which patient stories a meeting heard, and what became of their actions.

Every function reads only what the trust recorded. A month with no story recorded is reported as
such, and only from the first story the trust recorded (before that, the record says nothing); an
action is overdue only when its recorded status is not complete and its due date has passed.
"""

from __future__ import annotations

import pandas as pd

from pxassure.analysis import actions
from pxassure.periods import Period

#: How far back a paper looks for meetings without a story.
STORY_LOOKBACK_MONTHS = 12


def _heard(stories: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(stories["heard_on"])


def stories_heard(stories: pd.DataFrame, meeting: str, period: Period) -> pd.DataFrame:
    """The stories recorded as heard at ``meeting`` in ``period``, earliest first."""
    this = stories[(stories["meeting"] == meeting) & period.holds(_heard(stories))]
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


def open_story_actions(stories: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Actions agreed from stories heard before ``period`` that are not recorded as completed, with
    ``overdue`` (due before its last month ended); overdue first, then by due date."""
    before = stories[_heard(stories) < period.first]
    open_ = before[before["action"].notna() & (before["action_status"] != "completed")].copy()
    open_["overdue"] = actions.overdue(open_["action_due"], True, period.last)
    return open_.sort_values(["overdue", "action_due"], ascending=[False, True]).reset_index(drop=True)


def follow_ups_due(stories: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Stories whose follow-up is recorded as coming back in ``period``."""
    return stories[period.holds(stories["follow_up"])].sort_values("heard_on").reset_index(drop=True)
