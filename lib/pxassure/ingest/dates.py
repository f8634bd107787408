"""Dates as source systems write them, read the UK way (day first), never guessed month-first.

Complaints, incident and rostering systems export dates in many shapes: ``05/03/2024``,
``5-Mar-24``, ``2024-03-05 14:20``, an Excel serial number (``45356``) where a cell lost its
format, or a month as ``Mar-24``. :func:`parse` reads all of these; a trust whose system writes
something else names its format (``%m/%d/%Y``) in the sources file.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

#: What a date column accepts, in words, for error messages.
ACCEPTED = "a date as dd/mm/yyyy, YYYY-MM-DD, 5 Mar 2024 or an Excel date number"
#: What a month column also accepts.
ACCEPTED_MONTH = ACCEPTED + ", or a month as Mar-24, March 2024, 03/2024, YYYY-MM or YYYYMM"

# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in); 20000 is 1954, 80000 is 2119.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_RANGE = (20000, 80000)
_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        dt.date(2000, number, 1).strftime("%b").lower(),
        dt.date(2000, number, 1).strftime("%B").lower(),
        "sept" if number == 9 else "",
    )
    if name
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})" + _TIME + "$")
_D_MON_Y = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})[ -](\d{4}|\d{2})" + _TIME + "$")
_SERIAL = re.compile(r"^(\d{5})(?:\.\d+)?$")
_MON_Y = re.compile(r"^([A-Za-z]{3,9})[ -](\d{4}|\d{2})$")
_M_Y = re.compile(r"^(\d{1,2})[/-](\d{4})$")
_Y_M = re.compile(r"^(\d{4})-?(\d{2})$")  # 2024-03, or 202403 as PAS and SUS periods are written


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # '24' is 2024; '85' is 1985
        year += 2000 if year < 70 else 1900
    return year


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_one(text: str, *, month: bool = False, fmt: str | None = None) -> dt.date | None:
    """The date ``text`` means, or None if it is not one. ``month`` also accepts a month alone."""
    text = text.strip()
    if fmt:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            return None
    if m := _ISO.match(text):
        return _date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.match(text):
        return _date(_year(m[3]), int(m[2]), int(m[1]))
    if (m := _D_MON_Y.match(text)) and m[2].lower() in _MONTHS:
        return _date(_year(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    if (m := _SERIAL.match(text)) and _EXCEL_RANGE[0] <= int(m[1]) <= _EXCEL_RANGE[1]:
        return _EXCEL_EPOCH + dt.timedelta(days=int(m[1]))
    if not month:
        return None
    if (m := _MON_Y.match(text)) and m[1].lower() in _MONTHS:
        return dt.date(_year(m[2]), _MONTHS[m[1].lower()], 1)
    if m := _M_Y.match(text):
        return _date(int(m[2]), int(m[1]), 1)
    if (m := _Y_M.match(text)) or (m := re.match(r"^(\d{4})-(\d)$", text)):
        return _date(int(m[1]), int(m[2]), 1)
    return None


def parse(text: pd.Series, *, month: bool = False, fmt: str | None = None) -> pd.Series:
    """Each cell of ``text`` as a date (``datetime.date``), None where blank or not a date.

    Each distinct value is parsed once, so a column of a million incident dates costs a few
    thousand parses. ``month`` truncates to the first of the month and accepts months alone.
    """
    present = text.dropna()
    present = present[present.str.strip() != ""]
    lookup = {}
    for value in present.unique():
        day = parse_one(value, month=month, fmt=fmt)
        lookup[value] = day.replace(day=1) if (day is not None and month) else day
    return text.map(lookup).astype(object).where(text.isin(list(lookup)), None)
