"""A sheet's text as a :class:`Table`, and the header and shape rules CSV and Excel share.

The header is the first filled row; a one-value title row above it, duplicate headers, values
under no header and a repeated header row are refused (see :mod:`importer.readers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from importer.errors import InputError
from importer.messages import Message

TITLE_ROWS = 10  # how far below a one-cell first row a wider header is taken for one


@dataclass(frozen=True)
class Table:
    """The text of one sheet, indexed by the row number the user sees."""

    path: Path
    frame: pd.DataFrame
    sheet: str | None = None
    dialect: dict[str, str] = field(default_factory=dict)
    warnings: list[Message] = field(default_factory=list)
    """Things the user should know that do not stop the run (shown, never silently applied),
    rendered in the run's language where they are shown."""
    shown: dict[str, dict[int, str]] = field(default_factory=dict)
    """Excel: by header and row, the text a number or date cell displays where it is not the
    text in ``frame`` (``0015`` for 15 formatted ``0000``); text columns take it."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Excel: the headers of columns holding number cells, each with its first such row."""
    unshown: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Excel: by header, the first row of a number (``"number"``) or date (``"date"``) cell
    whose displayed text is not certain (its format is not applied, see
    :mod:`importer.numformats`)."""

    @property
    def label(self) -> str:
        """How messages name this table: ``klanten.xlsx (sheet Klanten)``."""
        return f"{self.path.name} (sheet {self.sheet})" if self.sheet else self.path.name

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def displayed(self, header: str) -> pd.Series:
        """A column's text as Excel displays it: number and date cells in their format's
        text (``0015``, ``29-02-2024``) where that is known; for text, codes and keys.

        Where it is not known, the column's warning (one) is added to :attr:`warnings`."""
        warning = self._not_shown(header)
        if warning is not None and warning not in self.warnings:
            self.warnings.append(warning)
        text = self.frame[header]
        shown = self.shown.get(header)
        if not shown:
            return text
        cells = pd.Series(shown, dtype=object)
        cells = cells[cells.index.isin(text.index)]
        text = text.copy()
        text.loc[cells.index] = cells
        return text

    def _not_shown(self, header: str) -> Message | None:
        """The warning for a text column whose numbers or dates are not sent as displayed."""
        if header not in self.unshown:
            return None
        row, kind = self.unshown[header]
        code = "reader.dates_as_iso" if kind == "date" else "reader.numbers_not_shown"
        return Message(code, source=self.label, column=header, row=row)


def _delimiter_name(sep: str) -> str:
    return {"\t": "tab"}.get(sep, sep)


def _letters(col: int) -> str:
    """Excel's name of a 0-based column: 0 is A, 26 is AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_place(label: str, row: int, col: int, titles: list[Any]) -> str:
    title = titles[col] if col < len(titles) else None
    column = f", column {title!r}" if title else ""
    return f"{label}, row {row}{column} (cell {_letters(col)}{row})"


def _tidy(grid: pd.DataFrame) -> pd.DataFrame:
    """Trim every cell and make empty cells missing (None)."""
    # One pass over each column's Python strings: ``.str.strip()`` calls a lambda per cell,
    # and the blanks then took two more passes over the whole grid (twice as slow).
    cells = np.empty(grid.shape, dtype=object)
    for i, name in enumerate(grid.columns):
        column = grid[name].to_numpy(dtype=object)
        cells[:, i] = [(v.strip() or None) if v.__class__ is str else None for v in column]
    return pd.DataFrame(cells, index=grid.index, columns=grid.columns, dtype=object)


def _shape(
    label: str,
    grid: pd.DataFrame,
    *,
    excel: bool,
    sep: str | None,
    warnings: list[Message],
    header: tuple[int, pd.Series] | None = None,
) -> tuple[pd.DataFrame, int]:
    """The data rows of a tidy grid under its header (the first filled row), and that row.

    ``grid`` holds every row (index: row number as the user sees it; columns 0..n);
    ``header`` is what :func:`_header_row` said of it, if already asked.
    """
    header_row, filled = header or _header_row(label, grid, excel)
    titles = list(grid.loc[header_row])
    _check_header(label, titles, excel)
    data = grid[grid.index > header_row]
    data = data[filled[filled.index > header_row]]
    header_width = max(i for i, t in enumerate(titles) if t is not None) + 1
    for col, title in enumerate(titles):
        if title is not None:
            continue
        values = data[col].dropna()
        if values.empty:
            continue
        n, value = int(values.index[0]), values.iloc[0]
        if not excel and col >= header_width:
            raise InputError(
                f"{label}, row {n}: the row has more values than the header (row "
                f"{header_row}) has columns: {value!r} is in column {col + 1}, which has no "
                f"header. A value that contains the delimiter '{_delimiter_name(sep or ',')}' "
                'must be in quotes ("...")'
            )
        where = _letters(col) if excel else str(col + 1)
        raise InputError(
            f"{label}: column {where} has no header in row {header_row} but holds values "
            f"(row {n}: {value!r}); give the column a header in row {header_row}, or delete "
            "the column"
        )
    named = [c for c, t in enumerate(titles) if t is not None]
    frame = data[named].set_axis([titles[c] for c in named], axis=1)
    suspects = frame[frame[frame.columns[0]] == frame.columns[0]]
    repeated = (suspects == pd.Series(suspects.columns, index=suspects.columns)).all(axis=1)
    if repeated.any():
        n = int(repeated.idxmax())
        raise InputError(
            f"{label}, row {n}: the row repeats the header (row {header_row}); the file looks "
            "like several files pasted together. Remove the repeated header rows"
        )
    if frame.empty:
        warnings.append(Message("reader.no_rows", source=label, row=header_row))
    return frame, header_row


def _header_row(label: str, grid: pd.DataFrame, excel: bool) -> tuple[int, pd.Series]:
    """The header's row number (the first filled row) and which rows are filled.

    A first row with one value above rows with more is a title, not a header: refused.
    """
    counts = grid.notna().sum(axis=1)
    filled = counts > 0
    if not filled.any():
        if excel:
            raise InputError(f"{label}: the sheet is empty; expected a header row")
        raise InputError(f"{label}: the file is empty; expected a header row and data rows")
    header_row = int(filled.idxmax())
    near = counts[(counts.index > header_row) & (counts.index <= header_row + TITLE_ROWS)]
    if counts[header_row] == 1 and (near >= 2).any():
        wider = int((near >= 2).idxmax())
        only = grid.loc[header_row].dropna().iloc[0]
        raise InputError(
            f"{label}: row {header_row} holds only {only!r}, but row {wider} has "
            f"{near[wider]} values; the header (the column names) must be the first filled "
            "row. Delete the title rows above the header"
        )
    return header_row, filled


def _check_header(label: str, titles: list[str | None], excel: bool) -> None:
    seen: dict[str, int] = {}
    for position, title in enumerate(titles):
        if title is None:
            continue
        if title in seen:
            first, second = (
                (_letters(seen[title]), _letters(position))
                if excel
                else (seen[title] + 1, position + 1)
            )
            raise InputError(
                f"{label}: header {title!r} appears twice (columns {first} and {second}); "
                "every column needs its own header"
            )
        seen[title] = position
