"""Report parameters: checked before anything runs, and written back as true reproduce commands.

Everything here is light (no statistics stack): ``pxassure build`` validates a whole pack's
parameters with it before it starts a single kernel.
"""

from __future__ import annotations

import ast
import difflib
import json
import re
import shlex
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from pxassure.analysis.options import SPCOptions
from pxassure.errors import ParameterError
from pxassure.ingest.store import Store
from pxassure.periods import Period, latest_complete_quarter
from pxassure.reports.committees import project_root


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


def _did_you_mean(near: list[str]) -> str:
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def unknown_unit(code: str, known) -> str:
    """Why ``code`` names no unit, with the codes it was probably meant to be (``14`` for ``014``)."""
    known = [str(k) for k in known]
    near = [k for k in known if code.isdigit() and k.isdigit() and int(k) == int(code)]
    near = near or difflib.get_close_matches(code, known, n=3)
    return f"unknown unit_id {code!r}: not in org_units" + _did_you_mean(near)


#: The parameters that change how the SPC rules read a chart: a paper built with other values
#: than its committee's is a what-if, never the official paper.
SPC_PARAMETERS = ("preset", "shift_length", "trend_length", "minimum_points")
#: Names every IPython kernel defines that are not a notebook's parameters.
_KERNEL_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open"})


def notebook_parameters(notebook: str, notebooks_dir: Path | None = None) -> dict[str, Any]:
    """The parameters a report notebook declares, with their defaults: the assignments of its cell
    tagged ``parameters`` (the one papermill replaces), so the notebook stays their one definition."""
    path = (notebooks_dir or project_root() / "notebooks") / f"{notebook}.ipynb"
    if not path.exists():
        return {}  # a report whose notebook is missing fails when it runs, saying so
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    cell = next((c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    tree = ast.parse("".join(cell["source"]))
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }


def refuse_unknown(names, declared, where: str) -> None:
    """Refuse parameter names not ``declared`` by the notebooks ``where`` names (papermill would
    only warn, and build the paper with the defaults), naming the nearest declared one."""
    unknown = [n for n in names if n not in declared]
    if not unknown:
        return
    hints = [f"{name!r}" + _did_you_mean(difflib.get_close_matches(name, declared, n=1)) for name in unknown]
    raise ParameterError(
        f"unknown parameter {', '.join(hints)} for {where}: the paper was not built. It takes: {', '.join(declared)}"
    )


def what_if_text(values: dict[str, Any], official: dict[str, Any]) -> str:
    """What a build changed from the official paper's SPC settings, as ``name=value`` (empty: nothing)."""
    return " ".join(f"{k}={values[k]}" for k in SPC_PARAMETERS if k in values and values[k] != official.get(k))


def what_if_folder(text: str) -> str:
    """The folder name a what-if build is written under, beside the official papers' month."""
    return "what-if-" + re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def check_parameters(namespace: dict[str, Any], notebook: str) -> str | None:
    """Run first in a report notebook, with its ``globals()``: refuses an unknown parameter before
    anything is read, and says whether this run is a what-if (None: the official paper).

    ``pxassure build`` passes ``what_if`` ("" for the official paper); run any other way (papermill,
    "Run all"), any SPC setting other than the notebook's default makes the paper a what-if.
    """
    declared = notebook_parameters(notebook)
    # what the notebook imported (modules, functions, classes) is not a parameter
    names = [
        n
        for n, v in namespace.items()
        if not n.startswith("_") and n not in _KERNEL_NAMES and not isinstance(v, ModuleType) and not callable(v)
    ]
    refuse_unknown(names, declared, f"notebooks/{notebook}.ipynb")
    given = namespace.get("what_if")
    if given is not None:
        return str(given) or None
    return what_if_text({k: namespace.get(k) for k in SPC_PARAMETERS}, declared) or None


def meeting_dates(items: list[str] | None, committees: list[str]) -> dict[str | None, str]:
    """``--meeting-date`` values: a date for every paper (key None), or ``committee=date`` for one
    committee's paper, so each committee's cover carries its own meeting."""
    out: dict[str | None, str] = {}
    for item in items or []:
        key, sep, when = item.partition("=")
        if not sep:
            out[None] = item.strip()
            continue
        if key.strip() not in committees:
            raise ParameterError(
                f"--meeting-date {item!r}: no committee {key.strip()!r}"
                + _did_you_mean(difflib.get_close_matches(key.strip(), committees, n=1))
                + f"; committees with a cover sheet: {', '.join(committees)}"
            )
        out[key.strip()] = when.strip()
    return out


def past_meeting(meeting_date: str | None, today: pd.Timestamp | None = None) -> str | None:
    """A warning when a paper or pack is made for a meeting that has already happened (None when
    the date is not past, or not a date pxassure can read)."""
    if not meeting_date:
        return None
    text = str(meeting_date).strip()
    iso = re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None  # 2026-12-17 is year first, whatever else is
    when = pd.to_datetime(text, dayfirst=not iso, errors="coerce")
    today = (today or pd.Timestamp.today()).normalize()
    if pd.isna(when) or when >= today:
        return None
    return (
        f"warning: the meeting date {meeting_date} has passed (today is {today:%d %B %Y}): check that this is "
        "the pack for that meeting, or give the next meeting's date with --meeting-date"
    )


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


#: What dates a trust's months, in order of preference: "latest" is the last month of the first
#: that holds any rows (FFT, which every trust reports monthly; else its other monthly feedback).
PERIOD_SOURCES = (
    ("fft_monthly", "month"),
    ("complaints", "date_trunc('month', received)"),
    ("pals_contacts", "date_trunc('month', received)"),
    ("incidents", "month"),
)


def resolve_period(store: Store, period: Any) -> Period:
    """The report's period: ``"latest"`` (the last month with FFT data, or without any, of the
    trust's other monthly feedback; see :data:`PERIOD_SOURCES`), a month ``"YYYY-MM"`` or a
    calendar quarter ``"YYYY-Qn"`` within those data (a quarter only once all its months are in)."""
    for table, month in PERIOD_SOURCES:
        span = store.query(f"SELECT min({month}) AS first, max({month}) AS last FROM {table}").iloc[0]
        if not pd.isna(span["last"]):
            break
    else:
        raise ParameterError(
            f"the database {store.path} holds no FFT, complaints, PALS or incident data: load data first"
        )
    first, last = pd.Timestamp(span["first"]), pd.Timestamp(span["last"])
    if period in (None, "", "latest"):
        return Period.of_month(last)
    wanted = period if isinstance(period, Period) else Period.parse(period)
    if wanted.is_quarter and wanted.last > last >= wanted.first:
        raise ParameterError(
            f"period {wanted}, {wanted.name}, is not complete: the data run to {last:%B %Y}; "
            f"the latest complete quarter is {latest_complete_quarter(last)}"
        )
    if not (first <= wanted.first and wanted.last <= last):
        raise ParameterError(f"period {wanted} is outside the data: {first:%Y-%m} to {last:%Y-%m} in {store.path}")
    return wanted


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
    pm = [f"papermill notebooks/{notebook}.ipynb outputs/{notebook}-review.ipynb", f"-p period {q(period)}"]
    if unit_id:
        pm.append(f"-r unit_id {q(unit_id)}")  # raw: a code such as 007 stays text
    pm += [f"-p committee {q(committee)}", f"-p database {q(database)}"]
    pm += [f"-p {k} {q(str(v))}" for k, v in extra.items()]
    return [" ".join(make), " ".join(pm)]
