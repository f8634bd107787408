"""The words pxassure uses for SPC results: one vocabulary for charts, tables and prose.

The SPC engine (:mod:`pxassure.analysis.spc`) returns codes — ``concern_low``,
``consistent_fail``, ``two_of_three``, ``pp`` — and nothing else. Everything a person reads
about them comes from here — chart legends, the paragraph that is each chart's alt text, and
the method note that says which chart and rule options a paper used — or, for the Making Data
Count icons, from their one record each in :mod:`~pxassure.publish.style`.
:mod:`~pxassure.publish.render` and :mod:`~pxassure.publish.charts` both use it, so a word
changed here changes everywhere at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pxassure.analysis import spc
from pxassure.analysis.options import SPCOptions
from pxassure.analysis.spc import SPCResult
from pxassure.analysis.targets import Target
from pxassure.publish.style import ICONS
from pxassure.words import counted, quarter_name

CHART_LABELS = {
    "xmr": "XmR chart",
    "p": "p chart",
    "pp": "Laney p′ chart",
    "u": "u chart",
    "up": "Laney u′ chart",
    "c": "c chart",
    "g": "g chart (days between events)",
    "t": "t chart (time between events)",
    "run": "run chart (too few points for limits)",
}

SPECIAL_TYPES = (
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)
#: Legend entries of each point type on a chart ("no_limits": a point of a run chart).
POINT_LABEL = {
    "no_limits": "Month (run chart: too few points for limits)",
    "no_limits_event": "Event (run chart: too few points for limits)",
    "small": "Too few responses: not used for limits or rules",
    "excluded": "Left out of the limits (recorded, with its reason)",
    "common_cause": "Common cause",
    "special_cause_improvement": "Special cause: improvement",
    "special_cause_concern": "Special cause: concern",
    "special_cause_neutral_high": "Special cause: neutral",
    "special_cause_neutral_low": "Special cause: neutral",
}
#: Legend entries for recorded rebases.
REBASE_LABEL = {
    "done": "Limits rebased (recorded)",
    "pending": "Rebase recorded (new limits pending)",
}


def chart_label(result: SPCResult) -> str:
    """What kind of chart was drawn: "Laney p′ chart", or a run chart when there were too few points."""
    return CHART_LABELS[result.chart] if result.has_limits else CHART_LABELS["run"]


def options_line(options: SPCOptions) -> str:
    """Every rule option in one line, for the method note."""
    o = options
    parts = [
        f"preset {o.preset}",
        f"moving-range screening {'on' if o.screen_outliers else 'off'}",
        f"shift {o.shift_length} points",
        f"trend {o.trend_length} points",
        "2-in-3 counts "
        + ("every point beyond 2σ" if o.two_of_three == "beyond_2_sigma" else "points between 2σ and 3σ"),
        f"trend points coloured by {'direction' if o.trend_colour == 'direction' else 'side of the mean'}",
        f"limits from {o.minimum_points} points",
        "XmR limits "
        + ("2.66 × the mean moving range" if o.xmr_constant == "mdc" else "3 / 1.128 × the mean moving range"),
        f"months with a denominator under {o.minimum_denominator} left out of limits and rules (ratio charts)",
    ]
    return "; ".join(parts)


def method_line(result: SPCResult) -> str:
    """One line naming the chart and every rule option, for a paper's method note."""
    return f"{chart_label(result)}; {options_line(result.options)}"


def method_lines(results: Iterable[SPCResult]) -> list[str]:
    """The distinct method lines of a paper's charts, sorted."""
    return sorted({method_line(r) for r in results})


def decisions_line(charts: list) -> str:
    """Where a paper's targets and rebases come from (charts: ``reports.charting.Chart`` objects)."""
    if not charts:
        return ""
    with_target = sum(c.target is not None for c in charts)
    rebased = sum(len(c.rebases) for c in charts)
    pending = sum(c.result.pending_rebase is not None for c in charts)
    minimum = charts[0].result.options.minimum_points
    text = (
        f"Targets: from the trust's targets table (docs/data-model.md); {with_target} of the {len(charts)} "
        "charts have one, the rest have no agreed target and so no assurance icon. "
        f"Rebases: {rebased} recorded in the spc_rebases table"
    )
    if pending:
        text += (
            f"; {pending} too recent for limits of their own ({minimum} points), whose new points are judged "
            "against the limits before"
        )
    return text + "."


