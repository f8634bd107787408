"""PDF papers and the board pack, printed by real headless Chromium and read back with poppler.

Needs Debian's ``chromium`` and ``poppler-utils`` (``.ci/run`` installs both). Under CI
(``CI=true``) a missing piece is a failure; elsewhere the printing tests skip and say why.
"""

import os
import re
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path

import pytest

from pxassure import cli
from pxassure.errors import PdfError
from pxassure.execution import build, planning
from pxassure.ingest import demo
from pxassure.publish import contents, pdf

pytestmark = pytest.mark.integration
WARD = demo.PLANTED["deteriorating_ward"]
PAPERS = {
    "board/board.html",
    "patient_experience/patient_experience_committee.html",
    "division/MED.html",
    f"ward/{WARD}.html",
}


def _missing() -> str | None:
    if not (os.environ.get("PXASSURE_CHROMIUM") or shutil.which("chromium")):
        return "no Chromium found (apt-get install chromium, or set PXASSURE_CHROMIUM)"
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext") and shutil.which("pdftohtml")):
        return "poppler-utils not installed (apt-get install poppler-utils)"
    return None


def _need_printing():
    problem = _missing()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the PDF tests must run under CI: {problem}")
        pytest.skip(problem)


def pages_of(path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def text_of(path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def bookmarks(path) -> list[tuple[int, str]]:
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-stdout", "-i", "-f", "1", "-l", "1", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [(int(p), t) for p, t in re.findall(r'<item page="(\d+)">([^<]*)</item>', xml)]


@pytest.fixture(scope="module")
def printed(demo_db, tmp_path_factory):
    _need_printing()
    out = tmp_path_factory.mktemp("pdf")
    jobs = [
        j
        for j in planning.plan(None, database=demo_db, pdf=True, cover={"meeting_date": "26 November 2026"})
        if j.spec.path in PAPERS
    ]
    outcomes = build.run_pack(jobs, out, workers=2, progress=False)
    assert all(o.ok for o in outcomes), build.summary(outcomes)
    period_dir = jobs[0].period_dir(out)
    pack = build.board_pack(
        period_dir, trust_name=jobs[0].trust_name, period=jobs[0].period, wards=True, meeting_date="26 November 2026"
    )
    return period_dir, pack, {o.job.spec.path: o for o in outcomes}


def test_each_paper_has_its_pdf_with_title_and_page_n_of_m(printed):
    period_dir, _, outcomes = printed
    for path, outcome in outcomes.items():
        assert outcome.pdf == (period_dir / path).with_suffix(".pdf") and outcome.pdf.exists(), path
        n = pages_of(outcome.pdf)
        for page in range(1, n + 1):
            text = text_of(outcome.pdf, page)
            assert f"Page {page} of {n}" in text, (path, page)
            assert outcome.job.title[:40] in text, (path, page)


def test_printed_papers_carry_no_paths_commands_or_option_dumps_but_a_key(printed):
    _, _, outcomes = printed
    for path, outcome in outcomes.items():
        text = " ".join(text_of(outcome.pdf).split())
        for leak in ("papermill", "make report", ".duckdb", "/tmp/", "preset mdc", "Provenance"):
            assert leak not in text, (path, leak)
        assert "in its web (HTML) version" in text and "Special cause" in text, path
        html = (outcome.pdf.with_suffix(".html")).read_text(encoding="utf-8")
        assert "papermill" in html and "Provenance" in html, path  # the HTML keeps them for reviewers


def _headers(html: str) -> set[str]:
    """The texts that must never end a printed page: headings and table captions."""
    found = re.findall(r"<h[23][^>]*>(.*?)</h[23]>|<caption>(.*?)</caption>", html, re.S)
    texts = {" ".join(unescape(re.sub(r"<[^>]+>", "", "".join(parts))).split()) for parts in found}
    return {t for t in texts if t}


def test_no_heading_or_caption_is_stranded_at_a_page_foot(printed):
    _, _, outcomes = printed
    for path, outcome in outcomes.items():
        headers = _headers(outcome.pdf.with_suffix(".html").read_text(encoding="utf-8"))
        for page in range(1, pages_of(outcome.pdf) + 1):
            lines = [" ".join(ln.split()) for ln in text_of(outcome.pdf, page).splitlines() if ln.strip()]
            body = [ln for ln in lines if not re.search(r"Page \d+ of \d+", ln)]
            last = body[-1] if body else ""
            # a text met once on the page and last on it is a heading left without what it heads
            assert not (last in headers and lines.count(last) == 1), (path, page, last)


def test_patient_experience_committee_paper_is_at_most_eighteen_pages_its_logs_in_the_appendix(printed):
    _, _, outcomes = printed
    pec = outcomes["patient_experience/patient_experience_committee.html"]
    assert pages_of(pec.pdf) <= 18
    appendix = pec.appendix.read_text(encoding="utf-8") if pec.appendix else ""
    assert "Full self-assessment action log" in appendix and "Involvement in detail" in appendix
    # the cover sheet is the first page, with the meeting date given at build time
    first = text_of(pec.pdf, 1)
    assert "Cover sheet" in first and "26 November 2026" in first and "is asked to" in first


def test_board_pack_has_cover_contents_papers_in_agenda_order_and_bookmarks(printed):
    period_dir, pack, outcomes = printed
    order = [
        "board/board.html",
        "patient_experience/patient_experience_committee.html",
        "patient_experience/patient_experience_committee.appendix.html",  # the PEC's appendix follows it
        "division/MED.html",
        f"ward/{WARD}.html",
    ]
    assert [e.path for e in contents.agenda(period_dir)] == order
    counts = [pages_of((period_dir / p).with_suffix(".pdf")) for p in order]
    total = pages_of(pack)
    contents_text = text_of(pack, 1, 2)
    assert "Date of meeting: 26 November 2026" in contents_text
    flat = " ".join(contents_text.split())
    assert "1 committee paper and 1 appendix" in flat  # what the pack holds, as it holds it
    assert "1 ward and department paper, grouped under their 1 division (1 escalated, marked" in flat
    starts = []
    for path in order:
        title = contents.title_of(period_dir / path)
        line = next(ln for ln in contents_text.splitlines() if title[:50] in ln)
        starts.append(int(line.split()[-1]))
    front = starts[0] - 1
    assert front >= 2
    expected = [front + 1 + sum(counts[:i]) for i in range(len(order))]
    assert starts == expected  # each paper starts where the contents say
    for path, start in zip(order, starts):
        assert "Page 1 of" in text_of(pack, start), path
    back = total - front - sum(counts)  # the reproduction appendix, last
    assert back >= 1 and "how these papers were produced" in text_of(pack, total - back + 1)
    for page in range(1, total + 1):  # the pack's own number on every page, as the contents count
        assert f"Board pack page {page} of {total}" in text_of(pack, page), page
    marks = bookmarks(pack)
    titled = [(p, t) for p, t in marks if t.startswith(("Patient experience", "Appendix to"))]
    assert [p for p, _ in titled] == expected
    assert [t for _, t in marks if not t.startswith(("Patient experience", "Appendix to"))] == [
        "Cover and contents",
        "Trust Board",
        "Committees",
        "Divisions",
        "Wards and departments",
        "Appendix: how these papers were produced",
    ]


def test_the_board_pack_stays_tagged_titled_in_english_and_navigable(printed):
    """What a PDF accessibility check asks of the joined pack, as each printed paper has it."""
    import pikepdf

    period_dir, pack, _ = printed
    info = subprocess.run(["pdfinfo", str(pack)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.M) and re.search(
        r"^Title:\s+Patient experience board pack", info, re.M
    )
    with pikepdf.Pdf.open(pack) as pdf:
        catalog = pdf.Root
        assert str(catalog.Lang) == "en-GB" and bool(catalog.ViewerPreferences.DisplayDocTitle)
        assert bookmarks(pack)  # navigable: the bookmarks are checked above
        tree = catalog.StructTreeRoot
        parts = list(tree.K.K)
        papers = contents.agenda(period_dir)
        assert len(parts) == 1 + len(papers) + 1  # cover and contents, each paper, the reproduction appendix
        assert {str(part.S) for part in parts} == {"/Part"}
        # every page's marked content and every link is keyed once into the one tree, on a page of the pack
        numbers = list(tree.ParentTree.Nums)
        keyed = dict(zip((int(k) for k in numbers[0::2]), numbers[1::2]))
        pages = [int(page.obj.StructParents) if "/StructParents" in page.obj else None for page in pdf.pages]
        assert None not in pages and len(set(pages)) == len(pages) and set(pages) <= set(keyed)
        links = [a.get("/StructParent") for page in pdf.pages for a in page.obj.get("/Annots", [])]
        links = [None if k is None else int(k) for k in links]
        assert links and None not in links and set(links) <= set(keyed) and not set(links) & set(pages)
        ids = {page.obj.objgen for page in pdf.pages}
        for key in pages:
            for element in keyed[key]:
                assert element.Pg.objgen in ids
    # poppler reads the whole tree without complaint (PDF 2.0 types are mapped), headings and all
    struct = subprocess.run(["pdfinfo", "-struct", str(pack)], capture_output=True, text=True, check=True)
    assert "Syntax Error" not in struct.stderr
    assert len(re.findall(r"^\s*H1\b", struct.stdout, re.M)) >= len(papers)


def test_printed_reproduction_appendix_names_no_paths(printed):
    _, pack, _ = printed
    total = pages_of(pack)
    last = " ".join(text_of(pack, total).split())
    assert "pxassure" in last and "load " in last
    for leak in ("/tmp/", ".duckdb", "papermill"):
        assert leak not in last


def _links(pdf: Path) -> list[tuple[int, object]]:
    """Every link annotation in ``pdf``: (page index, its target — a page index, or the action)."""
    import pikepdf

    out = []
    with pikepdf.Pdf.open(pdf) as doc:
        index = {page.obj.objgen: i for i, page in enumerate(doc.pages)}
        for i, page in enumerate(doc.pages):
            for a in page.obj.get("/Annots", []):
                if isinstance(a.get("/Dest"), pikepdf.Array):  # a name is a place in the same paper
                    out.append((i, index[a.Dest[0].objgen]))
                elif "/A" in a:
                    out.append((i, {str(k): str(v) for k, v in a.A.items()}))
    return out


def test_no_printed_link_points_at_the_build_machine_and_the_packs_go_to_their_paper(printed):
    period_dir, pack, outcomes = printed
    for printed_pdf in [o.pdf for o in outcomes.values()] + [pack]:
        actions = [t for _, t in _links(printed_pdf) if isinstance(t, dict)]
        assert not any(str(a.get("/URI", "")).startswith("file:") for a in actions), printed_pdf
    links = _links(pack)
    front = next(p for p in range(1, pages_of(pack) + 1) if "Page 1 of" in text_of(pack, p)) - 1
    entries = sorted({target for page, target in links if page < front})
    assert len(entries) == len(contents.agenda(period_dir))  # one clickable entry per paper, to its first page
    assert all("Page 1 of" in text_of(pack, target + 1) for target in entries)
    ward_first = next(t for t in entries if "Willow Ward (014) ward report" in text_of(pack, t + 1))
    assert any(page >= front and target == ward_first for page, target in links)  # the board's exception link


def test_board_pack_leaves_wards_out_unless_asked(printed):
    period_dir, _, outcomes = printed
    job = outcomes["board/board.html"].job
    pack = build.board_pack(period_dir, trust_name=job.trust_name, period=job.period)
    assert "Wards and departments" not in [t for _, t in bookmarks(pack)]
    front = text_of(pack, 1, 2)
    assert "Medicine and Urgent Care divisional report" in front and "Willow Ward" not in front


# -- failures: no Chromium, Chromium failing or hanging -------------------------------------------------


def test_without_chromium_the_build_says_how_to_install_it(demo_db, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PXASSURE_CHROMIUM", str(tmp_path / "no-such-chromium"))
    with pytest.raises(PdfError, match="apt-get install chromium"):
        planning.plan("board", database=demo_db, pdf=True)
    code = cli.main(["build", "--committee", "board", "--database", str(demo_db), "--pdf", "--output", str(tmp_path)])
    assert code == 2 and "apt-get install chromium" in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.html"))  # nothing ran


def _fake_chromium(tmp_path, body: str):
    script = tmp_path / "fake-chromium"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


def test_a_failed_print_keeps_the_previous_pdf(tmp_path, monkeypatch):
    html = tmp_path / "paper.html"
    html.write_text("<!DOCTYPE html><html><body><h1>Paper</h1></body></html>")
    good = tmp_path / "paper.pdf"
    good.write_bytes(b"%PDF-1.4 the previous good paper")
    monkeypatch.setenv("PXASSURE_CHROMIUM", str(_fake_chromium(tmp_path, "echo 'cannot open display' >&2\nexit 3\n")))
    with pytest.raises(PdfError, match=r"exit 3: cannot open display"):
        pdf.print_pdf(html, good)
    assert good.read_bytes() == b"%PDF-1.4 the previous good paper"


def test_a_hung_print_is_killed_with_its_children(tmp_path, monkeypatch):
    marker = f"pxassure-hang-{os.getpid()}"
    body = f"sleep 300 & echo $! > {tmp_path}/child\nexec -a {marker} sleep 300\n"
    monkeypatch.setenv("PXASSURE_CHROMIUM", str(_fake_chromium(tmp_path, body)))
    html = tmp_path / "paper.html"
    html.write_text("<html></html>")
    with pytest.raises(PdfError, match="did not finish printing within 1 s"):
        pdf.print_pdf(html, tmp_path / "paper.pdf", timeout=1)
    child = int((tmp_path / "child").read_text())
    for _ in range(50):  # the kill is immediate; reaping by init may take a moment
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        with open(f"/proc/{child}/stat") as fh:
            if fh.read().split()[2] == "Z":
                break
        time.sleep(0.1)
    else:
        pytest.fail("the printing process's child was left running")
    assert not (tmp_path / "paper.pdf").exists()
