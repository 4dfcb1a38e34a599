"""The workbook's set-up: its styles and colours, its sheets and their names, and the cells
every sheet writes. The sheets are written by :mod:`importer.report.summary`,
:mod:`~importer.report.steps`, :mod:`~importer.report.errors` and
:mod:`~importer.report.payloads`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from importer import i18n, targets, xlsx
from importer.report.runinfo import RunInfo
from importer.results import Outcome, Result, Status
from importer.xlsx import Cell, PageSetup, Sheet, Style, Workbook, footer, literal

# Status colours: (fill, font). created green; existing/updated blue; changed amber; planned
# light blue; skipped and excluded grey; invalid orange; failed and unknown red.
STATUS_COLOURS = {
    Status.CREATED: ("C6EFCE", "006100"),
    Status.EXISTING: ("BDD7EE", "1F4E78"),
    Status.UPDATED: ("BDD7EE", "1F4E78"),
    Status.UNCHANGED: ("DDEBF7", "1F4E78"),
    Status.DELETED: ("E4DFEC", "403151"),
    Status.CHANGED: ("FFEB9C", "7F6000"),
    Status.PLANNED: ("DDEBF7", "1F4E78"),
    Status.SKIPPED: ("D9D9D9", "404040"),
    Status.EXCLUDED: ("EDEDED", "595959"),
    Status.INVALID: ("F8CBAD", "833C0B"),
    Status.FAILED: ("FFC7CE", "9C0006"),
    Status.UNKNOWN: ("FFC7CE", "9C0006"),
}
HEADER_FILL = "D9E1F2"
BANNER = ("FFEB9C", "9C0006")  # a dry run's or a validation's "nothing was sent": amber, red
LINK_COLOUR = "0563C1"
ROW_FILL, ROW_FONT = "F2F2F2", "595959"  # the source row number: grey, set apart by a line
# Number formats are locale-neutral codes: "," groups thousands and "." marks the decimals
# in the code, and the application shows them in its own locale's signs (a Dutch Excel or
# LibreOffice shows 1.234,50, an English one 1,234.50). Writing "#.##0,00" would not make a
# Dutch format: it is another code. So amounts are grouped with two decimals in every
# language, and the viewer's locale chooses the signs; dates follow the report's language.
DECIMAL_FORMAT = "#,##0.00"
PRECISE_FORMAT = "#,##0.00####"  # a decimal with more than two places: nothing hidden
INTEGER_FORMAT = "0"  # whole numbers are often numbers of things (a year, a house): ungrouped
DATE_FORMATS = {"en": "yyyy-mm-dd", "nl": "dd-mm-yyyy"}
DATETIME_FORMATS = {"en": "yyyy-mm-dd hh:mm:ss", "nl": "dd-mm-yyyy hh:mm:ss"}
DATETIME_FORMAT = DATETIME_FORMATS["en"]
MAX_SHEET_NAME = 31
# Excel refuses these in sheet names; "History" is reserved by Excel itself.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = ("history",)


def link_to(sheet: str, row: int, column: str = "A") -> str:
    """An internal hyperlink location: ``'verkooprelaties'!A7``."""
    return "'{}'!{}{}".format(sheet.replace("'", "''"), column, row)


@dataclass
class Part:
    """A sheet of source rows: a step's own rows, or its lines."""

    key: str  # in Writer.names
    title: str  # the sheet's wished name (made unique and valid for Excel)
    connector: str
    source: str
    outcomes: dict[int, Outcome]
    keep: list[str]
    owners: list[Any]  # steps and lines whose declarations type the originals, first wins


