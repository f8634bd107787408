"""What patients' comments are about: themes by tone, their monthly counts, and their changes.

Pure functions on the ``feedback_comments`` table (themes as ``|``-joined label names, sentiment
1–5; see :mod:`pxassure.ingest.themes`). A comment with two themes counts once under each.
Negative comments per theme per ward-month are charted as c charts; a month in which the ward
had no comments at all is a gap, not a zero.
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from pxassure.analysis.measures import Measure
from pxassure.analysis.rare import RareForm
from pxassure.ingest import theme_review, tone
from pxassure.ingest.themes import BLANK_LABEL, LABEL_SEPARATOR, THREE_CLASS

#: A comment with text but no theme (none found by the classifier, none given by a person).
NO_THEME = "No theme identified"
#: Fewest negative comments on a theme in the report month for it to count as an exception: one
#: or two comments never make a signal on their own (a c chart of rare events fires on a single one).
MINIMUM_COUNT = 3


def tones(sentiment: pd.Series) -> pd.Series:
    """Each comment's tone: 1–2 positive, 3 mixed, 4–5 negative (None where not coded)."""
    return sentiment.map(lambda v: None if pd.isna(v) else THREE_CLASS[int(v)])


def by_theme(comments: pd.DataFrame) -> pd.DataFrame:
    """One row per comment and theme, with its tone; blank comments left out."""
    c = comments.assign(
        tone=tones(comments["sentiment"]),
        theme=comments["labels"].fillna("").astype(str).str.split(LABEL_SEPARATOR, regex=False),
        month=pd.to_datetime(comments["month"]),
    ).explode("theme")
    c["theme"] = c["theme"].replace("", NO_THEME)
    return c[c["theme"] != BLANK_LABEL].reset_index(drop=True)


def negative_theme_counts(comments: pd.DataFrame) -> pd.DataFrame:
    """unit_id, theme, month, numerator (negative comments on the theme), denominator 1.

    Every theme a unit has ever had a negative comment on gets a row for every month in which the
    unit had any comment (0 where none was on that theme); months without comments have no row.
    A paper asks for each theme's chart, for its escalation and for its list of themes: the
    counts are made once for the comments table it loaded (a copy is returned each time).
    """
    kept = _COUNTED.get(id(comments))
    if kept is None or kept[0]() is not comments:
        kept = (weakref.ref(comments), _negative_theme_counts(comments))
        _COUNTED.clear()  # one table at a time: a paper loads one
        _COUNTED[id(comments)] = kept
    return kept[1].copy()


#: The last comments table counted, by id, with a weak reference proving it is still that table.
_COUNTED: dict[int, tuple[weakref.ref, pd.DataFrame]] = {}


def against_answer(comments: pd.DataFrame) -> pd.Series:
    """Comments whose tone pxassure gave (not a person) is the opposite of the tone the patient's own
    answer implies (:func:`pxassure.ingest.tone.contradicts`): kept out of theme charts and
    exceptions, and named in the ward's paper instead."""
    if not {"question", "rating", "sentiment_by"} <= set(comments.columns):
        return pd.Series(False, index=comments.index)
    by_pxassure = comments["sentiment_by"].isin(["model", "rule"])
    return by_pxassure & tone.contradicts(comments["sentiment"], comments["question"], comments["rating"])


def _negative_theme_counts(comments: pd.DataFrame) -> pd.DataFrame:
    cols = ["unit_id", "theme", "month", "numerator", "denominator"]
    t = by_theme(comments[~against_answer(comments)])
    negative = t[(t["tone"] == "negative") & (t["theme"] != NO_THEME)]
    if negative.empty:
        return pd.DataFrame(columns=cols)
    counts = negative.groupby(["unit_id", "theme", "month"]).size().rename("numerator").reset_index()
    months = pd.DataFrame(
        {"unit_id": comments["unit_id"], "month": pd.to_datetime(comments["month"])}
    ).drop_duplicates()
    grid = counts[["unit_id", "theme"]].drop_duplicates().merge(months, on="unit_id")
    out = grid.merge(counts, on=["unit_id", "theme", "month"], how="left")
    out["numerator"] = out["numerator"].fillna(0).astype(float)
    out["denominator"] = 1.0
    return out[cols].sort_values(["unit_id", "theme", "month"]).reset_index(drop=True)


#: How a comment theme's measure id begins (``negative_theme:<theme>``): one per theme, made on demand.
THEME_MEASURE_PREFIX = "negative_theme:"


