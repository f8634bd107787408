"""The committee report models on the demo trust (the notebooks are run in test_pack)."""

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import funnel
from pxassure.errors import CommitteeError, ParameterError
from pxassure.ingest import demo
from pxassure.reports import division_report, patient_experience_report, quality_report

WARD = demo.PLANTED["deteriorating_ward"]


@pytest.fixture(scope="module")
def pec(demo_db):
    return patient_experience_report(demo_db)


def test_pec_measures_trust_wide_and_by_division(pec):
    s = pec.summary
    assert set(s["unit_id"]) == {demo.TRUST_ID, *demo.DIVISIONS}
    assert {c.unit_id for c in pec.grid_charts()} == set(demo.DIVISIONS)  # small multiples: divisions only
    sur = s[(s["unit_id"] == demo.PLANTED["improving_division"]) & (s["measure"] == "FFT % positive")]
    assert sur["variation"].iloc[0] == "improvement_high"


def test_pec_response_rates_flag_inpatients_below_national(pec):
    rr = pec.response_rates.set_index("setting")
    assert not rr.loc["Inpatient", "meets_national"]


def test_pec_actions_overdue_first(pec):
    a = pec.actions
    assert a["overdue"].iloc[0] and not a["overdue"].iloc[-1]
    assert a["overdue"].is_monotonic_decreasing


def test_pec_trends_are_fdr_adjusted(pec):
    t = pec.trends.dropna(subset=["p_value"])
    assert (t["p_adjusted"] >= t["p_value"] - 1e-12).all()
    assert t.loc[t["unit_id"] == WARD, "significant"].iloc[0]


def test_quality_report_heatmap_and_triangulation(demo_db):
    q = quality_report(demo_db, committee="quality_committee")
    assert q.layer == "board_quality" and q.heatmap.shape == (57, 12)
    assert set(q.correlations["column"]) == {"harm_incidents_rate", "rn_fill_rate"}  # params: triangulate
    assert WARD in set(q.triangulation["unit_id"])
    # the planted ward has the lowest nurse fill rate: triangulation shows it
    assert q.triangulation.sort_values("rn_fill_rate")["unit_id"].iloc[0] == WARD
    with pytest.raises(CommitteeError, match="committee 'board' is not rendered by notebooks/quality_committee.ipynb"):
        quality_report(demo_db, committee="board")


def test_division_report_rejects_a_ward(demo_db):
    with pytest.raises(ParameterError, match="is a ward, not a division"):
        division_report(demo_db, unit_id=WARD)


def test_funnel_limits_by_hand():
    f = pd.DataFrame({"numerator": [90, 45, 10], "denominator": [100, 50, 20]})
    out = funnel.funnel(f, kind="proportion", multiply=100)
    p = 145 / 170
    assert out["centre"].iloc[0] == pytest.approx(100 * p)
    assert out["upper_95"].iloc[1] == pytest.approx(100 * min(1, p + 1.959964 * np.sqrt(p * (1 - p) / 50)))
    assert out["lower_998"].iloc[2] == pytest.approx(100 * (p - 3.090232 * np.sqrt(p * (1 - p) / 20)))
    assert out["position"].iloc[2] == "below_998"
    rates = funnel.funnel(pd.DataFrame({"numerator": [2, 30], "denominator": [1000, 1000]}), kind="rate", multiply=1000)
    assert rates["position"].tolist() == ["below_998", "above_998"]


def test_unknown_unit_stops_with_a_clear_message(demo_db):
    from pxassure.reports import ward_report

    with pytest.raises(ParameterError, match="unknown unit_id 'XYZ': not in org_units"):
        ward_report(demo_db, unit_id="XYZ")
    with pytest.raises(ParameterError, match="unknown unit_id 'NOPE'"):
        division_report(demo_db, unit_id="NOPE")
    with pytest.raises(ParameterError, match="unit_id is required"):
        division_report(demo_db)


def test_report_models_are_frozen_once_built(pec):
    """Nothing changes a paper's model after it is built: what the notebook renders is what was built."""
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        pec.charts = []
    with pytest.raises(dataclasses.FrozenInstanceError):
        pec.charts[0].unit_name = "elsewhere"
    with pytest.raises(dataclasses.FrozenInstanceError):
        pec.charts[0].result.flags = []
