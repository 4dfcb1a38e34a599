"""The plan file: its content and checksum, laid out to be read by hand, written in place."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from importer.approval.record import (
    Environment,
    current_user,
    files_of,
    sha256_bytes,
    steps_of,
    version,
)
from importer.paths import temporary_for
from importer.results import Result

FORMAT = "importer approval plan"
VERSION = 1  # of the file's layout; a plan of another version is refused


def plan_data(
    result: Result,
    environment: Environment,
    *,
    files: dict[str, Any] | None = None,
    user: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The plan of a validated result, as written to the file (with its checksum)."""
    counts = result.row_statuses()
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "importer": version(),
        "validated_by": current_user() if user is None else user,
        "validated_at": (at or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
        **(files if files is not None else files_of(result.mapping)),
        "target": environment.data(),
        "summary": {str(status): counts[status] for status in sorted(counts)},
        "steps": steps_of(result),
    }
    data["checksum"] = checksum(data)
    return data


def checksum(data: dict[str, Any]) -> str:
    """The hash of a plan's content (all but its checksum), whatever its layout."""
    content = {k: v for k, v in data.items() if k != "checksum"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_bytes(text.encode("utf-8"))


def dumps(data: Any, indent: str = "") -> str:
    """JSON indented two spaces, each row (an object in a ``rows`` list) on one line."""
    inner = indent + "  "
    if isinstance(data, dict) and data:
        items = []
        for key, value in data.items():
            if key == "rows" and isinstance(value, list):
                rows = ",\n".join(inner + "  " + json.dumps(r, ensure_ascii=False) for r in value)
                text = f"[\n{rows}\n{inner}]" if value else "[]"
            else:
                text = dumps(value, inner)
            items.append(f"{inner}{json.dumps(key)}: {text}")
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(data, list) and data:
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in data) + f"\n{indent}]"
    return json.dumps(data, ensure_ascii=False)


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write the plan under a temporary name beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_for(path)
    try:
        temporary.write_text(dumps(data) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path
