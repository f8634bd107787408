"""``pxassure map``: a first draft of the sources file for extracts pxassure has not seen.

It reads each extract, guesses the table it feeds from the file's name and columns, proposes the
extract's column for each of the table's columns from their names and contents, lists every
distinct value of a vocabulary column with the pxassure value it most likely is, and every
location name with the unit it most likely is (from ``org_units`` when a database is given).
Whatever it could not decide is written as ``TODO``: the analyst completes the draft, and
``pxassure load --sources … --check`` refuses a draft with a ``TODO`` left in it, naming where.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pxassure.errors import ReadError, SourcesFileError
from pxassure.ingest import dates, readers
from pxassure.ingest.columns import FALSE_TEXT, TRUE_TEXT, Table
from pxassure.ingest.extract_spec import TODO
from pxassure.ingest.schema import TABLES

#: Rows read from each extract to decide (values and locations are listed from all of them).
SAMPLE_ROWS = 200_000

#: Words that suggest each table, in a file's name or its columns.
TABLE_HINTS = {
    "incidents": ("incident", "datix", "harm", "ulysses", "safeguard"),
    "complaints": ("complaint", "phso", "ombudsman"),
    "pals_contacts": ("pals", "advice", "liaison", "enquiry", "concern"),
    "staffing": ("roster", "fill", "planned hours", "actual hours", "safer staffing", "chppd"),
    "fft_monthly": ("fft", "friends", "very good", "very poor", "eligible"),
    "feedback_comments": ("comment", "free text", "verbatim", "feedback"),
    "activity": ("bed days", "occupied", "attendances", "pas", "activity"),
    "compliments": ("compliment", "thank"),
    "framework_scores": ("requirement", "self-assessment", "self assessment", "score"),
    "org_units": ("ward", "division", "parent", "level"),
}

#: Names an extract may give each pxassure column (compared without case, spaces or punctuation).
SYNONYMS = {
    "unit_id": (
        "location",
        "locationexact",
        "ward",
        "wardcode",
        "warddept",
        "department",
        "dept",
        "unit",
        "area",
        "wardname",
        "locationward",
        "specialtyward",
        "servicearea",
        "rosterunit",
        "wardunit",
    ),
    "month": (
        "month",
        "period",
        "monthyear",
        "date",
        "incidentdate",
        "responsedate",
        "dateofincident",
        "reportingmonth",
        "activitymonth",
    ),
    "received": (
        "datereceived",
        "received",
        "dateopened",
        "opened",
        "dateofcontact",
        "datelogged",
        "contactdate",
        "logged",
        "firstreceived",
    ),
    "complaint_id": (
        "complaintref",
        "complaintid",
        "reference",
        "ref",
        "complaintnumber",
        "caseref",
        "casenumber",
        "caseno",
        "caseid",
    ),
    "contact_id": ("caseid", "palsref", "reference", "ref", "contactid", "casenumber"),
    "comment_id": ("responseid", "commentid", "id", "ref"),
    "acknowledged": ("dateacknowledged", "acknowledged", "acknowledgementdate"),
    "closed": ("dateresponsesent", "responsesent", "dateclosed", "closed", "closeddate"),
    "resolved": ("dateclosed", "closed", "resolved", "dateresolved"),
    "primary_subject": ("primarysubject", "subject", "ko41asubject", "category", "primarycategory"),
    "subject": ("subject", "primarysubject", "category"),
    "theme": ("issuecategory", "theme", "category", "subject", "issue"),
    "outcome": ("outcome", "result", "finding"),
    "ombudsman": ("phsoreferral", "phso", "ombudsman", "referredtophso"),
    "reopened": ("reopened", "reopen"),
    "harm_level": ("resultharm", "harm", "harmlevel", "severity", "degreeofharm", "actualharm"),
    "very_good": ("verygood", "vg"),
    "good": ("good", "g"),
    "neither": ("neithergoodnorpoor", "neither", "n"),
    "poor": ("poor", "p"),
    "very_poor": ("verypoor", "vp"),
    "dont_know": ("dontknow", "dk"),
    "eligible": ("eligible", "eligiblepatients", "eligibledischarges", "discharges"),
    "question": ("question", "fftquestion"),
    "text": ("comment", "text", "freetext", "verbatim", "comments"),
    "rating": ("rating", "fftanswer", "answer", "score"),
    "occupied_bed_days": ("occupiedbeddays", "beddays", "obd"),
    "attendances": ("attendances", "contacts", "attendance"),
    "compliments": ("compliments", "count", "number"),
}

#: How systems word pxassure's vocabularies (keys compared without case, spaces or punctuation).
WORDS = {
    "harm_level": {
        "noharm": "no_harm",
        "none": "no_harm",
        "low": "low",
        "lowharm": "low",
        "minor": "low",
        "moderate": "moderate",
        "moderateharm": "moderate",
        "severe": "severe",
        "severeharm": "severe",
        "major": "severe",
        "death": "death",
        "catastrophic": "death",
        "catastrophicdeath": "death",
    },
    "outcome": {
        "upheld": "upheld",
        "wellfounded": "upheld",
        "partiallyupheld": "partly_upheld",
        "partlyupheld": "partly_upheld",
        "partlywellfounded": "partly_upheld",
        "notupheld": "not_upheld",
        "notwellfounded": "not_upheld",
        "withdrawn": None,
    },
    "primary_subject": {
        "attitudeofstaff": "Staff",
        "staffattitude": "Staff",
        "communication": "Communications",
        "comms": "Communications",
        "discharge": "Admissions, discharges and transfers",
        "dischargearrangements": "Admissions, discharges and transfers",
        "delays": "Waiting times",
        "waitingtime": "Waiting times",
        "nursingcare": "Patient care",
        "lostproperty": "Facilities services",
        "propertylost": "Facilities services",
        "careandtreatment": "Clinical treatment",
        "medicalcare": "Clinical treatment",
        "valuesandbehaviours": "Staff",
        "valuesandbehavioursstaff": "Staff",
    },
    "rating": {
        "verygood": "1",
        "good": "2",
        "neithergoodnorpoor": "3",
        "neither": "3",
        "poor": "4",
        "verypoor": "5",
        "dontknow": "6",
    },
}


def _squeeze(text: object) -> str:
    return re.sub(r"[\W_]+", "", str(text).lower())


@dataclass
class Extract:
    """One extract as read for drafting: its path, header row and text cells."""

    path: Path
    frame: pd.DataFrame
    sheet: str | None = None
    header_row: int = 1
    table: str | None = None
    columns: dict[str, object] = field(default_factory=dict)  # ours -> theirs or derivation
    values: dict[str, dict[str, object]] = field(default_factory=dict)
    aggregate: bool = False

    @property
    def name(self) -> str:
        return re.sub(r"[^a-z0-9]+", "_", self.path.stem.lower()).strip("_") or "extract"


def read(path: str | Path) -> Extract:
    """An extract's cells as text, from a CSV or a workbook's first sheet (header found below titles)."""
    path = Path(path)
    if path.suffix.lower() in readers.EXCEL_SUFFIXES:
        book = readers.open_workbook(path)
        try:
            sheet = book.worksheets[0]
            rows = [[readers.cell_text(v) for v in row] for _, row in readers.sheet_rows(sheet)]
        finally:
            book.close()
        header = _header_index(rows)
        width = max((len(r) for r in rows), default=0)
        body = [r + [""] * (width - len(r)) for r in rows[header + 1 : header + 1 + SAMPLE_ROWS]]
        names = [str(n).strip() for n in rows[header]] if rows else []
        frame = pd.DataFrame([r[: len(names)] for r in body], columns=names, dtype=object)
        return Extract(path, frame.fillna(""), sheet.title, header + 1)
    readers.check_csv(path)
    frame = next(readers.csv_chunks(path, SAMPLE_ROWS)).raw
    frame.columns = [str(c).strip() for c in frame.columns]
    return Extract(path, frame.fillna(""))


def _header_index(rows: list[list[str]]) -> int:
    """The header: the first of the first ten rows that is as wide as the widest of them (title rows are
    narrower)."""
    filled = [sum(1 for v in r if str(v).strip()) for r in rows[:10]]
    widest = max(filled, default=0)
    return next((i for i, n in enumerate(filled) if n >= widest), 0)


def guess_table(extract: Extract) -> str | None:
    """The table the extract most likely feeds: hints in its name and columns, and columns matched."""
    name = extract.path.stem.lower().replace("_", " ")
    columns = " ".join(extract.frame.columns).lower()
    best, score = None, 0.0
    for table, hints in TABLE_HINTS.items():
        points = sum(2 for h in hints if h in name) + sum(1 for h in hints if h in columns)
        points += 0.5 * len(_match_columns(extract, TABLES[table]))
        if points > score:
            best, score = table, points
    return best


def _match_columns(extract: Extract, table: Table) -> dict[str, str]:
    """pxassure column -> the extract's column, where a name matches a synonym (each used once)."""
    theirs = {_squeeze(c): c for c in extract.frame.columns}
    used: set[str] = set()
    out = {}
    for col in table.input_columns:
        names = (_squeeze(col.name), *SYNONYMS.get(col.name, ()))
        hit = next((theirs[n] for n in names if n in theirs and theirs[n] not in used), None)
        if hit is None:
            close = difflib.get_close_matches(
                _squeeze(col.name), [k for k, v in theirs.items() if v not in used], n=1, cutoff=0.85
            )
            hit = theirs[close[0]] if close else None
        if hit is not None:
            out[col.name] = hit
            used.add(hit)
    return out


