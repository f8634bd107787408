"""PDF papers and the board pack, printed by headless Chromium from the same HTML and CSS.

Chromium (Debian's ``chromium`` package) prints each paper with its print stylesheet — the
footer with the title and "Page N of M", headings kept with what follows — so the PDF is
the HTML paper on A4, not a second layout to keep in step. The board pack joins the
period's papers in agenda order behind a cover and a contents page, with one bookmark per
paper (:mod:`.joining`). One Chromium per process prints every paper (:mod:`.browser`). Every file is written to a temporary name and moved into place, so a
failed print never leaves half a PDF where a good one was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from pxassure.errors import PdfError
from pxassure.files import atomic_write_bytes
from pxassure.publish.contents import PAPER_NOUNS, WARDS, findings_of
from pxassure.publish.joining import TARGET_KEY, Part, join
from pxassure.words import counted

#: Where Chromium may be, in the order tried (``PXASSURE_CHROMIUM`` names one explicitly).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install Debian's Chromium (sudo apt-get install chromium) or set PXASSURE_CHROMIUM to a Chromium "
    "or Chrome executable; nothing is downloaded at run time"
)
PRINT_TIMEOUT = 180  # seconds for one paper; a large ward pack page prints in 1-3 s


def find_chromium() -> str:
    """The Chromium executable to print with, or :class:`PdfError` saying how to install it."""
    named = os.environ.get("PXASSURE_CHROMIUM")
    if named:
        found = shutil.which(named)
        if not found:
            raise PdfError(f"PXASSURE_CHROMIUM is {named!r}, which is not an executable; {INSTALL_HINT}")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(f"cannot print PDFs: no Chromium found ({', '.join(CHROMIUM_NAMES)}); {INSTALL_HINT}")


def print_pdf(html_path: str | Path, pdf_path: str | Path, *, timeout: int = PRINT_TIMEOUT) -> Path:
    """Print one HTML page to ``pdf_path`` (A4, its own print CSS; atomic), in this process's
    Chromium (:mod:`.browser`: started once, each paper a new tab), which is killed with its
    children on a timeout or failure."""
    from pxassure.publish.browser import print_to_pdf

    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    printed = print_to_pdf(find_chromium(), html_path, timeout)
    if printed[:5] != b"%PDF-":
        raise PdfError(f"{html_path}: Chromium could not print it (it returned no PDF)")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pxassure-print-") as tmp:
        out = Path(tmp) / "out.pdf"
        out.write_bytes(printed)
        atomic_write_bytes(pdf_path, _without_disk_links(out, html_path.parent))
    return pdf_path


def _file_target(annotation) -> Path | None:
    """The file a link annotation points at on this machine's disk (None: not a file link)."""
    from urllib.parse import unquote, urlparse

    action = annotation.get("/A")
    uri = action.get("/URI") if action is not None else None
    if uri is None or not str(uri).startswith("file:"):
        return None
    return Path(unquote(urlparse(str(uri)).path))


def _without_disk_links(pdf: Path, base: Path) -> bytes:
    """The printed PDF with no link to the disk of the machine that printed it: a link to another
    paper keeps only where it points, relative to ``base`` (the paper's folder), for the pack
    (:data:`~pxassure.publish.joining.TARGET_KEY`: inert until the pack points it at a page)."""
    import io

    import pikepdf

    with pikepdf.Pdf.open(pdf) as printed:
        for page in printed.pages:
            for annotation in page.obj.get("/Annots", []):
                target = _file_target(annotation)
                if target is not None:
                    del annotation["/A"]
                    annotation[TARGET_KEY] = pikepdf.String(os.path.relpath(target, base))
        buffer = io.BytesIO()
        printed.save(buffer)
    return buffer.getvalue()


def pdf_path_for(html_path: str | Path) -> Path:
    """Where a paper's PDF goes: beside its HTML, same name."""
    return Path(html_path).with_suffix(".pdf")


def page_count(pdf_path: str | Path) -> int:
    import pikepdf

    with pikepdf.Pdf.open(pdf_path) as pdf:
        return len(pdf.pages)


# ---------------------------------------------------------------------------
# The board pack
# ---------------------------------------------------------------------------


