"""SPC behaviour beyond the reference figures: short series, gaps, presets, errors, batch parity."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import spc
from pxassure.analysis.options import PRESETS, SPCOptions
from pxassure.errors import SPCInputError, SPCOptionsError
from pxassure.publish import charts, style, svgcharts, vocabulary
from pxassure.publish.vocabulary import flag_text

SVG_NS = "{http://www.w3.org/2000/svg}"

STABLE = [10, 12, 11, 13, 10, 12, 11, 12, 10, 13, 11, 12, 11, 12, 10, 12, 11, 13, 11, 12]


def words(result):
    """A chart's flags in the words an analyst reads (the engine returns codes)."""
    return [flag_text(f) for f in result.flags]


def months(n, start="2024-01"):
    return pd.period_range(start, periods=n, freq="M").astype(str)


# --- minimum points ------------------------------------------------------------------


def test_fewer_than_minimum_points_gives_run_chart_and_flag():
    r = spc.xmr(STABLE[:12])
    assert not r.has_limits
    assert r.points["upper"].isna().all()
    assert r.points["centre"].iloc[0] == pytest.approx(np.median(STABLE[:12]))
    assert r.variation is None and r.assurance is None
    assert any("fewer than the 13" in f for f in words(r))
    assert r.run is not None
    assert "Too few points" in vocabulary.describe_chart(r, "x")


def test_thirteen_points_give_limits():
    r = spc.xmr(STABLE[:13])
    assert r.has_limits and r.variation == "common_cause" and not r.flags


def test_minimum_points_configurable():
    assert spc.xmr(STABLE[:10], minimum_points=10).has_limits


# --- missing values ---------------------------------------------------------------------


def test_gap_is_kept_flagged_and_creates_no_signal():
    y = list(STABLE)
    y[8] = np.nan
    r = spc.xmr(pd.Series(y, index=months(20)))
    assert len(r.points) == 20
    assert np.isnan(r.points["value"].iloc[8])
    assert r.points["point_type"].iloc[8] is None
    assert set(r.points["point_type"].dropna()) == {"common_cause"}
    assert any("missing" in f and "2024-09" in f for f in words(r))


def _limits_by_hand(y, constant=2.66):
    """Centre and upper limit from first principles: the mean of the values there are, and the
    mean of the moving ranges between months that are both there and next to each other."""
    v = np.asarray(y, dtype=float)
    pairs = [abs(b - a) for a, b in zip(v[:-1], v[1:]) if np.isfinite(a) and np.isfinite(b)]
    centre = np.nanmean(v)
    return centre, centre + constant * np.mean(pairs)


def test_a_gap_breaks_the_moving_range_but_not_the_mean():
    """The months either side of a missing one are not neighbours: their difference is no moving
    range (as NHSRplotthedots and PowerBI-SPC), so a gap neither inflates nor hides variation."""
    y = list(STABLE)
    y[8] = np.nan
    centre, upper = _limits_by_hand(y)
    with_gap = spc.xmr(y)
    assert with_gap.points["centre"].iloc[0] == pytest.approx(centre)
    assert with_gap.points["upper"].iloc[0] == pytest.approx(upper)
    joined = _limits_by_hand(STABLE[:8] + STABLE[9:])[1]  # the old reading: neighbours across the gap
    assert joined != pytest.approx(upper)
    # the batch engine reads a gap the same way
    frame = pd.DataFrame({"unit": "A", "month": months(20), "value": y})
    rows = spc.batch(frame, ["unit"], order="month").points
    assert rows["upper"].dropna().iloc[0] == pytest.approx(upper)


def test_the_xmr_constant_is_mdcs_by_default_and_3_over_d2_when_chosen():
    centre, upper = _limits_by_hand(STABLE)
    assert spc.xmr(STABLE).points["upper"].iloc[0] == pytest.approx(upper)
    exact = spc.xmr(STABLE, options=SPCOptions.from_preset("mdc", xmr_constant="d2")).points
    assert exact["upper"].iloc[0] == pytest.approx(_limits_by_hand(STABLE, 3 / 1.128)[1])
    with pytest.raises(SPCOptionsError, match="xmr_constant='3' is not allowed"):
        SPCOptions.from_preset("mdc", xmr_constant="3")


def test_gap_does_not_break_a_real_shift():
    y = [10, 11] * 8 + [14, 14.5, 14.2, np.nan, 14.4, 14.1, 14.3, 14.6]
    r = spc.xmr(y)
    tail = r.points["rule"].iloc[-8:].dropna()
    assert len(tail) == 7 and set(tail) <= {"shift", "outside_limits", "two_of_three"}


# --- presets and options ------------------------------------------------------------------


