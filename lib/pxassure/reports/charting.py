"""Charted measures: one measure for one unit, charted with a report's one
:class:`~pxassure.analysis.options.SPCOptions` — the charts every paper's model is made of.

Every calendar month through the report month is charted, so a missing month is a gap; a
measure that cannot be charted for a unit gives the reason instead, for the paper to say.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from pxassure.analysis import rare, spc
from pxassure.analysis.measures import Measure
from pxassure.analysis.options import SPCOptions
from pxassure.analysis.targets import Target
from pxassure.reports.data import ReportData

#: Shown instead of a figure that rests on fewer responses than the SPC option ``minimum_denominator``.
SUPPRESSED = "*"


def month_labels(months: pd.Series) -> pd.Index:
    """Months as the "YYYY-MM" labels charts and findings use."""
    return pd.Index(pd.to_datetime(months).dt.strftime("%Y-%m"), name="month")


def every_month(series: pd.DataFrame, through: pd.Timestamp | None = None) -> pd.DataFrame:
    """One row per calendar month from the first month with a row to ``through`` (or the last):
    a month with no row becomes a missing value — a gap in the chart, left out of its limits and
    rules — never a join between its neighbours."""
    if series.empty:
        return series
    s = series.groupby("month", as_index=False)[["numerator", "denominator"]].sum(min_count=1)
    last = max(s["month"].max(), through) if through is not None else s["month"].max()
    months = pd.date_range(s["month"].min(), last, freq="MS")
    return s.set_index("month").reindex(months).rename_axis("month").reset_index()


def chart_measure(
    series: pd.DataFrame,
    measure: Measure,
    options: SPCOptions,
    target: float | None = None,
    through: pd.Timestamp | None = None,
    rebase: list[str] | tuple[str, ...] = (),
    since: str | None = None,
    exclude: list[str] | tuple[str, ...] = (),
    baselines: dict[str, int] | None = None,
) -> spc.SPCResult:
    """The SPC chart of one unit's monthly series for ``measure`` (chart type from the measure),
    every calendar month through ``through`` included, so missing months are gaps. ``rebase``
    lists "YYYY-MM" months that start a new period; one outside the charted months has no effect.
    ``since`` ("YYYY-MM"): the months from it are left out of the limits and judged against
    those of the months before (a before/after chart of a change). ``exclude`` lists months left
    out of the limits (recorded exclusions); ``baselines`` {"YYYY-MM" a period starts: N} fixes
    that period's limits on its first N months."""
    s = every_month(series, through)
    num = pd.Series(s["numerator"].to_numpy(), index=month_labels(s["month"]))
    starts = {m for m in rebase if m in num.index}
    first = num.index[0] if len(num) else None
    fixed = {m: n for m, n in (baselines or {}).items() if m in starts or m == first}
    kw = {
        "improvement": measure.improvement,
        "target": target,
        "rebase": sorted(starts),
        "exclude": [m for m in num.index if (since is not None and m >= since) or m in exclude],
        "fix_after_n_points": fixed or None,
        "options": options,
    }
    if measure.chart == "c":
        return spc.attribute("c", num, **kw)
    if measure.chart == "xmr":
        return spc.xmr(num, **kw)
    den = pd.Series(s["denominator"].to_numpy(), index=num.index)
    return spc.attribute(measure.chart, num, den, multiply=measure.multiply, **kw)


@dataclass(frozen=True)
class RareNote:
    """Why a measure's chart shows rare events differently: its events average fewer than one a
    month, so it shows the days between them (``dated``) or its monthly counts without run rules
    (its table holds no dates: ``undated`` says why); with the last event and the days since."""

    events: str
    per_month: float
    dated: bool
    undated: str = ""
    last: pd.Timestamp | None = None
    days_since: int | None = None
    through: pd.Timestamp | None = None


