"""Everything before the first request: read, validate, link, render and check every row.

Everything that can be checked is checked before anything is sent: the mapping, the files,
every row of every step, and every body (rendered with placeholders for ids that only the
target can give, and checked against the connector's contract). A dry run is a plan.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from importer import targets
from importer.contract import Contract
from importer.errors import InputError, MappingError
from importer.mapping import LOCALES, Mapping, Step, error_at, expressions
from importer.messages import Message
from importer.readers import Table, read_table
from importer.render import (
    ExpressionRefused,
    Renderer,
    RenderError,
    compact,
    compile_expression,
    expression_columns,
)
from importer.results import Outcome, Result, Status
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
    records: dict[str, dict[int, Record]] = field(default_factory=dict)

    def build(
        self,
        step: Step,
        row: int,
        parent_ids: dict[str, str],
        existing: dict[str, str] | None = None,
        found: dict[str, dict[str, str]] | None = None,
    ) -> Built:
        """A row's body with the ids sending knows (see :func:`build`)."""
        return build(
            step,
            self.data[step.name],
            self.records[step.name][row],
            self.renderer,
            self.contracts[step.connector],
            parent_ids,
            existing,
            found,
        )


@dataclass(slots=True)
class Record:
    """What one request is made of: a leading row, its group's other rows, and its lines."""

    row: int
    members: list[int]  # the leading row and the rows grouped with it (group_by)
    label: str = ""  # the file (and sheet) the rows are in
    line_rows: list[int] = field(default_factory=list)  # rows of the lines source
    lines: list[dict[str, Any]] = field(default_factory=list)  # typed lines, with rownum
    parent_key: str | None = None  # a parent key to look up in the target (parent.lookup)


ContractSource = Callable[[str], Contract | None]


@dataclass(frozen=True, slots=True)
class Built:
    """A row's body, or the problems that keep the row from having one."""

    body: Any = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def build(
    step: Step,
    own: StepData,
    record: Record,
    renderer: Renderer,
    contract: Contract | None,
    parent_ids: dict[str, str],
    existing: dict[str, str] | None = None,
    found: dict[str, dict[str, str]] | None = None,
) -> Built:
    """The one way a row's body is made: rendered, then checked against the connector.

    Planning builds every body with placeholders for the ids only the target can give
    (``parent_ids``, ``found``); sending builds again a body that needs real ones. A template
    the sandbox stops raises MappingError: that is the mapping's fault, not the row's.
    """
    n = record.row
    try:
        body = renderer.render(
            step.template,
            own.rows[n],
            parent_ids,
            n,
            existing,
            lines=record.lines,
            find=found if found is not None else _found_placeholders(step),
        )
    except RenderError as exc:
        return Built(problems=[Problem(own.table.label, n, None, None, exc.said)])
    return Built(body, _contract_problems(step, own, n, body, contract))


def prepare(mapping: Mapping, contract_for: ContractSource | None = None) -> Plan:
    """Read, validate, link, render and check every row; nothing is sent.

    Rows that pass are ``planned``. ``contract_for`` gives each connector's contract (what
    its fields accept): the target's own description when a target is configured, else what
    the package knows of the mapping's target system.
    """
    try:
        return _prepare(mapping, contract_for)
    except ExpressionRefused as exc:  # say where in the mapping the expression is written
        loc = next((loc for loc, text in expressions(mapping) if text == exc.expression), ())
        raise error_at(mapping, loc, str(exc)) from exc


