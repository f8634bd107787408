"""The demo trust's records of listening and acting: stories, involvement, "you said, we did", work plan.

Drawn from a generator of their own (not the one the trust's figures come from), so adding or
changing these records never moves a single FFT count, complaint or chart in the demo. Planted
for the papers to find (see :data:`pxassure.ingest.demo.PLANTED`): a board meeting with no story
recorded, a story action overdue, a quarter whose participants' satisfaction fell below 90 %, and
a commitment off track.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_STORIES = [
    (
        "MED",
        "in person",
        "Interaction with family/ carers",
        "A daughter felt her father's confusion was not explained to the family.",
    ),
    ("SUR", "film", "Timeliness of care", "A patient waited nine hours on a trolley before a bed was found."),
    (
        "WAC",
        "in person",
        "Staff listening, understanding & involving patients",
        "A mother described being told conflicting things about her baby's feeding plan.",
    ),
    ("COM", "written", "Staff responsiveness", "A man could not reach the clinic by phone to change his appointment."),
    (
        "MED",
        "in person",
        "Interaction with family/ carers",
        "A carer was not asked about his wife's routines before her discharge.",
    ),
    (
        "SUR",
        "written",
        "Supplying & understanding medication",
        "A patient went home without knowing which tablets were new.",
    ),
]
_ACTIONS = [
    "Ward staff to use the carer's passport on admission",
    "Review of the escalation route for long trolley waits",
    "One written feeding plan shared with parents at each handover",
    "Direct-dial line and text reminders for outpatient clinics",
    "Discharge checklist to ask about the carer's role",
    "Pharmacist to explain new medicines before discharge",
]
_OWNERS = ["Divisional Director of Nursing", "Head of Patient Experience", "Matron", "Deputy Chief Nurse"]
_KINDS = [
    ("patient panel", "Outpatient appointment letters"),
    ("focus group", "The new discharge lounge"),  # no co-design: 19B's planted evidence gap
    ("Healthwatch visit", "Emergency department waiting area"),
    ("focus group", "Maternity continuity of carer"),
    ("community event", "Community services' opening hours"),
    ("15 Steps", "Ward environment on older people's wards"),
    ("consultation", "The patient experience strategy's priorities"),
    ("membership event", "Governors' members' open day"),
]
_GROUPS = [
    "carers",
    "young people",
    "people with a learning disability",
    "Gypsy, Roma and Traveller communities",
    "people whose first language is not English",
    "older people",
    "homeless people",
]
_YSWD = [
    (
        "complaint subject",
        "Communication",
        "We could not get through to the ward on the phone.",
        "A ward mobile for families, answered by the nurse in charge.",
        None,
    ),
    (
        "comment theme",
        "Pain management",
        "Waits for pain relief at night were too long.",
        "Pain scores checked at the night safety huddle.",
        "fft_positive",
    ),
    (
        "patient story",
        None,
        "Families were not told about changes in a confused parent.",
        "A carer's passport offered on every admission.",
        None,
    ),
    (
        "survey question",
        "Q36",
        "Nobody told me about the side effects of my new medicines.",
        "Pharmacists explain new medicines at discharge.",
        None,
    ),
    (
        "involvement activity",
        None,
        "Appointment letters were hard to understand.",
        "Letters rewritten with the patient panel in plain English.",
        None,
    ),
    (
        "comment theme",
        "Number & deployment of staff",
        "There were not enough nurses at night.",
        "Night staffing reviewed and two vacancies filled.",
        "fft_positive",
    ),
]
_COMMITMENTS = [
    (
        "S1",
        "Every board meeting hears a patient story, with its actions followed up",
        "Chief Nurse",
        "story at each board",
    ),
    (
        "S2",
        "Participants' satisfaction with involvement of at least 90 %",
        "Head of Patient Experience",
        "satisfaction ≥ 90 %",
    ),
    ("S3", "Reach two seldom-heard groups each quarter", "Head of Patient Experience", "groups reached"),
    ("S4", "Respond to 85 % of complaints within the agreed time", "Head of Complaints", "complaints in time"),
    ("S5", "Work with Healthwatch on two enter-and-view visits a year", "Director of Communications", "visits held"),
    (
        "S6",
        "Publish 'you said, we did' on every ward's board monthly",
        "Divisional Directors of Nursing",
        "wards publishing",
    ),
]


def records(trust_id: str, divisions: list[str], months: pd.DatetimeIndex, planted: dict, seed: int):
    """Stories, involvement, "you said, we did" and the work plan, as {table: rows}."""
    rng = np.random.default_rng([seed, 31])
    return {
        "patient_stories": stories(trust_id, months, planted, rng),
        "involvement_activities": involvement(trust_id, divisions, months, planted, rng),
        "you_said_we_did": you_said_we_did(trust_id, divisions, months, rng),
        "strategy_commitments": commitments(months, planted, rng),
    }


def stories(trust_id: str, months: pd.DatetimeIndex, planted: dict, rng: np.random.Generator) -> pd.DataFrame:
    """A story at each monthly board meeting over the last year (but the planted month) and at every
    other month's Patient Experience Committee, each with the action agreed and when it comes back."""
    rows = []
    end = months[-1] + pd.offsets.MonthEnd(0)
    no_story = pd.Timestamp(planted["no_story_month"] + "-01")
    meetings = [(m, "board") for m in months[-12:] if m != no_story]
    meetings += [(m, "patient_experience") for m in months[-12::2]]
    for k, (month, meeting) in enumerate(sorted(meetings)):
        division, told, theme, showed = _STORIES[k % len(_STORIES)]
        story_id = f"ST{k:03d}"
        heard = month + pd.Timedelta(days=int(rng.integers(6, 20)))
        due = heard + pd.DateOffset(months=3)
        status = "in progress" if story_id == planted["overdue_story"] or due > end else "completed"
        rows.append(
            {
                "story_id": story_id,
                "heard_on": heard.date(),
                "meeting": meeting,
                "unit_id": division if k % 4 else trust_id,
                "told_by": told,
                "consent_recorded": True,
                "themes": theme,
                "showed": showed,
                "action": _ACTIONS[k % len(_ACTIONS)],
                "action_owner": _OWNERS[int(rng.integers(0, len(_OWNERS)))],
                "action_due": due.date(),
                "action_status": status,
                "follow_up": (due + pd.offsets.MonthBegin(0)).date(),
            }
        )
    return pd.DataFrame(rows)


