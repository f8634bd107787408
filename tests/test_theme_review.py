"""Comment themes a ward can trust (#33): non-comments uncoded, tones that fit the patient's own
answer, and the correction loop — a review workbook a person fills in, imported as a person's coding
that outlives reloads, used to retrain and reported to the committee as agreement on a random sample."""

import shutil

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from pxassure.analysis import comments as comment_analysis
from pxassure.cli import main
from pxassure.ingest import sources, theme_review, themes, tone
from pxassure.ingest.store import Store
from test_themes import small_training_file

CLEAN = "Cleanliness, tidiness & infection control"


# --- tone that fits the answer ------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, kind",
    [
        ("What did we do well?", tone.WENT_WELL),
        ("What was good about your care?", tone.WENT_WELL),
        ("What did you like most?", tone.WENT_WELL),
        ("How could we improve?", tone.IMPROVE),
        ("Is there anything we could have done differently?", tone.IMPROVE),
        ("What could we do better?", tone.IMPROVE),
        ("Why did you give that answer?", tone.OPEN),
        ("Please describe anything you were satisfied or not good about", tone.OPEN),
        (None, ""),
    ],
)
def test_a_question_is_read_for_what_it_asks_whatever_its_wording(question, kind):
    assert tone.question_kind(question) == kind


def test_a_short_positive_answer_to_what_went_well_with_a_good_rating_is_positive():
    said, asked = "Good communication about my discharge.", "What did we do well?"
    assert tone.fit_one(4, said, asked, 2) == (2, False)  # the model's negative does not stand
    assert tone.fit_one(5, said, asked, 1) == (1, False)
    assert tone.fit_one(4, said, "Why?", 2) == (4, False)  # an open question implies nothing
    assert tone.fit_one(4, said, asked, 3) == (4, False)  # nor does a middling rating
    # through the shipped model, as loading and `themes classify` code comments
    coded = themes.classify(themes.Model.load(), pd.Series([said]), pd.Series([asked]), pd.Series([2]))
    assert coded["sentiment"].iat[0] in (1, 2) and not coded["against_answer"].iat[0]


def test_words_of_both_make_a_mixed_comment():
    assert tone.fit_one(4, "Noisy at night but the nurses were helpful", "Tell us about your stay", None) == (3, False)
    assert tone.fit_one(1, "The nurses were helpful, although the food was cold", None, None) == (3, False)
    assert tone.fit_one(1, "The nurses were helpful and kind", None, None) == (1, False)
    assert tone.both_said("Lovely staff; however I waited six hours")
    assert not tone.both_said("The staff were not helpful but I was seen")  # a complaint on both sides


def test_strong_words_keep_a_tone_the_answer_contradicts_and_name_it():
    said = "The staff were rude and I was ignored all night"
    assert tone.fit_one(5, said, "What did we do well?", 2) == (5, True)
    assert tone.fit_one(1, "Everything was excellent", "What could we do better?", 5) == (1, True)
    # a negated word of praise is a complaint
    assert tone.cues("the nurse was not very helpful") == (False, True)


def test_non_comments_are_never_labelled_or_toned_by_classify():
    text = pd.Series(["N/A", "None", "-", "nothing", "No comment.", "...", "", "The food was cold"])
    coded = themes.classify(themes.Model.load(), text)
    assert (coded["labels"].iloc[:7] == themes.BLANK_LABEL).all() and coded["sentiment"].iloc[:7].isna().all()
    assert coded["labels"].iat[7] != themes.BLANK_LABEL and coded["sentiment"].iat[7] >= 3


def _comments(rows):
    cols = ["comment_id", "unit_id", "month", "question", "rating", "labels", "sentiment", "sentiment_by"]
    frame = pd.DataFrame(rows, columns=cols)
    frame["sentiment"] = frame["sentiment"].astype("Int64")
    return frame


def test_a_theme_exception_never_rests_on_tones_that_contradict_the_answer():
    staff = "Number & deployment of staff"
    rows = [(f"B{i}", "W1", "2026-01-01", "What was good?", 1, staff, 2, "model") for i in range(6)]
    rows += [(f"C{i}", "W1", "2026-02-01", "What was good?", 1, staff, 5, "model") for i in range(4)]  # against
    rows += [(f"D{i}", "W1", "2026-02-01", "What could we do better?", 4, staff, 5, "model") for i in range(2)]
    rows += [("E0", "W1", "2026-02-01", "What was good?", 1, staff, 5, "person")]  # a person's check stands
    frame = _comments(rows)
    against = comment_analysis.against_answer(frame)
    assert list(frame.loc[against, "comment_id"]) == ["C0", "C1", "C2", "C3"]
    counts = comment_analysis.negative_theme_counts(frame).set_index("month")["numerator"]
    assert counts[pd.Timestamp("2026-02-01")] == 3  # D0, D1 and E0; never the four against the answer


