"""Shared fixtures: the demo trust, built once per test session through the real loaders."""

from pathlib import Path

import pytest

from pxassure.execution import execute, planning
from pxassure.ingest import demo

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "pxassure.duckdb"
    demo.build_database(path, inputs=folder / "inputs")
    return path


@pytest.fixture(scope="session")
def demo_inputs(demo_db) -> Path:
    return demo_db.parent / "inputs"


@pytest.fixture(scope="session")
def board(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    job = planning.plan("board", period="latest", database=demo_db)[0]
    outcome = execute.run(job, out)
    assert outcome.ok, f"{outcome.error}; see {outcome.notebook}"
    return outcome


def _postgres_binaries() -> Path | None:
    import glob
    import shutil

    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL server on a private Unix socket (no TCP port), for the warehouse tests.

    Needs Debian's ``postgresql`` package (.ci/run installs it). Outside CI the tests skip, saying
    why, only when no server can be started; under CI=true they must run.
    """
    import os
    import shutil
    import subprocess
    import tempfile

    def unavailable(reason):
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL tests must run under CI: {reason}")
        pytest.skip(reason)

    bin_dir = _postgres_binaries()
    if bin_dir is None:
        unavailable("no PostgreSQL server found (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="pxpg-"))
    data = folder / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root: use the package's own account
        if shutil.which("runuser") is None:
            unavailable("running as root and no runuser to start PostgreSQL as 'postgres'")
        shutil.chown(folder, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "pxtest", "--no-sync"],
            check=True,
            capture_output=True,
        )
        options = f"-k {folder} -c listen_addresses='' -F"
        subprocess.run(
            [
                *run_as,
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "log"),
                "-w",
                "start",
            ],
            check=True,
            capture_output=True,
        )
    except (subprocess.CalledProcessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        unavailable(f"could not start PostgreSQL: {exc} {detail.decode(errors='replace')[-300:]}")
    try:
        yield f"postgresql+psycopg://pxtest@/postgres?host={folder}"
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
