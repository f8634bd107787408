"""The demo trust: deterministic, realistic, with its planted signals in the data."""

import hashlib

import pandas as pd
import pytest

from pxassure.analysis import measures
from pxassure.errors import ParameterError
from pxassure.ingest import demo
from pxassure.ingest.store import Store


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_generator_is_deterministic(tmp_path, demo_inputs):
    demo.generate(tmp_path / "again")
    assert _digest(tmp_path / "again") == _digest(demo_inputs)


def test_seed_changes_data(tmp_path):
    a = demo.generate(tmp_path / "a", demo.Scale(wards=12, months=13, seed=1))
    b = demo.generate(tmp_path / "b", demo.Scale(wards=12, months=13, seed=2))
    assert a["fft_monthly"].read_bytes() != b["fft_monthly"].read_bytes()


def test_scale_knobs(tmp_path):
    paths = demo.generate(tmp_path, demo.Scale(wards=300, months=60))
    units = pd.read_csv(paths["org_units"], dtype=str)
    assert (units["level"] == "ward").sum() == 300 and units["unit_id"].is_unique
    assert pd.read_csv(paths["fft_monthly"], dtype=str)["month"].nunique() == 60
    with pytest.raises(ParameterError, match="wards must be between 12 and 300"):
        demo.Scale(wards=301)
    with pytest.raises(ParameterError, match="months must be between 13 and 120"):
        demo.Scale(months=12)


def test_ten_years_of_demo_data_build_a_database(tmp_path):
    """`pxassure demo --months 120` (the benchmark's scale knob) writes a database reports can read."""
    from pxassure.cli import main
    from pxassure.reports import ward_report

    db = tmp_path / "ten.duckdb"
    assert main(["demo", "--months", "120", "--wards", "12", "--database", str(db)]) == 0
    with Store(db, read_only=True) as s:
        months = s.query("SELECT count(DISTINCT month) AS n FROM fft_monthly")["n"].iloc[0]
        ward = s.query("SELECT min(unit_id) AS u FROM org_units WHERE level = 'ward'")["u"].iloc[0]
    assert months == 120
    r = ward_report(db, unit_id=ward)
    assert len(r.charts[0].result.points) == 120


def test_structure_and_magnitudes(demo_db):
    with Store(demo_db, read_only=True) as s:
        units = s.table("org_units")
        fft = s.table("fft_monthly")
        complaints = s.table("complaints")
    assert (units["level"] == "division").sum() == 4 and (units["level"] == "care_group").sum() == 12
    assert units["site"].dropna().nunique() == 3 and (units["level"] == "ward").sum() == 60
    assert set(units["service_type"].dropna()) == {
        "inpatient",
        "day_case",
        "ae",
        "maternity",
        "outpatients",
        "community",
    }
    assert fft["month"].nunique() == 36
    inpatient = fft[fft["unit_id"].isin(units.loc[units["service_type"] == "inpatient", "unit_id"])]
    pos = measures.fft_positive(inpatient)
    assert 0.90 <= pos["numerator"].sum() / pos["denominator"].sum() <= 0.97
    rate = measures.fft_response_rate(fft)
    ratio = rate["numerator"] / rate["denominator"]
    assert ratio.quantile(0.05) >= 0.07 and ratio.quantile(0.95) <= 0.45
    per_ward_month = (
        complaints.assign(m=pd.to_datetime(complaints["received"]).dt.to_period("M")).groupby(["unit_id", "m"]).size()
    )
    assert per_ward_month.quantile(0.9) <= 4


def test_planted_signals_are_in_the_data(demo_db):
    with Store(demo_db, read_only=True) as s:
        fft = measures.fft_positive(s.table("fft_monthly"))
        complaints = s.table("complaints")
        scores = s.table("framework_scores")
    ward = fft[fft["unit_id"] == demo.PLANTED["deteriorating_ward"]].sort_values("month")
    rate = ward["numerator"] / ward["denominator"]
    assert rate.iloc[:-8].mean() - rate.iloc[-3:].mean() > 0.10
    spike = complaints[complaints["unit_id"] == demo.PLANTED["complaints_spike_ward"]]
    assert spike.groupby(pd.to_datetime(spike["received"]).dt.to_period("M")).size().max() == 14
    trust = scores[scores["unit_id"] == demo.TRUST_ID].sort_values("assessed_month")
    drop = trust[trust["requirement"] == demo.PLANTED["score_drop_requirement"]]["score"].tolist()
    assert drop[-2:] == [4, 2]
    assert set(trust[trust["requirement"] == demo.PLANTED["contradicted_requirement"]]["score"]) == {5}
