"""Read CSV and Excel files into tables of text.

Every cell is read as text first, so codes with leading zeros, long numbers and postcodes
survive; conversion to declared types happens later (:mod:`importer.validation`). Cells are
trimmed and an empty cell is missing (``None``). The table's index is the row number as the
user sees it in the file (header = row 1, or the first filled row when blank rows are above
it); fully empty rows are left out, so their numbers are simply absent.

A file that cannot be read *as the user sees it* raises :class:`InputError` naming the file,
sheet, row, column and value, and what to do; nothing is guessed and no value is dropped or
changed in silence. Both kinds of file: the header is the first filled row (blank rows above
it are skipped, a single-value title row above it is refused); duplicate headers, values in a
column without a header and a repeated header row are refused; a header with no data rows is
a table of 0 rows, with a warning.

* CSV: the encoding is detected (UTF-8, Windows-1252, UTF-16 with a byte order mark) and so is
  the delimiter (``;``, ``,`` or tab; an Excel ``sep=`` first line is obeyed and, like Excel,
  not counted as a row). Refused: a row with more values than the header has columns, a quote
  never closed (or closed only rows later), NUL bytes, a byte order mark inside the text,
  rows written with another delimiter (only when the delimiter was detected), a UTF-8 file
  declared as cp1252, rows in UTF-8 beside rows in cp1252 (either way one kind is garbled).
  A row with fewer values than columns has blank cells.
* Excel (.xlsx, .xlsm, .xls, .ods; recognised by content, not by name): the default sheet is
  the first *visible* worksheet; a hidden sheet is read when the mapping names it, with a
  warning; sheet names match like Excel's (case and outer spaces do not count). A formula
  cell is read as the result Excel stored. Refused: a formula without a stored result or a
  cell showing an error such as ``#N/A`` (both would read as blank; checked in .xlsx and
  .xlsm, whose XML shows them), merged cells holding a value, numbers longer than the 15
  digits Excel keeps, password protection, damaged files, HTML, XML, PDF or text files
  with an Excel name, and a workbook that would unpack to too much (a "zip bomb"; checked
  from its zip's table of contents before anything is unpacked: :data:`MAX_UNPACKED`,
  :data:`MAX_RATIO`). Numbers read as Excel shows them: ``12`` not ``12.0``, ``0.3`` not
  ``0.30000000000000004``.
* A value that starts with ``=`` is text and stays text, never a formula; whether a column
  accepts one is the mapping's to say (:mod:`importer.validation`).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import html
import io
import posixpath
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from importer.errors import InputError

T = TypeVar("T")

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")
EXCEL_DIGITS = 15  # significant digits Excel keeps of a number
_EXCEL_LIMIT = 10**EXCEL_DIGITS
LISTED = 5  # rows named in a message before "and N more"
SNIFF_LINES = 20  # lines looked at for the delimiter when the first one has none
TITLE_ROWS = 10  # how far below a one-cell first row a wider header is taken for one

# A workbook (a zip) is refused from its table of contents, before anything is unpacked, when
# it would unpack to more than a reader can hold, or a part of it is packed far tighter than
# spreadsheet XML ever is (5 to 20 times): a "zip bomb", a few MB that unpack to GBs.
MAX_UNPACKED = 1_000_000_000  # bytes, all parts; Excel's 1,048,576 rows of 12 columns: ~600 MB
MAX_RATIO = 100  # unpacked / packed size of one part ...
RATIO_FROM = 10_000_000  # ... that unpacks to more than this (a smaller one is harmless)
# calamine makes room for every cell from A1 to the farthest one: 50 million cells is ~1.6 GB
MAX_CELLS = 50_000_000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SAVE_AS = "Open it in Excel and save it as Excel Workbook (.xlsx), or export it as CSV"
OTHER_FORMATS = {
    ".numbers": " (in Numbers: File > Export To > CSV or Excel)",
}


@dataclass(frozen=True)
class Table:
    """The text of one sheet, indexed by the row number the user sees."""

    path: Path
    frame: pd.DataFrame
    sheet: str | None = None
    dialect: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """Things the user should know that do not stop the run (shown, never silently applied)."""

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
    decimal: str = ".",
) -> Table:
    """Read a CSV or Excel file; raise InputError for anything that makes it unusable.

    ``decimal`` is the decimal separator Excel number cells are written with (``1234,5`` for
    a Dutch workbook), so they read as the user sees them.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(
            f"{path}: is a folder, not a file; expected a CSV (.csv) or Excel (.xlsx) file"
        )
    if not path.is_file():
        raise InputError(f"Input file not found: {path}")
    suffix = path.suffix.lower()
    if suffix not in EXCEL_SUFFIXES | CSV_SUFFIXES:
        kind = f"'{suffix}' files" if suffix else "files without an extension such as .csv"
        hint = OTHER_FORMATS.get(suffix, "")
        raise InputError(f"{path.name}: cannot read {kind}; use CSV (.csv) or Excel (.xlsx){hint}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot be opened ({exc.strerror})") from exc
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, raw, sheet, decimal)
    return _read_csv(path, raw, encoding, delimiter)


