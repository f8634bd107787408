"""The trust's decisions about its charts, recorded as data: targets, rebases, points left out of
the limits, and its own ratings of its data's quality.

Declared apart from :mod:`pxassure.ingest.schema` (which lists them after the organisation they
refer to) because they are a family of their own: no target, rebase, exclusion or rating is
written into pxassure's code, and a chart shows each with its reason and who agreed it.
"""

from __future__ import annotations

from pxassure.ingest import columns as codes
from pxassure.ingest.columns import MEASURE, Column, Table

DECISION_TABLES = (
    Table(
        "targets",
        "Targets the trust has agreed, per measure. Scope: a row with neither `unit_id` nor "
        "`service_type` covers the whole trust; `unit_id` alone covers that unit (a division, care "
        "group or ward) and every unit under it; `service_type` alone covers every ward of that "
        "setting; both cover that unit's wards of that setting. A chart takes the most specific row "
        "that covers it (the nearest unit first, then a row naming its setting over one that does "
        "not), and of those the latest `from_month` on or before the report month. No measure has a "
        "target unless a row gives it one.",
        (
            MEASURE,
            Column(
                "unit_id",
                "VARCHAR",
                "The unit the target covers, with every unit under it (empty: the whole trust)",
                nullable=True,
                references="org_units.unit_id",
            ),
            Column(
                "service_type",
                "VARCHAR",
                "Only wards of this setting (empty: every setting)",
                nullable=True,
                choices=codes.SERVICE_TYPES,
            ),
            Column(
                "basis",
                "VARCHAR",
                "`value`: the figure in `value`; `national`: the latest national figure for the "
                "setting (measures with a national comparator, from `fft_national`)",
                choices=("value", "national"),
            ),
            Column(
                "value",
                "DOUBLE",
                "The target on the measure's own scale (a percentage as 95, a rate per 1,000 as 2.5); "
                "empty when `basis` is `national`",
                nullable=True,
            ),
            Column("from_month", "DATE", "First month the target applies", codes.MONTH_UNIT),
            Column("set_by", "VARCHAR", "Who agreed it, e.g. 'Trust Board, March 2024'"),
        ),
        key=("measure", "unit_id", "service_type", "from_month"),
        grain="one row per measure, scope and month a target took effect",
        extra_checks=("(basis = 'value') = (value IS NOT NULL)",),
    ),
    Table(
        "spc_rebases",
        "Decisions to recalculate a chart's process limits (rebase) from a month, after a "
        "sustained change in the process that is understood. The chart starts a new period at "
        "that month: its centre, limits and rules use only that period's points.",
        (
            MEASURE,
            Column(
                "unit_id",
                "VARCHAR",
                "The unit whose chart is rebased (a ward, or a division or the trust for its pooled chart)",
                references="org_units.unit_id",
            ),
            Column("month", "DATE", "First month of the new period", codes.MONTH_UNIT),
            Column("reason", "VARCHAR", "Why: the change in the process (shown beside the chart)"),
            Column("agreed_by", "VARCHAR", "Who agreed it, e.g. 'Medicine divisional quality board'"),
            Column(
                "baseline_points",
                "INTEGER",
                "How many of the period's first months set its limits, the later months judged against "
                "them (a fixed baseline: Making Data Count's tool uses 12 to 20); empty: every month of the "
                "period. A row at a chart's first month fixes the first period's baseline without a rebase",
                "months",
                nullable=True,
                minimum=12,
                optional=True,
            ),
        ),
        key=("measure", "unit_id", "month"),
        grain="one row per measure, unit and rebase",
    ),
    Table(
        "spc_exclusions",
        "Months left out of a chart's process limits, each with its reason: a month whose figure is "
        "known not to belong to the process (a data error being corrected, a ward used for another "
        "service for a month). The month is still drawn (hollow) and judged against the limits; the "
        "chart's description names it and the reason.",
        (
            MEASURE,
            Column(
                "unit_id",
                "VARCHAR",
                "The unit whose chart it is (a ward, or a division or the trust for its pooled chart)",
                references="org_units.unit_id",
            ),
            Column("month", "DATE", "The month left out of the limits", codes.MONTH_UNIT),
            Column("reason", "VARCHAR", "Why it does not belong to the process (shown with the chart)"),
            Column("agreed_by", "VARCHAR", "Who agreed it, e.g. 'Patient experience lead'"),
        ),
        key=("measure", "unit_id", "month"),
        grain="one row per measure, unit and month left out",
    ),
    Table(
        "data_quality",
        "The trust's own rating of each measure's data quality (from its data-quality kitemark or "
        "assessment), shown beside the measure in papers' summary tables. A row with no `unit_id` "
        "rates the measure trust-wide; `unit_id` rates it for that unit and every unit under it. A "
        "chart takes the nearest unit's rating, and of those the latest `from_month` on or before "
        "the report month. A measure with no rating shows none: pxassure never rates data itself.",
        (
            MEASURE,
            Column(
                "unit_id",
                "VARCHAR",
                "The unit rated, with every unit under it (empty: the whole trust)",
                nullable=True,
                references="org_units.unit_id",
            ),
            Column("rating", "VARCHAR", "The rating in the trust's own words, e.g. 'Sufficient', 'Limited'"),
            Column("from_month", "DATE", "First month the rating applies", codes.MONTH_UNIT),
            Column("rated_by", "VARCHAR", "Who rated it, e.g. 'Information governance group'"),
        ),
        key=("measure", "unit_id", "from_month"),
        grain="one row per measure, unit and month a rating took effect",
    ),
)
