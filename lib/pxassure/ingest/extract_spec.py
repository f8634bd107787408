"""What the sources file's ``extracts:`` section says, read and checked once.

Each extract becomes a frozen :class:`Extract` (its file, table, column :class:`Rule` s, value
maps and :class:`Skip` rules), and the shared location look-up a :class:`Locations`. Applying
them to rows is :mod:`pxassure.ingest.extracts`; the sources file's grammar is described there.
"""

from __future__ import annotations

import difflib
import glob
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pxassure.errors import ReadError, SourcesFileError
from pxassure.ingest import dates, readers
from pxassure.ingest.columns import Table
from pxassure.ingest.schema import TABLES

#: Derivations that combine rows, allowed only where ``aggregate: true``.
AGGREGATES = ("count", "sum", "percent")
DERIVATIONS = ("column", "constant", "location", "working_days", *AGGREGATES)
#: Columns whose date is the row's date for a location look-up, in order of preference.
ROW_DATE = ("month", "received", "assessed_month", "from_month")
IDENTICAL = "identical to an earlier row of this extract"
#: What ``pxassure map`` writes where a person must decide; a sources file with one left is refused.
TODO = "TODO"


def match_key(text: object) -> str:
    """How names and values are matched: trimmed, case-folded, repeated spaces as one."""
    return " ".join(str(text).split()).casefold()


def first_few(values, limit: int = 12) -> str:
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


# -- the shared location look-up --------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """One location name a system uses: the unit it is (or why its rows are skipped), and when."""

    name: str
    unit: str | None
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    skip: str | None = None

    def covers(self, day) -> bool:
        if day is None:
            return True
        day = pd.Timestamp(day)
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        to = f"skipped ({self.skip})" if self.skip else self.unit
        span = ""
        if self.start is not None or self.end is not None:
            a = "" if self.start is None else f" from {self.start:%Y-%m-%d}"
            b = "" if self.end is None else f" to {self.end:%Y-%m-%d}"
            span = a + b
        return f"{self.name!r} → {to}{span}"


class Locations:
    """Each system's location names → unit codes, shared by every extract of a sources file.

    A renamed ward has a row per name; a name later reused for another ward has a row per use,
    each with the dates it was in use, and rows map by their own date.
    """

    def __init__(self, places: list[Place], where: str = "locations"):
        self.where = where
        self.places: dict[str, list[Place]] = {}
        for place in places:
            self.places.setdefault(match_key(place.name), []).append(place)
        for uses in self.places.values():
            for a, b in zip(uses, uses[1:]):
                if _overlap(a, b) and (a.unit, a.skip) != (b.unit, b.skip):
                    raise SourcesFileError(
                        f"{where}: {a.describe()} and {b.describe()} overlap; give each use of a name "
                        "the dates it was in use ('from' and 'to')"
                    )

    @classmethod
    def from_spec(cls, spec, base: Path) -> Locations:
        """From the sources file: a list of {name, unit | skip, from, to}, a {name: unit} mapping, or
        a CSV or workbook (columns name, unit, and optionally from, to, skip) beside it."""
        if spec is None:
            return cls([])
        where = "locations"
        if isinstance(spec, str):
            path = base / spec
            where = str(path)
            rows = _table_file(path)
        elif isinstance(spec, dict):
            rows = [{"name": k, "unit": v} for k, v in spec.items()]
        elif isinstance(spec, list):
            rows = spec
        else:
            raise SourcesFileError("locations: expected a file name, a list of {name, unit} or a {name: unit} mapping")
        places = []
        for number, row in enumerate(rows, start=2 if isinstance(spec, str) else 1):
            at = f"{where} row {number}" if isinstance(spec, str) else f"locations[{number - 1}]"
            if not isinstance(row, dict) or not str(row.get("name") or "").strip():
                raise SourcesFileError(f"{at}: expected a 'name'")
            unit = str(row.get("unit") or "").strip() or None
            if unit == TODO:
                raise SourcesFileError(f"{at} ({row['name']!r}): still TODO: give the unit code, or a skip reason")
            skip = str(row.get("skip") or "").strip() or None
            if (unit is None) == (skip is None):
                raise SourcesFileError(f"{at} ({row['name']!r}): expected either a 'unit' or a 'skip' reason")
            span = [_spec_date(row.get("from"), f"{at}.from"), _spec_date(row.get("to"), f"{at}.to", end=True)]
            places.append(Place(str(row["name"]).strip(), unit, span[0], span[1], skip))
        return cls(places, where)

    def find(self, name: str, day) -> tuple[Place | None, str | None]:
        """The place ``name`` was on ``day``, or None and what the look-up expected instead."""
        uses = self.places.get(match_key(name))
        if not uses:
            near = difflib.get_close_matches(match_key(name), list(self.places), n=3, cutoff=0.6)
            hint = f"; closest: {first_few([self.places[n][0].name for n in near])}" if near else ""
            return None, f"a location name listed under {self.where} (add it with its unit, or a skip reason){hint}"
        found = [p for p in uses if p.covers(day)]
        if found and len({(p.unit, p.skip) for p in found}) == 1:  # one meaning (spelt once or in several cases)
            return found[0], None
        if day is None:
            return None, f"a date on the row, to tell which unit it was: {'; '.join(p.describe() for p in uses)}"
        return None, f"a date when the name was in use: {'; '.join(p.describe() for p in uses)}"


