"""Report parameters: checked before anything runs, and written back as true reproduce commands.

Everything here is light (no statistics stack): ``pxassure build`` validates a whole pack's
parameters with it before it starts a single kernel.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pandas as pd

from pxassure.analysis.options import SPCOptions
from pxassure.errors import ParameterError
from pxassure.ingest.store import Store

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def unit_code(value: Any) -> str:
    """A unit code as text. papermill's ``-p unit_id 007`` arrives as the integer 7; codes
    in pxassure are at least three characters, so short numbers are zero-padded back."""
    if value is None:
        raise ParameterError("unit_id is required for this report")
    if isinstance(value, bool):
        raise ParameterError(f"unit_id must be a unit code, got {value!r}")
    if isinstance(value, int) or (hasattr(value, "__index__") and not isinstance(value, str)):
        return f"{int(value):03d}"
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):03d}"
    return str(value).strip()


def spc_options(
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
) -> SPCOptions:
    """The one validated options object a report uses, from its parameters (None keeps the preset's value)."""
    return SPCOptions.from_preset(
        preset, shift_length=shift_length, trend_length=trend_length, minimum_points=minimum_points
    )


def resolve_period(store: Store, period: Any) -> pd.Timestamp:
    """The report month: ``"latest"`` (the last month with FFT data) or ``"YYYY-MM"`` within the data."""
    span = store.query("SELECT min(month) AS first, max(month) AS last FROM fft_monthly").iloc[0]
    if pd.isna(span["last"]):
        raise ParameterError(f"the database {store.path} holds no FFT data: load data first")
    first, last = pd.Timestamp(span["first"]), pd.Timestamp(span["last"])
    if period in (None, "", "latest"):
        return last
    text = str(period).strip()
    if not _PERIOD.match(text):
        raise ParameterError(f"period must be 'latest' or a month as YYYY-MM (e.g. 2026-10), got {period!r}")
    month = pd.Timestamp(text + "-01")
    if not first <= month <= last:
        raise ParameterError(f"period {text} is outside the data: {first:%Y-%m} to {last:%Y-%m} in {store.path}")
    return month


def reproduce_commands(
    *,
    committee: str,
    notebook: str,
    period: str,
    database: str,
    options: SPCOptions,
    unit_id: str | None = None,
) -> list[str]:
    """The commands that rebuild this report exactly: through make, and directly with papermill.

    They name the notebook actually run (the quality notebook serves two committees), the
    committee, the month, the unit, the database, and every SPC option that differs from
    the default preset's.
    """
    extra: dict[str, Any] = {}
    if options.preset != "mdc":
        extra["preset"] = options.preset
    extra.update(options.overrides())
    q = shlex.quote
    make = [f"make report COMMITTEE={q(committee)}", f"PERIOD={q(period)}"]
    if unit_id:
        make.append(f"UNIT={q(unit_id)}")
    make.append(f"DATABASE={q(database)}")
    if extra:
        make.append("PARAMS=" + q(" ".join(f"{k}={v}" for k, v in extra.items())))
    pm = [f"papermill notebooks/{notebook}.ipynb out.ipynb", f"-p period {q(period)}"]
    if unit_id:
        pm.append(f"-r unit_id {q(unit_id)}")  # raw: a code such as 007 stays text
    pm += [f"-p committee {q(committee)}", f"-p database {q(database)}"]
    pm += [f"-p {k} {q(str(v))}" for k, v in extra.items()]
    return [" ".join(make), " ".join(pm)]
