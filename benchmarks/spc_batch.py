"""Benchmark: spc.batch on many series at once (not a test; figures go in docs/benchmarks.md and the CHANGELOG).

    .venv/bin/python benchmarks/spc_batch.py [--series 10000] [--points 60] [--repeat 3]

Reports the best wall time of each chart type and the peak memory the call allocates
(tracemalloc, which numpy and pandas report to) plus the process's peak RSS.
"""

from __future__ import annotations

import argparse
import platform
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from pxassure.analysis import spc


def make_frame(series: int, points: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = series * points
    level = np.repeat(rng.uniform(50, 150, series), points)
    den = rng.integers(50, 400, n)
    return pd.DataFrame(
        {
            "ward": np.repeat(np.arange(series), points).astype(str),
            "measure": "m",
            "month": np.tile(np.arange(points), series),
            "value": level + rng.normal(0, 5, n),
            "num": rng.binomial(den, 0.93),
            "den": den,
        }
    )


def run(frame: pd.DataFrame, chart: str, repeat: int) -> tuple[float, float]:
    kwargs = {"value": "value"} if chart == "xmr" else {"numerator": "num", "denominator": "den"}
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        spc.batch(frame, ["ward", "measure"], chart=chart, order="month", **kwargs)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    spc.batch(frame, ["ward", "measure"], chart=chart, order="month", **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    frame = make_frame(args.series, args.points)
    print(
        f"spc.batch: {args.series:,} series x {args.points} points = {len(frame):,} rows; "
        f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}"
    )
    for chart in ("xmr", "pp", "p", "up", "c"):
        seconds, peak_mib = run(frame if chart != "c" else frame.assign(value=frame["num"]), chart, args.repeat)
        print(
            f"  {chart:>3}: best of {args.repeat}: {seconds:6.2f} s; peak allocated during the call {peak_mib:7.1f} MiB"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  process peak RSS: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
