"""The front of a committee paper — cover sheet, executive summary, IPR summary table, icon key —
and what makes it print: the footer, the appendix split, the short action lists."""

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pxassure.errors import CommitteeError, ExportError, ParameterError
from pxassure.ingest import demo
from pxassure.publish import export, framing, render, style
from pxassure.reports import board_report, committees, patient_experience_report
from pxassure.reports.cover import DEFAULT_ASSURANCE_SCALE, Attention, assurance_offered, read_cover, read_scale
from pxassure.reports.division import action_counts

WARD = demo.PLANTED["deteriorating_ward"]


@pytest.fixture(scope="module")
def board(demo_db):
    return board_report(demo_db)


@pytest.fixture(scope="module")
def pec(demo_db):
    return patient_experience_report(demo_db)


# -- cover sheet settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"meting": "Board"}, r"unknown key\(s\) \['meting'\]"),
        ({"purpose": "reassurance"}, "cover.purpose 'reassurance' is not one of"),
        ({"cqc_key_questions": ["caring", "kind"]}, r"cqc_key_questions \['kind'\]"),
        ({"baf_risks": {"a": 1}}, "cover.baf_risks must be a list of text"),
        ("Board", "cover must be a mapping"),
    ],
)
def test_a_bad_cover_block_names_the_file_and_key(raw, message):
    with pytest.raises(CommitteeError, match=message) as err:
        read_cover(raw, "params/board.yaml")
    assert "params/board.yaml" in str(err.value)


def test_every_shipped_params_file_has_a_valid_cover():
    for key, spec in committees.load_all(committees.params_dir()).items():
        if spec["layer"] in ("board", "board_quality", "executive_quality", "patient_experience"):
            assert spec["cover"]["executive_lead"], key  # the meeting's name: the committees table's
    assert committees.assurance_scale() == DEFAULT_ASSURANCE_SCALE


def test_assurance_scale_says_to_quote_no(tmp_path):
    (tmp_path / "trust.yaml").write_text("assurance_scale: [full, partial, no]\n")
    with pytest.raises(CommitteeError, match="quotes"):
        committees.assurance_scale(tmp_path)
    (tmp_path / "trust.yaml").write_text('assurance_scale: [full, partial, "none"]\n')
    assert committees.assurance_scale(tmp_path) == ("full", "partial", "none")
    with pytest.raises(CommitteeError, match="at least two"):
        read_scale(["only"], "trust.yaml")


def test_assurance_offered_follows_the_findings_on_any_scale():
    concern = Attention("concern", "FFT % positive, trust-wide", "Chief Nurse", "Summary")
    ward = Attention("ward_exception", "Willow Ward: FFT % positive", "Ward manager", "Exceptions", "Willow Ward")
    four = DEFAULT_ASSURANCE_SCALE
    assert assurance_offered([], 4, four)[0] == "significant"
    assert assurance_offered([ward], 4, four)[0] == "reasonable"
    level, why = assurance_offered([concern, ward], 4, four)
    assert level == "limited" and "1 × special-cause concern" in why
    assert assurance_offered([], 0, four)[0] == "no"  # nothing could be assessed
    three = ("full", "partial", "none")
    assert [assurance_offered(i, n, three)[0] for i, n in (([], 4), ([concern], 4), ([], 0))] == [
        "full",
        "partial",
        "none",
    ]


# -- cover and executive summary on the demo trust ------------------------------------------------


def test_cover_blocks_hold_presenter_session_and_implications_checked():
    from pxassure.errors import CommitteeError
    from pxassure.reports.cover import read_cover

    got = read_cover({"session": "private", "implications": {"legal": "none", "risk": "BAF 2"}}, "x.yaml")
    assert got["implications"] == {"legal": "none", "risk": "BAF 2"}
    with pytest.raises(CommitteeError, match=r"x.yaml: cover.session 'closed' is not one of \['public', 'private'\]"):
        read_cover({"session": "closed"}, "x.yaml")
    with pytest.raises(CommitteeError, match=r"cover.implications has unknown key\(s\) \['reputational'\]"):
        read_cover({"implications": {"reputational": "low"}}, "x.yaml")
    with pytest.raises(CommitteeError, match="cover.implications must map equality, financial, legal, risk"):
        read_cover({"implications": "none"}, "x.yaml")


