"""What a paper says about acting on what patients said: involvement and its participants'
satisfaction, "you said, we did" (with a before/after chart where a measure is named) and the
strategy's work plan.

Each record is built from the trust's own table: "not supplied" where the trust has not loaded
it, "none recorded" where it has and holds nothing for the paper's scope; never an assumed
activity, change or status. Counts of people from 1 to 4 are shown as *.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pxassure.analysis import involvement, measures
from pxassure.analysis.suppression import suppress
from pxassure.reports.charting import Chart, chart_measure
from pxassure.reports.provenance import to_records
from pxassure.words import counted, long_dates, quarter_name, verb

#: "You said, we did" as a paper shows it.
CHANGE_COLUMNS = {
    "recorded": "Recorded",
    "about": "Unit",
    "said_in": "Said in",
    "you_said": "You said",
    "we_did": "We did",
}
QUARTER_COLUMNS = {
    "quarter_name": "Quarter",
    "activities": "Activities",
    "participants": "Participants",
    "asked": "Asked",
    "satisfied": "Satisfied",
    "percent_shown": "% satisfied",
}
WORK_PLAN_COLUMNS = {
    "commitment_id": "Ref",
    "commitment": "Commitment",
    "owner": "Owner",
    "due_date": "Due",
    "status_shown": "Status",
    "previous": "Previous quarter",
    "evidence": "Evidence",
}


def _not_supplied(record: str, what: str) -> str:
    return f"The trust has not supplied its record of {record}, so this paper cannot say {what}."


@dataclass(frozen=True)
class Involvement:
    """Involvement activities for a paper's scope: reach, kinds and participants' satisfaction."""

    month: pd.Timestamp
    supplied: bool
    commitment: float = involvement.SATISFACTION_COMMITMENT
    quarters: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    kinds: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_data(cls, data, units: list[str], commitment: float = involvement.SATISFACTION_COMMITMENT):
        if not data.source_supplied("involvement_activities"):
            return cls(data.month, supplied=False, commitment=commitment)
        a = data.tables["involvement_activities"]
        a = a[a["unit_id"].isin(units)]
        return cls(
            data.month,
            True,
            commitment,
            involvement.satisfaction_by_quarter(a, data.month, commitment=commitment),
            involvement.reach(a, data.month),
            involvement.by_kind(a, data.month),
        )

    @property
    def activities(self) -> int:
        return int(self.kinds["activities"].sum()) if len(self.kinds) else 0

    @property
    def below_commitment(self) -> pd.DataFrame:
        """The quarters whose participants' satisfaction fell below the commitment."""
        if not len(self.quarters):
            return self.quarters
        return self.quarters[self.quarters["meets"].map(lambda m: m is False)]

    @property
    def judged(self) -> int:
        """Quarters with a satisfaction figure to judge against the commitment."""
        return int(self.quarters["meets"].notna().sum()) if len(self.quarters) else 0

    def text(self) -> list[str]:
        if not self.supplied:
            return [_not_supplied("involvement activities", "whom the trust involved or how satisfied they were")]
        if not self.activities:
            return [f"No involvement activity is recorded in the 12 months to {self.month:%B %Y}."]
        text = [
            f"{counted(self.activities, 'involvement activity')} {verb(self.activities, 'is', 'are')} recorded in "
            f"the 12 months to {self.month:%B %Y}, reaching {counted(len(self.groups), 'named group')}."
        ]
        for q in self.quarters.itertuples(index=False):
            name = quarter_name(q.quarter) + (" to date" if q.to_date else "")
            if q.meets is None:
                text.append(f"{name}: too few participants asked about their satisfaction to give a figure.")
            elif not q.meets:
                text.append(
                    f"{name}: {q.percent:.0f}% of participants asked were satisfied, below the commitment of "
                    f"{self.commitment:.0f}%."
                )
        if all(q.meets for q in self.quarters.itertuples() if q.meets is not None):
            text.append(f"Every quarter with a figure met the commitment of {self.commitment:.0f}% satisfied.")
        return text

    def quarters_table(self) -> pd.DataFrame:
        t = suppress(self.quarters, ["participants", "asked", "satisfied"])
        t["quarter_name"] = [quarter_name(q) + (" (to date)" if d else "") for q, d in zip(t["quarter"], t["to_date"])]
        t["percent_shown"] = [
            "too few asked" if pd.isna(p) else f"{p:.0f}%" + ("" if m else " (below commitment)")
            for p, m in zip(t["percent"], t["meets"])
        ]
        return t

    def findings(self) -> dict:
        if not self.supplied:
            return {"supplied": False}
        q = self.quarters.assign(quarter=self.quarters["quarter"].astype(str))
        return {
            "supplied": True,
            "activities": self.activities,
            "groups": self.groups["group"].tolist(),
            "quarters": to_records(q[["quarter", "asked", "satisfied", "percent", "meets"]]),
        }


