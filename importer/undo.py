"""Taking a test load back out (``importer undo``): delete what the journal says an import
created, children first, and say what must be removed or checked by hand.

The journal decides. A record is this import's own when the journal has it ``created``, or
``updated``/``unchanged`` after this import created it (its logged tries say so); a record a
lookup found (``existing``, or found and then updated) was there before, and is kept. Steps are
undone in the reverse of the mapping's order, and a step's rows in reverse, so a record goes
before the records it refers to (an order before its project). A record is deleted only where
the target can delete its connector's records (:meth:`~importer.targets.Target.delete_ids`)
and the journal holds the ids a delete needs; every other one is listed to remove by hand. A
row sent without an answer (``unknown``, ``sending``) may exist: it is listed to check by hand.

Each record deleted is journalled ``deleted`` (its ids kept), so running the import again
creates it anew and a second undo leaves it alone. :func:`plan` decides, sending nothing (what
``--dry-run`` shows); :func:`carry_out` sends the deletes.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from importer.errors import TargetError
from importer.journal.store import Entry, Journal
from importer.mapping import Mapping
from importer.messages import Message
from importer.runner import current
from importer.sending import said
from importer.status import Status
from importer.targets import Reply, Target

TRIES = 3  # a transient refusal (a record locked) is tried this often in all
MAX_WAIT = 30.0  # seconds, at most, before trying a transient refusal again


class Action(StrEnum):
    """What undo does (or did) with one record of the journal."""

    DELETE = "to delete"  # planned: a dry run, or not yet sent
    DELETED = "deleted"
    FAILED = "failed"  # the target refused the delete: remove it by hand
    BY_HAND = "remove by hand"  # the target cannot delete it, or its ids are not known
    CHECK = "check by hand"  # it may exist (no answer came)
    NOT_SENT = "not sent"  # the undo stopped before its delete
    KEPT = "kept"  # it was there before the import
    NOTHING = "nothing to do"  # nothing was created for the row
    EARLIER = "deleted earlier"

    @property
    def by_hand(self) -> bool:
        """Someone must remove it in the target."""
        return self in (Action.FAILED, Action.BY_HAND)

    @property
    def problem(self) -> bool:
        """Not everything undo should do was done (exit code 1)."""
        return self in (Action.FAILED, Action.BY_HAND, Action.CHECK, Action.NOT_SENT)


@dataclass
class Item:
    """One record of the journal, and what undo does with it."""

    step: str
    connector: str  # "" when the step is no longer in the mapping
    entry: Entry
    action: Action
    why: Message | None = None

    @property
    def key(self) -> str:
        return self.entry.key

    @property
    def row(self) -> int | None:
        return self.entry.row

    @property
    def ids(self) -> dict[str, str]:
        return self.entry.ids


@dataclass
class Undo:
    """What undo decided (and did) for every record of one journal, children first."""

    items: list[Item]
    system: str
    environment: str
    dry_run: bool = True
    stopped: Message | None = None  # why the deletes stopped before the end
    interrupted: bool = False

    def counts(self) -> Counter[Action]:
        return Counter(item.action for item in self.items)

    def of(self, *actions: Action) -> list[Item]:
        return [item for item in self.items if item.action in actions]

    @property
    def to_delete(self) -> list[Item]:
        return self.of(Action.DELETE)

    @property
    def by_hand(self) -> list[Item]:
        return [item for item in self.items if item.action.by_hand]

    @property
    def all_done(self) -> bool:
        """Everything that could be deleted was, and nothing is left to do by hand."""
        return not any(item.action.problem for item in self.items)

    def summary_line(self) -> str:
        """``Undo finished: 28 deleted, 0 failed, 25 to remove by hand, 0 to check by hand
        (test environment 12345)`` (always English: scripts read it)."""
        n = self.counts()
        hand = n[Action.BY_HAND] + n[Action.FAILED]
        check = n[Action.CHECK]
        if self.dry_run:
            head = f"Undo dry run: {n[Action.DELETE]} to delete"
        else:
            head = f"Undo finished: {n[Action.DELETED]} deleted, {n[Action.FAILED]} failed"
            if n[Action.NOT_SENT]:
                head += f", {n[Action.NOT_SENT]} not sent"
        return f"{head}, {hand} to remove by hand, {check} to check by hand ({self.environment})"


def plan(mapping: Mapping, journal: Journal, target: Target) -> Undo:
    """What undo would do with every record of ``journal``: steps in the reverse of the
    mapping's order (steps the mapping no longer has first), rows in reverse. Sends nothing."""
    connectors = {step.name: step.connector for step in mapping.steps}
    held = list(journal.counts())
    order = [s for s in reversed(held) if s not in connectors]
    order += [s.name for s in reversed(mapping.steps) if s.name in held]
    items: list[Item] = []
    for step in order:
        connector = connectors.get(step, "")
        history = journal.history(step)
        entries = sorted(
            journal.entries(step).values(), key=lambda e: (e.row or 0, e.key), reverse=True
        )
        for entry in entries:
            action, why = _decide(target, step, connector, entry, history.get(entry.key, []))
            items.append(Item(step, connector, entry, action, why))
    return Undo(items, target.system, target.environment)


