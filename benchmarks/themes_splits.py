"""The comment classifier's figures on several splits of a labelled file, not only the best.

For each seed: train on the respondents left in, score the held-out ones (micro- and macro-F1, tone
on three classes), and score tone again as loading codes comments (``themes.classify``: non-comments
left uncoded, tones made to fit the patient's answer) against the model alone on the same comments.
Each split trains one model (a minute or two on 2 cores). Figures are in docs/themes.md.

    .venv/bin/python benchmarks/themes_splits.py ../shared/reference/fft-comments/train.csv --seeds 42 7 1 2 3
"""

from __future__ import annotations

import argparse

import numpy as np

from pxassure.ingest import themes, themes_training


def split_figures(data: themes_training.TrainingData, seed: int) -> dict:
    kept, held = themes_training.split_by_respondent(data, themes.PARAMS["holdout"], seed)
    model = themes_training.fit(data.subset(kept))
    test = data.subset(held)
    alone = model.predict(test.text, test.question, test.rating)
    ruled = themes.classify(model, test.text, test.question, test.rating)
    figures = themes_training.scores(test, alone)
    coded = np.flatnonzero(ruled["sentiment"].notna().to_numpy())  # non-comments have no tone to score
    both = test.subset(coded)
    return {
        "respondents": int(test.respondent.nunique()),
        "micro_f1": figures["micro_f1"],
        "macro_f1": figures["macro_f1"],
        "tone_3": figures["sentiment_accuracy_3"],
        "tone_3_model_on_coded": themes_training.scores(both, alone.iloc[coded].reset_index(drop=True))[
            "sentiment_accuracy_3"
        ],
        "tone_3_with_rules": themes_training.scores(both, ruled.iloc[coded].reset_index(drop=True))[
            "sentiment_accuracy_3"
        ],
        "tones_a_rule_changed": int(((ruled["tone_by"] == "rule") & ruled["sentiment"].notna()).sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", help="labelled comments in the public training layout")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7, 1, 2, 3])
    args = parser.parse_args()
    data = themes_training.read_training(args.file)
    for seed in args.seeds:
        print(f"seed {seed}: {split_figures(data, seed)}", flush=True)


if __name__ == "__main__":
    main()
