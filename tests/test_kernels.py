"""No kernel is left running when a report times out or its build is killed (#13).

The build runs in a child process on a copy of pxassure's params with a ward notebook that
hangs (``PXASSURE_HOME`` points the build at it); the notebook writes its kernel's process id
first, so the test can see that the kernel is gone afterwards.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from pxassure.ingest import demo

pytestmark = pytest.mark.integration
WARD = demo.PLANTED["deteriorating_ward"]
PXASSURE = str(Path(sys.executable).parent / "pxassure")


def fake_home(tmp_path, code: str, notebooks=("ward",)) -> Path:
    """A copy of pxassure's params with notebooks (the ward's by default) that run ``code``
    (PXASSURE_HOME points a build at it)."""
    home = tmp_path / "home"
    shutil.copytree(ROOT / "params", home / "params")
    (home / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    params = nbformat.v4.new_code_cell('period = "latest"\nunit_id = None', metadata={"tags": ["parameters"]})
    nb.cells = [nbformat.v4.new_markdown_cell("# A test report"), params, nbformat.v4.new_code_cell(code)]
    for name in notebooks:
        nbformat.write(nb, home / "notebooks" / f"{name}.ipynb")
    return home


def hanging_home(tmp_path) -> Path:
    """A ward notebook that records its kernel's process id, then hangs."""
    return fake_home(
        tmp_path,
        "import os, time\n"
        'folder = os.environ.get("PXASSURE_TEST_PIDS")\n'
        "if folder:\n"
        "    owner = os.environ['PXASSURE_KERNEL_OWNER']\n"
        "    open(os.path.join(folder, str(os.getpid())), 'w').write(f'{os.getppid()} {owner}')\n"
        "else:\n"
        '    open(os.environ["PXASSURE_TEST_PIDFILE"], "w").write(str(os.getpid()))\n'
        "time.sleep(600)",
    )


