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
from pxassure.ingest import catalogue, sources
from pxassure.ingest.schema import KO41A_SUBJECTS
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
    """Write the demo trust's input files into ``folder``; return {table: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(scale.seed)
    months = month_range(scale.months)
    units = org_units(scale)
    wards, division, p_pos, staffing_factor = _ward_profile(units, months, rng)
    n_w, n_m = len(wards), len(months)
    tables: dict[str, pd.DataFrame] = {"org_units": units, "committees": committees()}
    tables["framework_requirements"] = catalogue.catalogue()[["requirement", "section", "characteristic", "title"]]

    # --- FFT ---------------------------------------------------------------
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
    fft = pd.DataFrame(
        {
            "unit_id": np.repeat(wards["unit_id"].to_numpy(), n_m),
            "month": np.tile(months, n_w),
            "very_good": very_good.ravel(),
            "good": (positive - very_good).ravel(),
            "neither": neither.ravel(),
            "poor": poor.ravel(),
            "very_poor": (negative - poor).ravel(),
            "dont_know": dont_know.ravel(),
            "eligible": pd.array(np.where(reports_eligible[:, None], eligible, -1).ravel(), dtype="Int64"),
        }
    )
    fft.loc[fft["eligible"] < 0, "eligible"] = pd.NA
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

    # --- Activity -------------------------------------------------------------
    bedded = np.isin(settings, ["inpatient", "maternity"])
    beds = rng.integers(18, 33, n_w)
    bed_days = rng.poisson((beds * 30.4 * 0.92)[:, None] * np.ones(n_m))
    attendances = rng.poisson(eligible_mean[:, None] * 1.1 * np.ones(n_m))
    tables["activity"] = pd.DataFrame(
        {
            "unit_id": np.repeat(wards["unit_id"].to_numpy(), n_m),
            "month": np.tile(months, n_w),
            "occupied_bed_days": pd.array(np.where(bedded[:, None], bed_days, -1).ravel(), dtype="Int64"),
            "attendances": pd.array(np.where(~bedded[:, None], attendances, -1).ravel(), dtype="Int64"),
        }
    ).replace({"occupied_bed_days": {-1: pd.NA}, "attendances": {-1: pd.NA}})

    # --- Complaints, PALS, compliments ----------------------------------------------
    exposure = np.where(bedded[:, None], bed_days / 1000 * 2.0, attendances / 1000 * 0.35)
    t = np.arange(n_m)
    improving = (division == PLANTED["improving_division"]).to_numpy()
    fall = 1 - np.clip((t - (n_m - PLANTED["improving_months"])) / PLANTED["improving_months"], 0, 1) / 3
    exposure[improving] *= fall
    n_complaints = rng.poisson(exposure)
    spike = np.flatnonzero(wards["unit_id"] == PLANTED["complaints_spike_ward"])
    if len(spike):
        n_complaints[spike[0], n_m - 1 - PLANTED["complaints_spike_months_before_end"]] = 14
    tables.update(_complaints(wards, months, n_complaints, rng))
    n_pals = rng.poisson(exposure * 1.8)
    tables["pals_contacts"] = _pals(wards, months, n_pals, rng)
    tables["compliments"] = pd.DataFrame(
        {
            "unit_id": np.repeat(wards["unit_id"].to_numpy(), n_m),
            "month": np.tile(months, n_w),
            "compliments": rng.poisson(np.maximum(exposure * 4, 0.5)).ravel(),
        }
    )

    tables["feedback_comments"] = _comments(wards, months, p_pos, rng)

    # --- Safety and staffing ------------------------------------------------------------
    harm_rate = {"no_harm": 6.0, "low": 3.0, "moderate": 0.5, "severe": 0.05, "death": 0.01}
    inc = []
    for level, lam in harm_rate.items():
        extra = 1 + (1 - staffing_factor) * 3  # short-staffed months report more incidents
        counts = rng.poisson(lam * extra)
        inc.append(
            pd.DataFrame(
                {
                    "unit_id": np.repeat(wards["unit_id"].to_numpy(), n_m),
                    "month": np.tile(months, n_w),
                    "harm_level": level,
                    "incidents": counts.ravel(),
                }
            )
        )
    tables["incidents"] = pd.concat(inc, ignore_index=True)
    ward_rows = np.flatnonzero(bedded)
    fills = {}
    for col, mean in (("rn_day_fill", 96), ("rn_night_fill", 98), ("care_day_fill", 101), ("care_night_fill", 104)):
        fills[col] = np.round(rng.normal(mean, 3.5, (len(ward_rows), n_m)) * staffing_factor[ward_rows], 1)
    tables["staffing"] = pd.DataFrame(
        {
            "unit_id": np.repeat(wards["unit_id"].to_numpy()[ward_rows], n_m),
            "month": np.tile(months, len(ward_rows)),
            **{k: v.ravel() for k, v in fills.items()},
        }
    )

    tables["fft_ward_map"] = fft_ward_map(units)

    # --- Surveys -------------------------------------------------------------------
    years = sorted({m.year for m in months if m.month >= 1})[-3:]
    tables["inpatient_survey"] = _inpatient_survey(years, rng)
    tables["staff_survey"] = _staff_survey(years, rng)

    # --- Framework self-assessment -------------------------------------------------
    tables["framework_scores"] = _framework_scores(months, rng)

    # --- Decisions about charts: targets and rebases --------------------------------
    tables["targets"] = _targets(months)
    tables["data_quality"] = _data_quality(months)
    rebases = _rebases(months, set(wards["unit_id"]))
    if len(rebases):  # a file with no rows is refused, as any input file would be
        tables["spc_rebases"] = rebases
    responses = _responses(months, set(wards["unit_id"]))
    if len(responses):
        tables["exception_responses"] = responses

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


def _targets(months: pd.DatetimeIndex) -> pd.DataFrame:
    """The trust's agreed targets: trust-wide, one for a setting, and one revised part-way."""
    first, revised = months[0], months[-12]
    rows = [
        ("fft_positive", None, None, "value", 95.0, first, "Trust Board (quality strategy)"),
        ("fft_positive", None, "ae", "value", 85.0, first, "Urgent and emergency care board"),
        ("fft_response_rate", None, None, "national", None, first, "Patient Experience Committee"),
        ("complaints_in_target", None, None, "value", 80.0, first, "Board Quality Committee"),
        ("complaints_in_target", None, None, "value", 85.0, revised, "Board Quality Committee (annual review)"),
    ]
    cols = ["measure", "unit_id", "service_type", "basis", "value", "from_month", "set_by"]
    return pd.DataFrame(rows, columns=cols)


