"""A comment's tone read with the patient's own answer: the question it answers, the FFT rating it
came with, and the words that say good and bad.

The classifier reads words; a patient who rated their care Good and answered "What did we do
well?" with "Good communication about my discharge." has already said the tone. Three rules, each
a short function, turn the model's tone into one that fits the answer (:func:`fit_to_answer`):

- **both said**: words of praise and of complaint joined by a turn ("but", "however", "apart
  from" …) are a mixed comment (sentiment 3), whatever the model read;
- **the answer implies a tone** when the question and the rating agree — a "what went well"
  question with a Good rating implies positive, a "what could be better" question with a Poor rating
  negative (any wording: the question is read for its kind, not matched whole). An open question
  ("Why?") implies nothing: on the public labelled comments, patients who rate Good often complain
  there, and taking their tone from the rating lowered its accuracy;
- **strong evidence** to keep a tone the answer contradicts is words of that tone and none of the
  other; without it the comment takes the tone its answer implies, with words of both it is mixed.
  A tone kept against the answer is a *conflict*: papers name it rather than count it as a signal.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

POSITIVE, MIXED, NEGATIVE = "positive", "mixed", "negative"
#: The sentiment (1 very positive … 5 very negative) a rule gives, by tone and FFT rating: a rating
#: of 1 (very good) or 5 (very poor) gives the stronger point of the tone's two.
RULE_SENTIMENT = {(POSITIVE, 1): 1, (POSITIVE, 2): 2, (NEGATIVE, 4): 4, (NEGATIVE, 5): 5}
SENTIMENT_MIXED = 3

# What a question asks for, read from its words so that wordings never seen still count.
_ASKS_IMPROVE = re.compile(
    r"\b(improve\w*|better|differently|change\w*|wrong|worse|bad\w*|disappoint\w*|poor|negative|"
    r"dislike\w*|dissatisf\w*|unhappy|not good|could (we|have)|should (we|have))\b"
)
_ASKS_GOOD = re.compile(r"\b(good|well|best|like[ds]?|enjoy\w*|positive|pleased|great|happy|satisfied|went right)\b")
WENT_WELL, IMPROVE, OPEN = "went well", "could be better", "open"

# Words of praise and of complaint. A word of praise after a negation ("not very helpful",
# "wasn't clean") is a complaint.
_PRAISE = re.compile(
    r"\b(good|great|excellent|brilliant|fantastic|amazing|lovely|kind|kindness|caring|cared|helpful|"
    r"friendly|polite|professional|efficient|thank\w*|wonderful|superb|outstanding|perfect|pleasant|"
    r"nice|clean|prompt\w*|pleased|happy|best|fab\w*|attentive|compassion\w*|reassur\w*|respectful|"
    r"supportive|welcoming|smooth|easy|impressed|marvellous|exceptional|informative|quickly)\b"
)
_COMPLAINT = re.compile(
    r"\b(rude|poor\w*|bad\w*|terrible|awful|dirty|unhelpful|unfriendly|uncaring|ignored|waits?|waited|"
    r"waiting|delay\w*|late|cold|noisy|noise|lack\w*|nobody|no one|never|disappoint\w*|unprofessional|"
    r"worse|worst|slow|confus\w*|upset\w*|complain\w*|shocking|horrible|dismissive|understaffed|"
    r"short staffed|could (be|have been) better|should have|improve\w*|wrong|mistake\w*|missed|lost|"
    r"forgot\w*|painful|uncomfortable|unacceptable|frustrat\w*|difficult|struggl\w*|annoy\w*|cancel\w*)\b"
)
_NEGATED = re.compile(r"\b(not|no|never|hardly|wasn't|weren't|isn't|aren't|didn't|don't|wasnt|didnt|dont)\s+(\w+\s+)?$")
_TURN = re.compile(r"\b(but|however|although|though|except|apart from|other than|only thing|shame|unfortunately)\b")


def question_kind(question) -> str:
    """What a question asks for: "went well", "could be better", "open" (both, or neither: "Why?",
    "Please tell us about your care"), or "" where there is no question."""
    if not isinstance(question, str) or not question.strip():
        return ""
    q = question.lower()
    good, improve = bool(_ASKS_GOOD.search(q)), bool(_ASKS_IMPROVE.search(q))
    if good and not improve:
        return WENT_WELL
    if improve and not good:
        return IMPROVE
    return OPEN


def answer_tone(question, rating) -> str | None:
    """The tone a patient's answer implies, or None: positive where the question asks what went well
    and the rating is Good or Very good; negative where it asks what could be better and the rating
    is Poor or Very poor; nothing where they pull apart, the question is open, or either is missing."""
    return _implied(question_kind(question), _rating(rating))


def _implied(kind: str, r: int | None) -> str | None:
    if r in (1, 2) and kind == WENT_WELL:
        return POSITIVE
    if r in (4, 5) and kind == IMPROVE:
        return NEGATIVE
    return None


def _rating(rating) -> int | None:
    try:
        r = int(float(rating))
    except (TypeError, ValueError):
        return None
    return r if 1 <= r <= 6 else None


def cues(text) -> tuple[bool, bool]:
    """Whether a comment has words of praise and words of complaint (a negated word of praise, as
    in "not very helpful", is a complaint)."""
    t = str(text).lower() if isinstance(text, str) else ""
    praise, complaint = False, bool(_COMPLAINT.search(t))
    for m in _PRAISE.finditer(t):
        if _NEGATED.search(t[max(0, m.start() - 30) : m.start()]):
            complaint = True
        else:
            praise = True
    return praise, complaint


def both_said(text) -> bool:
    """Praise on one side of a turn ("but", "however" …) and complaint on the other."""
    t = str(text).lower() if isinstance(text, str) else ""
    turn = _TURN.search(t)
    if not turn:
        return False
    before, after = cues(t[: turn.start()]), cues(t[turn.end() :])
    return (before[0] and after[1]) or (before[1] and after[0])


def tone_of(sentiment) -> str | None:
    """1–2 positive, 3 mixed, 4–5 negative; None where not coded."""
    if sentiment is None or sentiment is pd.NA or (isinstance(sentiment, float) and np.isnan(sentiment)):
        return None
    return POSITIVE if int(sentiment) <= 2 else MIXED if int(sentiment) == 3 else NEGATIVE


def fit_one(sentiment, text, question, rating) -> tuple[object, bool]:
    """One comment's sentiment made to fit its answer, and whether it still contradicts it."""
    tone = tone_of(sentiment)
    if tone is None:
        return sentiment, False
    if both_said(text):
        return SENTIMENT_MIXED, False
    praise, complaint = cues(text)
    implied = answer_tone(question, rating)
    if implied is None or tone in (implied, MIXED):
        return sentiment, False
    said_model, said_implied = (praise, complaint) if tone == POSITIVE else (complaint, praise)
    if said_model and said_implied:
        return SENTIMENT_MIXED, False
    if said_model:
        return sentiment, True  # strong evidence in the words: kept, and named as a conflict
    return RULE_SENTIMENT[(implied, _rating(rating))], False


