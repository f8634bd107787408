"""Charts written as SVG directly: the MDC-style SPC chart, small multiples of them, and the
framework self-assessment heatmap.

Every paper draws several of these (a ward paper five, a division's small multiples dozens);
drawing them with matplotlib took more than half of a ward paper's time and most of a
division's, mostly on work a chart of fixed layout does not need (tick objects, text measured
for layout, a renderer). An SPC chart is a few lines, markers and labels at known places, so it
is written here as SVG elements on a fixed layout: the look of the matplotlib charts beside
it (colours, markers, dashes and sizes from ``charts``), text kept as text (selectable, read by
screen readers), the same bytes for the same data. The heatmap too: its thousand score labels
were most of a quality committee paper's chart time. Units are points (1/72 inch), as in
matplotlib's SVG; y ticks are chosen by matplotlib's own tick locator.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

import numpy as np
from matplotlib.colors import to_hex
from matplotlib.ticker import MaxNLocator, PercentFormatter

from pxassure.publish.style import ICONS, MARKERS, PALETTE, chart_id
from pxassure.publish.svg import SVG, num
from pxassure.publish.vocabulary import POINT_LABEL, REBASE_LABEL

#: Fixed layout, in inches: the margins hold the longest labels pxassure writes (a y label
#: wrapped at ``YLABEL_WRAP`` characters, a title at ``TITLE_WRAP``, legend entries at
#: ``LEGEND_WRAP``, month labels at 45 degrees).
WIDTH = 7.2
LEGEND_WIDTH = 2.2
PLOT_HEIGHT = 1.95
LEGEND_WRAP = 26
TITLE_WRAP = 70
YLABEL_WRAP = 26
#: Font sizes (pt): tick labels and the y label, legend entries, the title and the icons' letters.
TICK_SIZE, LEGEND_SIZE, TITLE_SIZE = 9, 8, 10
#: Dash patterns at a line width of 1, as matplotlib's (it scales them with the width).
LIMIT_DASH, PENDING_DASH, TARGET_DASH, SMALL_DASH = (4, 3), (1, 2), (1, 1.65), (1, 1)
PT = 72
#: The heatmap's cell and axis text: printed at least 7 pt, since the heatmap prints on its own
#: page (at 210 mm tall, 57 requirements scale the drawing by about 0.8).
HEATMAP_TEXT = 9
ICON_R = 8.4  # the icons' radius (pt): a 10 pt letter in a circle


#: The SPC chart's layout (inches): the left margin grows with the y label's lines, the top
#: with the title's; the plot grows to hold the legend and the icons under it.
LEFT, LEFT_PER_LINE, TOP, TOP_PER_LINE, BOTTOM = 0.8, 0.19, 0.12, 0.2, 0.66
#: Points: tick marks' length and the gap from the axis to a tick label (the y label keeps 4
#: more), the legend's inset, line spacing and gap between entries, the icons' baseline offset.
TICK_LENGTH, TICK_GAP, YLABEL_GAP = 3.5, 7, 4
LEGEND_INSET, LEGEND_LINE, LEGEND_GAP, LEGEND_SAMPLE = 7.2, 9.6, 2.6, 16
ICON_BASELINE = 3.6
MONTHS_LABELLED = 12  # at most about this many month labels on the x axis


@dataclass(frozen=True)
class _Plot:
    """Where the plot sits in the drawing (points; y grows downwards) and the data ranges it shows."""

    x0: float
    x1: float
    y0: float
    y1: float
    xlo: float
    xhi: float
    ylo: float
    yhi: float

    def sx(self, i):
        return self.x0 + (np.asarray(i, dtype=float) - self.xlo) / (self.xhi - self.xlo) * (self.x1 - self.x0)

    def sy(self, v):
        return self.y1 - (np.asarray(v, dtype=float) - self.ylo) / (self.yhi - self.ylo) * (self.y1 - self.y0)


def spc_svg(result, *, title: str, ylabel: str, percent: bool, description: str, ghosted=()) -> str:
    """``result`` (an :class:`pxassure.analysis.spc.SPCResult`) as an inline ``<svg role="img">``
    titled ``title``, whose ``<title>`` and ``<desc>`` (its accessible name and description) are
    ``title`` and ``description``, escaped.

    Grey common-cause points, blue improvement, vermillion concern, purple neutral (special
    causes differ in shape too); solid centre line, dashed process limits (stepped on attribute
    charts), dotted target, a line at every rebase, the points labelled in ``ghosted`` (left out
    of the limits) hollow, and the variation and assurance icons beside the plot under the legend."""
    ylabel_lines = textwrap.wrap(ylabel or "", YLABEL_WRAP)
    title_lines = textwrap.wrap(title or "", TITLE_WRAP)
    ghost = result.points.index.isin(list(ghosted))
    legend = _legend_entries(result, ghost)
    legend_lines = sum(len(lines) for _, lines in legend)
    top = TOP + TOP_PER_LINE * len(title_lines)
    plot_h = max(PLOT_HEIGHT, 0.08 * len(legend) + 0.135 * legend_lines + 0.1 + 0.4)  # icons sit under the legend
    height = (BOTTOM + plot_h + top) * PT
    y0, y1 = top * PT, (top + plot_h) * PT
    ylo, yhi = _y_range([result], with_target=True)
    ticks, labels = _yticks(ylo, yhi, y1 - y0, TICK_SIZE, percent)
    # the y label sits beside the widest tick label: very large numbers widen the margin
    beside = max((_text_width(label, TICK_SIZE) for label in labels), default=0) + TICK_GAP + YLABEL_GAP
    needed = beside + 1.2 * TICK_SIZE * max(len(ylabel_lines), 1) + 2
    left = LEFT + LEFT_PER_LINE * max(len(ylabel_lines), 1)
    plot = _Plot(max(left * PT, needed), (WIDTH - LEGEND_WIDTH) * PT, y0, y1, *_x_limits(len(result.points)), ylo, yhi)

    out = SVG(WIDTH * PT, height)
    out.rect(0, 0, WIDTH * PT, height, fill="#ffffff")
    _axes_ticks(out, plot, ticks, labels, result.points.index)
    _data(out, plot, result, ghost)
    _axes_labels(out, plot, ylabel_lines, title_lines, beside)
    _legend(out, plot, legend)
    _icons(out, plot, result)
    return out.document(title, description)


def _axes_ticks(out: SVG, plot: _Plot, ticks, labels, months) -> None:
    """The y grid with its tick labels, and month labels on the x axis (at most about twelve)."""
    for t, label in zip(ticks, labels):
        y = float(plot.sy(t))
        out.line([(plot.x0, y), (plot.x1, y)], stroke="#E5E5E5", width=0.6)
        out.line([(plot.x0, y), (plot.x0 - TICK_LENGTH, y)], stroke="#000000", width=0.8)
        out.text(plot.x0 - TICK_GAP, y + 3.3, label, size=TICK_SIZE, anchor="end")
    n = len(months)
    for i in range(0, n, max(1, math.ceil(n / MONTHS_LABELLED))):
        x = float(plot.sx(i))
        out.line([(x, plot.y1), (x, plot.y1 + TICK_LENGTH)], stroke="#000000", width=0.8)
        out.text(x + 3, plot.y1 + 10, str(months[i]), size=TICK_SIZE, anchor="end", rotate=-45)


def _data(out: SVG, plot: _Plot, result, ghost=None) -> None:
    """Value line, centre and limits per period (broken at every rebase and gap), rebase lines,
    the target and the points."""
    p = result.points
    n = len(p)
    values = p["value"].to_numpy(dtype=float)
    bounds = list(result.period_starts) + [n]
    xs = np.arange(n)
    stepped = result.chart != "xmr"
    for start, stop in zip(bounds[:-1], bounds[1:]):
        seg = slice(start, stop)
        px = plot.sx(xs[seg])
        out.polyline(px, plot.sy(values[seg]), stroke=PALETTE["line"], width=1.2)
        out.polyline(px, plot.sy(p["centre"].to_numpy(dtype=float)[seg]), stroke=PALETTE["centre"], width=1.2)
        for col in ("upper", "lower"):
            ys = plot.sy(p[col].to_numpy(dtype=float)[seg])
            out.polyline(px, ys, stroke=PALETTE["limit"], width=1.0, dash=LIMIT_DASH, steps=stepped)
    for start, kind in _rebase_marks(result):
        x = float(plot.sx(start - 0.5))
        dash = PENDING_DASH if kind == "pending" else None
        out.line([(x, plot.y0), (x, plot.y1)], stroke=PALETTE["limit"], width=0.9, dash=dash)
    if result.target is not None:
        y = float(plot.sy(result.target))
        out.line([(plot.x0, y), (plot.x1, y)], stroke=PALETTE["target"], width=1.6, dash=TARGET_DASH, cap="round")
    for kind, mask in _point_groups(result, values, ghost):
        for i in np.flatnonzero(mask):
            out.marker(float(plot.sx(i)), float(plot.sy(values[i])), **_MARKER_STYLE[kind])


def _axes_labels(out: SVG, plot: _Plot, ylabel_lines, title_lines, beside: float) -> None:
    out.line([(plot.x0, plot.y0), (plot.x0, plot.y1)], stroke="#000000", width=0.8, cap="square")
    out.line([(plot.x0, plot.y1), (plot.x1, plot.y1)], stroke="#000000", width=0.8, cap="square")
    middle = (plot.y0 + plot.y1) / 2
    # beside the widest tick label (4 pt away), its glyphs' descent (0.24 em) towards the labels
    label_x = plot.x0 - beside - 0.24 * TICK_SIZE
    for k, line in enumerate(ylabel_lines):
        x = label_x - 1.2 * TICK_SIZE * (len(ylabel_lines) - 1 - k)
        out.text(x, middle, line, size=TICK_SIZE, anchor="middle", rotate=-90)
    for k, line in enumerate(title_lines):
        out.text(plot.x0, plot.y0 - 6 - 12 * (len(title_lines) - 1 - k), line, size=TITLE_SIZE, bold=True)


def _legend(out: SVG, plot: _Plot, legend) -> None:
    """The legend beside the plot: a marker or line sample, then its wrapped words."""
    lx, y = plot.x1 + LEGEND_INSET, plot.y0 + LEGEND_INSET
    for kind, lines in legend:
        mid = y + 3.4
        if kind in _MARKER_STYLE:
            out.marker(lx + LEGEND_SAMPLE / 2, mid, **_MARKER_STYLE[kind])
        else:
            out.line([(lx, mid), (lx + LEGEND_SAMPLE, mid)], **_LEGEND_LINES[kind])
        for k, line in enumerate(lines):
            out.text(lx + 22.4, y + 6.3 + LEGEND_LINE * k, line, size=LEGEND_SIZE)
        y += LEGEND_LINE * len(lines) + LEGEND_GAP


def _icons(out: SVG, plot: _Plot, result) -> None:
    """The variation icon (filled) and the assurance icon (ringed), under the legend, their
    bottoms just under the plot's."""
    ix = plot.x1 + 0.02 * (plot.x1 - plot.x0)
    icon_y = plot.y1 + 0.02 * (plot.y1 - plot.y0) - ICON_R
    if result.variation:
        icon = ICONS[result.variation]
        colour, letter = icon.colour, icon.letter or "~"
        out.circle(ix + ICON_R, icon_y, ICON_R, fill=colour, stroke=colour)
        out.text(
            ix + ICON_R, icon_y + ICON_BASELINE, letter, size=TITLE_SIZE, bold=True, anchor="middle", fill="#ffffff"
        )
        ix += 0.07 * (plot.x1 - plot.x0)
    if result.assurance:
        icon = ICONS[result.assurance]
        colour, letter = icon.colour, icon.letter
        out.circle(ix + ICON_R, icon_y, ICON_R - 1, fill="#ffffff", stroke=colour, width=2)
        out.text(ix + ICON_R, icon_y + ICON_BASELINE, letter, size=TITLE_SIZE, bold=True, anchor="middle", fill=colour)


