"""Charts for committee papers drawn with matplotlib: funnel, scatter and the framework
sections (seaborn). The SPC charts every paper draws many of, alone and as small multiples, and
the framework heatmap are written as SVG directly (``svgcharts``), in the same palette and markers.

Charts are exported as inline SVG (see :func:`to_svg`) so a report stays one offline file,
prints sharply and carries its alt text inside the image.

Colours and marker shapes come from :mod:`.style`, as the SVG charts' do.
"""

from __future__ import annotations

import io
import re
import textwrap
from html import escape

import matplotlib

matplotlib.use("Agg")  # reports are rendered headless
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pxassure.publish.style import MARKERS, PALETTE, chart_id  # noqa: E402

# Deterministic SVG: same data, same bytes.
plt.rcParams.update(
    {
        "svg.hashsalt": "pxassure",
        "svg.fonttype": "none",  # keep text as text: smaller, selectable, read by screen readers
        "font.family": "sans-serif",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Titles sit just above the axes (nothing is drawn above them): a fixed position spares
        # matplotlib measuring every tick label again to place each title.
        "axes.titley": 1.0,
    }
)

_FIXED_LAYOUT = "_pxassure_fixed_layout"


def _lay_out(fig) -> None:
    """Fit ``fig``'s axes, labels and a legend beside the axes inside its own bounds
    (``tight_layout`` counts the legend) and mark it so: :func:`to_svg` then saves it as it is,
    without measuring a tight bounding box, which means drawing the whole figure a second time."""
    fig.tight_layout()
    setattr(fig, _FIXED_LAYOUT, True)


def plot_framework_sections(scores: pd.DataFrame, ax=None, *, title: str | None = None):
    """Line chart of the mean score (0–5) of each framework section over assessment periods.

    ``scores`` has columns ``period``, ``section`` and ``mean_score``.
    """
    import seaborn as sns

    if ax is None:
        _, ax = plt.subplots(figsize=(7.2, 3.0), dpi=100)
    okabe_ito = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
    sns.lineplot(
        data=scores,
        x="period",
        y="mean_score",
        hue="section",
        style="section",
        markers=True,
        dashes=False,
        palette=okabe_ito[: scores["section"].nunique()],
        ax=ax,
    )
    ax.set_ylim(0, 5.2)
    ax.set_ylabel("Mean score (0–5)")
    ax.set_xlabel("")
    periods = list(dict.fromkeys(scores["period"]))
    step = max(1, int(np.ceil(len(periods) / 12)))
    ax.set_xticks(range(0, len(periods), step))
    ax.set_xticklabels(periods[::step], rotation=45, ha="right")
    if title:
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8, title=None)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    _lay_out(ax.figure)
    return ax


_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def to_svg(fig, *, title: str, description: str, close: bool = True) -> str:
    """Serialise a matplotlib figure to an inline ``<svg role="img">`` with ``<title>`` and ``<desc>``.

    The title and description are escaped; they are what a screen reader announces.
    """
    buf = io.StringIO()
    # A chart laid out at a fixed size is drawn once; others are measured for a tight bounding box.
    tight = None if getattr(fig, _FIXED_LAYOUT, False) else "tight"
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches=tight)
    if close:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and DOCTYPE: this is inline SVG
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    uid = chart_id(title)
    head = _SVG_OPEN.search(svg).group(0)
    new_head = head[:-1].rstrip("/") + f' role="img" aria-labelledby="{uid}-t {uid}-d" focusable="false">'
    inner = f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(description)}</desc>'
    svg = svg.replace(head, new_head + inner, 1)
    # width/height in pt make the chart fixed-size; let CSS scale it instead.
    svg = re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", svg, count=1)
    return svg


