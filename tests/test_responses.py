"""Responses to escalated exceptions: recorded as data, shown at every layer, never assumed."""

import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from pxassure.cli import main
from pxassure.ingest import demo
from pxassure.ingest.store import Store
from pxassure.reports import board_report, division_report, ward_report
from pxassure.reports.escalation import response_text, with_responses

WARD = demo.PLANTED["deteriorating_ward"]


@pytest.fixture(scope="module")
def board(demo_db):
    return board_report(demo_db)


def test_each_exception_carries_its_recorded_response_or_none(board):
    rows = board.exceptions.set_index(["unit_id", "measure_id"])
    row = rows.loc[(WARD, "fft_positive")]
    assert row["status"] == "in progress" and row["owner"] == "Matron, Medicine" and row["responded"]
    others = board.exceptions[
        (board.exceptions["unit_id"] != WARD) | (board.exceptions["measure_id"] != "fft_positive")
    ]
    assert len(others) and others["action"].isna().all() and not others["responded"].any()
    assert {response_text(r) for r in others.to_dict("records")} == {"No action recorded."}


def test_the_cover_seeks_what_is_not_recorded_and_weighs_what_is(board):
    said = board.cover_sheet().asked_to
    unanswered = next(s for s in said if s.startswith("seek from the divisions what is being done"))
    answered = next(s for s in said if s.startswith("consider whether the action recorded is enough"))
    others = board.exceptions[board.exceptions["unit_id"] != WARD]["ward"]
    assert len(others) and all(w in unanswered for w in others) and "Willow Ward (FFT" not in unanswered
    assert "Willow Ward (FFT % positive)" in answered
    assert not any("actions their divisions are taking" in s for s in said)


def test_every_layer_shows_the_same_response(demo_db, board):
    division = division_report(demo_db, unit_id="MED").exceptions
    ward = ward_report(demo_db, unit_id=WARD).escalations
    for frame in (board.exceptions, division, ward):
        row = frame[(frame["unit_id"] == WARD) & (frame["measure_id"] == "fft_positive")].iloc[0]
        assert row["action"].startswith("Two permanent night nurses recruited")
    text = " ".join(ward_report(demo_db, unit_id=WARD).summary_text())
    assert "FFT % positive — what is being done: In progress: Two permanent" in text


def _data(responses, month="2026-10"):
    return SimpleNamespace(tables={"exception_responses": responses}, month=pd.Timestamp(month + "-01"))


def _response(**kw):
    row = {
        "measure": "fft_positive",
        "unit_id": "014",
        "raised": pd.Timestamp("2026-05-01"),
        "data_show": None,
        "cause": None,
        "action": "Extra staff",
        "owner": "Matron",
        "due": pd.Timestamp("2026-06-30"),
        "status": "completed",
        "effect_expected": pd.Timestamp("2026-08-01"),
    }
    return pd.DataFrame([{**row, **kw}])


EXCEPTION = pd.DataFrame([{"unit_id": "014", "measure_id": "fft_positive", "ward": "Willow Ward"}])


def test_a_completed_response_while_the_concern_continues_asks_for_more():
    row = with_responses(EXCEPTION, _data(_response())).iloc[0]
    assert not row["responded"]
    assert response_text(row.to_dict()).endswith("The concern continues: no further action recorded.")
    # completed, with its effect still expected: in hand
    row = with_responses(EXCEPTION, _data(_response(effect_expected=pd.Timestamp("2026-12-01")))).iloc[0]
    assert row["responded"]


def test_an_open_response_past_its_due_date_is_marked_overdue():
    row = with_responses(EXCEPTION, _data(_response(status="in progress"))).iloc[0]
    assert row["responded"] and row["overdue"]
    assert "Due 30 Jun 2026 (overdue)." in response_text(row.to_dict())
    later = with_responses(EXCEPTION, _data(_response(status="in progress", due=pd.Timestamp("2026-12-31")))).iloc[0]
    assert not later["overdue"]


def test_the_latest_response_is_shown_and_none_from_after_the_month(demo_db):
    two = pd.concat([_response(), _response(raised=pd.Timestamp("2026-09-01"), action="Second look")])
    assert with_responses(EXCEPTION, _data(two)).iloc[0]["action"] == "Second look"
    from pxassure.reports.data import load

    before = load(demo_db, "2026-07")  # the demo's response to the ward was raised in 2026-08
    assert WARD not in set(before.responses["unit_id"])


def test_bad_response_rows_are_refused_with_row_column_and_expected(demo_db, tmp_path, capsys):
    db = tmp_path / "copy.duckdb"
    shutil.copy(demo_db, db)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "exception_responses.csv").write_text(
        "measure,unit_id,raised,data_show,cause,action,owner,due,status,effect_expected\n"
        "fft_postive,014,2026-09,,,Audit,Matron,2026-12-01,in progress,\n"  # row 2: a typo in the measure
        "fft_positive,014,2026-09,,,Audit,Matron,2026-12-01,ongoing,\n"  # row 3: not a status
        "negative_theme:Number & deployment of staff,014,2026-10,,,Rota review,Matron,,planned,2027-01\n"
    )
    assert main(["load", str(folder), "--database", str(db), "--append"]) == 1
    err = capsys.readouterr().err
    where = str(folder / "exception_responses.csv")
    assert f"{where}, row 2, column 'measure'" in err and f"{where}, row 3, column 'status'" in err
    assert "'in progress'" in err and "row 4" not in err  # a comment theme's exception is a measure too
    with Store(db, read_only=True) as store:
        assert len(store.table("exception_responses")) == 2  # the demo's, unchanged
