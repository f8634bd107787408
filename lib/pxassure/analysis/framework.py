"""Analysis of the trust's self-assessment against the Patient experience improvement framework.

Pure functions on DataFrames: mean scores by section, changes between assessments, and
assurance gaps (a high score the feedback data contradict, or a score that fell). The
framework's 57 requirements themselves are reference data in :mod:`pxassure.ingest.catalogue`.
"""

from __future__ import annotations

import pandas as pd

from pxassure.ingest.catalogue import SECTIONS, catalogue

__all__ = [
    "EVIDENCE",
    "HIGH_SCORE",
    "assurance_gaps",
    "score_changes",
    "section_scores",
]

#: Requirements that feedback data can test directly, with the measure that tests them.
#: A high self-assessed score contradicted by the measure is an assurance gap.
EVIDENCE = {
    "12C": "fft_response_rate_vs_national",
    "15A": "fft_special_cause_concern",
    "10E": "complaints_trend",
    "17C": "inpatient_survey_involvement",
    "20C": "staff_survey_feedback_used",
}


# ---------------------------------------------------------------------------
# Analysis of self-assessment scores (pure functions on DataFrames)
# ---------------------------------------------------------------------------

HIGH_SCORE = 4  # a score this high claims the requirement is largely met


def section_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean score per unit, assessment and section (requirements not assessed are left out).

    Returns unit_id, assessed_month, period ("YYYY-MM"), section, mean_score, assessed, requirements.
    """
    cat = catalogue()[["requirement", "section"]]
    s = scores.merge(cat, on="requirement")
    g = s.groupby(["unit_id", "assessed_month", "section"], sort=False).agg(
        mean_score=("score", "mean"), assessed=("score", "count"), requirements=("requirement", "count")
    )
    out = g.reset_index()
    out["mean_score"] = out["mean_score"].astype(float)
    out["period"] = pd.to_datetime(out["assessed_month"]).dt.strftime("%Y-%m")
    order = {name: i for i, name in enumerate(SECTIONS.values())}
    return out.sort_values(
        ["unit_id", "assessed_month", "section"], key=lambda c: c.map(order) if c.name == "section" else c
    ).reset_index(drop=True)


def score_changes(scores: pd.DataFrame, unit_id: str, as_of: pd.Timestamp) -> pd.DataFrame:
    """Each requirement's latest score (assessed on or before ``as_of``) against the previous one.

    Returns requirement, title, section, previous, latest, change, latest_month.
    """
    s = scores[(scores["unit_id"] == unit_id) & (pd.to_datetime(scores["assessed_month"]) <= as_of)]
    months = sorted(pd.to_datetime(s["assessed_month"]).unique())
    cat = catalogue()
    if not months:
        return cat.assign(previous=pd.NA, latest=pd.NA, change=pd.NA, latest_month=pd.NaT)
    latest_m = months[-1]
    latest = s[pd.to_datetime(s["assessed_month"]) == latest_m].set_index("requirement")["score"]
    if len(months) > 1:
        previous = s[pd.to_datetime(s["assessed_month"]) == months[-2]].set_index("requirement")["score"]
    else:
        previous = pd.Series(dtype="Int64")
    out = cat.copy()
    out["previous"] = out["requirement"].map(previous).astype("Int64")
    out["latest"] = out["requirement"].map(latest).astype("Int64")
    out["change"] = (out["latest"] - out["previous"]).astype("Int64")
    out["latest_month"] = latest_m
    return out


def assurance_gaps(changes: pd.DataFrame, evidence: pd.DataFrame, held: pd.DataFrame | None = None) -> pd.DataFrame:
    """Requirements where the self-assessment is not assured.

    ``changes`` comes from :func:`score_changes`; ``evidence`` has requirement, supports
    (bool) and statement (what the data show); ``held`` (from
    :func:`pxassure.analysis.evidence.records_held`) what the trust's records hold. A gap is a
    score of 4 or 5 that the evidence contradicts, a score of 4 or 5 with none of its record
    held (only where the record was supplied), or a score that fell by 2 or more since the
    last assessment. Returns requirement, title, latest, previous, gap, detail.
    """
    rows = []
    ev = evidence.set_index("requirement") if len(evidence) else pd.DataFrame(columns=["supports", "statement"])
    empty = set() if held is None else set(held.loc[held["supplied"] & (held["held"] == 0), "requirement"])
    statements = {} if held is None else dict(zip(held["requirement"], held["statement"]))
    for r in changes.itertuples(index=False):
        if r.requirement in empty and not pd.isna(r.latest) and r.latest >= HIGH_SCORE:
            detail = f"Self-assessed {r.latest}/5, but {statements[r.requirement]}"
            rows.append((r.requirement, r.title, r.latest, r.previous, "no evidence recorded", detail))
        if (
            r.requirement in ev.index
            and not bool(ev.loc[r.requirement, "supports"])
            and not pd.isna(r.latest)
            and r.latest >= HIGH_SCORE
        ):
            rows.append(
                (
                    r.requirement,
                    r.title,
                    r.latest,
                    r.previous,
                    "contradicted by data",
                    f"Self-assessed {r.latest}/5, but {ev.loc[r.requirement, 'statement']}",
                )
            )
        if not pd.isna(r.change) and r.change <= -2:
            rows.append(
                (
                    r.requirement,
                    r.title,
                    r.latest,
                    r.previous,
                    "score fell",
                    f"Score fell from {r.previous} to {r.latest} since the previous assessment.",
                )
            )
    return pd.DataFrame(rows, columns=["requirement", "title", "latest", "previous", "gap", "detail"])