def plot_funnel(
    f: pd.DataFrame,
    *,
    kind: str,
    multiply: float,
    title: str,
    xlabel: str,
    ylabel: str,
    label: str = "name",
    percent: bool = False,
    higher_is_better: bool = True,
):
    """A funnel plot: each unit's value against its size, with 95 % and 99.8 % limits.

    Units outside 99.8 % are drawn as concern or improvement markers and labelled.
    """
    fig, ax = plt.subplots(figsize=(7.2, 3.4), dpi=100)
    n = np.linspace(max(f["denominator"].min() * 0.8, 1), f["denominator"].max() * 1.1, 200)
    centre = f["centre"].iloc[0] if len(f) else np.nan
    scale, c, proportion = multiply, centre / multiply, kind == "proportion"
    for z, style in ((1.959964, (0, (4, 3))), (3.090232, "-")):
        sd = np.sqrt(c * (1 - c) / n) if proportion else np.sqrt(c / n)
        ax.plot(n, np.maximum(c - z * sd, 0) * scale, color=PALETTE["limit"], linestyle=style, linewidth=0.9)
        ax.plot(
            n,
            (np.minimum(c + z * sd, 1) if proportion else c + z * sd) * scale,
            color=PALETTE["limit"],
            linestyle=style,
            linewidth=0.9,
            label="99.8% limits" if z > 3 else "95% limits",
        )
    ax.axhline(centre, color=PALETTE["centre"], linewidth=1, label="Overall")
    good = "above_998" if higher_is_better else "below_998"
    bad = "below_998" if higher_is_better else "above_998"
    for pos, kind, text in (
        (None, "common_cause", "Within 99.8% limits"),
        (good, "special_cause_improvement", "Better than expected"),
        (bad, "special_cause_concern", "Worse than expected"),
    ):
        mask = ~f["position"].isin([good, bad]) if pos is None else f["position"] == pos
        if mask.any():
            ax.scatter(
                f.loc[mask, "denominator"],
                f.loc[mask, "value"],
                s=18 if pos is None else 30,
                marker=MARKERS[kind],
                color=PALETTE[kind],
                zorder=3,
                label=text,
                edgecolors="white",
                linewidths=0.5,
            )
    for r in f[f["position"].isin([good, bad])].itertuples(index=False):
        ax.annotate(
            str(getattr(r, label)), (r.denominator, r.value), fontsize=7, xytext=(4, 2), textcoords="offset points"
        )
    if percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(xmax=100, decimals=None))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(textwrap.fill(ylabel, 26))
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    _lay_out(fig)
    return fig


def plot_scatter(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    label: str = "name",
    highlight: list[str] | None = None,
):
    """A labelled scatter plot of units (triangulation), with the highlighted units named."""
    fig, ax = plt.subplots(figsize=(7.2, 3.2), dpi=100)
    hl = frame[label].isin(highlight or [])
    ax.scatter(frame.loc[~hl, x], frame.loc[~hl, y], s=20, color=PALETTE["common_cause"], label="Ward")
    if hl.any():
        ax.scatter(
            frame.loc[hl, x],
            frame.loc[hl, y],
            s=34,
            marker="D",
            color=PALETTE["special_cause_concern"],
            label="Special-cause concern, latest month",
        )
        for r in frame[hl].itertuples(index=False):
            ax.annotate(
                str(getattr(r, label)),
                (getattr(r, x), getattr(r, y)),
                fontsize=7,
                xytext=(4, 2),
                textcoords="offset points",
            )
    ax.set_xlabel(textwrap.fill(xlabel, 50))
    ax.set_ylabel(textwrap.fill(ylabel, 26))
    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
    ax.grid(color="#E5E5E5", linewidth=0.6)
    _lay_out(fig)
    return fig


def plot_satisfaction(quarters: pd.DataFrame, labels: list[str], *, commitment: float):
    """Participants' satisfaction (% of those asked) by quarter, against the commitment: a bar
    per quarter, hatched and vermillion where it falls below; "too few asked" where no figure."""
    fig, ax = plt.subplots(figsize=(7.2, 2.8), dpi=100)
    x = np.arange(len(quarters))
    for i, (p, meets) in enumerate(zip(quarters["percent"], quarters["meets"])):
        if pd.isna(p):
            ax.text(i, 4, "too few\nasked", ha="center", va="bottom", fontsize=8, color=PALETTE["limit"])
            continue
        below = meets is False
        colour = PALETTE["special_cause_concern"] if below else PALETTE["special_cause_improvement"]
        ax.bar(i, p, width=0.6, color=colour, hatch="//" if below else None, edgecolor="white")
        ax.text(i, p + 1.5, f"{p:.0f}%", ha="center", va="bottom", fontsize=8)
    ax.axhline(commitment, color=PALETTE["target"], linestyle="--", linewidth=1.2)
    ax.set_xlim(-0.5, len(quarters) - 0.5)
    # Beside the axes, so it never sits on a bar or its label.
    ax.text(len(quarters) - 0.45, commitment, f"commitment\n{commitment:.0f}%", va="center", fontsize=8, clip_on=False)
    ax.set_xticks(x)
    ax.set_xticklabels([textwrap.fill(label, 14) for label in labels], fontsize=8)
    ax.set_ylim(0, 112)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("% of participants asked\nwho were satisfied")
    ax.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    _lay_out(fig)
    return fig