# --- CSV ----------------------------------------------------------------------------------


def _read_csv(path: Path, raw: bytes, encoding: str | None, delimiter: str | None) -> Table:
    name = path.name
    if raw.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise InputError(
            f"{name}: this is an Excel workbook, not a CSV file; rename it to "
            f"{path.stem}.xlsx (or {path.stem}.xls)"
        )
    text, used_encoding = _decode(path, raw, encoding)
    if not text.strip():
        raise InputError(f"{name}: the file is empty; expected a header row and data rows")
    if "\x00" in text and text.count("\x00") * 4 > len(text):
        raise InputError(
            f"{name}: the file is full of NUL bytes: it looks like UTF-16 text (Excel "
            "'Unicode Text') without a byte order mark. Save it as 'CSV UTF-8', or declare "
            "encoding: utf-16 for this source in the mapping"
        )
    sep_line = re.match(r"sep=(.)(?:\r\n|\r|\n)", text)
    if sep_line:  # Excel's own hint; Excel does not show it as a row
        text = text[sep_line.end() :]
    sep = delimiter or (sep_line.group(1) if sep_line else _sniff_delimiter(text))
    grid = _parse_csv(name, text, sep)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    dialect = {"encoding": used_encoding, "delimiter": _delimiter_name(sep)}
    warnings: list[str] = []
    frame, header_row = _shape(name, _tidy(grid), excel=False, sep=sep, warnings=warnings)
    _refuse_mixed_encodings(name, raw, used_encoding, frame, header_row)
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    multiline = len(grid) < breaks  # some quoted value holds a line break
    _check_csv_cells(
        name,
        frame,
        header_row,
        text,
        sep,
        detected=not (delimiter or sep_line),
        multiline=multiline,
    )
    return Table(path=path, frame=frame, dialect=dialect, warnings=warnings)


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    if not encoding and raw.startswith(UTF16_BOMS):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = (encoding,) if encoding else ENCODINGS
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError as exc:
            if encoding or candidate == "utf-16":
                line = raw.count(b"\n", 0, exc.start) + 1
                raise InputError(
                    f"{path.name}: not readable as {candidate}: line {line} holds the byte "
                    f"0x{raw[exc.start]:02X}, which is not {candidate} text; check the "
                    "'encoding' of this source in the mapping"
                ) from exc
            continue
        except LookupError as exc:
            raise InputError(f"{path.name}: unknown encoding {encoding!r}") from exc
        if encoding and not encoding.lower().replace("-", "").startswith("utf"):
            _refuse_hidden_utf8(path.name, raw, encoding)
        return text, candidate
    raise InputError(
        f"{path.name}: unknown text encoding; expected UTF-8 or Windows-1252 (cp1252). "
        "Save the file as 'CSV UTF-8' or declare its encoding in the mapping"
    )


