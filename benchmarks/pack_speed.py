"""Benchmark: the pack built by `pxassure build --all` against a naive loop of CLI calls (#13).

    .venv/bin/python benchmarks/pack_speed.py [--wards 60] [--months 36] [--sample N]

On one demo trust, in one run, times:

1. the naive loop a team would write first: for each report of the pack, `papermill` on its
   notebook with its parameters, then `jupyter nbconvert --to html --no-input` (one process
   after another; ``--sample N`` runs the first N reports of each layer's order and scales
   the time to the whole pack, saying so);
2. `pxassure build --all --force` (every report rebuilt, in parallel within a layer);
3. `pxassure build --all` again with nothing changed (every report skipped);
4. with ``--cluster``, `pxassure build --all --force --scheduler local` (a Dask LocalCluster of
   one worker process per core instead of the process pool).

Prints each time, the time per report, and the ratio of the naive loop to the build. Not a
test: figures go in docs/benchmarks.md and the CHANGELOG.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pxassure.execution import planning
from pxassure.ingest import demo

BIN = Path(sys.executable).parent


def naive(jobs, tmp: Path) -> float:
    """Each report as two CLI calls, one after another."""
    t0 = time.perf_counter()
    for i, job in enumerate(jobs):
        out = tmp / f"naive-{i}.ipynb"
        params = []
        for k, v in {**job.parameters, "database": str(Path(job.parameters["database"]).resolve())}.items():
            params += ["-y", json.dumps({k: v})]
        subprocess.run(
            [str(BIN / "papermill"), str(planning.PROJECT_ROOT / "notebooks" / f"{job.spec.notebook}.ipynb"), str(out)]
            + params
            + ["--cwd", str(planning.PROJECT_ROOT), "--no-progress-bar"],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], check=True, capture_output=True
        )
    return time.perf_counter() - t0


def pxassure_build(db: Path, out: Path, *extra: str) -> tuple[float, str]:
    t0 = time.perf_counter()
    run = subprocess.run(
        [str(BIN / "pxassure"), "build", "--all", "--database", str(db), "--output", str(out), *extra],
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - t0
    lines = [ln for ln in (run.stdout + run.stderr).splitlines() if "report(s) built" in ln]
    return took, (lines[-1].strip() if lines else run.stderr[-300:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=60)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--sample", type=int, default=None, help="run the naive loop on this many reports only")
    parser.add_argument("--cluster", action="store_true", help="also time the build on a Dask LocalCluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = tmp / "bench.duckdb"
        demo.build_database(db, demo.Scale(wards=args.wards, months=args.months))
        jobs = planning.plan(None, database=db)
        sample = jobs if args.sample is None else jobs[:: max(1, len(jobs) // args.sample)][: args.sample]
        t_naive = naive(sample, tmp) * len(jobs) / len(sample)
        scaled = "" if len(sample) == len(jobs) else f" (measured on {len(sample)} reports, scaled)"
        t_build, said = pxassure_build(db, tmp / "out", "--force")
        t_again, said_again = pxassure_build(db, tmp / "out")
        n = len(jobs)
        print(f"pack of {n} reports: {args.wards} wards x {args.months} months, 2 cores")
        print(f"  naive loop (papermill + nbconvert CLI): {t_naive:.0f} s, {t_naive / n:.2f} s a report{scaled}")
        print(f"  pxassure build --all:                   {t_build:.0f} s, {t_build / n:.2f} s a report — {said}")
        print(f"  ratio naive / pxassure:                 {t_naive / t_build:.2f}x")
        print(f"  rebuild with nothing changed:           {t_again:.2f} s — {said_again}")
        if args.cluster:
            t_cluster, said_cluster = pxassure_build(db, tmp / "out", "--force", "--scheduler", "local")
            print(
                f"  on a Dask LocalCluster:                 {t_cluster:.0f} s, {t_cluster / n:.2f} s a report — {said_cluster}"
            )


if __name__ == "__main__":
    main()
