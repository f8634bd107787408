"""What every report constructor does first, and the fields every paper carries from it.

Each constructor keeps its own keyword signature (papermill passes the notebook's parameters
by name, and a reviewer reads them there); :func:`open_report` then checks the SPC options,
finds the committee's parameters file and loads the data, in that order, so a mistyped option
is refused before the database is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pxassure.analysis import involvement
from pxassure.analysis.measures import Measure
from pxassure.analysis.options import SPCOptions
from pxassure.reports import committees
from pxassure.reports.data import ReportData, load
from pxassure.reports.parameters import spc_options
from pxassure.reports.provenance import code_version, parameters_of


@dataclass(frozen=True)
class Opening:
    """A report's committee, options, escalated measures and data, ready for its model."""

    database: str | Path
    committee: str
    spec: dict
    options: SPCOptions
    escalated: list[Measure]
    data: ReportData

    def measures(self, kind: str) -> list[Measure]:
        """The measures the committee's parameters file lists under ``kind``."""
        return committees.measure_list(self.spec, kind)

    def common(self, unit_id: str, linkable: list[str] | None, /, **parameters: Any) -> dict[str, Any]:
        """The fields of :class:`~pxassure.reports.model.Report` every paper fills the same way;
        ``parameters`` are the reproduce command's own (``unit_id`` or ``committee``)."""
        data, month = self.data, self.data.month
        return {
            "committee": self.committee,
            "notebook": self.spec["notebook"],
            "layer": self.spec["layer"],
            "period": data.period,
            "month": month,
            "unit_id": unit_id,
            "options": self.options,
            "escalated": self.escalated,
            "links": committees.report_links(self.spec["layer"], unit_id, data.units, linkable, data.committee_names),
            "parameters": parameters_of(data.period, self.database, self.options, **parameters),
            "snapshot": data.snapshot,
            **data.owners(),
            "involved": _involved(data, unit_id),
            "code_version": code_version(),
        }


def _involved(data: ReportData, unit_id: str):
    """The involvement activities of the paper's scope in its last three months, for its cover
    (None when the trust has not supplied its record of involvement)."""
    if not data.source_supplied("involvement_activities"):
        return None
    return involvement.recent(data.tables["involvement_activities"], data.scope(unit_id), data.month)


def open_report(
    database: str | Path,
    period: Any,
    committee: str,
    notebook: str,
    spc: tuple[str, int | None, int | None, int | None],
    unit_id: str | None = None,
    *,
    quotes: bool = False,
) -> Opening:
    """Check ``spc`` (preset, shift, trend, minimum points), find ``committee``'s parameters file
    (which must name ``notebook``) and load the data for ``period`` (and ``unit_id``'s scope)."""
    options = spc_options(*spc)
    spec = committees.committee_for(committee, notebook)
    escalated = committees.escalated_measures()
    data = load(database, period, unit_id, quotes=quotes)
    return Opening(database, committee, spec, options, escalated, data)
