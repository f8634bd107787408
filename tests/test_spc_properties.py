"""Invariants of the SPC engine, checked on many generated series (hypothesis)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pxassure.analysis import spc

values = st.lists(
    st.floats(-1000, 1000, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)), min_size=13, max_size=40
)
presets = st.sampled_from(["mdc", "ptd"])
COLS = ["centre", "lower", "upper", "lower_2s", "upper_2s"]


@settings(max_examples=60, deadline=None)
@given(before=values, after=values, other=values, preset=presets)
def test_period_after_rebase_does_not_depend_on_data_before(before, after, other, preset):
    a = spc.xmr(before + after, rebase=[len(before)], preset=preset).points.iloc[len(before) :]
    b = spc.xmr(other + after, rebase=[len(other)], preset=preset).points.iloc[len(other) :]
    np.testing.assert_allclose(a[COLS].to_numpy(float), b[COLS].to_numpy(float), rtol=1e-9, atol=1e-9)
    assert a["rule"].tolist() == b["rule"].tolist()
    assert a["point_type"].tolist() == b["point_type"].tolist()


@settings(max_examples=60, deadline=None)
@given(y=values, shift=st.floats(-500, 500).map(lambda x: round(x, 2)), preset=presets)
def test_adding_a_constant_shifts_centre_and_limits(y, shift, preset):
    a = spc.xmr(y, preset=preset).points
    b = spc.xmr([v + shift for v in y], preset=preset).points
    np.testing.assert_allclose(b[COLS].to_numpy(float), a[COLS].to_numpy(float) + shift, rtol=1e-7, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(y=values, scale=st.floats(0.01, 100).map(lambda x: round(x, 3)), preset=presets)
def test_scaling_scales_centre_and_limits(y, scale, preset):
    a = spc.xmr(y, preset=preset).points
    b = spc.xmr([v * scale for v in y], preset=preset).points
    np.testing.assert_allclose(b[COLS].to_numpy(float), a[COLS].to_numpy(float) * scale, rtol=1e-7, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(y=values)
def test_every_point_gets_exactly_one_type(y):
    p = spc.xmr(y).points
    assert p["point_type"].isin(spc.POINT_TYPES).all()
    special = p["point_type"] != "common_cause"
    assert (p["rule"].notna() == special).all()


@settings(max_examples=40, deadline=None)
@given(n=st.lists(st.integers(20, 5000), min_size=13, max_size=30), data=st.data())
def test_p_chart_limits_stay_in_zero_one(n, data):
    y = [data.draw(st.integers(0, k)) for k in n]
    p = spc.attribute("p", y, n).points
    assert (p["lower"] >= 0).all() and (p["upper"] <= 1).all()
    assert (p["lower"] <= p["centre"]).all() and (p["centre"] <= p["upper"]).all()
