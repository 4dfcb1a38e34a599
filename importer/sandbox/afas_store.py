"""What the AFAS sandbox holds: records per kind, in memory or in a SQLite file, and transactions.

Kinds and their keys: ``debtors`` (DbId: sales relations of organisations and persons),
``organisations`` (BcCo), ``persons`` (BcCo), ``projects`` (PrId) and ``salesorders`` (OrNu). A
record is a plain JSON-able dict holding its key, ``fields`` (the data fields as last sent, cleared
fields removed) and, per kind, ``objects`` (nested objects such as addresses, each
``{"fields": ...}``), ``BcCo``/``BcId`` or ``lines`` (each ``{"GuLi", "fields"}``). An address
list is the record's history: the last one is current, each earlier one holds ``"until"``, the
BeginDate of the address that replaced it (a move).
``state.debtors`` and the other kinds are dicts key -> record.

Every request is handled in a :class:`Tx` (one transaction: all of a request's elements or none of
them); :meth:`AfasState.commit` applies it and, with a SQLite file, writes the changed records.
Records written straight into the dicts (``state.debtors["1"] = {...}``, as tests do) are held in
memory only; :meth:`AfasState.put` also writes them to the file. ``state.requests`` (every write
request received) and ``state.reads`` (every GetConnector and metainfo request) are never written
to the file, nor is ``state.deleted`` (each record a DELETE removed, with what it held).

Threads: the app runs in uvicorn's event-loop thread while tests read from the main thread. The
app holds ``state.lock`` (re-entrant) for the whole of a request; readers that want a consistent
view take it too, or use :meth:`AfasState.records`, which copies under it.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping
from os import PathLike
from pathlib import Path
from typing import Any

from importer.sandbox.afas_countries import PROFIT_COUNTRIES

# kind -> the field that keys its records
KINDS: dict[str, str] = {
    "debtors": "DbId",
    "organisations": "BcCo",
    "persons": "BcCo",
    "projects": "PrId",
    "salesorders": "OrNu",
}
# Numbers the sandbox hands out: first value, and the kinds whose keys a new number must avoid.
# Organisations and persons share one BcCo range in Profit.
COUNTERS: dict[str, tuple[int, tuple[str, ...]]] = {
    "DbId": (10000, ("debtors",)),
    "BcCo": (100000, ("organisations", "persons")),
    "BcId": (2000, ()),
    "PrId": (97000, ("projects",)),
    "OrNu": (60000001, ("salesorders",)),
}
# The sandbox environment's project groups (compared case-insensitively): ALG, FLEX of the
# samples and CON of AFAS's own PtProject examples.
PROJECT_GROUPS = frozenset({"ALG", "FLEX", "CON"})
# The code tables a sandbox can be told (``importer sandbox --codes``): countries are Profit's
# own codes (``afas_countries.PROFIT_COUNTRIES``) and items are taken as sent unless given.
CODE_TABLES = ("project_groups", "countries", "items")

Record = dict[str, Any]


class AfasState:
    """What the sandbox environment holds; ``AfasState(path)`` keeps it in a SQLite file."""

    def __init__(
        self,
        path: str | PathLike[str] | None = None,
        *,
        project_groups: Iterable[str] = PROJECT_GROUPS,
        countries: Iterable[str] | None = PROFIT_COUNTRIES,
        items: Iterable[str] | None = None,
    ):
        self.debtors: dict[str, Record] = {}
        self.organisations: dict[str, Record] = {}
        self.persons: dict[str, Record] = {}
        self.projects: dict[str, Record] = {}
        self.salesorders: dict[str, Record] = {}
        self.requests: list[dict[str, Any]] = []  # POST, PUT and DELETE, refused ones too
        self.deleted: list[dict[str, Any]] = []  # {"kind", "key", "record"}: each record deleted
        self.reads: list[dict[str, Any]] = []  # GET: GetConnectors and metainfo
        self.counters: dict[str, int] = {}
        self.project_groups = frozenset(group.upper() for group in project_groups)
        # None: any value goes (not every code table of Profit is imitated); countries are
        # Profit's own codes (``afas_countries``) unless the environment's are given
        self.countries = frozenset(c.upper() for c in countries) if countries is not None else None
        self.items = frozenset(i.upper() for i in items) if items is not None else None
        self.lock = threading.RLock()
        self.path = path
        self._store = _SqliteStore(path) if path is not None else None
        if self._store is not None:
            self._store.load(self)

    @classmethod
    def open(cls, path: str | PathLike[str], **options: Any) -> AfasState:
        """The state kept in the SQLite file at ``path`` (created when missing)."""
        return cls(path, **options)

    def use_codes(self, codes: Mapping[str, Iterable[str]]) -> None:
        """Take the environment's code tables (see :func:`read_codes`); a table not given
        stays as it is."""
        for table, values in codes.items():
            setattr(self, table, frozenset(str(v).strip().upper() for v in values))

    def table(self, kind: str) -> dict[str, Record]:
        if kind not in KINDS:
            raise KeyError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
        return getattr(self, kind)

    def received(self, connector: str, method: str | None = None) -> list[Any]:
        """Bodies received for a connector (also those that were refused), of one method
        (``"POST"``, ``"PUT"``) when given; a DELETE's body is None (see ``paths``)."""
        with self.lock:
            return [
                r["body"]
                for r in self.requests
                if r["connector"] == connector and method in (None, r["method"])
            ]

    def elements(self, connector: str, method: str | None = None) -> list[Any]:
        """Each record received for a connector, as :meth:`received` but with the records of
        a request of several (an ``Element`` list) one by one, in order."""
        found: list[Any] = []
        for body in self.received(connector, method):
            node = body.get(connector) if isinstance(body, dict) else None
            element = node.get("Element") if isinstance(node, dict) else None
            found.extend(element if isinstance(element, list) else [element])
        return found

    def paths(self, method: str, connector: str | None = None) -> list[str]:
        """The paths of the write requests of a method (``"DELETE"``), oldest first."""
        with self.lock:
            return [
                r["path"]
                for r in self.requests
                if r["method"] == method and connector in (None, r["connector"])
            ]

    def records(self) -> dict[str, list[Record]]:
        """A copy of every record, per kind, in the order they were first stored."""
        with self.lock:
            return {kind: copy.deepcopy(list(self.table(kind).values())) for kind in KINDS}

    def put(self, kind: str, record: Record) -> None:
        """Store (or replace) a record, e.g. data that 'already exists in Profit' for a test."""
        key = str(record[KINDS[kind]])
        with self.lock:
            self.table(kind)[key] = record
            if self._store is not None:
                self._store.save([(kind, key, record)], self.counters)

    def reset(self) -> None:
        """Forget every record, number and received request."""
        with self.lock:
            for kind in KINDS:
                self.table(kind).clear()
            self.counters.clear()
            self.requests.clear()
            self.reads.clear()
            self.deleted.clear()
            if self._store is not None:
                self._store.clear()

    def transaction(self) -> Tx:
        return Tx(self)

    def commit(self, tx: Tx) -> None:
        """Apply a transaction's changes, and write them to the SQLite file if there is one."""
        with self.lock:
            changes = []
            for kind, key in tx.dirty:
                record = tx.work[(kind, key)]
                if record is None:
                    gone = self.table(kind).pop(key, None)
                    if gone is not None:
                        self.deleted.append({"kind": kind, "key": key, "record": gone})
                else:
                    self.table(kind)[key] = record
                changes.append((kind, key, record))
            self.counters = dict(tx.counters)
            if self._store is not None:
                self._store.save(changes, self.counters)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


