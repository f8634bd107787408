"""What a report reads: the store's tables up to its month, and measures computed from them.

:class:`ReportData` is opened once per report (read-only) and handed to the analysis. A
measure's series is a lookup in the measure registry, never a branch here; a measure's
scope (one ward, or wards pooled into a division or the trust) and its target come from
the measure's own definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure.analysis import evidence, framework, measures
from pxassure.analysis.measures import Measure
from pxassure.analysis.targets import Target, covering, target_for
from pxassure.errors import ParameterError
from pxassure.ingest.store import AS_OF, RECORDED, SHARED_TABLES, Store
from pxassure.periods import Period
from pxassure.reports import committees
from pxassure.reports.parameters import resolve_period, unknown_unit

#: What only a paper that quotes comments reads (the ward's, redacted first): patients' own words
#: and each comment's record (its id and source, who coded its themes, by which model, how surely).
#: The other papers count comments by unit, month, theme and tone — with the question, FFT answer
#: and who gave the tone, to know where a tone contradicts the patient's answer — so the words never
#: enter their kernels (and at 300 wards the trust-wide comments take a third of the memory).
QUOTED: dict[str, tuple[str, ...]] = {
    "feedback_comments": ("comment_id", "text", "source", "labels_by", "model_version", "confidence")
}

#: The sources a paper may draw on, in the order its "Data used in this paper" lists them.
SOURCES: dict[str, str] = {
    "fft_monthly": "Friends and Family Test, by ward and month",
    "fft_national": "Friends and Family Test national averages",
    "fft_suppressed": "Friends and Family Test months NHS England suppressed",
    "feedback_comments": "Patients' comments",
    "theme_reviews": "Comments whose themes and tone a person checked",
    "complaints": "Formal complaints",
    "pals_contacts": "PALS contacts",
    "compliments": "Compliments",
    "activity": "Activity (occupied bed days)",
    "incidents": "Patient-safety incidents",
    "staffing": "Nurse staffing fill rates",
    "framework_scores": "Framework self-assessments",
    "inpatient_survey": "National inpatient survey",
    "staff_survey": "NHS staff survey",
    "targets": "Targets agreed by the trust",
    "spc_rebases": "SPC rebase decisions",
    "spc_exclusions": "Months left out of SPC limits",
    "exception_responses": "Responses recorded to escalated exceptions",
    "data_quality": "Data-quality ratings",
}
#: The records of listening and acting, listed in a paper's "Data used" only where it reads them.
LISTENING_SOURCES: dict[str, str] = {
    "patient_stories": "Patient stories heard at meetings",
    "involvement_activities": "Involvement activities",
    "you_said_we_did": "You said, we did",
    "strategy_commitments": "Strategy work plan",
}


def _table(name: str) -> property:
    return property(lambda self: self.tables[name], doc=f"The ``{name}`` table up to the report month.")


@dataclass
class ReportData:
    """The tables a report needs, each up to and including its period's last month (see ``store.AS_OF``)."""

    period: Period
    tables: dict[str, pd.DataFrame]
    snapshot: dict
    _series: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @classmethod
    def from_store(
        cls, store: Store, period: Period, unit_id: str | None = None, *, quotes: bool = False
    ) -> ReportData:
        """The data up to ``period``'s last month: the whole trust's, or with ``unit_id`` that unit's and its
        descendants' rows (and the shared tables), as its content key digests them. The comments'
        words and coding record only with ``quotes`` (see :data:`QUOTED`)."""
        units = None
        if unit_id is not None:
            hierarchy = store.table("org_units")
            if unit_id not in set(hierarchy["unit_id"]):
                raise ParameterError(unknown_unit(unit_id, hierarchy["unit_id"]))
            units = measures.descendants(hierarchy, unit_id)
        month = period.last
        tables = store.as_of(month, units=units, leave_out=None if quotes else QUOTED)
        # A renamed ward is called what it was called in the report month.
        tables["org_units"] = measures.names_in_force(tables["org_units"], month)
        return cls(period=period, tables=tables, snapshot=store.snapshot())

    @property
    def month(self) -> pd.Timestamp:
        """The period's last month: the month its charts run to."""
        return self.period.last

    def source_supplied(self, table: str) -> bool:
        """Whether the trust supplied ``table`` (any row up to the month), whatever this paper's scope."""
        recorded = self.tables[RECORDED]
        return bool(recorded.loc[recorded["table"] == table, "supplied"].any())

    # Short names the report models use for the tables they read most.
    units = _table("org_units")
    fft = _table("fft_monthly")
    national = _table("fft_national")
    complaints = _table("complaints")
    complaint_subjects = _table("complaint_subjects")
    pals = _table("pals_contacts")
    compliments = _table("compliments")
    comments = _table("feedback_comments")
    reviews = _table("theme_reviews")
    activity = _table("activity")
    incidents = _table("incidents")
    staffing = _table("staffing")
    scores = _table("framework_scores")
    inpatient_survey = _table("inpatient_survey")
    staff_survey = _table("staff_survey")
    responses = _table("exception_responses")

    def unit(self, unit_id: str) -> pd.Series:
        match = self.units[self.units["unit_id"] == unit_id]
        if match.empty:
            raise ParameterError(unknown_unit(unit_id, self.units["unit_id"]))
        return match.iloc[0]

    @property
    def trust(self) -> pd.Series:
        return self.units[self.units["level"] == "trust"].iloc[0]

    def scope(self, unit_id: str) -> list[str]:
        """The unit and every unit under it."""
        return measures.descendants(self.units, unit_id)

    def owners(self) -> dict:
        """What every report model takes from the trust's own structure to name owners and
        meetings: each unit's lead (``org_units.lead``, where recorded), which unit is the trust,
        and its committees (:meth:`governance`)."""
        leads = self.units.set_index("unit_id")["lead"] if "lead" in self.units else pd.Series(dtype=object)
        return {
            "leads": {u: v for u, v in leads.items() if isinstance(v, str) and v.strip()},
            "trust_id": self.trust["unit_id"],
            **self.governance(),
        }

    @property
    def committee_names(self) -> dict[str, str]:
        """Each layer's committee as the trust names it (none without a ``committees`` table)."""
        return committees.layer_names(self.tables.get("committees"))

    def governance(self) -> dict:
        """From the ``committees`` table: each layer's committee as the trust names it, and the
        committees that report up to it, lowest first (what its cover says it was considered by)."""
        table = self.tables.get("committees")
        if table is None or table.empty:
            return {"committee_names": {}, "reported_by": {}}
        names = dict(zip(table["committee_id"], table["name"]))
        below: dict[str, list[str]] = {}
        for cid, up in zip(table["committee_id"], table["reports_to"]):
            below.setdefault(up, []).append(cid)
        reported_by = {}
        for cid, layer in zip(table["committee_id"], table["layer"]):
            chain, todo = [], list(below.get(cid, []))
            while todo:  # breadth first, then reversed: the committee nearest the wards first
                nxt = todo.pop(0)
                if nxt not in chain:
                    chain.append(nxt)
                    todo += below.get(nxt, [])
            reported_by.setdefault(layer, [names[c] for c in reversed(chain)])
        return {"committee_names": self.committee_names, "reported_by": reported_by}

    def wards(self, service_types: tuple[str, ...] | None = None, *, current: bool = False) -> pd.Series:
        """Ward unit ids, optionally only those of some settings, or only those open in the report
        month (``current``: the wards that have a paper this month)."""
        u = self.units[self.units["level"] == "ward"]
        if current:
            u = measures.open_units(u, self.month)
        if service_types is not None:
            u = u[u["service_type"].isin(service_types)]
        return u["unit_id"]

    def supplied(self, measure: Measure) -> bool:
        """True when the trust supplied every table the measure is computed from."""
        return all(self.source_supplied(t) for t in measure.sources)

    def not_supplied(self, measure: Measure) -> list[str]:
        """The tables a measure needs that the trust did not supply (empty when it can be computed)."""
        return [t for t in measure.sources if not self.source_supplied(t)]

    def series(self, measure: str | Measure) -> pd.DataFrame:
        """Ward-month numerator and denominator for a measure (from the registry), up to the month.

        Empty when any table the measure needs was not supplied: data never loaded is never
        counted as zero.
        """
        m = measure if isinstance(measure, Measure) else measures.get(measure)
        if m.id not in self._series:
            if self.not_supplied(m):
                self._series[m.id] = pd.DataFrame(
                    {"unit_id": pd.Series(dtype=object), "month": pd.Series(dtype="datetime64[ns]")}
                ).assign(numerator=pd.Series(dtype=float), denominator=pd.Series(dtype=float))
            else:
                self._series[m.id] = m.series(self.tables, self.month)
        return self._series[m.id]

    def data_used(self, units: list[str] | None = None, also: tuple[str, ...] = ()) -> pd.DataFrame:
        """Each source a paper may draw on: supplied or not, rows, and the months (or years) it
        covers — for the units of the paper's scope (``units``; None: the whole trust). Tables
        that no unit owns (national figures, targets …) are counted whole; ``also`` names the
        records of listening and acting (:data:`LISTENING_SOURCES`) the paper reads."""
        rows = []
        for table, label in {**SOURCES, **{t: LISTENING_SOURCES[t] for t in also}}.items():
            t = self.tables.get(table, pd.DataFrame())
            if units is not None and len(t) and "unit_id" in t and table not in SHARED_TABLES:
                t = t[t["unit_id"].isin(units)]
            column = AS_OF[table][2]
            # supplied: the trust loaded the source (it may hold no rows for this paper's units)
            row = {"source": label, "table": table, "supplied": self.source_supplied(table), "rows": len(t)}
            row["first"] = row["latest"] = None
            if len(t):
                dates = t[column]
                if column == "year":
                    row["first"], row["latest"] = str(int(dates.min())), str(int(dates.max()))
                else:
                    months = pd.to_datetime(dates)
                    row["first"], row["latest"] = f"{months.min():%Y-%m}", f"{months.max():%Y-%m}"
            rows.append(row)
        return pd.DataFrame(rows, columns=["source", "table", "supplied", "rows", "first", "latest"])

    def scoped(self, measure: Measure, unit_id: str) -> tuple[pd.DataFrame, Target | None, str]:
        """A measure's monthly series for one unit, its target and what the figure covers.

        A ward's own series; above ward level, the wards of the measure's pooled settings
        (``Measure.pooled``) summed up to the unit. The target is the trust's agreed target
        that covers the chart (``analysis.targets``): for the ward's setting, or for the
        pooled setting when there is exactly one.
        """
        unit = self.unit(unit_id)
        s = self.series(measure)
        if unit["level"] == "ward":
            setting = unit["service_type"] if isinstance(unit["service_type"], str) else None
            return s[s["unit_id"] == unit_id], self.target(measure, unit_id, setting), ""
        if measure.pooled is not None:
            s = s[s["unit_id"].isin(self.wards(measure.pooled))]
        rolled = measures.rollup(s, self.units, unit_id=unit_id)
        setting = measure.pooled[0] if measure.pooled is not None and len(measure.pooled) == 1 else None
        return rolled, self.target(measure, unit_id, setting), measure.scope

    def suppressed_months(self, measure: Measure, unit_id: str) -> tuple[str, ...]:
        """The months ("YYYY-MM") NHS England suppressed a ward's FFT figures, for a measure drawn
        from them (empty above ward level, where a month pools the wards that were published)."""
        table = self.tables.get("fft_suppressed")
        if table is None or "fft_monthly" not in measure.sources or self.unit(unit_id)["level"] != "ward":
            return ()
        months = pd.to_datetime(table.loc[table["unit_id"] == unit_id, "month"])
        return tuple(sorted(months.dt.strftime("%Y-%m")))

    def target(self, measure: Measure, unit_id: str, setting: str | None) -> Target | None:
        """The agreed target covering ``measure``'s chart for a unit (None when none does)."""
        return target_for(
            measure, unit_id, setting, self.month, self.tables.get("targets"), self.units, self.tables["fft_national"]
        )

    def national_figure(self, measure: Measure, setting: str) -> float | None:
        """The latest national figure for ``measure`` in a setting (None when not supplied)."""
        if measure.national is None or not len(self.tables["fft_national"]):
            return None
        return measures.latest_national(self.tables["fft_national"], setting, self.month, measure.national)

    def data_quality(self, measure: Measure, unit_id: str) -> str | None:
        """The trust's data-quality rating of ``measure`` for a unit (the nearest unit's latest
        rating in force at the report month), or None when the trust rated none."""
        r = self.tables.get("data_quality")
        if r is None or r.empty:
            return None
        r = r[(r["measure"] == measure.id) & (pd.to_datetime(r["from_month"]) <= self.month)]
        if r.empty:
            return None
        r = covering(r, unit_id, self.units)
        if r.empty:
            return None
        row = r.sort_values(["_depth", "_from"], ascending=False).iloc[0]
        return str(row["rating"])

    def rebases(self, measure: Measure, unit_id: str) -> dict[str, str]:
        """Recorded rebases of one unit's chart of ``measure``: {"YYYY-MM": "reason; agreed by …"}."""
        return self._decisions("spc_rebases", measure, unit_id)

    def exclusions(self, measure: Measure, unit_id: str) -> dict[str, str]:
        """Months left out of one unit's chart's limits: {"YYYY-MM": "reason; agreed by …"}."""
        return self._decisions("spc_exclusions", measure, unit_id)

    def baselines(self, measure: Measure, unit_id: str) -> dict[str, int]:
        """Fixed baselines of one unit's chart: {"YYYY-MM" a period starts: months that set its limits}."""
        r = self._decision_rows("spc_rebases", measure, unit_id)
        if "baseline_points" not in r:
            return {}
        r = r[r["baseline_points"].notna()]
        return {f"{m:%Y-%m}": int(n) for m, n in zip(pd.to_datetime(r["month"]), r["baseline_points"])}

    def _decision_rows(self, table: str, measure: Measure, unit_id: str) -> pd.DataFrame:
        r = self.tables.get(table)
        if r is None or r.empty:
            return pd.DataFrame(columns=["month", "reason", "agreed_by"])
        return r[(r["measure"] == measure.id) & (r["unit_id"] == unit_id)].sort_values("month")

    def _decisions(self, table: str, measure: Measure, unit_id: str) -> dict[str, str]:
        r = self._decision_rows(table, measure, unit_id)
        return {
            f"{m:%Y-%m}": f"{reason}; agreed by {who}"
            for m, reason, who in zip(pd.to_datetime(r["month"]), r["reason"], r["agreed_by"])
        }


