"""Looking records up in the target: a row's filter, lookups in bulk, and their cache.

The answers of a run's lookups are cached by connector and filter, and a record the run
creates answers the lookups that would find it, so no row's record is inserted twice. A step's
lookups are asked in bulk before its rows are sent (:meth:`Lookups.prefetch`, gathered by
:meth:`importer.reconcile.Reconciler.prefetch`): the target answers many filters in a few
requests, and each filter keeps exactly the records a lookup of it alone would keep (every
field's text equal, case and spaces included; several records stay several, for the row's
rules to decide). A row whose filter was not asked in bulk asks it alone.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from importer.errors import LookupFailed
from importer.mapping import Step
from importer.plan import Plan
from importer.targets import Target

Key = tuple[str, tuple[tuple[str, str], ...]]  # (connector, the filter's fields and values)


class Lookups:
    """The lookups of one run, answered from the target once."""

    def __init__(self, plan: Plan, target: Target):
        self.plan, self.target = plan, target
        self.result = plan.result
        self.found: dict[Key, list[dict[str, Any]]] = {}
        self.found_lock = threading.Lock()

    def filter(
        self, step: Step, n: int, parent_ids: dict[str, str] | None = None
    ) -> dict[str, str] | None:
        """The ``match`` filter of a row, or None when a value it needs is blank."""
        assert step.match is not None
        return self.values(step, n, step.match.filter, parent_ids)

    def values(
        self,
        step: Step,
        n: int,
        fields: dict[str, str],
        parent_ids: dict[str, str] | None = None,
    ) -> dict[str, str] | None:
        """Lookup values from the row's columns (or ``parent.X``: the ids the parent row got,
        or ``parent_ids`` when given); None when one is blank."""
        row = self.plan.data[step.name].rows[n]
        if parent_ids is None:
            parent_ids = {}
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

    def prefetch(self, asks: dict[str, list[dict[str, str]]]) -> None:
        """Look these filters up, each connector's in a few requests (the connectors side by
        side), so that the rows asking them later are answered from the cache. A TargetError
        when the target refuses the token or is gone; a failed lookup leaves each row to ask
        again (and fail with the reason)."""
        todo: dict[str, list[dict[str, str]]] = {}
        with self.found_lock:
            for connector, filters in asks.items():
                distinct = {tuple(f.items()): f for f in filters}
                wanted = [f for k, f in distinct.items() if (connector, k) not in self.found]
                if wanted:
                    todo[connector] = wanted
        if len(todo) <= 1:
            for connector, filters in todo.items():
                self._fetch(connector, filters)
            return
        with ThreadPoolExecutor(min(len(todo), 4), thread_name_prefix="lookups") as pool:
            list(pool.map(self._fetch, todo, todo.values()))  # (raises what one raised)

    def _fetch(self, connector: str, filters: list[dict[str, str]]) -> None:
        try:
            rows = self.target.lookup(connector, filters)
        except LookupFailed:
            return  # each row asks again, and fails with the reason
        self.store(connector, filters, rows)

    def store(
        self, connector: str, filters: list[dict[str, str]], rows: list[dict[str, Any]]
    ) -> None:
        """Cache each filter's exact matches among ``rows`` (what a single lookup keeps)."""
        indexes: dict[tuple[str, ...], dict[tuple[str, ...], list[dict[str, Any]]]] = {}
        for fields in {tuple(f) for f in filters}:
            index: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                if all(row.get(f) is not None for f in fields):
                    index[tuple(text(row[f]) for f in fields)].append(row)
            indexes[fields] = index
        with self.found_lock:
            for f in filters:
                answer = indexes[tuple(f)].get(tuple(f.values()), [])
                self.found.setdefault((connector, tuple(f.items())), answer)

    def cached(self, connector: str, values: dict[str, str]) -> list[dict[str, Any]] | None:
        """The answer this run has for a filter, without asking (None: not asked yet)."""
        with self.found_lock:
            return self.found.get((connector, tuple(values.items())))

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
        cached = self.cached(connector, values)
        if cached is not None:
            return cached
        rows = self.target.lookup(connector, [values])
        self.store(connector, [values], rows)
        return self.cached(connector, values) or []


def text(value: Any) -> str:
    """A value as lookups compare it and the journal keys it (a date in ISO form, 7.0 as 7)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
