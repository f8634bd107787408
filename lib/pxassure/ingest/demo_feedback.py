"""The demo trust's feedback records: complaints, PALS contacts, FFT comments and surveys.

Split from :mod:`pxassure.ingest.demo`, which decides how many there are and where the
planted signals sit; these functions turn those counts into the rows a source system
would export. They draw from the generator they are given, in a fixed order, so the
same seed always gives the same trust.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pxassure.ingest.columns import KO41A_SUBJECTS


def working_days_later(start: pd.Series, days: np.ndarray) -> pd.Series:
    return pd.Series(np.busday_offset(start.to_numpy().astype("datetime64[D]"), days, roll="forward"))


def complaints(wards, months, counts, rng):
    unit_idx, month_idx = np.nonzero(counts)
    reps = counts[unit_idx, month_idx]
    unit_idx, month_idx = np.repeat(unit_idx, reps), np.repeat(month_idx, reps)
    n = len(unit_idx)
    received = pd.Series(months[month_idx]) + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    target = rng.choice([25, 40, 60], n, p=[0.6, 0.3, 0.1])
    took = np.maximum(5, (target * rng.lognormal(-0.05, 0.35, n)).astype(int))
    closed = working_days_later(received, took)
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
            "acknowledged": working_days_later(received, rng.integers(0, 5, n)).dt.date,
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
COMMENT_TEXT = {
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


def comments(wards, months, p_pos, rng, surge_ward: str, theme_surge: tuple):
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
    texts = _comment_texts(sentiment, settings, rng)
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
    if surge_ward in set(wards["unit_id"]):
        frame = pd.concat([frame, _surge(surge_ward, months, theme_surge)], ignore_index=True)
    return frame


def _comment_texts(sentiment: np.ndarray, settings: np.ndarray, rng: np.random.Generator) -> list[str]:
    """One comment per tone drawn from the templates, with a person, phone or e-mail filled in."""
    # Openings and closings vary the wording as people do; drawn from their own generator, so the
    # trust's figures (drawn from ``rng``) do not change with them.
    variety = np.random.default_rng(20261)
    texts = []
    for i in range(len(sentiment)):
        template, _ = COMMENT_TEXT[sentiment[i]][int(rng.integers(0, len(COMMENT_TEXT[sentiment[i]])))]
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
    return texts


#: The tone a person gives each kind of demo comment (1 very positive … 5 very negative).
_PERSON_SENTIMENT = {"positive": 1, "neutral": 3, "negative": 4}


def person_coding(text: str) -> tuple[str, int] | None:
    """The theme and sentiment a person gives a demo comment (its template's), or None for a text
    that is not the demo's: how the demo's reviewer checks the classifier."""
    if text in _STAFFING:
        return "Number & deployment of staff", 4
    for tone, templates in COMMENT_TEXT.items():
        for template, label in templates:
            fixed = max(re.split(r"\{\w+\}", template), key=len).strip().lower()
            if fixed and fixed in text.lower():
                return label, _PERSON_SENTIMENT[tone]
    return None


def _surge(ward: str, months: pd.DatetimeIndex, theme_surge: tuple) -> pd.DataFrame:
    """The planted staffing comments on one ward over the last months (no labels, as extracted)."""
    _, surge_months, per_month = theme_surge
    return pd.DataFrame(
        [
            {
                "comment_id": f"F8{k:02d}{j:04d}",
                "unit_id": ward,
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


def pals(wards, months, counts, rng):
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


def inpatient_survey(trust_id: str, years, rng):
    rows = []
    for y in years:
        for qid, q, base in _IP_QUESTIONS:
            score = round(min(10, base + rng.normal(0, 0.15)), 1)
            band = "about_the_same" if qid != "Q20" else "worse"
            rows.append(dict(unit_id=trust_id, year=y, question_id=qid, question=q, score=score, peer_band=band))
    return pd.DataFrame(rows)


def staff_survey(units: list[str], years, rng):
    rows = []
    for unit in units:
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
