"""SQL warehouses as sources, against a real PostgreSQL server (see the postgres_url fixture)."""

import pytest
import sqlalchemy as sa

from minitrust import assert_unchanged, build, contents
from pxassure.cli import main
from pxassure.errors import SourcesFileError, ValidationError
from pxassure.ingest import sourcesfile
from pxassure.ingest.sources import Loader

INJECTION = "x'; DROP TABLE px.fft; --"


@pytest.fixture
def warehouse_db(postgres_url):
    engine = sa.create_engine(postgres_url)
    with engine.begin() as con:
        con.execute(sa.text("DROP SCHEMA IF EXISTS px CASCADE"))
        con.execute(sa.text("CREATE SCHEMA px"))
        con.execute(
            sa.text(
                "CREATE TABLE px.fft (ward_code text, month_start date, vg int, g int, n int, p int, vp int, dk int, elig int)"
            )
        )
        con.execute(
            sa.text(
                "INSERT INTO px.fft VALUES ('007', '2026-03-01', 30, 5, 1, 1, 0, 0, 90), "
                "('008', '2026-03-01', 12, 3, 0, 0, 0, 1, 40), ('009', '2025-01-01', 1, 1, 1, 1, 1, 1, 10)"
            )
        )
        con.execute(
            sa.text(
                'CREATE TABLE px."Complaints" ("ComplaintRef" text, "WardCode" text, "Received" date, "Closed" date, '
                '"Subject" text, "Outcome" text, "Reopened" boolean, "TargetDays" int, "PHSO" boolean)'
            )
        )
        con.execute(
            sa.text(
                "INSERT INTO px.\"Complaints\" VALUES ('C-1', '007', '2026-03-02', '2026-03-20', 'Staff', 'upheld', "
                "false, 25, false), ('C-2', '008', '2026-03-05', NULL, 'Waiting times', NULL, false, 40, false)"
            )
        )
    yield engine
    engine.dispose()


def sources_file(tmp_path, postgres_url, fft_query=None):
    path = tmp_path / "sources.yaml"
    query = fft_query or (
        "SELECT ward_code AS unit_id, month_start AS month, vg AS very_good, g AS good, n AS neither, p AS poor, "
        "vp AS very_poor, dk AS dont_know, elig AS eligible FROM px.fft "
        "WHERE month_start >= :since AND ward_code <> :exclude"
    )
    path.write_text(
        f"""
connections:
  warehouse: ${{PXASSURE_TEST_WAREHOUSE}}
tables:
  fft_monthly:
    connection: warehouse
    query: "{query}"
    params: {{since: 2026-01-01, exclude: "{INJECTION.replace('"', "")}"}}
  complaints:
    connection: warehouse
    table: px.Complaints
    columns:
      complaint_id: ComplaintRef
      unit_id: WardCode
      received: Received
      acknowledged: Received
      closed: Closed
      primary_subject: Subject
      outcome: Outcome
      reopened: Reopened
      target_working_days: TargetDays
      ombudsman: PHSO
"""
    )
    return path


def test_tables_load_from_postgresql_by_query_and_by_table_mapping(warehouse_db, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PXASSURE_TEST_WAREHOUSE", postgres_url)
    with build(tmp_path / "s.duckdb") as store:
        with Loader(store, replace=True) as loader:
            sourcesfile.load(loader, sources_file(tmp_path, postgres_url))
            loader.finish()
        fft = store.query(
            "SELECT unit_id, strftime(month, '%Y-%m') AS m, very_good, eligible FROM fft_monthly ORDER BY 1"
        )
        assert fft.values.tolist() == [["007", "2026-03", 30, 90], ["008", "2026-03", 12, 40]]  # :since filtered 009
        complaints = store.table("complaints").set_index("complaint_id")
        assert (
            complaints.loc["C-2", "primary_subject"] == "Waiting times"
            and complaints.loc["C-2", "target_working_days"] == 40
        )
        log = store.table("load_log")
        assert (
            set(log["table_name"]) == {"fft_monthly", "complaints"} and log["source"].str.startswith("postgresql").all()
        )
    with warehouse_db.connect() as con:  # the bound parameter was only ever a value
        assert con.execute(sa.text("SELECT count(*) FROM px.fft")).scalar() == 3


def test_bad_warehouse_rows_are_reported_and_nothing_loads(warehouse_db, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PXASSURE_TEST_WAREHOUSE", postgres_url)
    with warehouse_db.begin() as con:
        con.execute(sa.text("UPDATE px.fft SET p = -4 WHERE ward_code = '008'"))
    with build(tmp_path / "s.duckdb") as store:
        before = contents(store)
        with pytest.raises(ValidationError) as info, Loader(store) as loader:
            sourcesfile.load(loader, sources_file(tmp_path, postgres_url))
            loader.finish()
        assert [str(p) for p in info.value.problems] == [
            warehouse_db.url.render_as_string(hide_password=True)
            + " (query for fft_monthly), row 2, column 'poor': found '-4'; expected a value of at least 0"
        ]
        assert_unchanged(store, before)


def test_a_query_the_database_rejects_is_a_problem_not_a_crash(warehouse_db, postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PXASSURE_TEST_WAREHOUSE", postgres_url)
    path = sources_file(tmp_path, postgres_url, fft_query="SELECT * FROM px.no_such_table")
    database = tmp_path / "cli.duckdb"
    build(database).close()
    assert main(["load", "--sources", str(path), "--database", str(database)]) == 1


def test_sources_file_needs_its_environment_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("PXASSURE_TEST_WAREHOUSE", raising=False)
    path = sources_file(tmp_path, "unused")
    with pytest.raises(SourcesFileError, match="environment variable PXASSURE_TEST_WAREHOUSE is not set"):
        sourcesfile.read(path)


def test_the_documented_example_sources_file_is_valid(monkeypatch):
    from conftest import ROOT

    monkeypatch.setenv("PXASSURE_WAREHOUSE_URL", "postgresql+psycopg://user:secret@localhost/px")
    spec = sourcesfile.read(ROOT / "docs" / "sources.example.yaml")
    assert set(spec.tables) == {"fft_monthly", "complaints"}