def test_unknown_preset_and_option():
    with pytest.raises(SPCOptionsError, match="unknown SPC preset 'nhs'"):
        spc.xmr(STABLE, preset="nhs")
    with pytest.raises(SPCOptionsError, match="unknown SPC option 'shift'"):
        spc.xmr(STABLE, shift=6)
    with pytest.raises(SPCOptionsError, match="trend_length=5 is not allowed"):
        spc.xmr(STABLE, trend_length=5)
    with pytest.raises(SPCOptionsError, match="screen_outliers=1"):
        spc.xmr(STABLE, screen_outliers=1)


def test_presets_differ_only_where_documented():
    mdc, ptd = PRESETS["mdc"], PRESETS["ptd"]
    assert {k for k in mdc if mdc[k] != ptd[k]} == {"screen_outliers", "two_of_three"}


def test_two_of_three_variant_counts_points_beyond_three_sigma():
    # one point beyond 3 sigma and one between 2 and 3 sigma, same side: only the MDC variant
    # also marks the between point as part of a 2-in-3.
    y = [10, 11] * 10 + [11, 13.2, 16, 11]  # mean 10.88: all of 11, 13.2, 16 above it
    mdc = spc.xmr(y)
    ptd = spc.xmr(y, preset="ptd", screen_outliers=False)
    i = 21
    assert mdc.points["upper_2s"].iloc[0] < y[i] < mdc.points["upper"].iloc[0]
    assert mdc.points["rule"].iloc[i] == "two_of_three"
    assert ptd.points["rule"].iloc[i] is None
    assert mdc.points["rule"].iloc[i + 1] == ptd.points["rule"].iloc[i + 1] == "outside_limits"


def test_shift_length_six_option():
    y = [11, 10] * 8 + [11.2, 11.1, 11.3, 11.15, 11.25, 11.05]  # six above the mean, after a 10
    assert spc.xmr(y, shift_length=6).points["rule"].iloc[-1] == "shift"
    assert spc.xmr(y).points["rule"].iloc[-1] is None


def test_trend_colour_by_direction_or_side():
    # a falling run that starts above the mean: both presets colour it by its direction
    # (concern when higher is better), as NHSRplotthedots 0.2.2 does (its issue #167); the
    # side-of-the-mean colouring of earlier versions remains an option.
    y = [10, 11] * 8 + [12.2, 11.9, 11.6, 11.3, 11.0, 10.7, 10.4]
    for preset in ("mdc", "ptd"):
        assert set(spc.xmr(y, preset=preset).points["point_type"].iloc[-7:]) == {"special_cause_concern"}
    side = spc.xmr(y, preset="ptd", trend_colour="side_of_mean")
    assert "special_cause_improvement" in set(side.points["point_type"].iloc[-7:])


def test_neutral_direction():
    r = spc.xmr(STABLE[:-1] + [30], improvement="neutral", target=5)
    assert r.points["point_type"].iloc[-1] == "special_cause_neutral_high"
    assert r.variation == "neutral_high" and r.assurance is None


def test_fixed_baseline():
    y = STABLE + [20] * 10
    r = spc.xmr(y, fix_after_n_points=20)
    assert r.points["centre"].iloc[-1] == pytest.approx(np.mean(STABLE))
    assert r.variation == "concern_high" if False else r.variation == "improvement_high"
    with pytest.raises(SPCInputError, match="at least 12"):
        spc.xmr(y, fix_after_n_points=8)


