"""Excel's number formats applied to a cell's value (importer.numformats)."""

from __future__ import annotations

import datetime as dt

import pytest

from importer.numformats import BUILTIN_DATE, UNKNOWN, shown


@pytest.mark.parametrize(
    ("value", "code", "text"),
    [
        (15, "0000", "0015"),
        (15.0, "0000", "0015"),
        (612345678, "0000000000", "0612345678"),
        (124, "000000", "000124"),
        (12345, "000", "12345"),
        (-3, "000", "-003"),
        (12.5, "0.00", "12,50"),
        (12.345, "0.00", "12,35"),
        (0.1 + 0.2, "0.00", "0,30"),
        (0.15, "0%", "15%"),
        (0.155, "0.0%", "15,5%"),
        (1, "[$-413]0000", "0001"),
        (dt.datetime(2024, 2, 29), "dd-mm-yyyy", "29-02-2024"),
        (dt.datetime(2024, 2, 29, 13, 5), "d/m/yy hh:mm", "29/2/24 13:05"),
        (dt.datetime(2024, 2, 29, 13, 5, 9), "yyyy-mm-dd h:mm:ss", "2024-02-29 13:05:09"),
    ],
)
def test_a_format_excel_shows_for_certain_is_applied(value, code, text):
    assert shown(value, code, ",") == text


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1234, "#,##0"),
        (5, '"nr "0'),
        (5, "0;-0"),
        (5, "[Red]0"),
        (5, "€ 0.00"),
        (5, UNKNOWN),
        (dt.datetime(2024, 1, 2), "d mmm yyyy"),
        (dt.datetime(2024, 1, 2), "dddd d"),
        (dt.datetime(2024, 1, 2), BUILTIN_DATE),
        (True, "0000"),
    ],
)
def test_a_format_whose_text_is_not_certain_gives_none(value, code):
    assert shown(value, code) is None
