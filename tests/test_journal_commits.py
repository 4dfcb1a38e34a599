"""The journal's grouped commits: ``sending`` is on disk before a request leaves, what a reply
said follows within milliseconds, and a crash can lose only replies (rows left ``sending``)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT, wait_for

from importer.journal import commits
from importer.journal.store import Journal


def on_disk(path, key: str) -> str | None:
    """A row's state as another process would read it now."""
    reader = Journal.read(path)
    try:
        entry = reader.entries("s").get(key)
    finally:
        reader.close()
    return entry.state if entry else None


@pytest.fixture
def patient(monkeypatch):
    """Deferred writes wait a minute for their commit (unless a durable write comes)."""
    monkeypatch.setattr(commits, "DELAY", 60.0)


def test_a_reply_waits_for_its_commit_and_the_next_sending_carries_it(tmp_path, patient):
    path = tmp_path / "j.sqlite"
    journal = Journal.open(path, target="t", mapping="m")
    journal.sending("s", "a", 1, "{}", "h")
    assert on_disk(path, "a") == "sending"  # before the request leaves

    journal.record("s", "a", 1, "created", ids={"DbId": "7"}, source_hash="h")
    assert on_disk(path, "a") == "sending"  # deferred
    assert journal.entries("s")["a"].state == "created"  # the run itself sees it at once

    journal.sending("s", "b", 2, "{}", "h")
    assert (on_disk(path, "a"), on_disk(path, "b")) == ("created", "sending")
    journal.record("s", "b", 2, "failed", error="no")
    journal.close()
    assert on_disk(path, "b") == "failed"  # closing commits what waits


def test_replies_are_committed_within_milliseconds_without_another_write(tmp_path):
    path = tmp_path / "j.sqlite"
    journal = Journal.open(path, target="t", mapping="m")
    for n in range(20):
        journal.sending("s", f"k{n}", n, "{}", "h")
    seen: list[str] = []
    journal._db.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    for n in range(20):
        journal.record("s", f"k{n}", n, "created", source_hash="h")

    wait_for(lambda: on_disk(path, "k19") == "created", seconds=10)
    assert 1 <= len(seen) < 20  # grouped: not one commit per reply
    journal.close()


def test_a_unit_that_fails_is_undone_alone(tmp_path, patient):
    path = tmp_path / "j.sqlite"
    journal = Journal.open(path, target="t", mapping="m")
    journal.sending("s", "a", 1, "{}", "h")
    journal.record("s", "a", 1, "created", source_hash="h")
    with pytest.raises(RuntimeError), journal._transaction(durable=False):
        journal._db.execute("UPDATE rows SET state = 'failed' WHERE key = 'a'")
        raise RuntimeError("a bug halfway")
    journal.commit()
    assert on_disk(path, "a") == "created"
    with pytest.raises(RuntimeError), journal._transaction():  # one that begins the transaction
        journal._db.execute("UPDATE rows SET state = 'failed' WHERE key = 'a'")
        raise RuntimeError("a bug halfway")
    journal.sending("s", "b", 2, "{}", "h")
    assert (on_disk(path, "a"), on_disk(path, "b")) == ("created", "sending")
    journal.close()


def test_a_crash_loses_only_replies_not_yet_committed(tmp_path):
    """A process killed after two replies, the second not committed yet: the first row is
    created on disk, the second still sending (the next run reconciles it)."""
    path = tmp_path / "j.sqlite"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from importer.journal import commits
        from importer.journal.store import Journal
        commits.DELAY = 60.0
        journal = Journal.open(Path({str(path)!r}), target="t", mapping="m")
        journal.sending("s", "a", 1, "{{}}", "h")
        journal.record("s", "a", 1, "created", ids={{"DbId": "7"}}, source_hash="h")
        journal.sending("s", "b", 2, "{{}}", "h")
        journal.record("s", "b", 2, "created", ids={{"DbId": "8"}}, source_hash="h")
        os._exit(9)  # killed: no close, no commit
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=False)
    assert done.returncode == 9
    reader = Journal.read(path)
    entries = reader.entries("s")
    reader.close()
    assert (entries["a"].state, entries["a"].ids) == ("created", {"DbId": "7"})
    assert (entries["b"].state, entries["b"].ids) == ("sending", {})