def _overlap(a: Place, b: Place) -> bool:
    lo = max(x for x in (a.start, b.start, pd.Timestamp.min) if x is not None)
    hi = min(x for x in (a.end, b.end, pd.Timestamp.max) if x is not None)
    return lo <= hi


def _spec_date(value, where: str, end: bool = False) -> pd.Timestamp | None:
    """A date the sources file gives; a month alone as an ``end`` means its last day."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value)
    day = dates.parse_one(text)
    if day is None and (day := dates.parse_one(text, month=True)) is not None and end:
        return pd.Timestamp(day) + pd.offsets.MonthEnd(0)
    if day is None:
        raise SourcesFileError(f"{where}: found {value!r}; expected {dates.ACCEPTED_MONTH}")
    return pd.Timestamp(day)


def _table_file(path: Path) -> list[dict]:
    """A small look-up file (CSV or the first sheet of a workbook) as a list of row dicts."""
    try:
        if path.suffix.lower() in readers.EXCEL_SUFFIXES:
            book = readers.open_workbook(path)
            try:
                chunks = list(readers.sheet_chunks(path, book.worksheets[0]))
            finally:
                book.close()
        else:
            readers.check_csv(path, "name, unit")
            chunks = list(readers.csv_chunks(path))
    except ReadError as exc:
        raise SourcesFileError(str(exc.problem)) from None
    frame = pd.concat([c.raw for c in chunks], ignore_index=True).rename(columns=lambda c: str(c).strip().lower())
    return frame.to_dict("records")


# -- one extract's rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """How one pxassure column is made from an extract's row."""

    ours: str
    kind: str
    their: tuple[str, ...] = ()  # the extract's columns it reads
    constant: object = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (their column, matching values)


@dataclass(frozen=True)
class Skip:
    """Rows not loaded, for a stated reason: their column equal to one of ``values``, or blank."""

    reason: str
    column: str
    values: tuple[str, ...] = ()
    blank: bool = False

    def matches(self, frame: pd.DataFrame) -> pd.Series:
        text = frame[self.column]
        if self.blank:
            return text == ""
        return text.map(match_key).isin([match_key(v) for v in self.values])


@dataclass(frozen=True)
class Extract:
    """One extract of the sources file: the files, the table they feed and how each column is made."""

    name: str
    table: Table
    files: tuple[Path, ...]
    rules: tuple[Rule, ...]
    values: dict = field(default_factory=dict)  # ours -> {key(theirs): ours or None}
    value_names: dict = field(default_factory=dict)  # ours -> their spellings, for messages
    skips: tuple[Skip, ...] = ()
    sheet: str | None = None
    header_row: int = 1
    date_format: str | None = None
    aggregate: bool = False
    #: A column per month (or per anything): the columns kept as they are, and the names of the
    #: two columns the others become (their header, their cell), e.g. ((Ward,), (Month, Bed days)).
    unpivot: tuple[tuple[str, ...], tuple[str, str]] | None = None

    @property
    def where(self) -> str:
        return f"extracts.{self.name}"

    @property
    def needed(self) -> list[str]:
        """Every column of the extract the rules and skips read."""
        out = [c for r in self.rules for c in r.their] + [c for r in self.rules for c, _ in r.where]
        out += [s.column for s in self.skips]
        return list(dict.fromkeys(out))


