"""One run's resources — the target (and its sandbox), the journal, the audit trail — opened in
the order a safe run needs and closed in reverse.

The order is the point: every file the run will write is checked before anything is read from
the target; the journal is locked (or a second run refused) before the first request, a
journal of this import elsewhere stops a fresh start, and production asks for confirmation
only once the journal is held. The CLI opens one :class:`Session` per ``run``; the library
can use it the same way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer import targets
from importer.audit import AuditTrail
from importer.errors import ConfigurationError
from importer.journal.database import is_locked
from importer.journal.index import Found, earlier_journals, remember
from importer.journal.places import environment, journal_path
from importer.journal.store import Journal
from importer.mapping import Mapping
from importer.paths import check_output, remove_stale_temporaries
from importer.targets import Sandbox, Target

Say = Callable[[str], None]  # where notes for the user go (the CLI: stderr)


@dataclass
class Session:
    """What a run holds open while it sends."""

    target: Target
    journal: Journal
    trail: AuditTrail
    sandbox: Sandbox | None = None


@contextmanager
def open_session(
    mapping: Mapping,
    *,
    workbook: Path,
    audit: Path,
    run_id: str,
    concurrency: int,
    sandbox: bool = False,
    journal: Path | None = None,
    fresh: bool = False,
    command: str = "",
    user: str = "",
    listener: Callable[[dict[str, Any]], None] | None = None,
    confirm: Callable[[Target], None] | None = None,
    say: Say = print,
    existing: bool = False,
) -> Iterator[Session]:
    """Open a run's session; everything is closed again when the block ends.

    ``sandbox`` starts the target's built-in sandbox for this run (its journal then lives in
    memory unless ``journal`` names a file); ``confirm`` is asked before a production
    environment is written to. ``existing`` takes the journal of earlier runs and refuses to
    start one (``undo``: see :func:`existing_journal`).
    """
    outputs = {"--out": workbook, "--audit": audit, "--journal": journal}
    for option, path in outputs.items():
        if path is not None:
            check_output(path, option)
    _distinct({o: p for o, p in outputs.items() if p is not None})
    remove_stale_temporaries(workbook)
    system = targets.spec(mapping.target)
    with ExitStack() as stack:
        trail = stack.enter_context(AuditTrail(audit, run_id=run_id, listener=listener))
        box: Sandbox | None = None
        if sandbox:
            box, target = system.sandboxed(concurrency=concurrency, audit=trail)
            stack.callback(box.stop)
        else:
            target = system.target_class().from_env(concurrency=concurrency, audit=trail)
        stack.callback(target.close)
        book = stack.enter_context(
            _journal(journal, target, mapping, workbook, fresh, sandbox, command, say, existing)
        )
        if confirm is not None and not sandbox:
            confirm(target)
        trail.begin(
            user=user,
            command=command,
            mapping=str(mapping.path),
            target=target.host,
            environment=target.environment,
        )
        yield Session(target, book, trail, box)


@contextmanager
def _journal(
    chosen: Path | None,
    target: Target,
    mapping: Mapping,
    workbook: Path,
    fresh: bool,
    sandbox: bool,
    command: str,
    say: Say,
    existing: bool = False,
) -> Iterator[Journal]:
    """The run's journal, locked for the run; refused when another run holds it.

    A ``--sandbox`` run keeps its journal in memory (unless ``--journal`` names one): its
    sandbox, and every record in it, is gone when the run ends.
    """
    if sandbox and chosen is None:
        book = Journal.in_memory(target=target.host, mapping=str(mapping.path))
    else:
        path = chosen or journal_path(mapping.path, target.host)
        if existing:
            path = existing_journal(mapping, target.host, chosen, workbook)
        _distinct({"--out": workbook, "the journal": path})
        if not path.exists() and not fresh:
            _earlier_journals(path, target, mapping, workbook, say)
        if fresh:  # a new journal, fine; but not beside a run that is sending this import now
            for found in earlier_journals(
                mapping.path, workbook, exclude=path, target=target.host,
                signature=signature(mapping),
            ):  # fmt: skip
                if environment(found.target) == environment(target.host) and is_locked(found.path):
                    raise ConfigurationError(
                        f"--fresh: a run of this import is sending now with the journal "
                        f"{found.path}; wait until it ends, then start afresh"
                    )
        held = None
        if fresh and path.exists() and not sandbox:
            with Journal.read(path) as old:
                held = old.describe().replace("\n", "; ")
        book = Journal.open(
            path, target=target.host, mapping=str(mapping.path), fresh=fresh or sandbox,
            command=command,
        )  # fmt: skip
        remember(path, target=target.host, mapping=mapping.path, signature=signature(mapping))
        if held is not None:  # said once the journal is ours: a busy one is not replaced
            say(f"Starting a new journal; the old one ({held}) is kept in {path.parent / 'old'}")
        if book.taken_over:
            say(
                f"Note: the run that last used {path} (pid {book.taken_over.get('pid')}, "
                f"started {book.taken_over.get('started')}) ended without closing it (killed?); "
                "its unanswered rows are checked before anything is sent again."
            )
    try:
        yield book
    finally:
        book.close()


def existing_journal(
    mapping: Mapping, host: str, chosen: Path | None = None, workbook: Path | None = None
) -> Path:
    """The journal of this import's earlier runs against ``host``, found as a run finds it
    (``chosen``: ``--journal``; else beside the mapping, or in ``IMPORTER_JOURNAL_DIR``);
    ConfigurationError when there is none, naming the one the user's index knows elsewhere."""
    path = chosen or journal_path(mapping.path, host)
    if path.is_file():
        return path
    if chosen is not None:
        raise ConfigurationError(f"No journal at {path}")
    found = earlier_journals(
        mapping.path, workbook or Path("x"), exclude=path, target=host, signature=signature(mapping)
    )
    elsewhere = [f for f in found if environment(f.target) == environment(host)]
    if elsewhere:
        where = "; ".join(f"{f.path} ({f.held})" for f in elsewhere)
        raise ConfigurationError(
            f"No journal at {path}, but this mapping has one for {host} elsewhere: {where}. "
            f"Name it with --journal {elsewhere[0].path}."
        )
    raise ConfigurationError(
        f"No journal at {path}: nothing of {mapping.path} has been sent to {host} (runs with "
        "--sandbox keep none)."
    )


