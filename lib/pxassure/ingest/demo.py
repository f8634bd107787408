"""A fictional demo trust: seeded, deterministic, realistic in magnitude.

Ashcombe Valley Hospitals NHS Trust does not exist; every name is invented. The
generator writes the documented CSV input layouts and loads them through
:func:`pxassure.ingest.sources.load_files`, the same path real data takes.

Planted signals (the tests and the reports must find these) are all in :data:`PLANTED`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ParameterError
from pxassure.ingest import catalogue, demo_decisions, demo_evidence, demo_feedback, sources
from pxassure.ingest.store import Store, replace_file_atomically

TRUST_ID = "AVH"
END_MONTH = "2026-10"  # fixed, not "today": the same seed always gives the same trust

#: Everything deliberately planted in the demo data, in one place.
PLANTED = {
    # FFT % positive on this (busy) ward slides from ~95 % to ~75 % over the last 8 months
    # (staffing fill rates dip with it, for triangulation). The trust has recorded a rebase of
    # its chart at the start of the slide (spc_rebases), when the ward's use changed.
    "deteriorating_ward": "014",
    "deteriorating_months": 8,
    # Every ward in this division improves FFT % positive by ~4 points over the last
    # 12 months and its complaints rate falls by a third.
    "improving_division": "SUR",
    "improving_months": 12,
    # One month with 14 complaints on a ward that usually has 0–3.
    "complaints_spike_ward": "031",
    "complaints_spike_months_before_end": 5,
    # The trust's score for this requirement drops from 4 to 2 at the latest assessment.
    "score_drop_requirement": "16A",
    # Scored 5 by the trust throughout, while the trust's inpatient FFT response rate
    # sits well below the national average: a self-assessment the data contradict.
    "contradicted_requirement": "12C",
    # On the deteriorating ward, negative comments about staffing numbers surge in the last two
    # months (the classifier should theme them so, and the ward's theme chart should escalate it).
    "theme_surge": ("Number & deployment of staff", 2, 6),  # theme, months, extra comments a month
    # Listening and acting (demo_evidence): a board month with no patient story recorded, a
    # story's action still open after its due date, a quarter whose involvement participants
    # were less than 90 % satisfied, and a strategy commitment off track at the latest quarter.
    "no_story_month": "2026-08",
    "overdue_story": "ST004",
    "low_satisfaction_quarter": "2026Q2",
    "off_track_commitment": "S3",
    # Scored 5 by the trust, with no co-design or co-production recorded: an evidence gap.
    "evidence_gap_requirement": "19B",
}

SITES = {
    "ASH": "Ashcombe General Hospital",
    "BRK": "Brackley Community Hospital",
    "COR": "Corvale Women's and Children's Centre",
}
#: How NHS England's FFT files would identify the demo trust (fictional ODS codes).
FFT_TRUST_CODE = "RZZ"
FFT_SITE_CODES = {"ASH": "RZZ01", "BRK": "RZZ02", "COR": "RZZ03"}
#: A ward-month NHS England suppressed ('*'): a small inpatient ward, eight months before the end.
SUPPRESSED_FFT = ("032", "2026-02")
#: A ward published under an earlier name too, so the mapping shows a rename.
FFT_RENAMED_WARD = ("014", "WILLOW WARD (OLD BLOCK)")

DIVISIONS = {
    "MED": "Medicine and Urgent Care",
    "SUR": "Surgery and Critical Care",
    "WAC": "Women's and Children's",
    "COM": "Community and Outpatients",
}
# care group code -> (division, name, site, [service types cycled over its wards])
CARE_GROUPS = {
    "MED1": ("MED", "Acute and Emergency Medicine", "ASH", ["ae", "inpatient", "inpatient", "inpatient", "inpatient"]),
    "MED2": ("MED", "Care of Older People", "ASH", ["inpatient"]),
    "MED3": ("MED", "Specialist Medicine", "ASH", ["inpatient", "inpatient", "day_case", "inpatient", "inpatient"]),
    "SUR1": (
        "SUR",
        "General and Digestive Surgery",
        "ASH",
        ["inpatient", "inpatient", "day_case", "inpatient", "inpatient"],
    ),
    "SUR2": ("SUR", "Trauma and Orthopaedics", "BRK", ["inpatient", "inpatient", "inpatient", "day_case", "inpatient"]),
    "SUR3": (
        "SUR",
        "Critical Care and Theatres",
        "ASH",
        ["inpatient", "day_case", "inpatient", "day_case", "inpatient"],
    ),
    "WAC1": ("WAC", "Maternity", "COR", ["maternity"]),
    "WAC2": ("WAC", "Children and Young People", "COR", ["inpatient", "ae", "inpatient", "day_case", "outpatients"]),
    "WAC3": ("WAC", "Gynaecology", "COR", ["inpatient", "day_case", "outpatients", "inpatient", "outpatients"]),
    "COM1": ("COM", "Outpatient Services", "ASH", ["outpatients"]),
    "COM2": ("COM", "Community Nursing", "BRK", ["community"]),
    "COM3": (
        "COM",
        "Rehabilitation and Intermediate Care",
        "BRK",
        ["inpatient", "community", "inpatient", "community", "inpatient"],
    ),
}
_WARD_NAMES = (
    "Alder Beech Birch Cedar Elm Hazel Holly Juniper Larch Linden Maple Oak Rowan Willow Yew Aspen Hawthorn "
    "Blackthorn Sycamore Chestnut Kestrel Heron Kingfisher Lapwing Merlin Osprey Plover Skylark Swift Wren "
    "Curlew Dunlin Avocet Bittern Goldcrest Nightingale Peregrine Redstart Sandpiper Teal Bluebell Campion "
    "Clover Foxglove Heather Iris Lavender Marigold Poppy Primrose Snowdrop Thistle Violet Yarrow Bramble "
    "Fern Meadow Orchard Brook Harbour"
).split()
_SERVICE_NOUN = {
    "inpatient": "Ward",
    "day_case": "Day Unit",
    "ae": "Emergency Department",
    "maternity": "Birth Centre",
    "outpatients": "Clinic",
    "community": "Community Team",
}
# typical eligible patients per month, baseline % positive, response-rate mean
_SETTING = {
    "inpatient": (260, 0.945, 0.16),
    "day_case": (420, 0.975, 0.30),
    "ae": (4200, 0.84, 0.11),
    "maternity": (330, 0.935, 0.22),
    "outpatients": (2600, 0.95, None),
    "community": (900, 0.955, None),
}
_NATIONAL = {  # national response rate %, % positive
    "inpatient": (22.5, 94.0),
    "day_case": (28.0, 97.0),
    "ae": (11.5, 81.0),
    "maternity": (20.0, 93.0),
    "outpatients": (9.0, 94.0),
    "community": (5.0, 95.0),
}


@dataclass(frozen=True)
class Scale:
    """Size knobs for benchmarks: wards (12–300), months (13–120), seed."""

    wards: int = 60
    months: int = 36
    seed: int = 20261022

    def __post_init__(self):
        if not 12 <= self.wards <= 300:
            raise ParameterError(f"wards must be between 12 and 300, got {self.wards}")
        if not 13 <= self.months <= 120:
            raise ParameterError(f"months must be between 13 and 120, got {self.months}")


def month_range(months: int, end: str = END_MONTH) -> pd.DatetimeIndex:
    return pd.date_range(end=pd.Timestamp(end + "-01"), periods=months, freq="MS")


def org_units(scale: Scale) -> pd.DataFrame:
    rows = [
        dict(
            unit_id=TRUST_ID,
            name="Ashcombe Valley Hospitals NHS Trust",
            level="trust",
            parent_id=None,
            site=None,
            service_type=None,
            lead="Chief Nurse",
        )
    ]
    for code, name in DIVISIONS.items():
        rows.append(
            dict(
                unit_id=code,
                name=name,
                level="division",
                parent_id=TRUST_ID,
                site=None,
                service_type=None,
                lead=f"Head of Nursing, {name}",
            )
        )
    for code, (div, name, site, _) in CARE_GROUPS.items():
        rows.append(
            dict(
                unit_id=code,
                name=name,
                level="care_group",
                parent_id=div,
                site=SITES[site],
                service_type=None,
                lead=f"Matron, {name}",
            )
        )
    groups = list(CARE_GROUPS)
    for i in range(scale.wards):
        cg = groups[i % len(groups)]
        div, _, site, services = CARE_GROUPS[cg]
        service = services[(i // len(groups)) % len(services)]
        base = _WARD_NAMES[i % len(_WARD_NAMES)]
        suffix = "" if i < len(_WARD_NAMES) else f" {i // len(_WARD_NAMES) + 1}"
        name = f"{base}{suffix} {_SERVICE_NOUN[service]}"
        rows.append(
            dict(
                unit_id=f"{i + 1:03d}",
                name=name,
                level="ward",
                parent_id=cg,
                site=SITES[site],
                service_type=service,
                lead=f"{'Ward' if _SERVICE_NOUN[service] == 'Ward' else 'Service'} manager, {name}",
            )
        )
    return pd.DataFrame(rows)


def fft_ward_map(units: pd.DataFrame) -> pd.DataFrame:
    """How NHS England's inpatient FFT files name the demo's inpatient wards (upper case, as published)."""
    site_code = {name: FFT_SITE_CODES[code] for code, name in SITES.items()}
    wards = units[(units["level"] == "ward") & (units["service_type"] == "inpatient")]
    frame = pd.DataFrame(
        {
            "trust_code": FFT_TRUST_CODE,
            "site_code": wards["site"].map(site_code),
            "ward_name": wards["name"].str.upper(),
            "unit_id": wards["unit_id"],
        }
    )
    old_unit, old_name = FFT_RENAMED_WARD
    if old_unit in set(frame["unit_id"]):
        extra = frame[frame["unit_id"] == old_unit].assign(ward_name=old_name)
        frame = pd.concat([frame, extra])
    return frame.reset_index(drop=True)


def committees() -> pd.DataFrame:
    rows = [
        ("BOARD", "Trust Board", "board", None, TRUST_ID, "monthly"),
        ("QGC", "Quality and Governance Committee", "board_quality", "BOARD", TRUST_ID, "bimonthly"),
        ("EQC", "Executive Quality Committee", "executive_quality", "QGC", TRUST_ID, "monthly"),
        ("PEC", "Patient Experience Committee", "patient_experience", "EQC", TRUST_ID, "bimonthly"),
        ("GMCEC", "Governors' Membership and Community Engagement Committee", "governors", None, TRUST_ID, "quarterly"),
    ]
    return pd.DataFrame(rows, columns=["committee_id", "name", "layer", "reports_to", "scope_unit_id", "cadence"])


def _ward_profile(units: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator):
    """Per ward × month: expected % positive (with planted signals) and a staffing factor."""
    wards = units[units["level"] == "ward"].reset_index(drop=True)
    division = wards["parent_id"].map(units.set_index("unit_id")["parent_id"])
    n_m = len(months)
    t = np.arange(n_m)
    base = np.array([_SETTING[s][1] for s in wards["service_type"]]) + rng.normal(0, 0.012, len(wards))
    p = np.clip(base[:, None] + rng.normal(0, 0.004, (len(wards), n_m)), 0.6, 0.995)
    staffing = np.ones((len(wards), n_m))
    # improving division: +4 points over the last 12 months, ramped
    k = PLANTED["improving_months"]
    ramp = np.clip((t - (n_m - k)) / k, 0, 1) * 0.04
    improving = (division == PLANTED["improving_division"]).to_numpy()
    p[improving] = np.clip(p[improving] + ramp, 0, 0.995)
    # deteriorating ward: slide over the last 8 months, staffing dips with it
    w = np.flatnonzero(wards["unit_id"] == PLANTED["deteriorating_ward"])
    if len(w):
        k = PLANTED["deteriorating_months"]
        slide = np.clip((t - (n_m - k - 1)) / k, 0, 1)
        p[w[0]] = p[w[0]] - 0.20 * slide
        staffing[w[0]] = 1 - 0.12 * slide
    return wards, division, p, staffing


def generate(folder: str | Path, scale: Scale = Scale()) -> dict[str, Path]:
    """Write the demo trust's input files into ``folder``; return {table: path}.

    Every part draws from one generator in a fixed order (FFT, activity, feedback, safety,
    surveys, self-assessment), so the same seed always gives the same trust.
    """
    rng = np.random.default_rng(scale.seed)
    months = month_range(scale.months)
    units = org_units(scale)
    wards, division, p_pos, staffing_factor = _ward_profile(units, months, rng)
    tables: dict[str, pd.DataFrame] = {"org_units": units, "committees": committees()}
    tables["framework_requirements"] = catalogue.catalogue()[["requirement", "section", "characteristic", "title"]]
    fft, eligible_mean = _fft(wards, months, p_pos, rng)
    tables.update(fft)
    activity, bed_days, attendances = _activity(wards, months, eligible_mean, rng)
    tables["activity"] = activity
    tables.update(_feedback(wards, division, months, p_pos, bed_days, attendances, rng))
    tables.update(_safety(wards, months, staffing_factor, rng))
    tables["fft_ward_map"] = fft_ward_map(units)
    years = sorted({m.year for m in months})[-3:]
    tables["inpatient_survey"] = demo_feedback.inpatient_survey(TRUST_ID, years, rng)
    tables["staff_survey"] = demo_feedback.staff_survey([TRUST_ID, *DIVISIONS], years, rng)
    tables["framework_scores"] = _framework_scores(months, rng)
    tables.update(demo_decisions.decisions(months, set(wards["unit_id"]), PLANTED))
    tables.update(demo_evidence.records(TRUST_ID, list(DIVISIONS), months, PLANTED, scale.seed))
    return _write(tables, Path(folder))


def _per_ward_month(wards: pd.DataFrame, months: pd.DatetimeIndex, **columns) -> pd.DataFrame:
    """One row per ward × month (wards outer), with ``columns`` given as ward × month arrays."""
    n_m = len(months)
    return pd.DataFrame(
        {
            "unit_id": np.repeat(wards["unit_id"].to_numpy(), n_m),
            "month": np.tile(months, len(wards)),
            **{name: np.asarray(values).ravel() for name, values in columns.items()},
        }
    )


def _bedded(wards: pd.DataFrame) -> np.ndarray:
    return np.isin(wards["service_type"].to_numpy(), ["inpatient", "maternity"])


def _fft(wards, months, p_pos, rng) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    """FFT counts by ward and month, the suppressed cell, national figures; and each ward's mean eligible."""
    n_w, n_m = len(wards), len(months)
    settings = wards["service_type"].to_numpy()
    eligible_mean = np.array([_SETTING[s][0] for s in settings]) * rng.uniform(0.7, 1.3, n_w)
    # the deteriorating ward is a busy one, so its signal is clear of the noise
    eligible_mean[(wards["unit_id"] == PLANTED["deteriorating_ward"]).to_numpy()] = 480
    eligible = rng.poisson(eligible_mean[:, None] * np.ones(n_m))
    rr_mean = np.array([_SETTING[s][2] or 0.15 for s in settings])
    # the trust's inpatient response rate sits below the national average (planted 12C contradiction)
    rate = np.clip(rng.beta(20, 20 * (1 / rr_mean[:, None] - 1), (n_w, n_m)), 0.05, 0.6)
    responses = rng.binomial(eligible, rate)
    neither_dk = 0.025
    positive = rng.binomial(responses, p_pos)
    rest = responses - positive
    neither = rng.binomial(rest, np.clip(neither_dk * 2 / np.maximum(1 - p_pos, 0.03), 0, 0.6))
    dont_know = rng.binomial(rest - neither, 0.15)
    negative = rest - neither - dont_know
    very_good = rng.binomial(positive, 0.72)
    poor = rng.binomial(negative, 0.55)
    reports_eligible = np.array([_SETTING[s][2] is not None for s in settings])
    fft = _per_ward_month(
        wards,
        months,
        very_good=very_good,
        good=positive - very_good,
        neither=neither,
        poor=poor,
        very_poor=negative - poor,
        dont_know=dont_know,
    )
    fft["eligible"] = pd.array(np.where(reports_eligible[:, None], eligible, -1).ravel(), dtype="Int64")
    fft.loc[fft["eligible"] < 0, "eligible"] = pd.NA
    tables = {}
    # One ward-month NHS England published as '*' (too few responses): recorded as suppressed,
    # so the papers show how such a month reads; its counts are unknown, so it has no fft_monthly row.
    hidden = (fft["unit_id"] == SUPPRESSED_FFT[0]) & (fft["month"] == pd.Timestamp(SUPPRESSED_FFT[1]))
    if hidden.any():  # a smaller demo may not have the ward
        tables["fft_suppressed"] = fft.loc[hidden, ["unit_id", "month"]]
    tables["fft_monthly"] = fft[~hidden]
    national = [
        {
            "month": m,
            "service_type": s,
            "response_rate": round(rr + rng.normal(0, 0.4), 1),
            "percent_positive": round(pp + rng.normal(0, 0.3), 1),
        }
        for m in months
        for s, (rr, pp) in _NATIONAL.items()
    ]
    tables["fft_national"] = pd.DataFrame(national)
    return tables, eligible_mean


