"""Shared fixtures: the demo trust, built once per test session through the real loaders."""

from pathlib import Path

import pytest

from pxassure import build, demo

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
    job = build.plan("board", period="latest", database=demo_db)[0]
    outcome = build.run(job, out)
    assert outcome.ok, f"{outcome.error}; see {outcome.notebook}"
    return outcome