def test_the_committee_is_told_agreement_only_on_enough_comments_drawn_at_random():
    def reviews(n, same):
        return pd.DataFrame(
            {
                "sample": ["random sample"] * n + ["least confident"] * 5,
                "model_labels": ["A"] * (n + 5),
                "labels": ["A"] * same + ["B"] * (n - same) + ["B"] * 5,
                "model_sentiment": pd.array([1] * (n + 5), dtype="Int64"),
                "sentiment": pd.array([2] * (n - 1) + [4] + [4] * 5, dtype="Int64"),
                "model_version": ["v1"] * (n + 5),
            }
        )

    a = comment_analysis.review_agreement(reviews(20, 15))
    assert (a["checked"], a["least_confident"], a["themes"], a["tone"]) == (20, 5, 0.75, 0.95)
    assert a["themes_overlap"] == 0.75
    few = comment_analysis.review_agreement(reviews(19, 19))
    assert few["checked"] == 19 and few["themes"] is None and few["tone"] is None
    none = comment_analysis.review_agreement(reviews(20, 15).iloc[0:0])
    assert none["checked"] == 0 and none["themes"] is None


def test_the_random_sample_is_drawn_before_and_apart_from_the_least_confident():
    n = 60
    frame = pd.DataFrame(
        {
            "comment_id": [f"K{i:02d}" for i in range(n)],
            "labels": ["A"] * n,
            "labels_by": ["model"] * (n - 4) + ["rule", "person", "person", "model"],
            "sentiment_by": ["model"] * (n - 4) + [None, "person", "model", "model"],
            "sentiment": pd.array([2] * n, dtype="Int64"),
            "question": ["What was good?"] * n,
            "rating": [1] * n,
            "confidence": np.linspace(0.99, 0.5, n),
        }
    )
    one = theme_review.choose(frame, 5, 10, seed=3, reviewed={"K00"})
    other = theme_review.choose(frame, 0, 10, seed=3, reviewed={"K00"})
    drawn = one[one["sample"] == "random sample"]["comment_id"]
    assert list(drawn) == list(other["comment_id"])  # how many least-confident are asked for never moves it
    unsure = one[one["sample"] == "least confident"]
    eligible = frame[~frame["comment_id"].isin({"K00", "K56", "K57", *drawn})]
    assert list(unsure["comment_id"]) == list(eligible.sort_values("confidence")["comment_id"][:5])
    chosen = set(one["comment_id"])
    assert not chosen & {"K00", "K56", "K57"}  # already reviewed, a non-comment, a person's coding
    assert "K58" in set(theme_review.choose(frame, 0, 60, seed=1)["comment_id"])  # its tone is the model's


# --- the correction loop, end to end ------------------------------------------------------------


def _fill(path, person):
    """Check every row but the last as ``person`` decides: (text, pxassure's themes) -> themes, tone."""
    book = load_workbook(path)
    ws = book[theme_review.SHEET]
    head = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(head)}
    rows = list(range(2, ws.max_row + 1))
    for r in rows[:-1]:
        decided = person(ws.cell(r, col["Comment"]).value, ws.cell(r, col["pxassure's themes"]).value)
        if decided:
            labels, tone_text = decided
            for i in range(theme_review.THEME_CELLS):
                ws.cell(r, col[f"Theme {i + 1}"]).value = labels[i] if i < len(labels) else None
            ws.cell(r, col["Tone"]).value = tone_text
        ws.cell(r, col["Checked by"]).value = "RN"
    book.save(path)
    return len(rows) - 1


def _cleanliness(text, given):
    return ([CLEAN], "1 very positive") if "clean" in text.lower() else None


def _training_file(path):
    """The tests' small training file, with every label of the framework as a column (three used)."""
    small = pd.read_csv(small_training_file(path), dtype=str, keep_default_na=False)
    for label in themes.model_labels():
        if label not in small.columns:
            small[label] = ""
    small.to_csv(path, index=False)
    return path


