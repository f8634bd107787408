"""What an SPC chart returns: its points, its flags (codes, not words) and its icons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis.options import SPCOptions

#: What the rules make of each point of a chart with limits; points of a run chart (too few
#: points for limits) have no type at all (None), so that nothing calls them common cause.
POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
RULES = ("outside_limits", "trend", "two_of_three", "shift")  # in order of precedence
VARIATION_ICONS = (
    "common_cause",
    "improvement_high",
    "improvement_low",
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
)
ASSURANCE_ICONS = ("consistent_pass", "consistent_fail", "inconsistent")
#: The direction of improvement, and its sign in the arrays of the core.
IMPROVEMENT = {"increase": 1, "decrease": -1, "neutral": 0}
CHARTS = ("xmr", "p", "pp", "u", "up", "c", "g", "t")
#: Charts of one value per point (no denominator): measurements, counts, and the times or
#: opportunities between rare events.
SINGLE_VALUE_CHARTS = ("xmr", "c", "g", "t")

#: Why a chart is not judged in full, as codes; :func:`pxassure.publish.vocabulary.flag_text`
#: says each in words.
FLAG_CODES = ("pending_rebase", "missing", "small_denominator", "too_few_points", "sparse", "run_chart")


@dataclass(frozen=True)
class Flag:
    """Something about a chart its reader should know: ``code`` (one of :data:`FLAG_CODES`),
    ``labels`` (the periods concerned, at most five), ``count`` (how many) and ``needed`` (the
    number of points or the denominator the rule asks for)."""

    code: str
    labels: tuple = ()
    count: int = 0
    needed: int | None = None


@dataclass(frozen=True)
class RunChartResult:
    """A median run chart judged by Anhøj's rules (unusually long run, too few crossings)."""

    median: float
    useful_points: int
    longest_run: int
    longest_run_limit: int
    crossings: int
    crossings_limit: int

    @property
    def long_run_signal(self) -> bool:
        return self.longest_run > self.longest_run_limit

    @property
    def crossings_signal(self) -> bool:
        return self.crossings < self.crossings_limit

    @property
    def signal(self) -> bool:
        """True when either Anhøj rule signals non-random variation."""
        return self.long_run_signal or self.crossings_signal


@dataclass(frozen=True)
class SPCResult:
    """One chart: per-point results, icons, and what method produced them."""

    points: pd.DataFrame
    chart: str
    improvement: str
    target: float | None
    options: SPCOptions
    multiply: float = 1
    period_starts: list[int] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    run: RunChartResult | None = None
    #: Position of a recorded rebase whose period is still too short for its own limits: its
    #: points are judged against the limits of the period before (see ``limits.pending_rebase``).
    pending_rebase: int | None = None
    #: The latest period is a c chart of sparse counts, so the run rules are off (``rules.sparse_periods``).
    sparse: bool = False

    @property
    def has_limits(self) -> bool:
        """False when the latest period is too short and only a run chart is shown."""
        last = self.points["upper"].iloc[self.period_starts[-1] :] if len(self.points) else []
        return bool(len(last)) and bool(np.isfinite(last).any())

    @property
    def last_point(self) -> pd.Series | None:
        """The last observed point not suppressed as small (None when there is none)."""
        # Positions found on the arrays, not by filtering the frame: each chart's summary row,
        # icons and description ask for it, several times a chart.
        p = self.points
        assessed = p["value"].notna().to_numpy()
        if "small" in p:
            assessed = assessed & ~p["small"].to_numpy(dtype=bool)
        where = np.flatnonzero(assessed)
        return p.iloc[where[-1]] if len(where) else None

    @property
    def variation(self) -> str | None:
        """The variation icon: the type of the last observed point (None without limits)."""
        last = self.last_point
        if last is None or not self.has_limits:
            return None
        return variation_icon(last["point_type"], self.improvement)

    @property
    def assurance(self) -> str | None:
        """The assurance icon against the target, from the last observed point's limits."""
        last = self.last_point
        if last is None or not self.has_limits:
            return None
        return assurance_icon(self.target, self.improvement, last["lower"], last["upper"])


@dataclass(frozen=True)
class BatchResult:
    """Many series at once: ``points`` (one row per input row) and ``summary`` (one row per series)."""

    points: pd.DataFrame
    summary: pd.DataFrame
    options: SPCOptions


def variation_icon(point_type: str | None, improvement: str) -> str | None:
    """The Making Data Count variation icon for the last point's type and the better direction."""
    if point_type is None:
        return None
    if point_type == "common_cause":
        return "common_cause"
    if point_type == "special_cause_neutral_high":
        return "neutral_high"
    if point_type == "special_cause_neutral_low":
        return "neutral_low"
    high = improvement == "increase"
    if point_type == "special_cause_improvement":
        return "improvement_high" if high else "improvement_low"
    return "concern_low" if high else "concern_high"


def assurance_icon(target: Any, improvement: str, lower: float, upper: float) -> str | None:
    """consistent_pass / consistent_fail / inconsistent; None without a target or with neutral direction."""
    if target is None or improvement == "neutral" or not np.isfinite(lower) or not np.isfinite(upper):
        return None
    increasing = improvement == "increase"
    if target > upper:
        return "consistent_fail" if increasing else "consistent_pass"
    if target < lower:
        return "consistent_pass" if increasing else "consistent_fail"
    return "inconsistent"  # includes a target exactly on a limit