def test_rebase_periods_are_independent():
    y = STABLE + [x + 50 for x in STABLE]
    r = spc.xmr(y, rebase=[20])
    assert r.points["centre"].iloc[0] == pytest.approx(np.mean(STABLE))
    assert r.points["centre"].iloc[-1] == pytest.approx(np.mean(STABLE) + 50)
    assert set(r.points["point_type"]) == {"common_cause"}
    assert "recalculated from 20" in vocabulary.describe_chart(r, "x")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: spc.xmr(["1", "2", "three"]), "value 'three' at 2 is not a number"),
        (lambda: spc.xmr(STABLE, rebase=[99]), "rebase label 99 is not in the series index"),
        (lambda: spc.xmr(pd.Series(STABLE, index=months(20)), rebase=["2030-01"]), "'2030-01' is not in"),
        (lambda: spc.xmr(STABLE, improvement="up"), "improvement must be one of"),
        (lambda: spc.xmr(STABLE, target="high"), "target must be a number"),
        (lambda: spc.attribute("p", [5, -1, 3], [10, 10, 10]), "numerator must not be negative: -1.0 at 1"),
        (lambda: spc.attribute("p", [5, 11, 3], [10, 10, 10]), "numerator 11 exceeds denominator 10 at 1"),
        (lambda: spc.attribute("u", [5, 1, 3], [10, 0, 10]), "denominator must be positive: 0 at 1"),
        (lambda: spc.attribute("u", [5, 1, 3], [10, 10]), "numerator has 3 values but denominator has 2"),
        (lambda: spc.attribute("p", [5, 1, 3]), "a p chart needs a denominator"),
        (lambda: spc.attribute("c", [5, 1, 3], [1, 1, 1]), "a c chart takes counts only"),
        (lambda: spc.attribute("x", [5, 1, 3]), "chart must be one of"),
        (lambda: spc.attribute("u", [1, 2], [5, 5], multiply=0), "multiply must be a positive number"),
    ],
)
def test_bad_input_says_what_is_wrong(call, message):
    with pytest.raises(SPCInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


# --- attribute charts ------------------------------------------------------------------------


def test_laney_matches_p_chart_when_no_overdispersion_in_z():
    # sigma_z is 1 exactly when the mean moving range of z equals 1.128
    y = np.array([50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 52, 48, 50])
    n = np.full(14, 100)
    p = spc.attribute("p", y, n).points
    pp = spc.attribute("pp", y, n).points
    z = (y / n - p["centre"].iloc[0]) / np.sqrt(p["centre"].iloc[0] * (1 - p["centre"].iloc[0]) / n)
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    np.testing.assert_allclose(pp["upper"] - pp["centre"], (p["upper"] - p["centre"]) * sigma_z)


def test_laney_handles_large_denominators():
    rng = np.random.default_rng(3)
    n = np.full(24, 20000)
    true_p = 0.93 + rng.normal(0, 0.004, 24)  # real month-to-month variation beyond binomial
    y = rng.binomial(n, true_p)
    p = spc.attribute("p", y, n)
    pp = spc.attribute("pp", y, n)
    assert (p.points["point_type"] != "common_cause").sum() > (pp.points["point_type"] != "common_cause").sum()


def test_missing_denominator_is_a_gap():
    r = spc.attribute("p", [5, np.nan, 6] + [5] * 12, [10, np.nan, 10] + [10] * 12)
    assert r.points["point_type"].iloc[1] is None
    assert any("missing" in f for f in words(r))


# --- batch ------------------------------------------------------------------------------------


def _frame(rng, n_series=25, n_points=30):
    rows = []
    for s in range(n_series):
        level = rng.uniform(5, 50)
        for t in range(n_points):
            v = level + rng.normal(0, 2) + (6 if s % 5 == 0 and t > 22 else 0)
            rows.append(
                {"ward": f"{s:03d}", "measure": "m", "month": t, "value": v, "num": rng.binomial(200, 0.9), "den": 200}
            )
    return pd.DataFrame(rows).sample(frac=1, random_state=1)  # shuffled: batch must sort


@pytest.mark.parametrize("preset", ["mdc", "ptd"])
def test_batch_matches_single_series(preset):
    frame = _frame(np.random.default_rng(7))
    b = spc.batch(frame, ["ward", "measure"], value="value", order="month", preset=preset, target=20)
    for ward, g in frame.groupby("ward"):
        g = g.sort_values("month")
        single = spc.xmr(g["value"].to_numpy(), preset=preset, target=20)
        got = b.points.loc[g.index]
        np.testing.assert_allclose(got["upper"], single.points["upper"])
        np.testing.assert_allclose(got["lower_2s"], single.points["lower_2s"])
        assert got["rule"].tolist() == single.points["rule"].tolist()
        assert got["point_type"].tolist() == single.points["point_type"].tolist()
        row = b.summary[b.summary["ward"] == ward].iloc[0]
        assert row["variation"] == single.variation and row["assurance"] == single.assurance


def test_batch_attribute_matches_single_series():
    frame = _frame(np.random.default_rng(8))
    b = spc.batch(frame, ["ward"], chart="pp", numerator="num", denominator="den", order="month", multiply=100)
    for _, g in frame.groupby("ward"):
        g = g.sort_values("month")
        single = spc.attribute("pp", g["num"].to_numpy(), g["den"].to_numpy(), multiply=100)
        np.testing.assert_allclose(b.points.loc[g.index, "upper"], single.points["upper"])
        assert b.points.loc[g.index, "point_type"].tolist() == single.points["point_type"].tolist()


def test_batch_keeps_input_order_and_index():
    frame = _frame(np.random.default_rng(9), n_series=3, n_points=14)
    b = spc.batch(frame, ["ward"], order="month")
    assert list(b.points.index) == list(frame.index)
    assert len(b.summary) == 3


def test_batch_improvement_from_column():
    frame = _frame(np.random.default_rng(10), n_series=4, n_points=15)
    frame["direction"] = np.where(frame["ward"] < "002", "increase", "decrease")
    b = spc.batch(frame, ["ward"], order="month", improvement="direction")
    assert len(b.summary) == 4
    frame.loc[frame.index[0], "direction"] = "up"
    with pytest.raises(SPCInputError, match="holds \\['up'\\]"):
        spc.batch(frame, ["ward"], order="month", improvement="direction")


def test_batch_missing_column():
    with pytest.raises(SPCInputError, match="column 'nope' is not in the frame"):
        spc.batch(pd.DataFrame({"a": [1]}), ["nope"])


# --- words and pictures ------------------------------------------------------------------------


def test_describe_is_plain_english_alt_text():
    y = STABLE[:-1] + [30]
    text = vocabulary.describe_chart(spc.xmr(pd.Series(y, index=months(20)), target=12), "FFT % positive", "%")
    assert text.startswith("XmR chart of FFT % positive, 20 points from 2024-01 to 2025-08.")
    assert "special cause improvement" in text and "a point outside the process limits" in text
    assert "target of 12.0%" in text


def test_method_names_every_option():
    m = vocabulary.method_line(spc.xmr(STABLE, preset="ptd", shift_length=6))
    for part in ("XmR chart", "preset ptd", "screening on", "shift 6 points", "trend 7 points", "between 2σ and 3σ"):
        assert part in m


def chart_svg(result, title="t", ylabel="y", percent=False):
    return svgcharts.spc_svg(result, title=title, ylabel=ylabel, percent=percent, description="d")


def svg_texts(svg: str) -> list[dict]:
    """Every ``<text>`` of a chart: where it is anchored, how it is set, and what it says."""
    root = ET.fromstring(svg)
    out = []
    for el in root.iter(f"{SVG_NS}text"):
        rotate = re.match(r"rotate\(([-\d.]+)", el.get("transform", ""))
        out.append(
            {
                "x": float(el.get("x")),
                "y": float(el.get("y")),
                "size": float(el.get("font-size")),
                "bold": el.get("font-weight") == "bold",
                "anchor": el.get("text-anchor", "start"),
                "rotate": float(rotate.group(1)) if rotate else 0.0,
                "text": el.text or "",
            }
        )
    return out


def legend_labels(svg: str) -> list[str]:
    """The legend's entries, each entry's wrapped lines joined again (legend text is set at 8 pt)."""
    entries: list[list] = []
    for t in (t for t in svg_texts(svg) if t["size"] == svgcharts.LEGEND_SIZE):
        if entries and abs(t["y"] - entries[-1][0]) < 10:  # the next line of the same entry
            entries[-1] = [t["y"], entries[-1][1] + " " + t["text"]]
        else:
            entries.append([t["y"], t["text"]])
    return [text for _, text in entries]


def test_plot_draws_points_limits_and_target():
    r = spc.xmr(STABLE[:-1] + [30], target=12)
    svg = chart_svg(r)
    labels = legend_labels(svg)
    assert {"Common cause", "Special cause: improvement", "Target", "Mean", "Process limits"} <= set(labels)
    root = ET.fromstring(svg)
    kinds = r.points["point_type"].value_counts()
    diamonds = len(list(root.iter(f"{SVG_NS}polygon")))
    circles = len(list(root.iter(f"{SVG_NS}circle")))
    # a marker per point and per kind in the legend; concern points are diamonds; two icons
    assert diamonds == kinds["special_cause_concern"] + 1
    assert circles == kinds["common_cause"] + kinds["special_cause_improvement"] + 2 + 2
    assert 'stroke="#CC79A7"' in svg and 'fill="#0072B2"' in svg  # the target line, the improvement point


def test_run_chart_points_are_not_called_common_cause():
    r = spc.xmr(STABLE[:8])
    assert not r.has_limits and r.points["point_type"].isna().all()
    assert spc.run_chart(STABLE[:8]).points["point_type"].isna().all()
    text = vocabulary.describe_chart(r, "x")
    assert "Too few points for process limits" in text and "common cause" not in text.lower()
    svg = svgcharts.spc_svg(r, title="t", ylabel="y", percent=False, description=text)
    assert "Month (run chart: too few points for limits)" in legend_labels(svg)
    assert "Common cause" not in svg and "Median" in legend_labels(svg) and "Process limits" not in svg


def test_the_svg_chart_breaks_lines_at_gaps_and_rebases_and_escapes_its_words():
    values = pd.Series(STABLE + STABLE, index=months(40), dtype=float)
    values.iloc[[10, 25]] = np.nan  # two months not supplied
    r = spc.xmr(values, rebase=["2025-09"])
    svg = chart_svg(r, title='Ward <b>&</b> "A"', ylabel="<script>alert(1)</script>")
    root = ET.fromstring(svg)  # well-formed XML: every word escaped
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    value_lines = [el for el in root.iter(f"{SVG_NS}polyline") if el.get("stroke") == style.PALETTE["line"]]
    # two periods, the first broken by one gap and the second by another: four pieces
    assert len(value_lines) == 4
    assert sum(len(el.get("points").split()) for el in value_lines) == 38
    assert "Limits rebased (recorded)" in legend_labels(svg)
    empty = chart_svg(spc.xmr(pd.Series([np.nan, np.nan], index=months(2))))
    assert not [
        el for el in ET.fromstring(empty).iter(f"{SVG_NS}polyline") if el.get("stroke") == style.PALETTE["line"]
    ]


def test_the_svg_chart_is_deterministic_and_labels_percent_ticks_like_matplotlib():
    num, den = _fft_with_one_response_at_the_end()
    r = spc.attribute("p", num, den, multiply=100)
    a, b = chart_svg(r, percent=True), chart_svg(r, percent=True)
    assert a == b
    ticks = [t["text"] for t in svg_texts(a) if t["anchor"] == "end" and not t["rotate"]]
    assert ticks and all(t.endswith("%") for t in ticks)
    values = [float(t.rstrip("%")) for t in ticks]
    assert values == sorted(values, reverse=False) or values == sorted(values)
    steps = {round(b - a, 6) for a, b in zip(values, values[1:])}
    assert len(steps) == 1  # evenly spaced
    hollow = [el for el in ET.fromstring(a).iter(f"{SVG_NS}circle") if el.get("stroke-dasharray")]
    assert len(hollow) == 2  # the month of one response, drawn hollow, and its legend marker


def test_words_fit_the_data():
    empty = spc.xmr(pd.Series([np.nan, np.nan], index=["2026-01", "2026-02"]))
    assert vocabulary.describe_chart(empty, "FFT % positive") == "Chart of FFT % positive: no data."
    # a short first period before a rebase: its untyped points are not counted as special cause
    r = spc.xmr(STABLE[:5] + STABLE, rebase=[5])
    assert "Special cause points" not in vocabulary.describe_chart(r, "x")


def _fft_with_one_response_at_the_end():
    """Twelve ordinary months, six just above the mean, then a month with one (positive) response."""
    den = [200] * 18 + [1]
    pct = [0.90, 0.88] * 6 + [0.905, 0.91, 0.905, 0.91, 0.905, 0.91] + [None]
    num = [round(p * d) for p, d in zip(pct[:-1], den[:-1])] + [1]
    idx = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 8)]
    return pd.Series(num, index=idx, dtype=float), pd.Series(den, index=idx, dtype=float)


