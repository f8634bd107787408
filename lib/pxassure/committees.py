"""The governance structure, board to ward: which reports exist and how they link.

Standing committees have one parameters file each in ``params/``; the division and ward
layers have one *template* each, expanded over the organisation hierarchy, so a new ward
in the data gets its report without editing ``params/``.

Reporting chain (from the trusts' strategies): ward → division → patient experience
committee → executive quality committee → the board's quality committee → Trust Board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

#: Layers from the bottom up: reports are built in this order so each layer's findings
#: exist when the layer above is built.
LAYERS = ("ward", "division", "patient_experience", "executive_quality", "board_quality", "board")
LAYER_TITLES = {
    "board": "Trust Board",
    "board_quality": "Quality and Governance Committee (board)",
    "executive_quality": "Executive Quality Committee",
    "patient_experience": "Patient Experience Committee",
    "division": "Divisions",
    "ward": "Wards and departments",
}


def project_root() -> Path:
    """The pxassure checkout (``PXASSURE_HOME`` overrides): where notebooks/ and params/ live."""
    import os

    return Path(os.environ.get("PXASSURE_HOME", Path(__file__).resolve().parents[2]))


def params_dir() -> Path:
    return project_root() / "params"


class CommitteeError(ValueError):
    """A parameters file or committee that cannot be used."""


@dataclass
class ReportSpec:
    """One report of the pack: where it comes from and where it goes."""

    key: str  # params file stem, e.g. "board", "ward"
    layer: str
    notebook: str
    title: str
    name: str  # file name stem within the layer folder: committee key, or the unit code
    unit_id: str | None = None
    unit_name: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """Path of the HTML report relative to ``outputs/<period>/``."""
        return f"{self.layer}/{self.name}.html"


def read_params(path: Path) -> dict:
    """Read one parameters file (safe YAML: data only, never code)."""
    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh) or {}
    if not isinstance(spec, dict):
        raise CommitteeError(f"{path}: expected a mapping of keys to values")
    for key in ("layer", "notebook", "title"):
        if key not in spec:
            raise CommitteeError(f"{path}: missing key {key!r}")
    if spec["layer"] not in LAYERS:
        raise CommitteeError(f"{path}: layer {spec['layer']!r} is not one of {list(LAYERS)}")
    expand = spec.get("expand")
    if expand not in (None, "division", "ward"):
        raise CommitteeError(f"{path}: expand must be 'division' or 'ward', got {expand!r}")
    return spec


def load_all(params_dir: Path) -> dict[str, dict]:
    """Every parameters file in ``params_dir`` by its stem."""
    return {p.stem: read_params(p) for p in sorted(params_dir.glob("*.yaml"))}


def expand(key: str, spec: dict, units: pd.DataFrame) -> list[ReportSpec]:
    """The reports one parameters file stands for: one, or one per division or ward."""
    params = dict(spec.get("parameters") or {})
    level = spec.get("expand")
    if level is None:
        return [ReportSpec(key, spec["layer"], spec["notebook"], spec["title"], key, parameters=params)]
    rows = units[units["level"] == level].sort_values("unit_id")
    return [
        ReportSpec(
            key,
            spec["layer"],
            spec["notebook"],
            spec["title"].format(unit_name=r.name, unit_id=r.unit_id),
            r.unit_id,
            r.unit_id,
            r.name,
            parameters={**params, "unit_id": r.unit_id},
        )
        for r in rows.itertuples(index=False)
    ]


def plan(params: dict[str, dict], units: pd.DataFrame, *, only: list[str] | None = None) -> list[ReportSpec]:
    """Every report of the pack, bottom layer first. ``only`` keeps the named params keys."""
    specs = []
    for key, spec in params.items():
        if only and key not in only:
            continue
        specs.extend(expand(key, spec, units))
    return sorted(specs, key=lambda s: (LAYERS.index(s.layer), s.name))


def division_of(units: pd.DataFrame, unit_id: str) -> str | None:
    """The division a unit sits in (itself, for a division)."""
    parents = units.set_index("unit_id")
    node = unit_id
    while node in parents.index:
        if parents.loc[node, "level"] == "division":
            return node
        node = parents.loc[node, "parent_id"]
        if node is None or (isinstance(node, float)) or pd.isna(node):
            return None
    return None


def links(spec_layer: str, unit_id: str | None, units: pd.DataFrame, params: dict[str, dict]) -> dict[str, list]:
    """Reports one layer up and one layer down, as (title, path relative to outputs/<period>/).

    Paths are to where those reports are written; a build only renders the links whose
    report exists.
    """
    by_layer: dict[str, list[tuple[str, str]]] = {}
    for key, spec in params.items():
        if spec.get("expand"):
            continue
        by_layer.setdefault(spec["layer"], []).append((spec["title"], f"{spec['layer']}/{key}.html"))
    unit_rows = units.set_index("unit_id")
    up: list[tuple[str, str]] = []
    down: list[tuple[str, str]] = []
    if spec_layer == "ward":
        div = division_of(units, unit_id)
        if div:
            up.append((f"{unit_rows.loc[div, 'name']} divisional report", f"division/{div}.html"))
    elif spec_layer == "division":
        up += by_layer.get("patient_experience", [])
        wards = units[(units["level"] == "ward")]
        wards = wards[[division_of(units, w) == unit_id for w in wards["unit_id"]]]
        down += [(f"{w.name} ({w.unit_id})", f"ward/{w.unit_id}.html") for w in wards.itertuples(index=False)]
    else:
        i = LAYERS.index(spec_layer)
        if i + 1 < len(LAYERS):
            up += by_layer.get(LAYERS[i + 1], [])
        below = LAYERS[i - 1]
        if below == "division":
            down += [
                (f"{d.name} divisional report", f"division/{d.unit_id}.html")
                for d in units[units["level"] == "division"].sort_values("unit_id").itertuples(index=False)
            ]
        else:
            down += by_layer.get(below, [])
    return {"up": up, "down": down}