def test_board_cover_is_written_from_the_findings(board):
    sheet = board.cover_sheet(meeting_date="26 November 2026", agenda_item="8.1")
    rows = dict(sheet.rows())
    assert rows["Meeting"] == "Trust Board" and rows["Session"] == "Public session"
    assert rows["Date of meeting"] == "26 November 2026"
    assert rows["Presented by"] == "Chief Nurse" and rows["Approved by"] == "Chief Nurse"
    assert rows["Financial implications"] == "None arising from this paper" and "Risk implications" in rows
    assert rows["Agenda item"] == "8.1" and rows["Period covered"] == "October 2026"
    assert rows["Executive lead"] == "Chief Nurse" and "BAF 2" in rows["Board assurance framework risks"]
    assert "Friends and Family Test responses" in rows["Patient and public engagement"]
    # the escalated ward and the contradicted framework score reach the recommendation
    assert any("Willow Ward" in a and "escalated" in a for a in sheet.asked_to)
    assert any("12C" in a for a in sheet.asked_to)
    assert sheet.asked_to[-1] == f"note the report and take {sheet.assurance} assurance from it"
    assert sheet.assurance == "limited" and sheet.proposed
    decided = board.cover_sheet(assurance="reasonable")
    assert decided.assurance == "reasonable" and not decided.proposed
    with pytest.raises(ParameterError, match="not a level of the trust's scale"):
        board.cover_sheet(assurance="substantial")


def test_executive_summary_names_owners_and_sections(board, pec):
    items = board.attention()
    ward = [i for i in items if i.kind == "ward_exception" and i.what.startswith("Willow Ward")]
    assert ward and ward[0].owner == "Ward manager, Willow Ward"
    assert ward[0].section == "Exceptions escalated from wards"
    gaps = [i for i in items if i.kind == "assurance_gap"]
    assert {g.what.split(":")[0] for g in gaps} == set(board.assurance_gaps["requirement"])
    trust_wide = [i for i in items if i.what.endswith("trust-wide")]
    assert trust_wide and all(i.owner == "Chief Nurse" for i in trust_wide)
    overdue = [i for i in pec.attention() if i.kind == "overdue_actions"]
    assert sum(int(i.what.split()[0]) for i in overdue) == int(pec.actions["overdue"].sum())
    assert all(i.section == "Self-assessment against the framework" for i in overdue)
    html = framing.executive_summary(items)
    assert 'data-section="Exceptions escalated from wards"' in html and "Ward manager, Willow Ward" in html


def test_section_links_resolve_or_fail_the_export():
    page = '<h2 id="Wards-needing-attention">Wards needing attention</h2>' + framing.section_link(
        "Wards needing attention"
    )
    assert 'href="#Wards-needing-attention"' in export.resolve_section_links(page)
    with pytest.raises(ExportError, match="'Trends'"):
        export.resolve_section_links(page + framing.section_link("Trends"))


def test_without_leads_owners_say_so(board):
    from dataclasses import replace

    bare = replace(board, leads={})
    owners = {i.owner for i in bare.attention() if i.kind == "ward_exception"}
    assert owners == {"lead not recorded"}


# -- IPR summary table and icon key ----------------------------------------------------------


