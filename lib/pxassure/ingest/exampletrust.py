"""An example trust's own exports, in the shapes its source systems produce, and the sources file
that maps them onto pxassure's tables.

North Vale Hospitals NHS Trust is fictional. Unlike the demo trust, its files are not laid out
for pxassure: a Datix-style incident export (one row per incident, day-first dates, 'Result /
Harm' in Datix's words, non-ward locations, ungraded and duplicated rows), a complaints-system
export (Excel serial numbers among the dates, its own subject spellings, 'Withdrawn', PHSO
referral Y/N), a PALS log workbook with title rows, e-rostering hours (one row per ward, month,
shift and staff group), the FFT provider's monthly counts (months as 'Nov-24'), PAS bed days
(periods as 202411, codes with trailing spaces) and FFT comments with their question and answer.
Each system names the 13 wards its own way; wards sit directly under divisions; one ward was
renamed, one closed and its name reused by a new ward; one ward's FFT month is missing and two
are '*' as NHS England publishes a count of 1 to 4; the self-assessment is the trust's only.

``write(folder)`` writes the extracts, ``locations.csv``, ``org_units.csv``, ``committees.csv``
and ``trust.yaml``; ``pxassure load --sources trust.yaml`` then loads them with no code
(``docs/own-data.md`` walks through it). Seeded and deterministic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.ingest import catalogue

TRUST = ("NVH", "North Vale Hospitals NHS Trust")
DIVISIONS = {"MED": "Medicine", "SURG": "Surgery", "WCS": "Women's and Children's"}
END_MONTH = "2026-10"
MONTHS = 24
#: code, division, name in the trust's own org chart, service type, opened, closed
WARDS = [
    ("AMU", "MED", "Acute Medical Unit", "inpatient", None, None),
    ("W07", "MED", "Ward 7 Respiratory", "inpatient", None, None),
    ("W08", "MED", "Ward 8 Cardiology", "inpatient", None, None),
    ("W12", "MED", "Ward 12 Elderly Care", "inpatient", None, "2025-12"),
    ("W12S", "MED", "Ward 12 Stroke", "inpatient", "2026-02", None),
    ("ED", "MED", "Emergency Department", "ae", None, None),
    ("BCH", "SURG", "Beech Surgical Ward", "inpatient", None, None),
    ("OAK", "SURG", "Oak Ward", "inpatient", None, None),
    ("ELM", "SURG", "Elm Ward", "inpatient", None, None),
    ("DSU", "SURG", "Day Surgery Unit", "day_case", None, None),
    ("MAT", "WCS", "Maternity Ward", "maternity", None, None),
    ("CHW", "WCS", "Children's Ward", "inpatient", None, None),
    ("NNU", "WCS", "Neonatal Unit", "inpatient", None, None),
]
#: Beech Ward became Beech Surgical Ward from this month (every system renamed it).
RENAMED = ("BCH", "Beech Ward", "2025-09")
#: The FFT provider has no row for this ward and month.
MISSING_FFT = ("OAK", "2026-03")
#: Ward-months whose counts the analyst copied from NHS England's published files, which show '*'
#: for a ward with 1 to 4 responses (the report month for the neonatal unit).
SUPPRESSED_FFT = {("NNU", "2026-10"), ("DSU", "2025-07")}

# Each system's own name for a ward: {system: {unit: name}}; the closed and new Ward 12 share one
# name in the complaints system, told apart by date.
_NAMES = {
    "datix": lambda code, name: f"NVH - {name}",
    "complaints": lambda code, name: "Ward 12" if code.startswith("W12") else name,
    "pals": lambda code, name: name.upper().replace("WARD ", "WD "),
    "roster": lambda code, name: f"{code} {name}",
    "fft": lambda code, name: f"North Vale {name}",
    "pas": lambda code, name: f"NV-{code}",
}
_NON_WARD = ["NVH - Car Park", "NVH - Main Entrance", "NVH - Pharmacy Stores"]
_HARM = {"No harm": 0.70, "Low harm": 0.23, "Moderate harm": 0.05, "Severe harm": 0.015, "Death": 0.005}
# The systems' own spellings; what each means in pxassure's words is said once, in SOURCES_FILE.
_SUBJECTS = (
    "Communication",
    "Clinical Treatment",
    "Attitude of staff",
    "Waiting Times",
    "Discharge arrangements",
    "Appointments",
    "Patient Care (incl. nutrition)",
    "Privacy and dignity",
)
_OUTCOMES = ("Upheld", "Partially Upheld", "Not Upheld", "Withdrawn")
_PALS_THEMES = ("Comms", "Care and treatment", "Staff attitude", "Delays", "Discharge", "Property lost")
_ANSWERS = ["Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]
_QUESTIONS = ["What did we do well?", "What could we do better?"]
_COMMENTS = {
    "What did we do well?": [
        "The nurses were kind and explained everything.",
        "Excellent care from admission to discharge.",
        "Good communication about my discharge.",
        "Staff were friendly and the ward was very clean.",
        "The doctor took time to listen to my worries.",
    ],
    "What could we do better?": [
        "It was very noisy at night and I could not sleep.",
        "I waited a long time for my medication.",
        "There were not enough staff on the weekend.",
        "The food was cold when it arrived.",
        "Nobody told me when I would be going home.",
    ],
}
_NON_COMMENTS = ["N/A", "None", "-", "", "no comment"]  # "" a box left blank


def month_range(months: int = MONTHS, end: str = END_MONTH) -> pd.DatetimeIndex:
    return pd.date_range(end=pd.Timestamp(end), periods=months, freq="MS")


def open_months(code: str, months: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The months a ward was open."""
    _, _, _, _, opened, closed = next(w for w in WARDS if w[0] == code)
    keep = np.ones(len(months), dtype=bool)
    if opened:
        keep &= months >= pd.Timestamp(opened)
    if closed:
        keep &= months <= pd.Timestamp(closed)
    return months[keep]