def _activity(wards, months, eligible_mean, rng) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Occupied bed days for bedded wards, attendances for the rest; and both as ward × month arrays."""
    n_m = len(months)
    bedded = _bedded(wards)
    beds = rng.integers(18, 33, len(wards))
    bed_days = rng.poisson((beds * 30.4 * 0.92)[:, None] * np.ones(n_m))
    attendances = rng.poisson(eligible_mean[:, None] * 1.1 * np.ones(n_m))
    activity = _per_ward_month(wards, months)
    activity["occupied_bed_days"] = pd.array(np.where(bedded[:, None], bed_days, -1).ravel(), dtype="Int64")
    activity["attendances"] = pd.array(np.where(~bedded[:, None], attendances, -1).ravel(), dtype="Int64")
    activity = activity.replace({"occupied_bed_days": {-1: pd.NA}, "attendances": {-1: pd.NA}})
    return activity, bed_days, attendances


def _feedback(wards, division, months, p_pos, bed_days, attendances, rng) -> dict[str, pd.DataFrame]:
    """Complaints (with the planted spike and improvement), PALS, compliments and FFT comments."""
    n_m = len(months)
    exposure = np.where(_bedded(wards)[:, None], bed_days / 1000 * 2.0, attendances / 1000 * 0.35)
    t = np.arange(n_m)
    improving = (division == PLANTED["improving_division"]).to_numpy()
    fall = 1 - np.clip((t - (n_m - PLANTED["improving_months"])) / PLANTED["improving_months"], 0, 1) / 3
    exposure[improving] *= fall
    n_complaints = rng.poisson(exposure)
    spike = np.flatnonzero(wards["unit_id"] == PLANTED["complaints_spike_ward"])
    if len(spike):
        n_complaints[spike[0], n_m - 1 - PLANTED["complaints_spike_months_before_end"]] = 14
    tables = demo_feedback.complaints(wards, months, n_complaints, rng)
    n_pals = rng.poisson(exposure * 1.8)
    tables["pals_contacts"] = demo_feedback.pals(wards, months, n_pals, rng)
    compliments = rng.poisson(np.maximum(exposure * 4, 0.5))
    tables["compliments"] = _per_ward_month(wards, months, compliments=compliments)
    tables["feedback_comments"] = demo_feedback.comments(
        wards, months, p_pos, rng, PLANTED["deteriorating_ward"], PLANTED["theme_surge"]
    )
    return tables


def _safety(wards, months, staffing_factor, rng) -> dict[str, pd.DataFrame]:
    """Incidents by harm level (more in short-staffed months) and bedded wards' staffing fill rates."""
    harm_rate = {"no_harm": 6.0, "low": 3.0, "moderate": 0.5, "severe": 0.05, "death": 0.01}
    incidents = []
    for level, lam in harm_rate.items():
        extra = 1 + (1 - staffing_factor) * 3  # short-staffed months report more incidents
        counts = _per_ward_month(wards, months, incidents=rng.poisson(lam * extra))
        counts.insert(2, "harm_level", level)
        incidents.append(counts)
    bedded = _bedded(wards)
    fills = {}
    for col, mean in (("rn_day_fill", 96), ("rn_night_fill", 98), ("care_day_fill", 101), ("care_night_fill", 104)):
        fills[col] = np.round(rng.normal(mean, 3.5, (int(bedded.sum()), len(months))) * staffing_factor[bedded], 1)
    return {
        "incidents": pd.concat(incidents, ignore_index=True),
        "staffing": _per_ward_month(wards[bedded], months, **fills),
    }


