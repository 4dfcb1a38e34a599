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

The work is split by kind of file: :mod:`importer.csvfile` reads CSV; :mod:`importer.excel`
reads workbooks through calamine (and holds those limits); :mod:`importer.sheetxml` scans a
worksheet's raw XML for what calamine does not report; :mod:`importer.tables` holds
:class:`Table` and the header rules both kinds of file share.
"""

from __future__ import annotations

from pathlib import Path

from importer.csvfile import _read_csv
from importer.errors import InputError
from importer.excel import _read_excel
from importer.tables import Table

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}

OTHER_FORMATS = {
    ".numbers": " (in Numbers: File > Export To > CSV or Excel)",
}


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
