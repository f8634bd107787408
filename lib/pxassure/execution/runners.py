"""Where a pack's reports run, by name, as papermill keeps its engines: ``here`` (this machine's
process pool, :mod:`.pool`) and ``dask`` (a Dask cluster, :mod:`.cluster`, an optional extra
imported only when asked for). Every runner takes the jobs to build (bottom layer first), where
to write them, the reports they may link to, ``force``, a progress bar, and ``workers`` and
``scheduler``, and returns one outcome per job.
"""

from __future__ import annotations

import importlib
import os

#: Runner name -> "module:function", imported on first use.
RUNNERS = {
    "here": "pxassure.execution.pool:run_here",
    "dask": "pxassure.execution.cluster:run_on_cluster",
}


def runner(name: str):
    """The runner registered as ``name``."""
    module, function = RUNNERS[name].split(":")
    return getattr(importlib.import_module(module), function)


def default_workers() -> int:
    """Reports built at once unless told: one per core. (One more than the cores filled a sixth
    of the CPU that sat idle while each kernel took 0.25 s to answer its first message; with
    kernels answering in 0.11 s, a third worker no longer shortens a pack and costs CPU.)"""
    return os.cpu_count() or 1
