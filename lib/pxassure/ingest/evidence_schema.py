"""The records of listening and acting: patient stories, involvement, "you said, we did" and the
strategy's work plan.

Declared here, apart from :mod:`pxassure.ingest.schema` (which lists them after every table they
refer to), because they are a family of their own: what a trust *did* with what patients said,
recorded by people rather than extracted from a system. Each is optional; a paper says "not
supplied" for a table the trust has not loaded, never "none".
"""

from __future__ import annotations

from pxassure.ingest import columns as codes
from pxassure.ingest.columns import MONTH_UNIT, UNIT, Column, Table, count

_THEMES = "Themes it showed: names from the FFT comment framework (`pxassure themes labels` lists them) joined by '|'"

EVIDENCE_TABLES = (
    Table(
        "patient_stories",
        "Patient stories heard at the board and other committees (framework requirement 3A): where and "
        "when each was heard, how it was told, whether consent was recorded, what it showed and the action "
        "agreed. Papers show the story heard at their meeting and follow up earlier stories' actions; they "
        "never assume a story was heard that is not recorded here.",
        (
            Column("story_id", "VARCHAR", "The trust's reference for the story"),
            Column("heard_on", "DATE", "Date of the meeting where it was heard"),
            Column("meeting", "VARCHAR", "Committee that heard it", choices=codes.LAYERS),
            Column(
                UNIT.name,
                UNIT.type,
                "The unit the story is about (the trust's code for a trust-wide story)",
                references=UNIT.references,
            ),
            Column("told_by", "VARCHAR", "How it was told", choices=codes.STORY_FORMATS),
            Column("consent_recorded", "BOOLEAN", "The teller's consent to share it is recorded"),
            Column("themes", "VARCHAR", _THEMES, nullable=True),
            Column("showed", "VARCHAR", "What the story showed, in a sentence"),
            Column("action", "VARCHAR", "Action agreed (empty: none agreed)", nullable=True),
            Column("action_owner", "VARCHAR", "Who owns the action: a name or a role", nullable=True),
            Column("action_due", "DATE", "When the action is due", nullable=True),
            Column(
                "action_status", "VARCHAR", "Where the action stands", nullable=True, choices=codes.RESPONSE_STATUSES
            ),
            Column("follow_up", "DATE", "Month the follow-up comes back to the meeting", MONTH_UNIT, nullable=True),
        ),
        key=("story_id",),
        grain="one row per story heard",
    ),
    Table(
        "involvement_activities",
        "Involvement and engagement with patients and the public: what was done, whom it reached, how "
        "satisfied the participants were (the strategy commits to at least 90 %) and what it changed.",
        (
            Column("activity_id", "VARCHAR", "The trust's reference for the activity"),
            Column("held_on", "DATE", "Date it took place (the first day, for a series)"),
            Column(
                UNIT.name,
                UNIT.type,
                "The unit it was for (the trust's code for trust-wide)",
                references=UNIT.references,
            ),
            Column("kind", "VARCHAR", "What kind of activity", choices=codes.INVOLVEMENT_KINDS),
            Column("informed", "VARCHAR", "The decision or service it informed"),
            Column(
                "groups_reached",
                "VARCHAR",
                "Groups reached, joined by '|' (e.g. seldom-heard groups, protected characteristics)",
                nullable=True,
            ),
            count("participants", "People who took part", nullable=True),
            count(
                "satisfaction_asked", "Participants asked whether they were satisfied with taking part", nullable=True
            ),
            count("satisfied", "Of those asked, how many were satisfied", nullable=True),
            Column("learned", "VARCHAR", "What was learned", nullable=True),
            Column("changed", "VARCHAR", "What changed as a result (empty: nothing recorded yet)", nullable=True),
        ),
        key=("activity_id",),
        grain="one row per activity",
        extra_checks=("satisfied <= satisfaction_asked",),
    ),
    Table(
        "you_said_we_did",
        '"You said, we did": what patients said and what the trust did about it, with where it was said '
        "(a theme, complaint subject, story, survey question or activity) and, optionally, the measure and "
        "month from which a change should show.",
        (
            Column("item_id", "VARCHAR", "The trust's reference"),
            Column("recorded_on", "DATE", "Date the action was recorded as done"),
            Column(UNIT.name, UNIT.type, "The unit (the trust's code for trust-wide)", references=UNIT.references),
            Column("said_in", "VARCHAR", "Where patients said it", choices=codes.SAID_IN),
            Column(
                "reference",
                "VARCHAR",
                "What it links to: the theme, complaint subject, story_id, survey question or activity_id",
                nullable=True,
            ),
            Column("you_said", "VARCHAR", "What patients said"),
            Column("we_did", "VARCHAR", "What the trust did"),
            Column(
                "measure",
                "VARCHAR",
                "Measure id in which change is expected (e.g. `fft_positive`), if any",
                nullable=True,
                vocabulary="measure ids",
            ),
            Column("change_from", "DATE", "Month from which the change should show", MONTH_UNIT, nullable=True),
        ),
        key=("item_id",),
        grain="one row per thing said and done",
    ),
    Table(
        "strategy_commitments",
        "The patient experience and engagement strategy's work plan: each commitment with its owner, due "
        "date and measure or milestone, and its status as reported each quarter with the evidence.",
        (
            Column("commitment_id", "VARCHAR", "The strategy's reference for the commitment"),
            Column("commitment", "VARCHAR", "The commitment, as the strategy words it"),
            Column("owner", "VARCHAR", "Who is responsible: a name or a role"),
            Column("due", "DATE", "When it is due", nullable=True),
            Column("milestone", "VARCHAR", "The measure or milestone that shows it is met", nullable=True),
            Column("reported_month", "DATE", "The quarter's last month, when the status was reported", MONTH_UNIT),
            Column("status", "VARCHAR", "Its status that quarter", choices=codes.COMMITMENT_STATUSES),
            Column("evidence", "VARCHAR", "The evidence for that status", nullable=True),
        ),
        key=("commitment_id", "reported_month"),
        grain="one row per commitment per quarterly report",
    ),
)
