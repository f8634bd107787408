"""The quality committees' paper (the Executive Quality Committee and the board's Quality and
Governance Committee, each fitted by its params file): measures trust-wide and by division, the
framework heatmap, triangulation of experience with safety, staffing and the staff survey, and
complaints performance."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis import measures, triangulation
from pxassure.analysis.measures import Measure
from pxassure.ingest import catalogue
from pxassure.reports.data import ReportData, framework_position
from pxassure.reports.escalation import escalate_from_divisions, link_wards
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.reports.provenance import to_records
from pxassure.reports.trustwide import complaints_performance, trust_and_division_charts
from pxassure.words import counted, p_text, verb


@dataclass(kw_only=True, frozen=True)
class QualityReport(Report):
    SECTIONS = {
        "charts": "Every measure, trust-wide and by division",
        "exceptions": "Wards needing attention",
        "framework": "Self-assessment over time",
        "data": "Data used in this paper",
    }

    KEY_TERMS = (*Report.KEY_TERMS, "spearman")

    heatmap: pd.DataFrame
    score_changes: pd.DataFrame
    assurance_gaps: pd.DataFrame  # the trust's, as the board is told them
    triangulated: list[Measure]
    triangulation: pd.DataFrame
    correlations: pd.DataFrame
    staff_survey: pd.DataFrame
    complaints: pd.DataFrame
    exceptions: pd.DataFrame

    def other_methods(self) -> list[str]:
        return ["Triangulation: Spearman rank correlation across wards of 12-month averages (association, not cause)."]

    def heatmap_text(self) -> str:
        h = self.heatmap
        if h.empty:
            return "No self-assessment scores recorded."
        first, last = h.columns[0], h.columns[-1]
        low = h[last][h[last] <= 1].index.tolist()
        return (
            f"Heatmap of the trust's self-assessment score (0 to 5) for each of the {len(h)} framework "
            f"requirements at each of {h.shape[1]} assessments from {first} to {last}. Mean score "
            f"{np.nanmean(h[first]):.1f} at the first assessment and {np.nanmean(h[last]):.1f} at the latest. "
            f"Requirements scored 0 or 1 at the latest assessment: {', '.join(low) if low else 'none'}."
        )

    def scatter_measures(self) -> list[Measure]:
        """Triangulated measures with enough wards to draw and test (at least four)."""
        enough = set(self.correlations.loc[self.correlations["wards"] >= triangulation.MIN_WARDS, "column"])
        return [m for m in self.triangulated if m.id in enough]

    def summary_text(self) -> list[str]:
        """The opening: the month, what could be assessed, and what could not."""
        return [f"Report for {self.period.name}.", *self.assessment_text("chart")]

    def triangulation_text(self) -> list[str]:
        text = [
            f"FFT % positive and {m['measure'].lower()}: not set side by side ({m['reason']})."
            for m in self.missing
            if m["unit"] == "triangulation"
        ]
        for r in self.correlations.itertuples(index=False):
            if r.wards < triangulation.MIN_WARDS:
                text.append(
                    f"FFT % positive and {r.measure.lower()}: only {counted(r.wards, 'ward')} {verb(r.wards, 'has', 'have')} both figures, too few "
                    "to test an association."
                )
                continue
            strength = (
                "no clear"
                if not r.p_value < 0.05
                else ("a strong" if abs(r.rho) >= 0.5 else "a moderate" if abs(r.rho) >= 0.3 else "a weak")
            )
            text.append(
                f"FFT % positive and {r.measure.lower()}: {strength} association across "
                f"{r.wards} wards (Spearman ρ = {r.rho:.2f}, {p_text(r.p_value)})."
            )
        return text

    def scatter_text(self, measure: Measure) -> str:
        """Alt text for the scatter of FFT % positive against one triangulated measure."""
        corr = self.correlations.set_index("column").loc[measure.id]
        concern = self.exceptions["ward"].tolist()
        return (
            f"Scatter plot of FFT % positive against {measure.name.lower()} for {int(corr['wards'])} wards over "
            f"twelve months; Spearman rho {corr['rho']:.2f}. Wards with special-cause concern {self.period.latest} are "
            f"marked: {', '.join(concern) or 'none'}."
        )

    def findings(self) -> dict:
        return {
            **self.base_findings(),
            "exceptions": to_records(self.exceptions),
            "escalate": [m.id for m in self.escalated],
            "correlations": to_records(self.correlations),
        }


def triangulate(data: ReportData, measure_list: list[Measure], months: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-ward figures over the last ``months`` of FFT % positive and each listed measure, with
    their correlations across wards. Only measures whose sources were supplied (and FFT itself)
    are triangulated."""
    measure_list = [m for m in measure_list if not data.not_supplied(m)]
    since = data.month - pd.DateOffset(months=months - 1)
    fft = measures.get("fft_positive")
    if data.not_supplied(fft):
        measure_list = []

    def figure(m: Measure) -> pd.Series:
        s = data.series(m)
        return triangulation.ward_figure(s[s["month"] >= since], m)

    t = pd.DataFrame({m.id: figure(m) for m in [fft, *measure_list]} if measure_list else {})
    t = t.join(data.units.set_index("unit_id")["name"]).reset_index().rename(columns={"index": "unit_id"})
    return t, triangulation.correlations(t, fft.id, [(m.name, m.id) for m in measure_list])