def test_one_response_can_never_create_or_complete_a_signal():
    num, den = _fft_with_one_response_at_the_end()
    off = spc.attribute("p", num, den, multiply=100, minimum_denominator=0)
    assert off.points["rule"].iloc[-1] == "shift"  # what a single 100% would do unchecked
    r = spc.attribute("p", num, den, multiply=100)
    last = r.points.iloc[-1]
    assert last["small"] and last["rule"] is None and last["point_type"] is None
    assert r.last_point.name == "2026-06" and r.variation == "common_cause"  # unchecked: improvement_high
    assert "denominator under 5" in " ".join(words(r))
    b = spc.batch(
        pd.DataFrame({"u": "a", "m": num.index, "n": num.to_numpy(), "d": den.to_numpy()}),
        ["u"],
        chart="p",
        numerator="n",
        denominator="d",
        order="m",
    )
    assert b.points["small"].iloc[-1] and b.points["point_type"].iloc[-1] is None
    assert b.summary["value"].iloc[0] == pytest.approx(num.iloc[-2] / den.iloc[-2])


def test_a_month_of_too_few_responses_is_described_without_its_figure():
    num, den = _fft_with_one_response_at_the_end()
    text = vocabulary.describe_chart(spc.attribute("p", num, den, multiply=100), "FFT % positive", "%")
    assert "Fewer than 5 in the denominator in 2026-07: drawn hollow and left out of the limits" in text
    assert "100" not in text and "in 2026-06" in text


