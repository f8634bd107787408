"""Patient-experience measures: raw tables → monthly numerators and denominators per unit.

Pure functions on DataFrames (no database access). Each measure says how it is charted
(:class:`Measure`): which SPC chart, which direction is improvement, the target, and the
scale it is shown on. Ward figures roll up the organisation hierarchy by summing
numerators and denominators, never by averaging percentages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

FFT_ANSWERS = ["very_good", "good", "neither", "poor", "very_poor", "dont_know"]


@dataclass(frozen=True)
class Measure:
    """How one measure is defined and charted."""

    id: str
    name: str
    chart: str  # spc chart: "pp", "up", "p", "u", "c", "xmr"
    improvement: str
    multiply: float = 1
    target: float | None = None
    unit: str = ""  # suffix when shown, e.g. "%"
    definition: str = ""


MEASURES: dict[str, Measure] = {
    m.id: m
    for m in (
        Measure(
            "fft_positive",
            "FFT % positive",
            "pp",
            "increase",
            100,
            95.0,
            "%",
            "(Very good + Good) ÷ all responses, including 'Neither' and 'Don't know'. Laney p′ chart: "
            "large monthly denominators make a plain p chart's limits too narrow.",
        ),
        Measure(
            "fft_response_rate",
            "FFT response rate",
            "pp",
            "increase",
            100,
            None,
            "%",
            "Responses ÷ eligible patients, in settings that report eligible numbers. Target: the latest "
            "national average for the setting.",
        ),
        Measure(
            "complaints_rate",
            "Complaints per 1,000 bed days",
            "up",
            "decrease",
            1000,
            None,
            "",
            "Formal complaints received about inpatient and maternity wards ÷ their occupied bed days × 1,000. "
            "Laney u′ chart.",
        ),
        Measure(
            "complaints_in_target",
            "Complaints answered within target",
            "pp",
            "increase",
            100,
            80.0,
            "%",
            "Complaints closed in the month within their agreed working days ÷ complaints closed in the month.",
        ),
        Measure(
            "complaints_count",
            "Complaints received",
            "c",
            "decrease",
            1,
            None,
            "",
            "Formal complaints received in the month (c chart).",
        ),
        Measure(
            "compliments_count",
            "Compliments received",
            "c",
            "increase",
            1,
            None,
            "",
            "Compliments logged in the month (c chart).",
        ),
        Measure(
            "harm_incidents_rate",
            "Moderate or worse harm incidents per 1,000 bed days",
            "up",
            "decrease",
            1000,
            None,
            "",
            "Patient-safety incidents with moderate, severe harm or death ÷ occupied bed days.",
        ),
    )
}


def fft_positive(fft: pd.DataFrame) -> pd.DataFrame:
    """unit_id, month, numerator (positive answers), denominator (all responses)."""
    responses = fft[FFT_ANSWERS].sum(axis=1)
    return pd.DataFrame(
        {
            "unit_id": fft["unit_id"],
            "month": pd.to_datetime(fft["month"]),
            "numerator": (fft["very_good"] + fft["good"]).astype(float),
            "denominator": responses.astype(float),
        }
    )


def fft_response_rate(fft: pd.DataFrame) -> pd.DataFrame:
    """unit_id, month, numerator (responses), denominator (eligible); units without eligible left out."""
    has = fft["eligible"].notna()
    f = fft[has]
    return pd.DataFrame(
        {
            "unit_id": f["unit_id"],
            "month": pd.to_datetime(f["month"]),
            "numerator": f[FFT_ANSWERS].sum(axis=1).astype(float),
            "denominator": f["eligible"].astype(float),
        }
    )


def complaints_rate(complaints: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    """Complaints received per unit-month over occupied bed days (bedded units only)."""
    bed = activity[activity["occupied_bed_days"].notna()]
    counts = _monthly_count(complaints, "received")
    out = bed[["unit_id", "month", "occupied_bed_days"]].assign(month=lambda d: pd.to_datetime(d["month"]))
    out = out.merge(counts, on=["unit_id", "month"], how="left")
    return pd.DataFrame(
        {
            "unit_id": out["unit_id"],
            "month": out["month"],
            "numerator": out["count"].fillna(0).astype(float),
            "denominator": out["occupied_bed_days"].astype(float),
        }
    )


def complaints_count(complaints: pd.DataFrame, units: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """Complaints received per ward-month, with zero months filled in."""
    wards = units.loc[units["level"] == "ward", "unit_id"]
    grid = pd.MultiIndex.from_product([wards, months], names=["unit_id", "month"]).to_frame(index=False)
    out = grid.merge(_monthly_count(complaints, "received"), on=["unit_id", "month"], how="left")
    return pd.DataFrame(
        {
            "unit_id": out["unit_id"],
            "month": out["month"],
            "numerator": out["count"].fillna(0).astype(float),
            "denominator": 1.0,
        }
    )


def complaints_in_target(complaints: pd.DataFrame) -> pd.DataFrame:
    """Complaints closed per unit-month, and how many within their target working days."""
    closed = complaints[complaints["closed"].notna()].copy()
    start = pd.to_datetime(closed["received"]).to_numpy().astype("datetime64[D]")
    end = pd.to_datetime(closed["closed"]).to_numpy().astype("datetime64[D]")
    closed["in_target"] = np.busday_count(start, end) <= closed["target_working_days"].to_numpy()
    closed["month"] = pd.to_datetime(closed["closed"]).dt.to_period("M").dt.to_timestamp()
    g = closed.groupby(["unit_id", "month"])["in_target"].agg(["sum", "count"]).reset_index()
    return pd.DataFrame(
        {
            "unit_id": g["unit_id"],
            "month": g["month"],
            "numerator": g["sum"].astype(float),
            "denominator": g["count"].astype(float),
        }
    )


def harm_incidents_rate(incidents: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    harm = incidents[incidents["harm_level"].isin(["moderate", "severe", "death"])]
    harm = harm.assign(month=pd.to_datetime(harm["month"])).groupby(["unit_id", "month"])["incidents"].sum()
    bed = activity[activity["occupied_bed_days"].notna()].assign(month=lambda d: pd.to_datetime(d["month"]))
    out = bed.merge(harm.rename("count").reset_index(), on=["unit_id", "month"], how="left")
    return pd.DataFrame(
        {
            "unit_id": out["unit_id"],
            "month": out["month"],
            "numerator": out["count"].fillna(0).astype(float),
            "denominator": out["occupied_bed_days"].astype(float),
        }
    )


def monthly_count_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """A per unit-month count column as numerator (denominator 1), for c charts."""
    return pd.DataFrame(
        {
            "unit_id": frame["unit_id"],
            "month": pd.to_datetime(frame["month"]),
            "numerator": frame[column].astype(float),
            "denominator": 1.0,
        }
    )


def _monthly_count(events: pd.DataFrame, date_col: str) -> pd.DataFrame:
    month = pd.to_datetime(events[date_col]).dt.to_period("M").dt.to_timestamp()
    return events.assign(month=month).groupby(["unit_id", "month"]).size().rename("count").reset_index()


def ancestors(units: pd.DataFrame) -> pd.DataFrame:
    """Every (unit_id, ancestor_id) pair, each unit being its own ancestor too."""
    parent = units.set_index("unit_id")["parent_id"].to_dict()
    rows = []
    for unit in units["unit_id"]:
        node, seen = unit, set()
        while node is not None and not (isinstance(node, float) and np.isnan(node)) and node not in seen:
            rows.append((unit, node))
            seen.add(node)
            node = parent.get(node)
            if node is pd.NA:
                node = None
    return pd.DataFrame(rows, columns=["unit_id", "ancestor_id"])


def rollup(series: pd.DataFrame, units: pd.DataFrame, level: str | None = None) -> pd.DataFrame:
    """Sum unit-month numerators and denominators up to every ancestor (or only ``level``).

    Returns unit_id (the ancestor), month, numerator, denominator, units (how many
    contributing units).
    """
    pairs = ancestors(units)
    if level is not None:
        keep = units.loc[units["level"] == level, "unit_id"]
        pairs = pairs[pairs["ancestor_id"].isin(keep)]
    merged = series.merge(pairs, on="unit_id")
    g = merged.groupby(["ancestor_id", "month"]).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), units=("unit_id", "nunique")
    )
    return g.reset_index().rename(columns={"ancestor_id": "unit_id"})


def latest_national_rate(national: pd.DataFrame, service_type: str, month: pd.Timestamp) -> float | None:
    """The national FFT response rate (%) for a setting in ``month`` (or the latest before it)."""
    n = national[(national["service_type"] == service_type) & (pd.to_datetime(national["month"]) <= month)]
    if n.empty:
        return None
    return float(n.sort_values("month")["response_rate"].iloc[-1])
