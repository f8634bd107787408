"""What frames every paper: its cover sheet and executive summary at the front, the header of a
unit's paper, the what-if notice, links up and down the committee structure, and at the back
the data it used, its method and its provenance. Each returns a :class:`render.Fragment`."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

import pandas as pd

from pxassure.analysis.suppression import suppress
from pxassure.publish import charts, vocabulary
from pxassure.publish.render import Fragment, callout, figure, paragraphs, spc_figure, table
from pxassure.reports.acting import CHANGE_COLUMNS, QUARTER_COLUMNS, WORK_PLAN_COLUMNS
from pxassure.reports.cover import ATTENTION_KINDS
from pxassure.reports.data import LISTENING_SOURCES
from pxassure.reports.listening import ACTION_COLUMNS, HEARD_COLUMNS

#: Where evidence of a requirement comes from, as the evidence table names it.
EVIDENCE_SOURCES = {"data": "Feedback and survey data", **LISTENING_SOURCES}


def what_if(changed: str | None) -> Fragment:
    """The notice at the top of a what-if paper (nothing for the official paper): built with other
    SPC settings than its committee's, so it must not be tabled as the committee's paper."""
    if not changed:
        return Fragment("")
    return callout(
        f"What-if paper, not the official one: built with {changed} instead of the committee's own "
        "settings, to see how the charts would read. Do not table it; the official paper is unchanged.",
        "warning",
    )


def data_used(frame: pd.DataFrame, not_assessed: Iterable[str] = ()) -> Fragment:
    """Each source the paper may draw on: supplied (rows, months covered, latest) or not supplied;
    then what the paper could not assess, and why (the executive summary's "Not assessed")."""
    rows = frame.copy()
    rows["status"] = [
        ("supplied" if n else "supplied: none for this paper's units") if ok else "not supplied"
        for ok, n in zip(rows["supplied"], rows["rows"])
    ]
    rows["covers"] = [
        f"{a} to {b}" if ok and n else "—"
        for ok, n, a, b in zip(rows["supplied"], rows["rows"], rows["first"], rows["latest"])
    ]
    rows["rows_text"] = [f"{n:,}" if ok else "—" for ok, n in zip(rows["supplied"], rows["rows"])]
    sources = table(
        rows,
        "Data used in this paper",
        columns={"source": "Source", "status": "Supplied", "covers": "Covers", "latest": "Latest", "rows_text": "Rows"},
        numeric={"rows_text"},
    )
    gaps = list(not_assessed)
    if not gaps:
        return sources
    listed = "".join(f"<li>{escape(g)}</li>" for g in gaps)
    return Fragment(
        f'{sources}<p><strong>Not assessed in this paper:</strong></p><ul class="not-assessed">{listed}</ul>'
    )


def method_note(report, methods_doc: str = "docs/methods.md") -> Fragment:
    """Which chart and rule options produced each of the paper's charts, and its other methods."""
    charts = report.all_charts()
    lines = vocabulary.method_lines(c.result for c in charts)
    if not lines:
        lines = [f"No SPC chart in this paper. Rule options: {vocabulary.options_line(report.options)}"]
    else:
        lines.append(vocabulary.decisions_line(charts))
    items = "".join(f"<li>{escape(line)}</li>" for line in [*lines, *report.other_methods()])
    key = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(words)}</dd>"
        for term, words in vocabulary.key_terms(report.KEY_TERMS, report.options)
    )
    return Fragment(
        f'<div class="method"><dl class="key-terms">{key}</dl>'
        '<p class="print-only">The statistical options behind each chart and the commands that reproduce '
        "this paper are in its web (HTML) version; a board pack's last appendix records when, and from which "
        "load of the data, each paper was built.</p>"
        f'<div class="reproduction"><p>Statistical method (see <code>{escape(methods_doc)}</code> in the '
        f"pxassure repository for every rule and option):</p><ul>{items}</ul></div></div>"
    )


def provenance(report) -> Fragment:
    """The provenance footer: parameters, data snapshot, code version, time, how to reproduce."""
    snapshot = report.snapshot
    params = "; ".join(f"{escape(str(k))} = {escape(str(v))}" for k, v in report.parameters.items())
    snap = (
        f"load {escape(str(snapshot.get('load_id')))} at {escape(str(snapshot.get('loaded_at')))}, "
        f"{escape(str(snapshot.get('files')))} files, digest {escape(str(snapshot.get('digest')))}"
    )
    cmds = "".join(f"<li><code>{escape(c)}</code></li>" for c in report.reproduce_commands())
    return Fragment(
        '<section class="provenance reproduction" aria-labelledby="provenance"><h2 id="provenance">Provenance</h2><dl>'
        f"<dt>Parameters</dt><dd>{params}</dd>"
        f"<dt>Data snapshot</dt><dd>{snap}</dd>"
        f"<dt>Code version</dt><dd>pxassure {escape(report.code_version)}</dd>"
        f"<dt>Generated at</dt><dd>{escape(report.generated_at)}</dd>"
        f"<dt>To reproduce</dt><dd><ul>{cmds}</ul></dd></dl></section>"
    )


