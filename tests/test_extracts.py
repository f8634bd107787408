"""A trust's own exports, mapped by a sources file with no code (issue #27): the example trust's
extracts load, reconcile with the files they came from, and build every paper; mistakes in the
extracts or the mapping are reported in one pass, and nothing is loaded."""

import datetime as dt
import html
import re

import numpy as np
import pandas as pd
import pytest
import yaml

from pxassure.cli import main
from pxassure.errors import SourcesFileError
from pxassure.ingest import dates, exampletrust, sourcesfile
from pxassure.ingest.store import Store


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nvh")
    exampletrust.write(folder)
    return folder


@pytest.fixture(scope="module")
def loaded(extracts, tmp_path_factory):
    db = tmp_path_factory.mktemp("nvhdb") / "nvh.duckdb"
    assert main(["load", "--sources", str(extracts / "trust.yaml"), "--database", str(db)]) == 0
    return db


def _table(db, sql):
    with Store(db, read_only=True) as store:
        return store.query(sql)


# -- dates as systems write them ----------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("05/03/2024", dt.date(2024, 3, 5)),  # day first, never month first
        ("5-3-24", dt.date(2024, 3, 5)),
        ("2024-03-05 14:20", dt.date(2024, 3, 5)),
        ("05-Mar-2024", dt.date(2024, 3, 5)),
        ("5 March 2024", dt.date(2024, 3, 5)),
        ("45356", dt.date(2024, 3, 5)),  # an Excel serial number
        ("31/02/2024", None),  # no such day
        ("13/13/2024", None),
        ("Mar-24", None),  # a month alone is not a date …
        ("1234", None),  # … and a small number is not an Excel date
    ],
)
def test_dates_are_read_day_first(text, expected):
    assert dates.parse_one(text) == expected


@pytest.mark.parametrize("text", ["Mar-24", "March 2024", "03/2024", "2024-03", "202403", "17/03/2024"])
def test_months_in_the_shapes_systems_write_them(text):
    parsed = dates.parse(pd.Series([text, "", None]), month=True)
    assert parsed.tolist() == [dt.date(2024, 3, 1), None, None]


# -- the example trust, end to end --------------------------------------------------------


def test_check_says_what_would_load_and_touches_nothing(extracts, tmp_path, capsys):
    db = tmp_path / "never.duckdb"
    assert main(["load", "--sources", str(extracts / "trust.yaml"), "--check", "--database", str(db)]) == 0
    out = capsys.readouterr().out
    assert not db.exists()
    assert re.search(r"^incidents: \d+ row\(s\), 13 unit\(s\), month 2024-11-01 to 2026-10-01$", out, re.M)
    raw = pd.read_csv(extracts / "datix_incidents.csv", dtype=str, keep_default_na=False).drop_duplicates()
    graded = raw[raw["Result / Harm"] != ""]
    off_ward = int(graded["Location (exact)"].str.strip().isin(exampletrust._NON_WARD).sum())
    assert f"warning: extracts.incidents: {off_ward} row(s) skipped: location not a ward" in out
    assert "check only: everything above would load" in out


def test_incidents_reconcile_with_the_datix_rows(extracts, loaded, capsys):
    raw = pd.read_csv(extracts / "datix_incidents.csv", dtype=str, keep_default_na=False)
    unique = raw.drop_duplicates()
    graded = unique[unique["Result / Harm"] != ""]
    on_wards = graded[~graded["Location (exact)"].str.strip().isin(exampletrust._NON_WARD)]
    stored = _table(loaded, "SELECT harm_level, sum(incidents) AS n FROM incidents GROUP BY harm_level")
    stored = stored.set_index("harm_level")["n"]
    assert int(stored.sum()) == len(on_wards)
    words = {"No harm": "no_harm", "Low harm": "low", "Moderate harm": "moderate", "Severe harm": "severe"}
    for theirs, ours in words.items():
        assert int(stored[ours]) == int((on_wards["Result / Harm"] == theirs).sum())
    # every skipped row was counted, by rule, in the load's warnings
    kept = _table(loaded, "SELECT message FROM load_warnings")["message"].tolist()
    assert (
        f"extracts.incidents: {len(raw) - len(unique)} row(s) skipped: identical to an earlier row of this extract"
        in kept
    )
    assert f"extracts.incidents: {int((unique['Result / Harm'] == '').sum())} row(s) skipped: not yet graded" in kept


