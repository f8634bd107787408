"""A trust's own extracts, mapped onto pxassure's tables by the sources file, without code.

A complaints system, Datix, the PALS log and e-rostering each export their own columns, their
own spellings and their own names for the same ward. The sources file's ``extracts:`` section
says, per extract, which file (or glob, or workbook sheet) feeds which table and how::

    locations: locations.csv          # each system's location names → unit codes (or a list here)
    holidays: [2026-12-25, 2026-12-28] # not working days, for working_days
    extracts:
      datix:
        file: datix_*.csv
        table: incidents
        aggregate: true                # one row per incident → the table's grain (unit, month, harm)
        columns:
          unit_id: {location: Location (exact)}
          month: Incident date         # a date in a month column is its month
          harm_level: Result / Harm
          incidents: {count: rows}
        values:
          harm_level: {No harm: no_harm, Low harm: low, Moderate harm: moderate,
                       Severe harm: severe, Death: death}
        skip:
          - {column: Result / Harm, blank: true, reason: not yet graded}

A column is their column's name, or one derivation: ``{constant: V}``, ``{location: C}`` (the
shared look-up, by the row's date where a name was reused), ``{working_days: [FROM, TO]}``, and in
an aggregated extract ``{count: rows}``, ``{sum: C}`` or ``{percent: [C, D]}``, each optionally
``where: {C: value or [values]}``. Nullable columns not named are left empty. Cells are trimmed;
values and location names match ignoring case and repeated spaces; dates are read day first
(:mod:`pxassure.ingest.dates`). Rows identical to an earlier row and rows a ``skip:`` rule names
are counted and reported by rule, never dropped silently. An unknown value, location or date is
a problem naming file, sheet, row, column and value and what the mapping knows; every problem of
every extract is reported in one pass, and nothing is loaded unless all is well.
"""

from __future__ import annotations

import difflib
import glob
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pxassure.errors import ReadError, SourcesFileError
from pxassure.ingest import dates, readers
from pxassure.ingest.problems import Problem
from pxassure.ingest.readers import Chunk
from pxassure.ingest.schema import FALSE_TEXT, TABLES, TRUE_TEXT, Table
from pxassure.ingest.staging import SourceFile

#: Derivations that combine rows, allowed only where ``aggregate: true``.
AGGREGATES = ("count", "sum", "percent")
DERIVATIONS = ("column", "constant", "location", "working_days", *AGGREGATES)
#: Columns whose date is the row's date for a location look-up, in order of preference.
ROW_DATE = ("month", "received", "assessed_month", "from_month")
IDENTICAL = "identical to an earlier row of this extract"
#: What ``pxassure map`` writes where a person must decide; a sources file with one left is refused.
TODO = "TODO"


def _key(text: object) -> str:
    """How names and values are matched: trimmed, case-folded, repeated spaces as one."""
    return " ".join(str(text).split()).casefold()


def _listed(values, limit: int = 12) -> str:
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
            self.places.setdefault(_key(place.name), []).append(place)
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
        uses = self.places.get(_key(name))
        if not uses:
            near = difflib.get_close_matches(_key(name), list(self.places), n=3, cutoff=0.6)
            hint = f"; closest: {_listed([self.places[n][0].name for n in near])}" if near else ""
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
        return text.map(_key).isin([_key(v) for v in self.values])


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
            raise SourcesFileError(f"{where}.values.{column}: still TODO for {_listed(todo)}: give pxassure's value")
        out[column] = {_key(k): (None if v is None or str(v).strip() == "" else _text(v)) for k, v in mapping.items()}
        names[column] = [str(k) for k in mapping]
    return out, names


def _text(value) -> str:
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


@dataclass
class Mapped:
    """One chunk's rows in pxassure's columns (text), with the problems and skips met on the way."""

    frame: pd.DataFrame
    rows: np.ndarray
    problems: list[Problem]
    skipped: Counter


