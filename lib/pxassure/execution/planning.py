"""Planning a pack: which reports to build, with what parameters, in what order, under what
content keys. Planning imports no notebook machinery (papermill, nbconvert, Jupyter), so a build
that finds every report current starts no process and no kernel."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pxassure.analysis import measures
from pxassure.errors import ParameterError
from pxassure.execution import freshness
from pxassure.ingest.store import Store
from pxassure.periods import Period, latest_complete_quarter
from pxassure.publish import contents
from pxassure.publish.word import WORD_LAYERS
from pxassure.reports import committees
from pxassure.reports.committees import ReportSpec
from pxassure.reports.parameters import (
    notebook_parameters,
    refuse_unknown,
    resolve_period,
    spc_options,
    unit_code,
    unknown_unit,
    what_if_folder,
    what_if_text,
)

PROJECT_ROOT = committees.project_root()
#: Seconds a notebook cell may run before the report is failed and its kernel killed.
CELL_TIMEOUT = 900


@dataclass
class ReportJob:
    """One report to build: its spec and the notebook parameters."""

    spec: ReportSpec
    parameters: dict[str, Any] = field(default_factory=dict)
    trust: str = "trust"  # the trust's code: one trust's papers never share a folder with another's
    trust_name: str = ""
    pdf: bool = False  # also print the paper to PDF beside its HTML
    docx: str | None = None  # also write it in Word, styled by this reference ("": the default)
    key: str | None = None  # its content key (see ``freshness``); None: always build
    timeout: int = CELL_TIMEOUT  # seconds one notebook cell may run
    snapshot: str | None = None  # digest of the database and code it was planned on (``cluster``)
    below: tuple[str, ...] = ()  # paths of the reports whose findings it reads: built before it

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def layer(self) -> str:
        return self.spec.layer

    @property
    def title(self) -> str:
        return self.spec.title

    @property
    def period(self) -> str:
        return self.parameters["period"]

    @property
    def what_if(self) -> str:
        """What this build changed from the official papers' settings ("" for an official build)."""
        return self.parameters.get("what_if") or ""

    def period_dir(self, output_root: Path) -> Path:
        """``output_root/<trust code>/<period>``: where this report's pack for the month lives; a
        what-if build's papers go beside it (``<period>-what-if-…``), never over the official ones."""
        folder = f"{self.period}-{what_if_folder(self.what_if)}" if self.what_if else self.period
        return output_root / self.trust / folder


@dataclass
class ReportOutcome:
    job: ReportJob
    html: Path | None = None
    notebook: Path | None = None
    findings: Path | None = None
    appendix: Path | None = None  # the paper's appendix page, when it has one
    pdf: Path | None = None  # the paper printed, when asked for
    docx: Path | None = None  # the paper in Word, when asked for (board, committees, divisions)
    ipr_csv: Path | None = None  # its summary table as data (a paper with SPC charts)
    ipr_xlsx: Path | None = None
    skipped: bool = False  # current already (its content key matched): not executed again
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def absolute(path: Path, base: Path | None = None) -> Path:
    """``path``, or when relative, read from ``base`` (default: the working directory)."""
    return path if path.is_absolute() else ((base or Path.cwd()) / path)