def test_complaints_pals_and_fft_reconcile(extracts, loaded):
    complaints = pd.read_csv(extracts / "complaints_export.csv", dtype=str, keep_default_na=False)
    stored = _table(loaded, "SELECT * FROM complaints")
    assert len(stored) == len(complaints)
    assert int(stored["outcome"].isna().sum()) == int(complaints["Outcome"].isin(["", "Withdrawn"]).sum())
    assert int(stored["ombudsman"].sum()) == int((complaints["PHSO referral"] == "Y").sum())
    pals = pd.read_excel(extracts / "pals_log.xlsx", header=2, dtype=str)
    assert _table(loaded, "SELECT count(*) AS n FROM pals_contacts")["n"].iloc[0] == len(pals.drop_duplicates())
    fft = pd.read_csv(extracts / "fft_provider_monthly.csv", dtype=str)
    answers = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]
    total = _table(loaded, f"SELECT sum({' + '.join(answers)}) AS n FROM fft_monthly")["n"].iloc[0]
    counts = fft[exampletrust._ANSWERS].apply(pd.to_numeric, errors="coerce")  # '*' is not a count
    assert int(total) == int(counts.to_numpy(na_value=0).sum())
    starred = int(counts.isna().any(axis=1).sum())
    assert starred == len(exampletrust.SUPPRESSED_FFT)
    assert len(_table(loaded, "SELECT * FROM fft_suppressed")) == starred


def test_serial_dates_working_days_and_a_reused_ward_name(extracts, loaded):
    raw = pd.read_csv(extracts / "complaints_export.csv", dtype=str, keep_default_na=False)
    stored = _table(loaded, "SELECT * FROM complaints").set_index("complaint_id")
    serial = raw[raw["Date received"].str.fullmatch(r"\d{5}")].iloc[0]
    expected = dt.date(1899, 12, 30) + dt.timedelta(days=int(serial["Date received"]))
    assert pd.Timestamp(stored.loc[serial["Complaint ref"], "received"]).date() == expected
    holidays = yaml.safe_load((extracts / "trust.yaml").read_text())["holidays"]
    row = raw[raw["Date received"].str.contains("/")].iloc[0]
    day = [pd.to_datetime(row[c], dayfirst=True).date() for c in ("Date received", "Response due")]
    assert stored.loc[row["Complaint ref"], "target_working_days"] == np.busday_count(*day, holidays=holidays)
    # 'Ward 12' was the elderly care ward until it closed, then the new stroke ward: mapped by date
    old = stored[stored["unit_id"] == "W12"]["received"].map(pd.Timestamp)
    new = stored[stored["unit_id"] == "W12S"]["received"].map(pd.Timestamp)
    assert len(old) and len(new) and old.max() < pd.Timestamp("2026-01-01") <= new.min()


def test_rostering_hours_become_fill_rates(extracts, loaded):
    roster = pd.read_csv(extracts / "roster_fill_rates.csv")
    one = roster[(roster["Ward"] == "AMU Acute Medical Unit") & (roster["Month"] == "Mar-26")]
    day = one[(one["Shift"] == "Day") & (one["Staff group"] == "Registered")]
    expected = round(100 * day["Actual hours"].sum() / day["Planned hours"].sum(), 2)
    stored = _table(loaded, "SELECT rn_day_fill FROM staffing WHERE unit_id = 'AMU' AND month = DATE '2026-03-01'")
    assert stored["rn_day_fill"].iloc[0] == pytest.approx(expected)
    # the day surgery unit rosters no nights: its night rates are empty, not 0 and not an error
    day_unit = _table(loaded, "SELECT * FROM staffing WHERE unit_id = 'DSU'")
    assert len(day_unit) and day_unit[["rn_night_fill", "care_night_fill"]].isna().all().all()
    assert day_unit["rn_day_fill"].notna().all()


def _division_of(extracts, names: pd.Series, days: pd.Series) -> pd.Series:
    """Each location name's division, by the example trust's own look-up (a reused name by date),
    read here with pandas alone so the check does not lean on the loader it checks."""
    places = pd.read_csv(extracts / "locations.csv", dtype=str, keep_default_na=False)
    places = places[places["unit"] != ""]
    units = pd.read_csv(extracts / "org_units.csv", dtype=str, keep_default_na=False).set_index("unit_id")

    def one(name, day):
        rows = places[places["name"].str.casefold() == " ".join(str(name).split()).casefold()]
        for r in rows.itertuples():
            start = pd.Timestamp(r[3]) if r[3] else pd.Timestamp.min
            end = pd.Timestamp(r[4]) + pd.offsets.MonthEnd(0) if r[4] else pd.Timestamp.max
            if start <= day <= end:
                return units.loc[units.loc[r.unit, "parent_id"], "name"]
        return None

    return pd.Series([one(n, d) for n, d in zip(names, days)], index=names.index)