def describe_sections(sections: pd.DataFrame) -> str:
    """Alt text for the framework section chart: first and latest mean score of each section."""
    if sections.empty:
        return "No framework self-assessment scores recorded."
    periods = sorted(sections["period"].unique())
    parts = []
    for name, g in sections.groupby("section", sort=False):
        g = g.sort_values("period")
        parts.append(f"{name} {g['mean_score'].iloc[0]:.1f} to {g['mean_score'].iloc[-1]:.1f}")
    return (
        f"Line chart of the mean self-assessment score (0 to 5) of each framework section over "
        f"{len(periods)} assessments from {periods[0]} to {periods[-1]}: " + "; ".join(parts) + "."
    )


RULE_TEXT = {
    "outside_limits": "a point outside the process limits",
    "trend": "a run of points all increasing or all decreasing",
    "two_of_three": "two of three points close to a process limit",
    "shift": "a run of points on one side of the centre line",
}


#: Plain words for the terms a paper uses, for its key (``Report.KEY_TERMS`` chooses which);
#: ``{shift}`` and ``{trend}`` are the rule lengths the paper's charts used.
KEY_TERMS = {
    "spc": (
        "SPC chart",
        "a statistical process control chart: each month's figure with its average (the centre line) and "
        "process limits, the range the process normally produces.",
    ),
    "common_cause": (
        "Common cause",
        "ordinary month-to-month ups and downs, within what the process normally produces; a single month "
        "needs no action.",
    ),
    "special_cause": (
        "Special cause",
        "a change the process does not normally produce, found by one of the four rules below: an "
        "improvement or a concern.",
    ),
    "outside_limits": ("Outside limits", "a month above the upper or below the lower process limit."),
    "shift": ("Shift", "{shift} or more months in a row on the same side of the average."),
    "trend": ("Trend", "{trend} or more months in a row each higher, or each lower, than the month before."),
    "two_of_three": (
        "2 of 3",
        "two of three months in a row close to a process limit, on the same side of the average.",
    ),
    "assurance": (
        "Assurance",
        "whether the process, as it runs now, will reliably meet its target: always (assured), never (not "
        "assured), or sometimes (hit and miss). No target, no assurance icon.",
    ),
    "suppressed": (
        "*",
        "a figure hidden to protect patients' privacy: one resting on 1 to 4 FFT responses (as NHS England "
        "publishes FFT data), or a count of 1 to 4 in a table that says so.",
    ),
    "funnel": (
        "Funnel plot",
        "each ward's figure against its size; the funnel is how far a ward of that size can sit from the "
        "trust's figure by chance.",
    ),
    "odds_ratio": (
        "Odds ratio per year",
        "how a ward's odds of a positive answer change over a year: 1 is no change, below 1 falling, above 1 rising.",
    ),
    "dispersion": (
        "Dispersion",
        "how much more a ward's monthly figures vary than chance alone would make them (1: no more); the "
        "trend test allows for it.",
    ),
    "adjusted_p": (
        "Adjusted p (Benjamini–Hochberg)",
        "a p-value corrected for testing many wards at once, so that few of the trends called significant "
        "are chance findings; below 0.05 counts.",
    ),
    "spearman": (
        "Correlation (Spearman ρ)",
        "from −1 to 1: how far wards that rank high on one measure also rank high (or low) on the other. "
        "It shows association, not cause.",
    ),
}


def key_terms(terms: Iterable[str], options: SPCOptions) -> list[tuple[str, str]]:
    """The key of a paper: each of ``terms`` (keys of :data:`KEY_TERMS`) in plain words."""
    return [
        (KEY_TERMS[t][0], KEY_TERMS[t][1].format(shift=options.shift_length, trend=options.trend_length)) for t in terms
    ]


