"""Dutch and Belgian value checks: normal forms, reasons in plain words, and apply over columns."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pandas as pd
import pytest
from stdnum import iban as std_iban
from stdnum.be import vat as std_be_vat
from stdnum.nl import bsn as std_bsn
from stdnum.nl import btw as std_btw

from importer.checks import CHECKS, apply, banking
from importer.checks.common import ISO_COUNTRIES, Check, Invalid
from importer.messages import render

GOOD = [
    # iban
    ("iban", "NL91ABNA0417164300", "NL91ABNA0417164300"),
    ("iban", "NL98ABNA2867155157", "NL98ABNA2867155157"),
    ("iban", "nl91 abna 0417 1643 00", "NL91ABNA0417164300"),
    ("iban", "NL91-ABNA-0417-1643-00", "NL91ABNA0417164300"),
    ("iban", "BE68539007547034", "BE68539007547034"),  # bank code 539 is not in stdnum's list
    ("iban", "BE71 0961 2345 6769", "BE71096123456769"),
    ("iban", "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
    ("iban", "GB29NWBK60161331926819", "GB29NWBK60161331926819"),
    ("iban", "FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("iban", "ES9121000418450200051332", "ES9121000418450200051332"),
    # bic
    ("bic", "ABNANL2A", "ABNANL2A"),
    ("bic", "abna nl 2a", "ABNANL2A"),
    ("bic", "RABONL2UXXX", "RABONL2UXXX"),
    ("bic", "DEUTDEFF500", "DEUTDEFF500"),
    # vat
    ("vat", "NL000099998B57", "NL000099998B57"),  # passes mod-97 only (sole proprietor form)
    ("vat", "nl 0000.99.998.b57", "NL000099998B57"),
    ("vat", "NL004495445B01", "NL004495445B01"),  # passes the old 11-test
    ("vat", "NL002455799B11", "NL002455799B11"),
    ("vat", "BE0403170701", "BE0403170701"),
    ("vat", "be 0403.170.701", "BE0403170701"),
    ("vat", "BE 428759497", "BE0428759497"),  # old 9-digit form gets its leading 0
    # kvk
    ("kvk", "12345678", "12345678"),
    ("kvk", "1234 5678", "12345678"),
    ("kvk", "01234567", "01234567"),
    ("kvk", " 12.34.56.78 ", "12345678"),
    # bsn
    ("bsn", "111222333", "111222333"),
    ("bsn", "1112.22.333", "111222333"),
    ("bsn", "123456782", "123456782"),
    ("bsn", "12345672", "012345672"),  # 8 digits: the leading 0 was left out
    # postcode_nl
    ("postcode_nl", "1234 ab", "1234AB"),
    ("postcode_nl", "1234AB", "1234AB"),
    ("postcode_nl", "1234  AB", "1234AB"),
    ("postcode_nl", "9999 zz", "9999ZZ"),
    ("postcode_nl", "NL-2611 ET", "2611ET"),
    # email
    ("email", "jan@example.nl", "jan@example.nl"),
    ("email", "Jan.Jansen@Example.NL", "Jan.Jansen@example.nl"),
    ("email", "info+factuur@sub.bedrijf.co.uk", "info+factuur@sub.bedrijf.co.uk"),
    # phone (without a row's country: international numbers only; see test_checks_regional)
    ("phone", "+31 6 12345678", "+31612345678"),
    ("phone", "0031612345678", "+31612345678"),
    ("phone", "0031 (0)20 123 4567", "+31201234567"),
    ("phone", "+31 (0)20 123 4567", "+31201234567"),
    ("phone", "+32 475 12 34 56", "+32475123456"),
    # country
    ("country", "NL", "NL"),
    ("country", "be", "BE"),
    ("country", " De ", "DE"),
    ("country", "AQ", "AQ"),
    ("country", "Nederland", "NL"),
    ("country", "België", "BE"),
    ("country", "germany", "DE"),
    ("country", "UK", "GB"),
    # bank_account_nl
    ("bank_account_nl", "417164300", "0417164300"),
    ("bank_account_nl", "0417164300", "0417164300"),
    ("bank_account_nl", "41.71.64.300", "0417164300"),
    ("bank_account_nl", "1234567", "0001234567"),  # giro number, padded as in its IBAN
    ("bank_account_nl", "555", "0000000555"),
]

BAD = [
    # iban
    ("iban", "NL91ABNA041716430", "a Dutch IBAN has 18 characters, this one has 17"),
    ("iban", "BE6853900754703", "a Belgian IBAN has 16 characters, this one has 15"),
    (
        "iban",
        "GR160110105000001054702379",
        "an IBAN from Greece has 27 characters, this one has 26",
    ),
    ("iban", "NL92ABNA0417164300", "the IBAN check digits are wrong"),
    (
        "iban",
        "NL01ABNA2867155157",
        "the IBAN check digits are wrong",
    ),  # passes mod 97; NL98 is right
    ("iban", "NL91ABNA0417164301", "the IBAN check digits are wrong"),
    ("iban", "XX91ABNA0417164300", "'XX' is not a country code an IBAN can start with"),
    ("iban", "US91ABNA0417164300", "'US' is not a country code an IBAN can start with"),
    ("iban", "NL91AB1A0417164300", "a Dutch IBAN is NL, 2 check digits, 4 letters and 10 digits"),
    ("iban", "NLX1ABNA0417164300", "a Dutch IBAN is NL, 2 check digits, 4 letters and 10 digits"),
    ("iban", "NL91ABNA0417/64300", "an IBAN has only letters and digits"),
    (
        "iban",
        "417164300",
        "this looks like an old Dutch bank account number; an IBAN starts with a country code, such as NL91ABNA0417164300",
    ),
    (
        "iban",
        "91ABNA0417164300",
        "an IBAN starts with a two-letter country code, such as NL91ABNA0417164300",
    ),
    (
        "iban",
        "BE41091811735141",
        "the account number inside this IBAN is not valid (its own check digits are wrong)",
    ),
    ("iban", "", "there is no value"),
    # bic
    ("bic", "ABNANL2", "a BIC has 8 or 11 characters, this one has 7"),
    ("bic", "ABNANL2AXX", "a BIC has 8 or 11 characters, this one has 10"),
    (
        "bic",
        "AB1ANL2A",
        "a BIC starts with 4 letters for the bank and 2 for the country, such as ABNANL2A",
    ),
    (
        "bic",
        "ABNAXX2A",
        "the 5th and 6th letters of a BIC are the bank's country, but 'XX' is not a country code",
    ),
    ("bic", "ABNA.NL2A", "a BIC has only letters and digits"),
    # vat
    ("vat", "NL123456789B01", "the check digits of this Dutch VAT number are wrong"),
    ("vat", "NL000099998B58", "the check digits of this Dutch VAT number are wrong"),
    ("vat", "NL123456789B00", "the 2 digits after the B of a Dutch VAT number cannot be 00"),
    ("vat", "NL000000000B01", "the 9 digits of a Dutch VAT number cannot all be 0"),
    (
        "vat",
        "NL12345678B01",
        "a Dutch VAT number is NL, 9 digits, B and 2 digits, such as NL000099998B57",
    ),
    (
        "vat",
        "NL004495445C01",
        "a Dutch VAT number is NL, 9 digits, B and 2 digits, such as NL000099998B57",
    ),
    ("vat", "123456789B01", "a Dutch VAT number starts with NL, such as NL000099998B57"),
    ("vat", "BE0403170702", "the check digits of this Belgian VAT number are wrong"),
    (
        "vat",
        "BE2403170701",
        "a Belgian VAT number is BE and 10 digits starting with 0 or 1, such as BE0403170701",
    ),
    (
        "vat",
        "BE04031707011",
        "a Belgian VAT number is BE and 10 digits starting with 0 or 1, such as BE0403170701",
    ),
    ("vat", "DE136695977", "the check digits of this DE VAT number are wrong"),
    (
        "vat",
        "US136695976",
        "'US' is not the prefix of an EU country's VAT number (Greece is EL); use a text column for VAT numbers of other countries",
    ),
    (
        "vat",
        "0403170701",
        "a VAT number starts with its country code, such as NL000099998B57 or BE0403170701",
    ),
    ("vat", "NL/000099998B57", "a VAT number has only letters and digits"),
    # kvk
    (
        "kvk",
        "1234567",
        "a KvK number has 8 digits, this one has 7 (a spreadsheet may have dropped a 0 at the start: format the column as text)",
    ),
    ("kvk", "123456789", "a KvK number has 8 digits, this one has 9"),
    (
        "kvk",
        "123456789012",
        "a KvK number has 8 digits; this 12-digit number looks like a branch number (vestigingsnummer)",
    ),
    ("kvk", "1234567a", "a KvK number has only digits"),
    ("kvk", "00000000", "a KvK number cannot be all zeros"),
    # bsn
    ("bsn", "111222334", "the number does not pass the BSN 11-test"),
    ("bsn", "11222333", "the number does not pass the BSN 11-test"),  # padded, then tested
    ("bsn", "1112223334", "a BSN has 9 digits, this one has 10"),
    (
        "bsn",
        "1234567",
        "a BSN has 9 digits, this one has 7 (a spreadsheet may have dropped a 0 at the start: format the column as text)",
    ),
    ("bsn", "11122233x", "a BSN has only digits"),
    ("bsn", "000000000", "a BSN cannot be all zeros"),
    ("bsn", "00000000", "a BSN cannot be all zeros"),
    # postcode_nl
    (
        "postcode_nl",
        "0234 AB",
        "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB",
    ),
    (
        "postcode_nl",
        "1234",
        "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB",
    ),
    (
        "postcode_nl",
        "12345 AB",
        "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB",
    ),
    (
        "postcode_nl",
        "1234 A1",
        "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB",
    ),
    ("postcode_nl", "1234 SA", "the letters SA, SD and SS are not used in Dutch postcodes"),
    ("postcode_nl", "1234sd", "the letters SA, SD and SS are not used in Dutch postcodes"),
    ("postcode_nl", "1234 SS", "the letters SA, SD and SS are not used in Dutch postcodes"),
    # email
    ("email", "jan.example.nl", "an email address has exactly one @, such as jan@example.nl"),
    ("email", "jan@@example.nl", "an email address has exactly one @, such as jan@example.nl"),
    ("email", "jan @example.nl", "an email address cannot contain spaces"),
    ("email", "jan@example.nl; piet@example.nl", "a cell can hold only one email address"),
    ("email", "jan@example.nl,piet@example.nl", "a cell can hold only one email address"),
    (
        "email",
        "Jan Jansen <jan@example.nl>",
        "give only the email address, such as jan@example.nl, without a name or < >",
    ),
    ("email", "@example.nl", "an email address has a name before the @, such as jan@example.nl"),
    ("email", "jan@example", "after the @ comes a domain with a dot, such as example.nl"),
    ("email", "jan@example..nl", "after the @ comes a domain with a dot, such as example.nl"),
    ("email", "jan@.example.nl", "after the @ comes a domain with a dot, such as example.nl"),
    ("email", "jan@example.nl.", "after the @ comes a domain with a dot, such as example.nl"),
    ("email", "jan@example.n", "after the @ comes a domain with a dot, such as example.nl"),
    ("email", "jan:piet@example.nl", 'an email address cannot contain any of , ; : ( ) [ ] \\ "'),
    # phone
    (
        "phone",
        "tel. 06-12345678",
        "a phone number can only contain digits (with spaces, dashes or brackets between them) and a + at the start",
    ),
    (
        "phone",
        "06-12345678",
        "the row has no country (no country column, no locale): write the number with + or 00",
    ),
    ("phone", "+31 6 1234 5678 9012 34", "not a valid phone number of NL"),
    # country
    (
        "country",
        "XX",
        "'XX' is not a country: an ISO code such as NL or BE, or a Dutch or English name",
    ),
    (
        "country",
        "XK",
        "'XK' is not a country: an ISO code such as NL or BE, or a Dutch or English name",
    ),
    # bank_account_nl
    (
        "bank_account_nl",
        "12345678",
        "a Dutch bank account number has 9 or 10 digits, or 3 to 7 for a former Postbank (giro) number; this one has 8",
    ),
    (
        "bank_account_nl",
        "12",
        "a Dutch bank account number has 9 or 10 digits, or 3 to 7 for a former Postbank (giro) number; this one has 2",
    ),
    (
        "bank_account_nl",
        "12345678901",
        "a Dutch bank account number has 9 or 10 digits, or 3 to 7 for a former Postbank (giro) number; this one has 11",
    ),
    (
        "bank_account_nl",
        "NL91ABNA0417164300",
        "this is an IBAN, not an old-style Dutch bank account number",
    ),
    ("bank_account_nl", "P1234567", "an old-style Dutch bank account number has only digits"),
    ("bank_account_nl", "0000000", "a bank account number cannot be all zeros"),
]


def english(reasons) -> list:
    """The reasons as English text (None where the value is valid)."""
    return [None if r is None else str(r) for r in reasons]


@pytest.mark.parametrize(("name", "text", "expected"), GOOD)
def test_good_values_get_their_normal_form(name, text, expected):
    assert CHECKS[name].normalise(text) == expected


@pytest.mark.parametrize(("name", "text", "expected"), GOOD)
def test_apply_gives_the_same_normal_form(name, text, expected):
    normalised, reasons = apply(name, pd.Series([text]))
    assert normalised.tolist() == [expected]
    assert english(reasons) == [None]


@pytest.mark.parametrize(("name", "text", "reason"), BAD)
def test_bad_values_are_refused_with_a_plain_reason(name, text, reason):
    with pytest.raises(Invalid) as caught:
        CHECKS[name].normalise(text)
    assert str(caught.value.reason) == reason
    assert str(caught.value) == reason


@pytest.mark.parametrize(("name", "text", "reason"), BAD)
def test_every_reason_is_a_code_with_dutch_words_of_its_own(name, text, reason):
    with pytest.raises(Invalid) as caught:
        CHECKS[name].normalise(text)
    message = caught.value.reason
    assert message.code not in ("text", "target.said")  # a code, not English carried as text
    assert render(message, "nl") != reason


@pytest.mark.parametrize(("name", "text", "reason"), [b for b in BAD if b[1]])
def test_apply_gives_the_same_reason(name, text, reason):
    normalised, reasons = apply(name, pd.Series([text]))
    assert normalised.tolist() == [None]
    assert english(reasons) == [reason]


# --- The interface --------------------------------------------------------------------------


def test_the_checks_are_the_mapping_type_names():
    assert set(CHECKS) == {
        "iban", "bic", "vat", "kvk", "bsn", "postcode_nl", "postcode", "email", "phone",
        "country", "bank_account_nl",
    }  # fmt: skip
    for name, check in CHECKS.items():
        assert isinstance(check, Check)
        assert check.name == name


def test_a_check_is_frozen_with_name_expects_and_normalise():
    assert [f.name for f in dataclasses.fields(Check)] == ["name", "expects", "normalise"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CHECKS["iban"].name = "other"  # type: ignore[misc]


def test_invalid_is_a_value_error_carrying_the_reason():
    error = Invalid("the IBAN check digits are wrong")
    assert isinstance(error, ValueError)
    assert str(error.reason) == "the IBAN check digits are wrong"


def test_what_each_check_expects_reads_as_plain_words():
    expects = {name: check.expects for name, check in CHECKS.items()}
    assert expects == {
        "iban": "an IBAN such as NL91ABNA0417164300",
        "bic": "a BIC (SWIFT code) such as ABNANL2A",
        "vat": "an EU VAT number such as NL000099998B57, BE0403170701 or DE136695976",
        "kvk": "a KvK number of 8 digits, such as 12345678",
        "bsn": "a BSN of 9 digits, such as 111222333",
        "postcode_nl": "a Dutch postcode such as 1234 AB",
        "email": "an email address such as jan@example.nl",
        "phone": "a phone number such as +31 20 123 4567 (or 020 123 4567 in a Dutch row)",
        "postcode": "a postcode of the row's country such as 1234 AB or 10115",
        "country": "a country such as NL, BE, Belgium or België",
        "bank_account_nl": "an old-style Dutch bank account number such as 417164300 (not an IBAN)",
    }


EXAMPLES = {
    "iban": ["NL91ABNA0417164300"],
    "bic": ["ABNANL2A"],
    "vat": ["NL000099998B57", "BE0403170701"],
    "kvk": ["12345678"],
    "bsn": ["111222333"],
    "postcode_nl": ["1234 AB"],
    "email": ["jan@example.nl"],
    "phone": ["+31 20 123 4567"],
    "country": ["NL", "BE", "Belgium", "België"],
    "bank_account_nl": ["417164300"],
}


@pytest.mark.parametrize(("name", "example"), [(n, e) for n, es in EXAMPLES.items() for e in es])
def test_the_examples_in_what_a_check_expects_are_valid(name, example):
    assert example in CHECKS[name].expects
    CHECKS[name].normalise(example)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_blank_text_is_not_a_value(name):
    with pytest.raises(Invalid) as caught:
        CHECKS[name].normalise("   ")
    assert str(caught.value.reason) == "there is no value"


def test_an_unknown_check_name_is_a_key_error():
    with pytest.raises(KeyError, match="no check named 'zipcode'"):
        apply("zipcode", pd.Series(["1234AB"]))


# --- The test numbers are the real thing --------------------------------------------------------


def test_the_example_numbers_are_valid_according_to_stdnum():
    assert std_iban.is_valid("NL91ABNA0417164300")
    assert std_iban.is_valid("BE68539007547034", check_country=False)
    assert std_btw.is_valid("NL000099998B57")
    assert not std_bsn.is_valid("000099998")  # so NL000099998B57 relies on the mod-97 check
    assert std_btw.is_valid("NL004495445B01") and std_bsn.is_valid("004495445")
    assert std_be_vat.is_valid("BE0403170701")
    assert std_bsn.is_valid("111222333")


# --- apply over whole columns ---------------------------------------------------------------


def test_apply_keeps_the_index_name_and_missing_values():
    values = pd.Series(
        ["1234 ab", None, "0234 AB", np.nan, "1234 ab", "", "  ", pd.NA, "5678cd"],
        index=[10, 11, 12, 13, 14, 15, 16, 17, 10],  # spreadsheet rows; labels may repeat
        name="Postcode",
        dtype=object,
    )
    normalised, reasons = apply("postcode_nl", values)
    assert normalised.index.tolist() == values.index.tolist()
    assert reasons.index.tolist() == values.index.tolist()
    assert normalised.name == reasons.name == "Postcode"
    assert normalised.dtype == object and reasons.dtype == object
    form = "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB"
    assert normalised.tolist() == ["1234AB", None, None, None, "1234AB", None, None, None, "5678CD"]
    assert english(reasons) == [None, None, form, None, None, None, None, None, None]


def test_apply_on_an_empty_or_entirely_missing_column():
    for values in (pd.Series([], dtype=object), pd.Series([None, np.nan], index=[5, 6])):
        normalised, reasons = apply("iban", values)
        assert normalised.index.equals(values.index)
        assert normalised.isna().all() and reasons.isna().all()
        assert list(normalised) == [None] * len(values)
        assert english(reasons) == [None] * len(values)


def test_apply_reads_numbers_as_their_text():
    normalised, reasons = apply("kvk", pd.Series([12345678, 1234567]))
    assert normalised.tolist() == ["12345678", None]
    assert english(reasons)[0] is None
    assert english(reasons)[1].startswith("a KvK number has 8 digits, this one has 7")


def test_apply_does_not_change_its_input():
    values = pd.Series([" nl91 abna 0417 1643 00 ", None])
    before = values.copy()
    apply("iban", values)
    pd.testing.assert_series_equal(values, before)


def _sample(name: str) -> list[str]:
    """Good, bad and tricky texts for one check, for comparing apply with normalise."""
    rng = random.Random(20240601)
    texts = [text for n, text, _ in GOOD + BAD if n == name and text]
    if name == "iban":
        for cc, layout in sorted(banking._IBAN_LAYOUT.items()):
            for _ in range(3):
                bban = "".join(
                    rng.choice({"n": "0123456789", "a": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                "c": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}[kind])
                    for n, kind in banking._LAYOUT_PART.findall(layout)
                    for _ in range(int(n))
                )  # fmt: skip
                good = cc + std_iban.calc_check_digits(cc + "00" + bban) + bban
                wrong_check = f"{good[:2]}{(int(good[2:4]) + 1) % 100:02d}{good[4:]}"
                swapped = good[:4] + good[5] + good[4] + good[6:]
                texts += [good, good.lower(), wrong_check, swapped, good[:-1]]
        texts += ["NL00ABNA0417164300", "NL01ABNA0417164300", "NL99ABNA0417164300"]
        texts += ["NL01ABNA2867155157", "NL98ABNA2867155157"]
    if name == "bsn":
        texts += [f"{rng.randrange(10**7, 10**9)}" for _ in range(500)]
    if name == "vat":
        texts += [f"NL{rng.randrange(10**9):09d}B{rng.randrange(100):02d}" for _ in range(500)]
        texts += [f"BE{rng.randrange(2)}{rng.randrange(10**9):09d}" for _ in range(500)]
        texts += ["BE0000000000", "NL000000000B00"]
    if name == "kvk":
        texts += [f"{rng.randrange(10**9):0{rng.randrange(6, 10)}d}" for _ in range(200)]
    if name == "bank_account_nl":
        texts += [f"{rng.randrange(10**11):0{rng.randrange(1, 12)}d}" for _ in range(300)]
        texts += ["000", "0000000000", "0001234567"]
    if name == "postcode_nl":
        letters = "ABDERSXZ"
        texts += [
            f"{rng.randrange(10000):04d}{rng.choice(['', ' ', '-'])}{rng.choice(letters)}"
            f"{rng.choice(letters).lower()}"
            for _ in range(400)
        ]
    if name == "phone":
        starts = ["0", "00", "+", "+31", "0031", "+32", "+310", "0032 0", "6", "+31 (0)", "(0"]
        texts += [
            rng.choice(starts)
            + rng.choice(["", " ", "-"])
            + f"{rng.randrange(10**14)}"[: rng.randrange(5, 15)]
            for _ in range(600)
        ]
        texts += ["-+31612345678", "+ 31 6 12345678", "06.12.34.56.78", "06/12345678"]
    if name == "email":
        texts += [
            "a@b.nl",
            "A@B.NL",
            "a.b@c.d.nl",
            "a@b.c",
            "a@b",
            "a@b.nl.",
            "a b@c.nl",
            "a@b@c.nl",
        ]
        texts += ["ü@MÜLLER.de", "x@y-z.com", "x@[1.2.3.4]", '"x"@y.nl', "x@y.nl\n"]
    if name == "bic":
        texts += ["ABNANL2", "ABNAXK2A", "ABNAEL2A", "abnanl2axxx", "ABNANL2AXX1", "1BNANL2A"]
    if name == "country":
        texts += sorted(ISO_COUNTRIES) + [c.lower() for c in sorted(ISO_COUNTRIES)]
        texts += ["XK", "EU", "N L", "nl ", "NLD"]
    return texts


def _one_by_one(name: str, texts: list[str]) -> tuple[list, list]:
    normalised, reasons = [], []
    for text in texts:
        try:
            normalised.append(CHECKS[name].normalise(text))
            reasons.append(None)
        except Invalid as invalid:
            normalised.append(None)
            reasons.append(str(invalid.reason))
    return normalised, reasons


@pytest.mark.parametrize("name", sorted(set(CHECKS) - {"postcode"}))  # per row: regional
def test_apply_agrees_with_normalise_one_value_at_a_time(name):
    texts = _sample(name)
    normalised, reasons = apply(name, pd.Series(texts, index=range(100, 100 + len(texts))))
    expected_normalised, expected_reasons = _one_by_one(name, [t.strip() for t in texts])
    assert normalised.tolist() == expected_normalised
    assert english(reasons) == expected_reasons
    assert any(r is None for r in expected_reasons)  # the sample holds valid values ...
    assert any(r is not None for r in expected_reasons)  # ... and invalid ones


TYPICAL = {
    "iban": [
        "NL91ABNA0417164300",
        "nl02 abna 0123 4567 89",
        "BE71096123456769",
        "DE89370400440532013000",
    ],
    "bic": ["ABNANL2A", "rabo nl 2u", "DEUTDEFF500"],
    "vat": ["NL000099998B57", "NL004495445B01", "nl 0044.95.445.b01", "BE0403170701"],
    "kvk": ["12345678", "01234567", "1234 5678"],
    "bsn": ["111222333", "12345672", "1112.22.333"],
    "postcode_nl": ["1234 ab", "1234AB", "9999-ZZ"],
    "email": ["jan@example.nl", "Jan.Jansen@Example.NL"],
    "country": ["NL", "be"],
    "bank_account_nl": ["417164300", "0417164300", "1234567", "41.71.64.300"],
}


@pytest.mark.parametrize("name", sorted(TYPICAL))
def test_typical_valid_values_are_checked_in_one_vectorised_pass(name, monkeypatch):
    """A big sheet of ordinary valid values never falls back to checking value by value."""

    def one_by_one(text: str) -> str:
        raise AssertionError(f"{text!r} was checked on its own")

    monkeypatch.setitem(CHECKS, name, dataclasses.replace(CHECKS[name], normalise=one_by_one))
    values = pd.Series(TYPICAL[name] * 50)
    normalised, reasons = apply(name, values)
    assert reasons.isna().all()
    assert normalised.notna().all()


def test_apply_checks_each_distinct_value_once(monkeypatch):
    seen: list[str] = []
    original = CHECKS["iban"].normalise

    def counting(text: str) -> str:
        seen.append(text)
        return original(text)

    monkeypatch.setitem(CHECKS, "iban", dataclasses.replace(CHECKS["iban"], normalise=counting))
    normalised, reasons = apply("iban", pd.Series(["NL92ABNA0417164300"] * 1000 + ["XX"] * 1000))
    assert sorted(seen) == ["NL92ABNA0417164300", "XX"]
    assert pd.Series(english(reasons)).value_counts().to_dict() == {
        "the IBAN check digits are wrong": 1000,
        "'XX' is not a country code an IBAN can start with": 1000,
    }


# --- The mapping language -------------------------------------------------------------------


def test_every_check_type_of_the_mapping_language_has_a_check():
    from importer.mapping import COLUMN_TYPES

    assert set(COLUMN_TYPES) - {"text", "integer", "decimal", "date", "boolean"} == set(CHECKS)