def read_extracts(spec: dict, base: Path) -> tuple[list[Extract], Locations, tuple]:
    """The ``extracts:``, ``locations:`` and ``holidays:`` of a parsed sources file, checked."""
    locations = Locations.from_spec(spec.get("locations"), base)
    holidays = tuple(_spec_date(h, "holidays").date() for h in (spec.get("holidays") or []))
    entries = spec.get("extracts") or {}
    if not isinstance(entries, dict):
        raise SourcesFileError("extracts: expected a mapping of extract names to their settings")
    return [_extract(name, entry, base) for name, entry in entries.items()], locations, holidays


def _extract(name: str, entry, base: Path) -> Extract:
    where = f"extracts.{name}"
    if not isinstance(entry, dict):
        raise SourcesFileError(f"{where}: expected its settings (file, table, columns …)")
    settings = {"file", "sheet", "header_row", "table", "columns", "values", "dates", "skip", "aggregate", "unpivot"}
    unknown = set(entry) - settings
    if unknown:
        raise SourcesFileError(f"{where}: unknown setting(s) {sorted(unknown)}")
    if entry.get("table") == TODO:
        raise SourcesFileError(f"{where}.table: still TODO: name the table this extract feeds, one of {list(TABLES)}")
    table = TABLES.get(str(entry.get("table")))
    if table is None:
        raise SourcesFileError(f"{where}.table: found {entry.get('table')!r}; expected one of {list(TABLES)}")
    pattern = entry.get("file")
    if not pattern:
        raise SourcesFileError(f"{where}.file: expected a file name or glob (relative to the sources file)")
    files = tuple(Path(p) for p in sorted(glob.glob(str(base / str(pattern)))))
    if not files:
        raise SourcesFileError(f"{where}.file: no file matches {str(base / str(pattern))!r}")
    aggregate = bool(entry.get("aggregate", False))
    rules = _rules(entry.get("columns"), table, where, aggregate)
    values, names = _values(entry.get("values") or {}, {r.ours for r in rules}, where)
    skips = tuple(_skip(s, f"{where}.skip[{i}]") for i, s in enumerate(entry.get("skip") or []))
    header_row = entry.get("header_row", 1)
    if not isinstance(header_row, int) or header_row < 1:
        raise SourcesFileError(f"{where}.header_row: found {header_row!r}; expected the row number of the header")
    date_format = entry.get("dates")
    if date_format not in (None, "uk") and "%" not in str(date_format):
        raise SourcesFileError(f"{where}.dates: found {date_format!r}; expected 'uk' or a format like '%m/%d/%Y'")
    return Extract(
        name,
        table,
        files,
        rules,
        values,
        names,
        skips,
        entry.get("sheet"),
        header_row,
        None if date_format in (None, "uk") else str(date_format),
        aggregate,
        _unpivot(entry.get("unpivot"), f"{where}.unpivot"),
    )


def _unpivot(spec, where: str) -> tuple[tuple[str, ...], tuple[str, str]] | None:
    """``unpivot: {keep: [Ward], into: [Month, Bed days]}``, checked."""
    if spec is None:
        return None
    keep = spec.get("keep") if isinstance(spec, dict) else None
    into = spec.get("into") if isinstance(spec, dict) else None
    if isinstance(keep, str):
        keep = [keep]
    if not keep or not isinstance(keep, list) or not isinstance(into, list) or len(into) != 2:
        raise SourcesFileError(
            f"{where}: expected {{keep: [the columns kept as they are], into: [a name for the other columns' "
            "headers, a name for their cells]}, e.g. {keep: [Ward], into: [Month, Bed days]}"
        )
    return tuple(str(k) for k in keep), (str(into[0]), str(into[1]))


