"""The journal's SQLite file: its tables, how it is opened (in write-ahead-log mode for a run,
read-only to look), what a damaged one says, and the lock a run holds on it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import filelock

from importer.errors import ConfigurationError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    step TEXT NOT NULL, key TEXT NOT NULL, row INTEGER, state TEXT NOT NULL,
    ids TEXT NOT NULL DEFAULT '{}', error TEXT, log_reference TEXT,
    payload TEXT, source_hash TEXT, attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (step, key)
);
CREATE TABLE IF NOT EXISTS attempts (
    step TEXT NOT NULL, key TEXT NOT NULL, attempt INTEGER NOT NULL, at TEXT NOT NULL,
    action TEXT NOT NULL, outcome TEXT NOT NULL, error TEXT
);
"""


class JournalBusy(ConfigurationError):
    """Another run holds the journal."""


class JournalUnreadable(ConfigurationError):
    """The journal file is damaged or is not a journal."""


def unreadable(path: Path, exc: Exception | str) -> JournalUnreadable:
    return JournalUnreadable(
        f"The journal {path} cannot be read ({exc}): it is damaged or not a journal. It was "
        "left as it is: it records what earlier runs sent. Restore it from a backup, or check "
        "in the target what exists and start a new journal with --fresh (the damaged file is "
        "then kept among the old journals)."
    )


def connect(path: Path | None, *, read_only: bool) -> tuple[sqlite3.Connection, dict[str, str]]:
    """The open journal file (an in-memory one when ``path`` is None), with its tables, and
    what its ``meta`` table holds (nothing yet for a new journal); :class:`JournalUnreadable`
    when the file is damaged or not a journal."""
    db: sqlite3.Connection | None = None
    try:
        if read_only and path:
            db = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        else:
            db = sqlite3.connect(
                str(path) if path else ":memory:",
                check_same_thread=False,
                isolation_level=None,
            )
        if path and not read_only:
            db.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives a killed process (what the journal must
            # survive); only a power cut may lose the last commits. FULL costs 0.6 ms
            # CPU a row.
            db.execute("PRAGMA synchronous=NORMAL")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        if tables and "meta" not in tables:
            raise sqlite3.DatabaseError("it is an SQLite file, but not a journal")
        if not read_only:
            db.executescript(_SCHEMA)
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        if db is not None:
            with contextlib.suppress(Exception):
                db.close()
        raise unreadable(path or Path(":memory:"), exc) from exc
    return db, meta


def lock_path(path: Path) -> Path:
    path = path.resolve()  # a link to a journal shares its lock
    return path.with_name(path.name + ".lock")


def is_locked(path: Path) -> bool:
    """Whether a run holds the journal at ``path`` now."""
    lock = filelock.FileLock(lock_path(path), timeout=0)
    try:
        lock.acquire()
    except filelock.Timeout:
        return True
    lock.release()
    return False
