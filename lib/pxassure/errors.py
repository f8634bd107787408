"""Every error pxassure raises on purpose, under one root.

A :class:`PxassureError` is a user's mistake or a fault outside pxassure (a bad file, an
unknown parameter, a database that cannot be opened): its message says what was wrong
and what was expected, and the ``pxassure`` command prints it plainly, with no
traceback. Anything else that escapes is a bug in pxassure.

Each error derives from its root alone (or from a more general pxassure error), so that
catching ``PxassureError`` is the one way to tell a user's mistake from a bug.
"""

from __future__ import annotations

MAX_PROBLEMS_SHOWN = 50


class PxassureError(Exception):
    """The root of every error pxassure raises on purpose."""


class ParameterError(PxassureError):
    """A report parameter that cannot be used; the message says what was expected."""


class CommitteeError(PxassureError):
    """A committee parameters file (``params/*.yaml``) or committee that cannot be used."""


class SPCOptionsError(ParameterError):
    """An unknown SPC preset or option, or a value the option does not allow."""


class MeasureError(PxassureError):
    """A measure definition, or a use of a measure, that cannot work (unknown id, wrong level …)."""


class SPCInputError(PxassureError):
    """Input an SPC or trend function cannot chart: the message names the value and what was expected."""


class ReadError(PxassureError):
    """A source that cannot be read at all (wrong encoding, not a workbook …); carries the problem."""

    def __init__(self, problem):
        self.problem = problem
        super().__init__(str(problem))


class SourcesFileError(PxassureError):
    """A warehouse sources file (YAML) that cannot be used."""


class StoreError(PxassureError):
    """The database could not do what was asked; nothing was changed."""


class MissingDatabaseError(StoreError):
    """The database file a report or command needs does not exist."""


class ExportError(PxassureError):
    """An executed notebook could not be turned into a safe, offline report."""


class KernelError(PxassureError):
    """A report's kernel could not be started (the pre-imported zygote failed)."""


class SnapshotError(PxassureError):
    """A build worker's database or code is not the snapshot the build was planned on."""


class PdfError(PxassureError):
    """A paper or the board pack could not be printed to PDF (no Chromium, or it failed)."""


class ValidationError(PxassureError):
    """Inputs failed validation; nothing was loaded. ``problems`` lists them (``total`` counts all).

    Each problem is a :class:`pxassure.ingest.problems.Problem`: file, sheet, row, column,
    the value found and what was expected.
    """

    def __init__(self, problems: list, total: int | None = None, outcome: str = "nothing was loaded"):
        self.problems = problems
        self.total = len(problems) if total is None else total
        shown = "\n".join(f"  - {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = f"\n  … and {self.total - MAX_PROBLEMS_SHOWN} more" if self.total > MAX_PROBLEMS_SHOWN else ""
        super().__init__(f"{self.total} problem(s) found; {outcome}:\n{shown}{more}")
