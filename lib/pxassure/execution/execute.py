"""Executing and exporting one report: papermill runs its notebook in a fresh kernel, nbconvert
exports the HTML (and Chromium the PDF, when asked), in a staging folder beside its destination.
Everything is moved into place only when all of it succeeded, so a failed run never overwrites
or half-writes the previous good report; a failed run keeps its executed notebook
(``<name>.failed.ipynb``) for the analyst to read."""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from pxassure.errors import ParameterError
from pxassure.execution import freshness
from pxassure.execution.planning import PROJECT_ROOT, ReportJob, ReportOutcome, absolute, existing_reports
from pxassure.files import atomic_write_text
from pxassure.ingest.columns import CODE_PATTERN, CODE_TEXT
from pxassure.publish import contents
from pxassure.publish.summary_data import write_summary

#: A paper's appendix page (see ``export.appendix_path``): beside its paper, not a report of its own.
APPENDIX_SUFFIX = contents.APPENDIX_SUFFIX


def run(
    job: ReportJob,
    output_root: str | Path = "outputs",
    linkable: list[str] | None = None,
    *,
    force: bool = False,
    base: Path | None = None,
) -> ReportOutcome:
    """Execute and export one report into ``output_root/<trust>/<period>/<layer>/``; atomic per file.

    A report whose stored content key matches (``freshness``) and whose files are all there is
    not executed (``outcome.skipped``) unless ``force``. Any failure — in set-up, in the notebook
    or in the export — is returned in the outcome, never raised, so one report never stops a
    pack; the previous good report stays in place. Relative paths are read from ``base``
    (default: the working directory), as a cluster worker reads the planning machine's.
    """
    outcome = ReportOutcome(job)
    staging: Path | None = None
    folder: Path | None = None
    try:
        if not re.fullmatch(CODE_PATTERN, job.name):
            raise ParameterError(f"report name {job.name!r} is not {CODE_TEXT}: it would name a file")
        output_root = absolute(Path(output_root), base)
        folder = final_dir(job, output_root)
        if linkable is None:
            linkable = sorted(existing_reports(job.period_dir(output_root)) | {job.spec.path})
        key = final_key(job, linkable)
        if not force and key is not None and current(job, folder, key, outcome):
            return outcome
        folder.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(folder)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{job.name}-{os.getpid()}-", dir=folder))
        _build_in(staging, job, output_root, linkable, base)
        _move_into_place(staging, folder, job, outcome)
        if key is not None:  # written last: a report is current only once everything is in place
            atomic_write_text(folder / f"{job.name}{freshness.KEY_SUFFIX}", key + "\n")
    except Exception as exc:  # one report's failure is reported, never fatal to the others
        _record_failure(exc, job, staging, folder, outcome)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return outcome


def _build_in(staging: Path, job: ReportJob, output_root: Path, linkable: list[str], base: Path | None) -> None:
    """Execute the job's notebook with papermill and export its paper (and PDF), all in ``staging``."""
    params = dict(job.parameters)
    params["database"] = str(absolute(Path(params["database"]), base))
    params["output_dir"] = str(staging)
    params["linkable"] = list(linkable)
    params["reports_dir"] = str(job.period_dir(output_root))
    notebook_machinery()  # loaded here: planning or skipping a build never needs it
    import papermill as pm

    from pxassure.execution.kernels import IPCKernelManager
    from pxassure.publish.export import export_html

    executed_nb = pm.execute_notebook(
        str(PROJECT_ROOT / "notebooks" / f"{job.spec.notebook}.ipynb"),
        str(staging / f"{job.name}.ipynb"),
        parameters=params,
        kernel_name="python3",
        kernel_manager_class=IPCKernelManager,
        progress_bar=False,
        cwd=str(PROJECT_ROOT),
        execution_timeout=job.timeout,
        # The notebook is written when the run ends, failed or not (and every 30 s in a long
        # cell); writing it around every cell as well cost half a second a report.
        request_save_on_cell_execute=False,
    )
    # the node papermill ran and wrote, not the file read back again
    export_html(executed_nb, staging / f"{job.name}.html", title=f"{job.title} — {job.period}")
    if (staging / "findings.json").exists():
        write_summary(staging / "findings.json", staging / job.name)  # the summary table as data
    if job.pdf:
        from pxassure.publish.pdf import print_pdf

        print_pdf(staging / f"{job.name}.html", staging / f"{job.name}.pdf")
    if job.docx is not None:
        from pxassure.publish.word import export_docx

        export_docx(staging / f"{job.name}.html", staging / f"{job.name}.docx", Path(job.docx) if job.docx else None)