def _data_quality(months: pd.DatetimeIndex) -> pd.DataFrame:
    """The trust's data-quality ratings: most measures sufficient, complaints handling limited
    (closure dates are keyed in late) until a fix part-way through."""
    first, fixed = months[0], months[-4]
    who = "Information governance group"
    rows = [
        ("fft_positive", None, "Sufficient", first, who),
        ("fft_response_rate", None, "Sufficient", first, who),
        ("fft_response_rate", "COM", "Limited", first, who),  # community teams do not count eligible patients
        ("complaints_rate", None, "Sufficient", first, who),
        ("complaints_in_target", None, "Limited", first, who),
        ("complaints_in_target", None, "Sufficient", fixed, who),
    ]
    return pd.DataFrame(rows, columns=["measure", "unit_id", "rating", "from_month", "rated_by"])


def _rebases(months: pd.DatetimeIndex, wards: set[str]) -> pd.DataFrame:
    """The rebase the trust recorded at the deteriorating ward's known change (the month its slide began)."""
    start = months[len(months) - PLANTED["deteriorating_months"]]
    if PLANTED["deteriorating_ward"] not in wards:  # a demo scaled below 14 wards has no such ward
        return pd.DataFrame(columns=["measure", "unit_id", "month", "reason", "agreed_by"])
    return pd.DataFrame(
        [
            {
                "measure": "fft_positive",
                "unit_id": PLANTED["deteriorating_ward"],
                "month": start,
                "reason": "ward reconfigured as an acute frailty unit, with a new case mix",
                "agreed_by": "Medicine divisional quality board",
            }
        ]
    )


