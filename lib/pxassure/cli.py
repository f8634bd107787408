"""The ``pxassure`` command: demo data, loading, and building reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pxassure.cli_themes import add_themes
from pxassure.ingest.schema import DEFAULT_DATABASE


def _demo(args) -> int:
    from pxassure.ingest import demo

    if args.extracts:
        from pxassure.ingest import exampletrust

        written = exampletrust.write(args.extracts)
        print(f"example trust's own extracts written to {args.extracts}: {', '.join(written)}")
        print(f"next: pxassure load --sources {written['trust.yaml']} --check  (see docs/own-data.md)")
        return 0

    scale = demo.Scale(wards=args.wards, months=args.months, seed=args.seed)
    counts = demo.build_database(args.database, scale, inputs=args.inputs)
    print(f"demo trust written to {args.database}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _progress(total_rows: int | None = None):
    """A progress bar in rows for long loads (silent when not on a terminal)."""
    from tqdm import tqdm

    return tqdm(total=total_rows, unit=" rows", unit_scale=True, disable=None, leave=False, desc="loading")


def _run_load(args, add, *, replace: bool, check: bool = False) -> int:
    """Open the store, let ``add(loader, store)`` stage sources, then commit or report every problem.

    ``replace`` swaps the contents of each table loaded (and says what that removes); otherwise
    rows are merged by key. ``check`` reports what would load and every problem, and commits
    nothing (the database is opened read-only, or not at all if it does not exist yet).
    """
    from pxassure.analysis import measures
    from pxassure.analysis.comments import THEME_MEASURE_PREFIX
    from pxassure.errors import ValidationError
    from pxassure.ingest import sources, themes
    from pxassure.ingest.store import Store

    themed = [THEME_MEASURE_PREFIX + t for t in themes.model_labels()]
    vocabularies = {"measure ids": list(measures.MEASURES), "exception measure ids": [*measures.MEASURES, *themed]}
    database = Path(args.database)
    target = ":memory:" if check and not database.exists() else database
    with Store(target, read_only=check and target != ":memory:") as store, _progress() as bar:
        with sources.Loader(store, replace=replace, progress=bar.update, vocabularies=vocabularies) as loader:
            add(loader, store)
            if check:
                bar.close()
                return _report_check(loader, args)
            removed = _removed(loader) if replace else []
            try:
                load_id = loader.finish()
            except ValidationError as exc:
                bar.close()
                print(f"{exc}\n{args.database} is unchanged.", file=sys.stderr)
                _write_problems(loader, args)
                return 1
        bar.close()
        for note in loader.notes + removed:
            print(note)
        tables = sorted({s.table for s in loader.sources})
        print(f"loaded {len(loader.sources)} source(s) into {args.database} (load {load_id}): {', '.join(tables)}")
    return 0


def _removed(loader) -> list[str]:
    """What a replacing load takes out: rows of earlier loads that it does not bring back."""
    out = []
    for table in loader.staged.staged:
        gone, earlier = loader.staged.replaced(table)
        if gone:
            out.append(f"replaced {table}: {gone} row(s) from earlier loads removed ({'; '.join(earlier)})")
    return out


def _write_problems(loader, args) -> None:
    """``--problems FILE``: every problem kept (the screen shows the first 50) as a CSV."""
    if getattr(args, "problems", None) and loader.problems:
        from pxassure.ingest.problems import write_csv

        write_csv(loader.problems, args.problems)
        print(f"all {len(loader.problems)} problem(s) listed in {args.problems}", file=sys.stderr)


def _report_check(loader, args) -> int:
    """``load --check``: what would load, every warning and problem; nothing is written."""
    from pxassure.errors import ValidationError
    from pxassure.ingest import sources

    database = args.database
    loader.check()
    summary = sources.staged_summary(loader.staged)
    for line in summary:
        print(line)
    for _, _, message in loader.warnings + loader.gap_warnings():
        print(f"warning: {message}")
    sys.stdout.flush()  # the summary first, then the problems (stderr)
    if loader.total_problems:
        print(ValidationError(loader.problems, loader.total_problems, "nothing would load"), file=sys.stderr)
        _write_problems(loader, args)
        print(f"check only: {database} was not touched.", file=sys.stderr)
        return 1
    print(f"check only: everything above would load; {database} was not touched.")
    return 0


def _load(args) -> int:
    from pxassure.ingest import sources, sourcesfile

    files: list[tuple[str, Path]] = []
    for item in args.paths:
        p = Path(item)
        if p.is_dir():
            files += list(sources.discover(p).items())
        else:
            files.append((p.stem, p))
    if not files and not args.sources:
        print(
            "no input files found: name each CSV or XLSX after its table (e.g. fft_monthly.csv), or map your "
            "own extracts with a sources file (pxassure load --sources trust.yaml; see docs/own-data.md)",
            file=sys.stderr,
        )
        return 2

    def add(loader, store):
        for table, path in files:
            if path.suffix.lower() in (".xlsx", ".xlsm") and table not in sources.TABLES:
                loader.add_workbook(path)  # sheets named after tables
            else:
                loader.add_file(table, path)
        if args.sources:
            sourcesfile.load(loader, args.sources)

    return _run_load(args, add, replace=args.replace, check=args.check)


def _map(args) -> int:
    from pxassure.files import atomic_write_text
    from pxassure.ingest import draft

    units = None
    if args.database and Path(args.database).exists():
        from pxassure.ingest.store import Store

        with Store(args.database, read_only=True) as store:
            units = store.table("org_units")
    output = Path(args.output)
    if output.exists() and not args.force:
        print(f"pxassure map: {output} exists: choose another --output, or --force to replace it", file=sys.stderr)
        return 2
    text, todo = draft.draft(args.extracts, output, units)
    atomic_write_text(output, text)
    print(f"{output}: a draft sources file for {len(args.extracts)} extract(s), {todo} TODO(s) to complete")
    print(f"next: complete each TODO, then pxassure load --sources {output} --check  (see docs/own-data.md)")
    return 0


def _fft_import(args) -> int:
    from pxassure.ingest import fft
    from pxassure.ingest.problems import Problem

    def add(loader, store):
        if args.mapping:
            loader.add_file("fft_ward_map", args.mapping)
            mapping = loader.staged.frame("fft_ward_map") if "fft_ward_map" in loader.staged.staged else None
        else:
            mapping = store.table("fft_ward_map")
        if mapping is None or mapping.empty:
            expected = "a ward mapping: load fft_ward_map.csv first, or pass --mapping"
            loader.report([Problem(str(args.database), None, "fft_ward_map", None, expected)])
            return
        fft.import_files(loader, args.files, mapping, month=args.month)

    return _run_load(args, add, replace=False)  # a re-import replaces only what it brings


def _framework_template(args) -> int:
    from pxassure.ingest import selfassessment
    from pxassure.ingest.store import Store

    with Store(args.database, read_only=True) as store:
        units = store.table("org_units").set_index("unit_id")
        if args.unit not in units.index:
            print(
                f"pxassure framework template: unit {args.unit!r} is not in org_units of {args.database}",
                file=sys.stderr,
            )
            return 2
        previous = selfassessment.previous_answers(store.table("framework_scores"), args.unit, args.period)
    output = Path(args.output or f"self-assessment-{args.unit}-{args.period}.xlsx")
    selfassessment.write_template(output, args.unit, units.loc[args.unit, "name"], args.period, previous)
    source = f"prefilled from {previous['assessed_month'].iloc[0]:%Y-%m}" if len(previous) else "blank"
    print(f"{output} ({source})")
    return 0


def _evidence_template(args) -> int:
    from pxassure.ingest import evidence_workbook
    from pxassure.ingest.evidence_schema import EVIDENCE_TABLES
    from pxassure.ingest.store import Store

    records, trust = {}, "The trust"
    if Path(args.database).exists():
        with Store(args.database, read_only=True) as store:
            records = {t.name: store.table(t.name) for t in EVIDENCE_TABLES}
            units = store.table("org_units")
            trust = units.loc[units["level"] == "trust", "name"].iloc[0] if (units["level"] == "trust").any() else trust
    output = evidence_workbook.write_template(args.output, records, trust)
    held = ", ".join(f"{name} {len(rows)}" for name, rows in records.items()) or "no database: headings only"
    print(f"{output} (prefilled: {held})")
    return 0


def _framework_import(args) -> int:
    from pxassure.ingest import selfassessment

    def add(loader, store):
        known = set(store.table("org_units")["unit_id"])
        selfassessment.import_workbooks(loader, args.files, known)

    return _run_load(args, add, replace=False)  # a re-import replaces only what it brings


def parse_param(item: str) -> tuple[str, object]:
    """``key=value`` from ``-p``, the value typed exactly as ``papermill -p`` types it: True,
    False and None; whole numbers; decimals; anything else is text (so 6 is a number, mdc is text)."""
    from pxassure.errors import ParameterError

    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"-p {item!r}: expected key=value, e.g. -p shift_length=6")
    return key.strip(), _papermill_type(value)


def _papermill_type(value: str) -> object:
    named = {"True": True, "False": False, "None": None}
    if value in named:
        return named[value]
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def _build(args) -> int:
    from pxassure.execution import zygote

    if args.scheduler is None and zygote.enabled():
        # The kernels' zygote imports for two seconds before its first kernel: started now, it
        # does so while this process plans. A build that finds nothing to do ends it unused.
        zygote.Zygote.get()
    from pxassure.execution import build, planning
    from pxassure.reports import committees
    from pxassure.reports.parameters import meeting_dates

    overrides = dict(parse_param(item) for item in args.param or [])
    committee = None if args.all else args.committee
    dates = meeting_dates(args.meeting_date, committees.with_cover_sheet())
    _warn_if_past(*dates.values())
    cover = {"meeting_date": dates.pop(None, None), "meeting_dates": dates}
    jobs = planning.plan(
        committee,
        period=args.period,
        database=args.database,
        unit=args.unit,
        overrides=overrides,
        cover=cover,
        pdf=args.pdf,
        docx=args.docx,
        timeout=args.timeout,
    )
    outcomes = build.run_pack(
        jobs,
        args.output,
        workers=args.workers,
        progress=len(jobs) > 1,
        force=args.force,
        scheduler=args.scheduler,
    )
    for o in outcomes:
        if o.ok and len(outcomes) <= 3:
            print(f"{o.job.spec.path}: {o.html}" + "".join(f" and {f}" for f in (o.pdf, o.docx) if f))
    print(build.summary(outcomes), file=sys.stderr if any(not o.ok for o in outcomes) else sys.stdout)
    if jobs[0].what_if:
        print(f"what-if papers ({jobs[0].what_if}), beside the official ones, which are unchanged")
    for folder in dict.fromkeys(job.period_dir(Path(args.output)) for job in jobs):
        print(f"index: {folder / 'index.html'}")
    return 0 if all(o.ok for o in outcomes) else 1


def _warn_if_past(*meeting_dates: str) -> None:
    """Warn, once a date, of a meeting that has already happened (the papers are still made)."""
    from pxassure.reports.parameters import past_meeting

    for when in dict.fromkeys(meeting_dates):
        warning = past_meeting(when)
        if warning:
            print(warning, file=sys.stderr)


def _pack(args) -> int:
    from pxassure.execution import build, planning

    _warn_if_past(args.meeting_date)

    jobs = planning.plan("board", period=args.period, database=args.database)
    job = jobs[0]
    period_dir = job.period_dir(Path(args.output).resolve())
    pack = build.board_pack(
        period_dir, trust_name=job.trust_name, period=job.period, wards=args.wards, meeting_date=args.meeting_date
    )
    print(f"board pack: {pack}")
    return 0


def _export(args) -> int:
    from pxassure.publish import export

    html = Path(args.html) if args.html else Path(args.notebook).with_suffix(".html")
    title = args.title or export.title_of(args.notebook) or Path(args.notebook).stem
    for path in export.export_html(args.notebook, html, title=title):
        print(path)
    return 0


def _measures(args) -> int:
    """List the measure registry: the ids targets, rebases and params files name."""
    from pxassure.analysis import measures

    print("id\tname\tchart\tbetter\tnational comparator\tshown at")
    for m in measures.MEASURES.values():
        shown = ", ".join(m.levels) or "triangulation only"
        print(f"{m.id}\t{m.name}\t{m.chart}\t{m.improvement}\t{m.national or '-'}\t{shown}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``pxassure`` command's arguments (also used by tests to check documented commands)."""
    parser = argparse.ArgumentParser(prog="pxassure", description="Patient-experience governance assurance.")
    sub = parser.add_subparsers(dest="command", required=True)
    for add in _COMMANDS:
        add(sub)
    return parser


