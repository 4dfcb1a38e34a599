"""The user's index of journals, and the journals of an import a run would not use.

A run notes in the index (:func:`remember`) which import and environment its journal holds, so
that a renamed or moved mapping, or another ``IMPORTER_JOURNAL_DIR``, still finds it;
:func:`earlier_journals` lists such journals, and those where earlier versions kept them.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from importer.errors import ConfigurationError
from importer.journal.places import environment, journal_folder, journals_of
from importer.journal.store import Journal


@dataclass(frozen=True)
class Found:
    """A journal of this mapping somewhere else than where a run looks for it."""

    path: Path
    target: str
    held: str  # what it holds, in one line


def _index() -> Path:
    """The user's index of journals: where each import's journal went (``IMPORTER_STATE_DIR``,
    else ``$XDG_STATE_HOME/importer``, else ``~/.local/state/importer``)."""
    base = os.environ.get("IMPORTER_STATE_DIR", "").strip()
    if not base:
        state = os.environ.get("XDG_STATE_HOME", "").strip() or "~/.local/state"
        base = os.path.join(os.path.expanduser(state), "importer")
    return Path(base) / "journals.jsonl"


def _indexed() -> list[dict[str, str]]:
    try:
        lines = _index().read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        with contextlib.suppress(ValueError):
            entries.append(json.loads(line))
    return [e for e in entries if isinstance(e, dict)]


def remember(journal: Path, *, target: str, mapping: Path, signature: str) -> None:
    """Note in the user's index which import (mapping, steps) and environment a journal holds,
    so that a renamed or moved mapping, or another ``IMPORTER_JOURNAL_DIR``, still finds it."""
    entry = {
        "journal": str(Path(journal).resolve()),
        "target": environment(target),
        "mapping": str(Path(mapping).resolve()),
        "signature": signature,
    }
    if entry in _indexed():
        return
    index = _index()
    try:
        index.parent.mkdir(parents=True, exist_ok=True)
        with open(index, "a", encoding="utf-8") as out:  # one short line: appended whole
            out.write(json.dumps(entry) + "\n")
    except OSError:
        pass  # without an index only the journal folders are searched


def earlier_journals(
    mapping_path: Path,
    workbook: Path,
    *,
    exclude: Path,
    target: str = "",
    signature: str = "",
) -> list[Found]:
    """Journals of this import a run would not use: those of other environments, one in the
    other journal folder (with or without ``IMPORTER_JOURNAL_DIR``), those where earlier
    versions kept them (``flex.journal.sqlite`` beside the workbook), and, from the user's
    index, those of this mapping or of an import with the same steps (a renamed or moved
    mapping) against ``target``."""
    mapping = Path(mapping_path)
    stem = mapping.stem
    candidates = [*journals_of(mapping)]
    for entry in _indexed():
        same = entry.get("mapping") == str(mapping.resolve()) or (
            signature and entry.get("signature") == signature
        )
        if same and (not target or entry.get("target") == environment(target)):
            candidates.append(Path(entry["journal"]))
    folder = journal_folder(mapping)
    beside = mapping.resolve().with_name(f"{stem}.journals")
    if beside != folder and beside.is_dir():
        candidates += sorted(beside.glob("*.sqlite"))
    for place in {Path(workbook).parent.resolve(), Path.cwd().resolve(), beside.parent}:
        candidates.append(place / f"{stem}.journal.sqlite")
    found, seen = [], {Path(exclude).resolve()}
    for path in candidates:
        if path.resolve() in seen or not path.is_file():
            continue
        seen.add(path.resolve())
        try:
            with Journal.read(path) as book:
                found.append(Found(path, book.target, book.describe().replace("\n", "; ")))
        except ConfigurationError:
            found.append(Found(path, "", "cannot be read"))
    return found
