"""The Summary sheet (``Samenvatting``): title, run id, start, end, duration, who ran it, the
mapping file and each input file with their SHA-256, the target host and environment (never a
token), the command to resume, and the table of what the run counts: each step's rows (and
the records they make), its lines, each file's rows once (:class:`importer.results.Count`) —
the figures of the terminal's table and, added up over the files, of the summary line. A
dry run's and a validation's Summary say under the title that nothing was sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from importer import i18n
from importer.messages import render
from importer.progress import count_table
from importer.report.runinfo import resume_command
from importer.report.writer import Writer, link_to
from importer.results import STATUSES, Count, shown_statuses
from importer.xlsx import Sheet


def add_summary(writer: Writer) -> None:
    """The Summary sheet: about the run, then rows per step and status."""
    result, mapping, run = writer.result, writer.mapping, writer.run
    counts = result.counts()
    shown = shown_statuses(counts)
    # values wrap in a wide column B, so a long one is printed whole on the one page
    widths = [26, 70, 34, 10, *([13] * len(shown))]
    sheet = writer.book.add_sheet(writer.names["#summary"], widths, page=writer.page(one_page=True))
    if run.validation:
        title = writer.t("title.validation")
    else:
        title = writer.t("title.dry_run" if result.dry_run else "title.import")
    sheet.append([writer.cell(title, "title")])
    if run.validation or result.dry_run:  # never to be taken for the result of an import
        banner = writer.t("banner.validation" if run.validation else "banner.dry_run")
        sheet.append([writer.cell(banner, "banner")])
    sheet.append([])
    finished = result.finished or dt.datetime.now().astimezone()
    info: list[tuple[str, Any, str | None]] = [
        (
            writer.t("label.result"),
            i18n.summary_line(writer.lang, result.summary_line(validation=run.validation)),
            None,
        ),
        (writer.t("label.run_id"), run.run_id, None),
        (writer.t("label.started"), _naive(result.started), "datetime"),
        (writer.t("label.finished"), _naive(finished), "datetime"),
        (writer.t("label.duration"), _duration(finished - result.started), None),
        (writer.t("label.user"), run.user, None),
    ]
    if run.command is not None:
        key = "label.command" if run.validation or result.dry_run else "label.resume"
        info.append((writer.t(key), resume_command(run.command), None))
    if result.stopped:
        info.append((writer.t("label.stopped"), render(result.stopped, writer.lang), None))
    info += [
        (writer.t("label.target"), result.target or writer.t("value.no_target"), None),
        (writer.t("label.environment"), i18n.environment(writer.lang, result.environment), None),
        (writer.t("label.mapping"), str(mapping.path), None),
        (writer.t("label.mapping_sha"), sha256(mapping.path), None),
    ]
    for name, table in result.tables.items():
        source = mapping.sources[name]
        detected = ", ".join(f"{k} {v}" for k, v in table.dialect.items())
        declared = ", ".join(
            f"{k} {v}"
            for k, v in (
                ("locale", source.locale),
                ("encoding", source.encoding),
                ("delimiter", source.delimiter),
            )
            if v
        )
        count = len(table.frame)
        info += [
            (
                writer.t("label.input", name=name),
                writer.t("value.input", path=table.path, label=table.label, count=count),
                None,
            ),
            (writer.t("label.input_sha", name=name), sha256(table.path), None),
            (
                writer.t("label.dialect", name=name),
                writer.t(
                    "value.dialect",
                    declared=declared or writer.t("value.nothing"),
                    detected=detected or writer.t("value.excel_cells"),
                ),
                None,
            ),
        ]
        info += [
            (writer.t("label.warning"), render(warning, writer.lang), None)
            for warning in table.warnings
        ]
    info += [
        (writer.t("label.contract", name=c), where, None) for c, where in result.contracts.items()
    ]
    if run.audit is not None:
        info.append((writer.t("label.audit"), str(run.audit), None))
    for label, value, style in info:
        sheet.append([writer.cell(label, "bold"), writer.cell(value, style or "wrap")])
    problems = len(result.problems())  # the rows of the Errors sheet
    errors = writer.names["#errors"]
    shown_problems = writer.t("value.problems", count=problems, sheet=errors)
    sheet.append(
        [
            writer.cell(writer.t("label.problems"), "bold"),
            writer.cell(shown_problems, "link", link_to(errors, 1)),
        ]
    )
    sheet.append([])
    add_counts(writer, sheet, counts, shown)


def add_counts(writer: Writer, sheet: Sheet, counts: list[Count], shown: list[str]) -> None:
    """The table of what the run counts, as the terminal shows it (``count_table``): each
    step's rows (and records, where rows are grouped), its lines, each file's rows once."""
    head, rows, _ = count_table(counts, writer.lang)
    titles = [head[0], writer.t("header.connector"), *head[1:]]
    writer.header(sheet, titles, {4 + i: s for i, s in enumerate(shown) if s in STATUSES})
    links = {p.title: writer.names[p.key] for p in writer.parts}
    connectors = [c.connector for c in counts] + [None] * (len(rows) - len(counts))
    for text, connector in zip(rows, connectors, strict=True):
        name, counted, total, *numbers = text
        style = "bold" if connector is None else None
        row: list[Any] = [
            writer.cell(name, "link", link_to(links[name], 1))
            if connector is not None and name in links
            else writer.cell(name, style),
            writer.cell(connector),
            writer.cell(counted, style),
            writer.cell(int(total), style),
        ]
        for status, number in zip(shown, numbers, strict=True):
            count = int(number)
            row.append(
                writer.cell(count, f"status:{status}" if count and status in STATUSES else style)
            )
        sheet.append(row)


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    """Local time without its zone (Excel has none), to the second."""
    if moment is None:
        return None
    return moment.astimezone().replace(tzinfo=None, microsecond=0)


def _duration(delta: dt.timedelta) -> str:
    seconds = max(delta.total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min {secs} s" if hours else f"{minutes} min {secs} s"


def sha256(path: Path | str) -> str:
    """The SHA-256 of a file, or "" when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
