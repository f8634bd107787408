"""Reports in a real headless Chromium with axe-core: no serious or critical accessibility
violations, and no network request while the page loads.

Needs Debian's ``chromium`` and ``npm ci`` in tests/a11y (``.ci/run`` does both). Under CI
(``CI=true``) a missing piece is a failure; elsewhere the test skips and says what is missing.
"""

import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT
from pxassure.execution import execute, planning
from pxassure.ingest import demo

pytestmark = pytest.mark.integration
A11Y = ROOT / "tests" / "a11y"


def _missing() -> str | None:
    if not (os.environ.get("PXASSURE_CHROMIUM") or shutil.which("chromium")):
        return "no Chromium found (apt-get install chromium, or set PXASSURE_CHROMIUM)"
    if not shutil.which("node"):
        return "no Node.js found"
    if not (A11Y / "node_modules" / "axe-core").exists():
        return "axe-core not installed: run (cd tests/a11y && npm ci)"
    return None


@pytest.fixture(scope="module")
def pages(board, demo_db):
    problem = _missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"accessibility test must run under CI: {problem}")
        pytest.skip(problem)
    ward_job = planning.plan("ward", database=demo_db, unit=demo.PLANTED["deteriorating_ward"])[0]
    ward = execute.run(ward_job, board.html.parents[3])
    assert ward.ok, ward.error
    chromium = os.environ.get("PXASSURE_CHROMIUM") or shutil.which("chromium")
    run = subprocess.run(
        ["node", str(A11Y / "axe.mjs"), chromium, str(board.html), str(ward.html)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=A11Y,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_no_serious_or_critical_violations(pages):
    for page in pages:
        bad = [v for v in page["violations"] if v["impact"] in ("serious", "critical")]
        assert not bad, f"{page['page']}: {json.dumps(bad, indent=1)}"


def test_no_network_requests_while_loading(pages):
    assert len(pages) == 2
    for page in pages:
        assert page["requests"] == [], f"{page['page']} requested {page['requests']}"
