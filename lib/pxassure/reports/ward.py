"""A ward's (or department's) own paper: its charts, response rate, what changed since last
month, and what patients said — themes and a few redacted quotes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure.analysis import measures
from pxassure.analysis.comments import (
    MINIMUM_COUNT,
    NO_THEME,
    against_answer,
    by_theme,
    negative_theme_counts,
    theme_measure,
    tones,
)
from pxassure.analysis.redact import redact
from pxassure.errors import ParameterError
from pxassure.ingest.columns import SETTINGS
from pxassure.ingest.theme_review import RATING_WORDS
from pxassure.ingest.themes import LABEL_SEPARATOR
from pxassure.periods import Period
from pxassure.reports import committees
from pxassure.reports.charting import SUPPRESSED, Chart, chart_for, charts_for
from pxassure.reports.comment_coding import counts, counts_sentence
from pxassure.reports.escalation import EXCEPTION_COLUMNS, response_text, ward_exceptions, with_responses
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.reports.parameters import unit_code
from pxassure.reports.provenance import to_records

QUOTES_PER_SENTIMENT = 3


@dataclass(kw_only=True, frozen=True)
class WardReport(Report):
    unit_name: str
    formerly: str  # a rename noted ("formerly Beech Ward, until August 2025"), or ""
    service_type: str
    care_group: str
    division_id: str
    division: str
    changes: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame
    exceptions: pd.DataFrame  # special-cause concern in the report month, on any of its charts
    escalations: pd.DataFrame  # this ward's exceptions on the escalated measures (what its findings say)
    theme_charts: list[Chart]  # negative comments per month on the ward's most frequent negative themes
    comment_counts: dict  # last three months: comments with words, and answers that said nothing to theme
    tone_conflicts: pd.DataFrame  # last three months: comments whose tone contradicts the patient's answer

    @property
    def comment_counts_text(self) -> str:
        return counts_sentence(self.comment_counts["comments"], self.comment_counts["non_comments"])

    def all_charts(self) -> list[Chart]:
        return self.charts + self.theme_charts

    def summary_text(self) -> list[str]:
        where = ", ".join(x for x in (self.care_group, self.division) if x)
        called = f"{self.unit_name} ({self.formerly})" if self.formerly else self.unit_name
        setting = SETTINGS.get(self.service_type, self.service_type.replace("_", " "))  # as NHS England names it
        text = [f"{called} ({setting}), {where}: report for {self.period.name}."]
        exc = self.exceptions
        if len(exc):
            text.append(
                f"Needs attention — special-cause concern {self.period.latest}: "
                + "; ".join(f"{r.measure} ({r.rule.replace('_', ' ')})" for r in exc.itertuples())
                + "."
            )
        for r in self.escalations.to_dict("records"):
            text.append(f"{r['measure']} — what is being done: {response_text(r)}")
        improving = [c.measure.name for c in self.charts if (c.result.variation or "").startswith("improvement")]
        if improving:
            text.append("Improving: " + ", ".join(improving) + ".")
        text += self.assessment_text()
        return text

    def findings(self) -> dict:
        return {
            **self.base_findings(),
            "name": self.unit_name,
            "division_id": self.division_id,
            "exceptions": to_records(self.escalations),
            "escalate": [m.id for m in self.escalated],
            "themes": to_records(self.themes),
        }


def _changes(charts: list[Chart], period: str) -> pd.DataFrame:
    rows = []
    for c in charts:
        points = c.result.points
        p = points.loc[~points["small"], "value"].dropna()  # a month of too few responses is not a figure
        latest = p.get(period)
        previous = p[p.index < period].iloc[-1] if (p.index < period).any() else None
        too_few = period in points.index and bool(points.loc[period, "small"])
        rows.append(
            {
                "measure": c.measure.name,
                "unit": c.measure.unit,
                "previous": previous,
                "latest": SUPPRESSED if too_few else latest,
                "change": None if latest is None or previous is None else latest - previous,
                "variation": None if too_few else c.result.variation,
            }
        )
    return pd.DataFrame(rows)


def _comment_themes(comments: pd.DataFrame, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Theme counts by tone over the last three months against the three months before, and a few
    of the period's comments, redacted, most critical first."""
    month = period.last
    months = pd.to_datetime(comments["month"])
    recent = comments[months > month - pd.DateOffset(months=3)]
    before = comments[(months > month - pd.DateOffset(months=6)) & (months <= month - pd.DateOffset(months=3))]
    now = by_theme(recent)
    themes = now.pivot_table(index="theme", columns="tone", values="comment_id", aggfunc="count", fill_value=0)
    themes = themes.reindex(columns=["positive", "mixed", "negative"], fill_value=0)
    themes["total"] = themes.sum(axis=1)
    previous = by_theme(before).groupby("theme")["comment_id"].count()
    themes["previous"] = previous.reindex(themes.index).fillna(0).astype(int)
    themes = themes.sort_values(["negative", "total"], ascending=False).rename_axis(columns=None).reset_index()
    latest = recent[period.holds(recent["month"])].assign(tone=lambda d: tones(d["sentiment"]))
    quotes = pd.concat(
        [
            latest[latest["tone"] == s]
            .sort_values("comment_id", ascending=False)
            .drop_duplicates("text")  # a comment two patients wrote alike is quoted once
            .head(QUOTES_PER_SENTIMENT)
            for s in ("negative", "positive")
        ]
    )
    quotes = quotes.assign(
        text=quotes["text"].map(redact),
        theme=quotes["labels"].fillna("").str.replace(LABEL_SEPARATOR, ", ", regex=False).replace("", NO_THEME),
        coded_by=quotes["labels_by"],
    )
    return themes, quotes[["tone", "theme", "coded_by", "text"]].reset_index(drop=True)


