"""Checks that depend on the row's country: the column types ``phone`` and ``postcode``.

The country comes from the column a ``country:`` option names (any way
:func:`importer.checks.countries.iso_country` reads), else from the source's locale (``nl``:
NL, ``be``: BE); a row whose country cell is blank takes the locale's.

``phone``
    Checked against Google's numbering plan (``phonenumbers``) for the row's country; a number
    with ``+`` or ``00`` is checked for its own country. Written in the mapping's ``format``:
    ``e164`` (default, ``+31201234567``), ``international`` (``+31 20 123 4567``) or
    ``national`` (``020 123 4567``; a number of another country than the row's is written
    international). The ``(0)`` of ``+31 (0)20 ...`` is not dialled and is dropped. Without any
    country a number must start with + or 00.
``postcode``
    Per country: NL as ``postcode_nl`` (``1234AB``); BE, LU, AT, CH, DK: 4 digits; DE, FR, ES,
    IT: 5 digits (a prefix such as ``D-`` or ``B-`` is dropped). Postcodes of other countries,
    or of rows without a country, are kept as written (trimmed): they are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from importer.checks.common import SPACES_DASHES, Invalid
from importer.checks.countries import CountryCodes, iso_country
from importer.checks.identifiers import normalise_postcode_nl
from importer.messages import Message

REGIONAL = ("phone", "postcode")  # always per row; country: only for a target's own codes
LOCALE_COUNTRY = {"nl": "NL", "be": "BE"}

_FORMATS = {
    "e164": PhoneNumberFormat.E164,
    "international": PhoneNumberFormat.INTERNATIONAL,
    "national": PhoneNumberFormat.NATIONAL,
}
_PHONE_CHARS = re.compile(r"\+?[0-9\s\-./()]+")
_NOT_DIALLED = re.compile(r"\(\s*0\s*\)")


def normalise_phone(text: str, country: str | None, form: str = "e164") -> str:
    s = text.strip()
    if not _PHONE_CHARS.fullmatch(s):
        raise Invalid(Message("check.phone_chars"))
    digits = re.sub(r"[^0-9+]", "", s)
    international = digits.startswith(("+", "00"))
    if international:
        s = "+" + re.sub(r"^(\+|00)", "", _NOT_DIALLED.sub("", s))
    elif country is None:
        raise Invalid(Message("check.phone_no_country"))
    elif not digits.startswith("0") and _trunk(country) == "0":  # 30 231...: a dropped 0
        raise Invalid(Message("check.phone_start", hint=Message("check.dropped_zero")))
    try:
        number = phonenumbers.parse(s, None if international else country)
    except NumberParseException:
        raise Invalid(Message("check.phone_invalid", country=country or "?")) from None
    if not phonenumbers.is_valid_number(number):
        own = phonenumbers.region_code_for_number(number) or country or "?"
        raise Invalid(Message("check.phone_invalid", country=own))
    if form == "national" and phonenumbers.region_code_for_number(number) != country:
        form = "international"
    return phonenumbers.format_number(number, _FORMATS[form])


def _trunk(country: str) -> str | None:
    """The prefix of national numbers in ``country`` (0 in most of Europe)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(country)
    return metadata.national_prefix if metadata is not None else None


# country: (digits, prefix people write before it on letters from abroad)
_POSTCODE_DIGITS = {
    "BE": (4, "B"), "LU": (4, "L"), "AT": (4, "A"), "CH": (4, "CH"), "DK": (4, "DK"),
    "DE": (5, "D"), "FR": (5, "F"), "ES": (5, "E"), "IT": (5, "I"),
}  # fmt: skip


def normalise_postcode(text: str, country: str | None) -> str:
    s = text.strip()
    if country == "NL":
        return normalise_postcode_nl(s)
    if country not in _POSTCODE_DIGITS:
        return s
    digits, prefix = _POSTCODE_DIGITS[country]
    compact = SPACES_DASHES.sub("", s).upper()
    for lead in (country, prefix):
        if compact.startswith(lead) and compact[len(lead) :].isdigit():
            compact = compact[len(lead) :]
    if not re.fullmatch(rf"[0-9]{{{digits}}}", compact) or (digits == 4 and compact[0] == "0"):
        raise Invalid(Message("check.postcode_digits", country=country, digits=digits))
    return compact


@dataclass(frozen=True)
class Context:
    """What a phone, postcode or country cell needs besides its text: the row's country (ISO
    codes by row, None where unknown), the locale's country, and the target's country codes
    (None: the target takes ISO codes)."""

    countries: pd.Series | None = None
    country: str | None = None
    codes: CountryCodes | None = None


def context(
    locale: str | None, codes: CountryCodes | None, country_text: pd.Series | None
) -> Context:
    """The context of a column: ``country_text`` is the text of its ``country:`` column."""
    countries = None
    if country_text is not None:
        known = {t: iso_country(t, codes) for t in country_text.dropna().astype(str).unique()}
        countries = country_text.map(known.get, na_action="ignore")
    return Context(countries, LOCALE_COUNTRY.get(locale or ""), codes)


def normalise_country(text: str, codes: CountryCodes | None) -> str:
    """A country cell as the target writes it: its ISO code, or the target's own code."""
    iso = iso_country(text, codes)
    if iso is None:
        raise Invalid(Message("check.country", text=text.strip()))
    if codes is None:
        return iso
    code = codes.target_code(iso)
    if code is None:
        raise Invalid(Message("check.country_no_code", code=iso))
    return code


def apply(
    name: str, text: pd.Series, context: Context, form: str | None
) -> tuple[pd.Series, pd.Series]:
    """(normalised values, reasons) of a Series of text, each cell for its row's country
    (``context.countries``, else the locale's); a country cell in the target's codes."""
    values = np.full(len(text), None, dtype=object)
    reasons = np.full(len(text), None, dtype=object)
    cells = text.to_numpy(dtype=object)
    regions = (
        context.countries.reindex(text.index).to_numpy(dtype=object)
        if context.countries is not None and name != "country"
        else np.full(len(text), None, dtype=object)
    )
    done: dict[tuple[str, str | None], tuple[str | None, Message | None]] = {}
    for i, (cell, region) in enumerate(zip(cells, regions, strict=True)):
        if cell is None or (isinstance(cell, float) and cell != cell):
            continue
        key = (str(cell), region if isinstance(region, str) else context.country)
        if key not in done:
            done[key] = _one(name, key[0], key[1], form, context.codes)
        values[i], reasons[i] = done[key]
    return (
        pd.Series(values, index=text.index, name=text.name, dtype=object),
        pd.Series(reasons, index=text.index, name=text.name, dtype=object),
    )


def _one(
    name: str, text: str, country: str | None, form: str | None, codes: CountryCodes | None
) -> tuple[str | None, Message | None]:
    try:
        if not text.strip():
            raise Invalid(Message("check.no_value"))
        if name == "phone":
            return normalise_phone(text, country, form or "e164"), None
        if name == "postcode":
            return normalise_postcode(text, country), None
        return normalise_country(text, codes), None
    except Invalid as invalid:
        return None, invalid.reason
