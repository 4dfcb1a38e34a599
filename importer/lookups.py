"""Looking records up in the target: a row's filter, batched lookups, and their cache.

The answers of a run's lookups are cached by connector and filter, and a record the run
creates answers the lookups that would find it, so no row's record is inserted twice.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from importer.errors import LookupFailed
from importer.mapping import Step
from importer.plan import Plan
from importer.targets import Target


class Lookups:
    """The lookups of one run, answered from the target once."""

    def __init__(self, plan: Plan, target: Target):
        self.plan, self.target = plan, target
        self.result = plan.result
        self.found: dict[tuple[str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
        self.found_lock = threading.Lock()

    def filter(self, step: Step, n: int) -> dict[str, str] | None:
        """The ``match`` filter of a row, or None when a value it needs is blank."""
        assert step.match is not None
        return self.values(step, n, step.match.filter)

    def values(self, step: Step, n: int, fields: dict[str, str]) -> dict[str, str] | None:
        """Lookup values from the row's columns (or ``parent.X``); None when one is blank."""
        row = self.plan.data[step.name].rows[n]
        parent_ids: dict[str, str] = {}
        planned = self.result.outcomes[step.name][n]
        if step.parent and planned.parent_row is not None:
            parent_ids = self.result.outcomes[step.parent.step][planned.parent_row].ids
        values = {}
        for field, source in fields.items():
            value = parent_ids.get(source[7:]) if source.startswith("parent.") else row.get(source)
            if value is None:
                return None
            values[field] = text(value)
        return values

    def prefetch(self, step: Step, numbers: Iterable[int]) -> None:
        """Look these rows of a step up in a few batched requests (a TargetError when the target
        refuses the token or is gone; a failed lookup leaves each row to ask again)."""
        assert step.match is not None
        filters = []
        for n in numbers:
            found = self.filter(step, n)
            if found is not None:
                filters.append(found)
        if not filters:
            return
        try:
            rows = self.target.lookup(step.match.connector, filters)
        except LookupFailed:
            return  # each row asks again, and fails with the reason
        fields = list(step.match.filter)
        index: dict[tuple[tuple[str, str], ...], list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            index[tuple((f, text(row.get(f))) for f in fields)].append(row)
        with self.found_lock:
            for f in filters:
                cache_key = (step.match.connector, tuple(f.items()))
                self.found[cache_key] = index.get(tuple(f.items()), [])

    def remember(self, step: Step, n: int, ids: dict[str, str]) -> None:
        """A record just created answers later lookups with the same filter (no duplicate)."""
        assert step.match is not None
        values = self.filter(step, n)
        if values is None:
            return
        row = {
            **values,
            **{field: ids[name] for name, field in step.match.ids.items() if name in ids},
        }
        with self.found_lock:
            self.found[(step.match.connector, tuple(values.items()))] = [row]

    def lookup(self, step: Step, n: int) -> list[dict[str, Any]]:
        assert step.match is not None
        values = self.filter(step, n)
        return self.query(step.match.connector, values) if values is not None else []

    def query(self, connector: str, values: dict[str, str]) -> list[dict[str, Any]]:
        """Records of a read connector whose fields equal ``values`` (cached per run)."""
        cache_key = (connector, tuple(values.items()))
        with self.found_lock:
            if cache_key in self.found:
                return self.found[cache_key]
        rows = self.target.lookup(connector, [values])
        exact = [r for r in rows if all(text(r.get(f)) == v for f, v in values.items())]
        with self.found_lock:
            self.found[cache_key] = exact
        return exact


def text(value: Any) -> str:
    """A value as lookups compare it and the journal keys it (a date in ISO form, 7.0 as 7)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
