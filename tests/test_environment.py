"""The project's own files agree with each other: pins, conda environment, data-model docs."""

import re
import tomllib

import yaml

from conftest import ROOT
from pxassure.ingest.schema import data_model_markdown

# conda-forge names that differ from PyPI's
CONDA_NAME = {"duckdb": "python-duckdb"}


def _pyproject_pins() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for spec in project["dependencies"] + [s for extra in project["optional-dependencies"].values() for s in extra]:
        name, _, version = spec.partition("==")
        assert version, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[name.lower()] = version
    return pins


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[name] = version
        elif isinstance(dep, dict):  # pip-only packages, pinned with ==
            for spec in dep.get("pip", []):
                name, _, version = spec.partition("==")
                if version:
                    conda[name] = version
    expected = {CONDA_NAME.get(k, k): v for k, v in _pyproject_pins().items()}
    conda.pop("python", None)
    assert conda == expected


def test_constraints_pin_the_same_versions():
    text = (ROOT / "requirements" / "constraints.txt").read_text()
    locked = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", text, flags=re.M))
    locked = {k.lower().replace("_", "-"): v for k, v in locked.items()}
    for name, version in _pyproject_pins().items():
        assert locked.get(name) == version, f"constraints.txt pins {name} {locked.get(name)}, pyproject {version}"


def test_data_model_doc_is_current():
    assert (ROOT / "docs" / "data-model.md").read_text() == data_model_markdown(), (
        "regenerate with: .venv/bin/python -m pxassure.ingest.schema > docs/data-model.md"
    )


def test_notebooks_committed_without_outputs():
    import json

    for path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, path.name
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"


def test_readme_leads_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make board-report" in first_block and "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_make_targets_do_what_the_readme_says():
    import subprocess

    def dry(*args):
        run = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        assert "warning" not in run.stderr.lower(), run.stderr
        return run.stdout

    assert "pxassure build --committee board" in dry("board-report")
    assert "pxassure build --all" in dry("reports")
    pack = dry("board-pack", "MEETING_DATE=26 November 2026", "WARDS=1")
    assert "pxassure build --all" in pack and '--meeting-date "26 November 2026"' in pack
    assert "pxassure pack" in pack and "--wards" in pack
    assert "--wards" not in dry("board-pack")
    assert "--committee ward" in dry("report", "COMMITTEE=ward", "UNIT=014") and "--unit 014" in dry(
        "report", "COMMITTEE=ward", "UNIT=014"
    )
    assert "pytest" in dry("test")
    custom = dry("board-report", "DATABASE=/nonexistent/trust.duckdb")
    assert "pxassure demo" not in custom  # the demo is only generated at the default path
