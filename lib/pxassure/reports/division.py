"""A division's paper: its measures, every ward at a glance, its self-assessment and actions,
complaints by subject, and the wards it must act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pxassure.analysis import actions, framework, measures
from pxassure.analysis.suppression import MARK, suppress
from pxassure.errors import ParameterError
from pxassure.ingest import catalogue
from pxassure.reports import committees
from pxassure.reports.charting import Chart, by_measure, charts_for
from pxassure.reports.data import ReportData, framework_position
from pxassure.reports.escalation import escalate, link_wards, ward_children
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.reports.provenance import to_records
from pxassure.words import counted, verb


@dataclass(kw_only=True, frozen=True)
class DivisionReport(Report):
    SECTIONS = {
        "charts": "Summary",
        "exceptions": "Wards needing attention",
        "framework": "Self-assessment against the framework",
        "actions": "Self-assessment against the framework",
        "data": "Data used in this paper",
    }

    unit_name: str
    ward_charts: list[Chart]
    section_scores: pd.DataFrame
    score_changes: pd.DataFrame
    assurance_gaps: pd.DataFrame
    actions: pd.DataFrame
    complaints_by_subject: pd.DataFrame
    exceptions: pd.DataFrame
    closed_wards: list[str]  # wards not open in the report month, with why ("… closed in December 2025")
    renamed_wards: list[str]  # open wards with a rename noted ("Beech Surgical Ward, formerly Beech Ward, …")

    @property
    def ward_summary(self) -> pd.DataFrame:
        return pd.DataFrame([dict(c.summary_row(), unit_id=c.unit_id) for c in self.ward_charts])

    def all_charts(self) -> list[Chart]:
        return self.charts + self.ward_charts

    @property
    def self_assessed(self) -> bool:
        """Whether the division has assessed itself against the framework by the report month."""
        return not self.section_scores.empty

    def not_self_assessed_text(self) -> str:
        """What the paper says instead of scores, gaps and actions when the division has none."""
        return (
            f"{self.unit_name} has no self-assessment against the framework up to {self.month:%B %Y}, so this "
            "paper shows no scores, assurance gaps or planned actions for it. That is not the same as having no "
            "gaps: the trust's own assessment is in the committee papers."
        )

    def ward_groups(self) -> list[tuple[str, list[Chart]]]:
        """The ward small multiples, one group per measure (``ward_measures`` in the params file)."""
        return [(m.name, charts) for m, charts in by_measure(self.ward_charts)]

    def ward_alt_text(self, measure_name: str | None = None) -> str:
        charts = [c for c in self.ward_charts if measure_name in (None, c.measure.name)]
        name = measure_name or (charts[0].measure.name if charts else "the measure")
        parts = [f"{c.unit_name}: {_latest_in_words(c)}" for c in charts]
        return (
            f"Small multiples of {name} for the {len(charts)} wards and departments of "
            f"{self.unit_name}, {self.period}; latest variation for each: " + "; ".join(parts) + "."
        )

    def summary_text(self) -> list[str]:
        text = [
            f"{self.unit_name}: divisional report for {self.period.name}, covering "
            f"{len({c.unit_id for c in self.ward_charts})} wards and departments."
        ]
        if self.closed_wards:
            text.append(
                f"Not open {self.period.latest}, so with no chart or paper here (their earlier months still count in the "
                "division's figures): " + "; ".join(self.closed_wards) + "."
            )
        if self.renamed_wards:
            text.append("Renamed: " + "; ".join(self.renamed_wards) + ".")
        for c in self.charts:
            v = c.result.variation or ""
            if v.startswith("improvement"):
                text.append(f"{c.measure.name} shows significant improvement.")
            elif v.startswith("concern"):
                text.append(f"{c.measure.name} shows significant deterioration.")
        n = self.exceptions["unit_id"].nunique()
        text.append(
            f"{counted(n, 'ward')} {verb(n, 'shows', 'show')} special-cause concern {self.period.latest}."
            if n
            else f"No ward shows special-cause concern {self.period.latest}."
        )
        overdue = int(self.actions["overdue"].sum()) if len(self.actions) else 0
        if overdue:
            text.append(f"{counted(overdue, 'self-assessment action')} {verb(overdue, 'is', 'are')} past due.")
        if not self.self_assessed:  # said, so no reader takes the missing scores for no gaps
            text.append(f"{self.unit_name} has no self-assessment against the framework up to {self.month:%B %Y}.")
        gaps = self.unassessed(self.charts)
        if gaps:
            text.append("Not assessed: " + "; ".join(gaps) + ".")
        return text

    def findings(self) -> dict:
        return {
            **self.base_findings(),
            "name": self.unit_name,
            "ward_icons": to_records(self.ward_summary),
            "exceptions": to_records(self.exceptions),
            "escalate": [m.id for m in self.escalated],
            "framework": {
                "assurance_gaps": to_records(self.assurance_gaps),
                "overdue_actions": int(self.actions["overdue"].sum()) if len(self.actions) else 0,
            },
        }


def actions_due(scores: pd.DataFrame, unit_id: str, month: pd.Timestamp) -> pd.DataFrame:
    """Planned actions from the unit's latest self-assessment, overdue first, then by due date."""
    s = scores[(scores["unit_id"] == unit_id) & (pd.to_datetime(scores["assessed_month"]) <= month)]
    if s.empty:  # typed, so joining it to another unit's actions keeps 'overdue' a flag
        columns = {c: pd.Series(dtype=object) for c in ["requirement", "score", "planned_action", "owner", "due_date"]}
        return pd.DataFrame({**columns, "overdue": pd.Series(dtype=bool)})
    latest = s[pd.to_datetime(s["assessed_month"]) == pd.to_datetime(s["assessed_month"]).max()]
    a = latest[latest["planned_action"].notna()].copy()
    a["overdue"] = actions.overdue(a["due_date"], True, month)
    a["due_date"] = pd.to_datetime(a["due_date"]).dt.strftime("%Y-%m-%d")
    a = a.sort_values(
        ["overdue", "due_date", "requirement"], ascending=[False, True, True], key=catalogue.in_framework_order
    )
    return a[["requirement", "score", "planned_action", "owner", "due_date", "overdue"]].reset_index(drop=True)


