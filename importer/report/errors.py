"""The Errors sheet (``Fouten``): every problem of the run, each linked to its row."""

from __future__ import annotations

from typing import Any

from importer import i18n
from importer.messages import render
from importer.report.writer import Writer, link_to
from importer.validation import Problem
from importer.xlsx import column_letter


def add_errors(writer: Writer) -> None:
    """The Errors sheet: every problem of the run, each linked to its row."""
    header = [
        writer.t("header.step"),
        writer.t("header.sheet"),
        writer.t("header.row"),
        writer.t("header.column"),
        writer.t("header.value"),
        writer.t("header.status"),
        writer.t("header.message"),
        *([writer.log_reference] if writer.log_reference else []),
    ]
    widths = (20, 28, 8, 20, 24, 12, 90, 34)[: len(header)]
    sheet = writer.book.add_sheet(
        writer.names["#errors"], widths, freeze=(0, 1), page=writer.page()
    )
    writer.header(sheet, header)
    for part in writer.parts:
        label = writer.result.tables[part.source].label
        target = writer.names[part.key]
        ordered = sorted(part.outcomes.items())
        for position, (_, outcome) in enumerate(ordered, start=2):
            if not outcome.status.problem:
                continue
            problems: list[Problem | None] = [*outcome.problems] or [None]
            for problem in problems:
                message = problem.message if problem else outcome.error
                sheet.append(
                    [
                        writer.cell(part.title),
                        writer.cell(problem.source if problem else label),
                        writer.cell(outcome.row, "link", link_to(target, position)),
                        writer.cell(problem.column if problem else None),
                        writer.cell(_problem_value(problem.value) if problem else None),
                        writer.cell(
                            i18n.status(writer.lang, outcome.status), f"status:{outcome.status}"
                        ),
                        writer.cell(render(message, writer.lang) if message else None),
                        *([writer.cell(outcome.log_reference)] if writer.log_reference else []),
                    ]
                )
    sheet.autofilter = f"A1:{column_letter(len(header))}{sheet.rows}"


def _problem_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
