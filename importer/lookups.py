"""Looking records up in the target: a row's filter, lookups in bulk, and their cache.

The answers of a run's lookups are cached by connector and filter, and a record the run
creates answers the lookups that would find it, so no row's record is inserted twice.

A step's lookups are asked in bulk before its rows are sent (:meth:`Lookups.prefetch_step`,
which the runner calls for each step of a group before any of its rows starts): the target
answers many filters in a few requests (:meth:`Lookups.prefetch`), and each filter keeps
exactly the records a lookup of it alone would keep (every field's text equal, case and spaces
included; several records stay several, for the row's rules to decide). A row whose filter was
not asked in bulk asks it alone when it is sent.

Children: a child whose parent row this run has just inserted cannot have a record yet, other
than one this run created (the cache answers first), so its ``match`` by ``parent.X`` is
otherwise answered "none" without asking (:meth:`Lookups.match`) — when the target says the
parent's insert surely made a new record (:meth:`Target.insert_makes_new`: an insert that
matches an existing record by a number, and updates it, may have found one with children). The
parents that exist before the run writes anything — in the journal, or found by their own bulk
``match`` — give their children's filters to ask in bulk (:meth:`Lookups.expected_ids`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from importer.errors import LookupFailed, TargetError
from importer.journal.store import Entry
from importer.mapping import Lookup, Match, Step
from importer.plan import Plan
from importer.records import text
from importer.results import Outcome, Status
from importer.targets import Target

Key = tuple[str, tuple[tuple[str, str], ...]]  # (connector, the filter's fields and values)


class Lookups:
    """The lookups of one run, answered from the target once."""

    def __init__(
        self,
        plan: Plan,
        target: Target,
        entries: dict[str, dict[str, Entry]] | None = None,
        key: Callable[[Step, int], str] | None = None,
    ):
        """``entries``: the journal's entries of each step as the run began, by row key
        (``key`` gives a row's), to tell what existed before the run wrote anything."""
        self.plan, self.target = plan, target
        self.entries = entries or {}
        self.key = key or (lambda step, n: f"row {n}")
        self.result = plan.result
        self.found: dict[Key, list[dict[str, Any]]] = {}
        self.made: set[Key] = set()  # the filters of records this run created
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
            parent_ids = self.result.parent_ids(step, n)
        values = {}
        for field, source in fields.items():
            value = parent_ids.get(source[7:]) if source.startswith("parent.") else row.get(source)
            if value is None:
                return None
            values[field] = text(value)
        return values

    def prefetch(self, asks: dict[str, list[dict[str, str]]]) -> None:
        """Look these filters up, each connector's in a few requests (side by side), so that
        the rows asking them later are answered from the cache. A TargetError when the
        target refuses the token or is gone; a failed lookup leaves each row to ask again
        (and fail with the reason)."""
        # One bulk lookup per connector and set of fields: a record that matches filters of
        # two lookups (a match and a find) comes back once for each.
        todo: dict[tuple[str, tuple[str, ...]], list[dict[str, str]]] = defaultdict(list)
        with self.found_lock:
            for connector, filters in asks.items():
                for key, f in {tuple(f.items()): f for f in filters}.items():
                    if (connector, key) not in self.found:
                        todo[(connector, tuple(f))].append(f)
        if len(todo) <= 1:
            for (connector, _), filters in todo.items():
                self._fetch(connector, filters)
            return
        with ThreadPoolExecutor(min(len(todo), 4), thread_name_prefix="lookups") as pool:
            connectors = [connector for connector, _ in todo]
            list(pool.map(self._fetch, connectors, todo.values()))  # (raises what one raised)

    def _fetch(self, connector: str, filters: list[dict[str, str]]) -> None:
        """Ask filters in bulk. A shortcut only: a TargetError (token refused, host gone)
        stops the run; anything else unexpected (an odd record in the answer) leaves each
        row to ask alone, and meet it there if it is the row's own."""
        try:
            rows = self.target.lookup(connector, filters)
        except LookupFailed:
            if len(filters) > 1:
                self._halves(connector, filters)
            return  # each row left asks again, and fails with the reason
        except TargetError:
            raise
        except Exception:  # anything else: each row asks alone
            return
        self.store(connector, filters, rows)

    def _halves(self, connector: str, filters: list[dict[str, str]]) -> None:
        """A bulk lookup the target refused: ask it again by halves, so that one value it
        cannot take (too long for a query, not a number) does not make every row ask alone.
        When both halves fail too, the fault is not one value's: their rows ask alone."""
        half = len(filters) // 2
        failed = []
        for part in (filters[:half], filters[half:]):
            try:
                rows = self.target.lookup(connector, part)
            except LookupFailed:
                failed.append(part)
                continue
            except TargetError:
                raise
            except Exception:  # as in _fetch: its rows ask alone
                continue
            self.store(connector, part, rows)
        if len(failed) == 1 and len(failed[0]) > 1:
            self._halves(connector, failed[0])

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
            self.made.add((step.match.connector, tuple(values.items())))

    def made_now(self, step: Step, n: int) -> bool:
        """Whether the record the row's ``match`` finds is one this run created (for another
        row with the same filter): no request of an earlier run made it."""
        values = self.filter(step, n) if step.match else None
        if step.match is None or values is None:
            return False
        with self.found_lock:
            return (step.match.connector, tuple(values.items())) in self.made

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

    def match(self, step: Step, n: int, entry: Entry | None) -> list[dict[str, Any]]:
        """The records the row's ``match`` finds. What the run knows comes first (a record
        it created: a second child of a new parent finds the first one's). Else a child
        whose parent this run has just created, surely as a new record, cannot have one yet:
        none, without asking (unless the row itself was sent before without an answer)."""
        assert step.match is not None
        values = self.filter(step, n)
        if values is None:
            return []
        cached = self.cached(step.match.connector, values)
        if cached is not None:
            return cached
        planned = self.result.outcomes[step.name][n]
        ids = step.match.parent_ids()
        if (
            step.parent
            and ids
            and planned.parent_row is not None
            and not (entry and entry.state.may_exist)
            and self._made_new(step.parent.step, planned.parent_row, ids)
        ):
            return []
        return self.query(step.match.connector, values)

    def _made_new(self, name: str, n: int, ids: list[str]) -> bool:
        """The row's record was inserted by this run, and the target says that insert surely
        made these ids' records new (not an existing one it matched and updated)."""
        if not self._inserted(name, n):
            return False
        outcome = self.result.outcomes[name][n]
        lead = self.result.outcomes[name][outcome.leader] if outcome.leader is not None else outcome
        connector = self.result.mapping.step(name).connector
        return self.target.insert_makes_new(connector, lead.json(), ids)

    def _inserted(self, name: str, n: int) -> bool:
        """The row's record was inserted by this run: created now, and not a record the
        journal knew (or may have known) when the run began."""
        outcome = self.result.outcomes[name][n]
        if outcome.status != Status.CREATED or outcome.earlier:
            return False
        step = self.result.mapping.step(name)
        lead = outcome.leader if outcome.leader is not None else n
        entry = self.entries.get(name, {}).get(self.key(step, lead))
        return not (entry and (entry.state.kept or entry.state.may_exist))

    def prefetch_step(self, step: Step) -> None:
        """Look up in bulk what the step's rows will ask, before they are sent: for every row
        not done (unknown rows to reconcile too) its ``match`` (by its parent's ids when the
        parent exists already: found by its own lookup or done in an earlier run), and, when
        nothing this run sends can change their answer (the row's parent is not sent with it),
        its ``find`` and parent lookups. Call it for a parent step before its children's."""
        asks: dict[str, list[dict[str, str]]] = defaultdict(list)
        for n in self.plan.records[step.name]:
            planned = self.result.outcomes[step.name][n]
            entry = self.entries.get(step.name, {}).get(self.key(step, n))
            if planned.status != Status.PLANNED or (entry and entry.state.kept):
                continue  # decided already, or done in an earlier run
            wanted: list[Match | Lookup] = [step.match] if step.match else []
            if not self._parent_pending(step, planned):
                wanted.extend(step.find.values())
                record = self.plan.records[step.name][n]
                if record.parent_key is not None and step.parent and step.parent.lookup:
                    wanted.append(step.parent.lookup)
            parent_ids: dict[str, str] | None = {}
            if any(v.startswith("parent.") for lookup in wanted for v in lookup.filter.values()):
                parent_ids = self.expected_parent_ids(step, n)
            for lookup in wanted:
                by_parent = any(v.startswith("parent.") for v in lookup.filter.values())
                if by_parent and parent_ids is None:
                    continue  # the parent's ids are known once it is sent: asked alone then
                values = self.values(step, n, lookup.filter, parent_ids or {})
                if values is not None:
                    asks[lookup.connector].append(values)
        self.prefetch(asks)

    def _parent_pending(self, step: Step, planned: Outcome) -> bool:
        """The row's parent row is still to be sent (in the same group of steps)."""
        if not step.parent or planned.parent_row is None:
            return False
        return self.result.outcomes[step.parent.step][planned.parent_row].status == Status.PLANNED

    def expected_parent_ids(self, step: Step, n: int) -> dict[str, str] | None:
        """The ids the row's parent has in the target before this run writes anything
        (``{}``: the row has no parent row); None when they are not known yet."""
        planned = self.result.outcomes[step.name][n]
        if not step.parent or planned.parent_row is None:
            return {}
        return self.expected_ids(self.result.mapping.step(step.parent.step), planned.parent_row)

    def expected_ids(self, step: Step, n: int) -> dict[str, str] | None:
        """The ids a row's record has in the target before this run writes anything, if it
        is known to exist: done (in an earlier run, or already in this one, not inserted
        now), in the journal, or found by its step's bulk ``match`` (one record, linked or
        updated). None otherwise: new, not yet looked up, or inserted by this run."""
        outcome = self.result.outcomes[step.name][n]
        if outcome.status != Status.PLANNED:
            exists = outcome.status.exists and outcome.ids and not self._inserted(step.name, n)
            return dict(outcome.ids) if exists else None
        entry = self.entries.get(step.name, {}).get(self.key(step, n))
        if entry and entry.state.kept:
            return dict(entry.ids) if entry.ids else None
        match = step.match
        unanswered = entry is not None and entry.state.may_exist  # found: created, linked
        if match is None or not (unanswered or match.on_found in ("link", "update")):
            return None
        parent_ids = self.expected_parent_ids(step, n)
        values = self.filter(step, n, parent_ids) if parent_ids is not None else None
        found = self.cached(match.connector, values) if values is not None else None
        if not found or len(found) != 1:
            return None
        ids = {k: text(found[0][f]) for k, f in match.ids.items() if found[0].get(f) is not None}
        return ids or None
