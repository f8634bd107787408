"""What a paper says about the patient stories its meeting heard (framework requirement 3A).

Built from ``patient_stories`` as the trust recorded it: "not supplied" where the trust has not
loaded the table, "no story recorded" where it has and none is there; never an assumed story.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from pxassure.analysis import listening
from pxassure.periods import Period
from pxassure.reports.provenance import to_records
from pxassure.words import counted, long_dates, verb

#: Columns of the tables a paper shows, in the words it shows them.
HEARD_COLUMNS = {
    "heard": "Heard",
    "about": "About",
    "told_by": "How told",
    "themes": "Themes",
    "showed": "What it showed",
    "action": "Action agreed",
    "action_owner": "Owner",
    "due": "Due",
}
ACTION_COLUMNS = {
    "heard": "Story heard",
    "about": "About",
    "action": "Action agreed",
    "action_owner": "Owner",
    "due": "Due",
    "status": "Status",
}


@dataclass(frozen=True)
class StoryRecord:
    """The stories one meeting heard in the report's period, and what became of earlier ones."""

    period: Period
    meeting_name: str
    supplied: bool
    heard: pd.DataFrame = field(default_factory=pd.DataFrame)
    open_actions: pd.DataFrame = field(default_factory=pd.DataFrame)
    follow_ups: pd.DataFrame = field(default_factory=pd.DataFrame)
    months_without: tuple[pd.Timestamp, ...] = ()  # each span without a story, by its last month
    every: int = 1  # months between the meeting's meetings (its cadence): the span a story is expected in

    @classmethod
    def from_data(cls, data, meeting: str, meeting_name: str, cadence: str = "monthly") -> StoryRecord:
        """The record for ``meeting`` (a layer, as ``patient_stories.meeting`` names it), which
        meets at ``cadence`` (its params file's)."""
        every = listening.MONTHS_APART[cadence]
        period = data.period
        if not data.source_supplied("patient_stories"):
            return cls(period, meeting_name, supplied=False, every=every)
        stories = _readable(data.tables["patient_stories"], data.units)
        return cls(
            period,
            meeting_name,
            supplied=True,
            heard=listening.stories_heard(stories, meeting, period),
            open_actions=listening.open_story_actions(stories, period),
            follow_ups=listening.follow_ups_due(stories, period),
            months_without=tuple(listening.months_without_story(stories, meeting, period.last, every)),
            every=every,
        )

    def text(self) -> list[str]:
        """What the record says, in plain words."""
        if not self.supplied:
            return [
                "The trust has not supplied its record of patient stories, so this paper cannot say whether "
                f"the {self.meeting_name} heard one in {self.period.name} or what became of earlier stories' actions."
            ]
        text = []
        if len(self.heard):
            text.append(
                f"The {self.meeting_name} heard {counted(len(self.heard), 'patient story')} in {self.period.name}."
            )
        else:
            text.append(f"No patient story is recorded for the {self.meeting_name} in {self.period.name}.")
        # a quarter with stories may still have months without one; with none, the line above says so
        earlier = [m for m in self.months_without if m < self.period.first or len(self.heard)]
        if earlier:
            text.append(
                f"No story is recorded for the {self.meeting_name} in "
                + ", ".join(self._span(m) for m in earlier)
                + " (the last 12 months, from the first story recorded"
                + (f"; it meets every {self.every} months)." if self.every > 1 else ").")
            )
        overdue = int(self.open_actions["overdue"].sum()) if len(self.open_actions) else 0
        if len(self.open_actions):
            text.append(
                f"{counted(len(self.open_actions), 'action')} agreed from earlier stories "
                f"{verb(len(self.open_actions), 'is', 'are')} not recorded as completed"
                + (f", {overdue} of them past {'its' if overdue == 1 else 'their'} due date." if overdue else ".")
            )
        else:
            text.append("No action agreed from an earlier story is recorded as still open.")
        for story in self.follow_ups.itertuples():
            text.append(
                f"The follow-up of the story heard on {story.heard} ({story.about}) is due back {self.period.this}."
            )
        return text

    def _span(self, last: pd.Timestamp) -> str:
        """A span of the meeting's cadence by its last month: "June 2026", "July to August 2026"."""
        if self.every == 1:
            return f"{last:%B %Y}"
        first = last - pd.DateOffset(months=self.every - 1)
        return f"{first:%B}{'' if first.year == last.year else f' {first.year}'} to {last:%B %Y}"

    def heard_table(self) -> pd.DataFrame:
        return self.heard.reindex(columns=list(HEARD_COLUMNS))

    def actions_table(self) -> pd.DataFrame:
        table = self.open_actions.reindex(columns=[*ACTION_COLUMNS, "overdue"])
        if len(table):
            table["status"] = [
                f"{s} (overdue)" if late else s for s, late in zip(table["status"], table["overdue"].astype(bool))
            ]
        return table[list(ACTION_COLUMNS)]

    def findings(self) -> dict:
        return {
            "supplied": self.supplied,
            "heard": to_records(self.heard[["story_id", "heard_on", "unit_id"]]) if len(self.heard) else [],
            "months_without_story": [f"{m:%Y-%m}" for m in self.months_without],
            "story_expected_every_months": self.every,
            "open_actions": to_records(self.open_actions[["story_id", "action_due", "overdue"]])
            if len(self.open_actions)
            else [],
        }


def _readable(stories: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Stories with the unit's name and dates as a reader writes them."""
    names = units.set_index("unit_id")["name"]
    out = stories.copy()
    out["about"] = out["unit_id"].map(names).fillna(out["unit_id"])
    out["heard"] = long_dates(out["heard_on"])
    out["due"] = long_dates(out["action_due"]).fillna("")
    out["status"] = out["action_status"].fillna("no action recorded")
    out["themes"] = out["themes"].fillna("").str.replace("|", "; ", regex=False)
    return out
