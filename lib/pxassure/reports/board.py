"""The Trust Board's paper: key measures, divisions, the framework and escalated exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure import framework, measures
from pxassure.measures import MEASURES
from pxassure.reports.base import (
    Chart,
    Report,
    chart_measure,
    clean_value,
    code_version,
    escalate_from_divisions,
    feedback_counts,
    framework_evidence,
    link_wards,
    load,
    parameters_of,
    report_links,
    spc_options,
    to_records,
)
from pxassure.suppression import suppress

# ---------------------------------------------------------------------------
# The board report
# ---------------------------------------------------------------------------

BOARD_MEASURES = ("fft_positive", "fft_response_rate", "complaints_rate", "complaints_in_target")


@dataclass(kw_only=True)
class BoardReport(Report):
    """The Trust Board's patient experience paper for one month."""

    trust_id: str
    trust_name: str
    division_charts: list[Chart]
    section_scores: pd.DataFrame
    score_changes: pd.DataFrame
    assurance_gaps: pd.DataFrame
    exceptions: pd.DataFrame
    feedback_counts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def division_summary(self) -> pd.DataFrame:
        """FFT % positive icons for each division."""
        return pd.DataFrame([c.summary_row() for c in self.division_charts])

    @property
    def latest_assessment(self) -> str | None:
        m = self.score_changes["latest_month"].dropna()
        return None if m.empty else pd.Timestamp(m.iloc[0]).strftime("%Y-%m")

    # -- narrative: what the data show, whether it gives assurance, what needs attention --

    def summary_text(self) -> list[str]:
        """Opening paragraphs for the board: overall position in plain English."""
        rows = self.summary
        concern = rows[rows["variation"].fillna("").str.startswith("concern")]
        improving = rows[rows["variation"].fillna("").str.startswith("improvement")]
        failing = rows[rows["assurance"] == "consistent_fail"]
        text = [
            f"This paper covers {self.month:%B %Y}. It shows {len(rows)} trust-wide measures of patient "
            "experience as statistical process control (SPC) charts, so that the board can tell real change "
            "from month-to-month noise."
        ]
        if concern.empty and improving.empty:
            text.append(
                "No trust-wide measure shows a significant change: variation is within what the process "
                "normally produces."
            )
        if len(improving):
            text.append("Significant improvement: " + ", ".join(improving["measure"]) + ".")
        if len(concern):
            text.append("Significant deterioration needing attention: " + ", ".join(concern["measure"]) + ".")
        if len(failing):
            text.append(
                "Not assured — the current process will not meet the target without change: "
                + ", ".join(failing["measure"])
                + "."
            )
        improving_divisions = [
            c.unit_name for c in self.division_charts if (c.result.variation or "").startswith("improvement")
        ]
        concern_divisions = [
            c.unit_name for c in self.division_charts if (c.result.variation or "").startswith("concern")
        ]
        if improving_divisions:
            text.append("Divisions showing improvement in FFT % positive: " + ", ".join(improving_divisions) + ".")
        if concern_divisions:
            text.append("Divisions showing deterioration in FFT % positive: " + ", ".join(concern_divisions) + ".")
        n_exc = self.exceptions["unit_id"].nunique()
        text.append(
            f"{n_exc} ward(s) show special-cause concern this month and are escalated below."
            if n_exc
            else "No ward shows special-cause concern this month."
        )
        return text

    def framework_text(self) -> list[str]:
        latest = self.latest_assessment
        if latest is None:
            return ["No self-assessment against the framework has been recorded yet."]
        ch = self.score_changes
        assessed = ch["latest"].notna().sum()
        up, down = (ch["change"] > 0).sum(), (ch["change"] < 0).sum()
        text = [
            f"The latest self-assessment ({latest}) scored {assessed} of {len(ch)} requirements; since the "
            f"previous assessment {up} score(s) rose and {down} fell."
        ]
        gaps = self.assurance_gaps
        if len(gaps):
            text.append(
                f"{len(gaps)} requirement(s) have an assurance gap: "
                + "; ".join(f"{r.requirement} ({r.gap})" for r in gaps.itertuples())
                + "."
            )
        else:
            text.append("No self-assessed score is contradicted by the feedback data.")
        return text

    def all_charts(self) -> list[Chart]:
        return self.charts + self.division_charts

    def findings(self) -> dict:
        """Machine-readable findings: icons, exceptions, framework scores and gaps."""

        latest_sections = self.section_scores[self.section_scores["period"] == self.latest_assessment]
        return {
            "report": "board",
            "layer": "board",
            "unit_id": self.trust_id,
            "period": self.period,
            "generated_at": self.generated_at,
            "options": {k: clean_value(v) for k, v in self.options.items()},
            "icons": to_records(self.summary),
            "division_icons": [dict(c.summary_row(), unit_id=c.unit_id) for c in self.division_charts],
            "exceptions": to_records(self.exceptions),
            "framework": {
                "latest_assessment": self.latest_assessment,
                "section_scores": to_records(latest_sections[["section", "mean_score", "assessed"]]),
                "assurance_gaps": to_records(self.assurance_gaps),
                "score_changes": to_records(
                    self.score_changes.loc[
                        self.score_changes["change"].fillna(0) != 0, ["requirement", "previous", "latest", "change"]
                    ]
                ),
            },
            "snapshot": self.snapshot,
            "code_version": self.code_version,
        }