def test_summary_rows_carry_mean_limits_and_data_quality(pec):
    chart = next(c for c in pec.charts if c.unit_id == "COM" and c.measure.id == "fft_response_rate")
    row = chart.summary_row()
    last = chart.result.last_point
    assert row["mean"] == pytest.approx(last["centre"]) and row["upper"] == pytest.approx(last["upper"])
    assert row["data_quality"] == "Limited"  # the division's own rating wins over the trust-wide one
    other = next(c for c in pec.charts if c.unit_id == "MED" and c.measure.id == "fft_response_rate")
    assert other.summary_row()["data_quality"] == "Sufficient"
    revised = next(c for c in pec.charts if c.measure.id == "complaints_in_target")
    assert revised.summary_row()["data_quality"] == "Sufficient"  # the later rating is in force


def test_summary_table_has_the_ipr_columns_and_says_when_ratings_are_missing(pec):
    html = render.summary_icons(pec.summary)
    for header in ("Latest month", "Target", "Mean", "Process limits", "Variation", "Assurance", "Data quality"):
        assert f">{header}</th>" in html
    unrated = render.summary_icons(pec.summary.assign(data_quality=None))
    assert "Data quality</th>" not in unrated and "Data-quality ratings: not supplied" in unrated
    # icons in the dense table keep their meaning for screen readers
    assert 'class="visually-hidden">Common cause variation<' in html


def test_icon_key_explains_exactly_the_icons_used(pec):
    key = render.icon_key(pec)
    used = {r["variation"] for r in (c.summary_row() for c in pec.all_charts())} - {None}
    for kind, label in ((i.code, i.label) for i in style.ICONS.values() if i.kind == "variation"):
        assert (f">{label}</th>" in key) == (kind in used), kind
    assert "Consistently fails target" in key


# -- printing: footer, appendix, action lists ----------------------------------------------------


def test_footer_css_carries_the_title_safely():
    css = export.page_css('Ward "A" </style><script>')
    assert "counter(page)" in css and "counter(pages)" in css
    assert "</style>" not in css.split("@bottom-left")[1] and "<script>" not in css


def test_appendix_cells_leave_the_paper_for_their_own_page(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Paper"),
        nbformat.v4.new_markdown_cell("## Actions\n\nThe ones due now."),
        nbformat.v4.new_markdown_cell("## Full action log", metadata={"tags": ["appendix"]}),
        nbformat.v4.new_markdown_cell("EVERY ACTION", metadata={"tags": ["appendix"]}),
        nbformat.v4.new_markdown_cell("## Method"),
    ]
    path = tmp_path / "pec.ipynb"
    nbformat.write(nb, path)
    written = export.export_html(path, tmp_path / "pec.html", title="PEC")
    assert [p.name for p in written] == ["pec.html", "pec.appendix.html"]
    paper, appendix = (p.read_text(encoding="utf-8") for p in written)
    assert "EVERY ACTION" not in paper and 'href="pec.appendix.html"' in paper
    assert paper.index("pec.appendix.html") < paper.index('<h2 id="Method"')
    assert "EVERY ACTION" in appendix and "<title>Appendix to: PEC</title>" in appendix
    # a notebook with no appendix writes one page
    nb.cells = nb.cells[:2]
    nbformat.write(nb, path)
    assert [p.name for p in export.export_html(path, tmp_path / "b.html", title="B")] == ["b.html"]


def test_the_pec_lists_overdue_actions_and_counts_the_rest(pec):
    month = pec.month
    late = pec.overdue_actions
    assert len(late) and late["overdue"].all()
    assert len(late) == int(pec.actions["overdue"].sum())
    counts = action_counts(pec.actions, month)
    assert counts["total"].sum() == len(pec.actions)
    assert counts["overdue"].sum() == len(late)
    soon = pec.actions[
        ~pec.actions["overdue"] & (pd.to_datetime(pec.actions["due_date"]) <= pd.Timestamp("2027-01-31"))
    ]
    assert counts["next_quarter"].sum() == len(soon)
    assert action_counts(pec.actions.iloc[0:0], month).empty


# -- small multiples ------------------------------------------------------------------------------