def _is_dates(values: pd.Series) -> bool:
    present = values[values.str.strip() != ""].head(200)
    return len(present) > 0 and dates.parse(present, month=True).notna().mean() > 0.9


def _finer_than_month(values: pd.Series) -> bool:
    """A date column whose days are not all the first: rows finer than a month (one per event)."""
    present = values[values.str.strip() != ""].head(500)
    days = dates.parse(present).dropna()
    return len(days) > 0 and any(d.day != 1 for d in days)


def propose(extract: Extract) -> Extract:
    """Fill in the table, the columns, aggregation and value translations the extract most likely has."""
    extract.table = guess_table(extract)
    if extract.table is None:
        return extract
    table = TABLES[extract.table]
    matched = _match_columns(extract, table)
    frame = extract.frame
    counted = [c for c in table.input_columns if c.type == "INTEGER" and c.unit == "count"]
    for col in table.input_columns:
        theirs = matched.get(col.name)
        if col.name == "unit_id" and theirs:
            extract.columns[col.name] = {"location": theirs}
        elif theirs:
            extract.columns[col.name] = theirs
        elif not col.nullable:
            extract.columns[col.name] = TODO
    _derivations(extract, table)
    month = matched.get("month")
    key_has_month = "month" in table.key
    if key_has_month and month and _finer_than_month(frame[month].astype(str)) and len(counted) == 1:
        extract.aggregate = True  # one row per event: counted to the table's grain
        extract.columns[counted[0].name] = {"count": "rows"}
    for ours, theirs in list(extract.columns.items()):
        if not isinstance(theirs, str) or theirs == TODO:
            continue
        col = table.column(ours)
        if col.choices or col.type == "BOOLEAN" or ours == "rating":
            extract.values[ours] = _translations(ours, col, frame[theirs].astype(str))
    return extract


