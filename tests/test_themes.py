"""FFT comment themes and sentiment, classified offline (#14).

The shipped model is arrays and JSON (no pickle), trained on the public labelled FFT comments;
`pxassure themes train / classify / evaluate` work on files in the documented layouts; the loader
keeps a person's coding, classifies the rest and records who coded each row; the demo trust's
comments arrive uncoded and are coded through that same load path.
"""

import json
import zipfile
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from pxassure.cli import main
from pxassure.errors import ReadError
from pxassure.ingest import demo, demo_feedback, sources, themes, themes_training
from pxassure.ingest.staging import sha256_of
from pxassure.ingest.store import Store

TRAINING = ROOT.parent / "shared" / "reference" / "fft-comments" / "train.csv"
LABELS = ["Staff manner & personal attributes", "Timeliness of care", "Food & drink provision & facilities"]
PHRASES = {
    LABELS[0]: ["the nurses were kind", "staff were rude", "lovely caring staff", "the doctor was polite"],
    LABELS[1]: ["waited four hours", "seen quickly", "long wait for a bed", "no delay at all"],
    LABELS[2]: ["the food was cold", "nice hot meals", "never enough water", "tasty sandwiches"],
}


def small_training_file(path: Path, n: int = 240, seed: int = 1) -> Path:
    """A file in the public training layout: a few labels, learnable from their phrases."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        k = rng.integers(0, 3)
        has = {LABELS[k]}
        text = str(rng.choice(PHRASES[LABELS[k]]))
        if rng.random() < 0.3:
            j = (k + 1) % 3
            has.add(LABELS[j])
            text += " and " + str(rng.choice(PHRASES[LABELS[j]]))
        blank = i % 20 == 0
        rows.append(
            {
                "Comment ID": f"{i} - Q1",
                "Trust": "X",
                "Respondent ID": str(i // 2),
                "FFT categorical answer": "7" if i % 7 == 0 else str(1 + (i % 5)),
                "FFT question": "What was good?" if i % 2 else "What could we do better?",
                "FFT answer": "" if blank else text,
                "Comment sentiment": "" if blank else str(1 + (i % 5)),
                **{label: "1" if (label in has and not blank) else "" for label in LABELS},
                themes.BLANK_LABEL: "1" if blank else "",
            }
        )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("themes")
    source = small_training_file(folder / "labelled.csv")
    assert main(["themes", "train", str(source), "--output", str(folder / "model")]) == 0
    return folder / "model", source


# --- the shipped model ------------------------------------------------------------------------


def test_the_shipped_model_is_arrays_and_json_not_pickle():
    base = resources.files("pxassure").joinpath(themes.SHIPPED)
    with base.joinpath("model.npz").open("rb") as fh:
        names = zipfile.ZipFile(fh).namelist()
    assert names and all(n.endswith(".npy") for n in names)
    with base.joinpath("model.npz").open("rb") as fh:
        arrays = np.load(fh, allow_pickle=False)  # an object array would fail to load here
        assert all(arrays[k].dtype.kind == "f" for k in arrays.files)
    meta = json.loads(base.joinpath("model.json").read_text(encoding="utf-8"))
    assert meta["training_file"]["name"] == "train.csv" and len(meta["training_file"]["sha256"]) == 64
    assert {"micro_f1", "macro_f1", "sentiment_accuracy_3", "sentiment_accuracy_5"} <= set(meta["metrics"])
    model = themes.Model.load()
    assert len(model.labels) == 50 and themes.BLANK_LABEL in model.labels
    assert model.info["exclusive"] == ["Not assigned"]  # 2 of its 276 comments carry another label


def test_the_docs_report_the_shipped_models_own_figures():
    """docs/themes.md's figures table is the shipped model's recorded metrics, so a retrain that
    moves them fails here until the page says so."""
    metrics = themes.Model.load().info["metrics"]
    readme = (ROOT / "docs" / "themes.md").read_text(encoding="utf-8")
    rows = {
        "micro-F1 (": f"{metrics['micro_f1']:.3f}",
        f"macro-F1 ({metrics['macro_f1_labels']} labels": f"{metrics['macro_f1']:.3f}",
        "sentiment accuracy, 3 classes": f"{metrics['sentiment_accuracy_3']:.3f}",
        "the same for comments without their FFT answer": f"{metrics['sentiment_accuracy_3_without_rating']:.3f}",
        "sentiment accuracy, 5 classes": (
            f"{metrics['sentiment_accuracy_5']:.3f} ({metrics['sentiment_accuracy_5_without_rating']:.3f})"
        ),
    }
    table = [line for line in readme.splitlines() if line.startswith("| ")]
    for start, figure in rows.items():
        found = [line.split("|")[2].strip() for line in table if line[2:].startswith(start)]
        assert found == [figure], (start, found)
    respondents = f"Measured on {metrics['respondents_held_out']} respondents ({metrics['comments']:,} comments)"
    assert respondents in " ".join(readme.split())


@pytest.mark.skipif(not TRAINING.exists(), reason="../shared/reference/fft-comments is not beside the project")
def test_the_shipped_model_was_trained_on_the_public_file_and_its_figures_reproduce():
    model = themes.Model.load()
    assert model.info["training_file"]["sha256"] == sha256_of(TRAINING)
    data = themes_training.read_training(TRAINING)
    assert data.labels == model.labels  # names exactly as the file's headers
    again = themes_training.evaluate(data)  # trains on 80 % of respondents, scores the rest
    assert again == model.info["metrics"]
    assert again["respondents_held_out"] > 600 and again["macro_f1_labels"] >= 25


def test_blank_comments_are_not_labelled_by_the_model():
    out = themes.Model.load().predict(pd.Series(["", "Did not answer", "  ", "The nurses were kind and caring"]))
    assert out["labels"].tolist()[:3] == [themes.BLANK_LABEL] * 3
    assert out["sentiment"].isna().tolist() == [True, True, True, False]
    assert "Staff manner & personal attributes" in out["labels"].iloc[3].split("|")
    assert out["sentiment"].iloc[3] in (1, 2)


def test_the_demo_themes_map_onto_the_framework_and_the_model_finds_them():
    model = themes.Model.load()
    rows = [(text, label) for tone in demo_feedback.COMMENT_TEXT.values() for text, label in tone]
    assert {label for _, label in rows} <= set(model.labels)
    texts = pd.Series([t.format(setting="ward", person="Nurse Tom", phone="x", email="y") for t, _ in rows])
    found = model.predict(texts)["labels"].str.split("|")
    hits = sum(label in got for (_, label), got in zip(rows, found))
    assert hits / len(rows) >= 0.75, list(zip([label for _, label in rows], found))


# --- train, classify, evaluate ------------------------------------------------------------------


def test_train_writes_a_model_that_round_trips(small_model):
    folder, source = small_model
    assert sorted(p.name for p in folder.iterdir()) == ["model.json", "model.npz"]
    model = themes.Model.load(folder)
    assert model.labels == [*LABELS, themes.BLANK_LABEL] and model.uses_rating
    assert model.info["training_file"]["sha256"] == sha256_of(source)
    fresh = themes_training.fit(themes_training.read_training(source))
    texts = pd.Series(["the food was cold", "waited four hours and staff were rude", ""])
    pd.testing.assert_frame_equal(model.predict(texts), fresh.predict(texts), atol=1e-3)
    rated = pd.Series(["1", "5", ""])
    pd.testing.assert_frame_equal(model.predict(texts, None, rated), fresh.predict(texts, None, rated), atol=1e-3)
    got = model.predict(texts)["labels"].tolist()
    assert got[0] == LABELS[2] and set(got[1].split("|")) == {LABELS[0], LABELS[1]} and got[2] == themes.BLANK_LABEL


def test_the_version_names_the_day_the_training_file_and_the_arrays(small_model, tmp_path, monkeypatch):
    folder, source = small_model
    first = themes.Model.load(folder)
    with np.load(folder / "model.npz", allow_pickle=False) as z:
        digest = themes.array_digest(dict(z))
    day = first.info["trained_at"][:10].replace("-", "")
    assert first.version == f"themes-{day}-{sha256_of(source)[:8]}-{digest[:8]}"
    # Same file, (almost certainly) same day, other settings: another model, so another version.
    monkeypatch.setitem(themes.PARAMS, "label_C", 0.5)
    other = themes_training.train(source, tmp_path / "other")
    assert other.version.split("-")[2] == first.version.split("-")[2]
    assert other.version != first.version


def test_classify_writes_the_documented_layout(small_model, tmp_path):
    folder, _ = small_model
    source = tmp_path / "in.csv"
    pd.DataFrame(
        {"comment_id": ["a", "b", "c"], "text": ["nice hot meals", "", "long wait for a bed"], "question": ["x"] * 3}
    ).to_csv(source, index=False)
    out = tmp_path / "out.csv"
    assert main(["themes", "classify", str(source), str(out), "--model", str(folder)]) == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(got.columns)[:3] == ["comment_id", "labels", "sentiment"]
    assert got["comment_id"].tolist() == ["a", "b", "c"]
    assert got["labels"].tolist() == [LABELS[2], themes.BLANK_LABEL, LABELS[1]]
    assert got["sentiment"].iloc[1] == "" and got["sentiment"].iloc[0] in list("12345")
    # without a question column, and a bad file names what is missing
    pd.DataFrame({"comment_id": ["a"], "text": ["tasty sandwiches"]}).to_csv(source, index=False)
    assert main(["themes", "classify", str(source), str(out), "--model", str(folder)]) == 0
    pd.DataFrame({"id": ["a"], "text": ["x"]}).to_csv(source, index=False)
    with pytest.raises(ReadError, match="column 'comment_id'"):
        themes.classify_file(source, out, themes.Model.load(folder))
    # the FFT answer is optional; one off the 1-6 scale is named, and nothing is written
    pd.DataFrame({"comment_id": ["a", "b"], "text": ["x", "y"], "rating": ["1", ""]}).to_csv(source, index=False)
    assert main(["themes", "classify", str(source), str(out), "--model", str(folder)]) == 0
    pd.DataFrame({"comment_id": ["a", "b"], "text": ["x", "y"], "rating": ["1", "Good"]}).to_csv(source, index=False)
    before = out.read_bytes()
    with pytest.raises(ReadError, match="row 3, column 'rating'"):
        themes.classify_file(source, out, themes.Model.load(folder))
    assert out.read_bytes() == before


def test_evaluate_prints_every_figure(small_model, capsys):
    _, source = small_model
    assert main(["themes", "evaluate", str(source)]) == 0
    out = capsys.readouterr().out
    for word in ("micro-F1", "macro-F1", "5 classes", "3 classes", "without their FFT answer", "split by respondent"):
        assert word in out
    micro = float(next(line for line in out.splitlines() if "micro-F1" in line).split()[1])
    assert micro > 0.9  # the small file's labels are learnable from their phrases


def _question_dependent_training(n: int = 240) -> themes_training.TrainingData:
    """A label that one phrase carries after one question and the other phrase after the other:
    no sum of a phrase's weight and a question's weight can draw that line."""
    cells = [("What was good?", "the nurses came", 1), ("What was good?", "the meals came", 0)]
    cells += [("How could we improve?", "the nurses came", 0), ("How could we improve?", "the meals came", 1)]
    rows = [cells[i % 4] for i in range(n)]
    label = LABELS[0]
    return themes_training.TrainingData(
        text=pd.Series([r[1] for r in rows]),
        question=pd.Series([r[0] for r in rows]),
        respondent=pd.Series([str(i // 2) for i in range(n)]),
        labels=[label, LABELS[2], themes.BLANK_LABEL],
        y=np.array([[r[2], 1 - r[2], 0] for r in rows], dtype=np.int8),
        sentiment=pd.Series([1 + r[2] for r in rows], dtype="Int64"),
    )


def test_a_word_can_mean_one_thing_after_one_question_and_another_after_the_other(monkeypatch):
    data = _question_dependent_training()
    ask = pd.DataFrame(
        [(q, t) for q in ("What was good?", "How could we improve?") for t in ("the nurses came", "the meals came")]
    )
    want = [LABELS[0], LABELS[2], LABELS[2], LABELS[0]]
    model = themes_training.fit(data)
    assert model.predict(ask[1], ask[0])["labels"].tolist() == want
    # an unknown or missing question falls back on the words alone, without an error
    assert len(model.predict(pd.Series(["the nurses came"]), pd.Series(["Any other comments?"]))) == 1
    # the same data without question-specific words cannot be learnt: the test can fail
    monkeypatch.setitem(themes.PARAMS, "question_words", 0.0)
    assert themes_training.fit(data).predict(ask[1], ask[0])["labels"].tolist() != want


def test_the_fft_answer_informs_the_sentiment_but_not_the_labels(monkeypatch):
    # Words that say nothing of tone; the FFT answer says it all.
    n = 240
    rating = pd.Series(["1" if i % 2 else "5" for i in range(n)])
    data = themes_training.TrainingData(
        text=pd.Series(["the nurses came" if i % 4 < 2 else "the meals came" for i in range(n)]),
        question=pd.Series(["Any comments?"] * n),
        respondent=pd.Series([str(i) for i in range(n)]),
        labels=[LABELS[0], LABELS[2], themes.BLANK_LABEL],
        y=np.array([[1, 0, 0] if i % 4 < 2 else [0, 1, 0] for i in range(n)], dtype=np.int8),
        sentiment=pd.Series([1 if r == "1" else 5 for r in rating], dtype="Int64"),
        rating=rating,
    )
    model = themes_training.fit(data)
    assert model.uses_rating and model.rating_columns().stop == model.label_coef.shape[0]
    assert (model.label_coef[model.rating_columns()] == 0).all()  # the labels never read it
    texts = pd.Series(["the nurses came"] * 4)
    given = model.predict(texts, None, pd.Series(["1", "5", 1, 5.0]))  # as text, as numbers from a table
    assert given["sentiment"].tolist() == [1, 5, 1, 5]
    assert given["labels"].tolist() == [LABELS[0]] * 4
    # without it (missing, off the scale, or no column at all) the model still answers
    assert model.predict(texts, None, pd.Series([None, "", "7", pd.NA]))["sentiment"].isin([1, 5]).all()
    assert model.predict(texts)["sentiment"].isin([1, 5]).all()
    # a model trained without the answer cannot tell these apart: the test can fail
    monkeypatch.setitem(themes.PARAMS, "rating", False)
    blind = themes_training.fit(data)
    assert not blind.uses_rating and blind.predict(texts[:2], None, pd.Series(["1", "5"]))["sentiment"].nunique() == 1


def test_a_label_with_few_positives_is_held_back_more_than_a_common_one():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(3)
    texts = [" ".join(rng.choice([f"w{i}" for i in range(40)], 6)) for _ in range(300)]
    x = TfidfVectorizer().fit_transform(texts)
    y = np.array([("w1" in t.split()) != (rng.random() < 0.2) for t in texts], dtype=int)  # noisy
    folds = list(KFold(3).split(x))
    params = {**themes.PARAMS, "rare_positives": 1}
    # its own penalties, held back in proportion to how few positives it has
    tenth = {**params, "label_C": params["label_C"] / 10, "svm_C": params["svm_C"] / 10}
    held = themes_training._fit_label(x, y, folds, {**params, "rare_positives": 10 * y.sum()})
    for got, want in zip(held, themes_training._fit_label(x, y, folds, tenth)):
        np.testing.assert_allclose(got, want)
    free = themes_training._fit_label(x, y, folds, params)
    assert not np.allclose(held[0], free[0])
    lr_held, lr_free = themes_training._members(x, y, params, 0.1)[0][0], themes_training._members(x, y, params)[0][0]
    assert np.linalg.norm(lr_held) < np.linalg.norm(lr_free)


@pytest.mark.parametrize("points, want", [((1, 2), [2, 1, 1, 2]), ((4, 4), [4] * 4), ((None, None), [pd.NA] * 4)])
def test_a_training_file_coding_few_or_no_points_of_the_sentiment_scale(points, want):
    data = _question_dependent_training()
    # cells carrying the label get the second point, the others the first (None: not coded)
    data.sentiment = pd.Series([points[int(v)] for v in data.y[:, 0]], dtype="Int64")
    model = themes_training.fit(data)
    assert model.has_sentiment == (points[0] is not None)
    got = model.predict(
        pd.Series(["the nurses came", "the meals came"] * 2),
        pd.Series(["What was good?"] * 2 + ["How could we improve?"] * 2),
    )
    assert got["sentiment"].tolist() == want


def test_a_label_people_never_give_with_another_is_exclusive():
    labels = ["Not assigned", "Food", "Staff", themes.BLANK_LABEL]
    y = np.zeros((100, 4), dtype=np.int8)
    y[:30, 0] = 1  # alone
    y[30:60, 1] = 1
    y[50:80, 2] = 1  # with Food in 10 of 30
    y[80:, 3] = 1  # alone, but given by rule
    assert themes_training.exclusive_labels(y, labels) == ["Not assigned"]
    y[0, 1] = 1  # once with another label in 30: above the 2 % allowed
    assert themes_training.exclusive_labels(y, labels) == []
    y[0, 1] = 0
    assert themes_training.exclusive_labels(y[10:], labels) == ["Not assigned"]  # 20 positives are enough
    assert themes_training.exclusive_labels(y[11:], labels) == []  # 19 are not


def test_an_exclusive_label_is_given_alone_when_likeliest_and_dropped_otherwise():
    p = np.array(
        [
            [0.9, 0.6, 0.1],  # exclusive likeliest: alone
            [0.6, 0.8, 0.7],  # another likelier: dropped, the others kept
            [0.7, 0.7, 0.2],  # a tie: the exclusive label alone
            [0.3, 0.8, 0.6],  # not chosen: unchanged
            [0.8, 0.1, 0.2],  # alone already
        ]
    )
    got = themes._keep_exclusive(p, p >= 0.5, [0])
    assert got.astype(int).tolist() == [[1, 0, 0], [0, 1, 1], [1, 0, 0], [0, 1, 1], [1, 0, 0]]
    assert (themes._keep_exclusive(p, p >= 0.5, []) == (p >= 0.5)).all()


def test_a_model_saved_before_question_specific_words_still_loads_and_classifies(tmp_path, monkeypatch):
    monkeypatch.setitem(themes.PARAMS, "question_words", 0.0)
    old = themes_training.fit(_question_dependent_training())
    del old.info["params"]["question_words"]  # as a model of an earlier pxassure recorded its settings
    old.save(tmp_path / "old")
    monkeypatch.undo()
    loaded = themes.Model.load(tmp_path / "old")
    texts, asked = pd.Series(["the nurses came", "the meals came"]), pd.Series(["What was good?"] * 2)
    pd.testing.assert_frame_equal(loaded.predict(texts, asked), old.predict(texts, asked), atol=1e-3)
    # nor did it read the FFT answer: given one, it answers as before
    assert not loaded.uses_rating
    pd.testing.assert_frame_equal(loaded.predict(texts, asked, pd.Series(["1", "5"])), old.predict(texts, asked))


def test_split_by_respondent_never_splits_a_person(small_model):
    data = themes_training.read_training(small_model[1])
    a, b = themes_training.split_by_respondent(data, 0.2, 42)
    assert not set(data.respondent.iloc[a]) & set(data.respondent.iloc[b]) and len(a) + len(b) == len(data.text)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.drop(columns=["FFT answer"]), "column 'FFT answer'"),
        (lambda d: d.assign(**{LABELS[0]: "yes"}), f"row 2, column '{LABELS[0]}'"),
        (lambda d: d.assign(**{"Comment sentiment": "6"}), "row 2, column 'Comment sentiment'"),
        (lambda d: d.assign(**{"FFT categorical answer": "Very good"}), "row 2, column 'FFT categorical answer'"),
    ],
)
def test_a_bad_training_file_names_row_and_column(edit, message, tmp_path):
    good = pd.read_csv(small_training_file(tmp_path / "a.csv"), dtype=str, keep_default_na=False)
    edit(good).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(ReadError, match=message):
        themes_training.read_training(tmp_path / "b.csv")


# --- the loader ---------------------------------------------------------------------------------


def test_the_loader_keeps_a_persons_coding_and_classifies_the_rest(tmp_path):
    from minitrust import build

    with build(tmp_path / "s.duckdb") as store:
        ward = store.table("org_units").query("level == 'ward'")["unit_id"].iloc[0]
    csv = tmp_path / "feedback_comments.csv"
    csv.write_text(
        "comment_id,unit_id,month,source,question,text,labels,sentiment\n"
        f"P1,{ward},2026-01,fft,What was good?,Lovely food,Food & drink provision & facilities,1\n"
        f"P2,{ward},2026-01,fft,What was good?,The nurses were so kind,Staff manner & personal attributes,\n"
        f"M1,{ward},2026-01,fft,What could we do better?,I waited six hours to be seen,,\n"
        f"M2,{ward},2026-01,fft,,Did not answer,,\n"
    )
    with Store(tmp_path / "s.duckdb") as store:
        sources.load_files(store, {"feedback_comments": csv}, replace=True)
        rows = store.table("feedback_comments").set_index("comment_id")
    version = themes.Model.load().version
    p1, p2, m1, m2 = (rows.loc[k] for k in ("P1", "P2", "M1", "M2"))
    assert (p1["labels"], p1["sentiment"], p1["labels_by"], p1["sentiment_by"]) == (
        "Food & drink provision & facilities",
        1,
        "person",
        "person",
    )
    assert pd.isna(p1["model_version"]) and pd.isna(p1["confidence"])
    assert p2["labels_by"] == "person" and p2["sentiment_by"] == "model" and p2["sentiment"] in (1, 2)
    assert p2["model_version"] == version and pd.isna(p2["confidence"])  # its labels were a person's
    assert m1["labels_by"] == "model" and "Timeliness of care" in m1["labels"].split("|")
    assert m1["sentiment"] in (4, 5) and 0.5 <= m1["confidence"] <= 1 and m1["model_version"] == version
    assert m2["labels"] == themes.BLANK_LABEL and pd.isna(m2["sentiment"]) and pd.isna(m2["sentiment_by"])


def test_the_loader_reads_an_fft_answer_where_the_extract_has_one(tmp_path):
    from minitrust import build
    from pxassure.errors import ValidationError

    with build(tmp_path / "s.duckdb") as store:
        ward = store.table("org_units").query("level == 'ward'")["unit_id"].iloc[0]
    csv = tmp_path / "feedback_comments.csv"
    head = "comment_id,unit_id,month,source,question,rating,text,labels,sentiment\n"
    said, asked = "It was fine I suppose", "What could we do better?"
    csv.write_text(head + "".join(f"A{r or 0},{ward},2026-01,fft,{asked},{r},{said},,\n" for r in (1, 5, "")))
    with Store(tmp_path / "s.duckdb") as store:
        sources.load_files(store, {"feedback_comments": csv}, replace=True)
        rows = store.table("feedback_comments").set_index("comment_id")
        assert rows.loc["A5", "rating"] == 5 and pd.isna(rows.loc["A0", "rating"])
        # the same words read as more negative from someone who answered "very poor"
        assert rows.loc["A5", "sentiment"] > rows.loc["A1", "sentiment"]
        csv.write_text(head + f"A3,{ward},2026-01,fft,,7,Fine,,\n")
        with pytest.raises(ValidationError, match="row 2, column 'rating'"):
            sources.load_files(store, {"feedback_comments": csv}, replace=True)
        assert set(store.table("feedback_comments")["comment_id"]) == {"A0", "A1", "A5"}  # nothing lost


def test_the_demo_comments_arrive_uncoded_and_are_coded_at_load(demo_db, demo_inputs):
    raw = pd.read_csv(demo_inputs / "feedback_comments.csv", dtype=str, keep_default_na=False)
    assert (raw["labels"] == "").all() and (raw["sentiment"] == "").all()
    assert raw["rating"].isin(list("12345")).all()  # each with its FFT answer, as a real extract has
    with Store(demo_db, read_only=True) as store:
        stored = store.table("feedback_comments")
    with Store(demo_db, read_only=True) as store:
        checked = set(store.table("theme_reviews")["comment_id"])  # the demo's reviewer checked some
    by_model = ~stored["comment_id"].isin(checked)
    assert (stored.loc[by_model, "labels_by"] == "model").all() and stored["model_version"].notna().all()
    assert (stored.loc[~by_model, "labels_by"] == "person").all() and len(checked) > 20
    assert stored["sentiment"].between(1, 5).all()
    # the answer and the model's tone agree for nearly every comment (both say positive or negative)
    tone = (stored["sentiment"] <= 2).where(stored["sentiment"] != 3)
    answer = (stored["rating"] <= 2).where(stored["rating"] != 3)
    both = tone.notna() & answer.notna()
    assert (tone[both] == answer[both]).mean() > 0.95


# --- in the papers ------------------------------------------------------------------------------


def test_a_ward_theme_surge_is_charted_and_escalated(demo_db):
    from pxassure.reports import patient_experience_report, ward_report

    theme = demo.PLANTED["theme_surge"][0]
    ward = ward_report(demo_db, unit_id=demo.PLANTED["deteriorating_ward"])
    chart = next(c for c in ward.theme_charts if c.measure.name == f"Negative comments: {theme}")
    assert chart.result.chart == "c" and chart.result.variation == "concern_high"
    assert f"negative_theme:{theme}" in set(ward.exceptions["measure_id"])
    assert f"negative_theme:{theme}" in set(ward.escalations["measure_id"])  # what its findings say
    pec = patient_experience_report(demo_db)
    assert f"Negative comments: {theme}" in set(pec.exceptions["measure"])
    table = ward.themes.set_index("theme")
    assert table.loc[theme, "negative"] >= demo.PLANTED["theme_surge"][2] and "previous" in table


def test_one_or_two_comments_never_make_an_exception(tmp_path):
    from minitrust import build
    from pxassure.reports import ward_report

    with build(tmp_path / "s.duckdb") as store:
        ward = store.table("org_units").query("level == 'ward'")["unit_id"].iloc[0]
    months = pd.period_range("2024-12", "2026-01", freq="M").astype(str)
    rows = [
        (f"C{i}", ward, m, "fft", "q", "Lovely food", "Food & drink provision & facilities", 1)
        for i, m in enumerate(months)
    ]
    rows += [
        (f"N{k}", ward, months[-1], "fft", "q", "Food was cold", "Food & drink provision & facilities", 5)
        for k in range(2)
    ]
    frame = pd.DataFrame(
        rows, columns=["comment_id", "unit_id", "month", "source", "question", "text", "labels", "sentiment"]
    )
    csv = tmp_path / "feedback_comments.csv"
    frame.to_csv(csv, index=False)
    with Store(tmp_path / "s.duckdb") as store:
        sources.load_files(store, {"feedback_comments": csv})
    r = ward_report(tmp_path / "s.duckdb", unit_id=ward, period=months[-1])
    assert r.theme_charts == []  # two negative comments in three months: no chart
    assert not any(str(m).startswith("negative_theme:") for m in r.exceptions["measure_id"])
    assert not any(str(m).startswith("negative_theme:") for m in r.escalations["measure_id"])


def test_the_committee_sees_themes_rising_and_falling_with_small_numbers_hidden(demo_db):
    from pxassure.reports import patient_experience_report

    t = patient_experience_report(demo_db).comment_themes
    assert {"theme", "recent", "before", "change", "negative", "direction"} <= set(t.columns)
    assert "text" not in t.columns  # no comment is quoted above the ward paper
    small = t[t["recent"] == "*"]
    assert len(small) and (small["direction"] == "too few to say").all() and (small["change"] == "").all()
    # a count hidden beside another (secondary suppression) is not given away by the change either
    assert (t.loc[(t["recent"] == "*") | (t["before"] == "*"), "change"] == "").all()
    shown = t[t["recent"] != "*"]["recent"].str.replace(",", "").astype(int)
    assert ((shown >= 5) | (shown == 0)).all()  # 1 to 4 hidden; none is no one's to identify


def test_theme_changes_allow_for_how_many_comments_each_period_had():
    from pxassure.analysis.comments import theme_changes

    def comments(month, n, themed):
        return [
            (f"{month}-{i}", "W", month, "Food & drink provision & facilities" if i < themed else "Discharge", 2)
            for i in range(n)
        ]

    rows = comments("2026-01-01", 100, 20) + comments("2026-04-01", 200, 40)  # twice the comments, same share
    rows += comments("2026-02-01", 0, 0)
    frame = pd.DataFrame(rows, columns=["comment_id", "unit_id", "month", "labels", "sentiment"])
    t = theme_changes(frame, pd.Timestamp("2026-04-01")).set_index("theme")
    assert t.loc["Food & drink provision & facilities", "direction"] == "no clear change"
    rows = comments("2026-01-01", 100, 10) + comments("2026-04-01", 100, 40)
    frame = pd.DataFrame(rows, columns=["comment_id", "unit_id", "month", "labels", "sentiment"])
    assert (
        theme_changes(frame, pd.Timestamp("2026-04-01"))
        .set_index("theme")
        .loc["Food & drink provision & facilities", "direction"]
        == "rising"
    )


def test_no_comment_is_quoted_in_the_board_paper(board):
    html = Path(board.html).read_text(encoding="utf-8")
    for text in ("short staffed", "call bell", "HYPERLINK", "07700"):
        assert text not in html
