"""A tiny trust for loader tests: a store with units, the framework catalogue and an FFT ward mapping."""

import pandas as pd

from pxassure.ingest import catalogue
from pxassure.ingest.schema import TABLES
from pxassure.ingest.store import Store

TRUST_CODE = "R1X"
UNITS = pd.DataFrame(
    [
        ("T", "Trust", "trust", None, None, None),
        ("D1", "Division One", "division", "T", None, None),
        ("007", "Ward 7", "ward", "D1", "Main", "inpatient"),
        ("008", "Ward 8", "ward", "D1", "Main", "inpatient"),
        ("009", "Ward 9", "ward", "D1", "Main", "inpatient"),
    ],
    columns=TABLES["org_units"].column_names[:6],  # no lead: an optional column a trust may leave out
)
WARD_MAP = pd.DataFrame(
    [
        (TRUST_CODE, "R1X01", "WARD 7", "007"),
        (TRUST_CODE, "R1X01", "WARD 8", "008"),
        (TRUST_CODE, "R1X01", "WARD 8 (OLD NAME)", "008"),  # renamed: both names map to 008
        (TRUST_CODE, "R1X01", "WARD 9", "009"),
    ],
    columns=TABLES["fft_ward_map"].column_names,
)
FFT = pd.DataFrame([("007", "2026-01-01", 10, 5, 1, 0, 0, 1, 80)], columns=TABLES["fft_monthly"].column_names).assign(
    month=lambda d: pd.to_datetime(d["month"])
)


def build(path) -> Store:
    """A writable store holding the tiny trust."""
    store = Store(path)
    requirements = catalogue.catalogue()[["requirement", "section", "characteristic", "title"]]
    store.load(
        {"org_units": UNITS, "framework_requirements": requirements, "fft_ward_map": WARD_MAP, "fft_monthly": FFT}
    )
    return store


def contents(store: Store) -> dict:
    """Every table and the load log, to show a failed load changed nothing."""
    return {name: store.table(name) for name in [*TABLES, "load_log"]}


def assert_unchanged(store: Store, before: dict) -> None:
    after = contents(store)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(after[name], frame, obj=name)


#: The demo's tables a trust needs at the least: its units, the framework, FFT and its committees.
CORE_TABLES = ("org_units", "framework_requirements", "fft_monthly", "committees")


def load_some(demo_inputs, folder, tables=CORE_TABLES):
    """A database loaded through ``pxassure load`` from only ``tables`` of the demo's inputs: a
    trust that supplies some records and not others."""
    from pxassure.cli import main

    inputs = folder / "in"
    inputs.mkdir()
    for table in tables:
        (inputs / f"{table}.csv").write_bytes((demo_inputs / f"{table}.csv").read_bytes())
    db = folder / "some.duckdb"
    assert main(["load", str(inputs), "--database", str(db)]) == 0
    return db
