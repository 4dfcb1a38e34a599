"""Patterns from mappings run by RE2: linear time, and the same answers as before."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

from importer.mapping import Column, Step
from importer.mappingfile import load_mapping
from importer.patterns import matcher
from importer.plan import read_sources
from importer.readers import Table
from importer.validation import validate_step

MAPPINGS = sorted([*(ROOT / "mappings").glob("*.yaml"), *(ROOT / "bench/mappings").glob("*.yaml")])


def test_a_pattern_that_backtracks_forever_in_python_is_answered_at_once():
    # Python's re takes some 2**n steps on this for n a's: it would never finish
    step = Step(
        name="s",
        source="k",
        connector="C",
        template="t.j2",
        key="nr",
        columns={"nr": Column(), "code": Column(pattern="(a+)+$")},
    )
    frame = pd.DataFrame({"nr": ["1", "2"], "code": ["a" * 100_000 + "b", "aaa"]}, dtype=object)
    frame.index = pd.RangeIndex(2, 4)

    data = validate_step(step, Table(Path("k.csv"), frame))

    assert list(data.rows) == [3]
    assert [str(p.message) for p in data.problems[2]] == [
        f"{'a' * 100_000 + 'b'!r} does not have the expected form ((a+)+$)"
    ]


@pytest.mark.parametrize("mapping", MAPPINGS, ids=lambda p: p.name)
def test_the_shipped_patterns_give_what_python_gave(mapping):
    loaded = load_mapping(mapping)
    tables = read_sources(loaded) if mapping.parent == ROOT / "mappings" else {}  # bench: made up
    checked = 0
    for step in loaded.steps:
        for name, column in step.columns.items():
            if not column.pattern:
                continue
            table = tables.get(step.source)
            cells = list(table.frame[step.header_of(name)].dropna()) if table else []
            edges = ["", " ", "0", "1234", "1234 AB", "1234ab", "12a", "a-b", "x" * 30, "1\n", "é"]
            match = matcher(column.pattern)
            for text in [*map(str, cells), *edges, *(c * 17 for c in "09aZ-")]:
                assert match(text) == (re.fullmatch(column.pattern, text) is not None), text
                checked += 1
    assert checked or "pattern" not in mapping.read_text()


def test_re2_classes_are_ascii_and_unicode_needs_p():
    # as the README says: \d, \w, \s are ASCII in RE2; Python's re read them as Unicode
    assert not matcher(r"\d+")("١٢٣") and re.fullmatch(r"\d+", "١٢٣")
    assert not matcher(r"\w+")("Jérôme") and re.fullmatch(r"\w+", "Jérôme")
    assert matcher(r"\p{L}+")("Jérôme")
    assert matcher(r"(?i)jérôme")("JÉRÔME")
    assert matcher(r"[1-9]\d{3} ?[A-Za-z]{2}")("1234 AB")
    assert matcher("a|ab")("ab")  # the whole text, whichever alternative matches it


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(?=x)x", "lookahead (?=...) is not supported"),
        ("(?!0)\\d+", "negative lookahead (?!...) is not supported"),
        ("(?<=a)b", "lookbehind (?<=...) is not supported"),
        ("(?<!a)b", "negative lookbehind (?<!...) is not supported"),
        ("(a)\\1", "a backreference such as \\1 is not supported"),
        ("(?P<x>a)(?P=x)", "a backreference (?P=name) is not supported"),
        ("(?>a+)b", "an atomic group (?>...) is not supported"),
        ("a++", "a possessive repetition such as a++ is not supported"),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_saying_why(pattern, why, capfd):
    with pytest.raises(ValueError) as caught:
        matcher(pattern)

    assert str(caught.value) == f"{why}: patterns must run in linear time (RE2 syntax)"
    assert capfd.readouterr().err == ""  # RE2 would log it to stderr


def test_a_pattern_that_is_no_regular_expression_says_what_re2_says():
    with pytest.raises(ValueError) as caught:
        matcher("(abc")
    assert str(caught.value) == "not a regular expression RE2 can read: missing ): (abc"
