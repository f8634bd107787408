"""Benchmark: the printed board pack against building its papers alone (#32).

    .venv/bin/python benchmarks/pack_pdf.py

On a fresh demo trust, times what `make board-pack WARDS=1` runs — every paper built with its PDF
(`pxassure build --all --force --pdf`) and joined into the pack (`pxassure pack --wards`) — against
building the same papers without PDFs (`pxassure build --all --force`). Prints both, their
ratio (the goal: at most 2), and the pack's pages and size. Not a test: figures go in
docs/benchmarks.md and the CHANGELOG.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def timed(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([str(BIN / "pxassure"), *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pxassure-bench-") as tmp:
        db = f"{tmp}/demo.duckdb"
        subprocess.run([str(BIN / "pxassure"), "demo", "--database", db], check=True, capture_output=True)
        papers = timed("build", "--all", "--force", "--database", db, "--output", f"{tmp}/html")
        printed = timed("build", "--all", "--force", "--pdf", "--database", db, "--output", f"{tmp}/pdf")
        joined = timed("pack", "--wards", "--database", db, "--output", f"{tmp}/pdf")
        pack = next(Path(tmp, "pdf").glob("*/*/board-pack.pdf"))
        info = subprocess.run(["pdfinfo", str(pack)], capture_output=True, text=True, check=True).stdout
        pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
        size = pack.stat().st_size / 1e6
        n = len([p for p in Path(tmp, "html").glob("*/*/*/*.html") if not p.name.endswith(".appendix.html")])
    whole = printed + joined
    print(f"{n} papers built without PDFs: {papers:.1f} s")
    print(f"with their PDFs: {printed:.1f} s; joined into the pack: {joined:.1f} s; together {whole:.1f} s")
    print(f"ratio of the printed pack to the papers alone: {whole / papers:.2f} (goal: at most 2)")
    print(f"pack: {pages} pages, {size:.1f} MB")


if __name__ == "__main__":
    main()
