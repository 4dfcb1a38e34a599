"""Reading AFAS GetConnectors for lookups: many filters in few requests.

A lookup asks for the records whose fields equal a filter's values. Many filters go out as
few requests: they are OR'ed (``;`` between groups of ``filterfieldids``/``filtervalues``)
in groups whose URL-encoded query string stays under AFAS's limit (a query string over
about 2,049 characters gives 404). A value holding ``,`` or ``;`` cannot stand in
``filtervalues`` (those characters separate values and groups there): such filters go in
``filterjson``, AFAS's JSON form of the same filter (``Filter`` entries OR'ed, the ``Field``
entries of one filter AND'ed), in groups of their own under the same limit.

When the filters need several OR-requests, reading the whole GetConnector may be cheaper: a
first migration looks thousands of values up in a connector that holds a few hundred
records. Its size is not known in advance, so the reader starts a sorted, paged read of the
whole connector and abandons it once it has cost one request less than the OR-requests
would: the cost is then never more than about twice the cheaper way. Pages of a whole read
are sorted by the filters' fields; a page boundary that falls between two records that sort
alike with the records of a wanted filter abandons the whole read too (AFAS orders ties
arbitrarily per page, so one could repeat and another vanish; a tie of others, such as blank
KvK numbers, can hide none).

Ties: Profit's database (SQL Server) may compare without regard to case, trailing spaces,
accents and width, so records tie where their values are equal after all of that
(:func:`_loose`: ``'Onderhoud '``, ``'onderhoud'``, ``'Ónderhoud'``). A filtered read pages by
the same sort: a tie across one of its page boundaries has its filters asked again in a read
of their own (one page, when they are few); a filter whose records still fill pages that
tie cannot be read reliably, and its lookup fails with that reason.

Either way the rows returned are those matching some filter without regard to case (as
Profit's database compares); :mod:`importer.lookups` keeps the exact matches of each filter.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx

from importer.errors import LookupFailed, TargetError
from importer.messages import Message

Filter = dict[str, str]
Row = dict[str, Any]

QUERY_LIMIT = 2049  # AFAS answers 404 to a longer query string ("about 2049" characters)
MAX_QUERY = 2000  # the longest query string sent: a margin below AFAS's limit
# Rows per page of a filtered read: an OR-group of ~100 values answers in one page, and a
# child lookup by parent id (several records per value) mostly does too.
FILTERED_PAGE = 1000
# Rows per page of a whole read: about 0.5-1 MB of JSON per page, which Profit answers in
# seconds; a 10,000-record connector is 10 requests, the cost of OR-ing about 1,000 values.
WHOLE_PAGE = 1000
SEPARATORS = frozenset(",;")


def _encoded(text: str) -> int:
    """The length of ``text`` as a query value (httpx encodes as urlencode does)."""
    return len(urlencode({"": text})) - 1


def _needs_json(f: Filter) -> bool:
    return any(SEPARATORS & set(v) for v in f.values())


def _plain(filters: list[Filter]) -> dict[str, str]:
    return {
        "filterfieldids": ";".join(",".join(f) for f in filters),
        "filtervalues": ";".join(",".join(f.values()) for f in filters),
        "operatortypes": ";".join(",".join("1" for _ in f) for f in filters),
    }


def filterjson(filters: list[Filter]) -> str:
    """AFAS's ``filterjson``: one ``Filter`` per filter (OR), its fields AND'ed (operator 1)."""
    entries = [
        {
            "@FilterId": f"Filter {i}",
            "Field": [{"@FieldId": k, "@OperatorType": 1, "#text": v} for k, v in f.items()],
        }
        for i, f in enumerate(filters, 1)
    ]
    return json.dumps({"Filters": {"Filter": entries}}, ensure_ascii=False, separators=(",", ":"))


def _params(filters: list[Filter], as_json: bool) -> dict[str, str]:
    return {"filterjson": filterjson(filters)} if as_json else _plain(filters)


def _cost(f: Filter, as_json: bool) -> int:
    """About what one more filter adds to a group's query string."""
    if as_json:
        return _encoded(filterjson([f])) - _encoded('{"Filters":{"Filter":[]}}') + 6
    parts = (",".join(f), ",".join(f.values()), ",".join("1" for _ in f))
    return sum(_encoded(p) + 3 for p in parts)  # each with its ';' (%3B)


