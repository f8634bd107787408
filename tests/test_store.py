"""The DuckDB store: round trip, transactional loads, upserts, snapshots."""

import duckdb
import pandas as pd
import pytest

from pxassure.errors import MissingDatabaseError, StoreError
from pxassure.ingest import demo
from pxassure.ingest.staging import SourceFile
from pxassure.ingest.store import Store, replace_file_atomically

UNITS = pd.DataFrame(
    [
        {"unit_id": "T", "name": "Trust", "level": "trust", "parent_id": None, "site": None, "service_type": None},
        {
            "unit_id": "007",
            "name": "Ward 7",
            "level": "ward",
            "parent_id": "T",
            "site": "S",
            "service_type": "inpatient",
        },
    ]
)


def _fft(rows):
    return pd.DataFrame(
        rows, columns=["unit_id", "month", "very_good", "good", "neither", "poor", "very_poor", "dont_know", "eligible"]
    ).assign(month=lambda d: pd.to_datetime(d["month"]))


def test_round_trip_keeps_codes_as_text(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.load({"org_units": UNITS, "fft_monthly": _fft([("007", "2026-01-01", 10, 5, 1, 1, 0, 0, 60)])})
        back = store.table("fft_monthly")
        assert back["unit_id"].tolist() == ["007"]
        assert back["very_good"].tolist() == [10] and back["eligible"].tolist() == [60]
        assert pd.isna(store.table("org_units").set_index("unit_id").loc["T", "parent_id"])


def test_failed_load_rolls_back_everything(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.load({"org_units": UNITS, "fft_monthly": _fft([("007", "2026-01-01", 10, 5, 1, 1, 0, 0, 60)])})
        before = {t: store.table(t) for t in ("org_units", "fft_monthly")}
        bad_units = pd.concat([UNITS, UNITS.iloc[[1]].assign(name="New name")])  # duplicate key
        with pytest.raises(StoreError, match="rolled back"):
            store.load({"fft_monthly": _fft([("007", "2026-02-01", 1, 1, 1, 1, 1, 1, 60)]), "org_units": bad_units})
        with pytest.raises(StoreError, match="rolled back"):  # breaks a CHECK: responses above eligible
            store.load({"fft_monthly": _fft([("007", "2026-02-01", 50, 50, 0, 0, 0, 0, 60)])})
        for t, frame in before.items():
            pd.testing.assert_frame_equal(store.table(t), frame)


def test_upsert_does_not_double_count(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.load({"org_units": UNITS})
        rows = _fft([("007", "2026-01-01", 10, 5, 1, 1, 0, 0, 60)])
        store.load({"fft_monthly": rows}, replace=False)
        store.load({"fft_monthly": rows}, replace=False)
        assert store.counts()["fft_monthly"] == 1


def test_snapshot_records_checksums(tmp_path):
    src = tmp_path / "units.csv"
    src.write_text("x")
    with Store(tmp_path / "s.duckdb") as store:
        assert store.snapshot()["load_id"] is None
        load_id = store.load({"org_units": UNITS}, [SourceFile.of(src, "org_units", 2)])
        snap = store.snapshot()
        assert snap["load_id"] == load_id and snap["files"] == 1 and len(snap["digest"]) == 16
        assert (
            store.table("load_log")["sha256"].iloc[0]
            == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        )


def test_read_only_store_cannot_be_changed(tmp_path):
    path = tmp_path / "s.duckdb"
    Store(path).close()
    with Store(path, read_only=True) as store:
        with pytest.raises(duckdb.InvalidInputException, match="read-only"):
            store.con.execute("DELETE FROM org_units")
    with pytest.raises(MissingDatabaseError, match="make demo-data"):
        Store(tmp_path / "missing.duckdb", read_only=True)


def test_failed_rebuild_leaves_previous_database(tmp_path):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        store.load({"org_units": UNITS})

    def broken(tmp):
        with Store(tmp) as s:
            s.load({"org_units": UNITS.iloc[[0]]})
        raise RuntimeError("generator crashed half way")

    with pytest.raises(RuntimeError):
        replace_file_atomically(broken, path)
    with Store(path, read_only=True) as store:
        assert store.counts()["org_units"] == 2
    assert [p.name for p in tmp_path.iterdir()] == ["s.duckdb"]


def test_demo_database_has_every_table(demo_db):
    with Store(demo_db, read_only=True) as store:
        counts = store.counts()
    assert all(n > 0 for n in counts.values()), counts
    assert counts["framework_requirements"] == 57
    assert counts["org_units"] == 1 + len(demo.DIVISIONS) + len(demo.CARE_GROUPS) + 60


def test_a_database_from_before_optional_columns_gains_them_empty(tmp_path):
    """org_units.opened, closed, former_name and renamed came later: an older database opens for
    writing, gains them empty, and keeps its rows, so a trust need not load everything again."""
    db = tmp_path / "old.duckdb"
    with Store(db) as store:  # org_units as an earlier version made it
        store.con.execute("DROP TABLE org_units")
        store.con.execute(
            "CREATE TABLE org_units (unit_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, level VARCHAR NOT NULL, "
            "parent_id VARCHAR, site VARCHAR, service_type VARCHAR, lead VARCHAR)"
        )
        store.con.execute("INSERT INTO org_units (unit_id, name, level) VALUES ('T', 'Trust', 'trust')")
    with pytest.raises(StoreError, match="this version of pxassure expects"):
        Store(db, read_only=True)
    with Store(db) as store:
        units = store.table("org_units")
    assert list(units.columns)[-4:] == ["opened", "closed", "former_name", "renamed"]
    assert units[["opened", "renamed"]].isna().all().all()
    assert units["unit_id"].tolist() == ["T"]
