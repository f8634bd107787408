"""What is wrong with an input, said so a person can find and fix it."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PROBLEMS_SHOWN = 50


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
