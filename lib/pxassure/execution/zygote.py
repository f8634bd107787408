"""Fresh kernels forked from a process that has already imported what reports use (Linux).

Starting a Python kernel and importing pandas, matplotlib, statsmodels and pxassure takes
most of a report's time. A *zygote* is a child of the build that imports all that once and
then, for each report, forks: the fork becomes the report's kernel — a normal ipykernel on its
own connection file, driven by papermill as any kernel is, starting from the zygote's clean,
just-imported state and sharing nothing with any other report. A pack's worker processes share
the build's zygote (one set of imports, and pages every kernel shares), asking it for kernels
over a Unix socket that serves only this user. ``kernels.ForkedProvisioner`` is the
jupyter_client provisioner that asks the zygote for a kernel instead of starting
``python -m ipykernel_launcher``. This module imports no Jupyter package itself, so a build can
start its zygote before anything else (see :meth:`Zygote.get`).

Lifetimes are tied with Linux's parent-death signal and a watch on the asking process: a
kernel ends with the worker that asked for it and with its zygote, and the zygote with the
build, so killing a build — or one worker — leaves nothing running. Where forking is not
available (not Linux, or ``PXASSURE_FORK_KERNELS=0``), kernels start normally.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import secrets
import select
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

from pxassure.errors import KernelError

#: Modules the zygote imports once, before its first kernel, so no report's kernel has to:
#: everything a ward's or a division's cells import (the report modules load lazily, so each is
#: named), and what ipykernel imports while a kernel starts (its debugger alone took a tenth of a
#: second a kernel).
PRELOAD = (
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "duckdb",
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    # what a kernel imports as it initialises: the debugger shell, completion, magics
    "pdb",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "sqlite3",
    "pxassure.reports",
    "pxassure.reports.ward",
    "pxassure.reports.division",
    "pxassure.publish.render",
    "pxassure.publish.charts",
)
#: What only the committees' and the board's papers import (their trend tests), 1.4 s of the
#: zygote's start. Imported one at a time while the zygote waits between requests, after it has
#: begun serving: a pack's wards start that much sooner, and its papers above them, built last,
#: still start from a zygote that has it all. A kernel forked before then imports what it needs.
PRELOAD_LATER = (
    "scipy.stats",
    "statsmodels.api",
    "pxassure.reports.patient_experience",
    "pxassure.reports.quality",
    "pxassure.reports.board",
)
_PR_SET_PDEATHSIG = 1
_PR_SET_NAME = 15
#: Seconds a zygote may take to import everything before its first kernel is refused.
START_TIMEOUT = 300


def _die_with_parent(sig: int = signal.SIGKILL) -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig)


def enabled() -> bool:
    """Fork kernels here? Linux only, and not when ``PXASSURE_FORK_KERNELS=0``."""
    return sys.platform.startswith("linux") and os.environ.get("PXASSURE_FORK_KERNELS", "1") != "0"


class Zygote:
    """The pre-imported process kernels are forked from, started on first use.

    A pack's worker processes, forked from the build after it started its zygote, share that
    one: it imports once for the whole pack, and every kernel of the pack shares its pages. A
    process that did not inherit a live zygote (a Dask worker, a single report) starts its own.
    Kernels are asked for over a Unix socket that serves only this user."""

    _lock = threading.Lock()
    _instance: Zygote | None = None

    def __init__(self) -> None:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        # Linux's abstract socket namespace: no file to leave behind; the zygote serves only
        # this user (it checks each caller's credentials)
        name = f"pxassure-zygote-{os.getpid()}-{secrets.token_hex(8)}"
        self.address = "\0" + name
        # one BLAS thread: a fork must not start from a process with worker threads. Its stdin
        # stays open as long as this process (and the workers it forks) live: at its end the
        # zygote ends too.
        self.proc = _start_kept(
            [sys.executable, "-m", "pxassure.execution.zygote", name], stdin=subprocess.PIPE, env=env
        )
        self.pid = self.proc.pid
        self.owner = os.getpid()
        self.forked = False  # in this process: a worker's copy counts for the worker only

    def alive(self) -> bool:
        if self.owner == os.getpid():
            return self.proc.poll() is None
        try:  # a worker forked from the owner cannot wait for it, only look
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        return True

    @classmethod
    def get(cls) -> Zygote:
        """This process's zygote: the one it inherited from the build, or a new one. Returns at
        once; the first :meth:`fork` waits until the zygote has imported what every kernel needs
        (``PRELOAD``)."""
        with cls._lock:
            z = cls._instance
            if z is None or not z.alive():
                cls._instance = cls()
            return cls._instance

    @classmethod
    def end_unused(cls) -> None:
        """End this process's zygote if it started it and no kernel was asked of it (a build
        that found every report current), rather than leave it importing until the build ends."""
        with cls._lock:
            z = cls._instance
            if z is not None and z.owner == os.getpid() and not z.forked:
                z.proc.kill()
                z.proc.wait()
                cls._instance = None

    def fork(self, argv: list[str], cwd: str, env: dict) -> int:
        """A new kernel, as a fork of the zygote; its process id."""
        self.forked = True
        request = {"argv": argv, "cwd": cwd, "env": env, "owner": os.getpid()}
        with self._connect() as conn:
            conn.sendall(json.dumps(request).encode() + b"\n")
            answer = _read_line(conn)
        if not answer.isdigit():
            raise KernelError(f"the kernel zygote could not fork a kernel ({answer or 'no answer'})")
        return int(answer)

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(self.address)
                return conn
            except ConnectionRefusedError:  # still importing, or gone
                conn.close()
            if not self.alive():
                code = self.proc.returncode if self.owner == os.getpid() else None
                raise KernelError(
                    f"the kernel zygote (process {self.pid}) ended" + (f" with code {code}" if code is not None else "")
                )
            if time.monotonic() > deadline:
                raise KernelError(f"the kernel zygote did not start within {START_TIMEOUT} s")
            time.sleep(0.02)


def _read_line(conn: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


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


# ---------------------------------------------------------------------------
# The zygote process itself
# ---------------------------------------------------------------------------


def _kernel(request: dict) -> None:
    """In a fresh fork: become the report's kernel, then exit."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the kernel's own children are its to wait for
    _die_with_parent()
    _end_with(request["owner"])
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # never write into the zygote's own output
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ[OWNER_VARIABLE] = str(request["owner"])
    # ipykernel read JPY_PARENT_PID when the zygote imported it: say who the parent is, so the
    # kernel watches it (and prints no "connect another client" banner)
    argv = [*request["argv"][3:], f"--IPKernelApp.parent_handle={os.getppid()}"]
    sys.argv = [request["argv"][0], *argv]
    from ipykernel import kernelapp

    try:
        kernelapp.launch_new_instance(argv=argv)
    finally:
        os._exit(0)


