"""What a target accepts: the seam every target's contract check speaks through.

Each target package states its own system's rules (from the system's field listings or its
API's documented rules) and reports what a body breaks as :class:`Violation`s;
planning turns them into the row's problems before anything is sent.

A body planned before its parent is sent holds a placeholder where the parent's id will be
(``<DbId of verkooprelaties row 2>``, :data:`PLACEHOLDER`): an id only the target can give.
It is what it is, not a value too long for its field; a contract may let it pass, and
planning disregards what a contract says of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from importer.messages import Message

PLACEHOLDER = re.compile(r"<\w+ of [^<>]+>")  # an id only the target can give


def is_placeholder(value: Any) -> bool:
    """Whether a value is a placeholder for an id only the target can give."""
    return value.__class__ is str and PLACEHOLDER.fullmatch(value) is not None


@dataclass(frozen=True)
class Violation:
    """One problem in a body: where (``path``), which field or object, the value, and why."""

    path: str
    field: str
    value: Any
    message: Message
    kind: str = ""

    def __str__(self) -> str:
        return str(self.message)


class Contract(Protocol):
    """What one connector (or endpoint) of a target accepts."""

    connector: str
    source: str  # where the rules came from, for the workbook: "shipped catalog", ...

    def violations(self, body: Any, action: str = "insert") -> list[Violation]:
        """Everything the target would refuse in ``body`` sent as ``action``: ``"insert"``,
        ``"update"`` (the body holds what changes: fields only an insert needs are not
        demanded; the record's ids are the client's to add) or ``"delete"``."""
        ...
