"""Read CSV and Excel files into tables of text.

Every cell is read as text first, so codes with leading zeros, long numbers and postcodes
survive; conversion to declared types happens later (:mod:`importer.validation`). Cells are
trimmed and an empty cell is missing (``None``). The table's index is the row number as the
user sees it in the file (header = row 1); fully empty rows are left out, so their numbers
are simply absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from importer.errors import InputError

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Table:
    """The text of one sheet, indexed by the row number the user sees."""

    path: Path
    frame: pd.DataFrame
    sheet: str | None = None
    dialect: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name this table: ``klanten.xlsx (sheet Klanten)``."""
        return f"{self.path.name} (sheet {self.sheet})" if self.sheet else self.path.name

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Read a CSV or Excel file; raise InputError for anything that makes it unusable."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"Input file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, encoding, delimiter)
    raise InputError(f"{path.name}: cannot read '{suffix}' files; use CSV (.csv) or Excel (.xlsx)")


def _read_csv(path: Path, encoding: str | None, delimiter: str | None) -> Table:
    raw = path.read_bytes()
    text, used_encoding = _decode(path, raw, encoding)
    if not text.strip():
        raise InputError(f"{path.name}: the file is empty; expected a header row and data rows")
    sep = delimiter or _sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text), delimiter=sep))
    _check_header(path.name, header)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            quotechar='"',
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{path.name}: not a readable CSV file ({exc})") from exc
    frame.columns = [h.strip() for h in header]
    frame.index = pd.RangeIndex(2, len(frame) + 2)
    dialect = {"encoding": used_encoding, "delimiter": {"\t": "tab"}.get(sep, sep)}
    return Table(path=path, frame=_tidy(frame), dialect=dialect)


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError as exc:
            if encoding:
                raise InputError(
                    f"{path.name}: not readable as {encoding} (byte {exc.start}); "
                    "check the 'encoding' of this source in the mapping"
                ) from exc
        except LookupError as exc:
            raise InputError(f"{path.name}: unknown encoding {encoding!r}") from exc
    raise InputError(
        f"{path.name}: unknown text encoding; expected UTF-8 or Windows-1252 (cp1252). "
        "Save the file as 'CSV UTF-8' or declare its encoding in the mapping"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the header line, outside quotes."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(name: str, header: list[str]) -> None:
    seen: dict[str, int] = {}
    for position, raw in enumerate(header, start=1):
        title = raw.strip()
        if not title:
            continue
        if title in seen:
            raise InputError(
                f"{name}: header {title!r} appears twice (columns {seen[title]} and {position}); "
                "every column needs its own header"
            )
        seen[title] = position


def _read_excel(path: Path, sheet: str | None) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for every kind of bad file
        raise InputError(f"{path.name}: not a readable Excel file ({exc})") from exc
    names = workbook.sheet_names
    if sheet is None:
        sheet = names[0]
    elif sheet not in names:
        raise InputError(f"Sheet {sheet!r} not found in {path.name}. Sheets: {', '.join(names)}")
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    first = next((i for i, row in enumerate(rows) if any(_cell_text(v) for v in row)), None)
    if first is None:
        raise InputError(f"{path.name} (sheet {sheet}): the sheet is empty; expected a header row")
    header = [_cell_text(v) or "" for v in rows[first]]
    while header and not header[-1]:
        header.pop()
    _check_header(f"{path.name} (sheet {sheet})", header)
    body = [[_cell_text(v) for v in row[: len(header)]] for row in rows[first + 1 :]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    frame.index = pd.RangeIndex(first + 2, first + 2 + len(frame))
    return Table(path=path, frame=_tidy(frame), sheet=sheet)


def _cell_text(value: Any) -> str | None:
    """Text of an Excel cell as the user sees it: 12 not 12.0, dates as YYYY-MM-DD."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim every cell, make empty cells missing, drop rows that are entirely empty."""
    frame = frame.loc[:, [c for c in frame.columns if c]]  # unnamed trailing columns
    frame = frame.astype(object).apply(lambda col: col.str.strip())
    frame = frame.where(frame.ne("") & frame.notna(), None)
    return frame[frame.notna().any(axis=1)]
