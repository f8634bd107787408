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

_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')


class PaperExporter(HTMLExporter):
    """nbconvert's HTML exporter without its closing BeautifulSoup pass, which parses the whole
    page, edits it and writes it out again — most of a report's export time. On pxassure's
    template that pass changes nothing but the spelling of the markup (its keyboard focus is for
    the lab template's cells, which this one does not have); the one thing it could do here, give
    an image without alt text a placeholder, :func:`_alt_text` does on the text."""

    def from_notebook_node(self, nb, resources=None, **kw):
        # As HTMLExporter.from_notebook_node (nbconvert 7.17, pinned), up to its soup pass.
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter(
            "highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
        )
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources),
        )
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return _alt_text(html), resources


_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")


def _alt_text(html: str) -> str:
    """No image without alt text (nbconvert's placeholder, as its own exporter gives)."""
    return _IMG_WITHOUT_ALT.sub('<img alt="No description has been provided for this image"', html)


@cache
def _exporter() -> HTMLExporter:
    """pxassure's HTML exporter, made once per process: loading the template is most of its cost,
    and a pack worker exports many reports."""
    exporter = PaperExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # validate the notebook once, after all preprocessors, not after each of them (a dozen
        # validations were most of a report's export time)
        optimistic_validation=True,
    )
    return exporter


def _drop_diagnostics(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove stderr streams (warnings are for the analyst's log, not the committee)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell["outputs"] = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    return nb


_HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
# nbconvert's HTML sanitiser may reorder attributes: match either order.
_SECTION_LINK = re.compile(r'<a (?:href="#" data-section="([^"]*)"|data-section="([^"]*)" href="#")>')


def resolve_section_links(html: str, source: str = "report") -> str:
    """Point each link to a section by its heading (``render.section_link``) at that heading's id;
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


def _tagged(cell, tag: str) -> bool:
    return tag in (cell.get("metadata", {}).get("tags") or [])


def split_appendix(
    nb: nbformat.NotebookNode, appendix_href: str
) -> tuple[nbformat.NotebookNode, nbformat.NotebookNode | None]:
    """The paper (cells tagged ``appendix`` replaced by one link to ``appendix_href``) and the
    appendix (those cells), or the notebook unchanged and None when no cell is tagged."""
    tagged = [c for c in nb.cells if _tagged(c, APPENDIX_TAG)]
    if not tagged:
        return nb, None
    headings = [
        line[3:].strip()
        for c in tagged
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    what = "; ".join(headings) or "further detail"
    link = nbformat.v4.new_markdown_cell(
        f"**Appendix** (a page of its own, after this paper in the board pack): [{what}]({appendix_href})."
    )
    paper = nbformat.from_dict({**nb, "cells": []})
    placed = False
    for cell in nb.cells:
        if _tagged(cell, APPENDIX_TAG):
            if not placed:
                paper.cells.append(link)
                placed = True
            continue
        paper.cells.append(cell)
    appendix = nbformat.from_dict({**nb, "cells": tagged})
    return paper, appendix


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str) -> str:
    """Render an executed notebook as pxassure's offline HTML page (every cell, appendix included)."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    return _page(nb, title)


def _page(nb: nbformat.NotebookNode, title: str, *, heading: str | None = None) -> str:
    nb = _drop_diagnostics(nb)
    if heading is not None:
        nb = nbformat.from_dict({**nb, "cells": [nbformat.v4.new_markdown_cell(f"# {heading}"), *nb.cells]})
    body, _ = _exporter().from_notebook_node(nb, resources={"pxassure_title": title, "pxassure_css": page_css(title)})
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
    extra = appendix_path(html_path)
    paper, appendix = split_appendix(nb, extra.name)
    pages = {html_path: _page(paper, title)}
    if appendix is not None:
        appendix_title = f"Appendix to: {title}"
        pages[extra] = _page(appendix, appendix_title, heading=appendix_title)
    return pages


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
