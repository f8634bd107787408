"""Coding rows at load: comments' themes and tone, and stories' themes.

A comment keeps the coding a person gave — in the extract, or later in a review workbook
(``theme_reviews``, which wins, being the later check) — and pxassure codes the rest: non-comments
by rule, everything else by the classifier with its tone made to fit the patient's own answer
(:func:`pxassure.ingest.themes.classify`). Every row records who coded its labels and its tone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pxassure.ingest import themes
from pxassure.ingest.problems import Problem


def known_labels(loader, frame: pd.DataFrame, column: str, rows, file: str, sheet: str | None):
    """``column`` of '|'-joined theme labels checked against the comment framework's names (one
    problem per row, naming the first unknown) and written with no spaces around the '|'."""
    problems = []
    known = set(loader.themes_labels)
    rows = np.arange(len(frame)) + 2 if rows is None else np.asarray(rows)
    given = frame[column].notna()
    for r, text in zip(rows[given.to_numpy()], frame.loc[given, column]):
        unknown = [x for x in (part.strip() for part in text.split(themes.LABEL_SEPARATOR)) if x not in known]
        if unknown:
            expected = f"label names of the FFT comment framework, not {unknown[0]!r}"
            problems.append(Problem(file, int(r), column, text, expected, sheet))
    out = frame.copy()
    out[column] = out[column].map(
        lambda t: (
            themes.LABEL_SEPARATOR.join(x.strip() for x in t.split(themes.LABEL_SEPARATOR)) if isinstance(t, str) else t
        )
    )
    return out, problems


def story_themes(loader, frame: pd.DataFrame, rows, file: str, sheet: str | None):
    """A story's themes are the comment framework's labels, as comments' are."""
    return known_labels(loader, frame, "themes", rows, file, sheet)


def apply_reviews(comments: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """``comments`` with the themes and tone of every comment a person checked in a review
    workbook taken from ``reviews`` (``theme_reviews``), coded by "person"."""
    if reviews.empty or comments.empty:
        return comments
    checked = reviews.drop_duplicates("comment_id", keep="last").set_index("comment_id")
    hit = comments["comment_id"].isin(checked.index).to_numpy()
    if not hit.any():
        return comments
    out = comments.copy()
    out["sentiment"] = out["sentiment"].astype("Int64")  # a store read gives plain integers
    ids = out.loc[hit, "comment_id"]
    out.loc[hit, "labels"] = checked.loc[ids, "labels"].to_numpy()
    out.loc[hit, "sentiment"] = checked.loc[ids, "sentiment"].astype("Int64").to_numpy()
    out.loc[hit, ["labels_by", "sentiment_by"]] = "person"
    out.loc[hit, "confidence"] = np.nan
    return out


def code_comments(loader, frame: pd.DataFrame, rows, file: str, sheet: str | None):
    """Keep themes and sentiment a person gave; classify the rest; record who coded each row."""
    out, problems = known_labels(loader, frame, "labels", rows, file, sheet)
    given = frame["labels"].notna()
    out["text"] = out["text"].fillna("")  # a blank answer is kept, as a non-comment (below)
    out["labels_by"] = np.where(given, "person", "model")
    out["sentiment_by"] = pd.Series(np.where(out["sentiment"].notna(), "person", None), dtype=object)
    out["model_version"] = None
    out["confidence"] = np.nan
    # Non-comments ('N/A', 'None', '-') are kept and counted, never themed or toned, by rule.
    rule = themes.is_non_comment(out["text"]).to_numpy() & ~given.to_numpy() & out["sentiment"].isna().to_numpy()
    out.loc[rule, "labels"] = themes.BLANK_LABEL
    out.loc[rule, "labels_by"] = "rule"
    checked = out["comment_id"].isin(loader.reviewed_ids).to_numpy()
    todo = (~given | out["sentiment"].isna()).to_numpy() & ~rule & ~checked
    if todo.any():
        model = loader.themes_model  # loaded only when something is left to classify
        predicted = themes.classify(model, out.loc[todo, "text"], out.loc[todo, "question"], out.loc[todo, "rating"])
        predicted.index = out.index[todo]
        need_labels = todo & ~given.to_numpy()
        out.loc[need_labels, "labels"] = predicted.loc[out.index[need_labels], "labels"]
        out.loc[need_labels, "confidence"] = predicted.loc[out.index[need_labels], "confidence"]
        need_sentiment = todo & out["sentiment"].isna().to_numpy()
        coded = need_sentiment & predicted["sentiment"].reindex(out.index).notna().to_numpy()
        out.loc[coded, "sentiment"] = predicted.loc[out.index[coded], "sentiment"]
        out.loc[coded, "sentiment_by"] = predicted.loc[out.index[coded], "tone_by"]
        out.loc[need_labels | coded, "model_version"] = model.version
    if checked.any():
        out = apply_reviews(out, loader.reviews)
    return out, problems


#: Tables whose rows pxassure completes at load, after parsing and before staging.
ENRICH = {"feedback_comments": code_comments, "patient_stories": story_themes}