def _responses(months: pd.DatetimeIndex, wards: set[str]) -> pd.DataFrame:
    """Responses the divisions recorded to exceptions: one in progress for the deteriorating ward's
    FFT (still escalated), one completed months ago for the complaints spike (no longer escalated).
    The other ward escalated in the last month has none: its papers must say so."""
    ward, spike = PLANTED["deteriorating_ward"], PLANTED["complaints_spike_ward"]
    raised = months[-3]
    spike_month = months[len(months) - 1 - PLANTED["complaints_spike_months_before_end"]]
    rows = [
        {
            "measure": "fft_positive",
            "unit_id": ward,
            "raised": raised,
            "data_show": "Positive answers have fallen for several months, since the ward became a frailty unit",
            "cause": "Longer stays, and more agency nurses on nights who do not know the ward",
            "action": "Two permanent night nurses recruited; the matron reviews night staffing each week",
            "owner": "Matron, Medicine",
            "due": raised + pd.offsets.MonthEnd(4),
            "status": "in progress",
            "effect_expected": raised + pd.DateOffset(months=4),
        },
        {
            "measure": "complaints_count",
            "unit_id": spike,
            "raised": spike_month,
            "data_show": "14 complaints in one month, against a usual 0 to 3",
            "cause": "A change to visiting times that was not explained to families",
            "action": "Visiting times restored and the change explained in a letter to families",
            "owner": "Ward manager",
            "due": spike_month + pd.offsets.MonthEnd(1),
            "status": "completed",
            "effect_expected": spike_month + pd.DateOffset(months=2),
        },
    ]
    return pd.DataFrame([r for r in rows if r["unit_id"] in wards])


def _working_days_later(start: pd.Series, days: np.ndarray) -> pd.Series:
    return pd.Series(np.busday_offset(start.to_numpy().astype("datetime64[D]"), days, roll="forward"))


def _complaints(wards, months, counts, rng):
    unit_idx, month_idx = np.nonzero(counts)
    reps = counts[unit_idx, month_idx]
    unit_idx, month_idx = np.repeat(unit_idx, reps), np.repeat(month_idx, reps)
    n = len(unit_idx)
    received = pd.Series(months[month_idx]) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    target = rng.choice([25, 40, 60], n, p=[0.6, 0.3, 0.1])
    took = np.maximum(5, (target * rng.lognormal(-0.05, 0.35, n)).astype(int))
    closed = _working_days_later(received, took)
    end = months[-1] + pd.offsets.MonthEnd(0)
    still_open = closed > end
    subjects = np.array(KO41A_SUBJECTS)
    weights = np.array([4, 10, 6, 20, 18, 1, 3, 2, 14, 2, 6, 0.5, 8, 3, 8, 2], dtype=float)
    primary = rng.choice(subjects, n, p=weights / weights.sum())
    outcome = rng.choice(["upheld", "partly_upheld", "not_upheld"], n, p=[0.25, 0.4, 0.35])
    ids = [f"C{m:%y%m}-{i:05d}" for i, m in enumerate(received)]
    complaints = pd.DataFrame(
        {
            "complaint_id": ids,
            "unit_id": wards["unit_id"].to_numpy()[unit_idx],
            "received": received.dt.date,
            "acknowledged": _working_days_later(received, rng.integers(0, 5, n)).dt.date,
            "closed": closed.where(~still_open).dt.date,
            "primary_subject": primary,
            "outcome": np.where(still_open, None, outcome),
            "reopened": rng.random(n) < 0.05,
            "target_working_days": target,
            "ombudsman": rng.random(n) < 0.01,
        }
    )
    extra_mask = rng.random(n) < 0.4
    extra = rng.choice(subjects, n, p=weights / weights.sum())
    subj = pd.concat(
        [
            pd.DataFrame({"complaint_id": ids, "subject": primary}),
            pd.DataFrame({"complaint_id": np.array(ids)[extra_mask], "subject": extra[extra_mask]}),
        ]
    ).drop_duplicates()
    return {"complaints": complaints, "complaint_subjects": subj}