def signature(mapping: Mapping) -> str:
    """What identifies an import whatever its mapping file is called or where it lies: its
    sources' names and its steps (name, connector, key)."""
    steps = [(s.name, s.connector, s.key) for s in mapping.steps]
    text = json.dumps([sorted(mapping.sources), steps])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _distinct(paths: dict[str, Path]) -> None:
    """Refuse two outputs that are one file: the workbook would overwrite the journal."""
    seen: dict[Path, str] = {}
    for option, path in paths.items():
        where = Path(path).resolve()
        if where in seen:
            raise ConfigurationError(
                f"{option} {path} is the same file as {seen[where]}; give each its own file"
            )
        seen[where] = option


def _earlier_journals(
    path: Path, target: Target, mapping: Mapping, workbook: Path, say: Say
) -> None:
    """Before a new journal is started: refuse when this import's journal is elsewhere (its
    rows would be sent again), and say which journals of other environments there are."""
    same: list[Found] = []
    others: list[Found] = []
    for found in earlier_journals(
        mapping.path, workbook, exclude=path, target=target.host, signature=signature(mapping)
    ):
        (same if environment(found.target) == environment(target.host) else others).append(found)
    if same:
        where = "; ".join(f"{f.path} ({f.held})" for f in same)
        raise ConfigurationError(
            f"No journal at {path}, but this mapping has one for {target.host} elsewhere: "
            f"{where}. Starting afresh would send its rows again. Continue it with --journal "
            f"{same[0].path} (or move it to {path}); or, once you have checked in the target "
            "what exists, start a new journal with --fresh."
        )
    for found in others:
        say(
            f"Note: starting a new journal for {target.host} ({path}); this mapping also has "
            f"a journal for {found.target or 'another target'} at {found.path} ({found.held})."
        )
