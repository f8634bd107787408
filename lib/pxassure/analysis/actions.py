"""When an action is overdue: one rule for every action a paper reports (responses to exceptions,
self-assessment actions, actions agreed from patient stories)."""

from __future__ import annotations

import pandas as pd


def overdue(due: pd.Series, still_open: pd.Series | bool, month: pd.Timestamp) -> pd.Series:
    """Actions still open whose due date falls before the report month ends (no due date: not overdue)."""
    return still_open & (pd.to_datetime(due) < month + pd.offsets.MonthEnd(0))