def _tone_conflicts(comments: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """The last three months' comments whose tone pxassure gave contradicts the patient's own answer,
    redacted: named here, never counted in a theme chart or exception."""
    recent = comments[pd.to_datetime(comments["month"]) > month - pd.DateOffset(months=3)]
    hit = recent[against_answer(recent)].sort_values(["month", "comment_id"])
    return pd.DataFrame(
        {
            "month": pd.to_datetime(hit["month"]).dt.strftime("%b %Y"),
            "question": hit["question"].fillna(""),
            "answer": hit["rating"].map(lambda r: RATING_WORDS.get(int(r), "") if pd.notna(r) else ""),
            "tone": tones(hit["sentiment"]),
            "theme": hit["labels"].fillna("").str.replace(LABEL_SEPARATOR, ", ", regex=False).replace("", NO_THEME),
            "text": hit["text"].map(redact),
        }
    ).reset_index(drop=True)


def _theme_charts(data, unit_id: str, options, month: pd.Timestamp, most: int = 4) -> list[Chart]:
    """c charts of negative comments per month for the ward's themes with at least
    ``MINIMUM_COUNT`` negative comments over the last three months (the ``most`` frequent)."""
    counts = negative_theme_counts(data.comments)  # made once for the paper (each unit's are its own)
    counts = counts[counts["unit_id"] == unit_id]
    if counts.empty:
        return []
    recent = counts[counts["month"] > month - pd.DateOffset(months=3)].groupby("theme")["numerator"].sum()
    chosen = recent[recent >= MINIMUM_COUNT].sort_values(ascending=False, kind="stable").head(most).index
    out = []
    for theme in chosen:
        c = chart_for(data, theme_measure(theme), unit_id, options)
        if isinstance(c, Chart):
            out.append(c)
    return out


def concerns_this_month(charts: list[Chart], theme_charts: list[Chart], period: str, ward: dict) -> pd.DataFrame:
    """A ward's measures whose latest point, in the report month, is special-cause concern, as
    exception rows about ``ward`` (its unit_id, ward, care_group, division_id and division)."""
    rows = []
    for c in [*charts, *theme_charts]:
        last = c.result.last_point
        if last is None or last.name != period or last["point_type"] != "special_cause_concern":
            continue
        if any(c is t for t in theme_charts) and last["value"] < MINIMUM_COUNT:
            continue  # one or two comments never make an exception
        rows.append(
            {
                **ward,
                "measure": c.measure.name,
                "measure_id": c.measure.id,
                "month": period,
                "latest": float(last["value"]),
                "unit": c.measure.unit,
                "rule": last["rule"],
            }
        )
    return pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)


def ward_report(
    database: str | Path,
    period: Any = "latest",
    unit_id: Any = None,
    *,
    committee: str = "ward",
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
) -> WardReport:
    """Build one ward's report model; parameters are checked first."""
    unit_id = unit_code(unit_id)
    spc = (preset, shift_length, trend_length, minimum_points)
    # its own rows, the shared tables and its comments' words
    opening = open_report(database, period, committee, "ward", spc, unit_id, quotes=True)
    data, options, month = opening.data, opening.options, opening.data.month
    unit = data.unit(unit_id)
    if unit["level"] != "ward":
        raise ParameterError(f"unit_id {unit_id!r} is a {unit['level']}, not a ward or department")
    why = measures.closure(data.units, unit_id, month)
    if why:
        raise ParameterError(f"{unit['name']} ({unit_id}) {why}: it has no paper for {month:%B %Y}")
    units = data.units.set_index("unit_id")
    place = committees.placement(units, unit_id)
    period_label = str(data.period)
    missing: list[dict] = []
    charts = charts_for(data, opening.measures("measures"), [unit_id], options, missing)
    own_comments = data.comments[data.comments["unit_id"] == unit_id]
    themes, quotes = _comment_themes(own_comments, data.period)
    theme_charts = _theme_charts(data, unit_id, options, month)
    ward = {
        "unit_id": unit_id,
        "ward": unit["name"],
        **{k: place[k] for k in ("care_group", "division_id", "division")},
    }
    return WardReport(
        **opening.common(unit_id, linkable, unit_id=unit_id),
        unit_name=unit["name"],
        formerly=unit["formerly"],
        service_type=unit["service_type"] or "",
        care_group=place["care_group"],
        division_id=place["division_id"],
        division=place["division"],
        charts=charts,
        missing=missing,
        data_used=data.data_used([unit_id]),
        changes=_changes(charts, period_label),
        themes=themes,
        quotes=quotes,
        escalations=with_responses(ward_exceptions(data, options, opening.escalated, [unit_id]), data),
        theme_charts=theme_charts,
        comment_counts=counts(own_comments, month),
        tone_conflicts=_tone_conflicts(own_comments, month),
        exceptions=concerns_this_month(charts, theme_charts, period_label, ward),
    )
