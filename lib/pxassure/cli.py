"""The ``pxassure`` command: demo data, loading, and building reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pxassure.store import DEFAULT_DATABASE


def _demo(args) -> int:
    from pxassure import demo

    scale = demo.Scale(wards=args.wards, months=args.months, seed=args.seed)
    counts = demo.build_database(args.database, scale, inputs=args.inputs)
    print(f"demo trust written to {args.database}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def _load(args) -> int:
    from pxassure import sources
    from pxassure.store import Store

    files: dict[str, Path] = {}
    for item in args.paths:
        p = Path(item)
        if p.is_dir():
            files.update(sources.discover(p))
        else:
            files[p.stem] = p
    if not files:
        print("no input files found: name each CSV after its table, e.g. fft_monthly.csv", file=sys.stderr)
        return 2
    with Store(args.database) as store:
        try:
            load_id = sources.load_files(store, files, replace=not args.append)
        except sources.ValidationError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"loaded {len(files)} file(s) into {args.database} (load {load_id})")
    return 0


def _build(args) -> int:
    from pxassure import build
    from pxassure.committees import CommitteeError
    from pxassure.reports import ParameterError

    overrides = {}
    for item in args.param or []:
        key, _, value = item.partition("=")
        overrides[key] = value
    committee = None if args.all else args.committee
    try:
        jobs = build.plan(committee, period=args.period, database=args.database, unit=args.unit, overrides=overrides)
    except (ParameterError, CommitteeError, FileNotFoundError) as exc:
        print(f"pxassure build: {exc}", file=sys.stderr)
        return 2
    outcomes = build.run_pack(jobs, args.output, workers=args.workers, progress=len(jobs) > 1)
    for o in outcomes:
        if o.ok and len(outcomes) <= 3:
            print(f"{o.job.spec.path}: {o.html}")
    print(build.summary(outcomes), file=sys.stderr if any(not o.ok for o in outcomes) else sys.stdout)
    index = Path(args.output) / jobs[0].period / "index.html"
    print(f"index: {index}")
    return 0 if all(o.ok for o in outcomes) else 1


def _export(args) -> int:
    from pxassure import export

    html = Path(args.html) if args.html else Path(args.notebook).with_suffix(".html")
    export.export_html(args.notebook, html, title=args.title or Path(args.notebook).stem)
    print(html)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pxassure", description="Patient-experience governance assurance.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="build the fictional demo trust's database through the loaders")
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--inputs", default=None, help="folder for the generated input files (default: beside the database)")
    p.add_argument("--wards", type=int, default=60)
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--seed", type=int, default=20261022)
    p.set_defaults(func=_demo)

    p = sub.add_parser("load", help="validate and load input files (CSV named after their table)")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--append", action="store_true", help="upsert by key instead of replacing each table")
    p.set_defaults(func=_load)

    p = sub.add_parser("build", help="run a committee's notebook and export its HTML report")
    p.add_argument("--committee", default="board", help="params file stem: board, quality_committee, ward …")
    p.add_argument("--all", action="store_true", help="build the whole pack, board to ward")
    p.add_argument("--workers", type=int, default=None, help="reports built at once (default: one per core)")
    p.add_argument("--period", default="latest", help="YYYY-MM or 'latest'")
    p.add_argument("--database", default=str(DEFAULT_DATABASE))
    p.add_argument("--unit", default=None, help="unit code for division and ward reports")
    p.add_argument("--output", default="outputs")
    p.add_argument("-p", "--param", action="append", help="extra notebook parameter, key=value")
    p.set_defaults(func=_build)

    p = sub.add_parser("export", help="export an executed notebook with pxassure's offline report template")
    p.add_argument("notebook")
    p.add_argument("html", nargs="?", default=None, help="output path (default: beside the notebook)")
    p.add_argument("--title", default=None)
    p.set_defaults(func=_export)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        print(f"pxassure {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