def _write(tables: dict[str, pd.DataFrame], folder: Path) -> dict[str, Path]:
    """Each table as ``<name>.csv`` in ``folder``, dates as ISO text; return {table: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables.items():
        path = folder / f"{name}.csv"
        out = frame.copy()
        for col in out.columns:
            if pd.api.types.is_datetime64_any_dtype(out[col]):
                out[col] = out[col].dt.strftime("%Y-%m-%d")
        sources.write_csv(out, path)
        paths[name] = path
    return paths


_OWNERS = [
    "Chief Nurse",
    "Head of Patient Experience",
    "Divisional Director of Nursing",
    "Medical Director",
    "Director of Workforce",
    "Head of Complaints",
    "Director of Communications",
    "Head of Quality Improvement",
]


def _framework_scores(months, rng):
    """Quarterly self-assessments (trust and each division) over the period."""
    quarter_ends = [m for m in months if m.month in (3, 6, 9, 12)]
    cat = catalogue.catalogue()
    rows = []
    for unit in [TRUST_ID, *DIVISIONS]:
        level = rng.integers(1, 4, len(cat)).astype(float)
        for qi, q in enumerate(quarter_ends):
            level = np.clip(level + rng.choice([0, 0, 0, 1, -1], len(cat), p=[0.5, 0.2, 0.1, 0.15, 0.05]), 0, 5)
            for (req, title), s in zip(cat[["requirement", "title"]].itertuples(index=False), level):
                score = int(s)
                if unit == TRUST_ID and req == PLANTED["score_drop_requirement"]:
                    score = 2 if qi == len(quarter_ends) - 1 else 4
                if unit == TRUST_ID and req == PLANTED["contradicted_requirement"]:
                    score = 5
                assessed = rng.random() > 0.03 or unit == TRUST_ID
                due = (q + pd.DateOffset(months=int(rng.integers(-2, 10)))) + pd.offsets.MonthEnd(0)
                rows.append(
                    dict(
                        unit_id=unit,
                        assessed_month=q.date(),
                        requirement=req,
                        score=score if assessed else None,
                        current_position=f"Evidence reviewed for {req}: {'partly' if score < 4 else 'largely'} in place.",
                        planned_action=None if score == 5 else f"Strengthen: {title[0].lower()}{title[1:]}.",
                        owner=_OWNERS[int(rng.integers(0, len(_OWNERS)))],
                        due_date=None if score == 5 else due.date(),
                        good_looks_like=f"{title} — consistently, in every service.",
                    )
                )
    frame = pd.DataFrame(rows)
    frame["score"] = frame["score"].astype("Int64")
    return frame


#: The demo's review of the classifier: the wards whose comments a person checked in the last full
#: quarter (least confident and drawn at random, as ``pxassure themes review`` chooses them).
REVIEWED_WARDS, REVIEWED_PER_WARD = ("014", "022", "028"), 10


def _review(store: Store) -> None:
    """A person checks some of the demo's comments, coding each as its template says, through the
    same record as an imported review workbook: the committee's paper then has an agreement figure."""
    from pxassure.ingest import demo_feedback, theme_review

    quarter = pd.Timestamp(store.query("SELECT max(month) AS m FROM feedback_comments")["m"].iat[0])
    end = quarter.to_period("Q").start_time - pd.DateOffset(months=1)  # the last full quarter before it
    period = f"{end.year}-Q{end.quarter}"
    rows = []
    present = set(store.query("SELECT unit_id FROM org_units")["unit_id"])
    for ward in (w for w in REVIEWED_WARDS if w in present):  # a smaller demo may not have them
        comments, _, _ = theme_review.period_comments(store, ward, period)
        chosen = theme_review.choose(comments, REVIEWED_PER_WARD, REVIEWED_PER_WARD, seed=int(ward))
        for c in chosen.itertuples(index=False):
            label, sentiment = demo_feedback.person_coding(c.text) or ("Not assigned", 3)
            given = [c.labels, c.sentiment, c.model_version]
            rows.append([c.comment_id, c.unit_id, c.month, c.sample, *given, label, sentiment, "Demo reviewer"])
    if rows:
        theme_review.record(store, theme_review.as_reviews(rows, end + pd.DateOffset(months=1, days=14)))


def build_database(database: str | Path, scale: Scale = Scale(), inputs: str | Path | None = None) -> dict:
    """Generate the demo inputs and load them into a new database at ``database``, atomically.

    Returns the row counts per table. The previous database is replaced only once the
    new one has been built and loaded in full.
    """
    database = Path(database)
    inputs = Path(inputs) if inputs else database.parent / "demo"
    paths = generate(inputs, scale)
    counts = {}

    def build(tmp: Path):
        with Store(tmp) as store:
            sources.load_files(store, paths)
            _review(store)
            counts.update(store.counts())

    replace_file_atomically(build, database)
    return counts