def test_a_chart_drawn_at_its_fixed_layout_keeps_every_label_inside_the_figure():
    """SPC charts are written at a fixed size (#13): the longest title, y label and legend
    pxassure writes must still fit, measured with the font the chart names first."""
    rng = np.random.default_rng(1)
    months = [f"{y}-{m:02d}" for y in (2023, 2024, 2025, 2026) for m in range(1, 13)][:40]
    den = pd.Series(rng.integers(30, 80, 40).astype(float), index=months)
    den.iloc[[5, 17]] = 3  # too few responses
    num = (den * rng.uniform(0.8, 0.97, 40)).round()
    num.iloc[30:] = (den.iloc[30:] * 0.6).round()
    r = spc.attribute("p", num, den, multiply=100, target=90, rebase=["2025-03", "2026-03"])
    svg = chart_svg(
        r,
        title="Patient-reported experience: % who would recommend the service — Accident and Emergency (adults)",
        ylabel="FFT % positive (all questions, all settings, weighted)",
        percent=True,
    )
    assert 'viewBox="0 0 518.4 ' in svg  # 7.2 inches wide
    assert len(legend_labels(svg)) >= 6
    assert_svg_text_inside(svg)
    big = spc.xmr(pd.Series(rng.normal(1.2e8, 1e7, 40), index=months))  # "120,000,000": the margin widens
    assert_svg_text_inside(chart_svg(big, ylabel="Bed days occupied by patients of every ward"))


