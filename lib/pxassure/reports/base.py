"""Per-committee report models: what each paper shows, computed from the store.

A report model reads its scope and period from the store (read-only), runs the
analysis (pure functions in :mod:`measures`, :mod:`framework`, :mod:`spc`) and holds
the results a notebook renders. ``findings()`` is the machine-readable summary the
layer above reads to escalate exceptions.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import pxassure
from pxassure import measures, spc
from pxassure.measures import MEASURES, Measure
from pxassure.store import Store

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ParameterError(ValueError):
    """A report parameter that cannot be used; the message says what was expected."""


# ---------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------


def unit_code(value: Any) -> str:
    """A unit code as text. papermill's ``-p unit_id 007`` arrives as the integer 7; codes
    in pxassure are at least three characters, so short numbers are zero-padded back."""
    if value is None:
        raise ParameterError("unit_id is required for this report")
    if isinstance(value, bool):
        raise ParameterError(f"unit_id must be a unit code, got {value!r}")
    if isinstance(value, (int, np.integer)):
        return f"{int(value):03d}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):03d}"
    return str(value).strip()


def spc_options(
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
) -> dict[str, Any]:
    """Validated SPC options from report parameters (None keeps the preset's value)."""
    overrides = {
        k: v
        for k, v in (("shift_length", shift_length), ("trend_length", trend_length), ("minimum_points", minimum_points))
        if v is not None
    }
    try:
        return spc.resolve_options(preset, **overrides)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def resolve_period(store: Store, period: Any) -> pd.Timestamp:
    """The report month: ``"latest"`` (the last month with FFT data) or ``"YYYY-MM"`` within the data."""
    span = store.query("SELECT min(month) AS first, max(month) AS last FROM fft_monthly").iloc[0]
    if pd.isna(span["last"]):
        raise ParameterError(f"the database {store.path} holds no FFT data: load data first")
    first, last = pd.Timestamp(span["first"]), pd.Timestamp(span["last"])
    if period in (None, "", "latest"):
        return last
    text = str(period).strip()
    if not _PERIOD.match(text):
        raise ParameterError(f"period must be 'latest' or a month as YYYY-MM (e.g. 2026-10), got {period!r}")
    month = pd.Timestamp(text + "-01")
    if not first <= month <= last:
        raise ParameterError(f"period {text} is outside the data: {first:%Y-%m} to {last:%Y-%m} in {store.path}")
    return month


def code_version() -> str:
    """pxassure's version and, in a git checkout, the commit (marked +dirty if changed)."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return f"{pxassure.__version__} ({commit}{'+dirty' if dirty else ''})"
    except (OSError, subprocess.SubprocessError):
        return pxassure.__version__


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


@dataclass
class ReportData:
    """The tables a report needs, up to and including its month."""

    month: pd.Timestamp
    units: pd.DataFrame
    fft: pd.DataFrame
    national: pd.DataFrame
    complaints: pd.DataFrame
    activity: pd.DataFrame
    incidents: pd.DataFrame
    scores: pd.DataFrame
    inpatient_survey: pd.DataFrame
    staff_survey: pd.DataFrame
    snapshot: dict
    complaint_subjects: pd.DataFrame | None = None
    compliments: pd.DataFrame | None = None
    comments: pd.DataFrame | None = None
    staffing: pd.DataFrame | None = None
    pals: pd.DataFrame | None = None

    @classmethod
    def from_store(cls, store: Store, month: pd.Timestamp) -> ReportData:
        end = (month + pd.offsets.MonthEnd(0)).date()
        m = month.date()
        return cls(
            month=month,
            units=store.table("org_units"),
            fft=store.query("SELECT * FROM fft_monthly WHERE month <= ?", [m]),
            national=store.query("SELECT * FROM fft_national WHERE month <= ?", [m]),
            complaints=store.query("SELECT * FROM complaints WHERE received <= ?", [end]),
            activity=store.query("SELECT * FROM activity WHERE month <= ?", [m]),
            incidents=store.query("SELECT * FROM incidents WHERE month <= ?", [m]),
            scores=store.query("SELECT * FROM framework_scores WHERE assessed_month <= ?", [m]),
            inpatient_survey=store.query("SELECT * FROM inpatient_survey WHERE year <= ?", [month.year]),
            staff_survey=store.query("SELECT * FROM staff_survey WHERE year <= ?", [month.year]),
            snapshot=store.snapshot(),
            complaint_subjects=store.query(
                "SELECT s.* FROM complaint_subjects s JOIN complaints c USING (complaint_id) WHERE c.received <= ?",
                [end],
            ),
            compliments=store.query("SELECT * FROM compliments WHERE month <= ?", [m]),
            comments=store.query("SELECT * FROM feedback_comments WHERE month <= ?", [m]),
            staffing=store.query("SELECT * FROM staffing WHERE month <= ?", [m]),
            pals=store.query("SELECT * FROM pals_contacts WHERE received <= ?", [end]),
        )

    def unit(self, unit_id: str) -> pd.Series:
        match = self.units[self.units["unit_id"] == unit_id]
        if match.empty:
            raise ParameterError(f"unknown unit_id {unit_id!r}: not in org_units")
        return match.iloc[0]

    @property
    def trust(self) -> pd.Series:
        return self.units[self.units["level"] == "trust"].iloc[0]

    def series(self, measure_id: str) -> pd.DataFrame:
        """unit × month numerator/denominator for a measure, at ward level."""
        if measure_id == "fft_positive":
            s = measures.fft_positive(self.fft)
        elif measure_id == "fft_response_rate":
            s = measures.fft_response_rate(self.fft)
        elif measure_id == "complaints_rate":
            s = measures.complaints_rate(self.complaints, self.activity)
        elif measure_id == "complaints_in_target":
            s = measures.complaints_in_target(self.complaints)
            s = s[s["month"] <= self.month]
        elif measure_id == "complaints_count":
            months = pd.date_range(end=self.month, periods=self.fft["month"].nunique(), freq="MS")
            s = measures.complaints_count(self.complaints, self.units, months)
        elif measure_id == "harm_incidents_rate":
            s = measures.harm_incidents_rate(self.incidents, self.activity)
        elif measure_id == "compliments_count":
            s = measures.monthly_count_column(self.compliments, "compliments")
        else:
            raise ParameterError(f"unknown measure {measure_id!r}: expected one of {list(MEASURES)}")
        # A month with no responses (or no exposure) has no rate: missing, not zero.
        empty = s["denominator"] <= 0
        s.loc[empty, ["numerator", "denominator"]] = np.nan
        return s


def _month_labels(months: pd.Series) -> pd.Index:
    return pd.Index(pd.to_datetime(months).dt.strftime("%Y-%m"), name="month")


def chart_measure(series: pd.DataFrame, measure: Measure, options: dict, target: float | None = None) -> spc.SPCResult:
    """The SPC chart of one unit's monthly series for ``measure``."""
    s = series.sort_values("month")
    opts = {k: v for k, v in options.items() if k != "preset"}
    tgt = measure.target if target is None else target
    if measure.chart == "c":
        num = pd.Series(s["numerator"].to_numpy(), index=_month_labels(s["month"]))
        return spc.attribute("c", num, improvement=measure.improvement, target=tgt, preset=options["preset"], **opts)
    if measure.chart == "xmr":
        val = pd.Series(s["numerator"].to_numpy(), index=_month_labels(s["month"]))
        return spc.xmr(val, improvement=measure.improvement, target=tgt, preset=options["preset"], **opts)
    num = pd.Series(s["numerator"].to_numpy(), index=_month_labels(s["month"]))
    den = pd.Series(s["denominator"].to_numpy(), index=num.index)
    return spc.attribute(
        measure.chart,
        num,
        den,
        multiply=measure.multiply,
        improvement=measure.improvement,
        target=tgt,
        preset=options["preset"],
        **opts,
    )


@dataclass
class Chart:
    """One measure for one unit, charted."""

    measure: Measure
    unit_id: str
    unit_name: str
    result: spc.SPCResult
    scope: str = ""

    @property
    def title(self) -> str:
        return f"{self.measure.name}: {self.unit_name}{f' ({self.scope})' if self.scope else ''}"

    def describe(self) -> str:
        return self.result.describe(self.measure.name, self.measure.unit)

    def summary_row(self) -> dict:
        last = self.result.last_point
        return {
            "measure": self.measure.name,
            "scope": self.scope or self.unit_name,
            "month": None if last is None else last.name,
            "latest": None if last is None else float(last["value"]),
            "unit": self.measure.unit,
            "target": self.result.target,
            "variation": self.result.variation,
            "assurance": self.result.assurance,
            "chart": self.result.chart_label,
        }


@dataclass(kw_only=True)
class Report:
    """What every committee paper carries: its month, method options, charts and provenance.

    Each layer's report model adds its own content; keyword-only so subclasses may add
    required fields after these defaults.
    """

    period: str
    month: pd.Timestamp
    options: dict
    charts: list[Chart]
    parameters: dict
    snapshot: dict
    code_version: str
    links: dict = field(default_factory=dict)
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def summary(self) -> pd.DataFrame:
        """The MDC summary icons table: one row per chart."""
        return pd.DataFrame([dict(c.summary_row(), unit_id=c.unit_id) for c in self.charts])

    def all_charts(self) -> list[Chart]:
        """Every chart in the paper (for the method note)."""
        return self.charts

    def method_lines(self) -> list[str]:
        """Which method and rule options produced the paper's charts."""
        return sorted({c.result.method() for c in self.all_charts()})


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

#: Measures whose special-cause concern on a ward is escalated to the layers above.
ESCALATED_MEASURES = ("fft_positive", "fft_response_rate", "complaints_count")


def ward_exceptions(data: ReportData, options: dict, measure_ids=ESCALATED_MEASURES) -> pd.DataFrame:
    """Wards whose latest point, in the report month, is special-cause concern.

    One ``spc.batch`` call per measure covers every ward. Returns unit_id, ward, division,
    care_group, measure, latest, rule, variation.
    """
    units = data.units.set_index("unit_id")
    rows = []
    opts = {k: v for k, v in options.items() if k != "preset"}
    label = _month_labels(pd.Series([data.month]))[0]
    for mid in measure_ids:
        m = MEASURES[mid]
        s = data.series(mid)
        s = s[s["unit_id"].isin(units.index[units["level"] == "ward"])]
        if s.empty:
            continue
        if m.chart == "c":
            b = spc.batch(
                s,
                ["unit_id"],
                chart="c",
                numerator="numerator",
                order="month",
                improvement=m.improvement,
                preset=options["preset"],
                **opts,
            )
        else:
            b = spc.batch(
                s,
                ["unit_id"],
                chart=m.chart,
                numerator="numerator",
                denominator="denominator",
                order="month",
                multiply=m.multiply,
                improvement=m.improvement,
                preset=options["preset"],
                **opts,
            )
        pts = b.points
        latest = pts[(pd.to_datetime(pts["month"]) == data.month) & (pts["point_type"] == "special_cause_concern")]
        for r in latest.itertuples(index=False):
            cg = units.loc[r.unit_id, "parent_id"]
            rows.append(
                {
                    "unit_id": r.unit_id,
                    "ward": units.loc[r.unit_id, "name"],
                    "care_group": units.loc[cg, "name"],
                    "division": units.loc[units.loc[cg, "parent_id"], "name"],
                    "division_id": units.loc[cg, "parent_id"],
                    "measure": m.name,
                    "measure_id": mid,
                    "month": label,
                    "latest": float(r.value),
                    "unit": m.unit,
                    "rule": r.rule,
                }
            )
    return (
        pd.DataFrame(rows, columns=EXCEPTION_COLUMNS)
        .sort_values(["division", "ward", "measure"])
        .reset_index(drop=True)
    )


def framework_evidence(data: ReportData, unit_id: str) -> pd.DataFrame:
    """What the feedback data say about requirements they can test (see ``framework.EVIDENCE``)."""
    rows = []
    # 12C: inpatient FFT response rate over the last three months against the national average.
    rr = data.series("fft_response_rate")
    wards = data.units[(data.units["level"] == "ward") & (data.units["service_type"] == "inpatient")]
    scope = measures.ancestors(data.units)
    in_scope = scope.loc[scope["ancestor_id"] == unit_id, "unit_id"]
    recent = rr[
        rr["unit_id"].isin(wards["unit_id"])
        & rr["unit_id"].isin(in_scope)
        & (rr["month"] > data.month - pd.DateOffset(months=3))
    ]
    national = measures.latest_national_rate(data.national, "inpatient", data.month)
    if len(recent) and national is not None:
        rate = 100 * recent["numerator"].sum() / recent["denominator"].sum()
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


def describe_sections(sections: pd.DataFrame) -> str:
    """Alt text for the framework section chart: first and latest mean score of each section."""
    if sections.empty:
        return "No framework self-assessment scores recorded."
    periods = sorted(sections["period"].unique())
    parts = []
    for name, g in sections.groupby("section", sort=False):
        g = g.sort_values("period")
        parts.append(f"{name} {g['mean_score'].iloc[0]:.1f} to {g['mean_score'].iloc[-1]:.1f}")
    return (
        f"Line chart of the mean self-assessment score (0 to 5) of each framework section over "
        f"{len(periods)} assessments from {periods[0]} to {periods[-1]}: " + "; ".join(parts) + "."
    )


def reproduce_commands(notebook: str, parameters: dict) -> list[str]:
    """The commands that rebuild this report: through make, and directly with papermill."""
    params = " ".join(f"-p {k} {v}" for k, v in parameters.items() if v is not None)
    unit = f" UNIT={parameters['unit_id']}" if parameters.get("unit_id") else ""
    return [
        f"make report COMMITTEE={notebook} PERIOD={parameters.get('period')}{unit}",
        f"papermill notebooks/{notebook}.ipynb out.ipynb {params}",
    ]


def write_findings(findings: dict, output_dir: str | Path) -> Path:
    """Write ``findings.json`` into ``output_dir`` atomically and return its path."""
    import json

    from pxassure.files import atomic_write_text

    path = Path(output_dir) / "findings.json"
    atomic_write_text(path, json.dumps(findings, indent=2, default=str, ensure_ascii=False) + "\n")
    return path


def feedback_counts(data: ReportData, level: str = "division") -> pd.DataFrame:
    """Feedback received in the report month per unit at ``level``: FFT responses, complaints,
    PALS contacts and compliments (raw counts; suppress before publishing)."""
    m = data.month
    in_month = lambda d: pd.to_datetime(d).dt.to_period("M").dt.to_timestamp() == m  # noqa: E731
    ward_counts = pd.concat(
        [
            measures.fft_positive(data.fft)
            .loc[lambda d: d["month"] == m, ["unit_id", "denominator"]]
            .rename(columns={"denominator": "fft_responses"})
            .set_index("unit_id"),
            data.complaints[in_month(data.complaints["received"])].groupby("unit_id").size().rename("complaints"),
            data.pals[in_month(data.pals["received"])].groupby("unit_id").size().rename("pals_contacts"),
            data.compliments[pd.to_datetime(data.compliments["month"]) == m].set_index("unit_id")["compliments"],
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


def load(database: str | Path, period: Any) -> ReportData:
    """Open the store read-only, resolve the report month and load its data."""
    with Store(database, read_only=True) as store:
        return ReportData.from_store(store, resolve_period(store, period))


def parameters_of(data: ReportData, database: str | Path, preset: str, options: dict, **extra) -> dict:
    """The parameters a report shows in its provenance (and that reproduce it)."""
    return {
        "period": data.month.strftime("%Y-%m"),
        **extra,
        "database": str(database),
        "preset": preset,
        "shift_length": options["shift_length"],
        "trend_length": options["trend_length"],
        "minimum_points": options["minimum_points"],
    }


def link_wards(exceptions: pd.DataFrame, linkable: list[str] | None) -> pd.DataFrame:
    """Add where to read more about each exception: the ward's own report, where it is built."""
    keep = set(linkable or [])
    out = exceptions.copy()
    out["report"] = [f"../ward/{u}.html" if f"ward/{u}.html" in keep else None for u in out["unit_id"]]
    return out


def read_child_findings(reports_dir: str | Path | None, path: str, snapshot: dict, options: dict) -> dict | None:
    """The findings of a report one layer down (``path`` like ``ward/014.html``), if it was built
    from the same data snapshot with the same SPC options; otherwise None (stale or missing)."""
    import json

    if not reports_dir:
        return None
    layer, name = path.split("/")
    f = Path(reports_dir) / layer / f"{Path(name).stem}.findings.json"
    if not f.exists():
        return None
    found = json.loads(f.read_text(encoding="utf-8"))
    same_data = (found.get("snapshot") or {}).get("load_id") == snapshot.get("load_id")
    same_options = {k: found.get("options", {}).get(k) for k in options} == {
        k: clean_value(v) for k, v in options.items()
    }
    return found if same_data and same_options else None


def escalate(
    data: ReportData,
    options: dict,
    reports_dir: str | Path | None,
    children: list[str],
    computed: pd.DataFrame,
    child_of: pd.Series,
) -> pd.DataFrame:
    """Exceptions escalated from the reports one layer down.

    ``children`` are those reports' paths; ``child_of`` maps each ward to the child report
    that covers it. A child's exceptions are read from its findings file when it was built
    from the same data and options; for any other child they come from ``computed`` (the
    same SPC run on the same data). ``source`` says which.
    """
    frames = []
    read_ok = set()
    for path in children:
        found = read_child_findings(reports_dir, path, data.snapshot, options)
        if found is not None:
            read_ok.add(path)
            rows = pd.DataFrame(found.get("exceptions", []), columns=EXCEPTION_COLUMNS)
            rows = rows[rows["measure_id"].isin(ESCALATED_MEASURES)]
            frames.append(rows.assign(source=f"{path.split('/')[0]} report"))
    rest = computed[~computed["unit_id"].map(child_of).isin(read_ok)]
    frames.append(rest.assign(source="computed"))
    frames = [f for f in frames if len(f)]
    if not frames:
        return computed.assign(source=pd.Series(dtype=object))
    out = pd.concat(frames, ignore_index=True)[EXCEPTION_COLUMNS + ["source"]]
    return (
        out.drop_duplicates(["unit_id", "measure_id"])
        .sort_values(["division", "ward", "measure"])
        .reset_index(drop=True)
    )


def escalate_from_divisions(data: ReportData, options: dict, reports_dir: str | Path | None) -> pd.DataFrame:
    """Trust-wide exceptions, read from the divisional reports' findings where they are current."""
    from pxassure import committees

    wards = data.units.loc[data.units["level"] == "ward", "unit_id"]
    child_of = pd.Series({w: f"division/{committees.division_of(data.units, w)}.html" for w in wards})
    divisions = sorted(set(child_of))
    return escalate(data, options, reports_dir, divisions, ward_exceptions(data, options), child_of)


def clean_value(v):
    """A value JSON can hold: None for missing, plain ints and floats."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    return v


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as JSON-safe dicts."""
    return [{k: clean_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def report_links(layer: str, unit_id: str | None, units: pd.DataFrame, linkable: list[str] | None) -> dict:
    """Links one layer up and down, keeping only reports that exist or are being built
    (``linkable``: paths relative to ``outputs/<period>/``). Paths returned are relative to
    this report's own folder."""
    from pxassure import committees

    params = committees.load_all(committees.params_dir())
    found = committees.links(layer, unit_id, units, params)
    keep = set(linkable or [])
    return {
        direction: [(title, f"../{path}") for title, path in items if path in keep]
        for direction, items in found.items()
    }
