"""Remove personal details from patient comments before anyone sees them.

Each kind of identifier is replaced by a bracketed label, so the reader knows something was there:

- ``[email]`` email addresses;
- ``[hospital number]`` hospital or case-note numbers (letters then 6–8 digits, or any code after
  "hospital number", "MRN", "ref" …);
- ``[NHS number]`` ten digits, optionally spaced or hyphenated 3-3-4;
- ``[phone]`` UK telephone numbers (01…, 02…, 03…, 07…, 0800…, +44 …, and ``(020) 7946 0018``);
- ``[date]`` full dates with a year (``12/03/1954``, ``3 March 1954``) and years of birth
  ("born in 1954"): in a comment they are dates of birth or dates that identify a stay;
- ``[address]`` a house number with its street (``14 Acacia Avenue``);
- ``[postcode]`` UK postcodes (``SW1A 1AA``, ``m1 1ae``);
- ``[name]`` a name after a title (``Mr Patel``, ``Sister O'Brien``, ``Matron McDonald``), a role
  in any case (``staff nurse Aisha``, ``the consultant Zofia Nowak``), a relative (``my son Tom``,
  ``my father, Gareth,``), "my name is", "called", or thanks (``Thanks Niamh``).

Patterns, not a model: no maintained library on the package registries recognises names in
English offline (Presidio and scrubadub need spaCy models that are not published there), and
the patterns are measured on a labelled corpus of synthetic comments (``tests/data/pii/``;
``benchmarks/redaction.py`` prints recall and the share of ordinary words removed). A name
written with no title, role, relative or phrase before it cannot be recognised this way, so
comments are quoted only in ward reports, and redacted text is still escaped when rendered.
"""

from __future__ import annotations

import re

_MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_STREET = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Way|Court|Crescent|Gardens|Grove|Place|Terrace|Walk|View"
    r"|Hill|Park|Row|Mews|Square|Green|Rise|Vale|Parade|Wharf|Yard|Boulevard)"
)

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[hospital number]", re.compile(r"\b[A-Z]{1,3}\d{6,8}\b")),
    ("[NHS number]", re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("[phone]", re.compile(r"\(0\d{2,4}\)\s?\d{3,4}[\s-]?\d{3,4}\b")),
    ("[phone]", re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|\b0)(?:\d[\s-]?){8,9}\d\b")),
    ("[date]", re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})\b")),
    ("[date]", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_NAMES}\.?,?\s+\d{{4}}\b", re.I)),
    ("[address]", re.compile(rf"\b\d{{1,4}}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}{_STREET}\b")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
]

_HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Sir|Dame|Madam|Sister|Matron|Nurse|Father|Rev)"
_ROLE = (
    r"(?:staff nurse|student nurse|charge nurse|senior nurse|nurse|sister|matron|midwife|doctor|consultant|registrar"
    r"|surgeon|anaesthetist|physio|physiotherapist|occupational therapist|therapist|healthcare assistant"
    r"|health care assistant|care assistant|hca|porter|receptionist|paramedic|housekeeper|ward clerk|clerk|cleaner"
    r"|volunteer|pharmacist|chaplain|dietitian|dietician|phlebotomist|radiographer|sho|ward manager|manager"
    r"|domestic|technician|specialist nurse)"
)
_RELATIVE = (
    r"(?:son|daughter|wife|husband|partner|mum|mom|mother|dad|father|brother|sister|nan|nana|nanna|gran|granny"
    r"|grandma|grandad|granddad|grandpa|grandmother|grandfather|grandson|granddaughter|aunt|auntie|uncle|niece"
    r"|nephew|cousin|friend|carer|neighbour|baby|boy|girl|fiance|fiancé|fiancee|fiancée|stepson|stepdaughter"
    r"|other half|hubby|missus|lad|lass|boyfriend|girlfriend|son-in-law|daughter-in-law|mother-in-law"
    r"|father-in-law|stepmum|stepdad|godson|goddaughter|twin)"
)
_NAME_WORD = r"(?:(?:Mc|Mac|O['’]|D['’])?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)*)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD})?"

