"""Benchmark: memory per pack worker while `pxassure build --all` runs (#13's "≤ 400 MiB per worker").

    .venv/bin/python benchmarks/pack_memory.py [--wards 60] [--months 36]

Builds a demo trust of the given size, starts `pxassure build --all --force`, and every 0.2 s
reads the proportional set size (PSS, from /proc/PID/smaps_rollup) of every process under the
build. A worker's memory is its own PSS, that of the kernel it is running (named ``pxk <worker
pid>``) and its share of the zygote the workers share (the zygote's PSS over the number of
workers): PSS splits pages that a forked kernel shares with its zygote between them, so the sum
counts each page once (RSS would count shared pages in every process). Prints the peak of that
sum per worker, the zygote's and the build process's own peaks, and the peak of any single
process. Linux only; not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pxassure.ingest import demo


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def pss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children(p)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=60)
    parser.add_argument("--months", type=int, default=36)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        demo.build_database(db, demo.Scale(wards=args.wards, months=args.months))
        cmd = [str(Path(sys.executable).parent / "pxassure"), "build", "--all", "--force", "--database", str(db)]
        build = subprocess.Popen(
            [*cmd, "--output", str(Path(tmp) / "out")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        per_worker: dict[int, float] = {}
        parts: dict[int, tuple[float, float, float]] = {}  # at each worker's peak: own, kernel, zygote share
        build_peak = single_peak = zygote_peak = 0.0
        t0 = time.perf_counter()
        while build.poll() is None:
            build_peak = max(build_peak, pss_mib(build.pid))
            tops = children(build.pid)
            zygotes = [p for p in tops if "pxassure.execution.zygote" in cmdline(p)]
            # pool workers are forks of the build (same command line); other children (a git
            # call, a resource tracker) are not workers
            workers = [p for p in tops if p not in zygotes and cmdline(p) == cmdline(build.pid)]
            kernels: dict[int, list[int]] = {}
            zygote_pss = 0.0
            for z in zygotes:
                zygote_pss += pss_mib(z)
                for k in children(z):
                    kernels.setdefault(owner(k), []).append(k)
            zygote_peak = max(zygote_peak, zygote_pss)
            share = zygote_pss / max(1, len(workers))
            for top in workers:
                own = [pss_mib(p) for p in tree(top)]
                kernel = [pss_mib(p) for p in kernels.get(top, [])]
                if sum(own) + sum(kernel) + share > per_worker.get(top, 0.0):
                    per_worker[top] = sum(own) + sum(kernel) + share
                    parts[top] = (sum(own), sum(kernel), share)
                single_peak = max(single_peak, *own, *kernel, zygote_pss)
            time.sleep(0.2)
        took = time.perf_counter() - t0
        order = sorted(per_worker, key=per_worker.get, reverse=True)
        workers = [per_worker[w] for w in order]
        print(f"pack: {args.wards} wards x {args.months} months, exit {build.returncode}, {took:.0f} s")
        print(f"  build process peak PSS: {build_peak:.0f} MiB; the shared zygote's: {zygote_peak:.0f} MiB")
        print(
            "  per worker (worker + its kernel + its share of the zygote), peak PSS: "
            + ", ".join(f"{w:.0f} MiB" for w in workers[:4])
        )
        print(
            "  at those peaks (worker, kernel, zygote share): "
            + "; ".join("{:.0f}, {:.0f}, {:.0f} MiB".format(*parts[w]) for w in order[:4])
        )
        print(f"  largest single process, peak PSS: {single_peak:.0f} MiB")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def owner(kernel: int) -> int:
    """The worker a forked kernel runs for: the zygote names it ``pxk <worker pid>``."""
    try:
        name = Path(f"/proc/{kernel}/comm").read_text().split()
        return int(name[1]) if len(name) == 2 and name[0] == "pxk" else 0
    except (OSError, ValueError):
        return 0


if __name__ == "__main__":
    main()
