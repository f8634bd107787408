"""The Making Data Count rules, one small function each, and Anhøj's run-chart limits.

The rules work on flat arrays of observed points split into *segments* (one series' period
between rebases): ``seg`` holds each point's segment id, non-decreasing.
"""

from __future__ import annotations

import functools
import math

import numpy as np


def run_lengths(key: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Length of the maximal run of equal ``key`` (within a segment) that each point is in."""
    n = len(key)
    if n == 0:
        return np.zeros(0, dtype=int)
    breaks = np.ones(n, dtype=bool)
    breaks[1:] = (key[1:] != key[:-1]) | (seg[1:] != seg[:-1])
    run_id = np.cumsum(breaks) - 1
    return np.bincount(run_id)[run_id]


def rule_outside_limits(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Points above the upper or below the lower process limit."""
    with np.errstate(invalid="ignore"):
        return (y > upper) | (y < lower)


def rule_shift(side: np.ndarray, seg: np.ndarray, length: int) -> np.ndarray:
    """Points in a run of ``length`` or more on one side of the centre line.

    A point exactly on the centre (side 0) breaks the run. Every point of a qualifying
    run is marked, as NHSRplotthedots marks the six points before the one that fires.
    """
    runs = run_lengths(side, seg)
    return (side != 0) & (runs >= length)


def rule_trend(y: np.ndarray, seg: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in a run of ``length`` or more strictly increasing or decreasing values.

    A tie breaks the run. Returns (flag, direction) where direction is +1 or -1 for flagged
    points: the move out of the point when the next point is flagged too, else the move into it
    (as NHSRplotthedots 0.2.2's ``ptd_special_cause_type``, so the peak between a rising and a
    falling trend takes the falling trend's direction).
    """
    n = len(y)
    step = np.zeros(n)
    if n > 1:
        same = seg[1:] == seg[:-1]
        step[1:] = np.where(same, np.sign(y[1:] - y[:-1]), 0)
    # step[i] is the move into point i; a run of k equal non-zero steps spans k + 1 points.
    runs = run_lengths(step, seg)
    ends_trend = (step != 0) & (runs >= length - 1)  # the move into i is part of a trend
    starts_trend = np.zeros(n, dtype=bool)
    starts_trend[:-1] = ends_trend[1:]  # the move out of i is part of a trend
    flagged = ends_trend | starts_trend
    nxt = np.zeros(n)
    nxt[:-1] = step[1:]
    next_flagged = np.zeros(n, dtype=bool)
    next_flagged[:-1] = flagged[1:]
    direction = np.where(flagged & next_flagged & (nxt != 0), nxt, np.where(ends_trend, step, nxt))
    return flagged, np.where(flagged, direction, 0.0)


def rule_two_of_three(close: np.ndarray, side: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Close-to-limit points in any window of three where two or more are close and all
    three lie on the same side of the centre line. Only the close points are marked."""
    n = len(close)
    hit = np.zeros(n, dtype=bool)
    if n < 3:
        return hit
    c = close.astype(int)
    window_close = c[:-2] + c[1:-1] + c[2:]
    window_side = side[:-2] + side[1:-1] + side[2:]
    window_seg = seg[:-2] == seg[2:]
    qualifies = window_seg & (window_close >= 2) & (np.abs(window_side) == 3)
    for offset in range(3):  # each point is in up to three windows
        hit[offset : n - 2 + offset] |= qualifies
    return hit & close


#: A count averaging fewer events than this a month is rare: its c chart's months with none sit
#: under the centre line by the floor of the scale, not by a change in the process.
RARE_BELOW = 1.0


def sparse_periods(chart: str, y: np.ndarray, seg: np.ndarray, nseg: int) -> np.ndarray:
    """Per period, whether a c chart's counts are so sparse that the run rules do not apply: a
    centre (mean) below :data:`RARE_BELOW`. A run of empty months is then ordinary, no shift (a
    rare event's chart is the g or t chart: the time between events)."""
    if chart != "c" or not len(y):
        return np.zeros(nseg, dtype=bool)
    total = np.bincount(seg, weights=y, minlength=nseg)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / np.bincount(seg, minlength=nseg) < RARE_BELOW


def anhoj_longest_run_limit(n: int) -> int:
    """Longest run of points on one side of the median expected by chance."""
    return int(round(np.log2(n))) + 3 if n > 0 else 0


@functools.cache
def anhoj_crossings_limit(n: int) -> int:
    """Fewest median crossings expected by chance: the 5th percentile of Binomial(n-1, 0.5), the
    least k whose cumulative probability reaches 1/20. Counted exactly in whole numbers (scipy.stats
    gives the same, tests/test_spc_reference.py; importing it took 0.7 s in every process that
    draws a chart)."""
    if n <= 1:
        return 0
    trials = n - 1
    below = 0  # ways to cross the median k times or fewer, out of 2**trials
    for k in range(trials):
        below += math.comb(trials, k)
        if 20 * below >= 2**trials:
            return k
    return trials  # every way counted: the whole distribution
