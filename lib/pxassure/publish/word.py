"""Papers in Word: ``<name>.docx`` beside a board, committee or divisional paper's HTML.

Trusts assemble board papers in Word, in their own template. pandoc (bundled with
pypandoc-binary: nothing to install, nothing downloaded) converts the finished HTML paper, so the
Word paper says exactly what the HTML says: its headings become Word's Heading styles, the cover
sheet and every table real Word tables, each chart a picture whose alt text is the chart's own
description. Styles come from a reference document: the trust's (``word_reference`` in
``params/trust.yaml``, a .docx or .dotx), or a plain A4 one with the page number in the footer.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from functools import cache
from html import escape, unescape
from pathlib import Path

from pxassure.errors import ExportError
from pxassure.files import atomic_write_bytes

#: The layers whose papers are also written in Word (the wards' are read on screen, not tabled).
WORD_LAYERS = ("board", "board_quality", "executive_quality", "patient_experience", "governors", "division")

_CHART = re.compile(r"<svg\b[^>]*\brole=\"img\"[^>]*>.*?</svg>", re.S)
_ICON = re.compile(r"<svg\b[^>]*\bclass=\"mdc-icon\"[^>]*>.*?</svg>", re.S)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_DROPPED = (
    re.compile(r"<style\b.*?</style>", re.S),
    re.compile(r"<script\b.*?</script>", re.S),
    re.compile(r"<nav\b[^>]*class=\"toc\".*?</nav>", re.S),  # Word makes its own contents
    re.compile(r"<a\b[^>]*class=\"skip-link\"[^>]*>.*?</a>", re.S),
)


def _text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def for_word(html: str, pictures: Path) -> str:
    """The paper's HTML as pandoc should read it: each chart a picture file in ``pictures`` (so
    pandoc adds the PNG copy older Word needs) with its title and description as alt text, each
    Making Data Count icon as the words it stands for (the HTML hides them for screen readers),
    no stylesheet, script, skip link or on-screen contents."""
    html = _TITLE.sub("", html, count=1)  # the page's: the document's title property, not a paragraph
    for pattern in _DROPPED:
        html = pattern.sub("", html)
    html = _ICON.sub("", html).replace('class="visually-hidden"', "")
    count = iter(range(1, 10_000))

    def chart(match: re.Match) -> str:
        svg = match.group(0)
        said = [_text(m) for m in re.findall(r"<(?:title|desc)\b[^>]*>(.*?)</(?:title|desc)>", svg, re.S)]
        if "xmlns=" not in svg[:200]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        name = f"chart-{next(count)}.svg"
        (pictures / name).write_text(svg, encoding="utf-8")
        alt = ". ".join(s.rstrip(".") for s in said if s) + "."
        return f'<img src="{name}" alt="{escape(alt, quote=True)}" width="16.5cm">'

    return _CHART.sub(chart, html)


INSTALL_HINT = (
    "install Debian's librsvg2-bin (sudo apt-get install librsvg2-bin): pandoc draws each chart's PNG copy with it"
)


def find_rsvg() -> str:
    """rsvg-convert, which pandoc needs for the PNG copy of each chart, or :class:`ExportError`."""
    found = shutil.which("rsvg-convert")
    if not found:
        raise ExportError(f"cannot write Word papers: no rsvg-convert found; {INSTALL_HINT}")
    return found


def export_docx(html_path: Path, docx_path: Path, reference: Path | None = None) -> Path:
    """Write ``html_path``'s paper as ``docx_path`` (atomically), styled by ``reference`` (the
    trust's .docx or .dotx; None: the plain default)."""
    import pypandoc

    with tempfile.TemporaryDirectory(prefix="pxassure-word-") as tmp:
        html = for_word(Path(html_path).read_text(encoding="utf-8"), Path(tmp))
        out = Path(tmp) / "paper.docx"
        try:
            pypandoc.convert_text(
                html,
                "docx",
                format="html-native_divs-native_spans",
                outputfile=str(out),
                extra_args=[
                    f"--reference-doc={_usable(reference, Path(tmp)) if reference else default_reference()}",
                    f"--resource-path={tmp}",
                ],
            )
        except RuntimeError as exc:
            raise ExportError(f"{html_path}: pandoc could not write it in Word: {str(exc)[:300]}") from None
        finished = Path(tmp) / "finished.docx"
        title = _text(m.group(1)) if (m := _TITLE.search(Path(html_path).read_text(encoding="utf-8"))) else ""
        _rewrite(out, finished, {"word/document.xml": fit_tables, "docProps/core.xml": lambda x: _titled(x, title)})
        atomic_write_bytes(docx_path, finished.read_bytes())
    return Path(docx_path)


#: The text width of the default's A4 page with 2 cm margins, in twentieths of a point.
TEXT_WIDTH = 11906 - 2 * 1134
CELL_MARGINS = 2 * 108  # a cell's left and right padding (pandoc's Table style)
_TABLE = re.compile(rb"<w:tbl>.*?</w:tbl>", re.S)


def fit_tables(xml: bytes) -> bytes:
    """Every table across the page, each column as wide as its longest line needs (within limits):
    pandoc gives a table from HTML equal columns on a narrower page, and a ten-column summary
    then breaks words in two."""
    return _TABLE.sub(_fit, xml)


