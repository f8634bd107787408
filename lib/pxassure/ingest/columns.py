"""How pxassure describes a stored column, and the values its columns may hold.

:class:`Column` and :class:`Table` are the words :mod:`pxassure.ingest.schema` declares every
table in; the tuples here are the codes a column may take (levels, settings, harm levels …) and
how cells are written (months, true/false, NHS England's suppression mark). Nothing here reads
data, so any layer may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("trust", "division", "care_group", "ward")
#: FFT settings, as NHS England publishes FFT (with the names its publications use).
SETTINGS = {
    "inpatient": "Inpatient",
    "day_case": "Day case",
    "ae": "A&E",
    "maternity": "Maternity",
    "mental_health": "Mental health",
    "community": "Community",
    "outpatients": "Outpatients",
    "ambulance": "Ambulance (see and treat)",
    "patient_transport": "Patient transport",
    "dental": "Dental",
}
SERVICE_TYPES = tuple(SETTINGS)
#: Reporting layers, top down. ``governors`` (the Council of Governors' committee on membership and
#: engagement) stands beside the chain from ward to board: it reads no layer's findings.
LAYERS = ("governors", "board", "board_quality", "executive_quality", "patient_experience", "division", "ward")
CADENCES = ("monthly", "bimonthly", "quarterly")
HARM_LEVELS = ("no_harm", "low", "moderate", "severe", "death")
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
PEER_BANDS = ("better", "about_the_same", "worse")
COMMENT_SOURCES = ("fft", "pals", "compliment", "survey")
#: Who gave a comment's labels or sentiment: a person (in the extract or a review workbook),
#: pxassure's classifier, or pxassure's rules (non-comments such as 'N/A', never themed or toned;
#: a tone taken from the patient's own answer).
CODED_BY = ("person", "model", "rule")
#: Why a comment is in a review workbook: among the least confident, or drawn at random.
REVIEW_SAMPLES = ("least confident", "random sample")
#: Where a response to an escalated exception stands.
RESPONSE_STATUSES = ("planned", "in progress", "completed")
#: How a patient story was told to a meeting.
STORY_FORMATS = ("in person", "film", "audio", "written", "read by staff")
#: Kinds of involvement and engagement activity (NHS England's and trusts' strategies' words).
INVOLVEMENT_KINDS = (
    "consultation",
    "co-design",
    "co-production",
    "patient panel",
    "focus group",
    "survey",
    "Healthwatch visit",
    "community event",
    "membership event",
    "15 Steps",
    "other",
)
#: Where patients said what a "you said, we did" item answers.
SAID_IN = (
    "comment theme",
    "complaint subject",
    "patient story",
    "survey question",
    "involvement activity",
    "PALS",
    "other",
)
#: A strategy commitment's status in a quarterly report.
COMMITMENT_STATUSES = ("on track", "at risk", "off track", "complete")
KO41A_SUBJECTS = (
    "Access to treatment or drugs",
    "Admissions, discharges and transfers",
    "Appointments",
    "Clinical treatment",
    "Communications",
    "Consent",
    "End of life care",
    "Facilities services",
    "Patient care",
    "Prescribing errors",
    "Privacy, dignity and wellbeing",
    "Restraint",
    "Staff",
    "Trust administration",
    "Waiting times",
    "Other",
)


#: Organisation unit codes: they name report files and folders, so only letters, digits, "-" and
#: "_", starting with a letter or digit, at most 32 characters ("../x", "/etc" and "a/b" never pass).
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"
CODE_TEXT = "a code of letters, digits, '-' and '_' (at most 32, starting with a letter or digit)"


#: How a true-or-false cell may be written (compared lower-case).
TRUE_TEXT = frozenset({"true", "yes", "y", "1", "t"})
FALSE_TEXT = frozenset({"false", "no", "n", "0", "f"})
#: The unit of every column that holds a month (see :attr:`Column.is_month`).
MONTH_UNIT = "first day of the month"
#: The Friends and Family Test's six answers, as ``fft_monthly`` names their counts.
FFT_ANSWERS = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")
#: What NHS England publishes instead of an FFT count of 1 to 4 (or of the ward that would reveal one).
SUPPRESSED_MARK = "*"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type: VARCHAR, INTEGER, DOUBLE, DATE, BOOLEAN, TIMESTAMP
    meaning: str
    unit: str = ""
    nullable: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None  # "table.column" this value must exist in
    pattern: str | None = None  # a regular expression the whole value must match (see CODE_PATTERN)
    pattern_text: str = ""  # the pattern in words, for error messages and the data-model docs
    #: A list of names the value must be one of that is defined above the ingest layer (e.g.
    #: "measure ids": the measure registry). The loader checks it when given that list.
    vocabulary: str | None = None
    #: Filled in by pxassure when the rows are loaded, never read from an input file.
    derived: bool = False
    optional: bool = False  # a file may leave the column out altogether (its values are then empty)

    @property
    def is_month(self) -> bool:
        """A column holding a month: YYYY-MM or the first day of a month (any date stands for its month
        in a mapped extract)."""
        return self.type == "DATE" and self.unit == MONTH_UNIT


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    grain: str = ""
    extra_checks: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def input_columns(self) -> list[Column]:
        """The columns an input file supplies (not those pxassure fills in at load)."""
        return [c for c in self.columns if not c.derived]


UNIT = Column(
    "unit_id",
    "VARCHAR",
    "Organisation unit code (kept as text: codes such as '007' keep their zeros)",
    references="org_units.unit_id",
)
MONTH = Column("month", "DATE", "Calendar month the figures cover", MONTH_UNIT)
MEASURE = Column(
    "measure",
    "VARCHAR",
    "Measure id, as in pxassure's measure registry (e.g. `fft_positive`; `pxassure measures` lists them)",
    vocabulary="measure ids",
)


def count(name: str, meaning: str, nullable: bool = False) -> Column:
    return Column(name, "INTEGER", meaning, "count", nullable=nullable, minimum=0)


def percent(name: str, meaning: str, nullable: bool = False) -> Column:
    return Column(name, "DOUBLE", meaning, "percent", nullable=nullable, minimum=0, maximum=200)