def _column_like(frame: pd.DataFrame, *words: str) -> str | None:
    return next((c for c in frame.columns if all(w in _squeeze(c) for w in words)), None)


def _derivations(extract: Extract, table: Table) -> None:
    """Columns an extract holds only as a derivation: a response time from a due date, a comment's
    source from an FFT file, fill rates from rostered hours."""
    frame, columns = extract.frame, extract.columns
    if columns.get("target_working_days") == TODO:
        due, received = _column_like(frame, "due"), columns.get("received")
        if due and isinstance(received, str) and received != TODO:
            columns["target_working_days"] = {"working_days": [received, due]}
    if columns.get("source") == TODO and "fft" in extract.path.stem.lower():
        columns["source"] = {"constant": "fft"}
    if columns.get("text") == TODO:
        columns["text"] = _longest_text(frame) or TODO
    if table.name == "staffing" and _wide_fill_rates(extract):
        return
    actual, planned = _column_like(frame, "actual"), _column_like(frame, "planned")
    if table.name == "staffing" and actual and planned:
        shift = _column_like(frame, "shift")
        group = _column_like(frame, "staff") or _column_like(frame, "group") or _column_like(frame, "role")
        extract.aggregate = True
        for ours in ("rn_day_fill", "rn_night_fill", "care_day_fill", "care_night_fill"):
            staff, time = ours.split("_")[:2]
            where = {}
            if shift:
                where[shift] = _value_like(frame[shift], ("day",) if time == "day" else ("night",))
            if group:
                words = ("regist", "rn", "nurse") if staff == "rn" else ("care", "unreg", "hca", "support")
                where[group] = _value_like(frame[group], words)
            columns[ours] = {"percent": [actual, planned], "where": where}


