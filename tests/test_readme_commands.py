"""Every command in the README's and the docs' shell blocks works as written.

``make`` lines run as a dry run (``make -n``: the target and variables resolve to real
commands); ``pxassure`` lines are checked against the command's own parser (files in examples
such as ``path/to/folder`` are placeholders); ``papermill`` and ``pxassure export`` lines run
for real, in a folder laid out as the README assumes (``notebooks/``, ``data/pxassure.duckdb``).
"""

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pxassure.cli import build_parser

BIN = Path(sys.executable).parent


def readme_commands() -> list[str]:
    """The README's commands, and every page's under docs/."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


COMMANDS = readme_commands()


def test_the_readme_has_commands_of_every_kind():
    kinds = {c.split()[0] for c in COMMANDS}
    assert {"make", ".venv/bin/pxassure", ".venv/bin/papermill"} <= kinds
    assert "make board-report" in COMMANDS and "make test" in COMMANDS


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith("make ")])
def test_make_commands_resolve(command):
    out = subprocess.run(["make", "-n", *shlex.split(command)[1:]], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    if "PARAMS=" in command:
        assert "-p preset=ptd -p shift_length=6" in out.stdout


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(".venv/bin/pxassure ")])
def test_pxassure_commands_parse(command):
    args = build_parser().parse_args(shlex.split(command)[1:])  # an unknown option exits here
    assert callable(args.func)


def test_every_readme_command_is_checked():
    unchecked = [
        c
        for c in COMMANDS
        if not c.startswith(("make ", ".venv/bin/pxassure ", ".venv/bin/papermill ", "export PXASSURE_"))
    ]
    assert not unchecked


@pytest.mark.integration
def test_the_reviewers_papermill_commands_run_as_written(demo_db, tmp_path):
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    (tmp_path / "data").mkdir()
    (tmp_path / "outputs").mkdir()  # in the checkout, and ignored by git
    shutil.copy(demo_db, tmp_path / "data" / "pxassure.duckdb")
    reviewer = [
        c for c in COMMANDS if c.startswith(".venv/bin/papermill ") or c.startswith(".venv/bin/pxassure export")
    ]
    assert len(reviewer) == 4
    for command in reviewer:
        args = shlex.split(command)
        args[0] = str(BIN / Path(args[0]).name)
        out = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, (command, out.stderr[-2000:])
    # the board run with another preset says it is a what-if at its top
    assert "What-if paper, not the official one" in (tmp_path / "outputs" / "board-review.ipynb").read_text()
    # a reviewer's quarter: named in months and as the NHS financial quarter
    assert "report for July to September 2026 (Q2 2026/27)" in (tmp_path / "outputs" / "board-q3.ipynb").read_text()
    html = (tmp_path / "outputs" / "ward-review.html").read_text(encoding="utf-8")
    assert "Willow Ward" in html and "<script" not in html  # the ward notebook ran last (unit 014)
    # export takes the page title from the report's own heading, which names the ward
    assert "<title>Willow Ward: patient experience, " in html and "<h1>Willow Ward: patient experience, " in html


def test_make_lab_runs_as_root_and_passes_flags_through():
    import os

    out = subprocess.run(
        ["make", "-n", "lab", "LAB_ARGS=--no-browser --port 8899"], cwd=ROOT, capture_output=True, text=True
    )
    line = next(x for x in out.stdout.splitlines() if "jupyter lab" in x)  # under make test, make[1] lines too
    assert line.endswith("--no-browser --port 8899") and "jupyter lab --notebook-dir=." in line
    assert ("--allow-root" in line) == (os.geteuid() == 0)