def _uk_days(text: pd.Series) -> pd.Series:
    """Day-first dates, and Excel serial numbers, as the complaints system writes them."""
    serial = text.str.fullmatch(r"\d{5}")
    days = pd.to_datetime(text.where(~serial), dayfirst=True, errors="coerce")
    return days.fillna(pd.Timestamp("1899-12-30") + pd.to_timedelta(pd.to_numeric(text.where(serial)), unit="D"))


def _printed_table(page: str, caption: str) -> pd.DataFrame:
    table = re.search(rf"<table[^>]*><caption>{re.escape(caption)}</caption>.*?</table>", page, re.S).group(0)
    cells = [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    return pd.DataFrame(cells[1:], columns=cells[0]).set_index(cells[0][0])


def _reconcile_the_boards_feedback_counts(extracts, page: str) -> None:
    """The board's 'Feedback received' table against the extracts counted with pandas: FFT
    responses, complaints and PALS contacts by division for October 2026 (1 to 4 shown as *)."""
    october = pd.Timestamp("2026-10-01")
    fft = pd.read_csv(extracts / "fft_provider_monthly.csv", dtype=str, keep_default_na=False)
    fft = fft[fft["Month"] == "Oct-26"]
    answers = fft[exampletrust._ANSWERS].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=6)
    expected = {
        "FFT responses": answers.groupby(_division_of(extracts, fft["Ward"], pd.Series(october, fft.index))).sum()
    }
    complaints = pd.read_csv(extracts / "complaints_export.csv", dtype=str, keep_default_na=False)
    received = _uk_days(complaints["Date received"])
    complaints = complaints[received.dt.to_period("M") == october.to_period("M")]
    expected["Complaints"] = _division_of(extracts, complaints["Location"], received[complaints.index]).value_counts()
    pals = pd.read_excel(extracts / "pals_log.xlsx", header=2).drop_duplicates()  # Excel's own dates
    opened = pd.to_datetime(pals["Date opened"])
    pals = pals[opened.dt.to_period("M") == october.to_period("M")]
    expected["PALS contacts"] = _division_of(extracts, pals["Ward/Dept"], opened[pals.index]).value_counts()
    printed = _printed_table(page, "Feedback received in October 2026 by division")
    for column, counts in expected.items():
        for division, shown in printed[column].items():
            n = int(counts.get(division, 0))
            if shown == "*":  # suppressed: 1 to 4, or the next smallest beside one that is
                assert 1 <= n <= 4 or n == min(int(counts.get(d, 0)) for d in printed.index if d != division)
            else:
                assert int(shown.replace(",", "")) == n, (column, division, shown, n)


def test_every_paper_builds_on_the_example_trust(extracts, loaded, tmp_path):
    """Wards directly under divisions, a trust-only self-assessment, a closed ward: every paper
    builds, the counts the board prints reconcile with the extracts, and escalations name the
    ward's division, never the trust."""
    out = tmp_path / "out"
    assert main(["build", "--all", "--period", "latest", "--database", str(loaded), "--output", str(out)]) == 0
    papers = sorted(out.glob("NVH/2026-10/*/*.html"))
    # 4 committee papers, 3 divisions, and the 12 wards open in October 2026 (Ward 12 Elderly
    # Care closed); the governors' committee meets quarterly: its paper is the quarter's
    assert len([p for p in papers if not p.name.endswith(".appendix.html")]) == 4 + 3 + 12
    assert [p.relative_to(out).as_posix() for p in out.glob("NVH/2026-Q3/*/*.html")] == [
        "NVH/2026-Q3/governors/governors_engagement_committee.html"
    ]
    periods = html.unescape(re.sub(r"<[^>]+>", " ", (out / "NVH/index.html").read_text()))
    assert "October 2026 : 19 papers, for the month" in periods
    assert "July to September 2026 (Q2 2026/27) : 1 paper, for the quarter" in periods
    assert not (out / "NVH/2026-10/ward/W12.html").exists()
    page = (out / "NVH/2026-10/board/board.html").read_text()
    _reconcile_the_boards_feedback_counts(extracts, page)
    board = html.unescape(re.sub(r"<[^>]+>", " ", page))
    table = board[board.rfind("Wards with special-cause concern") :][:2000]
    assert "North Vale Hospitals NHS Trust" not in table
    # the divisions did not assess themselves: said so, never "no assurance gap" or an empty score table
    division = html.unescape(re.sub(r"<[^>]+>", " ", (out / "NVH/2026-10/division/MED.html").read_text()))
    assert "Medicine has no self-assessment against the framework up to October 2026" in division
    assert "no requirement has an assurance gap" not in division
    assert "Not open this month" in division and "Ward 12 Elderly Care closed in December 2025" in division
    # a paper calls its committee what the trust's committees table calls it, heading and cover alike
    quality = (out / "NVH/2026-10/board_quality/quality_committee.html").read_text()
    assert "<h1>Patient experience: report to the Quality Committee, October 2026" in quality
    assert "Quality and Governance" not in quality
    assert ">Patient experience: report to the Quality Committee</a>" in page  # the board's link down
    _listening_records_as_supplied(out / "NVH", board)


