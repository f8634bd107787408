"""The light part of a report page: its CSS with the printed footer, the contents list, the
offline check and the period's index page.

Kept apart from :mod:`pxassure.publish.export` so that writing the index after a build in
which nothing changed imports no notebook machinery (nbformat, nbconvert, jsonschema).
"""

from __future__ import annotations

import re
from functools import cache
from html import escape
from pathlib import Path

from pxassure.errors import ExportError
from pxassure.words import counted

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_NAME = "pxassure"

_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
#: Any HTML tag (to take a heading's text).
TAGS = re.compile(r"<[^>]+>")
# Anything that would make the browser fetch from the network.
_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|data)\s*=\s*["']?\s*(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import""",
    re.I,
)


def table_of_contents(html: str) -> str:
    """Insert a contents list of the ``<h2>`` headings after the first ``<h1>``."""
    entries = [(hid, TAGS.sub("", text).strip()) for hid, text in _H2.findall(html)]
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


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, safe inside a ``<style>`` element."""
    out = []
    for ch in text:
        if ch in '\\"<>' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@cache
def _report_css() -> str:
    return (TEMPLATES / TEMPLATE_NAME / "report.css").read_text(encoding="utf-8")


def page_css(title: str, *, numbered: bool = True) -> str:
    """The report's CSS with its printed footer: the paper's title and "Page N of M" on every page
    (``numbered=False``: the title alone, for pages a board pack numbers itself)."""
    css = _report_css()
    number = (
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt Arial, sans-serif; '
        "color: #4a4a4a; } "
        if numbered
        else ""
    )
    footer = (
        "@media print { @page { "
        f"@bottom-left {{ content: {css_string(title)}; font: 8pt Arial, sans-serif; color: #4a4a4a; }} "
        f"{number}}} }}"
    )
    return css + "\n" + footer + "\n"


def index_page(period: str, entries: list, trust_name: str = "") -> str:
    """One trust's index for a period (named as papers name it: "October 2026"): every paper
    (``contents.Entry``) in agenda order, the wards under their division with the escalated ones
    marked, appendix pages under their paper; and a link up to the trust's index of periods."""
    sections, group, division, items = [], None, None, []

    def close_list():
        if items:
            sections.append(f"<ul>{''.join(items)}</ul>")
            items.clear()

    for e in entries:
        if e.group != group:
            close_list()
            group, division = e.group, None
            gid = re.sub(r"[^a-z]+", "-", e.group.lower()).strip("-")
            sections.append(f'<h2 id="{gid}">{escape(e.group)}</h2>')
        if e.division and e.division != division:
            close_list()
            division = e.division
            sections.append(f"<h3>{escape(division)}</h3>")
        mark = " <strong>(escalated)</strong>" if e.escalated else ""
        link = f'<a href="{escape(e.path, quote=True)}">{escape(e.title)}</a>{mark}'
        items.append(f'<li class="appendix">{link}</li>' if e.appendix_of else f"<li>{link}</li>")
    close_list()
    body = "".join(sections) or "<p>No reports have been built for this period yet.</p>"
    who = f"{escape(trust_name)} — " if trust_name else ""
    intro = (
        f"<p>Every committee paper built for {escape(period)}, from the Trust Board down to the wards. "
        f"Each file opens offline and can be emailed on its own.</p>"
        f'<p><a href="../index.html">Papers for other months and quarters</a></p>'
    )
    return _index(f"Patient experience reports — {who}{escape(period)}", intro + body, "index", contents=True)


def periods_page(entries: list, trust_name: str = "") -> str:
    """One trust's index of the periods built (``contents.PeriodEntry``): the quarterly
    committees' quarters beside the months, newest first, then any what-if builds."""
    who = f"{escape(trust_name)} — " if trust_name else ""
    items = {False: [], True: []}
    for e in entries:
        link = f'<a href="{escape(e.folder, quote=True)}/index.html">{escape(e.period.name)}</a>'
        kind = "quarter" if e.period.is_quarter else "month"
        what = f" (what-if: {escape(e.what_if)})" if e.what_if else ""
        items[bool(e.what_if)].append(f"<li>{link}{what}: {counted(e.papers, 'paper')}, for the {kind}</li>")
    body = f"<ul>{''.join(items[False])}</ul>" if items[False] else "<p>No papers have been built yet.</p>"
    if items[True]:
        body += (
            "<h2>What-if builds</h2><p>Papers rebuilt with other settings, for review; not the official papers.</p>"
            f"<ul>{''.join(items[True])}</ul>"
        )
    intro = (
        "<p>Committees that meet monthly have papers for each month; those that meet quarterly (such as the "
        "governors' engagement committee) have papers for each calendar quarter, named also as the NHS "
        "financial quarter.</p>"
    )
    return _index(f"Patient experience reports — {who}every period built", intro + body, "index of periods")


def _index(title: str, body: str, source: str, *, contents: bool = False) -> str:
    """An index page: offline, one heading, a skip link (and with ``contents`` a contents box)."""
    html = (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{page_css(title)}</style></head><body>"
        f'<a class="skip-link" href="#main">Skip to content</a><main id="main">'
        f"<h1>{title}</h1>{body}</main></body></html>"
    )
    if contents:
        html = table_of_contents(html)
    check_offline(html, source)
    return html
