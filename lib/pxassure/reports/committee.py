"""Papers for the trust-wide committees below the board.

- :func:`patient_experience_report` — the Patient Experience Committee's full picture:
  every measure by division, funnel plots of wards, response rates against the national
  average, complaints by subject and against their response targets, ward exceptions,
  trend tests with false-discovery-rate control, and self-assessment actions.
- :func:`quality_report` — the executive and board quality committees: measures by
  division, the framework heatmap, triangulation of experience with safety, staffing and
  the staff survey, and complaints performance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from pxassure import framework, funnel, measures, trends
from pxassure.measures import MEASURES
from pxassure.reports.base import (
    Chart,
    Report,
    ReportData,
    chart_measure,
    code_version,
    escalate_from_divisions,
    link_wards,
    load,
    parameters_of,
    report_links,
    spc_options,
    to_records,
)
from pxassure.reports.division import actions_due, complaints_by_subject

DIVISION_MEASURES = ("fft_positive", "fft_response_rate", "complaints_rate", "complaints_in_target")


def division_charts(data: ReportData, options: dict) -> list[Chart]:
    """Every trust measure for every division, charted."""
    units = data.units
    divisions = units[units["level"] == "division"].sort_values("name")
    out = []
    for mid in DIVISION_MEASURES:
        series = data.series(mid)
        target = None
        if mid == "fft_response_rate":
            series = series[series["unit_id"].isin(units.loc[units["service_type"] == "inpatient", "unit_id"])]
            target = measures.latest_national_rate(data.national, "inpatient", data.month)
        rolled = measures.rollup(series, units, level="division")
        for d in divisions.itertuples(index=False):
            s = rolled[rolled["unit_id"] == d.unit_id]
            if len(s):
                out.append(Chart(MEASURES[mid], d.unit_id, d.name, chart_measure(s, MEASURES[mid], options, target)))
    return out


def _quarter(data: ReportData) -> pd.Timestamp:
    """First month of the three months ending with the report month."""
    return data.month - pd.DateOffset(months=2)


def ward_funnels(data: ReportData) -> dict[str, pd.DataFrame]:
    """Funnel data for the latest quarter: FFT % positive against responses, complaints rate
    against bed days, one row per inpatient ward. Only like is compared with like: FFT
    results differ by setting (A&E against day case), so other settings are left out."""
    start = _quarter(data)
    names = data.units.set_index("unit_id")["name"]
    inpatient = data.units.loc[(data.units["level"] == "ward") & (data.units["service_type"] == "inpatient"), "unit_id"]
    out = {}
    for mid, kind, multiply in (("fft_positive", "proportion", 100), ("complaints_rate", "rate", 1000)):
        s = data.series(mid)
        s = s[(s["month"] >= start) & s["unit_id"].isin(inpatient)]
        q = s.groupby("unit_id")[["numerator", "denominator"]].sum(min_count=1).reset_index()
        q["name"] = q["unit_id"].map(names)
        out[mid] = funnel.funnel(q, kind=kind, multiply=multiply)
    return out


def response_rates(data: ReportData) -> pd.DataFrame:
    """The trust's FFT response rate by setting in the report month, against the national average."""
    rr = data.series("fft_response_rate")
    rr = rr[rr["month"] == data.month].merge(data.units[["unit_id", "service_type"]], on="unit_id")
    g = rr.groupby("service_type")[["numerator", "denominator"]].sum().reset_index()
    g["trust_rate"] = 100 * g["numerator"] / g["denominator"]
    g["national_rate"] = [measures.latest_national_rate(data.national, s, data.month) for s in g["service_type"]]
    g["difference"] = g["trust_rate"] - g["national_rate"]
    g["meets_national"] = g["difference"] >= 0
    g["setting"] = g["service_type"].map(
        {
            "inpatient": "Inpatient",
            "day_case": "Day case",
            "ae": "A&E",
            "maternity": "Maternity",
            "outpatients": "Outpatients",
            "community": "Community",
        }
    )
    return g[["setting", "trust_rate", "national_rate", "difference", "meets_national"]]