@dataclass(frozen=True)
class Chart:
    """One measure for one unit, charted."""

    measure: Measure
    unit_id: str
    unit_name: str
    result: spc.SPCResult
    scope: str = ""
    target: Target | None = None  # the agreed target it is judged against, and where it comes from
    rebases: dict[str, str] = field(default_factory=dict)  # recorded rebases: {"YYYY-MM": reason}
    exclusions: dict[str, str] = field(default_factory=dict)  # months left out of the limits: {"YYYY-MM": reason}
    #: Fixed baselines: {"YYYY-MM" a period starts: (months that set its limits, reason)}.
    baselines: dict[str, tuple[int, str]] = field(default_factory=dict)
    rare: RareNote | None = None  # the events are rare: shown as days between them, or as counts
    data_quality: str | None = None  # the trust's own data-quality rating, where it supplied one
    suppressed: tuple[str, ...] = ()  # months NHS England suppressed ("YYYY-MM"): gaps named as such

    @property
    def sustained_runs(self) -> list[spc.SustainedRun]:
        """Special-cause runs the chart's limits span with no rebase recorded (see ``spc.sustained_runs``)."""
        return spc.sustained_runs(self.result)

    @property
    def title(self) -> str:
        return f"{self.measure.name}: {self.unit_name}{f' ({self.scope})' if self.scope else ''}"

    def _latest_seen(self) -> tuple[pd.DataFrame, bool]:
        """The months with a figure, and whether the latest of them is withheld: suppressed by
        NHS England or resting on too few responses (1 to 4)."""
        points = self.result.points
        seen = points[points["value"].notna()]
        hidden = len(points) and str(points.index[-1]) in self.suppressed and pd.isna(points["value"].iloc[-1])
        if hidden:
            seen = points.iloc[-1:]  # the report month itself was suppressed: "*", not last month's figure
        return seen, bool(len(seen) and (hidden or bool(seen["small"].iloc[-1])))

    @property
    def latest_withheld(self) -> bool:
        """True when the latest month's figure is shown as * (so it has no variation or assurance)."""
        return self._latest_seen()[1]

    def summary_row(self) -> dict:
        seen, withheld = self._latest_seen()
        if withheld:
            # The latest month rests on too few responses (NHS England suppresses 1 to 4): no
            # figure, no icon — an earlier month's icon would be read as this month's.
            return {
                "measure": self.measure.name,
                "measure_id": self.measure.id,
                "scope": f"{self.unit_name} ({self.scope})" if self.scope else self.unit_name,
                "month": seen.index[-1],
                "latest": SUPPRESSED,
                "unit": self.measure.unit,
                "target": self.result.target,
                "variation": None,
                "assurance": None,
                "chart": self.result.chart if self.result.has_limits else "run",
                **self._process(seen.iloc[-1]),
            }
        last = self.result.last_point
        return {
            "measure": self.measure.name,
            "measure_id": self.measure.id,
            "scope": f"{self.unit_name} ({self.scope})" if self.scope else self.unit_name,
            "month": None if last is None else last.name,
            "latest": None if last is None else float(last["value"]),
            "unit": self.measure.unit,
            "target": self.result.target,
            "variation": self.result.variation,
            "assurance": self.result.assurance,
            "chart": self.result.chart if self.result.has_limits else "run",
            **self._process(last),
        }

    def _process(self, point) -> dict:
        """The process at a point, as integrated performance reports show it: its mean (centre
        line) and limits (none on a run chart), and the trust's data-quality rating."""
        has = point is not None and self.result.has_limits

        def value(k: str) -> float | None:
            return float(point[k]) if has and pd.notna(point[k]) else None

        return {
            "mean": value("centre"),
            "lower": value("lower"),
            "upper": value("upper"),
            "data_quality": self.data_quality,
        }


def no_data_reason(measure: Measure) -> str:
    """Why a supplied measure has nothing to chart for a unit, in words a board member reads."""
    if measure.denominator == "occupied bed days":
        return (
            "no occupied bed days recorded for this unit: a rate per bed day does not apply to a department "
            "without beds (A&E, day case, outpatients, community)"
        )
    if measure.denominator:
        return f"no {measure.denominator} recorded for this unit"
    return "no data for this unit"


def chart_for(data: ReportData, measure: Measure, unit_id: str, options: SPCOptions) -> Chart | str:
    """``measure`` charted for one unit (a ward, or wards pooled up to a division or the trust),
    with the measure's own target and scope — or, when it cannot be charted, the reason why."""
    missing = data.not_supplied(measure)
    if missing:
        return "not supplied: " + ", ".join(missing)
    series, target, scope = data.scoped(measure, unit_id)
    if series.empty or series["denominator"].notna().sum() == 0:
        return no_data_reason(measure)
    if measure.rare is not None and rare.is_rare(series["numerator"]):
        return rare_chart(data, measure, unit_id, series, options, scope, target)
    return _counted_chart(data, measure, unit_id, series, options, scope, target)


