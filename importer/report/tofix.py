"""The rows to fix, in their source's own format, beside the workbook: ``<name>-to-fix/``.

Every row that needs attention (``invalid``, ``failed``, ``unknown``, ``changed``,
``skipped``) is written again as its file has it — the same headers, and for a CSV file the
same delimiter and encoding (UTF-8 with a byte order mark, so Excel reads it as UTF-8), for
a workbook the same sheet name (always ``.xlsx``) — with one more column saying what to fix.
The user corrects them there and runs again with ``--input source=<name>-to-fix/<file>``;
the journal knows what was done already.

So that a run over the fixed rows can link them, a row's parent row (in another source: the
klant of a contact person, the order of a line) comes along when the row does, and every
source of the mapping gets its file once one does (perhaps with its header only): a source
left on its original file would hold rows whose parents the fixed file lacks. A parent row
done already is sent no second time: the journal has it. A source with nothing to fix loses
its stale file from an earlier run, unless this run read that very file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
from pathlib import Path
from typing import Any

from importer import i18n
from importer.messages import render
from importer.results import Result, Status
from importer.tables import Table
from importer.xlsx import Workbook, save_atomically

ATTENTION = frozenset(
    {Status.INVALID, Status.FAILED, Status.UNKNOWN, Status.CHANGED, Status.SKIPPED}
)
_DELIMITERS = {"tab": "\t"}


def to_fix_folder(workbook: Path) -> Path:
    """``flex-result.xlsx`` -> ``flex-to-fix/``; ``flex-validation.xlsx`` ->
    ``flex-validation-to-fix/`` (a report's rows never overwrite a run's)."""
    stem = workbook.stem.removesuffix("-result")
    return workbook.with_name(f"{stem}-to-fix")


def write_rows_to_fix(result: Result, workbook: Path, lang: str) -> Path | None:
    """Write the rows to fix of every source into :func:`to_fix_folder`; the folder, or None
    when no row needs attention."""
    fixes = _fixes(result, lang)
    folder = to_fix_folder(Path(workbook))
    read = {Path(t.path).resolve() for t in result.tables.values()}
    if not any(fixes.values()):
        for table in result.tables.values():
            stale = folder / _file_name(table)
            if stale.exists() and stale.resolve() not in read:
                with contextlib.suppress(OSError):
                    stale.unlink()
        return None
    folder.mkdir(parents=True, exist_ok=True)
    header = i18n.text(lang, "header.fix")
    for name, table in result.tables.items():
        rows = fixes.get(name, {})
        target = folder / _file_name(table)
        if table.sheet is None:
            _write_csv(table, rows, header, target)
        else:
            _write_sheet(table, rows, header, target)
    return folder


def _fixes(result: Result, lang: str) -> dict[str, dict[int, list[str]]]:
    """Per source, its rows to write and what to fix in each."""
    mapping = result.mapping
    # step, its rows' source, their parents' source, its outcomes, lines (parent: the leader)
    parts: list[tuple[str, str, str | None, dict[int, Any], bool]] = []
    for step in mapping.steps:
        parent = mapping.step(step.parent.step).source if step.parent else None
        parts.append((step.name, step.source, parent, result.outcomes[step.name], False))
        if step.lines is not None and step.name in result.lines:
            lines = result.lines[step.name]
            parts.append((step.name, step.lines.source, step.source, lines, True))
    fixes: dict[str, dict[int, list[str]]] = {source: {} for source in result.tables}
    parents: list[tuple[str, int]] = []
    for name, source, parent, outcomes, is_lines in parts:
        for n, outcome in outcomes.items():
            if outcome.status not in ATTENTION:
                continue
            status = i18n.status(lang, outcome.status)
            said = render(outcome.error, lang) if outcome.error else ""
            fixes[source].setdefault(n, []).append(
                f"{name}: {status}" + (f": {said}" if said else "")
            )
            up = outcome.leader if is_lines else outcome.parent_row
            if parent is not None and up is not None:
                parents.append((parent, up))
    for source, n in parents:
        fixes.setdefault(source, {}).setdefault(n, [])
    return fixes


def _file_name(table: Table) -> str:
    path = Path(table.path)
    return path.name if table.sheet is None else f"{path.stem}.xlsx"


def _write_csv(table: Table, rows: dict[int, list[str]], header: str, target: Path) -> None:
    delimiter = table.dialect.get("delimiter", ";")
    sep = _DELIMITERS.get(delimiter, delimiter)
    encoding = table.dialect.get("encoding", "utf-8-sig")
    buffer = io.StringIO(newline="")
    out = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    out.writerow([*table.columns, header])
    for n, values in _selected(table, rows):
        out.writerow([*("" if v is None else v for v in values), "; ".join(rows[n])])
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(buffer.getvalue().encode(encoding, errors="replace"))
    os.replace(temporary, target)


def _write_sheet(table: Table, rows: dict[int, list[str]], header: str, target: Path) -> None:
    book = Workbook()
    sheet = book.add_sheet(table.sheet or "Sheet1", freeze=(0, 1))
    sheet.append([*table.columns, header])
    for n, values in _selected(table, rows):
        sheet.append([*values, "; ".join(rows[n])])  # text stays text: it reads back the same
    save_atomically(book, target)


def _selected(table: Table, rows: dict[int, list[str]]) -> list[tuple[int, list[Any]]]:
    frame = table.frame
    picked = frame[frame.index.isin(list(rows))]
    return [(int(n), list(values)) for n, values in zip(picked.index, picked.values, strict=True)]
