"""Running a pack's reports on this machine: one pool of worker processes (one per core), each
report as soon as the reports whose findings it reads are built, wards interleaved by division."""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from pxassure.errors import ParameterError
from pxassure.execution import zygote
from pxassure.execution.execute import failure_text, notebook_machinery, run
from pxassure.execution.planning import ReportJob, ReportOutcome
from pxassure.reports.committees import LAYERS


def run_here(
    jobs: list[ReportJob], output_root, linkable, force: bool, bar, *, workers: int, **_
) -> list[ReportOutcome]:
    """Build ``jobs`` (bottom layer first) on this machine: on a pool of at most ``workers``
    processes when more than one can run at once, else one after another in this process."""
    pending = interleaved(jobs)
    size = min(workers, _width(pending))
    if size > 1:
        return _run_in_pool(pending, size, output_root, linkable, force, bar)
    outcomes = []
    for job in pending:
        outcomes.append(run(job, output_root, linkable, force=force))
        bar.update(1)
    return outcomes


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
