"""Themes and sentiment of patients' comments: an offline classifier trained on labelled FFT comments.

The taxonomy is the qualitative framework of the public labelled FFT comments published by the
pxtextmining project (MIT licence, © 2021 NHS England): one yes/no label per category column of
the training file (names kept exactly as its headers) and a sentiment from 1 (very positive) to 5
(very negative). A comment can carry several labels.

The method, chosen on comments the model never saw (split by respondent, never by comment):
word 1–3-gram and character 2–5-gram TF-IDF of the comment plus the question it answers, and each
single word again once per question (so "staff" can mean one thing after "What was good?" and
another after "How could we improve?"); for each label an ensemble of three class-weighted linear
classifiers (logistic regression, the same on naive-Bayes-scaled features, and a Platt-scaled
linear SVM) whose mean log-odds is folded into one set of coefficients, more strongly penalised
where a label has few positives, with one decision threshold chosen on respondent-grouped
out-of-fold predictions; a label people (almost) never give
with another ("Not assigned") given alone or not at all; one multinomial regression for sentiment,
which also reads the FFT answer (1 very good … 5 very poor, 6 don't know) where a comment has one.
Blank comments and "Did not answer" are "Labelling not possible" by rule, with no sentiment.

The model is shipped inside the package as arrays (``model.npz``, loaded with
``allow_pickle=False``) and JSON (vocabularies, labels, the training file's digest, metrics):
nothing is unpickled and nothing is downloaded. ``pxassure themes train FILE.csv`` retrains
from any file in the training layout, so a trust can add its own labelled comments.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.files import atomic_write_text, current_umask
from pxassure.ingest.problems import Problem
from pxassure.ingest.store import sha256_of

#: Where the shipped model lives inside the package.
SHIPPED = "data/themes"
LABEL_SEPARATOR = "|"
BLANK_LABEL = "Labelling not possible"
#: Columns of the training layout that pxassure reads (labels are every column after sentiment).
TEXT, QUESTION, RESPONDENT, COMMENT_ID, SENTIMENT = (
    "FFT answer",
    "FFT question",
    "Respondent ID",
    "Comment ID",
    "Comment sentiment",
)
SENTIMENTS = (1, 2, 3, 4, 5)
#: The FFT tick-box answer a comment came with, on the national scale: 1 very good, 2 good,
#: 3 neither good nor poor, 4 poor, 5 very poor, 6 don't know. The training file's column also holds
#: an undocumented 7, read as not known.
RATING = "FFT categorical answer"
RATINGS = ("1", "2", "3", "4", "5", "6")
#: The log-odds of an answer the model never gives (a label or sentiment it could not learn).
NEVER = -30.0
#: The three-class reading of the 1–5 scale used for accuracy: 1–2 positive, 3 mixed, 4–5 negative.
THREE_CLASS = {1: "positive", 2: "positive", 3: "mixed", 4: "negative", 5: "negative"}
#: Settings of the method (recorded in the model file).
PARAMS = {
    "word": {"ngram_range": [1, 3], "min_df": 2, "sublinear_tf": True, "strip_accents": "unicode"},
    "char": {"analyzer": "char_wb", "ngram_range": [2, 5], "min_df": 2, "sublinear_tf": True},
    # Each single word's TF-IDF repeated for the question the comment answers, at this scale: below 1,
    # a word's shared weight stays cheaper (under the same penalty) than a question-specific one.
    "question_words": 0.5,
    "sentiment_question_words": 1.0,  # the same for the sentiment model, whose tone leans more on the question
    "label_C": 10.0,
    "svm_C": 0.3,
    # A label with fewer training positives than this has both penalties scaled down in proportion:
    # class weights give each of its few positives a large weight, and at the common C it learns
    # those comments by heart rather than what they share.
    "rare_positives": 50,
    "nb_alpha": 1.0,
    "folds": 5,  # respondent-grouped folds for the SVM's scaling and the decision threshold
    "sentiment_C": 1.0,
    # The FFT answer (1–6) as a feature of the sentiment model, where the comments have one. Not of
    # the labels: it lowered their out-of-fold F1.
    "rating": True,
    "minimum_positives": 3,  # a label with fewer training positives is never predicted
    # A label (with enough positives) that people gave together with another label in at most this
    # share of its comments is exclusive, like "Not assigned" (a comment that fits no category): the
    # model gives it alone when it is the likeliest label, and not at all when another label is likelier.
    "exclusive_share": 0.02,
    "exclusive_minimum": 20,
    "holdout": 0.2,
    "seed": 42,
}


def is_blank(text: pd.Series) -> pd.Series:
    """Comments with nothing to label: empty, or the literal "Did not answer"."""
    t = text.fillna("").astype(str).str.strip()
    return (t == "") | (t.str.lower() == "did not answer")


#: Answers that say nothing to theme ("N/A", "None", "-", "nothing", "no comment" …), compared
#: lower-case with punctuation and spaces squeezed out: kept and counted, never themed or toned.
NON_COMMENTS = frozenset(
    {
        "",
        "na",
        "none",
        "nil",
        "no",
        "nothing",
        "nothingreally",
        "nothingelse",
        "nothingtoadd",
        "nothingtosay",
        "nocomment",
        "nocomments",
        "notapplicable",
        "noneatall",
        "nothankyou",
        "nonethankyou",
        "didnotanswer",
    }
)


def is_non_comment(text: pd.Series) -> pd.Series:
    """Comments that say nothing to label: blank, punctuation only, or a stock non-answer."""
    squeezed = text.fillna("").astype(str).str.lower().str.replace(r"[\W_]+", "", regex=True)
    return squeezed.isin(NON_COMMENTS)


def classify(model: Model, text: pd.Series, question=None, rating=None) -> pd.DataFrame:
    """The model's labels and sentiment (:meth:`Model.predict`), except that non-comments get
    "Labelling not possible" and no sentiment by rule. Loading and ``themes classify`` use this;
    the model's own evaluation does not, so its recorded figures stay the model's."""
    predicted = model.predict(text, question, rating)
    rule = is_non_comment(text.reset_index(drop=True)).to_numpy()
    predicted.loc[rule, "labels"] = BLANK_LABEL
    predicted.loc[rule, "confidence"] = 1.0
    predicted.loc[rule, "sentiment"] = pd.NA
    predicted.loc[rule, "sentiment_confidence"] = np.nan
    return predicted


def _question_key(q) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(q).lower()).strip() if isinstance(q, str) else ""


def _rating_key(r) -> str:
    """An FFT answer as one of ``RATINGS``, or "" where missing or not on the scale."""
    if r is None or r is pd.NA or (isinstance(r, float) and np.isnan(r)):
        return ""
    text = str(r).strip()
    text = text[:-2] if text.endswith(".0") else text  # 4.0 from a numeric column
    return text if text in RATINGS else ""


def _indicators(keys: pd.Series | None, known, rows: int) -> np.ndarray:
    """One column per value in ``known``, 1 where a row's key is that value; a row whose key is
    missing, empty or not known has none."""
    out = np.zeros((rows, len(known)), dtype=np.float64)
    if keys is not None:
        index = {k: i for i, k in enumerate(known)}
        for row, key in enumerate(keys):
            if key in index:
                out[row, index[key]] = 1.0
    return out


# ---------------------------------------------------------------------------
# Training data
# ---------------------------------------------------------------------------


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


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV as text cells (blank cells as empty text), or a ReadError naming the file."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise ReadError(Problem(str(path), None, None, None, f"a readable UTF-8 CSV file ({exc})")) from None


def _refuse_first(path: str | Path, column: str, values: pd.Series, bad: pd.Series, expected: str) -> None:
    """A ReadError naming the first row of a CSV column where ``bad`` holds (the file's row number,
    counting the header as row 1), if there is one."""
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        raise ReadError(Problem(str(path), r + 2, column, values.iat[r], expected))


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


# ---------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------


def _vectorisers(word_vocab=None, char_vocab=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    def make(spec, vocab):
        spec = {**spec, "ngram_range": tuple(spec["ngram_range"])}
        if vocab is not None:
            spec = {**spec, "vocabulary": vocab, "min_df": 1}
        return TfidfVectorizer(**spec)

    return make(PARAMS["word"], word_vocab), make(PARAMS["char"], char_vocab)


@dataclass
class Model:
    """A trained classifier: vectorisers, one linear model per label and one for sentiment."""

    labels: list[str]
    questions: list[str]
    word: object = field(repr=False)
    char: object = field(repr=False)
    label_coef: np.ndarray = field(repr=False)  # features × labels
    label_intercept: np.ndarray = field(repr=False)
    sentiment_coef: np.ndarray = field(repr=False)  # features × 5
    sentiment_intercept: np.ndarray = field(repr=False)
    info: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.info.get("version", "unversioned")

    @cached_property
    def _single_words(self) -> np.ndarray:
        """Columns of the word features that are single words (not 2- or 3-word phrases)."""
        return np.array(sorted(i for term, i in self.word.vocabulary_.items() if " " not in term), dtype=np.int64)

    @property
    def has_sentiment(self) -> bool:
        """Whether the training file coded any sentiment (if not, the model leaves it empty)."""
        return bool((self.sentiment_intercept > NEVER).any())

    @property
    def _question_words(self) -> float:
        # A model saved before question-specific words existed has none (its arrays have no room).
        return float(self.info.get("params", {}).get("question_words", 0.0))

    @property
    def uses_rating(self) -> bool:
        """Whether the sentiment model reads the FFT answer (a model trained before it could, or on a
        file without it, does not)."""
        return bool(self.info.get("params", {}).get("rating", False))

    def question_word_columns(self) -> slice:
        """Where ``features`` puts the question-specific words: after the question columns."""
        start = len(self.word.vocabulary_) + len(self.char.vocabulary_) + len(self.questions)
        width = len(self._single_words) * len(self.questions) if self._question_words else 0
        return slice(start, start + width)

    def rating_columns(self) -> slice:
        """Where ``features`` puts the FFT answer: the last block of columns, one per point of ``RATINGS``."""
        start = self.question_word_columns().stop
        return slice(start, start + (len(RATINGS) if self.uses_rating else 0))

    def features(self, text: pd.Series, question: pd.Series | None = None, rating: pd.Series | None = None):
        """Sparse features of each comment: word and character TF-IDF, the question it answers
        (one column per question seen in training; an unknown or missing question has none),
        for that question its single words again (see ``PARAMS["question_words"]``) and the FFT
        answer it came with (one column per answer on the scale; none where it is missing)."""
        import scipy.sparse as sp

        t = text.fillna("").astype(str).to_numpy()
        q = _indicators(None if question is None else question.map(_question_key), self.questions, len(t))
        words = self.word.transform(t)
        blocks = [words, self.char.transform(t), sp.csr_matrix(q)]
        if self._question_words and len(self.questions):
            single = words[:, self._single_words] * self._question_words
            blocks += [single.multiply(q[:, [k]]) for k in range(len(self.questions))]
        if self.uses_rating:
            r = _indicators(None if rating is None else rating.map(_rating_key), RATINGS, len(t))
            blocks.append(sp.csr_matrix(r))
        return sp.hstack(blocks).tocsr()

    def predict(
        self, text: pd.Series, question: pd.Series | None = None, rating: pd.Series | None = None
    ) -> pd.DataFrame:
        """Labels (``|``-joined header names), sentiment 1–5 and confidences for each comment, from its
        text and, where given, the question it answers and the FFT answer (1–6) it came with.

        ``confidence`` is the model's lowest probability among the labels it assigned (or, with no
        label, its certainty that none applies); ``sentiment_confidence`` the probability of the
        sentiment it chose. They rank how sure the model is; they are not calibrated frequencies.
        Blank comments get "Labelling not possible" and no sentiment, by rule.
        """
        text = text.reset_index(drop=True)
        question = None if question is None else question.reset_index(drop=True)
        rating = None if rating is None else rating.reset_index(drop=True)
        n = len(text)
        blank = is_blank(text).to_numpy()
        labels = np.full(n, BLANK_LABEL, dtype=object)
        confidence = np.ones(n)
        sentiment = pd.array([pd.NA] * n, dtype="Int64")
        s_conf = np.full(n, np.nan)
        rows = np.flatnonzero(~blank)
        if len(rows):
            x = self.features(
                text.iloc[rows],
                None if question is None else question.iloc[rows],
                None if rating is None else rating.iloc[rows],
            )
            p = 1 / (1 + np.exp(-(x @ self.label_coef + self.label_intercept)))
            exclusive = [self.labels.index(name) for name in self.info.get("exclusive", [])]
            chosen = _keep_exclusive(p, p >= 0.5, exclusive)
            names = np.array(self.labels, dtype=object)
            labels[rows] = [LABEL_SEPARATOR.join(names[c]) for c in chosen]
            confidence[rows] = np.where(chosen.any(1), np.where(chosen, p, 1).min(1), 1 - p.max(1))
            if self.has_sentiment:
                z = x @ self.sentiment_coef + self.sentiment_intercept
                z = np.exp(z - z.max(1, keepdims=True))
                z /= z.sum(1, keepdims=True)
                sentiment[rows] = np.array(SENTIMENTS)[z.argmax(1)]
                s_conf[rows] = z.max(1)
        return pd.DataFrame(
            {
                "labels": labels,
                "sentiment": sentiment,
                "confidence": confidence.round(3),
                "sentiment_confidence": s_conf.round(3),
            }
        )

    # -- files ----------------------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        """The model's arrays as ``model.npz`` holds them (single precision)."""
        return {
            "word_idf": self.word.idf_.astype(np.float32),
            "char_idf": self.char.idf_.astype(np.float32),
            "label_coef": self.label_coef.astype(np.float32),
            "label_intercept": self.label_intercept.astype(np.float32),
            "sentiment_coef": self.sentiment_coef.astype(np.float32),
            "sentiment_intercept": self.sentiment_intercept.astype(np.float32),
        }

    def save(self, folder: str | Path) -> Path:
        """Write ``model.json`` and ``model.npz`` into ``folder`` together, or not at all."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            meta = {
                **self.info,
                "labels": self.labels,
                "questions": self.questions,
                "word_vocabulary": _terms(self.word),
                "char_vocabulary": _terms(self.char),
                "params": self.info.get("params", PARAMS),
            }
            (staging / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
            np.savez_compressed(staging / "model.npz", **self.arrays())
            staging.chmod(0o777 & ~current_umask())  # mkdtemp makes it private; a model is for sharing
            if folder.exists():
                old = folder.with_name(f".{folder.name}.old")
                folder.rename(old)
                staging.rename(folder)
                for f in old.iterdir():
                    f.unlink()
                old.rmdir()
            else:
                staging.rename(folder)
        except BaseException:
            for f in staging.glob("*"):
                f.unlink()
            staging.rmdir()
            raise
        return folder

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Model:
        """The model in ``folder`` (default: the one shipped with pxassure)."""
        meta, arrays = _read_files(folder)
        word, char = _vectorisers(meta["word_vocabulary"], meta["char_vocabulary"])
        word.fit(["x"])
        char.fit(["x"])
        word.idf_ = arrays["word_idf"].astype(np.float64)
        char.idf_ = arrays["char_idf"].astype(np.float64)
        info = {k: v for k, v in meta.items() if k not in ("labels", "questions", "word_vocabulary", "char_vocabulary")}
        return cls(
            labels=meta["labels"],
            questions=meta["questions"],
            word=word,
            char=char,
            label_coef=arrays["label_coef"].astype(np.float64),
            label_intercept=arrays["label_intercept"].astype(np.float64),
            sentiment_coef=arrays["sentiment_coef"].astype(np.float64),
            sentiment_intercept=arrays["sentiment_intercept"].astype(np.float64),
            info=info,
        )


def array_digest(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of a model's arrays (names, shapes and values), so two models trained on the same file
    on the same day but with other settings or code still have different versions."""
    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(arrays[name])
        h.update(f"{name}:{a.dtype.str}:{a.shape};".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def model_labels(folder: str | Path | None = None) -> list[str]:
    """The label names of a model (default: the shipped one), read without loading the model."""
    return _read_files(folder, arrays=False)[0]["labels"]


def _read_files(folder: str | Path | None, arrays: bool = True) -> tuple[dict, dict]:
    """A model's metadata (JSON) and arrays (npz, never unpickled)."""
    out: dict = {}
    if folder is None:
        base = resources.files("pxassure").joinpath(SHIPPED)
        meta_text = base.joinpath("model.json").read_text(encoding="utf-8")
        if arrays:
            with base.joinpath("model.npz").open("rb") as fh:
                out = dict(np.load(fh, allow_pickle=False))
        return json.loads(meta_text), out
    folder = Path(folder)
    try:
        meta_text = (folder / "model.json").read_text(encoding="utf-8")
        if arrays:
            with np.load(folder / "model.npz", allow_pickle=False) as z:
                out = dict(z)
    except (OSError, ValueError) as exc:
        raise ReadError(
            Problem(str(folder), None, None, None, f"a themes model (model.json and model.npz): {exc}")
        ) from None
    return json.loads(meta_text), out


def _terms(vectoriser) -> list[str]:
    vocab = vectoriser.vocabulary_
    terms = [""] * len(vocab)
    for term, i in vocab.items():
        terms[i] = term
    return terms


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


def _keep_exclusive(p: np.ndarray, chosen: np.ndarray, exclusive: list[int]) -> np.ndarray:
    """Where an exclusive label was chosen with others, keep it alone if it is at least as likely
    as each of them, and drop it otherwise."""
    chosen = chosen.copy()
    for e in exclusive:
        rest = np.delete(p, e, axis=1).max(1)  # a model has at least two labels
        wins = chosen[:, e] & (p[:, e] >= rest)
        chosen[wins] = False
        chosen[wins, e] = True
        chosen[:, e] = wins
    return chosen


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


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


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
        "macro_f1": round(float(f1_score(truth[:, enough], guess[:, enough], average="macro", zero_division=0)), 3),
        "macro_f1_labels": int(enough.sum()),
    }


