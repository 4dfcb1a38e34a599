"""Validation: declared types and checks, every problem of every row, in plain words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from importer.mapping import Column, Step
from importer.readers import Table
from importer.validation import validate_step


def validate(columns: dict[str, Column], cells: dict[str, list[str | None]]):
    frame = pd.DataFrame(cells, dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    step = Step(
        name="s",
        source="k",
        connector="C",
        template="t.j2",
        key=next(iter(columns)),
        columns=columns,
    )
    return validate_step(step, Table(Path("k.csv"), frame))


def messages(data) -> list[str]:
    return [str(p) for problems in data.problems.values() for p in problems]


def test_every_problem_of_every_row_is_reported():
    data = validate(
        {
            "nr": Column(header="Nr"),
            "naam": Column(header="Naam", required=True, max_length=5),
            "land": Column(header="Land", allowed=["NL", "BE"]),
        },
        {
            "Nr": ["1", "2", "2", None],
            "Naam": ["Jan", None, "Pieter", "Ab"],
            "Land": ["NL", "DE", "BE", "nl"],
        },
    )

    assert messages(data) == [
        "k.csv, row 3, column 'Nr': '2' appears more than once (also in row 4); each value must be unique",
        "k.csv, row 3, column 'Naam': is empty; a value is required",
        "k.csv, row 3, column 'Land': 'DE' is not one of the allowed values: NL, BE",
        "k.csv, row 4, column 'Nr': '2' appears more than once (also in row 3); each value must be unique",
        "k.csv, row 4, column 'Naam': is 6 characters long; at most 5 allowed",
        "k.csv, row 5, column 'Nr': is empty; a value is required",
        "k.csv, row 5, column 'Land': 'nl' is not one of the allowed values: NL, BE",
    ]
    assert list(data.rows) == [2]


def test_values_are_converted_to_their_declared_types():
    data = validate(
        {
            "nr": Column(),
            "n": Column(type="integer"),
            "d": Column(type="decimal", decimal=","),
            "dt": Column(type="date", format="%d-%m-%Y"),
            "b": Column(type="boolean"),
            "t": Column(),
        },
        {
            "nr": ["1", "2"],
            "n": ["-42", None],
            "d": ["1234,56", "7"],
            "dt": ["01-03-2024", "2024-12-31"],
            "b": ["Ja", "x"],
            "t": ["007", None],
        },
    )

    assert data.problems == {}
    assert data.rows[2] == {
        "nr": "1",
        "n": -42,
        "d": Decimal("1234.56"),
        "dt": dt.date(2024, 3, 1),
        "b": True,
        "t": "007",
    }
    assert data.rows[3] == {
        "nr": "2",
        "n": None,
        "d": Decimal("7"),
        "dt": dt.date(2024, 12, 31),
        "b": True,
        "t": None,
    }


def test_values_that_do_not_fit_their_type_are_problems():
    data = validate(
        {
            "nr": Column(),
            "n": Column(type="integer", min=1, max=60),
            "d": Column(type="decimal", decimal=","),
            "dt": Column(type="date", format="%d-%m-%Y"),
            "b": Column(type="boolean"),
            "p": Column(pattern=r"\d{4} ?[A-Z]{2}"),
        },
        {
            "nr": ["1"],
            "n": ["61"],
            "d": ["1.234,5"],
            "dt": ["31-02-2024"],
            "b": ["misschien"],
            "p": ["1234 ab"],
        },
    )

    assert messages(data) == [
        "k.csv, row 2, column 'n': 61 is above the maximum 60",
        "k.csv, row 2, column 'd': '1.234,5' is not a number with a decimal comma, such as 1234,56",
        "k.csv, row 2, column 'dt': '31-02-2024' is not a date written as DD-MM-YYYY",
        "k.csv, row 2, column 'b': 'misschien' is not yes or no (ja/nee, j/n, yes/no, true/false, "
        "waar/onwaar, 1/0, x)",
        "k.csv, row 2, column 'p': '1234 ab' does not have the expected form (\\d{4} ?[A-Z]{2})",
    ]


def test_repeated_values_are_converted_once_and_each_cell_gets_its_own():
    data = validate(
        {
            "nr": Column(),
            "dt": Column(type="date", format="%d-%m-%Y"),
            "d": Column(type="decimal", decimal=",", thousands="."),
        },
        {
            "nr": ["1", "2", "3", "4", "5", "6"],
            "dt": ["01-03-2024", None, "31-02-2024", "01-03-2024", "31-02-2024", "2024-03-02"],
            "d": ["12.500,00", "12,500.00", None, "1,5", "12.500,00", "1,5"],
        },
    )

    assert messages(data) == [
        "k.csv, row 3, column 'd': '12,500.00' is not a number with a decimal comma, such as "
        "1.234,56",
        "k.csv, row 4, column 'dt': '31-02-2024' is not a date written as DD-MM-YYYY",
        "k.csv, row 6, column 'dt': '31-02-2024' is not a date written as DD-MM-YYYY",
    ]
    assert [data.values[n]["dt"] for n in range(2, 8)] == [
        dt.date(2024, 3, 1), None, None, dt.date(2024, 3, 1), None, dt.date(2024, 3, 2)
    ]  # fmt: skip
    assert [data.values[n]["d"] for n in range(2, 8)] == [
        Decimal("12500.00"), None, None, Decimal("1.5"), Decimal("12500.00"), Decimal("1.5")
    ]  # fmt: skip


def test_a_rows_values_are_none_where_blank_and_kept_where_not():
    from importer.validation import _blank, _cells

    nan_decimal = Decimal("NaN")
    cells = [None, float("nan"), pd.NaT, pd.NA, "x", 0, nan_decimal, dt.date(2024, 1, 1), ""]
    got = _cells(pd.Series(cells, dtype=object))
    expected = [None if _blank(v) else v for v in cells]
    assert got[:3] == [None, None, None]
    assert all(g is e for g, e in zip(got, expected, strict=True))
    assert got[3] is pd.NA and got[6] is nan_decimal  # missing to pandas, but not blank


def test_bounds_and_patterns_are_checked_for_each_cell_also_when_values_repeat():
    data = validate(
        {
            "nr": Column(pattern=r"\d{1,3}"),
            "n": Column(type="decimal", decimal=",", min=0, max=100),
            "m": Column(type="integer", min=5),
        },
        {
            "nr": ["1", "1234", "1", "x1", "1234", None],
            "n": ["-1", "50", "-1", None, "100,5", "50"],
            "m": [None, None, None, None, None, None],
        },
    )

    assert messages(data) == [
        "k.csv, row 2, column 'nr': '1' appears more than once (also in row 4); each value must be unique",
        "k.csv, row 2, column 'n': -1 is below the minimum 0",
        "k.csv, row 3, column 'nr': '1234' appears more than once (also in row 6); each value must be unique",
        "k.csv, row 3, column 'nr': '1234' does not have the expected form (\\d{1,3})",
        "k.csv, row 4, column 'nr': '1' appears more than once (also in row 2); each value must be unique",
        "k.csv, row 4, column 'n': -1 is below the minimum 0",
        "k.csv, row 5, column 'nr': 'x1' does not have the expected form (\\d{1,3})",
        "k.csv, row 6, column 'nr': '1234' appears more than once (also in row 3); each value must be unique",
        "k.csv, row 6, column 'nr': '1234' does not have the expected form (\\d{1,3})",
        "k.csv, row 6, column 'n': 100,5 is above the maximum 100",
        "k.csv, row 7, column 'nr': is empty; a value is required",
    ]


def test_collapsing_spaces_agrees_with_the_regex():
    import re

    from importer.cleaning import collapsed

    texts = ["Jan de Vries", " Jan", "Jan ", "Jan  de", "Jan\tde", "Jan\u00a0de", "Jan \n de",
             "", " ", "\u2003", "a b c", "a\u200bb", "a\x1cb"]  # fmt: skip
    for text in texts:
        assert collapsed(text) == re.sub(r"\s+", " ", text)
    data = validate(
        {"nr": Column(), "naam": Column(collapse_spaces=True)},
        {"nr": ["1", "2", "3"], "naam": ["Jan  de\u00a0Vries", "Jan de Vries", None]},
    )
    assert [data.values[n]["naam"] for n in (2, 3, 4)] == ["Jan de Vries", "Jan de Vries", None]


def test_a_cell_too_big_to_hold_makes_its_row_invalid_and_nothing_reads_it(monkeypatch):
    from importer import validation
    from importer.messages import render

    monkeypatch.setattr(validation, "MAX_CELL", 10)
    data = validate(
        {
            "nr": Column(header="Nr"),
            "naam": Column(header="Naam", required=True, pattern="[a-z ]+", max_length=5),
            "groet": Column(expr="'Beste ' ~ row.naam"),
        },
        {"Nr": ["1", "2", "3"], "Naam": ["jan", "x" * 11, "piet"]},
    )

    assert messages(data) == [
        "k.csv, row 3, column 'Naam': is 11 characters long; a cell can hold at most 10"
    ]
    assert render(data.problems[3][0].located(), "nl") == (
        "k.csv, rij 3, kolom 'Naam': is 11 tekens lang; een cel kan er hoogstens 10 bevatten"
    )
    assert data.problems[3][0].value == "x" * 11
    assert data.values[3]["naam"] is None  # the expression read a blank, not the cell
    assert "x" not in str(data.values[3]["groet"])
    assert [r["groet"] for r in data.rows.values()] == ["Beste jan", "Beste piet"]


def test_rows_are_made_from_the_columns_as_dicts_when_asked_for():
    from importer.rows import Rows

    every = Rows(["a", "b"], [[1, None, 3], ["x", "y", None]], [2, 3, 5])
    valid = every.without(frozenset({3}))
    assert dict(every) == {2: {"a": 1, "b": "x"}, 3: {"a": None, "b": "y"}, 5: {"a": 3, "b": None}}
    assert valid == {2: {"a": 1, "b": "x"}, 5: {"a": 3, "b": None}}
    assert list(valid) == [2, 5] and len(valid) == 2 and len(every) == 3
    assert 3 in every and 3 not in valid and 4 not in every
    assert valid.get(3) is None and valid.get(4) is None
    with pytest.raises(KeyError):
        valid[3]
    every[2]["a"] = 99  # each is a new dict: the rows themselves never change
    assert every[2] == {"a": 1, "b": "x"}
