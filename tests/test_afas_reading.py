"""Lookups of many filters in AFAS GetConnectors: OR-groups under the query limit, filterjson
for values holding ',' or ';', whole reads when cheaper, answered over the sandbox's own
GetConnectors (importer.sandbox.afas_get), which imitate AFAS's filters."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import httpx
import pytest

from importer.errors import AuthenticationError, LookupFailed
from importer.sandbox import afas_get
from importer.sandbox.afas_store import AfasState
from importer.targets.afas import reading
from importer.targets.afas.reading import QUERY_LIMIT, Reader, filterjson, groups


def debtor(state: AfasState, db_id: str, **fields: Any) -> None:
    state.put("debtors", {"DbId": db_id, "BcCo": None, "fields": fields})


def project(state: AfasState, pr_id: str, db_id: str, description: str) -> None:
    state.put("projects", {"PrId": pr_id, "fields": {"DbId": db_id, "Ds": description}})


class Sandbox:
    """One GetConnector of the sandbox, each GET as AFAS would answer it (and counted)."""

    def __init__(self, state: AfasState, connector: str):
        self.state, self.connector, self.asked = state, connector, []

    def page(self, params: dict[str, str]) -> list[dict[str, Any]]:
        query = httpx.URL("http://h/", params=params).query
        assert len(query) <= QUERY_LIMIT  # AFAS answers 404 above
        self.asked.append(params)
        sent = dict(httpx.QueryParams(query.decode()))  # as the server reads it back
        return afas_get.query(self.state, self.connector, sent)["rows"]


def sent_filters(params: dict[str, str]) -> list[dict[str, str]]:
    """The filters one request asks for, read back as the sandbox reads them."""
    connector = afas_get.GET_CONNECTORS["Profit_Projects"]
    return [
        {c.field.id: c.value for c in group if c.operator == 1}
        for group in afas_get.parse_filters(connector, params)
    ]


def test_many_filters_go_out_in_few_requests_each_under_the_query_limit():
    filters = [{"DebtorId": f"{10000 + i}", "Description": f"Overeenkomst {i}"} for i in range(400)]

    requests = groups(filters, "DebtorId,Description")

    assert 10 <= len(requests) <= 25  # ~20 filters of ~90 characters per request
    for params in requests:
        full = {**params, "take": "1000", "skip": "9999999"}
        assert len(httpx.URL("http://h/", params=full).query) <= QUERY_LIMIT
        assert params["orderbyfieldids"] == "DebtorId,Description"
    asked = [f for params in requests for f in sent_filters(params)]
    assert asked == filters  # each once, in order, read back exactly


def test_values_holding_a_comma_or_semicolon_go_in_filterjson_as_afas_documents():
    filters = [
        {"DebtorId": "10001", "Description": "Detachering, flex"},
        {"DebtorId": "10002", "Description": "plain"},
        {"DebtorId": "10003", "Description": "a;b"},
    ]

    plain, as_json = groups(filters, "DebtorId")

    assert plain["filtervalues"] == "10002,plain"
    assert "filterjson" not in plain
    assert set(as_json) == {"filterjson", "orderbyfieldids"}
    assert json.loads(as_json["filterjson"]) == {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": "Filter 1",
                    "Field": [
                        {"@FieldId": "DebtorId", "@OperatorType": 1, "#text": "10001"},
                        {
                            "@FieldId": "Description",
                            "@OperatorType": 1,
                            "#text": "Detachering, flex",
                        },
                    ],
                },
                {
                    "@FilterId": "Filter 2",
                    "Field": [
                        {"@FieldId": "DebtorId", "@OperatorType": 1, "#text": "10003"},
                        {"@FieldId": "Description", "@OperatorType": 1, "#text": "a;b"},
                    ],
                },
            ]
        }
    }
    assert sent_filters(as_json) == [filters[0], filters[2]]


def test_filterjson_groups_are_cut_to_stay_under_the_limit_too():
    filters = [{"Description": f"Overeenkomst {i}, flex"} for i in range(200)]

    requests = groups(filters, "Description")

    assert len(requests) > 5 and all("filterjson" in p for p in requests)
    for params in requests:
        full = {**params, "take": "1000", "skip": "9999999"}
        assert len(httpx.URL("http://h/", params=full).query) <= QUERY_LIMIT
    assert [f for p in requests for f in sent_filters(p)] == filters


def test_a_filter_too_long_for_any_query_fails_with_the_reason():
    with pytest.raises(LookupFailed) as caught:
        groups([{"Description": "x" * 2100}], "Description")
    assert "more than the 1" in str(caught.value)


def test_filterjson_builds_one_filter_entry_per_filter():
    assert filterjson([{"A": "1"}]) == (
        '{"Filters":{"Filter":[{"@FilterId":"Filter 1","Field":'
        '[{"@FieldId":"A","@OperatorType":1,"#text":"1"}]}]}}'
    )


def test_a_small_connector_is_read_whole_in_one_request_instead_of_many_or_requests():
    state = AfasState()
    for i in range(50):
        debtor(state, f"{20000 + i}")
    target = Sandbox(state, "Profit_Debtor")
    filters = [{"DebtorId": f"{20000 + i}"} for i in range(0, 600, 2)]  # ~3 OR-requests

    rows = Reader(target.page, workers=4).lookup(filters)

    assert len(target.asked) == 1
    assert "filterfieldids" not in target.asked[0]  # the whole connector, sorted
    assert target.asked[0]["orderbyfieldids"] == "DebtorId"
    assert sorted(r["DebtorId"] for r in rows) == [f"{20000 + i}" for i in range(0, 50, 2)]


def larger_than_the_filters(monkeypatch) -> tuple[Sandbox, list[dict[str, str]]]:
    """100 debtors in pages of 5 (20 pages), and 300 filters naming them (and 200 others)."""
    monkeypatch.setattr(reading, "WHOLE_PAGE", 5)
    state = AfasState()
    for i in range(100):
        debtor(state, f"{30000 + i}")
    return Sandbox(state, "Profit_Debtor"), [{"DebtorId": f"{30000 + i}"} for i in range(300)]


def test_a_large_connector_is_abandoned_after_costing_what_the_or_requests_would(monkeypatch):
    target, filters = larger_than_the_filters(monkeypatch)
    ors = len(groups(filters, "DebtorId"))
    assert ors >= 2

    rows = Reader(target.page, workers=2).lookup(filters)

    whole = [p for p in target.asked if "filterfieldids" not in p]
    assert len(whole) <= ors  # abandoned (a wave may read one page more than needed)
    assert len(target.asked) - len(whole) == ors
    assert sorted(r["DebtorId"] for r in rows) == [f"{30000 + i}" for i in range(100)]


def test_one_filter_is_asked_as_a_filter_never_by_a_whole_read():
    state = AfasState()
    debtor(state, "10001")
    target = Sandbox(state, "Profit_Debtor")

    rows = Reader(target.page, workers=4).lookup([{"DebtorId": "10001"}, {"DebtorId": "10001"}])

    assert [r["DebtorId"] for r in rows] == ["10001"]
    assert [p["filtervalues"] for p in target.asked] == ["10001"]  # asked once


def test_a_whole_read_whose_page_boundary_cuts_records_asked_for_is_not_trusted(monkeypatch):
    monkeypatch.setattr(reading, "WHOLE_PAGE", 2)
    state = AfasState()
    for i, description in enumerate(["A", "B", "B", "C"]):
        project(state, f"P{i}", "10001", description)
    target = Sandbox(state, "Profit_Projects")
    # The two "B" records straddle the boundary of the first two pages.
    filters = [{"Description": "B"}] + [{"Description": f"x{i}" * 20} for i in range(100)]

    rows = Reader(target.page, workers=1).lookup(filters)

    assert sorted(r["ProjectId"] for r in rows) == ["P1", "P2"]
    assert any("filterfieldids" in p for p in target.asked)  # asked by filter after all


def test_rows_come_back_without_regard_to_case_as_profit_compares():
    state = AfasState()
    project(state, "P1", "10001", "Flex")
    project(state, "P2", "10001", "flex")
    project(state, "P3", "10001", "flex ")
    target = Sandbox(state, "Profit_Projects")

    rows = Reader(target.page, workers=1).lookup([{"DebtorId": "10001", "Description": "Flex"}])

    assert sorted(r["ProjectId"] for r in rows) == ["P1", "P2"]  # importer.lookups keeps P1


def test_a_record_two_requests_answer_is_returned_once(monkeypatch):
    state = AfasState()
    project(state, "P1", "10001", "Flex")
    project(state, "P2", "10002", "Same")
    project(state, "P3", "10002", "Same")
    target = Sandbox(state, "Profit_Projects")
    # "Flex" and "FLEX" (Profit finds P1 for both) and the two "Same" end up in two requests
    filters = [
        {"DebtorId": "10001", "Description": "Flex"},
        {"DebtorId": "10002", "Description": "Same"},
    ]
    filters += [{"DebtorId": "1", "Description": f"{i:040}"} for i in range(60)]
    filters += [
        {"DebtorId": "10001", "Description": "FLEX"},
        {"DebtorId": "10002", "Description": "same"},
    ]
    monkeypatch.setattr(Reader, "whole", lambda *args, **kwargs: None)

    rows = Reader(target.page, workers=2).lookup(filters)

    assert len(target.asked) >= 2
    assert sorted(r["ProjectId"] for r in rows) == ["P1", "P2", "P3"]


@pytest.mark.parametrize("fault", ["no answer", "an odd record"])
def test_a_whole_read_that_fails_leaves_the_filters_to_the_or_requests(fault):
    state = AfasState()
    debtor(state, "10001")
    sandbox = Sandbox(state, "Profit_Debtor")

    def page(params: dict[str, str]) -> list[Any]:
        if "filterfieldids" not in params:
            if fault == "no answer":
                raise LookupFailed("no answer")
            return ["not a record"]
        return sandbox.page(params)

    filters = [{"DebtorId": f"{10001 + i}"} for i in range(300)]
    rows = Reader(page, workers=2).lookup(filters)

    assert [r["DebtorId"] for r in rows] == ["10001"]
    assert len(sandbox.asked) == len(groups(filters, "DebtorId")) > 1


def test_a_connector_known_to_be_larger_is_not_read_whole_again(monkeypatch):
    target, filters = larger_than_the_filters(monkeypatch)
    reader = Reader(target.page, workers=2)
    reader.lookup(filters)
    learnt = reader.larger_than
    assert learnt >= 1
    target.asked.clear()

    again = Reader(target.page, workers=2, larger_than=learnt)
    rows = again.lookup(filters)

    assert len(rows) == 100
    assert all("filterfieldids" in p for p in target.asked)  # by filter only


def test_a_whole_read_stops_the_run_when_the_token_is_refused():
    def page(params: dict[str, str]) -> list[Any]:
        raise AuthenticationError("token refused")

    with pytest.raises(AuthenticationError):
        Reader(page, workers=2).lookup([{"DebtorId": f"{10001 + i}"} for i in range(300)])


def collated(value: Any) -> tuple[str, ...]:
    """How SQL Server may sort a value: blind to case, trailing spaces and accents."""
    text = unicodedata.normalize("NFKD", str(value))
    return ("".join(c for c in text if not unicodedata.combining(c)).casefold().rstrip(),)


class Profit(Sandbox):
    """The sandbox's GetConnector, but sorted as Profit's database may: records that tie under
    its collation come in another order on every page after the first."""

    def page(self, params: dict[str, str]) -> list[dict[str, Any]]:
        skip, take = int(params["skip"]), int(params["take"])
        rows = super().page({**params, "skip": "0", "take": "1000000"})
        fields = params["orderbyfieldids"].split(",")
        rows.sort(key=lambda r: r["ProjectId"], reverse=skip > 0)  # the tie's order, per page
        rows.sort(key=lambda r: tuple(collated(r[f]) for f in fields))
        return rows[skip : skip + take]


@pytest.mark.parametrize("twins", [("Onderhoud", "Onderhoud "), ("Cafe", "Café")])
def test_a_whole_read_whose_boundary_falls_within_a_collation_tie_is_not_trusted(
    monkeypatch, twins
):
    monkeypatch.setattr(reading, "WHOLE_PAGE", 2)
    state = AfasState()
    for i, description in enumerate(["A", *twins, "Z"]):
        project(state, f"P{i}", "10001", description)
    target = Profit(state, "Profit_Projects")
    # the twins straddle the first page boundary; the second of them is wanted, the first not
    filters = [{"Description": twins[1]}] + [{"Description": f"x{i}" * 20} for i in range(100)]

    rows = Reader(target.page, workers=1).lookup(filters)

    assert "P2" in [r["ProjectId"] for r in rows]
    assert any("filterfieldids" in p for p in target.asked)  # asked by filter after all


def test_a_filtered_read_whose_boundary_falls_within_a_tie_asks_the_tied_filter_again(
    monkeypatch,
):
    monkeypatch.setattr(reading, "FILTERED_PAGE", 2)
    state = AfasState()
    for i, description in enumerate(["Aaa", "Abc", "abc", "Zed"]):
        project(state, f"P{i}", "10001", description)
    target = Profit(state, "Profit_Projects")
    filters = [{"DebtorId": "10001", "Description": d} for d in ("Aaa", "abc", "Zed")]

    rows = Reader(target.page, workers=1).lookup(filters)

    # P1 and P2 tie across the boundary: read again, each once ("abc" is P2 exactly)
    assert sorted(r["ProjectId"] for r in rows) == ["P0", "P1", "P2", "P3"]


def test_a_filter_whose_own_records_tie_across_pages_fails_with_the_reason(monkeypatch):
    monkeypatch.setattr(reading, "FILTERED_PAGE", 2)
    state = AfasState()
    for i, description in enumerate(["Abc", "abc", "ABC"]):
        project(state, f"P{i}", "10001", description)
    target = Profit(state, "Profit_Projects")

    with pytest.raises(LookupFailed) as failed:
        Reader(target.page, workers=1).lookup([{"DebtorId": "10001", "Description": "abc"}])

    assert failed.value.said is not None and failed.value.said.code == "afas.lookup_tied"


def test_a_tie_of_records_no_filter_asks_for_keeps_the_whole_read(monkeypatch):
    monkeypatch.setattr(reading, "WHOLE_PAGE", 2)
    state = AfasState()
    for i, description in enumerate(["A", "Blank", "blank ", "Z"]):  # (as blank KvK numbers)
        project(state, f"P{i}", "10001", description)
    target = Profit(state, "Profit_Projects")
    filters = [{"Description": "Z"}] + [{"Description": f"x{i}" * 20} for i in range(100)]

    rows = Reader(target.page, workers=1).lookup(filters)

    assert [r["ProjectId"] for r in rows] == ["P3"]
    assert not any("filterfieldids" in p for p in target.asked)  # read whole, and trusted
