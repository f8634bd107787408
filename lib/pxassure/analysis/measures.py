"""The measure registry: every measure pxassure charts is defined here, once.

A :class:`Measure` says everything the rest of pxassure needs to know about a measure:
its name and unit, which direction is better, which SPC chart it takes, how it is computed
from the store's tables, which tables it needs (so a report can say what was supplied),
at which levels of the organisation it is shown, which settings are pooled when it is
rolled up above ward level, and its national comparator (targets are data: the
``targets`` table). Reports look measures up by
id (:func:`get`); which measures a committee's paper shows is listed in that committee's
``params/*.yaml``.

To add a measure, add one ``define(Measure(...))`` below (docs/extending.md's "Adding a measure"
says what else, if anything, to touch). Everything here is a pure function on DataFrames:
ward figures roll up the organisation by summing numerators and denominators, never by
averaging percentages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pxassure.analysis.rare import RareForm
from pxassure.errors import MeasureError
from pxassure.ingest.columns import FFT_ANSWERS as ANSWER_COLUMNS
from pxassure.ingest.store import RECORDED

FFT_ANSWERS = list(ANSWER_COLUMNS)
#: Levels of the organisation, top down (as in ``org_units.level``).
LEVELS = ("trust", "division", "care_group", "ward")
CHARTS = ("xmr", "p", "pp", "u", "up", "c", "g", "t")
DIRECTIONS = ("increase", "decrease", "neutral")

#: The store's tables as a report sees them (each up to the report month), by table name.
Tables = Mapping[str, pd.DataFrame]
#: How a measure is computed: (tables, report month) -> unit_id, month, numerator, denominator per ward-month.
Compute = Callable[[Tables, pd.Timestamp], pd.DataFrame]


@dataclass(frozen=True)
class Measure:
    """One measure: how it is defined, computed, charted and scoped."""

    id: str
    name: str
    chart: str  # SPC chart: "pp" (Laney p′), "up" (Laney u′), "p", "u", "c", "xmr"
    improvement: str  # "increase", "decrease" or "neutral"
    compute: Compute = field(repr=False, compare=False)
    sources: tuple[str, ...]  # store tables it is computed from: all must be supplied
    multiply: float = 1  # 100 for a percentage, 1,000 for a rate per 1,000
    unit: str = ""  # suffix when shown, e.g. "%"
    topic: str = ""  # which part of a paper it belongs to (see TOPICS)
    denominator: str = ""  # what the denominator counts, e.g. "responses" (funnel plot axes)
    levels: tuple[str, ...] = LEVELS  # where it is shown; () for a measure used only to triangulate
    pooled: tuple[str, ...] | None = None  # settings pooled into division and trust figures (None: all)
    scope: str = ""  # what a pooled figure covers, e.g. "inpatient wards"
    #: The ``fft_national`` column that is this measure's national comparator (None: there is none).
    #: Targets are not set here: they are data (the ``targets`` table; see ``analysis.targets``).
    national: str | None = None
    definition: str = ""
    #: How it is charted when its events are rare (fewer than one a month): see ``analysis.rare``.
    rare: RareForm | None = None

    def __post_init__(self) -> None:
        problems = []
        if self.chart not in CHARTS:
            problems.append(f"chart {self.chart!r} is not one of {list(CHARTS)}")
        if self.improvement not in DIRECTIONS:
            problems.append(f"improvement {self.improvement!r} is not one of {list(DIRECTIONS)}")
        if set(self.levels) - set(LEVELS):
            problems.append(f"levels {sorted(set(self.levels) - set(LEVELS))} are not among {list(LEVELS)}")
        if self.topic not in TOPICS:
            problems.append(f"topic {self.topic!r} is not one of {list(TOPICS)}")
        if not self.sources:
            problems.append("sources must name the store tables it is computed from")
        if problems:
            raise MeasureError(f"measure {self.id!r}: " + "; ".join(problems))

    @property
    def is_ratio(self) -> bool:
        """True when the chart is of numerator ÷ denominator (p and u charts)."""
        return self.chart in ("p", "pp", "u", "up")

    @property
    def funnel_kind(self) -> str | None:
        """How a funnel plot compares units on this measure: "proportion", "rate" or None."""
        return {"p": "proportion", "pp": "proportion", "u": "rate", "up": "rate"}.get(self.chart)

    def series(self, tables: Tables, month: pd.Timestamp) -> pd.DataFrame:
        """Ward-month numerators and denominators up to ``month``; a month with no responses or
        no exposure has no rate, so its numerator and denominator are missing, not zero."""
        s = self.compute(tables, month)
        s = s[s["month"] <= month].copy()
        empty = s["denominator"] <= 0
        s.loc[empty, ["numerator", "denominator"]] = np.nan
        return s.reset_index(drop=True)

    def value(self, numerator: float, denominator: float) -> float:
        """A pooled figure on the plotted scale: multiply × numerator ÷ denominator."""
        return float(self.multiply * numerator / denominator) if denominator else float("nan")


#: Parts of a paper measures are grouped under, with a sentence that introduces each.
TOPICS: dict[str, tuple[str, str]] = {
    "fft": (
        "Friends and Family Test",
        "Every patient is asked how their experience of the service was overall. The percentage positive "
        "counts Very good and Good answers among all answers. Where NHS England's figures are supplied, response "
        "rates are set against the latest national average for the setting, which is the framework's "
        "expectation (requirement 12C).",
    ),
    "complaints": (
        "Complaints",
        "Formal complaints are shown as a rate per 1,000 occupied bed days where wards have beds, so that "
        "changes in activity do not look like changes in experience, and as counts on wards. Responses "
        "within the agreed time (25, 40 or 60 working days) are judged against the trust's target where it has "
        "agreed one.",
    ),
    "pals": ("PALS", "Contacts with the Patient Advice and Liaison Service."),
    "compliments": ("Compliments", "Compliments received from patients and families."),
    "safety": ("Safety", "Patient-safety incidents, to read beside what patients say."),
    "staffing": ("Staffing", "Nurse staffing, to read beside what patients say."),
    "comments": (
        "Comment themes",
        "Negative comments per theme per month (c charts). A month with no comments is a gap; one or two "
        "comments on a theme never make an exception on their own.",
    ),
}

MEASURES: dict[str, Measure] = {}


def define(measure: Measure) -> Measure:
    """Add ``measure`` to the registry (its id must be new) and return it."""
    if measure.id in MEASURES:
        raise MeasureError(f"measure {measure.id!r} is defined twice")
    MEASURES[measure.id] = measure
    return measure


def get(measure_id: str) -> Measure:
    """The measure with this id; an unknown id is an error naming the known ones."""
    try:
        return MEASURES[measure_id]
    except KeyError:
        raise MeasureError(f"unknown measure {measure_id!r}: expected one of {sorted(MEASURES)}") from None


def for_level(level: str) -> list[Measure]:
    """Every measure shown at ``level``, in the order they are defined (a paper's default list)."""
    return [m for m in MEASURES.values() if level in m.levels]


def resolve(ids, level: str | None = None, what: str = "measures") -> list[Measure]:
    """Measures from a list of ids (as in a params file): None gives every measure of ``level``.

    Each id must be known and, when ``level`` is given, shown at that level.
    """
    if ids is None:
        if level is None:
            raise MeasureError(f"{what}: a list of measure ids is needed")
        return for_level(level)
    if isinstance(ids, str) or not all(isinstance(i, str) for i in ids):
        raise MeasureError(f"{what} must be a list of measure ids, got {ids!r}")
    out = [get(i) for i in ids]
    if level is not None:
        wrong = [m.id for m in out if level not in m.levels]
        if wrong:
            raise MeasureError(f"{what}: {wrong} are not shown at {level} level (see their `levels`)")
    return out


# ---------------------------------------------------------------------------
# Building blocks for computing measures (pure functions on the store's tables)
# ---------------------------------------------------------------------------


def _months(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values).dt.to_period("M").dt.to_timestamp()


def _frame(unit_id, month, numerator, denominator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": unit_id,
            "month": pd.to_datetime(month),
            "numerator": pd.Series(numerator).astype(float).to_numpy(),
            "denominator": pd.Series(denominator).astype(float).to_numpy()
            if not np.isscalar(denominator)
            else float(denominator),
        }
    )


