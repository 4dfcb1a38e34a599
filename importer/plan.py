"""Everything before the first request: read, validate, link, render and check every row.

Everything that can be checked is checked before anything is sent: the mapping, the files,
every row of every step, and every body (rendered with placeholders for ids that only the
target can give, and checked against the connector's contract). A dry run is a plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from importer.catalog import Contract
from importer.errors import InputError
from importer.mapping import LOCALES, Mapping, Step
from importer.readers import Table, read_table
from importer.render import Renderer, RenderError, compile_expression
from importer.results import DONE, Outcome, Result
from importer.validation import Problem, StepData, validate_step


def read_sources(mapping: Mapping) -> dict[str, Table]:
    """Every source file of the mapping, as text tables (InputError if one is unusable)."""
    tables = {}
    for name, source in mapping.sources.items():
        tables[name] = read_table(
            mapping.source_path(name),
            sheet=source.sheet,
            encoding=source.encoding,
            delimiter=source.declared_delimiter,
            decimal=LOCALES[source.locale]["decimal"] if source.locale else ".",
        )
    return tables


def sheet_maps(mapping: Mapping, step: Step, tables: dict[str, Table]) -> dict[str, dict]:
    """The value maps a step's columns read from other sheets, by column name."""
    maps = {}
    for name, column in step.columns.items():
        if column.map_from is None:
            continue
        sheet_map = column.map_from
        table = tables[sheet_map.source]
        for header in (sheet_map.old, sheet_map.new):
            if header not in table.columns:
                raise InputError(
                    f"Column {header!r} not found in {table.label} (value map of column "
                    f"{name!r} in step {step.name}). Available columns: "
                    f"{', '.join(table.columns)}"
                )
        pairs = table.frame[[sheet_map.old, sheet_map.new]].dropna(subset=[sheet_map.old])
        maps[name] = dict(zip(pairs[sheet_map.old], pairs[sheet_map.new], strict=True))
    return maps


@dataclass
class Plan:
    """A prepared run: outcomes so far, and what sending needs (typed rows, templates)."""

    result: Result
    data: dict[str, StepData]
    renderer: Renderer
    contracts: dict[str, Contract | None]

    def render(
        self,
        step: Step,
        row: int,
        parent_ids: dict[str, str],
        existing: dict[str, str] | None = None,
    ) -> Any:
        return self.renderer.render(
            step.template, self.data[step.name].rows[row], parent_ids, row, existing
        )


ContractSource = Callable[[str], Contract | None]


def prepare(mapping: Mapping, contract_for: ContractSource = Contract.shipped) -> Plan:
    """Read, validate, link, render and check every row; nothing is sent.

    Rows that pass are ``planned``. ``contract_for`` gives each connector's contract (what
    its fields accept): the catalog shipped in the package by default, the target's own
    description when a target is configured.
    """
    started = dt.datetime.now().astimezone()
    renderer = Renderer(mapping.template_folder, sorted({s.template for s in mapping.steps}))
    tables = read_sources(mapping)
    contracts = {s.connector: contract_for(s.connector) for s in mapping.steps}
    data = {
        step.name: validate_step(
            step,
            tables[step.source],
            locale=mapping.sources[step.source].locale,
            maps=sheet_maps(mapping, step, tables),
        )
        for step in mapping.steps
    }
    row_problems = _problems_by_source_row(mapping, data)
    outcomes: dict[str, dict[int, Outcome]] = {}
    for step in mapping.steps:
        planned = _plan_step(step, data, row_problems, outcomes, renderer, mapping)
        outcomes[step.name] = _check_contract(
            step, data[step.name], planned, contracts[step.connector]
        )
    result = Result(mapping, tables, outcomes, started, dry_run=True)
    result.contracts = {c: k.source if k else "none (not checked)" for c, k in contracts.items()}
    return Plan(result, data, renderer, contracts)


def _selects(condition: Callable[..., Any], row: dict[str, Any]) -> bool:
    try:
        return bool(condition(row=row))
    except Exception:  # a condition over a blank value selects nothing
        return False


def _problems_by_source_row(
    mapping: Mapping, data: dict[str, StepData]
) -> dict[tuple[str, int], list[Problem]]:
    """Every problem of a source row, over all steps that read it."""
    merged: dict[tuple[str, int], list[Problem]] = {}
    for step in mapping.steps:
        for n, problems in data[step.name].problems.items():
            known = merged.setdefault((step.source, n), [])
            known.extend(p for p in problems if p not in known)
    return merged


