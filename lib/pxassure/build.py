"""Build committee reports: papermill runs the notebook, nbconvert exports the HTML.

Each report is built in a staging folder beside its destination and moved into place
only when everything succeeded, so a failed run never overwrites or half-writes the
previous good report. A failed run keeps its executed notebook (``<name>.failed.ipynb``)
for the analyst to read.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import papermill as pm
import yaml

from pxassure.export import export_html
from pxassure.reports import ParameterError, resolve_period
from pxassure.store import Store

PROJECT_ROOT = Path(os.environ.get("PXASSURE_HOME", Path(__file__).resolve().parents[2]))


class BuildError(RuntimeError):
    """A report failed; the message names the executed notebook to read."""


@dataclass
class ReportJob:
    """One report to build."""

    committee: str
    layer: str
    notebook: str
    title: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.committee


@dataclass
class ReportOutcome:
    job: ReportJob
    html: Path | None = None
    notebook: Path | None = None
    findings: Path | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def load_params(committee: str, params_dir: Path | None = None) -> dict:
    """Read ``params/<committee>.yaml`` (safe YAML: data only, no code)."""
    params_dir = params_dir or PROJECT_ROOT / "params"
    path = params_dir / f"{committee}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in params_dir.glob("*.yaml"))
        raise ParameterError(f"no parameters file for committee {committee!r} ({path}); known: {known}")
    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh) or {}
    for key in ("layer", "notebook", "title"):
        if key not in spec:
            raise ParameterError(f"{path}: missing key {key!r}")
    return spec


def plan(
    committee: str,
    *,
    period: str = "latest",
    database: str | Path = "data/pxassure.duckdb",
    overrides: dict | None = None,
) -> ReportJob:
    """The job for one committee's report: its YAML parameters, the period resolved to a month."""
    spec = load_params(committee)
    database = Path(database)
    with Store(_absolute(database), read_only=True) as store:
        month = resolve_period(store, period)
    parameters = dict(spec.get("parameters") or {})
    parameters.update(overrides or {})
    parameters.update({"period": month.strftime("%Y-%m"), "database": str(database)})
    return ReportJob(
        committee=committee, layer=spec["layer"], notebook=spec["notebook"], title=spec["title"], parameters=parameters
    )


def _absolute(path: Path) -> Path:
    return path if path.is_absolute() else (Path.cwd() / path)


def run(job: ReportJob, output_root: str | Path = "outputs") -> ReportOutcome:
    """Execute and export one report into ``output_root/<period>/<layer>/``; atomic per file."""
    output_root = _absolute(Path(output_root))
    final_dir = output_root / job.parameters["period"] / job.layer
    final_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{job.name}-", dir=final_dir))
    executed = staging / f"{job.name}.ipynb"
    outcome = ReportOutcome(job)
    params = dict(job.parameters)
    params["database"] = str(_absolute(Path(params["database"])))
    params["output_dir"] = str(staging)
    try:
        pm.execute_notebook(
            str(PROJECT_ROOT / "notebooks" / f"{job.notebook}.ipynb"),
            str(executed),
            parameters=params,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(PROJECT_ROOT),
        )
        export_html(executed, staging / f"{job.name}.html", title=f"{job.title} — {job.parameters['period']}")
        # Everything built: move into place, the HTML last so it never points at stale findings.
        for suffix in (".json", ".ipynb", ".html"):
            src = staging / ("findings.json" if suffix == ".json" else f"{job.name}{suffix}")
            if not src.exists():
                continue
            dest = final_dir / (f"{job.name}.findings.json" if suffix == ".json" else f"{job.name}{suffix}")
            os.replace(src, dest)
            setattr(outcome, {".json": "findings", ".ipynb": "notebook", ".html": "html"}[suffix], dest)
        (final_dir / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
    except Exception as exc:  # one report's failure is reported, never fatal to the others
        failed = final_dir / f"{job.name}.failed.ipynb"
        if executed.exists():
            os.replace(executed, failed)
            outcome.notebook = failed
        outcome.error = f"{type(exc).__name__}: {_first_line(exc)}"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    # papermill's errors carry the whole traceback; the last non-empty line says what went wrong
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return ""
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln:
            return ln.strip()[:500]
    return lines[-1].strip()[:500]