def events(table: str, date_column: str) -> Callable[[Tables], pd.DataFrame]:
    """Events counted per unit and the month of ``date_column`` (e.g. complaints by date received)."""

    def count(tables: Tables) -> pd.DataFrame:
        t = tables[table]
        return (
            t.assign(month=_months(t[date_column])).groupby(["unit_id", "month"]).size().rename("count").reset_index()
        )

    return count


def totals(table: str, column: str, where: Mapping[str, tuple] | None = None) -> Callable[[Tables], pd.DataFrame]:
    """A count column summed per unit-month, keeping rows whose columns hold the listed values."""

    def count(tables: Tables) -> pd.DataFrame:
        t = tables[table]
        for col, allowed in (where or {}).items():
            t = t[t[col].isin(allowed)]
        t = t.assign(month=_months(t["month"]))
        return t.groupby(["unit_id", "month"])[column].sum().rename("count").reset_index()

    return count


def per_bed_days(counts: Callable[[Tables], pd.DataFrame]) -> Compute:
    """A rate over occupied bed days (``activity``), for units with beds; months without events are 0."""

    def compute(tables: Tables, month: pd.Timestamp) -> pd.DataFrame:
        bed = tables["activity"]
        bed = bed[bed["occupied_bed_days"].notna()].assign(month=lambda d: _months(d["month"]))
        out = bed[["unit_id", "month", "occupied_bed_days"]].merge(counts(tables), on=["unit_id", "month"], how="left")
        return _frame(out["unit_id"], out["month"], out["count"].fillna(0), out["occupied_bed_days"])

    return compute