def assert_svg_text_inside(svg: str) -> None:
    """Every text of an SVG chart, measured in DejaVu Sans (matplotlib's font metrics) and turned
    as drawn, lies inside the chart's view box, and no two texts overlap."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(10, 10, 72)  # 72 dpi: measures in points, the chart's units
    width, height = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    boxes = []
    for t in svg_texts(svg):
        font = FontProperties(family="DejaVu Sans", size=t["size"], weight="bold" if t["bold"] else "normal")
        w, h, d = renderer.get_text_width_height_descent(t["text"], font, ismath=False)
        shift = {"start": 0.0, "middle": 0.5, "end": 1.0}[t["anchor"]] * w
        corners = [(dx - shift, dy) for dx in (0, w) for dy in (d, d - h)]
        a = np.radians(t["rotate"])
        xs = [t["x"] + cx * np.cos(a) - cy * np.sin(a) for cx, cy in corners]
        ys = [t["y"] + cx * np.sin(a) + cy * np.cos(a) for cx, cy in corners]
        assert min(xs) >= -0.5 and min(ys) >= -0.5 and max(xs) <= width + 0.5 and max(ys) <= height + 0.5, t
        boxes.append((min(xs), min(ys), max(xs), max(ys), t))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if -45 not in (a[4]["rotate"], b[4]["rotate"]):  # a slanted label's box is far bigger than its text
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (a[4]["text"], b[4]["text"])


def assert_every_text_inside(fig) -> None:
    """Everything ``fig`` draws (titles, labels, legend, ticks, icons) lies inside it: the box a
    tight save would measure is within the figure's own."""
    renderer = fig.canvas.get_renderer()
    drawn = fig.get_tightbbox(renderer)  # inches
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, drawn
    assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, drawn


def panels(svg: str) -> list[dict]:
    """Each small chart of a small-multiples SVG: its place, plot area and texts."""
    root = ET.fromstring(svg)
    out = []
    for g in root.iter(f"{SVG_NS}g"):
        if g.get("data-panel") is None:
            continue
        plot = next(el for el in g.iter(f"{SVG_NS}rect") if el.get("class") == "plot")
        box = tuple(float(plot.get(k)) for k in ("x", "y", "width", "height"))
        texts = [
            (float(t.get("x")), float(t.get("y")), t.get("text-anchor", "start"), t.text)
            for t in g.iter(f"{SVG_NS}text")
        ]
        out.append({"place": tuple(map(int, g.get("data-panel").split())), "plot": box, "texts": texts})
    return out


