"""Everything before the first request: read, validate, link, render and check every row.

Everything that can be checked is checked before anything is sent: the mapping, the files,
every row of every step, and every body (rendered with placeholders for ids that only the
target can give, and checked against the connector's contract: :mod:`importer.bodies`). A dry
run is a plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from importer import targets
from importer.actions import row_actions, sheet_ids
from importer.bodies import Built, build
from importer.checks.countries import CountryCodes
from importer.contract import Contract
from importer.errors import InputError, MappingError
from importer.journal.store import Entry, Journal
from importer.mapping import LOCALES, Mapping, Step, expressions
from importer.mappingfile import error_at
from importer.messages import Message
from importer.readers import Table, read_table
from importer.records import (
    Record,
    done_before,
    invalid,
    parent_rows,
    plan_lines,
    repeated_groups,
    row_key,
    source_hash,
    spread,
    step_records,
)
from importer.render import (
    DROP,
    ExpressionRefused,
    Renderer,
    compact,
    compile_expression,
    expression_columns,
)
from importer.results import Outcome, Result, Status
from importer.targets import Target
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
    clear_value: Any = ""  # what the target empties a field with in an update
    # planned with a journal (a run): the journal, its entries, and the records they have done
    # from the same source values, by step (planned without a body: nothing is sent for them)
    journal: Journal | None = None
    entries: dict[str, dict[str, Entry]] | None = None
    settled: dict[str, set[int]] = field(default_factory=dict)

    def build(
        self,
        step: Step,
        row: int,
        parent_ids: dict[str, str],
        existing: dict[str, str] | None = None,
        found: dict[str, dict[str, str]] | None = None,
    ) -> Built:
        """A row's body with the ids sending knows (see :func:`importer.bodies.build`): an
        update's when ``existing`` (the record's ids) is given, an insert's otherwise."""
        return build(
            step,
            self.data[step.name],
            self.records[step.name][row],
            self.renderer,
            self.contracts[step.connector],
            parent_ids,
            existing,
            found,
            action="update" if existing else "insert",
            clear=self.clear_value if existing else DROP,
        )


ContractSource = Callable[[str], Contract | None]


def prepare(
    mapping: Mapping, contract_for: ContractSource | None = None, journal: Journal | None = None
) -> Plan:
    """Read, validate, link, render and check every row; nothing is sent.

    Rows that pass are ``planned``. ``contract_for`` gives each connector's contract (what
    its fields accept): the target's own description when a target is configured, else what
    the package knows of the mapping's target system. With a ``journal`` (a run about to
    send), a record it has done from the same source values is planned without a body: the
    run sends nothing for it (:mod:`importer.reconcile`), so it is not rendered again.
    """
    try:
        return _prepare(mapping, contract_for, journal)
    except ExpressionRefused as exc:  # say where in the mapping the expression is written
        loc = next((loc for loc, text in expressions(mapping) if text == exc.expression), ())
        raise error_at(mapping, loc, str(exc)) from exc


def _contracts(contract_for: ContractSource, connectors: list[str]) -> dict[str, Contract | None]:
    """Each connector's contract, asked side by side (a target reads each with a request of
    its own); an error is raised as when asked one by one: the first connector's, in order."""
    distinct = list(dict.fromkeys(connectors))
    if len(distinct) <= 1:
        return {c: contract_for(c) for c in distinct}
    with ThreadPoolExecutor(min(len(distinct), 4), thread_name_prefix="contracts") as pool:
        return dict(zip(distinct, pool.map(contract_for, distinct), strict=True))


def _prepare(
    mapping: Mapping, contract_for: ContractSource | None, journal: Journal | None
) -> Plan:
    system = targets.spec(mapping.target)
    target = system.target_class()
    contract_for = contract_for or target.shipped_contract
    started = dt.datetime.now().astimezone()
    codes = system.countries()
    if mapping.country_codes:  # the environment's own codes, declared in the mapping
        codes = (codes or CountryCodes({}, "the mapping")).with_declared(mapping.country_codes)
    templates = sorted({s.template for s in mapping.steps})
    renderer = Renderer(mapping.template_folder, templates, codes)
    tables = read_sources(mapping)
    contracts = _contracts(contract_for, [s.connector for s in mapping.steps])
    data = {
        step.name: validate_step(
            step,
            tables[step.source],
            locale=mapping.sources[step.source].locale,
            maps=sheet_maps(mapping, step, tables),
            unique_key=step.group_by is None,
            country_codes=codes,
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
            country_codes=codes,
        )
        for step in mapping.steps
        if step.lines
    }
    for step in mapping.steps:
        _check_actions(mapping, step, tables[step.source], system.system, target)
    selected = {step.name: _selection(step, data[step.name]) for step in mapping.steps}
    row_problems = _problems_by_source_row(mapping, data, selected)
    outcomes: dict[str, dict[int, Outcome]] = {}
    records: dict[str, dict[int, Record]] = {}
    line_outcomes: dict[str, dict[int, Outcome]] = {}
    entries = {step.name: journal.entries(step.name) for step in mapping.steps} if journal else {}
    settled: dict[str, set[int]] = {step.name: set() for step in mapping.steps}
    for step in mapping.steps:
        records[step.name] = step_records(step, data[step.name], line_data.get(step.name))
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
            _Actions(row_actions(step, tables[step.source]), system.system, target),
            _Settled(entries.get(step.name, {}), settled[step.name]),
        )
        outcomes[step.name] = spread(step, planned, records[step.name])
        if step.lines:
            line_outcomes[step.name] = plan_lines(
                step, line_data[step.name], records[step.name], outcomes[step.name], data[step.name]
            )
    result = Result(mapping, tables, outcomes, started, dry_run=True, lines=line_outcomes)
    result.contracts = {c: k.source if k else "none (not checked)" for c, k in contracts.items()}
    return Plan(
        result,
        data,
        renderer,
        contracts,
        records,
        clear_value=target.clear_value,
        journal=journal,
        entries=entries if journal else None,
        settled=settled,
    )


