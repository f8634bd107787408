"""PDF papers and the board pack, printed by headless Chromium from the same HTML and CSS.

Chromium (Debian's ``chromium`` package) prints each paper with its print stylesheet — the
footer with the title and "Page N of M", headings kept with what follows — so the PDF is
the HTML paper on A4, not a second layout to keep in step. The board pack joins the
period's papers in agenda order behind a cover and a contents page (pypdf), with one
bookmark per paper. Every file is written to a temporary name and moved into place, so a
failed print never leaves half a PDF where a good one was.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from pxassure.errors import PdfError
from pxassure.files import atomic_write_bytes
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
    """Print one HTML page to ``pdf_path`` (A4, its own print CSS; atomic). Chromium runs in its
    own process group with a throwaway profile, and is killed with its children on a timeout."""
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path)
    chromium = find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pxassure-chromium-") as profile:
        out = Path(profile) / "out.pdf"
        command = [
            chromium,
            "--headless",
            "--no-sandbox",  # containers run as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",  # the paper's own CSS footer carries title and page numbers
            f"--print-to-pdf={out}",
            html_path.as_uri(),
        ]
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, text=True
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise PdfError(f"{html_path}: Chromium did not finish printing within {timeout} s") from None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        if proc.returncode != 0 or not out.exists() or out.read_bytes()[:5] != b"%PDF-":
            last = (err or "").strip().splitlines()[-1:] or ["no message"]
            raise PdfError(f"{html_path}: Chromium could not print it (exit {proc.returncode}: {last[0][:300]})")
        atomic_write_bytes(pdf_path, _without_disk_links(out, html_path.parent))
    return pdf_path


#: Where a printed paper keeps a link to another paper, as a path relative to its own folder:
#: a link with no action (inert) until the board pack points it at that paper's page.
TARGET_KEY = "/PxassureTarget"


def _file_target(annotation) -> Path | None:
    """The file a link annotation points at on this machine's disk (None: not a file link)."""
    from urllib.parse import unquote, urlparse

    action = annotation.get("/A")
    uri = action.get_object().get("/URI") if action is not None else None
    if uri is None or not str(uri).startswith("file:"):
        return None
    return Path(unquote(urlparse(str(uri)).path))


def _without_disk_links(pdf: Path, base: Path) -> bytes:
    """The printed PDF with no link to the disk of the machine that printed it: a link to another
    paper keeps only where it points, relative to ``base`` (the paper's folder), for the pack."""
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(str(pdf)))
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            target = _file_target(annotation)
            if target is not None:
                del annotation["/A"]
                annotation[NameObject(TARGET_KEY)] = TextStringObject(os.path.relpath(target, base))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def retarget_links(writer, bases: list[Path], pages_of: dict[Path, int]) -> int:
    """Point each paper's links to another paper at the page of the pack where that paper begins
    (``bases``: each page's paper folder; ``pages_of``: a paper's HTML path -> page index); a
    link to a paper not in the pack is removed. Returns the number of links made."""
    from pypdf.generic import ArrayObject, NameObject

    made = 0
    for page, base in zip(writer.pages, bases):
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        kept = ArrayObject()
        for ref in annotations.get_object():
            annotation = ref.get_object()
            target = annotation.get(TARGET_KEY)
            if target is None:
                kept.append(ref)
                continue
            index = pages_of.get((base / str(target)).resolve())
            if index is None:
                continue
            del annotation[TARGET_KEY]
            annotation[NameObject("/Dest")] = ArrayObject([writer.pages[index].indirect_reference, NameObject("/Fit")])
            kept.append(ref)
            made += 1
        page[NameObject("/Annots")] = kept
    return made


def pdf_path_for(html_path: str | Path) -> Path:
    """Where a paper's PDF goes: beside its HTML, same name."""
    return Path(html_path).with_suffix(".pdf")


def page_count(pdf_path: str | Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(pdf_path)).pages)


# ---------------------------------------------------------------------------
# The board pack
# ---------------------------------------------------------------------------


@dataclass
class PackPaper:
    """One paper of the pack: its agenda group, title and files."""

    group: str  # "Trust Board", "Committees", "Divisions", "Wards and departments"
    title: str
    html: Path

    @property
    def pdf(self) -> Path:
        return pdf_path_for(self.html)


