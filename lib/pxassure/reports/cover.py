"""The front of a committee paper: its cover sheet and executive summary.

NHS board and committee papers open with a fixed front sheet — what the paper is, who
brings it, what the meeting is asked to do and what assurance it offers — and then the few
things the meeting must know. The fixed parts come from the committee's parameters file
(``cover:``) and the trust's settings (``params/trust.yaml``: its assurance scale); the
rest is written from the paper's findings (:class:`Attention` items), so the cover never
promises more than the data behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pxassure.errors import CommitteeError
from pxassure.words import counted

PURPOSES = ("assurance", "approval", "information", "discussion")
CQC_KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well-led")
#: The default assurance scale, most assurance first (a trust sets its own in params/trust.yaml).
DEFAULT_ASSURANCE_SCALE = ("significant", "reasonable", "limited", "no")
SESSIONS = ("public", "private")
#: The implications a cover sheet states, each in the trust's words (``cover.implications``).
IMPLICATIONS = ("equality", "financial", "legal", "risk")
#: What a ``cover:`` block may hold: key -> (list of text?, what it is).
COVER_FIELDS: dict[str, tuple[bool, str]] = {
    "meeting": (False, "the meeting the paper goes to (default: its committee's name in the committees table)"),
    "agenda_item": (False, "its agenda item (a notebook parameter overrides it)"),
    "purpose": (False, "one of " + ", ".join(PURPOSES)),
    "executive_lead": (False, "the executive who brings the paper; owner of trust-wide findings"),
    "author": (False, "who wrote it"),
    "previously_considered_by": (
        True,
        "meetings that saw it first (default: the committees reporting up to it, from the committees table)",
    ),
    "baf_risks": (True, "board assurance framework risks it gives assurance on"),
    "cqc_key_questions": (True, "CQC key questions: " + ", ".join(CQC_KEY_QUESTIONS)),
    "engagement": (False, "how patient and public engagement was considered"),
    "presenter": (False, "who presents the paper at the meeting"),
    "approved_by": (False, "who approved the paper for the meeting"),
    "session": (False, "the part of the meeting it is taken in: " + " or ".join(SESSIONS)),
    "implications": (False, "a mapping of " + ", ".join(IMPLICATIONS) + " to text"),
}
NOT_SET = "not set"

#: What an item of the executive summary is about, in the order the summary lists them.
ATTENTION_KINDS = {
    "concern": "Special-cause concern",
    "not_assured": "Target not assured",
    "ward_exception": "Ward escalated, no action recorded",
    "ward_responded": "Ward escalated, action recorded",
    "assurance_gap": "Framework assurance gap",
    "overdue_actions": "Overdue actions",
    "off_track": "Strategy commitment off track",
    "below_commitment": "Involvement satisfaction below the commitment",
    "not_assessed": "Not assessed",
}


@dataclass(frozen=True)
class Attention:
    """One thing the meeting must know: what it is, who owns it, and the section with the detail."""

    kind: str  # a key of ATTENTION_KINDS
    what: str
    owner: str
    section: str  # the heading of the paper's section that holds the detail
    subject: str = ""  # what the recommendation names: the ward, or the framework requirement


def read_cover(raw, path: str) -> dict:
    """Check a parameters file's ``cover:`` block; every problem names the file and key."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise CommitteeError(f"{path}: cover must be a mapping of the keys {sorted(COVER_FIELDS)}")
    unknown = sorted(set(raw) - set(COVER_FIELDS))
    if unknown:
        raise CommitteeError(f"{path}: cover has unknown key(s) {unknown}; known: {sorted(COVER_FIELDS)}")
    out = {}
    for key, value in raw.items():
        many, what = COVER_FIELDS[key]
        if key == "implications":
            out[key] = _implications(value, path)
            continue
        if many:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
                raise CommitteeError(f"{path}: cover.{key} must be a list of text ({what})")
            value = [str(v) for v in value]
        elif not isinstance(value, (str, int, float)):
            raise CommitteeError(f"{path}: cover.{key} must be text ({what})")
        else:
            value = str(value)
        out[key] = value
    if out.get("session", "public") not in SESSIONS:
        raise CommitteeError(f"{path}: cover.session {out['session']!r} is not one of {list(SESSIONS)}")
    if out.get("purpose", "assurance") not in PURPOSES:
        raise CommitteeError(f"{path}: cover.purpose {out['purpose']!r} is not one of {list(PURPOSES)}")
    bad = [q for q in out.get("cqc_key_questions", []) if q.lower() not in CQC_KEY_QUESTIONS]
    if bad:
        raise CommitteeError(f"{path}: cover.cqc_key_questions {bad} not among {list(CQC_KEY_QUESTIONS)}")
    return out


def _implications(value, path: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, (str, int, float)) for v in value.values()):
        raise CommitteeError(f"{path}: cover.implications must map {', '.join(IMPLICATIONS)} to text")
    unknown = sorted(set(value) - set(IMPLICATIONS))
    if unknown:
        raise CommitteeError(f"{path}: cover.implications has unknown key(s) {unknown}; known: {list(IMPLICATIONS)}")
    return {k: str(v) for k, v in value.items()}


def read_scale(raw, path: str) -> tuple[str, ...]:
    """The trust's assurance scale (``assurance_scale`` in params/trust.yaml), most assurance first."""
    if raw is None:
        return DEFAULT_ASSURANCE_SCALE
    if isinstance(raw, list) and any(isinstance(v, bool) for v in raw):
        raise CommitteeError(
            f'{path}: assurance_scale: put each level in quotes ("no", not no: YAML reads it as false)'
        )
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(v, str) and v.strip() for v in raw):
        raise CommitteeError(f"{path}: assurance_scale must be a list of at least two levels, most assurance first")
    if len(set(raw)) != len(raw):
        raise CommitteeError(f"{path}: assurance_scale repeats a level")
    return tuple(v.strip() for v in raw)