def number(x: float, unit: str = "") -> str:
    """A figure for people: a percentage to 1 decimal; a whole number (a count) as a whole number;
    any other figure to 1 decimal from 10, 2 below, 3 significant figures below 1."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if unit == "%":
        return f"{x:,.1f}%"
    if float(x).is_integer():
        return f"{x:,.0f}{unit}"
    text = f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}" if abs(x) >= 1 else f"{x:.3g}"
    return f"{text}{unit}"


def number_beside(x: float, other: float | None, unit: str = "") -> str:
    """``x`` as :func:`number` writes it, with more decimals where that would print it the same as
    ``other`` when they differ: 22.67 % beside a 22.7 % target reads "22.67%", never "22.7%"."""
    text = number(x, unit)
    if other is None or not np.isfinite(other) or x == other or text != number(other, unit):
        return text
    for places in range(2, 6):
        mine, theirs = f"{x:,.{places}f}", f"{other:,.{places}f}"
        if mine != theirs:
            return f"{mine}{unit}"
    return text


POINT_TYPE_TEXT = {
    "special_cause_improvement": "special cause improvement",
    "special_cause_concern": "special cause concern",
    "special_cause_neutral_high": "special cause (higher values)",
    "special_cause_neutral_low": "special cause (lower values)",
}


#: The words for a c chart too sparse for the run rules (``spc.rules.sparse_periods``).
SPARSE_TEXT = (
    "fewer than one a month on average, so a run of months with none is ordinary: the run rules are not "
    "applied, and only a month above the upper limit is flagged"
)


def _labels(flag: spc.Flag) -> str:
    listed = ", ".join(str(label) for label in flag.labels)
    return listed + (" …" if flag.count > len(flag.labels) else "")


def flag_text(flag: spc.Flag) -> str:
    """One of a chart's flags (:data:`pxassure.analysis.spc.FLAG_CODES`) in words."""
    if flag.code == "pending_rebase":
        return (
            f"a rebase is recorded from {flag.labels[0]!r}, but that period has {flag.count} of the {flag.needed} "
            "points needed for its own limits: until it has them, its points are judged against the limits of "
            "the period before"
        )
    if flag.code == "missing":
        return f"{flag.count} missing value(s) left out of the limits and rules: {_labels(flag)}"
    if flag.code == "small_denominator":
        return (
            f"{flag.count} point(s) with a denominator under {flag.needed} drawn hollow and left "
            f"out of the limits and rules: {_labels(flag)}"
        )
    if flag.code == "too_few_points":
        where = f"the period starting at {flag.labels[0]!r}" if flag.labels else "the series"
        return (
            f"{where} has {flag.count} observed point(s), fewer than the {flag.needed} needed "
            "for process limits: shown as a run chart, with no variation or assurance icon"
        )
    if flag.code == "sparse":
        return f"counts too sparse for the run rules: {SPARSE_TEXT}"
    return "run chart: judged by Anhøj's rules, no process limits"


def describe_sustained(runs: list[spc.SustainedRun]) -> str:
    """The sentence that says a chart's limits span a sustained change with no rebase recorded."""
    if not runs:
        return ""
    parts = [f"{POINT_TYPE_TEXT[r.point_type]} from {r.first} to {r.last} ({r.points} points)" for r in runs]
    return (
        "Its limits span a sustained change with no rebase recorded: " + "; ".join(parts) + ". If the change is "
        "understood and expected to last, record a rebase (the spc_rebases table) so that the limits describe "
        "the current process."
    )


def describe_rebases(result: SPCResult, rebases: Mapping[str, str] | None = None) -> str:
    """Where the limits were recalculated, and why (``rebases``: {label: reason} as recorded)."""
    p, reasons = result.points, {str(k): v for k, v in (rebases or {}).items()}
    text = []
    for start in result.period_starts[1:]:
        label = str(p.index[start])
        why = f" ({reasons[label]})" if label in reasons else ""
        text.append(f"Limits were recalculated from {label}{why}.")
    if result.pending_rebase is not None:
        label = str(p.index[result.pending_rebase])
        why = f" ({reasons[label]})" if label in reasons else ""
        seen = p.iloc[result.pending_rebase :]
        have = int((seen["value"].notna() & ~seen["small"].astype(bool)).sum())
        text.append(
            f"A rebase is recorded from {label}{why}; that period has {have} of the "
            f"{result.options.minimum_points} points needed for limits of its own, so until then its points are "
            "judged against the limits of the period before."
        )
    return " ".join(text)


def describe_baselines(result: SPCResult, baselines: Mapping[str, tuple[int, str]] | None = None) -> str:
    """Which periods' limits are fixed on their first months (``baselines``: {label: (months, why)})."""
    first = str(result.points.index[0]) if len(result.points) else None
    text = []
    for label, (n, why) in (baselines or {}).items():
        period = "The limits" if str(label) == first else f"The limits from {label}"
        because = f" ({why})" if why else ""
        text.append(f"{period} are fixed on the first {n} months{because}; later months are judged against them.")
    return " ".join(text)