def _listening_records_as_supplied(root, board):
    """North Vale keeps patient stories and the work plan, not involvement or "you said, we did":
    each paper shows what was kept and says which records were not supplied, never "none"."""

    def text(path):
        return html.unescape(re.sub(r"<[^>]+>", " ", (root / path).read_text()))

    assert "No story is recorded for the Trust Board in June 2026" in board  # the planted month
    for path in (
        "2026-10/patient_experience/patient_experience_committee.html",
        "2026-Q3/governors/governors_engagement_committee.html",
    ):
        paper = text(path)
        assert "The trust has not supplied its record of involvement activities" in paper
        assert 'The trust has not supplied its record of "you said, we did"' in paper
        assert "Off track: S5:" in paper
        assert "No involvement activity is recorded" not in paper and 'No "you said, we did" change' not in paper


def test_a_closed_or_new_ward_has_no_paper_or_zeros_outside_its_months(loaded, capsys):
    from pxassure.reports import division_report, ward_report

    assert main(["build", "--committee", "ward", "--unit", "W12", "--database", str(loaded)]) == 2
    assert "unit 'W12' has no ward report for 2026-10: it closed in December 2025" in capsys.readouterr().err
    stroke = ward_report(loaded, unit_id="W12S")  # opened February 2026: no zero months before it
    complaints = next(c for c in stroke.charts if c.measure.id == "complaints_count")
    assert str(complaints.result.points.index.min()) == "2026-02"
    closed = ward_report(loaded, unit_id="W12", period="2025-12")  # its last month still has a paper
    complaints = next(c for c in closed.charts if c.measure.id == "complaints_count")
    assert str(complaints.result.points.index.max()) == "2025-12"
    medicine = division_report(loaded, unit_id="MED")
    assert "W12" not in {c.unit_id for c in medicine.ward_charts}


def test_a_renamed_ward_is_called_what_it_was_called_then(loaded):
    """Beech Ward became Beech Surgical Ward in September 2025: a paper names the ward as it was
    in its month and notes the rename; its division's paper says so too."""
    from pxassure.publish import framing
    from pxassure.reports import division_report, ward_report

    now = ward_report(loaded, unit_id="BCH")
    assert now.unit_name == "Beech Surgical Ward"
    assert now.formerly == "formerly Beech Ward, until August 2025"
    assert "Beech Surgical Ward (formerly Beech Ward, until August 2025)" in now.summary_text()[0]
    assert "formerly Beech Ward" in framing.unit_header(now, now.unit_name, now.formerly)
    before = ward_report(loaded, unit_id="BCH", period="2025-08")
    assert (before.unit_name, before.formerly) == ("Beech Ward", "renamed Beech Surgical Ward from September 2025")
    surgery = division_report(loaded, unit_id="SURG")
    assert "Renamed: Beech Surgical Ward, formerly Beech Ward, until August 2025." in surgery.summary_text()


