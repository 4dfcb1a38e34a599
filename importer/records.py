"""Records: the rows one request is made of (a row, a group of rows, a row and its lines), and
the outcome each of those rows shares with its record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from importer.journal.store import Entry, content_hash
from importer.mapping import Step
from importer.messages import Message
from importer.results import Outcome, Status
from importer.validation import Problem, StepData


@dataclass(slots=True)
class Record:
    """What one request is made of: a leading row, its group's other rows, and its lines.

    A record of one row without lines (most) holds a tuple and two shared empty ones, not
    three lists: ~170 bytes less a row.
    """

    row: int
    members: Sequence[int]  # the leading row and the rows grouped with it (group_by)
    label: str = ""  # the file (and sheet) the rows are in
    line_rows: Sequence[int] = ()  # rows of the lines source
    lines: Sequence[dict[str, Any]] = ()  # typed lines, with rownum
    parent_key: str | None = None  # a parent key to look up in the target (parent.lookup)


def text(value: Any) -> str:
    """A value as lookups compare it and the journal keys it (a date in ISO form, 7.0 as 7)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_key(step: Step, own: StepData, n: int) -> str:
    """The key a row is journalled by: its key column's value as text, else ``row N``."""
    row = own.rows.get(n)
    value = row.get(step.key) if row else None
    if value is None and step.columns[step.key].from_file:
        value = own.table.frame.at[n, step.header_of(step.key)]
    return text(value) if value is not None else f"row {n}"


def source_hash(own: StepData, record: Record) -> str:
    """What the journal knows a record's source values by: its row (typed, the rows grouped
    with it among them) and its lines."""
    return content_hash([own.rows[record.row], record.lines])


def done_before(entry: Entry | None, digest: str) -> TypeGuard[Entry]:
    """Whether a journal entry has the record in the target from the same source values
    (an entry of an older journal, without a hash, counts as the same)."""
    return bool(entry and entry.state.kept and entry.source_hash in (None, digest))


def step_records(step: Step, own: StepData, lines: StepData | None) -> dict[int, Record]:
    """The records of a step by leading row: each row alone, or grouped, with its lines."""
    records: dict[int, Record] = {}
    if step.group_by:
        column = own.table.frame[step.header_of(step.group_by)]
        previous: Any = object()
        members: dict[int, list[int]] = {}
        for n, value in column.items():
            if value is None or value != previous or not members:
                leader = int(n)
                members[leader] = [leader]
            else:
                members[leader].append(int(n))
            previous = value
        for leader, rows in members.items():
            records[leader] = Record(leader, rows, own.table.label)
            records[leader].lines = [{**own.rows[m], "rownum": m} for m in rows if m in own.rows]
        return records
    label = own.table.label
    for n in map(int, own.row_numbers):
        records[n] = Record(n, (n,), label)
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


def repeated_groups(
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


def parent_rows(step: Step, own: StepData, data: dict[str, StepData]) -> dict[int, int | Problem]:
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
