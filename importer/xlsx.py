"""A small, fast, streaming xlsx writer: just what the result workbook needs.

Why not openpyxl for writing: its write-only mode builds and serialises an XML element per
cell, about 100,000 cells a second without lxml, so a 100,000-row step sheet of 20 columns
takes 20 seconds. Written as text here it takes about two. openpyxl still reads workbooks
(and the tests reopen every workbook written here with it).

What it writes: inline strings (a string is always text, never a formula or an error value),
numbers, booleans, dates and date-times (as serial numbers with a date format), cell styles
(bold, size, font colour, underline, solid fill, number format, wrap, alignment, thin borders),
column widths, frozen panes, an autofilter (with its ``_xlnm._FilterDatabase`` name, as Excel
writes it), internal hyperlinks and print set-up (:class:`PageSetup`: orientation, fit to
pages, rows repeated on every page as ``_xlnm.Print_Titles``, a footer). Rows are streamed to
a temporary file per sheet, so memory stays flat.
Values are checked here too: characters XML cannot hold become U+FFFD, and a string longer
than Excel's 32,767 characters is cut, so Excel and LibreOffice open the file without repair.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from importer import xlsxparts as parts
from importer.errors import OutputError
from importer.paths import temporary_for
from importer.xlsxparts import NS_MAIN, NS_REL, XML_HEAD, PageSetup, footer, literal
from importer.xlsxparts import escape as _escape

__all__ = [
    "MAX_CELL", "MAX_ROWS", "Cell", "PageSetup", "Sheet", "Style", "Workbook", "clean",
    "column_letter", "footer", "literal", "save_atomically",
]  # fmt: skip

MAX_CELL = 32_767
MAX_ROWS = 1_048_576
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Style:
    """How a cell looks. Colours are RGB hex (``C6EFCE``)."""

    bold: bool = False
    size: float | None = None
    color: str | None = None
    underline: bool = False
    fill: str | None = None
    number_format: str = "General"
    wrap: bool = False
    align: str | None = None  # horizontal: left, center, right
    border: tuple[str, ...] = ()  # sides with a thin line: left, right, top, bottom


class Cell:
    """A value with a style (from :meth:`Workbook.style`) and, optionally, an internal link."""

    __slots__ = ("value", "style", "link")

    def __init__(self, value: Any, style: int = 0, link: str | None = None):
        self.value, self.style, self.link = value, style, link


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def clean(text: str, marker: str = " [...]") -> str:
    """A string as a cell can hold it: XML-safe, at most 32,767 characters."""
    if not text.isprintable():  # fast path: most text holds no control character at all
        if _NOT_XML.search(text):
            text = _NOT_XML.sub("\ufffd", text)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_CELL:
        text = text[: MAX_CELL - len(marker)] + marker
    return text


def _serial(moment: dt.date) -> float:
    if isinstance(moment, dt.datetime):
        moment = moment.replace(tzinfo=None)
        delta = moment - _EPOCH
        return delta.days + delta.seconds / 86400 + delta.microseconds / 86_400_000_000
    return float((moment - _EPOCH.date()).days)


class Sheet:
    """One worksheet; rows are appended in order and streamed to a temporary file."""

    def __init__(
        self,
        book: Workbook,
        name: str,
        widths: Sequence[float] = (),
        freeze: tuple[int, int] | None = None,
        page: PageSetup | None = None,
    ):
        self.book, self.name = book, name
        self.page = page  # how it prints; None: the application's defaults
        self.widths = list(widths)
        self.freeze = freeze  # (columns, rows) kept in view
        self.autofilter: str | None = None
        self.rows = 0
        self.columns = 0
        self.links: list[tuple[str, str, str]] = []
        # rows wait here until the sheet is saved (its head needs their count)
        self._data: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self._letters: list[str] = [""]

    def _letter(self, index: int) -> str:
        while len(self._letters) <= index:
            self._letters.append(column_letter(len(self._letters)))
        return self._letters[index]

    def append(self, values: Iterable[Any]) -> None:
        """Add a row: plain values, or :class:`Cell` for a style or a link; None is empty."""
        if self.rows >= MAX_ROWS:
            raise ValueError(f"sheet {self.name!r} is full: Excel holds {MAX_ROWS} rows")
        self.rows += 1
        r = self.rows
        row = str(r)
        values = list(values)
        letters = self._letters
        if len(values) >= len(letters):
            self._letter(len(values))
        parts = [f'<row r="{r}">']
        add = parts.append
        index = 0
        for item in values:
            index += 1
            kind = type(item)
            if kind is str:  # the common case first: plain text, no style
                if item:
                    if len(item) > MAX_CELL or not item.isprintable():
                        item = clean(item)
                    if "&" in item or "<" in item or ">" in item:
                        item = _escape(item)
                    add(
                        f'<c r="{letters[index]}{row}" t="inlineStr"><is><t xml:space="preserve">'
                        f"{item}</t></is></c>"
                    )
                continue
            style = 0
            if kind is Cell:
                style, link, item = item.style, item.link, item.value
                kind = type(item)
                if link is not None:
                    ref = letters[index] + row
                    self.links.append((ref, link, "" if item is None else str(item)))
            if item is None or item == "":
                if style:
                    add(f'<c r="{letters[index]}{row}" s="{style}"/>')
                continue
            ref = letters[index] + row
            s = f' s="{style}"' if style else ""
            if kind is str:
                add(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">'
                    f"{_escape(clean(item))}</t></is></c>"
                )
            elif kind is bool:
                add(f'<c r="{ref}"{s} t="b"><v>{int(item)}</v></c>')
            elif kind is int or kind is float or kind is Decimal:
                number = float(item) if kind is Decimal else item
                if isinstance(number, float) and not math.isfinite(number):
                    add(f'<c r="{ref}"{s} t="inlineStr"><is><t>{number}</t></is></c>')
                else:
                    add(f'<c r="{ref}"{s}><v>{number!r}</v></c>')
            elif isinstance(item, dt.date):
                if item.year < 1900:  # before Excel's calendar: shown as text
                    add(f'<c r="{ref}"{s} t="inlineStr"><is><t>{item.isoformat()}</t></is></c>')
                else:
                    if not style:
                        default = self.book.datetime_style if kind is dt.datetime else None
                        s = f' s="{default or self.book.date_style}"'
                    add(f'<c r="{ref}"{s}><v>{_serial(item)!r}</v></c>')
            else:
                add(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">'
                    f"{_escape(clean(str(item)))}</t></is></c>"
                )
        parts.append("</row>")
        self.columns = max(self.columns, index)
        self._data.write("".join(parts))

    @property
    def dimension(self) -> str:
        if not self.rows or not self.columns:
            return "A1"
        return f"A1:{column_letter(self.columns)}{self.rows}"

    def _write(self, out: IO[bytes], selected: bool) -> None:
        def put(text: str) -> None:
            out.write(text.encode("utf-8"))

        put(XML_HEAD)
        put(f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">')
        put(parts.sheet_pr(self.page))
        put(f'<dimension ref="{self.dimension}"/>')
        tab = ' tabSelected="1"' if selected else ""
        view = f'<sheetView workbookViewId="0"{tab}>'
        if self.freeze and any(self.freeze):
            across, down = self.freeze
            corner = f"{column_letter(across + 1)}{down + 1}"
            pane = "bottomRight" if across and down else ("topRight" if across else "bottomLeft")
            split = (f' xSplit="{across}"' if across else "") + (
                f' ySplit="{down}"' if down else ""
            )
            view += (
                f'<pane{split} topLeftCell="{corner}" activePane="{pane}" state="frozen"/>'
                f'<selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/>'
            )
        put(f"<sheetViews>{view}</sheetView></sheetViews>")
        put('<sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                for i, w in enumerate(self.widths, start=1)
            )
            put(f"<cols>{cols}</cols>")
        put("<sheetData>")
        self._data.seek(0)
        for chunk in iter(lambda: self._data.read(1 << 20), ""):
            put(chunk)
        put("</sheetData>")
        if self.autofilter:
            put(f'<autoFilter ref="{self.autofilter}"/>')
        if self.links:
            put("<hyperlinks>")
            for ref, location, display in self.links:
                put(
                    f'<hyperlink ref="{ref}" location="{parts.attr(location)}" '
                    f'display="{parts.attr(clean(display)[:255])}"/>'
                )
            put("</hyperlinks>")
        put(parts.page_xml(self.page))
        put("</worksheet>")

    def close(self) -> None:
        self._data.close()


class Workbook:
    """Sheets in the order they are added; :meth:`save` writes the file."""

    def __init__(self, creator: str = "importer"):
        self.creator = creator
        self.subject = ""  # what the workbook is (read back by paths.check_not_a_result)
        self.sheets: list[Sheet] = []
        self._styles: dict[Style, int] = {Style(): 0}
        # a date or date-time given without a style still shows as one
        self.date_style = self.style(Style(number_format="yyyy-mm-dd"))
        self.datetime_style = self.style(Style(number_format="yyyy-mm-dd hh:mm:ss"))

    def add_sheet(
        self,
        name: str,
        widths: Sequence[float] = (),
        freeze: tuple[int, int] | None = None,
        page: PageSetup | None = None,
    ) -> Sheet:
        if any(s.name.casefold() == name.casefold() for s in self.sheets):
            raise ValueError(f"a sheet named {name!r} exists already")
        sheet = Sheet(self, name, widths, freeze, page)
        self.sheets.append(sheet)
        return sheet

    def style(self, style: Style) -> int:
        """The index of a style, to put in :class:`Cell`."""
        if style not in self._styles:
            self._styles[style] = len(self._styles)
        return self._styles[style]

    def save(self, path: Path) -> None:
        try:
            # level 1: fast, and sheet XML still shrinks about tenfold
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                count = len(self.sheets)
                archive.writestr("[Content_Types].xml", parts.content_types(count))
                archive.writestr("_rels/.rels", parts.root_rels())
                archive.writestr("docProps/core.xml", parts.core(self.creator, self.subject))
                archive.writestr("docProps/app.xml", parts.app())
                archive.writestr("xl/workbook.xml", parts.workbook(self.sheets))
                archive.writestr("xl/_rels/workbook.xml.rels", parts.workbook_rels(count))
                ordered = sorted(self._styles, key=self._styles.__getitem__)
                archive.writestr("xl/styles.xml", parts.styles(ordered))
                for i, sheet in enumerate(self.sheets, start=1):
                    part = f"xl/worksheets/sheet{i}.xml"
                    with archive.open(part, "w", force_zip64=True) as out:
                        sheet._write(out, selected=i == 1)
        finally:
            for sheet in self.sheets:
                sheet.close()


def save_atomically(book: Workbook, path: Path) -> Path:
    """Write under a temporary name beside ``path``, then replace ``path`` with it.

    Raise OutputError when it cannot be written: the run is over by then, and its journal
    holds what it sent.
    """
    path = Path(path)
    temporary = temporary_for(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(temporary)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(
            f"{path} cannot be written ({exc.strerror or exc}); what a run sent is in its "
            "journal: run the same command again with another --out to write it"
        ) from exc
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
    return path