#: Words that name a staff group or shift in a rostering column's name, by fill-rate column part.
_FILL_WORDS = {
    "rn": ("rn", "registered", "reg", "nurse", "nurses", "rns"),
    "care": ("hca", "hcas", "hcsw", "care", "carer", "carers", "unregistered", "unreg", "support", "cs"),
    "day": ("day", "days"),
    "night": ("night", "nights"),
}


def _wide_fill_rates(extract: Extract) -> bool:
    """Fill rates from an extract with a planned and an actual column per staff group and shift
    (one row per ward and month): each rate from its own two columns. False if it is not so laid out."""
    words = {c: set(re.findall(r"[a-z]+", str(c).lower())) for c in extract.frame.columns}
    found = {}
    for ours in ("rn_day_fill", "rn_night_fill", "care_day_fill", "care_night_fill"):
        staff, time = ours.split("_")[:2]
        pair = []
        for kind in ("actual", "planned"):
            hits = [
                c for c, w in words.items() if kind in w and w & set(_FILL_WORDS[staff]) and w & set(_FILL_WORDS[time])
            ]
            pair.append(hits[0] if len(hits) == 1 else None)
        found[ours] = pair
    if not any(all(pair) for pair in found.values()):
        return False
    extract.aggregate = True  # a row per ward and month already: combining changes nothing
    for ours, (actual, planned) in found.items():
        extract.columns[ours] = {"percent": [actual, planned]} if actual and planned else TODO
    return True


def _longest_text(frame: pd.DataFrame) -> str | None:
    """The column of free text: the one whose cells are longest on average (over 20 characters)."""
    lengths = {c: frame[c].astype(str).str.len().mean() for c in frame.columns}
    best = max(lengths, key=lengths.get, default=None)
    return best if best is not None and lengths[best] > 20 else None


def _unrecorded(extract: Extract, ours: str) -> str:
    """For a column a system may not record at all, how to say so."""
    col = TABLES[extract.table].column(ours)
    if col.type == "BOOLEAN":
        return "; if your system does not record it: {constant: false}"
    if ours == "target_working_days":
        return "; if there is no due date either: {constant: <your agreed working days>}"
    return ""


def _value_like(values: pd.Series, words: tuple[str, ...]) -> str:
    """The distinct value that starts with one of ``words`` (TODO if none or several do)."""
    found = [v for v in values.astype(str).str.strip().unique() if v and any(_squeeze(v).startswith(w) for w in words)]
    return found[0] if len(found) == 1 else TODO