class Writer:
    """The workbook being written: its styles, its sheets' names, and the cells every sheet
    writes (text cut to Excel's cell size, links)."""

    def __init__(self, result: Result, lang: str, run: RunInfo):
        self.result = result
        # the field a target's refusal can be looked up by (its spec names it); the
        # column is there only for a target that has one
        system = targets.spec(result.mapping.target)
        self.log_reference = system.log_reference
        self.nested_deletes = system.target_class().nested_deletes
        self.mapping = result.mapping
        self.lang = lang
        self.run = run
        self.book = Workbook()
        self.parts = self._parts()
        self.names = self._sheet_names()
        self.typed_columns: dict[tuple[Any, ...], tuple[list[Any], list[str | None]]] = {}
        self.sent_as_shown = False  # a step sheet has the `sent as` column
        self.sent_shown = False  # ... and the `sent` column
        self.payloads_shown = False
        style = self.book.style
        self.s = {
            "header": style(Style(bold=True, fill=HEADER_FILL)),
            "bold": style(Style(bold=True)),
            "title": style(Style(bold=True, size=14)),
            "banner": style(Style(bold=True, size=12, fill=BANNER[0], color=BANNER[1])),
            "link": style(Style(color=LINK_COLOUR, underline=True)),
            "date": style(Style(number_format=DATE_FORMATS.get(lang, "yyyy-mm-dd"))),
            "datetime": style(Style(number_format=DATETIME_FORMATS.get(lang, DATETIME_FORMAT))),
            "decimal": style(Style(number_format=DECIMAL_FORMAT)),
            "precise": style(Style(number_format=PRECISE_FORMAT)),
            "integer": style(Style(number_format=INTEGER_FORMAT)),
            "wrap": style(Style(wrap=True)),
            "bold:wrap": style(Style(bold=True, wrap=True)),
            "row": style(
                Style(fill=ROW_FILL, color=ROW_FONT, number_format="0", border=("right",))
            ),
            "head:row": style(Style(bold=True, fill=HEADER_FILL, border=("right",), wrap=True)),
        }
        for status, (fill, font) in STATUS_COLOURS.items():
            self.s[f"status:{status}"] = style(Style(fill=fill, color=font))
            self.s[f"head:{status}"] = style(Style(bold=True, fill=fill, color=font))

    @property
    def unsent(self) -> bool:
        """A dry run or a validation: nothing was sent."""
        return self.result.dry_run or self.run.validation

    def t(self, key: str, **values: Any) -> str:
        return i18n.text(self.lang, key, **values)

    def text(self, value: str) -> str:
        """A string cut to Excel's cell size, saying how long it was."""
        if len(value) <= xlsx.MAX_CELL:
            return value
        marker = " " + self.t("value.truncated", count=len(value))
        return value[: xlsx.MAX_CELL - len(marker)] + marker

    def cell(self, value: Any, style: str | None = None, link: str | None = None) -> Cell:
        if isinstance(value, str):
            value = self.text(value)
        elif isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None)
        return Cell(value, self.s[style] if style else 0, link)

    def _sheet_names(self) -> dict[str, str]:
        """Fixed sheets keep their names; a step whose name collides gets `` (2)``."""
        keys = ("summary", "errors", "payloads", "explain")
        fixed = {key: self.t(f"sheet.{key}") for key in keys}
        if self.unsent:  # a dry run's or a validation's payloads were never sent
            fixed["payloads"] = self.t("sheet.payloads_unsent")
        taken = {name.casefold() for name in fixed.values()} | set(_RESERVED_SHEETS)
        names = {f"#{key}": name for key, name in fixed.items()}
        for part in self.parts:
            names[part.key] = _unique_sheet_name(part.title, taken)
            taken.add(names[part.key].casefold())
        return names

    def header(
        self,
        sheet: Sheet,
        titles: list[str],
        statuses: dict[int, str] | None = None,
        styles: dict[int, str] | None = None,
    ) -> None:
        row = []
        for i, title in enumerate(titles):
            status = (statuses or {}).get(i)
            style = (styles or {}).get(i) or (f"head:{status}" if status else "header")
            row.append(self.cell(title, style))
        sheet.append(row)

    def page(self, *, one_page: bool = False, title_rows: int = 1) -> PageSetup:
        """How a sheet prints: landscape, one page wide (``one_page``: one page in all), its
        header on every page, and a footer with the file's name, the sheet's, the run id and
        the page number."""
        return PageSetup(
            fit_height=1 if one_page else 0,
            title_rows=0 if one_page else title_rows,
            footer=footer(
                "&F, &A",
                literal(f"{self.t('label.run_id')} {self.run.run_id}"),
                self.t("page.number"),
            ),
        )

    def _parts(self) -> list[Part]:
        """The sheets of source rows, in mapping order: each step's rows, then its lines."""
        steps = self.mapping.steps
        parts = []
        for step in steps:
            same = [s for s in steps if s.source == step.source and s is not step]
            lines = [s.lines for s in steps if s.lines and s.lines.source == step.source]
            parts.append(
                Part(
                    step.name,
                    step.name,
                    step.connector,
                    step.source,
                    self.result.outcomes[step.name],
                    list(step.keep),
                    [step, *same, *lines],
                )
            )
            if step.lines is not None and step.name in self.result.lines:
                source = step.lines.source
                owners = [s for s in steps if s.source == source]
                parts.append(
                    Part(
                        f"{step.name}#lines",
                        f"{step.name} {self.t('sheet.lines')}",
                        step.connector,
                        source,
                        self.result.lines[step.name],
                        list(step.keep),
                        [step.lines, *owners],
                    )
                )
        return parts


def _unique_sheet_name(name: str, taken: set[str]) -> str:
    """A valid Excel sheet name, unique (ignoring case) among ``taken``."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip() or "_"
    if base.startswith("'"):
        base = "_" + base[1:]
    if base.endswith("'"):
        base = base[:-1] + "_"
    base = base[:MAX_SHEET_NAME]
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    return candidate
