"""The Trust Board's paper: key measures, divisions, the framework and escalated exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure.analysis import framework
from pxassure.analysis.suppression import suppress
from pxassure.reports import committees
from pxassure.reports.charting import Chart, charts_for
from pxassure.reports.data import FEEDBACK_SOURCES, feedback_counts, framework_position
from pxassure.reports.escalation import escalate_from_divisions, link_wards
from pxassure.reports.listening import StoryRecord
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.reports.provenance import to_records
from pxassure.words import counted, verb


@dataclass(kw_only=True, frozen=True)
class BoardReport(Report):
    """The Trust Board's patient experience paper for one month."""

    SECTIONS = {
        "charts": None,
        "division_charts": "Divisions",
        "exceptions": "Exceptions escalated from wards",
        "stories": "Patient stories",
        "framework": "Patient experience improvement framework",
        "data": "Data used in this paper",
    }

    trust_name: str
    division_charts: list[Chart]  # the key measures, then any other division_measures, by division
    section_scores: pd.DataFrame
    score_changes: pd.DataFrame
    assurance_gaps: pd.DataFrame
    exceptions: pd.DataFrame
    feedback_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    stories: StoryRecord | None = None  # the patient stories the board heard, and their actions

    def grid_charts(self) -> list[Chart]:
        """The small-multiples page: the key measures (the paper's own) for each division."""
        key = {m.id for m in committees.measure_list(self.spec, "measures")}
        return [c for c in self.division_charts if c.measure.id in key]

    @property
    def division_summary(self) -> pd.DataFrame:
        """The icons of each division's charts: every division figure the board's findings name
        is in this one table, so that the executive summary's "Divisions" shows it."""
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
            f"This paper covers {self.period.name}. It shows {counted(len(rows), 'trust-wide measure')} of patient "
            "experience as statistical process control (SPC) charts, so that the board can tell real change "
            "from month-to-month noise."
        ]
        text += self.assessment_text("trust-wide measure")
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
        for word, prefix in (("improvement", "improvement"), ("deterioration", "concern")):
            by_measure: dict[str, list[str]] = {}
            for c in self.division_charts:
                if (c.result.variation or "").startswith(prefix):
                    by_measure.setdefault(c.measure.name, []).append(c.unit_name)
            for name, units in by_measure.items():
                text.append(f"Divisions showing {word} in {name}: " + ", ".join(units) + ".")
        n_exc = self.exceptions["unit_id"].nunique()
        text.append(
            f"{counted(n_exc, 'ward')} {verb(n_exc, 'shows', 'show')} special-cause concern {self.period.latest} and "
            f"{verb(n_exc, 'is', 'are')} escalated below."
            if n_exc
            else f"No ward shows special-cause concern {self.period.latest}."
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
            f"previous assessment {counted(up, 'score')} rose and {down} fell."
        ]
        gaps = self.assurance_gaps
        if len(gaps):
            text.append(
                f"{counted(len(gaps), 'requirement')} {verb(len(gaps), 'has', 'have')} an assurance gap: "
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
            **self.base_findings(),
            "division_icons": to_records(
                self.division_summary.assign(unit_id=[c.unit_id for c in self.division_charts])
            ),
            "exceptions": to_records(self.exceptions),
            "escalate": [m.id for m in self.escalated],
            "stories": self.stories.findings() if self.stories else None,
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
        }


def board_report(
    database: str | Path,
    period: Any = "latest",
    *,
    committee: str = "board",
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> BoardReport:
    """Build the board report model. Parameters are validated first, with clear errors."""
    opening = open_report(database, period, committee, "board", (preset, shift_length, trend_length, minimum_points))
    data, options = opening.data, opening.options
    trust = data.trust
    trust_id = trust["unit_id"]
    divisions = committees.divisions_in_order(data.units)["unit_id"]
    key = opening.measures("measures")
    by_division = key + [m for m in opening.measures("division_measures") if m.id not in {k.id for k in key}]
    missing: list[dict] = []

    changes, gaps = framework_position(data, trust_id)
    sections = framework.section_scores(data.scores[data.scores["unit_id"] == trust_id])
    return BoardReport(
        **opening.common(trust_id, linkable),
        trust_name=trust["name"],
        charts=charts_for(data, key, [trust_id], options, missing),
        division_charts=charts_for(data, by_division, divisions, options, missing),
        missing=missing,
        data_used=data.data_used(also=("patient_stories",)),
        section_scores=sections,
        score_changes=changes,
        assurance_gaps=gaps,
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir, opening.escalated), linkable),
        feedback_counts=feedback_table(data),
        stories=StoryRecord.from_data(
            data,
            opening.spec["layer"],
            committees.meeting_name(opening.spec, data.committee_names),
            opening.spec.get("cadence", "monthly"),
        ),
    )


def feedback_table(data) -> pd.DataFrame:
    """Feedback received in the period by division, small counts suppressed, and "not supplied"
    (never 0) for a source the trust has not loaded."""
    counts = feedback_counts(data, "division")
    supplied = {col: bool(len(data.tables[table])) for col, table in FEEDBACK_SOURCES.items()}
    counts = suppress(counts, [c for c, ok in supplied.items() if ok])
    for col, ok in supplied.items():
        if not ok:
            counts[col] = "not supplied"
    return counts
