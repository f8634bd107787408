"""A paper's summary table as data (<name>.ipr.csv and .ipr.xlsx): what the paper showed, read
from its findings, opening in Excel; a withheld figure empty and marked, never 0."""

import json
import re
from html import unescape

import pandas as pd

from pxassure.publish.summary_data import summary_frame, write_summary


def test_the_board_papers_summary_is_written_beside_it_as_csv_and_excel(board):
    assert board.ipr_csv == board.html.with_name("board.ipr.csv") and board.ipr_csv.exists()
    csv = pd.read_csv(board.ipr_csv, encoding="utf-8-sig")
    xlsx = pd.read_excel(board.ipr_xlsx, sheet_name="Summary")
    pd.testing.assert_frame_equal(csv, xlsx, check_dtype=False)
    findings = json.loads(board.findings.read_text())
    assert len(csv) == len(findings["icons"]) > 0
    assert set(csv["report"]) == {"board"} and set(csv["period"]) == {findings["period"]}
    # each row is what the paper's own summary table prints: measure, scope and latest month
    page = unescape(re.sub(r"<[^>]+>", " ", board.html.read_text()))
    for row in csv.itertuples():
        assert row.measure in page and row.latest_month in page
        assert row.lower_process_limit <= row.mean <= row.upper_process_limit
    assert set(csv["variation_meaning"].dropna()) <= {
        "Common cause variation",
        "Improvement (high)",
        "Improvement (low)",
        "Concern (high)",
        "Concern (low)",
    }


def _icon(**overrides):
    row = {
        "measure": "FFT % positive",
        "measure_id": "fft_positive",
        "scope": "Oak Ward",
        "unit_id": "W1",
        "month": "2026-10",
        "latest": 91.5,
        "unit": "%",
        "target": 95.0,
        "variation": "common_cause",
        "assurance": "inconsistent",
        "chart": "pp",
        "mean": 92.0,
        "lower": 88.0,
        "upper": 96.0,
        "data_quality": "Sufficient",
    }
    return {**row, **overrides}


def test_a_withheld_figure_is_empty_and_marked_never_zero(tmp_path):
    findings = {
        "report": "ward",
        "period": "2026-Q3",
        "icons": [_icon(), _icon(unit_id="W2", latest="*", variation=None, assurance=None)],
    }
    (tmp_path / "findings.json").write_text(json.dumps(findings))
    csv, xlsx = write_summary(tmp_path / "findings.json", tmp_path / "W2")
    assert (csv.name, xlsx.name) == ("W2.ipr.csv", "W2.ipr.xlsx")
    rows = pd.read_csv(csv, encoding="utf-8-sig")
    assert rows["withheld"].tolist() == [False, True]
    assert rows.loc[0, "latest_value"] == 91.5 and pd.isna(rows.loc[1, "latest_value"])
    assert (
        pd.isna(rows.loc[1, "variation_meaning"]) and rows.loc[0, "assurance_meaning"] == "Hit and miss against target"
    )
    assert set(rows["period"]) == {"2026-Q3"}


def test_a_paper_with_no_charts_has_no_summary_file(tmp_path):
    (tmp_path / "findings.json").write_text(json.dumps({"report": "governors_engagement_committee", "icons": []}))
    assert write_summary(tmp_path / "findings.json", tmp_path / "g") == []
    assert summary_frame({"icons": []}).empty
