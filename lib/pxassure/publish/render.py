"""HTML fragments a report notebook displays: tables, icons, charts, narrative.

Every function returns a :class:`Fragment` (a string Jupyter shows as HTML). All text
from data, including anything a patient wrote, goes through :func:`html.escape`: it is
shown, never interpreted. Charts are inline SVG with a title and description (alt text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

import numpy as np
import pandas as pd

from pxassure.analysis import measures, spc
from pxassure.analysis.comments import THEME_MEASURE_PREFIX
from pxassure.analysis.measures import TOPICS
from pxassure.analysis.suppression import MARK as SUPPRESSED
from pxassure.publish import charts as charts_mod
from pxassure.publish import svgcharts, vocabulary
from pxassure.publish.style import ICONS
from pxassure.reports import escalation
from pxassure.words import p_value


class Fragment(str):
    """A piece of HTML that Jupyter renders (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # The plain-text form is a short label, not the HTML again: otherwise every chart is
        # sent, stored in the executed notebook and read back twice.
        printer.text(f"<HTML, {len(self):,} characters>")


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _e(value) -> str:
    """A table cell for people: yes/no for a flag, sensible decimals, nothing for a missing value."""
    if _missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if x.is_integer():
            return f"{x:,.0f}"
        if 0 < x < 0.001:
            return escape("<0.001")  # a p-value, say
        return escape(vocabulary.number(x))
    return escape(str(value))


# ---------------------------------------------------------------------------
# MDC icons as inline SVG, each with a text equivalent
# ---------------------------------------------------------------------------


def _icon_text(label: str, compact: bool) -> str:
    """The icon's meaning: shown beside it, or (``compact``, in dense tables with a key) for screen
    readers only."""
    return f'<span class="{"visually-hidden" if compact else "icon-text"}">{escape(label)}</span>'


def variation_icon(kind: str | None, compact: bool = False) -> Fragment:
    """The variation icon with its text beside it (the text is the accessible name)."""
    if _missing(kind):
        return Fragment('<span class="icon-none">No icon</span>')
    icon = ICONS[kind]
    colour, letter, direction, label = icon.colour, icon.letter, icon.arrow, icon.label
    if kind == "common_cause":
        mark = '<path d="M7 17 q3.5 -6 7 0 t7 0" fill="none" stroke="white" stroke-width="2.2"/>'
    else:
        tip = 6 if direction > 0 else 28
        mark = (
            f'<text x="17" y="22" text-anchor="middle" font-size="13" font-weight="bold" fill="white" '
            f'font-family="sans-serif">{letter}</text>'
            f'<path d="M27 {tip + (4 if direction > 0 else -4)} L30 {tip} L33 {tip + (4 if direction > 0 else -4)}"'
            f' fill="none" stroke="{colour}" stroke-width="2"/>'
        )
    return Fragment(
        f'<span class="icon"><svg class="mdc-icon" width="36" height="34" viewBox="0 0 36 34" aria-hidden="true" '
        f'focusable="false"><circle cx="17" cy="17" r="14" fill="{colour}"/>{mark}</svg>'
        f"{_icon_text(label, compact)}</span>"
    )


def assurance_icon(kind: str | None, has_target: bool = True, compact: bool = False) -> Fragment:
    if _missing(kind):
        return Fragment(f'<span class="icon-none">{"No target" if not has_target else "No icon"}</span>')
    colour, letter = ICONS[kind].colour, ICONS[kind].letter
    return Fragment(
        f'<span class="icon"><svg class="mdc-icon" width="36" height="34" viewBox="0 0 36 34" aria-hidden="true" '
        f'focusable="false"><circle cx="17" cy="17" r="14" fill="white" stroke="{colour}" stroke-width="3"/>'
        f'<text x="17" y="22" text-anchor="middle" font-size="14" font-weight="bold" fill="{colour}" '
        f'font-family="sans-serif">{letter}</text></svg>'
        f"{_icon_text(ICONS[kind].label, compact)}</span>"
    )


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------


#: Said under any table that shows "*" in place of a figure.
SUPPRESSED_NOTE = (
    "* Fewer than 5 responses in the month: the figure is not shown (NHS England suppresses 1 to 4) and the "
    "month is not used for the chart's limits, rules or icons."
)


def _suppressed_note(values: pd.Series) -> str:
    """The footnote a table needs when any of ``values`` is "*" (a figure from too few responses)."""
    return paragraphs(SUPPRESSED_NOTE) if (values.astype(str) == "*").any() else ""


#: A date or month in a table cell: never broken at its hyphens.
_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")


def _num(value, unit: str = "") -> str:
    if isinstance(value, str):
        return value  # already text, such as "*" for a suppressed figure
    if _missing(value):
        return "—"
    return vocabulary.number(float(value), unit)


def _beside(value, other, unit: str = "") -> str:
    """A cell's figure beside another (a latest value and its target): never printed the same as
    the other when they differ (see ``vocabulary.number_beside``)."""
    if isinstance(value, str) or isinstance(other, str) or _missing(value) or _missing(other):
        return _num(value, unit)
    return vocabulary.number_beside(float(value), float(other), unit)


#: A table of at most this many rows prints whole, never split over two pages.
KEEP_WHOLE_ROWS = 12


def table(
    frame: pd.DataFrame,
    caption: str,
    *,
    columns: dict[str, str] | None = None,
    html_columns: Iterable[str] = (),
    numeric: Iterable[str] = (),
    empty: str = "None.",
    css_class: str | None = None,
    p_values: Iterable[str] = (),
) -> Fragment:
    """A captioned, accessible table. Cells are escaped except ``html_columns`` (built by this module);
    ``p_values`` columns are written as p-values ("< 0.001", never "0"); ``css_class`` styles it
    (``log``: a long list, printed small)."""
    columns = columns or {c: c for c in frame.columns}
    html_columns, numeric, p_values = set(html_columns), set(numeric), set(p_values)
    if frame.empty:
        return Fragment(f'<p class="empty"><strong>{escape(caption)}:</strong> {escape(empty)}</p>')
    head = "".join(
        f'<th scope="col"{" class=num" if c in numeric else ""}>{escape(label)}</th>' for c, label in columns.items()
    )
    body = []
    for _, row in frame.iterrows():
        cells = []
        for i, c in enumerate(columns):
            v = row[c]
            text = str(v) if c in html_columns else escape(p_value(v)) if c in p_values else _e(v)
            tag = 'th scope="row"' if i == 0 else "td"
            classes = (["num"] if c in numeric else []) + (["nowrap"] if _DATE.fullmatch(text) else [])
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<{tag}{cls}>{text}</{tag.split()[0]}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    classes = ([css_class] if css_class else []) + (["keep"] if len(frame) <= KEEP_WHOLE_ROWS else [])
    cls = f' class="{escape(" ".join(classes), quote=True)}"' if classes else ""
    return Fragment(
        f"<table{cls}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _limits(lower, upper, unit: str) -> str:
    """Process limits as "lower to upper", each kept on one line."""
    if _missing(lower) and _missing(upper):
        return "—"
    low, high = (escape(_num(v, unit)) if not _missing(v) else "—" for v in (lower, upper))
    return f'<span class="nowrap">{low}</span> to <span class="nowrap">{high}</span>'


def summary_icons(
    summary: pd.DataFrame, caption: str = "Key measures: latest month, variation and assurance"
) -> Fragment:
    """The integrated-performance-report summary: measure, scope, latest month and value, target,
    process mean and limits, MDC variation and assurance icons, and the trust's data-quality
    rating (a column only when the trust supplied ratings). Icons carry their meaning as text for
    screen readers; the paper's :func:`icon_key` explains them to everyone."""
    rows = summary.copy()
    if rows.empty:
        return table(rows, caption, empty="no measure could be charted.")
    for col in ("mean", "lower", "upper", "data_quality"):
        if col not in rows:
            rows[col] = None
    pairs = list(zip(rows["latest"], rows["target"], rows["unit"]))
    rows["latest_text"] = [_beside(v, t, u) for v, t, u in pairs]
    rows["target_text"] = [_beside(t, v, u) for v, t, u in pairs]
    rows["mean_text"] = [_num(v, u) for v, u in zip(rows["mean"], rows["unit"])]
    rows["limits_text"] = [_limits(lo, hi, u) for lo, hi, u in zip(rows["lower"], rows["upper"], rows["unit"])]
    rows["variation_html"] = [variation_icon(v, compact=True) for v in rows["variation"]]
    rows["assurance_html"] = [
        assurance_icon(a, t is not None and not pd.isna(t), compact=True)
        for a, t in zip(rows["assurance"], rows["target"])
    ]
    columns = {
        "measure": "Measure",
        "scope": "Scope",
        "month": "Latest month",
        "latest_text": "Latest",
        "target_text": "Target",
        "mean_text": "Mean",
        "limits_text": "Process limits",
        "variation_html": "Variation",
        "assurance_html": "Assurance",
    }
    rated = rows["data_quality"].notna().any()
    if rated:
        rows["data_quality"] = rows["data_quality"].fillna("not rated")
        columns["data_quality"] = "Data quality"
    note = _suppressed_note(rows["latest"])
    note += paragraphs(
        "Data quality: the trust's own rating of each measure's data, as it recorded them."
        if rated
        else "Data-quality ratings: not supplied (the trust has recorded none)."
    )
    return Fragment(
        table(
            rows,
            caption,
            columns=columns,
            html_columns={"variation_html", "assurance_html", "limits_text"},
            numeric={"latest_text", "target_text", "mean_text"},
        )
        + note
    )


def icon_key(report) -> Fragment:
    """A key to every Making Data Count icon the paper uses, in its tables and beside its charts
    (and to none it does not use)."""
    rows_ = [c.summary_row() for c in report.all_charts()]
    used_v = {r["variation"] for r in rows_ if not _missing(r["variation"])}
    used_a = {r["assurance"] for r in rows_ if not _missing(r["assurance"])}
    drawn = {"variation": variation_icon, "assurance": assurance_icon}
    used = [i for i in ICONS.values() if i.code in (used_v if i.kind == "variation" else used_a)]
    if not used:
        return Fragment("")
    body = "".join(
        f'<tr><td>{drawn[i.kind](i.code, compact=True)}</td><th scope="row">{escape(i.label)}</th>'
        f"<td>{escape(i.meaning)}</td></tr>"
        for i in used
    )
    return Fragment(
        '<table class="icon-key"><caption>Key to the icons in this paper</caption><thead><tr>'
        '<th scope="col">Icon</th><th scope="col">Name</th><th scope="col">Meaning</th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


# ---------------------------------------------------------------------------
# Charts and text
# ---------------------------------------------------------------------------


def spc_figure(
    result: spc.SPCResult,
    *,
    title: str,
    measure: str,
    unit: str = "",
    rebases=None,
    target=None,
    suppressed=(),
    judged_from: str | None = None,
    baselines=None,
    exclusions=None,
    rare=None,
) -> Fragment:
    """An SPC chart as an inline SVG figure whose alt text is :func:`vocabulary.describe_chart`;
    ``exclusions`` ({"YYYY-MM": reason}) are drawn hollow."""
    description = vocabulary.describe_chart(
        result,
        measure,
        unit,
        rebases=rebases,
        baselines=baselines,
        exclusions=exclusions,
        rare=rare,
        target=target,
        suppressed=suppressed,
        judged_from=judged_from,
    )
    svg = svgcharts.spc_svg(
        result,
        title=title,
        ylabel=measure,
        percent=(unit == "%"),
        description=description,
        ghosted=list(exclusions or ()),
    )
    icons = f"{variation_icon(result.variation)} {assurance_icon(result.assurance, result.target is not None)}"
    return Fragment(
        f'<figure class="chart">{svg}<figcaption><span class="icons">{icons}</span> '
        f"{escape(description)}</figcaption></figure>"
    )


def chart(chart) -> Fragment:
    """A report's charted measure (:class:`pxassure.reports.charting.Chart`) as a figure."""
    m = chart.measure
    return spc_figure(
        chart.result,
        title=chart.title,
        measure=m.name,
        unit=m.unit,
        rebases=chart.rebases,
        target=chart.target,
        suppressed=chart.suppressed,
        baselines=chart.baselines,
        exclusions=chart.exclusions,
        rare=chart.rare,
    )


def topic(key: str, charts: list, level: int = 2) -> Fragment:
    """A section for one topic of measures (see ``measures.TOPICS``): heading, introduction, charts.

    The heading carries an id, so the paper's contents list includes it like a markdown heading.
    """
    title, intro = TOPICS[key]
    body = "".join(chart(c) for c in charts)
    return Fragment(
        f'<h{level} id="topic-{escape(key, quote=True)}">{escape(title)}</h{level}><p>{escape(intro)}</p>{body}'
    )


def small_multiples(report, title: str = "Key measures by division") -> Fragment:
    """The small-multiples page: one SPC chart per key measure (rows) for each division (columns),
    on its own printed page."""
    grid = report.measure_grid()
    if not grid:
        return Fragment('<p class="empty">No key measure could be charted by division.</p>')
    rows = [(m.name, m.unit == "%", [(c.unit_name, c.result, c.latest_withheld) for c in charts]) for m, charts in grid]
    description = vocabulary.describe_grid(grid, report.period)
    svg = svgcharts.measure_grid_svg(rows, title=title, description=description)
    return Fragment(f'<div class="small-multiples">{_figure(svg, description)}</div>')


def unit_multiples(charts: list, *, title: str, description: str) -> Fragment:
    """Small multiples of one measure: a small SPC chart per unit (report ``Chart``s, in order)
    on one y scale, as an inline SVG figure with alt text."""
    items = [(c.unit_name, c.result, c.latest_withheld) for c in charts]
    percent = bool(charts) and charts[0].measure.unit == "%"
    return Fragment(
        _figure(
            svgcharts.small_multiples_svg(items, percent=percent, title=title, description=description), description
        )
    )


def heatmap(scores: pd.DataFrame, *, title: str, description: str) -> Fragment:
    """The framework self-assessment heatmap (requirement × assessment, scores 0–5) as an inline
    SVG figure with alt text."""
    svg = svgcharts.heatmap_svg(scores, title=title, description=description)
    return Fragment(_figure(svg, description, css="chart tall"))


def figure(fig, *, title: str, description: str) -> Fragment:
    """Any matplotlib figure as an inline SVG figure with alt text."""
    return Fragment(_figure(charts_mod.to_svg(fig, title=title, description=description), description))


def _figure(svg: str, description: str, css: str = "chart") -> str:
    return f'<figure class="{css}">{svg}<figcaption>{escape(description)}</figcaption></figure>'


def heading(text: str, level: int = 1) -> Fragment:
    """A heading computed from the report (a paper's title naming its unit and month, say)."""
    return Fragment(f"<h{level}>{escape(text)}</h{level}>")


def section(title: str, intro: str = "") -> Fragment:
    """The heading and opening words of an optional section (one a params file may leave out):
    the heading carries an id, so contents and executive-summary links reach it."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    body = f"<p>{escape(intro)}</p>" if intro else ""
    return Fragment(f'<h2 id="{slug}">{escape(title)}</h2>{body}')


def assurance_gaps(frame: pd.DataFrame) -> Fragment:
    """The requirements whose self-assessed score the data contradict, or whose score fell: the
    same table at every layer that reports them, so a committee sees what the board is told."""
    return table(
        frame,
        "Requirements with an assurance gap",
        columns={
            "requirement": "Requirement",
            "title": "What it asks",
            "latest": "Latest score",
            "previous": "Previous score",
            "gap": "Gap",
            "detail": "Detail",
        },
        numeric={"latest", "previous"},
        empty="no requirement has an assurance gap.",
    )


def paragraphs(*texts: str) -> Fragment:
    """Plain text as escaped paragraphs."""
    return Fragment("".join(f"<p>{escape(t)}</p>" for t in texts if t))


def callout(text: str, kind: str = "info") -> Fragment:
    return Fragment(f'<div class="callout {escape(kind)}" role="note"><p>{escape(text)}</p></div>')


def quotes(frame: pd.DataFrame) -> Fragment:
    """Patients' comments, already redacted, as escaped block quotes."""
    if frame.empty:
        return Fragment('<p class="empty">No comments were received in the period this paper covers.</p>')
    out = []
    for r in frame.itertuples(index=False):
        coded = " (coded automatically)" if getattr(r, "coded_by", None) == "model" else ""
        out.append(
            f'<blockquote class="comment {escape(r.tone)}"><p>{escape(r.text)}</p>'
            f"<footer>{escape(r.tone.capitalize())} comment · {escape(r.theme)}{escape(coded)}</footer></blockquote>"
        )
    return Fragment("".join(out))


def changes_table(frame: pd.DataFrame, caption: str) -> Fragment:
    """Latest month against the month before, per measure."""
    rows = frame.copy()
    rows["previous_text"] = [_num(v, u) for v, u in zip(rows["previous"], rows["unit"])]
    rows["latest_text"] = [_num(v, u) for v, u in zip(rows["latest"], rows["unit"])]
    # a change in a percentage is in percentage points, to 1 decimal as the percentages are
    rows["change_text"] = [
        "—" if _missing(c) else f"{c:+,.1f} pts" if u == "%" else f"{'+' if c > 0 else ''}{_num(c, u)}"
        for c, u in zip(rows["change"], rows["unit"])
    ]
    rows["variation_html"] = [variation_icon(v) for v in rows["variation"]]
    note = _suppressed_note(rows["latest"])
    return Fragment(
        table(
            rows,
            caption,
            columns={
                "measure": "Measure",
                "previous_text": "Previous month",
                "latest_text": "This month",
                "change_text": "Change",
                "variation_html": "Variation",
            },
            html_columns={"variation_html"},
            numeric={"previous_text", "latest_text", "change_text"},
        )
        + note
    )


def _is_count(measure_id: str) -> bool:
    """True for a measure whose monthly figure is a count (a c chart, or negative comments on a theme)."""
    return measure_id.startswith(THEME_MEASURE_PREFIX) or measures.get(measure_id).chart == "c"


def exceptions_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    empty: str = "no ward shows special-cause concern.",
    show_division: bool = True,
    suppress_counts: bool = False,
) -> Fragment:
    """Wards with special-cause concern; a ward's name links to its own report where one exists.
    ``suppress_counts``: a count of 1 to 4 (a c chart's month) is shown as *, for a paper that
    says so (the board's)."""
    rows = frame.copy()
    if rows.empty:
        return table(rows, caption, empty=empty)
    links = rows["report"] if "report" in rows.columns else [None] * len(rows)
    rows["ward_html"] = [
        f'<a href="{escape(str(href), quote=True)}">{escape(str(w))}</a>' if not _missing(href) else escape(str(w))
        for w, href in zip(rows["ward"], links)
    ]
    counts = [_is_count(m) for m in rows["measure_id"]] if "measure_id" in rows else [False] * len(rows)
    rows["latest_text"] = [
        SUPPRESSED if suppress_counts and count and 0 < v < 5 else _num(v, u)
        for v, u, count in zip(rows["latest"], rows["unit"], counts)
    ]
    rows["rule_text"] = [str(r).replace("_", " ") for r in rows["rule"]]
    rows["response_html"] = [escape(escalation.response_text(r)) for r in rows.to_dict("records")]
    columns = {
        "ward_html": "Ward",
        "measure": "Measure",
        "latest_text": "Latest",
        "rule_text": "Rule that fired",
        "response_html": "What is being done (as recorded)",
    }
    if show_division:
        columns = {"division": "Division", **columns}
    return table(rows, caption, columns=columns, html_columns={"ward_html", "response_html"}, numeric={"latest_text"})


def actions_table(frame: pd.DataFrame, caption: str, *, empty: str = "no planned actions.") -> Fragment:
    """Self-assessment actions, one line each where the page allows: requirement, action, owner,
    and the due date marked "overdue" where it has passed."""
    rows = frame.copy()
    if len(rows):
        rows["due_html"] = [
            f'<span class="nowrap">{_e(d)}{" <strong class=overdue>overdue</strong>" if late else ""}</span>'
            for d, late in zip(rows["due_date"], rows["overdue"])
        ]
    columns = {"requirement": "Req.", "planned_action": "Action", "owner": "Owner", "due_html": "Due"}
    return table(rows, caption, columns=columns, html_columns={"due_html"}, empty=empty, css_class="log")


# ---------------------------------------------------------------------------
# The front of a paper: cover sheet, executive summary, unit header
# ---------------------------------------------------------------------------
