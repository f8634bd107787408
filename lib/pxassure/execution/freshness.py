"""Content keys: whether a built report is still current, so a rebuild skips it.

A report's **content key** is a digest of everything that decides what it says: the data in
its scope, its resolved parameters, the notebook, the export template, pxassure's own code,
and — for a layer that reads the findings of the layer below — the keys of those reports. A
report whose stored key (``<name>.key`` beside its HTML) equals the key computed now, and
whose outputs are all there, is not executed again. ``pxassure build --force`` rebuilds anyway.

The data in scope is digested per unit, in the database, so a change to one ward's rows
changes only the keys of that ward, its division and the trust-wide papers above:

- a ward's paper reads its own rows (every table with a ``unit_id``) and the trust's shared
  tables (the hierarchy, targets, rebases, data-quality ratings, national figures, the
  framework's requirements), which are digested as one "shared" part;
- a division's paper reads its own rows and those of every unit under it, plus the shared part;
- the committees' and the board's papers read everything.

This module imports no notebook machinery (papermill, nbconvert, jsonschema): deciding that
nothing needs building must be quick.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from pxassure.ingest.schema import TABLES
from pxassure.ingest.store import SHARED_TABLES, THROUGH, Store

KEY_SUFFIX = ".key"


def _sha(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


#: Installed packages whose version can change what a paper shows or how it is made.
PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "duckdb", "papermill", "nbconvert", "scikit-learn")


@cache
def code_digest(root: str) -> str:
    """A digest of pxassure's code and everything else a paper is made from: the package's
    modules, templates and shipped model, the notebooks, the params files, and the versions of
    the packages that compute and draw it."""
    from importlib.metadata import PackageNotFoundError, version

    base = Path(root)
    package = Path(__file__).resolve().parents[1]
    files = sorted(
        [p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".css", ".json", ".npz")]
    )
    files += sorted((base / "notebooks").glob("*.ipynb")) + sorted((base / "params").glob("*.yaml"))
    h = hashlib.sha256()
    for name in PACKAGES:
        try:
            h.update(f"{name}=={version(name)}".encode())
        except PackageNotFoundError:
            h.update(f"{name} absent".encode())
    for p in files:
        h.update(str(p.relative_to(package.parent if p.is_relative_to(package) else base)).encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def data_digests(store: Store) -> dict[str, str]:
    """``{"shared": …, unit_id: …}``: each unit's rows across the tables that have a unit, and
    the shared tables, digested in the database (order-independent: a sum of row hashes with
    the row count, so a reload of the same rows in another order changes nothing)."""
    con = store.con
    shared = []
    for name in SHARED_TABLES:
        n, total = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {name} AS t").fetchone()
        shared.append(f"{name}:{n}:{total}")
    per_unit: dict[str, list[str]] = {}
    for name, table in TABLES.items():
        if name in SHARED_TABLES:
            continue
        if "unit_id" in table.column_names:
            sql = f"SELECT unit_id, count(*), sum(hash(t)) FROM {name} AS t GROUP BY unit_id"
        elif name in THROUGH:
            key, owner = THROUGH[name]
            sql = (
                f"SELECT o.unit_id, count(*), sum(hash(t)) FROM {name} AS t JOIN {owner} AS o USING ({key}) "
                "GROUP BY o.unit_id"
            )
        else:  # a table no unit owns: shared by every paper
            n, total = con.execute(f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {name} AS t").fetchone()
            shared.append(f"{name}:{n}:{total}")
            continue
        for unit, n, total in con.execute(sql).fetchall():
            per_unit.setdefault(unit, []).append(f"{name}:{n}:{total}")
        # whether the trust supplied the table at all is read by every paper ("not supplied")
        shared.append(f"{name} supplied: {con.execute(f'SELECT count(*) > 0 FROM {name}').fetchone()[0]}")
    out = {"shared": _sha(*shared)}
    out.update({unit: _sha(*sorted(parts)) for unit, parts in per_unit.items()})
    return out


def scope_digest(digests: dict[str, str], units: list[str] | None) -> str:
    """The data a paper reads: the shared part and its units' rows (``None``: every unit)."""
    chosen = sorted(u for u in digests if u != "shared") if units is None else sorted(units)
    return _sha(digests["shared"], *(f"{u}={digests.get(u, '-')}" for u in chosen))


def snapshot_digest(digests: dict[str, str], code: str) -> str:
    """The whole database's data and the code together: what every worker of a distributed
    build must have (see :mod:`.cluster`)."""
    return _sha(scope_digest(digests, None), code)


def content_key(*, data: str, parameters: dict, notebook: str, code: str, below: list[str]) -> str:
    """A report's content key from the digests of what decides its content."""
    params = json.dumps(parameters, sort_keys=True, default=str)
    return _sha(data, params, notebook, code, *sorted(below))


def file_digest(path: str | Path) -> str:
    """The digest of one file's bytes (a trust's Word template: a new one restyles its papers)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def run_key(key: str, parameters: dict, pdf: bool, linkable: list[str]) -> str:
    """The key a run is stored under: the planned key with the parameters the notebook is actually
    given (a job changed after planning is not taken for the one planned), whether it is printed,
    and the reports it may link to (a new report elsewhere changes its links)."""
    return _sha(key, json.dumps(parameters, sort_keys=True, default=str), str(pdf), *sorted(linkable))


def stored_key(html: Path) -> str | None:
    """The key a report was built with (None when it was never built with one)."""
    path = html.with_suffix(KEY_SUFFIX)
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None