@dataclass(frozen=True)
class _Settled:
    """A step's journal entries, and the rows found done by them from the same values."""

    entries: dict[str, Entry]
    rows: set[int]

    def add(self, step: Step, own: StepData, record: Record) -> bool:
        """Whether the journal has the record done from its present values (then its row
        is added): the run sends nothing for it."""
        entry = self.entries.get(row_key(step, own, record.row)) if self.entries else None
        if entry is None or not done_before(entry, source_hash(own, record)):
            return False
        self.rows.add(record.row)
        return True


@dataclass(frozen=True)
class _Actions:
    """Each row's action, and what the target can do (which ids an update or delete needs)."""

    rows: dict[int, str | Message]
    system: str
    target: type[Target]


def _check_actions(
    mapping: Mapping, step: Step, table: Table, system: str, target: type[Target]
) -> None:
    """A step that can only delete what the target cannot delete, or that reads its action
    from a column the file lacks, sends nothing at all."""
    if step.action == "delete" and not target.delete_ids(step.connector):
        index = mapping.steps.index(step)
        raise error_at(
            mapping,
            ("steps", index, "action"),
            f"{system} cannot delete {step.connector} records through its API; remove them by "
            "hand, or leave this step out",
        )
    known = {*target.update_ids(step.connector), *target.delete_ids(step.connector)}
    unknown = [name for name in step.ids if known and name not in known]
    if unknown:
        raise error_at(
            mapping,
            ("steps", mapping.steps.index(step), "ids", unknown[0]),
            f"{unknown[0]!r} is not an id {step.connector} records are named by "
            f"(they are: {', '.join(sorted(known))})",
        )
    if not isinstance(step.action, str) and step.action.column not in table.columns:
        raise InputError(
            f"Column {step.action.column!r} (the action of step {step.name}) not found in "
            f"{table.label}. Available columns: {', '.join(table.columns)}"
        )


def _selects(
    condition: Callable[..., Any], row: dict[str, Any], lines: Sequence[dict[str, Any]] = ()
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
    lines: StepData | None,
    actions: _Actions,
    settled: _Settled,
) -> dict[int, Outcome]:
    """The planned outcome of each record (by leading row): its action, and its body
    rendered, checked against the connector's contract (as an insert or an update), and kept
    as compact JSON text until it is sent. A delete has no body, nor has a record the journal
    has done from the same source values (``settled``)."""
    own = data[step.name]
    parents = parent_rows(step, own, data) if step.parent else {}
    checks = [(compile_expression(c.expr), c.message) for c in step.checks]
    repeated = repeated_groups(step, own, records) if step.group_by else {}
    planned: dict[int, Outcome] = {}
    for n, record in records.items():
        if selected.get(n) is False:
            planned[n] = Outcome(n, Status.EXCLUDED, error=Message("not_selected", when=step.when))
            continue
        action = actions.rows[n]
        problems = own.problems.get(n, []) + repeated.get(n, [])
        problems += _record_problems(step, record, own, lines)
        if isinstance(action, Message):
            header = dict(action.params)["column"]
            cell = own.table.frame.at[n, header]
            problems.insert(0, Problem(own.table.label, n, header, cell, action))
        elif action == "delete" and not actions.target.delete_ids(step.connector):
            said = Message("action.cannot_delete", system=actions.system, connector=step.connector)
            problems.insert(0, Problem(own.table.label, n, None, None, said))
        if problems:
            planned[n] = invalid(n, problems, own.table.label)
            continue
        assert isinstance(action, str)
        if action == "delete":  # no body: the record is named by its ids when it is sent
            planned[n] = Outcome(n, Status.PLANNED, action="delete")
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
        if settled.add(step, own, record):
            planned[n] = Outcome(n, Status.PLANNED, parent_row=parent_row, action=action)
            continue
        existing = None
        if action == "update":  # the record's ids: from the sheet, else known when sending
            needed = actions.target.update_ids(step.connector)
            existing = {k: f"<{k} of the record>" for k in needed} | sheet_ids(step, row)
        built = build(
            step,
            own,
            record,
            renderer,
            contract,
            parent_ids,
            existing,
            action="update" if existing else "insert",
            clear=actions.target.clear_value if existing else DROP,
            draft=True,
        )
        if not built.ok:
            planned[n] = invalid(n, built.problems)
            continue
        planned[n] = Outcome(
            n, Status.PLANNED, body=compact(built.body), parent_row=parent_row, action=action
        )
    return planned


def _placeholders(parent: Step, row: int) -> dict[str, str]:
    return {key: f"<{key} of {parent.name} row {row}>" for key in parent.keep}
