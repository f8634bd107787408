"""The Patient experience improvement framework (NHS Improvement, June 2018).

Six sections, 23 characteristics and 57 lettered requirements (1A … 23A), each scored
0–5 by the trust. IDs and structure are the framework's own; the short titles are
pxassure's paraphrase, written to fit a table cell.
"""

from __future__ import annotations

import pandas as pd

SECTIONS: dict[int, str] = {
    1: "Leadership",
    2: "Organisational culture",
    3: "Collecting feedback",
    4: "Analysis and triangulation",
    5: "Using feedback for improvement",
    6: "Reporting and publication",
}

# characteristic number -> section number
_CHARACTERISTIC_SECTION = {
    c: s
    for s, cs in {
        1: range(1, 5),
        2: range(5, 9),
        3: range(9, 13),
        4: range(13, 17),
        5: range(17, 21),
        6: range(21, 24),
    }.items()
    for c in cs
}

# requirement ID -> short title (our words)
_REQUIREMENTS: dict[str, str] = {
    "1A": "Board-approved patient experience strategy, co-produced with patients and staff",
    "1B": "Strategy delivery plan, impact measures and annual progress review",
    "1C": "Patient and public engagement programme informs key decisions",
    "2A": "Patient experience built into all leadership development",
    "2B": "Patient feedback used in staff assessment and appraisal",
    "3A": "Executive lead reports to the board; patient stories heard at board",
    "3B": "Senior leaders visible and engaging with patients and frontline staff",
    "4A": "Clinicians shape service changes and their impact on patients",
    "4B": "Clinical engagement in acute and community settings is patient-focused",
    "4C": "Medical engagement treats experience as equal to safety and effectiveness",
    "5A": "Patient experience integrated in the organisational development strategy",
    "6A": "Staff supported to act locally on feedback; outcomes captured and reported",
    "6B": "Staff who exceed patient expectations identified and celebrated, with the board",
    "6C": "Staff involved in setting staffing levels and developing their workforce",
    "6D": "Staffing escalation processes defined and embedded",
    "6E": "Compassionate care with shared decisions and emotional, spiritual support",
    "7A": "Values co-developed with patients and staff, reflecting the NHS Constitution",
    "7B": "Values-based recruitment and appraisal",
    "8A": "Website and public communications are accessible and patient-friendly",
    "8B": "Communications tested with patients before publication",
    "8C": "Patients offered copies of correspondence in accessible formats",
    "9A": "Full participation in mandated surveys plus real-time feedback",
    "9B": "Best-practice guidance for patient experience followed",
    "10A": "Accessible complaints process, visible wherever care is given",
    "10B": "Complaints information on the website within two clicks",
    "10C": "Complainants offered meetings, supported, and asked for feedback",
    "10D": "Feedback on complaint handling routinely gathered",
    "10E": "Practice changes after complaints, and improvements are sustained",
    "11A": "Frontline teams supported to resolve concerns and share learning",
    "11B": "Duty of Candour understood and embedded",
    "11C": "Patient feedback part of staff training",
    "12A": "Patients told the many ways to give feedback, including Healthwatch",
    "12B": "Range of feedback methods to suit patients; staff encourage their use",
    "12C": "FFT response rates at or above the national average in every setting",
    "13A": "Feedback analysed systematically; themes identified and acted on",
    "13B": "Dedicated analytics support for patient experience data",
    "14A": "Reports link experience with safety and outcomes; board sees the actions",
    "15A": "Feedback gives early warning of deteriorating care",
    "15B": "Feedback used to understand variation, as part of quality improvement",
    "16A": "Teams get feedback quickly and in a usable form",
    "16B": "Frontline teams discuss feedback and use it to improve care",
    "16C": "Local learning shared and celebrated",
    "17A": "Staff trained in shared decision making",
    "17B": "Patients and families involved in and understand their care",
    "17C": "Above peer in national survey questions on involvement in decisions",
    "18A": "Systematic identification of training needs for using feedback",
    "18B": "Board and executives understand change in complex systems",
    "18C": "Consistent approach to sharing learning across the organisation",
    "19A": "Impact on patient experience assessed in every proposal",
    "19B": "Patients involved in designing service changes (co-production)",
    "20A": "Frontline staff skilled in quality improvement and tests of change",
    "20B": "All staff can contribute and act on improvement ideas",
    "20C": "Above peer on staff reporting that feedback informs decisions",
    "21A": "Quality accounts show listening, responding and resulting improvements",
    "22A": "Feedback information available and accessible to the public",
    "22B": "Communications strategy covers sharing patient experience information",
    "23A": "Co-production widely used, with examples of improvement with patients",
}


def _characteristic(requirement: str) -> int:
    return int(requirement[:-1])