def system_name(system: str, code: str, month: pd.Timestamp) -> str:
    """What ``system`` called the ward in ``month`` (the renamed ward's old name before the rename)."""
    name = next(w[2] for w in WARDS if w[0] == code)
    if code == RENAMED[0] and month < pd.Timestamp(RENAMED[2]):
        name = RENAMED[1]
    return _NAMES[system](code, name)


def locations() -> pd.DataFrame:
    """The shared look-up the analyst writes: every system's names, the reused one by date."""
    rows = []
    for code, *_ in WARDS:
        for system in _NAMES:
            names = {
                system_name(system, code, pd.Timestamp("2025-01-01")),
                system_name(system, code, pd.Timestamp(END_MONTH)),
            }
            for name in sorted(names):
                row = {"name": name, "unit": code, "from": "", "to": "", "skip": ""}
                if system == "complaints" and code == "W12":
                    row["to"] = "2026-01"
                if system == "complaints" and code == "W12S":
                    row["from"] = "2026-02"
                if row not in rows:
                    rows.append(row)
    rows += [{"name": n, "unit": "", "from": "", "to": "", "skip": "not a ward"} for n in _NON_WARD]
    return pd.DataFrame(rows)


def org_units() -> pd.DataFrame:
    rows = [
        dict(unit_id=TRUST[0], name=TRUST[1], level="trust", parent_id="", site="", service_type="", lead="Chief Nurse")
    ]
    for code, name in DIVISIONS.items():
        rows.append(
            dict(
                unit_id=code,
                name=name,
                level="division",
                parent_id=TRUST[0],
                site="",
                service_type="",
                lead=f"Head of Nursing, {name}",
            )
        )
    for code, div, name, service, opened, closed in WARDS:
        rows.append(
            dict(
                unit_id=code,
                name=name,
                level="ward",
                parent_id=div,
                site="North Vale General",
                service_type=service,
                lead=f"Ward manager, {name}",
                opened=opened or "",
                closed=closed or "",
                former_name=RENAMED[1] if code == RENAMED[0] else "",
                renamed=RENAMED[2] if code == RENAMED[0] else "",
            )
        )
    return pd.DataFrame(rows)


def committees() -> pd.DataFrame:
    t = TRUST[0]
    rows = [
        ("BOARD", "Trust Board", "board", "", t, "monthly"),
        ("QGC", "Quality Committee", "board_quality", "BOARD", t, "bimonthly"),
        ("EQC", "Executive Quality Committee", "executive_quality", "QGC", t, "monthly"),
        ("PEC", "Patient Experience Committee", "patient_experience", "EQC", t, "bimonthly"),
    ]
    return pd.DataFrame(rows, columns=["committee_id", "name", "layer", "reports_to", "scope_unit_id", "cadence"])


def _uk(day: pd.Timestamp) -> str:
    return f"{day:%d/%m/%Y}"


def _days_in(month: pd.Timestamp, n: int, rng) -> list[pd.Timestamp]:
    return [month + pd.Timedelta(days=int(d)) for d in rng.integers(0, month.days_in_month, n)]


