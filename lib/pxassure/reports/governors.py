"""The Governors' Membership and Community Engagement Committee's paper (quarterly): the
strategy's work plan, the involvement programme and its participants' satisfaction, membership
and community engagement, and what the trust changed in answer to what patients said.

Built only from the trust's records of listening and acting: it has no SPC charts, and says
"not supplied" for each record the trust has not loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pxassure.analysis import involvement
from pxassure.analysis.suppression import suppress
from pxassure.periods import latest_complete_quarter
from pxassure.reports.acting import ChangesMade, Involvement, WorkPlan
from pxassure.reports.committees import satisfaction_commitment
from pxassure.reports.model import Report
from pxassure.reports.opening import open_report
from pxassure.words import counted, long_dates, quarter_name

#: The kinds of involvement that engage the trust's members and communities.
MEMBERSHIP_KINDS = ("membership event", "community event")
#: The records this paper reads (and all its "Data used" lists).
RECORDS = ("strategy_commitments", "involvement_activities", "you_said_we_did")


@dataclass(kw_only=True, frozen=True)
class GovernorsReport(Report):
    """The governors' committee's paper for its quarter (built for a month: the latest quarter complete by it)."""

    SECTIONS = {
        "work_plan": "The strategy's work plan",
        "involvement": "The involvement programme",
        "membership": "Membership and community engagement",
        "changes": "You said, we did",
        "data": "Data used in this paper",
    }
    KEY_TERMS = ("suppressed",)

    work_plan: WorkPlan
    involvement: Involvement
    changes_made: ChangesMade
    membership: pd.DataFrame | None  # membership and community events, last 12 months (None: not supplied)

    @property
    def quarter(self) -> pd.Period:
        """The paper's quarter, or built for a month, the latest calendar quarter complete by it."""
        return (self.period if self.period.is_quarter else latest_complete_quarter(self.month)).quarter

    def membership_text(self) -> str:
        if self.membership is None:
            return "The trust has not supplied its record of involvement activities, so this paper cannot say how members and communities were engaged."
        if self.membership.empty:
            return f"No membership or community event is recorded in the 12 months to {self.month:%B %Y}."
        n = len(self.membership)
        return f"{counted(n, 'membership or community event')} recorded in the 12 months to {self.month:%B %Y}."

    def membership_table(self) -> pd.DataFrame:
        t = suppress(self.membership, ["participants"])
        t["held"] = long_dates(t["held_on"])
        t["changed"] = t["changed"].fillna("nothing recorded yet")
        return t

    def engagement_text(self, stated: str | None) -> str:
        """The paper's own statement, then the involvement recorded (this paper reads no feedback)."""
        said = (stated.rstrip(".") + ".") if stated else ""
        return (said + self._involvement_text()).strip()

    def other_methods(self) -> list[str]:
        return [
            f"Participants' satisfaction: the percentage of those asked who were satisfied with taking part, shown "
            f"only where {involvement.MINIMUM_ASKED} or more were asked in the quarter. Quarters are calendar "
            "quarters, also named as the NHS financial quarter (April to March).",
            "Evidence: the trust's own records of listening and acting, as supplied; nothing is inferred from them.",
        ]

    def summary_text(self) -> list[str]:
        opening = (
            f"The records to the end of {self.month:%B %Y}, for the quarter {self.period.name}."
            if self.period.is_quarter
            else f"The records to the end of {self.month:%B %Y}; the latest complete quarter is {quarter_name(self.quarter)}."
        )
        return [
            opening,
            *self.work_plan.text()[:1],
            *self.involvement.text()[:1],
            self.membership_text(),
        ]

    def findings(self) -> dict:
        return {
            **self.base_findings(),
            "work_plan": self.work_plan.findings(),
            "involvement": self.involvement.findings(),
            "you_said_we_did": self.changes_made.findings(),
            "membership_events": 0 if self.membership is None else len(self.membership),
        }


def governors_report(
    database: str | Path,
    period: Any = "latest",
    *,
    committee: str = "governors_engagement_committee",
    preset: str = "mdc",
    shift_length: int | None = None,
    trend_length: int | None = None,
    minimum_points: int | None = None,
    linkable: list[str] | None = None,
    reports_dir: str | Path | None = None,
) -> GovernorsReport:
    """Build the governors' committee's report model (``reports_dir`` is accepted, as every
    paper's is, and unused: this committee reads no layer's findings)."""
    spc = (preset, shift_length, trend_length, minimum_points)
    opening = open_report(database, period, committee, "governors", spc)
    data = opening.data
    trust_id = data.trust["unit_id"]
    everyone = data.scope(trust_id)
    membership = None
    if data.source_supplied("involvement_activities"):
        a = involvement.within(data.tables["involvement_activities"], "held_on", data.month)
        membership = a[a["kind"].isin(MEMBERSHIP_KINDS)].sort_values("held_on", ascending=False).reset_index(drop=True)
    return GovernorsReport(
        **opening.common(trust_id, linkable, committee=committee),
        charts=[],
        data_used=data.data_used(also=RECORDS).query("table in @RECORDS").reset_index(drop=True),
        work_plan=WorkPlan.from_data(data),
        involvement=Involvement.from_data(data, everyone, satisfaction_commitment(opening.spec)),
        changes_made=ChangesMade.from_data(data, everyone),  # listed; the committee's paper charts them
        membership=membership,
    )
