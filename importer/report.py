"""The result workbook: a Summary sheet and one sheet per step, readable by finance staff.

Every source row appears on its step's sheet with its row number as the user sees it, the
original values, its status, the new ids, the error and AFAS's ``profitLogReference``. Text
is always stored as text, so ids keep their leading zeros and no cell from a file or a
server message is ever taken for a formula. No secret is ever written here: the workbook
knows the target's host name only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from importer.results import STATUSES, Result

STATUS_COLOURS = {
    "created": "C6EFCE",
    "existing": "BDD7EE",
    "updated": "BDD7EE",
    "changed": "FFEB9C",
    "planned": "DDEBF7",
    "skipped": "E7E6E6",
    "invalid": "FCE4D6",
    "failed": "FFC7CE",
    "unknown": "FFC7CE",
}
BOLD = Font(bold=True)


def write_workbook(result: Result, path: Path) -> Path:
    """Write the result workbook to ``path`` (replacing it) and return the path."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    _write_summary(summary, result)
    for step in result.mapping.steps:
        _write_step(workbook.create_sheet(step.name), result, step.name)
    _write_errors(workbook.create_sheet("Errors"), result)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def _write_summary(sheet: Worksheet, result: Result) -> None:
    mapping = result.mapping
    sheet.append(["Import result" if not result.dry_run else "Dry run result"])
    sheet["A1"].font = Font(bold=True, size=14)
    info: list[tuple[str, Any]] = [
        ("Result", result.summary_line()),
        ("Started", _local(result.started)),
        ("Finished", _local(result.finished)),
        ("Mapping", str(mapping.path)),
        ("Mapping SHA-256", _sha256(mapping.path)),
        ("Target", result.target or "none (nothing sent)"),
        ("Environment", result.environment or ""),
    ]
    info += [(f"Contract {c}", source) for c, source in result.contracts.items()]
    if result.stopped:
        info.append(("Stopped", result.stopped))
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
        info.append((f"Input {name}", f"{table.path} ({table.label}; {len(table.frame)} rows)"))
        info += [("Warning", warning) for warning in table.warnings]
        info.append(
            (
                f"Dialect {name}",
                f"declared: {declared or 'nothing'}; read as: {detected or 'Excel cells'}",
            )
        )
    for label, value in info:
        _append(sheet, [label, value])
        sheet.cell(sheet.max_row, 1).font = BOLD
    sheet.append([])
    shown = [s for s in STATUSES if any(result.step_statuses(st.name)[s] for st in mapping.steps)]
    _append(sheet, ["Step", "Connector", "Rows", *shown])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    for step in mapping.steps:
        counts = result.step_statuses(step.name)
        _append(
            sheet, [step.name, step.connector, sum(counts.values()), *(counts[s] for s in shown)]
        )
        for offset, status in enumerate(shown):
            if counts[status]:
                sheet.cell(sheet.max_row, 4 + offset).fill = _fill(status)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60


def _write_step(sheet: Worksheet, result: Result, step_name: str) -> None:
    step = result.mapping.step(step_name)
    table = result.tables[step.source]
    originals = table.columns
    header = ["row", *originals, "status", *step.keep, "error", "profitLogReference"]
    _append(sheet, header)
    for cell in sheet[1]:
        cell.font = BOLD
    status_col = len(originals) + 2
    values = table.frame.to_dict("index")
    for n, outcome in result.outcomes[step_name].items():
        original = values[n]
        _append(
            sheet,
            [
                n,
                *(original[c] for c in originals),
                outcome.status,
                *(outcome.ids.get(k) for k in step.keep),
                outcome.error,
                outcome.log_reference,
            ],
        )
        sheet.cell(sheet.max_row, status_col).fill = _fill(outcome.status)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(sheet.max_row, 1)}"
    for i, title in enumerate(header, start=1):
        width = 60 if title == "error" else min(max(len(str(title)) + 4, 12), 40)
        sheet.column_dimensions[get_column_letter(i)].width = width


ERROR_HEADER = [
    "step",
    "sheet",
    "row",
    "column",
    "value",
    "status",
    "message",
    "profitLogReference",
]


def _write_errors(sheet: Worksheet, result: Result) -> None:
    """Every problem of the run, each linked to its row on the step's sheet."""
    _append(sheet, ERROR_HEADER)
    for cell in sheet[1]:
        cell.font = BOLD
    for step in result.mapping.steps:
        label = result.tables[step.source].label
        for position, outcome in enumerate(result.outcomes[step.name].values(), start=2):
            if outcome.status not in ("invalid", "failed", "unknown"):
                continue
            for problem in outcome.problems or [None]:
                _append(
                    sheet,
                    [
                        step.name,
                        problem.source if problem else label,
                        outcome.row,
                        problem.column if problem else None,
                        _cell_value(problem.value) if problem else None,
                        outcome.status,
                        problem.message if problem else outcome.error,
                        outcome.log_reference,
                    ],
                )
                link = sheet.cell(sheet.max_row, 3)
                link.hyperlink = Hyperlink(
                    ref=link.coordinate, location=f"'{step.name}'!A{position}"
                )
                link.style = "Hyperlink"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(ERROR_HEADER))}{max(sheet.max_row, 1)}"
    for i, width in enumerate((20, 28, 8, 20, 24, 10, 80, 34), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _cell_value(value: Any) -> Any:
    return value if value is None or isinstance(value, str | int | float) else str(value)


def _append(sheet: Worksheet, values: list[Any]) -> None:
    """Append a row; strings are always stored as text, never as formulas."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        _as_text(cell)


def _as_text(cell: Cell) -> None:
    if isinstance(cell.value, str) and cell.data_type != "s":
        cell.data_type = "s"


def _fill(status: str) -> PatternFill:
    colour = STATUS_COLOURS.get(status, "FFFFFF")
    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _local(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else ""


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""
