"""Executed notebook → one self-contained, offline HTML report (nbconvert).

The page uses pxassure's own nbconvert template (``templates/pxassure``): code hidden,
no scripts, CSS inlined, charts inline SVG, images carrying their alt text. After
nbconvert, a table of contents is built from the ``<h2>`` headings and the page is
checked for any external URL before it is written (atomically).
"""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

from pxassure.errors import ExportError
from pxassure.files import atomic_write_text

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "pxassure"

_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">[^<]*</a>')
_TAGS = re.compile(r"<[^>]+>")
# Anything that would make the browser fetch from the network.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import""",
    re.I,
)


def _exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
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


def table_of_contents(html: str) -> str:
    """Insert a contents list of the ``<h2>`` headings after the first ``<h1>``."""
    entries = [(hid, _TAGS.sub("", text).strip()) for hid, text in _H2.findall(html)]
    if not entries:
        return html
    items = "".join(f'<li><a href="#{escape(hid, quote=True)}">{text}</a></li>' for hid, text in entries)
    nav = f'<nav class="toc" aria-labelledby="toc-heading"><h2 id="toc-heading">Contents</h2><ol>{items}</ol></nav>'
    end_h1 = html.find("</h1>")
    if end_h1 == -1:
        return html.replace('<main id="main">', '<main id="main">' + nav, 1)
    end_h1 += len("</h1>")
    return html[:end_h1] + nav + html[end_h1:]


def check_offline(html: str, source: str = "report") -> None:
    """Raise :class:`ExportError` if the page would load anything from the network."""
    match = _EXTERNAL.search(html)
    if match:
        raise ExportError(
            f"{source}: the HTML refers to an external resource ({match.group(0)[:80]!r}); reports must open offline"
        )


def notebook_to_html(nb: nbformat.NotebookNode | str | Path, *, title: str) -> str:
    """Render an executed notebook as pxassure's offline HTML page."""
    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.read(str(nb), as_version=4)
    nb = _drop_diagnostics(nb)
    css = (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    body, _ = _exporter().from_notebook_node(nb, resources={"pxassure_title": title, "pxassure_css": css})
    body = _ANCHOR.sub("", body)
    body = table_of_contents(body)
    check_offline(body, title)
    return body


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


def export_html(notebook_path: str | Path, html_path: str | Path, *, title: str) -> Path:
    """Export ``notebook_path`` to ``html_path`` atomically; return the HTML path."""
    html = notebook_to_html(notebook_path, title=title)
    atomic_write_text(html_path, html)
    return Path(html_path)


def index_page(period: str, reports: list[tuple[str, str, str, str]], trust_name: str = "") -> str:
    """One trust's index for a period: every report (layer, name, path, title), by layer, board first."""
    from pxassure.reports.committees import LAYER_TITLES, LAYERS

    css = (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")
    sections = []
    for layer in reversed(LAYERS):
        items = [(name, path, title) for lay, name, path, title in reports if lay == layer]
        if not items:
            continue
        lis = "".join(f'<li><a href="{escape(path, quote=True)}">{escape(title)}</a></li>' for _, path, title in items)
        sections.append(f'<h2 id="{escape(layer)}">{escape(LAYER_TITLES[layer])}</h2><ul>{lis}</ul>')
    body = "".join(sections) or "<p>No reports have been built for this period yet.</p>"
    who = f"{escape(trust_name)} — " if trust_name else ""
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Patient experience reports — {who}{escape(period)}</title><style>{css}</style></head><body>"
        f'<a class="skip-link" href="#main">Skip to content</a><main id="main">'
        f"<h1>Patient experience reports — {who}{escape(period)}</h1>"
        f"<p>Every committee paper built for {escape(period)}, from the Trust Board down to the wards. "
        f"Each file opens offline and can be emailed on its own.</p>{body}</main></body></html>"
    )
    html = table_of_contents(html)
    check_offline(html, "index")
    return html
