"""Phones, postcodes and countries per row's country; EU VAT numbers; AFAS's country table."""

from __future__ import annotations

import pandas as pd
import pytest

from importer.checks import regional
from importer.checks.common import Invalid
from importer.checks.identifiers import normalise_vat
from importer.sandbox.afas_countries import PROFIT_COUNTRIES
from importer.targets.afas.countries import COUNTRY_CODES, PROFIT_CODES


@pytest.mark.parametrize(
    ("text", "country", "form", "written"),
    [
        ("033-4567890", "NL", "e164", "+31334567890"),
        ("+31 (0)20-1234567", "NL", "e164", "+31201234567"),
        ("020 123 4567", "NL", "national", "020 123 4567"),
        ("+31 (0)20-1234567", "NL", "national", "020 123 4567"),
        ("+32 470 12 34 56", "NL", "national", "+32 470 12 34 56"),  # not the row's country
        ("0470 12 34 56", "BE", "international", "+32 470 12 34 56"),
        ("030 1234567", "DE", "e164", "+49301234567"),
        ("0170 1234567", "DE", "e164", "+491701234567"),
    ],
)
def test_a_phone_is_written_in_the_one_form_the_mapping_chose(text, country, form, written):
    assert regional.normalise_phone(text, country, form) == written


def test_the_same_number_written_two_ways_ends_up_in_one_form():
    one = regional.normalise_phone("020-1234567", "NL")
    assert one == regional.normalise_phone("+31 (0)20 123 45 67", "NL") == "+31201234567"


@pytest.mark.parametrize(("text", "country"), [("30 2312345", "NL"), ("0201234567", "BE")])
def test_a_phone_that_is_not_a_number_of_its_country_is_refused(text, country):
    with pytest.raises(Invalid):
        regional.normalise_phone(text, country)


@pytest.mark.parametrize(
    ("text", "country", "written"),
    [("1234 ab", "NL", "1234AB"), ("B-1000", "BE", "1000"), ("D-10115", "DE", "10115"),
     ("75001", "FR", "75001"), ("SW1A 1AA", "GB", "SW1A 1AA"), ("x", None, "x")],
)  # fmt: skip
def test_a_postcode_is_checked_for_its_rows_country(text, country, written):
    assert regional.normalise_postcode(text, country) == written


@pytest.mark.parametrize(("text", "country"), [("1234", "NL"), ("0123", "BE"), ("1011", "DE")])
def test_a_postcode_of_another_form_is_refused(text, country):
    with pytest.raises(Invalid):
        regional.normalise_postcode(text, country)


def test_one_column_of_phones_takes_each_rows_country():
    phones = pd.Series(["020 1234567", "0470 12 34 56", "030 1234567"])
    context = regional.Context(countries=pd.Series(["NL", "BE", "DE"]), country="NL")
    values, reasons = regional.apply("phone", phones, context, None)
    assert values.tolist() == ["+31201234567", "+32470123456", "+49301234567"]
    assert reasons.isna().all()


# one valid example per member state, from python-stdnum's documentation
EU_VAT = {
    "ATU13585627": "ATU13585627", "BE0403170701": "BE0403170701", "BG 175 074 752": "BG175074752",
    "CY-10259033P": "CY10259033P", "CZ 25123891": "CZ25123891", "DE 136.695.976": "DE136695976",
    "DK 13585628": "DK13585628", "EE 100 931 558": "EE100931558", "EL 094259216": "EL094259216",
    "ES X-2482300W": "ESX2482300W", "FI 20774740": "FI20774740", "FR 40 303 265 045": "FR40303265045",
    "HR 33392005961": "HR33392005961", "HU 12892312": "HU12892312", "IE 6433435F": "IE6433435F",
    "IT 00743110157": "IT00743110157", "LT 119511515": "LT119511515", "LU 150 274 42": "LU15027442",
    "LV 4000 3521 600": "LV40003521600", "MT 1167-9112": "MT11679112",
    "NL 004495445B01": "NL004495445B01", "PL 8567346215": "PL8567346215",
    "PT 501 964 843": "PT501964843", "RO 18 547 290": "RO18547290", "SE 123456789701": "SE123456789701",
    "SI 5022 3054": "SI50223054", "SK 2022749619": "SK2022749619",
}  # fmt: skip


@pytest.mark.parametrize(("text", "written"), sorted(EU_VAT.items()))
def test_the_vat_number_of_every_eu_country_is_checked(text, written):
    assert normalise_vat(text) == written


def test_afas_country_codes_are_read_and_written():
    assert regional.normalise_country("België", COUNTRY_CODES) == "B"
    assert regional.normalise_country("Germany", COUNTRY_CODES) == "D"
    assert regional.normalise_country("D", COUNTRY_CODES) == "D"
    assert regional.normalise_country("nl", COUNTRY_CODES) == "NL"
    assert regional.normalise_country("Frankrijk", None) == "FR"
    with pytest.raises(Invalid):
        regional.normalise_country("ME", COUNTRY_CODES)  # Montenegro: no known Profit code
    assert regional.normalise_country("ME", COUNTRY_CODES.with_declared({"ME": "MNE"})) == "MNE"


def test_the_sandbox_and_the_client_state_the_same_profit_country_codes():
    assert set(PROFIT_CODES.values()) == PROFIT_COUNTRIES
