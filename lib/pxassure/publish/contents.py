"""What a period's outputs hold, in agenda order: the one listing the index page and the board
pack both follow.

The Trust Board, then its committees in reporting order (each with its appendix page, where it
has one), then the divisions by name, then the wards grouped under their division with the
escalated ones marked. Only files on disk are read — each paper's HTML title and the divisions'
findings (their name, wards and exceptions) — so the listing needs no database and matches what
was built.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from pxassure.periods import Period

#: The agenda's groups, in order, and the layers each holds (committees in reporting order).
GROUPS = (
    ("Trust Board", ("board",)),
    ("Committees", ("board_quality", "executive_quality", "patient_experience")),
    ("Council of Governors", ("governors",)),
    ("Divisions", ("division",)),
    ("Wards and departments", ("ward",)),
)
WARDS = "Wards and departments"
#: What one paper of each group is called, for a pack's cover ("3 committee papers").
PAPER_NOUNS = {
    "Trust Board": "Trust Board paper",
    "Committees": "committee paper",
    "Council of Governors": "governors' committee paper",
    "Divisions": "divisional paper",
    WARDS: "ward and department paper",
}
#: A paper's appendix page sits beside it under this suffix (see ``export.appendix_path``).
APPENDIX_SUFFIX = ".appendix.html"
#: Where a ward whose division has no paper is listed.
OTHER_WARDS = "Other wards and departments"


@dataclass(frozen=True)
class Entry:
    """One paper (or a paper's appendix page) of the period."""

    group: str  # a group of GROUPS
    path: str  # relative to outputs/<trust>/<period>/
    title: str
    division: str = ""  # a ward's division, by name
    escalated: bool = False  # a ward with an exception escalated this month
    appendix_of: str = ""  # for an appendix page: the paper it belongs to


@dataclass(frozen=True)
class PeriodEntry:
    """One period folder of a trust's outputs, for the trust's index of periods."""

    folder: str  # "2026-10", "2026-Q3", "2026-10-what-if-…"
    period: Period
    papers: int
    what_if: str  # what a what-if build changed ("preset-ptd"); "" for the official papers


def periods(trust_dir: Path) -> list[PeriodEntry]:
    """The period folders built for one trust (each with its index page), newest first; in each
    kind (official, then what-if) a quarter before the months that follow its end."""
    out = []
    for index in Path(trust_dir).glob("*/index.html"):
        folder = index.parent.name
        label = re.match(r"(\d{4}-(?:Q[1-4]|\d{2}))(?:-what-if-(.*))?$", folder)
        if label:
            period = Period.parse(label.group(1))
            out.append(PeriodEntry(folder, period, len(built_papers(index.parent)), label.group(2) or ""))
    return sorted(out, key=lambda e: (bool(e.what_if), -e.period.last.value, not e.period.is_quarter, e.folder))


def title_of(html_path: Path) -> str:
    """A page's title as plain text (its ``<title>`` holds it HTML-escaped)."""
    head = html_path.read_text(encoding="utf-8", errors="replace")[:4000]
    m = re.search(r"<title>(.*?)</title>", head, re.S)
    return unescape(m.group(1).strip()) if m else html_path.stem


def findings_of(html_path: Path) -> Path:
    """The findings a paper wrote beside itself (``<name>.findings.json``)."""
    return html_path.with_name(html_path.stem + ".findings.json")


def built_papers(period_dir: Path) -> list[str]:
    """Papers built for a period, as paths relative to ``period_dir`` (appendix pages apart)."""
    if not period_dir.exists():
        return []
    return sorted(
        f"{p.parent.name}/{p.name}" for p in period_dir.glob("*/*.html") if not p.name.endswith(APPENDIX_SUFFIX)
    )


def _divisions(period_dir: Path, papers: list[str]) -> list[tuple[str, str, set[str], set[str]]]:
    """Each division paper (path, name, its wards' ids, its escalated wards' ids), by name."""
    out = []
    for path in (p for p in papers if p.startswith("division/")):
        html = period_dir / path
        findings = findings_of(html)
        data = json.loads(findings.read_text(encoding="utf-8")) if findings.exists() else {}
        wards = {r["unit_id"] for r in data.get("ward_icons", [])}
        escalated = {r["unit_id"] for r in data.get("exceptions", [])}
        out.append((path, data.get("name") or title_of(html), wards, escalated))
    return sorted(out, key=lambda d: (d[1], d[0]))


def agenda(
    period_dir: str | Path, *, wards: bool = True, appendices: bool = True, governors: bool = True
) -> list[Entry]:
    """Every paper built for the period, in agenda order (see the module's docstring); a board
    pack leaves out the governors' committee (``governors=False``), which reports elsewhere."""
    period_dir = Path(period_dir)
    papers = built_papers(period_dir)
    divisions = _divisions(period_dir, papers)
    entries: list[Entry] = []
    for group, layers in GROUPS:
        if group == "Council of Governors" and not governors:
            continue
        if group == WARDS:
            if wards:
                entries += _wards(period_dir, papers, divisions)
            continue
        for layer in layers:
            chosen = (
                [d[0] for d in divisions] if layer == "division" else [p for p in papers if p.startswith(f"{layer}/")]
            )
            for path in chosen:
                entries.append(Entry(group, path, title_of(period_dir / path)))
                appendix = path[: -len(".html")] + APPENDIX_SUFFIX
                if appendices and (period_dir / appendix).exists():
                    entries.append(Entry(group, appendix, title_of(period_dir / appendix), appendix_of=path))
    return entries


def _wards(period_dir: Path, papers: list[str], divisions) -> list[Entry]:
    ward_papers = {Path(p).stem: p for p in papers if p.startswith("ward/")}
    out, placed = [], set()
    for _, name, ward_ids, escalated in divisions:
        for unit_id in sorted(ward_ids & set(ward_papers)):
            path = ward_papers[unit_id]
            out.append(Entry(WARDS, path, title_of(period_dir / path), name, unit_id in escalated))
            placed.add(unit_id)
    for unit_id in sorted(set(ward_papers) - placed):
        out.append(Entry(WARDS, ward_papers[unit_id], title_of(period_dir / ward_papers[unit_id]), OTHER_WARDS))
    return out
