"""Read an Excel workbook through calamine: the file's own checks, its sheets, its cells as text.

A workbook is checked before calamine opens it (files that only carry an Excel name, password
protection, a "zip bomb"); what only a sheet's XML shows is :mod:`importer.sheetxml`'s.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import re
import threading
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from importer import numformats
from importer.errors import InputError
from importer.messages import Message
from importer.sheetxml import _check_extent, _check_formula_cells, _scan_sheet_xml, _styled_cells
from importer.tables import Table, _cell_place, _header_row, _letters, _shape

T = TypeVar("T")

EXCEL_DIGITS = 15  # significant digits Excel keeps of a number
_EXCEL_LIMIT = 10**EXCEL_DIGITS

# A workbook (a zip) is refused from its table of contents, before anything is unpacked, when
# it would unpack to more than a reader can hold, or a part of it is packed far tighter than
# spreadsheet XML ever is (5 to 20 times): a "zip bomb", a few MB that unpack to GBs.
MAX_UNPACKED = 1_000_000_000  # bytes, all parts; Excel's 1,048,576 rows of 12 columns: ~600 MB
MAX_RATIO = 100  # unpacked / packed size of one part ...
RATIO_FROM = 10_000_000  # ... that unpacks to more than this (a smaller one is harmless)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

SAVE_AS = "Open it in Excel and save it as Excel Workbook (.xlsx), or export it as CSV"


def _read_excel(path: Path, raw: bytes, sheet: str | None, decimal: str = ".") -> Table:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    name = path.name
    if not raw:
        raise InputError(
            f"{name}: the file is empty (0 bytes), not an Excel workbook; save or export it again"
        )
    _check_workbook_bytes(name, raw)
    try:
        workbook = _interruptible(lambda: CalamineWorkbook.from_filelike(io.BytesIO(raw)))
    except PasswordError as exc:
        raise _password_error(name) from exc
    except Exception as exc:  # calamine raises its own types for every kind of bad file
        raise InputError(
            f"{name}: not a readable Excel file: it is damaged or not an Excel workbook "
            f"({exc}). Open it in Excel and save it again as Excel Workbook (.xlsx)"
        ) from exc
    metas = {m.name: m for m in workbook.sheets_metadata}
    names = workbook.sheet_names
    hidden = {n for n, m in metas.items() if m.visible != SheetVisibleEnum.Visible}
    warnings: list[Message] = []
    if sheet is None:
        usable = [n for n in names if n not in hidden and metas[n].typ == SheetTypeEnum.WorkSheet]
        if not usable:
            raise InputError(f"{name}: no visible worksheet. Sheets: {_sheet_list(names, hidden)}")
        sheet = usable[0]
    else:
        found = _find_sheet(sheet, names)
        if found is None:
            close = difflib.get_close_matches(sheet, names, n=1)
            hint = f". Did you mean {close[0]!r}?" if close else ""
            raise InputError(
                f"Sheet {sheet!r} not found in {name}. Sheets: {_sheet_list(names, hidden)}{hint}"
            )
        sheet = found
        if metas[sheet].typ != SheetTypeEnum.WorkSheet:
            chart = metas[sheet].typ == SheetTypeEnum.ChartSheet
            kind = "chart" if chart else "macro or dialog sheet"
            raise InputError(
                f"{name}: sheet {sheet!r} is a {kind}, not a sheet of rows and columns. "
                f"Sheets: {_sheet_list(names, hidden)}"
            )
        if sheet in hidden:
            warnings.append(Message("reader.hidden_sheet", file=name, sheet=sheet))
    label = f"{name} (sheet {sheet})"
    if raw.startswith(ZIP_MAGIC):
        _check_extent(label, raw, sheet)
    try:
        book_sheet = _interruptible(lambda: workbook.get_sheet_by_name(sheet))
        rows = _sheet_rows(book_sheet)
        merged = book_sheet.merged_cell_ranges or []
    except Exception as exc:
        raise InputError(
            f"{label}: not a readable Excel sheet: it is damaged ({exc}). Open the file in "
            "Excel and save it again as Excel Workbook (.xlsx)"
        ) from exc
    try:
        # Text cells, most of them, trimmed inline (a column-wise strip afterwards costs as
        # much again); numbers and dates never have spaces around them.
        other = _cell_texts(decimal)
        texts = [
            [(v.strip() or None) if v.__class__ is str else other(v) for v in row] for row in rows
        ]
    except _TooManyDigits:
        raise _digits_error(label, rows) from None
    width = max(map(len, texts), default=0)
    grid = pd.DataFrame(texts, columns=range(width), dtype=object)
    if any(len(row) != width for row in texts):
        grid = grid.where(grid.notna(), None)  # short rows: their missing cells are None too
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    header = _header_row(label, grid, excel=True)
    titles = list(grid.loc[header[0]])
    _check_merged(label, grid, merged, header[0], titles)
    blanks = _scan_sheet_xml(raw, sheet) if raw.startswith(ZIP_MAGIC) else []
    _check_formula_cells(label, blanks, header[0], titles)
    frame, _ = _shape(label, grid, excel=True, sep=None, warnings=warnings, header=header)
    shown, numbers, unshown = _displayed(raw, sheet, rows, texts, titles, header[0], decimal)
    return Table(
        path=path,
        frame=frame,
        sheet=sheet,
        warnings=warnings,
        shown=shown,
        numbers=numbers,
        unshown=unshown,
    )


def _displayed(
    raw: bytes,
    sheet: str,
    rows: list[list[Any]],
    texts: list[list[str | None]],
    titles: list[Any],
    header_row: int,
    decimal: str,
) -> tuple[dict[str, dict[int, str]], dict[str, int], dict[str, tuple[int, str]]]:
    """What the number and date cells below the header display, where it is not their text
    in the table; the columns holding numbers; the cells whose displayed text is not certain.

    A .xlsx or .xlsm tells each cell's number format (:mod:`importer.numformats`); only the
    cells with a format of their own (not General, text or a built-in date) are looked up in
    the sheet's XML. An .xls or .ods does not tell: its numbers and dates are not certain.
    """
    formats = numformats.cell_formats(raw) if raw.startswith(ZIP_MAGIC) else []
    own = {i for i, code in enumerate(formats) if code != numformats.BUILTIN_DATE}
    own -= {i for i in own if numformats.plain(formats[i])}
    by_column: dict[int, dict[int, int]] = {}  # column: {row: format} of the cells looked up
    for (r, c), style in (_styled_cells(raw, sheet, own) if own else {}).items():
        if r > header_row:
            by_column.setdefault(c, {})[r] = style
    shown: dict[str, dict[int, str]] = {}
    numbers: dict[str, int] = {}
    unshown: dict[str, tuple[int, str]] = {}
    known: dict[tuple[Any, int], str | None] = {}  # columns repeat their values
    below = rows[header_row:]
    # column by column: which kinds of value a column holds is asked at C speed (map, set)
    for c, cells in enumerate(zip(*below, strict=False)):
        title = titles[c] if c < len(titles) else None
        kinds = set(map(type, cells))
        if title is None or kinds <= {str, bool}:
            continue
        styled = by_column.get(c, {})
        if int in kinds or float in kinds:
            numbers[title] = (
                header_row + 1 + next(i for i, v in enumerate(cells) if type(v) in (int, float))
            )
        for r, style in styled.items():
            value = cells[r - header_row - 1]
            if type(value) in (str, bool):
                continue
            key = (value, style)
            text = (
                known[key]
                if key in known
                else known.setdefault(key, numformats.shown(value, formats[style], decimal))
            )
            if text is None:
                date = type(value) not in (int, float)
                unshown.setdefault(title, (r, "date" if date else "number"))
            elif text != texts[r - 1][c]:
                shown.setdefault(title, {})[r] = text
        # dates in a built-in format, and (in an .xls or .ods) every number and date
        plain = [k for k in kinds - {str, bool} if not formats or k not in (int, float)]
        for kind in plain:
            rest = (i + header_row + 1 for i, v in enumerate(cells) if type(v) is kind)
            row = next((r for r in rest if r not in styled), None)
            if row is not None and title not in unshown:
                unshown[title] = (row, "number" if kind in (int, float) else "date")
    return shown, numbers, unshown


def _interruptible(work: Callable[[], T]) -> T:
    """``work()`` (a call into calamine) in a thread of its own, waited for here.

    Python runs a signal handler in the main thread between two of its own steps, so Ctrl-C
    or SIGTERM would wait as long as calamine parses (minutes, for a big sheet); calamine
    lets go of the GIL while it parses, and waiting for a thread lets the handler run at once.
    An interrupted parse goes on in its (daemon) thread until the process ends.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="read", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _sheet_rows(sheet: Any) -> list[list[Any]]:
    """The values of a calamine sheet from A1, row by row, as ``to_python`` gives them.

    Read a row at a time: ``to_python`` makes every row before a signal handler can run.
    python-calamine 0.9 starts each row at the first filled column (and each sheet at row 1):
    the rows are padded to A1, as Excel counts.
    """
    if sheet.start is None:  # an empty sheet
        return []
    (_, left), (bottom, right) = sheet.start, sheet.end
    pad = [""] * left
    rows = [pad + row for row in sheet.iter_rows()] if left else list(sheet.iter_rows())
    return [[""] * (right + 1) for _ in range(bottom + 1 - len(rows))] + rows


