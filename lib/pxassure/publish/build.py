"""Build committee reports: papermill runs each notebook, nbconvert exports the HTML.

Each report is built in a staging folder beside its destination and moved into place
only when everything succeeded, so a failed run never overwrites or half-writes the
previous good report. A failed run keeps its executed notebook (``<name>.failed.ipynb``)
for the analyst to read.

A pack is built from the wards up, one worker process per core: each report as soon as the
reports whose findings it reads are built (a division after its own wards; the committees
and the board, side by side, after the divisions). One failing report does not stop the
others.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxassure.analysis import measures
from pxassure.errors import ParameterError
from pxassure.files import atomic_write_text
from pxassure.ingest.schema import CODE_PATTERN, CODE_TEXT
from pxassure.ingest.store import Store
from pxassure.publish import contents, freshness, zygote
from pxassure.reports import committees
from pxassure.reports.committees import LAYERS, ReportSpec
from pxassure.reports.parameters import (
    notebook_parameters,
    refuse_unknown,
    resolve_period,
    spc_options,
    unit_code,
    unknown_unit,
    what_if_folder,
    what_if_text,
)
from pxassure.words import counted

PROJECT_ROOT = committees.project_root()
#: Seconds a notebook cell may run before the report is failed and its kernel killed.
CELL_TIMEOUT = 900
#: A paper's appendix page (see ``export.appendix_path``): beside its paper, not a report of its own.
APPENDIX_SUFFIX = contents.APPENDIX_SUFFIX


@dataclass
class ReportJob:
    """One report to build: its spec and the notebook parameters."""

    spec: ReportSpec
    parameters: dict[str, Any] = field(default_factory=dict)
    trust: str = "trust"  # the trust's code: one trust's papers never share a folder with another's
    trust_name: str = ""
    pdf: bool = False  # also print the paper to PDF beside its HTML
    key: str | None = None  # its content key (see ``freshness``); None: always build
    timeout: int = CELL_TIMEOUT  # seconds one notebook cell may run
    snapshot: str | None = None  # digest of the database and code it was planned on (``cluster``)
    below: tuple[str, ...] = ()  # paths of the reports whose findings it reads: built before it

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def layer(self) -> str:
        return self.spec.layer

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def period(self) -> str:
        return self.parameters["period"]

    @property
    def what_if(self) -> str:
        """What this build changed from the official papers' settings ("" for an official build)."""
        return self.parameters.get("what_if") or ""

    def period_dir(self, output_root: Path) -> Path:
        """``output_root/<trust code>/<period>``: where this report's pack for the month lives; a
        what-if build's papers go beside it (``<period>-what-if-…``), never over the official ones."""
        folder = f"{self.period}-{what_if_folder(self.what_if)}" if self.what_if else self.period
        return output_root / self.trust / folder


@dataclass
class ReportOutcome:
    job: ReportJob
    html: Path | None = None
    notebook: Path | None = None
    findings: Path | None = None
    appendix: Path | None = None  # the paper's appendix page, when it has one
    pdf: Path | None = None  # the paper printed, when asked for
    skipped: bool = False  # current already (its content key matched): not executed again
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def absolute(path: Path, base: Path | None = None) -> Path:
    """``path``, or when relative, read from ``base`` (default: the working directory)."""
    return path if path.is_absolute() else ((base or Path.cwd()) / path)


