"""Papers in Word (``--docx``): the same paper as the HTML, in Word's own structure — headings as
Heading styles, the cover sheet and tables as Word tables, charts as pictures with their alt
text, page numbers in the footer — styled by the trust's template or a plain A4 default."""

import re
import shutil
import zipfile
from html import unescape

import pytest

from pxassure.errors import CommitteeError, ExportError
from pxassure.execution import execute, planning
from pxassure.publish import word
from pxassure.reports import committees

pytestmark = pytest.mark.skipif(not shutil.which("rsvg-convert"), reason="librsvg2-bin not installed")


def _part(docx, name: str) -> str:
    with zipfile.ZipFile(docx) as z:
        return z.read(name).decode()


@pytest.fixture(scope="module")
def built(demo_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("word")
    jobs = planning.plan("patient_experience_committee", database=demo_db, docx=True)
    outcome = execute.run(jobs[0], out)
    assert outcome.ok, outcome.error
    return outcome


def test_the_paper_in_word_has_its_headings_tables_and_charts_as_word_does(built):
    html = built.html.read_text(encoding="utf-8")
    assert built.docx == built.html.with_suffix(".docx")
    body = _part(built.docx, "word/document.xml")
    styles = re.findall(r'<w:pStyle w:val="(Heading\d)"', body)
    headings = [unescape(re.sub(r"<[^>]+>", "", h)).strip() for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", html, re.S)]
    headings.remove("Contents")  # the page's own contents: Word makes its own from the headings
    assert styles.count("Heading1") == 1 and styles.count("Heading2") >= len(headings) > 5
    text = word.docx_text(built.docx)
    for heading in headings:
        assert heading in text
    # the cover sheet and every table a real Word table; the icons as the words they stand for
    assert body.count("<w:tbl>") == html.count("<table")
    assert re.search(r"<w:tc>.*?>Meeting<.*?</w:tc><w:tc>.*?>Patient Experience Committee<", body, re.S)
    assert "Common cause variation" in text
    # each chart a picture (SVG with a PNG copy) whose alt text is the chart's own title and description
    titles = [unescape(t) for t in re.findall(r'<svg\b[^>]*role="img".*?<title[^>]*>(.*?)</title>', html, re.S)]
    alts = [unescape(a) for a in re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', body)]
    assert len(alts) == len(titles) > 0 and all(a.startswith(t) for a, t in zip(alts, titles))
    media = zipfile.ZipFile(built.docx).namelist()
    assert sum(n.endswith(".png") for n in media) == sum(n.endswith(".svg") for n in media) == len(titles)
    # A4, page numbers in the footer, the paper's title as the document's
    assert '<w:pgSz w:w="11906" w:h="16838"' in body.replace(' w:h="16838" w:w="11906"', ' w:w="11906" w:h="16838"')
    footers = [n for n in media if n.startswith("word/footer")]
    assert any("PAGE" in _part(built.docx, f) for f in footers)
    title = unescape(re.search(r"<title>(.*?)</title>", html).group(1))
    assert f"<dc:title>{title}</dc:title>" in unescape(_part(built.docx, "docProps/core.xml"))


def test_only_the_board_committees_and_divisions_are_written_in_word(demo_db):
    jobs = planning.plan(None, database=demo_db, docx=True)
    by_layer = {j.layer: j.docx for j in jobs}
    assert by_layer["ward"] is None
    assert all(by_layer[layer] == "" for layer in ("board", "patient_experience", "division", "governors"))


def test_a_trusts_template_styles_its_papers(built, tmp_path):
    """A .dotx (a Word template) as the reference: its styles, not the default's, in the paper."""
    template = tmp_path / "trust.dotx"
    marker = b'<w:color w:val="330072" />'  # NHS purple on Heading 1
    word._rewrite(
        word.default_reference(),
        template,
        {
            "[Content_Types].xml": lambda x: x.replace(b"document.main+xml", b"template.main+xml"),
            "word/styles.xml": lambda x: re.sub(
                rb'(<w:style w:styleId="Heading1" w:type="paragraph">.*?<w:rPr>)',
                rb"\1" + marker,
                x,
                count=1,
                flags=re.S,
            ),
        },
    )
    out = word.export_docx(built.html, tmp_path / "paper.docx", template)
    styles = _part(out, "word/styles.xml")
    assert marker.decode() in styles and marker.decode() not in _part(built.docx, "word/styles.xml")


def test_the_trusts_template_is_checked_before_anything_is_built(tmp_path):
    (tmp_path / "params").mkdir()
    settings = tmp_path / "params" / "trust.yaml"
    settings.write_text("word_reference: templates/board.pdf\n")
    with pytest.raises(CommitteeError, match=r"trust.yaml: word_reference 'templates/board.pdf' is not a Word"):
        committees.word_reference(tmp_path / "params")
    settings.write_text("word_reference: templates/board.dotx\n")
    with pytest.raises(CommitteeError, match=r"word_reference 'templates/board.dotx': no such file"):
        committees.word_reference(tmp_path / "params")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "board.dotx").write_bytes(b"")
    assert committees.word_reference(tmp_path / "params") == tmp_path / "templates" / "board.dotx"
    settings.write_text("assurance_scale: [high, low]\n")
    assert committees.word_reference(tmp_path / "params") is None


def test_without_rsvg_convert_the_build_says_how_to_install_it(demo_db, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ExportError, match="apt-get install librsvg2-bin"):
        planning.plan("board", database=demo_db, docx=True)