def _rules(columns, table: Table, where: str, aggregate: bool) -> tuple[Rule, ...]:
    if not isinstance(columns, dict) or not columns:
        raise SourcesFileError(f"{where}.columns: expected pxassure column: their column (or a derivation)")
    known = [c.name for c in table.input_columns]
    rules = []
    for ours, how in columns.items():
        at = f"{where}.columns.{ours}"
        if ours not in known:
            raise SourcesFileError(f"{at}: {ours!r} is not a column of {table.name}; expected one of {known}")
        rules.append(_rule(ours, how, at, aggregate))
    missing = [c.name for c in table.input_columns if not c.nullable and c.name not in columns]
    if missing:
        raise SourcesFileError(f"{where}.columns: expected a column for {missing} (required in {table.name})")
    if aggregate and not any(r.kind in AGGREGATES for r in rules):
        raise SourcesFileError(f"{where}: aggregate is true, so expected a {{count: rows}}, sum or percent column")
    return tuple(rules)


def _rule(ours: str, how, at: str, aggregate: bool) -> Rule:
    if how == TODO:
        raise SourcesFileError(f"{at}: still TODO: name the extract's column for {ours!r} (or a derivation)")
    if isinstance(how, str | int | float) and not isinstance(how, bool):
        return Rule(ours, "column", (str(how),))
    if not isinstance(how, dict):
        raise SourcesFileError(f"{at}: expected their column's name or one of {{{', '.join(DERIVATIONS)}: …}}")
    kinds = [k for k in how if k in DERIVATIONS]
    extra = set(how) - set(DERIVATIONS) - {"where"}
    if len(kinds) != 1 or extra:
        raise SourcesFileError(f"{at}: expected exactly one of {list(DERIVATIONS)} (and optionally 'where')")
    kind = kinds[0]
    arg = how[kind]
    if kind in AGGREGATES and not aggregate:
        raise SourcesFileError(f"{at}: {kind} combines rows, so the extract needs 'aggregate: true'")
    where = tuple(
        (str(c), tuple(str(v) for v in (vs if isinstance(vs, list) else [vs])))
        for c, vs in (how.get("where") or {}).items()
    )
    if where and kind not in AGGREGATES:
        raise SourcesFileError(f"{at}: 'where' applies to count, sum and percent only")
    if kind == "constant":
        return Rule(ours, kind, constant=arg)
    if kind == "count":
        if arg != "rows":
            raise SourcesFileError(f"{at}: expected {{count: rows}}")
        return Rule(ours, kind, where=where)
    wanted = {"working_days": 2, "percent": 2}.get(kind, 1)
    names = arg if isinstance(arg, list) else [arg]
    if len(names) != wanted or not all(isinstance(n, str) and n.strip() for n in names):
        raise SourcesFileError(f"{at}: {kind} expects {wanted} column name(s) of the extract, found {arg!r}")
    return Rule(ours, kind, tuple(n.strip() for n in names), where=where)


def _values(spec, ours: set[str], where: str) -> tuple[dict, dict]:
    if not isinstance(spec, dict):
        raise SourcesFileError(f"{where}.values: expected pxassure column: {{their value: pxassure value}}")
    out, names = {}, {}
    for column, mapping in spec.items():
        if column not in ours or not isinstance(mapping, dict):
            raise SourcesFileError(f"{where}.values.{column}: expected a mapped column with {{their value: ours}}")
        todo = [k for k, v in mapping.items() if v == TODO]
        if todo:
            raise SourcesFileError(f"{where}.values.{column}: still TODO for {first_few(todo)}: give pxassure's value")
        out[column] = {
            match_key(k): (None if v is None or str(v).strip() == "" else cell_text(v)) for k, v in mapping.items()
        }
        names[column] = [str(k) for k in mapping]
    return out, names


def cell_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _skip(spec, at: str) -> Skip:
    if not isinstance(spec, dict) or not spec.get("reason") or not spec.get("column"):
        raise SourcesFileError(f"{at}: expected {{column, equals | in | blank, reason}}")
    if spec.get("blank"):
        return Skip(str(spec["reason"]), str(spec["column"]), blank=True)
    values = spec.get("in", [spec["equals"]] if "equals" in spec else None)
    if not values:
        raise SourcesFileError(f"{at}: expected 'equals', 'in' or 'blank: true'")
    return Skip(str(spec["reason"]), str(spec["column"]), tuple(str(v) for v in values))


# -- reading and mapping rows -----------------------------------------------------------------
