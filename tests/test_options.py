"""SPC rule options: one frozen object, validated once, used everywhere."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import spc
from pxassure.analysis.options import PRESETS, SPCOptions
from pxassure.errors import ParameterError, SPCOptionsError
from pxassure.publish import vocabulary

STABLE = [10, 12, 11, 13, 9, 11, 12, 10, 11, 13, 12, 10, 11, 12, 9, 11, 12, 13, 10, 11]


def test_built_from_a_preset_with_overrides():
    o = SPCOptions.from_preset("ptd", shift_length=6, trend_length=None)
    assert o.preset == "ptd" and o.shift_length == 6 and o.trend_length == PRESETS["ptd"]["trend_length"]
    assert o.screen_outliers is True and o.overrides() == {"shift_length": 6}
    assert SPCOptions.from_preset("mdc").overrides() == {}
    assert o.as_dict()["two_of_three"] == "between_2_and_3_sigma"


def test_frozen():
    o = SPCOptions.from_preset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        o.shift_length = 9
    assert o.with_overrides(shift_length=9).shift_length == 9 and o.shift_length == 7


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"preset": "nhs"}, "unknown SPC preset 'nhs'"),
        ({"shift_length": 5}, "shift_length=5 is not allowed: expected one of [6, 7, 8, 9]"),
        ({"shift_length": "7"}, "shift_length='7' is not allowed"),
        ({"trend_length": True}, "trend_length=True is not allowed"),
        ({"minimum_points": 1}, "minimum_points must be a whole number ≥ 2"),
        ({"minimum_points": 12.5}, "minimum_points must be a whole number ≥ 2"),
        ({"two_of_three": "sometimes"}, "two_of_three='sometimes' is not allowed"),
        ({"screen_outliers": "yes"}, "screen_outliers='yes' is not allowed"),
        ({"colour": "red"}, "unknown SPC option 'colour'"),
    ],
)
def test_every_bad_value_is_named(kwargs, message):
    preset = kwargs.pop("preset", "mdc")
    with pytest.raises(SPCOptionsError, match=message.replace("[", r"\[").replace("]", r"\]")) as err:
        SPCOptions.from_preset(preset, **kwargs)
    assert isinstance(err.value, ParameterError)  # a report parameter the user can correct


def test_numpy_values_become_plain_ones():
    o = SPCOptions.from_preset("mdc", shift_length=np.int64(8), minimum_points=np.int32(15))
    assert type(o.shift_length) is int and type(o.minimum_points) is int and o.shift_length == 8


def test_charts_take_the_object_or_a_preset_with_overrides_never_both():
    o = SPCOptions.from_preset("ptd", shift_length=6)
    a = spc.xmr(STABLE, options=o)
    b = spc.xmr(STABLE, preset="ptd", shift_length=6)
    assert a.options == b.options == o
    assert a.points.equals(b.points)
    with pytest.raises(SPCOptionsError, match="not both"):
        spc.xmr(STABLE, options=o, preset="mdc")
    assert spc.batch(pd.DataFrame({"k": ["a"] * 20, "value": STABLE}), ["k"], options=o).options is o


def test_the_method_note_states_every_option():
    line = vocabulary.method_line(spc.xmr(STABLE, preset="ptd", shift_length=6))
    for words in (
        "XmR chart",
        "preset ptd",
        "moving-range screening on",
        "shift 6 points",
        "trend 7 points",
        "points between 2σ and 3σ",
        "trend points coloured by direction",
        "limits from 13 points",
    ):
        assert words in line, words
