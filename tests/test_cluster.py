"""The same build on Dask distributed (#13, across machines): a real LocalCluster of two worker
processes builds part of the pack as a task graph, under the same content keys a local build
uses; a worker whose database is not the planned snapshot builds nothing."""

import shutil

import pytest

from pxassure.cli import main
from pxassure.errors import SnapshotError
from pxassure.execution import build, cluster, planning
from pxassure.ingest.store import Store

WARDS = ("014", "015")  # two wards of the Medicine division


@pytest.fixture
def db(demo_db, tmp_path):
    copy = tmp_path / "trust.duckdb"
    shutil.copy(demo_db, copy)
    return copy


def part_of_pack(db):
    wanted = {*(f"ward/{w}.html" for w in WARDS), "division/MED.html"}
    return [j for j in planning.plan(None, database=db) if j.spec.path in wanted]


@pytest.mark.integration
def test_a_local_cluster_builds_the_graph_under_the_same_keys(db, tmp_path):
    out = tmp_path / "out"
    outcomes = build.run_pack(part_of_pack(db), out, workers=2, progress=False, scheduler="local")
    assert all(o.ok for o in outcomes), build.summary(outcomes)
    by_path = {o.job.spec.path: o for o in outcomes}
    assert set(by_path) == {"ward/014.html", "ward/015.html", "division/MED.html"}
    assert not any(o.skipped for o in outcomes)
    # the graph's order: the division ran after both its wards were in place (it reads their findings)
    division = by_path["division/MED.html"].notebook.stat().st_mtime_ns
    assert all(by_path[f"ward/{w}.html"].html.stat().st_mtime_ns < division for w in WARDS)
    for o in outcomes:
        assert o.html.with_suffix(".key").read_text().strip()
        assert o.notebook.exists() and o.findings.exists()

    # the same content keys: a local build afterwards finds every report current
    again = build.run_pack(part_of_pack(db), out, workers=2, progress=False)
    assert all(o.skipped for o in again), build.summary(again)


def test_a_worker_with_another_database_builds_nothing(db, tmp_path):
    job = part_of_pack(db)[0]
    cluster.check_snapshot(db, job.snapshot, str(planning.PROJECT_ROOT))  # the planned file passes
    with Store(db) as store:  # the file changes after planning (or a worker holds another copy)
        fft = store.table("fft_monthly")
        fft.loc[fft.index[0], "poor"] += 1
        store.load({"fft_monthly": fft})
    with pytest.raises(SnapshotError, match=r"not the snapshot this build was planned on"):
        cluster.check_snapshot(db, job.snapshot, str(planning.PROJECT_ROOT))
    with pytest.raises(SnapshotError, match=r"cannot see the database"):
        cluster.check_snapshot(tmp_path / "elsewhere.duckdb", job.snapshot, str(planning.PROJECT_ROOT))
    # in a task, the mismatch is that report's failure, and nothing is written
    outcome = cluster._task(job, tmp_path / "out", [job.spec.path], False, str(tmp_path))
    assert not outcome.ok and "SnapshotError" in outcome.error and "planned on" in outcome.error
    assert not (tmp_path / "out").exists()


def test_an_unreachable_scheduler_is_a_plain_error(db, tmp_path, capsys):
    code = main(
        [
            "build",
            "--committee",
            "ward",
            "--unit",
            "014",
            "--database",
            str(db),
            "--output",
            str(tmp_path / "out"),
            "--scheduler",
            "tcp://127.0.0.1:9",
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'" in err
    assert "Traceback" not in err
