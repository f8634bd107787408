"""Escalation, ward → division → committees and board.

A ward's special-cause concern on an escalated measure (``escalate`` in
``params/ward.yaml``) in the report month is an *exception*. Each paper writes the
exceptions it found to its findings file. A division takes its wards' exceptions from
their findings, and the committees and the board take them from the divisions' findings
— a layer above says what the layer below reported. A child's findings are used only when
they are current: built from the same data snapshot, with the same SPC options and the
same list of escalated measures. For a child whose findings are stale or missing (not
built, built on older data or other options), its wards' exceptions are computed here from
the data with the same function the ward layer uses (:func:`ward_exceptions`), so a stale
file can never hide or invent an exception. Every exception records its ``source``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.analysis import actions, rare, spc
from pxassure.analysis.comments import MINIMUM_COUNT, THEME_MEASURE_PREFIX, negative_theme_counts, theme_measure
from pxassure.analysis.measures import Measure
from pxassure.analysis.options import SPCOptions
from pxassure.reports import committees
from pxassure.reports.charting import chart_for, month_labels
from pxassure.reports.data import ReportData
from pxassure.reports.provenance import clean_value

EXCEPTION_COLUMNS = [
    "unit_id",
    "ward",
    "care_group",
    "division",
    "division_id",
    "measure",
    "measure_id",
    "month",
    "latest",
    "unit",
    "rule",
]


#: What a paper shows of the response recorded to an exception (``exception_responses``).
RESPONSE_COLUMNS = ["raised", "data_show", "cause", "action", "owner", "due", "status", "effect_expected"]
#: Whether a response is in hand (see :func:`with_responses`), whether it is past its due date, and
#: whether the trust keeps a record of responses at all (its ``exception_responses`` table has rows).
RESPONSE_FLAGS = ["responded", "overdue", "responses_kept"]


def with_responses(exceptions: pd.DataFrame, data: ReportData) -> pd.DataFrame:
    """Each exception with the latest response recorded for its ward and measure up to the report
    month (empty where none is), and ``responded``: whether a response is in hand — recorded and
    not completed, or completed with its effect still expected. A response completed while the
    concern continues is shown, but asks for what is being done now."""
    responses = data.tables.get("exception_responses")
    out = exceptions.drop(columns=[c for c in [*RESPONSE_COLUMNS, *RESPONSE_FLAGS] if c in exceptions]).copy()
    if responses is None or responses.empty or out.empty:
        for c in RESPONSE_COLUMNS:
            out[c] = pd.Series([None] * len(out), index=out.index, dtype=object)
        for c in RESPONSE_FLAGS:
            out[c] = pd.Series([False] * len(out), index=out.index, dtype=bool)
        out["responses_kept"] = responses is not None and not responses.empty
        return out
    latest = (
        responses.sort_values("raised")
        .drop_duplicates(["unit_id", "measure"], keep="last")
        .rename(columns={"measure": "measure_id"})[["unit_id", "measure_id", *RESPONSE_COLUMNS]]
    )
    out = out.merge(latest, on=["unit_id", "measure_id"], how="left")
    expected = pd.to_datetime(out["effect_expected"])
    waiting = expected.notna() & (expected >= data.month)
    out["responded"] = out["action"].notna() & ((out["status"] != "completed") | waiting)
    out["overdue"] = actions.overdue(out["due"], out["action"].notna() & (out["status"] != "completed"), data.month)
    out["responses_kept"] = True
    return out


def _date(value, fmt: str = "%d %b %Y") -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime(fmt)


def response_text(row: dict) -> str:
    """The response recorded to one exception, in words, or that none is recorded: a paper never
    assumes an action that no record holds (see ``escalation.with_responses``)."""
    if pd.isna(row.get("action")):
        if not row.get("responses_kept", True):  # (an exception read from an older findings file has no flag)
            return "No action recorded: the trust has supplied no record of responses to exceptions."
        return "No action recorded."
    parts = [f"{str(row['status']).capitalize()}: {row['action']}", f"Owner: {row['owner']}."]
    if _date(row.get("due")):
        parts.append(f"Due {_date(row['due'])}{' (overdue)' if row.get('overdue') else ''}.")
    if not pd.isna(row.get("cause")):
        parts.append(f"Cause found: {row['cause']}")
    if _date(row.get("effect_expected")):
        parts.append(f"Effect expected by {_date(row['effect_expected'], '%B %Y')}.")
    parts.append(f"Raised {_date(row.get('raised'), '%B %Y')}.")
    if not row.get("responded"):
        parts.append("The concern continues: no further action recorded.")
    return " ".join(p if p.endswith(".") else p + "." for p in parts)


def with_decisions(data: ReportData, measure: Measure, series: pd.DataFrame) -> pd.DataFrame:
    """``series`` with the trust's recorded decisions about its charts, as ``spc.batch`` reads
    them and as each ward's own chart reads them (``ReportData.rebases``, ``exclusions`` and
    ``baselines``): ``rebase`` and ``exclude`` marks, and ``baseline`` on the first month of a
    period whose limits are fixed on its first months."""
    s = series.sort_values(["unit_id", "month"]).reset_index(drop=True)
    labels = month_labels(s["month"])
    units = s["unit_id"].unique()
    rebases = {u: data.rebases(measure, u) for u in units}
    exclusions = {u: data.exclusions(measure, u) for u in units}
    baselines = {u: data.baselines(measure, u) for u in units}
    rebase = np.array([m in rebases[u] for u, m in zip(s["unit_id"], labels)])
    starts = rebase | ~s["unit_id"].duplicated().to_numpy()
    return s.assign(
        rebase=rebase,
        exclude=[m in exclusions[u] for u, m in zip(s["unit_id"], labels)],
        baseline=[
            baselines[u].get(m, np.nan) if start else np.nan for u, m, start in zip(s["unit_id"], labels, starts)
        ],
    )


def _rare_wards(measure: Measure, series: pd.DataFrame) -> set[str]:
    """Wards whose papers chart ``measure`` otherwise than its own chart, as its events are rare
    (``charting.rare_chart``): as the days between them, or a rate as counts."""
    if measure.rare is None or (measure.rare.dated is None and measure.chart == "c"):
        return set()
    return {u for u, rows in series.groupby("unit_id") if rare.is_rare(rows["numerator"])}


def _not_rare(latest: pd.DataFrame, series: pd.DataFrame, measure: Measure) -> pd.DataFrame:
    return latest[~latest["unit_id"].isin(_rare_wards(measure, series))].assign(shown_as=measure.name)


def _rare_concerns(data: ReportData, options: SPCOptions, measure: Measure, series: pd.DataFrame) -> pd.DataFrame:
    """Rare wards whose chart, as their papers show it (the days between events, or counts), ends
    in the report month with special-cause concern."""
    rows = []
    for ward in sorted(_rare_wards(measure, series)):
        chart = chart_for(data, measure, ward, options)
        last = getattr(getattr(chart, "result", None), "last_point", None)
        if last is None or last["point_type"] != "special_cause_concern":
            continue
        if pd.Timestamp(str(last.name)).to_period("M") == data.month.to_period("M"):
            rows.append(
                {"unit_id": ward, "value": float(last["value"]), "rule": last["rule"], "shown_as": chart.measure.name}
            )
    return pd.DataFrame(rows, columns=["unit_id", "value", "rule", "shown_as"])


def ward_exceptions(
    data: ReportData, options: SPCOptions, measure_list: list[Measure], wards: Iterable[str] | None = None
) -> pd.DataFrame:
    """Wards whose latest point, in the report month, is special-cause concern on any of
    ``measure_list`` (all wards, or only ``wards``). One ``spc.batch`` call per measure."""
    units = data.units.set_index("unit_id")
    keep = set(data.wards()) if wards is None else set(wards)
    rows = []
    label = month_labels(pd.Series([data.month]))[0]
    for m in measure_list:
        s = data.series(m)
        s = s[s["unit_id"].isin(keep)]
        if s.empty:
            continue
        ratio = {"denominator": "denominator", "multiply": m.multiply} if m.is_ratio else {}
        b = spc.batch(
            with_decisions(data, m, s),
            ["unit_id"],
            chart=m.chart,
            numerator="numerator",
            value="numerator",
            order="month",
            improvement=m.improvement,
            rebase="rebase",
            exclude="exclude",
            baseline="baseline",
            options=options,
            **ratio,
        )
        pts = b.points
        latest = pts[(pd.to_datetime(pts["month"]) == data.month) & (pts["point_type"] == "special_cause_concern")]
        latest = pd.concat([_not_rare(latest, s, m), _rare_concerns(data, options, m, s)], ignore_index=True)
        for r in latest.itertuples(index=False):
            rows.append(
                {
                    "unit_id": r.unit_id,
                    **committees.placement(units, r.unit_id),
                    "measure": r.shown_as,
                    "measure_id": m.id,
                    "month": label,
                    "latest": float(r.value),
                    "unit": m.unit,
                    "rule": r.rule,
                }
            )
    for r in theme_exceptions(data, options, keep):
        rows.append(
            {
                **r,
                **committees.placement(units, r["unit_id"]),
                "month": label,
                "unit": "",
            }
        )
    return (
        pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
        .sort_values(["division", "ward", "measure"])
        .reset_index(drop=True)
    )


def theme_exceptions(data: ReportData, options: SPCOptions, wards: Iterable[str]) -> list[dict]:
    """Ward themes whose negative comments show special-cause increase in the report month, with at
    least ``comments.MINIMUM_COUNT`` of them (one c chart per ward and theme, in one batch)."""
    c = data.comments
    if c.empty or "sentiment" not in c:
        return []
    s = negative_theme_counts(c)  # each unit's counts are its own: made once for the paper, then kept to the wards
    s = s[s["unit_id"].isin(set(wards))]
    if s.empty:
        return []
    pts = spc.batch(
        s,
        ["unit_id", "theme"],
        chart="c",
        numerator="numerator",
        order="month",
        improvement="decrease",
        options=options,
    ).points
    hit = pts[
        (pd.to_datetime(pts["month"]) == data.month)
        & (pts["point_type"] == "special_cause_concern")
        & (pts["value"] >= MINIMUM_COUNT)
    ]
    rows = []
    for r in hit.itertuples(index=False):
        m = theme_measure(r.theme)
        rows.append(
            {"unit_id": r.unit_id, "measure": m.name, "measure_id": m.id, "latest": float(r.value), "rule": r.rule}
        )
    return rows


def read_child_findings(
    reports_dir: str | Path | None, path: str, snapshot: dict, options: SPCOptions, escalated: list[str]
) -> dict | None:
    """The findings of a report one layer down (``path`` like ``ward/014.html``) if they are
    current — same data snapshot, same SPC options, same escalated measures — else None."""
    if not reports_dir:
        return None
    layer, name = path.split("/")
    f = Path(reports_dir) / layer / f"{Path(name).stem}.findings.json"
    if not f.exists():
        return None
    try:
        found = json.loads(f.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # unreadable: treated as missing, so its wards are computed
    same_data = (found.get("snapshot") or {}).get("load_id") == snapshot.get("load_id")
    same_options = found.get("options") == {k: clean_value(v) for k, v in options.as_dict().items()}
    same_measures = found.get("escalate") == list(escalated)
    return found if same_data and same_options and same_measures else None


def escalate(
    data: ReportData,
    options: SPCOptions,
    reports_dir: str | Path | None,
    children: dict[str, list[str]],
    measure_list: list[Measure],
) -> pd.DataFrame:
    """Exceptions escalated from the reports one layer down.

    ``children`` maps each child report's path to the wards it covers. A current child's
    exceptions are read from its findings; the wards of every other child are computed.
    """
    ids = [m.id for m in measure_list]
    frames, to_compute = [], []
    for path, wards in children.items():
        found = read_child_findings(reports_dir, path, data.snapshot, options, ids)
        if found is None:
            to_compute.extend(wards)
            continue
        rows = pd.DataFrame(found.get("exceptions", []), columns=EXCEPTION_COLUMNS)
        # the escalated measures and, as computing them would give, any comment theme's
        kept = rows["measure_id"].isin(ids) | rows["measure_id"].str.startswith(THEME_MEASURE_PREFIX)
        frames.append(rows[kept].assign(source=f"{path.split('/')[0]} report"))
    if to_compute:
        frames.append(ward_exceptions(data, options, measure_list, to_compute).assign(source="computed"))
    frames = [f for f in frames if len(f)]
    if not frames:
        return with_responses(pd.DataFrame(columns=EXCEPTION_COLUMNS + ["source"]), data)
    out = pd.concat(frames, ignore_index=True)[EXCEPTION_COLUMNS + ["source"]]
    out = out.drop_duplicates(["unit_id", "measure_id"]).sort_values(["division", "ward", "measure"])
    return with_responses(out.reset_index(drop=True), data)


def ward_children(data: ReportData, division_id: str) -> dict[str, list[str]]:
    """A division's ward reports (of the wards open in the report month) and the ward each covers."""
    return {
        f"ward/{w}.html": [w] for w in data.wards(current=True) if committees.division_of(data.units, w) == division_id
    }


def division_children(data: ReportData) -> dict[str, list[str]]:
    """The divisional reports and the wards each covers."""
    out: dict[str, list[str]] = {}
    for w in data.wards(current=True):
        out.setdefault(f"division/{committees.division_of(data.units, w)}.html", []).append(w)
    return out


def escalate_from_divisions(
    data: ReportData, options: SPCOptions, reports_dir: str | Path | None, measure_list: list[Measure]
) -> pd.DataFrame:
    """Trust-wide exceptions, read from the divisional reports' findings where they are current."""
    return escalate(data, options, reports_dir, division_children(data), measure_list)


def link_wards(exceptions: pd.DataFrame, linkable: list[str] | None) -> pd.DataFrame:
    """Add where to read more about each exception: the ward's own report, where it is built."""
    keep = set(linkable or [])
    out = exceptions.copy()
    out["report"] = [f"../ward/{u}.html" if f"ward/{u}.html" in keep else None for u in out["unit_id"]]
    return out
