"""The files a run writes: checked before anything is sent, their temporaries cleaned up."""

from __future__ import annotations

import contextlib
import html
import os
import re
import zipfile
from pathlib import Path

from importer.errors import ConfigurationError


def check_output(path: Path, option: str) -> None:
    """Refuse, before the run starts, an output path that could not be written at its end."""
    path = Path(path)
    if path.is_dir():
        raise ConfigurationError(
            f"{option} {path} is a folder; give a file name, such as "
            f"{path / ('result.xlsx' if option == '--out' else 'file')}"
        )
    if path.exists() and not path.is_file():  # it would be replaced by the file written
        raise ConfigurationError(
            f"{option} {path} is not a regular file (a device, a pipe or another special file); "
            "give the name of a file"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise ConfigurationError(f"{option} {path} cannot be written (no permission)")
    folder = path.parent
    while not folder.exists():  # the folders that do not exist yet are made when writing
        folder = folder.parent
    if not folder.is_dir():
        raise ConfigurationError(f"{option} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigurationError(f"{option} {path}: the folder {folder} cannot be written")
    _probe(folder, path, option)


# What a workbook is, in its document properties (dc:subject): a real import's result is
# never overwritten by a dry run or a validation.
RESULT_SUBJECT = "importer: import result"
DRY_RUN_SUBJECT = "importer: dry run (nothing sent)"
VALIDATION_SUBJECT = "importer: validation report (nothing sent)"


def workbook_subject(path: Path) -> str | None:
    """The subject a workbook's document properties give, or None (no such file, no
    workbook, no subject)."""
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = re.search(r"<dc:subject>([^<]*)</dc:subject>", core)
    return html.unescape(found.group(1)) if found else None


def check_not_a_result(path: Path, option: str, result: Path | None = None) -> None:
    """Refuse to write a dry run's or a validation's workbook over a real import's result
    (one that says so, or one at ``result``, the name a real run writes its result under)."""
    path = Path(path)
    if not path.is_file():
        return
    subject = workbook_subject(path)
    known = subject is not None and subject.startswith("importer: ")
    at_result = result is not None and path.resolve() == Path(result).resolve() and not known
    if subject == RESULT_SUBJECT or at_result:
        raise ConfigurationError(
            f"{option} {path} holds the result of an import; a run that sends nothing does not "
            f"overwrite it: give another {option}, or leave it out for a name of its own"
        )


def _probe(folder: Path, path: Path, option: str) -> None:
    """Make and remove a file in ``folder``: permissions do not tell (for root they always
    allow) whether its file system takes new files (/proc, /sys, a read-only mount do not)."""
    probe = temporary_for(folder / path.name)
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return  # a file of that name can be there: the folder takes files
    except OSError as exc:
        raise ConfigurationError(
            f"{option} {path} cannot be written: the folder {folder} does not take new files "
            f"({exc.strerror or exc})"
        ) from exc
    with contextlib.suppress(OSError):
        probe.unlink()


def temporary_for(path: Path) -> Path:
    """The name a file is first written under, beside it (then renamed into place)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` left by runs that were killed while writing it
    (their process is gone); return what was removed."""
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.tmp")
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for found in path.parent.iterdir():
        match = pattern.fullmatch(found.name)
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                found.unlink()
                removed.append(found)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier process with this pid; this one has not started writing
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
