"""Building a pack on a Dask distributed cluster, when one machine is not enough.

A region or an integrated care board building packs for many trusts can spread one build over
several machines: ``pxassure build --all --scheduler tcp://HOST:8786`` (or ``--scheduler
local`` for a cluster of worker processes on this machine). The pack becomes a task graph —
each division waits for its own wards, each committee and the board for the divisions —
and every task is the same :func:`pxassure.execution.execute.run` a local build uses: a real
papermill-executed notebook in a fresh kernel, skipped when its content key says it is
current, written atomically under the same content key.

Every worker must see the same database file and the same output folder at the same paths
(a shared file system), and run the same pxassure. Before building, a worker opens the
database read-only and checks that its data and code digests are the snapshot the build was
planned on; a worker with another copy fails that report with a message naming the worker
and the file, and builds nothing from it.

Dask is an optional extra (``pip install 'pxassure[distributed]'``); nothing here is imported
by a build that does not ask for a scheduler.
"""

from __future__ import annotations

import os
import socket
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from pxassure.errors import ParameterError, SnapshotError
from pxassure.execution import freshness
from pxassure.execution.execute import failure_text, run
from pxassure.execution.planning import PROJECT_ROOT, ReportOutcome, absolute
from pxassure.ingest.store import Store

#: ``--scheduler local``: a LocalCluster of worker processes on this machine.
LOCAL = "local"


def snapshot(database: Path, root: str) -> str:
    """The digest a worker compares: every unit's data in ``database`` and the code in ``root``."""
    stat = database.stat()
    return _snapshot(str(database), stat.st_ino, stat.st_size, stat.st_mtime_ns, root)


@cache  # one read of the database per worker and file version, not one per report
def _snapshot(path: str, inode: int, size: int, mtime: int, root: str) -> str:
    with Store(Path(path), read_only=True) as store:
        digests = freshness.data_digests(store)
    return freshness.snapshot_digest(digests, freshness.code_digest(root))


def check_snapshot(database: Path, expected: str, root: str) -> None:
    """Raise :class:`SnapshotError` unless ``database`` and this worker's code are the planned snapshot."""
    host = socket.gethostname()
    if not database.exists():
        raise SnapshotError(
            f"worker {host} cannot see the database {database}: every worker needs the same file at the same path"
        )
    found = snapshot(database, root)
    if found != expected:
        raise SnapshotError(
            f"worker {host}: the database {database} or pxassure's code there is not the snapshot this build was "
            f"planned on (digest {found[:12]}, planned {expected[:12]}); give every worker the same database "
            "file and the same pxassure version"
        )


@contextmanager
def client_for(scheduler: str, workers: int | None = None):
    """A Dask client on ``scheduler`` (an address such as ``tcp://host:8786``), or on a new
    LocalCluster of ``workers`` single-threaded worker processes when it is ``"local"``."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ParameterError(
            "--scheduler needs Dask distributed: pip install 'pxassure[distributed]' "
            "(pinned in pyproject.toml; conda users: environment.yml)"
        ) from None
    if scheduler == LOCAL:
        cluster = LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,  # one report per worker process at a time, as in a local build
            processes=True,
            host="127.0.0.1",  # a local cluster listens on this machine only
            dashboard_address="127.0.0.1:0",  # its status page on a free local port, not 8787
        )
        try:
            with Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise ParameterError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    try:
        yield client
    finally:
        client.close()


def _task(job, output_root, linkable, force, base, *below):
    """One report on a worker: check the snapshot, then build it exactly as a local build would.
    ``below`` are the outcomes of the reports it reads; they only order the graph."""
    database = absolute(Path(job.parameters["database"]), Path(base))
    try:
        check_snapshot(database, job.snapshot, str(PROJECT_ROOT))
    except SnapshotError as exc:
        return ReportOutcome(job, error=failure_text(exc))
    return run(job, output_root, linkable, force=force, base=Path(base))


def run_graph(client, jobs, output_root: Path, linkable: list[str], force: bool, bar) -> list:
    """Submit ``jobs`` (bottom layer first) as a task graph, each after the reports it reads
    (``job.below``), and collect the outcomes as they finish. A report whose worker died is a
    failed outcome, never an exception."""
    from distributed import as_completed

    base = str(Path.cwd())
    futures = {}
    by_path = {}
    for job in jobs:
        future = client.submit(
            _task,
            job,
            output_root,
            linkable,
            force,
            base,
            *(by_path[b] for b in job.below if b in by_path),
            key=f"pxassure-{job.trust}-{job.period}-{job.spec.path}-{job.key or 'unkeyed'}"[:200],
            pure=False,
            retries=0,
        )
        futures[future] = job
        by_path[job.spec.path] = future
    outcomes = []
    for future in as_completed(list(futures)):
        try:
            outcomes.append(future.result())
        except Exception as exc:  # the worker died, or a report below it did
            outcomes.append(ReportOutcome(futures[future], error=failure_text(exc)))
        bar.update(1)
    return outcomes


def run_on_cluster(jobs, output_root: Path, linkable: list[str], force: bool, bar, *, workers, scheduler) -> list:
    """The ``dask`` runner (see :mod:`.runners`): ``jobs`` as a task graph on ``scheduler``'s cluster."""
    with client_for(scheduler, workers) as client:
        return run_graph(client, jobs, output_root, linkable, force, bar)
