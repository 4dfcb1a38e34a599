"""The journal's writes for a request of several records (a mapping's ``batch:``).

Every row of a batch is ``sending`` before the request leaves, in one transaction, and what
became of the rows is written in one transaction when the answer is in: a crash between the
two leaves every row of the batch ``sending``, to be reconciled on the next run as a single
row would be (:mod:`importer.reconcile`). Both write as :meth:`Journal.sending` and
:meth:`Journal.record` do, row by row, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from importer.journal.store import STATES, Journal, _now
from importer.messages import Message
from importer.status import Status


@dataclass(frozen=True)
class Recorded:
    """What became of one row of a request of several (:func:`record_many`)."""

    key: str
    row: int
    state: Status
    ids: dict[str, str] = field(default_factory=dict)
    error: Message | str | None = None
    log_reference: str | None = None
    source_hash: str | None = None
    action: str | None = None
    attempt: int | None = None


def sending_many(
    journal: Journal, step: str, rows: Sequence[tuple[str, int, str, str]]
) -> list[int]:
    """:meth:`Journal.sending` for the rows of one request (``(key, row, payload,
    source_hash)``), in one transaction; each row's attempt, in order."""
    now = _now()
    with journal._transaction():
        attempts = [
            journal._sending_row(step, key, row, payload, source_hash, now)
            for key, row, payload, source_hash in rows
        ]
    return attempts


def record_many(journal: Journal, step: str, rows: Sequence[Recorded]) -> None:
    """What became of the rows of one request, in one transaction (each as
    :meth:`Journal.record` writes it; an insert's body is in the journal since ``sending``)."""
    assert all(r.state in STATES for r in rows)
    now = _now()
    with journal._transaction():
        for r in rows:
            journal._write(
                step, r.key, r.row, r.state, now, r.ids, r.error, r.log_reference,
                r.source_hash, None, r.action, r.attempt,
            )  # fmt: skip