def _incidents(months, rng) -> pd.DataFrame:
    rows = []
    for code, *_ in WARDS:
        for month in open_months(code, months):
            for day in _days_in(month, int(rng.poisson(9)), rng):
                harm = rng.choice(list(_HARM), p=list(_HARM.values()))
                graded = rng.random() > 0.03
                rows.append([day, system_name("datix", code, month), harm if graded else ""])
    for month in months:
        for day in _days_in(month, int(rng.poisson(1.5)), rng):
            rows.append([day, _NON_WARD[int(rng.integers(0, len(_NON_WARD)))], "No harm"])
    frame = pd.DataFrame(rows, columns=["day", "Location (exact)", "Result / Harm"]).sort_values("day", kind="stable")
    frame.insert(0, "Ref", [f"W{100000 + i}" for i in range(len(frame))])
    frame.insert(1, "Incident date", frame.pop("day").map(_uk))
    frame["Location (exact)"] = frame["Location (exact)"].where(
        rng.random(len(frame)) > 0.1, frame["Location (exact)"] + " "
    )
    frame["Incident category"] = rng.choice(["Falls", "Medication", "Pressure ulcer", "Care delivery"], len(frame))
    dupes = frame.sample(n=12, random_state=int(rng.integers(1 << 30)))
    return pd.concat([frame, dupes]).reset_index(drop=True)


def _complaints(months, rng) -> pd.DataFrame:
    rows = []
    for code, *_ in WARDS:
        for month in open_months(code, months):
            for day in _days_in(month, int(rng.poisson(1.2)), rng):
                due = day + pd.offsets.BDay(25)
                sent = day + pd.offsets.BDay(int(rng.integers(10, 45)))
                closed = sent <= pd.Timestamp(END_MONTH) + pd.offsets.MonthEnd(0)
                outcome = rng.choice(list(_OUTCOMES), p=[0.3, 0.35, 0.3, 0.05]) if closed else ""
                received = _uk(day) if rng.random() > 0.15 else str((day - pd.Timestamp("1899-12-30")).days)
                rows.append(
                    [
                        received,
                        _uk(day + pd.offsets.BDay(2)),
                        _uk(due),
                        _uk(sent) if closed else "",
                        system_name("complaints", code, month),
                        _SUBJECTS[int(rng.integers(0, len(_SUBJECTS)))],
                        outcome,
                        "Y" if rng.random() < 0.03 else "N",
                        "N",
                    ]
                )
    frame = pd.DataFrame(
        rows,
        columns=[
            "Date received",
            "Date acknowledged",
            "Response due",
            "Date response sent",
            "Location",
            "Primary subject",
            "Outcome",
            "PHSO referral",
            "Reopened",
        ],
    )
    frame.insert(0, "Complaint ref", [f"COM-{2400 + i}" for i in range(len(frame))])
    return frame


def _pals(months, rng) -> pd.DataFrame:
    rows = []
    for code, *_ in WARDS:
        for month in open_months(code, months):
            for day in _days_in(month, int(rng.poisson(3)), rng):
                closed = day + pd.Timedelta(days=int(rng.integers(0, 20)))
                rows.append(
                    [
                        day.date(),
                        system_name("pals", code, month),
                        _PALS_THEMES[int(rng.integers(0, len(_PALS_THEMES)))],
                        closed.date() if closed <= pd.Timestamp(END_MONTH) else None,
                    ]
                )
    frame = pd.DataFrame(rows, columns=["Date opened", "Ward/Dept", "Issue category", "Date closed"])
    frame.insert(0, "Case ID", [f"P{5000 + i}" for i in range(len(frame))])
    return pd.concat([frame, frame.iloc[[3]]]).reset_index(drop=True)  # one row exported twice


def _roster(months, rng) -> pd.DataFrame:
    rows = []
    for code, _, _, service, _, _ in WARDS:
        if service not in ("inpatient", "day_case"):
            continue
        for month in open_months(code, months):
            for shift in ("Day", "Night") if service == "inpatient" else ("Day",):  # day surgery: no nights
                for group in ("Registered", "Unregistered"):
                    planned = float(rng.integers(1200, 2400) if shift == "Day" else rng.integers(900, 1600))
                    actual = round(planned * rng.uniform(0.82, 1.05), 1)
                    rows.append([system_name("roster", code, month), f"{month:%b-%y}", shift, group, planned, actual])
    return pd.DataFrame(rows, columns=["Ward", "Month", "Shift", "Staff group", "Planned hours", "Actual hours"])