def plan(
    committee: str | None = "board",
    *,
    period: str = "latest",
    database: str | Path = "data/pxassure.duckdb",
    unit: Any = None,
    overrides: dict | None = None,
    params_dir: Path | None = None,
    cover: dict | None = None,
    pdf: bool = False,
    timeout: int = CELL_TIMEOUT,
) -> list[ReportJob]:
    """The jobs to build, bottom layer first.

    ``committee`` is a params file stem (``board``, ``ward`` …) or None for the whole
    pack; ``unit`` narrows a division or ward template to one unit. The period is resolved
    to a month here, so every report of one build covers the same month. ``cover`` holds
    cover-sheet parameters (``meeting_date`` …) for the papers that have a cover sheet;
    ``pdf`` prints each paper to PDF too (Chromium is looked for before anything runs).
    """
    if pdf:
        from pxassure.publish.pdf import find_chromium

        find_chromium()
    params_dir = params_dir or committees.params_dir()
    params = committees.load_all(params_dir)
    if committee is not None and committee not in params:
        raise ParameterError(f"no parameters file for committee {committee!r} in {params_dir}; known: {sorted(params)}")
    database = Path(database)
    with Store(absolute(database), read_only=True) as store:
        month = resolve_period(store, period)
        units = store.table("org_units")
        names = committees.layer_names(store.table("committees"))
        digests = freshness.data_digests(store)
    trust = units[units["level"] == "trust"]
    if len(trust) != 1:
        raise ParameterError(f"org_units in {database} must have exactly one unit at level 'trust', found {len(trust)}")
    current = measures.open_units(units, month)  # a closed ward has no paper after it closed
    specs = committees.plan(params, current, only=None if committee is None else [committee], names=names)
    if unit is not None:
        code = unit_code(unit)
        specs = [s for s in specs if s.unit_id == code]
        if not specs:
            known = units["unit_id"].tolist()
            if code not in known:
                raise ParameterError(unknown_unit(code, known))
            why = measures.closure(units, code, month)
            raise ParameterError(
                f"unit {code!r} has no {committee or ''} report for {month:%Y-%m}: "
                + (f"it {why}" if why else "not a unit of that layer in org_units")
            )

    pack = committees.plan(params, current, names=names)  # every report: keys depend on the reports below
    declared = {n: notebook_parameters(n, PROJECT_ROOT / "notebooks") for n in {spec.notebook for spec in pack}}
    # A misspelt option is refused before anything runs; one that only some papers take (a cover's
    # agenda item) goes to those.
    notebooks = sorted({s.notebook for s in specs})
    building = dict.fromkeys(name for n in notebooks for name in declared[n])
    refuse_unknown(overrides or {}, building, ", ".join(f"notebooks/{n}.ipynb" for n in notebooks))

    def resolved(spec: ReportSpec) -> dict:
        takes = {k: v for k, v in (overrides or {}).items() if k in declared[spec.notebook]}
        parameters = {**spec.parameters, **takes}
        if spec.layer in committees.COVER_LAYERS:
            given = dict(cover or {})
            own = (given.pop("meeting_dates", None) or {}).get(spec.key)
            parameters.update({k: v for k, v in given.items() if v is not None})
            if own:
                parameters["meeting_date"] = own
        parameters.update({"period": month.strftime("%Y-%m"), "database": str(database)})
        official = {**declared[spec.notebook], **spec.parameters}
        parameters["what_if"] = what_if_text(parameters, official)
        return parameters

    code = freshness.code_digest(str(PROJECT_ROOT))
    reads = inputs(pack, units)
    keys = content_keys(pack, reads, digests, resolved, pdf, code)
    snapshot = freshness.snapshot_digest(digests, code)
    jobs = []
    for spec in specs:
        parameters = resolved(spec)
        check_options(parameters, spec)
        jobs.append(
            ReportJob(
                spec,
                parameters,
                trust.iloc[0]["unit_id"],
                trust.iloc[0]["name"],
                pdf=pdf,
                key=keys[spec.path],
                timeout=timeout,
                snapshot=snapshot,
                below=tuple(reads[spec.path][1]),
            )
        )
    return jobs


