"""Send a plan to a target exactly once: journal first, lookups, retries, concurrency.

Rows of a step are sent concurrently; a child row starts as soon as its parent row is done,
and a step without a parent waits for the steps before it. For every row the journal is read
first and written before the request leaves, so that whatever happens — a crash, Ctrl-C, a
timeout — no record is created twice and no row is lost:

- a row the journal records as created (found, updated) is not sent again; its ids feed its
  children; if its source values changed since, it is ``changed`` (updated with PUT only when
  the step says ``on_change: update``);
- a row whose request got no answer (``unknown``, or ``sending`` after a crash) is looked up
  first when the step has a ``match``, and sent again only when the lookup proves it absent;
  without a ``match`` it stays ``unknown`` until the user checks the target
  (``--retry-unknown``);
- a step with a ``match`` looks each row's record up before inserting it, and applies
  ``on_found``: ``link`` (reuse its ids), ``skip``, ``update`` (PUT) or ``fail``;
- a transient refusal (a locked record, maintenance) is retried with exponential backoff and
  jitter, or after the ``retry_after`` the target asked for, within bounds; a refusal on the
  merits, a refused token or an unknown outcome never is.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from importer.errors import LookupFailed, MappingError, TargetError
from importer.journal import Entry, Journal, content_hash
from importer.mapping import Mapping, Step
from importer.messages import Message
from importer.plan import Plan, invalid, member_outcome, prepare
from importer.render import compact
from importer.results import Outcome, Result, Status
from importer.targets import Reply, ReplyKind, Target

# A parent in one of these states has ids its children can use.


class Observer(Protocol):
    """Watches a run (progress display, logs): told when a step starts and a row is done."""

    def step_started(self, step: Step, rows: int) -> None: ...

    def row_done(self, step: Step, outcome: Outcome) -> None: ...


# The step and row a request is sent for, per thread, for the audit trail of the target.
current = threading.local()


@dataclass(frozen=True)
class Options:
    """How to send: parallelism, retries and waiting."""

    concurrency: int = 4
    retries: int = 3  # tries after the first, for transient refusals only
    backoff: float = 1.0  # first wait in seconds; doubles per try, plus jitter
    max_wait: float = 60.0  # the longest single wait (a 503's retry_after is capped to it)
    retry_budget: float = 300.0  # the most time one row may spend waiting to retry
    retry_unknown: bool = False  # resend rows without an answer that no lookup can check
    observer: Observer | None = None


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
    plan = prepare(mapping, target.contract)
    return send(plan, target, journal=journal, options=options, stop=stop)


def send(
    plan: Plan,
    target: Target,
    *,
    journal: Journal,
    options: Options = Options(),
    stop: threading.Event | None = None,
) -> Result:
    """Send a prepared plan (:func:`importer.plan.prepare`): the second half of :func:`run`."""
    result = plan.result
    result.dry_run = False
    result.target = target.host
    result.environment = target.environment
    stop = stop or threading.Event()
    _Sender(plan, target, journal, options, stop).run()
    if stop.is_set() and not result.stopped:
        result.stopped, result.interrupted = Message("interrupted"), True
    result.finished = dt.datetime.now().astimezone()
    return result


class _Decided(Exception):  # noqa: N818 - not an error: a row's outcome, found early
    """Raised with a row's outcome when it is clear before its request can be made (a lookup
    that finds nothing, a body the contract refuses); :meth:`_Sender._row` returns it."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.status)
        self.outcome = outcome


