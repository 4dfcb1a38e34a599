"""One sheet per step, in mapping order (and one per step's lines): the source row number
(grey, set apart by a line: ``row in file``), the original values, the status, what was sent
where it differs from what was read (``sent as``, :mod:`~importer.report.sentas`), the ids
the target returned, the error and the target's log reference, if it has one. It prints
landscape, one page wide, its header on every page.

Original values are shown as in the file, typed where the mapping declares a type: a
``date`` column holds real dates, a ``decimal`` column numbers with two decimals, an
``integer`` column whole numbers — re-read from the file's text with the column's own
declaration (so an invalid row shows what the file says, as text). Everything else, ids,
codes, IBANs and postcodes included, is stored as text, so leading zeros survive.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pandas as pd

from importer import i18n, types
from importer.messages import render
from importer.report.sentas import sent_as
from importer.report.writer import STATUS_COLOURS, Part, Writer
from importer.results import Outcome
from importer.xlsx import Cell, column_letter

WIDTH_SAMPLE = 2000  # rows looked at to size a column
EXCEL_DIGITS = 15  # digits Excel keeps of a number; longer ones stay text


def add_step_sheet(writer: Writer, part: Part) -> None:
    """The sheet of a step's rows (or its lines): each source row and what became of it."""
    table = writer.result.tables[part.source]
    originals = table.columns
    outcomes = [part.outcomes[n] for n in sorted(part.outcomes)]
    statuses = [i18n.status(writer.lang, o.status) for o in outcomes]
    errors = [_error_text(writer, o) for o in outcomes]
    # issue 16: "done in an earlier run" is history, not an error: a note column of its own
    history = [writer.t("value.earlier") if o.earlier else None for o in outcomes]
    noting = any(history)
    # what was sent, where a step does more than insert one record per request: the action,
    # the fields changed, the batch
    changing = any(o.action in ("update", "upsert", "delete") or o.batch for o in outcomes)
    sent = [_sent(writer, o) for o in outcomes] if changing else []
    notes = sent_as(writer, part)
    writer.sent_as_shown |= bool(notes)
    writer.sent_shown |= changing
    header = [
        writer.t("header.source_row"),
        *originals,
        writer.t("header.status"),
        *([writer.t("header.sent")] if changing else []),
        *([writer.t("header.sent_as")] if notes else []),
        *part.keep,
        writer.t("header.error"),
        *([writer.t("header.note")] if noting else []),
        *([writer.log_reference] if writer.log_reference else []),
    ]
    columns, styles = _originals(writer, part)
    widths = [max(8.0, len(str(outcomes[-1].row if outcomes else 0)) + 3.0)]
    widths += [_width(title, columns[title]) for title in originals]
    widths.append(_width(header[len(originals) + 1], statuses, least=10))
    if changing:
        widths.append(_width(writer.t("header.sent"), sent, least=10, most=60))
    if notes:
        widths.append(_width(writer.t("header.sent_as"), notes.values(), least=14, most=60))
    widths += [_width(k, [o.ids.get(k) for o in outcomes], least=10) for k in part.keep]
    widths.append(_width(writer.t("header.error"), errors, least=30, most=90))
    if noting:
        widths.append(_width(writer.t("header.note"), history, least=12))
    if writer.log_reference:
        widths.append(34)
    sheet = writer.book.add_sheet(writer.names[part.key], widths, freeze=(1, 1), page=writer.page())
    writer.header(sheet, header, styles={0: "head:row"})
    row_style = writer.s["row"]
    # each row's place in the table (-1: none), as one array rather than a dict of rows
    places = table.frame.index.get_indexer([o.row for o in outcomes])
    status_styles = {s: writer.s[f"status:{s}"] for s in STATUS_COLOURS}
    typed_styles = {k: writer.s[k] for k in ("date", "decimal", "precise", "integer")}
    text = writer.text
    plain = [(columns[t], styles[t]) for t in originals]
    blank = [None] * len(originals)
    for i, (outcome, label, error) in enumerate(zip(outcomes, statuses, errors, strict=True)):
        at = int(places[i])
        row: list[Any] = [Cell(outcome.row, row_style)]
        if at < 0:
            row += blank
        else:
            for values, marks in plain:
                mark = marks[at] if marks is not None else None
                if mark is None:
                    row.append(values[at])  # long text is cut by the writer
                else:
                    row.append(Cell(values[at], typed_styles[mark]))
        row.append(Cell(label, status_styles.get(outcome.status, 0)))
        if changing:
            row.append(sent[i])
        if notes:
            row.append(notes.get(outcome.row))
        row += [outcome.ids.get(k) for k in part.keep]
        row.append(error and text(error))
        if noting:
            row.append(history[i])
        if writer.log_reference:
            row.append(outcome.log_reference)
        sheet.append(row)
    sheet.autofilter = f"A1:{column_letter(len(header))}{len(outcomes) + 1}"