#: Actions counted as due soon: within this many months after the report month.
ACTIONS_AHEAD_MONTHS = 3


def action_counts(actions: pd.DataFrame, month: pd.Timestamp, months: int = ACTIONS_AHEAD_MONTHS) -> pd.DataFrame:
    """Actions per ``unit`` (the unit that assessed itself): overdue, due within the next
    ``months`` months, due later, and all, in the order units first appear."""
    columns = ["unit", "overdue", "next_quarter", "later", "total"]
    if actions.empty:
        return pd.DataFrame(columns=columns)
    soon = actions.index.isin(actions.index[_due_by(actions, month, months)])
    kind = pd.Series("later", index=actions.index).mask(soon, "next_quarter").mask(actions["overdue"], "overdue")
    table = pd.crosstab(pd.Categorical(actions["unit"], categories=actions["unit"].unique()), kind)
    table = table.reindex(columns=["overdue", "next_quarter", "later"], fill_value=0)
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.rename_axis("unit").reset_index()[columns]


def _due_by(actions: pd.DataFrame, month: pd.Timestamp, months: int) -> pd.Series:
    horizon = month + pd.offsets.MonthEnd(0) + pd.DateOffset(months=months)
    return pd.to_datetime(actions["due_date"]) <= horizon


def complaints_by_subject(data: ReportData, ward_ids, months: int = 12) -> pd.DataFrame:
    """Complaints received in the last ``months`` about ``ward_ids``, counted once against every
    KO41a subject they raise (no identifiers)."""
    since = (data.month - pd.DateOffset(months=months - 1)).date()
    c = data.complaints[
        data.complaints["unit_id"].isin(list(ward_ids)) & (pd.to_datetime(data.complaints["received"]).dt.date >= since)
    ]
    subjects = data.complaint_subjects[data.complaint_subjects["complaint_id"].isin(c["complaint_id"])]
    out = subjects.groupby("subject").size().rename("complaints").reset_index()
    out["share"] = np.round(100 * out["complaints"] / max(len(c), 1), 1)
    out = out.sort_values(["complaints", "subject"], ascending=[False, True]).reset_index(drop=True)
    # Counts of 1 to 4 are shown as * (and the share beside them), as the papers say.
    shown = suppress(out, ["complaints"])
    shown["share"] = [MARK if n == MARK else f"{v:.1f}" for n, v in zip(shown["complaints"], out["share"])]
    return shown


def division_report(
    database: str | Path,
    period: Any = "latest",
    unit_id: Any = None,
    *,
    committee: str = "division",
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> DivisionReport:
    """Build one division's report model; parameters are checked first."""
    if unit_id is None:
        raise ParameterError("unit_id is required for a division report")
    unit_id = str(unit_id).strip()
    spc = (preset, shift_length, trend_length, minimum_points)
    opening = open_report(database, period, committee, "division", spc, unit_id)  # its rows and the shared tables
    data, options, month = opening.data, opening.options, opening.data.month
    unit = data.unit(unit_id)
    if unit["level"] != "division":
        raise ParameterError(f"unit_id {unit_id!r} is a {unit['level']}, not a division")
    children = ward_children(data, unit_id)  # the wards open this month: each has a paper and a chart here
    wards = sorted(w for ward_list in children.values() for w in ward_list)
    every_ward = [w for w in data.wards() if committees.division_of(data.units, w) == unit_id]
    closed = [f"{data.unit(w)['name']} {measures.closure(data.units, w, month)}" for w in every_ward if w not in wards]
    renamed = [f"{data.unit(w)['name']}, {data.unit(w)['formerly']}" for w in wards if data.unit(w)["formerly"]]

    changes, gaps = framework_position(data, unit_id)
    missing: list[dict] = []
    exceptions = escalate(data, options, reports_dir, children, opening.escalated)
    return DivisionReport(
        **opening.common(unit_id, linkable, unit_id=unit_id),
        unit_name=unit["name"],
        charts=charts_for(data, opening.measures("measures"), [unit_id], options, missing),
        ward_charts=charts_for(data, opening.measures("ward_measures"), wards, options, missing),
        missing=missing,
        data_used=data.data_used(data.scope(unit_id)),
        section_scores=framework.section_scores(data.scores[data.scores["unit_id"] == unit_id]),
        score_changes=changes,
        assurance_gaps=gaps,
        actions=actions_due(data.scores, unit_id, month),
        complaints_by_subject=complaints_by_subject(data, every_ward),
        closed_wards=closed,
        renamed_wards=renamed,
        exceptions=link_wards(exceptions, linkable),
    )


def _latest_in_words(chart: Chart) -> str:
    """A small multiple's latest variation for its description, as its icon shows it."""
    if chart.latest_withheld:
        return "latest month withheld (too few responses), no icon"
    return (chart.result.variation or "no icon").replace("_", " ")
