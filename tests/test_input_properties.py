"""Property-based tests (hypothesis) over hostile input: random bytes and random CSV shapes either
load or are rejected with listed problems — never an unexpected exception — and every rejected
load leaves the database byte-for-byte unchanged. The redactor never fails and never lets a
planted identifier through."""

import csv
import hashlib
import io
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from minitrust import build
from pxassure.analysis.redact import redact
from pxassure.errors import ValidationError
from pxassure.ingest.problems import Problem
from pxassure.ingest.schema import TABLES
from pxassure.ingest.sources import Loader
from pxassure.ingest.store import Store

TABLE_NAMES = ["fft_monthly", "org_units", "feedback_comments", "complaints", "activity"]
# Random on a developer's machine, so every run explores new inputs; the same examples under CI,
# so a submission is judged on a reproducible run (anything found locally becomes an @example).
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=os.environ.get("CI") == "true",
)


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("props") / "base.duckdb"
    build(path).close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def try_load(base_db: Path, table: str, content: bytes) -> None:
    """Load ``content`` as ``<table>.csv`` into a copy of the tiny trust; check the outcome's contract."""
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "s.duckdb"
        shutil.copy(base_db, db)
        before = digest(db)
        source = Path(d) / f"{table}.csv"
        source.write_bytes(content)
        rejected = None
        with Store(db) as store, Loader(store) as loader:
            loader.add_file(table, source)
            try:
                loader.finish()
            except ValidationError as exc:
                rejected = exc
        if rejected is not None:
            assert rejected.total >= 1 and rejected.problems
            assert all(isinstance(p, Problem) and p.file == str(source) and p.expected for p in rejected.problems)
            assert digest(db) == before  # nothing at all was written


@SETTINGS
@given(table=st.sampled_from(TABLE_NAMES), content=st.binary(max_size=3000))
@example(table="fft_monthly", content=b'"')  # found by CI: a quote never closed stopped the CSV parser
@example(table="org_units", content=b"a,b\n1,2,3\n")  # more cells than the header
@example(table="fft_monthly", content=b"\r\x00")  # found by a long local run: a bare carriage return
def test_random_bytes_load_or_are_listed_problems(base_db, table, content):
    try_load(base_db, table, content)


TEXT = st.characters(blacklist_categories=("Cs",))  # any character UTF-8 can hold
CELL = st.one_of(
    st.text(TEXT, max_size=15),
    st.integers(-5, 10_000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates().map(str),
    st.sampled_from(
        ["007", "008", "T", "D1", "2026-02", "2026-02-30", "", " 12 ", "=SUM(A1:A2)", "@x", "yes", "nan", "None"]
        + ["inpatient", "ward", "positive", "fft", "Staff", "\x00", "a\r\nb", '"quoted, with comma"', "../x"]
    ),
)


@st.composite
def csv_files(draw):
    table = draw(st.sampled_from(TABLE_NAMES))
    known = TABLES[table].column_names
    header = draw(st.lists(st.sampled_from([*known, "extra", "Very Good", ""]), max_size=len(known) + 3))
    if draw(st.booleans()):
        header = known  # often the right columns, so rows are checked too
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=8))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    prefix = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return table, prefix + out.getvalue().encode("utf-8")


@SETTINGS
@given(case=csv_files())
def test_random_csv_shapes_load_or_are_listed_problems(base_db, case):
    table, content = case
    try_load(base_db, table, content)


IDENTIFIERS = st.one_of(
    st.from_regex(r"0?7\d{3} \d{6}", fullmatch=True).map(lambda s: s if s.startswith("0") else "0" + s),
    st.from_regex(r"[1-9]\d{2} \d{3} \d{4}", fullmatch=True),  # NHS number
    st.from_regex(r"[a-z]{2,8}\.[a-z]{2,8}@example\.(org|co\.uk)", fullmatch=True),
    st.sampled_from(["SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "ls1 4ap"]),
)
WORDS = st.lists(st.sampled_from("the ward was clean and staff were kind but we waited hours for a bed".split()))


@SETTINGS
@given(text=st.text(TEXT, max_size=300))
def test_redaction_never_fails_and_is_stable(text):
    once = redact(text)
    assert isinstance(once, str) and redact(once) == once


@SETTINGS
@given(before=WORDS, identifier=IDENTIFIERS, after=WORDS)
def test_a_planted_identifier_never_survives(before, identifier, after):
    text = " ".join([*before, identifier, *after])
    out = redact(text)
    assert identifier not in out and identifier.lower() not in out.lower()
    assert "[" in out
