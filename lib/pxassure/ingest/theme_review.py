"""The correction loop: a workbook of a unit's comments for a person to check, and its import.

``pxassure themes review`` writes, for one unit and period, the comments pxassure coded: first a
sample drawn at random from all of them (so how often people agree with pxassure there is a fair
figure of its accuracy on this trust's comments), then, from the rest, those it was least sure of —
tones that contradict the patient's own answer, tones a rule took from that answer, then the lowest
theme confidence — presented first. Where pxassure found no theme the person's cells offer "Not
assigned" (the framework's label for a comment that fits no category), and the two count as agreeing. Each row carries pxassure's coding and, beside
it, the same coding in cells with drop-down lists (the framework's themes; the five tones) for the
person to change; a row counts as checked once its "Checked by" cell is filled in.

``pxassure themes import-review`` validates every checked row (problems name the sheet, row, column,
value and what was expected; nothing is stored until all are fixed) and writes, in one transaction,
each into ``theme_reviews`` and its comment's coding into ``feedback_comments`` as a person's. The
workbook holds patients' words as the comments extract does: keep it where that is kept.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ParameterError, ReadError, ValidationError
from pxassure.ingest import themes, tone
from pxassure.ingest.columns import REVIEW_SAMPLES
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import text_cell
from pxassure.ingest.review_schema import THEME_REVIEWS

SHEET, LABELS_SHEET, READ_ME = "Comments to check", "Themes", "Read me"
LEAST_CONFIDENT, RANDOM_SAMPLE = REVIEW_SAMPLES
TONES = ("1 very positive", "2 positive", "3 mixed", "4 negative", "5 very negative")
RATING_WORDS = {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor", 5: "Very poor", 6: "Don't know"}
#: The framework's label for a comment that fits no category: offered where pxassure found no theme.
NONE_FITS = "Not assigned"
THEME_CELLS = 4  # drop-downs per row: a comment rarely has more themes
#: The sheet's columns: what pxassure wrote, then the person's cells.
SHOWN = ["Comment ID", "Unit", "Month", "Why chosen", "Question", "FFT answer", "Comment"]
GIVEN = ["pxassure's themes", "pxassure's tone", "Model version"]
CHECKED = [*(f"Theme {i}" for i in range(1, THEME_CELLS + 1)), "Tone", "Checked by"]
HEADINGS = SHOWN + GIVEN + CHECKED


def choose(comments: pd.DataFrame, least: int, sample: int, seed: int, reviewed=()) -> pd.DataFrame:
    """The comments to check: ``least`` least confident, then a ``sample`` drawn at random. The
    random sample is drawn first, from every comment pxassure coded and no person has checked, so
    choosing the least confident never biases it."""
    coded = comments[
        (comments["labels_by"] != "rule")
        & ((comments["labels_by"] == "model") | comments["sentiment_by"].isin(["model", "rule"]))
        & ~comments["comment_id"].isin(set(reviewed))
    ]
    rng = np.random.default_rng(seed)
    drawn = coded.iloc[np.sort(rng.permutation(len(coded))[:sample])]
    rest = coded.drop(index=drawn.index)
    doubt = pd.DataFrame(
        {
            "against": ~tone.contradicts(rest["sentiment"], rest["question"], rest["rating"]),
            "rule": rest["sentiment_by"] != "rule",
            "confidence": rest["confidence"].fillna(1.0),
        },
        index=rest.index,
    )
    unsure = rest.loc[doubt.sort_values(["against", "rule", "confidence"], kind="stable").index[:least]]
    return pd.concat([unsure.assign(sample=LEAST_CONFIDENT), drawn.assign(sample=RANDOM_SAMPLE)])


def tone_text(sentiment) -> str:
    return "" if pd.isna(sentiment) else TONES[int(sentiment) - 1]


def write(path: str | Path, chosen: pd.DataFrame, unit_name: str, period: str, labels: list[str]) -> Path:
    """The review workbook: a read-me, the comments to check and the framework's themes."""
    from openpyxl import Workbook

    from pxassure.files import atomic_write_bytes

    book = Workbook()
    _read_me(book.active, unit_name, period, len(chosen))
    ws = book.create_sheet(SHEET)
    _headings(ws)
    for i, r in enumerate(chosen.itertuples(index=False), start=2):
        given = [x for x in str(r.labels or "").split(themes.LABEL_SEPARATOR) if x]
        rating = None if pd.isna(r.rating) else int(r.rating)
        cells = [
            r.comment_id,
            unit_name,
            f"{pd.Timestamp(r.month):%Y-%m}",
            r.sample,
            r.question if isinstance(r.question, str) else "",
            f"{rating} {RATING_WORDS[rating]}" if rating in RATING_WORDS else "",
            r.text,
            " | ".join(given),
            tone_text(r.sentiment),
            r.model_version or "",
            *((given or [NONE_FITS]) + [""] * THEME_CELLS)[:THEME_CELLS],
            tone_text(r.sentiment),
            "",
        ]
        for j, value in enumerate(cells, start=1):
            text_cell(ws.cell(i, j), value)
        lines = max(len(str(r.text)) // 55, len(" | ".join(given)) // 38, len(given)) + 1
        ws.row_dimensions[i].height = 15 * lines  # wrapped text shows whole without resizing rows
    _wrap(ws)
    ws.column_dimensions[
        ws.cell(1, HEADINGS.index("Model version") + 1).column_letter
    ].hidden = True  # kept for the import
    themes_ws = book.create_sheet(LABELS_SHEET)
    for i, label in enumerate(labels, start=1):
        text_cell(themes_ws.cell(i, 1), label)
    themes_ws.column_dimensions["A"].width = 60
    _drop_downs(ws, len(labels), max(len(chosen), 1) + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def _read_me(ws, unit_name: str, period: str, rows: int) -> None:
    from openpyxl.styles import Alignment, Font

    ws.title = READ_ME
    lines = [
        f"{unit_name}, {period}: comments to check ({rows})",
        f"Sheet '{SHEET}' lists comments pxassure themed and toned. 'Why chosen' says why each is here: "
        f"'{LEAST_CONFIDENT}' (the ones it was least sure of) or '{RANDOM_SAMPLE}' (drawn at random, so how "
        "often you agree with pxassure there is a fair figure of its accuracy).",
        "For each row: read the comment, the question and the patient's FFT answer; correct the themes "
        "(Theme 1 to 4, from the drop-down; 'Not assigned' where none fits) and the tone; then write your "
        "name or initials in 'Checked by'. A row without 'Checked by' is left as it was.",
        "Leave pxassure's own columns as they are: they record what it gave, so the committee can see how "
        "often people agree with it.",
        "Import it with: pxassure themes import-review THIS-FILE.xlsx --database YOUR.duckdb",
        "This workbook holds patients' words, as the comments extract does: keep it where that is kept.",
    ]
    for i, line in enumerate(lines, start=1):
        text_cell(ws.cell(i, 1), line)
        ws.cell(i, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 100


def _headings(ws) -> None:
    from openpyxl.styles import Font, PatternFill

    blue, green = PatternFill("solid", fgColor="005EB8"), PatternFill("solid", fgColor="006747")
    widths = {"Comment": 60, "Question": 28, "pxassure's themes": 40, "Why chosen": 16}
    for j, heading in enumerate(HEADINGS, start=1):
        cell = ws.cell(1, j, heading)
        cell.font = Font(bold=True, color="FFFFFF")  # white on NHS blue or dark green: over 7:1
        cell.fill = green if heading in CHECKED else blue
        ws.column_dimensions[cell.column_letter].width = widths.get(heading, 30 if heading.startswith("Theme") else 14)
    ws.freeze_panes = "B2"
    # printed as a person would check it on paper: landscape, one page wide, headings on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _wrap(ws) -> None:
    from openpyxl.styles import Alignment

    for row in ws.iter_rows(min_row=2, max_col=len(HEADINGS)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _drop_downs(ws, labels: int, last_row: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    first_theme = HEADINGS.index("Theme 1") + 1
    theme = DataValidation(type="list", formula1=f"'{LABELS_SHEET}'!$A$1:$A${labels}", allow_blank=True)
    theme.error, theme.showErrorMessage = "A theme from the list (sheet Themes)", True
    theme.add(f"{get_column_letter(first_theme)}2:{get_column_letter(first_theme + THEME_CELLS - 1)}{last_row}")
    tone_rule = DataValidation(type="list", formula1='"' + ",".join(TONES) + '"', allow_blank=False)
    tone_rule.error, tone_rule.showErrorMessage = "One of: " + ", ".join(TONES), True
    letter = get_column_letter(HEADINGS.index("Tone") + 1)
    tone_rule.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(theme)
    ws.add_data_validation(tone_rule)


# ---------------------------------------------------------------------------
# Reading it back
# ---------------------------------------------------------------------------


def read(path: str | Path, labels: list[str], stored: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The checked rows of a review workbook as ``theme_reviews`` rows, and how many rows were not
    checked. ``stored`` is ``feedback_comments`` (comment_id, unit_id, month). Every problem found
    is raised together as a :class:`ValidationError`."""
    file = str(path)
    rows = _sheet_rows(path)
    known, problems, out = set(labels), [], []
    units = stored.set_index("comment_id")
    seen: set[str] = set()
    for number, cells in rows:
        if not _filled(cells.get("Checked by")):
            continue
        found = _row(file, number, cells, known, units, seen, problems)
        if found is not None:
            out.append(found)
    if problems:
        raise ValidationError(problems, outcome="nothing was imported")
    unchecked = sum(1 for _, cells in rows if not _filled(cells.get("Checked by")) and _filled(cells.get("Comment ID")))
    return as_reviews(out, pd.Timestamp(date.today())), unchecked


def as_reviews(rows: list[list], reviewed_on: pd.Timestamp) -> pd.DataFrame:
    """``theme_reviews`` rows from lists holding every column but ``reviewed_on``, in the table's order."""
    frame = pd.DataFrame(rows, columns=THEME_REVIEWS.column_names[:-1])
    frame["reviewed_on"] = reviewed_on
    return frame.astype({"sentiment": "Int64", "model_sentiment": "Int64"})


def default_seed(unit_id: str, period: str) -> int:
    """The random draw's seed unless one is given: from the unit and period, so the same command
    writes the same workbook."""
    return sum(map(ord, f"{unit_id}:{period}"))


def _sheet_rows(path) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError) as exc:
        raise ReadError(
            Problem(str(path), None, None, None, f"a review workbook (.xlsx) written by pxassure ({exc})")
        ) from None
    if SHEET not in book.sheetnames:
        raise ReadError(Problem(str(path), None, None, None, f"a sheet named {SHEET!r}"))
    values = list(book[SHEET].iter_rows(values_only=True))
    book.close()
    header = [str(v).strip() if v is not None else "" for v in (values[0] if values else ())]
    missing = [h for h in HEADINGS if h not in header]
    if missing:
        raise ReadError(
            Problem(str(path), 1, missing[0], None, f"the headings pxassure wrote: {', '.join(HEADINGS)}", SHEET)
        )
    return [(i, dict(zip(header, row))) for i, row in enumerate(values[1:], start=2)]


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _row(file, number, cells, known, units, seen, problems) -> list | None:
    def problem(column, value, expected):
        problems.append(Problem(file, number, column, None if value is None else str(value), expected, SHEET))

    comment_id = str(cells["Comment ID"] or "").strip()
    if comment_id not in units.index:
        problem("Comment ID", comment_id, "a comment in the database (the workbook's own, unchanged)")
        return None
    if comment_id in seen:
        problem("Comment ID", comment_id, "each comment once")
        return None
    seen.add(comment_id)
    chosen = []
    for heading in CHECKED[:THEME_CELLS]:
        value = cells.get(heading)
        if not _filled(value):
            continue
        if str(value).strip() not in known:
            problem(heading, value, "a theme from the drop-down list (sheet Themes), or empty")
        elif str(value).strip() not in chosen:
            chosen.append(str(value).strip())
    if not chosen:
        problem("Theme 1", None, "at least one theme ('Not assigned' where none fits)")
    tone_cell = str(cells.get("Tone") or "").strip()
    if tone_cell not in TONES:
        problem("Tone", cells.get("Tone"), "one of: " + ", ".join(TONES))
    sample = str(cells.get("Why chosen") or "").strip()
    if sample not in REVIEW_SAMPLES:
        problem("Why chosen", sample, "as pxassure wrote it: " + " or ".join(REVIEW_SAMPLES))
    given = str(cells.get("pxassure's tone") or "").strip()
    stored = units.loc[comment_id]
    return [
        comment_id,
        stored["unit_id"],
        stored["month"],
        sample,
        themes.LABEL_SEPARATOR.join(
            x.strip() for x in str(cells.get("pxassure's themes") or "").split("|") if x.strip()
        )
        or None,
        TONES.index(given) + 1 if given in TONES else None,
        str(cells.get("Model version") or "").strip() or None,
        themes.LABEL_SEPARATOR.join(chosen),
        TONES.index(tone_cell) + 1 if tone_cell in TONES else None,
        str(cells["Checked by"]).strip(),
    ]


def period_comments(store, unit_id: str, period: str) -> tuple[pd.DataFrame, str, str]:
    """A unit's comments in a period (``2026-10`` or ``2026-Q3``), its name and the period's label."""
    from pxassure.periods import Period

    span = Period.parse(period)
    units = store.query("SELECT unit_id, name FROM org_units WHERE unit_id = ?", [unit_id])
    if units.empty:
        raise ParameterError(f"unit {unit_id!r} is not in the database's org_units")
    comments = store.query(
        "SELECT * FROM feedback_comments WHERE unit_id = ? AND month BETWEEN ? AND ? ORDER BY month, comment_id",
        [unit_id, span.first.date(), span.last.date()],
    )
    return comments, str(units["name"].iat[0]), span.label


def import_review(path: str | Path, store, labels: list[str]) -> tuple[int, int, int]:
    """Store a review workbook's checked rows: each in ``theme_reviews`` and its comment's coding in
    ``feedback_comments`` as a person's, in one transaction. Returns rows stored, rows not checked
    and how many of the stored rows a person changed."""
    from pxassure.ingest.staging import SourceFile

    stored = store.query("SELECT comment_id, unit_id, month FROM feedback_comments")
    reviews, unchecked = read(path, labels, stored)
    if not reviews.empty:
        record(store, reviews, SourceFile.of(path, "theme_reviews", len(reviews)))
    return len(reviews), unchecked, int(changed(reviews).sum())


def record(store, reviews: pd.DataFrame, source=None) -> None:
    """``reviews`` (``theme_reviews`` rows) into the store, and each comment's coding in
    ``feedback_comments`` as a person's, in one transaction."""
    from pxassure.ingest.coding import apply_reviews

    store.con.register("_reviewed", reviews[["comment_id"]])
    try:
        comments = store.query("SELECT c.* FROM feedback_comments c JOIN _reviewed USING (comment_id)")
    finally:
        store.con.unregister("_reviewed")
    coded = apply_reviews(comments, reviews)
    store.load({"theme_reviews": reviews, "feedback_comments": coded}, [source] if source else [], replace=False)


def _themes_of(s: pd.Series) -> pd.Series:
    """Each row's themes as a set; no theme found is the framework's "Not assigned" (fits no category)."""
    return s.fillna("").map(lambda t: frozenset(x for x in t.split(themes.LABEL_SEPARATOR) if x) or {NONE_FITS})


def themes_agree(reviews: pd.DataFrame) -> pd.Series:
    """Where the person gave exactly the themes pxassure gave."""
    return _themes_of(reviews["labels"]) == _themes_of(reviews["model_labels"])


def themes_overlap(reviews: pd.DataFrame) -> pd.Series:
    """Where the person and pxassure gave at least one theme in common."""
    return pd.Series(
        [bool(a & b) for a, b in zip(_themes_of(reviews["labels"]), _themes_of(reviews["model_labels"]))],
        index=reviews.index,
        dtype=bool,
    )


def tone_agrees(reviews: pd.DataFrame) -> pd.Series:
    """Where the person gave the same tone as pxassure (1-2 positive, 3 mixed, 4-5 negative)."""
    return reviews["sentiment"].map(tone.tone_of) == reviews["model_sentiment"].map(tone.tone_of)


def changed(reviews: pd.DataFrame) -> pd.Series:
    """Where the person changed pxassure's themes or tone."""
    return ~(themes_agree(reviews) & tone_agrees(reviews))