# Identifiers known by the words before them: group 1 (the words) is kept, group 2 replaced.
KEYED_PATTERNS: list[tuple[str, re.Pattern]] = [
    (
        "[hospital number]",
        re.compile(
            r"\b((?i:hospital number|hospital no\.?|hosp\.? no\.?|mrn|unit number|patient number|case number"
            r"|ref(?:erence)?(?: number| no\.?)?)\s*[:#]?\s*)((?=[A-Z0-9]*\d)[A-Z0-9]{5,12})\b"
        ),
    ),
    ("[date]", re.compile(r"\b((?i:born)\s+(?:(?i:in|on)\s+)?)(\d{4})\b")),
]

# Names: group 1 (the title, role or phrase) is kept, group 2 (the name) replaced.
NAME_PATTERNS: list[re.Pattern] = [
    re.compile(rf"\b({_HONORIFIC}\.?\s+)({_NAME})"),
    re.compile(rf"\b((?i:{_ROLE}),?\s+)({_NAME})"),
    re.compile(rf"\b((?i:my|our|his|her|their)\s+(?i:{_RELATIVE})\s*,?\s+)({_NAME})"),
    re.compile(rf"\b((?i:my name is|i am called|i'm called|called|named|known as)\s+)({_NAME})"),
    re.compile(rf"\b((?i:thanks|thank you|thankyou|cheers)\s+(?:(?i:to)\s+)?)({_NAME})"),
]
#: Capitalised words that follow a role or a thank-you without being anyone's name.
NOT_NAMES = frozenset(
    """The A An And But Or On In At To For Of From With By Ward Wards Team Staff Unit Department Hospital Trust NHS
    Nurse Nurses Sister Matron Doctor Doctors Dr Mr Mrs Ms Miss Professor Consultant Midwife Midwives Porter Porters
    Everyone Everybody All Very So Good Great Thank Thanks Was Were Is Are It He She They We You I My Our Your His
    Her Their This That These Those There Here When Then After Before During Today Yesterday Tomorrow Night Day
    Morning Evening Weekend Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter Please Not
    Outpatients Maternity Theatre Theatres Clinic Reception Pharmacy Radiology Cardiology Oncology Emergency""".split()
)


def _replace_name(m: re.Match) -> str:
    first = m.group(2).split()[0]
    if first in NOT_NAMES:
        return m.group(0)
    return m.group(1) + "[name]"


def redact(text: str | None) -> str:
    """``text`` with personal details replaced by bracketed labels (see the module's list)."""
    if text is None:
        return ""
    out = str(text)
    for label, pattern in KEYED_PATTERNS:
        out = pattern.sub(lambda m, _label=label: m.group(1) + _label, out)
    for label, pattern in PATTERNS:
        out = pattern.sub(label, out)
    for pattern in NAME_PATTERNS:
        out = pattern.sub(_replace_name, out)
    return out


_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|\d+")
_PIECE = re.compile(r"[A-Za-z]{3,}|\d{3,}")  # parts of an identifier that would give it away


def score(comments: list[tuple[str, list[str]]]) -> dict:
    """How well :func:`redact` does on labelled comments: (text, the identifiers it contains).

    ``recall`` is the share of identifiers wholly removed (the identifier gone, and none of its
    pieces of three or more letters or digits left, so "Brien" left of "O'Brien" is a miss);
    ``wrongly_removed`` the share of the other words (the comment without its
    identifiers) that redaction removed. ``missed`` and ``over`` list the failures.
    """
    found = total = ordinary = removed = 0
    missed, over = [], []
    for text, identifiers in comments:
        out = redact(text)
        out_words = _WORD.findall(out)
        out_pieces = set(_PIECE.findall(out))
        for ident in identifiers:
            total += 1
            leaked = [w for w in _PIECE.findall(ident) if w in out_pieces]
            if ident not in out and not leaked:
                found += 1
            else:
                missed.append((text, ident, out))
        rest = text
        for ident in identifiers:
            rest = rest.replace(ident, " ")
        words = _WORD.findall(rest)
        ordinary += len(words)
        pool = list(out_words)
        for w in words:
            if w in pool:
                pool.remove(w)
            else:
                removed += 1
                over.append((text, w, out))
    return {
        "identifiers": total,
        "recall": found / total if total else 1.0,
        "ordinary_words": ordinary,
        "wrongly_removed": removed / ordinary if ordinary else 0.0,
        "missed": missed,
        "over": over,
    }
