"""Send a plan to a target exactly once: journal first, lookups, retries, concurrency.

Rows of a step are sent concurrently; a child row starts as soon as its parent row is done,
and a step without a parent waits for the steps before it. For every row the journal is read
first and written before the request leaves, so that whatever happens — a crash, Ctrl-C, a
timeout — no record is created twice and no row is lost: what becomes of each row is decided
in :mod:`importer.reconcile`, its lookups are made in :mod:`importer.lookups`, and it is sent,
with retries of transient refusals, by :mod:`importer.sending`.

A step with ``batch: N`` inserts up to N rows per request (:mod:`importer.batches`). Its rows
are still decided one by one; a row to insert joins its step's batch, which is sent when it
is full (by the thread that filled it) or when nothing in flight can add to it any more (no
row of the step is being decided, and no parent row above it could start one). No thread
ever waits for a batch to fill. Children of a batch's rows start when its answer is in.

Two rows that would make one record (the same key or ``match`` filter: their tokens) are never
sent side by side, nor in one batch: the later is held until the earlier is done, then decided
again and finds its record (a step without ``batch:`` sends each insert as a batch of one).
When the earlier one's outcome is unknown (no answer, an error once its request may have
left), the record may exist while no lookup of this run can see it: the later row is then
never inserted, but ``skipped`` and journalled so, to be decided again on the next run, after
the earlier row is reconciled.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from importer.batches import Batches, Ready
from importer.journal.store import Journal
from importer.mapping import Mapping, Step
from importer.messages import Message
from importer.plan import Plan, prepare
from importer.reconcile import Reconciler
from importer.records import member_outcome
from importer.results import Outcome, Result, Status
from importer.sending import Options
from importer.targets import Target

# The step and row a request is sent for, per thread, for the audit trail of the target.
current = threading.local()
log = logging.getLogger(__name__)


def run(
    mapping: Mapping,
    target: Target | None,
    *,
    dry_run: bool = False,
    journal: Journal | None = None,
    options: Options = Options(),
    stop: threading.Event | None = None,
) -> Result:
    """Import every row of a mapping into a target (or only plan it, with ``dry_run``).

    Sending needs a ``journal``: the file that makes a rerun resume and never create a record
    twice (:meth:`Journal.open`), or, for a run whose records need not be remembered (a
    throwaway sandbox), :meth:`Journal.in_memory`. ``stop``, when set (Ctrl-C), ends the run
    cleanly: nothing more is sent, requests in flight finish, and the rows not sent are
    ``skipped``.
    """
    if dry_run or target is None:
        plan = prepare(mapping)
        plan.result.finished = dt.datetime.now().astimezone()
        return plan.result
    if journal is None:
        raise TypeError(
            "run() sends only with a journal: Journal.open(path, ...) to resume and never "
            "send twice, or Journal.in_memory(...) when nothing needs remembering"
        )
    plan = prepare(mapping, target.contract, journal)
    return send(plan, target, journal=journal, options=options, stop=stop)


def send(
    plan: Plan,
    target: Target,
    *,
    journal: Journal,
    options: Options = Options(),
    stop: threading.Event | None = None,
) -> Result:
    """Send a prepared plan (:func:`importer.plan.prepare`): the second half of :func:`run`.
    A plan prepared with a journal is sent with that journal (its rows were planned against
    that journal's entries: ValueError otherwise)."""
    if plan.journal is not None and plan.journal is not journal:
        raise ValueError(
            "send() a plan with the journal it was prepared with: its rows were planned "
            "against that journal's entries"
        )
    result = plan.result
    result.dry_run = False
    result.target = target.host
    result.environment = target.environment
    stop = stop or threading.Event()
    _Sender(plan, target, journal, options, stop).run()
    journal.commit()  # the replies of the last few ms (deferred: importer.journal.commits)
    if stop.is_set() and not result.stopped:
        result.stopped, result.interrupted = Message("interrupted"), True
    result.finished = dt.datetime.now().astimezone()
    return result


class _Sender:
    """Sends the planned rows of every step and records each outcome in the journal."""

    def __init__(
        self, plan: Plan, target: Target, journal: Journal, options: Options, stop: threading.Event
    ):
        self.plan, self.journal, self.options = plan, journal, options
        self.result = plan.result
        self.steps = plan.result.mapping.steps
        self.rows = Reconciler(plan, target, journal, options, stop)  # reads the journal
        self.children: dict[str, list[Step]] = defaultdict(list)
        self.waiting: dict[tuple[str, int], list[int]] = defaultdict(list)  # (child, parent row)
        self.records = plan.records
        self.groups = _groups(self.steps)
        for step in self.steps:
            if step.parent and _same_group(self.groups, step.name, step.parent.step):
                self.children[step.parent.step].append(step)
                leader = {
                    m: lead
                    for lead, record in self.records[step.parent.step].items()
                    for m in record.members
                }
                for n in self.records[step.name]:
                    parent_row = self.result.outcomes[step.name][n].parent_row
                    if parent_row is not None:
                        self.waiting[(step.name, leader.get(parent_row, parent_row))].append(n)
        self.pool = ThreadPoolExecutor(max(1, options.concurrency), thread_name_prefix="send")
        self.busy = 0  # rows submitted and not yet done (queued or in the pool), and batches
        self.idle = threading.Condition()  # its lock guards the counts below
        # Rows wait here, not in the pool's own queue: a future costs ~1.8 KB, 180 MB for
        # 100,000 rows submitted at once; a queued (step, row) costs ~70 bytes.
        self.queued: deque[tuple[Step, int]] = deque()
        self.in_pool = 0
        self.window = 2 * max(1, options.concurrency)
        self.batches = Batches(self.rows.sending, self.rows.lookups)
        self.filling: dict[str, list[Ready]] = defaultdict(list)  # a batch per step, filling
        self.deciding: Counter[str] = Counter()  # rows being decided (or queued), per step
        self.sending: Counter[str] = Counter()  # batches in flight, per step
        self.taken: dict[str, set[Hashable]] = defaultdict(set)  # tokens of rows in batches
        self.held: dict[str, list[Ready]] = defaultdict(list)  # rows waiting for such a row
        self.doubtful: dict[str, dict[Hashable, int]] = defaultdict(dict)  # token: unknown row
        self.upstream = {s.name: _upstream(self.groups, s) for s in self.steps}

    # --- scheduling ---------------------------------------------------------------------------

    def run(self) -> None:
        try:
            if self.options.observer:
                for step in self.steps:
                    self.options.observer.step_started(step, len(self.result.outcomes[step.name]))
            self.journal.note_steps([step.name for step in self.steps])
            self._record_unsent()
            for group in self.groups:
                self._drain()  # a group starts when the steps before it are done
                with self.idle:  # no batch of the group is sent half full while rows start
                    self.deciding.update(step.name for step in group)
                try:
                    self._start(group)
                finally:
                    with self.idle:
                        self.deciding.subtract(step.name for step in group)
                        self._flush_idle()
            for step in reversed(self.steps):  # deletes last, children before their parents
                self._drain()
                self._submit((step, n) for n in self.records[step.name] if self._deleting(step, n))
            self._drain()
        finally:
            self.pool.shutdown(wait=True)
        for step in self.steps:  # a safety net: no row may stay unsent without a reason
            for n, outcome in self.result.outcomes[step.name].items():
                if outcome.status == Status.PLANNED:
                    self.result.outcomes[step.name][n] = Outcome(
                        n, Status.SKIPPED, error=Message("not_sent.end")
                    )

    def _start(self, group: list[Step]) -> None:
        for step in group:  # parents first: their answers name their children
            self.rows.prefetch(step)
        self._submit(
            (step, n)
            for i, step in enumerate(group)
            for n in self.records[step.name]
            if not self._deleting(step, n)  # deletes go last
            # a row whose parent is in this group starts when that row is done
            and (i == 0 or self.result.outcomes[step.name][n].parent_row is None)
        )

    def _deleting(self, step: Step, n: int) -> bool:
        outcome = self.result.outcomes[step.name][n]
        return outcome.status == Status.PLANNED and outcome.action == "delete"

    def _record_unsent(self) -> None:
        """Journal the rows planning found invalid (or skipped), a transaction per step."""
        for step in self.steps:
            unsent = [
                (self.rows.key(step, n), n, outcome.status, outcome.error)
                for n in self.records[step.name]
                if (outcome := self.result.outcomes[step.name][n]).status.unsent
            ]
            if unsent:
                self.journal.record_unsent(step.name, unsent)

    def _submit(self, rows: Iterable[tuple[Step, int]]) -> None:
        """Queue rows for the pool, in order and all at once: the order of the requests does
        not depend on which thread runs first. A row done before from the same values needs
        no request: it is decided here, once the others are queued."""
        queued: list[tuple[Step, int]] = []
        settled: list[tuple[Step, int]] = []
        for step, n in rows:
            (settled if n in self.plan.settled.get(step.name, ()) else queued).append((step, n))
        with self.idle:
            self.busy += len(queued)
            self.deciding.update(step.name for step, _ in queued)
            self.queued.extend(queued)
        self._feed()
        for step, n in settled:
            decided = self._decide(step, n)
            if isinstance(decided, Ready):  # (cannot be: a row to insert is never settled)
                decided = Outcome(
                    n, Status.FAILED, error=Message("internal_error", error="settled")
                )
            self._done(step, n, decided)

    def _feed(self) -> None:
        """Hand queued rows to the pool, in the order they were submitted, keeping only a
        few more in it than it has threads."""
        while True:
            with self.idle:
                if not self.queued or self.in_pool >= self.window:
                    return
                step, n = self.queued.popleft()
                self.in_pool += 1
            self.pool.submit(self._task, step, n)

    def _drain(self) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.busy == 0)

    def _task(self, step: Step, n: int) -> None:
        try:
            current.step, current.row = step.name, n
            decided = self._decide(step, n)
            if isinstance(decided, Ready):
                full, unknown = self._collect(decided)
                if unknown is not None:
                    self._waits(decided, unknown)
                elif full:  # sent by the thread that filled it: no thread waits for a batch
                    with self.idle:
                        self.sending[step.name] += 1
                    try:
                        self._send_batch(step, full)
                    finally:
                        with self.idle:
                            self.sending[step.name] -= 1
            else:
                self._done(step, n, decided)
        finally:
            with self.idle:
                self.deciding[step.name] -= 1
                self._flush_idle()
                self.busy -= 1
                self.in_pool -= 1
                self.idle.notify_all()
            self._feed()

    def _decide(self, step: Step, n: int) -> Outcome | Ready:
        try:
            return self.rows.row(step, n)
        except Exception as exc:  # a bug must not lose the row: it is reported
            return Outcome(n, Status.FAILED, error=Message("internal_error", error=repr(exc)))

    def _done(self, step: Step, n: int, outcome: Outcome) -> None:
        """A row's outcome is in: record it, tell the observer, start its children."""
        self.result.outcomes[step.name][n] = outcome
        self._mirror(step, n, outcome)
        if self.options.observer:
            try:
                self.options.observer.row_done(step, outcome)
            except Exception:  # (a bug of the display: the row and its children go on)
                log.exception("telling the observer of row %s of %s", n, step.name)
        self._submit(
            (child, m)
            for child in self.children[step.name]
            for m in self.waiting[(child.name, n)]
            if not self._deleting(child, m)
        )

    # --- batches (a step's `batch:`; importer.batches) -------------------------------------------

    def _collect(self, ready: Ready) -> tuple[list[Ready] | None, int | None]:
        """Add a row to its step's batch: the batch when it is full. A row that would make the
        record of a row in a batch (same key or match filter) waits until that one is done;
        one that would make the record of a row whose outcome is unknown is not added: that
        row (second)."""
        name = ready.step.name
        with self.idle:
            unknown = self._unknown(ready)
            if unknown is not None:
                return None, unknown
            if ready.tokens & self.taken[name]:
                self.held[name].append(ready)
                return None, None
            self.taken[name] |= ready.tokens
            self.filling[name].append(ready)
            if len(self.filling[name]) < (ready.step.batch or 1):
                return None, None
            return self.filling.pop(name), None

    def _unknown(self, ready: Ready) -> int | None:
        """The row of unknown outcome that would have made this row's record (lock held)."""
        doubtful = self.doubtful[ready.step.name]
        return min((doubtful[t] for t in ready.tokens if t in doubtful), default=None)

    def _waits(self, ready: Ready, unknown: int) -> None:
        """A row not inserted, because its record may exist already (``unknown``'s outcome is
        unknown): skipped, and journalled so, to be decided again on the next run."""
        step = ready.step
        why = Message("batch.waits_unknown", row=unknown)
        self.journal.record(step.name, ready.key, ready.n, Status.SKIPPED, error=why)
        outcome = Outcome(ready.n, Status.SKIPPED, error=why, parent_row=ready.parent_row)
        self._done(step, ready.n, outcome)

    def _flush_idle(self) -> None:
        """Send each batch that nothing in flight can add to any more (called with the lock
        held): its step has no row being decided, and the steps above it in its group have
        nothing in flight that could start one."""
        for step in self.steps:
            name = step.name
            if not self.filling.get(name) or self.deciding[name]:
                continue
            if any(
                self.deciding[up] or self.sending[up] or self.filling.get(up)
                for up in self.upstream[name]
            ):
                continue
            self._submit_batch(step, self.filling.pop(name))

    def _submit_batch(self, step: Step, rows: list[Ready]) -> None:
        with self.idle:
            self.busy += 1
            self.sending[step.name] += 1
        self.pool.submit(self._batch_task, step, rows)

    def _batch_task(self, step: Step, rows: list[Ready]) -> None:
        try:
            self._send_batch(step, rows)
        finally:
            with self.idle:
                self.sending[step.name] -= 1
                self._flush_idle()
                self.busy -= 1
                self.idle.notify_all()

    def _send_batch(self, step: Step, rows: list[Ready]) -> None:
        """Send one batch; its parts, when it was refused, go out concurrently. Whatever goes
        wrong, each row done keeps its outcome and the rows held for its record go on."""
        # the audit trail names every row of a request
        current.step, current.row = step.name, [r.n for r in rows] if len(rows) > 1 else rows[0].n
        outcomes: list[Outcome] = []
        try:
            try:
                outcomes, again = self.batches.send(step, rows)
            except Exception as exc:  # a bug must not lose the rows: they are reported
                # (unknown: the request may have left)
                error = Message("internal_error", error=repr(exc))
                outcomes, again = [Outcome(r.n, Status.UNKNOWN, error=error) for r in rows], []
            for outcome in outcomes:  # each row's true outcome first, whatever fails next
                self.result.outcomes[step.name][outcome.row] = outcome
            for part in again:
                self._submit_batch(step, part)
            for outcome in outcomes:
                try:
                    self._done(step, outcome.row, outcome)
                except Exception:  # (an observer's bug: the other rows still go on)
                    log.exception("after row %s of %s was done", outcome.row, step.name)
        except Exception:  # (a bug: no future reads what this thread raises)
            log.exception("sending a batch of %s, rows %s", step.name, [r.n for r in rows])
        finally:
            self._release(step, rows, outcomes)

    def _release(self, step: Step, rows: list[Ready], outcomes: list[Outcome]) -> None:
        """The rows held for the records of rows now done are decided again; those whose
        record a row of unknown outcome may have made are not."""
        done = {o.row: o.status for o in outcomes}
        with self.idle:
            taken, doubtful = self.taken[step.name], self.doubtful[step.name]
            for r in rows:
                if r.n in done:
                    taken -= r.tokens
                    if done[r.n] == Status.UNKNOWN:
                        doubtful.update(dict.fromkeys(r.tokens, r.n))
            free = [r for r in self.held[step.name] if not r.tokens & taken]
            self.held[step.name] = [r for r in self.held[step.name] if r.tokens & taken]
            unknown = {r.n: self._unknown(r) for r in free}
        for r in free:
            blocker = unknown[r.n]
            if blocker is None:
                self._submit([(step, r.n)])
            else:
                self._waits(r, blocker)

    def _mirror(self, step: Step, n: int, outcome: Outcome) -> None:
        """The rows grouped with a record and its lines share its outcome."""
        record = self.records[step.name][n]
        for m in record.members[1:]:
            self.result.outcomes[step.name][m] = member_outcome(outcome, m, n, record.label)
        lines = self.result.lines.get(step.name)
        if lines is not None and step.lines:
            label = self.result.tables[step.lines.source].label
            for m in record.line_rows:
                lines[m] = member_outcome(outcome, m, n, label)


def _groups(steps: list[Step]) -> list[list[Step]]:
    """Steps that run together: a step joins the group of the step before it when its parent
    is in that group (its rows start as their parent rows finish); any other step starts a
    new group, after the steps before it are done."""
    groups: list[list[Step]] = []
    for step in steps:
        if groups and step.parent and step.parent.step in {s.name for s in groups[-1]}:
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


def _upstream(groups: list[list[Step]], step: Step) -> list[str]:
    """The steps of its group whose rows start rows of ``step``: its parent, theirs, ..."""
    group = {s.name: s for g in groups if step in g for s in g}
    found: list[str] = []
    parent = step.parent.step if step.parent else None
    while parent in group and parent not in found:
        found.append(parent)
        above = group[parent].parent
        parent = above.step if above else None
    return found


def _same_group(groups: list[list[Step]], one: str, other: str) -> bool:
    return any({one, other} <= {s.name for s in group} for group in groups)


def default_output(mapping_path: Path, *, suffix: str = "result") -> Path:
    """``flex-result.xlsx`` for ``mappings/flex.yaml``, in the current folder."""
    return Path(f"{Path(mapping_path).stem}-{suffix}.xlsx")