def _move_into_place(staging: Path, folder: Path, job: ReportJob, outcome: ReportOutcome) -> None:
    """Everything built: each file into ``folder``, the paper last so it never points at stale findings."""
    moves = (
        ("findings.json", f"{job.name}.findings.json", "findings"),
        (f"{job.name}.ipynb", f"{job.name}.ipynb", "notebook"),
        (f"{job.name}{APPENDIX_SUFFIX}", f"{job.name}{APPENDIX_SUFFIX}", "appendix"),
        (f"{job.name}.pdf", f"{job.name}.pdf", "pdf"),
        (f"{job.name}.docx", f"{job.name}.docx", "docx"),
        (f"{job.name}.ipr.csv", f"{job.name}.ipr.csv", "ipr_csv"),
        (f"{job.name}.ipr.xlsx", f"{job.name}.ipr.xlsx", "ipr_xlsx"),
        (f"{job.name}.html", f"{job.name}.html", "html"),
    )
    for src_name, dest_name, attr in moves:
        src = staging / src_name
        dest = folder / dest_name
        if src.exists():
            os.replace(src, dest)
            setattr(outcome, attr, dest)
        elif attr in ("appendix", "pdf", "docx", "ipr_csv", "ipr_xlsx"):
            dest.unlink(missing_ok=True)  # an old appendix, PDF or summary would no longer match the paper
    (folder / f"{job.name}.failed.ipynb").unlink(missing_ok=True)


def _record_failure(
    exc: Exception, job: ReportJob, staging: Path | None, folder: Path | None, outcome: ReportOutcome
) -> None:
    """The outcome of a failed build: no paper, the executed notebook kept as ``.failed.ipynb``, and why."""
    outcome.html = outcome.findings = outcome.appendix = outcome.pdf = None
    if staging is not None and folder is not None and (staging / f"{job.name}.ipynb").exists():
        failed = folder / f"{job.name}.failed.ipynb"
        os.replace(staging / f"{job.name}.ipynb", failed)
        outcome.notebook = failed
    outcome.error = failure_text(exc)
    if type(exc).__name__ == "CellTimeoutError":
        outcome.error = (
            f"a cell ran for more than {job.timeout} s and was stopped (--timeout); its kernel was shut down"
        )


def notebook_machinery() -> None:
    """Import what executing and exporting a notebook needs: papermill, nbconvert, the kernel
    manager. A pack's build does so once before forking its workers, which then share it (each
    importing it again took two seconds of CPU, while the kernel zygote was importing too).

    jsonschema (under nbformat) imports ``rfc3987_syntax`` when it is installed (jupyterlab's
    dependencies bring it), which compiles a grammar as it is imported: 1.4 s, for the "iri"
    format checks that validating a notebook never makes. It is kept out of these processes.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # None: imported as absent (ImportError)
    import papermill  # noqa: F401

    from pxassure.execution import kernels  # noqa: F401
    from pxassure.publish import export  # noqa: F401


def final_dir(job: ReportJob, output_root: Path) -> Path:
    return job.period_dir(output_root) / job.layer


def final_key(job: ReportJob, linkable: list[str]) -> str | None:
    """The job's content key with the reports it may link to (None: the job has no key)."""
    printed = f"{job.pdf} docx" if job.docx is not None else job.pdf  # a Word copy is part of the run
    return None if job.key is None else freshness.run_key(job.key, job.parameters, printed, linkable)


def current(job: ReportJob, folder: Path, key: str, outcome: ReportOutcome) -> bool:
    """True (and ``outcome`` filled in as skipped) when the report built with ``key`` is all there."""
    html = folder / f"{job.name}.html"
    files = {"html": html, "notebook": html.with_suffix(".ipynb"), "findings": folder / f"{job.name}.findings.json"}
    if job.pdf:
        files["pdf"] = html.with_suffix(".pdf")
    if job.docx is not None:
        files["docx"] = html.with_suffix(".docx")
    if freshness.stored_key(html) != key or not all(p.exists() for p in files.values()):
        return False
    for attr, path in files.items():
        setattr(outcome, attr, path)
    appendix = folder / f"{job.name}{APPENDIX_SUFFIX}"
    outcome.appendix = appendix if appendix.exists() else None
    outcome.skipped = True
    return True


def remove_abandoned_staging(folder: Path) -> list[Path]:
    """Remove staging folders left by builds that were killed (their process no longer runs).

    A staging folder's name carries the id of the process building in it, so folders of
    reports being built right now, in this build or another, are left alone.
    """
    removed = []
    for path in folder.glob(".staging-*"):
        m = re.match(r"\.staging-.+-(\d+)-[^-]+$", path.name)
        pid = int(m.group(1)) if m else None
        if pid is not None and _running(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def failure_text(exc: BaseException) -> str:
    """A report's failure as one line for the build summary: the error's type and what went wrong."""
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    # papermill's errors carry the whole traceback; the last line naming an error says what went wrong
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return ""
    for ln in reversed(lines):
        if "Error" in ln or "error" in ln:
            return ln.strip()[:500]
    return lines[-1].strip()[:500]