def ward_counts(counts: Callable[[Tables], pd.DataFrame], since: tuple[str, str]) -> Compute:
    """Counts per ward-month for a c chart: every ward, every month from the first month
    recorded in ``since`` (table, date column) to the report month; months without events are 0."""

    def compute(tables: Tables, month: pd.Timestamp) -> pd.DataFrame:
        units = tables["org_units"]
        wards = units.loc[units["level"] == "ward", "unit_id"]
        recorded = tables.get(RECORDED)
        if recorded is not None:  # the trust's first record: a paper may have read only its own rows
            first = recorded.loc[recorded["table"] == since[0], "first"].dropna()
        else:
            first = tables[since[0]][since[1]]
        start = _months(first).min() if len(first) else month
        months = pd.date_range(start=start, end=month, freq="MS")
        grid = pd.MultiIndex.from_product([wards, months], names=["unit_id", "month"]).to_frame(index=False)
        grid = grid[open_in_month(units, grid["unit_id"], grid["month"])]  # no zeros before opening or after closing
        out = grid.merge(counts(tables), on=["unit_id", "month"], how="left")
        return _frame(out["unit_id"], out["month"], out["count"].fillna(0), 1.0)

    return compute


def open_in_month(units: pd.DataFrame, unit_ids: pd.Series, months: pd.Series) -> np.ndarray:
    """For each (unit, month), whether the unit was open that month (``opened``/``closed`` in
    ``org_units``; a unit without them, or a trust that does not record them, is always open)."""
    keep = np.ones(len(unit_ids), dtype=bool)
    indexed = units.set_index("unit_id")
    for column, after in (("opened", True), ("closed", False)):
        if column not in indexed.columns:
            continue
        bound = pd.to_datetime(unit_ids.map(indexed[column]))
        month = pd.to_datetime(months)
        inside = (month >= bound) if after else (month <= bound)
        keep &= (bound.isna() | inside).to_numpy()
    return keep


