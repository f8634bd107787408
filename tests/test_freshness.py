"""Unchanged reports are skipped: content keys, per-unit data digests, and a rebuild that
executes nothing (#13). A change to one ward's data rebuilds that ward and the layers that
escalate from it, nothing else."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from pxassure.cli import main
from pxassure.execution import build, freshness, planning
from pxassure.ingest.store import Store

CHANGED, SAME = "015", "014"  # two wards of the Medicine division
OTHER_DIVISION = "SUR"


def change_one_ward(db, tmp_path, ward=CHANGED):
    """Load, through the real loader, one corrected FFT row for ``ward``'s latest month."""
    with Store(db, read_only=True) as store:
        fft = store.table("fft_monthly")
    row = fft[fft["unit_id"] == ward].sort_values("month").tail(1).copy()
    row["very_good"] += 7
    row["month"] = pd.to_datetime(row["month"]).dt.strftime("%Y-%m")
    path = tmp_path / "fft_monthly.csv"
    row.to_csv(path, index=False)
    assert main(["load", str(path), "--append", "--database", str(db)]) == 0


@pytest.fixture
def db(demo_db, tmp_path):
    copy = tmp_path / "trust.duckdb"
    shutil.copy(demo_db, copy)
    return copy


def keys(db) -> dict[str, str]:
    return {j.spec.path: j.key for j in planning.plan(None, database=db)}


def test_a_change_to_one_ward_changes_only_the_keys_above_it(db, tmp_path):
    before = keys(db)
    assert before == keys(db)  # planning twice on the same data gives the same keys
    change_one_ward(db, tmp_path)
    after = keys(db)
    changed = {path for path in before if before[path] != after[path]}
    assert f"ward/{CHANGED}.html" in changed and "division/MED.html" in changed
    assert {p for p in changed if not p.startswith(("ward/", "division/"))} == {
        p for p in before if not p.startswith(("ward/", "division/"))
    }  # every committee paper and the board read the whole trust
    assert f"ward/{SAME}.html" not in changed and f"division/{OTHER_DIVISION}.html" not in changed
    assert len([p for p in changed if p.startswith("ward/")]) == 1


def test_keys_follow_parameters_and_options(db):
    plain = planning.plan("ward", database=db, unit=SAME)[0].key
    assert planning.plan("ward", database=db, unit=SAME, overrides={"preset": "ptd"})[0].key != plain
    assert planning.plan("ward", database=db, unit=SAME, pdf=False)[0].key == plain


def test_digests_ignore_row_order_but_not_content(db):
    with Store(db) as store:
        first = freshness.data_digests(store)
        fft = store.table("fft_monthly")
        store.load({"fft_monthly": fft.sample(frac=1, random_state=1)})  # same rows, other order
        assert freshness.data_digests(store) == first
        fft.loc[fft.index[0], "poor"] += 1
        store.load({"fft_monthly": fft})
        assert (
            freshness.data_digests(store)[fft.loc[fft.index[0], "unit_id"]] != first[fft.loc[fft.index[0], "unit_id"]]
        )


@pytest.mark.integration
def test_a_rebuild_skips_what_has_not_changed(db, tmp_path):
    out = tmp_path / "out"
    wanted = {f"ward/{SAME}.html", f"ward/{CHANGED}.html", "division/MED.html"}

    def pack(**kw):
        jobs = [j for j in planning.plan(None, database=db) if j.spec.path in wanted]
        outcomes = build.run_pack(jobs, out, workers=2, progress=False, **kw)
        assert all(o.ok for o in outcomes), build.summary(outcomes)
        return {o.job.spec.path: o for o in outcomes}

    first = pack()
    assert not any(o.skipped for o in first.values())
    stamps = {p: o.html.stat().st_mtime_ns for p, o in first.items()}
    for o in first.values():
        assert o.html.with_suffix(".key").read_text().strip()

    # nothing changed: nothing executes, and planning and skipping load no notebook machinery;
    # a zygote started before planning (as the command starts it) is ended unused
    script = (
        "import os, sys, json\n"
        "from pxassure.execution import build, planning, zygote\n"
        "z = zygote.Zygote.get()\n"
        f"jobs = [j for j in planning.plan(None, database={str(db)!r}) if j.spec.path in {sorted(wanted)!r}]\n"
        f"outcomes = build.run_pack(jobs, {str(out)!r}, workers=2, progress=False)\n"
        "heavy = [m for m in ('papermill', 'nbconvert', 'nbformat', 'jsonschema', 'nbclient') if m in sys.modules]\n"
        "ended = z.proc.poll() is not None and zygote.Zygote._instance is None\n"
        "print(json.dumps({'skipped': [o.skipped for o in outcomes], 'heavy': heavy, 'zygote ended': ended}))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result == {"skipped": [True, True, True], "heavy": [], "zygote ended": True}
    assert {p: o.html.stat().st_mtime_ns for p, o in first.items()} == stamps

    # one ward's data changed: that ward and its division rebuild, the other ward does not
    change_one_ward(db, tmp_path)
    second = pack()
    assert {p for p, o in second.items() if not o.skipped} == {f"ward/{CHANGED}.html", "division/MED.html"}
    assert second[f"ward/{SAME}.html"].html.stat().st_mtime_ns == stamps[f"ward/{SAME}.html"]

    # --force rebuilds everything; a missing output is rebuilt even without it
    assert not any(o.skipped for o in pack(force=True).values())
    first[f"ward/{SAME}.html"].findings.unlink()
    assert {p for p, o in pack().items() if not o.skipped} == {f"ward/{SAME}.html"}
    assert "unchanged (skipped; --force rebuilds them)" in build.summary(list(pack().values()))