#: Small multiples: 7.4 inches wide, at fixed margins (inches) that hold what the small charts
#: write: y tick labels at 7 pt, a row's y label wrapped at 16 characters, each chart's title
#: above it (shortened to what the width holds) and the figure's title.
GRID_WIDTH = 7.4
GRID_MARGIN = {"right": 0.1, "bottom": 0.1, "title": 0.3, "axes_title": 0.24}
SMALL_TICK, SMALL_TITLE, SMALL_ICON = 7.2, 7.5, 7.2  # at least 7 pt once a page-wide grid is printed on A4


def small_multiples_svg(
    items, *, ncols: int = 3, percent: bool = False, title: str | None = None, description: str
) -> str:
    """A grid of small SPC charts, one per (label, SPCResult[, withheld]), on one y scale (tick
    labels in the first column only), as an inline ``<svg role="img">`` described by
    ``description``. A chart whose latest month is ``withheld`` (shown as * in tables) has no icon."""
    nrows = max(1, math.ceil(len(items) / ncols))
    rows = [items[r * ncols : (r + 1) * ncols] for r in range(nrows)]
    scale = _y_range([item[1] for item in items])
    panels = [(None, percent, row, scale) for row in rows]
    return _grid(
        panels,
        ncols=ncols,
        height=1.75 * nrows + 0.4,
        left=0.5,
        column_gap=0.12,
        every_column=False,
        title=title,
        description=description,
    )


