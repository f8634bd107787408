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


def _section_text(soup, heading) -> str:
    """The text from ``heading`` to the next heading of its level or above."""
    level = int(heading.name[1])
    parts = []
    for el in heading.next_elements:
        name = getattr(el, "name", None)
        if name and re.fullmatch(r"h[1-6]", name) and int(name[1]) <= level:
            break
        if name is None:
            parts.append(str(el))
    return " ".join(" ".join(parts).split())


def check_findings_shown(html: str, name: str = "page") -> list[str]:
    """Each row of a paper's executive summary links to a section of the paper that shows that
    finding: its measure and scope, ward and measures, requirement, or unit. Returns the kinds
    of the rows checked (see ``ATTENTION_KINDS``), one per row."""
    from bs4 import BeautifulSoup

    from pxassure.reports.cover import ATTENTION_KINDS

    kinds = {label: key for key, label in ATTENTION_KINDS.items()}
    soup = BeautifulSoup(html, "html.parser")
    summary = soup.find("table", class_="attention")
    if summary is None:
        return []
    checked = []
    for row in summary.find("tbody").find_all("tr"):
        label, what = row.th.get_text(" ", strip=True), row.find_all("td")[0].get_text(" ", strip=True)
        kind, link = kinds[label], row.find("a")
        assert link is not None and link["href"].startswith("#"), (name, what, "no link to a section")
        heading = soup.find(id=link["href"][1:])
        assert heading is not None and re.fullmatch(r"h[1-6]", heading.name), (name, what, link["href"])
        shown = _section_text(soup, heading)
        if kind in ("concern", "not_assured"):
            measure, scope = what.rsplit(", ", 1)
            needed = [measure] + ([] if scope == "trust-wide" else [scope])
        elif kind in ("ward_exception", "ward_responded"):
            ward, listed = re.fullmatch(r"(.+?) \((.+)\)", what).groups()
            needed = [ward, *listed.split(", ")]
        elif kind == "assurance_gap":
            needed = [what.split(":")[0]]
        elif kind == "overdue_actions":
            unit = re.search(r"\((.+)\)$", what)
            needed = [unit.group(1)] if unit else []
        else:  # not assessed: the data section lists it, word for word
            needed = [what]
        for text in needed:
            assert text in shown, (
                name,
                label,
                what,
                f"section {heading.get_text(strip=True)!r} does not show {text!r}",
            )
        checked.append(kind)
    return checked
