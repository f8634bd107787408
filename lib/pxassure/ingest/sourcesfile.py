"""The sources file: one YAML saying where each of a trust's tables comes from.

``tables:`` reads tables from SQL warehouses (:mod:`pxassure.ingest.warehouse`); ``extracts:``
maps the trust's own exported files, with the shared ``locations:`` look-up and ``holidays:``
(:mod:`pxassure.ingest.extracts`). A file may have either or both; it is always safe-loaded,
file names are relative to it, and connection URLs take ``${VAR}`` from the environment so no
password sits in the file. ``docs/sources.example.yaml`` and ``docs/own-data.md`` show both.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pxassure.errors import SourcesFileError
from pxassure.ingest import extract_spec, warehouse
from pxassure.ingest import extracts as extract_files
from pxassure.ingest.schema import TABLES
from pxassure.ingest.sources import Loader

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECTIONS = ("connections", "tables", "extracts", "locations", "holidays")


@dataclass(frozen=True)
class SourcesFile:
    """A checked sources file: SQL tables and mapped extracts."""

    path: Path
    connections: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict] = field(default_factory=dict)
    extracts: tuple = ()
    locations: extract_spec.Locations | None = None
    holidays: tuple = ()


def read(path: str | Path) -> SourcesFile:
    """The parsed and checked sources file; :class:`SourcesFileError` names what is wrong where."""
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise SourcesFileError(f"{path}: expected a readable YAML sources file ({exc})") from None
    if not isinstance(spec, dict) or not (isinstance(spec.get("tables"), dict) or spec.get("extracts")):
        raise SourcesFileError(f"{path}: expected a 'tables' (SQL) or 'extracts' (files) section; see docs/own-data.md")
    unknown = set(spec) - set(SECTIONS)
    if unknown:
        raise SourcesFileError(f"{path}: unknown section(s) {sorted(unknown)}; expected some of {list(SECTIONS)}")
    connections = {name: _expand(path, name, url) for name, url in (spec.get("connections") or {}).items()}
    tables = spec.get("tables") or {}
    for table, entry in tables.items():
        where = f"{path}: tables.{table}"
        if table not in TABLES:
            raise SourcesFileError(f"{where}: expected a pxassure table, one of {list(TABLES)}")
        if not isinstance(entry, dict) or entry.get("connection") not in connections:
            raise SourcesFileError(f"{where}: expected 'connection' naming one of {list(connections)}")
        if ("query" in entry) == ("table" in entry):
            raise SourcesFileError(f"{where}: expected either 'query' or 'table', not both or neither")
    try:
        found, locations, holidays = extract_spec.read_extracts(spec, path.parent)
    except SourcesFileError as exc:
        raise SourcesFileError(f"{path}: {exc}") from None
    return SourcesFile(path, connections, tables, tuple(found), locations, holidays)


def _expand(path: Path, name: str, url) -> str:
    def env(m):
        value = os.environ.get(m.group(1))
        if value is None:
            raise SourcesFileError(f"{path}: connections.{name}: environment variable {m.group(1)} is not set")
        return value

    return _ENV.sub(env, str(url))


def load(loader: Loader, path: str | Path) -> SourcesFile:
    """Stage every table and extract a sources file names in ``loader``; return the file read."""
    sources = read(path)
    if sources.tables:
        warehouse.load_tables(loader, sources.connections, sources.tables)
    if sources.extracts:
        extract_files.load(loader, list(sources.extracts), sources.locations, sources.holidays)
    return sources
