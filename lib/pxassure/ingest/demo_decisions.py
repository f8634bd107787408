"""The demo trust's recorded decisions about its charts: targets, data-quality ratings, rebases
and a fixed baseline, a month left out of a ward's limits, and responses to exceptions."""

from __future__ import annotations

import pandas as pd

#: A ward whose FFT chart's limits are fixed on its first 20 months (spc_rebases.baseline_points).
BASELINE_WARD = "016"
#: A ward and how many months before the end (1: the last) its FFT month is left out of the limits.
EXCLUDED_MONTH = ("017", 15)


def decisions(months: pd.DatetimeIndex, wards: set[str], planted: dict) -> dict[str, pd.DataFrame]:
    """The analyst's recorded decisions about charts: targets, data-quality notes, rebases, months left
    out of limits, and responses to exceptions (``planted``: :data:`pxassure.ingest.demo.PLANTED`)."""
    tables = {"targets": _targets(months), "data_quality": _data_quality(months)}
    # a file with no rows is refused, as any input file would be
    recorded = (
        ("spc_rebases", _rebases(months, wards, planted)),
        ("spc_exclusions", _exclusions(months, wards)),
        ("exception_responses", _responses(months, wards, planted)),
    )
    for name, frame in recorded:
        if len(frame):
            tables[name] = frame
    return tables


def _targets(months: pd.DatetimeIndex) -> pd.DataFrame:
    """The trust's agreed targets: trust-wide, one for a setting, and one revised part-way."""
    first, revised = months[0], months[-12]
    rows = [
        ("fft_positive", None, None, "value", 95.0, first, "Trust Board (quality strategy)"),
        ("fft_positive", None, "ae", "value", 85.0, first, "Urgent and emergency care board"),
        ("fft_response_rate", None, None, "national", None, first, "Patient Experience Committee"),
        ("complaints_in_target", None, None, "value", 80.0, first, "Board Quality Committee"),
        ("complaints_in_target", None, None, "value", 85.0, revised, "Board Quality Committee (annual review)"),
    ]
    cols = ["measure", "unit_id", "service_type", "basis", "value", "from_month", "set_by"]
    return pd.DataFrame(rows, columns=cols)


def _data_quality(months: pd.DatetimeIndex) -> pd.DataFrame:
    """The trust's data-quality ratings: most measures sufficient, complaints handling limited
    (closure dates are keyed in late) until a fix part-way through."""
    first, fixed = months[0], months[-4]
    who = "Information governance group"
    rows = [
        ("fft_positive", None, "Sufficient", first, who),
        ("fft_response_rate", None, "Sufficient", first, who),
        ("fft_response_rate", "COM", "Limited", first, who),  # community teams do not count eligible patients
        ("complaints_rate", None, "Sufficient", first, who),
        ("complaints_in_target", None, "Limited", first, who),
        ("complaints_in_target", None, "Sufficient", fixed, who),
    ]
    return pd.DataFrame(rows, columns=["measure", "unit_id", "rating", "from_month", "rated_by"])


def _rebases(months: pd.DatetimeIndex, wards: set[str], planted: dict) -> pd.DataFrame:
    """The rebase the trust recorded at the deteriorating ward's known change (the month its slide began)."""
    start = months[len(months) - planted["deteriorating_months"]]
    if planted["deteriorating_ward"] not in wards:  # a demo scaled below 14 wards has no such ward
        return pd.DataFrame(columns=["measure", "unit_id", "month", "reason", "agreed_by", "baseline_points"])
    rows = [
        {
            "measure": "fft_positive",
            "unit_id": planted["deteriorating_ward"],
            "month": start,
            "reason": "ward reconfigured as an acute frailty unit, with a new case mix",
            "agreed_by": "Medicine divisional quality board",
            "baseline_points": None,
        },
        {  # no rebase: the first period's limits fixed on its first 20 months
            "measure": "fft_positive",
            "unit_id": BASELINE_WARD,
            "month": months[0],
            "reason": "limits fixed on the months before the ward's new discharge lounge opened",
            "agreed_by": "Surgery divisional quality board",
            "baseline_points": 20,
        },
    ]
    frame = pd.DataFrame([r for r in rows if r["unit_id"] in wards])
    return frame.astype({"baseline_points": "Int64"}) if len(frame) else frame


def _exclusions(months: pd.DatetimeIndex, wards: set[str]) -> pd.DataFrame:
    """A month left out of a ward's limits: cards from another ward keyed against it in error."""
    ward, month = EXCLUDED_MONTH
    rows = [
        {
            "measure": "fft_positive",
            "unit_id": ward,
            "month": months[len(months) - month],
            "reason": "FFT cards from the day surgery unit were entered against this ward in error",
            "agreed_by": "Head of Patient Experience",
        }
    ]
    return pd.DataFrame([r for r in rows if r["unit_id"] in wards])


def _responses(months: pd.DatetimeIndex, wards: set[str], planted: dict) -> pd.DataFrame:
    """Responses the divisions recorded to exceptions: one in progress for the deteriorating ward's
    FFT (still escalated), one completed months ago for the complaints spike (no longer escalated).
    The other ward escalated in the last month has none: its papers must say so."""
    ward, spike = planted["deteriorating_ward"], planted["complaints_spike_ward"]
    raised = months[-3]
    spike_month = months[len(months) - 1 - planted["complaints_spike_months_before_end"]]
    rows = [
        {
            "measure": "fft_positive",
            "unit_id": ward,
            "raised": raised,
            "data_show": "Positive answers have fallen for several months, since the ward became a frailty unit",
            "cause": "Longer stays, and more agency nurses on nights who do not know the ward",
            "action": "Two permanent night nurses recruited; the matron reviews night staffing each week",
            "owner": "Matron, Medicine",
            "due": raised + pd.offsets.MonthEnd(4),
            "status": "in progress",
            "effect_expected": raised + pd.DateOffset(months=4),
        },
        {
            "measure": "complaints_count",
            "unit_id": spike,
            "raised": spike_month,
            "data_show": "14 complaints in one month, against a usual 0 to 3",
            "cause": "A change to visiting times that was not explained to families",
            "action": "Visiting times restored and the change explained in a letter to families",
            "owner": "Ward manager",
            "due": spike_month + pd.offsets.MonthEnd(1),
            "status": "completed",
            "effect_expected": spike_month + pd.DateOffset(months=2),
        },
    ]
    return pd.DataFrame([r for r in rows if r["unit_id"] in wards])