def _prepare(mapping: Mapping, contract_for: ContractSource | None) -> Plan:
    contract_for = contract_for or targets.spec(mapping.target).target_class().shipped_contract
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
            unique_key=step.group_by is None,
        )
        for step in mapping.steps
    }
    line_data = {
        step.name: validate_step(
            step.lines,
            tables[step.lines.source],
            locale=mapping.sources[step.lines.source].locale,
            name=f"{step.name} lines",
            unique_key=False,
        )
        for step in mapping.steps
        if step.lines
    }
    selected = {step.name: _selection(step, data[step.name]) for step in mapping.steps}
    row_problems = _problems_by_source_row(mapping, data, selected)
    outcomes: dict[str, dict[int, Outcome]] = {}
    records: dict[str, dict[int, Record]] = {}
    line_outcomes: dict[str, dict[int, Outcome]] = {}
    for step in mapping.steps:
        records[step.name] = _records(step, data[step.name], line_data.get(step.name))
        planned = _plan_step(
            selected[step.name],
            step,
            data,
            records[step.name],
            row_problems,
            outcomes,
            renderer,
            mapping,
            contracts[step.connector],
            line_data.get(step.name),
        )
        outcomes[step.name] = spread(step, planned, records[step.name])
        if step.lines:
            line_outcomes[step.name] = plan_lines(
                step, line_data[step.name], records[step.name], outcomes[step.name], data[step.name]
            )
    result = Result(mapping, tables, outcomes, started, dry_run=True, lines=line_outcomes)
    result.contracts = {c: k.source if k else "none (not checked)" for c, k in contracts.items()}
    return Plan(result, data, renderer, contracts, records)