class Tx:
    """One request's changes, kept apart from the state until committed.

    ``find`` reads (never change what it returns), ``edit`` gives a copy that will be saved,
    ``put`` stores a new record, ``delete`` removes one, ``scan`` reads every record of a kind.
    """

    def __init__(self, state: AfasState):
        self.state = state
        self.work: dict[tuple[str, str], Record | None] = {}
        self.dirty: list[tuple[str, str]] = []
        self.counters = dict(state.counters)

    def find(self, kind: str, key: Any) -> Record | None:
        if key is None:
            return None
        slot = (kind, str(key))
        if slot in self.work:
            return self.work[slot]
        return self.state.table(kind).get(str(key))

    def edit(self, kind: str, key: Any) -> Record | None:
        record = self.find(kind, key)
        if record is None:
            return None
        slot = (kind, str(key))
        if slot not in self.dirty:
            record = copy.deepcopy(record)
            self._mark(slot, record)
        return record

    def put(self, kind: str, record: Record) -> None:
        self._mark((kind, str(record[KINDS[kind]])), record)

    def delete(self, kind: str, key: str) -> None:
        self._mark((kind, str(key)), None)

    def scan(self, kind: str) -> Iterator[Record]:
        table = self.state.table(kind)
        for key, record in table.items():
            current = self.work.get((kind, key), record)
            if current is not None:
                yield current
        for (other, key), changed in list(self.work.items()):
            if other == kind and key not in table and changed is not None:
                yield changed

    def next_id(self, name: str) -> str:
        """The next free number of a counter (DbId, BcCo, BcId, PrId, OrNu)."""
        start, kinds = COUNTERS[name]
        number = self.counters.get(name, start)
        while any(self.find(kind, str(number)) is not None for kind in kinds):
            number += 1
        self.counters[name] = number + 1
        return str(number)

    def _mark(self, slot: tuple[str, str], record: Record | None) -> None:
        self.work[slot] = record
        if slot not in self.dirty:
            self.dirty.append(slot)


