"""Where journals live: a folder per mapping, a file per target environment.

A journal belongs to the import, not to the workbook: one per mapping and
target environment, in a folder beside the mapping (``mappings/flex.journals/`` for
``mappings/flex.yaml``), named after the environment's host, so a test and a production
environment never share one and ``--out`` cannot change it. ``IMPORTER_JOURNAL_DIR`` moves
that folder elsewhere (a read-only mappings folder). Journals replaced by ``--fresh`` go to
its ``old/`` folder.

The user's index of journals, which finds them after a mapping moved, is
:mod:`importer.journal.index`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit


def journal_folder(mapping_path: Path) -> Path:
    """Where a mapping's journals live: ``flex.journals/`` beside ``flex.yaml``, or, with
    ``IMPORTER_JOURNAL_DIR`` set, a folder there named after the mapping and its location."""
    mapping = Path(mapping_path).resolve()
    base = os.environ.get("IMPORTER_JOURNAL_DIR", "").strip()
    if base:
        where = hashlib.sha256(str(mapping).encode("utf-8")).hexdigest()[:8]
        return Path(base) / f"{mapping.stem}-{where}.journals"
    return mapping.with_name(f"{mapping.stem}.journals")


def environment(host: str) -> str:
    """A target's host as one environment has it however its URL is written: lower case, no
    trailing dot, no default port, and ``localhost`` as ``127.0.0.1``."""
    parts = urlsplit(f"//{host.strip()}")
    name = (parts.hostname or host.strip().lower()).rstrip(".")
    try:
        port = parts.port
    except ValueError:  # not a port: keep the host as it is written
        return host.strip().lower()
    if name == "localhost":
        name = "127.0.0.1"
    if ":" in name:  # an IPv6 address
        name = f"[{name}]"
    return f"{name}:{port}" if port not in (None, 80, 443) else name


def journal_path(mapping_path: Path, host: str) -> Path:
    """The journal of a mapping's runs against one environment (``host``, such as
    ``erp-test.example.com``): a file per environment, whatever ``--out`` says."""
    name = re.sub(r"[^a-z0-9._-]+", "-", environment(host)).strip("-.") or "target"
    return journal_folder(mapping_path) / f"{name}.sqlite"


def journals_of(mapping_path: Path) -> list[Path]:
    """The journals of a mapping, one per environment it was run against."""
    folder = journal_folder(mapping_path)
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def old_journals(mapping_path: Path) -> list[Path]:
    """The journals ``--fresh`` replaced, oldest first."""
    folder = journal_folder(mapping_path) / "old"
    return sorted(folder.glob("*.sqlite")) if folder.is_dir() else []


def retire(path: Path) -> Path:
    """Move a journal (with its WAL files) to the ``old/`` folder beside it; return where."""
    folder = path.parent / "old"
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    old = folder / f"{path.stem}.{stamp}{path.suffix}"
    n = 1
    while old.exists():  # keep every earlier journal
        n += 1
        old = folder / f"{path.stem}.{stamp}-{n}{path.suffix}"
    for suffix in ("", "-wal", "-shm"):
        previous = Path(str(path) + suffix)
        if previous.exists():
            previous.replace(Path(str(old) + suffix))
    return old