#: The demo's comment templates by tone: (text, the FFT comment framework label a person would give).
#: The demo's themes are named as the framework names them; the extract carries no labels and no
#: sentiment, so the classifier codes every demo comment at load, as it would a trust's extract.
_COMMENT_TEXT = {
    "positive": [
        ("The staff on the {setting} were kind and explained everything.", "Staff manner & personal attributes"),
        (
            "{person} made me feel safe and listened to my worries.",
            "Staff listening, understanding & involving patients",
        ),
        ("Clean, calm and well organised. Thank you to the whole team.", "Cleanliness, tidiness & infection control"),
        ("Excellent care from admission to discharge, thank you all.", "Positive experience & gratitude"),
        ("The food was better than I expected and there was always water.", "Food & drink provision & facilities"),
        ("I was seen quickly and did not have to wait long at all.", "Timeliness of care"),
        ("Friendly, caring nurses who always had time for me.", "Staff manner & personal attributes"),
        (
            "The doctors told me what the scan showed and what would happen next.",
            "Being kept informed, clarity & consistency of information",
        ),
        ("My pain was checked often and my pain relief came quickly.", "Pain management"),
        ("Staff kept my family involved and let them visit when I needed them.", "Interaction with family/ carers"),
        ("The physiotherapists were patient, kind and encouraging.", "Staff manner & personal attributes"),
        ("My discharge was well planned and I went home with my letter and tablets.", "Discharge"),
        ("The cleaners came every day and the bathroom was spotless.", "Cleanliness, tidiness & infection control"),
        ("I never felt rushed and my questions were answered.", "Staff listening, understanding & involving patients"),
        ("Brilliant team, nothing was too much trouble.", "Positive experience & gratitude"),
    ],
    "neutral": [
        (
            "Care was fine but I was not sure what would happen next.",
            "Being kept informed, clarity & consistency of information",
        ),
        ("Some staff were great, others seemed rushed.", "Staff manner & personal attributes"),
        ("It was noisy at night but the nurses were helpful.", "Sensory experience"),
        ("The wait was long but the doctor was thorough once I was seen.", "Timeliness of care"),
        (
            "Good care overall, though the food was cold by the time it reached me.",
            "Food & drink provision & facilities",
        ),
        ("Care was good but parking at the hospital was expensive and hard to find.", "Parking"),
        ("Good care once on the ward, but the admission process took far too long.", "Admission"),
        (
            "Nurses were lovely, but the doctors did not listen to me.",
            "Staff listening, understanding & involving patients",
        ),
    ],
    "negative": [
        ("I waited hours for pain relief and nobody told me why.", "Timeliness of care"),
        ("Nobody explained my discharge; I went home without my letter.", "Discharge"),
        ("The ward was short staffed and call bells went unanswered.", "Number & deployment of staff"),
        ("I asked for help several times and was ignored. Please ring me on {phone}.", "Staff responsiveness"),
        ("My mother's medication was late again. Contact {email} about it.", "Supplying & understanding medication"),
        ("Staff were rude and did not listen to what I said.", "Staff manner & personal attributes"),
        ("The toilets were dirty and the bins were overflowing.", "Cleanliness, tidiness & infection control"),
        (
            "Nobody kept me informed; I was not told my operation was cancelled.",
            "Being kept informed, clarity & consistency of information",
        ),
        ("My family could not get through on the phone for two days.", "Interaction with family/ carers"),
        ("I could not sleep because of the noise and the lights all night.", "Sensory experience"),
        ("The food was cold and nobody helped me to eat it.", "Food & drink provision & facilities"),
        ("I waited four hours to be discharged for my tablets to come up.", "Discharge"),
    ],
}
#: How comments of each tone may begin and end (empty: as the core sentence stands).
_OPENINGS = {
    "positive": ["", "", "Honestly, ", "From start to finish, ", "As a first-time patient, "],
    "neutral": ["", "", "On the whole, ", "To be fair, "],
    "negative": ["", "", "Sadly, ", "I am writing because ", "Not for the first time, "],
}
_CLOSINGS = {
    "positive": ["", "", " Thank you.", " I would recommend this hospital.", " Please pass this on."],
    "neutral": ["", "", " Mostly a good experience.", " Room for improvement."],
    "negative": ["", "", " Please look into this.", " This needs to change.", " I felt let down."],
}
#: Negative comments about staffing numbers (the planted theme surge).
_STAFFING = [
    "The ward was so short staffed that nobody came when I pressed the call bell.",
    "There were not enough staff to help me to the toilet.",
    "Short staffed again, waited ages for help.",
    "Not enough staff on nights, call bells ignored.",
    "Staffing levels are terrible, more nurses needed.",
    "More staff needed, the nurses were exhausted and short staffed.",
]
#: The question each tone of comment answers in the demo's FFT survey.
_QUESTION = {
    "positive": "What was good?",
    "neutral": "What could we do better?",
    "negative": "What could we do better?",
}
_PEOPLE = ["Nurse Priya", "Dr Okafor", "Sister Ann", "Mr Hughes", "Nurse Tom"]