def load(database: str | Path, period: Any, unit_id: str | None = None, *, quotes: bool = False) -> ReportData:
    """Open the store read-only, resolve the report month and load its data (all of it, or with
    ``unit_id`` that unit's scope; the comments' words only with ``quotes``: see
    :meth:`ReportData.from_store`)."""
    with Store(database, read_only=True) as store:
        return ReportData.from_store(store, resolve_period(store, period), unit_id, quotes=quotes)


def framework_position(data: ReportData, unit_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A unit's framework score changes to the report month and its assurance gaps: one
    definition, so that every layer on the way to the board reports the gaps the board sees."""
    changes = framework.score_changes(data.scores, unit_id, data.month)
    return changes, framework.assurance_gaps(changes, framework_evidence(data, unit_id), records_held(data, unit_id))


def records_held(data: ReportData, unit_id: str) -> pd.DataFrame:
    """What the trust's records of listening and acting hold for ``unit_id``'s requirements
    (see :mod:`pxassure.analysis.evidence`)."""
    trust = unit_id == data.trust["unit_id"]
    return evidence.records_held(data.tables, data.source_supplied, data.scope(unit_id), data.month, trust=trust)


def framework_evidence(data: ReportData, unit_id: str) -> pd.DataFrame:
    """What the feedback data say about requirements they can test (see ``framework.EVIDENCE``)."""
    rows = []
    # 12C: inpatient FFT response rate over the last three months against the national average.
    rate_measure = measures.get("fft_response_rate")
    rr = data.series(rate_measure)
    in_scope = data.scope(unit_id)
    recent = rr[
        rr["unit_id"].isin(data.wards(("inpatient",)))
        & rr["unit_id"].isin(in_scope)
        & (rr["month"] > data.month - pd.DateOffset(months=3))
    ]
    national = data.national_figure(rate_measure, "inpatient")
    if len(recent) and national is not None:
        rate = rate_measure.value(recent["numerator"].sum(), recent["denominator"].sum())
        rows.append(
            (
                "12C",
                rate >= national,
                f"the inpatient FFT response rate over the last three months was {rate:.1f}% against a "
                f"national average of {national:.1f}%.",
            )
        )
    # 17C: national inpatient survey question on involvement in decisions, against peers.
    ip = data.inpatient_survey[
        (data.inpatient_survey["unit_id"] == unit_id) & (data.inpatient_survey["question_id"] == "Q20")
    ]
    if len(ip):
        last = ip.sort_values("year").iloc[-1]
        rows.append(
            (
                "17C",
                last["peer_band"] == "better",
                f"the {last['year']} inpatient survey rated involvement in decisions "
                f"'{last['peer_band'].replace('_', ' ')}' compared with other trusts.",
            )
        )
    # 20C: staff survey, feedback used to make decisions, against the peer median.
    ss = data.staff_survey[(data.staff_survey["unit_id"] == unit_id) & (data.staff_survey["question_id"] == "Q25c")]
    if len(ss) and ss["peer_median"].notna().any():
        last = ss.sort_values("year").iloc[-1]
        rows.append(
            (
                "20C",
                last["percent_positive"] > last["peer_median"],
                f"{last['percent_positive']:.1f}% of staff said patient feedback informs decisions "
                f"({last['year']} staff survey) against a peer median of {last['peer_median']:.1f}%.",
            )
        )
    return pd.DataFrame(rows, columns=["requirement", "supports", "statement"])


#: The feedback counts a paper tabulates, and the table each comes from.
FEEDBACK_SOURCES = {
    "fft_responses": "fft_monthly",
    "complaints": "complaints",
    "pals_contacts": "pals_contacts",
    "compliments": "compliments",
}


def feedback_counts(data: ReportData, level: str = "division") -> pd.DataFrame:
    """Feedback received in the report's period per unit at ``level``: FFT responses, complaints,
    PALS contacts and compliments (raw counts, summed over a quarter; suppress before publishing)."""
    held = data.period.holds
    fft = measures.fft_positive(data.fft)
    ward_counts = pd.concat(
        [
            fft[held(fft["month"])].groupby("unit_id")["denominator"].sum().rename("fft_responses"),
            data.complaints[held(data.complaints["received"])].groupby("unit_id").size().rename("complaints"),
            data.pals[held(data.pals["received"])].groupby("unit_id").size().rename("pals_contacts"),
            data.compliments[held(data.compliments["month"])].groupby("unit_id")["compliments"].sum(),
        ],
        axis=1,
    ).fillna(0)
    pairs = measures.ancestors(data.units)
    keep = data.units.loc[data.units["level"] == level, ["unit_id", "name"]]
    merged = ward_counts.reset_index().rename(columns={"index": "unit_id"}).merge(pairs, on="unit_id")
    merged = merged[merged["ancestor_id"].isin(keep["unit_id"])]
    out = merged.groupby("ancestor_id")[["fft_responses", "complaints", "pals_contacts", "compliments"]].sum()
    out = keep.merge(out, left_on="unit_id", right_index=True, how="left").fillna(0)
    return out.sort_values("name").reset_index(drop=True)