@dataclass(frozen=True)
class BeforeAfter:
    """A "you said, we did" item's measure, charted with limits from the months before the change."""

    item_id: str
    change_month: str  # "YYYY-MM"
    chart: Chart
    months_after: int

    def text(self) -> str:
        after = self.chart.result.points.loc[self.change_month :, "point_type"]
        seen = "; ".join(
            f"{counted(int((after == kind).sum()), 'month')} of special-cause {word}"
            for kind, word in (("special_cause_improvement", "improvement"), ("special_cause_concern", "concern"))
            if (after == kind).any()
        )
        verdict = (
            f"since then the chart shows {seen}"
            if seen
            else "since then the chart shows only common-cause variation: no change is yet visible"
        )
        points = self.chart.result.points["point_type"]
        before = points.loc[: self.change_month].iloc[:-1]
        # Two months of it before the change (a trend's first point is only where it starts).
        if seen and len(after) and after.iloc[0] != "common_cause" and (before.tail(2) == after.iloc[0]).sum() == 2:
            verdict += ", but it began before the change, so it cannot be put down to this change alone"
        return (
            f"{self.item_id}: limits are calculated from the months before {pd.Timestamp(self.change_month):%B %Y}, "
            f"when the change should begin to show, and the {counted(self.months_after, 'month')} from then "
            f"{verb(self.months_after, 'is', 'are')} judged against them; {verdict}."
        )


def before_after(data, item, options) -> BeforeAfter | str:
    """The before/after chart of one item naming a measure and a month, or why there is none."""
    measure = measures.get(item.measure)
    missing = data.not_supplied(measure)
    if missing:
        return f"{item.item_id}: {measure.name} cannot be charted (not supplied: {', '.join(missing)})."
    series, target, scope = data.scoped(measure, item.unit_id)
    change = f"{pd.Timestamp(item.change_from):%Y-%m}"
    if series.empty or change > f"{data.month:%Y-%m}":
        return f"{item.item_id}: no {measure.name} figures yet from {pd.Timestamp(item.change_from):%B %Y}."
    rebases = data.rebases(measure, item.unit_id)
    exclusions = data.exclusions(measure, item.unit_id)
    value = None if target is None else target.value
    result = chart_measure(
        series, measure, options, value, data.month, list(rebases), since=change, exclude=list(exclusions)
    )
    after = int((result.points.index >= change).sum())
    shown = {m: why for m, why in exclusions.items() if m in result.points.index}
    name = data.unit(item.unit_id)["name"]
    chart = Chart(measure, item.unit_id, name, result, scope=scope, target=target, exclusions=shown)
    return BeforeAfter(item.item_id, change, chart, after)


