"""The records that evidence a framework requirement, and what a unit holds of them.

A self-assessed score of 4 or 5 claims a requirement is largely met. For some requirements the
trust's own records of listening and acting show whether it is: 3A (patient stories heard at
the board), 1B (the strategy's work plan reported), 1C (involvement informing decisions), 6A
(changes made locally in answer to feedback), 19B (co-design with patients). A high score with
none of its record in the last 12 months is an *evidence gap*; where the trust has not supplied
the record at all, the paper says so and claims nothing either way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from pxassure.analysis.involvement import LOOKBACK_MONTHS, within
from pxassure.words import counted


@dataclass(frozen=True)
class RecordEvidence:
    """One requirement, the record that evidences it and which of its rows count."""

    requirement: str
    table: str
    date_column: str
    noun: str  # one row that counts, in words ("patient story heard at the board")
    plural: str
    counts: Callable[[pd.DataFrame], pd.Series] = lambda t: pd.Series(True, index=t.index)
    distinct: str | None = None  # count distinct values of this column (a quarter's report, not its rows)
    trust_only: bool = False  # evidences the trust's own assessment only (a division holds no board story)


RULES: tuple[RecordEvidence, ...] = (
    RecordEvidence(
        "1B",
        "strategy_commitments",
        "reported_month",
        "quarterly report of the strategy's work plan",
        "quarterly reports of the strategy's work plan",
        distinct="reported_month",
        trust_only=True,
    ),
    RecordEvidence(
        "1C",
        "involvement_activities",
        "held_on",
        "involvement activity that informed a decision or service",
        "involvement activities that informed a decision or service",
        lambda t: t["informed"].notna(),
    ),
    RecordEvidence(
        "3A",
        "patient_stories",
        "heard_on",
        "patient story heard at the board",
        "patient stories heard at the board",
        lambda t: t["meeting"] == "board",
        trust_only=True,
    ),
    RecordEvidence(
        "6A",
        "you_said_we_did",
        "recorded_on",
        "change made in answer to feedback ('you said, we did')",
        "changes made in answer to feedback ('you said, we did')",
    ),
    RecordEvidence(
        "19B",
        "involvement_activities",
        "held_on",
        "co-design or co-production activity",
        "co-design or co-production activities",
        lambda t: t["kind"].isin(["co-design", "co-production"]),
    ),
)


def records_held(
    tables: dict[str, pd.DataFrame],
    supplied: Callable[[str], bool],
    units: list[str],
    month: pd.Timestamp,
    *,
    trust: bool,
    months: int = LOOKBACK_MONTHS,
) -> pd.DataFrame:
    """For each rule that applies (``trust``: the unit is the trust), how many of its rows for
    ``units`` are dated in the ``months`` to ``month``: requirement, table, supplied, held
    (None where not supplied) and statement (what the records show, in words)."""
    rows = []
    span = f"in the {months} months to {month:%B %Y}"
    for rule in RULES:
        if rule.trust_only and not trust:
            continue
        if not supplied(rule.table):
            rows.append((rule.requirement, rule.table, False, None, f"no record of {rule.plural} was supplied."))
            continue
        t = tables[rule.table]
        if "unit_id" in t and not rule.trust_only:
            t = t[t["unit_id"].isin(units)]
        t = within(t, rule.date_column, month, months)
        counted_rows = t[rule.counts(t)] if len(t) else t
        held = int(counted_rows[rule.distinct].nunique() if rule.distinct else len(counted_rows))
        said = (
            f"{counted(held, rule.noun, rule.plural)} recorded {span}."
            if held
            else f"no {rule.noun} is recorded {span}."
        )
        rows.append((rule.requirement, rule.table, True, held, said))
    return pd.DataFrame(rows, columns=["requirement", "table", "supplied", "held", "statement"])


def beside_scores(changes: pd.DataFrame, data: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """Each requirement that data or records can evidence, its latest self-assessed score and
    what is held: requirement, title, latest, source ("data" or the record's table), evidence
    (the statement), holds ("data agree", "data contradict", "records held", "none recorded",
    "not supplied"): records held show the work is done, not that it is done well.
    ``data`` is the data evidence (requirement, supports, statement); ``held`` comes from
    :func:`records_held`."""
    from_data = data.assign(
        source="data", holds=data["supports"].map({True: "data agree", False: "data contradict"})
    ).rename(columns={"statement": "evidence"})
    from_records = held.assign(
        source=held["table"],
        holds=[
            ("none recorded" if n == 0 else "records held") if s else "not supplied"
            for s, n in zip(held["supplied"], held["held"])
        ],
    ).rename(columns={"statement": "evidence"})
    rows = pd.concat([from_data, from_records], ignore_index=True)[["requirement", "source", "evidence", "holds"]]
    scored = changes[["requirement", "title", "latest"]]
    out = scored.merge(rows, on="requirement")  # in the framework's order, as ``changes`` is
    return out.reset_index(drop=True)
