"""What an update, an upsert or a delete of a row does (the rest of a row's life is in
:mod:`importer.reconcile`).

The record an update or delete means is named by its ids: those the sheet gives (the step's
``ids:``), else those the journal holds (a record this import made), else those the step's
``match`` lookup finds. A row whose record cannot be named that way is ``skipped`` with the
reason, never sent, and never inserted instead, unless the step says ``upsert``. An update
sends the record's keys (placed by the target) and what changed since the body last sent
(all of it when none was); one with nothing to change is ``unchanged`` and not sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from importer.actions import sheet_ids
from importer.errors import NotUpdatable
from importer.journal.store import Entry
from importer.mapping import Step
from importer.messages import Message
from importer.records import text
from importer.render import compact
from importer.results import Outcome, Status

if TYPE_CHECKING:
    from importer.reconcile import Reconciler


class Changes:
    """Updates, upserts and deletes, for :class:`importer.reconcile.Reconciler`."""

    def __init__(self, rec: Reconciler):
        self.rec = rec

    def update(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        entry: Entry | None,
        source_hash: str,
    ) -> Outcome:
        """Update the row's record; an upsert inserts it when it is not found."""
        ids, unnamed = self.identify(
            step, n, planned, entry, self.rec.target.update_ids(step.connector)
        )
        if ids is None:
            if planned.action == "upsert":
                return self.rec.new(step, key, n, planned, entry, source_hash)
            return self.unsent(step, key, n, planned, unnamed)
        parent_ids, found = self.rec.resolve(step, n, planned)
        full = self.rec.body(step, planned, existing=ids, parent_ids=parent_ids, found=found)
        return self.send_update(step, key, n, planned, entry, source_hash, ids, full)

    def send_update(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        entry: Entry | None,
        source_hash: str,
        ids: dict[str, str],
        full: Any,
    ) -> Outcome:
        """Send what changed of ``full`` since the body last sent for the record."""
        # what was sent before counts only for the same record (not after an id was corrected)
        earlier = entry is not None and entry.state.kept and same_record(entry.ids, ids)
        sent = self.rec.journal.payload(step.name, key) if earlier else None
        try:
            body = self.rec.target.changes(sent, full)
        except NotUpdatable as exc:  # a change the target cannot take as an update
            self.rec.journal.record(step.name, key, n, Status.INVALID, error=exc.said)
            return Outcome(
                n, Status.INVALID, ids=ids, error=exc.said, parent_row=planned.parent_row,
                action="update",
            )  # fmt: skip
        if body is None:  # nothing the target holds changed (a column the template ignores)
            assert entry is not None
            self.rec.journal.record(
                step.name, key, n, entry.state, ids=ids, source_hash=source_hash,
                payload=compact(full),
            )  # fmt: skip
            return Outcome(
                n, Status.UNCHANGED, ids=ids, parent_row=planned.parent_row, action="update"
            )
        return self.rec.sending.send(
            step, key, n, body, source_hash, "update", ids=ids, full=full,
            parent_row=planned.parent_row,
        )  # fmt: skip

    def delete(
        self,
        step: Step,
        key: str,
        n: int,
        planned: Outcome,
        entry: Entry | None,
        source_hash: str,
    ) -> Outcome:
        """Delete the row's record, named by its ids."""
        ids, unnamed = self.identify(
            step, n, planned, entry, self.rec.target.delete_ids(step.connector)
        )
        if ids is None:
            return self.unsent(step, key, n, planned, unnamed)
        unanswered = entry is not None and entry.state.may_exist
        if unanswered and not step.match and not self.rec.options.retry_unknown:
            assert entry is not None  # sent before without an answer: it may be gone already
            error = Message(
                "unknown.check_deleted",
                when=entry.updated_at,
                system=self.rec.target.system,
                connector=step.connector,
            )
            self.rec.journal.record(step.name, key, n, Status.UNKNOWN, error=error)
            return Outcome(n, Status.UNKNOWN, ids=ids, error=error, action="delete")
        return self.rec.sending.send(step, key, n, None, source_hash, "delete", ids=ids)

    def identify(
        self,
        step: Step,
        n: int,
        planned: Outcome,
        entry: Entry | None,
        needed: tuple[str, ...],
    ) -> tuple[dict[str, str] | None, Message]:
        """The record's ids (holding every id in ``needed``), or None and why not."""
        given = sheet_ids(step, self.rec.plan.data[step.name].rows.get(n))
        if entry and (entry.state.exists or entry.state.may_exist):  # made or found: its ids
            given = {**entry.ids, **given}
        if given and all(k in given for k in needed):
            return given, Message("text", text="")
        action = Message(f"action.{planned.action}")
        if step.match:
            rows = self.rec.lookups.match(step, n, entry)  # LookupFailed: the row fails
            where = f"{step.match.connector} ({describe(self.rec.lookups.filter(step, n))})"
            if len(rows) > 1:
                raise self.rec.decided(
                    n, planned, Message("lookup.many", count=len(rows), where=where)
                )
            if rows:
                found = {
                    name: text(rows[0][field])
                    for name, field in step.match.ids.items()
                    if rows[0].get(field) is not None
                }
                if all(k in found for k in needed):
                    return {**found, **given}, Message("text", text="")
            return None, Message(
                "action.not_found", connector=step.connector, action=action, where=where
            )
        return None, Message(
            "action.no_record",
            connector=step.connector,
            action=action,
            ids=", ".join(needed) or "ids",
        )

    def unsent(self, step: Step, key: str, n: int, planned: Outcome, why: Message) -> Outcome:
        """A row whose record is not known: skipped, with the reason."""
        self.rec.journal.record(step.name, key, n, Status.SKIPPED, error=why)
        return Outcome(
            n, Status.SKIPPED, error=why, parent_row=planned.parent_row, action=planned.action
        )


def describe(values: dict[str, str] | None) -> str:
    """A lookup's filter as people read it: ``DebtorId '10001', ...``."""
    return ", ".join(f"{f} {v!r}" for f, v in (values or {}).items())


def same_record(known: dict[str, str], given: dict[str, str]) -> bool:
    """Whether ids the sheet gives name the record the journal knows (ids it does not give,
    or the journal does not hold, do not count)."""
    return all(known[k] == v for k, v in given.items() if k in known)
