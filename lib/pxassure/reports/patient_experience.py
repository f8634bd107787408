"""The Patient Experience Committee's paper: every measure by division, funnel plots of wards,
response rates against the national average, complaints by subject and against their response
targets, ward exceptions, trend tests with false-discovery-rate control, and self-assessment
actions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure.analysis import evidence, funnel, measures, trends
from pxassure.analysis.comments import theme_changes
from pxassure.analysis.measures import Measure
from pxassure.analysis.suppression import MARK, suppress
from pxassure.ingest import catalogue
from pxassure.ingest.columns import SETTINGS
from pxassure.reports.acting import ChangesMade, Involvement, WorkPlan
from pxassure.reports.comment_coding import CommentCoding
from pxassure.reports.committees import satisfaction_commitment
from pxassure.reports.data import ReportData, framework_evidence, framework_position, records_held
from pxassure.reports.division import action_counts, actions_due, complaints_by_subject
from pxassure.reports.escalation import escalate_from_divisions, link_wards
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.reports.provenance import to_records
from pxassure.reports.trustwide import complaints_performance, trust_and_division_charts
from pxassure.words import counted, verb

#: Wards compared in funnel plots come from one setting: FFT is not designed to compare unlike
#: services (A&E against day case would make every funnel a case-mix chart).
FUNNEL_SETTING = "inpatient"


def _quarter(data: ReportData) -> pd.Timestamp:
    """First month of the three months ending with the report month."""
    return data.month - pd.DateOffset(months=2)


@dataclass(frozen=True)
class Funnel:
    """One funnel plot: a measure pooled over the last quarter for each ward of one setting."""

    measure: Measure
    data: pd.DataFrame  # unit_id, name, numerator, denominator, value, centre, limits, position

    @property
    def higher_is_better(self) -> bool:
        return self.measure.improvement == "increase"

    def outliers(self, worse: bool = True) -> pd.DataFrame:
        """Wards beyond the 99.8% limit on the worse (or better) side."""
        low = "below_998"
        high = "above_998"
        bad = low if self.higher_is_better else high
        good = high if self.higher_is_better else low
        return self.data[self.data["position"] == (bad if worse else good)]


def ward_funnels(data: ReportData, measure_list: list[Measure], minimum_denominator: int = 5) -> list[Funnel]:
    """Funnel data for the latest quarter, one row per ward of :data:`FUNNEL_SETTING`, for
    each listed measure that is a proportion or a rate; a ward whose quarter has fewer than
    ``minimum_denominator`` (responses …) is left out, as its figure would be suppressed."""
    start = _quarter(data)
    names = data.units.set_index("unit_id")["name"]
    wards = data.wards((FUNNEL_SETTING,))
    out = []
    for m in measure_list:
        if m.funnel_kind is None:
            continue  # counts and XmR measures have no funnel
        s = data.series(m)
        s = s[(s["month"] >= start) & s["unit_id"].isin(wards)]
        q = s.groupby("unit_id")[["numerator", "denominator"]].sum(min_count=1).reset_index()
        q = q[q["denominator"] >= minimum_denominator]
        q["name"] = q["unit_id"].map(names)
        out.append(Funnel(m, funnel.funnel(q, kind=m.funnel_kind, multiply=m.multiply)))
    return out


def trust_themes(data: ReportData) -> pd.DataFrame:
    """Trust-wide comment themes, last three months against the three before, for a paper: counts of
    1 to 4 shown as * (and the change only where both counts are 5 or more)."""
    t = theme_changes(data.comments, data.month)
    if t.empty:
        return t
    t["change"] = t["change"].where((t["recent"] >= 5) & (t["before"] >= 5))
    t = suppress(t, ["recent", "before", "negative"])
    # a count hidden to protect another (secondary suppression) must not be given away by the change
    hidden = (t["recent"] == MARK) | (t["before"] == MARK)
    t["change"] = t["change"].where(~hidden).map(lambda v: "" if pd.isna(v) else f"{int(v):+d}")
    t["direction"] = t["direction"].fillna("too few to say")
    return t


def response_rates(data: ReportData) -> pd.DataFrame:
    """The trust's FFT response rate by setting over the report's period, against the national average."""
    rr = data.series("fft_response_rate")
    rr = rr[data.period.holds(rr["month"])].merge(data.units[["unit_id", "service_type"]], on="unit_id")
    g = rr.groupby("service_type")[["numerator", "denominator"]].sum().reset_index()
    g["trust_rate"] = 100 * g["numerator"] / g["denominator"]
    rate = measures.get("fft_response_rate")
    g["national_rate"] = [data.national_figure(rate, s) for s in g["service_type"]]
    g["difference"] = g["trust_rate"] - g["national_rate"]
    # No national figure for a setting: no comparison (never "below the national average").
    g["meets_national"] = [None if pd.isna(d) else bool(d >= 0) for d in g["difference"]]
    g["setting"] = g["service_type"].map(SETTINGS)
    return g[["setting", "trust_rate", "national_rate", "difference", "meets_national"]]


def trend_months(data: ReportData, months: int = 24) -> list[str]:
    """The calendar months with FFT data that the trend tests cover."""
    s = data.series("fft_positive")
    m = s.loc[s["month"] > data.month - pd.DateOffset(months=months), "month"]
    return sorted(m.dt.strftime("%Y-%m").unique())


def ward_trends(data: ReportData, months: int = 24) -> pd.DataFrame:
    """Trend in FFT % positive for every ward over the last ``months`` (calendar months)."""
    s = data.series("fft_positive")
    s = s[s["month"] > data.month - pd.DateOffset(months=months)]
    s = s[s["unit_id"].isin(data.units.loc[data.units["level"] == "ward", "unit_id"])]
    out = trends.proportion_trends(s)
    out.insert(len(out.columns) - 1, "ward", out["unit_id"].map(data.units.set_index("unit_id")["name"]))
    return out


@dataclass(kw_only=True, frozen=True)
class PatientExperienceReport(Report):
    SECTIONS = {
        "charts": "Every measure, trust-wide and by division",
        "exceptions": "Wards needing attention",
        "changes": "You said, we did",
        "involvement": "Involving patients and the public",
        "work_plan": "The strategy's work plan",
        "framework": "Self-assessment against the framework",
        "actions": "Self-assessment against the framework",
        "data": "Data used in this paper",
    }

    KEY_TERMS = (*Report.KEY_TERMS, "funnel", "odds_ratio", "dispersion", "adjusted_p")

    trend_months: list[str]
    funnels: list[Funnel]
    response_rates: pd.DataFrame
    complaints_subjects: pd.DataFrame
    complaints_targets: pd.DataFrame
    exceptions: pd.DataFrame
    trends: pd.DataFrame
    actions: pd.DataFrame
    comment_themes: pd.DataFrame  # trust-wide themes, last three months against the three before (suppressed)
    comment_coding: CommentCoding  # non-comments, tones against the answer, agreement with people
    score_changes: pd.DataFrame
    assurance_gaps: pd.DataFrame  # the trust's, as the board is told them
    evidence: pd.DataFrame  # each requirement data or records evidence: score beside what is held
    changes_made: ChangesMade  # "you said, we did", with before/after charts
    involvement: Involvement  # activities, reach and participants' satisfaction by quarter
    work_plan: WorkPlan  # the strategy's commitments and their latest status

    @property
    def overdue_actions(self) -> pd.DataFrame:
        """Actions past their due date, by who assessed (those due later are in the appendix's full log)."""
        return self.actions[self.actions["overdue"]] if len(self.actions) else self.actions

    @property
    def action_counts(self) -> pd.DataFrame:
        """Per unit that assessed itself: actions overdue, due in the next quarter, due later, all."""
        return action_counts(self.actions, self.month)

    def other_methods(self) -> list[str]:
        d = self.trends["dispersion"].dropna() if "dispersion" in self.trends else pd.Series(dtype=float)
        spread = (
            f" Pearson dispersion across wards: median {d.median():.1f} (range {d.min():.1f} to {d.max():.1f})."
            if len(d)
            else ""
        )
        return [
            "Funnel plots: 95% (z = 1.96) and 99.8% (z = 3.09) limits, binomial for proportions, Poisson for rates.",
            "Trend tests: quasi-binomial GLM of FFT % positive on calendar month per ward over 24 months (variance "
            "scaled by the Pearson dispersion, never below 1, with t-based p-values, because real FFT counts vary "
            "more than a binomial model allows); Benjamini–Hochberg false-discovery-rate adjustment across wards "
            "(significant: adjusted p < 0.05)." + spread,
        ]

    def trends_text(self) -> str:
        """What the trend tests covered, computed from what was tested (never a fixed number of wards)."""
        t = self.trends
        tested = int(t["p_value"].notna().sum()) if len(t) else 0
        if not tested:
            return "No ward had enough months of FFT data for a trend test."
        months = sorted(self.trend_months)
        span = f"the {len(months)} months from {months[0]} to {months[-1]}" if months else "the period"
        return (
            f"A trend test for each of the {tested} wards with enough FFT data, over {span}. Testing {tested} "
            f"wards at once would flag about {tested * 0.05:.0f} by chance alone at p < 0.05, so p-values are "
            "adjusted for the false-discovery rate (Benjamini–Hochberg); only adjusted values below 0.05 count "
            "as significant."
        )

    def summary_text(self) -> list[str]:
        t = self.trends
        tested = int(t["p_value"].notna().sum())
        raw = int((t["p_value"] < 0.05).sum())
        adj = int(t["significant"].sum())
        down = t[t["significant"] & (t["slope_per_year"] < 0)]
        n_exc = self.exceptions["unit_id"].nunique()
        text = [
            f"Patient Experience Committee paper for {self.period.name}.",
            f"{counted(n_exc, 'ward')} {verb(n_exc, 'shows', 'show')} special-cause concern {self.period.latest}.",
        ]
        if self.funnels:
            text.append(
                "Over the last quarter, wards beyond the worse 99.8% funnel limit: "
                + "; ".join(f"{f.measure.name} {len(f.outliers())}" for f in self.funnels)
                + "."
            )
        text.append(
            f"Trend tests on {tested} wards: {raw} have p < 0.05 before adjustment for testing many wards, "
            f"{adj} after it" + (f"; falling: {', '.join(down['ward'])}." if len(down) else ".")
        )
        rr = self.response_rates
        below = rr[rr["meets_national"].map(lambda v: v is False)]
        if len(below):
            text.append("FFT response rates below the national average: " + ", ".join(below["setting"]) + ".")
        unknown = rr[rr["meets_national"].isna()]
        if len(unknown):
            text.append(
                "No national average to compare with for: " + ", ".join(unknown["setting"]) + " (not supplied)."
            )
        themes = self.comment_themes
        if len(themes):
            for way in ("rising", "falling"):
                named = themes.loc[themes["direction"] == way, "theme"].tolist()
                if named:
                    text.append(f"Comment themes {way} over the last three months: " + ", ".join(named) + ".")
        overdue = int(self.actions["overdue"].sum()) if len(self.actions) else 0
        text.append(
            f"{counted(overdue, 'self-assessment action')} across the trust and divisions "
            f"{verb(overdue, 'is', 'are')} overdue."
        )
        gaps = self.unassessed()
        if gaps:
            text.append("Not assessed: " + "; ".join(gaps) + ".")
        return text

    def findings(self) -> dict:
        return {
            **self.base_findings(),
            "exceptions": to_records(self.exceptions),
            "escalate": [m.id for m in self.escalated],
            "funnel_outliers": {
                f.measure.id: to_records(
                    f.data[f.data["position"].str.endswith("998")][["unit_id", "name", "value", "position"]]
                )
                for f in self.funnels
            },
            "trends_significant": to_records(
                self.trends.loc[
                    self.trends["significant"].fillna(False),
                    ["unit_id", "ward", "slope_per_year", "p_value", "p_adjusted", "dispersion"],
                ]
            ),
            "overdue_actions": int(self.actions["overdue"].sum()) if len(self.actions) else 0,
            "you_said_we_did": self.changes_made.findings(),
            "involvement": self.involvement.findings(),
            "work_plan": self.work_plan.findings(),
        }


def patient_experience_report(
    database: str | Path,
    period: Any = "latest",
    *,
    committee: str = "patient_experience_committee",
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> PatientExperienceReport:
    """Build the Patient Experience Committee's report model."""
    spc = (preset, shift_length, trend_length, minimum_points)
    opening = open_report(database, period, committee, "patient_experience_committee", spc)
    data, options, month = opening.data, opening.options, opening.data.month
    missing: list[dict] = []
    trust_id = data.trust["unit_id"]
    assessors = data.units.loc[data.units["level"].isin(["trust", "division"]), ["unit_id", "name"]]
    each = [actions_due(data.scores, u, month).assign(unit=n) for u, n in assessors.itertuples(index=False)]
    # Units that did not assess themselves add no rows (a trust may assess only at trust level).
    actions = pd.concat([a for a in each if len(a)] or each[:1], ignore_index=True)
    if len(actions):
        actions = actions.sort_values(
            ["overdue", "due_date", "unit", "requirement"],
            ascending=[False, True, True, True],
            key=catalogue.in_framework_order,
        ).reset_index(drop=True)
    changes, gaps = framework_position(data, trust_id)
    everyone = data.scope(trust_id)
    return PatientExperienceReport(
        **opening.common(trust_id, linkable, committee=committee),
        charts=trust_and_division_charts(data, opening.measures("measures"), options, missing),
        missing=missing,
        data_used=data.data_used(also=("you_said_we_did", "involvement_activities", "strategy_commitments")),
        funnels=ward_funnels(data, opening.measures("funnel_measures"), options.minimum_denominator),
        response_rates=response_rates(data),
        complaints_subjects=complaints_by_subject(data, data.wards()),
        complaints_targets=complaints_performance(data),
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir, opening.escalated), linkable),
        trends=ward_trends(data),
        trend_months=trend_months(data),
        actions=actions,
        comment_themes=trust_themes(data),
        comment_coding=CommentCoding.from_data(data.comments, data.reviews, data.month),
        score_changes=changes,
        assurance_gaps=gaps,
        evidence=evidence.beside_scores(changes, framework_evidence(data, trust_id), records_held(data, trust_id)),
        changes_made=ChangesMade.from_data(data, everyone, options),
        involvement=Involvement.from_data(data, everyone, satisfaction_commitment(opening.spec)),
        work_plan=WorkPlan.from_data(data),
    )