def _selects(
    condition: Callable[..., Any], row: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> bool:
    try:
        return bool(condition(row=row, lines=lines or []))
    except MappingError:  # the sandbox refused the expression: no fault of the row
        raise
    except Exception:  # a condition over a blank value selects nothing
        return False


def _selection(step: Step, own: StepData) -> dict[int, bool | None]:
    """Whether the step's ``when:`` selects each row (None: a column it reads is invalid)."""
    if not step.when:
        return {n: True for n in own.row_numbers}
    condition = compile_expression(step.when)
    reads = expression_columns(step.when)
    selection: dict[int, bool | None] = {}
    for n in own.row_numbers:
        problems = own.problems.get(n, [])
        if any(
            p.column in {step.header_of(c) for c in reads if c in step.columns} for p in problems
        ):
            selection[n] = None
        else:
            values = own.values[n]
            try:
                selection[n] = bool(condition(row=values, lines=[]))
            except MappingError:  # the sandbox refused the expression: no fault of the row
                raise
            except Exception as exc:
                if any(values.get(c) is None for c in reads):
                    selection[n] = False  # a condition over a blank value selects nothing
                else:  # it fails on this row's values: say so, never leave the row out in silence
                    selection[n] = True
                    said = Message("when.failed", when=step.when, error=f"{exc}")
                    problem = Problem(own.table.label, n, None, None, said)
                    own.problems.setdefault(n, []).append(problem)
    return selection


def _problems_by_source_row(
    mapping: Mapping, data: dict[str, StepData], selected: dict[str, dict[int, bool | None]]
) -> dict[tuple[str, int], list[Problem]]:
    """Every problem of a source row, over all steps that read it and select it."""
    merged: dict[tuple[str, int], list[Problem]] = {}
    for step in mapping.steps:
        for n, problems in data[step.name].problems.items():
            if selected[step.name].get(n) is False:
                continue
            known = merged.setdefault((step.source, n), [])
            known.extend(p for p in problems if p not in known)
    return merged


def _records(step: Step, own: StepData, lines: StepData | None) -> dict[int, Record]:
    """The records of a step by leading row: each row alone, or grouped, with its lines."""
    records: dict[int, Record] = {}
    if step.group_by:
        column = own.table.frame[step.header_of(step.group_by)]
        previous: Any = object()
        for n, value in column.items():
            if value is None or value != previous or not records:
                records[int(n)] = Record(int(n), [int(n)], own.table.label)
                leader = int(n)
            else:
                records[leader].members.append(int(n))
            previous = value
        for record in records.values():
            record.lines = [{**own.rows[m], "rownum": m} for m in record.members if m in own.rows]
        return records
    records = {int(n): Record(int(n), [int(n)], own.table.label) for n in own.row_numbers}
    if step.lines and lines is not None:
        keys = own.table.frame[step.header_of(step.key)]
        by_key: dict[str, list[int]] = {}
        for n, key in lines.table.frame[step.lines.header_of(step.lines.key)].items():
            if key is not None:
                by_key.setdefault(str(key), []).append(int(n))
        for n, record in records.items():
            key = keys.get(n)
            record.line_rows = by_key.get(str(key), []) if key is not None else []
            record.lines = [
                {**lines.rows[m], "rownum": m} for m in record.line_rows if m in lines.rows
            ]
    return records


def _record_problems(
    step: Step, record: Record, own: StepData, lines: StepData | None
) -> list[Problem]:
    """Problems of a record's other rows and lines: one bad line makes the record invalid."""
    problems = [p for m in record.members[1:] for p in own.problems.get(m, [])]
    if lines is not None:
        problems += [p for m in record.line_rows for p in lines.problems.get(m, [])]
    return problems


def _plan_step(
    selected: dict[int, bool | None],
    step: Step,
    data: dict[str, StepData],
    records: dict[int, Record],
    row_problems: dict[tuple[str, int], list[Problem]],
    outcomes: dict[str, dict[int, Outcome]],
    renderer: Renderer,
    mapping: Mapping,
    contract: Contract | None,
    lines: StepData | None = None,
) -> dict[int, Outcome]:
    """The planned outcome of each record (by leading row): its body rendered, checked
    against the connector's contract, and kept as compact JSON text until it is sent."""
    own = data[step.name]
    parents = _parent_rows(step, own, data) if step.parent else {}
    checks = [(compile_expression(c.expr), c.message) for c in step.checks]
    repeated = _repeated_groups(step, own, records) if step.group_by else {}
    planned: dict[int, Outcome] = {}
    for n, record in records.items():
        if selected.get(n) is False:
            planned[n] = Outcome(n, Status.EXCLUDED, error=Message("not_selected", when=step.when))
            continue
        problems = own.problems.get(n, []) + repeated.get(n, [])
        problems += _record_problems(step, record, own, lines)
        if problems:
            planned[n] = invalid(n, problems, own.table.label)
            continue
        row = own.rows[n]
        parent_ids: dict[str, str] = {}
        parent_row = None
        if step.parent:
            link = parents[n]
            if isinstance(link, Problem) and step.parent.lookup:
                record.parent_key = str(link.value)  # not in this run: look it up when sending
                parent_ids = {k: f"<{k} of parent lookup>" for k in step.parent.lookup.ids}
            elif isinstance(link, Problem):
                planned[n] = invalid(n, [link])
                continue
            else:
                parent_row = link
                parent = outcomes[step.parent.step][parent_row]
                if not parent.status.done:
                    planned[n] = Outcome(
                        n,
                        Status.SKIPPED,
                        parent_row=parent_row,
                        error=Message("parent.not_done", row=parent_row, status=parent.status),
                    )
                    continue
                parent_ids = parent.ids or _placeholders(mapping.step(step.parent.step), parent_row)
        if (step.source, n) in row_problems:  # a problem in another step's columns of this row
            planned[n] = invalid(n, row_problems[(step.source, n)])
            continue
        failed = [m for check, m in checks if not _selects(check, row, record.lines)]
        if failed:
            planned[n] = invalid(
                n,
                [Problem(own.table.label, n, None, None, Message("text", text=m)) for m in failed],
            )
            continue
        built = build(step, own, record, renderer, contract, parent_ids)
        if not built.ok:
            planned[n] = invalid(n, built.problems)
            continue
        planned[n] = Outcome(n, Status.PLANNED, body=compact(built.body), parent_row=parent_row)
    return planned


def _repeated_groups(
    step: Step, own: StepData, records: dict[int, Record]
) -> dict[int, list[Problem]]:
    """A key that starts a second group: rows of one record must be consecutive."""
    header = step.header_of(step.key)
    first: dict[str, int] = {}
    problems: dict[int, list[Problem]] = {}
    for n in records:
        key = own.table.frame.at[n, header]
        if key is None:
            continue
        if str(key) in first:
            problems[n] = [
                Problem(
                    own.table.label,
                    n,
                    header,
                    key,
                    Message("group.split", key=key, first=first[str(key)]),
                )
            ]
        else:
            first[str(key)] = n
    return problems


def spread(
    step: Step, planned: dict[int, Outcome], records: dict[int, Record]
) -> dict[int, Outcome]:
    """Every source row's outcome, in source order: grouped rows share their record's."""
    outcomes: dict[int, Outcome] = {}
    label = next(iter(records.values())).label if records else ""
    for n, record in records.items():
        outcome = planned[n]
        outcomes[n] = outcome
        for m in record.members[1:]:
            outcomes[m] = member_outcome(outcome, m, n, label)
    return dict(sorted(outcomes.items()))


def member_outcome(outcome: Outcome, row: int, leader: int, source: str) -> Outcome:
    """The outcome of a row grouped with (or a line of) the record led by ``leader``;
    ``source`` names the row's own file (and sheet)."""
    own = [p for p in outcome.problems if (p.source, p.row) == (source, row)]
    error = joined([_problem_text(p, row, source) for p in own]) or (
        Message("with_row", row=leader, error=outcome.error) if outcome.error else None
    )
    return Outcome(
        row,
        outcome.status,
        ids=dict(outcome.ids),
        error=error,
        problems=own,
        log_reference=outcome.log_reference,
        parent_row=outcome.parent_row,
        earlier=outcome.earlier,
        leader=leader,
    )


def plan_lines(
    step: Step,
    lines: StepData,
    records: dict[int, Record],
    outcomes: dict[int, Outcome],
    own: StepData,
) -> dict[int, Outcome]:
    """Each line's outcome: its own problem, no matching row, or its record's outcome."""
    assert step.lines is not None
    owner = {m: n for n, record in records.items() for m in record.line_rows}
    header = step.lines.header_of(step.lines.key)
    result: dict[int, Outcome] = {}
    for m in lines.row_numbers:
        if m in owner:
            result[m] = member_outcome(outcomes[owner[m]], m, owner[m], lines.table.label)
        elif m in lines.problems:
            result[m] = invalid(m, lines.problems[m])
        else:
            key = lines.table.frame.at[m, header]
            result[m] = invalid(
                m,
                [
                    Problem(
                        lines.table.label,
                        m,
                        header,
                        key,
                        Message(
                            "key.no_row",
                            key=key,
                            step=step.name,
                            column=step.header_of(step.key),
                            source=own.table.label,
                        ),
                    )
                ],
            )
    return result


def _contract_problems(
    step: Step, own: StepData, n: int, body: Any, contract: Contract | None
) -> list[Problem]:
    """What the connector would refuse in a planned body (placeholders for ids pass)."""
    if contract is None:
        return []
    return [
        contract_problem(step, own, n, v.value, v.message)
        for v in contract.violations(body)
        if not (isinstance(v.value, str) and PLACEHOLDER.fullmatch(v.value))
    ]


def contract_problem(step: Step, own: StepData, n: int, value: Any, message: Message) -> Problem:
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
                Message(
                    "key.no_row",
                    key=key,
                    step=step.parent.step,
                    column=parent_step.header_of(parent_step.key),
                    source=parent_data.table.label,
                ),
            )
        )
    return links