def query_length(params: dict[str, str]) -> int:
    """The URL-encoded query string's length, as sent."""
    return len(httpx.URL("http://h/", params=params).query)


def groups(filters: list[Filter], order: str) -> list[dict[str, str]]:
    """The query parameters of the OR-requests for ``filters`` (without skip and take): plain
    filters and those needing ``filterjson`` in groups of their own, each group's query
    string (with the largest skip and take it pages with) under the limit. LookupFailed when
    one filter alone is too long for a query."""
    return [params for params, _ in grouped(filters, order)]


def grouped(filters: list[Filter], order: str) -> list[tuple[dict[str, str], list[Filter]]]:
    """:func:`groups`, each with the filters it asks."""
    fixed = {"orderbyfieldids": order, "take": str(FILTERED_PAGE), "skip": "9999999"}
    budget = MAX_QUERY - 1 - query_length(fixed)
    found: list[tuple[dict[str, str], list[Filter]]] = []
    for as_json in (False, True):
        pending = [f for f in filters if _needs_json(f) == as_json]
        overhead = query_length(_params([], as_json))
        i = 0
        while i < len(pending):
            j, size = i, overhead  # as many as the estimate says fit ...
            while j < len(pending) and (j == i or size + _cost(pending[j], as_json) <= budget):
                size += _cost(pending[j], as_json)
                j += 1
            params = _params(pending[i:j], as_json)
            while j > i + 1 and query_length(params) > budget:  # ... less, if they do not
                j -= 1
                params = _params(pending[i:j], as_json)
            if query_length(params) > budget:
                value = next(iter(pending[i].values()), "")
                raise LookupFailed(
                    Message(
                        "afas.filter_too_long",
                        value=value,
                        length=query_length(params),
                        limit=budget,
                    )
                )
            found.append(({**params, "orderbyfieldids": order}, pending[i:j]))
            i = j
    return found


def order_of(filters: list[Filter]) -> list[str]:
    """The filters' fields, in the order first seen: what reads are sorted by."""
    return list(dict.fromkeys(field for f in filters for field in f))


def _folded(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).casefold()


def _loose(value: Any) -> str | None:
    """A value as a collation blind to case, trailing spaces, accents and width may compare it
    (what can tie in Profit's sort order)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKD", str(value))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().rstrip()


def _tied(one: Row, other: Row, fields: list[str]) -> bool:
    """Two rows that may sort alike (Profit orders them arbitrarily, page by page)."""
    return all(_loose(one.get(f)) == _loose(other.get(f)) for f in fields)


def _loosely(f: Filter, row: Row) -> bool:
    """The row may be one of the filter's records, or sort alike with them."""
    return all(_loose(row.get(k)) == _loose(v) for k, v in f.items())


def wanted(
    filters: list[Filter], key: Callable[[Any], str | None] = _folded
) -> Callable[[Row], bool]:
    """Whether a row matches some filter, without regard to case (as Profit compares; with
    ``key=_loose``: whether it may sort alike with the records of one)."""
    by_fields: dict[tuple[str, ...], set[tuple[str | None, ...]]] = {}
    for f in filters:
        by_fields.setdefault(tuple(f), set()).add(tuple(key(v) for v in f.values()))

    def matches(row: Row) -> bool:
        return any(
            tuple(key(row.get(k)) for k in fields) in values for fields, values in by_fields.items()
        )

    return matches


def _once(answers: list[list[Row]]) -> list[Row]:
    """The rows of several requests, a record that several answered (filters that differ
    only in case, in two requests) once: each request lists distinct records, so a record
    counts as often as one request lists rows like it."""
    counts: dict[str, int] = {}
    rows: list[Row] = []
    for answer in answers:
        here: dict[str, int] = {}
        for row in answer:
            key = json.dumps(row, sort_keys=True, default=str)
            here[key] = here.get(key, 0) + 1
            if here[key] > counts.get(key, 0):
                counts[key] = here[key]
                rows.append(row)
    return rows


Page = Callable[[dict[str, str]], list[Row]]
T = TypeVar("T")