def inputs(specs: list[ReportSpec], units) -> dict[str, tuple[list[str] | None, list[str]]]:
    """What each report reads, by path: the units whose data it covers (None: the whole trust)
    and the reports one layer down whose findings it reads — a ward none; a division its wards;
    the committees and the board every division. Content keys and the build order both come
    from this."""
    tree = measures.ancestors(units)
    by_layer: dict[str, list[ReportSpec]] = {}
    for spec in specs:
        by_layer.setdefault(spec.layer, []).append(spec)
    out: dict[str, tuple[list[str] | None, list[str]]] = {}
    for spec in specs:
        if spec.layer == "ward":
            out[spec.path] = ([spec.unit_id], [])
        elif spec.layer == "division":
            scope = measures.descendants(units, spec.unit_id, tree)
            out[spec.path] = (scope, [w.path for w in by_layer.get("ward", []) if w.unit_id in scope])
        else:
            out[spec.path] = (None, [d.path for d in by_layer.get("division", [])])
    return out


def content_keys(specs: list[ReportSpec], reads: dict, digests: dict, resolved, pdf: bool, code: str) -> dict[str, str]:
    """Every report's content key (see ``freshness``): the data in its scope and the keys of the
    reports it reads (``reads``, from :func:`inputs`); ``specs`` bottom layer first."""
    keys: dict[str, str] = {}
    for spec in specs:
        scope, below = reads[spec.path]
        keys[spec.path] = freshness.content_key(
            data=freshness.scope_digest(digests, scope),
            parameters={**resolved(spec), "pdf": pdf},
            notebook=spec.notebook,
            code=code,
            below=[keys[b] for b in below],
        )
    return keys


def check_options(parameters: dict, spec: ReportSpec) -> None:
    """Fail before anything runs if a report's SPC parameters cannot be used."""
    options = {k: parameters.get(k) for k in ("shift_length", "trend_length", "minimum_points")}
    try:
        spc_options(parameters.get("preset", "mdc"), **options)
    except ParameterError as exc:
        raise ParameterError(f"{spec.path}: {exc}") from None


