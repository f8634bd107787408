"""How the papers look, in one place: the colours and marker shapes of chart points, and the
Making Data Count icons — one record per icon code, which the SVG charts draw, the tables show
and the words describe. Nothing here imports matplotlib.

Colours are the Okabe–Ito colour-blind-safe palette; special-cause points also differ in marker
shape, so colour is never the only cue.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PALETTE = {
    "common_cause": "#6E6E6E",  # grey
    "special_cause_improvement": "#0072B2",  # blue
    "special_cause_concern": "#D55E00",  # vermillion
    "special_cause_neutral_high": "#6A3D9A",  # purple
    "special_cause_neutral_low": "#6A3D9A",
    "line": "#9A9A9A",
    "centre": "#222222",
    "limit": "#555555",
    "target": "#CC79A7",  # reddish purple
}
MARKERS = {
    "common_cause": "o",
    "special_cause_improvement": "o",
    "special_cause_concern": "D",
    "special_cause_neutral_high": "s",
    "special_cause_neutral_low": "s",
}
_GREY, _BLUE, _ORANGE, _PURPLE = (
    PALETTE["common_cause"],
    PALETTE["special_cause_improvement"],
    PALETTE["special_cause_concern"],
    PALETTE["special_cause_neutral_high"],
)


@dataclass(frozen=True)
class Icon:
    """One Making Data Count icon, as the SPC engine names it (``concern_low``, ``consistent_fail`` …)."""

    code: str
    kind: str  # "variation" or "assurance"
    label: str  # beside the icon in tables: its accessible name
    meaning: str  # in a paper's key to its icons
    phrase: str  # in a chart's description (its alt text)
    colour: str
    letter: str  # in the icon; common cause has none (a wave is drawn; "~" in a chart's corner)
    arrow: int = 0  # beside a variation icon's letter: 1 up, -1 down


ICONS = {
    icon.code: icon
    for icon in (
        Icon(
            "common_cause",
            "variation",
            "Common cause variation",
            "No significant change: the latest point is within the variation the process normally shows.",
            "common cause variation only (no significant change)",
            _GREY,
            "",
        ),
        Icon(
            "improvement_high",
            "variation",
            "Improvement (high)",
            "Special cause improvement: a significant rise, where higher is better.",
            "special cause improvement (higher values)",
            _BLUE,
            "H",
            1,
        ),
        Icon(
            "improvement_low",
            "variation",
            "Improvement (low)",
            "Special cause improvement: a significant fall, where lower is better.",
            "special cause improvement (lower values)",
            _BLUE,
            "L",
            -1,
        ),
        Icon(
            "concern_high",
            "variation",
            "Concern (high)",
            "Special cause concern: a significant rise, where lower is better.",
            "special cause concern (higher values)",
            _ORANGE,
            "H",
            1,
        ),
        Icon(
            "concern_low",
            "variation",
            "Concern (low)",
            "Special cause concern: a significant fall, where higher is better.",
            "special cause concern (lower values)",
            _ORANGE,
            "L",
            -1,
        ),
        Icon(
            "neutral_high",
            "variation",
            "Special cause (high)",
            "Special cause variation, upwards, on a measure with no better direction.",
            "special cause variation, higher values (neither improvement nor concern)",
            _PURPLE,
            "H",
            1,
        ),
        Icon(
            "neutral_low",
            "variation",
            "Special cause (low)",
            "Special cause variation, downwards, on a measure with no better direction.",
            "special cause variation, lower values (neither improvement nor concern)",
            _PURPLE,
            "L",
            -1,
        ),
        Icon(
            "consistent_pass",
            "assurance",
            "Consistently passes target",
            "The process will meet the target every month unless something changes (target outside the limits, "
            "on the good side).",
            "the process will consistently meet the target",
            _BLUE,
            "P",
        ),
        Icon(
            "consistent_fail",
            "assurance",
            "Consistently fails target",
            "The process will not meet the target without change (target outside the limits, on the bad side).",
            "the process will consistently fail the target unless something changes",
            _ORANGE,
            "F",
        ),
        Icon(
            "inconsistent",
            "assurance",
            "Hit and miss against target",
            "The target lies within the process limits: it will be met in some months and missed in others.",
            "the process will sometimes meet and sometimes miss the target",
            _GREY,
            "?",
        ),
    )
}


def chart_id(title: str) -> str:
    """The id a chart's ``<title>`` and ``<desc>`` are named by (``<id>-t``, ``<id>-d``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if len(slug) <= 48:
        return "chart-" + slug
    # Two long titles may share their first 48 characters: a digest of the whole keeps them apart.
    return f"chart-{slug[:48]}-{hashlib.sha1(title.encode()).hexdigest()[:6]}"