def test_months_nhs_england_suppressed_are_named_as_suppressed(loaded):
    """A '*' month is neither zero nor missing data: the chart names it as suppressed, and when it
    is the report month the summary shows '*' rather than an earlier month's figure and icon."""
    from pxassure.publish import render
    from pxassure.reports import ward_report

    day_surgery = ward_report(loaded, unit_id="DSU")
    fft = next(c for c in day_surgery.charts if c.measure.id == "fft_positive")
    assert fft.suppressed == ("2025-07",)
    caption = html.unescape(render.chart(fft))
    assert "NHS England suppressed the figures for 2025-07 (fewer than 5 responses" in caption
    assert "No data for 2025-07" not in caption
    neonatal = ward_report(loaded, unit_id="NNU")
    row = neonatal.summary.set_index("measure_id").loc["fft_positive"]
    assert (str(row["month"]), row["latest"]) == ("2026-10", "*") and pd.isna(row["variation"])
    # … and the summary's words neither count it as assessed nor let it vouch for "no change"
    words = " ".join(neonatal.summary_text())
    assert "shown as * and not assessed: FFT % positive, Neonatal" in words
    limited = sum(c.result.has_limits for c in neonatal.charts)
    assert f"None of the {limited} measures" not in words
    # … nor gives it an icon among its division's small multiples, where the table shows *
    from pxassure.reports import division_report

    womens = division_report(loaded, unit_id="WCS")
    assert "Neonatal Unit: latest month withheld (too few responses), no icon" in womens.ward_alt_text("FFT % positive")
    panels = render.unit_multiples(
        [c for c in womens.ward_charts if c.measure.id == "fft_positive"], title="t", description="d"
    )
    icons = re.findall(r'<text[^>]*fill="#ffffff"', str(panels))  # an icon's letter, white on its colour
    assert len(icons) == sum(
        not c.latest_withheld and c.result.variation is not None
        for c in womens.ward_charts
        if c.measure.id == "fft_positive"
    )


def test_map_reads_wide_rostering_and_short_ward_codes(tmp_path, capsys):
    """A rostering file with planned and actual hours per staff group and shift as columns gets
    each fill rate from its own two columns (never one pair for all four), and a system's short
    codes ('GENSURG3', 'AMU12', 'CRITCARE') are matched to the wards whose names they abbreviate."""
    from pxassure.ingest import draft

    roster = tmp_path / "safer_staffing.csv"
    pd.DataFrame(
        {
            "Reporting Month": ["202410", "202410", "202410", "202410"],
            "Roster Unit": ["GENSURG3", "AMU12", "CRITCARE", "WARD99"],
            "RN Night Planned Hrs": [900, 800, 700, 600],
            "RN Day Planned Hrs": [1600, 1500, 1400, 1300],
            "RN Day Actual Hrs": [1500, 1400, 1300, 1200],
            "RN Night Actual Hrs": [850, 750, 650, 550],
            "HCA Day Planned Hrs": [1200, 1100, 1000, 900],
            "HCA Day Actual Hrs": [1100, 1000, 900, 800],
            "HCA Night Planned Hrs": [700, 600, 500, 400],
            "HCA Night Actual Hrs": [650, 550, 450, 350],
        }
    ).to_csv(roster, index=False)
    units = pd.DataFrame(
        {
            "unit_id": ["W03", "W12", "ICU", "W15"],
            "name": ["Ward 3 - General Surgery", "Ward 12 - Acute Medical Unit", "Critical Care Unit", "Heron Ward"],
            "level": ["ward"] * 4,
        }
    )
    text, todo = draft.draft([roster], tmp_path / "draft.yaml", units)
    spec = yaml.safe_load(text)["extracts"]["safer_staffing"]
    assert spec["table"] == "staffing"
    assert spec["columns"]["rn_night_fill"] == {"percent": ["RN Night Actual Hrs", "RN Night Planned Hrs"]}
    assert spec["columns"]["care_day_fill"] == {"percent": ["HCA Day Actual Hrs", "HCA Day Planned Hrs"]}
    assert "counted" not in text  # a row per ward and month: combined, not counted
    places = {p["name"]: p["unit"] for p in yaml.safe_load(text)["locations"]}
    assert places == {"AMU12": "W12", "CRITCARE": "ICU", "GENSURG3": "W03", "WARD99": "TODO"}
    assert todo == 1


