"""Statistical process control to NHS England's Making Data Count (MDC) standard.

Public API (reports, tests and analysts use exactly this):

- :func:`xmr` – XmR ("plot the dots") chart of one series.
- :func:`attribute` – p, Laney p′ ("pp"), u, Laney u′ ("up"), c, and the rare-event g and t charts.
- :func:`run_chart` – median run chart with Anhøj's rules, for short series.
- :func:`batch` – many series (e.g. every ward × measure) at once.
- :func:`sustained_runs` – special cause that suggests a change the limits span.

The package, in the order data flows: ``inputs`` (checks on what callers pass), ``rules`` (one
small function per rule, as NHSRplotthedots 0.2.2), ``limits`` (the vectorised core: centre,
limits and every point judged, on flat arrays where a *segment* is one series' period between
rebases), ``single`` and ``batch`` (one series, many), ``runs`` and ``results`` (what a chart
returns: points, icons and flags as codes, which :mod:`pxassure.publish.vocabulary` puts into
words). One core serves one chart and a batch, so they cannot disagree. The presets and every
option are described in ``docs/methods.md``.
"""

from pxassure.analysis.spc.batch import batch
from pxassure.analysis.spc.results import (
    ASSURANCE_ICONS,
    FLAG_CODES,
    POINT_TYPES,
    VARIATION_ICONS,
    BatchResult,
    Flag,
    RunChartResult,
    SPCResult,
)
from pxassure.analysis.spc.rules import (
    anhoj_crossings_limit,
    anhoj_longest_run_limit,
    rule_outside_limits,
    rule_shift,
    rule_trend,
    rule_two_of_three,
)
from pxassure.analysis.spc.runs import SustainedRun, sustained_runs
from pxassure.analysis.spc.single import attribute, run_chart, xmr

__all__ = [
    "ASSURANCE_ICONS",
    "FLAG_CODES",
    "POINT_TYPES",
    "VARIATION_ICONS",
    "BatchResult",
    "Flag",
    "RunChartResult",
    "SPCResult",
    "SustainedRun",
    "anhoj_crossings_limit",
    "anhoj_longest_run_limit",
    "attribute",
    "batch",
    "rule_outside_limits",
    "rule_shift",
    "rule_trend",
    "rule_two_of_three",
    "run_chart",
    "sustained_runs",
    "xmr",
]
