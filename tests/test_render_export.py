"""HTML fragments and the nbconvert export, on small inputs."""

import base64
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pandas as pd
import pytest

from pxassure.analysis import spc
from pxassure.publish import export, framing, render, style, vocabulary


def test_free_text_is_escaped_never_executed():
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    html = render.table(pd.DataFrame({"comment": [evil]}), "Comments") + render.paragraphs(evil)
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html


def test_a_fragment_is_stored_once_as_html_with_a_short_plain_text_label():
    """An executed notebook keeps each chart's HTML once: its plain-text form is a label, not a
    second copy of the HTML (which would double the notebook and what the build reads back)."""
    from IPython.core.formatters import DisplayFormatter

    html = "<p>" + "x" * 5000 + "</p>"
    data, _ = DisplayFormatter().format(render.Fragment(html))
    assert data["text/html"] == html
    assert data["text/plain"] == "<HTML, 5,007 characters>"


def test_icons_have_text_equivalents():
    for kind, label in ((i.code, i.label) for i in style.ICONS.values() if i.kind == "variation"):
        html = render.variation_icon(kind)
        assert label in html and 'aria-hidden="true"' in html
    for kind, label in ((i.code, i.label) for i in style.ICONS.values() if i.kind == "assurance"):
        assert label in render.assurance_icon(kind)
    assert "No target" in render.assurance_icon(None, has_target=False)
    assert "No icon" in render.variation_icon(float("nan"))  # the reason is in the chart text or a note


def test_spc_figure_carries_describe_as_alt_text():
    r = spc.xmr(
        pd.Series(
            [10, 12, 11, 13, 10, 12, 11, 12, 10, 13, 11, 12, 30],
            index=pd.period_range("2025-01", periods=13, freq="M").astype(str),
        )
    )
    html = render.spc_figure(r, title="Test & chart", measure="Widgets")
    assert "<svg" in html and 'role="img"' in html and "<title" in html
    assert "Test &amp; chart" in html and vocabulary.describe_chart(r, "Widgets").replace("'", "&#x27;") in html


def _notebook(outputs, source="x = 1"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\n## First\n\ntext\n\n## Second"),
        nbformat.v4.new_code_cell(source, outputs=outputs),
    ]
    return nb


def test_export_hides_code_adds_contents_and_png_alt_text():
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n fake").decode()
    out = nbformat.v4.new_output(
        "display_data", data={"image/png": png}, metadata={"image/png": {"alt": "A bar chart of widgets"}}
    )
    html = export.notebook_to_html(_notebook([out], source="secret_code()"), title="T")
    assert "secret_code" not in html
    assert 'alt="A bar chart of widgets"' in html
    assert '<nav class="toc"' in html and 'href="#First"' in html and 'href="#Second"' in html
    assert "<script" not in html


def test_export_refuses_external_resources():
    out = nbformat.v4.new_output("display_data", data={"text/html": '<script src="https://cdn.example/x.js"></script>'})
    with pytest.raises(export.ExportError, match="external resource"):
        export.notebook_to_html(_notebook([out]), title="T")


def test_export_drops_warnings():
    out = nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy")
    assert "noisy" not in export.notebook_to_html(_notebook([out]), title="T")


def test_export_gives_every_image_alt_text_and_leaves_the_notebook_as_it_was():
    """nbconvert preprocessors (``export.AltText``, ``DropDiagnostics``) work on a copy: the
    executed notebook keeps what the analyst's log needs."""
    html_out = nbformat.v4.new_output(
        "display_data", data={"text/html": '<p>logo</p><img src="data:image/png;base64,AA==">'}
    )
    warning = nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy")
    nb = _notebook([html_out, warning])
    nb.cells.append(nbformat.v4.new_markdown_cell('<img src="data:image/png;base64,AA==">'))
    before = nbformat.writes(nb)
    html = export.notebook_to_html(nb, title="T")
    assert html.count(f'<img alt="{export.NO_DESCRIPTION}"') == 2 and "<img src=" not in html
    assert nbformat.writes(nb) == before