def _refuse_hidden_utf8(name: str, raw: bytes, encoding: str) -> None:
    """A declared single-byte encoding would garble a UTF-8 file ('CafÃ©'): refuse."""
    first = re.search(rb"[\x80-\xff]", raw)
    if first is None:
        return  # plain ASCII reads the same in every encoding
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    start = raw.rfind(b"\n", 0, first.start()) + 1
    end = raw.find(b"\n", first.start())
    line = raw[start : end if end >= 0 else len(raw)]
    word = re.search(rb"[^\s;,\t]*[\x80-\xff][^\s;,\t]*", line)
    seen = word.group(0) if word else line
    number = raw.count(b"\n", 0, start) + 1
    raise InputError(
        f"{name}: the file is UTF-8, but the mapping declares encoding {encoding!r}, which "
        f"would turn {seen.decode('utf-8')!r} (line {number}) into "
        f"{seen.decode(encoding, 'replace')!r}. Set encoding: utf-8 for this source, or "
        "leave it out"
    )


def _refuse_mixed_encodings(
    name: str, raw: bytes, encoding: str, frame: pd.DataFrame, header_row: int
) -> None:
    """Rows in UTF-8 beside rows in a single-byte encoding (say, rows pasted in from another
    export): whichever way the file is decoded, one kind would be garbled ('CafÃ©'). Refuse."""
    if encoding.lower().replace("-", "").startswith("utf"):
        return
    if raw.decode("utf-8", "ignore").isascii():
        return  # no UTF-8 beyond ASCII anywhere (one look, in C): the common case
    kinds: dict[str, dict[int, str]] = {"UTF-8": {}, encoding: {}}  # row: a value, as meant
    cells = [(header_row, title) for title in frame.columns if not title.isascii()]
    for column in frame.columns:
        values = frame[column].dropna()
        cells += [(int(n), v) for n, v in values[~values.str.isascii()].items()]
    for n, value in cells:
        try:
            kinds["UTF-8"].setdefault(n, value.encode(encoding).decode("utf-8"))
        except UnicodeError:
            kinds[encoding].setdefault(n, value)
    if not all(kinds.values()):
        return
    described = []
    for kind, values in kinds.items():
        rows = sorted(values)
        listed = ", ".join(map(str, rows[:LISTED]))
        more = f" and {len(rows) - LISTED} more" if len(rows) > LISTED else ""
        value = values[rows[0]]
        bom = value.startswith("\ufeff") and value[1:].isascii()
        shown = "a byte order mark" if bom else repr(value[:40])
        rows_are = "rows {} are" if len(rows) > 1 else "row {} is"
        described.append(f"{rows_are.format(listed + more)} {kind} ({shown})")
    raise InputError(
        f"{name}: the file mixes encodings: {described[0]}, {described[1]}; read either way, "
        "one kind would be garbled. Save the file in one encoding (UTF-8)"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the header line, outside quotes."""
    first = _first_filled_line(text)
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best]:
        return best
    # a header without delimiters: one column, or title rows above the header; the lines
    # below tell, and a one-column file reads the same with any delimiter it does not hold
    below = [line for line in text.splitlines()[1:SNIFF_LINES] if line.strip()]
    counts = {d: sum(line.count(d) for line in below) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_filled_line(text: str) -> str:
    """The first line holding more than spaces ("" if none), without splitting the whole file
    into lines (which costs as much as a tenth of reading it)."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if size < len(text):
            lines = lines[:-1]  # perhaps cut off: looked at again with a longer head
        first = next((line for line in lines if line.strip()), None)
        if first is not None or size >= len(text):
            return first or ""
        size *= 4


def _delimiter_name(sep: str) -> str:
    return {"\t": "tab"}.get(sep, sep)


def _parse_csv(name: str, text: str, sep: str) -> pd.DataFrame:
    """Every record as a row of strings (no header yet); one row per record, blank ones too."""
    # Plain Python strings (object), and no search for NA spellings: every value is text
    # and an empty one is blank either way (both about a third faster than dtype=str).
    options: dict[str, Any] = dict(
        sep=sep, header=None, dtype=object, na_filter=False, skip_blank_lines=False
    )
    try:
        return pd.read_csv(io.StringIO(text), quotechar='"', **options)
    except pd.errors.EmptyDataError:  # the first line is blank: its width says nothing
        pass
    except pd.errors.ParserError as exc:
        eof = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if eof:
            raise _open_quote(name, text, sep, int(eof.group(1))) from exc
        if "Expected" not in str(exc):
            raise InputError(f"{name}: not a readable CSV file ({exc})") from exc
    # Rows of different widths (or a blank first line): read every row as wide as the widest;
    # _shape reports values that have no header (trailing empty cells are harmless).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    width = max(map(len, csv.reader(io.StringIO(text, newline=None), delimiter=sep)), default=1)
    try:
        grid = pd.read_csv(
            io.StringIO(text), quotechar='"', names=range(width), index_col=False, **options
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{name}: not a readable CSV file ({exc})") from exc
    return grid


def _open_quote(name: str, text: str, sep: str, record: int) -> InputError:
    """The error for a quote that is never closed; ``record`` counts from 0 (pandas)."""
    rows = list(csv.reader(io.StringIO(text, newline=None), delimiter=sep))
    cells = rows[record] if record < len(rows) else []
    start = cells[-1].split("\n", 1)[0][:40] if cells else ""
    header = next((r for r in rows if any(c.strip() for c in r)), [])
    title = header[len(cells) - 1].strip() if 0 < len(cells) <= len(header) else ""
    column = repr(title) if title else len(cells) or "?"
    return InputError(
        f'{name}, row {record + 1}, column {column}: the quote (") before '
        f"{start!r} is never closed, so the rest of the file would be one value. "
        "Close the quote, or remove it"
    )


def _check_csv_cells(
    name: str,
    frame: pd.DataFrame,
    header_row: int,
    text: str,
    sep: str,
    *,
    detected: bool,
    multiline: bool,
) -> None:
    """Problems that only show in the values: stray characters, swallowed or mixed rows."""
    if "\x00" in text:
        _refuse_cells(
            name,
            frame,
            header_row,
            lambda s: s.str.contains("\x00", regex=False),
            "contains a NUL byte (\\x00), which is not text: the file is damaged or not "
            "really CSV. Remove the NUL bytes, or export the file again",
        )
    if "\ufeff" in text:
        _refuse_cells(
            name,
            frame,
            header_row,
            lambda s: s.str.contains("\ufeff", regex=False),
            "contains a byte order mark (U+FEFF), an invisible character that is left where "
            "two files were pasted together. Remove it",
        )
    ncols = len(frame.columns)
    if ncols >= 3 and multiline:
        whole_row = re.compile(rf"[\r\n][^\r\n]*(?:{re.escape(sep)}[^\r\n]*){{{ncols - 1}}}")
        for column in frame.columns:
            values = frame[column].dropna()
            values = values[values.str.contains(whole_row)]
            if len(values):
                n, value = values.index[0], values.iloc[0]
                swallowed = whole_row.search(value).group(0).strip()  # type: ignore[union-attr]
                raise InputError(
                    f"{name}, row {n}, column {column!r}: the value runs over "
                    f"{value.count(chr(10)) + 1} lines and holds what look like whole rows "
                    f'({swallowed[:60]!r}): a quote (") in it is probably not closed where it '
                    "should be. Close the quote, or remove it"
                )
    if detected and ncols >= 3:  # with two columns, "Jansen, B.V." and a blank would be one
        first = frame[frame.columns[0]]
        # rows with a value only in the first column; the second column rules out most rows
        # at once, so the others are looked at for those left only
        maybe = first.notna() & frame[frame.columns[1]].isna()
        rest = frame.loc[maybe, frame.columns[2:]]
        alone = first[maybe][rest.isna().all(axis=1)]
        for other in (d for d in DELIMITERS if d != sep):
            mixed = alone[alone.str.count(re.escape(other)) >= ncols - 1]
            if len(mixed):
                n = mixed.index[0]
                raise InputError(
                    f"{name}, row {n}: the whole row is in column {frame.columns[0]!r} "
                    f"({first[n][:60]!r}): it is separated by '{_delimiter_name(other)}' "
                    f"while the header uses '{_delimiter_name(sep)}'. Use one delimiter "
                    "throughout the file (if the value is right as it is, declare "
                    f"delimiter: '{_delimiter_name(sep)}' for this source in the mapping)"
                )


def _refuse_cells(name: str, frame: pd.DataFrame, header_row: int, test: Any, problem: str) -> None:
    """InputError naming the first cell (in row order) for which ``test`` holds."""
    titles = pd.Series(list(frame.columns), index=list(frame.columns), dtype=object)
    hits = [(header_row, t, t) for t in titles[test(titles).astype(bool)]]
    for column in frame.columns:
        values = frame[column].dropna()
        found = values[test(values).astype(bool)]
        hits += [(int(n), column, v) for n, v in found.items()]
    if not hits:
        return
    n, column, value = min(hits, key=lambda h: (h[0], list(frame.columns).index(h[1])))
    more = f" ({len(hits)} cells in all)" if len(hits) > 1 else ""
    raise InputError(f"{name}, row {n}, column {column!r}: the value {value!r} {problem}{more}")


# --- Excel --------------------------------------------------------------------------------


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
    warnings: list[str] = []
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
            warnings.append(
                f"{name}: sheet {sheet!r} is hidden in Excel; it is read because the mapping "
                "names it"
            )
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
    return Table(path=path, frame=frame, sheet=sheet, warnings=warnings)


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


# Cell and row references that can make a sheet's rectangle large: a column of two or three
# letters, or a row number of six or seven digits. Two patterns with a literal start, as the
# regular expression engine then skips to each ' r="' at C speed (one pattern with
# alternatives costs ten times as much).
_WIDE = re.compile(rb' r="([A-Z]{2,3})(\d+)"')
_DEEP = re.compile(rb' r="[A-Z]{0,3}(\d{6,})"')


def _check_extent(label: str, raw: bytes, sheet: str) -> None:
    """Refuse a sheet whose farthest cell would make calamine reserve too much memory.

    calamine reserves every cell of the rectangle from A1 to the farthest cell, so one value
    in XFD1048576 of a few-KB file asks for 550 GB. Only the references that can be far are
    looked at (a pass over the sheet's XML, about a tenth of reading it).
    """
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            return
        rows, columns, far = 1, 1, ""
        with archive.open(part) as xml:
            tail = b""
            while chunk := xml.read(SCAN_CHUNK):
                buffer = tail + chunk
                for letters, row in _WIDE.findall(buffer):
                    column = _column_number(letters.decode()) + 1
                    if column > columns:
                        columns, far = column, letters.decode()
                    rows = max(rows, int(row))
                rows = max([rows, *map(int, _DEEP.findall(buffer))])
                tail = buffer[-64:]  # a reference cut between two reads is seen whole next time
    cells = rows * max(columns, 26)
    if cells > MAX_CELLS:
        shown = f"row {rows:,}" + (f", column {far}" if columns > 26 else "")
        raise InputError(
            f"{label}: refused before reading: it has cells as far as {shown}, and reading it "
            f"would take room for {cells:,} cells (at most {MAX_CELLS:,}). Delete the empty "
            "rows and columns before the far cells in Excel (or the stray value far away), or "
            "export the data as CSV"
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


def _letters(col: int) -> str:
    """Excel's name of a 0-based column: 0 is A, 26 is AA."""
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    """0-based column of Excel letters."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def _cell_place(label: str, row: int, col: int, titles: list[Any]) -> str:
    title = titles[col] if col < len(titles) else None
    column = f", column {title!r}" if title else ""
    return f"{label}, row {row}{column} (cell {_letters(col)}{row})"


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


# Sheet XML, with or without a namespace prefix (<c> or <x:c>): a cell, its formula, its value.
# Attributes are [^<>]*, not [^>]*: calamine accepts a '<' inside an attribute, and a pattern
# that ran on over it scanned from every '<c' in it to the next '>' (quadratic in its length).
_C, _F, _V = rb"<(?:\w+:)?c\b", rb"<(?:\w+:)?f\b", rb"<(?:\w+:)?v"
_FORMULA = _F + rb"[^<>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)\s*"
_FORMULA_CELL = re.compile(
    _C + rb"([^<>]*)>\s*" + _FORMULA + rb"(?:" + _V + rb"\s*/>|" + _V + rb">([^<]*)</)?"
)
_ERROR_CELL = re.compile(
    _C + rb"([^<>]*\bt=\"e\"[^<>]*)>\s*(?:" + _FORMULA + rb")?" + _V + rb">([^<]*)</"
)
_REF = re.compile(rb"\br=\"([A-Z]+)(\d+)\"")
_TYPE = re.compile(rb"\bt=\"(\w+)\"")
SCAN_CHUNK = 1 << 20  # bytes of sheet XML looked at at once


def _check_formula_cells(
    label: str, found: list[Found], header_row: int, titles: list[Any]
) -> None:
    """A formula without a stored result, or a cell showing an error, would read as blank.

    calamine gives a formula cell's stored result (what Excel showed when it saved the
    file); files written by programs may store none, and error values come through empty.
    """
    for letters, row, formula, problem in found:
        col = _column_number(letters)
        if row < header_row:
            continue
        shown = f" (={html.unescape(formula.decode('utf-8', 'replace'))})" if formula else ""
        if problem is None:
            message = (
                f"holds a formula{shown} but no calculated result is stored in the file (it "
                "was written by a program, not saved by Excel). Open the file in Excel and "
                "save it again, or replace the formula by its value"
            )
        else:
            message = (
                f"shows the error {problem}{shown}, so it has no value. Correct it in Excel, "
                "or clear the cell"
            )
        raise InputError(f"{_cell_place(label, row, col, titles)}: {message}")


Found = tuple[str, int, bytes | None, str | None]


def _scan_sheet_xml(raw: bytes, sheet: str) -> list[Found]:
    """Cells that calamine reads as blank: (column letters, row, formula, error shown or None)."""
    found: list[Found] = []
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return []
            with archive.open(part) as xml:
                tail = b""
                while chunk := xml.read(SCAN_CHUNK):
                    buffer = tail + chunk
                    # cut after the last end of a cell or row, so that no cell is split
                    # between two reads; a read without one (no cell is that long) is cut at
                    # its end, so that what is carried over stays short and the scan linear
                    end = max(buffer.rfind(b"c>") + 2, buffer.rfind(b"row>") + 4)
                    cut = end if end > 4 else len(buffer)
                    found += _scan_cells(buffer[:cut])
                    tail = buffer[cut:]
                found += _scan_cells(tail)
                return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []  # calamine read the sheet; whatever it could not, it reported


def _scan_cells(xml: bytes) -> Iterator[Found]:
    if b"<f" in xml or b":f" in xml:  # <f>, or <x:f> in a sheet with a namespace prefix
        for match in _FORMULA_CELL.finditer(xml):
            attrs, formula, value = match.groups()
            ref = _REF.search(attrs)
            kind = _TYPE.search(attrs)
            if ref and not value and not (kind and kind.group(1) == b"str" and value == b""):
                if kind and kind.group(1) == b"e":
                    continue  # reported below, with the error
                yield ref.group(1).decode(), int(ref.group(2)), formula, None
    if b't="e"' in xml:
        for match in _ERROR_CELL.finditer(xml):
            attrs, formula, value = match.groups()
            ref = _REF.search(attrs)
            if ref:
                yield ref.group(1).decode(), int(ref.group(2)), formula, value.decode()


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding a worksheet's XML, found through the workbook's relations."""
    book = "xl/workbook.xml"
    rels = ElementTree.fromstring(archive.read("_rels/.rels"))
    for rel in rels.findall("p:Relationship", _NS):
        if rel.get("Type", "").endswith("/officeDocument"):
            book = rel.get("Target", book).lstrip("/")
    folder = posixpath.dirname(book)
    workbook = ElementTree.fromstring(archive.read(book))
    rel_id = next(
        (
            s.get(f"{{{_NS['r']}}}id")
            for s in workbook.iterfind("m:sheets/m:sheet", _NS)
            if s.get("name") == sheet
        ),
        None,
    )
    relations = ElementTree.fromstring(
        archive.read(posixpath.join(folder, "_rels", posixpath.basename(book) + ".rels"))
    )
    for rel in relations.findall("p:Relationship", _NS):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join(folder, target))
    return None


# --- Both ---------------------------------------------------------------------------------


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
    warnings: list[str],
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
        warnings.append(
            f"{label}: no data rows below the header (row {header_row}); nothing to import"
        )
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
