"""A row's body: rendered from its record, then checked against the connector's contract.

Planning drafts every body with placeholders for the ids only the target can give; sending
builds again a body that needs real ones. Both make it here, one way. Placeholders enter a body
only through a draft, and a draft is never sent (:meth:`Built.sendable`): a body with an
unresolved id cannot reach a target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from importer.contract import PLACEHOLDER, Contract
from importer.errors import MappingError
from importer.mapping import Step
from importer.messages import Message
from importer.records import Record
from importer.render import DROP, Renderer, RenderError, TemplateFault
from importer.validation import Problem, StepData


@dataclass(frozen=True, slots=True)
class Built:
    """A row's body, or the problems that keep the row from having one."""

    body: Any = None
    problems: list[Problem] = field(default_factory=list)
    draft: bool = False  # made with placeholders for ids only the target can give

    @property
    def ok(self) -> bool:
        return not self.problems

    def sendable(self) -> Any:
        """The body, to be sent: never a draft's."""
        if self.draft:
            raise ValueError("a body drafted with placeholders for ids is never sent")
        return self.body


def build(
    step: Step,
    own: StepData,
    record: Record,
    renderer: Renderer,
    contract: Contract | None,
    parent_ids: dict[str, str],
    existing: dict[str, str] | None = None,
    found: dict[str, dict[str, str]] | None = None,
    *,
    action: str = "insert",
    clear: Any = DROP,
    draft: bool = False,
) -> Built:
    """The one way a row's body is made: rendered, then checked against the connector.

    A ``draft`` (planning) may hold placeholders for the ids only the target can give (in
    ``parent_ids`` and ``existing``, and for ``find`` when it is not given); a body to send
    holds the ids found (``found``: none when not given), and :meth:`Built.sendable` refuses
    a draft's. ``action`` is what the body is checked as (an update needs no insert-only
    field); ``clear`` is what a cleared cell becomes (the target's empty value in an update).
    A template the sandbox stops raises MappingError: that is the mapping's fault, not the
    row's.
    """
    n = record.row
    if found is None:
        found = _found_placeholders(step) if draft else {}
    try:
        body = renderer.render(
            step.template,
            own.rows[n],
            parent_ids,
            n,
            existing,
            lines=record.lines,
            find=found,
            clear=clear,
        )
    except RenderError as exc:
        return Built(problems=[Problem(own.table.label, n, None, None, exc.said)], draft=draft)
    except TemplateFault as exc:
        said = Message("template.fault", error=exc.said, source=own.table.label, row=n)
        if draft:  # planning: the run stops before anything is sent
            raise MappingError(said, file=exc.file, line=exc.line) from exc
        return Built(problems=[Problem(own.table.label, n, None, None, said)], draft=draft)
    return Built(body, _contract_problems(step, own, n, body, contract, action), draft=draft)


def _contract_problems(
    step: Step, own: StepData, n: int, body: Any, contract: Contract | None, action: str
) -> list[Problem]:
    """What the connector would refuse in a planned body (placeholders for ids pass)."""
    if contract is None:
        return []
    return [
        contract_problem(step, own, n, v.value, v.message)
        for v in contract.violations(body, action)
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
