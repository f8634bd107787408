"""The governance structure, board to ward: which reports exist, what each shows, how they link.

Standing committees have one parameters file each in ``params/``; the division and ward
layers have one *template* each, expanded over the organisation hierarchy, so a new ward
in the data gets its report without editing ``params/``. A parameters file also lists the
measures its paper shows (see :data:`MEASURE_LISTS`); ids are checked against the measure
registry when the file is read, so a typo stops a build before anything runs.

Reporting chain (from the trusts' strategies): ward → division → patient experience
committee → executive quality committee → the board's quality committee → Trust Board.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pxassure.analysis import measures
from pxassure.analysis.involvement import SATISFACTION_COMMITMENT
from pxassure.errors import CommitteeError, MeasureError
from pxassure.ingest.columns import CADENCES
from pxassure.ingest.columns import LAYERS as SCHEMA_LAYERS
from pxassure.reports.cover import read_cover, read_scale

#: The trust's own settings in params/ (not a committee): its assurance scale for cover sheets.
TRUST_SETTINGS = "trust.yaml"
#: Safe YAML (data only, never code), in libyaml's C parser where PyYAML was built with it: ten
#: times faster, and every report reads the params files.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Layers from the bottom up (the reverse of ``schema.LAYERS``): reports are built in this
#: order so each layer's findings exist when the layer above is built.
LAYERS = tuple(reversed(SCHEMA_LAYERS))
#: The chain from ward to board that exceptions travel up and links follow (not the governors').
CHAIN = tuple(layer for layer in LAYERS if layer != "governors")
LAYER_TITLES = {
    "governors": "Governors' Membership and Community Engagement Committee",
    "board": "Trust Board",
    "board_quality": "Quality and Governance Committee",
    "executive_quality": "Executive Quality Committee",
    "patient_experience": "Patient Experience Committee",
    "division": "Divisions",
    "ward": "Wards and departments",
}


def layer_names(table: pd.DataFrame | None) -> dict[str, str]:
    """Each layer's committee as the trust's ``committees`` table names it (a layer's first)."""
    if table is None or table.empty:
        return {}
    return dict(zip(table["layer"][::-1], table["name"][::-1]))


def meeting_name(spec: dict, names: dict[str, str] | None = None) -> str:
    """The meeting a paper goes to: as its params file's ``cover:`` names it, else as the trust
    names its layer's committee (``names``, from :func:`layer_names`), else the usual name."""
    return spec.get("cover", {}).get("meeting") or (names or {}).get(spec["layer"]) or LAYER_TITLES[spec["layer"]]


def in_trust_words(text: str, spec: dict, names: dict[str, str] | None = None, **more: str) -> str:
    """A params file's text with its committees named as the trust names them: ``{meeting}`` is
    the paper's own, ``{board}``, ``{board_quality}`` … each layer's (see :data:`LAYER_TITLES`)."""
    layers = {layer: (names or {}).get(layer) or usual for layer, usual in LAYER_TITLES.items()}
    return text.format(**layers, meeting=meeting_name(spec, names), **more)


def heading(spec: dict, *, unit_name: str = "", unit_id: str = "", names: dict[str, str] | None = None) -> str:
    """A paper's heading from its params file's ``title``, which may name committees as
    :func:`in_trust_words` does, ``{unit_name}`` and ``{unit_id}``."""
    return in_trust_words(spec["title"], spec, names, unit_name=unit_name, unit_id=unit_id)


def project_root() -> Path:
    """The pxassure checkout (``PXASSURE_HOME`` overrides): where notebooks/ and params/ live."""
    import os

    return Path(os.environ.get("PXASSURE_HOME", Path(__file__).resolve().parents[3]))


def params_dir() -> Path:
    return project_root() / "params"


#: Measure lists a parameters file may hold: key -> (organisation level its measures must be
#: shown at — "layer" for the level of the paper's own scope, None for no check — and what the
#: list is for). A chart list left out means every measure defined for its level.
MEASURE_LISTS: dict[str, tuple[str | None, str]] = {
    "measures": ("layer", "the paper's own charts, at the level of its scope (trust, division or ward)"),
    "division_measures": ("division", "charted for each division (board, committees)"),
    "ward_measures": ("ward", "charted for each ward of the division (division small multiples)"),
    "escalate": ("ward", "a ward's special-cause concern on these is escalated to the layers above (ward.yaml)"),
    "funnel_measures": (None, "funnel plots comparing wards (Patient Experience Committee)"),
    "triangulate": (None, "set beside FFT % positive across wards (quality committees)"),
}


def satisfaction_commitment(spec: dict) -> float:
    """The involvement programme's commitment on participants' satisfaction (%), as a committee's
    parameters file sets it under ``involvement: satisfaction_commitment`` (default 90)."""
    value = (spec.get("involvement") or {}).get("satisfaction_commitment", SATISFACTION_COMMITMENT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise CommitteeError(
            f"{spec.get('_path', 'the parameters file')}: involvement: satisfaction_commitment is {value!r}; "
            "expected a percentage above 0 and at most 100, such as 90"
        )
    return float(value)


#: Layers whose papers open with a full cover sheet (divisions and wards have a short header).
COVER_LAYERS = ("governors", "board", "board_quality", "executive_quality", "patient_experience")
#: The organisation level a layer's own charts are at.
LAYER_LEVEL = {
    "ward": "ward",
    "division": "division",
    "patient_experience": "division",
    "executive_quality": "division",
    "board_quality": "division",
    "board": "trust",
    "governors": "trust",
}


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
    cadence: str = "monthly"  # how often its committee meets: a quarterly one's paper covers a quarter

    @property
    def path(self) -> str:
        """Path of the HTML report relative to ``outputs/<period>/``."""
        return f"{self.layer}/{self.name}.html"


#: Sections a paper may leave out (``sections:`` in its params file lists those it shows; all
#: when the key is absent), so that two committees sharing a notebook get papers fitted to each.
OPTIONAL_SECTIONS = {
    "trust_measures": "the trust-wide SPC charts the board sees, under their topics",
    "key_measures": "each key measure as small SPC charts, one per division",
    "triangulation": "patient experience beside safety, staffing and the staff survey",
    "complaints": "complaints handling by division",
}


def divisions_in_order(units: pd.DataFrame) -> pd.DataFrame:
    """The trust's divisions in the one order every paper, the pack and the index list them: by name."""
    return units[units["level"] == "division"].sort_values(["name", "unit_id"])


def read_params(path: Path) -> dict:
    """Read one parameters file (safe YAML: data only, never code)."""
    with open(path, encoding="utf-8") as fh:
        spec = yaml.load(fh, Loader=SAFE_LOADER) or {}
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
    for key, (level, _) in MEASURE_LISTS.items():
        if key in spec:
            try:
                measures.resolve(spec[key], _level(level, spec), what=key)
            except MeasureError as exc:
                raise CommitteeError(f"{path}: {exc}") from None
    sections = spec.get("sections", list(OPTIONAL_SECTIONS))
    if not isinstance(sections, list) or not set(sections) <= set(OPTIONAL_SECTIONS):
        raise CommitteeError(f"{path}: sections must be a list of {list(OPTIONAL_SECTIONS)}, got {sections!r}")
    if spec.get("cadence", "monthly") not in CADENCES:
        raise CommitteeError(f"{path}: cadence {spec['cadence']!r} is not one of {list(CADENCES)}")
    if not isinstance(spec.get("about", ""), str):
        raise CommitteeError(f"{path}: about must be text (what the paper is for, printed under its cover)")
    spec["cover"] = read_cover(spec.get("cover"), str(path))
    spec["_path"] = str(path)
    return spec


def trust_settings(params_dir_: Path | None = None) -> tuple[dict, Path]:
    """params/trust.yaml as a mapping (empty when absent), and its path."""
    path = (params_dir_ or params_dir()) / TRUST_SETTINGS
    settings = {}
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            settings = yaml.load(fh, Loader=SAFE_LOADER) or {}
        if not isinstance(settings, dict):
            raise CommitteeError(f"{path}: expected a mapping of keys to values")
    return settings, path


def assurance_scale(params_dir_: Path | None = None) -> tuple[str, ...]:
    """The trust's assurance scale, most assurance first (``assurance_scale`` in params/trust.yaml;
    significant / reasonable / limited / no when the file or the key is absent)."""
    settings, path = trust_settings(params_dir_)
    return read_scale(settings.get("assurance_scale"), str(path))


def word_reference(params_dir_: Path | None = None) -> Path | None:
    """The trust's Word template for its papers (``word_reference`` in params/trust.yaml: a .docx
    or .dotx, relative to the project), or None for the plain default."""
    settings, path = trust_settings(params_dir_)
    value = settings.get("word_reference")
    if value in (None, ""):
        return None
    reference = Path(str(value))
    reference = reference if reference.is_absolute() else path.parent.parent / reference
    if reference.suffix.lower() not in (".docx", ".dotx"):
        raise CommitteeError(f"{path}: word_reference {value!r} is not a Word document; expected a .docx or .dotx")
    if not reference.is_file():
        raise CommitteeError(f"{path}: word_reference {value!r}: no such file ({reference})")
    return reference


def _level(level: str | None, spec: dict) -> str | None:
    return LAYER_LEVEL[spec["layer"]] if level == "layer" else level


def committee(key: str, params_dir_: Path | None = None) -> dict:
    """The parameters file ``params/<key>.yaml`` (``key`` is a notebook's ``committee`` parameter)."""
    path = (params_dir_ or params_dir()) / f"{key}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in (params_dir_ or params_dir()).glob("*.yaml") if p.name != TRUST_SETTINGS)
        raise CommitteeError(f"no parameters file {path} for committee {key!r}; known: {known}")
    return read_params(path)


def committee_for(key: str, notebook: str) -> dict:
    """The params file of committee ``key``, checked to be one that ``notebook`` renders."""
    spec = committee(key)
    if spec["notebook"] != notebook:
        raise CommitteeError(
            f"committee {key!r} is not rendered by notebooks/{notebook}.ipynb: {spec['_path']} names "
            f"notebook {spec['notebook']!r}"
        )
    return spec


def measure_list(spec: dict, key: str = "measures") -> list[measures.Measure]:
    """A committee's measures for one list (see :data:`MEASURE_LISTS`), or the documented
    default: every measure defined for that list's level."""
    level = _level(MEASURE_LISTS[key][0], spec)
    ids = spec.get(key)
    if ids is None and level is None:
        return []  # comparisons across wards are chosen, never defaulted
    try:
        return measures.resolve(ids, level, what=key)
    except MeasureError as exc:
        raise CommitteeError(f"{spec.get('_path', 'parameters')}: {exc}") from None


def escalated_measures(params_dir_: Path | None = None) -> list[measures.Measure]:
    """Measures on which a ward's special-cause concern is escalated (``escalate`` in
    ``params/ward.yaml``; by default every measure shown on wards)."""
    return measure_list(committee("ward", params_dir_), "escalate")


def with_cover_sheet(params_dir_: Path | None = None) -> list[str]:
    """The committees (params file stems) whose papers open with a cover sheet."""
    params = load_all(params_dir_ or params_dir())
    return sorted(k for k, p in params.items() if p["layer"] in COVER_LAYERS)


def load_all(params_dir: Path) -> dict[str, dict]:
    """Every parameters file in ``params_dir`` by its stem."""
    return {p.stem: read_params(p) for p in sorted(params_dir.glob("*.yaml")) if p.name != TRUST_SETTINGS}


def expand(key: str, spec: dict, units: pd.DataFrame, names: dict[str, str] | None = None) -> list[ReportSpec]:
    """The reports one parameters file stands for: one, or one per division or ward. ``names``
    are the trust's names for its committees (:func:`layer_names`)."""
    params = dict(spec.get("parameters") or {})
    level = spec.get("expand")
    if level is None:
        return [
            ReportSpec(
                key,
                spec["layer"],
                spec["notebook"],
                heading(spec, names=names),
                key,
                parameters=params,
                cadence=spec.get("cadence", "monthly"),
            )
        ]
    rows = divisions_in_order(units) if level == "division" else units[units["level"] == level].sort_values("unit_id")
    return [
        ReportSpec(
            key,
            spec["layer"],
            spec["notebook"],
            heading(spec, unit_name=r.name, unit_id=r.unit_id, names=names),
            r.unit_id,
            r.unit_id,
            r.name,
            parameters={**params, "unit_id": r.unit_id},
            cadence=spec.get("cadence", "monthly"),
        )
        for r in rows.itertuples(index=False)
    ]


def plan(
    params: dict[str, dict],
    units: pd.DataFrame,
    *,
    only: list[str] | None = None,
    names: dict[str, str] | None = None,
) -> list[ReportSpec]:
    """Every report of the pack, bottom layer first. ``only`` keeps the named params keys;
    ``names`` are the trust's names for its committees (:func:`layer_names`)."""
    specs = []
    for key, spec in params.items():
        if only and key not in only:
            continue
        specs.extend(expand(key, spec, units, names))
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


def placement(units: pd.DataFrame, ward: str) -> dict:
    """Where a ward sits (``units`` indexed by unit_id): its name, its care group (empty where wards
    sit directly under a division) and its division, found by walking up, never by assumed depth."""
    parent = units.loc[ward, "parent_id"]
    in_group = isinstance(parent, str) and parent in units.index and units.loc[parent, "level"] == "care_group"
    division = division_of(units.reset_index(), ward)
    return {
        "ward": units.loc[ward, "name"],
        "care_group": units.loc[parent, "name"] if in_group else "",
        "division": units.loc[division, "name"] if division else "",
        "division_id": division,
    }


def links(
    spec_layer: str,
    unit_id: str | None,
    units: pd.DataFrame,
    params: dict[str, dict],
    names: dict[str, str] | None = None,
) -> dict[str, list]:
    """Reports one layer up and one layer down, as (title, path relative to outputs/<period>/).

    Paths are to where those reports are written; a build only renders the links whose
    report exists.
    """
    by_layer: dict[str, list[tuple[str, str]]] = {}
    for key, spec in params.items():
        if spec.get("expand"):
            continue
        by_layer.setdefault(spec["layer"], []).append((heading(spec, names=names), f"{spec['layer']}/{key}.html"))
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
    elif spec_layer in CHAIN:
        i = CHAIN.index(spec_layer)
        if i + 1 < len(CHAIN):
            up += by_layer.get(CHAIN[i + 1], [])
        below = CHAIN[i - 1]
        if below == "division":
            down += [
                (f"{d.name} divisional report", f"division/{d.unit_id}.html")
                for d in divisions_in_order(units).itertuples(index=False)
            ]
        else:
            down += by_layer.get(below, [])
    return {"up": up, "down": down}


def report_links(
    layer: str,
    unit_id: str | None,
    units: pd.DataFrame,
    linkable: list[str] | None,
    names: dict[str, str] | None = None,
) -> dict:
    """Links one layer up and down, keeping only reports that exist or are being built
    (``linkable``: paths relative to ``outputs/<period>/``). Paths returned are relative to
    this report's own folder; ``names`` are the trust's names for its committees."""
    found = links(layer, unit_id, units, load_all(params_dir()), names)
    keep = set(linkable or [])
    return {
        direction: [(title, f"../{path}") for title, path in items if path in keep]
        for direction, items in found.items()
    }