def board_report(
    database: str | Path,
    period: Any = "latest",
    *,
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> BoardReport:
    """Build the board report model. Parameters are validated first, with clear errors."""
    options = spc_options(preset, shift_length, trend_length, minimum_points)
    data = load(database, period)
    month = data.month
    trust = data.trust
    trust_id = trust["unit_id"]

    charts = []
    for mid in BOARD_MEASURES:
        m = MEASURES[mid]
        rolled = measures.rollup(data.series(mid), data.units)
        s = rolled[rolled["unit_id"] == trust_id]
        target = None
        if mid == "fft_response_rate":
            target = measures.latest_national_rate(data.national, "inpatient", month)
            s = measures.rollup(_inpatient_only(data.series(mid), data.units), data.units)
            s = s[s["unit_id"] == trust_id]
        scope = {"fft_response_rate": "inpatient wards", "complaints_rate": "inpatient and maternity wards"}.get(
            mid, ""
        )
        charts.append(Chart(m, trust_id, trust["name"], chart_measure(s, m, options, target), scope=scope))

    division_charts = []
    fft_div = measures.rollup(data.series("fft_positive"), data.units, level="division")
    for div in data.units[data.units["level"] == "division"].itertuples(index=False):
        s = fft_div[fft_div["unit_id"] == div.unit_id]
        division_charts.append(
            Chart(
                MEASURES["fft_positive"],
                div.unit_id,
                div.name,
                chart_measure(s, MEASURES["fft_positive"], options, target=None),
            )
        )

    changes = framework.score_changes(data.scores, trust_id, month)
    gaps = framework.assurance_gaps(changes, framework_evidence(data, trust_id))
    sections = framework.section_scores(data.scores[data.scores["unit_id"] == trust_id])
    return BoardReport(
        period=month.strftime("%Y-%m"),
        month=month,
        trust_id=trust_id,
        trust_name=trust["name"],
        options=options,
        charts=charts,
        division_charts=division_charts,
        section_scores=sections,
        score_changes=changes,
        assurance_gaps=gaps,
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir), linkable),
        links=report_links("board", trust_id, data.units, linkable),
        feedback_counts=suppress(
            feedback_counts(data, "division"), ["fft_responses", "complaints", "pals_contacts", "compliments"]
        ),
        parameters=parameters_of(data, database, preset, options),
        snapshot=data.snapshot,
        code_version=code_version(),
    )


def _inpatient_only(series: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    inpatient = units.loc[units["service_type"] == "inpatient", "unit_id"]
    return series[series["unit_id"].isin(inpatient)]