@dataclass
class PackPaper:
    """One paper of the pack: its agenda group, title and files (see ``contents.Entry``)."""

    group: str  # "Trust Board", "Committees", "Divisions", "Wards and departments"
    title: str
    html: Path
    division: str = ""  # a ward's division
    escalated: bool = False  # a ward escalated this month
    appendix: bool = False  # a paper's appendix page, not a paper

    @property
    def pdf(self) -> Path:
        return pdf_path_for(self.html)


def _holdings(papers: list[PackPaper]) -> str:
    """What the pack holds, group by group, for its cover."""
    parts = []
    for group in dict.fromkeys(p.group for p in papers):
        these = [p for p in papers if p.group == group]
        appendices = sum(p.appendix for p in these)
        n = len(these) - appendices
        text = "the Trust Board's paper" if group == "Trust Board" else counted(n, PAPER_NOUNS[group])
        if group == WARDS:
            escalated = sum(p.escalated for p in these)
            text += f", grouped under their {counted(len({p.division for p in these}), 'division')}"
            text += f" ({escalated} escalated, marked)" if escalated else ""
        if appendices:
            text += f" and {counted(appendices, 'appendix', 'appendices')}"
        parts.append(text)
    listed = "; ".join(parts)
    return f"This pack holds {listed}; and, last, an appendix saying how the papers were produced."


#: The pack's last appendix, as its contents and bookmarks name it.
REPRODUCTION_TITLE = "Appendix: how these papers were produced"


def front_matter_html(
    trust_name: str,
    period: str,
    papers: list[PackPaper],
    first_pages: list[int],
    meeting_date: str | None,
    css: str,
    appendix_page: int | None = None,
) -> str:
    """The pack's cover and contents pages: each paper with the pack page it starts on, wards
    under their division with the escalated ones marked, and the reproduction appendix's page."""
    rows, group, division = [], None, None
    for paper, first in zip(papers, first_pages):
        if paper.group != group:
            group, division = paper.group, None
            rows.append(f'<tr class="group"><th scope="rowgroup" colspan="2">{escape(group)}</th></tr>')
        if paper.division and paper.division != division:
            division = paper.division
            rows.append(f'<tr class="subgroup"><th scope="rowgroup" colspan="2">{escape(division)}</th></tr>')
        mark = ' <strong class="escalated">(escalated)</strong>' if paper.escalated else ""
        link = f'<a href="{escape(paper.html.resolve().as_uri(), quote=True)}">{escape(paper.title)}</a>{mark}'
        rows.append(f'<tr><th scope="row">{link}</th><td class="num">{first}</td></tr>')
    if appendix_page is not None:
        rows.append(
            f'<tr class="group"><th scope="row">{REPRODUCTION_TITLE}</th><td class="num">{appendix_page}</td></tr>'
        )
    wards = any(p.group == WARDS for p in papers)
    when = escape(meeting_date) if meeting_date else "to be confirmed"
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Board pack: patient experience — {escape(trust_name)} — {escape(period)}</title>"
        f"<style>{css}\n.pack-cover {{ break-after: page; page-break-after: always; padding-top: 30mm; }}"
        "\ntr.subgroup th { font-weight: normal; font-style: italic; padding-left: 1rem; }"
        '</style></head><body><main id="main">'
        f'<section class="pack-cover"><h1>{escape(trust_name)}</h1>'
        f"<p><strong>Patient experience: board and committee papers</strong></p>"
        f"<p>Reporting period: {escape(period)}</p><p>Date of meeting: {when}</p>"
        f"<p>{escape(_holdings(papers))} The papers are in agenda order: the Trust Board, then its committees, "
        "then the divisions, then the wards. Each board and committee paper opens with its own cover sheet, "
        "and every paper numbers its own pages; the pack's page number is printed at the top right of every "
        "page, and the contents give the pack page where each paper begins.</p>"
        "<p><strong>Not for publication as it stands.</strong> The pack is for the members of the board and its "
        "committees: each board and committee paper's cover sheet says whether it is for the meeting's public "
        "or private session"
        + (", and the ward papers quote patients' comments (redacted)" if wards else "")
        + ". Publish papers one by one, as their cover sheets allow.</p>"
        f"<p>Printed {date.today():%d %B %Y}.</p></section>"
        '<h2 id="contents">Contents</h2><table><caption>Papers in this pack</caption><thead><tr>'
        '<th scope="col">Paper</th><th scope="col" class="num">Page</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></main></body></html>"
    )