class _SqliteStore:
    """Records as JSON in one SQLite table, plus the counters; written after every commit."""

    def __init__(self, path: str | PathLike[str]):
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS records (kind TEXT NOT NULL, key TEXT NOT NULL, "
                "data TEXT NOT NULL, PRIMARY KEY (kind, key))"
            )
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL)"
            )

    def load(self, state: AfasState) -> None:
        rows = self._db.execute("SELECT kind, key, data FROM records ORDER BY rowid")
        for kind, key, data in rows:
            if kind in KINDS:
                state.table(kind)[key] = json.loads(data)
        state.counters = dict(self._db.execute("SELECT name, next FROM counters"))

    def save(self, changes: list[tuple[str, str, Record | None]], counters: dict[str, int]) -> None:
        with self._db:
            for kind, key, record in changes:
                if record is None:
                    self._db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
                else:
                    self._db.execute(
                        "INSERT INTO records (kind, key, data) VALUES (?, ?, ?) "
                        "ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data",
                        (kind, key, json.dumps(record, ensure_ascii=False)),
                    )
            self._db.executemany(
                "INSERT OR REPLACE INTO counters (name, next) VALUES (?, ?)", counters.items()
            )

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM records")
            self._db.execute("DELETE FROM counters")

    def close(self) -> None:
        self._db.close()


def read_codes(path: str | PathLike[str]) -> dict[str, frozenset[str]]:
    """The code tables of a YAML file: ``project_groups``, ``countries``, ``items``, each a
    list of codes or a mapping of code to description. ValueError saying what is wrong."""
    import yaml  # only when a file is given

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected tables such as 'project_groups: [ALG, CON]'")
    unknown = sorted(str(k) for k in data if k not in CODE_TABLES)
    if unknown:
        raise ValueError(
            f"{path}: no code table {', '.join(unknown)}; known: {', '.join(CODE_TABLES)}"
        )
    tables: dict[str, frozenset[str]] = {}
    for table, values in data.items():
        if not isinstance(values, list | dict) or not all(isinstance(v, str | int) for v in values):
            raise ValueError(f"{path}: {table} must be a list of codes (or code: description)")
        tables[table] = frozenset(str(v).strip().upper() for v in values)
    return tables
