"""Runs of special cause that suggest a process has changed while one set of limits spans the change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pxassure.analysis.spc.results import SPCResult

OPPOSITE = {
    "special_cause_improvement": "special_cause_concern",
    "special_cause_concern": "special_cause_improvement",
    "special_cause_neutral_high": "special_cause_neutral_low",
    "special_cause_neutral_low": "special_cause_neutral_high",
}


@dataclass(frozen=True)
class SustainedRun:
    """Consecutive special-cause points of one type: ``first`` and ``last`` are their labels."""

    first: Any
    last: Any
    points: int
    point_type: str


def sustained_runs(result: SPCResult) -> list[SustainedRun]:
    """Runs of special cause that suggest the process has changed while one set of limits spans
    the change, in the chart's latest period (before any pending rebase, which already records one).

    A run is consecutive judged points (gaps and small months skipped) of one special-cause type.
    It counts as sustained when it has at least ``minimum_points`` points (enough for limits of
    its own), or at least ``shift_length`` points while a run of the opposite type of that length
    also lies in the same period (the limits straddle two levels). Empty when there is none.
    """
    if not result.has_limits:
        return []
    opts = result.options
    p = result.points
    stop = result.pending_rebase if result.pending_rebase is not None else len(p)
    window = p.iloc[result.period_starts[-1] : stop]
    judged = window[window["value"].notna() & ~window["small"].astype(bool) & window["point_type"].notna()]
    runs: list[SustainedRun] = []
    types = judged["point_type"].tolist()
    labels = list(judged.index)
    i = 0
    while i < len(types):
        j = i
        while j + 1 < len(types) and types[j + 1] == types[i]:
            j += 1
        if types[i] in OPPOSITE:
            runs.append(SustainedRun(labels[i], labels[j], j - i + 1, types[i]))
        i = j + 1
    long = [r for r in runs if r.points >= opts.shift_length]
    present = {r.point_type for r in long}
    return [r for r in long if r.points >= opts.minimum_points or OPPOSITE[r.point_type] in present]
