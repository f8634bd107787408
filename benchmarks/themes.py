"""Speed of the comment classifier: 10,000 comments classified, and the model's load time.

    .venv/bin/python benchmarks/themes.py [--comments 10000]

Comments are the demo trust's templates and, when ../shared/reference/fft-comments/train.csv is
beside the project, real FFT comments from it (with their FFT answers), repeated to the size asked. Prints the time to load
the shipped model, to classify, and comments per second. Figures are in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from pxassure.ingest import demo_feedback, themes

TRAINING = Path(__file__).resolve().parents[2] / "shared" / "reference" / "fft-comments" / "train.csv"


def comments(n: int) -> pd.DataFrame:
    texts = [
        t.format(setting="ward", person="Nurse Tom", phone="x", email="y")
        for v in demo_feedback.COMMENT_TEXT.values()
        for t, _ in v
    ]
    questions = ["What was good?"] * len(texts)
    ratings = ["1"] * len(texts)
    if TRAINING.exists():
        real = pd.read_csv(TRAINING, dtype=str, keep_default_na=False)
        texts += real[themes.TEXT].tolist()
        questions += real[themes.QUESTION].tolist()
        ratings += real[themes.RATING].tolist()
    frame = pd.DataFrame({"text": texts, "question": questions, "rating": ratings})
    return pd.concat([frame] * (n // len(frame) + 1), ignore_index=True).iloc[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=10_000)
    args = parser.parse_args()
    frame = comments(args.comments)
    start = time.perf_counter()
    model = themes.Model.load()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    # as loading codes them: the model, then the rules for non-comments and tones that fit the answer
    out = themes.classify(model, frame["text"], frame["question"], frame["rating"])
    took = time.perf_counter() - start
    print(f"model {model.version}: loaded in {loaded:.2f} s")
    print(f"{len(out):,} comments classified in {took:.2f} s ({len(out) / took:,.0f} a second)")


if __name__ == "__main__":
    main()