def _when(stamp) -> str:
    """An ISO time stamp as a reader writes it: "2026-12-05 16:16" (UTC)."""
    text = str(stamp or "?")
    return text[:16].replace("T", " ") if len(text) >= 16 else text


def reproduction_html(papers: list[PackPaper], css: str) -> str:
    """The pack's last appendix: for each paper, when it was built, from which load of the data,
    by which version of pxassure and with which rule options — the record a reviewer needs,
    with no file paths (each paper's HTML gives the commands that reproduce it)."""
    import json

    rows = []
    for paper in papers:
        findings = findings_of(paper.html)
        if not findings.exists():
            continue
        f = json.loads(findings.read_text(encoding="utf-8"))
        snap = f.get("snapshot") or {}
        options = f.get("options") or {}
        rule = f"{options.get('preset', '?')}: shift {options.get('shift_length', '?')}, trend {options.get('trend_length', '?')}"
        cells = [
            paper.title,
            _when(f.get("generated_at")),
            f"load {snap.get('load_id', '?')} of {_when(snap.get('loaded_at'))}",
            f"pxassure {f.get('code_version', '?')}",
            rule,
        ]
        rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Appendix: how these papers were produced</title><style>{css}</style></head><body>"
        '<main id="main"><h1>Appendix: how these papers were produced</h1>'
        "<p>Each paper was built by running its Jupyter notebook on the trust's data as loaded, with the rule "
        "options shown. A reviewer can re-run any paper with the commands given in its web (HTML) version; "
        "the same data load, version and options give the same figures.</p>"
        '<table class="log"><caption>Papers, data and versions</caption><thead><tr>'
        '<th scope="col">Paper</th><th scope="col">Built at</th><th scope="col">Data</th>'
        '<th scope="col">Version</th><th scope="col">Rule options</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></main></body></html>"
    )


def build_pack(
    papers: list[PackPaper],
    output: str | Path,
    *,
    trust_name: str,
    period: str,
    css: str,
    meeting_date: str | None = None,
    front_css: str | None = None,
) -> Path:
    """Join ``papers`` (their PDFs must exist) behind a cover and contents page into ``output``,
    with a bookmark per paper under its agenda group, the reproduction appendix last, and the
    pack's page number on every page; written atomically. ``front_css`` styles the cover,
    contents and appendix (their footer carries no "of M": the pack numbers them)."""
    if not papers:
        raise PdfError("no papers to put in the board pack: build the period's reports first")
    missing = [str(p.pdf) for p in papers if not p.pdf.exists()]
    if missing:
        raise PdfError(f"board pack: no PDF for {', '.join(missing)}; build them with --pdf")
    counts = [page_count(p.pdf) for p in papers]
    output = Path(output)
    own_css = front_css or css
    with tempfile.TemporaryDirectory(prefix="pxassure-pack-") as tmp:
        front_pdf, back_pdf = Path(tmp) / "front.pdf", Path(tmp) / "reproduction.pdf"
        back_html = Path(tmp) / "reproduction.html"
        back_html.write_text(reproduction_html(papers, own_css), encoding="utf-8")
        print_pdf(back_html, back_pdf)
        front_pages = 2
        for _ in range(4):  # the contents may run over a page: settle its length, then number from it
            firsts, n = [], front_pages + 1
            for c in counts:
                firsts.append(n)
                n += c
            html = Path(tmp) / "front.html"
            html.write_text(
                front_matter_html(trust_name, period, papers, firsts, meeting_date, own_css, n), encoding="utf-8"
            )
            print_pdf(html, front_pdf)
            printed = page_count(front_pdf)
            if printed == front_pages:
                break
            front_pages = printed
        parts = [
            Part(front_pdf, "Cover and contents", html.parent),
            *(Part(p.pdf, p.title, p.html.resolve().parent, p.html, p.group) for p in papers),
            Part(back_pdf, REPRODUCTION_TITLE, html.parent),
        ]
        joined = Path(tmp) / "pack.pdf"
        title = f"Patient experience board pack — {trust_name} — {period}"
        join(parts, joined, title=title, numbering="Board pack page {n} of {total}")
        atomic_write_bytes(output, joined.read_bytes())
    return output