def _fft(months, rng) -> pd.DataFrame:
    rows = []
    for code, *_ in WARDS:
        for month in open_months(code, months):
            if (code, f"{month:%Y-%m}") == MISSING_FFT:
                continue
            eligible = int(rng.integers(120, 400))
            responses = int(eligible * rng.uniform(0.15, 0.35))
            counts = rng.multinomial(responses, [0.62, 0.25, 0.05, 0.03, 0.03, 0.02]).tolist()
            if (code, f"{month:%Y-%m}") in SUPPRESSED_FFT:
                counts = ["*"] * len(counts)
            rows.append([system_name("fft", code, month), f"{month:%b-%y}", *counts, eligible])
    return pd.DataFrame(rows, columns=["Ward", "Month", *_ANSWERS, "Eligible"])


def _comments(months, rng) -> pd.DataFrame:
    rows = []
    for code, *_ in WARDS:
        for month in open_months(code, months)[-6:]:
            for day in _days_in(month, int(rng.integers(2, 6)), rng):
                question = _QUESTIONS[int(rng.integers(0, 2))]
                text = (_NON_COMMENTS + _COMMENTS[question])[int(rng.integers(0, 10))]
                answer = _ANSWERS[0 if question == _QUESTIONS[0] else int(rng.integers(0, 5))]
                rows.append([_uk(day), system_name("fft", code, month), question, text, answer])
    frame = pd.DataFrame(rows, columns=["Response date", "Ward", "Question", "Comment", "Rating"])
    frame.insert(0, "Response ID", [f"R{90000 + i}" for i in range(len(frame))])
    return frame


def _bed_days(months, rng) -> pd.DataFrame:
    rows = []
    for code, _, _, service, _, _ in WARDS:
        for month in open_months(code, months):
            beds = int(rng.integers(18, 30)) * month.days_in_month if service not in ("ae", "day_case") else ""
            attendances = int(rng.integers(300, 900)) if service in ("ae", "day_case", "maternity") else ""
            rows.append([system_name("pas", code, month) + "  ", f"{month:%Y%m}", beds, attendances])
    return pd.DataFrame(rows, columns=["Ward Code", "Period", "Occupied bed days", "Attendances"])


#: What the example trust plans for a requirement it has not fully met, and who owns it: a few
#: kinds of action, as a real self-assessment holds, not one sentence repeated.
_ACTIONS = (
    ("Run a patient panel on this and report its findings to the committee.", "Head of Patient Experience"),
    ("Add this to the ward accreditation checklist and audit it quarterly.", "Deputy Chief Nurse"),
    ("Train ward managers and report attendance to the committee.", "Head of Nursing Education"),
    ("Publish a 'you said, we did' board on each ward and review it monthly.", "Patient Experience Lead"),
    ("Agree a measure with the information team and add it to the dashboard.", "Head of Performance"),
)


def _self_assessment(months) -> pd.DataFrame:
    """The trust's own quarterly self-assessment only (no division assessed): scores that move by
    a point at most between quarters, as boards' scores do, one that falls by two in the last
    quarter (an assurance gap), and in the first quarter a few requirements not yet assessed."""
    cat = catalogue.catalogue()
    quarters = [m for m in months if m.month in (3, 6, 9, 12)][-4:]
    rows = []
    for i, req in enumerate(cat["requirement"]):
        score = 2 + (i * 7) % 3  # 2 to 4 at the first assessment
        for q, month in enumerate(quarters):
            if q:
                score = min(5, max(0, score + ((i + 3 * q) % 7 == 0) - ((i * 5 + q) % 11 == 0)))
            if q == len(quarters) - 1 and req == "15B":
                score = max(0, score - 2)  # the board is told of it: a score that fell by two
            blank = q == 0 and i % 13 == 5  # not yet assessed in the first quarter
            action, owner = _ACTIONS[(i + q) % len(_ACTIONS)]
            planned = not blank and score < 5
            rows.append(
                dict(
                    unit_id=TRUST[0],
                    assessed_month=f"{month:%Y-%m}",
                    requirement=req,
                    score=None if blank else score,
                    current_position="Reviewed at the Patient Experience Committee.",
                    planned_action=action if planned else "",
                    owner=owner if planned else "",
                    due_date=f"{month + pd.DateOffset(months=3 + (i % 4) * 3):%Y-%m-%d}" if planned else "",
                    good_looks_like="",
                )
            )
    frame = pd.DataFrame(rows)
    frame["score"] = frame["score"].astype("Int64")
    return frame


