"""Checks every report page must pass: offline, alt text, headings in order, no code."""

import re
from html.parser import HTMLParser


class Page(HTMLParser):
    """Collects what the checks need from a report page."""

    def __init__(self):
        super().__init__()
        self.headings, self.ids, self.links, self.imgs, self.svgs, self.tags = [], set(), [], [], [], []
        self._in, self._text, self._svg = None, "", None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self._in, self._text = tag, ""
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "img":
            self.imgs.append(a)
        if tag == "svg" and a.get("role") == "img":
            self._svg = {"attrs": a, "title": "", "desc": "", "in": None}
            self.svgs.append(self._svg)
        if self._svg is not None and tag in ("title", "desc"):
            self._svg["in"] = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self.headings.append((int(tag[1]), self._text.strip()))
            self._in = None
        if self._svg is not None and tag in ("title", "desc"):
            self._svg["in"] = None
        if tag == "svg":
            self._svg = None

    def handle_data(self, data):
        if self._in:
            self._text += data
        if self._svg is not None and self._svg["in"]:
            self._svg[self._svg["in"]] += data


def check_page(html: str, name: str = "page") -> Page:
    """Parse ``html`` and assert what every pxassure report needs; return the parsed page."""
    p = Page()
    p.feed(html)
    assert "<script" not in html.lower(), f"{name}: has a script"
    for tag, attrs in p.tags:
        for key in ("src", "href", "data"):
            value = attrs.get(key) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"{name}: <{tag} {key}={value!r}> loads from the network"
    for svg in p.svgs:
        assert len(svg["title"].strip()) > 5 and len(svg["desc"].strip()) > 40, f"{name}: chart without alt text"
    labels = [svg["attrs"]["aria-labelledby"] for svg in p.svgs]
    assert len(set(labels)) == len(labels), f"{name}: chart ids not unique"
    for img in p.imgs:
        assert img.get("alt", "").strip(), f"{name}: image without alt text"
    levels = [lvl for lvl, _ in p.headings]
    assert levels.count(1) == 1 and levels[0] == 1, f"{name}: needs exactly one h1, first"
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), f"{name}: heading levels skip"
    for code in ("import warnings", "display(", "Traceback"):
        assert code not in html, f"{name}: shows code or an error ({code})"
    return p