def _counted_chart(data: ReportData, measure: Measure, unit_id: str, series, options, scope, target=None) -> Chart:
    """The measure's own chart of its monthly series, with the trust's recorded decisions."""
    unit_name = data.unit(unit_id)["name"]
    rebases = data.rebases(measure, unit_id)
    exclusions = data.exclusions(measure, unit_id)
    baselines = data.baselines(measure, unit_id)
    value = None if target is None else target.value
    result = chart_measure(
        series, measure, options, value, data.month, list(rebases), exclude=list(exclusions), baselines=baselines
    )
    index = result.points.index
    periods = {index[i] for i in result.period_starts}
    starts = periods | ({index[result.pending_rebase]} if result.pending_rebase is not None else set())
    return Chart(
        measure,
        unit_id,
        unit_name,
        result,
        scope=scope,
        target=target,
        rebases={m: why for m, why in rebases.items() if m in starts and m != index[0]},
        exclusions={m: why for m, why in exclusions.items() if m in index},
        baselines={m: (n, rebases.get(m, "")) for m, n in baselines.items() if m in periods},
        data_quality=data.data_quality(measure, unit_id),
        suppressed=data.suppressed_months(measure, unit_id),
    )


def rare_chart(data: ReportData, measure: Measure, unit_id: str, series, options: SPCOptions, scope, target) -> Chart:
    """A rare measure's chart: a ward's days between events (a g chart; longer between is better
    when fewer events are) where its table dates each event, else its monthly counts (a c chart,
    whose run rules are off below one a month; a rate's target does not apply to them)."""
    form = measure.rare
    unit = data.unit(unit_id)
    note = RareNote(form.events, rare.per_month(series["numerator"]), dated=False, undated=form.undated)
    if form.dated is not None and unit["level"] == "ward":
        through = data.period.last + pd.offsets.MonthEnd(0)
        gaps = rare.days_between(rare.event_dates(data.tables, form, [unit_id]), through)
        if len(gaps.days):
            better = {"decrease": "increase", "increase": "decrease"}.get(measure.improvement, "neutral")
            shown = replace(
                measure,
                name=f"Days between {form.events}",
                chart="g",
                improvement=better,
                multiply=1,
                unit="",
                definition=f"Days from each of the unit's {form.events} to the one before (g chart).",
            )
            result = spc.attribute("g", gaps.days, improvement=better, options=options)
            note = replace(note, dated=True, last=gaps.last, days_since=gaps.days_since, through=through)
            return Chart(shown, unit_id, unit["name"], result, scope=scope, rare=note)
    if measure.chart == "c":
        return replace(_counted_chart(data, measure, unit_id, series, options, scope, target), rare=note)
    counts = replace(measure, name=f"{form.events[0].upper()}{form.events[1:]} a month", chart="c", multiply=1, unit="")
    result = chart_measure(series, counts, options, None, data.month)
    return Chart(counts, unit_id, unit["name"], result, scope=scope, rare=note)


def charts_for(
    data: ReportData, measure_list: list[Measure], unit_ids, options: SPCOptions, missing: list | None = None
) -> list[Chart]:
    """Every measure of ``measure_list`` for every unit of ``unit_ids`` (measure by measure).

    A measure that cannot be charted for a unit is left out, and recorded in ``missing`` (when
    given) as measure, unit and reason, so that the paper can say what it could not assess.
    """
    out = []
    names = data.units.set_index("unit_id")["name"]
    for m in measure_list:
        for u in unit_ids:
            c = chart_for(data, m, u, options)
            if isinstance(c, Chart):
                out.append(c)
            elif missing is not None:
                missing.append({"measure": m.name, "unit": names.get(u, u), "reason": c})
    return out


def by_measure(charts: list[Chart]) -> list[tuple[Measure, list[Chart]]]:
    """Charts grouped by measure, in the order measures first appear (a rare measure's days between
    events apart from its counts: they are on different scales)."""
    groups: dict[tuple[str, str], tuple[Measure, list[Chart]]] = {}
    for c in charts:
        groups.setdefault((c.measure.id, c.measure.chart), (c.measure, []))[1].append(c)
    return list(groups.values())