def test_provenance_is_a_labelled_section_not_a_nested_landmark():
    report = SimpleNamespace(
        parameters={"period": "2026-10"},
        snapshot={"load_id": "x"},
        code_version="0.1.0",
        generated_at="now",
        reproduce_commands=lambda: ["make report"],
    )
    html = framing.provenance(report)
    assert html.startswith('<section class="provenance reproduction"') and html.endswith("</section>")
    assert "contentinfo" not in html and html.count("<section") == html.count("</section>")


def test_tables_show_numbers_for_people():
    frame = pd.DataFrame(
        {
            "what": ["a", "b", "c", "d"],
            "flag": [True, False, None, True],
            "mean": [2.769230769230769, 12.0, float("nan"), 1234.5678],
            "p": [0.00001, 0.0123, 0.5, None],
        }
    )
    html = str(render.table(frame, "Numbers"))
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html.split("<tbody>")[1])
    assert cells == [
        "a",
        "Yes",
        "2.77",
        "&lt;0.001",
        "b",
        "No",
        "12",
        "0.0123",
        "c",
        "",
        "",
        "0.5",
        "d",
        "Yes",
        "1,234.6",
        "",
    ]
    for word in ("True", "False", "None", "nan"):
        assert word not in html


def test_the_page_title_is_the_reports_own_heading():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("Some words first.\n\n## Not the title"),
        nbformat.v4.new_code_cell(
            "display(heading)",
            outputs=[
                nbformat.v4.new_output(
                    "display_data", data={"text/html": str(render.heading("Willow Ward & Co: October 2026"))}
                )
            ],
        ),
    ]
    assert export.title_of(nb) == "Willow Ward & Co: October 2026"
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# A markdown title"))
    assert export.title_of(nb) == "A markdown title"
    assert export.title_of(nbformat.v4.new_notebook()) is None


# -- print legibility: no text under 7 pt on A4 -----------------------------------------------------

#: The printed text width of an A4 page (210 mm less 13 mm margins each side), in points.
A4_TEXT_WIDTH_PT = (210 - 26) / 25.4 * 72


def _smallest_printed_pt(svg: str, max_height_mm: float) -> float:
    """The smallest font size of an inline SVG once CSS fits it to the page width (and, in print,
    the figure's maximum height)."""
    w, h = (float(v) for v in re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
    scale = min(A4_TEXT_WIDTH_PT / w, max_height_mm / 25.4 * 72 / h)
    return min(float(s) for s in re.findall(r'font-size="([\d.]+)"', svg)) * scale


def test_the_framework_heatmap_and_small_multiples_print_at_7pt_or_more(demo_db):
    from pxassure.publish import svgcharts
    from pxassure.reports import board_report, quality_report

    quality = quality_report(demo_db, committee="executive_quality_committee")
    assert quality.heatmap.shape == (57, 12)
    css = (Path(render.__file__).parent / "templates" / "pxassure" / "report.css").read_text()
    tall = float(re.search(r"figure\.chart\.tall > svg \{ max-height: (\d+)mm", css).group(1))
    grid = float(re.search(r"\.small-multiples figure\.chart > svg \{ max-height: (\d+)mm", css).group(1))
    heat = svgcharts.heatmap_svg(quality.heatmap, title="Framework", description="d")
    assert _smallest_printed_pt(heat, tall) >= 7
    board = board_report(demo_db)
    multiples = str(render.small_multiples(board))
    assert _smallest_printed_pt(multiples, grid) >= 7


def test_a_change_in_a_percentage_is_in_points_to_one_decimal():
    """One number of decimals per column: "+0.8 pts" beside "+5.0 pts", never "+0.822" beside "+5.00"."""
    frame = pd.DataFrame(
        {
            "measure": ["FFT % positive", "FFT response rate", "Complaints received"],
            "unit": ["%", "%", "count"],
            "previous": [80.0, 20.0, 3.0],
            "latest": [80.822, 25.0, 1.0],
            "change": [0.822, 5.0, -2.0],
            "variation": ["common_cause", None, None],
        }
    )
    page = str(render.changes_table(frame, "What changed"))
    assert "+0.8 pts" in page and "+5.0 pts" in page and "0.822" not in page
