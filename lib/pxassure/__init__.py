"""pxassure: patient-experience governance assurance for NHS trusts.

Data flow one way, and the package is laid out in the same order; a module imports only
from its own layer or the layers before it (``tests/test_architecture.py`` checks):

1. foundation — :mod:`pxassure.errors` (every error, one root), :mod:`pxassure.files`
2. :mod:`pxassure.ingest` — sources → validated tables in the store
3. :mod:`pxassure.analysis` — pure functions on DataFrames (SPC, trends, measures …)
4. :mod:`pxassure.reports` — one report model per committee, and the governance structure
5. :mod:`pxassure.publish` — words, charts, HTML, nbconvert export, papermill builds
6. :mod:`pxassure.cli` — the ``pxassure`` command

The modules analysts use by name are re-exported here, loaded on first use so that
``import pxassure`` stays cheap: ``pxassure.spc.xmr``, ``from pxassure import trends``,
``pxassure.framework.catalogue()``.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Short names kept from before the layers existed, so analysts' code keeps working.
_MODULES = {
    **{name: "pxassure.ingest." + name for name in ("schema", "store", "sources", "fft", "demo", "warehouse")},
    **{name: "pxassure.ingest." + name for name in ("selfassessment", "readers", "problems", "catalogue")},
    **{name: "pxassure.analysis." + name for name in ("spc", "trends", "funnel", "framework", "measures")},
    **{name: "pxassure.analysis." + name for name in ("options", "suppression", "redact")},
    "committees": "pxassure.reports.committees",
    **{name: "pxassure.publish." + name for name in ("charts", "render", "export", "build", "vocabulary")},
}


def __getattr__(name: str):
    if name in _MODULES:
        module = importlib.import_module(_MODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'pxassure' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_MODULES])
