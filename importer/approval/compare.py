"""What differs between an approved plan and a run: its files and its rows, as the user
reads them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def _keyed(entries: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(e[key]): e for e in entries}


def _file_changes(approved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    found = []
    if approved["mapping"]["sha256"] != now["mapping"]["sha256"]:
        found.append(f"the mapping file {now['mapping']['file']} changed")
    was, new = _keyed(approved["templates"], "name"), _keyed(now["templates"], "name")
    for name in sorted(was.keys() | new.keys()):
        if name not in new:
            found.append(f"template {name}: approved, no longer used")
        elif name not in was:
            found.append(f"template {name}: used now, not in the approved plan")
        elif was[name]["sha256"] != new[name]["sha256"]:
            gone = new[name]["sha256"] is None
            found.append(f"template {name} {'is missing' if gone else 'changed'}")
    was, new = _keyed(approved["inputs"], "source"), _keyed(now["inputs"], "source")
    for name in sorted(was.keys() | new.keys()):
        if name not in new:
            found.append(f"input {name}: approved, no longer a source")
        elif name not in was:
            found.append(f"input {name} ({_where(new[name])}): a source now, not approved")
        elif (was[name]["sha256"], was[name].get("sheet")) != (
            new[name]["sha256"],
            new[name].get("sheet"),
        ):
            found.append(
                f"input {name} ({_where(new[name])}) {_input_change(was[name], new[name])}"
            )
    return found


def _where(entry: dict[str, Any]) -> str:
    return entry["file"] + (f", sheet {entry['sheet']}" if entry.get("sheet") else "")


def _input_change(was: dict[str, Any], now: dict[str, Any]) -> str:
    if now["sha256"] is None:
        return "cannot be read"
    if was["file"] != now["file"]:
        return f"is another file, with other content than the approved {_where(was)}"
    if was.get("sheet") != now.get("sheet"):
        return f"is another sheet than the approved {_where(was)}"
    return "changed"


def _row_changes(approved: list[dict[str, Any]], now: list[dict[str, Any]]) -> Iterator[str]:
    """Each row that differs, in the order of the steps and rows."""
    was = {s["step"]: s for s in approved}
    new = {s["step"]: s for s in now}
    for name in [*new, *(n for n in was if n not in new)]:
        old_rows = {r["row"]: r for r in was[name]["rows"]} if name in was else {}
        new_rows = {r["row"]: r for r in new[name]["rows"]} if name in new else {}
        source = (new.get(name) or was[name])["source"]
        for n in sorted(old_rows.keys() | new_rows.keys()):
            said = list(_row_change(old_rows.get(n), new_rows.get(n)))
            if said:
                yield f"{source} row {n} ({name}): {'; '.join(said)}"


def _row_change(was: dict[str, Any] | None, now: dict[str, Any] | None) -> Iterable[str]:
    if was is None:
        yield f"{now['status'] if now else ''}, not in the approved plan"
        return
    if now is None:
        yield f"approved as {was['status']}, not in the input now"
        return
    if was["status"] != now["status"]:
        yield f"approved as {was['status']}, now {now['status']}"
    if was.get("action") != now.get("action"):
        yield f"action approved: {was.get('action')}, now {now.get('action')}"
    if was.get("body_sha256") != now.get("body_sha256") and was["status"] == now["status"]:
        yield "its body differs from the approved one"
