"""A person's check of the classifier's coding of patients' comments, recorded as data.

Written by ``pxassure themes import-review`` from the workbook ``pxassure themes review`` made, and
read back at every later load, so a person's coding of a comment outlives reloading the comments
extract. Each row keeps what pxassure had given the comment beside what the person gave, which is
how the Patient Experience Committee paper knows how often the model agreed with people.
"""

from __future__ import annotations

from pxassure.ingest import columns as codes
from pxassure.ingest.columns import Column, Table

THEME_REVIEWS = Table(
    "theme_reviews",
    "Comments a person checked in a review workbook (`pxassure themes review`, then `pxassure themes "
    "import-review`): the themes and tone pxassure had given each and those the person gave, which win "
    "over pxassure's at this and every later load. Rows of the `random sample` were drawn at random from "
    "the comments pxassure coded, so how often the two agree there is a fair figure of its accuracy on "
    "this trust's comments; rows chosen as `least confident` are not.",
    (
        Column("comment_id", "VARCHAR", "The comment (its `feedback_comments.comment_id`)"),
        Column("unit_id", "VARCHAR", "The ward or unit whose comments were reviewed", references="org_units.unit_id"),
        Column("month", "DATE", "Month of the comment", codes.MONTH_UNIT),
        Column("sample", "VARCHAR", "Why the comment was in the workbook", choices=codes.REVIEW_SAMPLES),
        Column("model_labels", "VARCHAR", "Themes pxassure had given, joined by '|'", nullable=True),
        Column(
            "model_sentiment", "INTEGER", "Sentiment pxassure had given", "1–5", nullable=True, minimum=1, maximum=5
        ),
        Column("model_version", "VARCHAR", "Classifier version that coded it", nullable=True),
        Column("labels", "VARCHAR", "Themes the person gave: names from the FFT comment framework joined by '|'"),
        Column(
            "sentiment",
            "INTEGER",
            "Sentiment the person gave: 1 very positive … 5 very negative",
            "1–5",
            minimum=1,
            maximum=5,
        ),
        Column("reviewed_by", "VARCHAR", "Who checked it (a name or initials, as written in the workbook)"),
        Column("reviewed_on", "DATE", "Day the review was imported"),
    ),
    key=("comment_id",),
    grain="one row per comment a person checked (the latest check)",
)
