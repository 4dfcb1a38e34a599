"""The journal: what was sent for every step and row key, and what came back (SQLite).

The journal is the single source of truth across runs. ``sending`` is committed *before* a
request leaves, so a process killed mid-request leaves a row that the next run treats as
``unknown`` and reconciles, never blindly sends again. What came back is committed a few
milliseconds later, with the replies of other rows (:mod:`importer.journal.commits`): a crash
can lose only replies, whose rows are then still ``sending``. A row once recorded as created (or
found, or updated) keeps that state and its ids whatever later runs say of it: the record
exists in the target. Each attempt is logged separately (``attempts``).

The file uses SQLite's write-ahead log, so a crash never leaves it half-written.

Where journals live is :mod:`importer.journal.places`; the file itself, its tables and its
lock, :mod:`importer.journal.database`.

**One run at a time.** A run holds an inter-process lock on its journal (``filelock``: the
operating system's own file lock, released by the kernel when the process dies, so a killed
run's lock is simply free again). The run's pid, host and start time are written in the
journal, so a second run is refused naming the first, and a run that finds them left by a
killed run says so. Reading (``importer status``) needs no lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import sqlite3
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import filelock

from importer import jsontext
from importer.errors import ConfigurationError
from importer.journal.commits import Commits
from importer.journal.database import JournalBusy, connect, lock_path, unreadable
from importer.journal.places import environment, retire
from importer.messages import Message
from importer.status import JOURNAL_STATES, Status

STATES = JOURNAL_STATES


@dataclass(frozen=True)
class Entry:
    """What the journal holds for one step and row key."""

    step: str
    key: str
    row: int | None
    state: Status
    ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    log_reference: str | None = None
    source_hash: str | None = None
    attempts: int = 0
    updated_at: str = ""


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Journal:
    """One journal file (or an in-memory one when ``path`` is None). Thread-safe.

    Open a file with :meth:`open` (which locks it for the run) or :meth:`read` (to look)."""

    def __init__(self, path: Path | None, *, target: str, mapping: str, read_only: bool = False):
        self.path = path
        self._lock = threading.Lock()
        self._file_lock: filelock.BaseFileLock | None = None
        self.taken_over: dict[str, Any] | None = None  # a killed run's details, when found
        self._db, meta = connect(path, read_only=read_only)
        self._commits = Commits(self._db, self._lock, defer=path is not None and not read_only)
        if not meta and not read_only:
            self._db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [
                    ("target", target),
                    ("mapping", mapping),
                    ("created", _now()),
                    ("version", "1"),
                ],
            )
            meta = {"target": target}
        self.target = meta.get("target", "")
        self.meta = meta

    @classmethod
    def in_memory(cls, *, target: str, mapping: str) -> Journal:
        """A journal that is gone when the run ends (a run against a throwaway sandbox)."""
        return cls(None, target=target, mapping=mapping)

    @classmethod
    def read(cls, path: Path) -> Journal:
        """Open a journal to look at it, without a lock (a run may be writing it)."""
        return cls(path, target="", mapping="", read_only=True)

    @classmethod
    def open(
        cls, path: Path, *, target: str, mapping: str, fresh: bool = False, command: str = ""
    ) -> Journal:
        """Open (or start) the journal at ``path`` for a run against ``target``, locked.

        Another run holding it: :class:`JournalBusy`, before anything else is done. A journal
        belongs to one target: a run against another one needs ``fresh`` (which moves the old
        file to the ``old/`` folder beside it) or another ``--journal`` path.
        """
        if path.is_dir():
            raise ConfigurationError(f"--journal {path} is a folder; give a file name")
        path = path.resolve()  # one lock per file, however it is named (a link, ../)
        if path.exists() and path.stat().st_size == 0:
            raise unreadable(path, "the file is empty")
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(lock_path(path), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise JournalBusy(_busy_message(path)) from None
        try:
            if fresh and path.exists():
                retire(path)
            journal = cls(path, target=target, mapping=mapping)
            if environment(journal.target) != environment(target):
                journal.close()
                raise ConfigurationError(
                    f"The journal {path} records a run against {journal.target}, not {target}. "
                    "Use --fresh to start a new journal, or --journal to choose another file."
                )
        except BaseException:
            lock.release()
            raise
        journal._file_lock = lock
        journal._claim(command)
        return journal

    def _claim(self, command: str) -> None:
        """Write who runs now; a claim still there is a run that was killed."""
        left = self.meta.get("running")
        if left:
            with contextlib.suppress(ValueError):
                self.taken_over = json.loads(left)
        me = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": _now(),
            "command": command,
        }
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('running', ?)", (json.dumps(me),))

    def holder(self) -> dict[str, Any] | None:
        """The run that holds (or, if it was killed, last held) this journal."""
        with self._lock:
            found = self._db.execute("SELECT value FROM meta WHERE name = 'running'").fetchone()
        try:
            return json.loads(found[0]) if found else None
        except ValueError:
            return None

    def entries(self, step: str) -> dict[str, Entry]:
        """Every entry of a step, by row key (without the bodies: see :meth:`payload`)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT step, key, row, state, ids, error, log_reference, source_hash, "
                "attempts, updated_at FROM rows WHERE step = ?",
                (step,),
            ).fetchall()
        return {
            r[1]: Entry(
                r[0], r[1], r[2], Status(r[3]), json.loads(r[4]), r[5], r[6], r[7], r[8], r[9]
            )
            for r in rows
        }

    def payload(self, step: str, key: str) -> Any:
        """The body last sent for a row (JSON data), or None: what an update compares with.
        Read when needed, not with the entries (100,000 bodies would take half a GB)."""
        with self._lock:
            found = self._db.execute(
                "SELECT payload FROM rows WHERE step = ? AND key = ?", (step, key)
            ).fetchone()
        return jsontext.loads(found[0]) if found and found[0] else None  # decimals exact

    def _transaction(self, *, durable: bool = True) -> contextlib.AbstractContextManager[None]:
        """Writes under the lock, undone together if anything fails inside them; committed
        when the block ends, or, not ``durable``, a few ms later (:mod:`importer.journal.commits`).
        """
        return self._commits.transaction(durable=durable)

    def commit(self) -> None:
        """Commit the writes still deferred (a run's end: the file is complete for readers)."""
        self._commits.commit()

    def sending(self, step: str, key: str, row: int, payload: str, source_hash: str) -> int:
        """Record, durably, that an insert for this row is about to leave (``payload``: its
        body as JSON text). Returns the attempt.

        An update of a record that exists leaves its state as it is (the record exists
        whatever becomes of the update): see :meth:`updating`.
        """
        with self._transaction():
            return self._sending_row(step, key, row, payload, source_hash, _now())

    def _sending_row(
        self, step: str, key: str, row: int, payload: str, source_hash: str, now: str
    ) -> int:
        """Write one row as ``sending`` inside the caller's transaction; its attempt."""
        self._db.execute(
            "INSERT INTO rows (step, key, row, state, payload, source_hash, attempts, "
            "created_at, updated_at) VALUES (?, ?, ?, 'sending', ?, ?, 1, ?, ?) "
            "ON CONFLICT (step, key) DO UPDATE SET row = excluded.row, state = 'sending', "
            "payload = excluded.payload, source_hash = excluded.source_hash, "
            "attempts = attempts + 1, error = NULL, updated_at = excluded.updated_at",
            (step, key, row, payload, source_hash, now, now),
        )
        found = self._db.execute(
            "SELECT attempts FROM rows WHERE step = ? AND key = ?", (step, key)
        ).fetchone()
        return int(found[0])

    def updating(self, step: str, key: str) -> int:
        """Count an update attempt of a record that exists; its state and ids stay."""
        with self._lock:
            self._db.execute(
                "UPDATE rows SET attempts = attempts + 1, updated_at = ? "
                "WHERE step = ? AND key = ?",
                (_now(), step, key),
            )
            row = self._db.execute(
                "SELECT attempts FROM rows WHERE step = ? AND key = ?", (step, key)
            ).fetchone()
        return int(row[0]) if row else 1

    def record(
        self,
        step: str,
        key: str,
        row: int,
        state: Status,
        *,
        ids: dict[str, str] | None = None,
        error: Message | str | None = None,
        log_reference: str | None = None,
        source_hash: str | None = None,
        payload: str | None = None,
        action: str | None = None,
        attempt: int | None = None,
    ) -> None:
        """Record what became of a row; a created, found or updated record stays so.

        ``payload`` is the record's whole body as it now stands in the target (after an
        update too), as JSON text, so a later update can send only what changed. With
        ``attempt``, the try that ended so is logged (as :meth:`log_attempt` does) in the same
        transaction.

        What a reply said is committed a few milliseconds later, with the others of that time
        (:mod:`importer.journal.commits`): lost in a crash, it leaves the row ``sending``, which
        the next run reconciles; a later :meth:`sending` commits it first."""
        assert state in STATES, state
        with self._transaction(durable=False):
            self._write(
                step, key, row, state, _now(), ids, error, log_reference, source_hash, payload,
                action, attempt,
            )  # fmt: skip

    def record_unsent(
        self, step: str, rows: Sequence[tuple[str, int, Status, Message | str | None]]
    ) -> None:
        """Record many rows that will not be sent (``(key, row, state, error)``: invalid or
        skipped before sending began) in one transaction, as :meth:`record` would one by one."""
        assert all(state in STATES for _, _, state, _ in rows)
        now = _now()
        with self._transaction():
            for key, row, state, error in rows:
                self._write(step, key, row, state, now, None, error, None, None, None, None, None)

    def _write(
        self,
        step: str,
        key: str,
        row: int,
        state: Status,
        now: str,
        ids: dict[str, str] | None,
        message: Message | str | None,
        log_reference: str | None,
        source_hash: str | None,
        payload: str | None,
        action: str | None,
        attempt: int | None,
    ) -> None:
        """What :meth:`record` writes, inside the caller's transaction."""
        error = _english(message)
        current = self._db.execute(
            "SELECT state, attempts FROM rows WHERE step = ? AND key = ?", (step, key)
        ).fetchone()
        if attempt is not None:
            self._db.execute(
                "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (step, key, attempt, now, action or "", state, error),
            )
        was = Status(current[0]) if current else None
        new = Status(state)
        kept = was is not None and ((was.kept and not new.kept) or (was.may_exist and new.unsent))
        # a record deleted is gone, and one whose delete got no answer may be: say so
        kept = kept and not (new is Status.DELETED or (new.may_exist and action == "delete"))
        if kept:
            # never forget that the record exists, or may exist (an insert sent earlier
            # without an answer): keep its state, ids and body, note the error
            self._db.execute(
                "UPDATE rows SET error = ?, updated_at = ? WHERE step = ? AND key = ?",
                (error, now, step, key),
            )
            return
        self._db.execute(
            "INSERT INTO rows (step, key, row, state, ids, error, log_reference, "
            "source_hash, payload, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (step, key) DO UPDATE SET row = excluded.row, "
            "state = excluded.state, ids = excluded.ids, error = excluded.error, "
            "log_reference = excluded.log_reference, "
            "source_hash = COALESCE(excluded.source_hash, source_hash), "
            "payload = COALESCE(excluded.payload, payload), "
            "updated_at = excluded.updated_at",
            (
                step, key, row, state, json.dumps(ids or {}), error, log_reference,
                source_hash, payload, now, now,
            ),
        )  # fmt: skip
        if action and attempt is None:
            self._db.execute(
                "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (step, key, current[1] if current else 0, now, action, state, error),
            )

    def log_attempt(
        self,
        step: str,
        key: str,
        attempt: int,
        action: str,
        outcome: str,
        error: Message | str | None,
    ) -> None:
        """One try of a request (retries included), for the record."""
        with self._lock:
            self._db.execute(
                "INSERT INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?)",
                (step, key, attempt, _now(), action, outcome, _english(error)),
            )

    def history(self, step: str) -> dict[str, list[str]]:
        """How each logged try of a step's rows ended (``created``, ``deleted``...), by key."""
        with self._lock:
            found = self._db.execute(
                "SELECT key, outcome FROM attempts WHERE step = ? ORDER BY rowid", (step,)
            ).fetchall()
        outcomes: dict[str, list[str]] = {}
        for key, outcome in found:
            outcomes.setdefault(key, []).append(outcome)
        return outcomes

    def record_deleted(self, step: str, key: str, ids: dict[str, str]) -> None:
        """A row's record was deleted (undo): ``deleted`` with its ids; a run creates it anew."""
        now = _now()
        with self._transaction():
            self._db.execute(
                "UPDATE rows SET state = 'deleted', ids = ?, error = NULL, updated_at = ? "
                "WHERE step = ? AND key = ?",
                (json.dumps(ids), now, step, key),
            )
            self._db.execute(
                "INSERT INTO attempts SELECT step, key, attempts, ?, 'delete', 'deleted', NULL "
                "FROM rows WHERE step = ? AND key = ?",
                (now, step, key),
            )

    def note_steps(self, steps: list[str]) -> None:
        """The mapping's steps in their order, for :meth:`counts` (rows are not written in
        step order: the invalid rows of every step come first)."""
        self.note("steps", steps)

    def note(self, name: str, value: Any) -> None:
        """Keep ``value`` (JSON data) under ``name`` in the journal's meta table; ``last_run``:
        what the last run counted, for ``importer status``."""
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, json.dumps(value)))

    def counts(self) -> dict[str, Counter[str]]:
        """Rows per step and state, the steps in the mapping's order."""
        with self._lock:
            found = self._db.execute(
                "SELECT step, state, COUNT(*) FROM rows GROUP BY step, state ORDER BY MIN(rowid)"
            ).fetchall()
            noted = self._db.execute("SELECT value FROM meta WHERE name = 'steps'").fetchone()
        order = {name: i for i, name in enumerate(json.loads(noted[0]) if noted else [])}
        counts: dict[str, Counter[str]] = {}
        for step, state, n in sorted(found, key=lambda f: order.get(f[0], len(order))):
            counts.setdefault(step, Counter())[state] = n
        return counts

    def describe(self) -> str:
        """One line per step: what the journal holds."""
        lines = []
        for step, counts in self.counts().items():
            parts = ", ".join(f"{n} {state}" for state in STATES if (n := counts[state]))
            lines.append(f"{step}: {parts}")
        return "\n".join(lines) if lines else "nothing yet"

    def close(self) -> None:
        self._commits.close()
        with self._lock:
            if self._file_lock is not None:  # the run ends: no claim left behind
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("DELETE FROM meta WHERE name = 'running'")
            self._db.close()
        if self._file_lock is not None:
            self._file_lock.release()
            self._file_lock = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _busy_message(path: Path) -> str:
    who = "another run"
    with contextlib.suppress(ConfigurationError, sqlite3.Error):
        book = Journal.read(path)
        try:
            holder = book.holder()
        finally:
            book.close()
        if holder:
            who = (
                f"another run (pid {holder.get('pid')} on {holder.get('host')}, started "
                f"{holder.get('started')}"
                + (f": {holder['command']}" if holder.get("command") else "")
                + ")"
            )
    return (
        f"The journal {path} is in use by {who}. Two runs of one import at a time would send "
        "rows twice, so this one sends nothing. Wait until that run ends (importer status "
        "shows its progress), or stop it with Ctrl-C in its terminal, then run again."
    )


def content_hash(value: Any) -> str:
    """A stable hash of JSON-like data (bodies, typed rows)."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _english(error: Message | str | None) -> str | None:
    """An error as the journal keeps it: English text (it is read by people, never parsed)."""
    return None if error is None else str(error)
