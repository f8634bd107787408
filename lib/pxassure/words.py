"""Words for counts, shared by every layer: "1 ward shows", "2 wards show", never "ward(s)"."""

from __future__ import annotations

import pandas as pd

#: Plurals that do not just add "s".
_IRREGULAR = {"person": "people", "child": "children"}


def plural(noun: str) -> str:
    """The plural of a noun (or of a phrase's last word: "self-assessment action")."""
    head, _, last = noun.rpartition(" ")
    word = _IRREGULAR.get(last) or (
        last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou" else last + "s"
    )
    return f"{head} {word}" if head else word


def counted(n: int, noun: str, plural_form: str | None = None) -> str:
    """A count with its noun: "1 ward", "3 wards", "0 wards"."""
    return f"{n:,} {noun if n == 1 else plural_form or plural(noun)}"


def verb(n: int, singular: str, plural_form: str) -> str:
    """The verb that agrees with a count: ``verb(n, "shows", "show")``."""
    return singular if n == 1 else plural_form


def p_value(p: float) -> str:
    """A p-value as a reader should see it: never "0" (the chance is small, not nil)."""
    if p is None or p != p:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_text(p: float) -> str:
    """A p-value in a sentence: "p = 0.012", "p < 0.001"."""
    shown = p_value(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"


def quarter_name(quarter: pd.Period) -> str:
    """A calendar quarter in months and as the NHS financial quarter: "Jul–Sep 2026 (Q2 2026/27)"."""
    from pxassure.periods import financial_quarter

    return f"{quarter.start_time:%b}–{quarter.end_time:%b %Y} ({financial_quarter(quarter)})"


def long_dates(values: pd.Series) -> pd.Series:
    """Dates as a paper writes them: "7 October 2026" (missing stays missing)."""
    return pd.to_datetime(values).dt.strftime("%-d %B %Y")