def _add_demo(sub) -> None:
    p = sub.add_parser("demo", help="build the fictional demo trust's database through the loaders")
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--inputs", default=None, help="folder for the generated input files (default: beside the database)")
    p.add_argument("--wards", type=int, default=60)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=20261022)
    p.add_argument(
        "--extracts",
        default=None,
        metavar="FOLDER",
        help="instead: write a smaller example trust's own exports (in its systems' shapes) and the sources "
        "file mapping them, to practise loading your own (docs/own-data.md)",
    )
    p.set_defaults(func=_demo)


def _add_load(sub) -> None:
    p = sub.add_parser("load", help="validate and load input files (CSV or XLSX named after their table) or SQL")
    p.add_argument("paths", nargs="*", help="files or folders; a workbook's sheets named after tables are loaded")
    p.add_argument(
        "--sources", default=None, help="YAML sources file: your own extracts mapped to tables, or SQL warehouses"
    )
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    how = p.add_mutually_exclusive_group()
    how.add_argument("--append", action="store_true", help="merge rows by key (the default)")
    how.add_argument(
        "--replace", action="store_true", help="replace each table loaded, removing rows it does not bring back"
    )
    p.add_argument("--check", action="store_true", help="say what would load and every problem; load nothing")
    p.add_argument("--problems", default=None, metavar="CSV", help="also write every problem (up to 1,000) to this CSV")
    p.set_defaults(func=_load)


