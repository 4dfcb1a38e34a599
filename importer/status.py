"""What became of a row: one enum for every status a row can have, with what each means.

The journal, the runner, the report and the CLI all ask a status what it is (``done``,
``exists``, ``sent``, ...) instead of keeping their own sets of strings. Members are strings
(``Status.CREATED == "created"``), so the journal stores and the workbook shows their values.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """A row's status, declared worst first: a source row read by several steps counts as
    its worst outcome."""

    INVALID = "invalid"  # never sent: the row or its body has a problem
    FAILED = "failed"  # the target refused it
    UNKNOWN = "unknown"  # sent, no answer: the record may exist
    CHANGED = "changed"  # created in an earlier run; its source values changed since
    SKIPPED = "skipped"  # never sent: its parent was not done, or the run stopped
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # an update with nothing to change: not sent
    DELETED = "deleted"
    EXISTING = "existing"  # found by a lookup
    PLANNED = "planned"  # dry run / validate: would be sent
    EXCLUDED = "excluded"  # not selected by the step's when: (nothing to do)
    SENDING = "sending"  # journal only: the request is leaving, no answer yet

    @property
    def rank(self) -> int:
        """Worst first: 0 is the worst."""
        return _ORDER.index(self)

    @property
    def done(self) -> bool:
        """Nothing is left to do for the row (the run's exit code is 0 if every row is)."""
        return self in _DONE

    @property
    def exists(self) -> bool:
        """The record is known to exist in the target (its ids can be used)."""
        return self in _EXISTS

    @property
    def kept(self) -> bool:
        """A journal state no later run takes back: the record exists in the target."""
        return self in _KEPT

    @property
    def may_exist(self) -> bool:
        """An insert left without an answer: the record may or may not exist."""
        return self in (Status.SENDING, Status.UNKNOWN)

    @property
    def sent(self) -> bool:
        """A write request went to the target for it."""
        return self in (
            Status.CREATED, Status.UPDATED, Status.DELETED, Status.FAILED, Status.UNKNOWN
        )  # fmt: skip

    @property
    def unsent(self) -> bool:
        """Nothing was sent for it this time (invalid, or skipped)."""
        return self in (Status.INVALID, Status.SKIPPED)

    @property
    def problem(self) -> bool:
        """Listed among the problems for someone to look at."""
        return self in (Status.INVALID, Status.FAILED, Status.UNKNOWN, Status.CHANGED)


_ORDER = [s for s in Status if s is not Status.SENDING] + [Status.SENDING]
_DONE = frozenset(
    {
        Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.DELETED, Status.EXISTING,
        Status.PLANNED, Status.EXCLUDED,
    }
)  # fmt: skip
_KEPT = frozenset({Status.CREATED, Status.EXISTING, Status.UPDATED, Status.UNCHANGED})
_EXISTS = _KEPT | {Status.CHANGED}

# Every status an outcome can have, worst first (the journal's SENDING is not one).
STATUSES = tuple(s for s in _ORDER if s is not Status.SENDING)
# The states the journal records.
JOURNAL_STATES = (
    Status.SENDING, Status.CREATED, Status.EXISTING, Status.UPDATED, Status.UNCHANGED,
    Status.DELETED, Status.FAILED, Status.INVALID, Status.SKIPPED, Status.UNKNOWN,
)  # fmt: skip