def navigation(links: dict) -> Fragment:
    """Links to the reports one layer up and one layer down."""
    parts = []
    for key, label in (("up", "Reports to"), ("down", "Reports from")):
        items = links.get(key) or []
        if items:
            lis = "".join(f'<li><a href="{escape(path, quote=True)}">{escape(title)}</a></li>' for title, path in items)
            parts.append(f"<p><strong>{label}:</strong></p><ul>{lis}</ul>")
    if not parts:
        return Fragment('<p class="empty">No linked reports were built with this one.</p>')
    return Fragment('<nav class="related" aria-label="Related reports">' + "".join(parts) + "</nav>")


def section_link(heading: str) -> str:
    """A link to the paper's section with this heading (resolved to its id on export)."""
    return f'<a data-section="{escape(heading, quote=True)}" href="#">{escape(heading)}</a>'


def cover(sheet) -> Fragment:
    """A paper's cover sheet (:class:`pxassure.reports.cover.Cover`): the fixed front sheet,
    what the meeting is asked to do and the level of assurance offered. Prints as page 1."""
    rows = "".join(f'<tr><th scope="row">{escape(k)}</th><td>{escape(v)}</td></tr>' for k, v in sheet.rows())
    asked = "".join(f"<li>{escape(a)};</li>" for a in sheet.asked_to[:-1]) + f"<li>{escape(sheet.asked_to[-1])}.</li>"
    basis = "proposed from the paper's findings" if sheet.proposed else "set by the executive lead"
    scale = " / ".join(sheet.assurance_scale)
    return Fragment(
        f'<section class="cover" aria-labelledby="cover-heading"><h2 id="cover-heading">Cover sheet</h2>'
        f'<table class="cover-sheet"><caption>About this paper</caption><tbody>{rows}</tbody></table>'
        f'<div class="asked"><p><strong>The {escape(sheet.meeting)} is asked to:</strong></p><ul>{asked}</ul></div>'
        f'<p class="assurance-offered"><strong>Level of assurance offered: {escape(sheet.assurance.capitalize())}'
        f"</strong> ({escape(basis)}: {escape(sheet.assurance_reason)}). The trust's scale: {escape(scale)}.</p>"
        "</section>"
    )


def executive_summary(items) -> Fragment:
    """The few things the meeting must know (:class:`pxassure.reports.cover.Attention` items),
    each with its owner and a link to the section that holds the detail."""
    if not items:
        return Fragment(
            '<p class="empty">Nothing needs the meeting\'s attention: no special-cause concern, '
            "every target assured, no assurance gap or overdue action, and every measure assessed.</p>"
        )
    order = list(ATTENTION_KINDS)
    ranked = sorted(items, key=lambda i: order.index(i.kind))
    body = "".join(
        f'<tr><th scope="row">{escape(ATTENTION_KINDS[i.kind])}</th><td>{escape(i.what)}</td>'
        f"<td>{escape(i.owner)}</td><td>{section_link(i.section) if i.section else ''}</td></tr>"
        for i in ranked
    )
    return Fragment(
        '<table class="attention"><caption>What the meeting must know</caption><thead><tr>'
        '<th scope="col">Finding</th><th scope="col">What</th><th scope="col">Owner</th>'
        f'<th scope="col">Detail in</th></tr></thead><tbody>{body}</tbody></table>'
    )


def unit_header(report, unit_name: str, formerly: str = "") -> Fragment:
    """The short header of a division or ward paper: unit, period and lead, and for a renamed
    ward its former name (``formerly``)."""
    lead = report.lead(report.unit_id)
    called = f"{unit_name} ({report.unit_id}){'; ' + formerly if formerly else ''}"
    return Fragment(
        f'<table class="unit-header"><caption>About this paper</caption><tbody>'
        f'<tr><th scope="row">Unit</th><td>{escape(called)}</td></tr>'
        f'<tr><th scope="row">Period</th><td>{escape(report.period.name)}</td></tr>'
        f'<tr><th scope="row">Lead</th><td>{escape(lead)}</td></tr></tbody></table>'
    )


