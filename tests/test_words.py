"""Words and figures as a lay reader expects them: no "(s)", counts as whole numbers."""

import pandas as pd
import pytest

from pxassure.publish.vocabulary import number, number_beside
from pxassure.words import counted, p_text, p_value, plural, verb


@pytest.mark.parametrize(
    "n, noun, expected",
    [
        (1, "ward", "1 ward"),
        (2, "ward", "2 wards"),
        (0, "self-assessment action", "0 self-assessment actions"),
        (3, "key measure", "3 key measures"),
        (2, "category", "2 categories"),
        (1200, "day", "1,200 days"),
    ],
)
def test_counted(n, noun, expected):
    assert counted(n, noun) == expected


def test_verbs_and_irregular_plurals_agree():
    assert f"{counted(1, 'ward')} {verb(1, 'shows', 'show')}" == "1 ward shows"
    assert f"{counted(2, 'ward')} {verb(2, 'shows', 'show')}" == "2 wards show"
    assert plural("person") == "people" and plural("day") == "days"


@pytest.mark.parametrize(
    "x, unit, expected",
    [
        (2.0, "", "2"),  # a count is a whole number, never "2.00"
        (11.0, "", "11"),
        (8.0, "", "8"),
        (95.0, "%", "95.0%"),  # a percentage keeps its one decimal
        (4.537, "%", "4.5%"),
        (2.347, "", "2.35"),  # a rate keeps two
        (0.371, "", "0.371"),
        (1234.5, "", "1,234.5"),
    ],
)
def test_figures(x, unit, expected):
    assert number(x, unit) == expected


def test_a_p_value_is_never_zero():
    assert p_value(0.0) == "< 0.001" and p_value(1e-9) == "< 0.001" and p_value(0.0123) == "0.012"
    assert p_text(0.0) == "p < 0.001" and p_text(0.2) == "p = 0.200"
    from pxassure.publish import render

    cells = render.table(pd.DataFrame({"ward": ["A"], "p": [0.0]}), "t", p_values={"p"})
    assert "<td>&lt; 0.001</td>" in str(cells) and "<td>0</td>" not in str(cells)


def test_a_figure_beside_its_target_never_reads_the_same_when_it_differs():
    assert number_beside(22.67, 22.7, "%") == "22.67%" and number_beside(22.7, 22.67, "%") == "22.70%"
    assert number_beside(22.7, 22.7, "%") == "22.7%" and number_beside(80.0, 95.0, "%") == "80.0%"
    assert number_beside(95.0, None, "%") == "95.0%"