def _add_map(sub) -> None:
    p = sub.add_parser("map", help="draft a sources file for your own extracts (complete its TODOs, then load)")
    p.add_argument("extracts", nargs="+", help="the extracts: CSV or Excel files as your systems export them")
    p.add_argument("--output", default="sources.yaml", help="the draft to write (default sources.yaml)")
    p.add_argument("--database", default=None, help="a database whose org_units the location names are matched against")
    p.add_argument("--force", action="store_true", help="replace --output if it exists")
    p.set_defaults(func=_map)


def _add_measures(sub) -> None:
    p = sub.add_parser("measures", help="list the measures (the ids that targets, rebases and params files use)")
    p.set_defaults(func=_measures)


def _add_fft(sub) -> None:
    p = sub.add_parser("fft", help="NHS England FFT files")
    fft_sub = p.add_subparsers(dest="fft_command", required=True)
    q = fft_sub.add_parser("import", help="import published inpatient workbooks or raw extracts (upserts months)")
    q.add_argument("files", nargs="+")
    q.add_argument("--mapping", default=None, help="fft_ward_map CSV/XLSX to load with them (else the store's)")
    q.add_argument("--month", default=None, help="YYYY-MM, for a workbook whose title has no month")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.set_defaults(func=_fft_import)


def _add_framework(sub) -> None:
    p = sub.add_parser("framework", help="framework self-assessment workbooks")
    fw_sub = p.add_subparsers(dest="framework_command", required=True)
    q = fw_sub.add_parser("template", help="write a unit's self-assessment workbook, prefilled with its last answers")
    q.add_argument("--unit", required=True)
    q.add_argument("--period", required=True, help="assessment month, YYYY-MM")
    q.add_argument("--output", default=None, help="default: self-assessment-<unit>-<period>.xlsx")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.set_defaults(func=_framework_template)
    q = fw_sub.add_parser("import", help="validate and load completed self-assessment workbooks")
    q.add_argument("files", nargs="+")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.set_defaults(func=_framework_import)


