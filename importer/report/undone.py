"""The workbook of ``importer undo``: a Summary sheet (what was undone where, the counts) and
one row per record of the journal: its step, source row, key, connector and ids, its state in
the journal, what undo did with it and why. Styled as the result workbook is
(:mod:`importer.report.writer`), written by the streaming writer (:mod:`importer.xlsx`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from importer import i18n
from importer.messages import render
from importer.report.runinfo import RunInfo
from importer.report.writer import DATETIME_FORMAT, HEADER_FILL, STATUS_COLOURS
from importer.status import Status
from importer.undo import Action, Undo
from importer.xlsx import Cell, Style, Workbook, column_letter, save_atomically

# each action in the colours of the status it is most like
_LOOKS_LIKE = {
    Action.DELETE: Status.PLANNED,
    Action.DELETED: Status.DELETED,
    Action.FAILED: Status.FAILED,
    Action.BY_HAND: Status.INVALID,
    Action.CHECK: Status.UNKNOWN,
    Action.NOT_SENT: Status.SKIPPED,
    Action.KEPT: Status.EXISTING,
    Action.NOTHING: Status.EXCLUDED,
    Action.EARLIER: Status.DELETED,
}


def ids_text(ids: dict[str, str]) -> str:
    """``DbId 49339, BcCo 100172``."""
    return ", ".join(f"{name} {value}" for name, value in ids.items())


def write_undo_workbook(
    undo: Undo,
    path: Path,
    *,
    lang: str,
    mapping: Path,
    target: str,
    journal: Path | None,
    run: RunInfo | None = None,
) -> Path:
    """Write the undo workbook to ``path`` (replacing it) and return the path."""
    run = run or RunInfo()
    book = Workbook()
    header = book.style(Style(bold=True, fill=HEADER_FILL))
    bold = book.style(Style(bold=True))
    title = book.style(Style(bold=True, size=14))
    moment = book.style(Style(number_format=DATETIME_FORMAT))
    looks = {
        action: book.style(Style(fill=STATUS_COLOURS[status][0], color=STATUS_COLOURS[status][1]))
        for action, status in _LOOKS_LIKE.items()
    }

    def t(key: str, **values: object) -> str:
        return i18n.text(lang, key, **values)

    summary = book.add_sheet(t("sheet.summary"), widths=[24, 90])
    summary.append([Cell(t("title.undo_dry_run" if undo.dry_run else "title.undo"), title)])
    summary.append([])
    facts: list[tuple[str, object]] = [
        (t("label.result"), i18n.summary_line(lang, undo.summary_line())),
        (t("label.run_id"), run.run_id),
        (t("label.finished"), Cell(dt.datetime.now(), moment)),
        (t("label.user"), run.user),
        (t("label.mapping"), str(mapping)),
        (t("label.target"), target),
        (t("label.environment"), i18n.environment(lang, undo.environment)),
        (t("label.journal"), str(journal) if journal else ""),
    ]
    if run.command:
        facts.append((t("label.command"), " ".join(["importer", *run.command])))
    if run.audit:
        facts.append((t("label.audit"), str(run.audit)))
    if undo.stopped is not None:
        facts.append((t("label.stopped"), render(undo.stopped, lang)))
    for label, value in facts:
        summary.append([Cell(label, bold), value])
    summary.append([])
    summary.append([Cell(t("header.action"), header), Cell(t("header.rows"), header)])
    for action, count in sorted(undo.counts().items(), key=lambda c: list(Action).index(c[0])):
        summary.append([Cell(i18n.status(lang, action), looks[action]), count])

    titles = [
        t("header.step"), t("header.row"), t("header.key"), t("header.connector"),
        t("header.ids"), t("header.state"), t("header.action"), t("header.message"),
    ]  # fmt: skip
    sheet = book.add_sheet(t("sheet.undo"), widths=[20, 7, 18, 20, 30, 14, 18, 90], freeze=(0, 1))
    sheet.append([Cell(name, header) for name in titles])
    for item in undo.items:
        sheet.append(
            [
                item.step,
                item.row,
                item.key,
                item.connector,
                ids_text(item.ids),
                i18n.status(lang, item.entry.state),
                Cell(i18n.status(lang, item.action), looks[item.action]),
                render(item.why, lang) if item.why is not None else None,
            ]
        )
    sheet.autofilter = f"A1:{column_letter(len(titles))}{len(undo.items) + 1}"
    return save_atomically(book, Path(path))


def default_undo_output(mapping: Path, *, dry_run: bool) -> Path:
    """``flex-undo.xlsx`` (``flex-undo-dry-run.xlsx``) for ``mappings/flex.yaml``, in the
    current folder, as a run's result is."""
    return Path(f"{Path(mapping).stem}-undo{'-dry-run' if dry_run else ''}.xlsx")