def story_record(record) -> Fragment:
    """A meeting's patient stories: what the record says, the stories heard in the period and the
    actions from earlier stories not yet completed (a :class:`~pxassure.reports.listening.StoryRecord`)."""
    parts = [paragraphs(*record.text())]
    if record.supplied:
        parts.append(
            table(
                record.heard_table(),
                f"Patient stories heard in {record.period.name}",
                columns=HEARD_COLUMNS,
                empty="none recorded.",
            )
        )
        parts.append(
            table(
                record.actions_table(),
                "Actions from earlier stories not yet completed",
                columns=ACTION_COLUMNS,
                empty="none recorded as open.",
            )
        )
    return Fragment("".join(parts))


def changes_made(record) -> Fragment:
    """ "You said, we did" (a :class:`~pxassure.reports.acting.ChangesMade`): what the record says,
    the changes of the last 12 months and a before/after chart for each that names a measure."""
    parts = [paragraphs(*record.text())]
    if not record.supplied:
        return Fragment("".join(parts))
    parts.append(
        table(record.items, '"You said, we did", last 12 months', columns=CHANGE_COLUMNS, empty="none recorded.")
    )
    for b in record.charts:
        m = b.chart.measure
        title = f"{b.chart.title}, before and after {b.item_id}"
        figure_ = spc_figure(
            b.chart.result,
            title=title,
            measure=m.name,
            unit=m.unit,
            target=b.chart.target,
            judged_from=b.change_month,
            exclusions=b.chart.exclusions,
        )
        parts += [paragraphs(b.text()), figure_]
    return Fragment("".join(parts))


def involvement(record) -> Fragment:
    """Involvement activities (an :class:`~pxassure.reports.acting.Involvement`): what the record
    says, participants' satisfaction by quarter (chart and table), the groups reached and kinds."""
    parts = [paragraphs(*record.text())]
    if not record.supplied or not record.activities:
        return Fragment("".join(parts))
    quarters = record.quarters_table()
    title = "Participants satisfied with taking part, by quarter"
    fig = charts.plot_satisfaction(record.quarters, list(quarters["quarter_name"]), commitment=record.commitment)
    parts.append(figure(fig, title=title, description=vocabulary.describe_satisfaction(record)))
    return Fragment("".join(parts))


def involvement_reach(record) -> Fragment:
    """Participants' satisfaction by quarter as counts, the groups involvement reached and its
    kinds, last 12 months (an appendix's detail)."""
    if not record.supplied or not record.activities:
        return paragraphs(*record.text()[:1])
    quarters = record.quarters_table()
    numeric = {"activities", "participants", "asked", "satisfied"}
    parts = [
        table(quarters, "Participants satisfied with taking part, by quarter", columns=QUARTER_COLUMNS, numeric=numeric)
    ]
    parts.append(
        table(
            record.groups.assign(latest=pd.to_datetime(record.groups["latest"]).dt.strftime("%b %Y")),
            "Groups reached, last 12 months",
            columns={"group": "Group", "activities": "Activities", "latest": "Latest"},
            numeric={"activities"},
            empty="no group recorded.",
        )
    )
    kinds = suppress(record.kinds, ["participants"])
    parts.append(
        table(
            kinds,
            "Activities by kind, last 12 months",
            columns={
                "kind": "Kind",
                "activities": "Activities",
                "participants": "Participants",
                "changed": "Led to a change recorded",
            },
            numeric={"activities", "participants", "changed"},
        )
    )
    return Fragment("".join(parts))


def work_plan(record) -> Fragment:
    """The strategy's work plan (a :class:`~pxassure.reports.acting.WorkPlan`)."""
    parts = [paragraphs(*record.text())]
    if record.supplied and len(record.plan):
        parts.append(table(record.table(), "The strategy's commitments, latest status", columns=WORK_PLAN_COLUMNS))
    return Fragment("".join(parts))


def framework_evidence(frame: pd.DataFrame) -> Fragment:
    """Each requirement that data or records evidence: its score beside what is held."""
    return table(
        frame.assign(source=frame["source"].map(lambda s: EVIDENCE_SOURCES.get(s, s))),
        "Self-assessed scores beside the evidence held",
        columns={
            "requirement": "Requirement",
            "title": "What it asks",
            "latest": "Latest score",
            "source": "Evidence from",
            "holds": "What it shows",
            "evidence": "Detail",
        },
        numeric={"latest"},
        empty="no requirement can be checked against data or records.",
    )
