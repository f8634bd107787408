"""Per-committee report models: the third layer, between the analysis and the published paper.

- :mod:`~pxassure.reports.committees` — the governance structure: layers, params files, the
  measures each paper shows, links up and down
- :mod:`~pxassure.reports.parameters` — report parameters, checked first; reproduce commands
- :mod:`~pxassure.reports.data` — what a report reads from the store
- :mod:`~pxassure.reports.charting` — charted measures; :mod:`~pxassure.reports.model` — the :class:`Report` base
- :mod:`~pxassure.reports.escalation` — exceptions read from the findings of the layer below
- :mod:`~pxassure.reports.provenance` — code version, findings files
- one module per paper: :mod:`board`, :mod:`patient_experience` and :mod:`quality` (the committees, sharing :mod:`trustwide`), :mod:`division`, :mod:`ward`

Each model reads its scope and period from the store (read-only), runs the analysis and
holds what its notebook renders; ``findings()`` is the machine-readable summary the layer
above reads. The names below are what notebooks call; they load on first use, so planning a
build imports only :mod:`committees` and :mod:`parameters`.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "board_report": "board",
    "BoardReport": "board",
    "patient_experience_report": "patient_experience",
    "PatientExperienceReport": "patient_experience",
    "quality_report": "quality",
    "QualityReport": "quality",
    "division_report": "division",
    "DivisionReport": "division",
    "governors_report": "governors",
    "GovernorsReport": "governors",
    "ward_report": "ward",
    "WardReport": "ward",
    "write_findings": "provenance",
    "code_version": "provenance",
    "unit_code": "parameters",
    "check_parameters": "parameters",
    "spc_options": "parameters",
    "resolve_period": "parameters",
    "ReportData": "data",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"pxassure.reports.{_EXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pxassure.reports' has no attribute {name!r}")