#: Set in a forked kernel: the process id of the build or pack worker that asked for it.
OWNER_VARIABLE = "PXASSURE_KERNEL_OWNER"


def _end_with(owner: int) -> None:
    """End this kernel when the process that asked for it ends. Its parent is the zygote,
    which outlives a pack worker that dies; the kernel of that worker's report must not."""
    import ctypes

    # name the kernel after its owner in ps and top ("pxk 12345"): which worker's kernel it is
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NAME, f"pxk {owner}".encode()[:15], 0, 0, 0)
    try:
        fd = os.pidfd_open(owner)
    except ProcessLookupError:  # gone already
        os._exit(1)

    def watch() -> None:
        select.select([fd], [], [])  # readable when the owner has exited
        os._exit(1)

    threading.Thread(target=watch, name="pxassure-owner-watch", daemon=True).start()


def _warm_up() -> None:
    """Draw one chart from made-up numbers, so fonts and text measures are loaded once here and
    not in every kernel (a tenth of a second each), and open DuckDB once. No trust data is read
    before a fork."""
    # DuckDB sets itself up on a process's first connection (a sixth of each kernel's opening of
    # the store): do that here, on an empty in-memory database closed again before any fork, so
    # no DuckDB thread or file is inherited.
    import duckdb
    import pandas as pd

    from pxassure.analysis import spc
    from pxassure.publish import render

    con = duckdb.connect(":memory:")
    con.execute("SELECT 1 AS warm WHERE 1 = ?", [1]).df()
    con.close()

    months = pd.period_range("2020-01", periods=24, freq="M").astype(str)
    values = pd.Series([80.0 + (i * 7) % 11 for i in range(24)], index=months)
    str(render.spc_figure(spc.xmr(values), title="Warm-up", measure="Warm-up", unit="%"))


def main(name: str) -> None:
    _die_with_parent()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger warns otherwise
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels that end are reaped at once
    for module in PRELOAD:
        importlib.import_module(module)
    _warm_up()
    _freeze()
    _serve(name)


def _freeze() -> None:
    """Everything made so far lives as long as the zygote: keep it out of the collector, so a
    kernel's collections neither walk it (time) nor write to its pages (memory the forks would
    otherwise stop sharing)."""
    gc.collect()
    gc.freeze()


def _request(line: str) -> dict:
    """A fork request as :meth:`Zygote.fork` sends it, checked before anything is forked."""
    request = json.loads(line)
    shape = {"argv": list, "cwd": str, "env": dict, "owner": int}
    if not isinstance(request, dict) or any(not isinstance(request.get(k), t) for k, t in shape.items()):
        raise KernelError(f"a fork request is a JSON object with {', '.join(shape)}")
    return request


def _serve(name: str) -> None:
    """Fork a kernel for each request on the abstract socket ``name``, until stdin closes (the
    build has gone)."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0" + name)
    server.listen(16)
    events = selectors.DefaultSelector()
    events.register(server, selectors.EVENT_READ)
    events.register(sys.stdin.fileno(), selectors.EVENT_READ)
    later = list(PRELOAD_LATER)
    while True:
        ready = events.select(timeout=0 if later else None)
        if not ready:  # nothing asked for: import the next of what only the upper papers use
            importlib.import_module(later.pop(0))
            if not later:
                _freeze()
            continue
        for key, _ in ready:
            if key.fileobj is not server:
                if not os.read(sys.stdin.fileno(), 4096):
                    # The build has gone: end without tearing down what was frozen (DuckDB's
                    # bindings report every object still alive at a normal exit as a leak).
                    os._exit(0)
                continue
            conn, _ = server.accept()
            _, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            if uid != os.getuid():  # a kernel runs code as this user: only this user may ask
                conn.close()
                continue
            try:
                conn.settimeout(30)
                request = _request(_read_line(conn))
                pid = os.fork()
                if pid == 0:
                    try:
                        conn.close()
                        server.close()
                        events.close()
                        _kernel(request)
                    finally:
                        os._exit(1)  # a fork never returns to this loop
                conn.sendall(f"{pid}\n".encode())
            except (OSError, ValueError, KernelError) as exc:  # a bad request fails that request only
                try:
                    conn.sendall(f"{type(exc).__name__}: {exc}\n".encode())
                except OSError:
                    pass
            finally:
                conn.close()


if __name__ == "__main__":
    main(sys.argv[1])