def _translations(ours: str, col, values: pd.Series) -> dict[str, object]:
    """Every distinct value of the extract's column with the pxassure value it most likely is (TODO
    where none is likely). Values pxassure already accepts are left out."""
    choices = list(col.choices) if col.choices else (["true", "false"] if col.type == "BOOLEAN" else [])
    words = WORDS.get("primary_subject" if ours in ("subject", "theme") else ours, {})
    by_key = {_squeeze(c): c for c in choices}
    out: dict[str, object] = {}
    for value in sorted(v for v in values.str.strip().unique() if v):
        if value in choices or (col.type == "BOOLEAN" and value.lower() in TRUE_TEXT | FALSE_TEXT):
            continue
        key = _squeeze(value)
        if key in words:
            out[value] = words[key]
        elif key in by_key:
            out[value] = by_key[key]
        else:
            close = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.6)
            out[value] = by_key[close[0]] if close else TODO
    return out


def locations(extracts: list[Extract], units: pd.DataFrame | None) -> list[dict]:
    """Every location name the extracts use, with the unit it most likely is (TODO where unsure)."""
    names: dict[str, None] = {}
    for x in extracts:
        how = x.columns.get("unit_id")
        if isinstance(how, dict) and "location" in how:
            for v in x.frame[how["location"]].astype(str).str.strip():
                if v:
                    names.setdefault(" ".join(v.split()), None)
    rows = []
    for name in sorted(names, key=str.casefold):
        rows.append({"name": name, "unit": _likely_unit(name, units)})
    return rows


def _likely_unit(name: str, units: pd.DataFrame | None) -> str:
    """The ward a location name most likely is: its code as a word of the name ('NV-AMU'), its whole
    name inside the name ('NVH - Acute Medical Unit'), or a close spelling; TODO when none is."""
    if units is None or units.empty:
        return TODO
    wards = units[units["level"] == "ward"]
    key = _squeeze(name)
    words = {_squeeze(w) for w in re.split(r"[\W_]+", name) if w}
    names = [wards["name"]] + ([wards["former_name"].fillna("")] if "former_name" in wards else [])
    hits = [
        (len(_squeeze(n)), code)
        for column in names
        for code, n in zip(wards["unit_id"], column)
        if n and _squeeze(n) in key
    ]
    hits += [(len(code), code) for code in wards["unit_id"] if _squeeze(code) in words]
    if hits:
        return max(hits)[1]
    scores = [
        (difflib.SequenceMatcher(None, key, _squeeze(n)).ratio(), code)
        for code, n in zip(wards["unit_id"], wards["name"])
    ]
    best = max(scores, default=(0.0, TODO))
    if best[0] >= 0.8:
        return best[1]
    short = {code for column in names for code, n in zip(wards["unit_id"], column) if _abbreviates(name, n)}
    return short.pop() if len(short) == 1 else TODO


def _abbreviates(code: str, name: object) -> bool:
    """Whether a system's short code ('GENSURG3', 'COTE15', 'AMU12') stands for a ward's name: its
    numbers are the name's, and its letters run through prefixes of consecutive words of the name."""
    if not isinstance(name, str) or " " in code.strip():
        return False
    letters = "".join(re.findall(r"[a-z]+", code.lower()))
    words = re.findall(r"[a-z]+", name.lower())
    if len(letters) < 2 or sorted(re.findall(r"\d+", code)) != sorted(re.findall(r"\d+", name)):
        return False

    def runs(rest: str, i: int) -> bool:
        if not rest:
            return True
        return i < len(words) and any(
            rest.startswith(words[i][:k]) and runs(rest[k:], i + 1) for k in range(len(words[i]), 0, -1)
        )

    return any(runs(letters, i) for i in range(len(words)))