def _comments(wards, months, p_pos, rng):
    """About four comments per ward-month, sentiment following the ward's FFT results."""
    n_w, n_m = p_pos.shape
    counts = rng.poisson(4, (n_w, n_m))
    unit_idx, month_idx = np.nonzero(counts)
    reps = counts[unit_idx, month_idx]
    unit_idx, month_idx = np.repeat(unit_idx, reps), np.repeat(month_idx, reps)
    n = len(unit_idx)
    p = p_pos[unit_idx, month_idx]
    u = rng.random(n)
    sentiment = np.where(u < p - 0.05, "positive", np.where(u < p + 0.02, "neutral", "negative"))
    # The FFT answer (1 very good … 5 very poor) from the same draw as the tone, so they agree:
    # the first three quarters of the positive band answer 1, the rest 2; the mixed band 2, 3 or
    # 4 by thirds; the negative band 4 then 5.
    rating = np.select(
        [u < 0.75 * (p - 0.05), u < p - 0.05, u < p - 0.05 + 0.07 / 3, u < p - 0.05 + 0.14 / 3, u < p + 0.02],
        [1, 2, 2, 3, 4],
        default=np.where(u < (p + 1.02) / 2, 4, 5),
    )
    settings = wards["service_type"].to_numpy()[unit_idx]
    # Openings and closings vary the wording as people do; drawn from their own generator, so the
    # trust's figures (drawn from ``rng``) do not change with them.
    variety = np.random.default_rng(20261)
    texts = []
    for i in range(n):
        template, _ = _COMMENT_TEXT[sentiment[i]][int(rng.integers(0, len(_COMMENT_TEXT[sentiment[i]])))]
        opening = _OPENINGS[sentiment[i]][int(variety.integers(0, len(_OPENINGS[sentiment[i]])))]
        closing = _CLOSINGS[sentiment[i]][int(variety.integers(0, len(_CLOSINGS[sentiment[i]])))]
        template = opening + (template[0].lower() + template[1:] if opening else template) + closing
        texts.append(
            template.format(
                setting={"ae": "emergency department"}.get(settings[i], "ward"),
                person=_PEOPLE[int(rng.integers(0, len(_PEOPLE)))],
                phone=f"07700 900{int(rng.integers(100, 999))}",
                email=f"family{int(rng.integers(1, 99))}@example.org",
            )
        )
    frame = pd.DataFrame(
        {
            "comment_id": [f"F{i:07d}" for i in range(n)],
            "unit_id": wards["unit_id"].to_numpy()[unit_idx],
            "month": months[month_idx],
            "source": "fft",
            "question": [_QUESTION[x] for x in sentiment],
            "rating": rating,
            "text": texts,
            "labels": None,  # no coding in the extract: the classifier codes them at load
            "sentiment": None,
        }
    )
    _, surge_months, per_month = PLANTED["theme_surge"]
    surge = pd.DataFrame(
        [
            {
                "comment_id": f"F8{k:02d}{j:04d}",
                "unit_id": PLANTED["deteriorating_ward"],
                "month": months[-1 - k],
                "source": "fft",
                "question": "What could we do better?",
                "rating": 4,
                "text": _STAFFING[(k * per_month + j) % len(_STAFFING)],
                "labels": None,
                "sentiment": None,
            }
            for k in range(surge_months)
            for j in range(per_month)
        ]
    )
    if PLANTED["deteriorating_ward"] in set(wards["unit_id"]):
        frame = pd.concat([frame, surge], ignore_index=True)
    return frame