def test_a_review_workbook_round_trips_into_the_store_reloads_and_retraining(demo_db, demo_inputs, tmp_path, capsys):
    db = tmp_path / "trust.duckdb"
    shutil.copy(demo_db, db)
    with Store(db, read_only=True) as store:
        already = len(store.table("theme_reviews"))  # the demo's own reviewer checked three wards
        busiest = store.query(
            "SELECT unit_id FROM feedback_comments WHERE month BETWEEN '2026-07-01' AND '2026-09-01' "
            "AND unit_id NOT IN (SELECT unit_id FROM theme_reviews) "
            "GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 3"
        )["unit_id"]
    assert already and len(busiest) == 3
    checked = 0
    for unit in busiest:
        book = tmp_path / f"review-{unit}.xlsx"
        args = ["themes", "review", "--unit", unit, "--period", "2026-Q3", "--output", str(book), "--database", str(db)]
        assert main([*args, "--least", "8", "--sample", "10"]) == 0
        ws = load_workbook(book)[theme_review.SHEET]
        rules = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
        assert any("'Themes'!$A$1:$A$" in f for f in rules.values())  # the framework's themes as a drop-down
        assert any("3 mixed" in f for f in rules.values())  # and the five tones
        whys = [c.value for c in ws["D"][1:]]
        assert whys == sorted(whys)  # the least confident first, then the random sample
        checked += _fill(book, _cleanliness)
        assert main(["themes", "import-review", str(book), "--database", str(db)]) == 0
        assert "without 'Checked by' left as they were" in capsys.readouterr().out

    with Store(db, read_only=True) as store:
        reviews = store.table("theme_reviews")
        stored = store.table("feedback_comments").set_index("comment_id")
    assert len(reviews) == already + checked and set(reviews["reviewed_by"]) == {"RN", "Demo reviewer"}
    reviews = reviews[reviews["reviewed_by"] == "RN"]
    assert (stored.loc[reviews["comment_id"], "labels_by"] == "person").all()
    cleaned = reviews[reviews["labels"] == CLEAN]
    assert len(cleaned) >= 3 and (cleaned["sentiment"] == 1).all() and cleaned["model_labels"].notna().all()
    assert (stored.loc[cleaned["comment_id"], "labels"] == CLEAN).all()

    # reloading the comments extract keeps what the person gave
    with Store(db) as store:
        sources.load_files(store, {"feedback_comments": demo_inputs / "feedback_comments.csv"}, replace=True)
        again = store.table("feedback_comments").set_index("comment_id")
    assert (again.loc[cleaned["comment_id"], "labels"] == CLEAN).all()
    assert (again.loc[reviews["comment_id"], "sentiment_by"] == "person").all()

    # retraining on the public-layout file plus the corrections learns what only the person taught
    training, model_dir = _training_file(tmp_path / "labelled.csv"), tmp_path / "model"
    assert main(["themes", "train", str(training), "--output", str(model_dir), "--corrections", str(db)]) == 0
    out = capsys.readouterr().out
    assert "the trust's corrections" in out and "retrained with the other corrections" in out
    model = themes.Model.load(model_dir)
    trust = model.info["metrics"]["trust_corrections"]
    assert trust["corrections"] == already + checked and trust["held_out"] >= 5
    assert {"micro_f1", "macro_f1", "sentiment_accuracy_3"} <= set(trust["retrained"]) & set(trust["model_in_use"])
    assert model.info["corrections"]["rows"] == already + checked
    said = themes.classify(model, pd.Series(["Clean, calm and well organised. Thank you to the whole team."]))
    assert CLEAN in said["labels"].iat[0].split("|")  # the file alone has no comment with this label


def test_a_bad_review_workbook_is_refused_whole_naming_each_cell(demo_db, tmp_path, capsys):
    db = tmp_path / "trust.duckdb"
    shutil.copy(demo_db, db)
    book = tmp_path / "review.xlsx"
    with Store(db, read_only=True) as store:
        before = store.table("feedback_comments")
    args = ["themes", "review", "--unit", "016", "--period", "2026-Q3", "--output", str(book), "--database", str(db)]
    assert main([*args, "--least", "2", "--sample", "3"]) == 0
    wb = load_workbook(book)
    ws = wb[theme_review.SHEET]
    col = {c.value: c.column for c in ws[1]}
    ws.cell(2, col["Tone"]).value = "quite good"
    ws.cell(3, col["Theme 2"]).value = "Car park charges"
    ws.cell(4, col["Comment ID"]).value = "NOT-A-COMMENT"
    for r in (2, 3, 4, 5):
        ws.cell(r, col["Checked by"]).value = "AK"
    wb.save(book)
    assert main(["themes", "import-review", str(book), "--database", str(db)]) != 0
    err = capsys.readouterr().err
    assert "3 problem(s) found; nothing was imported" in err
    assert (
        "row 2, column 'Tone': found 'quite good'" in err and "row 3, column 'Theme 2': found 'Car park charges'" in err
    )
    assert "row 4, column 'Comment ID'" in err and "Traceback" not in err
    with Store(db, read_only=True) as store:
        assert set(store.table("theme_reviews")["reviewed_by"]) == {"Demo reviewer"}
        pd.testing.assert_frame_equal(store.table("feedback_comments"), before)


def test_the_ward_paper_names_tones_against_the_answer_redacted():
    from pxassure.reports.comment_coding import counts
    from pxassure.reports.ward import _tone_conflicts

    rows = [
        ("A1", "W1", "2026-09-01", "What did we do well?", 2, "Staff responsiveness", 5, "model"),
        ("A2", "W1", "2026-09-01", "What did we do well?", 2, "Staff responsiveness", 5, "person"),
        ("A3", "W1", "2026-09-01", "What did we do well?", 2, themes.BLANK_LABEL, None, "rule"),
        ("A4", "W1", "2026-05-01", "What did we do well?", 2, "Staff responsiveness", 5, "model"),  # too early
    ]
    frame = _comments(rows).assign(text=["Rude staff, ring 07700 900123", "Rude", "N/A", "Old"])
    listed = _tone_conflicts(frame, pd.Timestamp("2026-10-01"))
    assert list(listed["month"]) == ["Sep 2026"] and listed["answer"].iat[0] == "Good"
    assert listed["tone"].iat[0] == "negative" and "07700" not in listed["text"].iat[0]
    assert counts(frame, pd.Timestamp("2026-10-01")) == {"comments": 2, "non_comments": 1}
