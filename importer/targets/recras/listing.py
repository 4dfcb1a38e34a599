"""Recras's part of ``importer fields``: the documented fields of a klant and its contact
persons, as :mod:`.contract` checks them (Recras publishes no field metadata to read)."""

from __future__ import annotations

from collections.abc import Mapping

from importer.errors import ConfigurationError
from importer.targets import FieldInfo, FieldListing
from importer.targets.recras.contract import CONTRACTS, GESLACHT, KLANT_TEXT, PERSON_TEXT, PROVINCES

_LABELS = {
    "naam": ("Naam", "Name"), "adres": ("Adres", "Address"),
    "postcode": ("Postcode", "Postal code"),
    "plaats": ("Plaats", "City"), "provinciecode": ("Provincie", "Province (ISO 3166-2)"),
    "website": ("Website", "Website"), "soort_klant": ("Soort klant", "Kind of customer"),
    "afdeling": ("Afdeling", "Department"),
    "factuur_adressering": ("Factuuradressering", "Invoice addressing"),
    "btw_nummer": ("Btw-nummer", "VAT number"), "voornaam": ("Voornaam", "First name"),
    "achternaam": ("Achternaam", "Last name"), "geslacht": ("Geslacht", "Gender"),
    "aanhef": ("Aanhef", "Salutation"), "telefoon1": ("Telefoon", "Phone"),
    "telefoon2": ("Telefoon 2", "Phone 2"), "email1": ("E-mail", "E-mail"),
    "email2": ("E-mail 2", "E-mail 2"), "hoofdcontact": ("Hoofdcontact", "Main contact"),
    "id": ("Id (bestaande persoon)", "Id (an existing person)"),
    "extra_fields": ("Extra velden", "Extra fields: [{name, type, value}]"),
}  # fmt: skip


def _field(name: str, path: str = "", kind: str = "text", **more: object) -> FieldInfo:
    nl, en = _LABELS.get(name, (name, name))
    return FieldInfo(name=name, path=path, labels={"nl": nl, "en": en}, type=kind, **more)  # type: ignore[arg-type]


def listing(connector: str, env: Mapping[str, str]) -> FieldListing:
    """The fields of ``klanten``, the one connector Recras is written through."""
    if connector not in CONTRACTS:
        raise ConfigurationError(
            f"Recras has no connector {connector!r}; its fields are listed for: "
            f"{', '.join(CONTRACTS)}"
        )
    provinces = tuple(PROVINCES.items())
    klant = [_field(n, values=provinces if n == "provinciecode" else ()) for n in KLANT_TEXT]
    person = "contactpersonen"
    persons = [
        _field("id", person, "integer"),
        _field("hoofdcontact", person, "boolean", mandatory=True),
    ]
    genders = tuple((g, g) for g in GESLACHT)
    persons += [_field(n, person, values=genders if n == "geslacht" else ()) for n in PERSON_TEXT]
    fields = (*klant, _field("extra_fields", kind="list"), *persons)
    return FieldListing(connector, "the rules built into importer (Recras lists no fields)", fields)