class Mapper:
    """Turns an extract's rows, chunk by chunk, into rows of its table as text cells."""

    def __init__(self, extract: Extract, locations: Locations, holidays: tuple = ()):
        self.extract = extract
        self.locations = locations
        self.holidays = list(holidays)
        self.seen: set[int] = set()  # hashes of rows already read, to spot exact duplicates

    def map(self, chunk: Chunk) -> Mapped:
        x = self.extract
        raw = chunk.raw.rename(columns=lambda c: " ".join(str(c).split()))
        raw = raw.apply(lambda s: s.fillna("").astype(str).str.strip())
        problems: list[Problem] = []
        skipped: Counter = Counter()

        def problem(row, column, value, expected):
            problems.append(Problem(chunk.source, int(row), column, value, expected, chunk.sheet))

        rows = chunk.rows
        if x.unpivot:
            raw, rows = self._unpivoted(raw, rows, skipped)
        missing = [c for c in x.needed if c not in raw.columns]
        if missing:
            for c in missing:
                problem(x.header_row, c, None, f"a column named {c!r} ({x.where}; columns found: {list(raw.columns)})")
            return Mapped(pd.DataFrame(), np.array([], dtype=int), problems, skipped)

        keep = self._fresh(raw, skipped)
        for rule in x.skips:
            hit = keep & rule.matches(raw)
            skipped[rule.reason] += int(hit.sum())
            keep &= ~hit
        raw, rows = raw[keep.to_numpy()].reset_index(drop=True), rows[keep.to_numpy()]
        ok = pd.Series(True, index=raw.index)
        out: dict[str, pd.Series] = {}
        parsed: dict[str, pd.Series] = {}  # date columns, parsed (for working days and look-ups)

        def flag(mask: pd.Series, column: str, values: pd.Series, expected: str):
            for r, v in zip(rows[mask.to_numpy()], values[mask].tolist()):
                problem(r, column, v, expected)
            ok.loc[mask] = False

        for rule in [r for r in x.rules if r.kind not in ("location", *AGGREGATES)]:
            out[rule.ours] = self._column(rule, raw, parsed, flag)
        for rule in [r for r in x.rules if r.kind == "location"]:
            out[rule.ours] = self._locate(rule, raw, flag, ok, skipped)
        for rule in [r for r in x.rules if r.kind in AGGREGATES]:
            out.update(self._contribution(rule, raw, flag))
        frame = pd.DataFrame(out, index=raw.index)[ok]
        return Mapped(frame.reset_index(drop=True), rows[ok.to_numpy()], problems, skipped)

    def _unpivoted(self, raw: pd.DataFrame, rows: np.ndarray, skipped: Counter) -> tuple[pd.DataFrame, np.ndarray]:
        """A column per month as a row per month: each row keeps the number of the row it came
        from; an empty cell is no row, counted (a month a ward had no figure)."""
        keep, (header, cell) = self.extract.unpivot
        absent = [k for k in keep if k not in raw.columns]
        if absent:  # left as it is: the caller reports the columns missing
            return raw, rows
        long = raw.assign(_row=rows).melt(id_vars=[*keep, "_row"], var_name=header, value_name=cell)
        blank = long[cell].str.strip() == ""
        skipped[f"empty cell: no figure for that {header}"] += int(blank.sum())
        long = long[~blank].sort_values("_row", kind="stable")
        return long.drop(columns="_row").reset_index(drop=True), long["_row"].to_numpy()

    def _fresh(self, raw: pd.DataFrame, skipped: Counter) -> pd.Series:
        """False for rows identical (in every column) to an earlier row of the extract."""
        hashes = pd.util.hash_pandas_object(raw, index=False).to_numpy()
        keep = np.ones(len(raw), dtype=bool)
        for i, h in enumerate(hashes.tolist()):
            if h in self.seen:
                keep[i] = False
            self.seen.add(h)
        skipped[IDENTICAL] += int((~keep).sum())
        return pd.Series(keep, index=raw.index)

    def _column(self, rule: Rule, raw: pd.DataFrame, parsed: dict, flag) -> pd.Series:
        col = self.extract.table.column(rule.ours)
        if rule.kind == "constant":
            return pd.Series(_text(rule.constant) if rule.constant is not None else "", index=raw.index)
        if rule.kind == "working_days":
            start, end = (self._date(c, raw, parsed, flag) for c in rule.their)
            both = start.notna() & end.notna()
            days = pd.Series("", index=raw.index)
            if both.any():
                counts = np.busday_count(
                    pd.to_datetime(start[both]).values.astype("datetime64[D]"),
                    pd.to_datetime(end[both]).values.astype("datetime64[D]"),
                    holidays=np.array(self.holidays, dtype="datetime64[D]"),
                )
                days[both] = [str(int(n)) for n in counts]
            return days
        their = rule.their[0]
        if col.type == "DATE":
            day = self._date(their, raw, parsed, flag, month=col.is_month)
            return day.map(lambda d: "" if d is None else d.isoformat())
        text = raw[their]
        if rule.ours in self.extract.values:
            text = self._translate(rule.ours, their, text, flag)
        return text

    def _date(self, their: str, raw: pd.DataFrame, parsed: dict, flag, month: bool = False) -> pd.Series:
        key = (their, month)
        if key not in parsed:
            day = dates.parse(raw[their], month=month, fmt=self.extract.date_format)
            bad = (raw[their] != "") & day.isna()
            expected = f"the format {self.extract.date_format!r}" if self.extract.date_format else None
            flag(bad, their, raw[their], expected or (dates.ACCEPTED_MONTH if month else dates.ACCEPTED))
            parsed[key] = day
        return parsed[key]

    def _translate(self, ours: str, their: str, text: pd.Series, flag) -> pd.Series:
        """Their spellings → pxassure's; a value neither listed nor already pxassure's is a problem."""
        mapping = self.extract.values[ours]
        col = self.extract.table.column(ours)
        keys = text.map(_key)
        listed = keys.isin(list(mapping))
        out = text.where(~listed, keys.map(mapping)).fillna("")
        if col.type == "BOOLEAN":
            native = text.str.lower().isin(list(TRUE_TEXT | FALSE_TEXT))
        elif col.choices:
            native = text.isin(list(col.choices))
        elif col.type in ("INTEGER", "DOUBLE"):
            native = pd.to_numeric(text, errors="coerce").notna()
        else:
            native = pd.Series(True, index=text.index)  # free text: only the listed values change
        unknown = ~listed & (text != "") & ~native
        names = self.extract.value_names[ours]
        flag(unknown, their, text, f"a value {self.extract.where}.values.{ours} lists: {_listed(names)}")
        return out

    def _locate(self, rule: Rule, raw: pd.DataFrame, flag, ok: pd.Series, skipped: Counter):
        their = rule.their[0]
        day = self._row_date(raw)
        units = pd.Series("", index=raw.index)
        reasons = pd.Series("", index=raw.index)
        problems = pd.Series("", index=raw.index)
        cache: dict = {}
        for i, name, d in zip(raw.index, raw[their].tolist(), day.tolist()):
            if name == "":
                continue  # a blank location is the schema's to report (unit_id is required)
            key = (name, d)
            if key not in cache:
                cache[key] = self.locations.find(name, d)
            place, expected = cache[key]
            if place is None:
                problems[i] = expected
            elif place.skip:
                reasons[i] = place.skip
            else:
                units[i] = place.unit
        for reason, n in reasons[reasons != ""].value_counts().items():
            skipped[f"location {reason}"] += int(n)
        ok.loc[reasons != ""] = False  # skipped: not a problem, not loaded
        for expected in problems[problems != ""].unique():
            flag(problems == expected, their, raw[their], expected)
        return units

    def _row_date(self, raw: pd.DataFrame) -> pd.Series:
        """Each row's own date (to the day where the extract has it), for names reused over time."""
        for name in ROW_DATE:
            rule = next((r for r in self.extract.rules if r.ours == name and r.kind == "column"), None)
            if rule is not None:
                text = raw[rule.their[0]]
                day = dates.parse(text, fmt=self.extract.date_format)
                if self.extract.table.column(name).is_month:  # a month alone ('Mar-24') where no day is given
                    day = day.where(day.notna(), dates.parse(text, month=True))
                return day
        return pd.Series([None] * len(raw), index=raw.index, dtype=object)

    def _contribution(self, rule: Rule, raw: pd.DataFrame, flag) -> dict[str, pd.Series]:
        """What each row adds to an aggregated column (summed per group later)."""
        match = pd.Series(True, index=raw.index)
        for column, values in rule.where:
            match &= raw[column].map(_key).isin([_key(v) for v in values])
        if rule.kind == "count":
            return {rule.ours: match.astype(float)}
        out = {}
        for i, their in enumerate(rule.their):
            number = pd.to_numeric(raw[their].str.replace(",", "", regex=False), errors="coerce")
            flag(match & (raw[their] != "") & number.isna(), their, raw[their], "a number")
            out[f"{rule.ours}\x00{i}"] = number.where(match, 0.0).fillna(0.0)
        return out