def assert_no_chart_overlaps_another(svg: str) -> None:
    """No small chart's writing runs into another chart: its title (left-aligned above its plot)
    and its tick labels (right-aligned left of it) stay off every other chart's plot area."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer = RendererAgg(10, 10, 72)
    drawn = panels(svg)
    for i, a in enumerate(drawn):
        for x, y, anchor, text in a["texts"]:
            size = svgcharts.SMALL_TITLE if anchor == "start" else svgcharts.SMALL_TICK
            w, h, d = renderer.get_text_width_height_descent(
                text, FontProperties(family="DejaVu Sans", size=size), ismath=False
            )
            left = x - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (left, y - h + d, left + w, y + d)
            for j, b in enumerate(drawn):
                if i == j:
                    continue
                px, py, pw, ph = b["plot"]
                overlap = min(box[2], px + pw) - max(box[0], px) > 0.5 and min(box[3], py + ph) - max(box[1], py) > 0.5
                assert not overlap, (a["place"], text, b["place"])


def test_small_multiples_laid_out_once_keep_every_label_inside_the_figure():
    rng = np.random.default_rng(2)
    months = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2026-{m:02d}" for m in range(1, 13)]
    results = [spc.xmr(pd.Series(rng.normal(90, 3, 24), index=months)) for _ in range(7)]
    names = ["Acute Medical Unit and Ambulatory Emergency Care (Ward 7B)", *[f"Ward {i}" for i in range(6)]]
    svg = svgcharts.small_multiples_svg(
        list(zip(names, results)), percent=True, title="FFT % positive by ward", description="d"
    )
    assert 'viewBox="0 0 532.8 ' in svg  # 7.4 inches wide
    assert_svg_text_inside(svg)
    assert_no_chart_overlaps_another(svg)
    assert "Acute Medical Unit" in svg and "(Ward 7B)" not in svg  # the long name shortened to fit
    rows = [
        ("Moderate or worse harm incidents per 1,000 bed days", False, list(zip(names[:4], results[:4]))),
        ("Complaints", False, list(zip(names[1:4] + names[:1], results[:4]))),  # the long name last
        ("FFT % positive", True, list(zip(names[:4], results[4:]))),
    ]
    svg = svgcharts.measure_grid_svg(rows, title="Key measures by division", description="d")
    assert_svg_text_inside(svg)
    assert_no_chart_overlaps_another(svg)
    assert len(panels(svg)) == 11
    # very wide tick labels ("120,000,000") widen the margin and the gaps between charts
    huge = [spc.xmr(pd.Series(rng.normal(1.2e8, 1e7, 24), index=months)) for _ in range(4)]
    wide = [
        ("Bed days", False, list(zip(names[:4], huge))),
        ("FFT % positive", True, list(zip(names[:4], results[4:]))),
    ]
    for svg in (
        svgcharts.measure_grid_svg(wide, title="Key measures by division", description="d"),
        svgcharts.small_multiples_svg(list(zip(names[:4], huge)), title="Bed days by ward", description="d"),
    ):
        assert_svg_text_inside(svg)
        assert_no_chart_overlaps_another(svg)


def test_the_framework_heatmap_at_its_fixed_margins_keeps_every_label_inside_the_figure():
    """The requirement-by-quarter heatmap is written at fixed margins (#13): the 57 requirement
    codes, five years of quarters and the colour bar's scale all fit, blanks stay blank, and each
    score is written in its cell, in a colour that reads on it."""
    rng = np.random.default_rng(3)
    codes = [f"{n}{letter}" for n in range(1, 24) for letter in "ABC"][:57]
    quarters = [f"{y}-{m:02d}" for y in range(2022, 2027) for m in (3, 6, 9, 12)]
    scores = pd.DataFrame(rng.integers(0, 6, (57, 20)).astype(float), index=codes, columns=quarters)
    scores.iloc[:5, :8] = np.nan  # not assessed
    svg = svgcharts.heatmap_svg(scores, title="Framework self-assessment: requirement by quarter", description="d")
    assert 'viewBox="0 0 518.4 ' in svg  # 7.2 inches wide
    assert_svg_text_inside(svg)
    root = ET.fromstring(svg)
    cells = [el for el in root.iter(f"{SVG_NS}rect") if el.get("stroke") == "#ffffff"]
    assert len(cells) == 57 * 20 - 5 * 8  # none where not assessed
    # each score is written centred in its cell, in a colour chosen for the cell
    written = [el for el in root.iter(f"{SVG_NS}text") if el.get("text-anchor") == "middle" and el.get("fill")]
    assert len(written) == len(cells) and {el.text for el in written} <= {"0", "1", "2", "3", "4", "5"}
    assert {float(el.get("font-size")) for el in written} == {svgcharts.HEATMAP_TEXT}
    # a score of 0 (darkest blue) is written in white, a 5 (yellow) in near-black
    colour = {el.text: el.get("fill") for el in written}
    assert colour["0"] == "#ffffff" and colour["5"] == "#262626"
    assert {c.get("fill") for c in cells if c.get("fill")} >= {"#00224E", "#FEE838"}  # cividis's ends


def test_small_multiples_share_one_y_scale_with_labels_in_the_first_column():
    """One y scale for every small chart, holding all their data; tick labels only in the first
    column; a chart with no values takes the same scale; each chart keeps its own months."""
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    low = spc.xmr(pd.Series(np.linspace(40, 50, 12), index=months))
    high = spc.xmr(pd.Series(np.linspace(80, 95, 12), index=months))
    empty = spc.xmr(pd.Series([np.nan] * 12, index=months))
    short = spc.xmr(pd.Series(np.linspace(60, 70, 24), index=months + [f"2027-{m:02d}" for m in range(1, 13)]))
    items = [("A", low), ("B", high), ("C", empty), ("D", short)]
    svg = svgcharts.small_multiples_svg(items, ncols=3, description="d")
    drawn = panels(svg)
    assert [p["place"] for p in drawn] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    ticks = [[t for t in p["texts"] if t[2] == "end"] for p in drawn]
    assert [bool(t) for t in ticks] == [True, False, False, True]  # first column only
    # the same scale: the same tick labels at the same heights relative to each plot
    as_drawn = [[(round(y - p["plot"][1], 2), text) for _, y, _, text in t] for p, t in zip(drawn, ticks)]
    assert as_drawn[0] == as_drawn[3]
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG_NS}g") if g.get("data-panel")]
    value_lines = [
        [el for el in g.iter(f"{SVG_NS}polyline") if el.get("stroke") == style.PALETTE["line"]] for g in groups
    ]
    assert [len(v) for v in value_lines] == [1, 1, 0, 1]  # no line where there are no values
    for p, lines in zip(drawn, value_lines):  # every chart's values inside its plot on the one scale
        _, top, _, height = p["plot"]
        ys = [float(pt.split(",")[1]) for line in lines for pt in line.get("points").split()]
        assert all(top < y < top + height for y in ys)

    def step(line):
        xs = [float(pt.split(",")[0]) for pt in line.get("points").split()]
        return xs[1] - xs[0]

    assert step(value_lines[0][0]) > 1.9 * step(value_lines[3][0])  # 24 months in the same width as 12


def _text_outside_the_figure(fig) -> list[str]:
    """Texts drawn (ticks within the axes' limits, titles, labels, legends, annotations) that do
    not lie wholly inside the figure."""
    fig.canvas.draw()
    renderer, width, height = fig.canvas.get_renderer(), fig.bbox.width, fig.bbox.height
    texts = []
    for ax in fig.axes:
        (x0, x1), (y0, y1) = sorted(ax.get_xlim()), sorted(ax.get_ylim())
        texts += [t for t in ax.get_xticklabels() if x0 <= t.get_position()[0] <= x1]
        texts += [t for t in ax.get_yticklabels() if y0 <= t.get_position()[1] <= y1]
        texts += [ax.title, ax.xaxis.label, ax.yaxis.label, *ax.texts]
        texts += ax.get_legend().get_texts() if ax.get_legend() else []
    out = []
    for t in texts:
        b = t.get_window_extent(renderer)
        if t.get_text() and (b.x0 < -0.5 or b.y0 < -0.5 or b.x1 > width + 0.5 or b.y1 > height + 0.5):
            out.append(t.get_text())
    return out


def test_matplotlib_charts_are_drawn_once_with_every_label_inside_the_figure():
    """The funnel, scatter and framework-section charts are laid out by ``tight_layout`` with their
    legend beside the axes, so they are saved as laid out (drawn once, #13), and long names, wrapped
    axis titles and legends still fit."""
    rng = np.random.default_rng(4)
    n = 40
    funnel = pd.DataFrame(
        {
            "name": [f"Acute Medical Unit {i} (Ward 7B)" for i in range(n)],
            "denominator": rng.integers(20, 900, n),
            "value": rng.uniform(60, 100, n),
            "centre": 88.0,
            "position": ["within"] * (n - 2) + ["below_998", "above_998"],
        }
    )
    scatter = pd.DataFrame(
        {"name": [f"Ward {i}" for i in range(n)], "x": rng.uniform(0, 120_000, n), "y": rng.uniform(60, 100, n)}
    )
    sections = pd.DataFrame(
        [
            (f"{y}-Q{q}", s, rng.uniform(0, 5))
            for y in range(2022, 2027)
            for q in range(1, 5)
            for s in (
                "1. Leadership and a culture of listening",
                "2. Patient-centred care",
                "6. Learning and improvement",
            )
        ],
        columns=["period", "section", "mean_score"],
    )
    figures = [
        charts.plot_funnel(
            funnel,
            kind="proportion",
            multiply=100,
            title="FFT % positive by inpatient ward, last three months",
            xlabel="Responses",
            ylabel="FFT % positive, inpatient wards, last three months",
            percent=True,
        ),
        charts.plot_scatter(
            scatter,
            "x",
            "y",
            title="Incidents against FFT",
            xlabel="Moderate or worse harm incidents per 1,000 bed days, last twelve months",
            ylabel="FFT % positive, last twelve months",
            highlight=["Ward 3", "Ward 7"],
        ),
        charts.plot_framework_sections(sections, title="Framework: mean score by section").figure,
    ]
    for fig in figures:
        assert getattr(fig, charts._FIXED_LAYOUT, False), "saved with a tight bounding box: drawn twice"
        assert _text_outside_the_figure(fig) == []
        assert 'role="img"' in charts.to_svg(fig, title="t", description="d")


def test_sparse_counts_get_no_run_rules_but_a_spike_still_shows():
    """A c chart with more empty months than not (mean about 0.4) would call every run of zeros a
    shift; the run rules are not applied to it, and the paper says why. A spike still signals."""
    counts = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5]
    r = spc.attribute("c", counts, improvement="decrease")
    assert r.sparse and any("too sparse for the run rules" in f for f in words(r))
    rules = r.points["rule"].tolist()
    assert rules[:-1] == [None] * (len(counts) - 1) and rules[-1] == "outside_limits"
    assert "Too sparse for the run rules" in vocabulary.describe_chart(r, "Negative comments")
    # the same pattern one level up (a count of about 3 a month) is judged by every rule
    busy = [3, 4, 3, 3, 4, 3, 3, 4, 3, 3, 4, 3, 1, 2, 1, 1, 2, 1, 2, 1, 1, 2, 1, 2]
    r = spc.attribute("c", busy, improvement="decrease")
    assert not r.sparse and "shift" in set(r.points["rule"].dropna())
    # and a batch of series reads them the same way
    frame = pd.DataFrame({"ward": ["a"] * len(counts), "month": range(len(counts)), "n": counts})
    b = spc.batch(frame, ["ward"], chart="c", numerator="n", order="month", improvement="decrease")
    assert b.points["rule"].iloc[:-1].isna().all() and b.points["rule"].iloc[-1] == "outside_limits"


def test_flags_are_codes_with_the_periods_they_concern():
    values = pd.Series([5.0] * 14 + [np.nan] + [5.0] * 2, index=[f"m{i:02d}" for i in range(17)])
    r = spc.xmr(values, rebase=["m15"])
    assert [f.code for f in r.flags] == ["pending_rebase", "missing"]
    assert r.flags[0] == spc.Flag("pending_rebase", ("m15",), 2, 13) and r.flags[1].labels == ("m14",)
    assert words(r)[1] == "1 missing value(s) left out of the limits and rules: m14"
    assert all(isinstance(f, spc.Flag) and f.code in spc.FLAG_CODES for f in spc.run_chart([1, 2, 3]).flags)
