"""Complaints handling and triangulation as pure functions on DataFrames (analysis layer)."""

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import complaints, triangulation
from pxassure.analysis.measures import get


def _complaint(cid, received, acknowledged, closed, target=25, group="A"):
    return {
        "complaint_id": cid,
        "received": received,
        "acknowledged": acknowledged,
        "closed": closed,
        "target_working_days": target,
        "reopened": False,
        "ombudsman": False,
        "group": group,
    }


def test_working_days_skip_weekends_and_open_complaints_are_not_in_target():
    frame = pd.DataFrame(
        [
            # Friday 2 Oct 2026 → Wednesday 7 Oct: three working days, acknowledged in time.
            _complaint("c1", "2026-10-02", "2026-10-07", "2026-10-09", target=5),
            # Four working days to acknowledge: late; closed in 6 working days against 5: late.
            _complaint("c2", "2026-10-02", "2026-10-08", "2026-10-12", target=5),
            _complaint("c3", "2026-10-02", None, None, target=5),  # open: neither in nor out of target
        ]
    )
    h = complaints.handled(frame).set_index("complaint_id")
    assert h["ack_in_3"].tolist() == [True, False, False]
    assert h.loc["c1", "working_days"] == 5 and h.loc["c2", "working_days"] == 6
    assert np.isnan(h.loc["c3", "working_days"]) and not h.loc["c3", "in_target"]
    row = complaints.performance(frame, "group").iloc[0]
    assert (row["received"], row["closed"], row["closed_in_target"]) == (3, 2, 1)
    assert row["acknowledged_in_3"] == pytest.approx(33.3) and row["pct_in_target"] == 50.0


def test_correlations_need_four_wards_and_follow_the_ranks():
    figures = pd.DataFrame(
        {"fft": [90, 85, 80, 75, 70], "harm": [1, 2, 3, 4, 5], "few": [1, 2, np.nan, np.nan, np.nan]}
    )
    out = triangulation.correlations(figures, "fft", [("Harm", "harm"), ("Few", "few")]).set_index("column")
    assert out.loc["harm", "rho"] == pytest.approx(-1.0) and out.loc["harm", "wards"] == 5
    assert out.loc["few", "wards"] == 2 and np.isnan(out.loc["few", "rho"])


def test_a_ward_figure_pools_a_ratio_rather_than_averaging_its_months():
    series = pd.DataFrame({"unit_id": ["w", "w"], "numerator": [9, 1], "denominator": [10, 10]})
    assert triangulation.ward_figure(series, get("fft_positive"))["w"] == pytest.approx(50.0)
