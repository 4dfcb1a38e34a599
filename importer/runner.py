"""Drive a mapping from files to target: read, validate, link, render, send.

Everything that can be checked is checked before the first request: the mapping, the files,
every row of every step, and every body (rendered with placeholders for ids that only the
target can give). Only then are rows sent, step by step in mapping order, each child with the
ids its parent got back. Every source row of every step ends with exactly one outcome.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.errors import TargetError
from importer.mapping import Mapping, Step
from importer.readers import Table, read_table
from importer.render import Renderer, RenderError
from importer.targets import Target
from importer.validation import Problem, StepData, validate_step

# Statuses, worst first: a source row read by several steps counts as its worst outcome.
STATUSES = ("invalid", "failed", "unknown", "skipped", "created", "planned")
DONE = frozenset({"created", "planned"})


@dataclass
class Outcome:
    """What became of one source row in one step."""

    row: int
    status: str
    ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    log_reference: str | None = None
    problems: list[Problem] = field(default_factory=list)
    body: Any = None
    parent_row: int | None = None


@dataclass
class Result:
    """The outcome of every row of every step, and what the run was about."""

    mapping: Mapping
    tables: dict[str, Table]
    outcomes: dict[str, dict[int, Outcome]]
    started: dt.datetime
    finished: dt.datetime | None = None
    target: str | None = None
    dry_run: bool = False
    stopped: str | None = None

    def row_statuses(self) -> Counter[str]:
        """Source rows per overall status (a row's worst outcome over the steps reading it)."""
        worst: dict[tuple[str, int], str] = {}
        for step in self.mapping.steps:
            for n, outcome in self.outcomes[step.name].items():
                key = (step.source, n)
                if key not in worst or STATUSES.index(outcome.status) < STATUSES.index(worst[key]):
                    worst[key] = outcome.status
        return Counter(worst.values())

    def step_statuses(self, step: str) -> Counter[str]:
        return Counter(o.status for o in self.outcomes[step].values())

    @property
    def sent_any(self) -> bool:
        return any(
            o.status in ("created", "failed", "unknown")
            for s in self.outcomes.values()
            for o in s.values()
        )

    @property
    def all_done(self) -> bool:
        return all(o.status in DONE for s in self.outcomes.values() for o in s.values())

    def summary_line(self) -> str:
        counts = self.row_statuses()
        if self.dry_run:
            shown = ["planned", "invalid", "skipped"]
            head = "Dry run finished"
        else:
            shown = ["created", "failed", "invalid", "skipped"]
            shown += [s for s in ("unknown",) if counts[s]]
            head = "Import stopped" if self.stopped else "Import finished"
        return f"{head}: " + ", ".join(f"{counts[s]} {s}" for s in shown)


def read_sources(mapping: Mapping) -> dict[str, Table]:
    """Every source file of the mapping, as text tables (InputError if one is unusable)."""
    tables = {}
    for name, source in mapping.sources.items():
        tables[name] = read_table(
            mapping.source_path(name),
            sheet=source.sheet,
            encoding=source.encoding,
            delimiter=source.delimiter,
        )
    return tables


@dataclass
class Plan:
    """A prepared run: outcomes so far, and what sending needs (typed rows, templates)."""

    result: Result
    data: dict[str, StepData]
    renderer: Renderer

    def render(self, step: Step, row: int, parent_ids: dict[str, str]) -> Any:
        return self.renderer.render(step.template, self.data[step.name].rows[row], parent_ids, row)


def prepare(mapping: Mapping) -> Plan:
    """Read, validate, link and render every row; nothing is sent. Rows that pass are planned."""
    started = dt.datetime.now().astimezone()
    renderer = Renderer(mapping.template_folder, sorted({s.template for s in mapping.steps}))
    tables = read_sources(mapping)
    data = {step.name: validate_step(step, tables[step.source]) for step in mapping.steps}
    row_problems = _problems_by_source_row(mapping, data)
    outcomes: dict[str, dict[int, Outcome]] = {}
    for step in mapping.steps:
        outcomes[step.name] = _plan_step(step, data, row_problems, outcomes, renderer, mapping)
    result = Result(mapping, tables, outcomes, started, dry_run=True)
    return Plan(result, data, renderer)


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
    planned: dict[int, Outcome] = {}
    for n in own.row_numbers:
        if n in own.problems:
            planned[n] = _invalid(n, own.problems[n])
            continue
        parent_ids: dict[str, str] = {}
        parent_row = None
        if step.parent:
            parent_row = parents.get(n)
            if isinstance(parent_row, Problem):
                planned[n] = _invalid(n, [parent_row])
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
            planned[n] = _invalid(n, row_problems[(step.source, n)])
            continue
        try:
            body = renderer.render(step.template, own.rows[n], parent_ids, n)
        except RenderError as exc:
            planned[n] = _invalid(n, [Problem(own.table.label, n, None, None, str(exc))])
            continue
        planned[n] = Outcome(n, "planned", body=body, parent_row=parent_row)
    return planned


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


def _placeholders(parent: Step, row: int) -> dict[str, str]:
    return {key: f"<{key} of {parent.name} row {row}>" for key in parent.keep}


def _invalid(n: int, problems: list[Problem]) -> Outcome:
    message = "; ".join(f"{p.column}: {p.message}" if p.column else p.message for p in problems)
    return Outcome(n, "invalid", error=message, problems=problems)


def run(mapping: Mapping, target: Target | None, *, dry_run: bool = False) -> Result:
    """Import every row of a mapping into a target (or only plan it, with ``dry_run``)."""
    plan = prepare(mapping)
    result = plan.result
    if not dry_run and target is not None:
        result.dry_run = False
        result.target = target.host
        for step in mapping.steps:
            _send_step(step, plan, target)
    result.finished = dt.datetime.now().astimezone()
    return result


def _send_step(step: Step, plan: Plan, target: Target) -> None:
    result = plan.result
    outcomes = result.outcomes[step.name]
    for n, planned in outcomes.items():
        if planned.status != "planned":
            continue  # invalid or skipped before anything was sent
        if result.stopped:
            outcomes[n] = Outcome(n, "skipped", error=f"not sent: {result.stopped}")
            continue
        body = planned.body
        if step.parent and planned.parent_row is not None:
            parent = result.outcomes[step.parent.step][planned.parent_row]
            if parent.status != "created":
                outcomes[n] = Outcome(
                    n,
                    "skipped",
                    parent_row=planned.parent_row,
                    error=f"parent row {planned.parent_row} {parent.status}",
                )
                continue
            try:
                body = plan.render(step, n, parent.ids)
            except RenderError as exc:
                outcomes[n] = _invalid(
                    n, [Problem(result.tables[step.source].label, n, None, None, str(exc))]
                )
                continue
        try:
            reply = target.insert(step.connector, body)
        except TargetError as exc:
            result.stopped = str(exc)
            outcomes[n] = Outcome(n, "skipped", error=f"not sent: {exc}")
            continue
        if reply.ok:
            ids = {k: v for k, v in reply.ids.items() if k in step.keep}
            outcomes[n] = Outcome(n, "created", ids=ids, body=body, parent_row=planned.parent_row)
        else:
            outcomes[n] = Outcome(
                n,
                "unknown" if reply.unknown else "failed",
                error=reply.error,
                log_reference=reply.log_reference,
                body=body,
                parent_row=planned.parent_row,
            )


def default_output(mapping_path: Path, *, suffix: str = "result") -> Path:
    """``flex-result.xlsx`` for ``mappings/flex.yaml``, in the current folder."""
    return Path(f"{Path(mapping_path).stem}-{suffix}.xlsx")
