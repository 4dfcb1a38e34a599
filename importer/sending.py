"""Sending one record: the journal written before each try, transient refusals tried again.

An insert is journalled as ``sending`` before its request leaves, so that a crash, Ctrl-C or a
timeout never loses a row nor creates a record twice (:mod:`importer.reconcile` checks such
a row on the next run). A transient refusal (a locked record, maintenance) is retried with
exponential backoff and jitter, or after the ``retry_after`` the target asked for, within
bounds; a refusal on the merits, a refused token or an unknown outcome never is. A refused
token or a host that is gone stops the run: nothing more is sent.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any, Protocol

from importer.errors import TargetError
from importer.journal.store import Entry, Journal
from importer.mapping import Step
from importer.messages import Message
from importer.render import compact
from importer.results import Outcome, Result, Status
from importer.targets import Reply, ReplyKind, Target


class Observer(Protocol):
    """Watches a run (progress display, logs): told when a step starts and a row is done."""

    def step_started(self, step: Step, rows: int) -> None: ...

    def row_done(self, step: Step, outcome: Outcome) -> None: ...


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


class Sending:
    """Writes records to the target, journal first, and stops the run when the target is gone."""

    def __init__(
        self,
        result: Result,
        target: Target,
        journal: Journal,
        options: Options,
        stop: threading.Event,
    ):
        self.result, self.target, self.journal, self.options = result, target, journal, options
        self.stop = stop

    def send(
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

        ``action`` is ``insert``, ``update`` (``ids`` name the record) or ``delete`` (no
        body: ``ids`` name the record). ``full`` is the record's whole body when ``body``
        holds only what an update changes.
        """
        waited = 0.0
        text = compact(body) if body is not None else None  # journalled and shown, once
        inserting = action == "insert"
        done_state = DONE[action]
        tries = 0
        while True:
            tries += 1
            # An insert is journalled as "sending" before it leaves; an update of a record
            # that exists only counts the attempt: the record stays known, ids and all.
            attempt = (
                self.journal.sending(step.name, key, n, text or "", source_hash)
                if inserting
                else self.journal.updating(step.name, key)
            )
            try:
                if inserting:
                    reply = self.target.insert(step.connector, body)
                elif action == "delete":
                    reply = self.target.delete(step.connector, ids or {})
                else:
                    reply = self.target.update(step.connector, body, ids or {})
            except TargetError as exc:
                self.halt(said(exc))
                why = Message("not_sent", reason=said(exc))
                self.journal.record(step.name, key, n, Status.SKIPPED, error=why)
                return Outcome(
                    n,
                    Status.SKIPPED,
                    error=why,
                    ids=ids or {},
                    parent_row=parent_row,
                )
            state = done_state if reply.ok else (Status.UNKNOWN if reply.unknown else Status.FAILED)
            wait = self.retry_wait(reply, tries, waited)
            if wait is None:
                break  # the last try is logged with the outcome below, in one transaction
            self.journal.log_attempt(step.name, key, attempt, action, state, reply.error)
            if self.stop.wait(wait):
                attempt = 0  # logged already
                break
            waited += wait
        kept = {**(ids or {}), **{k: v for k, v in reply.ids.items() if k in step.keep}}
        if not inserting:
            kept = {**(ids or {}), **(kept if reply.ok else {})}  # the record's ids stay known
        self.journal.record(
            step.name,
            key,
            n,
            state,
            ids=kept if reply.ok or not inserting else {},
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
            action=action,
        )

    def retry_wait(self, reply: Reply, attempt: int, waited: float) -> float | None:
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

    def halt(self, reason: Message) -> None:
        if not self.result.stopped:
            self.result.stopped = reason
        self.stop.set()

    def not_sent(
        self,
        step: Step,
        key: str,
        n: int,
        entry: Entry | None = None,
        parent_row: int | None = None,
    ) -> Outcome:
        """A row not sent because the run stops: ``skipped``, or still ``unknown`` when an
        earlier run's request may have made its record (``entry``)."""
        reason = self.result.stopped or Message("interrupted")
        if entry is not None and entry.state.may_exist:  # it may exist: still unknown
            error = Message("unknown.not_checked", when=entry.updated_at, reason=reason)
            self.journal.record(step.name, key, n, Status.SKIPPED, error=error)  # keeps 'unknown'
            return Outcome(n, Status.UNKNOWN, error=error, parent_row=parent_row)
        error = Message("not_sent", reason=reason)
        self.journal.record(step.name, key, n, Status.SKIPPED, error=error)
        return Outcome(n, Status.SKIPPED, error=error, parent_row=parent_row)


# The state a row is in when the target took its request.
DONE = {"insert": Status.CREATED, "update": Status.UPDATED, "delete": Status.DELETED}


def said(exc: Exception) -> Message:
    """What a failure says: its Message when it carries one, else its text as it is."""
    said = getattr(exc, "said", None)
    return said if isinstance(said, Message) else Message("text", text=str(exc))
