"""The data model: every table and column pxassure stores, in one place.

The DuckDB DDL (:mod:`pxassure.ingest.store`), input validation (:mod:`pxassure.ingest.sources`) and
``docs/data-model.md`` are all generated from :data:`TABLES`, so they cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

from pxassure.ingest import columns as codes
from pxassure.ingest.columns import MONTH, UNIT, Column, Table, count, percent
from pxassure.ingest.decisions_schema import DECISION_TABLES
from pxassure.ingest.evidence_schema import EVIDENCE_TABLES
from pxassure.ingest.review_schema import THEME_REVIEWS

#: Where the store is, unless a command is told otherwise (here, not in ``store``, so the
#: ``pxassure`` command can name it without importing pandas and DuckDB).
DEFAULT_DATABASE = Path("data/pxassure.duckdb")
TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "org_units",
            "The trust's organisation hierarchy: trust → division → care group → ward or department.",
            (
                Column(
                    "unit_id",
                    "VARCHAR",
                    "Unique unit code (text; names the unit's report files)",
                    pattern=codes.CODE_PATTERN,
                    pattern_text=codes.CODE_TEXT,
                ),
                Column("name", "VARCHAR", "Display name"),
                Column("level", "VARCHAR", "Level in the hierarchy", choices=codes.LEVELS),
                Column(
                    "parent_id",
                    "VARCHAR",
                    "The unit this one sits under (empty for the trust)",
                    nullable=True,
                    references="org_units.unit_id",
                ),
                Column("site", "VARCHAR", "Hospital or community site (wards and departments)", nullable=True),
                Column(
                    "service_type",
                    "VARCHAR",
                    "Type of service (wards and departments)",
                    nullable=True,
                    choices=codes.SERVICE_TYPES,
                ),
                Column(
                    "lead",
                    "VARCHAR",
                    "Who leads the unit's patient experience (a role or name): its papers' header and the owner "
                    "of what they escalate",
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "opened",
                    "DATE",
                    "First month the unit was open (empty: open throughout); no paper or zero is shown before it",
                    codes.MONTH_UNIT,
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "closed",
                    "DATE",
                    "Last month the unit was open (empty: still open); no paper or zero is shown after it, and "
                    "its division's paper names the closure",
                    codes.MONTH_UNIT,
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "former_name",
                    "VARCHAR",
                    "The unit's name before it was renamed (empty: never renamed); papers for earlier months "
                    "use it, later ones note it",
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "renamed",
                    "DATE",
                    "First month under its present name (given with former_name)",
                    codes.MONTH_UNIT,
                    nullable=True,
                    optional=True,
                ),
            ),
            key=("unit_id",),
            grain="one row per unit",
            extra_checks=("(former_name IS NULL) = (renamed IS NULL)",),
        ),
        Table(
            "committees",
            "Standing governance committees and whom they report to (board to ward).",
            (
                Column("committee_id", "VARCHAR", "Unique committee code"),
                Column("name", "VARCHAR", "Committee name"),
                Column("layer", "VARCHAR", "Reporting layer, which selects the report notebook", choices=codes.LAYERS),
                Column(
                    "reports_to",
                    "VARCHAR",
                    "Committee this one reports to (empty for the board and the governors' committee)",
                    nullable=True,
                    references="committees.committee_id",
                ),
                Column(
                    "scope_unit_id",
                    "VARCHAR",
                    "Organisation unit whose data the committee sees",
                    references="org_units.unit_id",
                ),
                Column("cadence", "VARCHAR", "How often it meets", choices=codes.CADENCES),
            ),
            key=("committee_id",),
            grain="one row per committee (division and ward layers: one per unit, expanded from templates)",
        ),
        Table(
            "framework_requirements",
            "The Patient experience improvement framework catalogue (57 requirements).",
            (
                Column("requirement", "VARCHAR", "Framework ID, e.g. '12C'"),
                Column("section", "VARCHAR", "Framework section"),
                Column("characteristic", "INTEGER", "Characteristic number 1–23", minimum=1, maximum=23),
                Column("title", "VARCHAR", "Short title (pxassure's words)"),
            ),
            key=("requirement",),
            grain="one row per requirement",
        ),
        Table(
            "framework_scores",
            "Self-assessment against the framework: one score per requirement per unit per assessment.",
            (
                UNIT,
                Column(
                    "assessed_month",
                    "DATE",
                    "Month the assessment was completed (usually a quarter end)",
                    codes.MONTH_UNIT,
                ),
                Column("requirement", "VARCHAR", "Framework ID", references="framework_requirements.requirement"),
                Column(
                    "score",
                    "INTEGER",
                    "Self-assessed score; empty means not assessed",
                    "0–5",
                    nullable=True,
                    minimum=0,
                    maximum=5,
                ),
                Column("current_position", "VARCHAR", "Evidence for the score", nullable=True),
                Column("planned_action", "VARCHAR", "Planned action to improve", nullable=True),
                Column("owner", "VARCHAR", "Role accountable for the action", nullable=True),
                Column("due_date", "DATE", "When the action is due", nullable=True),
                Column("good_looks_like", "VARCHAR", "What good will look like", nullable=True),
            ),
            key=("unit_id", "assessed_month", "requirement"),
            grain="one row per unit, assessment and requirement",
        ),
        Table(
            "fft_monthly",
            "Friends and Family Test answers per unit per month (question since April 2020). Every answer "
            "counts as a response, 'Don't know' included; answers left blank or recorded as 'not recorded' "
            "are not responses and are not counted anywhere.",
            (
                UNIT,
                MONTH,
                count("very_good", "Answers 'Very good'"),
                count("good", "Answers 'Good'"),
                count("neither", "Answers 'Neither good nor poor'"),
                count("poor", "Answers 'Poor'"),
                count("very_poor", "Answers 'Very poor'"),
                count("dont_know", "Answers 'Don't know'"),
                count(
                    "eligible",
                    "Patients eligible to respond (empty where the setting does not report it)",
                    nullable=True,
                ),
            ),
            key=("unit_id", "month"),
            grain="one row per unit and month",
            extra_checks=(
                "very_good + good + neither + poor + very_poor + dont_know <= coalesce(eligible, 2147483647)",
            ),
        ),
        Table(
            "fft_suppressed",
            "Ward-months NHS England published as '*': fewer than 5 responses, or hidden so that another "
            "ward's small figure cannot be worked out. Their counts are unknown, so nothing is loaded into "
            "`fft_monthly`; papers name these months as suppressed, never as missing data or as zero.",
            (UNIT, Column("month", "DATE", "Calendar month NHS England suppressed", codes.MONTH_UNIT)),
            key=("unit_id", "month"),
            grain="one row per suppressed unit and month",
        ),
        Table(
            "fft_ward_map",
            "How NHS England's published FFT files name the trust's wards, mapped to organisation units. "
            "A ward renamed over time has one row per name it was published under.",
            (
                Column("trust_code", "VARCHAR", "ODS code of the trust in the FFT file ('Trust Code' / 'Org code')"),
                Column("site_code", "VARCHAR", "ODS site code in the FFT file ('Site Code')"),
                Column(
                    "ward_name",
                    "VARCHAR",
                    "Ward name as published (matched ignoring case and repeated spaces)",
                ),
                Column("unit_id", "VARCHAR", "The ward or department it is", references="org_units.unit_id"),
            ),
            key=("trust_code", "site_code", "ward_name"),
            grain="one row per published ward name",
        ),
        Table(
            "fft_national",
            "England FFT benchmarks per setting and month, for response-rate comparisons.",
            (
                MONTH,
                Column("service_type", "VARCHAR", "Setting", choices=codes.SERVICE_TYPES),
                percent("response_rate", "National response rate"),
                percent("percent_positive", "National % positive"),
            ),
            key=("month", "service_type"),
            grain="one row per month and setting",
        ),
        Table(
            "complaints",
            "Formal (written) complaints, one row per complaint.",
            (
                Column("complaint_id", "VARCHAR", "Complaint reference"),
                UNIT,
                Column("received", "DATE", "Date received"),
                Column("acknowledged", "DATE", "Date acknowledged (target: 3 working days)", nullable=True),
                Column("closed", "DATE", "Date the response was sent (empty while open)", nullable=True),
                Column("primary_subject", "VARCHAR", "Main KO41a subject", choices=codes.KO41A_SUBJECTS),
                Column("outcome", "VARCHAR", "Outcome once closed", nullable=True, choices=codes.OUTCOMES),
                Column("reopened", "BOOLEAN", "Reopened after the response"),
                Column(
                    "target_working_days", "INTEGER", "Agreed response time", "working days", minimum=1, maximum=250
                ),
                Column("ombudsman", "BOOLEAN", "Referred to the Ombudsman"),
            ),
            key=("complaint_id",),
            grain="one row per complaint",
            extra_checks=("acknowledged IS NULL OR acknowledged >= received", "closed IS NULL OR closed >= received"),
        ),
        Table(
            "complaint_subjects",
            "Every KO41a subject a complaint raises (a complaint counts once in totals, against each subject here).",
            (
                Column("complaint_id", "VARCHAR", "Complaint reference", references="complaints.complaint_id"),
                Column("subject", "VARCHAR", "KO41a subject", choices=codes.KO41A_SUBJECTS),
            ),
            key=("complaint_id", "subject"),
            grain="one row per complaint and subject",
        ),
        Table(
            "pals_contacts",
            "Patient Advice and Liaison Service contacts, one row per contact.",
            (
                Column("contact_id", "VARCHAR", "PALS reference"),
                UNIT,
                Column("received", "DATE", "Date of contact"),
                Column("theme", "VARCHAR", "Main theme (KO41a subjects)", choices=codes.KO41A_SUBJECTS),
                Column("resolved", "DATE", "Date resolved (empty while open)", nullable=True),
            ),
            key=("contact_id",),
            grain="one row per contact",
            extra_checks=("resolved IS NULL OR resolved >= received",),
        ),
        Table(
            "compliments",
            "Compliments logged per unit per month.",
            (UNIT, MONTH, count("compliments", "Compliments received")),
            key=("unit_id", "month"),
            grain="one row per unit and month",
        ),
        Table(
            "activity",
            "Activity denominators per unit per month.",
            (
                UNIT,
                MONTH,
                count("occupied_bed_days", "Occupied bed days (inpatient settings)", nullable=True),
                count("attendances", "Attendances or contacts (non-bedded settings)", nullable=True),
            ),
            key=("unit_id", "month"),
            grain="one row per unit and month",
        ),
        Table(
            "incidents",
            "Patient-safety incidents reported per unit per month, by harm level.",
            (
                UNIT,
                MONTH,
                Column("harm_level", "VARCHAR", "Harm level", choices=codes.HARM_LEVELS),
                count("incidents", "Incidents reported"),
            ),
            key=("unit_id", "month", "harm_level"),
            grain="one row per unit, month and harm level",
        ),
        Table(
            "staffing",
            "Nurse staffing fill rates (actual ÷ planned hours) per ward per month.",
            (
                UNIT,
                MONTH,
                percent("rn_day_fill", "Registered nurses, day shifts"),
                percent("rn_night_fill", "Registered nurses, night shifts (empty where none is rostered)", True),
                percent("care_day_fill", "Care staff, day shifts"),
                percent("care_night_fill", "Care staff, night shifts (empty where none is rostered)", True),
            ),
            key=("unit_id", "month"),
            grain="one row per ward and month",
        ),
        Table(
            "feedback_comments",
            "Free-text comments (FFT follow-up question and other feedback) in patients' own words. "
            "Never evaluated; redacted and escaped before display, and quoted only in ward reports. "
            "Themes and sentiment given in the extract are kept (a person's coding wins); comments that "
            "arrive without them are coded at load by pxassure's offline classifier (`pxassure.ingest.themes`), "
            "and each row records who coded it.",
            (
                Column("comment_id", "VARCHAR", "Comment reference"),
                UNIT,
                MONTH,
                Column("source", "VARCHAR", "Where the comment came from", choices=codes.COMMENT_SOURCES),
                Column(
                    "question",
                    "VARCHAR",
                    "The question the comment answers, e.g. 'What was good?' (helps the classifier); the column "
                    "may be left out",
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "rating",
                    "INTEGER",
                    "The FFT answer the comment came with: 1 very good, 2 good, 3 neither good nor poor, "
                    "4 poor, 5 very poor, 6 don't know (helps the classifier read the comment's tone); "
                    "the column may be left out",
                    "1–6",
                    nullable=True,
                    minimum=1,
                    maximum=6,
                    optional=True,
                ),
                Column(
                    "text",
                    "VARCHAR",
                    "The comment as written (empty: the box was left blank; kept and counted as a non-comment)",
                    nullable=True,
                ),
                Column(
                    "labels",
                    "VARCHAR",
                    "Themes: names from the FFT comment framework (`pxassure themes labels` lists them) "
                    "joined by '|'; empty, or the column left out: the classifier labels it",
                    nullable=True,
                    optional=True,
                ),
                Column(
                    "sentiment",
                    "INTEGER",
                    "1 very positive … 5 very negative; empty, or the column left out: the classifier codes it "
                    "(none for a blank comment or a non-comment such as 'N/A')",
                    "1–5",
                    nullable=True,
                    minimum=1,
                    maximum=5,
                    optional=True,
                ),
                Column("labels_by", "VARCHAR", "Who gave the labels", choices=codes.CODED_BY, derived=True),
                Column(
                    "sentiment_by",
                    "VARCHAR",
                    "Who gave the sentiment",
                    nullable=True,
                    choices=codes.CODED_BY,
                    derived=True,
                ),
                Column(
                    "model_version",
                    "VARCHAR",
                    "Classifier version, where it coded anything",
                    nullable=True,
                    derived=True,
                ),
                Column(
                    "confidence",
                    "DOUBLE",
                    "Classifier's lowest probability among the labels it gave (a ranking, not calibrated)",
                    nullable=True,
                    derived=True,
                ),
            ),
            key=("comment_id",),
            grain="one row per comment",
        ),
        THEME_REVIEWS,
        *DECISION_TABLES,
        Table(
            "exception_responses",
            "What is being done about an exception a paper escalated: a ward's special-cause concern "
            "on an escalated measure. Papers show each exception with the latest response recorded for "
            "its ward and measure up to the report month, or say that no action is recorded; they never "
            "assume one.",
            (
                Column(
                    "measure",
                    "VARCHAR",
                    "Measure id as the exception names it (e.g. `fft_positive`; a comment theme as "
                    "`negative_theme:<theme>`)",
                    vocabulary="exception measure ids",
                ),
                Column("unit_id", "VARCHAR", "The ward the exception is about", references="org_units.unit_id"),
                Column("raised", "DATE", "Month the exception was raised", codes.MONTH_UNIT),
                Column("data_show", "VARCHAR", "What the data show, in the division's words", nullable=True),
                Column("cause", "VARCHAR", "Cause found (empty: not yet known)", nullable=True),
                Column("action", "VARCHAR", "What is being done"),
                Column("owner", "VARCHAR", "Who is responsible: a name or a role"),
                Column("due", "DATE", "When the action is due", nullable=True),
                Column("status", "VARCHAR", "Where the action stands", choices=codes.RESPONSE_STATUSES),
                Column(
                    "effect_expected",
                    "DATE",
                    "Month by which the chart should show the effect",
                    codes.MONTH_UNIT,
                    nullable=True,
                ),
            ),
            key=("measure", "unit_id", "raised"),
            grain="one row per exception raised and the response to it",
        ),
        Table(
            "inpatient_survey",
            "National Adult Inpatient Survey question scores with the CQC peer band.",
            (
                UNIT,
                Column("year", "INTEGER", "Survey year", minimum=2000, maximum=2100),
                Column("question_id", "VARCHAR", "Question number"),
                Column("question", "VARCHAR", "Question wording (short)"),
                Column("score", "DOUBLE", "Trust score", "0–10", minimum=0, maximum=10),
                Column("peer_band", "VARCHAR", "Compared with other trusts", choices=codes.PEER_BANDS),
            ),
            key=("unit_id", "year", "question_id"),
            grain="one row per unit, year and question",
        ),
        Table(
            "staff_survey",
            "NHS Staff Survey results per unit per year.",
            (
                UNIT,
                Column("year", "INTEGER", "Survey year", minimum=2000, maximum=2100),
                Column("question_id", "VARCHAR", "Question number"),
                Column("question", "VARCHAR", "Question wording (short)"),
                percent("percent_positive", "Staff answering positively"),
                percent("peer_median", "Median of comparable trusts", nullable=True),
            ),
            key=("unit_id", "year", "question_id"),
            grain="one row per unit, year and question",
        ),
        *EVIDENCE_TABLES,
    )
}

#: Load order that satisfies references (parents before children).
LOAD_ORDER = list(TABLES)


def data_model_markdown() -> str:
    """The data model as Markdown (written to docs/data-model.md)."""
    lines = [
        "# Data model",
        "",
        "Generated from `lib/pxassure/ingest/schema.py` (`python -m pxassure.ingest.schema > docs/data-model.md`);",
        "a test fails if this file and the schema disagree. Every input layout (CSV or XLSX) uses the",
        "same column names. Dates are ISO `YYYY-MM-DD`; months are the first day of the month.",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.meaning, "", f"Grain: {t.grain}. Key: {', '.join(t.key)}.", ""]
        lines += ["| column | type | unit | required | meaning |", "|---|---|---|---|---|"]
        for c in t.columns:
            meaning = c.meaning
            if c.choices:
                meaning += " — one of: " + ", ".join(f"`{x}`" for x in c.choices)
            if c.references:
                meaning += f" (must exist in `{c.references}`)"
            if c.pattern_text:
                meaning += f" — {c.pattern_text}"
            if c.vocabulary:
                meaning += f" — one of pxassure's {c.vocabulary}"
            required = (
                "filled at load"
                if c.derived
                else "no (column may be left out)"
                if c.optional
                else "no"
                if c.nullable
                else "yes"
            )
            lines.append(f"| `{c.name}` | {c.type} | {c.unit} | {required} | {meaning} |")
        if t.extra_checks:
            lines += ["", "Checks: " + "; ".join(f"`{x}`" for x in t.extra_checks) + "."]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(data_model_markdown(), end="")