def _fit(match: re.Match) -> bytes:
    table = match.group(0)
    if table.count(b"<w:tbl>") > 1:  # a table within a table: left as pandoc made it
        return table
    rows = re.findall(rb"<w:tr\b.*?</w:tr>", table, re.S)
    longest: list[int] = []
    for row in rows:
        for i, cell in enumerate(re.findall(rb"<w:tc>.*?</w:tc>", row, re.S)):
            text = b" ".join(b" ".join(re.findall(rb"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", cell)).split())
            # a short figure ("87.6%", "2026-10") on one line; longer text over about three
            need = len(text) + 1 if len(text) <= 12 else max(len(text) // 3, *map(len, text.split()))
            need = min(max(need, 4), 40)
            longest += [0] * (i + 1 - len(longest))
            longest[i] = max(longest[i], need)
    if not longest:
        return table
    per_char = max(TEXT_WIDTH - CELL_MARGINS * len(longest), 0) / sum(longest)
    widths = [round(CELL_MARGINS + per_char * n) for n in longest]
    grid = b"<w:tblGrid>" + b"".join(b'<w:gridCol w:w="%d" />' % w for w in widths) + b"</w:tblGrid>"
    table = re.sub(rb"<w:tblGrid>.*?</w:tblGrid>", grid, table, count=1, flags=re.S)
    table = table.replace(b'<w:tblW w:type="auto" w:w="0" />', b'<w:tblW w:type="pct" w:w="5000" />', 1)
    return table


def _titled(core: bytes, title: str) -> bytes:
    """The document's title property (what Word shows as its title, and reads out first)."""
    if not title:
        return core
    core = re.sub(rb"<dc:title\s*/>|<dc:title>.*?</dc:title>", b"", core, flags=re.S)
    return core.replace(
        b"</cp:coreProperties>", b"<dc:title>" + escape(title).encode() + b"</dc:title></cp:coreProperties>"
    )


def _usable(reference: Path, tmp: Path) -> Path:
    """A trust's template as pandoc reads it: a .dotx is a .docx that says it is a template."""
    if reference.suffix.lower() != ".dotx":
        return reference
    copy = tmp / "reference.docx"
    _rewrite(reference, copy, {"[Content_Types].xml": lambda x: x.replace(b"template.main+xml", b"document.main+xml")})
    return copy


def _rewrite(source: Path, target: Path, changes: dict) -> None:
    """Copy a Word package, changing the named parts (``part name -> function of its bytes``)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            zout.writestr(item, changes.get(item.filename, lambda x: x)(data))
        for name, change in changes.items():
            if name not in zin.namelist():
                zout.writestr(name, change(b""))


#: The default's page: A4, 2 cm margins, "Page N of M" centred in the footer.
_SECTION = (
    b'<w:sectPr><w:footerReference w:type="default" r:id="rIdPxFooter"/>'
    b'<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" '
    b'w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>'
)
_FOOTER = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">Page </w:t></w:r>'
    b'<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    b'<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
    b'<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>'
)


@cache
def default_reference() -> Path:
    """pandoc's own reference document, on A4 with the page number in its footer (made once a
    process, in a folder removed when it ends)."""
    import pypandoc

    folder = Path(tempfile.mkdtemp(prefix="pxassure-word-reference-"))
    plain = folder / "pandoc.docx"
    pypandoc.convert_text("x", "docx", format="markdown", outputfile=str(plain))  # its styles and parts
    target = folder / "reference.docx"
    _rewrite(
        plain,
        target,
        {
            "word/document.xml": lambda x: re.sub(
                rb"<w:sectPr\b.*?</w:sectPr>|<w:sectPr\b[^>]*/>", b"", x, flags=re.S
            ).replace(b"</w:body>", _SECTION + b"</w:body>"),
            "word/footer-pxassure.xml": lambda _: _FOOTER,
            "word/_rels/document.xml.rels": lambda x: x.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdPxFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/footer" Target="footer-pxassure.xml"/></Relationships>',
            ),
            "word/styles.xml": _plain_styles,
            "[Content_Types].xml": lambda x: x.replace(
                b"</Types>",
                b'<Override PartName="/word/footer-pxassure.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/></Types>',
            ),
        },
    )
    return target


def _plain_styles(styles: bytes) -> bytes:
    """pandoc's styles made for an NHS paper: 11 pt text in British English, tables in 8.5 pt."""
    styles = styles.replace(b'<w:sz w:val="24" />', b'<w:sz w:val="22" />', 1)
    styles = styles.replace(b'<w:szCs w:val="24" />', b'<w:szCs w:val="22" />', 1)
    styles = re.sub(rb'(<w:lang w:bidi="ar-SA" w:eastAsia="zh-CN" w:val=")en-US', rb"\1en-GB", styles, count=1)
    return re.sub(
        rb'(<w:style w:default="1" w:styleId="Table" w:type="table">.*?</w:tblPr>)',
        rb'\1<w:rPr><w:sz w:val="17" /><w:szCs w:val="17" /></w:rPr>',
        styles,
        count=1,
        flags=re.S,
    )


def docx_text(path: Path) -> str:
    """A Word paper's text, for tests and checks (its body paragraphs, in order)."""
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode()
    return " ".join(unescape(t) for t in re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))