def involvement(trust_id: str, divisions: list[str], months: pd.DatetimeIndex, planted: dict, rng) -> pd.DataFrame:
    """Two or three activities a month over the last year, with reach and participants' satisfaction;
    the planted quarter's satisfaction falls below the strategy's 90 %."""
    low = pd.Period(planted["low_satisfaction_quarter"], freq="Q")
    rows = []
    for month in months[-12:]:
        for j in range(int(rng.integers(2, 4))):
            kind, informed = _KINDS[int(rng.integers(0, len(_KINDS)))]
            people = int(rng.integers(6, 40))
            asked = int(rng.binomial(people, 0.8))
            rate = 0.8 if pd.Period(month, freq="Q") == low else 0.97
            groups = rng.choice(_GROUPS, int(rng.integers(0, 3)), replace=False)
            rows.append(
                {
                    "activity_id": f"IA{month:%y%m}{j}",
                    "held_on": (month + pd.Timedelta(days=int(rng.integers(0, 27)))).date(),
                    "unit_id": trust_id if kind in ("consultation", "membership event") else str(rng.choice(divisions)),
                    "kind": kind,
                    "informed": informed,
                    "groups_reached": "|".join(groups) or None,
                    "participants": people,
                    "satisfaction_asked": asked,
                    "satisfied": int(rng.binomial(asked, rate)),
                    "learned": f"What participants said about {informed[0].lower() + informed[1:]}.",
                    "changed": None
                    if rng.random() < 0.3
                    else f"Changes agreed to {informed[0].lower() + informed[1:]}.",
                }
            )
    return pd.DataFrame(rows)


def you_said_we_did(trust_id: str, divisions: list[str], months: pd.DatetimeIndex, rng) -> pd.DataFrame:
    """Things patients said and what the trust did, some naming the measure that should show it."""
    rows = []
    for k, (said_in, reference, said, did, measure) in enumerate(_YSWD):
        month = months[-12 + 2 * k]
        rows.append(
            {
                "item_id": f"YS{k:03d}",
                "recorded_on": (month + pd.Timedelta(days=int(rng.integers(0, 27)))).date(),
                "unit_id": trust_id if k % 3 == 0 else divisions[k % len(divisions)],
                "said_in": said_in,
                "reference": reference,
                "you_said": said,
                "we_did": did,
                "measure": measure,
                "change_from": (month + pd.DateOffset(months=1)).date() if measure else None,
            }
        )
    return pd.DataFrame(rows)


def commitments(months: pd.DatetimeIndex, planted: dict, rng) -> pd.DataFrame:
    """The work plan's status at each quarter's end over the last year; the planted commitment off track."""
    quarter_ends = [m for m in months[-12:] if m.month in (3, 6, 9, 12)]
    rows = []
    for cid, text, owner, milestone in _COMMITMENTS:
        due = quarter_ends[-1] + pd.DateOffset(months=int(rng.integers(3, 15)))
        for q in quarter_ends:
            status = "on track" if rng.random() < 0.8 else "at risk"
            if cid == planted["off_track_commitment"] and q == quarter_ends[-1]:
                status = "off track"
            rows.append(
                {
                    "commitment_id": cid,
                    "commitment": text,
                    "owner": owner,
                    "due": (due + pd.offsets.MonthEnd(0)).date(),
                    "milestone": milestone,
                    "reported_month": q.date(),
                    "status": status,
                    "evidence": f"Quarterly update to the Patient Experience Committee, {q:%B %Y}.",
                }
            )
    return pd.DataFrame(rows)
