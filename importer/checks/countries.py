"""Country names and codes: what a ``type: country`` cell may hold, and a target's own codes.

A cell names its country by an ISO 3166-1 alpha-2 code (``BE``), a Dutch or English name
(``België``, ``Belgium``, as Google's numbering plan library ``phonenumbers`` names the
regions, accents and case ignored), a common alias (``Holland``, ``UK``, ``EL``) or a code of the
target's own table (:class:`CountryCodes`, given by the target's spec). An ISO code always
means its ISO country: a target code that is also another country's ISO code is read as the
ISO code.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from importer.checks.common import ISO_COUNTRIES
from importer.checks.country_names import NAMES

# Names people write that the library does not know (in upper case, without accents).
ALIASES = {
    "HOLLAND": "NL", "THE NETHERLANDS": "NL", "NLD": "NL", "BEL": "BE", "DEU": "DE",
    "DEUTSCHLAND": "DE", "BELGIQUE": "BE", "FRA": "FR", "LUX": "LU", "UK": "GB", "GBR": "GB",
    "ENGELAND": "GB", "GROOT-BRITTANNIE": "GB", "GREAT BRITAIN": "GB", "EL": "GR", "USA": "US",
    "VERENIGDE STATEN": "US", "UNITED STATES OF AMERICA": "US", "ESPANA": "ES",
}  # fmt: skip


@dataclass(frozen=True)
class CountryCodes:
    """A target's country codes: ``codes`` maps each ISO code to the target's code; ``source``
    says where the table comes from. ``declared`` (the mapping's ``country_codes``) adds to it
    or overrides it."""

    codes: Mapping[str, str]
    source: str
    declared: Mapping[str, str] = field(default_factory=dict)

    def with_declared(self, declared: Mapping[str, str] | None) -> CountryCodes:
        extra = {iso.upper(): code for iso, code in (declared or {}).items()}
        return CountryCodes(self.codes, self.source, extra)

    def target_code(self, iso: str) -> str | None:
        return self.declared.get(iso) or self.codes.get(iso)

    @property
    def by_code(self) -> dict[str, str]:
        """The target's codes that are no ISO code, to the ISO code they stand for."""
        merged = {**self.codes, **self.declared}
        return {c.upper(): iso for iso, c in merged.items() if c.upper() not in ISO_COUNTRIES}


def plain(text: str) -> str:
    """Upper case, accents and surrounding spaces dropped: ``België`` -> ``BELGIE``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().upper())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def names() -> dict[str, str]:
    """Every Dutch and English country name (plain), to its ISO code."""
    return {**NAMES, **ALIASES}


def iso_country(text: str, codes: CountryCodes | None = None) -> str | None:
    """The ISO code a cell names (code, name, alias or target code), None if none."""
    key = plain(text)
    if key in ISO_COUNTRIES:
        return key
    if key in names():
        return names()[key]
    if codes is not None:
        return codes.by_code.get(key)
    return None
