"""Several records in one UpdateConnector request: the body, the reply's list, the culprits.

AFAS takes a list as an ``Element``: "several records in one call, checked and then processed
as one transaction", the reply holding a list under the connector's name, in order. So the
records of a batch are created all together or not at all, and a refusal is about the
request, not a record: Profit's message does not say which element it means. It often quotes
the value it refuses (``Projectgroep 'X' bestaat niet.``, ``de waarde 'Q' is niet
toegestaan``); a quoted value that occurs in one element only names that element, which the
runner then sends alone first (:mod:`importer.batches`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# A value a message quotes: 'X' or "X" (Profit's messages use single quotes).
QUOTED = re.compile(r"'([^'\n]{1,200})'|\"([^\"\n]{1,200})\"")


def merged(connector: str, bodies: list[Any]) -> dict[str, Any]:
    """One body of several records: ``{"<Name>": {"Element": [e1, e2, ...]}}``.

    Each body must be one record's (``{"<Name>": {"Element": {...}}}``): ValueError otherwise,
    so that such a body is sent on its own."""
    elements = []
    for body in bodies:
        node = body.get(connector) if isinstance(body, dict) and len(body) == 1 else None
        element = node.get("Element") if isinstance(node, dict) and len(node) == 1 else None
        if not isinstance(element, dict):
            raise ValueError(
                f"a body of {connector} that is not one record ({{{connector!r}: {{'Element': "
                "{...}}}) cannot go in a batch"
            )
        elements.append(element)
    return {connector: {"Element": elements}}


def records(connector: str, data: Any) -> tuple[dict[str, str], ...]:
    """Each record's key fields from ``{"results": {"<Name>": [{...}, ...]}}`` (or without
    ``results``), in order; ``()`` when the reply holds no such list."""
    results = data.get("results", data) if isinstance(data, dict) else None
    entries = results.get(connector) if isinstance(results, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        return ()
    return tuple(
        {k: str(v) for k, v in entry.items() if v is not None and not isinstance(v, dict | list)}
        for entry in entries
    )


def culprits(message: str, elements: list[Any]) -> tuple[int, ...]:
    """The elements a refusal seems to be about: those holding a value the message quotes
    that no other element holds (by their place in the request)."""
    quoted = {a or b for a, b in QUOTED.findall(message)}
    quoted = {q.strip() for q in quoted if q.strip()}
    if not quoted:
        return ()
    holders: dict[str, set[int]] = {q: set() for q in quoted}
    for i, element in enumerate(elements):
        for value in _values(element):
            if value in holders:
                holders[value].add(i)
    return tuple(sorted({next(iter(found)) for found in holders.values() if len(found) == 1}))


def _values(node: Any) -> Iterator[str]:
    """Every value of a body as text (its leaves; keys aside)."""
    if isinstance(node, dict):
        for value in node.values():
            yield from _values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item)
    elif node is not None and not isinstance(node, bool):
        yield str(node).strip()