@dataclass(frozen=True)
class ChangesMade:
    """ "You said, we did" for a paper's scope over the last 12 months."""

    month: pd.Timestamp
    supplied: bool
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    charts: tuple[BeforeAfter, ...] = ()
    not_charted: tuple[str, ...] = ()

    @classmethod
    def from_data(cls, data, units: list[str], options=None):
        """The items for ``units``; with ``options`` (a paper that charts them), each item naming a
        measure charted before and after its change, or why it cannot be."""
        if not data.source_supplied("you_said_we_did"):
            return cls(data.month, supplied=False)
        t = data.tables["you_said_we_did"]
        items = involvement.changes_made(t[t["unit_id"].isin(units)], data.month)
        names = data.units.set_index("unit_id")["name"]
        items = items.assign(
            about=items["unit_id"].map(names).fillna(items["unit_id"]),
            recorded=long_dates(items["recorded_on"]),
        )
        named = [before_after(data, i, options) for i in items.itertuples() if options and pd.notna(i.measure)]
        return cls(
            data.month,
            True,
            items,
            tuple(b for b in named if isinstance(b, BeforeAfter)),
            tuple(b for b in named if isinstance(b, str)),
        )

    def text(self) -> list[str]:
        if not self.supplied:
            return [_not_supplied('"you said, we did"', "what the trust changed in answer to what patients said")]
        if self.items.empty:
            return [f'No "you said, we did" change is recorded in the 12 months to {self.month:%B %Y}.']
        n = len(self.items)
        where = self.items["said_in"].value_counts()
        return [
            f"{counted(n, 'change')} made in answer to what patients said {verb(n, 'is', 'are')} recorded in the "
            f"12 months to {self.month:%B %Y} (" + ", ".join(f"{k}: {v}" for k, v in where.items()) + ").",
            *self.not_charted,
        ]

    def findings(self) -> dict:
        return {
            "supplied": self.supplied,
            "items": self.items["item_id"].tolist() if len(self.items) else [],
            "before_after": {b.item_id: b.text() for b in self.charts},
        }


@dataclass(frozen=True)
class WorkPlan:
    """The strategy's work plan: each commitment's latest reported status."""

    month: pd.Timestamp
    supplied: bool
    plan: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_data(cls, data):
        if not data.source_supplied("strategy_commitments"):
            return cls(data.month, supplied=False)
        return cls(data.month, True, involvement.work_plan(data.tables["strategy_commitments"], data.month))

    @property
    def judged(self) -> int:
        """Commitments with a reported status."""
        return len(self.plan)

    def _reported(self) -> pd.Series:
        return pd.to_datetime(self.plan["reported_month"])

    @property
    def off_track(self) -> pd.DataFrame:
        """The commitments off track at the latest quarterly report."""
        if self.plan.empty:
            return self.plan
        return self.plan[(self.plan["status"] == "off track") & (self._reported() == self._reported().max())]

    def text(self) -> list[str]:
        if not self.supplied:
            return [_not_supplied("the strategy's work plan", "where its commitments stand")]
        if self.plan.empty:
            return [f"No status of the strategy's commitments is reported by {self.month:%B %Y}."]
        counts = self.plan["status"].value_counts()
        latest = self._reported().max()
        said = ", ".join(f"{counts[s]} {s}" for s in ("off track", "at risk", "on track", "complete") if s in counts)
        text = [f"At the latest quarterly report ({latest:%B %Y}), of {len(self.plan)} commitments: {said}."]
        text += [f"Off track: {c.commitment_id}: {c.commitment}." for c in self.off_track.itertuples(index=False)]
        stale = self.plan[self._reported() < latest]
        if len(stale):
            text.append("Not reported at the latest quarter: " + ", ".join(stale["commitment_id"]) + ".")
        return text

    def table(self) -> pd.DataFrame:
        t = self.plan.copy()
        t["due_date"] = pd.to_datetime(t["due"]).dt.strftime("%b %Y").fillna("")
        t["status_shown"] = [f"{s} ({pd.Timestamp(m):%b %Y})" for s, m in zip(t["status"], t["reported_month"])]
        t["previous"] = t["previous"].fillna("")
        return t

    def findings(self) -> dict:
        if not self.supplied:
            return {"supplied": False}
        return {"supplied": True, "status": dict(zip(self.plan["commitment_id"], self.plan["status"]))}