def measure_grid_svg(rows, *, title: str | None = None, description: str) -> str:
    """Small multiples on one page: a row per key measure, each on its own y scale (named at
    the left), a column per unit. ``rows`` is [(measure name, percent?, [(unit name, SPCResult[,
    withheld]), ...]), ...]."""
    ncols = max((len(items) for _, _, items in rows), default=1)
    label_lines = max((len(textwrap.wrap(name, 16)) for name, _, _ in rows), default=1)
    panels = [(name, percent, items, _y_range([item[1] for item in items])) for name, percent, items in rows]
    return _grid(
        panels,
        ncols=ncols,
        height=1.3 * max(1, len(rows)) + 0.45,
        left=0.5 + 0.13 * label_lines,
        column_gap=0.5,
        every_column=True,
        title=title,
        description=description,
    )


def _grid(
    rows,
    *,
    ncols: int,
    height: float,
    left: float,
    column_gap: float,
    every_column: bool,
    title: str | None,
    description: str,
) -> str:
    """Rows of small charts: each row (its y label or None, percent?, [(label, result)], y range).
    ``every_column``: every chart shows its y tick labels (the rows' scales differ, so the gaps
    between columns hold them), else the first column only."""
    nrows = max(1, len(rows))
    top = GRID_MARGIN["axes_title"] + (GRID_MARGIN["title"] if title else 0.0)
    row_gap = GRID_MARGIN["axes_title"] + 0.06
    axes_h = (height - top - GRID_MARGIN["bottom"] - (nrows - 1) * row_gap) / nrows
    # each row's y ticks (one scale along a row), and the widest label of each row: very wide
    # tick labels ("120,000,000") widen the margin, and the gaps that hold them
    row_ticks = [_yticks(lo, hi, axes_h * PT, SMALL_TICK, percent) for _, percent, _, (lo, hi) in rows]
    row_widest = [max((_text_width(t, SMALL_TICK) for t in labels), default=0) for _, labels in row_ticks]
    widest = max(row_widest, default=0)
    lines = max((len(textwrap.wrap(ylabel, 16)) for ylabel, _, _, _ in rows if ylabel), default=0)
    left = max(left, (7 + widest + (4 + 1.2 * SMALL_TITLE * lines if lines else 0) + 2) / PT)
    if every_column:
        column_gap = max(column_gap, (7 + widest + 4) / PT)
    axes_w = (GRID_WIDTH - left - GRID_MARGIN["right"] - (ncols - 1) * column_gap) / ncols
    out = SVG(GRID_WIDTH * PT, height * PT)
    out.rect(0, 0, GRID_WIDTH * PT, height * PT, fill="#ffffff")
    if title:
        out.text(0.01 * GRID_WIDTH * PT, 0.02 * height * PT + 8, title, size=TITLE_SIZE, bold=True)
    for r, (ylabel, _, items, scale) in enumerate(rows):
        y0 = (top + r * (axes_h + row_gap)) * PT
        for c, (label, result, *withheld) in enumerate(items):
            x0 = (left + c * (axes_w + column_gap)) * PT
            last = c == ncols - 1  # nothing beside it but the margin
            room = (axes_w + (GRID_MARGIN["right"] if last else column_gap) - 0.05) * PT
            _small_chart(
                out,
                x0,
                y0,
                axes_w * PT,
                axes_h * PT,
                scale,
                row_ticks[r],
                label,
                result,
                tick_labels=every_column or c == 0,
                title_room=room,
                place=f"{r} {c}",
                icon=not (withheld and withheld[0]),
            )
        if ylabel:  # the row's measure, left of the first chart's tick labels
            lines = textwrap.wrap(ylabel, 16)
            x = left * PT - 7 - row_widest[r] - 4 - 0.24 * SMALL_TITLE
            for k, line in enumerate(lines):
                out.text(
                    x - 1.2 * SMALL_TITLE * (len(lines) - 1 - k),
                    y0 + axes_h * PT / 2,
                    line,
                    size=SMALL_TITLE,
                    anchor="middle",
                    rotate=-90,
                )
    return out.document(title or "Small multiples", description)