def _add_evidence(sub) -> None:
    p = sub.add_parser("evidence", help="the records of listening and acting as a workbook")
    ev_sub = p.add_subparsers(dest="evidence_command", required=True)
    q = ev_sub.add_parser(
        "template", help="write the stories, involvement, 'you said, we did' and work-plan workbook, prefilled"
    )
    q.add_argument("--output", default="evidence.xlsx", help="default: evidence.xlsx (load it back with pxassure load)")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.set_defaults(func=_evidence_template)


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="run a committee's notebook and export its HTML report")
    p.add_argument("--committee", default="board", help="params file stem: board, quality_committee, ward …")
    p.add_argument("--all", action="store_true", help="build the whole pack, board to ward")
    p.add_argument("--workers", type=int, default=None, help="reports built at once (default: one per core)")
    p.add_argument(
        "--period",
        default="latest",
        help="a month YYYY-MM, a calendar quarter YYYY-Qn (e.g. 2026-Q3) or 'latest'; a committee meeting quarterly (params cadence) gets the latest quarter complete by a month",
    )
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--unit", default=None, help="unit code for division and ward reports")
    p.add_argument("--output", default="outputs")
    p.add_argument("-p", "--param", action="append", help="notebook parameter key=value (typed as papermill types it)")
    p.add_argument("--pdf", action="store_true", help="also print each paper to PDF beside its HTML (needs Chromium)")
    p.add_argument(
        "--docx",
        action="store_true",
        help="also write the board's, committees' and divisions' papers in Word (styled by params/trust.yaml's word_reference)",
    )
    p.add_argument("--force", action="store_true", help="rebuild reports even when their data and code are unchanged")
    p.add_argument("--timeout", type=int, default=900, help="seconds a notebook cell may run before its report fails")
    p.add_argument(
        "--meeting-date",
        action="append",
        help="date of the meeting for the cover sheets; COMMITTEE=DATE for one committee's paper (repeatable)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="build on a Dask cluster: its scheduler's address (tcp://HOST:8786), or 'local' for worker "
        "processes on this machine (needs pxassure[distributed]; see docs/building.md)",
    )
    p.set_defaults(func=_build)