def front_matter_html(
    trust_name: str, period: str, papers: list[PackPaper], first_pages: list[int], meeting_date: str | None, css: str
) -> str:
    """The pack's cover and contents pages: each paper with the pack page it starts on."""
    rows, group = [], None
    for paper, first in zip(papers, first_pages):
        if paper.group != group:
            group = paper.group
            rows.append(f'<tr class="group"><th scope="rowgroup" colspan="2">{escape(group)}</th></tr>')
        link = f'<a href="{escape(paper.html.resolve().as_uri(), quote=True)}">{escape(paper.title)}</a>'
        rows.append(f'<tr><th scope="row">{link}</th><td class="num">{first}</td></tr>')
    when = escape(meeting_date) if meeting_date else "to be confirmed"
    return (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>Board pack: patient experience — {escape(trust_name)} — {escape(period)}</title>"
        f"<style>{css}\n.pack-cover {{ break-after: page; page-break-after: always; padding-top: 30mm; }}"
        '</style></head><body><main id="main">'
        f'<section class="pack-cover"><h1>{escape(trust_name)}</h1>'
        f"<p><strong>Patient experience: board and committee papers</strong></p>"
        f"<p>Reporting period: {escape(period)}</p><p>Date of meeting: {when}</p>"
        f"<p>{counted(len(papers), 'paper')}, in agenda order: the Trust Board, then its committees, then the "
        "divisions. Each paper opens with its own cover sheet and carries its own page numbers; the "
        "contents give the page of this pack where each begins.</p>"
        f"<p>Printed {date.today():%d %B %Y} by pxassure.</p></section>"
        '<h2 id="contents">Contents</h2><table><caption>Papers in this pack</caption><thead><tr>'
        '<th scope="col">Paper</th><th scope="col" class="num">Page</th></tr></thead>'
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
) -> Path:
    """Join ``papers`` (their PDFs must exist) behind a cover and contents page into ``output``,
    with a bookmark per paper under its agenda group; written atomically."""
    from pypdf import PdfReader, PdfWriter

    if not papers:
        raise PdfError("no papers to put in the board pack: build the period's reports first")
    missing = [str(p.pdf) for p in papers if not p.pdf.exists()]
    if missing:
        raise PdfError(f"board pack: no PDF for {', '.join(missing)}; build them with --pdf")
    counts = [page_count(p.pdf) for p in papers]
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="pxassure-pack-") as tmp:
        front_pdf = Path(tmp) / "front.pdf"
        front_pages = 2
        for _ in range(4):  # the contents may run over a page: settle its length, then number from it
            firsts, n = [], front_pages + 1
            for c in counts:
                firsts.append(n)
                n += c
            html = Path(tmp) / "front.html"
            html.write_text(front_matter_html(trust_name, period, papers, firsts, meeting_date, css), encoding="utf-8")
            print_pdf(html, front_pdf)
            printed = page_count(front_pdf)
            if printed == front_pages:
                break
            front_pages = printed
        writer = PdfWriter()
        writer.append(PdfReader(str(front_pdf)))
        writer.add_outline_item(title="Cover and contents", page_number=0)
        parents: dict[str, object] = {}
        for paper, first in zip(papers, firsts):
            writer.append(PdfReader(str(paper.pdf)))
            if paper.group not in parents:
                parents[paper.group] = writer.add_outline_item(title=paper.group, page_number=first - 1)
            writer.add_outline_item(title=paper.title, page_number=first - 1, parent=parents[paper.group])
        writer.add_metadata({"/Title": f"Patient experience board pack — {trust_name} — {period}"})
        bases = [html.parent] * front_pages + [
            p.html.resolve().parent for p, c in zip(papers, counts) for _ in range(c)
        ]
        retarget_links(writer, bases, {p.html.resolve(): first - 1 for p, first in zip(papers, firsts)})
        joined = Path(tmp) / "pack.pdf"
        with open(joined, "wb") as fh:
            writer.write(fh)
        atomic_write_bytes(output, joined.read_bytes())
    return output