def existing_reports(period_dir: Path) -> set[str]:
    """Reports already built for a period, as paths relative to ``outputs/<period>/``."""
    return set(contents.built_papers(period_dir))


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
    final_dir: Path | None = None
    try:
        if not re.fullmatch(CODE_PATTERN, job.name):
            raise ParameterError(f"report name {job.name!r} is not {CODE_TEXT}: it would name a file")
        output_root = absolute(Path(output_root), base)
        final_dir = _final_dir(job, output_root)
        if linkable is None:
            linkable = sorted(existing_reports(job.period_dir(output_root)) | {job.spec.path})
        key = _final_key(job, linkable)
        if not force and key is not None and _current(job, final_dir, key, outcome):
            return outcome
        final_dir.mkdir(parents=True, exist_ok=True)
        remove_abandoned_staging(final_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{job.name}-{os.getpid()}-", dir=final_dir))
        executed = staging / f"{job.name}.ipynb"
        params = dict(job.parameters)
        params["database"] = str(absolute(Path(params["database"]), base))
        params["output_dir"] = str(staging)
        params["linkable"] = list(linkable)
        params["reports_dir"] = str(job.period_dir(output_root))
        notebook_machinery()  # loaded here: planning or skipping a build never needs it
        import papermill as pm

        from pxassure.publish.export import export_html
        from pxassure.publish.kernels import IPCKernelManager

        executed_nb = pm.execute_notebook(
            str(PROJECT_ROOT / "notebooks" / f"{job.spec.notebook}.ipynb"),
            str(executed),
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
        if job.pdf:
            from pxassure.publish.pdf import print_pdf

            print_pdf(staging / f"{job.name}.html", staging / f"{job.name}.pdf")
        # Everything built: move into place, the paper last so it never points at stale findings.
        moves = (
            ("findings.json", f"{job.name}.findings.json", "findings"),
            (f"{job.name}.ipynb", f"{job.name}.ipynb", "notebook"),
            (f"{job.name}{APPENDIX_SUFFIX}", f"{job.name}{APPENDIX_SUFFIX}", "appendix"),
            (f"{job.name}.pdf", f"{job.name}.pdf", "pdf"),
            (f"{job.name}.html", f"{job.name}.html", "html"),
        )
        for src_name, dest_name, attr in moves:
            src = staging / src_name
            dest = final_dir / dest_name
            if src.exists():
                os.replace(src, dest)
                setattr(outcome, attr, dest)
            elif attr in ("appendix", "pdf"):
                dest.unlink(missing_ok=True)  # an old appendix or PDF would no longer match the paper
        (final_dir / f"{job.name}.failed.ipynb").unlink(missing_ok=True)
        if key is not None:  # written last: a report is current only once everything is in place
            atomic_write_text(final_dir / f"{job.name}{freshness.KEY_SUFFIX}", key + "\n")
    except Exception as exc:  # one report's failure is reported, never fatal to the others
        outcome.html = outcome.findings = outcome.appendix = outcome.pdf = None
        if staging is not None and final_dir is not None and (staging / f"{job.name}.ipynb").exists():
            failed = final_dir / f"{job.name}.failed.ipynb"
            os.replace(staging / f"{job.name}.ipynb", failed)
            outcome.notebook = failed
        outcome.error = failure_text(exc)
        if type(exc).__name__ == "CellTimeoutError":
            outcome.error = (
                f"a cell ran for more than {job.timeout} s and was stopped (--timeout); its kernel was shut down"
            )
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return outcome


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

    from pxassure.publish import export, kernels  # noqa: F401


def _final_dir(job: ReportJob, output_root: Path) -> Path:
    return job.period_dir(output_root) / job.layer


def _final_key(job: ReportJob, linkable: list[str]) -> str | None:
    """The job's content key with the reports it may link to (None: the job has no key)."""
    return None if job.key is None else freshness.run_key(job.key, job.parameters, job.pdf, linkable)


def _current(job: ReportJob, final_dir: Path, key: str, outcome: ReportOutcome) -> bool:
    """True (and ``outcome`` filled in as skipped) when the report built with ``key`` is all there."""
    html = final_dir / f"{job.name}.html"
    files = {"html": html, "notebook": html.with_suffix(".ipynb"), "findings": final_dir / f"{job.name}.findings.json"}
    if job.pdf:
        files["pdf"] = html.with_suffix(".pdf")
    if freshness.stored_key(html) != key or not all(p.exists() for p in files.values()):
        return False
    for attr, path in files.items():
        setattr(outcome, attr, path)
    appendix = final_dir / f"{job.name}{APPENDIX_SUFFIX}"
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


def _die_with_parent(parent: int) -> None:
    """In a pack worker (Linux): be sent SIGTERM when the build that started it dies, killed or
    crashed, so no worker — and so no kernel, which exits when its worker goes — outlives it."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # elsewhere a worker ends when its queue to the build closes
    if os.getppid() != parent:  # the build died before the request was made
        os._exit(1)


def _run_one(args) -> ReportOutcome:
    job, output_root, linkable, force = args
    return run(job, output_root, linkable, force=force)


def run_pack(
    jobs: list[ReportJob],
    output_root: str | Path = "outputs",
    *,
    workers: int | None = None,
    progress: bool = True,
    force: bool = False,
    scheduler: str | None = None,
) -> list[ReportOutcome]:
    """Build ``jobs`` in parallel, each after the reports it reads (:func:`ready`); then the index.
    Reports still current (``freshness``) are skipped unless ``force``; none of them starts a
    process or a kernel. With ``scheduler`` (a Dask scheduler address, or ``"local"``) the
    reports to build run as a task graph on that cluster's workers (``publish.cluster``)."""
    if not jobs:
        return []
    output_root = absolute(Path(output_root))
    if len({(j.trust, j.period) for j in jobs}) != 1:
        raise ParameterError("a pack is one trust's papers for one month: plan them together")
    period_dir = jobs[0].period_dir(output_root)
    linkable = sorted(existing_reports(period_dir) | {j.spec.path for j in jobs})
    workers = workers or default_workers()
    bar = _progress(len(jobs), progress)
    outcomes: list[ReportOutcome] = []
    to_build: dict[str, list[ReportJob]] = {}
    for layer in LAYERS:
        for job in (j for j in jobs if j.layer == layer):
            outcome = ReportOutcome(job)
            key = _final_key(job, linkable)
            if not force and key is not None and _current(job, _final_dir(job, output_root), key, outcome):
                outcomes.append(outcome)  # current: no process, no kernel
                bar.update(1)
            else:
                to_build.setdefault(layer, []).append(job)
    if scheduler is not None and to_build:
        from pxassure.publish import cluster

        with cluster.client_for(scheduler, workers) as client:
            built = [j for layer in LAYERS for j in to_build.get(layer, [])]
            outcomes += cluster.run_graph(client, built, output_root, linkable, force, bar)
        to_build = {}
    pending = interleaved([j for layer in LAYERS for j in to_build.get(layer, [])])
    if not pending:
        zygote.Zygote.end_unused()  # `pxassure build` starts one before it plans: not needed
    size = min(workers, _width(pending))
    if size <= 1:
        for job in pending:
            outcomes.append(run(job, output_root, linkable, force=force))
            bar.update(1)
    else:
        outcomes += _run_in_pool(pending, size, output_root, linkable, force, bar)
    bar.close()
    write_index(period_dir, jobs[0].period, jobs[0].trust_name)
    return outcomes


def default_workers() -> int:
    """Reports built at once unless told: one per core. (One more than the cores filled a sixth
    of the CPU that sat idle while each kernel took 0.25 s to answer its first message; with
    kernels answering in 0.11 s, a third worker no longer shortens a pack and costs CPU.)"""
    return os.cpu_count() or 1


def ready(waiting: list[ReportJob], unfinished: set[str]) -> list[ReportJob]:
    """The waiting jobs whose inputs are built (none of ``below`` unfinished), the highest
    layer first: a division starts as soon as its own wards are built, ahead of wards still
    waiting, and the committees and the board run side by side once the divisions are built."""
    found = [j for j in waiting if unfinished.isdisjoint(j.below)]
    return sorted(found, key=lambda j: -LAYERS.index(j.layer))  # stable: plan order within a layer


def interleaved(jobs: list[ReportJob]) -> list[ReportJob]:
    """``jobs`` bottom layer first, each layer taking one job from each reader's group in turn
    (a ward of each division, then the next ward of each). The divisions' own papers then become
    ready together near the end and run side by side; built division by division, the last
    division's paper ran alone while the other workers waited, as the papers above it need it."""
    reader: dict[str, str] = {}
    for job in jobs:
        for below in job.below:
            reader.setdefault(below, job.spec.path)
    turn: dict[str, int] = {}
    taken: Counter = Counter()
    for job in jobs:
        group = reader.get(job.spec.path)
        turn[job.spec.path] = taken[group]
        taken[group] += 1
    return sorted(jobs, key=lambda j: (LAYERS.index(j.layer), turn[j.spec.path]))  # stable: plan order


def _width(jobs: list[ReportJob]) -> int:
    """How many of ``jobs`` can run at once at most: the most jobs at one depth of what they read."""
    depth: dict[str, int] = {}
    for job in jobs:  # bottom layer first, so what a job reads has its depth already
        depth[job.spec.path] = 1 + max((depth[b] for b in job.below if b in depth), default=-1)
    return max(Counter(depth.values()).values(), default=0)


def _run_in_pool(jobs, size, output_root, linkable, force, bar) -> list[ReportOutcome]:
    """Build ``jobs`` on one pool of ``size`` worker processes (started once for the pack, with
    their zygotes), each job as soon as the reports it reads are built (:func:`ready`). A failed
    report still releases its readers: they compute what it would have said."""
    waiting = list(jobs)
    unfinished = {j.spec.path for j in jobs}
    running: dict[Future, ReportJob] = {}
    outcomes: list[ReportOutcome] = []
    pool: ProcessPoolExecutor | None = None
    if zygote.enabled():  # started before the workers are forked, so they share it (see zygote)
        zygote.Zygote.get()
    notebook_machinery()  # imported while the zygote imports, and once for every worker
    try:
        while waiting or running:
            for job in ready(waiting, unfinished)[: size - len(running)]:
                if pool is None:
                    pool = ProcessPoolExecutor(max_workers=size, initializer=_die_with_parent, initargs=(os.getpid(),))
                running[pool.submit(_run_one, (job, output_root, linkable, force))] = job
                waiting.remove(job)
            if not running:  # cannot happen with what plan() makes: a job reading one never built
                raise ParameterError(f"reports wait on reports not in the build: {[j.spec.path for j in waiting]}")
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                unfinished.discard(job.spec.path)
                try:
                    outcomes.append(future.result())
                except Exception as exc:  # the worker process itself died
                    outcomes.append(ReportOutcome(job, error=failure_text(exc)))
                    if isinstance(exc, BrokenProcessPool) and pool is not None:  # a new pool for the rest
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = None
                bar.update(1)
    finally:
        if pool is not None:
            pool.shutdown()
    return outcomes


def write_index(period_dir: Path, period: str, trust_name: str = "") -> Path:
    """``outputs/<trust>/<period>/index.html``: every report of one trust's month, in agenda order (atomic)."""
    from pxassure.publish.pages import index_page

    period_dir = Path(period_dir)
    target = period_dir / "index.html"
    atomic_write_text(target, index_page(period, contents.agenda(period_dir), trust_name))
    return target


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, unit="report", desc="Building reports", disable=not enabled, file=sys.stderr)


def summary(outcomes: list[ReportOutcome]) -> str:
    """The end-of-build summary: counts, then every failure with its executed notebook."""
    ok = [o for o in outcomes if o.ok and not o.skipped]
    skipped = [o for o in outcomes if o.skipped]
    failed = [o for o in outcomes if not o.ok]
    unchanged = f", {len(skipped)} unchanged (skipped; --force rebuilds them)" if skipped else ""
    lines = [f"{counted(len(ok), 'report')} built{unchanged}, {len(failed)} failed."]
    for o in failed:
        lines.append(f"  FAILED {o.job.spec.path}: {o.error}\n    executed notebook: {o.notebook}")
    return "\n".join(lines)


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


def board_pack(
    period_dir: str | Path, *, trust_name: str, period: str, wards: bool = False, meeting_date: str | None = None
) -> Path:
    """``<period_dir>/board-pack.pdf``: the period's papers in agenda order (the board, then its
    committees in reporting order, then divisions; wards when asked) behind a cover and contents
    page, with bookmarks. A paper whose PDF is missing or older than its HTML is printed first."""
    from pxassure.publish.pages import page_css
    from pxassure.publish.pdf import PackPaper, build_pack, print_pdf

    period_dir = Path(period_dir)
    papers = [
        PackPaper(e.group, e.title, period_dir / e.path, e.division, e.escalated, bool(e.appendix_of))
        for e in contents.agenda(period_dir, wards=wards)
    ]
    if not papers:
        raise ParameterError(f"no papers built in {period_dir}: run pxassure build --all first")
    for paper in papers:
        if not paper.pdf.exists() or paper.pdf.stat().st_mtime < paper.html.stat().st_mtime:
            print_pdf(paper.html, paper.pdf)
    title = f"Board pack — {trust_name} — {period}"
    return build_pack(
        papers,
        period_dir / "board-pack.pdf",
        trust_name=trust_name,
        period=period,
        css=page_css(title),
        front_css=page_css(title, numbered=False),
        meeting_date=meeting_date,
    )