class Reader:
    """Lookups of many filters in one GetConnector, by ``page(params)`` (one GET, its rows)
    with up to ``workers`` requests at a time."""

    def __init__(self, page: Page, workers: int, *, larger_than: int = 0):
        """``larger_than``: pages the connector is known to hold more than (a whole read of
        it was abandoned after so many): a whole read is not tried where it cannot be
        cheaper. After a lookup it says what this one learnt."""
        self.page, self.workers = page, max(1, workers)
        self.larger_than = larger_than

    def lookup(self, filters: list[Filter]) -> list[Row]:
        """The rows matching any of ``filters`` (see the module's notes)."""
        filters = list({tuple(f.items()): f for f in filters}.values())  # each asked once
        if not filters:
            return []
        fields = order_of(filters)
        requests = grouped(filters, ",".join(fields))
        if len(requests) - 1 > self.larger_than:
            try:
                whole = self.whole(fields, filters, pages=len(requests) - 1)
            except TargetError:
                raise  # the token refused, the host gone: nothing else will do
            except Exception:  # LookupFailed, or an odd record in some page
                whole = None  # (a shortcut only: the filters are asked as such)
            if whole is not None:
                return whole
        return _once(self._parallel(lambda group: self.read_all(*group), requests))

    def read_all(self, params: dict[str, str], filters: list[Filter]) -> list[Row]:
        """Every page of one filtered read of ``filters``. Records that tie across a page
        boundary (one may repeat, another vanish) are read again: the filters they may
        belong to in a read of their own, their rows instead of the first read's.
        LookupFailed when those are all the filters (no smaller read to make)."""
        fields = params["orderbyfieldids"].split(",")
        rows: list[Row] = []
        ties: list[Row] = []
        while True:
            page = self.page({**params, "take": str(FILTERED_PAGE), "skip": str(len(rows))})
            if page and rows and _tied(rows[-1], page[0], fields):
                ties.append(page[0])
            rows.extend(page)
            if len(page) < FILTERED_PAGE:
                break
        if not ties:
            return rows
        tied = [f for f in filters if any(_loosely(f, row) for row in ties)]
        if not tied or len(tied) == len(filters) or any(list(f) != fields for f in filters):
            value = ", ".join((tied or filters)[0].values())
            raise LookupFailed(Message("afas.lookup_tied", value=value, page=FILTERED_PAGE))
        again = _once([self.read_all(*group) for group in grouped(tied, params["orderbyfieldids"])])
        return [r for r in rows if not any(_loosely(f, r) for f in tied)] + again

    def whole(self, fields: list[str], filters: list[Filter], *, pages: int) -> list[Row] | None:
        """The rows matching ``filters`` in the whole connector, read sorted by ``fields``, if
        it takes at most ``pages`` pages (read in waves as large as what was read so far, at
        most ``workers``); None when it is larger, or when a page boundary falls within
        records that sort alike with those a filter asks for. Only the matching rows are kept
        as the pages come in."""
        order = ",".join(fields)
        matches, near = wanted(filters), wanted(filters, _loose)
        found: list[Row] = []
        last: Row | None = None  # the last row of the page before
        read = 0
        while read < pages:  # 1 page, then 1, 2, 4 ... at a time: the waste stays small
            wave = range(read, min(pages, read + min(self.workers, max(1, read))))
            params = [
                {"orderbyfieldids": order, "take": str(WHOLE_PAGE), "skip": str(i * WHOLE_PAGE)}
                for i in wave
            ]
            for page in self._parallel(self.page, params):
                read += 1
                if page and last is not None and _tied(last, page[0], fields) and near(page[0]):
                    return None  # a tie that paging may have cut: ask by filter instead
                found.extend(row for row in page if matches(row))
                if len(page) < WHOLE_PAGE:
                    return found
                last = page[-1]
        self.larger_than = max(self.larger_than, read)
        return None

    def _parallel(self, read: Callable[[T], list[Row]], params: list[T]) -> list[list[Row]]:
        """``read`` of each, in order, up to ``workers`` at a time."""
        if len(params) <= 1 or self.workers == 1:
            return [read(p) for p in params]
        with ThreadPoolExecutor(
            min(self.workers, len(params)), thread_name_prefix="lookup"
        ) as pool:
            return list(pool.map(read, params))
