"""How far a committee can trust the themes and tones in its papers: how many answers said nothing
to theme, how many tones contradict the patient's own answer (and so count in no theme chart), and
how often pxassure agreed with a person on comments drawn at random for review."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pxassure.analysis.comments import MINIMUM_CHECKED, against_answer, comments_in, non_comments_in, review_agreement
from pxassure.words import counted, verb

#: Counts of 1 to 4 are not given (the papers' rule for small numbers).
SMALLEST_SHOWN = 5


def _count(n: int, noun: str, plural_form: str | None = None) -> str:
    return (
        counted(n, noun, plural_form)
        if n == 0 or n >= SMALLEST_SHOWN
        else f"fewer than {SMALLEST_SHOWN} {plural_form or noun + 's'}"
    )


def counts(comments: pd.DataFrame, month: pd.Timestamp, months: int = 3) -> dict:
    """Over the ``months`` to ``month``: comments with words to theme, and answers that said nothing."""
    after = month - pd.DateOffset(months=months)
    return {"comments": comments_in(comments, after, month), "non_comments": non_comments_in(comments, after, month)}


def counts_sentence(comments: int, non_comments: int, months: int = 3) -> str:
    """How many comments had words to theme, and how many answers said nothing to theme."""
    return (
        f"Over the last {months} months: {_count(comments, 'comment')} with words to theme; "
        f"{_count(non_comments, 'answer')} said nothing to theme (left blank, or 'N/A', 'None', 'nothing' and "
        "the like) and are counted, never themed or given a tone."
    )


@dataclass(frozen=True)
class CommentCoding:
    months: int
    comments: int  # with words, over the last ``months``
    non_comments: int  # answers that said nothing to theme ('N/A', 'None', '-', blank)
    against_answer: int  # tones pxassure gave that contradict the patient's own answer
    agreement: dict  # see analysis.comments.review_agreement

    @classmethod
    def from_data(cls, comments: pd.DataFrame, reviews: pd.DataFrame, month: pd.Timestamp, months: int = 3):
        after = month - pd.DateOffset(months=months)
        recent = comments[pd.to_datetime(comments["month"]) > after]
        return cls(
            months=months,
            **counts(comments, month, months),
            against_answer=int(against_answer(recent).sum()),
            agreement=review_agreement(reviews),
        )

    def sentences(self) -> list[str]:
        """What the committee is told, in plain words."""
        out = [counts_sentence(self.comments, self.non_comments, self.months)]
        if self.against_answer:
            out.append(
                f"{_count(self.against_answer, 'comment')} {verb(self.against_answer, 'has', 'have')} a tone that "
                'contradicts the patient\'s own answer (say, a complaint under "what went well" from a patient '
                "who rated their care Good): such comments count in no theme chart or exception; each ward's "
                "paper lists its own."
            )
        a = self.agreement
        if not a["checked"]:
            out.append(
                "No comments drawn at random have been checked by staff yet, so how often the automatic "
                "coding agrees with people on this trust's comments is not known (a review workbook from pxassure's themes review lets staff check a sample)."
            )
        elif a["themes"] is None:
            out.append(
                f"Staff have checked {counted(a['checked'], 'comment')} drawn at random: too few to give a "
                f"figure of agreement (at least {MINIMUM_CHECKED} are needed)."
            )
        else:
            out.append(
                f"On {counted(a['checked'], 'comment')} drawn at random and checked by staff, the automatic coding "
                f"gave exactly the person's themes for {a['themes']:.0%} (at least one of them for "
                f"{a['themes_overlap']:.0%}) and the same tone (positive, mixed or negative) for {a['tone']:.0%}. A fair figure of its accuracy here: the "
                f"comments were drawn at random, not chosen (classifier {', '.join(a['versions']) or 'version not recorded'})."
            )
        return out