def describe_rare(note) -> str:
    """Why a rare measure's chart shows the days between its events, or its counts (``note``: a
    :class:`pxassure.reports.charting.RareNote`), with the last event and the days since."""
    if note is None:
        return ""
    events = note.events
    text = (
        f"{events[0].upper()}{events[1:]} are rare here ({number(round(note.per_month, 2))} a month on average, "
        "fewer than one), so a monthly chart would read every month with none as a change."
    )
    if not note.dated:
        return f"{text} The days between them cannot be charted: {note.undated}. The chart shows the monthly counts."
    text += f" The chart shows the days between {events} instead."
    if note.last is not None:
        text += (
            f" The latest was on {note.last.day} {note.last:%B %Y}, {counted(note.days_since, 'day')} before the "
            f"end of the period ({note.through.day} {note.through:%B %Y})."
        )
    return text


def describe_chart(
    result: SPCResult,
    measure: str = "the measure",
    unit: str = "",
    *,
    rebases: Mapping[str, str] | None = None,
    baselines: Mapping[str, tuple[int, str]] | None = None,
    exclusions: Mapping[str, str] | None = None,
    rare=None,
    target: Target | None = None,
    suppressed: Iterable[str] = (),
    judged_from: str | None = None,
) -> str:
    """One plain-English paragraph describing an SPC chart: its alt text and caption.

    ``rebases`` gives the recorded reason for each rebase ({"YYYY-MM": reason}), ``baselines``
    the periods whose limits are fixed on their first months ({"YYYY-MM": (months, reason)}) and
    ``exclusions`` the months left out of the limits ({"YYYY-MM": reason}); ``target``
    where the chart's target comes from (who set it, for what, from when); ``suppressed`` the
    months NHS England suppressed ("YYYY-MM"), named as such rather than as no data;
    ``judged_from`` the month ("YYYY-MM") of a before/after chart's change, whose limits come
    from the months before it (a change there is what the chart looks for, not a reason to rebase)."""
    p = result.points
    small = p["small"] if "small" in p else pd.Series(False, index=p.index)
    observed = p[p["value"].notna() & ~small]
    if observed.empty:
        return f"Chart of {measure}: no data."
    first, last = observed.index[0], observed.index[-1]
    lp = observed.iloc[-1]
    label = chart_label(result)
    label = label[0].upper() + label[1:]
    text = [f"{label} of {measure}, {len(observed)} points from {first} to {last}."]
    text += _limits_words(result, observed, unit, target) if result.has_limits else _run_chart_words(result, lp, unit)
    text += _missing_words(result, first, small, suppressed)
    if rare is not None:
        text.append(describe_rare(rare))
    for said in (describe_rebases(result, rebases), describe_baselines(result, baselines)):
        if said:
            text.append(said)
    if exclusions:
        listed = "; ".join(f"{month} ({why})" for month, why in exclusions.items())
        text.append(f"Left out of the limits, drawn hollow and still judged against them: {listed}.")
    if judged_from is not None:
        text.append(
            f"The limits come from the months before {judged_from}; the months from {judged_from} are judged against them."
        )
        return " ".join(text)
    sustained = describe_sustained(spc.sustained_runs(result))
    if sustained:
        text.append(sustained)
    return " ".join(text)


def _limits_words(result: SPCResult, observed: pd.DataFrame, unit: str, target: Target | None) -> list[str]:
    """A control chart's limits, latest point, special causes and assurance against its target."""
    lp = observed.iloc[-1]
    last = observed.index[-1]
    text = []
    text.append(
        f"Centre line{' (median)' if result.chart == 'g' else ''} {number(lp['centre'], unit)}, process limits {number(lp['lower'], unit)} to {number(lp['upper'], unit)}."
    )
    variation = result.variation
    why = f" ({RULE_TEXT[lp['rule']]})" if lp["rule"] else ""
    text.append(f"The latest value, {number(lp['value'], unit)} in {last}, shows {ICONS[variation].phrase}{why}.")
    if result.sparse:
        text.append(f"Too sparse for the run rules: {SPARSE_TEXT}.")
    special = observed[observed["point_type"].isin(SPECIAL_TYPES)]
    if len(special):
        imp = (special["point_type"] == "special_cause_improvement").sum()
        con = (special["point_type"] == "special_cause_concern").sum()
        neu = len(special) - imp - con
        bits = [f"{k} {w}" for k, w in ((imp, "improvement"), (con, "concern"), (neu, "neutral")) if k]
        text.append(f"Special cause points in the chart: {', '.join(bits)}.")
    if result.target is not None:
        assurance = result.assurance
        source = f" ({target.describe()})" if target is not None else ""
        text.append(
            f"Against the target of {number(result.target, unit)}{source}, {ICONS[assurance].phrase}."
            if assurance
            else f"Target {number(result.target, unit)}{source}; no assurance is given for a neutral measure."
        )
    return text


