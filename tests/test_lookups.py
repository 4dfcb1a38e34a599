"""Lookups in the target: values compared as text, each filter asked once, exact matches only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from conftest import FLEX

from importer.errors import AuthenticationError, LookupFailed
from importer.lookups import Lookups, text
from importer.mappingfile import load_mapping
from importer.plan import prepare


class Target:
    """A target that answers every lookup with the same records, and counts the lookups."""

    def __init__(self, records: list[dict[str, Any]]):
        self.records, self.asked = records, []

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        self.asked.append((connector, filters))
        return self.records


def test_values_are_compared_as_text_dates_in_iso_form_and_whole_numbers_without_a_point():
    assert text(dt.date(2024, 3, 1)) == "2024-03-01"
    assert text(7.0) == "7"
    assert text(7.5) == "7.5"
    assert text(12) == "12"
    assert text("Jansen") == "Jansen"


def test_a_query_keeps_the_exact_matches_and_asks_the_target_once_per_filter():
    target = Target([{"KvK": "123", "DbId": "1"}, {"KvK": "1234", "DbId": "2"}])
    lookups = Lookups(prepare(load_mapping(FLEX)), target)

    first = lookups.query("Debiteuren", {"KvK": "123"})
    again = lookups.query("Debiteuren", {"KvK": "123"})

    assert first == again == [{"KvK": "123", "DbId": "1"}]
    assert target.asked == [("Debiteuren", [{"KvK": "123"}])]


def test_filters_asked_in_bulk_keep_exactly_what_each_asked_alone_would():
    records = [
        {"DebtorId": "1", "Description": "Flex", "ProjectId": "P1"},
        {"DebtorId": "1", "Description": "flex", "ProjectId": "P2"},
        {"DebtorId": "1", "Description": "Flex ", "ProjectId": "P3"},
        {"DebtorId": "2", "Description": "Twice", "ProjectId": "P4"},
        {"DebtorId": "2", "Description": "Twice", "ProjectId": "P5"},
        {"DebtorId": "3", "Description": None, "ProjectId": "P6"},
    ]
    filters = [
        {"DebtorId": "1", "Description": "Flex"},
        {"DebtorId": "1", "Description": "flex"},
        {"DebtorId": "1", "Description": "Flex "},
        {"DebtorId": "2", "Description": "Twice"},
        {"DebtorId": "3", "Description": "None"},
        {"DebtorId": "4", "Description": "Nobody"},
    ]
    bulk, alone = Target(records), Target(records)
    in_bulk = Lookups(prepare(load_mapping(FLEX)), bulk)
    one_by_one = Lookups(prepare(load_mapping(FLEX)), alone)

    in_bulk.prefetch({"Profit_Projects": filters + filters[:2]})  # each asked once
    answers = [in_bulk.query("Profit_Projects", f) for f in filters]

    assert bulk.asked == [("Profit_Projects", filters)]
    assert answers == [one_by_one.query("Profit_Projects", f) for f in filters]
    assert [[r["ProjectId"] for r in rows] for rows in answers] == [
        ["P1"],
        ["P2"],
        ["P3"],
        ["P4", "P5"],
        [],
        [],
    ]  # case and spaces count; several stay several (the row's rules decide); null is no text


def test_a_filter_asked_before_is_not_asked_again_in_bulk_and_a_failed_bulk_read_leaves_rows_to_ask():
    class Failing(Target):
        def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
            super().lookup(connector, filters)
            raise LookupFailed("no answer")

    target = Target([{"KvK": "1"}])
    lookups = Lookups(prepare(load_mapping(FLEX)), target)
    lookups.query("Profit_OrgPer", {"KvK": "1"})
    lookups.prefetch({"Profit_OrgPer": [{"KvK": "1"}, {"KvK": "2"}]})
    assert target.asked[1:] == [("Profit_OrgPer", [{"KvK": "2"}])]

    failing = Lookups(prepare(load_mapping(FLEX)), Failing([]))
    failing.prefetch({"Profit_OrgPer": [{"KvK": "1"}]})
    assert failing.cached("Profit_OrgPer", {"KvK": "1"}) is None  # the row asks, and fails


def test_a_record_created_by_the_run_answers_its_filter_after_a_bulk_answer_of_none():
    plan = prepare(load_mapping(FLEX))
    step = plan.result.mapping.steps[0]
    n = next(iter(plan.records[step.name]))
    target = Target([])
    lookups = Lookups(plan, target)
    values = lookups.filter(step, n)
    assert values is not None
    lookups.prefetch({"Profit_Debtor": [values]})
    assert lookups.lookup(step, n) == []

    lookups.remember(step, n, {"DbId": values["DebtorId"], "BcCo": "100"})

    assert lookups.lookup(step, n) == [{"DebtorId": values["DebtorId"], "BcCo": "100"}]
    assert len(target.asked) == 1


def test_a_value_the_target_refuses_in_bulk_is_isolated_by_halves_and_its_row_asks_alone():
    class Refusing(Target):
        def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
            super().lookup(connector, filters)
            if {"KvK": "bad"} in filters:
                raise LookupFailed("refused")
            return [{"KvK": f["KvK"]} for f in filters]

    target = Refusing([])
    lookups = Lookups(prepare(load_mapping(FLEX)), target)
    filters = [{"KvK": str(i)} for i in range(64)] + [{"KvK": "bad"}]

    lookups.prefetch({"Profit_OrgPer": filters})

    assert all(lookups.cached("Profit_OrgPer", f) == [f] for f in filters[:-1])
    assert lookups.cached("Profit_OrgPer", {"KvK": "bad"}) is None  # asked alone: fails then
    assert len(target.asked) <= 1 + 2 * 7  # not one request per row


def test_a_bulk_lookup_refused_whatever_its_values_is_not_split_further():
    class Refusing(Target):
        def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
            super().lookup(connector, filters)
            raise LookupFailed("no such connector")

    target = Refusing([])
    Lookups(prepare(load_mapping(FLEX)), target).prefetch(
        {"Profit_Nothing": [{"KvK": str(i)} for i in range(64)]}
    )
    assert len(target.asked) == 3  # the whole, its two halves


class Breaking(Target):
    """A target whose bulk lookups break (an odd record, or the token refused)."""

    def __init__(self, fault: Exception):
        super().__init__([{"KvK": "1", "BcCo": "100"}])
        self.fault = fault

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        if len(filters) > 1:
            self.asked.append((connector, filters))
            raise self.fault
        return super().lookup(connector, filters)


def test_a_bulk_lookup_that_breaks_unexpectedly_leaves_its_rows_to_ask_alone():
    target = Breaking(AttributeError("'str' object has no attribute 'get'"))
    lookups = Lookups(prepare(load_mapping(FLEX)), target)

    lookups.prefetch({"Profit_OrgPer": [{"KvK": "1"}, {"KvK": "2"}]})

    assert lookups.cached("Profit_OrgPer", {"KvK": "1"}) is None
    assert lookups.query("Profit_OrgPer", {"KvK": "1"}) == [{"KvK": "1", "BcCo": "100"}]


def test_a_bulk_lookup_whose_token_is_refused_stops_the_run():
    lookups = Lookups(prepare(load_mapping(FLEX)), Breaking(AuthenticationError("refused")))

    with pytest.raises(AuthenticationError):
        lookups.prefetch({"Profit_OrgPer": [{"KvK": "1"}, {"KvK": "2"}]})
