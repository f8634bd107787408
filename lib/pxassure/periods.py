"""The period a paper covers: one calendar month ("2026-10"), or a calendar quarter ("2026-Q3")
for the committees that meet quarterly, named in months and as the NHS financial quarter.

A paper's charts run to its period's last month; its tables count every month of the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from pxassure.errors import ParameterError

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
#: How a period may be written, for error messages.
FORMS = "'latest', a month as YYYY-MM (e.g. 2026-10) or a calendar quarter as YYYY-Qn (e.g. 2026-Q3)"


def financial_quarter(quarter: pd.Period) -> str:
    """A calendar quarter as the NHS financial quarter (the year starts in April): "Q2 2026/27"."""
    start = quarter.start_time
    year = start.year if start.month >= 4 else start.year - 1
    return f"Q{(start.month - 4) % 12 // 3 + 1} {year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Period:
    """The months a paper covers, first to last (month starts); one month, or a calendar quarter."""

    first: pd.Timestamp
    last: pd.Timestamp

    @classmethod
    def of_month(cls, month) -> Period:
        m = pd.Timestamp(month).to_period("M").to_timestamp()
        return cls(m, m)

    @classmethod
    def of_quarter(cls, quarter: pd.Period) -> Period:
        return cls(quarter.start_time.normalize(), quarter.end_time.to_period("M").to_timestamp())

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2026-10"`` or ``"2026-Q3"``; anything else is refused, saying what is expected."""
        text = str(text).strip()
        if _MONTH.match(text):
            return cls.of_month(text + "-01")
        q = _QUARTER.match(text)
        if q:
            return cls.of_quarter(pd.Period(f"{q.group(1)}Q{q.group(2)}", freq="Q"))
        raise ParameterError(f"period must be {FORMS}, got {text!r}")

    @property
    def is_quarter(self) -> bool:
        return self.first != self.last

    @property
    def quarter(self) -> pd.Period:
        """The calendar quarter holding the period's last month."""
        return self.last.to_period("Q")

    @property
    def label(self) -> str:
        """How commands, folders and findings write it: "2026-10", "2026-Q3"."""
        return f"{self.last.year}-Q{self.quarter.quarter}" if self.is_quarter else f"{self.last:%Y-%m}"

    def __str__(self) -> str:
        return self.label

    @property
    def name(self) -> str:
        """How a paper names it: "October 2026", "July to September 2026 (Q2 2026/27)"."""
        if not self.is_quarter:
            return f"{self.last:%B %Y}"
        return f"{self.first:%B} to {self.last:%B %Y} ({financial_quarter(self.quarter)})"

    @property
    def this(self) -> str:
        """ "this month" or "this quarter", for what a paper counts over its whole period."""
        return "this quarter" if self.is_quarter else "this month"

    @property
    def latest(self) -> str:
        """When an SPC chart's latest point falls: "this month", or the quarter's last month."""
        return f"in {self.last:%B %Y} (the quarter's last month)" if self.is_quarter else "this month"

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def holds(self, dates: pd.Series) -> pd.Series:
        """Which of ``dates`` (any day of a month) fall in the period."""
        months = pd.to_datetime(dates).dt.to_period("M").dt.to_timestamp()
        return (months >= self.first) & (months <= self.last)


def latest_complete_quarter(month) -> Period:
    """The latest calendar quarter complete by the end of ``month``."""
    q = pd.Timestamp(month).to_period("Q")
    return Period.of_quarter(q if q.end_time.to_period("M") == pd.Timestamp(month).to_period("M") else q - 1)
