"""The report base every committee paper's model is made of.

A :class:`Report` carries the month, the options, the charts (:mod:`.charting`) and the
provenance, and writes the front of the paper (what needs attention, the cover); each layer's
model (board, committees, division, ward, governors) adds its own content and ``findings()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

import pandas as pd

from pxassure.analysis.measures import TOPICS, Measure
from pxassure.analysis.options import SPCOptions
from pxassure.errors import ParameterError
from pxassure.periods import Period
from pxassure.reports import committees
from pxassure.reports.charting import Chart, by_measure
from pxassure.reports.cover import NOT_SET, Attention, Cover, asked_to, assurance_offered
from pxassure.reports.parameters import reproduce_commands
from pxassure.reports.provenance import clean_value
from pxassure.words import counted, quarter_name


def _people(n: int) -> str:
    """A count of people as a paper may print it: 1 to 4 never shown exactly."""
    return "fewer than 5 people" if 0 < n < 5 else counted(n, "person", "people")


@dataclass(kw_only=True, frozen=True)
class Report:
    """What every committee paper carries: its month, method options, charts and provenance.

    Each layer's report model adds its own content; keyword-only so subclasses may add
    required fields after these defaults.
    """

    committee: str  # the parameters file it was built from (params/<committee>.yaml)
    notebook: str  # the notebook that renders it (notebooks/<notebook>.ipynb)
    layer: str
    period: Period  # the month or quarter it covers; ``month`` is its last month, where charts end
    month: pd.Timestamp
    options: SPCOptions
    charts: list[Chart]
    parameters: dict
    snapshot: dict
    code_version: str
    unit_id: str | None = None
    unit_name: str = ""  # the ward or division a unit's paper is about; "" for a committee's
    # The sections some papers have and the executive summary reads; None where a paper has none.
    exceptions: pd.DataFrame | None = None  # ward exceptions (escalated concerns), one row per ward × measure
    assurance_gaps: pd.DataFrame | None = None  # framework requirements whose score the data contradict
    actions: pd.DataFrame | None = None  # self-assessment actions, with "overdue"
    missing: list[dict] = field(default_factory=list)  # measures that could not be charted, and why
    data_used: pd.DataFrame = field(default_factory=pd.DataFrame)  # each source: supplied or not, months
    escalated: list[Measure] = field(default_factory=list)  # measures whose ward concerns are exceptions
    links: dict = field(default_factory=dict)
    leads: dict = field(default_factory=dict)  # unit_id -> who leads its patient experience (org_units.lead)
    trust_id: str | None = None  # the trust's unit: its findings are owned by the paper's executive lead
    committee_names: dict = field(default_factory=dict)  # layer -> the trust's name for its committee
    reported_by: dict = field(default_factory=dict)  # layer -> committees reporting up to it, lowest first
    involved: pd.DataFrame | None = None  # involvement activities of its scope, last 3 months (None: not supplied)
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    #: The terms the paper's key explains in plain words (``vocabulary.KEY_TERMS``).
    KEY_TERMS: ClassVar[tuple[str, ...]] = (
        "spc",
        "common_cause",
        "special_cause",
        "outside_limits",
        "shift",
        "trend",
        "two_of_three",
        "assurance",
        "suppressed",
    )
    #: The headings of the notebook's sections that hold the detail behind the executive summary:
    #: "charts" (the paper's own charts; None: each chart's topic heading), "exceptions",
    #: "framework", "actions", "data". Each layer's model sets those its notebook has.
    SECTIONS: ClassVar[dict[str, str | None]] = {"data": "Data used in this paper"}

    @property
    def summary(self) -> pd.DataFrame:
        """The MDC summary icons table: one row per chart."""
        return pd.DataFrame([dict(c.summary_row(), unit_id=c.unit_id) for c in self.charts])

    def all_charts(self) -> list[Chart]:
        """Every chart in the paper (for the method note)."""
        return self.charts

    def supplied(self, table: str) -> bool:
        """True when the source ``table`` holds data for this paper (see "Data used in this paper")."""
        used = self.data_used
        return bool(len(used)) and bool(used.loc[used["table"] == table, "supplied"].any())

    def unassessed(self, charts: list[Chart] | None = None) -> list[str]:
        """What the paper could not assess, and why: measures not charted, and charts with too
        few points for process limits (and so no variation or assurance icon)."""
        out = [f"{m['measure']}, {m['unit']} ({m['reason']})" for m in self.missing]
        for c in self.charts if charts is None else charts:
            if not c.result.has_limits:
                points = c.result.points
                n = int(points["value"].notna().sum())
                # months resting on too few cases are left out of the limits: say so, or "24 months
                # of data; 13 needed" reads as a contradiction
                usable = (
                    int((points["value"].notna() & ~points["small"].astype(bool)).sum()) if "small" in points else n
                )
                what = f"{counted(n, 'month')} of data" if n else "no data"
                if usable < n:
                    what += f", {usable} with enough cases to count"
                out.append(
                    f"{c.measure.name}, {c.unit_name} ({what}; {self.options.minimum_points} needed for process limits)"
                )
        return out

    def assessment_text(self, what: str = "measure") -> list[str]:
        """Sentences that count only what could be assessed, and name what could not."""
        limited = [c for c in self.charts if c.result.has_limits]
        # a chart whose latest month is withheld says nothing of this month: it is named, not counted
        withheld = [c for c in limited if c.latest_withheld]
        assessed = [c for c in limited if not c.latest_withheld]
        changed = [c for c in assessed if (c.result.variation or "common_cause") != "common_cause"]
        text = []
        if not assessed:
            text.append(f"No {what} could be assessed with process limits {self.period.latest}.")
        elif not changed:
            text.append(
                f"None of the {counted(len(assessed), what)} that could be assessed shows a significant change: "
                "variation is within what the process normally produces."
            )
        if withheld:
            latest = (
                f"The latest figure ({self.period.last:%B %Y})" if self.period.is_quarter else "This month's figure"
            )
            text.append(
                f"{latest} rests on too few responses to report, so it is shown as * and not assessed: "
                + "; ".join(f"{c.measure.name}, {c.unit_name}" for c in withheld)
                + "."
            )
        gaps = self.unassessed()
        if gaps:
            text.append("Not assessed: " + "; ".join(gaps) + ".")
        spanning = [f"{c.measure.name}, {c.unit_name}" for c in self.charts if c.sustained_runs]
        if spanning:
            text.append(
                "Limits span a sustained change with no rebase recorded (each chart's description says where): "
                + "; ".join(spanning)
                + ". Where the change is understood and expected to last, record a rebase."
            )
        return text

    # -- the front of the paper: executive summary and cover sheet --

    @property
    def spec(self) -> dict:
        """The paper's parameters file (params/<committee>.yaml)."""
        return committees.committee(self.committee)

    @property
    def title(self) -> str:
        """The paper's heading: its params file's title, naming its committee or unit, and its month."""
        return f"{self.heading}, {self.period.name}"

    @property
    def heading(self) -> str:
        """The paper's heading without its month."""
        return committees.heading(
            self.spec, unit_name=self.unit_name, unit_id=self.unit_id or "", names=self.committee_names
        )

    def lead(self, unit_id: str | None) -> str:
        """Who leads ``unit_id``'s patient experience; the paper's executive lead for the trust."""
        if unit_id is not None and unit_id == self.trust_id:
            return self.spec.get("cover", {}).get("executive_lead") or self.leads.get(unit_id) or "lead not recorded"
        return self.leads.get(unit_id) or "lead not recorded"

    def _section(self, key: str, chart: Chart | None = None) -> str:
        heading = self.SECTIONS.get(key)
        if heading is None and chart is not None:
            return TOPICS[chart.measure.topic][0]  # charts shown under their topic's heading
        return heading or self.SECTIONS.get("charts") or ""

    def attention(self) -> list[Attention]:
        """The few things the meeting must know, each with its owner and the section holding the
        detail: special-cause concern, targets not assured, wards escalated, framework assurance
        gaps, overdue actions, and what could not be assessed."""
        items = [
            *self._chart_attention(),
            *self._exception_attention(),
            *self._gap_attention(),
            *self._action_attention(),
            *self._acting_attention(),
        ]
        author = self.spec.get("cover", {}).get("author") or self.lead(self.unit_id)
        items += [Attention("not_assessed", gap, author, self._section("data")) for gap in self.unassessed()]
        return list(dict.fromkeys(items))  # a chart shown twice (table and small multiples) is one item

    def _chart_attention(self) -> list[Attention]:
        items = []
        for c in self.all_charts():
            key = "charts" if any(c is own for own in self.charts) else "division_charts"
            where = f"{c.measure.name}, {'trust-wide' if c.unit_id == self.trust_id else c.unit_name}"
            if (c.result.variation or "").startswith("concern"):
                items.append(Attention("concern", where, self.lead(c.unit_id), self._section(key, c)))
            if c.result.assurance == "consistent_fail":
                items.append(Attention("not_assured", where, self.lead(c.unit_id), self._section(key, c)))
        return items

    def _exception_attention(self) -> list[Attention]:
        exceptions = self.exceptions
        if exceptions is None or not len(exceptions):
            return []
        items = []
        responded = exceptions.get("responded", pd.Series(False, index=exceptions.index)).astype(bool)
        for kind, part in (("ward_exception", exceptions[~responded]), ("ward_responded", exceptions[responded])):
            for unit_id, rows in part.groupby("unit_id", sort=False):
                ward = rows["ward"].iloc[0]
                what = f"{ward} ({', '.join(dict.fromkeys(rows['measure']))})"
                items.append(Attention(kind, what, self.lead(unit_id), self._section("exceptions"), subject=ward))
        return items

    def _gap_attention(self) -> list[Attention]:
        if self.assurance_gaps is None:
            return []
        owner, where = self.lead(self.unit_id), self._section("framework")
        return [
            Attention("assurance_gap", f"{g.requirement}: {g.gap}", owner, where, g.requirement)
            for g in self.assurance_gaps.itertuples(index=False)
        ]

    def _action_attention(self) -> list[Attention]:
        actions = self.actions
        if actions is None or not len(actions) or "overdue" not in actions:
            return []
        late = actions[actions["overdue"]]
        items = []
        for unit, rows in late.groupby("unit", sort=False) if "unit" in late else [(None, late)]:
            owners = ", ".join(sorted(set(rows["owner"].dropna())))
            what = f"{counted(len(rows), 'self-assessment action')}{f' ({unit})' if unit else ''}"
            items.append(Attention("overdue_actions", what, owners or "owner not recorded", self._section("actions")))
        return items

    def _acting_attention(self) -> list[Attention]:
        """Commitments off track at the latest report and quarters whose participants' satisfaction
        fell below the commitment, for papers that show the work plan or involvement."""
        items = []
        plan = getattr(self, "work_plan", None)
        if plan is not None:
            where = self._section("work_plan")
            for c in plan.off_track.itertuples(index=False):
                items.append(Attention("off_track", f"{c.commitment_id}: {c.commitment}", c.owner, where))
        record = getattr(self, "involvement", None)
        if record is not None:
            owner = self.spec.get("cover", {}).get("author") or self.lead(self.unit_id)
            for q in record.below_commitment["quarter"] if len(record.below_commitment) else ():
                # named as the section names it, beside its figure
                items.append(Attention("below_commitment", quarter_name(q), owner, self._section("involvement")))
        return items

    def assessed(self) -> int:
        """How many findings the paper could judge: charts with process limits, commitments with
        a reported status and quarters with a satisfaction figure."""
        n = sum(1 for c in self.all_charts() if c.result.has_limits)
        return n + sum(
            r.judged for r in (getattr(self, "work_plan", None), getattr(self, "involvement", None)) if r is not None
        )

    def cover_sheet(
        self, *, meeting_date: str | None = None, agenda_item: str | None = None, assurance: str | None = None
    ) -> Cover:
        """The paper's cover sheet: fixed parts from ``cover:`` in its parameters file, the rest
        written from its findings. ``assurance`` (a level of the trust's scale) replaces the
        level proposed from the data, once the executive lead has decided it."""
        spec = self.spec
        fixed = spec.get("cover", {})
        scale = committees.assurance_scale()
        items = self.attention()
        level, why = assurance_offered(items, self.assessed(), scale)
        if assurance is not None:
            if assurance not in scale:
                raise ParameterError(f"assurance {assurance!r} is not a level of the trust's scale {list(scale)}")
            level, why = assurance, "set by the executive lead"
        purpose = fixed.get("purpose", "assurance")
        return Cover(
            meeting=committees.meeting_name(spec, self.committee_names),
            meeting_date=meeting_date or "to be confirmed",
            agenda_item=agenda_item or fixed.get("agenda_item") or "to be confirmed",
            title=self.heading,
            period=self.period.name,
            purpose=purpose,
            executive_lead=fixed.get("executive_lead") or NOT_SET,
            author=fixed.get("author") or NOT_SET,
            # As the params file states it, else the trust's committees that report up to this one.
            previously_considered_by=fixed.get("previously_considered_by", self.reported_by.get(self.layer, [])),
            baf_risks=fixed.get("baf_risks", []),
            cqc_key_questions=fixed.get("cqc_key_questions", []),
            engagement=self.engagement_text(fixed.get("engagement")),
            presenter=fixed.get("presenter") or fixed.get("executive_lead") or NOT_SET,
            approved_by=fixed.get("approved_by") or NOT_SET,
            session=fixed.get("session") or NOT_SET,
            implications=fixed.get("implications", {}),
            asked_to=asked_to(items, level, purpose),
            assurance=level,
            assurance_reason=why,
            assurance_scale=scale,
            proposed=assurance is None,
            items=items,
        )

    def engagement_text(self, stated: str | None) -> str:
        """How patient and public engagement was considered: the paper's own statement, then
        what patients' voices the paper draws on (only sources supplied)."""
        voices = {
            "fft_monthly": "Friends and Family Test responses",
            "feedback_comments": "patients' comments",
            "complaints": "complaints",
            "pals_contacts": "PALS contacts",
            "compliments": "compliments",
        }
        drawn = [label for table, label in voices.items() if self.supplied(table)]
        said = (stated.rstrip(".") + ". ") if stated else ""
        if drawn:
            said += "This paper draws on what patients told the trust: " + ", ".join(drawn) + "."
        else:
            said += "No patient feedback was supplied for this paper."
        return said + self._involvement_text()

    def _involvement_text(self) -> str:
        """The involvement recorded for the paper's scope ("" where the record was not supplied)."""
        if self.involved is None:
            return ""
        start = (self.month - pd.DateOffset(months=2)).strftime("%B")
        span = f"from {start} to {self.month:%B %Y}"
        a = self.involved
        if a.empty:
            return f" No involvement activity is recorded for this paper's scope {span}."
        people = a["participants"].sum(min_count=1)
        kinds = ", ".join(dict.fromkeys(a["kind"]))
        informed = "; ".join(dict.fromkeys(a["informed"].dropna()))
        return (
            f" Involvement recorded {span}: {counted(len(a), 'activity')} ({kinds})"
            + ("" if pd.isna(people) else f", {_people(int(people))} taking part")
            + (f", informing: {informed}." if informed else ".")
        )

    def trust_charts(self) -> list[Chart]:
        """The paper's trust-wide charts."""
        return [c for c in self.charts if c.unit_id == self.trust_id]

    def grid_charts(self) -> list[Chart]:
        """The charts of the small-multiples page: each key measure for each division (by default
        the paper's own charts but the trust-wide ones; the board charts its key measures by
        division for it)."""
        return [c for c in self.charts if c.unit_id != self.trust_id]

    def measure_grid(self) -> list[tuple[Measure, list[Chart]]]:
        """The small-multiples page: one row per key measure, its divisions' charts in name order."""
        return [(m, sorted(cs, key=lambda c: c.unit_name)) for m, cs in by_measure(self.grid_charts())]

    def shows(self, section: str) -> bool:
        """True when the paper includes the optional ``section`` (``sections:`` in its params file)."""
        return section in self.spec.get("sections", committees.OPTIONAL_SECTIONS)

    @property
    def about(self) -> str:
        """What the paper is for, in its params file's words (``about:``)."""
        return committees.in_trust_words(self.spec.get("about", ""), self.spec, self.committee_names)

    def charts_by_topic(self, charts: list[Chart] | None = None) -> list[tuple[str, list[Chart]]]:
        """The paper's charts (or ``charts``) grouped by their measure's topic, in the order topics first appear."""
        groups: dict[str, list[Chart]] = {}
        for c in self.charts if charts is None else charts:
            groups.setdefault(c.measure.topic, []).append(c)
        return list(groups.items())

    def other_methods(self) -> list[str]:
        """Methods beyond SPC charts that this paper used (funnel plots, trend tests …)."""
        return []

    def reproduce_commands(self) -> list[str]:
        """The commands that rebuild this paper exactly (see :func:`parameters.reproduce_commands`)."""
        return reproduce_commands(
            committee=self.committee,
            notebook=self.notebook,
            period=str(self.period),
            database=str(self.parameters["database"]),
            options=self.options,
            unit_id=self.unit_id if self.layer in ("division", "ward") else None,
        )

    def base_findings(self) -> dict:
        """The findings every report writes: what it is, its month, options and data snapshot."""
        return {
            "report": self.committee,
            "layer": self.layer,
            "unit_id": self.unit_id,
            "period": str(self.period),
            "generated_at": self.generated_at,
            "options": {k: clean_value(v) for k, v in self.options.as_dict().items()},
            "icons": [{k: clean_value(v) for k, v in r.items()} for r in self.summary.to_dict("records")],
            "snapshot": self.snapshot,
            "code_version": self.code_version,
        }
