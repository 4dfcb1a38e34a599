"""Scans of a worksheet's raw XML (.xlsx, .xlsm) for what calamine does not report.

The farthest cell (calamine reserves room for every cell up to it), formulas without a stored
result and cells showing an error (calamine reads both as blank).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

from importer.errors import InputError
from importer.tables import _cell_place

# calamine makes room for every cell from A1 to the farthest one: 50 million cells is ~1.6 GB
MAX_CELLS = 50_000_000

# Cell and row references that can make a sheet's rectangle large: a column of two or three
# letters, or a row number of six or seven digits. Two patterns with a literal start, as the
# regular expression engine then skips to each ' r="' at C speed (one pattern with
# alternatives costs ten times as much).
_WIDE = re.compile(rb' r="([A-Za-z]{2,3})(\d+)"')  # calamine reads "xfd1" as XFD1 too
_DEEP = re.compile(rb' r="[A-Za-z]{0,3}(\d{6,})"')


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
                    column = _column_number(letters.decode().upper()) + 1
                    if column > columns:
                        columns, far = column, letters.decode().upper()
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


def _column_number(letters: str) -> int:
    """0-based column of Excel letters."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


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


_TAG_REF = re.compile(rb"<(?:\w+:)?c\b[^<>]*?\br=\"([A-Z]+)(\d+)\"")


def _styled_cells(raw: bytes, sheet: str, styles: set[int]) -> dict[tuple[int, int], int]:
    """The cells whose format (``s``, an index into the workbook's cell formats) is one of
    ``styles``: {(row, 0-based column): format}. Only those cells are looked at: a search for
    their ``s="..."`` runs at C speed over the sheet's XML."""
    if not styles:
        return {}
    ids = b"|".join(str(s).encode() for s in sorted(styles))
    wanted = re.compile(rb' s="(' + ids + rb')"')
    found: dict[tuple[int, int], int] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return {}
            with archive.open(part) as xml:
                tail = b""
                while True:
                    chunk = xml.read(SCAN_CHUNK)
                    buffer = tail + chunk
                    # cut after the last end of a tag, so that no tag is split between reads
                    cut = buffer.rfind(b">") + 1 if chunk else len(buffer)
                    view = buffer[:cut]
                    for match in wanted.finditer(view):
                        start = view.rfind(b"<", 0, match.start())
                        ref = _TAG_REF.match(view, start)
                        if ref:
                            cell = (int(ref.group(2)), _column_number(ref.group(1).decode()))
                            found[cell] = int(match.group(1))
                    tail = buffer[cut:]
                    if not chunk:
                        return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return {}
