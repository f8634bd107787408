"""Redaction quality on the labelled corpus (tests/data/pii/comments.csv), and its speed.

    .venv/bin/python benchmarks/redaction.py

Prints recall (identifiers wholly removed) and the share of ordinary words wrongly removed, for
the generated comments (P…), the hand-written held-out comments (H…) and the ordinary comments
(O…), then the time to redact 10,000 comments. Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from pxassure.analysis.redact import redact, score

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "pii" / "comments.csv"


def main() -> None:
    with open(CORPUS, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    groups = {"generated (P)": "P", "hand-written, held out (H)": "H", "ordinary (O)": "O", "all": ""}
    for label, prefix in groups.items():
        sub = [(r["text"], json.loads(r["identifiers"])) for r in rows if r["comment_id"].startswith(prefix)]
        s = score(sub)
        print(
            f"{label:28s} comments {len(sub):4d}  identifiers {s['identifiers']:4d}  recall {s['recall']:.3f}  "
            f"ordinary words {s['ordinary_words']:5d}  wrongly removed {100 * s['wrongly_removed']:.2f}%"
        )
        for _text, ident, out in s["missed"]:
            print(f"    missed {ident!r}: {out}")
    texts = [r["text"] for r in rows] * (10_000 // len(rows) + 1)
    start = time.perf_counter()
    for t in texts[:10_000]:
        redact(t)
    print(f"10,000 comments redacted in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
