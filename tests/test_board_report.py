"""The board report end to end: papermill runs the real notebook on the demo trust, nbconvert
exports it, and the HTML and findings are checked as a committee would need them."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from htmlcheck import Page
from pxassure.errors import ParameterError
from pxassure.execution import execute, planning
from pxassure.ingest import demo

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def page(board):
    html = board.html.read_text(encoding="utf-8")
    parser = Page()
    parser.feed(html)
    return html, parser


def test_outputs_where_documented(board):
    assert board.html.parent.parts[-3:] == ("AVH", demo.END_MONTH, "board")  # outputs/<trust>/<period>/<layer>
    assert board.html.name == "board.html" and board.notebook.name == "board.ipynb"
    assert board.findings.name == "board.findings.json"
    assert not list(board.html.parent.glob(".staging-*"))


def test_html_opens_offline(page):
    html, p = page
    assert "<script" not in html.lower()
    for tag, attrs in p.tags:
        for key in ("src", "href", "data"):
            value = attrs.get(key) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {key}={value!r}> would load from the network"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html) and "@import" not in html


def test_every_chart_has_alt_text(page):
    _, p = page
    assert len(p.svgs) == 6  # four trust measures, the small multiples, the framework; icons are aria-hidden
    labels = [svg["attrs"]["aria-labelledby"] for svg in p.svgs]
    assert len(set(labels)) == len(labels), "chart ids must be unique"
    for svg in p.svgs:
        assert len(svg["title"].strip()) > 5 and len(svg["desc"].strip()) > 40, svg["title"]
        assert svg["attrs"]["aria-labelledby"]
    for img in p.imgs:
        assert img.get("alt", "").strip()
    assert any("Laney p′ chart of FFT % positive, 36 points" in s["desc"] for s in p.svgs)


def test_headings_sections_and_contents(page):
    _, p = page
    levels = [lvl for lvl, _ in p.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), "heading levels skip"
    h2 = [text for lvl, text in p.headings if lvl == 2]
    for section in (
        "Contents",
        "Summary",
        "Friends and Family Test",
        "Complaints",
        "Divisions",
        "Patient experience improvement framework",
        "Exceptions escalated from wards",
        "Method",
        "Provenance",
    ):
        assert section in h2
    internal = [link[1:] for link in p.links if link.startswith("#")]
    assert len(internal) >= 8 and all(target in p.ids for target in internal)


def test_code_is_hidden_and_no_python_noise(page):
    html, _ = page
    for code in ("board_report(", "import warnings", "display(", "Traceback", "DeprecationWarning"):
        assert code not in html


def test_provenance_and_method(page):
    html, _ = page
    assert "preset mdc; moving-range screening off; shift 7 points; trend 7 points" in html
    for item in (
        "Parameters",
        "Data snapshot",
        "Code version",
        "Generated at",
        "To reproduce",
        "make report COMMITTEE=board PERIOD=2026-10",
        "papermill notebooks/board.ipynb outputs/board-review.ipynb",
    ):
        assert item in html


def test_small_enough_to_email(board):
    assert board.html.stat().st_size < 1_000_000


def test_findings_hold_the_planted_signals(board):
    findings = json.loads(board.findings.read_text())
    assert findings["period"] == demo.END_MONTH and findings["layer"] == "board"
    exceptions = {(e["unit_id"], e["measure_id"]) for e in findings["exceptions"]}
    assert (demo.PLANTED["deteriorating_ward"], "fft_positive") in exceptions
    fft = [d for d in findings["division_icons"] if d["measure_id"] == "fft_positive"]
    divisions = {d["unit_id"]: d["variation"] for d in fft}
    assert divisions[demo.PLANTED["improving_division"]] == "improvement_high"
    gaps = {(g["requirement"], g["gap"]) for g in findings["framework"]["assurance_gaps"]}
    assert (demo.PLANTED["contradicted_requirement"], "contradicted by data") in gaps
    assert (demo.PLANTED["score_drop_requirement"], "score fell") in gaps
    assert {i["measure"] for i in findings["icons"]} >= {"FFT % positive", "Complaints per 1,000 bed days"}


def test_a_bad_parameter_stops_the_build_before_any_notebook_runs(demo_db):
    with pytest.raises(ParameterError, match=r"board/board.html: unknown SPC preset 'nonsense'"):
        planning.plan("board", period="latest", database=demo_db, overrides={"preset": "nonsense"})


def test_failed_run_keeps_the_previous_report(board, demo_db):
    before = board.html.read_bytes()
    job = planning.plan("board", period="latest", database=demo_db)[0]
    job.parameters["preset"] = "nonsense"  # fails inside the notebook, after planning
    outcome = execute.run(job, board.html.parents[3])
    assert not outcome.ok
    assert "unknown SPC preset 'nonsense'" in outcome.error
    assert outcome.notebook.name == "board.failed.ipynb" and outcome.notebook.exists()
    assert board.html.read_bytes() == before
    assert not list(board.html.parent.glob(".staging-*"))


def test_reviewer_reruns_with_papermill(demo_db, tmp_path):
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    cmd = [
        str(papermill),
        str(ROOT / "notebooks" / "board.ipynb"),
        str(out),
        "-p",
        "period",
        "2026-06",
        "-p",
        "database",
        str(demo_db),
        "-p",
        "output_dir",
        str(tmp_path),
        "--cwd",
        str(ROOT),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)
    assert json.loads((tmp_path / "findings.json").read_text())["period"] == "2026-06"

    bad = subprocess.run(cmd[:5] + ["2026-6"] + cmd[6:], capture_output=True, text=True, timeout=600)
    assert bad.returncode != 0
    assert "period must be 'latest', a month as YYYY-MM" in bad.stdout + bad.stderr


def test_the_reproduce_command_in_the_paper_rebuilds_it(board, tmp_path):
    """Run the papermill command the provenance footer prints, as a reviewer would copy it."""
    import html as html_lib
    import shlex

    page = board.html.read_text(encoding="utf-8")
    command = next(
        html_lib.unescape(c) for c in re.findall(r"<code>(papermill [^<]+)</code>", page) if "board.ipynb" in c
    )
    args = shlex.split(command)
    args[0] = str(Path(sys.executable).parent / "papermill")
    args[args.index("outputs/board-review.ipynb")] = str(tmp_path / "out.ipynb")
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True, timeout=300)
    nb = json.loads((tmp_path / "out.ipynb").read_text())
    text = json.dumps(nb["cells"])
    assert "Provenance" in text and "Traceback" not in text
