"""What becomes of one row: its journal entry read first, then its parent, lookups, sending.

- a row the journal records as created (found, updated) is not sent again; its ids feed its
  children; if its source values changed since, it is ``changed`` (updated with PUT only when
  the step says ``on_change: update``);
- a row whose request got no answer (``unknown``, or ``sending`` after a crash) is looked up
  first when the step has a ``match``, and sent again only when the lookup proves it absent;
  without a ``match`` it stays ``unknown`` until the user checks the target
  (``--retry-unknown``);
- a step with a ``match`` looks each row's record up before inserting it, and applies
  ``on_found``: ``link`` (reuse its ids), ``skip``, ``update`` (PUT) or ``fail``;
- a child row is sent only when its parent row exists in the target with its ids;
- a row to insert is not sent here: it is returned, ready, to be sent alone or with others
  (``batch:``) once no row in flight would make the same record (:mod:`importer.batches`).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Any

from importer import records
from importer.actions import sheet_ids
from importer.batches import Ready
from importer.bodies import Built
from importer.changes import Changes, describe, same_record
from importer.errors import LookupFailed, MappingError, TargetError
from importer.journal.store import Entry, Journal
from importer.lookups import Lookups
from importer.mapping import Step
from importer.messages import Message
from importer.plan import Plan
from importer.records import invalid, text
from importer.render import compact
from importer.results import Outcome, Status
from importer.sending import Options, Sending, said
from importer.targets import Target


class _Decided(Exception):  # noqa: N818 - not an error: a row's outcome, found early
    """Raised with a row's outcome when it is clear before its request can be made (a lookup
    that finds nothing, a body the contract refuses); :meth:`Reconciler.row` returns it."""

    def __init__(self, outcome: Outcome):
        super().__init__(outcome.status)
        self.outcome = outcome


class _Batched(Exception):  # noqa: N818 - not an error: a row to insert
    """Raised with a row that is to be inserted (alone or in a batch); :meth:`Reconciler.row`
    returns it."""

    def __init__(self, ready: Ready):
        super().__init__(ready.key)
        self.ready = ready


class Reconciler:
    """Decides each row's outcome against the journal and the target, and sends what is due."""

    def __init__(
        self, plan: Plan, target: Target, journal: Journal, options: Options, stop: threading.Event
    ):
        self.plan, self.target, self.journal, self.options = plan, target, journal, options
        self.result = plan.result
        self.stop = stop
        steps = self.result.mapping.steps
        self.entries = plan.entries or {s.name: journal.entries(s.name) for s in steps}
        self.records = plan.records
        self.sending = Sending(self.result, target, journal, options, stop)
        self.lookups = Lookups(plan, target, self.entries, self.key)
        self.changes = Changes(self)

    def row(self, step: Step, n: int) -> Outcome | Ready:
        """The outcome of a planned row: sent now, or decided without a request; or, in a
        step that sends batches, the insert it is to make with other rows."""
        planned = self.result.outcomes[step.name][n]
        if planned.status != Status.PLANNED:
            return planned  # journalled before sending began (_record_unsent)
        key = self.key(step, n)
        if step.parent and planned.parent_row is not None:
            planned = self._after_parent(step, planned)
            if planned.status != Status.PLANNED:
                self.journal.record(step.name, key, n, planned.status, error=planned.error)
                return planned
        entry = self.entries[step.name].get(key)
        if entry and n in self.plan.settled.get(step.name, ()):  # found done while planning
            return Outcome(
                n, entry.state, ids=entry.ids, earlier=True, parent_row=planned.parent_row
            )
        record = self.records[step.name][n]
        source_hash = records.source_hash(self.plan.data[step.name], record)
        action = planned.action or "insert"
        if action == "delete" and entry and entry.state is Status.DELETED:
            given = sheet_ids(step, self.plan.data[step.name].rows.get(n))
            if same_record(entry.ids, given):  # (a corrected id names another record)
                note = Message("action.deleted_before")
                return Outcome(n, Status.DELETED, ids=entry.ids, earlier=True, error=note)
        if action != "delete" and records.done_before(entry, source_hash):
            return Outcome(
                n, entry.state, ids=entry.ids, earlier=True, parent_row=planned.parent_row
            )
        if self.stop.is_set():
            return self.sending.not_sent(step, key, n, entry, planned.parent_row)
        try:
            if action == "delete":
                return self.changes.delete(step, key, n, planned, entry, source_hash)
            if action in ("update", "upsert"):
                return self.changes.update(step, key, n, planned, entry, source_hash)
            if entry and entry.state.kept:
                return self._changed(step, key, n, planned, entry, source_hash)
            return self.new(step, key, n, planned, entry, source_hash)
        except _Decided as decided:  # its outcome was clear before a request could be made
            return decided.outcome
        except _Batched as batched:
            return batched.ready
        except TargetError as exc:  # a lookup found the token refused or the host gone
            self.sending.halt(said(exc))
            return self.sending.not_sent(step, key, n, entry, planned.parent_row)

    def new(
        self, step: Step, key: str, n: int, planned: Outcome, entry: Entry | None, source_hash: str
    ) -> Outcome:
        """A row the target has not (knowingly) got yet: look it up, then insert it."""
        unanswered = entry is not None and entry.state.may_exist
        try:
            parent_ids, found = self.resolve(step, n, planned)
        except _Decided as decided:
            if unanswered and decided.outcome.status == Status.FAILED:
                return self._still_unknown(step, key, n, planned, entry, decided.outcome.error)
            raise
        body = self.body(step, planned, parent_ids=parent_ids, found=found)
        checkable = step.match is not None and self.lookups.filter(step, n) is not None
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
                rows = self.lookups.match(step, n, entry)
            except LookupFailed as exc:
                why = said(exc)
                if unanswered:
                    return self._still_unknown(step, key, n, planned, entry, why)
                self.journal.record(step.name, key, n, Status.FAILED, error=why, action="lookup")
                return Outcome(n, Status.FAILED, error=why, parent_row=planned.parent_row)
            if rows:
                return self._found(
                    step, key, n, planned, rows, unanswered, source_hash, parent_ids, found
                )
        # sent by the runner, alone or in a batch (importer.batches), once no row in flight
        # would make the same record (the same key or match filter: its tokens)
        tokens: set[Hashable] = {("key", key)}
        if step.match and (values := self.lookups.filter(step, n)) is not None:
            tokens.add(("match", tuple(values.items())))
        raise _Batched(
            Ready(step, key, n, body, source_hash, planned.parent_row, frozenset(tokens), entry)
        )

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

    def resolve(
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
            values = self.lookups.values(step, n, lookup.filter)
            try:
                rows = self.lookups.query(lookup.connector, values) if values else []
            except LookupFailed as exc:
                raise _Decided(
                    Outcome(n, Status.FAILED, error=said(exc), parent_row=planned.parent_row)
                ) from exc
            if not rows and lookup.optional and name != "parent":
                found[name] = {}  # none: the template creates what was not found
                continue
            where = f"{lookup.connector} ({describe(values)})"
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
                k: text(rows[0][f]) for k, f in lookup.ids.items() if rows[0].get(f) is not None
            }
        parent_ids = found.pop("parent", None)
        return parent_ids, found

    def decided(self, n: int, planned: Outcome, error: Message) -> _Decided:
        """A row decided ``failed`` before its request (raise it)."""
        return _Decided(Outcome(n, Status.FAILED, error=error, parent_row=planned.parent_row))

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

    def body(
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
        if not (existing or linked or parent_ids or found) and planned.body is not None:
            return planned.json()  # built and checked while planning
        try:
            built = self._build(step, planned, existing, parent_ids, found)
        except MappingError as exc:  # the sandbox stopped the template (with the real ids)
            self.sending.halt(said(exc))
            raise _Decided(self.sending.not_sent(step, self.key(step, n), n)) from exc
        if not built.ok:
            raise _Decided(invalid(n, built.problems))
        return built.sendable()

    def _build(
        self,
        step: Step,
        planned: Outcome,
        existing: dict[str, str] | None,
        parent_ids: dict[str, str] | None,
        found: dict[str, dict[str, str]] | None,
    ) -> Built:
        if parent_ids is None:
            parent_ids = self.result.parent_ids(step, planned.row)
        return self.plan.build(step, planned.row, parent_ids, existing, found or {})

    def _as_updated(
        self,
        step: Step,
        planned: Outcome,
        ids: dict[str, str],
        parent_ids: dict[str, str] | None,
        found: dict[str, dict[str, str]],
    ) -> str | None:
        """The whole body an update of a record the row found would send, as JSON text (None
        when it cannot be made): what a later update is compared with."""
        try:
            built = self._build(step, planned, ids, parent_ids, found)
        except MappingError:  # (an update would say so, and stop the run, when it is sent)
            return None
        return compact(built.body) if built.ok else None

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
        parent_ids, found = self.resolve(step, n, planned)
        full = self.body(step, planned, existing=ids, parent_ids=parent_ids, found=found)
        return self.changes.send_update(step, key, n, planned, entry, source_hash, ids, full)

    def _found(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        found: list[dict[str, Any]],
        unanswered: bool,
        source_hash: str,
        parent_ids: dict[str, str] | None,
        finds: dict[str, dict[str, str]],
    ) -> Outcome:
        """A row whose ``match`` found its record: ``on_found`` says what happens. A linked
        record keeps in the journal the whole body an update would send (what the row says of
        it), so that a later update sends what changed in the source since, not all of it."""
        assert step.match is not None
        match = step.match
        where = f"{match.connector} ({describe(self.lookups.filter(step, n))})"
        if len(found) > 1:
            error = Message("lookup.many", count=len(found), where=where)
            self.journal.record(step.name, key, n, Status.FAILED, error=error, action="lookup")
            return Outcome(n, Status.FAILED, error=error, parent_row=planned.parent_row)
        ids = {
            name: str(found[0][field])
            for name, field in match.ids.items()
            if found[0].get(field) is not None
        }
        if unanswered and not self.lookups.made_now(step, n):
            # our own request of an earlier run did reach the target
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
            full = self.body(step, planned, existing=ids, parent_ids=parent_ids, found=finds)
            return self.changes.send_update(step, key, n, planned, None, source_hash, ids, full)
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
            payload=self._as_updated(step, planned, kept, parent_ids, finds) if kept else None,
        )
        return Outcome(n, Status.EXISTING, ids=kept, error=note, parent_row=planned.parent_row)

    def prefetch(self, step: Step) -> None:
        """Look up in bulk what the step's rows will ask (:meth:`Lookups.prefetch_step`);
        call it for a parent step before its children's, before their rows are sent. It is a
        shortcut: a refused token or a host that is gone stops the run, anything else that
        breaks it leaves each row to ask alone (and fail with the reason, if it is the row's)."""
        if self.stop.is_set():
            return
        try:
            self.lookups.prefetch_step(step)
        except TargetError as exc:
            self.sending.halt(said(exc))
        except Exception:  # anything else: the rows ask alone
            pass

    def key(self, step: Step, n: int) -> str:
        return row_key(self.plan, step, n)