def fit_to_answer(sentiment: pd.Series, text: pd.Series, question=None, rating=None) -> tuple[pd.Series, pd.Series]:
    """Each comment's sentiment made to fit its answer (:func:`fit_one`), and where it still
    contradicts the answer."""
    n = len(sentiment)
    q = [None] * n if question is None else list(question)
    r = [None] * n if rating is None else list(rating)
    fitted = [fit_one(s, t, qq, rr) for s, t, qq, rr in zip(sentiment, text, q, r)]
    out = pd.array([f[0] for f in fitted], dtype="Int64")
    return pd.Series(out, index=sentiment.index), pd.Series([f[1] for f in fitted], index=sentiment.index)


def contradicts(sentiment: pd.Series, question: pd.Series, rating: pd.Series) -> pd.Series:
    """Where a comment's tone is the opposite of the tone its answer implies."""
    kinds = {q: question_kind(q) for q in pd.unique(question.astype(object))}  # a trust asks few questions
    implied = [_implied(kinds[q], _rating(r)) for q, r in zip(question.astype(object), rating)]
    return pd.Series([_opposite(tone_of(s), i) for s, i in zip(sentiment, implied)], index=sentiment.index, dtype=bool)


def _opposite(tone: str | None, implied: str | None) -> bool:
    return {tone, implied} == {POSITIVE, NEGATIVE}