def complaints_performance(data: ReportData, *, by_division: bool = False, months: int = 12) -> pd.DataFrame:
    """Complaints handling over the last ``months``: acknowledged within 3 working days,
    answered within the agreed target (per target band, or per division), reopened, Ombudsman."""
    since = data.month - pd.DateOffset(months=months - 1)
    c = data.complaints[pd.to_datetime(data.complaints["received"]) >= since].copy()
    received = pd.to_datetime(c["received"]).to_numpy().astype("datetime64[D]")
    ack = pd.to_datetime(c["acknowledged"])
    closed = pd.to_datetime(c["closed"])
    c["ack_in_3"] = ack.notna() & (
        np.busday_count(received, ack.fillna(pd.Timestamp("2100-01-01")).to_numpy().astype("datetime64[D]")) <= 3
    )
    c["is_closed"] = closed.notna()
    days = np.busday_count(received, closed.fillna(pd.Timestamp("2100-01-01")).to_numpy().astype("datetime64[D]"))
    c["working_days"] = np.where(c["is_closed"], days, np.nan)
    c["in_target"] = c["is_closed"] & (c["working_days"] <= c["target_working_days"])
    if by_division:
        pairs = measures.ancestors(data.units)
        divs = data.units.loc[data.units["level"] == "division", ["unit_id", "name"]]
        c = c.merge(pairs, on="unit_id").merge(
            divs, left_on="ancestor_id", right_on="unit_id", suffixes=("", "_division")
        )
        key = "name"
    else:
        c["band"] = c["target_working_days"].astype(int).astype(str) + " working days"
        key = "band"
    g = c.groupby(key).agg(
        received=("complaint_id", "count"),
        acknowledged_in_3=("ack_in_3", "mean"),
        closed=("is_closed", "sum"),
        closed_in_target=("in_target", "sum"),
        median_working_days=("working_days", "median"),
        reopened=("reopened", "sum"),
        ombudsman=("ombudsman", "sum"),
    )
    g["acknowledged_in_3"] = (100 * g["acknowledged_in_3"]).round(1)
    g["pct_in_target"] = (100 * g["closed_in_target"] / g["closed"].replace(0, np.nan)).round(1)
    return g.reset_index().rename(columns={key: "group"})


def ward_trends(data: ReportData, months: int = 24) -> pd.DataFrame:
    """Binomial GLM trend in FFT % positive for every ward over the last ``months``, with
    Benjamini–Hochberg adjusted p-values across wards."""
    s = data.series("fft_positive")
    s = s[s["month"] > data.month - pd.DateOffset(months=months)]
    s = s[s["unit_id"].isin(data.units.loc[data.units["level"] == "ward", "unit_id"])]
    out = trends.trend_tests(s, ["unit_id"], order="month", method="glm", family="binomial")
    out["ward"] = out["unit_id"].map(data.units.set_index("unit_id")["name"])
    out["odds_ratio_per_year"] = np.exp(out["slope_per_year"])
    return out.sort_values("p_value").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Patient Experience Committee
# ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class PatientExperienceReport(Report):
    funnels: dict[str, pd.DataFrame]
    response_rates: pd.DataFrame
    complaints_subjects: pd.DataFrame
    complaints_targets: pd.DataFrame
    exceptions: pd.DataFrame
    trends: pd.DataFrame
    actions: pd.DataFrame

    def method_lines(self) -> list[str]:
        return super().method_lines() + [
            "Funnel plots: 95% (z = 1.96) and 99.8% (z = 3.09) limits, binomial for proportions, Poisson for rates.",
            "Trend tests: binomial GLM of FFT % positive on time per ward over 24 months; Benjamini–Hochberg "
            "false-discovery-rate adjustment across wards (significant: adjusted p < 0.05).",
        ]

    def outliers(self, key: str, higher_is_better: bool) -> pd.DataFrame:
        f = self.funnels[key]
        bad = "below_998" if higher_is_better else "above_998"
        return f[f["position"] == bad]

    def funnel_text(self, key: str, measure: str, size: str, higher_is_better: bool) -> str:
        """Alt text for a funnel plot: what is plotted and which wards fall outside 99.8 %."""
        f = self.funnels[key]
        worse = f[f["position"] == ("below_998" if higher_is_better else "above_998")]["name"].tolist()
        better = f[f["position"] == ("above_998" if higher_is_better else "below_998")]["name"].tolist()
        unit = "%" if key == "fft_positive" else ""
        return (
            f"Funnel plot of {measure} against {size} for {len(f)} inpatient wards over the three months to "
            f"{self.period}. Overall {f['centre'].iloc[0]:.1f}{unit}. Worse than the 99.8% limit: "
            f"{', '.join(worse) or 'none'}. Better than the 99.8% limit: {', '.join(better) or 'none'}."
        )

    def summary_text(self) -> list[str]:
        t = self.trends
        tested = int(t["p_value"].notna().sum())
        raw = int((t["p_value"] < 0.05).sum())
        adj = int(t["significant"].sum())
        down = t[t["significant"] & (t["slope_per_year"] < 0)]
        text = [
            f"Patient Experience Committee paper for {self.month:%B %Y}.",
            f"{self.exceptions['unit_id'].nunique()} ward(s) show special-cause concern this month.",
            f"Over the last quarter {len(self.outliers('fft_positive', True))} ward(s) sit below the 99.8% "
            f"funnel limit for FFT % positive and {len(self.outliers('complaints_rate', False))} above it for "
            "complaints per 1,000 bed days.",
            f"Trend tests on {tested} wards: {raw} have p < 0.05 before adjustment for testing many wards, "
            f"{adj} after it" + (f"; falling: {', '.join(down['ward'])}." if len(down) else "."),
        ]
        below = self.response_rates[~self.response_rates["meets_national"]]
        if len(below):
            text.append("FFT response rates below the national average: " + ", ".join(below["setting"]) + ".")
        overdue = int(self.actions["overdue"].sum()) if len(self.actions) else 0
        text.append(f"{overdue} self-assessment action(s) across the trust and divisions are overdue.")
        return text

    def findings(self) -> dict:
        return {
            "report": "patient_experience_committee",
            "layer": "patient_experience",
            "period": self.period,
            "generated_at": self.generated_at,
            "options": self.options,
            "icons": to_records(self.summary),
            "exceptions": to_records(self.exceptions),
            "funnel_outliers": {
                k: to_records(f[f["position"].str.endswith("998")][["unit_id", "name", "value", "position"]])
                for k, f in self.funnels.items()
            },
            "trends_significant": to_records(
                self.trends.loc[
                    self.trends["significant"].fillna(False),
                    ["unit_id", "ward", "slope_per_year", "p_value", "p_adjusted"],
                ]
            ),
            "overdue_actions": int(self.actions["overdue"].sum()) if len(self.actions) else 0,
            "snapshot": self.snapshot,
            "code_version": self.code_version,
        }


def patient_experience_report(
    database: str | Path,
    period: Any = "latest",
    *,
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> PatientExperienceReport:
    """Build the Patient Experience Committee's report model."""
    options = spc_options(preset, shift_length, trend_length, minimum_points)
    data = load(database, period)
    month = data.month
    trust = data.trust
    wards = data.units.loc[data.units["level"] == "ward", "unit_id"]
    subjects = complaints_by_subject(data, wards)
    actions = pd.concat(
        [
            actions_due(data.scores, u, month).assign(unit=n)
            for u, n in data.units.loc[data.units["level"].isin(["trust", "division"]), ["unit_id", "name"]].itertuples(
                index=False
            )
        ],
        ignore_index=True,
    )
    if len(actions):
        actions = actions.sort_values(
            ["overdue", "due_date", "unit", "requirement"], ascending=[False, True, True, True]
        ).reset_index(drop=True)
    period_label = month.strftime("%Y-%m")
    return PatientExperienceReport(
        period=period_label,
        month=month,
        options=options,
        charts=division_charts(data, options),
        funnels=ward_funnels(data),
        response_rates=response_rates(data),
        complaints_subjects=subjects,
        complaints_targets=complaints_performance(data),
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir), linkable),
        trends=ward_trends(data),
        actions=actions,
        links=report_links("patient_experience", trust["unit_id"], data.units, linkable),
        parameters=parameters_of(data, database, preset, options),
        snapshot=data.snapshot,
        code_version=code_version(),
    )