def _small_chart(out, x0, y0, w, h, scale, ticks, label, result, *, tick_labels, title_room, place, icon=True) -> None:
    """One small SPC chart at (x0, y0), w × h pt on its row's y ``scale`` and ``ticks`` (values,
    labels): line, centre, limits, point markers, the variation icon's letter, its title above."""
    lo, hi = scale
    p = result.points
    n = len(p)
    xlo, xhi = _x_limits(n)
    x1, y1 = x0 + w, y0 + h

    def sx(i):
        return x0 + (np.asarray(i, dtype=float) - xlo) / (xhi - xlo) * w

    def sy(v):
        return y1 - (np.asarray(v, dtype=float) - lo) / (hi - lo) * h

    out.begin(f'data-panel="{place}"')
    out.rect(x0, y0, w, h, fill="#ffffff", cls="plot")
    for t, text in zip(*ticks):
        y = float(sy(t))
        out.line([(x0, y), (x0 - 3.5, y)], stroke="#000000", width=0.8)
        if tick_labels:
            out.text(x0 - 7, y + 2.5, text, size=SMALL_TICK, anchor="end")
    values = p["value"].to_numpy(dtype=float)
    xs = sx(np.arange(n))
    out.polyline(xs, sy(values), stroke=PALETTE["line"], width=0.9)
    out.polyline(xs, sy(p["centre"].to_numpy(dtype=float)), stroke=PALETTE["centre"], width=0.9)
    for col in ("upper", "lower"):
        out.polyline(xs, sy(p[col].to_numpy(dtype=float)), stroke=PALETTE["limit"], width=0.7, dash=(3, 2))
    for kind, mask in _point_groups(result, values):
        if kind in ("small", "no_limits"):  # hollow: not judged one by one (no legend to say more)
            style = {"shape": "o", "area": 9, "fill": "#ffffff", "stroke": PALETTE["common_cause"], "width": 1.0}
        else:
            area = 9 if kind == "common_cause" else 16
            style = {"shape": MARKERS[kind], "area": area, "fill": PALETTE[kind], "stroke": "none", "width": 0}
        for i in np.flatnonzero(mask):
            out.marker(float(xs[i]), float(sy(values[i])), **style)
    out.line([(x0, y0), (x0, y1)], stroke="#000000", width=0.8, cap="square")
    out.line([(x0, y1), (x1, y1)], stroke="#000000", width=0.8, cap="square")
    mark = ICONS.get(result.variation or "") if icon else None
    if mark:
        r = 5.2
        cx, cy = x1 - 0.02 * w - r, y1 - 0.04 * h - r
        out.circle(cx, cy, r, fill=mark.colour, stroke=mark.colour)
        out.text(cx, cy + 2.5, mark.letter or "~", size=SMALL_ICON, bold=True, anchor="middle", fill="#ffffff")
    out.text(x0, y0 - 6, _shortened(textwrap.shorten(label, 30), title_room, SMALL_TITLE), size=SMALL_TITLE)
    out.end()


