"""Per-committee report models, one module per reporting layer.

Each model reads its scope and period from the store (read-only), runs the analysis and
holds what its notebook renders; ``findings()`` is the machine-readable summary the layer
above reads.
"""

from pxassure.reports.base import (
    ParameterError,
    ReportData,
    chart_measure,
    code_version,
    describe_sections,
    report_links,
    reproduce_commands,
    resolve_period,
    spc_options,
    unit_code,
    write_findings,
)
from pxassure.reports.board import BoardReport, board_report
from pxassure.reports.committee import (
    PatientExperienceReport,
    QualityReport,
    patient_experience_report,
    quality_report,
)
from pxassure.reports.division import DivisionReport, division_report
from pxassure.reports.ward import WardReport, ward_report

__all__ = [
    "BoardReport",
    "DivisionReport",
    "ParameterError",
    "PatientExperienceReport",
    "QualityReport",
    "ReportData",
    "WardReport",
    "board_report",
    "chart_measure",
    "code_version",
    "describe_sections",
    "division_report",
    "patient_experience_report",
    "quality_report",
    "report_links",
    "reproduce_commands",
    "resolve_period",
    "spc_options",
    "unit_code",
    "ward_report",
    "write_findings",
]