def gone(pid: int, within: float = 20.0) -> bool:
    """True once ``pid`` has exited (a zombie waiting to be reaped counts as exited)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                if fh.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.2)
    return False


def build_command(db, out, *extra):
    return [
        PXASSURE,
        "build",
        "--committee",
        "ward",
        "--unit",
        WARD,
        "--database",
        str(db),
        "--output",
        str(out),
        *extra,
    ]


def test_a_cell_that_runs_too_long_fails_its_report_and_its_kernel_is_stopped(demo_db, tmp_path):
    pidfile = tmp_path / "kernel.pid"
    env = {**os.environ, "PXASSURE_HOME": str(hanging_home(tmp_path)), "PXASSURE_TEST_PIDFILE": str(pidfile)}
    run = subprocess.run(
        build_command(demo_db, tmp_path / "out", "--timeout", "3"), env=env, capture_output=True, text=True, timeout=180
    )
    assert run.returncode == 1
    assert "a cell ran for more than 3 s and was stopped (--timeout)" in run.stderr
    assert pidfile.exists() and gone(int(pidfile.read_text()))
    assert not list((tmp_path / "out").rglob(f"{WARD}.html"))  # no report from a failed run


def test_killing_a_build_leaves_no_kernel_running(demo_db, tmp_path):
    pidfile = tmp_path / "kernel.pid"
    env = {**os.environ, "PXASSURE_HOME": str(hanging_home(tmp_path)), "PXASSURE_TEST_PIDFILE": str(pidfile)}
    proc = subprocess.Popen(
        build_command(demo_db, tmp_path / "out"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
            assert proc.poll() is None, "the build ended before its notebook started"
            time.sleep(0.2)
        kernel = int(pidfile.read_text())
        os.kill(proc.pid, signal.SIGKILL)  # as when a terminal closes or a scheduler kills the job
        proc.wait(timeout=30)
        assert gone(kernel), "the kernel outlived the build that started it"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_killing_a_parallel_build_leaves_no_worker_or_kernel_running(demo_db, tmp_path):
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "PXASSURE_HOME": str(hanging_home(tmp_path)), "PXASSURE_TEST_PIDS": str(pids)}
    command = [PXASSURE, "build", "--committee", "ward", "--workers", "2", "--database", str(demo_db)]
    proc = subprocess.Popen(
        [*command, "--output", str(tmp_path / "out")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(pids.iterdir())) < 2 and time.monotonic() < deadline:
            assert proc.poll() is None, "the build ended before its notebooks started"
            time.sleep(0.2)
        time.sleep(0.5)  # let both files be written in full
        # kernel -> (its parent, the worker that asked for it)
        kernels = {int(p.name): tuple(map(int, p.read_text().split())) for p in pids.iterdir()}
        assert len(kernels) == 2 and len({w for _, w in kernels.values()}) == 2  # two workers, a kernel each
        assert len({z for z, _ in kernels.values()}) == 1  # forked from the one zygote the workers share
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        for kernel, (zygote, worker) in kernels.items():
            assert gone(worker), "a worker outlived the build"
            assert gone(zygote), "the zygote outlived the build"
            assert gone(kernel), "a kernel outlived the build"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_forked_kernels_share_nothing_between_reports(demo_db, tmp_path):
    """Two reports built one after the other in one process: both kernels are forks of the same
    pre-imported zygote (not of the build), and the second sees nothing the first did."""
    home = fake_home(
        tmp_path,
        "import gc, os, sys, pxassure\n"
        "assert not hasattr(pxassure, 'touched'), 'state leaked from an earlier report'\n"
        "pxassure.touched = True\n"
        "names = ('pandas', 'pxassure.publish.render', 'pxassure.reports.ward', 'ipykernel.debugger')\n"
        "preloaded = all(n in sys.modules for n in names) and gc.get_freeze_count() > 0\n"
        "with open(os.path.join(os.environ['PXASSURE_TEST_PIDS'], unit_id), 'w') as fh:\n"
        "    fh.write(f'{os.getpid()} {os.getppid()} {preloaded}')",
    )
    pids = tmp_path / "pids"
    pids.mkdir()
    script = (
        "from pxassure.execution import build, planning\n"
        f"jobs = planning.plan('ward', database={str(demo_db)!r})[:2]\n"
        f"outcomes = build.run_pack(jobs, {str(tmp_path / 'out')!r}, workers=1, progress=False)\n"
        "print([o.error for o in outcomes])\n"
    )
    env = {**os.environ, "PXASSURE_HOME": str(home), "PXASSURE_TEST_PIDS": str(pids)}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and run.stdout.strip().endswith("[None, None]"), run.stdout + run.stderr[-2000:]
    seen = [p.read_text().split() for p in sorted(pids.iterdir())]
    assert len(seen) == 2 and seen[0][0] != seen[1][0]  # two kernels
    assert seen[0][1] == seen[1][1]  # with one parent: the zygote, which stayed between reports
    # started with pandas, pxassure's report modules and ipykernel's debugger already imported,
    # and the zygote's objects frozen out of the garbage collector
    assert all(s[2] == "True" for s in seen)


def test_a_worker_that_dies_fails_its_reports_and_the_layers_above_still_build(demo_db, tmp_path):
    """A pack shares one pool of workers (and one zygote) across its layers; when a worker dies,
    the reports it took down fail with a plain message, its kernel ends with it (the zygote,
    its parent, lives on) and a fresh pool builds the rest."""
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    probe = tmp_path / "orphan"
    home = fake_home(
        tmp_path,
        "import os, signal, time\n"
        f"probe = {str(probe)!r}\n"
        f"if unit_id == {WARD!r}:  # kill the worker that runs this report\n"
        "    open(probe, 'w').write(str(os.getpid()))\n"
        "    os.kill(int(os.environ['PXASSURE_KERNEL_OWNER']), signal.SIGKILL)\n"
        "    time.sleep(60)\n"
        "elif unit_id is None and os.path.exists(probe) and not os.path.exists(probe + '.seen'):\n"
        "    time.sleep(2)  # a later report: is that kernel still running?\n"
        "    alive = os.path.exists(f'/proc/{open(probe).read()}')\n"
        "    open(probe + '.seen', 'w').write(str(alive))\n",
        notebooks=sorted(notebooks),
    )
    env = {**os.environ, "PXASSURE_HOME": str(home)}
    out = tmp_path / "out"
    run = subprocess.run(
        [PXASSURE, "build", "--all", "--workers", "2", "--database", str(demo_db), "--output", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"FAILED ward/{WARD}.html: BrokenProcessPool" in run.stderr
    built = {f"{p.parent.name}/{p.name}" for p in out.glob("*/*/*/*.html")}
    assert {"board/board.html"} <= built and any(p.startswith("division/") for p in built)
    assert f"ward/{WARD}.html" not in built
    assert (tmp_path / "orphan.seen").read_text() == "False", "the dead worker's kernel was still running"


def _mapped(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the zygote forks kernels on Linux only")
def test_the_zygote_imports_what_only_the_upper_papers_use_while_it_waits():
    """Unasked, between requests, the zygote imports the trend tests' libraries (scipy.stats and
    statsmodels load compiled modules, seen in its memory map), and still answers afterwards."""
    import socket

    from pxassure.execution import zygote

    z = zygote.Zygote()
    try:
        deadline = time.monotonic() + 180
        while not all(f"/{lib}/" in _mapped(z.pid) for lib in ("scipy/stats", "statsmodels")):
            assert time.monotonic() < deadline, "the zygote never imported scipy.stats and statsmodels"
            assert z.alive()
            time.sleep(0.2)
        s = socket.socket(socket.AF_UNIX)
        s.connect(z.address)
        s.sendall(b"{}\n")  # not a real request: its answer names what is missing
        assert s.recv(200).startswith(b"KernelError: a fork request is")
        s.close()
    finally:
        z.proc.stdin.close()
        z.proc.wait(timeout=30)


def test_report_kernels_use_the_client_that_waits_briefly_for_start_up_messages():
    """jupyter_client's client waits 0.2 s of IOPub silence after every kernel start; ours waits
    ``IOPUB_QUIET`` (the reports' kernels are local). The builds above run through it."""
    from pxassure.execution import kernels

    client = kernels.IPCKernelManager(kernel_name="python3").client()
    assert isinstance(client, kernels.ReportKernelClient)
    assert kernels.IOPUB_QUIET < 0.2


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root, to ask as another user")
def test_the_zygote_serves_only_its_own_user():
    """A kernel runs code as the build's user, so the zygote answers no one else."""
    from pxassure.execution import zygote

    ask = (
        "import os, socket, sys, time\n"
        "if len(sys.argv) > 2:\n"
        "    os.setuid(int(sys.argv[2]))  # ask as another user\n"
        "for _ in range(1500):  # until the zygote has imported everything and listens\n"
        "    s = socket.socket(socket.AF_UNIX)\n"
        "    try:\n"
        "        s.connect('\\0' + sys.argv[1]); break\n"
        "    except ConnectionRefusedError:\n"
        "        s.close(); time.sleep(0.1)\n"
        "try:\n"
        "    s.sendall(b'{}\\n')  # not a real request: its answer names what is missing\n"
        "    print(repr(s.recv(200)))\n"
        "except (BrokenPipeError, ConnectionResetError):  # closed unanswered, before or after the request\n"
        "    print(repr(b''))\n"
    )
    z = zygote.Zygote()
    try:
        own = subprocess.run([sys.executable, "-c", ask, z.address[1:]], capture_output=True, text=True, timeout=200)
        other = subprocess.run(
            [sys.executable, "-c", ask, z.address[1:], "65534"], capture_output=True, text=True, timeout=200
        )
    finally:
        z.proc.stdin.close()
        z.proc.wait(timeout=30)
    assert "KernelError: a fork request is" in own.stdout, own.stdout + own.stderr
    assert other.stdout.strip() == "b''", other.stdout + other.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process's threads and files in /proc")
def test_the_zygote_warm_up_leaves_no_duckdb_thread_or_file_for_a_fork_to_inherit():
    """The warm-up opens DuckDB once (so each kernel's first connection is cheaper) on an empty
    in-memory database, and closes it: a kernel forked afterwards inherits no DuckDB thread, which
    could hold a lock forever in the child, and no database file."""
    probe = (
        "import os, threading\n"
        "tasks = lambda: len(os.listdir('/proc/self/task'))\n"
        "import duckdb\n"
        "from pxassure.execution import zygote\n"
        "from pxassure.publish import render\n"
        "before = tasks()\n"
        "zygote._warm_up()\n"
        "fds = []\n"
        "for f in os.listdir('/proc/self/fd'):\n"
        "    try:\n"
        "        fds.append(os.readlink(f'/proc/self/fd/{f}'))\n"
        "    except OSError:\n"
        "        pass  # the descriptor listdir itself used\n"
        "print(before, tasks(), threading.active_count(), any('duckdb' in f for f in fds))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    before, after, python_threads, duckdb_file = run.stdout.split()
    assert (after, python_threads, duckdb_file) == (before, "1", "False")


def test_the_notebooks_kernel_encrypts_what_it_sends(tmp_path, monkeypatch):
    """Run outside `pxassure build` (papermill, JupyterLab), the notebooks' kernel gets CurveZMQ
    keys from its provisioner, so nothing passes in plain text over local TCP."""
    import json as json_

    from jupyter_client.manager import KernelManager

    from pxassure.execution import kernelspec

    kernelspec.install(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    names = {json_.loads(p.read_text())["metadata"]["kernelspec"]["name"] for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert names == {kernelspec.KERNEL_NAME}
    manager = KernelManager(kernel_name=kernelspec.KERNEL_NAME)
    manager.start_kernel()
    try:
        assert manager.transport == "tcp" and manager.curve_publickey is not None
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("x = 6 * 7", timeout=60)
        assert reply["content"]["status"] == "ok"
        client.stop_channels()
    finally:
        manager.shutdown_kernel(now=True)
