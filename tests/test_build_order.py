"""The order a pack is built in: each report after the reports whose findings it reads, no later."""

from pxassure.execution import build, planning, pool
from pxassure.ingest import demo

WARD = demo.PLANTED["deteriorating_ward"]


def _by_path(jobs):
    return {j.spec.path: j for j in jobs}


def test_each_report_reads_its_own_layer_below(demo_db):
    jobs = _by_path(planning.plan(None, database=demo_db))
    med_wards = set(jobs["division/MED.html"].below)
    assert f"ward/{WARD}.html" in med_wards
    assert all(p.startswith("ward/") for p in med_wards)
    assert not med_wards & set(jobs["division/SUR.html"].below)  # a division reads only its own wards
    divisions = {p for p in jobs if p.startswith("division/")}
    for upper in ("patient_experience/patient_experience_committee.html", "board/board.html"):
        assert set(jobs[upper].below) == divisions
    assert jobs[f"ward/{WARD}.html"].below == ()


def test_a_division_starts_once_its_own_wards_are_built(demo_db):
    jobs = _the_months(demo_db)
    by_path = _by_path(jobs)
    med = by_path["division/MED.html"]
    # every ward built except one of another division's: MED is ready, ahead of the waiting ward
    other = next(j for j in jobs if j.layer == "ward" and j.spec.path not in med.below)
    waiting = [other] + [j for j in jobs if j.layer != "ward"]
    unfinished = {j.spec.path for j in waiting}
    first = pool.ready(waiting, unfinished)
    assert first[0].layer == "division"
    assert med in first and other in first
    assert first.index(med) < first.index(other)
    assert all(j.layer in ("division", "ward") for j in first)  # the committees wait for every division
    # with one of MED's own wards unfinished, MED waits
    own = by_path[med.below[0]]
    assert med not in pool.ready([own, med], {own.spec.path, med.spec.path})


def _the_months(demo_db):
    """The month's papers of a pack (the governors' committee meets quarterly: its paper is the
    quarter's, built and indexed in the quarter's folder, reading no other paper)."""
    return [j for j in planning.plan(None, database=demo_db) if j.spec.cadence == "monthly"]


def test_the_committees_and_the_board_run_side_by_side(demo_db):
    jobs = _the_months(demo_db)
    upper = [j for j in jobs if j.layer not in ("ward", "division")]
    assert len(upper) == 4  # the board's and three committees' papers
    assert pool.ready(upper, {j.spec.path for j in upper}) == upper[::-1]  # highest layer first
    # so a pool is as wide as the widest depth: the wards, here; the four upper papers together
    assert pool._width(upper) == 4
    assert pool._width(jobs) == sum(j.layer == "ward" for j in jobs)
    chain = [by for by in jobs if by.spec.path in {f"ward/{WARD}.html", "division/MED.html"}]
    assert pool._width(chain) == 1  # a ward and its division: one after the other, no pool


def test_wards_are_taken_a_division_at_a_time_in_turn(demo_db):
    """So the divisions' papers become ready together at the end, and no worker waits alone."""
    jobs = planning.plan(None, database=demo_db)
    order = pool.interleaved(jobs)
    assert sorted(j.spec.path for j in order) == sorted(j.spec.path for j in jobs)
    layers = [j.layer for j in order]
    assert layers == sorted(layers, key=build.LAYERS.index)  # still bottom layer first
    division_of = {w: d.spec.path for d in jobs if d.layer == "division" for w in d.below}
    divisions = [division_of[j.spec.path] for j in order if j.layer == "ward"]
    n = len(set(divisions))
    assert n == 4
    for start in range(0, len(divisions), n):  # each round: one ward of every division
        assert len(set(divisions[start : start + n])) == n
    # in a round, plan order; the upper layers keep theirs
    first_round = [j for j in order if j.layer == "ward"][:n]
    assert first_round == sorted(first_round, key=jobs.index)
    assert [j for j in order if j.layer not in ("ward", "division")] == [
        j for j in jobs if j.layer not in ("ward", "division")
    ]
