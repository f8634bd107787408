"""The Patient experience improvement framework's catalogue (NHS Improvement, June 2018).

Six sections, 23 characteristics and 57 lettered requirements (1A … 23A), each scored
0–5 by the trust. IDs and structure are the framework's own; the short titles are
pxassure's paraphrase, written to fit a table cell.

Reference data, not analysis: self-assessment workbooks and the demo trust are checked
against it when loaded, and :mod:`pxassure.analysis.framework` analyses scores with it.
"""

from __future__ import annotations

import pandas as pd

from pxassure.errors import ParameterError

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
    raise ParameterError(f"unknown framework section {section!r}: expected one of {list(SECTIONS.values())}")


def requirement_ids() -> list[str]:
    """The 57 requirement IDs in framework order."""
    return list(_REQUIREMENTS)


def in_framework_order(column: pd.Series) -> pd.Series:
    """A sort key for a frame's columns (``sort_values(key=…)``): requirement ids in the
    framework's order (1A, 1B … 23A, where text order puts 10B before 1A); other columns as they are."""
    if column.name != "requirement":
        return column
    rank = {r: i for i, r in enumerate(_REQUIREMENTS)}
    return column.map(rank).fillna(len(rank))
