"""A row's body: rendered from its record, then checked against the connector's contract.

Planning builds every body with placeholders for the ids only the target can give; sending
builds again a body that needs real ones. Both make it here, one way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from importer.contract import Contract
from importer.mapping import Step
from importer.messages import Message
from importer.records import Record
from importer.render import Renderer, RenderError
from importer.validation import Problem, StepData

PLACEHOLDER = re.compile(r"<\w+ of [^<>]+>")  # an id only the target can give


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


def _found_placeholders(step: Step) -> dict[str, dict[str, str]]:
    # an optional lookup is planned as finding nothing: the body that creates what it looks
    # for, the fuller one, is the one checked before anything is sent
    return {
        name: {} if lookup.optional else {k: f"<{k} of find.{name}>" for k in lookup.ids}
        for name, lookup in step.find.items()
    }
