"""Keeping a joined PDF tagged: the board pack is many printed papers, each tagged by Chromium
(a structure tree saying what is a heading, a table, a figure with its alt text). Appending pages
(pypdf) copies the pages but not the trees, and an untagged pack fails the accessibility
regulations that apply to PDFs published on a trust's website.

:func:`join_structure` builds one tree for the joined file: a Document whose parts are each
source's own tree, their page and annotation keys renumbered so they stay unique, and their
element identifiers prefixed so they cannot collide. Called after every source is appended to
the writer, it reads the page copies pypdf recorded, so each element still points at its page.
"""

from __future__ import annotations

from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NullObject,
    NumberObject,
    TextStringObject,
)

#: PDF 2.0 structure types Chromium writes, and the PDF 1.7 standard type each is read as.
PDF2_ROLES = {"/Strong": "/Span", "/Em": "/Span"}


def _tree(node, key: str) -> list:
    """The flat ``[key, value, …]`` pairs of a number tree (``/Nums``) or name tree (``/Names``)."""
    node = node.get_object()
    pairs = list(node.get(key, []))
    for kid in node.get("/Kids", []):
        pairs += _tree(kid, key)
    return pairs


def _pairs(flat: list) -> list[tuple]:
    return list(zip(flat[0::2], flat[1::2]))


def join_structure(writer, parts: list[tuple[object, int, int]], *, lang: str = "en-GB") -> int:
    """Give ``writer`` one structure tree joining each part's (``(reader, first page, pages)``,
    in page order); mark it tagged, in ``lang``, showing its title. Returns the parts that were
    tagged (an untagged part's pages stay out of the tree)."""
    root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    root_ref = writer._add_object(root)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): root_ref,
            NameObject("/Lang"): TextStringObject(lang),
        }
    )
    document_ref = writer._add_object(document)
    kids, numbers, names, roles = ArrayObject(), [], [], DictionaryObject()
    offset, joined = 0, 0
    for n, (reader, first, count) in enumerate(parts):
        source = reader.trailer["/Root"].get("/StructTreeRoot")
        if source is None:
            continue
        source = source.get_object()
        tops = source["/K"].get_object()
        tops = list(tops) if isinstance(tops, ArrayObject) else [source.raw_get("/K")]
        for top in tops:  # cut the tie to the old root first, or cloning copies all of it again
            top.get_object()[NameObject("/P")] = NullObject()
        for top in tops:
            copy = top.clone(writer)
            element = copy.get_object()
            element[NameObject("/P")] = document_ref
            if element.get("/S") == "/Document":
                element[NameObject("/S")] = NameObject("/Part")  # one paper of the pack
            kids.append(copy)
        own = _pairs(_tree(source["/ParentTree"], "/Nums"))
        numbers += [(int(key) + offset, value.clone(writer)) for key, value in own]
        for name, element in _pairs(_tree(source["/IDTree"], "/Names")) if "/IDTree" in source else []:
            new = TextStringObject(f"part{n}-{name}")
            copy = element.clone(writer)
            copy.get_object()[NameObject("/ID")] = new
            names.append((new, copy))
        roles.update({k: v for k, v in source.get("/RoleMap", {}).items()})
        _renumber(reader.pages, writer.pages[first : first + count], offset)
        offset += int(source.get("/ParentTreeNextKey", 1 + max((int(k) for k, _ in own), default=-1)))
        joined += 1
    document[NameObject("/K")] = kids
    root[NameObject("/K")] = document_ref
    root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): ArrayObject(x for k, v in numbers for x in (NumberObject(k), v))})
    )
    root[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    if names:
        ordered = sorted(names, key=lambda pair: str(pair[0]))
        root[NameObject("/IDTree")] = writer._add_object(
            DictionaryObject({NameObject("/Names"): ArrayObject(x for pair in ordered for x in pair)})
        )
    # Chromium tags emphasis with PDF 2.0's types; a PDF 1.7 reader (and PDF/UA-1) needs them mapped
    for new, standard in PDF2_ROLES.items():
        roles.setdefault(NameObject(new), NameObject(standard))
    root[NameObject("/RoleMap")] = roles
    catalog = writer._root_object
    catalog[NameObject("/StructTreeRoot")] = root_ref
    catalog[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    catalog[NameObject("/Lang")] = TextStringObject(lang)
    catalog[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    return joined


def _renumber(originals, pages, offset: int) -> None:
    """Shift a part's page and annotation keys into the joined tree's numbering (read from the
    original pages: pypdf leaves the page key out of its copies); tab through each page's links
    in structure order, as the papers do."""
    for original, page in zip(originals, pages):
        if "/StructParents" in original:
            page[NameObject("/StructParents")] = NumberObject(int(original["/StructParents"]) + offset)
        page[NameObject("/Tabs")] = NameObject("/S")
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if "/StructParent" in annotation:
                annotation[NameObject("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)
