"""The journal's commits: what must be on disk before a request leaves is committed at once;
what a reply said is committed with others, a few milliseconds later.

A run writes two things per row: ``sending`` before its request leaves, and what came back
after the reply. The first must be committed before the request goes (it is what makes a
crash safe: the row is then ``unknown``, never sent blindly again). The second need not: if
it is lost, the row is still ``sending`` in the file, and the next run reconciles it as it
does any row whose reply was lost, with a lookup (:mod:`importer.reconcile`). So after-reply
writes are *deferred*: they join an open transaction that is committed by the next write
that must be durable, or by a commit thread at most :data:`DELAY` seconds after the first
of them, whichever comes first. One commit then carries the replies of all rows answered
in those milliseconds: the concurrent rows of a run no longer commit one by one under the
journal's lock.

Every write goes through one connection, in order, so what is on disk is always a prefix of
what was written: a ``sending`` committed carries every reply written before it (a child's
``sending`` carries its parent's ``created``). A crash can lose only the replies of the last
few milliseconds, never a ``sending``. Each unit of writes is a savepoint in the open
transaction, so one that fails is undone alone.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator

DELAY = 0.005  # the longest a deferred write waits for its commit (seconds)


class Commits:
    """Transactions on one connection, durable or deferred (see the module's documentation).

    ``lock`` is the journal's own: every use of the connection holds it.
    """

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock, *, defer: bool):
        self.db, self.lock = db, lock
        self.defer = defer  # an in-memory journal has nothing to keep: it commits at once
        self._opened = 0.0  # when the open transaction began
        self._due = threading.Condition(lock)
        self._thread: threading.Thread | None = None
        self._idle = False  # the commit thread waits for a transaction to be opened
        self._closed = False

    @contextlib.contextmanager
    def transaction(self, *, durable: bool = True) -> Iterator[None]:
        """Writes that stand or fall together, under the lock; ``durable``: committed (with
        every deferred write before them) when the block ends, else within :data:`DELAY`."""
        with self.lock:
            opened = not self.db.in_transaction
            # a unit that joins deferred writes is a savepoint of its own; one that begins
            # the transaction is all of it
            self.db.execute("BEGIN" if opened else "SAVEPOINT unit")
            if opened:
                self._opened = time.monotonic()
            try:
                yield
            except BaseException:
                if self.db.in_transaction:  # an error SQLite rolled back itself leaves none
                    if opened:
                        self.db.execute("ROLLBACK")
                    else:
                        self.db.execute("ROLLBACK TO unit")
                        self.db.execute("RELEASE unit")
                self._settle(durable, opened)
                raise
            if not opened:
                self.db.execute("RELEASE unit")
            self._settle(durable, opened)

    def commit(self) -> None:
        """Commit what is deferred now (the end of a run, before the file is read elsewhere)."""
        with self.lock:
            self._commit()

    def close(self) -> None:
        """Commit what is deferred and stop the commit thread (call before closing the file)."""
        with self.lock:
            self._commit()
            self._closed = True
            self._due.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _settle(self, durable: bool, opened: bool) -> None:
        if durable or not self.defer:
            self._commit()
            return
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._commit_deferred, name="journal-commits", daemon=True
            )
            self._thread.start()
        if opened and self._idle:  # else it is timing an earlier one: it will see this one
            self._due.notify()

    def _commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    def _commit_deferred(self) -> None:
        with self.lock:
            while not self._closed:
                if not self.db.in_transaction:
                    self._idle = True
                    self._due.wait()
                    self._idle = False
                    continue
                left = self._opened + DELAY - time.monotonic()
                if left > 0:
                    self._due.wait(left)
                    continue
                self._commit()