def test_a_column_per_month_is_read_as_a_row_per_month(extracts, loaded, tmp_path, capsys):
    """PAS's bed days as a report lays them out — a row per ward, a column per month — unpivoted by
    the sources file into the same rows as the long export, each problem on its own source row."""
    long = pd.read_csv(extracts / "pas_bed_days.csv", dtype=str, keep_default_na=False)
    wide = long.pivot(index="Ward Code", columns="Period", values="Occupied bed days").fillna("")
    wide.columns = [pd.Timestamp(p[:4] + "-" + p[4:]).strftime("%b-%y") for p in wide.columns]  # 'Nov-24'
    wide.reset_index().to_csv(tmp_path / "beds_wide.csv", index=False)
    spec = yaml.safe_load((extracts / "trust.yaml").read_text())
    spec["locations"] = str(extracts / "locations.csv")
    spec["extracts"] = {
        "organisation": {**spec["extracts"]["organisation"], "file": str(extracts / "org_units.csv")},
        "beds": {
            "file": "beds_wide.csv",
            "table": "activity",
            "unpivot": {"keep": ["Ward Code"], "into": ["Month", "Bed days"]},
            "columns": {"unit_id": {"location": "Ward Code"}, "month": "Month", "occupied_bed_days": "Bed days"},
        },
    }
    (tmp_path / "wide.yaml").write_text(yaml.safe_dump(spec))
    db = tmp_path / "wide.duckdb"
    assert main(["load", "--sources", str(tmp_path / "wide.yaml"), "--database", str(db)]) == 0
    ours = _table(db, "SELECT unit_id, month, occupied_bed_days FROM activity ORDER BY ALL")
    theirs = _table(  # the A&E department has attendances, not bed days: blank cells in the wide file
        loaded,
        "SELECT unit_id, month, occupied_bed_days FROM activity WHERE occupied_bed_days IS NOT NULL ORDER BY ALL",
    )
    pd.testing.assert_frame_equal(ours, theirs)
    blank = int((wide == "").to_numpy().sum())  # months a ward was not open: no row, and said so
    assert blank and f"{blank} row(s) skipped: empty cell: no figure for that Month" in capsys.readouterr().out
    bad = wide.copy()
    bad.iloc[2, 3] = "lots"
    bad.reset_index().to_csv(tmp_path / "beds_wide.csv", index=False)
    assert main(["load", "--sources", str(tmp_path / "wide.yaml"), "--database", str(tmp_path / "bad.duckdb")]) == 1
    assert "beds_wide.csv, row 4, column 'Bed days': found 'lots'" in capsys.readouterr().err


# -- mistakes: every one reported, nothing loaded -----------------------------------------