def row_key(plan: Plan, step: Step, n: int) -> str:
    """The key a row is journalled by (:func:`importer.records.row_key`)."""
    return records.row_key(step, plan.data[step.name], n)


def deletes_due(plan: Plan, target: Target, journal: Journal) -> int:
    """How many records a run of ``plan`` would delete: rows asking it (but not those the
    journal says were deleted already) and what their update bodies delete (an order's lines).
    A step that only inserts is not looked at: it reads no journal and parses no body."""
    count = 0
    for step in plan.result.mapping.steps:
        updates = step.on_change == "update" or (step.match and step.match.on_found == "update")
        if step.actions() == {"insert"} and not updates:
            continue  # (an insert deletes nothing, nested or not)
        entries: dict[str, Entry] | None = None
        for n in plan.records[step.name]:
            outcome = plan.result.outcomes[step.name][n]
            if outcome.status != Status.PLANNED:
                continue
            if outcome.action == "delete":
                nested = 1
            elif outcome.body is None or not (nested := target.nested_deletes(outcome.json())):
                continue
            if entries is None:  # (read while planning, when the plan was made with it)
                known = plan.entries if plan.journal is journal else None
                entries = known[step.name] if known else journal.entries(step.name)
            entry = entries.get(row_key(plan, step, n))
            if outcome.action == "delete":
                given = sheet_ids(step, plan.data[step.name].rows.get(n))
                done = entry and entry.state is Status.DELETED and same_record(entry.ids, given)
            else:
                digest = records.source_hash(plan.data[step.name], plan.records[step.name][n])
                done = records.done_before(entry, digest)
            count += 0 if done else nested
    return count
