"""An SVG drawing as a list of elements: lines, markers, text and rectangles, in points (1/72
inch), with coordinates to a hundredth of a point so the same chart is the same bytes."""

from __future__ import annotations

import math
from html import escape

import numpy as np

from pxassure.publish.style import chart_id

FONT = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, Helvetica, sans-serif"


def num(v: float) -> str:
    """A coordinate to two decimals (a hundredth of a point), without trailing zeros."""
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class SVG:
    """Elements of one SVG drawing, in painting order (later on top)."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.parts: list[str] = []

    def rect(self, x, y, w, h, *, fill: str, cls: str | None = None) -> None:
        named = f' class="{cls}"' if cls else ""
        self.parts.append(f'<rect{named} x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" fill="{fill}"/>')

    def cell(self, x, y, w, h, *, fill: str) -> None:
        """A heatmap cell: filled, edged in white like a table's rules."""
        self.parts.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" fill="{fill}"'
            ' stroke="#ffffff" stroke-width="0.3"/>'
        )

    def begin(self, attrs: str) -> None:
        """Open a group (one small chart, say); :meth:`end` closes it."""
        self.parts.append(f"<g {attrs}>")

    def end(self) -> None:
        self.parts.append("</g>")

    def line(self, points, *, stroke: str, width: float, dash=None, cap: str = "butt") -> None:
        d = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        self.parts.append(f'<polyline points="{d}"{stroke_attrs(stroke, width, dash, cap)} fill="none"/>')

    def polyline(self, xs, ys, *, stroke: str, width: float, dash=None, steps: bool = False) -> None:
        """A line through (xs, ys), broken where y is missing; ``steps`` joins points with a
        horizontal step half-way between them (matplotlib's ``steps-mid``)."""
        runs: list[list[tuple[float, float]]] = [[]]
        for x, y in zip(xs, ys):
            if np.isfinite(y):
                runs[-1].append((float(x), float(y)))
            elif runs[-1]:
                runs.append([])
        for run in runs:
            if len(run) < 2:
                continue  # a single point between gaps draws no line (its marker shows it)
            if steps:
                stepped = [run[0]]
                for (xa, ya), (xb, yb) in zip(run[:-1], run[1:]):
                    mid = (xa + xb) / 2
                    stepped += [(mid, ya), (mid, yb)]
                run = stepped + [run[-1]]
            self.line(run, stroke=stroke, width=width, dash=dash, cap="square" if dash is None else "butt")

    def circle(self, cx, cy, r, *, fill: str, stroke: str, width: float = 1.0) -> None:
        self.parts.append(
            f'<circle cx="{num(cx)}" cy="{num(cy)}" r="{num(r)}" fill="{fill}"{stroke_attrs(stroke, width, None, "butt")}/>'
        )

    def marker(self, x, y, *, shape: str, area: float, fill: str, stroke: str, width: float, dash=None) -> None:
        """A scatter marker of ``area`` pt² (matplotlib's ``s``): circle, diamond or square."""
        size = math.sqrt(area)
        style = f' fill="{fill}"{stroke_attrs(stroke, width, dash, "butt")}'
        if shape == "o":
            self.parts.append(f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size / 2)}"{style}/>')
        elif shape == "D":
            h = size * math.sqrt(0.5)
            pts = f"{num(x)},{num(y - h)} {num(x + h)},{num(y)} {num(x)},{num(y + h)} {num(x - h)},{num(y)}"
            self.parts.append(f'<polygon points="{pts}"{style}/>')
        else:
            h = size / 2
            self.parts.append(
                f'<rect x="{num(x - h)}" y="{num(y - h)}" width="{num(size)}" height="{num(size)}"{style}/>'
            )

    def text(
        self,
        x,
        y,
        text: str,
        *,
        size: float,
        anchor: str = "start",
        bold: bool = False,
        rotate: float = 0,
        fill: str | None = None,
    ) -> None:
        attrs = f'x="{num(x)}" y="{num(y)}" font-size="{num(size)}"'
        if anchor != "start":
            attrs += f' text-anchor="{anchor}"'
        if bold:
            attrs += ' font-weight="bold"'
        if fill:
            attrs += f' fill="{fill}"'
        if rotate:
            attrs += f' transform="rotate({num(rotate)} {num(x)} {num(y)})"'
        self.parts.append(f"<text {attrs}>{escape(text, quote=False)}</text>")

    def document(self, title: str, description: str) -> str:
        """The drawing as inline SVG, scaled by CSS, with its accessible name and description."""
        uid = chart_id(title)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(self.width)} {num(self.height)}"'
            f' role="img" aria-labelledby="{uid}-t {uid}-d" focusable="false">'
            f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(description)}</desc>'
            f'<g font-family="{FONT}" stroke-linejoin="round">' + "".join(self.parts) + "</g></svg>"
        )


def stroke_attrs(colour: str, width: float, dash, cap: str) -> str:
    attrs = f' stroke="{colour}" stroke-width="{num(width)}"'
    if dash:
        attrs += f' stroke-dasharray="{",".join(num(d * width) for d in dash)}"'
    if cap != "butt":
        attrs += f' stroke-linecap="{cap}"'
    return attrs
