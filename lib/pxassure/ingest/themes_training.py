"""Training and evaluating the comment classifier (:mod:`.themes`): what ``pxassure themes train``
and ``themes evaluate`` need, and loading a trust's data never does.

Training reads comments in the training layout (the public labelled FFT comments, or a trust's
own in the same layout), holds out respondents (never single comments) for the figures, fits
each label's ensemble and the sentiment model, and writes a new :class:`~.themes.Model`.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.ingest.problems import Problem
from pxassure.ingest.staging import sha256_of
from pxassure.ingest.themes import (
    BLANK_LABEL,
    LABEL_SEPARATOR,
    NEVER,
    PARAMS,
    QUESTION,
    RATING,
    RATINGS,
    RESPONDENT,
    SENTIMENT,
    SENTIMENTS,
    TEXT,
    THREE_CLASS,
    Model,
    _question_key,
    _rating_key,
    _read_csv,
    _refuse_first,
    _vectorisers,
    array_digest,
    classify,
    is_blank,
)


@dataclass
class TrainingData:
    """Comments in the training layout: text, question, respondent, label matrix and sentiment."""

    text: pd.Series
    question: pd.Series
    respondent: pd.Series
    labels: list[str]
    y: np.ndarray  # comments × labels, 0/1
    sentiment: pd.Series  # Int64, missing where not coded
    source: str = ""
    sha256: str = ""
    rating: pd.Series | None = None  # the FFT answer each comment came with, where the file has it

    def subset(self, rows: np.ndarray) -> TrainingData:
        return TrainingData(
            self.text.iloc[rows].reset_index(drop=True),
            self.question.iloc[rows].reset_index(drop=True),
            self.respondent.iloc[rows].reset_index(drop=True),
            self.labels,
            self.y[rows],
            self.sentiment.iloc[rows].reset_index(drop=True),
            self.source,
            self.sha256,
            None if self.rating is None else self.rating.iloc[rows].reset_index(drop=True),
        )


def read_training(path: str | Path) -> TrainingData:
    """Read a labelled comments file in the layout of the public FFT training file.

    Needs the columns ``FFT answer``, ``FFT question``, ``Respondent ID``, ``Comment sentiment``
    and, after ``Comment sentiment``, one column per label holding 1 where it applies (empty
    otherwise); ``FFT categorical answer`` (the FFT answer, 1–7 or empty) is read where present.
    Problems name the file, row and column.
    """
    path = Path(path)
    raw = _read_csv(path)
    for col in (TEXT, QUESTION, RESPONDENT, SENTIMENT):
        if col not in raw.columns:
            raise ReadError(Problem(str(path), 1, col, None, f"a column named {col!r} (the training layout)"))
    labels = list(raw.columns[list(raw.columns).index(SENTIMENT) + 1 :])
    if len(labels) < 2:
        raise ReadError(Problem(str(path), 1, None, None, f"label columns after {SENTIMENT!r}"))
    cells = raw[labels].apply(lambda c: c.str.strip())
    bad = ~cells.isin(["", "0", "1"])
    if bad.any().any():
        r, c = np.argwhere(bad.to_numpy())[0]
        raise ReadError(
            Problem(str(path), int(r) + 2, labels[c], cells.iat[r, c], "1 where the label applies, else empty")
        )
    s = raw[SENTIMENT].str.strip()
    _refuse_first(path, SENTIMENT, s, ~s.isin(["", *map(str, SENTIMENTS)]), "a whole number from 1 to 5, or empty")
    rating = None
    if RATING in raw.columns:
        rating = raw[RATING].str.strip()
        _refuse_first(path, RATING, rating, ~rating.isin(["", *RATINGS, "7"]), "a whole number from 1 to 7, or empty")
    return TrainingData(
        text=raw[TEXT],
        question=raw[QUESTION],
        respondent=raw[RESPONDENT],
        labels=labels,
        y=(cells == "1").to_numpy(dtype=np.int8),
        sentiment=pd.to_numeric(s.replace("", None)).astype("Int64"),
        source=str(path),
        sha256=sha256_of(path),
        rating=rating,
    )


def split_by_respondent(data: TrainingData, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of a training and a held-out part; every respondent's comments on one side."""
    people = np.array(sorted(data.respondent.unique()))
    rng = np.random.default_rng(seed)
    held = set(rng.choice(people, size=max(1, round(len(people) * holdout)), replace=False))
    out = data.respondent.isin(held).to_numpy()
    return np.flatnonzero(~out), np.flatnonzero(out)