def open_units(units: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """The units open in ``month``."""
    return units[open_in_month(units, units["unit_id"], pd.Series(month, index=units.index))]


def closure(units: pd.DataFrame, unit_id: str, month: pd.Timestamp) -> str | None:
    """Why ``unit_id`` has no paper for ``month`` ("closed in December 2025"), or None if it was open."""
    row = units.set_index("unit_id").loc[unit_id]
    closed, opened = row.get("closed"), row.get("opened")
    if closed is not None and not pd.isna(closed) and pd.Timestamp(closed) < month:
        return f"closed in {pd.Timestamp(closed):%B %Y}"
    if opened is not None and not pd.isna(opened) and pd.Timestamp(opened) > month:
        return f"opened only in {pd.Timestamp(opened):%B %Y}"
    return None


def names_in_force(units: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """``units`` with each unit's name as it was in ``month``, and ``formerly`` noting a rename
    ("formerly Beech Ward, until August 2025"); empty for a unit never renamed."""
    out = units.copy()
    out["formerly"] = ""
    if "renamed" not in out.columns:
        return out
    renamed = pd.to_datetime(out["renamed"])
    done = (renamed <= month).fillna(False).astype(bool)
    ahead = (renamed > month).fillna(False).astype(bool)
    last_old = (renamed - pd.offsets.MonthBegin(1)).dt.strftime("%B %Y")
    out.loc[done, "formerly"] = "formerly " + out.loc[done, "former_name"] + ", until " + last_old[done]
    out.loc[ahead, "formerly"] = "renamed " + out.loc[ahead, "name"] + " from " + renamed[ahead].dt.strftime("%B %Y")
    out.loc[ahead, "name"] = out.loc[ahead, "former_name"]
    return out


def counts_as_recorded(counts: Callable[[Tables], pd.DataFrame]) -> Compute:
    """Counts per unit-month for a c chart, only for the months a row was recorded."""

    def compute(tables: Tables, month: pd.Timestamp) -> pd.DataFrame:
        c = counts(tables)
        return _frame(c["unit_id"], c["month"], c["count"], 1.0)

    return compute


def fft_positive(fft: pd.DataFrame) -> pd.DataFrame:
    """unit_id, month, numerator (positive answers), denominator (all responses)."""
    responses = fft[FFT_ANSWERS].sum(axis=1)
    return pd.DataFrame(
        {
            "unit_id": fft["unit_id"],
            "month": pd.to_datetime(fft["month"]),
            "numerator": (fft["very_good"] + fft["good"]).astype(float),
            "denominator": responses.astype(float),
        }
    )


def fft_response_rate(fft: pd.DataFrame) -> pd.DataFrame:
    """unit_id, month, numerator (responses), denominator (eligible); units without eligible left out."""
    has = fft["eligible"].notna()
    f = fft[has]
    return pd.DataFrame(
        {
            "unit_id": f["unit_id"],
            "month": pd.to_datetime(f["month"]),
            "numerator": f[FFT_ANSWERS].sum(axis=1).astype(float),
            "denominator": f["eligible"].astype(float),
        }
    )


def complaints_in_target(complaints: pd.DataFrame) -> pd.DataFrame:
    """Complaints closed per unit-month, and how many within their target working days."""
    closed = complaints[complaints["closed"].notna()].copy()
    start = pd.to_datetime(closed["received"]).to_numpy().astype("datetime64[D]")
    end = pd.to_datetime(closed["closed"]).to_numpy().astype("datetime64[D]")
    closed["in_target"] = np.busday_count(start, end) <= closed["target_working_days"].to_numpy()
    closed["month"] = pd.to_datetime(closed["closed"]).dt.to_period("M").dt.to_timestamp()
    g = closed.groupby(["unit_id", "month"])["in_target"].agg(["sum", "count"]).reset_index()
    return pd.DataFrame(
        {
            "unit_id": g["unit_id"],
            "month": g["month"],
            "numerator": g["sum"].astype(float),
            "denominator": g["count"].astype(float),
        }
    )


def rn_fill_rate(staffing: pd.DataFrame) -> pd.DataFrame:
    """unit_id, month, numerator (mean of day and night registered-nurse fill rates, %), denominator 1."""
    return _frame(staffing["unit_id"], staffing["month"], staffing[["rn_day_fill", "rn_night_fill"]].mean(axis=1), 1.0)


def ancestors(units: pd.DataFrame) -> pd.DataFrame:
    """Every (unit_id, ancestor_id) pair, each unit being its own ancestor too."""
    parent = units.set_index("unit_id")["parent_id"].to_dict()
    rows = []
    for unit in units["unit_id"]:
        node, seen = unit, set()
        while node is not None and not (isinstance(node, float) and np.isnan(node)) and node not in seen:
            rows.append((unit, node))
            seen.add(node)
            node = parent.get(node)
            if node is pd.NA:
                node = None
    return pd.DataFrame(rows, columns=["unit_id", "ancestor_id"])


def descendants(units: pd.DataFrame, unit_id: str, tree: pd.DataFrame | None = None) -> list[str]:
    """The unit and every unit under it, in ``units``' order (``tree``: :func:`ancestors` of
    ``units``, when already made)."""
    if tree is not None:
        return tree.loc[tree["ancestor_id"] == unit_id, "unit_id"].tolist()
    parent = _parents(units)
    return [u for u in units["unit_id"] if unit_id in _walk(parent, u)]


def lineage(units: pd.DataFrame, unit_id: str) -> list[str]:
    """The unit, then each unit above it up to the top: what :func:`ancestors` pairs it with,
    walked for one unit only."""
    return _walk(_parents(units), unit_id)


def _parents(units: pd.DataFrame) -> dict:
    return dict(zip(units["unit_id"], units["parent_id"]))


def _walk(parent: dict, unit_id: str) -> list[str]:
    line: list[str] = []
    node = unit_id
    while node is not None and node is not pd.NA and node == node and node not in line:  # node == node: not NaN
        line.append(node)
        node = parent.get(node)
    return line


def rollup(
    series: pd.DataFrame, units: pd.DataFrame, level: str | None = None, unit_id: str | None = None
) -> pd.DataFrame:
    """Sum unit-month numerators and denominators up to every ancestor (or only those at ``level``,
    or only ``unit_id``: a paper that charts one unit sums nothing else).

    Returns unit_id (the ancestor), month, numerator, denominator, units (how many
    contributing units).
    """
    if unit_id is not None:  # one unit's lineage walks are cheaper than every unit's pairs
        pairs = pd.DataFrame({"unit_id": descendants(units, unit_id), "ancestor_id": unit_id})
    else:
        pairs = ancestors(units)
    if level is not None:
        keep = units.loc[units["level"] == level, "unit_id"]
        pairs = pairs[pairs["ancestor_id"].isin(keep)]
    merged = series.merge(pairs, on="unit_id")
    g = merged.groupby(["ancestor_id", "month"]).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), units=("unit_id", "nunique")
    )
    return g.reset_index().rename(columns={"ancestor_id": "unit_id"})


