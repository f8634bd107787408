"""The measure registry: one definition per measure, looked up by every report."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from pxassure.analysis import measures
from pxassure.analysis.measures import Measure
from pxassure.errors import CommitteeError, MeasureError
from pxassure.ingest import demo
from pxassure.ingest.schema import TABLES
from pxassure.reports import committees

WARD = demo.PLANTED["deteriorating_ward"]


def test_every_measure_names_real_source_tables_and_a_known_topic():
    assert len(measures.MEASURES) >= 7
    for m in measures.MEASURES.values():
        assert set(m.sources) <= set(TABLES), m.id
        assert m.topic in measures.TOPICS and m.definition, m.id


def test_every_params_file_lists_known_measures_at_the_right_level():
    params = committees.load_all(committees.params_dir())
    for key, spec in params.items():
        for list_name in committees.MEASURE_LISTS:
            if list_name in spec:
                assert committees.measure_list(spec, list_name), (key, list_name)
    assert [m.id for m in committees.measure_list(params["ward"], "measures")] == [
        m.id for m in measures.MEASURES.values() if "ward" in m.levels
    ]  # ward.yaml lists none: the documented default


def test_a_bad_params_file_is_a_clear_error(tmp_path):
    (tmp_path / "board.yaml").write_text(
        "layer: board\nnotebook: board\ntitle: t\nmeasures: [fft_positive, fft_postive]\n", encoding="utf-8"
    )
    with pytest.raises(CommitteeError, match=r"board.yaml: unknown measure 'fft_postive'"):
        committees.load_all(tmp_path)
    (tmp_path / "board.yaml").write_text(
        "layer: board\nnotebook: board\ntitle: t\nmeasures: [complaints_count]\n", encoding="utf-8"
    )
    with pytest.raises(CommitteeError, match=r"\['complaints_count'\] are not shown at trust level"):
        committees.load_all(tmp_path)


def test_a_measure_definition_is_checked():
    with pytest.raises(MeasureError, match="chart 'pie' is not one of"):
        Measure(id="x", name="x", chart="pie", improvement="up", compute=lambda t, m: None, sources=("activity",))
    with pytest.raises(MeasureError, match="defined twice"):
        measures.define(measures.get("fft_positive"))
    with pytest.raises(MeasureError, match="unknown measure 'nope'"):
        measures.get("nope")


def test_series_blank_months_without_a_denominator():
    tables = {
        "fft_monthly": pd.DataFrame(
            {
                "unit_id": ["A", "A"],
                "month": pd.to_datetime(["2026-01-01", "2026-02-01"]),
                **{a: [1, 0] for a in measures.FFT_ANSWERS},
                "eligible": [10, 5],
            }
        )
    }
    s = measures.get("fft_positive").series(tables, pd.Timestamp("2026-02-01"))
    assert s["denominator"].tolist()[0] == 6 and pd.isna(s["denominator"].iloc[1])  # no responses: missing, not 0


def test_national_comparator_comes_from_the_measure_definition(demo_db):
    from pxassure.reports.data import load

    data = load(demo_db, "latest")
    rr = measures.get("fft_response_rate")
    national = data.national[data.national["service_type"] == "inpatient"].sort_values("month")
    assert rr.national == "response_rate"
    assert data.national_figure(rr, "inpatient") == national["response_rate"].iloc[-1]
    # the demo's target row says "the national figure": pooled inpatient wards get it, as a target
    series, target, scope = data.scoped(rr, data.trust["unit_id"])
    assert scope == "inpatient wards only" and target.value == national["response_rate"].iloc[-1]
    assert target.basis == "national"


def documented_measure() -> str:
    """The example measure of docs/extending.md's "Adding a measure", as a newcomer would paste it."""
    page = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    section = page.split("## Adding a measure", 1)[1]
    block = section.split("```python\n", 1)[1].split("```", 1)[0]
    return "\n\n" + textwrap.dedent(block)