def aggregate(extract: Extract, chunks: list[Chunk]) -> list[Chunk]:
    """Mapped rows combined to the table's grain: one row per distinct value of the other columns,
    numbered by the first source row it combines (one chunk per file those rows came from)."""
    frame = pd.concat([c.raw for c in chunks], ignore_index=True)
    frame["_row"] = np.concatenate([c.rows for c in chunks])
    frame["_source"] = [c.source for c in chunks for _ in range(len(c.rows))]
    by = [r.ours for r in extract.rules if r.kind not in AGGREGATES]
    parts = [c for c in frame.columns if c not in by and not c.startswith("_")]
    grouped = frame.groupby(by, sort=True, dropna=False)
    sums = grouped[parts].sum()
    first = grouped[["_row", "_source"]].first()
    out = pd.DataFrame(index=sums.index)
    for rule in [r for r in extract.rules if r.kind in AGGREGATES]:
        if rule.kind == "count":
            out[rule.ours] = sums[rule.ours].map(lambda v: str(int(v)))
        elif rule.kind == "sum":
            out[rule.ours] = sums[f"{rule.ours}\x000"].map(_number)
        else:
            num, den = sums[f"{rule.ours}\x000"], sums[f"{rule.ours}\x001"]
            out[rule.ours] = [_number(round(100 * n / d, 2)) if d else "" for n, d in zip(num, den)]
    out = complete(out.reset_index(), extract.table)
    files = first["_source"].to_numpy()
    return [
        Chunk(out[files == source].reset_index(drop=True), source, first["_row"].to_numpy()[files == source])
        for source in dict.fromkeys(files.tolist())
    ]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# -- the extract's files ----------------------------------------------------------------------