SOURCES_FILE = """\
# North Vale Hospitals NHS Trust (fictional): how its own exports map onto pxassure's tables.
#   pxassure load --sources trust.yaml --check --database data/nvh.duckdb   (what would load)
#   pxassure load --sources trust.yaml --database data/nvh.duckdb
locations: locations.csv          # every system's location names -> unit codes (reused names by date)
holidays: [2024-12-25, 2024-12-26, 2025-01-01, 2025-04-18, 2025-04-21, 2025-05-05, 2025-05-26,
           2025-08-25, 2025-12-25, 2025-12-26, 2026-01-01, 2026-04-03, 2026-04-06, 2026-05-04,
           2026-05-25, 2026-08-31]   # England's bank holidays: not working days
extracts:
  organisation:
    file: org_units.csv
    table: org_units
    columns: {unit_id: unit_id, name: name, level: level, parent_id: parent_id, site: site,
              service_type: service_type, lead: lead, opened: opened, closed: closed,
              former_name: former_name, renamed: renamed}
  committees:
    file: committees.csv
    table: committees
    columns: {committee_id: committee_id, name: name, layer: layer, reports_to: reports_to,
              scope_unit_id: scope_unit_id, cadence: cadence}
  incidents:
    file: datix_incidents.csv
    table: incidents
    aggregate: true               # one row per incident -> unit, month and harm level
    columns:
      unit_id: {location: Location (exact)}
      month: Incident date
      harm_level: Result / Harm
      incidents: {count: rows}
    values:
      harm_level: {No harm: no_harm, Low harm: low, Moderate harm: moderate, Severe harm: severe, Death: death}
    skip:
      - {column: Result / Harm, blank: true, reason: not yet graded}
  complaints:
    file: complaints_export.csv
    table: complaints
    columns:
      complaint_id: Complaint ref
      unit_id: {location: Location}
      received: Date received
      acknowledged: Date acknowledged
      closed: Date response sent
      primary_subject: Primary subject
      outcome: Outcome
      reopened: Reopened
      target_working_days: {working_days: [Date received, Response due]}
      ombudsman: PHSO referral
    values:
      primary_subject: &subjects
        Communication: Communications
        Clinical Treatment: Clinical treatment
        Attitude of staff: Staff
        Waiting Times: Waiting times
        Discharge arrangements: Admissions, discharges and transfers
        Patient Care (incl. nutrition): Patient care
        Privacy and dignity: Privacy, dignity and wellbeing
      outcome: {Upheld: upheld, Partially Upheld: partly_upheld, Not Upheld: not_upheld, Withdrawn: ~}
  complaint_subjects:             # each complaint's primary subject, as its only subject here
    file: complaints_export.csv
    table: complaint_subjects
    columns: {complaint_id: Complaint ref, subject: Primary subject}
    values:
      subject: *subjects
  pals:
    file: pals_log.xlsx
    sheet: PALS cases
    header_row: 3                 # two title rows above the header
    table: pals_contacts
    columns:
      contact_id: Case ID
      unit_id: {location: Ward/Dept}
      received: Date opened
      theme: Issue category
      resolved: Date closed
    values:
      theme: {Comms: Communications, Care and treatment: Clinical treatment, Staff attitude: Staff,
              Delays: Waiting times, Discharge: "Admissions, discharges and transfers",
              Property lost: Facilities services}
  staffing:
    file: roster_fill_rates.csv
    table: staffing
    aggregate: true               # a row per shift and staff group -> one row per ward and month
    columns:
      unit_id: {location: Ward}
      month: Month
      rn_day_fill: {percent: [Actual hours, Planned hours], where: {Shift: Day, Staff group: Registered}}
      rn_night_fill: {percent: [Actual hours, Planned hours], where: {Shift: Night, Staff group: Registered}}
      care_day_fill: {percent: [Actual hours, Planned hours], where: {Shift: Day, Staff group: Unregistered}}
      care_night_fill: {percent: [Actual hours, Planned hours], where: {Shift: Night, Staff group: Unregistered}}
  fft:
    file: fft_provider_monthly.csv
    table: fft_monthly
    columns:
      unit_id: {location: Ward}
      month: Month
      very_good: Very good
      good: Good
      neither: Neither good nor poor
      poor: Poor
      very_poor: Very poor
      dont_know: Don't know
      eligible: Eligible
  comments:
    file: fft_comments.csv
    table: feedback_comments
    columns:
      comment_id: Response ID
      unit_id: {location: Ward}
      month: Response date
      source: {constant: fft}
      question: Question
      text: Comment
      rating: Rating
    values:
      rating: {Very good: 1, Good: 2, Neither good nor poor: 3, Poor: 4, Very poor: 5, Don't know: 6}
  bed_days:
    file: pas_bed_days.csv
    table: activity
    columns:
      unit_id: {location: Ward Code}
      month: Period
      occupied_bed_days: Occupied bed days
      attendances: Attendances
  self_assessment:
    file: self_assessment.csv
    table: framework_scores
    columns: {unit_id: unit_id, assessed_month: assessed_month, requirement: requirement, score: score,
              current_position: current_position, planned_action: planned_action, owner: owner,
              due_date: due_date, good_looks_like: good_looks_like}
"""