def _plan_step(
    step: Step,
    data: dict[str, StepData],
    row_problems: dict[tuple[str, int], list[Problem]],
    outcomes: dict[str, dict[int, Outcome]],
    renderer: Renderer,
    mapping: Mapping,
) -> dict[int, Outcome]:
    own = data[step.name]
    parents = _parent_rows(step, own, data) if step.parent else {}
    selected = compile_expression(step.when) if step.when else None
    planned: dict[int, Outcome] = {}
    for n in own.row_numbers:
        if n in own.problems:
            planned[n] = invalid(n, own.problems[n])
            continue
        if selected is not None and not _selects(selected, own.rows[n]):
            planned[n] = Outcome(n, "excluded", error=f"not selected by when: {step.when}")
            continue
        parent_ids: dict[str, str] = {}
        parent_row = None
        if step.parent:
            parent_row = parents.get(n)
            if isinstance(parent_row, Problem):
                planned[n] = invalid(n, [parent_row])
                continue
            parent = outcomes[step.parent.step][parent_row]
            if parent.status not in DONE:
                planned[n] = Outcome(
                    n,
                    "skipped",
                    error=f"parent row {parent_row} {parent.status}",
                    parent_row=parent_row,
                )
                continue
            parent_ids = parent.ids or _placeholders(mapping.step(step.parent.step), parent_row)
        if (step.source, n) in row_problems:  # a problem in another step's columns of this row
            planned[n] = invalid(n, row_problems[(step.source, n)])
            continue
        try:
            body = renderer.render(step.template, own.rows[n], parent_ids, n)
        except RenderError as exc:
            planned[n] = invalid(n, [Problem(own.table.label, n, None, None, str(exc))])
            continue
        planned[n] = Outcome(n, "planned", body=body, parent_row=parent_row)
    return planned


def _check_contract(
    step: Step, own: StepData, planned: dict[int, Outcome], contract: Contract | None
) -> dict[int, Outcome]:
    """Rows whose body the connector would refuse become invalid (nothing is sent)."""
    if contract is None:
        return planned
    for n, outcome in planned.items():
        if outcome.status != "planned":
            continue
        violations = [
            v
            for v in contract.violations(outcome.body)
            if not (isinstance(v.value, str) and PLACEHOLDER.fullmatch(v.value))
        ]
        if violations:
            problems = [contract_problem(step, own, n, v.value, v.message) for v in violations]
            planned[n] = invalid(n, problems)
    return planned


def contract_problem(step: Step, own: StepData, n: int, value: Any, message: str) -> Problem:
    """A contract violation, naming the column the value came from when that is clear."""
    row = own.rows.get(n, {})
    columns = [c for c, v in row.items() if v is not None and value is not None and v == value]
    column = step.header_of(columns[0]) if len(columns) == 1 else None
    return Problem(own.table.label, n, column, value if column else None, message)


def _parent_rows(step: Step, own: StepData, data: dict[str, StepData]) -> dict[int, int | Problem]:
    """Each row's parent row number, or the Problem of a key that matches no parent row."""
    assert step.parent is not None
    parent_data = data[step.parent.step]
    parent_step = parent_data.step
    parent_keys = parent_data.table.frame[parent_step.header_of(parent_step.key)]
    index: dict[str, int] = {}
    for n, key in parent_keys.items():
        if key is not None:
            index.setdefault(str(key), int(n))
    header = step.header_of(step.parent.key)
    links: dict[int, int | Problem] = {}
    for n, key in own.table.frame[header].items():
        if key is None:
            continue  # a required key column reports the blank itself
        found = index.get(str(key))
        links[int(n)] = (
            found
            if found is not None
            else Problem(
                own.table.label,
                int(n),
                header,
                key,
                f"{key!r} matches no row of step {step.parent.step} "
                f"(column {parent_step.header_of(parent_step.key)!r} of {parent_data.table.label})",
            )
        )
    return links


PLACEHOLDER = re.compile(r"<\w+ of .+ row \d+>")


def _placeholders(parent: Step, row: int) -> dict[str, str]:
    return {key: f"<{key} of {parent.name} row {row}>" for key in parent.keep}


def invalid(n: int, problems: list[Problem]) -> Outcome:
    message = "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems)
    return Outcome(n, "invalid", error=message, problems=problems)
