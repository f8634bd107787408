"""Joining printed papers into one board pack that stays tagged, navigable and numbered.

Each paper comes from Chromium as a tagged PDF: a structure tree saying what is a heading, a
table, a figure with its alt text. Copying pages alone drops those trees, and an untagged pack
fails the accessibility regulations that apply to PDFs a trust publishes. So the pack gets one
tree: a Document whose parts are each source's own tree, their page and link keys renumbered to
stay unique and their element identifiers prefixed so two papers' cannot collide.

pikepdf (qpdf, in C++) does the copying: it copies each part's objects once, keeps an element's
page pointing at that page's copy, and writes compressed object streams, so a pack of 450 pages
joins in seconds and its tags cost little space. (pypdf, pure Python, took five seconds for
eleven papers and wrote the trees uncompressed.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: A printed paper keeps a link to another paper as this key (a path relative to its folder),
#: inert until the pack points it at the page where that paper begins.
TARGET_KEY = "/PxassureTarget"
#: PDF 2.0 structure types Chromium writes, and the PDF 1.7 standard type each is read as.
PDF2_ROLES = {"/Strong": "/Span", "/Em": "/Span"}
#: Helvetica's advance widths (1/1000 em) for the characters of a pack page number, so that it
#: can be set flush right without a font file.
_HELVETICA = {" ": 278, "B": 667, "a": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "k": 500}
_HELVETICA |= {"o": 556, "p": 556, "r": 333, **{str(d): 556 for d in range(10)}}
STAMP_SIZE = 8  # pt, as the papers' own footers
STAMP_TOP = 22.7  # pt from the top edge (8 mm): in the margin above the paper's text
STAMP_RIGHT = 36.85  # pt from the right edge (13 mm): the papers' right margin


@dataclass(frozen=True)
class Part:
    """One printed PDF of the pack, with its bookmark (``group`` nests it under another)."""

    pdf: Path
    bookmark: str
    base: Path  # the folder its links to other papers are relative to
    paper: Path | None = None  # the HTML a link to it names (None: the pack's own pages)
    group: str | None = None


def join(parts: list[Part], output: Path, *, title: str, numbering: str, lang: str = "en-GB") -> int:
    """Write ``parts`` as one PDF to ``output`` (not atomically: the caller moves it into place);
    returns its page count. ``numbering`` (with ``{n}`` and ``{total}``) is stamped on every page."""
    import pikepdf

    with pikepdf.Pdf.new() as pack:
        sources, firsts = [], []
        for part in parts:
            source = pikepdf.Pdf.open(part.pdf)
            sources.append(source)
            firsts.append(len(pack.pages))
            pack.add_pages_from(source, outlines="ignore")  # with its named destinations: its own links
        _join_structure(pack, sources, firsts, lang)
        _bookmark(pack, parts, firsts)
        _retarget(pack, parts, firsts)
        _number(pack, numbering)
        pack.docinfo[pikepdf.Name.Title] = title
        with pack.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
        pack.save(output, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
        total = len(pack.pages)
        for source in sources:
            source.close()
    return total


def _flat(tree, key: str) -> list:
    """The ``(key, value)`` pairs of a number tree (``/Nums``) or name tree (``/Names``)."""
    flat = list(tree.get(key, []))
    pairs = list(zip(flat[0::2], flat[1::2]))
    for kid in tree.get("/Kids", []):
        pairs += _flat(kid, key)
    return pairs


def _join_structure(pack, sources, firsts, lang: str) -> None:
    """One structure tree for ``pack`` from each source's (see the module's docstring)."""
    from pikepdf import Array, Dictionary, Name, String

    root = pack.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pack.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, Lang=String(lang)))
    kids, numbers, names, roles = Array(), [], [], Dictionary()
    offset = 0
    for n, (source, first) in enumerate(zip(sources, firsts)):
        tree = source.Root.get("/StructTreeRoot")
        if tree is None:
            continue
        tops = tree.K if isinstance(tree.K, Array) else [tree.K]
        for top in tops:
            del top["/P"]  # its parent is the pack's Document: the old root is not copied
            copy = pack.copy_foreign(top)
            copy.P = document
            if copy.get("/S") == Name.Document:
                copy.S = Name.Part  # one paper of the pack
            kids.append(copy)
        own = [(int(k), v) for k, v in _flat(tree.ParentTree, "/Nums")]
        numbers += [(k + offset, pack.copy_foreign(v)) for k, v in own]
        for name, element in _flat(tree.IDTree, "/Names") if "/IDTree" in tree else []:
            copy = pack.copy_foreign(element)
            copy.ID = String(f"part{n}-{name}")
            names.append((str(copy.ID), copy))
        for role, standard in tree.get("/RoleMap", Dictionary()).items():
            roles[role] = standard
        for page in pack.pages[first : first + len(source.pages)]:
            _renumber(page.obj, offset)
        offset += int(tree.get("/ParentTreeNextKey", 1 + max((k for k, _ in own), default=-1)))
    for role, standard in PDF2_ROLES.items():
        if role not in roles:
            roles[role] = Name(standard)
    document.K = kids
    root.K = document
    root.ParentTree = pack.make_indirect(Dictionary(Nums=Array([x for k, v in numbers for x in (k, v)])))
    root.ParentTreeNextKey = offset
    root.RoleMap = roles
    if names:
        ordered = sorted(names, key=lambda pair: pair[0])
        root.IDTree = pack.make_indirect(Dictionary(Names=Array([x for k, v in ordered for x in (String(k), v)])))
    catalog = pack.Root
    catalog.StructTreeRoot = root
    catalog.MarkInfo = Dictionary(Marked=True)
    catalog.Lang = String(lang)
    catalog.ViewerPreferences = Dictionary(DisplayDocTitle=True)


def _renumber(page, offset: int) -> None:
    """Shift a page's and its links' keys into the joined tree; tab in structure order."""
    from pikepdf import Name

    if "/StructParents" in page:
        page.StructParents = int(page.StructParents) + offset
    page.Tabs = Name.S
    for annotation in page.get("/Annots", []):
        if "/StructParent" in annotation:
            annotation.StructParent = int(annotation.StructParent) + offset


def _bookmark(pack, parts: list[Part], firsts: list[int]) -> None:
    """A bookmark per part, nested under its group's (the group's at its first part)."""
    from pikepdf import OutlineItem

    with pack.open_outline() as outline:
        groups: dict[str, OutlineItem] = {}
        for part, first in zip(parts, firsts):
            item = OutlineItem(part.bookmark, first)
            if part.group is None:
                outline.root.append(item)
                continue
            if part.group not in groups:
                groups[part.group] = OutlineItem(part.group, first)
                outline.root.append(groups[part.group])
            groups[part.group].children.append(item)


def _retarget(pack, parts: list[Part], firsts: list[int]) -> int:
    """Point each link to another paper at the page of the pack where that paper begins; a link
    to a paper not in the pack stays inert. Returns the number of links made."""
    from pikepdf import Array, Name

    starts = {part.paper.resolve(): first for part, first in zip(parts, firsts) if part.paper is not None}
    ends = [*firsts[1:], len(pack.pages)]
    made = 0
    for part, first, end in zip(parts, firsts, ends):
        for page in pack.pages[first:end]:
            for annotation in page.obj.get("/Annots", []):
                target = annotation.get(TARGET_KEY)
                if target is None:
                    continue
                del annotation[TARGET_KEY]
                index = starts.get((part.base / str(target)).resolve())
                if index is not None:
                    annotation.Dest = Array([pack.pages[index].obj, Name.Fit])
                    made += 1
    return made


def _number(pack, template: str) -> None:
    """Print ``template`` at the top right of every page, marked as a pagination artifact: seen
    on the page, not read twice by a screen reader (the paper's own footer is read)."""
    from pikepdf import Dictionary, Name, Stream

    font = pack.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding)
    )
    total = len(pack.pages)
    for n, page in enumerate(pack.pages, start=1):
        text = template.format(n=n, total=total)
        width = sum(_HELVETICA.get(ch, 556) for ch in text) * STAMP_SIZE / 1000
        box = [float(v) for v in page.mediabox]
        x, y = box[2] - STAMP_RIGHT - width, box[3] - STAMP_TOP
        name = page.add_resource(font, Name.Font, Name("/PxPackPage"), replace_existing=True)
        stamp = (
            f"/Artifact <</Type /Pagination>> BDC q BT {name} {STAMP_SIZE} Tf 0.29 0.29 0.29 rg "
            f"{x:.2f} {y:.2f} Td ({text}) Tj ET Q EMC"
        )
        # the page's own drawing is wrapped in q … Q, so the stamp starts from a clean graphics state
        page.contents_add(Stream(pack, b"q"), prepend=True)
        page.contents_add(Stream(pack, b"Q " + stamp.encode()), prepend=False)