def plan(
    committee: str | None = "board",
    *,
    period: str = "latest",
    database: str | Path = "data/pxassure.duckdb",
    unit: Any = None,
    overrides: dict | None = None,
    params_dir: Path | None = None,
    cover: dict | None = None,
    pdf: bool = False,
    docx: bool = False,
    timeout: int = CELL_TIMEOUT,
) -> list[ReportJob]:
    """The jobs to build, bottom layer first.

    ``committee`` is a params file stem (``board``, ``ward`` …) or None for the whole
    pack; ``unit`` narrows a division or ward template to one unit. The period is resolved
    to a month here, so every report of one build covers the same month. ``cover`` holds
    cover-sheet parameters (``meeting_date`` …) for the papers that have a cover sheet;
    ``pdf`` prints each paper to PDF too (Chromium is looked for before anything runs); ``docx``
    writes the board's, committees' and divisions' papers in Word too (``publish.word``).
    """
    if pdf:
        from pxassure.publish.pdf import find_chromium

        find_chromium()
    params_dir = params_dir or committees.params_dir()
    params = committees.load_all(params_dir)
    word = _word(params_dir) if docx else None
    if committee is not None and committee not in params:
        raise ParameterError(f"no parameters file for committee {committee!r} in {params_dir}; known: {sorted(params)}")
    database = Path(database)
    wanted, quarter, units, names, digests = _read_store(database, period)
    month = wanted.last
    trust = units[units["level"] == "trust"]
    current = measures.open_units(units, month)  # a closed ward has no paper after it closed
    specs = committees.plan(params, current, only=None if committee is None else [committee], names=names)
    period_of = _cadence(wanted, quarter, committee)
    specs = [s for s in specs if period_of(s) is not None]
    if unit is not None:
        specs = _one_unit(specs, unit_code(unit), units, month, committee)

    # every report: keys depend on the reports below
    pack = [s for s in committees.plan(params, current, names=names) if period_of(s) is not None]
    declared = {n: notebook_parameters(n, PROJECT_ROOT / "notebooks") for n in {spec.notebook for spec in pack}}
    # A misspelt option is refused before anything runs; one that only some papers take (a cover's
    # agenda item) goes to those.
    notebooks = sorted({s.notebook for s in specs})
    building = dict.fromkeys(name for n in notebooks for name in declared[n])
    refuse_unknown(overrides or {}, building, ", ".join(f"notebooks/{n}.ipynb" for n in notebooks))

    resolved = _resolver(declared, overrides or {}, cover or {}, period_of, database)

    code = freshness.code_digest(str(PROJECT_ROOT))
    reads = inputs(pack, units)
    styled = None if word is None else freshness.file_digest(word) if word else "default"
    keys = content_keys(pack, reads, digests, resolved, {"pdf": pdf, "docx": styled}, code)
    snapshot = freshness.snapshot_digest(digests, code)
    for spec in specs:
        check_options(resolved(spec), spec)
    trust_id, trust_name = trust.iloc[0]["unit_id"], trust.iloc[0]["name"]
    return [
        ReportJob(
            spec,
            resolved(spec),
            trust_id,
            trust_name,
            pdf=pdf,
            docx=None if word is None or spec.layer not in WORD_LAYERS else str(word),
            key=keys[spec.path],
            timeout=timeout,
            snapshot=snapshot,
            below=tuple(reads[spec.path][1]),
        )
        for spec in specs
    ]


def _word(params_dir: Path) -> str:
    """What Word papers are styled by: the trust's template (checked now, before anything runs),
    or "" for the plain default."""
    from pxassure.publish.word import find_rsvg

    find_rsvg()
    reference = committees.word_reference(params_dir)
    return "" if reference is None else str(reference)


def _read_store(database: Path, period: str):
    """What planning needs from the store: the period, the latest complete quarter by its last month
    (None: none in the data), the units (one trust), committee names, digests."""
    with Store(absolute(database), read_only=True) as store:
        wanted = resolve_period(store, period)
        try:
            quarter = resolve_period(store, latest_complete_quarter(wanted.last))
        except ParameterError:
            quarter = None
        units = store.table("org_units")
        names = committees.layer_names(store.table("committees"))
        digests = freshness.data_digests(store)
    trust = units[units["level"] == "trust"]
    if len(trust) != 1:
        raise ParameterError(f"org_units in {database} must have exactly one unit at level 'trust', found {len(trust)}")
    return wanted, quarter, units, names, digests


def _cadence(wanted: Period, quarter: Period | None, committee: str | None):
    """Each report's period: the one asked for, except that a committee meeting quarterly, in a
    build for a month, has its paper for the latest quarter complete by that month (None: there is
    none yet in the data, so no paper; asked for by name, that is an error)."""

    def period_of(spec: ReportSpec) -> Period | None:
        if spec.cadence != "quarterly" or wanted.is_quarter:
            return wanted
        if quarter is None and spec.key == committee:
            raise ParameterError(
                f"{spec.key} meets quarterly, and no calendar quarter up to {wanted.name} is complete in the data"
            )
        return quarter

    return period_of


