"""Provenance: what a paper was built from, by which code, and its findings file.

Every paper's footer lists its parameters, data snapshot and code version (rendered by
:func:`pxassure.publish.framing.provenance`); ``findings.json`` is the machine-readable
record the layer above reads and an auditor keeps.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import pxassure
from pxassure.analysis.options import SPCOptions
from pxassure.files import atomic_write_text
from pxassure.periods import Period


def code_version() -> str:
    """pxassure's version and, in a git checkout, the commit (marked +dirty if changed)."""
    root = Path(__file__).resolve().parents[3]
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
        return f"{pxassure.__version__} ({commit}{'+dirty' if dirty else ''})"
    except (OSError, subprocess.SubprocessError):
        return pxassure.__version__


def parameters_of(period: Period, database: str | Path, options: SPCOptions, **extra) -> dict:
    """The parameters a report shows in its provenance: the period, scope, database and every rule option."""
    return {
        "period": period.label,
        **{k: v for k, v in extra.items() if v is not None},
        "database": str(database),
        **options.as_dict(),
    }


def clean_value(v):
    """A value JSON can hold: None for missing, plain ints and floats."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    return v


def to_records(frame: pd.DataFrame) -> list[dict]:
    """Rows of ``frame`` as JSON-safe dicts."""
    return [{k: clean_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def write_findings(findings: dict, output_dir: str | Path) -> Path:
    """Write ``findings.json`` into ``output_dir`` atomically and return its path."""
    path = Path(output_dir) / "findings.json"
    atomic_write_text(path, json.dumps(findings, indent=2, default=str, ensure_ascii=False) + "\n")
    return path