def scores(data: TrainingData, predicted: pd.DataFrame) -> dict:
    """Micro- and macro-F1 and sentiment accuracy of ``predicted`` against ``data``'s labels.

    "Labelling not possible" is left out of both F1 figures (blank comments make it trivial);
    macro-F1 averages the labels with at least 5 positives in ``data``. Sentiment accuracy is
    over comments with a coded sentiment, on the 1–5 scale and on three classes.
    """
    index = {label: j for j, label in enumerate(data.labels)}
    pred = np.zeros_like(data.y)
    for row, text in enumerate(predicted["labels"].fillna("")):
        for label in filter(None, text.split(LABEL_SEPARATOR)):
            pred[row, index[label]] = 1
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


def classify_file(source: str | Path, output: str | Path, model: Model) -> pd.DataFrame:
    """Classify a CSV with ``comment_id``, ``text`` and optional ``question`` and ``rating`` (the FFT
    answer, 1–6); write ``comment_id``, ``labels``, ``sentiment`` (and the confidences) to ``output``
    without ever half-writing it."""
    source = Path(source)
    raw = _read_csv(source)
    for col in ("comment_id", "text"):
        if col not in raw.columns:
            raise ReadError(
                Problem(
                    str(source), 1, col, None, f"a column named {col!r} (columns: comment_id, text, question, rating)"
                )
            )
    rating = raw["rating"].str.strip() if "rating" in raw.columns else None
    if rating is not None:
        _refuse_first(
            source,
            "rating",
            rating,
            (rating != "") & (rating.map(_rating_key) == ""),
            "the FFT answer as a whole number from 1 (very good) to 5 (very poor) or 6 (don't know), or empty",
        )
    predicted = classify(model, raw["text"], raw["question"] if "question" in raw.columns else None, rating)
    out = pd.concat([raw[["comment_id"]], predicted], axis=1)
    atomic_write_text(output, out.to_csv(index=False))
    return out


def train(path: str | Path, output: str | Path) -> Model:
    """Evaluate on a held-out part of ``path``, then train on all of it and save to ``output``."""
    data = read_training(path)
    metrics = evaluate(data)
    model = fit(data)
    now = datetime.now(UTC)
    model.info = {
        **model.info,  # what fit recorded (the decision threshold)
        # date, training file and the arrays themselves: a retrain with other settings is another version
        "version": f"themes-{now:%Y%m%d}-{data.sha256[:8]}-{array_digest(model.arrays())[:8]}",
        "trained_at": now.isoformat(timespec="seconds"),
        "training_file": {"name": Path(path).name, "sha256": data.sha256, "rows": int(len(data.text))},
        "metrics": metrics,
    }
    model.save(output)
    return model