def _pals(wards, months, counts, rng):
    unit_idx, month_idx = np.nonzero(counts)
    reps = counts[unit_idx, month_idx]
    unit_idx, month_idx = np.repeat(unit_idx, reps), np.repeat(month_idx, reps)
    n = len(unit_idx)
    received = pd.Series(months[month_idx]) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    resolved = received + pd.to_timedelta(rng.integers(0, 15, n), unit="D")
    end = months[-1] + pd.offsets.MonthEnd(0)
    return pd.DataFrame(
        {
            "contact_id": [f"P{m:%y%m}-{i:06d}" for i, m in enumerate(received)],
            "unit_id": wards["unit_id"].to_numpy()[unit_idx],
            "received": received.dt.date,
            "theme": rng.choice(["Communications", "Appointments", "Waiting times", "Patient care", "Staff"], n),
            "resolved": resolved.where(resolved <= end).dt.date,
        }
    )


_IP_QUESTIONS = [
    ("Q20", "Involved as much as wanted in decisions about care", 7.4),
    ("Q25", "Treated with respect and dignity", 9.0),
    ("Q13", "Enough nurses on duty", 6.8),
    ("Q36", "Told about medication side effects", 5.3),
    ("Q45", "Overall experience", 8.1),
]
_STAFF_QUESTIONS = [
    ("Q25a", "Care of patients is my organisation's top priority", 75.0, 73.0),
    ("Q25c", "Feedback from patients is used to make informed decisions in my team", 63.0, 65.0),
    ("Q25d", "I would recommend my organisation as a place to work", 60.0, 61.0),
]


def _inpatient_survey(years, rng):
    rows = []
    for y in years:
        for qid, q, base in _IP_QUESTIONS:
            score = round(min(10, base + rng.normal(0, 0.15)), 1)
            band = "about_the_same" if qid != "Q20" else "worse"
            rows.append(dict(unit_id=TRUST_ID, year=y, question_id=qid, question=q, score=score, peer_band=band))
    return pd.DataFrame(rows)


def _staff_survey(years, rng):
    rows = []
    for unit in [TRUST_ID, *DIVISIONS]:
        for y in years:
            for qid, q, base, peer in _STAFF_QUESTIONS:
                rows.append(
                    dict(
                        unit_id=unit,
                        year=y,
                        question_id=qid,
                        question=q,
                        percent_positive=round(base + rng.normal(0, 2), 1),
                        peer_median=peer,
                    )
                )
    return pd.DataFrame(rows)


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
            counts.update(store.counts())

    replace_file_atomically(build, database)
    return counts