def _shortened(label: str, room: float, size: float) -> str:
    """``label`` at ``size`` pt, shortened by whole words (ending "[…]") to at most ``room`` pt,
    measured in DejaVu Sans."""
    words = label.split()
    text = label
    while len(words) > 1 and _text_width(text, size) > room:
        words.pop()
        text = " ".join(words) + " […]"
    return text


def _text_width(text: str, size: float) -> float:
    """How wide ``text`` is at ``size`` pt in DejaVu Sans, the font the charts name first
    (matplotlib's metrics; margins and shortened titles are sized with it)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, FontProperties(size=size), ismath=False)[0]


def heatmap_svg(scores, *, title: str, description: str) -> str:
    """Requirement × assessment heatmap of self-assessment scores (0–5) on the colour-blind-safe
    cividis scale, each score written in its cell, blank where not assessed, with a colour bar.
    ``scores``: a DataFrame, one row per requirement and one column per assessment."""
    from matplotlib import colormaps

    values = scores.to_numpy(dtype=float)
    nrows, ncols = values.shape
    width, height = 7.2 * PT, (0.16 * nrows + 1.2) * PT
    # fixed margins (pt): requirement codes and the y label on the left, month labels turned
    # upright below, the title above, the colour bar and its scale on the right
    left, right, bottom, top = 0.75 * PT, width - 0.6 * PT, height - 0.65 * PT, 0.35 * PT
    plot_right = left + (right - left) * 0.8  # the colour bar takes the rest, as matplotlib's does
    cell_w, cell_h = (plot_right - left) / max(ncols, 1), (bottom - top) / max(nrows, 1)
    cmap = colormaps["cividis"]
    out = SVG(width, height)
    out.rect(0, 0, width, height, fill="#ffffff")
    for row in range(nrows):
        for col in range(ncols):
            v = values[row, col]
            if not np.isfinite(v):
                continue  # not assessed: left blank
            colour = cmap(min(max(v / 5, 0.0), 1.0))
            x, y = left + col * cell_w, top + row * cell_h
            out.cell(x, y, cell_w, cell_h, fill=_hex(colour))
            light = _luminance(colour) > 0.408  # dark text on light cells (seaborn's rule)
            out.text(
                x + cell_w / 2,
                y + cell_h / 2 + 2.8,
                f"{v:.0f}",
                size=HEATMAP_TEXT,
                anchor="middle",
                fill="#262626" if light else "#ffffff",
            )
    for row, code in enumerate(scores.index):
        out.text(left - 3.5, top + (row + 0.5) * cell_h + 2.8, str(code), size=HEATMAP_TEXT, anchor="end")
    for col, label in enumerate(scores.columns):
        x = left + (col + 0.5) * cell_w + 2.8
        out.text(x, bottom + 3.5, str(label), size=HEATMAP_TEXT, anchor="end", rotate=-90)
    codes_w = max((_text_width(str(c), HEATMAP_TEXT) for c in scores.index), default=0)
    out.text(
        left - 3.5 - codes_w - 4 - 0.24 * TICK_SIZE,
        (top + bottom) / 2,
        "Requirement",
        size=TICK_SIZE,
        anchor="middle",
        rotate=-90,
    )
    out.text(left, top - 6, title, size=TITLE_SIZE, bold=True)
    _colour_bar(out, cmap, chart_id(title) + "-scale", plot_right + 0.05 * (right - left), top, bottom)
    return out.document(title, description)


def _colour_bar(out: SVG, cmap, gradient: str, bar_x: float, top: float, bottom: float) -> None:
    """The heatmap's colour bar at ``bar_x``: 0 at the bottom, 5 at the top, centred on the plot's
    height, with its scale and label; ``gradient`` is the id of its SVG gradient."""
    bar_h = 0.4 * (bottom - top)
    bar_w = bar_h / 20
    bar_top = (top + bottom) / 2 - bar_h / 2
    stops = "".join(f'<stop offset="{num(k / 10)}" stop-color="{_hex(cmap(1 - k / 10))}"/>' for k in range(11))
    out.parts.append(
        f'<defs><linearGradient id="{gradient}" x1="0" y1="0" x2="0" y2="1">{stops}</linearGradient></defs>'
    )
    out.rect(bar_x, bar_top, bar_w, bar_h, fill=f"url(#{gradient})")
    for score in range(6):
        y = bar_top + bar_h * (1 - score / 5)
        out.line([(bar_x + bar_w, y), (bar_x + bar_w + 3.5, y)], stroke="#000000", width=0.8)
        out.text(bar_x + bar_w + 7, y + 3.3, str(score), size=TICK_SIZE)
    out.text(
        bar_x + bar_w + 7 + _text_width("5", TICK_SIZE) + 4 + 0.76 * TICK_SIZE,
        bar_top + bar_h / 2,
        "Score (0–5)",
        size=TICK_SIZE,
        anchor="middle",
        rotate=-90,
    )


def _hex(rgba) -> str:
    return to_hex(rgba).upper()


def _luminance(rgba) -> float:
    """Relative luminance (WCAG) of an RGB colour with components 0–1."""
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _legend_entries(result, ghost=None) -> list[tuple[str, list[str]]]:
    """(kind, wrapped label lines) for what the chart draws, in drawing order, one entry per label."""
    p = result.points
    entries: list[tuple[str, str]] = []
    for _, kind in _rebase_marks(result):
        entries.append((f"rebase_{kind}", REBASE_LABEL[kind]))
    values = p["value"].to_numpy(dtype=float)
    for kind, _ in _point_groups(result, values, ghost):
        events = kind == "no_limits" and result.chart in ("g", "t")  # a point per event, not per month
        entries.append((kind, POINT_LABEL["no_limits_event" if events else kind]))
    if result.target is not None:
        entries.append(("target", "Target"))
    entries.append(("centre", "Mean" if result.has_limits and result.chart != "g" else "Median"))
    if result.has_limits:
        entries.append(("limits", "Process limits"))
    seen: set[str] = set()
    out = []
    for kind, label in entries:
        if label not in seen:  # one entry per label: both neutral kinds read "Special cause: neutral"
            seen.add(label)
            out.append((kind, textwrap.wrap(label, LEGEND_WRAP)))
    return out


def _rebase_marks(result) -> list[tuple[int, str]]:
    """(first point of the new period, "done" or "pending") for every rebase drawn, in order."""
    marks = [(s, "done") for s in result.period_starts[1:]]
    if result.pending_rebase is not None:
        marks.append((result.pending_rebase, "pending"))
    return sorted(marks)


def _point_groups(result, values: np.ndarray, ghost=None) -> list[tuple[str, np.ndarray]]:
    """The points drawn, by kind (each a mask over the points), in drawing order: typed points
    by kind, then those from too few responses (hollow, dashed), then a run chart's (hollow),
    then those left out of the limits (``ghost``: hollow, dark)."""
    p = result.points
    kinds = p["point_type"].to_numpy(dtype=object)
    small = p["small"].to_numpy(dtype=bool) if "small" in p else np.zeros(len(p), dtype=bool)
    ghost = np.zeros(len(p), dtype=bool) if ghost is None else np.asarray(ghost, dtype=bool) & ~np.isnan(values)
    groups = [(kind, (kinds == kind) & ~ghost) for kind in MARKERS]
    groups.append(("small", small & ~ghost))
    untyped = np.array([k is None or k != k for k in kinds], dtype=bool)  # None or NaN
    groups.append(("no_limits", untyped & ~np.isnan(values) & ~small & ~ghost))
    groups.append(("excluded", ghost))
    return [(kind, mask) for kind, mask in groups if mask.any()]


def _y_range(results, with_target: bool = False) -> tuple[float, float]:
    """The y range holding every value, centre and limit of ``results`` (and their targets),
    with 5 % margins as matplotlib's; (0, 1) when there is no data at all."""
    cols = [r.points[c].to_numpy(dtype=float) for r in results for c in ("value", "centre", "upper", "lower")]
    if with_target:
        cols += [np.array([r.target], dtype=float) for r in results if r.target is not None]
    data = np.concatenate(cols) if cols else np.array([])
    data = data[np.isfinite(data)]
    if not len(data):
        return 0.0, 1.0
    lo, hi = float(data.min()), float(data.max())
    if hi - lo == 0:  # one value: a band around it
        pad = abs(lo) * 0.05 or 0.5
        return lo - pad, hi + pad
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def _x_limits(n: int) -> tuple[float, float]:
    if n <= 1:
        return -0.5, 0.5
    pad = (n - 1) * 0.05
    return -pad, n - 1 + pad


