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


#: How many months apart a committee of each cadence meets: it should hear a story in every such span.
MONTHS_APART = {"monthly": 1, "bimonthly": 2, "quarterly": 3}


def months_without_story(
    stories: pd.DataFrame, meeting: str, month: pd.Timestamp, every: int = 1
) -> list[pd.Timestamp]:
    """The spans of ``every`` months (the meeting's cadence: see :data:`MONTHS_APART`), counted back
    from ``month`` over the last year, with no story recorded at ``meeting``, each by its last
    month; only spans that start from the first story the trust recorded at any meeting, so a
    record that starts later is no gap, and a board meeting every other month is not faulted for
    the month it does not meet."""
    if stories.empty:
        return []
    first = _heard(stories).min().to_period("M")
    at_meeting = set(_heard(stories[stories["meeting"] == meeting]).dt.to_period("M"))
    last = month.to_period("M")
    ends = [last - k for k in range(0, STORY_LOOKBACK_MONTHS, every)]
    return [
        end.to_timestamp()
        for end in reversed(ends)
        if end - (every - 1) >= first and not any(end - k in at_meeting for k in range(every))
    ]


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