def _add_pack(sub) -> None:
    p = sub.add_parser("pack", help="join the period's built papers into one board-pack.pdf (needs Chromium)")
    p.add_argument("--period", default="latest", help="a month YYYY-MM, a quarter YYYY-Qn or 'latest'")
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--output", default="outputs", help="the folder the papers were built into")
    p.add_argument("--wards", action="store_true", help="include the ward papers after the divisions")
    p.add_argument("--meeting-date", default=None, help="date of the meeting, for the pack's cover")
    p.set_defaults(func=_pack)


def _add_export(sub) -> None:
    p = sub.add_parser("export", help="export an executed notebook with pxassure's offline report template")
    p.add_argument("notebook")
    p.add_argument("html", nargs="?", default=None, help="output path (default: beside the notebook)")
    p.add_argument("--title", default=None, help="page title (default: the report's own first heading)")
    p.set_defaults(func=_export)


#: Each subcommand, in the order ``pxassure --help`` lists them.
_COMMANDS = (
    _add_demo,
    _add_load,
    _add_map,
    _add_measures,
    add_themes,
    _add_fft,
    _add_framework,
    _add_evidence,
    _add_build,
    _add_pack,
    _add_export,
)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from pxassure.errors import PxassureError, ValidationError

    try:
        return args.func(args)
    except ValidationError as exc:  # bad input files: every problem listed, nothing loaded
        print(f"pxassure {args.command}: {exc}", file=sys.stderr)
        return 1
    except PxassureError as exc:  # a user's mistake or a fault outside pxassure: a plain message
        print(f"pxassure {args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _database_fault(exc):
            raise  # a bug in pxassure: its traceback is what a developer needs
        from pxassure.ingest.store import damaged

        detail = str(exc).strip().splitlines()[0]
        print(f"pxassure {args.command}: {damaged(getattr(args, 'database', ''), detail)}", file=sys.stderr)
        return 2


def _database_fault(exc: BaseException) -> bool:
    """An input/output fault DuckDB met reading a database file (one cut short, say): a fault
    outside pxassure, met wherever the file is first read, so recognised here once."""
    return type(exc).__module__.lstrip("_").startswith("duckdb") and type(exc).__name__ in (
        "IOException",
        "SerializationException",
        "InternalException",
    )


if __name__ == "__main__":
    sys.exit(main())