def assurance_offered(items: list[Attention], assessed: int, scale: tuple[str, ...]) -> tuple[str, str]:
    """The level of assurance the paper offers, and why, from what it found.

    Four steps, spread over the trust's scale: nothing needing attention → the top level;
    only wards escalated, overdue actions or measures not assessed → the next; a trust-wide
    or divisional special-cause concern, a target not assured or a framework assurance gap →
    the next; nothing could be assessed at all → the bottom. A proposal from the data for
    the executive lead to confirm (the notebook's ``assurance`` parameter overrides it).
    """
    kinds = {i.kind for i in items}
    serious = kinds & {"concern", "not_assured", "assurance_gap", "off_track", "below_commitment"}

    def counted(chosen) -> str:
        return "; ".join(f"{sum(i.kind == k for i in items)} × {ATTENTION_KINDS[k].lower()}" for k in chosen)

    if assessed == 0:
        step, why = 3, "no measure could be assessed with process limits"
    elif serious:
        order = ("concern", "not_assured", "assurance_gap", "off_track", "below_commitment")
        step, why = 2, counted(k for k in order if k in serious)
    elif kinds:
        step, why = 1, counted(sorted(kinds))
    else:
        step, why = 0, "every assessed measure is within its normal variation and no action is overdue"
    level = scale[round(step * (len(scale) - 1) / 3)]
    return level, why


@dataclass(frozen=True)
class Cover:
    """Everything a paper's cover sheet says."""

    meeting: str
    meeting_date: str
    agenda_item: str
    title: str
    period: str
    purpose: str
    executive_lead: str
    author: str
    previously_considered_by: list[str]
    baf_risks: list[str]
    cqc_key_questions: list[str]
    engagement: str
    asked_to: list[str]
    assurance: str
    assurance_reason: str
    assurance_scale: tuple[str, ...] = DEFAULT_ASSURANCE_SCALE
    proposed: bool = True  # the level was proposed from the data (not set by the executive lead)
    items: list[Attention] = field(default_factory=list)
    presenter: str = NOT_SET
    approved_by: str = NOT_SET
    session: str = NOT_SET
    implications: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, str]]:
        """The front sheet's label/value pairs, in the order papers print them."""

        def listed(values: list[str]) -> str:
            return "; ".join(values) if values else "none recorded"

        return [
            ("Meeting", self.meeting),
            ("Session", self.session if self.session == NOT_SET else f"{self.session.capitalize()} session"),
            ("Date of meeting", self.meeting_date),
            ("Agenda item", self.agenda_item),
            ("Paper", self.title),
            ("Period covered", self.period),
            ("Purpose", self.purpose.capitalize()),
            ("Executive lead", self.executive_lead),
            ("Presented by", self.presenter),
            ("Author", self.author),
            ("Approved by", self.approved_by),
            ("Previously considered by", listed(self.previously_considered_by)),
            ("Board assurance framework risks", listed(self.baf_risks)),
            ("Care Quality Commission (CQC) key questions", listed([q.capitalize() for q in self.cqc_key_questions])),
            ("Patient and public engagement", self.engagement),
            *(
                (f"{kind.capitalize()} implications", self.implications.get(kind) or "not stated")
                for kind in IMPLICATIONS
            ),
        ]


def asked_to(items: list[Attention], assurance: str, purpose: str) -> list[str]:
    """What the meeting is asked to do, written from the paper's findings."""
    out = []
    unanswered = [i.what for i in items if i.kind == "ward_exception"]
    if unanswered:
        out.append(
            "seek from the divisions what is being done about these escalated exceptions, for which no action "
            "is recorded in this paper: " + "; ".join(unanswered)
        )
    answered = [i.what for i in items if i.kind == "ward_responded"]
    if answered:
        out.append(
            "consider whether the action recorded is enough, and when its effect should show, for: "
            + "; ".join(answered)
        )
    concerns = [i.what for i in items if i.kind in ("concern", "not_assured")]
    if concerns:
        out.append("seek assurance on: " + "; ".join(concerns))
    # Each gap with its kind ("contradicted by data", "score fell"): no plan to close it is on
    # record in the paper, so the meeting is asked to seek one, not to agree one.
    gaps = [i.what.replace(": ", " (", 1) + ")" for i in items if i.kind == "assurance_gap"]
    if gaps:
        out.append(
            "seek from the owners of the framework "
            f"{'requirement' if len(gaps) == 1 else 'requirements'} with an assurance gap how it will be "
            f"closed: {', '.join(gaps)}"
        )
    overdue = [i.what for i in items if i.kind == "overdue_actions"]
    if overdue:
        out.append("hold the owners of overdue self-assessment actions to account: " + "; ".join(overdue))
    off_track = [i.what for i in items if i.kind == "off_track"]
    if off_track:
        out.append(
            "seek from the owners how these strategy commitments will be brought back on track: " + "; ".join(off_track)
        )
    below = [i.what for i in items if i.kind == "below_commitment"]
    if below:
        out.append("seek why fewer participants than committed were satisfied with taking part in: " + "; ".join(below))
    missing = [i for i in items if i.kind == "not_assessed"]
    if missing:
        out.append(f"note the {counted(len(missing), 'measure')} the paper could not assess, and why")
    verb = {"approval": "approve", "discussion": "discuss", "information": "note"}.get(purpose, "note")
    out.append(f"{verb} the report and take {assurance} assurance from it")
    return out