def _decide(
    target: Target, step: str, connector: str, entry: Entry, history: list[str]
) -> tuple[Action, Message | None]:
    state = entry.state
    if state is Status.DELETED:
        return Action.EARLIER, Message("undo.deleted_earlier", when=entry.updated_at)
    if state.may_exist:
        why = Message(
            "undo.unknown", when=entry.updated_at, system=target.system, connector=connector
        )
        return Action.CHECK, why
    if state is Status.EXISTING:
        return Action.KEPT, Message("undo.found")
    if not state.kept:  # invalid, failed, skipped: never created
        return Action.NOTHING, Message("undo.not_created", status=state)
    if state is not Status.CREATED and not _created_here(history):
        return Action.KEPT, Message("undo.updated_only")
    if not connector:
        return Action.BY_HAND, Message("undo.no_step", step=step)
    names = target.delete_ids(connector)
    if not names:
        return Action.BY_HAND, Message(
            "undo.cannot_delete", system=target.system, connector=connector
        )
    missing = [name for name in names if not str(entry.ids.get(name) or "").strip()]
    if missing:
        return Action.BY_HAND, Message("undo.no_ids", names=", ".join(missing))
    return Action.DELETE, None


def _created_here(history: list[str]) -> bool:
    """Whether the logged tries say this import created the record (since it was last
    deleted): a record found and then updated was there before."""
    mine = False
    for outcome in history:
        if outcome == Status.CREATED:
            mine = True
        elif outcome == Status.DELETED:
            mine = False
    return mine


def carry_out(
    undo: Undo,
    target: Target,
    journal: Journal,
    *,
    observer: Callable[[Item], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Undo:
    """Send the deletes :func:`plan` decided, one at a time in its order; journal each record
    deleted. A target that refuses the whole run (the token, the host gone) stops it: the rest
    is ``not sent``. Ctrl-C stops it too (``interrupted``)."""
    undo.dry_run = False
    pending = undo.to_delete
    try:
        for item in pending:
            _delete(item, target, journal, sleep)
            if observer is not None:
                observer(item)
    except TargetError as exc:
        undo.stopped = said(exc)
    except KeyboardInterrupt:
        undo.interrupted = True
        undo.stopped = Message("interrupted")
    finally:
        current.step = current.row = None
    for item in pending:
        if item.action is Action.DELETE:
            item.action, item.why = Action.NOT_SENT, Message("undo.not_sent", reason=undo.stopped)
    return undo


def _delete(item: Item, target: Target, journal: Journal, sleep: Callable[[float], None]) -> None:
    current.step, current.row = item.step, item.row  # for the audit trail
    reply: Reply | None = None
    for tries in range(1, TRIES + 1):
        try:
            reply = target.delete(item.connector, item.ids)
        except ValueError as exc:  # the ids do not name a record the target can delete
            item.action, item.why = Action.BY_HAND, Message("text", text=str(exc))
            return
        if not reply.transient or tries == TRIES:
            break
        sleep(min(reply.retry_after or 2.0**tries, MAX_WAIT))
    assert reply is not None
    attempt = item.entry.attempts
    if reply.ok:
        journal.record_deleted(item.step, item.key, item.ids)
        item.action, item.why = Action.DELETED, None
    elif reply.unknown:
        journal.log_attempt(item.step, item.key, attempt, "delete", Status.UNKNOWN, reply.error)
        item.action = Action.CHECK
        item.why = Message("undo.no_answer", system=target.system, connector=item.connector)
    else:
        journal.log_attempt(item.step, item.key, attempt, "delete", Status.FAILED, reply.error)
        item.action = Action.FAILED
        item.why = Message(
            "undo.refused", system=target.system, reason=reply.error or Message("text", text="")
        )
