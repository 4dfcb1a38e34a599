"""What became of every row: outcomes per step and row, and the run they belong to."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from importer import jsontext
from importer.mapping import Mapping
from importer.messages import Message
from importer.readers import Table
from importer.status import STATUSES, Status
from importer.validation import Problem

__all__ = ["STATUSES", "EARLIER", "Outcome", "Result", "Status"]

EARLIER = "already done"  # how the summary counts rows done in an earlier run


@dataclass(slots=True)
class Outcome:
    """What became of one source row in one step."""

    row: int
    status: Status
    ids: dict[str, str] = field(default_factory=dict)
    error: Message | None = None  # rendered in the user's language where it is shown
    log_reference: str | None = None
    problems: list[Problem] = field(default_factory=list)
    body: str | None = None  # the body sent (or planned) as compact JSON text; see json()
    parent_row: int | None = None
    earlier: bool = False  # done in an earlier run (from the journal): nothing was sent now
    leader: int | None = None  # a grouped row or a line: the row whose record it belongs to
    action: str | None = None  # insert, update, upsert or delete: what the row asks (or got)

    def json(self) -> Any:
        """The body as JSON data (kept as text: a tenth of the memory of its dicts)."""
        return None if self.body is None else jsontext.loads(self.body)  # decimals exact


@dataclass
class Result:
    """The outcome of every row of every step, and what the run was about."""

    mapping: Mapping
    tables: dict[str, Table]
    outcomes: dict[str, dict[int, Outcome]]
    started: dt.datetime
    finished: dt.datetime | None = None
    target: str | None = None
    environment: str | None = None
    dry_run: bool = False
    stopped: Message | None = None  # why the run stopped before every row was tried
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM
    contracts: dict[str, str] = field(default_factory=dict)  # connector: where its fields came from
    lines: dict[str, dict[int, Outcome]] = field(default_factory=dict)  # step: its lines' outcomes

    def row_statuses(self) -> Counter[str]:  # keyed by Status, and EARLIER
        """Source rows per overall status (a row's worst outcome over the steps reading it)."""
        worst: dict[tuple[str, int], tuple[int, str]] = {}  # (rank, status or EARLIER)
        sources = [(s.source, self.outcomes[s.name]) for s in self.mapping.steps]
        sources += [
            (self.mapping.step(name).lines.source, lines)  # type: ignore[union-attr]
            for name, lines in self.lines.items()
        ]
        for source, outcomes in sources:
            for n, outcome in outcomes.items():
                label = EARLIER if outcome.earlier else outcome.status
                rank = (outcome.status.rank, label)
                key = (source, n)
                # a row done earlier in one step and created now in another counts as created
                if (
                    key not in worst
                    or rank < worst[key]
                    or (rank[0] == worst[key][0] and worst[key][1] == EARLIER)
                ):
                    worst[key] = rank
        return Counter(label for _, label in worst.values())

    def step_statuses(self, step: str) -> Counter[str]:
        return Counter(o.status for o in self.outcomes[step].values())

    @property
    def sent_any(self) -> bool:
        return any(
            o.status.sent and not o.earlier for s in self.outcomes.values() for o in s.values()
        )

    @property
    def all_done(self) -> bool:
        """Nothing is left to do for any row (the lines' rows included)."""
        rows = [*self.outcomes.values(), *self.lines.values()]
        return all(o.status.done for s in rows for o in s.values())

    def summary_line(self) -> str:
        counts = self.row_statuses()
        if self.dry_run:
            shown: list[str] = [Status.PLANNED, Status.INVALID, Status.SKIPPED]
            head = "Dry run finished"
        else:
            shown = [Status.CREATED, Status.FAILED, Status.INVALID, Status.SKIPPED]
            shown += [
                s
                for s in (
                    Status.UNKNOWN,
                    Status.CHANGED,
                    Status.UPDATED,
                    Status.UNCHANGED,
                    Status.DELETED,
                    Status.EXISTING,
                    EARLIER,
                )  # fmt: skip
                if counts[s]
            ]
            head = "Import stopped" if self.stopped else "Import finished"
        shown += [s for s in (Status.EXCLUDED,) if counts[s]]
        line = f"{head}: " + ", ".join(f"{counts[s]} {s}" for s in shown)
        if self.environment and self.environment != "sandbox":
            line += f" ({self.environment})"
        return line