def file_chunks(extract: Extract, path: Path) -> Iterator[Chunk]:
    """The rows of one of the extract's files as text cells (a CSV, or the named or first sheet)."""
    if path.suffix.lower() not in readers.EXCEL_SUFFIXES:
        if extract.header_row != 1:
            raise ReadError(
                Problem(str(path), None, None, None, "the header on row 1 of a CSV (header_row is for workbooks)")
            )
        readers.check_csv(path, f"the columns of {extract.where}")
        yield from readers.csv_chunks(path)
        return
    book = readers.open_workbook(path)
    try:
        if extract.sheet is None:
            sheet = book.worksheets[0]
        elif extract.sheet in book.sheetnames:
            sheet = book[extract.sheet]
        else:
            raise ReadError(Problem(str(path), None, None, book.sheetnames, f"a sheet named {extract.sheet!r}"))
        yield from readers.sheet_chunks(path, sheet, header_row=extract.header_row)
    finally:
        book.close()


def load(loader, extracts: list[Extract], locations: Locations, holidays: tuple = ()) -> None:
    """Stage every extract in ``loader``: mapped, then validated like any file of its table."""
    for extract in extracts:
        mapper = Mapper(extract, locations, holidays)
        labels = {r.ours: r.their[0] for r in extract.rules if len(r.their) == 1}
        table = extract.table.name
        skipped: Counter = Counter()
        held: list[Chunk] = []  # an aggregated extract's rows, combined once every file is read
        for path in extract.files:
            chunks = _mapped_chunks(loader, mapper, path, skipped)
            if extract.aggregate:
                mine = [c for c in chunks if len(c.rows)]  # a file with a problem may leave none
                held += mine
                rows = sum(len(c.rows) for c in mine)
            else:
                completed = (replace(c, raw=complete(c.raw, extract.table)) for c in chunks)
                rows = loader.add_chunks(table, completed, str(path), labels=labels, require_rows=False)
            loader.record(SourceFile.of(path, table, rows))
        if held:
            loader.add_chunks(table, aggregate(extract, held), extract.where, labels=labels, require_rows=False)
        for reason, n in skipped.items():
            if n:
                loader.warn(table, None, f"{extract.where}: {n} row(s) skipped: {reason}")


def complete(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    """The table's input columns the mapping leaves out (all nullable) as empty cells."""
    absent = {c.name: "" for c in table.input_columns if c.name not in frame.columns}
    return frame.assign(**absent) if absent else frame


def _mapped_chunks(loader, mapper: Mapper, path: Path, skipped: Counter) -> Iterator[Chunk]:
    """The file's chunks with their rows mapped to the table's columns; problems go to ``loader``."""
    read = 0
    try:
        for chunk in file_chunks(mapper.extract, path):
            read += len(chunk.raw)
            mapped = mapper.map(chunk)
            loader.report(mapped.problems)
            skipped.update(mapped.skipped)
            yield replace(chunk, raw=mapped.frame, rows=mapped.rows)
    except ReadError as exc:
        loader.report([exc.problem])
        return
    if read == 0:
        loader.report([Problem(str(path), None, None, None, f"at least one data row ({mapper.extract.where})")])
