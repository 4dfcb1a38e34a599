"""Lookups in the target: values compared as text, each filter asked once, exact matches only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import FLEX

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
