"""Fresh kernels forked from a process that has already imported what reports use (Linux).

Starting a Python kernel and importing pandas, matplotlib, statsmodels and pxassure takes
most of a report's time. A *zygote* is a child of the build (or of a pack worker) that
imports all that once and then, for each report, forks: the fork becomes the report's
kernel — a normal ipykernel on its own connection file, driven by papermill as any kernel
is, starting from the zygote's clean, just-imported state and sharing nothing with any other
report. :class:`ForkedProvisioner` is the jupyter_client provisioner that asks the zygote
for a kernel instead of starting ``python -m ipykernel_launcher``.

Lifetimes are tied with Linux's parent-death signal: a kernel dies with its zygote, and the
zygote with the process that started it, so killing a build leaves nothing running. Where
forking is not available (not Linux, or ``PXASSURE_FORK_KERNELS=0``), kernels start normally.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pathlib
import signal
import subprocess
import sys
import threading
import time

from jupyter_client.provisioning import LocalProvisioner

from pxassure.errors import KernelError

#: Modules the zygote imports once, so no report's kernel has to: everything a report's cells
#: import (the report modules load lazily, so each is named), and what ipykernel imports while a
#: kernel starts (its debugger alone took a tenth of a second a kernel).
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.stats",
    "statsmodels.api",
    "matplotlib.pyplot",
    "duckdb",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "sqlite3",
    "pxassure.reports",
    "pxassure.reports.ward",
    "pxassure.reports.division",
    "pxassure.reports.committee",
    "pxassure.reports.board",
    "pxassure.publish.render",
    "pxassure.publish.charts",
)
_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)


def enabled() -> bool:
    """Fork kernels here? Linux only, and not when ``PXASSURE_FORK_KERNELS=0``."""
    return sys.platform.startswith("linux") and os.environ.get("PXASSURE_FORK_KERNELS", "1") != "0"


class Zygote:
    """The pre-imported process of this build process; started on first use."""

    _lock = threading.Lock()
    _instance: Zygote | None = None

    def __init__(self) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        # one BLAS thread: a fork must not start from a process with worker threads
        self.proc = _start_kept(
            [sys.executable, "-m", "pxassure.publish.zygote"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.owner = os.getpid()
        ready = self.proc.stdout.readline().strip()
        if ready != "ready":
            self.proc.kill()
            raise KernelError(f"the kernel zygote did not start ({ready or 'no answer'})")

    @classmethod
    def get(cls) -> Zygote:
        """This process's zygote (a pack worker forked from the build starts its own)."""
        with cls._lock:
            z = cls._instance
            if z is None or z.owner != os.getpid() or z.proc.poll() is not None:
                cls._instance = cls()
            return cls._instance

    def fork(self, argv: list[str], cwd: str, env: dict) -> int:
        with self._lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        if not answer.isdigit():
            raise KernelError(f"the kernel zygote could not fork a kernel ({answer or 'no answer'})")
        return int(answer)


def _start_kept(argv: list[str], **kwargs) -> subprocess.Popen:
    """Start the zygote from a thread that lives as long as it does.

    Linux sends the parent-death signal when the *thread* that started a child ends, not the
    process; a report built on a thread that a pool later retires (as a Dask worker's) would
    take its zygote down with it. The keeper thread waits on the zygote, so the signal comes
    only when the zygote ends or the whole process dies."""
    started = threading.Event()
    box: dict = {}

    def keeper() -> None:
        try:
            box["proc"] = subprocess.Popen(argv, **kwargs)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            started.set()
        if "proc" in box:
            box["proc"].wait()

    threading.Thread(target=keeper, name="pxassure-zygote-keeper", daemon=True).start()
    started.wait()
    if "error" in box:
        raise box["error"]
    return box["proc"]


class ForkedKernel:
    """What jupyter_client needs of a kernel's process (as :class:`subprocess.Popen`), for a
    kernel forked by the zygote: it is the zygote's child, which reaps it; this one watches it."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _is_ipykernel(cmd: list[str]) -> bool:
    return len(cmd) >= 5 and cmd[1:3] == ["-m", "ipykernel_launcher"] and "-f" in cmd


class ForkedProvisioner(LocalProvisioner):
    """Launches each kernel as a fork of the zygote (see the module docstring)."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if not (enabled() and _is_ipykernel(cmd)):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        pid = Zygote.get().fork(cmd, cwd, env)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own session and process group
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info


# ---------------------------------------------------------------------------
# The zygote process itself
# ---------------------------------------------------------------------------


def _kernel(request: dict) -> None:
    """In a fresh fork: become the report's kernel, then exit."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own children are its to wait for
    _die_with_parent()
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # never write into the zygote's answers to the build
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # ipykernel read JPY_PARENT_PID when the zygote imported it: say who the parent is, so the
    # kernel watches it (and prints no "connect another client" banner)
    argv = [*request["argv"][3:], f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [request["argv"][0], *argv]
    from ipykernel import kernelapp

    try:
        kernelapp.launch_new_instance(argv=argv)
    finally:
        os._exit(0)


def _warm_up() -> None:
    """Draw one chart from made-up numbers, so fonts and text measures are loaded once here and
    not in every kernel (a tenth of a second each). No trust data is read before a fork."""
    import pandas as pd

    from pxassure.analysis import spc
    from pxassure.publish import render

    months = pd.period_range("2020-01", periods=24, freq="M").astype(str)
    values = pd.Series([80.0 + (i * 7) % 11 for i in range(24)], index=months)
    str(render.spc_figure(spc.xmr(values), title="Warm-up", measure="Warm-up", unit="%"))


def main() -> None:
    _die_with_parent()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger warns otherwise
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels that end are reaped at once
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_up()
    # Everything made so far lives as long as the zygote: keep it out of the collector, so a
    # kernel's collections neither walk it (time) nor write to its pages (memory the forks would
    # otherwise stop sharing).
    gc.collect()
    gc.freeze()
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _kernel(request)
        out.write(f"{pid}\n")
        out.flush()
    # The build has gone: end without tearing down what was frozen above (DuckDB's bindings
    # report every object still alive at a normal exit as a leak).
    os._exit(0)


if __name__ == "__main__":
    main()
