"""Faults outside pxassure: a plain message naming the file and what to do, a non-zero exit, no
traceback, and nothing changed. And a pack that keeps going when one report cannot even start."""

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT
from pxassure.errors import PxassureError
from pxassure.execution import build, execute, planning
from pxassure.ingest.store import Store


def pxassure(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pxassure.cli", *args], capture_output=True, text=True, cwd=ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "org_units.csv").write_text("unit_id,name,level,parent_id,site,service_type\nT,Trust,trust,,,\n")
    return folder


def assert_plain(out: subprocess.CompletedProcess, *words: str) -> None:
    assert out.returncode == 2, out
    assert "Traceback" not in out.stderr and out.stderr.startswith("pxassure "), out.stderr
    for w in words:
        assert w in out.stderr, (w, out.stderr)


def test_a_corrupt_database(tmp_path, inputs):
    db = tmp_path / "trust.duckdb"
    db.write_bytes(b"not a database, a spreadsheet saved with the wrong name\n" * 100)
    before = digest(db)
    assert_plain(pxassure("load", str(inputs), "--database", str(db)), str(db), "not a DuckDB database", "backup")
    assert_plain(pxassure("build", "--database", str(db)), str(db), "not a DuckDB database")
    assert digest(db) == before


def test_a_database_cut_short(tmp_path, inputs):
    """A copy that did not finish: DuckDB opens it and fails only when it reads the missing part."""
    db = tmp_path / "trust.duckdb"
    with Store(db) as store:  # enough FFT rows that a cut can fall inside them
        store.con.execute("INSERT INTO org_units (unit_id, name, level) VALUES ('T', 'Trust', 'trust')")
        store.con.execute(
            "INSERT INTO fft_monthly SELECT 'T', DATE '1900-01-01' + INTERVAL (range) MONTH, range % 97, range % 89, "
            "range % 83, range % 79, range % 73, range % 71, NULL FROM range(300000)"
        )
    whole = db.read_bytes()
    # Cut inside the catalogue, met on opening by every command; or inside the FFT rows, met only when
    # a command reads them (DuckDB cannot tell a file was cut short until it reads the missing part).
    for fraction, commands in ((0.05, ("load", "build")), (0.6, ("build",))):
        db.write_bytes(whole[: int(len(whole) * fraction)])
        before = digest(db)
        for command in commands:
            args = (str(inputs),) if command == "load" else ("--committee", "board")
            out = pxassure(command, *args, "--database", str(db))
            assert_plain(out, str(db), "could not be read", "damaged or cut short", "backup", "nothing was changed")
        assert digest(db) == before


def test_a_database_in_use_by_another_process(tmp_path, inputs):
    db = tmp_path / "trust.duckdb"
    Store(db).close()
    before = digest(db)
    # Another program has it open for writing. (Read nothing of the file in this process until it
    # closes: POSIX locks are per process, and closing any handle on the file would drop the lock.)
    holder = duckdb.connect(str(db))
    try:
        out = pxassure("load", str(inputs), "--database", str(db))
        assert_plain(out, str(db), "in use by another program", f"process {os.getpid()}", "nothing was changed")
        assert_plain(pxassure("build", "--database", str(db)), "in use by another program")
    finally:
        holder.close()
    assert digest(db) == before


def test_a_missing_database(tmp_path):
    db = tmp_path / "nowhere.duckdb"
    assert_plain(pxassure("build", "--database", str(db)), str(db), "does not exist", "make demo-data")
    assert not db.exists()


def test_a_read_only_folder(inputs):
    folder = Path("/sys")  # read-only even for root, which ignores permission bits
    db = folder / "pxassure-test.duckdb"
    if os.access(folder, os.W_OK) and not folder.is_mount():
        pytest.skip("no read-only folder to test with")
    out = pxassure("load", str(inputs), "--database", str(db))
    assert_plain(out, str(db), "permission denied", "--database")
    assert not db.exists()


def test_the_index_escapes_titles_once(tmp_path):
    period = tmp_path / "AVH" / "2026-10" / "division"
    period.mkdir(parents=True)
    (period / "WAC.html").write_text(
        "<html><head><title>Women&#x27;s and Children&#x27;s &amp; Neonates</title></head></html>"
    )
    index = build.write_index(tmp_path / "AVH" / "2026-10", "2026-10", "Ashcombe").read_text(encoding="utf-8")
    assert "Women&#x27;s and Children&#x27;s &amp; Neonates</a>" in index
    assert "&amp;#x27;" not in index and "&amp;amp;" not in index


def test_staging_left_by_a_killed_build_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    abandoned = tmp_path / f".staging-014-{dead.stdout.strip()}-abc123"
    running = tmp_path / f".staging-015-{os.getpid()}-def456"  # a build under way: left alone
    old_style = tmp_path / ".staging-board-xyz"  # from a version without the process id
    for p in (abandoned, running, old_style):
        p.mkdir()
        (p / "board.ipynb").write_text("{}")
    removed = execute.remove_abandoned_staging(tmp_path)
    assert sorted(removed) == sorted([abandoned, old_style])
    assert running.exists() and not abandoned.exists()


@pytest.mark.integration
def test_a_report_that_cannot_start_never_stops_the_pack(demo_db, tmp_path):
    good = planning.plan("ward", database=demo_db, unit="014")[0]
    bad = dataclasses.replace(good, spec=dataclasses.replace(good.spec, name="../escaped", unit_id="../escaped"))
    outcomes = build.run_pack([bad, good], tmp_path, workers=2, progress=False)
    by_name = {o.job.name: o for o in outcomes}
    assert by_name["014"].ok and by_name["014"].html.exists()
    assert not by_name["../escaped"].ok and "would name a file" in by_name["../escaped"].error
    assert "FAILED ward/../escaped.html" in build.summary(outcomes)
    assert not (tmp_path / "2026-10" / "escaped.html").exists() and not list(tmp_path.rglob("escaped*"))


@pytest.mark.integration
def test_two_trusts_never_mix(demo_db, tmp_path):
    ours = planning.plan("board", database=demo_db)
    assert ours[0].trust == "AVH" and ours[0].trust_name == "Ashcombe Valley Hospitals NHS Trust"
    theirs = [dataclasses.replace(j, trust="RXB", trust_name="Another NHS Trust") for j in ours]
    with pytest.raises(PxassureError, match="a pack is one trust's papers"):
        build.run_pack(ours + theirs, tmp_path, progress=False)
    for jobs in (ours, theirs):
        assert all(o.ok for o in build.run_pack(jobs, tmp_path, progress=False))
    month = ours[0].period
    for code, name in (("AVH", "Ashcombe Valley Hospitals NHS Trust"), ("RXB", "Another NHS Trust")):
        index = (tmp_path / code / month / "index.html").read_text(encoding="utf-8")
        assert name in index and index.count('href="board/board.html"') == 1
    assert sorted(p.relative_to(tmp_path).parts[0] for p in tmp_path.glob("*/*/board/board.html")) == ["AVH", "RXB"]


def test_a_database_built_by_another_version(tmp_path, capsys):
    """An older database (comments coded the old way, no targets table) is refused with what differs."""
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE feedback_comments (comment_id VARCHAR, unit_id VARCHAR, theme VARCHAR)")
    con.close()
    with pytest.raises(PxassureError, match="has no table 'org_units'; this version of pxassure expects"):
        Store(old, read_only=True)
    with pytest.raises(
        PxassureError, match=r"has columns \['comment_id', 'unit_id', 'theme'\] in table 'feedback_comm"
    ):
        Store(old)  # a load would create the missing tables, but never reshape one it finds
    from pxassure.cli import main

    assert main(["build", "--committee", "board", "--database", str(old), "--output", str(tmp_path / "o")]) != 0
    err = capsys.readouterr().err
    assert "make demo-data" in err and "Traceback" not in err
