"""Send a plan to a target: step by step, each child with the ids its parent got back.

Every source row of every step ends with exactly one outcome.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from importer.catalog import Contract
from importer.errors import TargetError
from importer.mapping import Mapping, Step
from importer.plan import Plan, contract_problem, invalid, prepare
from importer.render import RenderError
from importer.results import Outcome, Result
from importer.targets import Target
from importer.validation import Problem


def run(mapping: Mapping, target: Target | None, *, dry_run: bool = False) -> Result:
    """Import every row of a mapping into a target (or only plan it, with ``dry_run``)."""
    sending = not dry_run and target is not None
    plan = prepare(mapping, target.contract if sending and target else Contract.shipped)
    result = plan.result
    if sending and target is not None:
        result.dry_run = False
        result.target = target.host
        result.environment = target.environment
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
            body = _child_body(step, planned, plan)
            if isinstance(body, Outcome):
                outcomes[n] = body
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


def _child_body(step: Step, planned: Outcome, plan: Plan) -> Any:
    """A child's body with the ids its parent really got, or the Outcome that stops it."""
    assert step.parent is not None and planned.parent_row is not None
    n, parent_row = planned.row, planned.parent_row
    parent = plan.result.outcomes[step.parent.step][parent_row]
    if parent.status != "created":
        return Outcome(
            n, "skipped", parent_row=parent_row, error=f"parent row {parent_row} {parent.status}"
        )
    own = plan.data[step.name]
    try:
        body = plan.render(step, n, parent.ids)
    except RenderError as exc:
        return invalid(n, [Problem(own.table.label, n, None, None, str(exc))])
    contract = plan.contracts[step.connector]
    violations = contract.violations(body) if contract else []
    if violations:
        return invalid(n, [contract_problem(step, own, n, v.value, v.message) for v in violations])
    return body


def default_output(mapping_path: Path, *, suffix: str = "result") -> Path:
    """``flex-result.xlsx`` for ``mappings/flex.yaml``, in the current folder."""
    return Path(f"{Path(mapping_path).stem}-{suffix}.xlsx")