def theme_measure(theme: str) -> Measure:
    """Negative comments on one theme per ward-month, as a measure (a c chart; fewer is better).

    Not in the registry: there is one per theme, made here in one place for charts and escalation.
    """

    def compute(tables, month):
        s = negative_theme_counts(tables["feedback_comments"])
        return s[s["theme"] == theme].drop(columns="theme")

    return Measure(
        id=f"{THEME_MEASURE_PREFIX}{theme}",
        name=f"Negative comments: {theme}",
        chart="c",
        improvement="decrease",
        compute=compute,
        sources=("feedback_comments",),
        topic="comments",
        levels=("ward",),
        definition=f"Comments with sentiment 4 or 5 (negative) themed '{theme}', per month (c chart).",
        rare=RareForm(
            "negative comments on this theme", undated="comments carry the month they were made, not the day"
        ),
    )


def comments_in(comments: pd.DataFrame, after: pd.Timestamp, through: pd.Timestamp) -> int:
    """How many comments with text fall in the months after ``after`` up to ``through``."""
    m = pd.to_datetime(comments["month"])
    return int(((m > after) & (m <= through) & (comments["labels"].fillna("") != BLANK_LABEL)).sum())


def non_comments_in(comments: pd.DataFrame, after: pd.Timestamp, through: pd.Timestamp) -> int:
    """How many answers in those months said nothing to theme (blank, 'N/A', 'None', '-' …)."""
    m = pd.to_datetime(comments["month"])
    return int(((m > after) & (m <= through) & (comments["labels"].fillna("") == BLANK_LABEL)).sum())


#: Fewest comments of a random sample a person must have checked for the committee to be given a
#: figure of agreement: below it one disagreement moves the share by more than five points.
MINIMUM_CHECKED = 20


def review_agreement(reviews: pd.DataFrame) -> dict:
    """How often pxassure's coding agreed with a person's on the comments drawn at random for review
    (a fair figure of its accuracy on this trust's comments): checked, and the shares with exactly the
    same themes, at least one theme in common, and the same tone — None below ``MINIMUM_CHECKED`` — with the model versions they cover."""
    drawn = reviews[reviews["sample"] == theme_review.RANDOM_SAMPLE]
    enough = len(drawn) >= MINIMUM_CHECKED
    return {
        "checked": int(len(drawn)),
        "least_confident": int(len(reviews) - len(drawn)),
        "themes": float(theme_review.themes_agree(drawn).mean()) if enough else None,
        "themes_overlap": float(theme_review.themes_overlap(drawn).mean()) if enough else None,
        "tone": float(theme_review.tone_agrees(drawn).mean()) if enough else None,
        "versions": sorted(drawn["model_version"].dropna().unique()),
    }


def theme_changes(comments: pd.DataFrame, month: pd.Timestamp, months: int = 3) -> pd.DataFrame:
    """Themes over the last ``months`` against the ``months`` before: counts, negative counts, and
    whether the change is beyond chance: an exact binomial test of the theme's count in the two periods
    given how many comments each period had, Benjamini–Hochberg adjusted across themes (p < 0.05).

    ``direction`` is "rising", "falling" or "no clear change"; None when either count is under 5,
    too few to say.
    """
    from scipy import stats  # lazily: planning a pack imports no scipy

    middle, start = month - pd.DateOffset(months=months), month - pd.DateOffset(months=2 * months)
    t = by_theme(comments)
    recent = t[(t["month"] > middle) & (t["month"] <= month)]
    before = t[(t["month"] > start) & (t["month"] <= middle)]
    frame = (
        pd.DataFrame(
            {
                "recent": recent.groupby("theme").size(),
                "before": before.groupby("theme").size(),
                "negative": recent[recent["tone"] == "negative"].groupby("theme").size(),
            }
        )
        .fillna(0)
        .astype(int)
        .rename_axis("theme")
        .reset_index()
    )
    # Conditional on how many comments each period had, so that a busier quarter is not "rising"
    # everywhere; p-values adjusted across themes for the false-discovery rate (Benjamini–Hochberg).
    n_recent, n_before = comments_in(comments, middle, month), comments_in(comments, start, middle)
    share = n_recent / (n_recent + n_before) if n_recent + n_before else 0.5
    testable = (frame["recent"] >= 5) & (frame["before"] >= 5)
    p = np.full(len(frame), np.nan)
    for i in np.flatnonzero(testable.to_numpy()):
        r, b = int(frame["recent"].iat[i]), int(frame["before"].iat[i])
        p[i] = stats.binomtest(r, r + b, share).pvalue
    if testable.any():
        p[testable.to_numpy()] = stats.false_discovery_control(p[testable.to_numpy()])
    expected = (frame["recent"] + frame["before"]) * share
    directions = [
        None if np.isnan(q) else "no clear change" if q >= 0.05 else "rising" if r > e else "falling"
        for q, r, e in zip(p, frame["recent"], expected)
    ]
    frame["direction"] = directions
    frame["change"] = frame["recent"] - frame["before"]
    order = np.argsort(-frame["recent"].to_numpy(), kind="stable")
    return frame.iloc[order].reset_index(drop=True)[["theme", "recent", "before", "change", "negative", "direction"]]