def _run_chart_words(result: SPCResult, lp: pd.Series, unit: str) -> list[str]:
    """A run chart's median and, where there are enough points, what Anhøj's rules find."""
    text = []
    text.append(f"Too few points for process limits: median {number(lp['centre'], unit)}.")
    if result.run is not None:
        r = result.run
        verdict = "signals non-random variation" if r.signal else "shows no non-random pattern"
        text.append(
            f"By Anhøj's rules the series {verdict} (longest run {r.longest_run}, limit {r.longest_run_limit}; "
            f"crossings {r.crossings}, limit {r.crossings_limit})."
        )
    return text


def _missing_words(result: SPCResult, first, small: pd.Series, suppressed: Iterable[str]) -> list[str]:
    """Months left out of the limits: too few in the denominator, suppressed, or no data."""
    p = result.points
    text = []
    few = [str(m) for m in p.index[small]]
    if few:
        text.append(
            f"Fewer than {result.options.minimum_denominator} in the denominator in {_months_listed(few)}: drawn hollow and "
            "left out of the limits and rules; their figures rest on too few to be quoted."
        )
    gaps = [str(g) for g in p.index[p["value"].isna()]]
    hidden = [g for g in gaps if g in set(suppressed)]
    if hidden:
        text.append(
            f"NHS England suppressed the figures for {_months_listed(hidden)} (fewer than 5 responses, or to "
            "protect another ward's small figure): shown as a gap, left out of the limits and rules."
        )
    gaps = [g for g in gaps if g > str(first) and g not in hidden]
    if gaps:
        text.append(f"No data for {_months_listed(gaps)}: shown as a gap, left out of the limits and rules.")
    return text


def _months_listed(months: list[str], most: int = 6) -> str:
    return ", ".join(months[:most]) + (f" and {len(months) - most} more" if len(months) > most else "")


def describe_funnel(funnel, period: str, compared: str = "inpatient wards") -> str:
    """Alt text for a funnel plot: what is plotted and which units fall outside the 99.8% limits."""
    m, f = funnel.measure, funnel.data
    worse = funnel.outliers(worse=True)["name"].tolist()
    better = funnel.outliers(worse=False)["name"].tolist()
    overall = number(f["centre"].iloc[0], m.unit) if len(f) else "n/a"
    return (
        f"Funnel plot of {m.name} against {m.denominator or 'size'} for {len(f)} {compared} over the three "
        f"months to {period}. Overall {overall}. Worse than the 99.8% limit: {', '.join(worse) or 'none'}. "
        f"Better than the 99.8% limit: {', '.join(better) or 'none'}."
    )


def describe_grid(grid, period: str) -> str:
    """Alt text for the small-multiples page: what is shown, and each chart's latest variation."""
    if not grid:
        return "No measure could be charted by division."
    units = sorted({c.unit_name for _, charts in grid for c in charts})
    parts = []
    for measure, charts in grid:
        each = ", ".join(
            f"{c.unit_name} "
            + (
                "latest month withheld"
                if c.latest_withheld
                else (ICONS[c.result.variation].label if c.result.variation in ICONS else "no icon").lower()
            )
            for c in charts
        )
        parts.append(f"{measure.name}: {each}")
    return (
        f"Small multiples for {period}: one SPC chart for each of {counted(len(grid), 'key measure')} (rows) in each of "
        f"{len(units)} divisions (columns), on one scale per row. Latest variation — " + "; ".join(parts) + "."
    )


def describe_satisfaction(record) -> str:
    """Alt text for the involvement satisfaction chart: each quarter's figure against the commitment."""
    said = [
        f"{quarter_name(q.quarter)}{' to date' if q.to_date else ''}: "
        + ("too few asked" if q.meets is None else f"{q.percent:.0f}%{'' if q.meets else ', below the commitment'}")
        for q in record.quarters.itertuples(index=False)
    ]
    return (
        f"Bar chart of the percentage of involvement participants asked who were satisfied with taking part, "
        f"by quarter, against the commitment of {record.commitment:.0f}%. " + "; ".join(said) + "."
    )