PLACEHOLDER = re.compile(r"<\w+ of [^<>]+>")  # an id only the target can give


def _placeholders(parent: Step, row: int) -> dict[str, str]:
    return {key: f"<{key} of {parent.name} row {row}>" for key in parent.keep}


def _found_placeholders(step: Step) -> dict[str, dict[str, str]]:
    # an optional lookup is planned as finding nothing: the body that creates what it looks
    # for, the fuller one, is the one checked before anything is sent
    return {
        name: {} if lookup.optional else {k: f"<{k} of find.{name}>" for k in lookup.ids}
        for name, lookup in step.find.items()
    }


def invalid(n: int, problems: list[Problem], source: str | None = None) -> Outcome:
    """An invalid row; problems of other rows (grouped rows, lines) name their file and row."""
    message = joined([_problem_text(p, n, source) for p in problems])
    return Outcome(n, Status.INVALID, error=message, problems=problems)


def joined(messages: list[Message]) -> Message | None:
    """Several messages as one, ``"; "`` between them (None for none)."""
    if len(messages) < 2:
        return messages[0] if messages else None
    items: list[Message | str] = []
    for message in messages:
        items += ["; ", message] if items else [message]
    return Message("text", text=tuple(items))


def _problem_text(problem: Problem, n: int, source: str | None) -> Message:
    if problem.row in (None, n) and source in (None, problem.source):
        if problem.column:
            return Message("problem.column", column=problem.column, message=problem.message)
        return problem.message
    return problem.located()