def _nb_ratio(x, y: np.ndarray, alpha: float) -> np.ndarray:
    """Naive Bayes log-count ratio of each feature for one label (Wang & Manning's NB-SVM)."""
    present = (x > 0).astype(np.float64)
    pos = alpha + np.asarray(present[y == 1].sum(0)).ravel()
    neg = alpha + np.asarray(present[y == 0].sum(0)).ravel()
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def _members(x, y: np.ndarray, params: dict, shrink: float = 1.0) -> list[tuple[np.ndarray, float]]:
    """One label's three linear members, each as (coefficients, intercept) on the features ``x``:
    class-weighted logistic regression, the same on NB-scaled features (folded back into plain
    coefficients) and a class-weighted linear SVM (its margin, scaled later). ``shrink`` scales
    both penalties' C (see ``PARAMS["rare_positives"]``)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    def logistic():
        return LogisticRegression(
            C=params["label_C"] * shrink, class_weight="balanced", solver="liblinear", max_iter=2000, random_state=0
        )

    lr = logistic().fit(x, y)
    r = _nb_ratio(x, y, params["nb_alpha"])
    nb = logistic().fit(x.multiply(r).tocsr(), y)
    svm = LinearSVC(C=params["svm_C"] * shrink, class_weight="balanced", max_iter=5000, random_state=0).fit(x, y)
    return [
        (lr.coef_[0], float(lr.intercept_[0])),
        (nb.coef_[0] * r, float(nb.intercept_[0])),
        (svm.coef_[0], float(svm.intercept_[0])),
    ]


def _platt(margin: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Slope and intercept turning an SVM margin into a log-odds (Platt scaling)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=1e4, max_iter=1000).fit(margin.reshape(-1, 1), y)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def _fit_label(x, y: np.ndarray, folds: list, params: dict) -> tuple[np.ndarray, float, np.ndarray]:
    """One label's ensemble as a single linear model (the mean of its members' log-odds is linear in
    the features), and its out-of-fold log-odds on the training comments.

    The folds, grouped by respondent, fit the SVM's Platt scaling on margins it did not train on
    and give honest log-odds for choosing the decision threshold. ``params`` are the settings the
    model records, passed in because labels are fitted in worker processes, which import ``PARAMS``
    afresh and would not see a change made to it in this one."""
    shrink = min(1.0, y.sum() / params["rare_positives"])  # the label's own count, in every fold
    logits = np.zeros((len(y), 3))
    for train, test in folds:
        if y[train].sum() == 0 or y[train].all():
            logits[test] = NEVER
            continue
        for m, (coef, intercept) in enumerate(_members(x[train], y[train], params, shrink)):
            logits[test, m] = x[test] @ coef + intercept
    a, c = _platt(logits[:, 2], y)
    logits[:, 2] = a * logits[:, 2] + c
    members = _members(x, y, params, shrink)
    coef = (members[0][0] + members[1][0] + a * members[2][0]) / 3
    intercept = (members[0][1] + members[1][1] + a * members[2][1] + c) / 3
    return coef, intercept, logits.mean(1)


def _threshold(y: np.ndarray, logits: np.ndarray) -> float:
    """The one probability threshold, over all labels, with the best out-of-fold micro-F1."""
    best = (-1.0, 0.5)
    positives = y.sum()
    for t in np.round(np.arange(0.20, 0.71, 0.02), 2):
        chosen = logits >= np.log(t / (1 - t))
        tp = (chosen & (y == 1)).sum()
        f1 = 2 * tp / (chosen.sum() + positives) if positives else 0.0
        best = max(best, (float(f1), float(t)))
    return best[1]


def exclusive_labels(y: np.ndarray, labels: list[str]) -> list[str]:
    """Labels that people (almost) never give with another one (see ``PARAMS["exclusive_share"]``);
    "Labelling not possible" is left out, since blank comments get it by rule."""
    others = y.sum(1) > 1
    return [
        label
        for j, label in enumerate(labels)
        if label != BLANK_LABEL
        and y[:, j].sum() >= PARAMS["exclusive_minimum"]
        and others[y[:, j] == 1].mean() <= PARAMS["exclusive_share"]
    ]


def _fit_sentiment(x, coded: pd.Series, rescale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sentiment model as one column of coefficients (and an intercept) per point of the 1–5
    scale; the largest is the model's choice, a softmax over them its probabilities.

    A point no training comment has is never chosen. With only two points coded, the binary
    regression's one column goes to the second point, against zeros for the first; with one, that
    point always wins; with none, there is no sentiment model (see ``Model.has_sentiment``)."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    s_coef = np.zeros((x.shape[1], len(SENTIMENTS)))
    s_int = np.full(len(SENTIMENTS), NEVER)
    has = coded.notna().to_numpy()
    points = sorted({int(v) for v in coded[has]})
    if len(points) < 2:
        for point in points:
            s_int[SENTIMENTS.index(point)] = 0.0
        return s_coef, s_int
    sent = LogisticRegression(C=PARAMS["sentiment_C"], max_iter=3000, random_state=0)
    sent.fit((x @ sp.diags(rescale)).tocsr()[has], coded[has].astype(int).to_numpy())
    columns, intercepts = sent.coef_ * rescale, sent.intercept_
    if len(points) == 2:  # a binary regression's one column is the second point against the first
        columns, intercepts = np.vstack([np.zeros_like(columns[0]), columns[0]]), [0.0, intercepts[0]]
    for k, point in enumerate(sent.classes_):
        s_coef[:, SENTIMENTS.index(int(point))], s_int[SENTIMENTS.index(int(point))] = columns[k], intercepts[k]
    return s_coef, s_int


def untrained(text: pd.Series, question: pd.Series, labels: list[str]) -> Model:
    """A model whose vectorisers and questions are learnt from ``text`` and ``question`` (the
    non-blank training comments), with no coefficients yet, recording the settings in ``PARAMS``."""
    word, char = _vectorisers()
    word.fit(text.fillna("").to_numpy())
    char.fit(text.fillna("").to_numpy())
    return Model(
        labels=labels,
        questions=sorted({k for k in question.map(_question_key) if k}),
        word=word,
        char=char,
        label_coef=np.zeros((0, 0)),
        label_intercept=np.zeros(0),
        sentiment_coef=np.zeros((0, 0)),
        sentiment_intercept=np.zeros(0),
        info={"params": copy.deepcopy(PARAMS)},  # the settings it was trained with, whatever changes later
    )


def fit(data: TrainingData) -> Model:
    """Train a model on every comment of ``data`` (blank comments are labelled by rule, not learnt).

    Each label is an ensemble of three linear classifiers (see ``_fit_label``) folded into one
    set of coefficients, so classifying costs no more than one logistic regression; the decision
    threshold is chosen on out-of-fold predictions (split by respondent) and folded into the
    intercepts, so a probability of 0.5 is still the line."""
    import scipy.sparse as sp
    from joblib import Parallel, delayed
    from sklearn.model_selection import GroupKFold

    keep = ~is_blank(data.text).to_numpy()
    text = data.text[keep].reset_index(drop=True)
    question = data.question[keep].reset_index(drop=True)
    y = data.y[keep]
    model = untrained(text, question, list(data.labels))
    rating = None if data.rating is None else data.rating[keep].reset_index(drop=True)
    known = rating is not None and bool((rating.map(_rating_key) != "").any())
    model.info["params"]["rating"] = bool(PARAMS["rating"]) and known
    x = model.features(text, question, rating)
    x_labels = x[:, : model.rating_columns().start]  # the labels do not read the FFT answer (see PARAMS)
    coef = np.zeros((x.shape[1], len(data.labels)))
    intercept = np.full(len(data.labels), NEVER)  # never predicted unless learnt
    respondent = data.respondent[keep].to_numpy()
    folds = list(GroupKFold(PARAMS["folds"]).split(x_labels, groups=respondent))
    learnt = [
        j
        for j, label in enumerate(data.labels)
        if label != BLANK_LABEL and y[:, j].sum() >= PARAMS["minimum_positives"] and not y[:, j].all()
    ]
    fitted = Parallel(n_jobs=min(len(learnt), os.cpu_count() or 1) or 1)(
        delayed(_fit_label)(x_labels, y[:, j].astype(int), folds, model.info["params"]) for j in learnt
    )
    oof = np.full(y.shape, NEVER)
    for j, (c, b, logits) in zip(learnt, fitted):
        coef[: x_labels.shape[1], j], intercept[j], oof[:, j] = c, b, logits
    threshold = _threshold(y[:, learnt], oof[:, learnt]) if learnt else 0.5
    intercept[learnt] -= np.log(threshold / (1 - threshold))
    # The sentiment model sees the question-specific words at its own scale; the rescaling is folded
    # into its coefficients, so both models share one feature matrix when classifying.
    rescale = np.ones(x.shape[1])
    if model._question_words:
        rescale[model.question_word_columns()] = PARAMS["sentiment_question_words"] / model._question_words
    model.label_coef, model.label_intercept = coef, intercept
    sentiment = data.sentiment[keep].reset_index(drop=True)
    if model.uses_rating:
        # Every comment twice, with and without its FFT answer, so that a comment arriving without
        # one is read as well as by a model that never saw the answers.
        blind = np.ones(x.shape[1])
        blind[model.rating_columns()] = 0.0
        x, sentiment = sp.vstack([x, x @ sp.diags(blind)]).tocsr(), pd.concat([sentiment, sentiment], ignore_index=True)
    model.sentiment_coef, model.sentiment_intercept = _fit_sentiment(x, sentiment, rescale)
    model.info = {**model.info, "threshold": threshold, "exclusive": exclusive_labels(y, list(data.labels))}
    return model


def label_f1(truth: np.ndarray, guess: np.ndarray, labels: list[str]) -> dict:
    """Micro- and macro-F1 of 0/1 matrices (comments × ``labels``), as #14 defines them: "Labelling
    not possible" left out of both (blank comments make it trivial), macro-F1 over the labels with at
    least 5 positives in ``truth``."""
    from sklearn.metrics import f1_score

    cols = [j for j, label in enumerate(labels) if label != BLANK_LABEL]
    truth, guess = truth[:, cols], guess[:, cols]
    enough = truth.sum(0) >= 5
    return {
        "micro_f1": round(float(f1_score(truth, guess, average="micro", zero_division=0)), 3),
        "macro_f1": (  # None where no label has enough positives to average (a few held-out corrections)
            round(float(f1_score(truth[:, enough], guess[:, enough], average="macro", zero_division=0)), 3)
            if enough.any()
            else None
        ),
        "macro_f1_labels": int(enough.sum()),
    }


def label_matrix(joined: pd.Series, labels: list[str]) -> tuple[np.ndarray, tuple[int, str] | None]:
    """Comments × ``labels``, 1 where a comment's '|'-joined labels name the label; and the first
    (row, label) naming none of ``labels``, if any (left out of the matrix)."""
    index = {label: j for j, label in enumerate(labels)}
    out, unknown = np.zeros((len(joined), len(labels)), dtype=np.int8), None
    for row, text in enumerate(joined.fillna("")):
        for label in filter(None, text.split(LABEL_SEPARATOR)):
            if label in index:
                out[row, index[label]] = 1
            elif unknown is None:
                unknown = (row, label)
    return out, unknown


def scores(data: TrainingData, predicted: pd.DataFrame) -> dict:
    """Micro- and macro-F1 and sentiment accuracy of ``predicted`` against ``data``'s labels.

    "Labelling not possible" is left out of both F1 figures (blank comments make it trivial);
    macro-F1 averages the labels with at least 5 positives in ``data``. Sentiment accuracy is
    over comments with a coded sentiment, on the 1–5 scale and on three classes.
    """
    pred, _ = label_matrix(predicted["labels"], data.labels)
    figures = label_f1(data.y, pred, data.labels)
    coded = data.sentiment.notna().to_numpy() & predicted["sentiment"].notna().to_numpy()
    t = data.sentiment[coded].astype(int).to_numpy()
    p = predicted["sentiment"][coded].astype(int).to_numpy()
    three = np.vectorize(THREE_CLASS.get)
    return {
        "comments": int(len(data.text)),
        **figures,
        "sentiment_accuracy_5": round(float((t == p).mean()), 3) if len(t) else None,
        "sentiment_accuracy_3": round(float((three(t) == three(p)).mean()), 3) if len(t) else None,
        "sentiment_comments": int(len(t)),
    }


def evaluate(data: TrainingData, holdout: float = PARAMS["holdout"], seed: int = PARAMS["seed"]) -> dict:
    """Train on part of ``data`` and score the held-out part (split by respondent)."""
    train_rows, test_rows = split_by_respondent(data, holdout, seed)
    model = fit(data.subset(train_rows))
    test = data.subset(test_rows)
    result = scores(test, model.predict(test.text, test.question, test.rating))
    if model.uses_rating:  # and how well it reads comments that arrive without their FFT answer
        blind = scores(test, model.predict(test.text, test.question))
        result["sentiment_accuracy_5_without_rating"] = blind["sentiment_accuracy_5"]
        result["sentiment_accuracy_3_without_rating"] = blind["sentiment_accuracy_3"]
    result.update({"holdout": holdout, "seed": seed, "respondents_held_out": int(test.respondent.nunique())})
    return result


def read_corrections(database: str | Path, labels: list[str]) -> TrainingData:
    """A person's coding from review workbooks (``theme_reviews``, with each comment's words, question
    and FFT answer from ``feedback_comments``) as training data with ``labels`` as its columns; each
    comment its own respondent. A label not among ``labels`` is refused, naming the comment."""
    from pxassure.ingest.store import Store

    with Store(database, read_only=True) as store:
        rows = store.query(
            "SELECT r.comment_id, c.text, c.question, c.rating, r.labels, r.sentiment FROM theme_reviews r "
            "JOIN feedback_comments c USING (comment_id) ORDER BY r.comment_id"
        )
    y, unknown = label_matrix(rows["labels"], labels)
    if unknown:
        row, label = unknown
        expected = "a label of the training file (the corrections and the file must share one framework)"
        where = f"{rows['comment_id'].iat[row]}: {label}"
        raise ReadError(Problem(str(database), None, "theme_reviews.labels", where, expected))
    return TrainingData(
        text=rows["text"].fillna(""),
        question=rows["question"].fillna(""),
        respondent="review:" + rows["comment_id"].astype(str),
        labels=list(labels),
        y=y,
        sentiment=rows["sentiment"].astype("Int64"),
        source=str(database),
        rating=rows["rating"].map(lambda r: "" if pd.isna(r) else str(int(r))),
    )


def combined(a: TrainingData, b: TrainingData) -> TrainingData:
    """``a``'s comments followed by ``b``'s (the same labels); ``a``'s digest names the result."""
    rating = None
    if a.rating is not None or b.rating is not None:
        rating = pd.concat([_ratings(a), _ratings(b)], ignore_index=True)
    return TrainingData(
        pd.concat([a.text, b.text], ignore_index=True),
        pd.concat([a.question, b.question], ignore_index=True),
        pd.concat([a.respondent, b.respondent], ignore_index=True),
        a.labels,
        np.vstack([a.y, b.y]),
        pd.concat([a.sentiment, b.sentiment], ignore_index=True).astype("Int64"),
        a.source,
        a.sha256,
        rating,
    )


