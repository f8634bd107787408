"""Executed notebook → one self-contained, offline HTML report (nbconvert).

The page uses pxassure's own nbconvert template (``templates/pxassure``): code hidden,
no scripts, CSS inlined, charts inline SVG, images carrying their alt text. After
nbconvert, a table of contents is built from the ``<h2>`` headings and the page is
checked for any external URL before it is written (atomically).

Printed, every page's footer carries the paper's title and "Page N of M" (CSS page margin
boxes, which Chromium prints). Cells tagged ``appendix`` in the notebook (a long log, say)
are left out of the paper and written to a second page, ``<name>.appendix.html``, which the
paper links to where the first of them stood: the paper stays short enough to table, the
executed notebook still holds everything.
"""

from __future__ import annotations

import re
from functools import cache
from html import escape, unescape
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters import TemplateExporter
from nbconvert.filters import Highlight2HTML
from nbconvert.preprocessors import Preprocessor

from pxassure.errors import ExportError
from pxassure.files import atomic_write_text
from pxassure.publish.pages import (  # noqa: F401 (part of this module's interface)
    TAGS,
    TEMPLATE_NAME,
    TEMPLATES,
    check_offline,
    css_string,
    index_page,
    page_css,
    table_of_contents,
)

#: Cells with this tag go to the paper's appendix page, not the paper.
APPENDIX_TAG = "appendix"
#: What an image without a description of its own is given (nbconvert's words for it).
NO_DESCRIPTION = "No description has been provided for this image"

_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")


def _tagged(cell, tag: str) -> bool:
    return tag in (cell.get("metadata", {}).get("tags") or [])


class PaperOrAppendix(Preprocessor):
    """Keeps the part of the notebook a page shows, as ``resources["pxassure_part"]`` asks:
    ``{"part": "paper", "href": …}`` (cells tagged ``appendix`` replaced by one link to that
    page) or ``{"part": "appendix", "heading": …}`` (those cells only, under that heading).
    Without the key the notebook passes whole."""

    def preprocess(self, nb, resources):
        part = (resources or {}).get("pxassure_part")
        if not part:
            return nb, resources
        tagged = [c for c in nb.cells if _tagged(c, APPENDIX_TAG)]
        if part["part"] == "appendix":
            nb.cells = [nbformat.v4.new_markdown_cell(f"# {part['heading']}"), *tagged]
            return nb, resources
        cells, placed = [], False
        for cell in nb.cells:
            if not _tagged(cell, APPENDIX_TAG):
                cells.append(cell)
            elif not placed:
                cells.append(nbformat.v4.new_markdown_cell(_appendix_link(tagged, part["href"])))
                placed = True
        nb.cells = cells
        return nb, resources


def _appendix_link(tagged: list, href: str) -> str:
    headings = [
        line[3:].strip()
        for c in tagged
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    what = "; ".join(headings) or "further detail"
    return f"**Appendix** (a page of its own, after this paper in the board pack): [{what}]({href})."


class DropDiagnostics(Preprocessor):
    """Removes stderr streams: warnings are for the analyst's log, not the committee."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.get("name") == "stderr")]
        return cell, resources


class AltText(Preprocessor):
    """No image without alt text: an ``<img>`` a cell's HTML output or markdown writes without
    one is given nbconvert's placeholder (images the template draws carry their own)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = _with_alt(cell.source)
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None:
                html = "".join(html) if isinstance(html, list) else html
                output["data"]["text/html"] = _with_alt(html)
        return cell, resources


def _with_alt(html: str) -> str:
    return _IMG_WITHOUT_ALT.sub(f'<img alt="{NO_DESCRIPTION}"', html)


class PaperExporter(HTMLExporter):
    """nbconvert's HTML exporter with pxassure's template and preprocessors, rendering through
    the template exporter it derives from. HTMLExporter's own last step re-parses the whole page
    with BeautifulSoup to add alt text and keyboard focus to the lab template's cells: most of a
    report's export time, for cells this template does not have and alt text :class:`AltText`
    gives first."""

    def __init__(self, **kw):
        super().__init__(**kw)
        # Code cells are hidden, so nothing is highlighted; the lab template still names the filter.
        self.register_filter("highlight_code", Highlight2HTML(parent=self))
        for preprocessor in (PaperOrAppendix, DropDiagnostics, AltText):
            self.register_preprocessor(preprocessor, enabled=True)

    def from_notebook_node(self, nb, resources=None, **kw):
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@cache
def _exporter() -> HTMLExporter:
    """pxassure's HTML exporter, made once per process: loading the template is most of its cost,
    and a pack worker exports many reports."""
    return PaperExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # validate the notebook once, after all preprocessors, not after each of them (a dozen
        # validations were most of a report's export time)
        optimistic_validation=True,
    )


_HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
# nbconvert's HTML sanitiser may reorder attributes: match either order.
_SECTION_LINK = re.compile(r'<a (?:href="#" data-section="([^"]*)"|data-section="([^"]*)" href="#")>')


def resolve_section_links(html: str, source: str = "report") -> str:
    """Point each link to a section by its heading (``framing.section_link``) at that heading's id;
    a heading the page does not have is an error, so a renamed section cannot leave a dead link."""
    ids = {}
    for _, hid, text in _HEADING.findall(html):
        ids.setdefault(unescape(TAGS.sub("", _ANCHOR.sub("", text))).strip(), hid)

    def link(match: re.Match) -> str:
        heading = unescape(match.group(1) if match.group(1) is not None else match.group(2))
        if heading not in ids:
            raise ExportError(f"{source}: a link points at the section {heading!r}, which the paper does not have")
        return f'<a href="#{escape(ids[heading], quote=True)}">'

    return _SECTION_LINK.sub(link, html)


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str) -> str:
    """Render an executed notebook as pxassure's offline HTML page (every cell, appendix included)."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    return _page(nb, title)


def _page(nb: nbformat.NotebookNode, title: str, part: dict | None = None) -> str:
    resources = {"pxassure_title": title, "pxassure_css": page_css(title), "pxassure_part": part}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    body = _ANCHOR.sub("", body)
    body = resolve_section_links(body, title)
    body = table_of_contents(body)
    check_offline(body, title)
    return body


def appendix_path(html_path: str | Path) -> Path:
    """Where the appendix of the paper at ``html_path`` is written: ``<name>.appendix.html`` beside it."""
    html_path = Path(html_path)
    return html_path.with_name(html_path.stem + ".appendix.html")


def notebook_pages(nb: nbformat.NotebookNode | str | Path, html_path: str | Path, *, title: str) -> dict[Path, str]:
    """The paper and, when the notebook has cells tagged ``appendix``, its appendix page: {path: HTML}."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    html_path = Path(html_path)
    if not any(_tagged(c, APPENDIX_TAG) for c in nb.cells):
        return {html_path: _page(nb, title)}
    extra = appendix_path(html_path)
    appendix_title = f"Appendix to: {title}"
    return {
        html_path: _page(nb, title, {"part": "paper", "href": extra.name}),
        extra: _page(nb, appendix_title, {"part": "appendix", "heading": appendix_title}),
    }


def title_of(nb: nbformat.NotebookNode | str | Path) -> str | None:
    """The report's own title: its first top-level heading, in a markdown cell or a cell's HTML output."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            found = re.search(r"<h1[^>]*>(.*?)</h1>", "".join(html), re.S)
            if found:
                return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()
    return None


def export_html(notebook: nbformat.NotebookNode | str | Path, html_path: str | Path, *, title: str) -> list[Path]:
    """Export an executed notebook (its path, or the node papermill returned) to ``html_path``
    (and its appendix page, if it has one), each file written atomically; return the paths
    written, the paper first."""
    pages = notebook_pages(notebook, html_path, title=title)
    for path, html in pages.items():
        atomic_write_text(path, html)
    return list(pages)
