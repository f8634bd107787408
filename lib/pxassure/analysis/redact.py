"""Remove personal details from patient comments before anyone sees them.

Patterns removed (replaced by a bracketed label so the reader knows something was there):

- NHS numbers: ten digits, optionally spaced or hyphenated 3-3-4;
- email addresses;
- UK telephone numbers (01…, 02…, 03…, 07…, 0800…, +44 …);
- UK postcodes (e.g. ``SW1A 1AA``, ``m1 1ae``);
- names after a title or a role (``Mr Patel``, ``Dr. Jones``, ``Nurse Priya``, ``Sister Ann``), and
  after "my name is" / "I am called" / "called".

Redaction is conservative on purpose: a name written with no title or role cannot be
recognised reliably by pattern, so comments are also never shown with an identifier of the
patient, and the ward layer is the only one that quotes comments at all. Redacted text is
still escaped when rendered (:mod:`pxassure.render`).
"""

from __future__ import annotations

import re

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Doctor|Prof|Professor|Nurse|Sister|Matron|Sir|Madam|Dame)"
_NAME = r"[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+)?"

PATTERNS: list[tuple[str, re.Pattern]] = [
    ("[email]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("[NHS number]", re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")),
    ("[phone]", re.compile(r"(?:\+44\s?(?:\(0\)\s?)?|\b0)(?:\d[\s-]?){8,9}\d\b")),
    ("[postcode]", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)),
]
# Names: group 1 (the title or phrase) is kept, group 2 (the name) replaced.
NAME_PATTERNS: list[re.Pattern] = [
    re.compile(rf"\b({_TITLES}\.?\s+)({_NAME})"),
    re.compile(rf"\b((?i:my name is|i am called|i'm called|called|named)\s+)({_NAME})"),
]


def redact(text: str | None) -> str:
    """``text`` with personal details replaced by ``[email]``, ``[NHS number]``, ``[phone]``,
    ``[postcode]`` and ``[name]``."""
    if text is None:
        return ""
    out = str(text)
    for label, pattern in PATTERNS:
        out = pattern.sub(label, out)
    for pattern in NAME_PATTERNS:
        out = pattern.sub(lambda m: m.group(1) + "[name]", out)
    return out