class _Sender:
    """Sends the planned rows of every step and records each outcome in the journal."""

    def __init__(
        self, plan: Plan, target: Target, journal: Journal, options: Options, stop: threading.Event
    ):
        self.plan, self.target, self.journal, self.options = plan, target, journal, options
        self.result = plan.result
        self.stop = stop
        self.steps = plan.result.mapping.steps
        self.entries = {s.name: journal.entries(s.name) for s in self.steps}
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
        self.found: dict[tuple[str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
        self.found_lock = threading.Lock()
        self.pool = ThreadPoolExecutor(max(1, options.concurrency), thread_name_prefix="send")
        self.busy = 0
        self.idle = threading.Condition()

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
                for i, step in enumerate(group):
                    self._prefetch(step)
                    for n in self.records[step.name]:
                        # a row whose parent is in this group starts when that row is done
                        if i == 0 or self.result.outcomes[step.name][n].parent_row is None:
                            self._submit(step, n)
            self._drain()
        finally:
            self.pool.shutdown(wait=True)
        for step in self.steps:  # a safety net: no row may stay unsent without a reason
            for n, outcome in self.result.outcomes[step.name].items():
                if outcome.status == Status.PLANNED:
                    self.result.outcomes[step.name][n] = Outcome(
                        n, Status.SKIPPED, error=Message("not_sent.end")
                    )

    def _record_unsent(self) -> None:
        """Journal the rows planning found invalid (or skipped), a transaction per step."""
        for step in self.steps:
            unsent = [
                (self._key(step, n), n, outcome.status, outcome.error)
                for n in self.records[step.name]
                if (outcome := self.result.outcomes[step.name][n]).status.unsent
            ]
            if unsent:
                self.journal.record_unsent(step.name, unsent)

    def _submit(self, step: Step, n: int) -> None:
        with self.idle:
            self.busy += 1
        self.pool.submit(self._task, step, n)

    def _drain(self) -> None:
        with self.idle:
            self.idle.wait_for(lambda: self.busy == 0)

    def _task(self, step: Step, n: int) -> None:
        try:
            current.step, current.row = step.name, n
            try:
                outcome = self._row(step, n)
            except Exception as exc:  # a bug must not lose the row: it is reported
                outcome = Outcome(
                    n, Status.FAILED, error=Message("internal_error", error=repr(exc))
                )
            self.result.outcomes[step.name][n] = outcome
            self._mirror(step, n, outcome)
            if self.options.observer:
                self.options.observer.row_done(step, outcome)
            for child in self.children[step.name]:
                for m in self.waiting[(child.name, n)]:
                    self._submit(child, m)
        finally:
            with self.idle:
                self.busy -= 1
                self.idle.notify_all()

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

    # --- one row -------------------------------------------------------------------------------

    def _row(self, step: Step, n: int) -> Outcome:
        planned = self.result.outcomes[step.name][n]
        if planned.status != Status.PLANNED:
            return planned  # journalled before sending began (_record_unsent)
        key = self._key(step, n)
        if step.parent and planned.parent_row is not None:
            planned = self._after_parent(step, planned)
            if planned.status != Status.PLANNED:
                self.journal.record(step.name, key, n, planned.status, error=planned.error)
                return planned
        entry = self.entries[step.name].get(key)
        record = self.records[step.name][n]
        # the whole record: its row, the rows grouped with it and its lines
        source_hash = content_hash([self.plan.data[step.name].rows[n], record.lines])
        if entry and entry.state.kept and entry.source_hash in (None, source_hash):
            return Outcome(
                n, entry.state, ids=entry.ids, earlier=True, parent_row=planned.parent_row
            )
        if self.stop.is_set():
            return self._not_sent(step, key, n, entry)
        try:
            if entry and entry.state.kept:
                return self._changed(step, key, n, planned, entry, source_hash)
            return self._new(step, key, n, planned, entry, source_hash)
        except _Decided as decided:  # its outcome was clear before a request could be made
            return decided.outcome
        except TargetError as exc:  # a lookup found the token refused or the host gone
            self._halt(_said(exc))
            return self._not_sent(step, key, n, entry)

    def _new(
        self, step: Step, key: str, n: int, planned: Outcome, entry: Entry | None, source_hash: str
    ) -> Outcome:
        """A row the target has not (knowingly) got yet: look it up, then insert it."""
        unanswered = entry is not None and entry.state.may_exist
        try:
            parent_ids, found = self._resolve(step, n, planned)
        except _Decided as decided:
            if unanswered and decided.outcome.status == Status.FAILED:
                return self._still_unknown(step, key, n, planned, entry, decided.outcome.error)
            raise
        body = self._body(step, planned, parent_ids=parent_ids, found=found)
        checkable = step.match is not None and self._filter(step, n) is not None
        if unanswered and not checkable and not self.options.retry_unknown:
            assert entry is not None
            error = Message(
                "unknown.check_target",
                when=entry.updated_at,
                system=self.target.system,
                connector=step.connector,
            )
            self.journal.record(step.name, key, n, Status.UNKNOWN, error=error)
            return Outcome(n, Status.UNKNOWN, error=error, parent_row=planned.parent_row)
        if step.match:
            try:
                rows = self._lookup(step, n)
            except LookupFailed as exc:
                why = _said(exc)
                if unanswered:
                    return self._still_unknown(step, key, n, planned, entry, why)
                self.journal.record(step.name, key, n, Status.FAILED, error=why, action="lookup")
                return Outcome(n, Status.FAILED, error=why, parent_row=planned.parent_row)
            if rows:
                return self._found(step, key, n, planned, body, rows, unanswered, source_hash)
        outcome = self._send(
            step, key, n, body, source_hash, "insert", parent_row=planned.parent_row
        )
        if outcome.status == Status.CREATED and step.match:
            self._remember(step, n, outcome.ids)
        return outcome

    def _still_unknown(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        entry: Entry | None,
        why: Message | None,
    ) -> Outcome:
        """A row sent earlier without an answer whose check could not be made: it may still
        exist in the target, so it stays ``unknown`` (never ``failed``), to be checked again."""
        assert entry is not None
        error = Message(
            "unknown.check_failed",
            when=entry.updated_at,
            why=why,
            system=self.target.system,
            connector=step.connector,
        )
        self.journal.record(step.name, key, n, Status.UNKNOWN, error=error, action="lookup")
        return Outcome(n, Status.UNKNOWN, error=error, parent_row=planned.parent_row)

    def _resolve(
        self, step: Step, n: int, planned: Outcome
    ) -> tuple[dict[str, str] | None, dict[str, dict[str, str]]]:
        """The parent ids (for a parent looked up in the target) and the records ``find``
        names; a row whose lookup finds nothing (unless it is ``optional``: the name's ids are
        then empty), or too much, is decided ``failed``."""
        lookups = list(step.find.items())
        record = self.records[step.name][n]
        if record.parent_key is not None and step.parent and step.parent.lookup:
            lookups.append(("parent", step.parent.lookup))
        found: dict[str, dict[str, str]] = {}
        for name, lookup in lookups:
            values = self._values(step, n, lookup.filter)
            try:
                rows = self._query(lookup.connector, values) if values else []
            except LookupFailed as exc:
                raise _Decided(
                    Outcome(n, Status.FAILED, error=_said(exc), parent_row=planned.parent_row)
                ) from exc
            if not rows and lookup.optional and name != "parent":
                found[name] = {}  # none: the template creates what was not found
                continue
            where = f"{lookup.connector} ({_describe(values)})"
            if len(rows) != 1:
                error = (
                    Message("lookup.none", where=where)
                    if not rows
                    else Message("lookup.many", count=len(rows), where=where)
                )
                if name == "parent":
                    error = Message("lookup.parent_not_in_file", key=record.parent_key, error=error)
                raise _Decided(
                    Outcome(n, Status.FAILED, error=error, parent_row=planned.parent_row)
                )
            found[name] = {
                k: _text(rows[0][f]) for k, f in lookup.ids.items() if rows[0].get(f) is not None
            }
        parent_ids = found.pop("parent", None)
        return parent_ids, found

    def _after_parent(self, step: Step, planned: Outcome) -> Outcome:
        assert step.parent is not None and planned.parent_row is not None
        parent = self.result.outcomes[step.parent.step][planned.parent_row]
        if parent.status.exists and parent.ids:
            return planned
        code = "parent.not_done" if not parent.status.exists else "parent.not_linked"
        return Outcome(
            planned.row,
            Status.SKIPPED,
            parent_row=planned.parent_row,
            error=Message(code, row=planned.parent_row, status=parent.status),
        )

    def _body(
        self,
        step: Step,
        planned: Outcome,
        existing: dict[str, str] | None = None,
        *,
        parent_ids: dict[str, str] | None = None,
        found: dict[str, dict[str, str]] | None = None,
    ) -> Any:
        """The body with the ids the parent really got, the records found, and for an update
        the record's own ids, checked against the contract; a body that cannot be made
        decides the row (``invalid``, or not sent when the sandbox stops the template)."""
        n = planned.row
        linked = step.parent is not None and planned.parent_row is not None
        if not (existing or linked or parent_ids or found):
            return planned.json()  # built and checked while planning
        if parent_ids is None:
            parent_ids = {}
            if step.parent and planned.parent_row is not None:
                parent_ids = self.result.outcomes[step.parent.step][planned.parent_row].ids
        try:
            built = self.plan.build(step, n, parent_ids, existing, found or None)
        except MappingError as exc:  # the sandbox stopped the template (with the real ids)
            self._halt(_said(exc))
            raise _Decided(self._not_sent(step, self._key(step, n), n)) from exc
        if not built.ok:
            raise _Decided(invalid(n, built.problems))
        return built.body

    def _changed(
        self, step: Step, key: str, n: int, planned: Outcome, entry: Entry, source_hash: str
    ) -> Outcome:
        """A record created earlier whose source values changed since: report or update it."""
        ids = entry.ids
        if step.on_change != "update":
            return Outcome(
                n,
                Status.CHANGED,
                ids=ids,
                parent_row=planned.parent_row,
                error=Message("changed"),
            )
        full = self._body(step, planned, existing=ids)
        sent = self.journal.payload(step.name, key)
        body = full if sent is None else self.target.changes(sent, full)
        if body is None:  # nothing the target holds changed (a column the template ignores)
            self.journal.record(
                step.name,
                key,
                n,
                entry.state,
                ids=ids,
                source_hash=source_hash,
                payload=compact(full),
            )
            return Outcome(n, entry.state, ids=ids, earlier=True, parent_row=planned.parent_row)
        return self._send(
            step,
            key,
            n,
            body,
            source_hash,
            "update",
            ids=ids,
            full=full,
            parent_row=planned.parent_row,
        )

    def _found(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        body: Any,
        found: list[dict[str, Any]],
        unanswered: bool,
        source_hash: str,
    ) -> Outcome:
        assert step.match is not None
        match = step.match
        where = f"{match.connector} ({_describe(self._filter(step, n))})"
        if len(found) > 1:
            error = Message("lookup.many", count=len(found), where=where)
            self.journal.record(step.name, key, n, Status.FAILED, error=error, action="lookup")
            return Outcome(n, Status.FAILED, error=error, parent_row=planned.parent_row)
        ids = {
            name: str(found[0][field])
            for name, field in match.ids.items()
            if found[0].get(field) is not None
        }
        if unanswered:  # our own request of an earlier run did reach the target
            self.journal.record(
                step.name, key, n, Status.CREATED, ids=ids, source_hash=source_hash, action="lookup"
            )
            return Outcome(
                n,
                Status.CREATED,
                ids=ids,
                parent_row=planned.parent_row,
                error=Message("lookup.found_after_unknown", where=where),
            )
        if match.on_found == "fail":
            error = Message("lookup.exists", where=where, on_found="fail")
            self.journal.record(step.name, key, n, Status.FAILED, error=error, action="lookup")
            return Outcome(n, Status.FAILED, error=error, parent_row=planned.parent_row)
        if match.on_found == "update":
            body = self._body(step, planned, existing=ids)
            return self._send(
                step, key, n, body, source_hash, "update", ids=ids, parent_row=planned.parent_row
            )
        kept = ids if match.on_found == "link" else {}
        note = Message("lookup.exists", where=where, on_found=match.on_found)
        self.journal.record(
            step.name,
            key,
            n,
            Status.EXISTING,
            ids=kept,
            source_hash=source_hash,
            error=note,
            action="lookup",
        )
        return Outcome(n, Status.EXISTING, ids=kept, error=note, parent_row=planned.parent_row)

    # --- sending -------------------------------------------------------------------------------

    def _send(
        self,
        step: Step,
        key: str,
        n: int,
        body: Any,
        source_hash: str,
        action: str,
        *,
        ids: dict[str, str] | None = None,
        full: Any = None,
        parent_row: int | None = None,
    ) -> Outcome:
        """Send with retries of transient refusals; the journal is written before each try.

        ``full`` is the record's whole body when ``body`` holds only what an update changes.
        """
        waited = 0.0
        text = compact(body)  # for the journal and the outcome, written once
        inserting = action == "insert"
        done_state = Status.CREATED if inserting else Status.UPDATED
        tries = 0
        while True:
            tries += 1
            # An insert is journalled as "sending" before it leaves; an update of a record
            # that exists only counts the attempt: the record stays known, ids and all.
            attempt = (
                self.journal.sending(step.name, key, n, text, source_hash)
                if inserting
                else self.journal.updating(step.name, key)
            )
            try:
                if inserting:
                    reply = self.target.insert(step.connector, body)
                else:
                    reply = self.target.update(step.connector, body, ids or {})
            except TargetError as exc:
                self._halt(_said(exc))
                why = Message("not_sent", reason=_said(exc))
                self.journal.record(step.name, key, n, Status.SKIPPED, error=why)
                return Outcome(
                    n,
                    Status.SKIPPED,
                    error=why,
                    ids=ids or {},
                    parent_row=parent_row,
                )
            state = done_state if reply.ok else (Status.UNKNOWN if reply.unknown else Status.FAILED)
            wait = self._retry_wait(reply, tries, waited)
            if wait is None:
                break  # the last try is logged with the outcome below, in one transaction
            self.journal.log_attempt(step.name, key, attempt, action, state, reply.error)
            if self.stop.wait(wait):
                attempt = 0  # logged already
                break
            waited += wait
        kept = {**(ids or {}), **{k: v for k, v in reply.ids.items() if k in step.keep}}
        if not reply.ok and not inserting:
            kept = ids or {}  # the update failed; the record and its ids are still there
        self.journal.record(
            step.name,
            key,
            n,
            state,
            ids=kept if reply.ok else {},
            error=reply.error,
            log_reference=reply.log_reference,
            source_hash=source_hash if reply.ok or inserting else None,
            # an insert's body is in the journal since "sending": not written twice
            payload=(compact(full) if full is not None else None if inserting else text)
            if reply.ok
            else None,
            action=action if attempt else None,
            attempt=attempt or None,
        )
        return Outcome(
            n,
            state,
            ids=kept if reply.ok or not inserting else {},
            error=reply.error,
            log_reference=reply.log_reference,
            body=text,
            parent_row=parent_row,
        )

    def _retry_wait(self, reply: Reply, attempt: int, waited: float) -> float | None:
        """Seconds to wait before trying again, or None when this reply is final."""
        if reply.kind is not ReplyKind.TRANSIENT or attempt > self.options.retries:
            return None
        if self.stop.is_set():
            return None
        if reply.retry_after is not None:
            wait = reply.retry_after
        else:
            base = self.options.backoff * 2 ** (attempt - 1)
            wait = base + random.uniform(0, base)
        wait = min(wait, self.options.max_wait)
        return None if waited + wait > self.options.retry_budget else wait

    def _halt(self, reason: Message) -> None:
        if not self.result.stopped:
            self.result.stopped = reason
        self.stop.set()

    def _not_sent(self, step: Step, key: str, n: int, entry: Entry | None = None) -> Outcome:
        reason = self.result.stopped or Message("interrupted")
        if entry is not None and entry.state.may_exist:  # it may exist: still unknown
            error = Message("unknown.not_checked", when=entry.updated_at, reason=reason)
            self.journal.record(step.name, key, n, Status.SKIPPED, error=error)  # keeps 'unknown'
            return Outcome(n, Status.UNKNOWN, error=error)
        error = Message("not_sent", reason=reason)
        self.journal.record(step.name, key, n, Status.SKIPPED, error=error)
        return Outcome(n, Status.SKIPPED, error=error)

    # --- lookups -------------------------------------------------------------------------------

    def _filter(self, step: Step, n: int) -> dict[str, str] | None:
        """The ``match`` filter of a row, or None when a value it needs is blank."""
        assert step.match is not None
        return self._values(step, n, step.match.filter)

    def _values(self, step: Step, n: int, fields: dict[str, str]) -> dict[str, str] | None:
        """Lookup values from the row's columns (or ``parent.X``); None when one is blank."""
        row = self.plan.data[step.name].rows[n]
        parent_ids: dict[str, str] = {}
        planned = self.result.outcomes[step.name][n]
        if step.parent and planned.parent_row is not None:
            parent_ids = self.result.outcomes[step.parent.step][planned.parent_row].ids
        values = {}
        for field, source in fields.items():
            value = parent_ids.get(source[7:]) if source.startswith("parent.") else row.get(source)
            if value is None:
                return None
            values[field] = _text(value)
        return values

    def _prefetch(self, step: Step) -> None:
        """Look up all rows of a step in a few batched requests, when no parent id is needed."""
        if not step.match or step.match.parent_ids() or self.stop.is_set():
            return
        filters = []
        for n in self.records[step.name]:
            planned = self.result.outcomes[step.name][n]
            entry = self.entries[step.name].get(self._key(step, n))
            if planned.status == Status.PLANNED and not (entry and entry.state.kept):
                found = self._filter(step, n)
                if found is not None:
                    filters.append(found)
        if not filters:
            return
        try:
            rows = self.target.lookup(step.match.connector, filters)
        except LookupFailed:
            return  # each row asks again, and fails with the reason
        except TargetError as exc:
            self._halt(_said(exc))
            return
        fields = list(step.match.filter)
        index: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            index[tuple((f, _text(row.get(f))) for f in fields)].append(row)
        with self.found_lock:
            for f in filters:
                cache_key = (step.match.connector, tuple(f.items()))
                self.found[cache_key] = index.get(tuple(f.items()), [])

    def _remember(self, step: Step, n: int, ids: dict[str, str]) -> None:
        """A record just created answers later lookups with the same filter (no duplicate)."""
        assert step.match is not None
        values = self._filter(step, n)
        if values is None:
            return
        row = {
            **values,
            **{field: ids[name] for name, field in step.match.ids.items() if name in ids},
        }
        with self.found_lock:
            self.found[(step.match.connector, tuple(values.items()))] = [row]

    def _lookup(self, step: Step, n: int) -> list[dict[str, Any]]:
        assert step.match is not None
        values = self._filter(step, n)
        return self._query(step.match.connector, values) if values is not None else []

    def _query(self, connector: str, values: dict[str, str]) -> list[dict[str, Any]]:
        """Records of a read connector whose fields equal ``values`` (cached per run)."""
        cache_key = (connector, tuple(values.items()))
        with self.found_lock:
            if cache_key in self.found:
                return self.found[cache_key]
        rows = self.target.lookup(connector, [values])
        exact = [r for r in rows if all(_text(r.get(f)) == v for f, v in values.items())]
        with self.found_lock:
            self.found[cache_key] = exact
        return exact

    def _key(self, step: Step, n: int) -> str:
        row = self.plan.data[step.name].rows.get(n)
        value = row.get(step.key) if row else None
        if value is None:
            value = (
                self.result.tables[step.source].frame.at[n, step.header_of(step.key)]
                if step.columns[step.key].from_file
                else None
            )
        return _text(value) if value is not None else f"row {n}"


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


def _same_group(groups: list[list[Step]], one: str, other: str) -> bool:
    return any({one, other} <= {s.name for s in group} for group in groups)


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _said(exc: Exception) -> Message:
    """What a failure says: its Message when it carries one, else its text as it is."""
    said = getattr(exc, "said", None)
    return said if isinstance(said, Message) else Message("text", text=str(exc))


def _describe(values: dict[str, str] | None) -> str:
    return ", ".join(f"{f} {v!r}" for f, v in (values or {}).items())


def default_output(mapping_path: Path, *, suffix: str = "result") -> Path:
    """``flex-result.xlsx`` for ``mappings/flex.yaml``, in the current folder."""
    return Path(f"{Path(mapping_path).stem}-{suffix}.xlsx")
