"""The Summary sheet (``Samenvatting``): title, run id, start, end, duration, who ran it, the
mapping file and each input file with their SHA-256, the target host and environment (never a
token), the command to resume, and a table of rows per step and status.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from importer import i18n
from importer.messages import render
from importer.report.runinfo import resume_command
from importer.report.writer import Writer, link_to
from importer.results import STATUSES


def add_summary(writer: Writer) -> None:
    """The Summary sheet: about the run, then rows per step and status."""
    result, mapping, run = writer.result, writer.mapping, writer.run
    per_step = {p.key: Counter(o.status for o in p.outcomes.values()) for p in writer.parts}
    shown = [s for s in STATUSES if any(counts[s] for counts in per_step.values())]
    earlier = {p.key: sum(o.earlier for o in p.outcomes.values()) for p in writer.parts}
    any_earlier = any(earlier.values())
    width = 3 + len(shown) + any_earlier
    # values wrap in a wide column B, so a long one is printed whole on the one page
    sheet = writer.book.add_sheet(
        writer.names["#summary"],
        [26, 70, *([13] * max(width - 2, 1))],
        page=writer.page(one_page=True),
    )
    if run.validation:
        title = writer.t("title.validation")
    else:
        title = writer.t("title.dry_run" if result.dry_run else "title.import")
    sheet.append([writer.cell(title, "title")])
    sheet.append([])
    finished = result.finished or dt.datetime.now().astimezone()
    info: list[tuple[str, Any, str | None]] = [
        (writer.t("label.result"), i18n.summary_line(writer.lang, result.summary_line()), None),
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
    problems = sum(
        max(len(o.problems), 1)
        for part in writer.parts
        for o in part.outcomes.values()
        if o.status.problem
    )
    errors = writer.names["#errors"]
    shown_problems = writer.t("value.problems", count=problems, sheet=errors)
    sheet.append(
        [
            writer.cell(writer.t("label.problems"), "bold"),
            writer.cell(shown_problems, "link", link_to(errors, 1)),
        ]
    )
    sheet.append([])
    titles = [writer.t("header.step"), writer.t("header.connector"), writer.t("header.rows")]
    titles += [i18n.status(writer.lang, s) for s in shown]
    if any_earlier:
        titles.append(writer.t("header.earlier"))
    writer.header(sheet, titles, {3 + i: s for i, s in enumerate(shown)})
    totals = [0] * (len(titles) - 2)
    for part in writer.parts:
        counts = per_step[part.key]
        numbers = [sum(counts.values()), *(counts[s] for s in shown)]
        if any_earlier:
            numbers.append(earlier[part.key])
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        row: list[Any] = [
            writer.cell(part.title, "link", link_to(writer.names[part.key], 1)),
            writer.cell(part.connector),
            numbers[0],
        ]
        for offset, count in enumerate(numbers[1:]):
            status = shown[offset] if offset < len(shown) else None
            row.append(writer.cell(count, f"status:{status}" if count and status else None))
        sheet.append(row)
    sheet.append(
        [writer.cell(writer.t("header.total"), "bold"), None]
        + [writer.cell(n, "bold") for n in totals]
    )


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