def staff_survey_by_division(data: ReportData) -> pd.DataFrame:
    """Latest staff survey results per division with FFT % positive over the same year."""
    ss = data.staff_survey
    if ss.empty:
        return ss
    year = int(ss["year"].max())
    latest = ss[ss["year"] == year].pivot_table(index="unit_id", columns="question_id", values="percent_positive")
    fft = measures.rollup(data.series("fft_positive"), data.units, level="division")
    fft = fft[fft["month"].dt.year == year].groupby("unit_id")[["numerator", "denominator"]].sum()
    latest["fft_positive"] = 100 * fft["numerator"] / fft["denominator"]
    names = data.units.set_index("unit_id")["name"]
    out = latest.reset_index()
    out["name"] = out["unit_id"].map(names)
    out["year"] = year
    return out[out["unit_id"].isin(data.units.loc[data.units["level"].isin(["trust", "division"]), "unit_id"])]


def quality_report(
    database: str | Path,
    period: Any = "latest",
    committee: str = "executive_quality_committee",
    *,
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> QualityReport:
    """Build a quality committee's report model (any committee whose params file names the
    quality notebook: today the Executive Quality Committee and the Quality and Governance Committee)."""
    spc = (preset, shift_length, trend_length, minimum_points)
    opening = open_report(database, period, committee, "quality_committee", spc)
    data, options = opening.data, opening.options
    missing: list[dict] = []
    trust_id = data.trust["unit_id"]
    s = data.scores[data.scores["unit_id"] == trust_id]
    heat = s.assign(period=pd.to_datetime(s["assessed_month"]).dt.strftime("%Y-%m")).pivot_table(
        index="requirement", columns="period", values="score", aggfunc="first"
    )
    heat = heat.reindex(catalogue.requirement_ids()).astype(float)
    chosen = opening.measures("triangulate")
    triangulated = [m for m in chosen if not data.not_supplied(m)]
    missing += [
        {"measure": m.name, "unit": "triangulation", "reason": "not supplied: " + ", ".join(data.not_supplied(m))}
        for m in chosen
        if m not in triangulated
    ]
    tri, corr = triangulate(data, triangulated)
    changes, gaps = framework_position(data, trust_id)
    return QualityReport(
        **opening.common(trust_id, linkable, committee=committee),
        charts=trust_and_division_charts(data, opening.measures("measures"), options, missing),
        missing=missing,
        data_used=data.data_used(),
        heatmap=heat,
        score_changes=changes,
        assurance_gaps=gaps,
        triangulated=triangulated,
        triangulation=tri,
        correlations=corr,
        staff_survey=staff_survey_by_division(data),
        complaints=complaints_performance(data, by_division=True),
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir, opening.escalated), linkable),
    )
