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

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError
from pxassure.files import atomic_write_text, current_umask
from pxassure.ingest import tone
from pxassure.ingest.problems import Problem

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
    """The model's labels and sentiment (:meth:`Model.predict`), with two rules on top: non-comments
    get "Labelling not possible" and no sentiment, and each tone is made to fit the patient's own
    answer (:func:`pxassure.ingest.tone.fit_to_answer`): ``tone_by`` says "rule" where a rule set it,
    ``against_answer`` where the words kept a tone the answer contradicts. Loading and ``themes
    classify`` use this; the model's own evaluation does not, so its recorded figures stay the model's."""
    text = text.reset_index(drop=True)
    question = None if question is None else pd.Series(question).reset_index(drop=True)
    rating = None if rating is None else pd.Series(rating).reset_index(drop=True)
    predicted = model.predict(text, question, rating)
    fitted, against = tone.fit_to_answer(predicted["sentiment"], text, question, rating)
    predicted["tone_by"] = np.where(
        fitted.fillna(0).to_numpy() != predicted["sentiment"].fillna(0).to_numpy(), "rule", "model"
    )
    predicted["sentiment"] = fitted
    predicted["against_answer"] = against.to_numpy()
    rule = is_non_comment(text).to_numpy()
    predicted.loc[rule, "labels"] = BLANK_LABEL
    predicted.loc[rule, "confidence"] = 1.0
    predicted.loc[rule, "sentiment"] = pd.NA
    predicted.loc[rule, "sentiment_confidence"] = np.nan
    predicted.loc[rule, "tone_by"] = "rule"
    predicted.loc[rule, "against_answer"] = False
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
# Reading files
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Classifying a file
# ---------------------------------------------------------------------------


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