@pytest.mark.integration
def test_adding_a_measure_takes_one_definition_and_one_params_line(demo_db, tmp_path):
    """docs/extending.md's "Adding a measure", done by a newcomer in a copy of the project: its
    example, pasted at the end of measures.py, is lint-clean there."""
    copy = tmp_path / "pxassure"
    for folder in ("lib", "notebooks", "params"):
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    measures_py = copy / "lib" / "pxassure" / "analysis" / "measures.py"
    measures_py.write_text(measures_py.read_text(encoding="utf-8") + documented_measure(), encoding="utf-8")
    lint = subprocess.run(
        [
            str(Path(sys.executable).parent / "ruff"),
            "check",
            "--config",
            str(ROOT / "pyproject.toml"),
            str(measures_py),
        ],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout
    division_yaml = copy / "params" / "division.yaml"
    text = division_yaml.read_text(encoding="utf-8")
    division_yaml.write_text(text.replace("  - complaints_in_target\n", "  - complaints_in_target\n  - pals_rate\n", 1))

    changed = sorted(
        str(p.relative_to(copy))
        for p in copy.rglob("*")
        if p.is_file() and (ROOT / p.relative_to(copy)).read_bytes() != p.read_bytes()
    )
    assert changed == ["lib/pxassure/analysis/measures.py", "params/division.yaml"]

    env = {**os.environ, "PYTHONPATH": str(copy / "lib"), "PXASSURE_HOME": str(copy)}
    out = tmp_path / "outputs"
    for committee, unit in (("division", "MED"), ("ward", WARD)):
        subprocess.run(
            [sys.executable, "-m", "pxassure.cli", "build", "--committee", committee, "--unit", unit]
            + ["--database", str(demo_db), "--output", str(out)],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
    period = f"AVH/{demo.END_MONTH}"
    division = (out / period / "division" / "MED.html").read_text(encoding="utf-8")
    ward = (out / period / "ward" / f"{WARD}.html").read_text(encoding="utf-8")
    for page in (division, ward):
        titles = re.findall(r"<title id=\"chart-[^\"]*\">([^<]*)</title>", page)  # each chart's SVG title
        assert any(t.startswith("PALS contacts per 1,000 bed days") for t in titles), titles
    assert (
        "PALS contacts per 1,000 bed days" not in (ROOT / "lib" / "pxassure" / "analysis" / "measures.py").read_text()
    )
    assert Path(ROOT / "params" / "division.yaml").read_text() == text  # the real project is untouched


def test_an_ambulance_service_is_its_own_setting(tmp_path):
    """Settings as NHS England publishes FFT: an ambulance service is not forced into A&E."""
    from minitrust import build
    from pxassure.ingest.columns import SETTINGS
    from pxassure.reports import ward_report

    assert {"ambulance", "mental_health", "patient_transport"} <= set(SETTINGS)
    months = pd.date_range("2025-01-01", periods=14, freq="MS")
    with build(tmp_path / "s.duckdb") as store:
        units = store.table("org_units")
        amb = pd.DataFrame(
            [("AMB1", "See and treat", "ward", "D1", "Hub", "ambulance", "Station manager")],
            columns=["unit_id", "name", "level", "parent_id", "site", "service_type", "lead"],
        )
        fft = pd.DataFrame(
            [("AMB1", m, 40, 10, 2, 1, 1, 0, 900) for m in months], columns=store.table("fft_monthly").columns
        )
        national = pd.DataFrame(
            [(m, s, r, 90.0) for m in months for s, r in (("ambulance", 3.1), ("ae", 11.0))],
            columns=["month", "service_type", "response_rate", "percent_positive"],
        )
        store.load({"org_units": pd.concat([units, amb]), "fft_monthly": fft}, replace=False)
        store.load({"fft_national": national.reindex(columns=store.table("fft_national").columns)})
        target = pd.DataFrame(
            [("fft_response_rate", None, None, "national", None, months[0], "PEC")],
            columns=store.table("targets").columns,
        )
        store.load({"targets": target}, replace=False)
    r = ward_report(tmp_path / "s.duckdb", unit_id="AMB1", period="2026-02")
    rate = next(c for c in r.charts if c.measure.id == "fft_response_rate")
    assert rate.result.target == 3.1  # the national ambulance average, not A&E's
