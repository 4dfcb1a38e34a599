"""The ids of a record's contact persons an update keeps (a PUT's ``contactpersonen`` is the
whole list: a person without an id would be created anew)."""

from __future__ import annotations

from typing import Any

from importer.messages import Message
from importer.targets.recras.filters import _norm


def _new_people(body: dict[str, Any]) -> bool:
    """Whether a body holds contact persons without an id (whose ids the update keeps)."""
    people = body.get("contactpersonen")
    return isinstance(people, list) and any(
        isinstance(p, dict) and p.get("id") in (None, "") for p in people
    )


def keep_ids(people: list[Any], existing: list[Any]) -> list[Any]:
    """``people`` (a body's contact persons) with each one that has no id given the id of the
    existing person it matches: the same first and last name, or else the same ``email1``.
    Each existing person is given once; one named by id in ``people`` is not given again."""
    taken = {p.get("id") for p in people if isinstance(p, dict) and p.get("id") not in (None, "")}
    free = [
        e for e in existing if isinstance(e, dict) and _whole(e.get("id")) and e["id"] not in taken
    ]

    def name(person: dict[str, Any]) -> tuple[str | None, str | None] | None:
        first, last = (
            _norm("voornaam", person.get("voornaam")),
            _norm("achternaam", person.get("achternaam")),
        )
        return (first, last) if last else None

    def email(person: dict[str, Any]) -> str | None:
        return _norm("email1", person.get("email1")) or None

    out = []
    for person in people:
        if not isinstance(person, dict) or person.get("id") not in (None, ""):
            out.append(person)
            continue
        match = next((e for e in free if name(person) and name(e) == name(person)), None)
        if match is None:
            match = next((e for e in free if email(person) and email(e) == email(person)), None)
        if match is None:
            out.append(person)
            continue
        free.remove(match)
        out.append({"id": match["id"], **{k: v for k, v in person.items() if k != "id"}})
    return out


def _unread(connector: str, record_id: str, why: Any) -> Message:
    return Message("recras.contacts_unread", connector=connector, id=record_id, why=why)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
