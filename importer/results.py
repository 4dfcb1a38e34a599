"""What became of every row: outcomes per step and row, and the run they belong to."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from importer import jsontext, spool
from importer.mapping import Mapping, Step
from importer.messages import Message
from importer.readers import Table
from importer.spool import Spooled
from importer.status import STATUSES, Status
from importer.validation import Problem

__all__ = ["STATUSES", "EARLIER", "Count", "Listed", "Outcome", "Result", "Status", "counted"]

EARLIER = "already done"  # how the counts name rows done in an earlier run


class _Unchangeable:
    """Refuses to be changed in place: shared, it would change every outcome at once."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("an outcome's ids and problems are given whole, never changed in place")


class _NoIds(_Unchangeable, dict[str, str]):
    __setitem__ = __delitem__ = update = setdefault = pop = popitem = clear = __ior__ = (
        _Unchangeable._refuse
    )


class _NoProblems(_Unchangeable, list[Problem]):
    __setitem__ = __delitem__ = append = extend = insert = remove = pop = clear = sort = (
        _Unchangeable._refuse
    )
    reverse = __iadd__ = __imul__ = _Unchangeable._refuse


# Most outcomes have neither ids nor problems: they share these two instead of holding an
# empty dict and list each (~120 bytes a row and step).
_NO_IDS = _NoIds()
_NO_PROBLEMS = _NoProblems()


@dataclass(slots=True, init=False)
class Outcome:
    """What became of one source row in one step.

    Its ``body`` (the body sent or planned, as compact JSON text) is kept in a temporary
    file, not in memory (:mod:`importer.spool`), and read back when it is asked for.
    """

    row: int
    status: Status
    ids: dict[str, str]
    error: Message | None  # rendered in the user's language where it is shown
    log_reference: str | None
    problems: list[Problem]
    kept: str | Spooled | None = field(repr=False)  # the body: see body and json()
    parent_row: int | None
    earlier: bool  # done in an earlier run (from the journal): nothing was sent now
    leader: int | None  # a grouped row or a line: the row whose record it belongs to
    action: str | None  # insert, update, upsert or delete: what the row asks (or got)
    batch: int | None  # the records its request held, when it went with others

    def __init__(
        self,
        row: int,
        status: Status,
        ids: dict[str, str] | None = None,
        error: Message | None = None,
        log_reference: str | None = None,
        problems: list[Problem] | None = None,
        body: str | None = None,
        parent_row: int | None = None,
        earlier: bool = False,
        leader: int | None = None,
        action: str | None = None,
        batch: int | None = None,
    ):
        self.row, self.status = row, status
        self.ids = _NO_IDS if ids is None else ids
        self.error, self.log_reference = error, log_reference
        self.problems = _NO_PROBLEMS if problems is None else problems
        self.kept = spool.keep(body)
        self.parent_row, self.earlier = parent_row, earlier
        self.leader, self.action, self.batch = leader, action, batch

    @property
    def body(self) -> str | None:
        """The body sent (or planned) as compact JSON text, read back from where it is kept."""
        return spool.text_of(self.kept)

    @body.setter
    def body(self, text: str | None) -> None:
        self.kept = spool.keep(text)

    def json(self) -> Any:
        """The body as JSON data."""
        text = self.body
        return None if text is None else jsontext.loads(text)  # decimals exact


EARLIER_RANK = Status.EXISTING.rank  # ``already done`` counts after what was done now


def counted(outcome: Outcome) -> str:
    """What a row counts as: its status, or ``already done`` when it was done in an earlier
    run (nothing was sent for it now; its sheet says ``created`` with a note)."""
    return EARLIER if outcome.earlier else outcome.status