# ---------------------------------------------------------------------------
# Executive and board quality committees
# ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class QualityReport(Report):
    committee: str
    layer: str
    heatmap: pd.DataFrame
    triangulation: pd.DataFrame
    correlations: pd.DataFrame
    staff_survey: pd.DataFrame
    complaints: pd.DataFrame
    exceptions: pd.DataFrame

    def method_lines(self) -> list[str]:
        return super().method_lines() + [
            "Triangulation: Spearman rank correlation across wards of 12-month averages (association, not cause)."
        ]

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

    def triangulation_text(self) -> list[str]:
        text = []
        for r in self.correlations.itertuples(index=False):
            strength = (
                "no clear"
                if r.p_value >= 0.05
                else ("a strong" if abs(r.rho) >= 0.5 else "a moderate" if abs(r.rho) >= 0.3 else "a weak")
            )
            text.append(
                f"FFT % positive and {r.measure.lower()}: {strength} association across "
                f"{r.wards} wards (Spearman ρ = {r.rho:.2f}, p = {r.p_value:.3f})."
            )
        return text

    def findings(self) -> dict:
        return {
            "report": self.committee,
            "layer": self.layer,
            "period": self.period,
            "generated_at": self.generated_at,
            "options": self.options,
            "icons": to_records(self.summary),
            "exceptions": to_records(self.exceptions),
            "correlations": to_records(self.correlations),
            "snapshot": self.snapshot,
            "code_version": self.code_version,
        }


def triangulate(data: ReportData, months: int = 12) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-ward 12-month averages of FFT % positive, harm incidents per 1,000 bed days and
    registered-nurse fill rate, with Spearman correlations of each against FFT % positive."""
    since = data.month - pd.DateOffset(months=months - 1)

    def recent(s):
        return s[s["month"] >= since].groupby("unit_id")[["numerator", "denominator"]].sum()

    fft = recent(data.series("fft_positive"))
    harm = recent(data.series("harm_incidents_rate"))
    staffing = data.staffing[pd.to_datetime(data.staffing["month"]) >= since]
    rn = staffing.assign(rn=(staffing["rn_day_fill"] + staffing["rn_night_fill"]) / 2).groupby("unit_id")["rn"].mean()
    t = pd.DataFrame(
        {
            "fft_positive": 100 * fft["numerator"] / fft["denominator"],
            "harm_rate": 1000 * harm["numerator"] / harm["denominator"],
            "rn_fill": rn,
        }
    ).dropna()
    t = t.join(data.units.set_index("unit_id")["name"]).reset_index().rename(columns={"index": "unit_id"})
    rows = []
    for col, label in (
        ("harm_rate", "Moderate or worse harm incidents per 1,000 bed days"),
        ("rn_fill", "Registered nurse fill rate (%)"),
    ):
        rho, p = stats.spearmanr(t["fft_positive"], t[col]) if len(t) > 3 else (np.nan, np.nan)
        rows.append({"measure": label, "column": col, "wards": len(t), "rho": float(rho), "p_value": float(p)})
    return t, pd.DataFrame(rows)


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
    """Build the executive or board quality committee's report model."""
    layers = {"executive_quality_committee": "executive_quality", "quality_committee": "board_quality"}
    if committee not in layers:
        from pxassure.reports.base import ParameterError

        raise ParameterError(f"committee must be one of {sorted(layers)}, got {committee!r}")
    options = spc_options(preset, shift_length, trend_length, minimum_points)
    data = load(database, period)
    month = data.month
    trust_id = data.trust["unit_id"]
    s = data.scores[data.scores["unit_id"] == trust_id]
    heat = s.assign(period=pd.to_datetime(s["assessed_month"]).dt.strftime("%Y-%m")).pivot_table(
        index="requirement", columns="period", values="score", aggfunc="first"
    )
    heat = heat.reindex(framework.requirement_ids()).astype(float)
    tri, corr = triangulate(data)
    period_label = month.strftime("%Y-%m")
    return QualityReport(
        committee=committee,
        layer=layers[committee],
        period=period_label,
        month=month,
        options=options,
        charts=division_charts(data, options),
        heatmap=heat,
        triangulation=tri,
        correlations=corr,
        staff_survey=staff_survey_by_division(data),
        complaints=complaints_performance(data, by_division=True),
        exceptions=link_wards(escalate_from_divisions(data, options, reports_dir), linkable),
        links=report_links(layers[committee], trust_id, data.units, linkable),
        parameters=parameters_of(data, database, preset, options, committee=committee),
        snapshot=data.snapshot,
        code_version=code_version(),
    )