def _check_workbook_bytes(name: str, raw: bytes) -> None:
    """Refuse, with the reason, files that only carry an Excel name."""
    if raw.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in raw:
            raise _password_error(name)
        return
    if raw.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                _check_unpacked_size(name, archive)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise InputError(
                f"{name}: not a readable Excel file: it is damaged or incomplete (cut off while "
                "copying, downloading or saving). Export or copy it again"
            ) from exc
        return
    head = raw[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").replace(b"\x00", b"").lower()
    if head.startswith(b"%pdf"):
        what = "a PDF document; export the data as CSV or Excel instead"
    elif b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        what = f"an Excel 2003 XML spreadsheet. {SAVE_AS}"
    elif head.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<?xml", b"<")):
        what = f"a web page (HTML) with an Excel name, as some systems export them. {SAVE_AS}"
    elif b"\x00" not in raw[:4096]:
        stem = name.rsplit(".", 1)[0]
        what = f"a text file, not a workbook; if it is CSV, rename it to {stem}.csv"
    else:
        what = f"the file is damaged or not an Excel workbook. {SAVE_AS}"
    raise InputError(f"{name}: not a readable Excel file: {what}")


def _check_unpacked_size(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that would unpack to too much, from the sizes its zip declares.

    The sizes hold: calamine (and zipfile) stop with an error at a part larger than declared.
    """
    refused = f"{name}: refused before reading"
    parts = archive.infolist()
    for part in parts:
        ratio = part.file_size // max(part.compress_size, 1)
        if part.file_size > RATIO_FROM and ratio > MAX_RATIO:
            raise InputError(
                f"{refused}: its part {part.filename} would unpack to {_size(part.file_size)} "
                f"from {_size(part.compress_size)}, {ratio:,} times its packed size; no part of "
                f"a workbook may unpack to more than {MAX_RATIO} times its size (spreadsheets "
                "pack 5 to 20 times). The file is damaged or built to exhaust memory (a 'zip "
                "bomb'): ask for the data again, saved by Excel or as CSV"
            )
    total = sum(part.file_size for part in parts)
    if total > MAX_UNPACKED:
        raise InputError(
            f"{refused}: it would unpack to {_size(total)}, and a workbook may unpack to at "
            f"most {_size(MAX_UNPACKED)}. Split the rows over several files, or export them as "
            "CSV"
        )
    for part in parts:
        if part.filename.lower().endswith("sharedstrings.xml"):
            with archive.open(part) as xml:
                declared = re.search(rb'uniqueCount="(\d+)"', xml.read(1 << 12))
            # calamine reserves room for as many texts as declared (each takes 5 bytes or more)
            if declared and int(declared.group(1)) * 5 > part.file_size:
                raise InputError(
                    f"{refused}: it is damaged: {part.filename} declares "
                    f"{int(declared.group(1)):,} texts in {_size(part.file_size)}. Open it in "
                    "Excel and save it again, or export the data as CSV"
                )


def _size(count: int) -> str:
    """A size in bytes as people write it: 1.5 GB, 700 KB."""
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if count >= size:
            return f"{count / size:.3g} {unit}"
    return f"{count} bytes"


def _password_error(name: str) -> InputError:
    return InputError(
        f"{name}: the workbook is protected with a password, so it cannot be read. Open it in "
        "Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password) "
        "and save it again"
    )


def _find_sheet(sheet: str, names: list[str]) -> str | None:
    """The sheet's name as in the workbook; like Excel, case and outer spaces do not count."""
    if sheet in names:
        return sheet
    folded = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _sheet_list(names: list[str], hidden: set[str]) -> str:
    return ", ".join(f"{n} (hidden)" if n in hidden else n for n in names)


class _TooManyDigits(ValueError):
    """A number cell longer than Excel can hold exactly."""


def _cell_texts(decimal: str) -> Callable[[Any], str | None]:
    """:func:`_cell_text`, remembering the text of each number and date: columns repeat
    them (amounts, dates, house numbers), and a look-up costs a fraction of a conversion."""
    known: dict[Any, str | None] = {}

    def text(value: Any) -> str | None:
        if value.__class__ not in _REMEMBERED:  # True == 1 == 1.0: bools are not remembered
            return _cell_text(value, decimal)
        found = known.get(value, _UNSEEN)
        if found is _UNSEEN:
            found = known[value] = _cell_text(value, decimal)
        return found

    return text


_UNSEEN: Any = object()
_REMEMBERED = {float, int, dt.datetime, dt.date, dt.time}


def _cell_text(value: Any, decimal: str = ".") -> str | None:
    """Text of an Excel cell as the user sees it: 12 not 12.0, dates as YYYY-MM-DD."""
    kind = value.__class__  # exact classes first: this runs for every number and date cell
    if kind is str:
        return value or None
    if kind is float:
        if abs(value) >= _EXCEL_LIMIT:
            raise _TooManyDigits(value)
        if value.is_integer():
            return str(int(value))
        # what Excel shows: 15 significant digits, so 0.1+0.2 is 0.3; never an exponent
        text = f"{value:.{EXCEL_DIGITS}g}"
        if "e" in text:  # below 0.0001: written out in full
            text = format(Decimal(text), "f")
        return text.replace(".", decimal)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) >= _EXCEL_LIMIT:
        raise _TooManyDigits(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip() or None  # anything else, as text cells are


def _digits_error(label: str, rows: list[list[Any]]) -> InputError:
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if number and abs(value) >= _EXCEL_LIMIT:
                shown = format(Decimal(f"{value:.{EXCEL_DIGITS}g}"), "f")
                return InputError(
                    f"{label}, row {r}, cell {_letters(c)}{r}: the number {shown} has more "
                    f"than {EXCEL_DIGITS} digits; Excel keeps only {EXCEL_DIGITS}, so it is "
                    "not the number that was typed. Format the column as Text and type "
                    "the values again (or import them from CSV)"
                )
    return InputError(f"{label}: a number has more than {EXCEL_DIGITS} digits")


def _check_merged(
    label: str,
    grid: pd.DataFrame,
    merged: list[tuple[tuple[int, int], tuple[int, int]]],
    header_row: int,
    titles: list[Any],
) -> None:
    """Merged cells from the header down: only the top-left cell has the value."""
    for (r0, c0), (r1, c1) in sorted(merged):
        row, col = r0 + 1, c0
        if row < header_row or (r0, c0) == (r1, c1):
            continue
        value = grid.at[row, col] if row in grid.index and col in grid.columns else None
        if value is None:
            continue
        span = f"{_letters(c0)}{r0 + 1}:{_letters(c1)}{r1 + 1}"
        raise InputError(
            f"{_cell_place(label, row, col, titles)}: cells {span} are merged, so the value "
            f"{value!r} is only in {_letters(c0)}{row} and the other cells would be read as "
            "blank. Unmerge the cells and fill in the value in each of them"
        )
