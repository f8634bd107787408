"""Small-number suppression for public papers."""

import pandas as pd

from pxassure.analysis.suppression import suppress


def test_first_level_hides_one_to_four_but_not_zero():
    f = pd.DataFrame({"unit": list("abcdef"), "n": [0, 1, 4, 5, 3, 120]})
    assert suppress(f, ["n"])["n"].tolist() == ["0", "*", "*", "5", "*", "120"]


def test_secondary_suppression_when_exactly_one_is_hidden():
    f = pd.DataFrame({"parent": ["A"] * 3 + ["B"] * 3, "unit": list("abcdef"), "n": [3, 40, 12, 2, 4, 50]})
    out = suppress(f, ["n"], parent="parent")["n"].tolist()
    assert out[:3] == ["*", "40", "*"]  # 3 hidden, so the next smallest (12) is hidden too
    assert out[3:] == ["*", "*", "50"]  # two hidden already: nothing more


def test_large_counts_formatted():
    assert suppress(pd.DataFrame({"n": [12345]}), ["n"])["n"].tolist() == ["12,345"]
