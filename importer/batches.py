"""Several records per request (a step's ``batch: N``): sending a batch, splitting a refused one.

A target that takes several records in one request takes them all or none (one transaction).
So:

- every row of a batch is journalled ``sending`` before the request leaves, in one
  transaction, and what became of them in one transaction when the answer is in
  (:mod:`importer.journal.batches`); each row keeps its own journal entry, as a row sent alone;
- an answer maps back to the rows in order; one that does not hold one record per row cannot
  say which row got which ids, but its 2xx proves that every record exists: every row is
  ``created`` with no ids and a message saying so (its children are skipped, ``not linked``),
  never ``unknown``, which ``--retry-unknown`` would send again;
- an error once the request may have left (no answer, a bug) makes every row ``unknown``;
- a transient refusal (a record locked, maintenance) tries the whole batch again, as a single
  row is tried again (:meth:`importer.sending.Sending.retry_wait`);
- a refused batch created nothing: it is split (:func:`split`) and the parts are sent again,
  concurrently, until each refused row is sent alone and gets its own message and log
  reference. The target may say which records a refusal is about (``Reply.culprits``: its
  message quotes a value only they hold): those go alone first and the others together again; else
  the batch is halved. A row sent alone goes through :class:`importer.sending.Sending`.

Which rows form a batch is the runner's business (:mod:`importer.runner`): a row is decided
alone (:mod:`importer.reconcile`) and, when it is to be inserted, handed over as a
:class:`Ready`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from importer.errors import TargetError
from importer.journal.batches import Recorded, record_many, sending_many
from importer.journal.store import Entry
from importer.lookups import Lookups
from importer.mapping import Step
from importer.messages import Message
from importer.render import compact
from importer.results import Outcome, Status
from importer.sending import Sending, said
from importer.targets import Reply, ReplyKind


@dataclass(frozen=True)
class Ready:
    """A row decided to be inserted, waiting for its batch: its body and what it needs.

    ``tokens`` name the record it makes (its key, its ``match`` filter): two rows sharing one
    are never in one batch, so that the later one finds the record the earlier one made."""

    step: Step
    key: str
    n: int
    body: Any
    source_hash: str
    parent_row: int | None
    tokens: frozenset[Hashable]
    entry: Entry | None = None  # its journal entry, when an earlier run left one


def split(rows: list[Ready], culprits: tuple[int, ...] = ()) -> list[list[Ready]]:
    """The requests a refused batch is sent again as: each row the refusal is about alone and
    the others together, or, when it names none, two halves. ``[]`` for one row."""
    if len(rows) < 2:
        return []
    named = sorted({i for i in culprits if 0 <= i < len(rows)})
    if named:
        rest = [row for i, row in enumerate(rows) if i not in named]
        return [[rows[i]] for i in named] + ([rest] if rest else [])
    half = (len(rows) + 1) // 2
    return [rows[:half], rows[half:]]


class Batches:
    """Sends the batches of a run, journal first; splits refused ones."""

    def __init__(self, sending: Sending, lookups: Lookups):
        self.sending, self.lookups = sending, lookups
        self.target, self.journal, self.stop = sending.target, sending.journal, sending.stop

    def send(self, step: Step, rows: list[Ready]) -> tuple[list[Outcome], list[list[Ready]]]:
        """Send ``rows`` in one request: the outcome of each row now decided, and the
        requests to send next (the parts of a refused batch, each row in one of them)."""
        if self.stop.is_set():
            return [
                self.sending.not_sent(step, r.key, r.n, r.entry, r.parent_row) for r in rows
            ], []
        if len(rows) == 1:
            return [self.alone(step, rows[0])], []
        try:  # before anything is journalled or sent: only here does ValueError mean "not sent"
            self.target.check_batch(step.connector, [r.body for r in rows])
        except ValueError:  # these bodies cannot go in one request: each alone
            return [], [[r] for r in rows]
        texts = [compact(r.body) for r in rows]  # journalled and shown, once
        waited, tries = 0.0, 0
        while True:
            tries += 1
            attempts = sending_many(
                self.journal,
                step.name,
                [(r.key, r.n, t, r.source_hash) for r, t in zip(rows, texts, strict=True)],
            )
            try:
                reply = self.target.insert_many(step.connector, [r.body for r in rows])
            except TargetError as exc:  # the token refused, the host gone: the run stops
                self.sending.halt(said(exc))
                why = Message("not_sent", reason=said(exc))
                self._record(step, rows, [Status.SKIPPED] * len(rows), why)
                return [Outcome(r.n, Status.SKIPPED, error=why) for r in rows], []
            except Exception as exc:  # the request may have left: the records may exist
                reply = Reply(ReplyKind.UNKNOWN, error=Message("internal_error", error=repr(exc)))
            reply = trusted(reply, len(rows), ids=bool(step.keep))
            wait = self.sending.retry_wait(reply, tries, waited)
            if wait is None:
                break
            state = Status.UNKNOWN if reply.unknown else Status.FAILED
            for r, attempt in zip(rows, attempts, strict=True):
                self.journal.log_attempt(step.name, r.key, attempt, "insert", state, reply.error)
            if self.stop.wait(wait):
                attempts = [0] * len(rows)  # logged already
                break
            waited += wait
        return self._answered(step, rows, texts, attempts, reply)

    def _answered(
        self,
        step: Step,
        rows: list[Ready],
        texts: list[str],
        attempts: list[int],
        reply: Reply,
    ) -> tuple[list[Outcome], list[list[Ready]]]:
        """What the last answer to a batch means for each of its rows."""
        size = len(rows)
        if reply.ok:
            kept = [{k: v for k, v in ids.items() if k in step.keep} for ids in reply.records]
            why = reply.error  # (an answer that names no ids for the rows: trusted())
            self._record(step, rows, [Status.CREATED] * size, why, attempts, kept)
            outcomes = []
            for r, ids, text in zip(rows, kept, texts, strict=True):
                if step.match:
                    self.lookups.remember(step, r.n, ids)
                outcomes.append(self._outcome(r, Status.CREATED, ids, why, text, size))
            return outcomes, []
        if reply.kind is ReplyKind.REFUSED:
            # nothing was created: each row is sent again in a part (journalled ``failed``
            # meanwhile, so that a crash before then leaves nothing to reconcile)
            why = Message("batch.refused", count=size, error=reply.error)
            self._record(step, rows, [Status.FAILED] * size, why, attempts)
            return [], split(rows, reply.culprits)
        state = Status.UNKNOWN if reply.unknown else Status.FAILED  # (transient, tries spent)
        why = Message("batch.unknown" if reply.unknown else "batch.failed", count=size,
                      error=reply.error)  # fmt: skip
        self._record(step, rows, [state] * size, why, attempts, log=reply.log_reference)
        pairs = zip(rows, texts, strict=True)
        return [self._outcome(r, state, {}, why, t, size, reply) for r, t in pairs], []

    def alone(self, step: Step, row: Ready) -> Outcome:
        """A row sent on its own: as any single insert, with its own answer."""
        outcome = self.sending.send(
            step, row.key, row.n, row.body, row.source_hash, "insert", parent_row=row.parent_row
        )
        if outcome.status == Status.CREATED and step.match:
            self.lookups.remember(step, row.n, outcome.ids)
        return outcome

    def _record(
        self,
        step: Step,
        rows: list[Ready],
        states: list[Status],
        error: Message | None,
        attempts: list[int] | None = None,
        ids: list[dict[str, str]] | None = None,
        *,
        log: str | None = None,
    ) -> None:
        record_many(
            self.journal,
            step.name,
            [
                Recorded(
                    r.key,
                    r.n,
                    state,
                    ids=ids[i] if ids else {},
                    error=error,
                    log_reference=log,
                    source_hash=r.source_hash,
                    action="insert" if attempts and attempts[i] else None,
                    attempt=attempts[i] if attempts and attempts[i] else None,
                )
                for i, (r, state) in enumerate(zip(rows, states, strict=True))
            ],
        )

    @staticmethod
    def _outcome(
        row: Ready,
        state: Status,
        ids: dict[str, str],
        error: Message | None,
        text: str,
        size: int,
        reply: Reply | None = None,
    ) -> Outcome:
        return Outcome(
            row.n,
            state,
            ids=ids,
            error=error,
            log_reference=reply.log_reference if reply else None,
            body=text,
            parent_row=row.parent_row,
            action="insert",
            batch=size,
        )


def trusted(reply: Reply, size: int, *, ids: bool = True) -> Reply:
    """An answer to a batch of ``size`` records that does not name one record per row, in
    order, cannot say which row got which ids; but it was a 2xx, so the records exist, all of
    them: it is taken with no ids, and an error saying they must be looked up. A step that
    keeps no ids (``ids=False``) needs none of them."""
    if not reply.ok or len(reply.records) == size:
        return reply
    if not ids:
        return Reply(ReplyKind.OK, records=({},) * size)
    why = Message("batch.reply_mismatch", count=size, found=len(reply.records))
    return Reply(ReplyKind.OK, records=({},) * size, error=why)
