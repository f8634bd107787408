"""Benchmark: build the whole report pack (not a test; figures go in docs/benchmarks.md and the CHANGELOG).

    .venv/bin/python benchmarks/reports.py [--wards 60] [--months 36] [--workers N]

Builds a demo trust of the given size in a temporary folder, then times
`pxassure build --all` (every committee, division and ward report) and reports wall time
and the peak resident memory of the build and of the largest single process it started.
Then times the same build again with nothing changed (every report current: none should
run), and once more after one ward's FFT row was corrected through `pxassure load --append`
(only that ward, its division and the trust-wide papers should run).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pxassure.ingest import demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=60)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--workers", type=int, default=None, help="default: the build's own (one per core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        demo.build_database(db, demo.Scale(wards=args.wards, months=args.months))
        t_data = time.perf_counter() - t0
        t0 = time.perf_counter()
        cmd = [
            str(Path(sys.executable).parent / "pxassure"),
            "build",
            "--all",
            "--database",
            str(db),
            "--output",
            str(Path(tmp) / "outputs"),
        ] + (["--workers", str(args.workers)] if args.workers else [])
        run = subprocess.run(cmd, capture_output=True, text=True)
        t_build = time.perf_counter() - t0
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        reports = [p for p in (Path(tmp) / "outputs").glob("*/*/*/*.html") if not p.name.endswith(".appendix.html")]
        sizes = sorted(p.stat().st_size for p in reports)
        print(f"pack: {args.wards} wards x {args.months} months, {args.workers or 'default'} workers")
        print(f"  demo data built and loaded in {t_data:.1f} s")
        print(
            f"  {len(reports)} reports in {t_build:.0f} s ({t_build / max(len(reports), 1):.1f} s each, "
            f"exit {run.returncode})"
        )
        print(f"  largest single process peak RSS: {children:.0f} MiB")
        if sizes:
            print(f"  HTML sizes: median {sizes[len(sizes) // 2] / 1024:.0f} KB, largest {sizes[-1] / 1024:.0f} KB")
        print("  " + run.stdout.strip().splitlines()[-2] if run.stdout.strip() else run.stderr[-500:])

        t0 = time.perf_counter()
        again = subprocess.run(cmd, capture_output=True, text=True)
        print(f"  rebuild, nothing changed: {time.perf_counter() - t0:.2f} s — {_summary(again)}")
        _change_one_ward(db, Path(tmp))
        t0 = time.perf_counter()
        after = subprocess.run(cmd, capture_output=True, text=True)
        print(f"  rebuild after one ward's data changed: {time.perf_counter() - t0:.1f} s — {_summary(after)}")


def _summary(run: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in (run.stdout + run.stderr).splitlines() if "report(s) built" in ln]
    return lines[-1].strip() if lines else run.stderr[-300:]


def _change_one_ward(db: Path, tmp: Path) -> None:
    """Correct one FFT row of the first ward through the real loader (an upsert, as a trust would)."""
    import pandas as pd

    from pxassure.cli import main as cli
    from pxassure.ingest.store import Store

    with Store(db, read_only=True) as store:
        fft = store.table("fft_monthly")
    row = fft[fft["unit_id"] == fft["unit_id"].min()].sort_values("month").tail(1).copy()
    row["very_good"] += 7
    row["month"] = pd.to_datetime(row["month"]).dt.strftime("%Y-%m")
    row.to_csv(tmp / "fft_fix.csv", index=False)
    path = tmp / "fft_monthly.csv"
    (tmp / "fft_fix.csv").rename(path)
    assert cli(["load", str(path), "--append", "--database", str(db)]) == 0


if __name__ == "__main__":
    main()