def _originals(
    writer: Writer, part: Part
) -> tuple[dict[str, list[Any]], dict[str, list[str | None] | None]]:
    """Each original column's values (typed where declared) and per cell its style."""
    table = writer.result.tables[part.source]
    declared = _declared(writer, part)
    columns: dict[str, list[Any]] = {}
    styles: dict[str, list[str | None] | None] = {}
    for title in table.columns:
        raw = table.frame[title].astype(object)
        raw = raw.where(raw.notna(), None)
        texts = raw.tolist()
        column = declared.get(title)
        if column is None or column.type not in ("date", "decimal", "integer"):
            columns[title] = texts
            styles[title] = None
            continue
        key = (part.source, title, column.type, str(column.format), column.decimal,
               column.thousands)  # fmt: skip
        if key not in writer.typed_columns:  # sheets of one source share the work
            values, _ = types.convert(raw, column)
            cells: list[Any] = []
            marks: list[str | None] = []
            for t, v in zip(texts, values.tolist(), strict=True):
                cell, mark = _typed(t, v, column.type)
                cells.append(cell)
                marks.append(mark)
            writer.typed_columns[key] = (cells, marks)
        columns[title], styles[title] = writer.typed_columns[key]
    return columns, styles


def _declared(writer: Writer, part: Part) -> dict[str, Any]:
    """Header -> its column declaration: the sheet's own step (or lines) first, then
    any other declaration of the same source."""
    locale = writer.mapping.sources[part.source].locale
    found: dict[str, Any] = {}
    for owner in part.owners:
        for name, column in owner.columns.items():
            if column.from_file:
                found.setdefault(owner.header_of(name), types.effective(column, locale))
    return found


def _error_text(writer: Writer, outcome: Any) -> str | None:
    return render(outcome.error, writer.lang) if outcome.error else None


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _typed(text: Any, value: Any, kind: str) -> tuple[Any, str | None]:
    """The cell value of an original cell of a declared type, and its style."""
    if _missing(text):
        return None, None
    if value is None or _missing(value):
        return text, None  # not a valid value of its type: shown as the file has it
    if kind == "date" and isinstance(value, dt.date):
        return value, "date"
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        # "007" or "+5" stay text: shown as in the file; so do numbers Excel would round
        if str(value) == str(text).strip() and len(str(abs(value))) <= EXCEL_DIGITS:
            return value, "integer"
        return text, None
    if kind == "decimal" and isinstance(value, Decimal):
        if len(value.as_tuple().digits) > EXCEL_DIGITS:
            return text, None
        places = -int(value.as_tuple().exponent)
        return float(value), "decimal" if places <= 2 else "precise"
    return text, None


def _width(title: str, values: Iterable[Any], least: float = 8, most: float = 50) -> float:
    """A column width fitting its header and the first rows (a sample is enough)."""
    longest = len(str(title))
    for value in itertools.islice(values, WIDTH_SAMPLE):
        if value is not None and not _missing(value):
            size = 10 if isinstance(value, dt.date) else len(str(value))
            if size > longest:
                longest = size
    return float(min(max(longest + 2, least), most))


def _sent(writer: Writer, outcome: Outcome) -> str | None:
    """What a row's request did: ``update: RfCs, War``, ``delete``, ``insert``; None when
    nothing was sent for it in this run."""
    if outcome.earlier or not outcome.status.sent or outcome.leader is not None:
        return None
    action = outcome.action or "insert"
    if outcome.batch:  # with other rows, in one request
        return writer.t("sent.batch", action=writer.t(f"sent.{action}"), count=outcome.batch)
    if action != "update":
        return writer.t(f"sent.{action}")
    body = outcome.json()
    fields = sorted(set(_leaves(body)))
    said = writer.t("sent.update", fields=", ".join(fields))
    deletes = writer.nested_deletes(body)
    return said + writer.t("sent.nested_deletes", count=deletes) if deletes else said


def _leaves(body: Any) -> Iterable[str]:
    """The names of the fields a body sets (its keys holding values, ``@`` attributes aside)."""
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(value, dict | list):
                yield from _leaves(value)
            elif not name.startswith("@"):
                yield name
    elif isinstance(body, list):
        for item in body:
            yield from _leaves(item)