def _one_unit(specs: list[ReportSpec], code: str, units, month, committee: str | None) -> list[ReportSpec]:
    """The planned reports for unit ``code``, or why it has none (unknown, closed, another layer)."""
    specs = [s for s in specs if s.unit_id == code]
    if not specs:
        known = units["unit_id"].tolist()
        if code not in known:
            raise ParameterError(unknown_unit(code, known))
        why = measures.closure(units, code, month)
        raise ParameterError(
            f"unit {code!r} has no {committee or ''} report for {month:%Y-%m}: "
            + (f"it {why}" if why else "not a unit of that layer in org_units")
        )
    return specs


def _resolver(declared: dict, overrides: dict, cover: dict, period_of, database: Path):
    """A function giving each report's parameters: its params file's, the options its notebook
    takes, cover-sheet values for papers with a cover, its period and database, and what-if text."""

    def resolved(spec: ReportSpec) -> dict:
        takes = {k: v for k, v in overrides.items() if k in declared[spec.notebook]}
        parameters = {**spec.parameters, **takes}
        if spec.layer in committees.COVER_LAYERS:
            given = dict(cover)
            own = (given.pop("meeting_dates", None) or {}).get(spec.key)
            parameters.update({k: v for k, v in given.items() if v is not None})
            if own:
                parameters["meeting_date"] = own
        parameters.update({"period": str(period_of(spec)), "database": str(database)})
        official = {**declared[spec.notebook], **spec.parameters}
        parameters["what_if"] = what_if_text(parameters, official)
        return parameters

    return resolved


def inputs(specs: list[ReportSpec], units) -> dict[str, tuple[list[str] | None, list[str]]]:
    """What each report reads, by path: the units whose data it covers (None: the whole trust)
    and the reports one layer down whose findings it reads — a ward none; a division its wards;
    the committees and the board every division. Content keys and the build order both come
    from this."""
    tree = measures.ancestors(units)
    by_layer: dict[str, list[ReportSpec]] = {}
    for spec in specs:
        by_layer.setdefault(spec.layer, []).append(spec)
    out: dict[str, tuple[list[str] | None, list[str]]] = {}
    for spec in specs:
        if spec.layer == "ward":
            out[spec.path] = ([spec.unit_id], [])
        elif spec.layer == "governors":  # reads the trust's records, no layer's findings
            out[spec.path] = (None, [])
        elif spec.layer == "division":
            scope = measures.descendants(units, spec.unit_id, tree)
            out[spec.path] = (scope, [w.path for w in by_layer.get("ward", []) if w.unit_id in scope])
        else:
            out[spec.path] = (None, [d.path for d in by_layer.get("division", [])])
    return out


def content_keys(
    specs: list[ReportSpec], reads: dict, digests: dict, resolved, formats: dict, code: str
) -> dict[str, str]:
    """Every report's content key (see ``freshness``): the data in its scope and the keys of the
    reports it reads (``reads``, from :func:`inputs`); ``specs`` bottom layer first."""
    keys: dict[str, str] = {}
    for spec in specs:
        scope, below = reads[spec.path]
        keys[spec.path] = freshness.content_key(
            data=freshness.scope_digest(digests, scope),
            parameters={**resolved(spec), **formats},
            notebook=spec.notebook,
            code=code,
            below=[keys[b] for b in below],
        )
    return keys


def check_options(parameters: dict, spec: ReportSpec) -> None:
    """Fail before anything runs if a report's SPC parameters cannot be used."""
    options = {k: parameters.get(k) for k in ("shift_length", "trend_length", "minimum_points")}
    try:
        spc_options(parameters.get("preset", "mdc"), **options)
    except ParameterError as exc:
        raise ParameterError(f"{spec.path}: {exc}") from None


def existing_reports(period_dir: Path) -> set[str]:
    """Reports already built for a period, as paths relative to ``outputs/<period>/``."""
    return set(contents.built_papers(period_dir))