def _ratings(d: TrainingData) -> pd.Series:
    return d.rating if d.rating is not None else pd.Series([""] * len(d.text))


#: Fewest corrections for some to be held out and scored (fewer are all trained on, and not scored).
CORRECTIONS_TO_SCORE = 25


def corrections_scored(data: TrainingData, trust: TrainingData, current: Model, seed: int = PARAMS["seed"]) -> dict:
    """The trust's corrections, a fifth held out: how the model in use and one trained on ``data``
    plus the other corrections code the held-out ones (each as loading codes comments, rules and all)."""
    n = len(trust.text)
    if n < CORRECTIONS_TO_SCORE:
        return {"corrections": n, "held_out": 0}
    held = np.zeros(n, dtype=bool)
    held[np.random.default_rng(seed).permutation(n)[: max(5, round(n * PARAMS["holdout"]))]] = True
    test = trust.subset(np.flatnonzero(held))
    retrained = fit(combined(data, trust.subset(np.flatnonzero(~held))))
    return {
        "corrections": n,
        "held_out": int(held.sum()),
        "model_in_use": {"version": current.version, **_scored(current, test)},
        "retrained": _scored(retrained, test),
    }


def _scored(model: Model, test: TrainingData) -> dict:
    return scores(test, classify(model, test.text, test.question, test.rating))


