"""What is wrong with an input, said so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (file, sheet, row, column), what was found, what was expected."""

    file: str
    row: int | None  # 1-based row in the file or sheet, header = row 1 for table layouts
    column: str | None
    value: object
    expected: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        value = "" if self.value is None else f": found {self.value!r}"
        return f"{', '.join(where)}{value}; expected {self.expected}"


def write_csv(problems: list[Problem], path) -> None:
    """Every problem as a row of a CSV (file, sheet, row, column, found, expected), to sort and
    work through in a spreadsheet when there are more than the screen shows."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["file", "sheet", "row", "column", "found", "expected"])
        for p in problems:
            out.writerow(
                [p.file, p.sheet or "", p.row or "", p.column or "", "" if p.value is None else p.value, p.expected]
            )
