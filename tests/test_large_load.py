"""A file far larger than is friendly to hold in memory loads in bounded memory (chunks, staging, spill)."""

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from load_large import measure  # noqa: E402

ROWS = 1_000_000
PEAK_LIMIT_MIB = 460  # measured 391 (the loading process's own VmHWM); pandas reading this file whole as text, and nothing else, peaks at 490


def test_large_comments_file_loads_in_bounded_memory(tmp_path):
    result = measure(tmp_path, ROWS)
    assert result["loaded"] == ROWS
    assert result["file_mib"] > 128
    assert result["peak_rss_mib"] < PEAK_LIMIT_MIB, result