@dataclass(frozen=True)
class Count:
    """One line of what a run counts, the same on the terminal, the Summary sheet, the
    summary line and ``importer status``:

    - ``rows``: a step's source rows (one per row of its file the step reads; a row's
      status in that step), and ``records``: the records (requests) they make, rows grouped
      into one record counting once;
    - ``lines``: a step's lines (one per row of the lines file);
    - ``file``: a file's rows, each counted once at its worst outcome over the steps and
      lines reading it. The summary line adds these up over the files.
    """

    name: str  # the step (whose rows or lines are counted), or the file's label
    kind: str  # rows, lines or file
    source: str  # the file's label (and sheet)
    connector: str | None = None
    records: int | None = None
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    def data(self) -> dict[str, Any]:
        """As JSON data (the journal keeps the last run's counts for ``importer status``)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "source": self.source,
            "connector": self.connector,
            "records": self.records,
            "statuses": {str(k): v for k, v in self.statuses.items() if v},
        }

    @classmethod
    def of(cls, data: dict[str, Any]) -> Count:
        return cls(
            data["name"],
            data["kind"],
            data["source"],
            data.get("connector"),
            data.get("records"),
            Counter(data.get("statuses", {})),
        )


@dataclass(frozen=True)
class Listed:
    """One problem as the Errors sheet and the terminal list it: where its value stands
    (``source``, ``row``, ``column``), and for a line or a grouped row the row of the
    record it belongs to (``parent``: file and row)."""

    step: str
    lines: bool  # a line of the step (on the step's lines sheet)
    sheet_row: int  # the row of the step's (or its lines') sheet it links to
    source: str  # the file (and sheet) the value stands in
    row: int
    column: str | None
    value: Any
    status: Status
    message: Message | None
    parent: tuple[str, int] | None = None
    log_reference: str | None = None


def shown_statuses(counts: list[Count]) -> list[str]:
    """The statuses some count has, worst first, ``already done`` last: the columns."""
    labels = [*STATUSES, EARLIER]
    return [s for s in labels if any(c.statuses[s] for c in counts)]


def _where(item: Listed) -> tuple[Any, ...]:
    return (item.step, item.source, item.row, item.column, str(item.message))


def _rows_counted(counts: list[Count]) -> str:
    files = [c for c in counts if c.kind == "file"]
    return "; source rows: " + ", ".join(f"{c.source} {c.total}" for c in files) if files else ""


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

    def counts(self) -> list[Count]:
        """What the run counts, defined once (see :class:`Count`): each step's rows, each
        step's lines, then each file's rows counted once (the summary line's figures)."""
        counts: list[Count] = []
        files: dict[str, Counter[str]] = {}
        # (source, row): its worst outcome's (rank, label)
        worst: dict[tuple[str, int], tuple[tuple[int, int], str]] = {}
        for step in self.mapping.steps:
            sets = [("rows", step.source, self.outcomes[step.name])]
            if step.lines is not None and step.name in self.lines:
                sets.append(("lines", step.lines.source, self.lines[step.name]))
            for kind, source, outcomes in sets:
                label = self.tables[source].label
                statuses = Counter(counted(o) for o in outcomes.values())
                records = None
                if kind == "rows":
                    records = sum(o.leader is None for o in outcomes.values())
                counts.append(Count(step.name, kind, label, step.connector, records, statuses))
                files.setdefault(source, Counter())
                for n, outcome in outcomes.items():
                    # what a run did to a row counts before what an earlier run did: a row
                    # done before in one step and created or updated now in another counts
                    # as created or updated
                    rank = (EARLIER_RANK, 1) if outcome.earlier else (outcome.status.rank, 0)
                    key = (source, n)
                    if key not in worst or rank < worst[key][0]:
                        worst[key] = (rank, counted(outcome))
        for (source, _), (_, status) in worst.items():
            files[source][status] += 1
        for source, statuses in files.items():
            label = self.tables[source].label
            counts.append(Count(label, "file", label, None, None, statuses))
        return counts

    def problems(self) -> list[Listed]:
        """Every problem of the run once, at the file and row where its value stands: a
        line's problem at the line (with its record's row as the parent), not at the row of
        the record it made invalid; a line invalid for its record's sake names that row."""
        found: list[tuple[bool, Listed]] = []  # (at its own row, listed)
        for step in self.mapping.steps:
            sets = [(False, step.source, self.outcomes[step.name])]
            if step.lines is not None and step.name in self.lines:
                sets.append((True, step.lines.source, self.lines[step.name]))
            owner = self.tables[step.source].label
            for lines, source, outcomes in sets:
                label = self.tables[source].label
                for n, o in sorted(outcomes.items()):
                    if not o.status.problem:
                        continue
                    parent = (owner, o.leader) if o.leader is not None else None
                    if not o.problems:
                        said = o.error
                        if isinstance(said, Message) and said.code == "with_row" and parent:
                            said = dict(said.params)["error"]  # the parent column says which
                        item = Listed(step.name, lines, n, label, n, None, None, o.status, said)
                        found.append(
                            (True, replace(item, parent=parent, log_reference=o.log_reference))
                        )
                        continue
                    for p in o.problems:
                        at = p.row if p.row is not None else n
                        own = p.source == label and at == n
                        item = Listed(
                            step.name, lines, n, p.source, at, p.column, p.value, o.status,
                            p.message, parent if own else (label, n), o.log_reference,
                        )  # fmt: skip
                        found.append((own, item))
        mine = {_where(item) for own, item in found if own}
        return [item for own, item in found if own or _where(item) not in mine]

    def last_run(self, run_id: str) -> dict[str, Any]:
        """What the journal keeps of this run for ``importer status``: its counts."""
        finished = self.finished or dt.datetime.now().astimezone()
        return {
            "run_id": run_id,
            "finished": finished.isoformat(timespec="seconds"),
            "summary": self.summary_line(),
            "counts": [c.data() for c in self.counts()],
        }

    def parent_ids(self, step: Step, n: int) -> dict[str, str]:
        """The ids a row's parent row (of this run) got in the target; none without one."""
        parent_row = self.outcomes[step.name][n].parent_row
        if step.parent is None or parent_row is None:
            return {}
        return self.outcomes[step.parent.step][parent_row].ids

    def row_statuses(self) -> Counter[str]:  # keyed by Status, and EARLIER
        """Source rows per overall status (a row's worst outcome over the steps reading it),
        over every file: the summary line's figures."""
        total: Counter[str] = Counter()
        for count in self.counts():
            if count.kind == "file":
                total.update(count.statuses)
        return total

    def step_statuses(self, step: str) -> Counter[str]:
        """A step's rows per status as counted (:func:`counted`: done earlier apart)."""
        return Counter(counted(o) for o in self.outcomes[step].values())

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

    def summary_line(self, *, validation: bool = False) -> str:
        """``Import finished: 1 created, 1 failed, 6 invalid, 0 skipped; source rows:
        klanten.csv 8``: every row of every file once, at its worst outcome (English:
        scripts read it)."""
        every = self.counts()
        counts: Counter[str] = Counter()
        for count in every:
            if count.kind == "file":
                counts.update(count.statuses)
        if validation:
            line = (
                f"Validation finished: {counts[Status.PLANNED]} valid, "
                f"{counts[Status.INVALID]} invalid, {counts[Status.SKIPPED]} skipped"
            )
            return line + _rows_counted(every)
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
        line += _rows_counted(every)
        if self.environment and self.environment != "sandbox":
            line += f" ({self.environment})"
        return line