def catalogue() -> pd.DataFrame:
    """All 57 requirements: columns ``section``, ``characteristic`` (int), ``requirement``, ``title``.

    ``section`` is the section's name; rows are in the framework's order.
    """
    rows = [
        {
            "section": SECTIONS[_CHARACTERISTIC_SECTION[_characteristic(req)]],
            "characteristic": _characteristic(req),
            "requirement": req,
            "title": title,
        }
        for req, title in _REQUIREMENTS.items()
    ]
    frame = pd.DataFrame(rows, columns=["section", "characteristic", "requirement", "title"])
    frame["characteristic"] = frame["characteristic"].astype(int)
    return frame


def section_number(section: str) -> int:
    """The 1-based number of a section given its name."""
    for number, name in SECTIONS.items():
        if name == section:
            return number
    raise ValueError(f"unknown framework section {section!r}: expected one of {list(SECTIONS.values())}")


def requirement_ids() -> list[str]:
    """The 57 requirement IDs in framework order."""
    return list(_REQUIREMENTS)


#: Requirements that feedback data can test directly, with the measure that tests them.
#: A high self-assessed score contradicted by the measure is an assurance gap.
EVIDENCE = {
    "12C": "fft_response_rate_vs_national",
    "15A": "fft_special_cause_concern",
    "10E": "complaints_trend",
    "17C": "inpatient_survey_involvement",
    "20C": "staff_survey_feedback_used",
}


# ---------------------------------------------------------------------------
# Analysis of self-assessment scores (pure functions on DataFrames)
# ---------------------------------------------------------------------------

HIGH_SCORE = 4  # a score this high claims the requirement is largely met


def section_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean score per unit, assessment and section (requirements not assessed are left out).

    Returns unit_id, assessed_month, period ("YYYY-MM"), section, mean_score, assessed, requirements.
    """
    cat = catalogue()[["requirement", "section"]]
    s = scores.merge(cat, on="requirement")
    g = s.groupby(["unit_id", "assessed_month", "section"], sort=False).agg(
        mean_score=("score", "mean"), assessed=("score", "count"), requirements=("requirement", "count")
    )
    out = g.reset_index()
    out["mean_score"] = out["mean_score"].astype(float)
    out["period"] = pd.to_datetime(out["assessed_month"]).dt.strftime("%Y-%m")
    order = {name: i for i, name in enumerate(SECTIONS.values())}
    return out.sort_values(
        ["unit_id", "assessed_month", "section"], key=lambda c: c.map(order) if c.name == "section" else c
    ).reset_index(drop=True)


def score_changes(scores: pd.DataFrame, unit_id: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each requirement's latest score (assessed on or before ``as_of``) against the previous one.

    Returns requirement, title, section, previous, latest, change, latest_month.
    """
    s = scores[(scores["unit_id"] == unit_id) & (pd.to_datetime(scores["assessed_month"]) <= as_of)]
    months = sorted(pd.to_datetime(s["assessed_month"]).unique())
    cat = catalogue()
    if not months:
        return cat.assign(previous=pd.NA, latest=pd.NA, change=pd.NA, latest_month=pd.NaT)
    latest_m = months[-1]
    latest = s[pd.to_datetime(s["assessed_month"]) == latest_m].set_index("requirement")["score"]
    if len(months) > 1:
        previous = s[pd.to_datetime(s["assessed_month"]) == months[-2]].set_index("requirement")["score"]
    else:
        previous = pd.Series(dtype="Int64")
    out = cat.copy()
    out["previous"] = out["requirement"].map(previous).astype("Int64")
    out["latest"] = out["requirement"].map(latest).astype("Int64")
    out["change"] = (out["latest"] - out["previous"]).astype("Int64")
    out["latest_month"] = latest_m
    return out


def assurance_gaps(changes: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Requirements where the self-assessment is not assured.

    ``changes`` comes from :func:`score_changes`; ``evidence`` has requirement, supports
    (bool) and statement (what the data show). A gap is a score of 4 or 5 that the
    evidence contradicts, or a score that fell by 2 or more since the last assessment.
    Returns requirement, title, latest, previous, gap, detail.
    """
    rows = []
    ev = evidence.set_index("requirement") if len(evidence) else pd.DataFrame(columns=["supports", "statement"])
    for r in changes.itertuples(index=False):
        if (
            r.requirement in ev.index
            and not bool(ev.loc[r.requirement, "supports"])
            and not pd.isna(r.latest)
            and r.latest >= HIGH_SCORE
        ):
            rows.append(
                (
                    r.requirement,
                    r.title,
                    r.latest,
                    r.previous,
                    "contradicted by data",
                    f"Self-assessed {r.latest}/5, but {ev.loc[r.requirement, 'statement']}",
                )
            )
        if not pd.isna(r.change) and r.change <= -2:
            rows.append(
                (
                    r.requirement,
                    r.title,
                    r.latest,
                    r.previous,
                    "score fell",
                    f"Score fell from {r.previous} to {r.latest} since the previous assessment.",
                )
            )
    return pd.DataFrame(rows, columns=["requirement", "title", "latest", "previous", "gap", "detail"])