def latest_national(
    national: pd.DataFrame, service_type: str, month: pd.Timestamp, column: str = "response_rate"
) -> float | None:
    """A national FFT figure (``column`` of ``fft_national``) for a setting in ``month``, or the latest before it."""
    n = national[(national["service_type"] == service_type) & (pd.to_datetime(national["month"]) <= month)]
    n = n[n[column].notna()]
    if n.empty:
        return None
    return float(n.sort_values("month")[column].iloc[-1])


# ---------------------------------------------------------------------------
# The measures (one definition each; the order is the default order in papers)
# ---------------------------------------------------------------------------

define(
    Measure(
        id="fft_positive",
        name="FFT % positive",
        chart="pp",
        improvement="increase",
        compute=lambda t, month: fft_positive(t["fft_monthly"]),
        sources=("fft_monthly",),
        multiply=100,
        unit="%",
        topic="fft",
        denominator="responses",
        national="percent_positive",
        definition="(Very good + Good) ÷ all responses, including 'Neither' and 'Don't know'. Laney p′ chart: "
        "large monthly denominators make a plain p chart's limits too narrow.",
    )
)
define(
    Measure(
        id="fft_response_rate",
        name="FFT response rate",
        chart="pp",
        improvement="increase",
        compute=lambda t, month: fft_response_rate(t["fft_monthly"]),
        sources=("fft_monthly",),
        multiply=100,
        unit="%",
        topic="fft",
        denominator="eligible patients",
        pooled=("inpatient",),
        scope="inpatient wards only",
        national="response_rate",
        definition="Responses ÷ eligible patients, in settings that report eligible numbers. Compared with the "
        "national average for the setting; above ward level, inpatient wards only, as settings differ.",
    )
)
define(
    Measure(
        id="complaints_rate",
        name="Complaints per 1,000 bed days",
        chart="up",
        improvement="decrease",
        compute=per_bed_days(events("complaints", "received")),
        sources=("complaints", "activity"),
        multiply=1000,
        topic="complaints",
        denominator="occupied bed days",
        levels=("trust", "division", "care_group"),
        pooled=("inpatient", "maternity"),  # what its scope says: a day-case unit's bed days are not pooled
        scope="inpatient and maternity wards only",
        definition="Formal complaints received about inpatient and maternity wards ÷ their occupied bed days × 1,000. "
        "Laney u′ chart.",
        rare=RareForm("complaints", dated=("complaints", "received")),
    )
)
define(
    Measure(
        id="complaints_in_target",
        name="Complaints answered within target",
        chart="pp",
        improvement="increase",
        compute=lambda t, month: complaints_in_target(t["complaints"]),
        sources=("complaints",),
        multiply=100,
        unit="%",
        topic="complaints",
        denominator="complaints answered",
        levels=("trust", "division", "care_group"),
        definition="Complaints closed in the month within their agreed working days ÷ complaints closed in the month.",
    )
)
define(
    Measure(
        id="complaints_count",
        name="Complaints received",
        chart="c",
        improvement="decrease",
        compute=ward_counts(events("complaints", "received"), since=("complaints", "received")),
        sources=("complaints",),
        topic="complaints",
        levels=("ward",),
        definition="Formal complaints received in the month (c chart).",
        rare=RareForm("complaints", dated=("complaints", "received")),
    )
)
define(
    Measure(
        id="compliments_count",
        name="Compliments received",
        chart="c",
        improvement="increase",
        compute=counts_as_recorded(totals("compliments", "compliments")),
        sources=("compliments",),
        topic="compliments",
        levels=("ward",),
        definition="Compliments logged in the month (c chart).",
        rare=RareForm(
            "compliments", undated="the compliments table holds a count for each month, not each compliment's date"
        ),
    )
)
define(
    Measure(
        id="harm_incidents_rate",
        name="Moderate or worse harm incidents per 1,000 bed days",
        chart="up",
        improvement="decrease",
        compute=per_bed_days(totals("incidents", "incidents", where={"harm_level": ("moderate", "severe", "death")})),
        sources=("incidents", "activity"),
        multiply=1000,
        topic="safety",
        denominator="occupied bed days",
        definition="Patient-safety incidents with moderate, severe harm or death ÷ occupied bed days.",
        rare=RareForm(
            "moderate or worse harm incidents",
            undated="the incidents table holds monthly counts by harm level, not each incident's date",
        ),
    )
)
define(
    Measure(
        id="rn_fill_rate",
        name="Registered nurse fill rate (%)",
        chart="xmr",
        improvement="neutral",
        compute=lambda t, month: rn_fill_rate(t["staffing"]),
        sources=("staffing",),
        unit="%",
        topic="staffing",
        levels=(),  # triangulation only: shown beside FFT in the quality committees' papers
        definition="Mean of the day and night registered-nurse fill rates (actual ÷ planned hours); the day "
        "rate alone where no night shift is rostered.",
    )
)