def _yaml_text(value) -> str:
    """A scalar written so YAML reads it back as the same text (quoted where it must be)."""
    text = "~" if value is None else str(value)
    if value is None:
        return text
    if re.fullmatch(r"[A-Za-z][\w ()/&'.,-]*", text) and text.lower() not in (
        "yes",
        "no",
        "true",
        "false",
        "y",
        "n",
        "on",
        "off",
        "null",
        "none",
    ):
        return text if not text.endswith(":") and ": " not in text and " #" not in text else repr(text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _choices(col) -> str:
    if len(col.choices) > 8:
        return f"one of pxassure's {len(col.choices)} values for {col.name} (docs/data-model.md)"
    return "one of " + ", ".join(col.choices)


def _choices(col) -> str:
    if len(col.choices) > 8:
        return f"one of pxassure's {len(col.choices)} values for {col.name} (docs/data-model.md)"
    return "one of " + ", ".join(col.choices)


def _derivation_text(how: dict) -> str:
    """A derivation as one line of YAML: {kind: argument, where: {column: value}}."""
    kind = next(k for k in how if k != "where")
    arg = how[kind]
    text = f"[{', '.join(_yaml_text(a) for a in arg)}]" if isinstance(arg, list) else _yaml_text(arg)
    if how.get("where"):
        text += ", where: {" + ", ".join(f"{_yaml_text(k)}: {_yaml_text(v)}" for k, v in how["where"].items()) + "}"
    return f"{{{kind}: {text}}}"


def render(extracts: list[Extract], places: list[dict], base: Path) -> str:
    """The draft sources file, TODO marked wherever a person must decide."""
    lines = [
        "# pxassure sources file, drafted by `pxassure map`: complete every TODO, then",
        "#   pxassure load --sources THIS_FILE --check   (see docs/own-data.md)",
        "locations:   # each system's name for a place -> your unit code (or skip: a reason, for non-wards)",
    ]
    for p in places:
        todo = "   # TODO: the unit code, or skip: a reason" if p["unit"] == TODO else ""
        lines.append(f"  - {{name: {_yaml_text(p['name'])}, unit: {_yaml_text(p['unit'])}}}{todo}")
    if not places:
        lines[-1] = "locations: []   # no location column found"
    lines.append("extracts:")
    for x in extracts:
        lines.append(f"  {x.name}:")
        try:
            rel = x.path.resolve().relative_to(base.resolve())
        except ValueError:
            rel = x.path.resolve()
        lines.append(f"    file: {_yaml_text(str(rel))}")
        if x.sheet:
            lines.append(f"    sheet: {_yaml_text(x.sheet)}")
        if x.header_row != 1:
            lines.append(f"    header_row: {x.header_row}")
        if x.table is None:
            lines.append(f"    table: {TODO}   # TODO: one of {', '.join(TABLES)}")
            lines.append(f"    columns: {{}}   # TODO; the extract's columns: {', '.join(x.frame.columns)}")
            continue
        lines.append(f"    table: {x.table}")
        if x.aggregate:
            counts = any(isinstance(h, dict) and "count" in h for h in x.columns.values())
            why = "one row per event: rows are counted" if counts else "rows are combined (hours summed)"
            lines.append(f"    aggregate: true   # {why} per unit and month")
        lines.append("    columns:")
        for ours, how in x.columns.items():
            text = _derivation_text(how) if isinstance(how, dict) else _yaml_text(how)
            todo = (
                f"   # TODO: which column? ({', '.join(x.frame.columns)}){_unrecorded(x, ours)}" if how == TODO else ""
            )
            if isinstance(how, dict) and TODO in str(how.get("where", "")):
                todo = "   # TODO: which value of the column picks these rows?"
            lines.append(f"      {ours}: {text}{todo}")
        if x.values:
            lines.append("    values:")
            for ours, mapping in x.values.items():
                if not mapping:
                    continue
                lines.append(f"      {ours}:")
                for theirs, mine in mapping.items():
                    todo = f"   # TODO: {_choices(TABLES[x.table].column(ours))}" if mine == TODO else ""
                    lines.append(f"        {_yaml_text(theirs)}: {_yaml_text(mine)}{todo}")
    return "\n".join(lines) + "\n"


def draft(paths: list[str | Path], output: str | Path, units: pd.DataFrame | None = None) -> tuple[str, int]:
    """Write the draft sources file for ``paths`` to ``output``; return its text and the TODOs left."""
    extracts = []
    for p in paths:
        try:
            extracts.append(propose(read(p)))
        except ReadError as exc:
            raise SourcesFileError(f"cannot draft a mapping for {p}: {exc}") from None
    output = Path(output)
    text = render(extracts, locations(extracts, units), output.parent)
    return text, text.count(f"# {TODO}")