def train(
    path: str | Path, output: str | Path, corrections: str | Path | None = None, current: Model | None = None
) -> Model:
    """Evaluate on a held-out part of ``path`` (and, with ``corrections``, a database holding a person's
    coding from review workbooks, on a held-out part of those against the model in use, ``current``),
    then train on all of it and save to ``output``."""
    """Evaluate on a held-out part of ``path``, then train on all of it and save to ``output``."""
    data = read_training(path)
    metrics = evaluate(data)
    rows = int(len(data.text))
    trust = None if corrections is None else read_corrections(corrections, data.labels)
    if trust is not None:
        metrics["trust_corrections"] = corrections_scored(data, trust, current or Model.load())
        data = combined(data, trust)
    model = fit(data)
    now = datetime.now(UTC)
    model.info = {
        **model.info,  # what fit recorded (the decision threshold)
        # date, training file and the arrays themselves: a retrain with other settings is another version
        "version": f"themes-{now:%Y%m%d}-{data.sha256[:8]}-{array_digest(model.arrays())[:8]}",
        "trained_at": now.isoformat(timespec="seconds"),
        "training_file": {"name": Path(path).name, "sha256": data.sha256, "rows": rows},
        "corrections": None if trust is None else {"database": Path(corrections).name, "rows": len(trust.text)},
        "metrics": metrics,
    }
    model.save(output)
    return model