def test_unknown_values_locations_and_dates_are_reported_together(extracts, loaded, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in extracts.iterdir():
        (bad / f.name).write_bytes(f.read_bytes())
    datix = pd.read_csv(bad / "datix_incidents.csv", dtype=str, keep_default_na=False)
    datix.loc[0, "Result / Harm"] = "Catastrophic"
    datix.loc[1, "Location (exact)"] = "NVH - Acute Medical Unti"
    datix.loc[2, "Incident date"] = "31/02/2025"
    datix.to_csv(bad / "datix_incidents.csv", index=False)
    before = loaded.read_bytes()
    assert main(["load", "--sources", str(bad / "trust.yaml"), "--database", str(loaded)]) == 1
    err = capsys.readouterr().err
    f = bad / "datix_incidents.csv"
    assert (
        f"{f}, row 2, column 'Result / Harm': found 'Catastrophic'; expected a value extracts.incidents.values."
        "harm_level lists: 'No harm', 'Low harm'" in err
    )
    assert f"{f}, row 3, column 'Location (exact)': found 'NVH - Acute Medical Unti'; expected a location name" in err
    assert "closest: 'NVH - Acute Medical Unit'" in err
    assert f"{f}, row 4, column 'Incident date': found '31/02/2025'; expected a date as dd/mm/yyyy" in err
    assert "3 problem(s) found; nothing was loaded" in err
    assert loaded.read_bytes() == before


def test_a_merge_never_removes_rows_another_load_brought(loaded, tmp_path, capsys):
    one = tmp_path / "fft_monthly.csv"
    one.write_text(
        "unit_id,month,very_good,good,neither,poor,very_poor,dont_know,eligible\nAMU,2026-10,5,1,0,0,0,0,40\n"
    )
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(loaded.read_bytes())
    before = _table(copy, "SELECT count(*) AS n FROM fft_monthly")["n"].iloc[0]
    assert main(["load", str(one), "--database", str(copy)]) == 0
    assert _table(copy, "SELECT count(*) AS n FROM fft_monthly")["n"].iloc[0] == before
    capsys.readouterr()
    assert main(["load", str(one), "--replace", "--database", str(copy)]) == 0
    out = capsys.readouterr().out
    assert f"replaced fft_monthly: {before - 1} row(s) from earlier loads removed" in out
    assert "fft_provider_monthly.csv (loaded " in out  # which load had brought them


@pytest.mark.parametrize(
    "change, message",
    [
        (
            lambda s: s["extracts"]["incidents"]["columns"].update(incidents={"total": "rows"}),
            "expected exactly one of",
        ),
        (lambda s: s["extracts"]["complaints"]["columns"].pop("received"), "expected a column for ['received']"),
        (lambda s: s["extracts"]["fft"]["columns"].update(unit_id={"count": "rows"}), "needs 'aggregate: true'"),
        (lambda s: s["extracts"]["fft"].update(table="fft"), "extracts.fft.table: found 'fft'"),
        (lambda s: s["extracts"]["fft"].update(file="nothing_*.csv"), "extracts.fft.file: no file matches"),
        (lambda s: s.update(locations=[{"name": "X", "unit": "AMU"}, {"name": "x", "unit": "W07"}]), "overlap"),
    ],
)
def test_a_sources_file_mistake_is_named_plainly(extracts, tmp_path, change, message, capsys):
    spec = yaml.safe_load((extracts / "trust.yaml").read_text())
    change(spec)
    path = extracts / f"broken-{abs(hash(message))}.yaml"
    path.write_text(yaml.safe_dump(spec))
    try:
        with pytest.raises(SourcesFileError, match=re.escape(message)):
            sourcesfile.read(path)
        assert main(["load", "--sources", str(path), "--database", str(tmp_path / "x.duckdb")]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
    finally:
        path.unlink()


def test_a_row_skipped_from_one_extract_but_not_its_subjects_is_named_in_the_extracts_words(extracts, tmp_path, capsys):
    """Complaints skipped from the complaints extract but not from the subjects: each
    subject row is a problem in the analyst's own column, saying what to do; --problems writes
    them all (more than the screen shows) to a CSV, and nothing is loaded."""
    spec = yaml.safe_load((extracts / "trust.yaml").read_text())
    spec["extracts"]["complaints"]["skip"] = [{"column": "Outcome", "in": ["Withdrawn", "Upheld"], "reason": "test"}]
    path = extracts / "skip-some.yaml"
    path.write_text(yaml.safe_dump(spec))
    listed = tmp_path / "problems.csv"
    try:
        db = tmp_path / "x.duckdb"
        assert main(["load", "--sources", str(path), "--check", "--problems", str(listed), "--database", str(db)]) == 1
    finally:
        path.unlink()
    err = capsys.readouterr().err
    assert "column 'Complaint ref'" in err and "rows skipped from complaints must be skipped here too" in err
    raw = pd.read_csv(extracts / "complaints_export.csv", dtype=str, keep_default_na=False)
    problems = pd.read_csv(listed, dtype=str, keep_default_na=False)
    skipped = raw.loc[raw["Outcome"].isin(["Withdrawn", "Upheld"]), "Complaint ref"]
    assert len(skipped) > 50 and sorted(problems["found"]) == sorted(skipped)  # every one, not the first 50
    assert set(problems["column"]) == {"Complaint ref"} and not db.exists()


def test_non_comments_are_kept_and_counted_but_never_themed_or_toned(extracts, loaded):
    raw = pd.read_csv(extracts / "fft_comments.csv", dtype=str, keep_default_na=False)
    stored = _table(loaded, "SELECT * FROM feedback_comments").set_index("comment_id")
    non = raw[raw["Comment"].isin(exampletrust._NON_COMMENTS)]["Response ID"]
    assert len(non) and len(stored) == len(raw)  # kept: every comment row loaded
    assert (stored.loc[non, "labels"] == "Labelling not possible").all()
    assert stored.loc[non, "sentiment"].isna().all() and (stored.loc[non, "labels_by"] == "rule").all()
    said = raw[~raw["Comment"].isin(exampletrust._NON_COMMENTS)]["Response ID"]
    assert (stored.loc[said, "labels_by"] == "model").all() and stored.loc[said, "sentiment"].notna().all()


@pytest.mark.parametrize("text", ["N/A", "None", "-", "nothing", "No comment.", "...", "  n.a. ", "NOTHING REALLY"])
def test_themes_classify_leaves_a_non_comment_alone(text):
    from pxassure.ingest import themes

    model = themes.Model.load()
    out = themes.classify(model, pd.Series([text, "The nurses were kind and explained everything."]))
    assert out.loc[0, "labels"] == themes.BLANK_LABEL and pd.isna(out.loc[0, "sentiment"])
    assert out.loc[1, "labels"] != themes.BLANK_LABEL and out.loc[1, "sentiment"] in (1, 2)


def test_a_department_without_beds_says_why_a_bed_day_rate_is_not_assessed(loaded):
    from pxassure.reports import ward_report

    reasons = {m["measure"]: m["reason"] for m in ward_report(loaded, unit_id="ED").missing}
    harm = reasons["Moderate or worse harm incidents per 1,000 bed days"]
    assert harm.startswith("no occupied bed days recorded for this unit: a rate per bed day does not apply")


EXTRACT_FILES = [
    "datix_incidents.csv",
    "complaints_export.csv",
    "pals_log.xlsx",
    "roster_fill_rates.csv",
    "fft_provider_monthly.csv",
    "fft_comments.csv",
    "pas_bed_days.csv",
]


def test_map_drafts_a_sources_file_that_leaves_only_real_decisions(extracts, loaded, tmp_path, capsys):
    """`pxassure map` on extracts it was not told about: it proposes tables, columns, derivations,
    translations and units (a renamed ward's old name from org_units.former_name), and marks as TODO
    only what a person must decide (a car park, a name two wards shared); a draft with a TODO left is
    refused, naming it."""
    draft = tmp_path / "draft.yaml"
    files = [str(extracts / f) for f in EXTRACT_FILES]
    assert main(["map", *files, "--database", str(loaded), "--output", str(draft)]) == 0
    assert "4 TODO(s) to complete" in capsys.readouterr().out
    spec = yaml.safe_load(draft.read_text())
    x = spec["extracts"]
    assert x["datix_incidents"]["table"] == "incidents" and x["datix_incidents"]["aggregate"] is True
    assert x["datix_incidents"]["columns"]["incidents"] == {"count": "rows"}
    assert x["datix_incidents"]["values"]["harm_level"]["Moderate harm"] == "moderate"
    assert x["complaints_export"]["columns"]["target_working_days"] == {
        "working_days": ["Date received", "Response due"]
    }
    assert x["complaints_export"]["values"]["outcome"] == {
        "Not Upheld": "not_upheld",
        "Partially Upheld": "partly_upheld",
        "Upheld": "upheld",
        "Withdrawn": None,
    }
    assert x["pals_log"]["header_row"] == 3 and x["pals_log"]["table"] == "pals_contacts"
    assert x["roster_fill_rates"]["columns"]["care_night_fill"] == {
        "percent": ["Actual hours", "Planned hours"],
        "where": {"Shift": "Night", "Staff group": "Unregistered"},
    }
    units = {p["name"]: p["unit"] for p in spec["locations"]}
    assert units["NV-ED"] == "ED" and units["NVH - Ward 12 Stroke"] == "W12S" and units["BCH Beech Ward"] == "BCH"
    assert {units[n] for n in ("Beech Ward", "BEECH WARD", "North Vale Beech Ward", "NVH - Beech Ward")} == {"BCH"}
    undecided = {n for n, u in units.items() if u == "TODO"}
    assert undecided == {
        "NVH - Car Park",
        "NVH - Main Entrance",
        "NVH - Pharmacy Stores",  # not wards
        "Ward 12",  # two wards' name, at different times
    }
    # a draft with a TODO left is refused, saying where
    assert main(["load", "--sources", str(draft), "--check", "--database", str(tmp_path / "x.duckdb")]) == 2
    assert "still TODO" in capsys.readouterr().err
    # the analyst's decisions (the example trust's own look-up), and the draft loads what the hand-written file does
    known = pd.read_csv(extracts / "locations.csv", dtype=str, keep_default_na=False)
    spec["locations"] = [p for p in spec["locations"] if p["unit"] != "TODO"] + [
        {k: v for k, v in row.items() if v} for row in known.to_dict("records") if row["name"] in undecided
    ]
    spec["extracts"]["datix_incidents"]["skip"] = [{"column": "Result / Harm", "blank": True, "reason": "ungraded"}]
    draft.write_text(yaml.safe_dump(spec, sort_keys=False))
    capsys.readouterr()
    assert main(["load", "--sources", str(draft), "--check", "--database", str(loaded)]) == 0
    out = capsys.readouterr().out
    for table in ("incidents", "complaints", "pals_contacts", "staffing", "fft_monthly", "activity"):
        n = _table(loaded, f"SELECT count(*) AS n FROM {table}")["n"].iloc[0]
        assert re.search(rf"^{table}: {n} row\(s\)", out, re.M), (table, n, out)


def test_a_measure_not_assessed_never_seems_to_have_enough_months(loaded):
    """Months resting on too few complaints are left out of the limits: a paper that says '24
    months of data; 13 needed' must say how many months counted."""
    from pxassure.reports import patient_experience_report

    said = patient_experience_report(loaded).unassessed()
    long = [s for s in said if (m := re.search(r"(\d+) months of data", s)) and int(m.group(1)) >= 13]
    assert long  # the example trust's small divisions answer few complaints a month
    assert all(re.search(r", \d+ with enough cases to count; 13 needed", s) for s in long), long
