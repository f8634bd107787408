"""Baselines and exclusions are the trust's decisions, recorded as data (#29 item 3).

``spc_rebases.baseline_points`` fixes a period's limits on its first months; ``spc_exclusions``
leaves a month out of a chart's limits with its reason. Each chart, its words and picture, and
the escalation that judges every ward at once read the same records. Run on the demo trust,
which records one of each (``pxassure.ingest.demo_decisions``).
"""

import shutil

import numpy as np
import pandas as pd
import pytest

from pxassure.analysis import measures, spc
from pxassure.analysis.options import SPCOptions
from pxassure.cli import main
from pxassure.errors import SPCInputError
from pxassure.ingest import demo_decisions
from pxassure.ingest.store import Store
from pxassure.publish import render
from pxassure.reports.charting import chart_for, every_month, month_labels
from pxassure.reports.data import load
from pxassure.reports.escalation import with_decisions

MDC = SPCOptions.from_preset("mdc")
FFT = measures.get("fft_positive")
BASELINE_WARD = demo_decisions.BASELINE_WARD
EXCLUDED_WARD = demo_decisions.EXCLUDED_MONTH[0]


@pytest.fixture(scope="module")
def data(demo_db):
    return load(demo_db, "latest")


def engine_chart(data, unit_id, **kw):
    """The ward's FFT chart made directly by the engine from its monthly counts."""
    s = every_month(data.scoped(FFT, unit_id)[0], data.month)
    index = month_labels(s["month"])
    num = pd.Series(s["numerator"].to_numpy(), index=index)
    den = pd.Series(s["denominator"].to_numpy(), index=index)
    return spc.attribute("pp", num, den, multiply=100, improvement="increase", options=MDC, **kw)


def test_a_recorded_exclusion_leaves_its_month_out_of_the_limits(data):
    chart = chart_for(data, FFT, EXCLUDED_WARD, MDC)
    (month,) = chart.exclusions
    assert "entered against this ward in error" in chart.exclusions[month]
    expected = engine_chart(data, EXCLUDED_WARD, exclude=[month])
    plain = engine_chart(data, EXCLUDED_WARD)
    for col in ("centre", "upper", "lower"):
        np.testing.assert_allclose(chart.result.points[col], expected.points[col])
    assert not np.allclose(chart.result.points["centre"], plain.points["centre"])
    # still judged against the limits: it keeps a point type
    assert chart.result.points.loc[month, "point_type"] is not None


def test_an_exclusion_is_drawn_hollow_and_named_with_its_reason(data):
    chart = chart_for(data, FFT, EXCLUDED_WARD, MDC)
    (month,) = chart.exclusions
    html = str(render.chart(chart))
    assert ">Left out of the limits<" in html.split("</svg>")[0]  # the legend, its first line
    assert f"Left out of the limits, drawn hollow and still judged against them: {month} (FFT cards" in html


def test_a_recorded_baseline_fixes_the_limits_on_the_first_months(data):
    chart = chart_for(data, FFT, BASELINE_WARD, MDC)
    first = chart.result.points.index[0]
    assert chart.baselines[first][0] == 20
    expected = engine_chart(data, BASELINE_WARD, fix_after_n_points={first: 20})
    plain = engine_chart(data, BASELINE_WARD)
    np.testing.assert_allclose(chart.result.points["upper"], expected.points["upper"])
    assert not np.allclose(chart.result.points["centre"], plain.points["centre"])
    assert not chart.rebases  # a baseline at the first month is no rebase
    words = str(render.chart(chart))
    assert "The limits are fixed on the first 20 months (limits fixed on the months before" in words


def test_escalation_reads_the_same_decisions_as_each_ward_chart(data):
    """spc.batch over every ward (escalation) and each ward's own chart agree on the limits."""
    s = data.series(FFT)
    s = s[s["unit_id"].isin([BASELINE_WARD, EXCLUDED_WARD, "014"])]
    b = spc.batch(
        with_decisions(data, FFT, s),
        ["unit_id"],
        chart="pp",
        numerator="numerator",
        denominator="denominator",
        multiply=100,
        order="month",
        rebase="rebase",
        exclude="exclude",
        baseline="baseline",
        options=MDC,
    )
    for ward in (BASELINE_WARD, EXCLUDED_WARD, "014"):
        last = chart_for(data, FFT, ward, MDC).result.last_point
        row = b.summary.set_index("unit_id").loc[ward]
        assert row["upper"] == pytest.approx(last["upper"]) and row["centre"] == pytest.approx(last["centre"])


def test_baselines_and_exclusions_in_the_engine_are_checked():
    y = list(range(10)) * 3
    with pytest.raises(SPCInputError, match="does not start a period"):
        spc.xmr(y, fix_after_n_points={5: 12})
    with pytest.raises(SPCInputError, match="at least 12"):
        spc.xmr(y, fix_after_n_points={0: 8})
    frame = pd.DataFrame({"k": 1, "value": y, "base": [np.nan] * 4 + [12.0] + [np.nan] * 25})
    with pytest.raises(SPCInputError, match="does not start a period"):
        spc.batch(frame, ["k"], baseline="base")
    # a baseline on a rebase fixes only that period
    r = spc.xmr(y + [50] * 15, rebase=[30], fix_after_n_points={30: 12})
    assert r.points["centre"].iloc[0] == pytest.approx(4.5) and r.points["centre"].iloc[-1] == 50


def test_bad_decision_rows_name_file_row_column_and_what_was_expected(demo_db, tmp_path, capsys):
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "spc_rebases.csv").write_text(
        "measure,unit_id,month,reason,agreed_by,baseline_points\nfft_positive,014,2024-01,baseline,PEC,8\n"
    )
    (folder / "spc_exclusions.csv").write_text(
        "measure,unit_id,month,reason,agreed_by\nfft_positive,XYZ,2025-08,keyed in error,PEC\n"
    )
    assert main(["load", str(folder), "--database", str(db), "--append"]) == 1
    err = capsys.readouterr().err
    assert f"{folder / 'spc_rebases.csv'}, row 2, column 'baseline_points'" in err and "at least 12" in err
    assert f"{folder / 'spc_exclusions.csv'}, row 2, column 'unit_id'" in err
    with Store(db, read_only=True) as store:  # nothing loaded
        assert len(store.table("spc_exclusions")) == 1 and len(store.table("spc_rebases")) == 2