def write(folder: str | Path, seed: int = 20261205) -> dict[str, Path]:
    """Write the example trust's extracts and sources file into ``folder``; return {name: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    months = month_range()
    out = {}
    csvs = {
        "org_units.csv": org_units(),
        "committees.csv": committees(),
        "locations.csv": locations(),
        "datix_incidents.csv": _incidents(months, rng),
        "complaints_export.csv": _complaints(months, rng),
        "roster_fill_rates.csv": _roster(months, rng),
        "fft_provider_monthly.csv": _fft(months, rng),
        "fft_comments.csv": _comments(months, rng),
        "pas_bed_days.csv": _bed_days(months, rng),
        "self_assessment.csv": _self_assessment(months),
    }
    for name, frame in csvs.items():
        frame.to_csv(folder / name, index=False)
        out[name] = folder / name
    out["pals_log.xlsx"] = _write_pals(folder / "pals_log.xlsx", _pals(months, rng))
    out[RECORDS_FILE] = _write_records(folder / RECORDS_FILE, months)
    (folder / "trust.yaml").write_text(SOURCES_FILE + _records_extracts(), encoding="utf-8")
    out["trust.yaml"] = folder / "trust.yaml"
    return out


def _write_pals(path: Path, frame: pd.DataFrame) -> Path:
    """The PALS log as its system exports it: a title, a run date, then the table."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "PALS cases"
    sheet.append(["PALS cases report - North Vale Hospitals"])
    sheet.append([f"Run on {END_MONTH}-30 by Patient Advice and Liaison Service"])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if (v is None or v is pd.NaT) else v for v in row])
    book.save(path)
    return path


#: The patient experience team's hand-kept records: patient stories and the strategy's work plan
#: only (no involvement or "you said, we did" record), kept in pxassure's evidence workbook.
RECORDS_FILE = "engagement_records.xlsx"
_RECORDS = ("patient_stories", "strategy_commitments")


def _write_records(path: Path, months: pd.DatetimeIndex) -> Path:
    """Stories at the board and the committee, and the work plan by quarter, as the demo draws them,
    about North Vale's own divisions: no board story in June 2026, a story's action overdue and a
    commitment off track at the latest quarter."""
    from pxassure.ingest import demo_evidence, evidence_workbook

    planted = {"no_story_month": "2026-06", "overdue_story": "ST002", "off_track_commitment": "S5"}
    rng = np.random.default_rng([20261205, 31])
    stories = demo_evidence.stories(TRUST[0], months, planted, rng)
    ours = dict(zip(["MED", "SUR", "WAC", "COM"], [*DIVISIONS, TRUST[0]]))  # the demo's divisions -> North Vale's
    stories["unit_id"] = stories["unit_id"].map(lambda u: ours.get(u, u))
    records = {"patient_stories": stories, "strategy_commitments": demo_evidence.commitments(months, planted, rng)}
    return evidence_workbook.write_template(path, records, TRUST[1], tables=_RECORDS)


def _records_extracts() -> str:
    """The sources file's entries for the hand-kept records: each sheet as pxassure's table."""
    from pxassure.ingest.evidence_schema import EVIDENCE_TABLES

    lines = []
    for table in (t for t in EVIDENCE_TABLES if t.name in _RECORDS):
        names = ", ".join(f"{c.name}: {c.name}" for c in table.input_columns)
        lines += [
            f"  {table.name}:",
            f"    file: {RECORDS_FILE}",
            f"    sheet: {table.name}",
            f"    table: {table.name}",
        ]
        lines.append(f"    columns: {{{names}}}")
    return "\n".join(lines) + "\n"