def test_small_multiples_page_has_every_key_measure_for_every_division(board, pec):
    grid = board.measure_grid()
    measure_ids = [m.id for m in committees.measure_list(board.spec, "measures")]
    assert [m.id for m, _ in grid] == measure_ids
    for _, charts in grid:
        assert [c.unit_id for c in charts] == sorted(demo.DIVISIONS, key=lambda u: demo.DIVISIONS[u])
    html = render.small_multiples(board)
    assert html.count("<svg") == 1 and "<title" in html  # one figure, with its accessible name
    for name in demo.DIVISIONS.values():
        assert name.replace("'", "&#x27;") in html
    improving = demo.DIVISIONS[demo.PLANTED["improving_division"]]
    assert f"{improving} improvement (high)" in render.vocabulary.describe_grid(grid, board.period)
    # a chart on both the divisions table and the small multiples is one executive-summary item
    items = board.attention()
    assert len(items) == len(set(items))
    assert [m.id for m, _ in pec.measure_grid()] == [m.id for m in committees.measure_list(pec.spec, "measures")]


def test_the_recommendation_names_wards_and_requirements_from_the_findings():
    from pxassure.reports.cover import asked_to

    items = [
        Attention("ward_exception", "Ash Ward (FFT % positive, Complaints)", "Ward manager", "Wards", "Ash Ward"),
        Attention("assurance_gap", "12C: contradicted by data", "Chief Nurse", "Framework", "12C"),
    ]
    said = asked_to(items, "limited", "approval")
    # no record of an action is held, so none is claimed: the meeting is asked to seek it
    assert said[0] == (
        "seek from the divisions what is being done about these escalated exceptions, for which no action is "
        "recorded in this paper: Ash Ward (FFT % positive, Complaints)"
    )
    assert not any("actions their divisions are taking" in s or "the plans for" in s for s in said)
    assert said[1].endswith("with an assurance gap how it will be closed: 12C (contradicted by data)")
    assert said[-1] == "approve the report and take limited assurance from it"


def test_each_papers_heading_names_its_committee_or_division(demo_db):
    from pxassure.reports import division_report, quality_report

    assert division_report(demo_db, unit_id="MED").title == (
        "Patient experience: Medicine and Urgent Care divisional report, October 2026"
    )
    assert "Quality and Governance Committee" in quality_report(demo_db, "latest", "quality_committee").title
    assert "Executive Quality Committee" in quality_report(demo_db, "latest", "executive_quality_committee").title
    for name in ("division", "quality_committee"):  # the heading comes from the report, never a fixed line
        cells = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / f"{name}.ipynb").read_text())["cells"]
        markdown = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        assert "\n# " not in "\n" + markdown and "render.heading(report.title)" in json.dumps(cells)
    for name in ("division", "ward"):  # a paper opens with its heading: no words above it
        cells = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / f"{name}.ipynb").read_text())["cells"]
        first_words = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown")
        heading = next(i for i, c in enumerate(cells) if "render.heading(" in "".join(c["source"]))
        assert heading < first_words, name


# -- small-number suppression wherever a paper says it applies ------------------------------------


def test_complaint_subjects_hide_counts_of_one_to_four_and_their_shares(pec):
    table = pec.complaints_subjects
    hidden = table[table["complaints"] == "*"]
    assert len(hidden) and (hidden["share"] == "*").all()
    shown = pd.to_numeric(table.loc[table["complaints"] != "*", "complaints"].str.replace(",", ""))
    assert (shown >= 5).all()  # a subject is counted only when raised, so what is shown is 5 or more


def test_the_boards_exceptions_hide_a_count_of_one_to_four(board):
    from pxassure.publish import render

    rows = board.exceptions.copy()
    theme = rows["measure_id"].str.startswith("negative_theme:")
    assert theme.any()
    rows.loc[theme, "latest"] = 3
    assert ">*<" in str(render.exceptions_table(rows, "x", suppress_counts=True))
    assert ">*<" not in str(render.exceptions_table(rows, "x"))  # papers that do not say so show the count
