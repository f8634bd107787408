"""pxassure: patient-experience governance assurance for NHS trusts.

Data flow one way, and the package is laid out in the same order; a module imports only
from its own layer or the layers before it (``tests/test_architecture.py`` checks):

1. foundation — :mod:`pxassure.errors` (every error, one root), :mod:`pxassure.files`
2. :mod:`pxassure.ingest` — sources → validated tables in the store
3. :mod:`pxassure.analysis` — pure functions on DataFrames (SPC, trends, measures …)
4. :mod:`pxassure.reports` — one report model per committee, and the governance structure
5. :mod:`pxassure.publish` — words, charts, HTML, nbconvert export, papermill builds
6. :mod:`pxassure.cli` — the ``pxassure`` command

Modules are imported by their layer (``from pxassure.analysis import spc``), so that
``import pxassure`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"