def _yticks(lo: float, hi: float, plot_height: float, size: float, percent: bool) -> tuple[list[float], list[str]]:
    """The y ticks matplotlib would choose for the range, and their labels: as many as fit one
    per two tick-label heights (1 to 9), at steps of 1, 2, 2.5 or 5 times a power of ten."""
    bins = int(np.clip(math.floor(plot_height / (size * 2)), 1, 9))
    ticks = list(MaxNLocator(nbins=bins, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi))
    ticks = [t for t in ticks if lo - 1e-9 * abs(hi - lo) <= t <= hi + 1e-9 * abs(hi - lo)]
    return ticks, _tick_labels(ticks, percent, hi - lo)


def _tick_labels(ticks: list[float], percent: bool, span: float) -> list[str]:
    if percent:
        fmt = PercentFormatter(xmax=100, decimals=None)
        return [fmt.format_pct(t, span) for t in ticks]
    decimals = next((d for d in range(7) if all(abs(round(t, d) - t) < 1e-9 * max(1.0, abs(t)) for t in ticks)), 6)
    return [f"{t:,.{decimals}f}".replace("-", "\u2212") for t in ticks]


def _point_style(kind: str, area: float) -> dict:
    return {"shape": MARKERS[kind], "area": area, "fill": PALETTE[kind], "stroke": "#ffffff", "width": 0.5}


#: Each kind of point as drawn: the shapes and colours of ``style``; special causes larger.
_MARKER_STYLE = {
    **{kind: _point_style(kind, 22 if kind == "common_cause" else 34) for kind in MARKERS},
    "small": {
        "shape": "o",
        "area": 22,
        "fill": "#ffffff",
        "stroke": PALETTE["limit"],
        "width": 1.0,
        "dash": SMALL_DASH,
    },
    "no_limits": {"shape": "o", "area": 22, "fill": "#ffffff", "stroke": PALETTE["common_cause"], "width": 1.2},
    "excluded": {"shape": "o", "area": 28, "fill": "#ffffff", "stroke": PALETTE["centre"], "width": 1.6},
}
_LEGEND_LINES = {
    "rebase_done": {"stroke": PALETTE["limit"], "width": 0.9},
    "rebase_pending": {"stroke": PALETTE["limit"], "width": 0.9, "dash": PENDING_DASH},
    "target": {"stroke": PALETTE["target"], "width": 1.6, "dash": TARGET_DASH, "cap": "round"},
    "centre": {"stroke": PALETTE["centre"], "width": 1.2},
    "limits": {"stroke": PALETTE["limit"], "width": 1.0, "dash": LIMIT_DASH},
}
