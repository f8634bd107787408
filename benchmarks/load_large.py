"""Load a large feedback_comments CSV and report time and peak memory (bounded by chunked loading).

    .venv/bin/python benchmarks/load_large.py [--rows 2000000]

Generates the file, then loads it in a child process and reports that process's peak RSS
(os.wait4), so the figure is the load's own. tests/test_large_load.py runs the same measurement
at a smaller size and checks the peak stays far below what reading the whole file would need.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "comment_id,unit_id,month,source,question,text,labels,sentiment\n"
UNITS = "unit_id,name,level,parent_id,site,service_type\nT,Trust,trust,,,\n007,Ward 7,ward,T,Main,inpatient\n"
TEXT = "The staff on the ward were kind and explained everything; food could be warmer at night."


#: Coded by a person in the extract, so the load measures reading, checking and storing (the
#: classifier's own speed is benchmarks/themes.py).
LABEL = "Food & drink provision & facilities"


def write_comments(path: Path, rows: int) -> int:
    """A feedback_comments CSV of ``rows`` rows; returns its size in bytes."""
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        block = 100_000
        for start in range(0, rows, block):
            fh.write(
                "".join(
                    f'K{i:09d},007,20{20 + i % 6}-{1 + i % 12:02d},fft,What was good?,"{TEXT} #{i}",{LABEL},{1 + i % 5}\n'
                    for i in range(start, min(start + block, rows))
                )
            )
    return path.stat().st_size


# The child reports its own peak resident memory (VmHWM, its address space's high-water mark).
# Not the parent's wait4 ru_maxrss: Linux carries a forked child's peak across exec, so that
# figure includes the size of whatever process started the child (a big pytest run, say).
CHILD = """
import sys
from pxassure.ingest import sources
from pxassure.ingest.store import Store
with Store(sys.argv[1]) as store:
    sources.load_files(store, {"org_units": sys.argv[2]})
    sources.load_files(store, {"feedback_comments": sys.argv[3]}, replace=True)
    print(store.counts()["feedback_comments"])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(int(hwm.split()[1]))
"""


def measure(folder: Path, rows: int) -> dict:
    """Generate and load ``rows`` comments in a child process; return rows, bytes, seconds and peak RSS."""
    comments, units = folder / "feedback_comments.csv", folder / "org_units.csv"
    units.write_text(UNITS)
    size = write_comments(comments, rows)
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder / "large.duckdb"), str(units), str(comments)],
        stdout=subprocess.PIPE,
        text=True,
    )
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.stdout.close()
    if status != 0:
        raise RuntimeError(f"load failed with status {status}: {out}")
    loaded, hwm_kib = out.strip().splitlines()[-2:]
    return {
        "rows": rows,
        "loaded": int(loaded),
        "file_mib": size / 2**20,
        "seconds": time.perf_counter() - start,
        "peak_rss_mib": int(hwm_kib) / 1024,  # the loading process's own peak (kB in /proc)
        "wait4_maxrss_mib": usage.ru_maxrss / 1024,  # includes the starting process's size: not used
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        r = measure(Path(d), args.rows)
    print(
        f"{r['loaded']:,} rows, {r['file_mib']:.0f} MiB file: loaded in {r['seconds']:.1f} s, "
        f"peak RSS {r['peak_rss_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
