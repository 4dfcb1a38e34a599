"""Recras's rules for a klant, as the sandbox states them from Recras's API documentation.

The sandbox imports nothing of the client (``importer.targets``): what a klant is comes from
Recras's documentation of ``POST /api2/klanten`` (the reference's recras-api.md, and seed 002
with Recras's own page), so that client and sandbox can disagree and a test of one against the
other can fail. ``read_klant`` checks a body and returns its parts with every problem found, in
Dutch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

# A klant's text fields: the documented JSON parameters, and btw_nummer, which the reference
# names among the values klanten hold ("NL + 9 digits + B + 2 digits").
KLANT_TEXT = (
    "naam",
    "adres",
    "postcode",
    "plaats",
    "provinciecode",
    "website",
    "soort_klant",
    "afdeling",
    "factuur_adressering",
    "btw_nummer",
)
# A new contact person's fields (seed 002: "Indien een nieuw contactpersoon ingevoerd wordt");
# given beside an existing person's id, they change that person (the sandbox's choice: the
# documentation names only the id for a person that exists).
PERSON_TEXT = (
    "voornaam",
    "achternaam",
    "geslacht",
    "aanhef",
    "adres",
    "postcode",
    "plaats",
    "telefoon1",
    "telefoon2",
    "email1",
    "email2",
)
GESLACHT = ("man", "vrouw", "onbekend")
EXTRA_TYPES = ("text", "number", "date", "singlechoice", "multiplechoice")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# provinciecode is ISO 3166-2: the country's two letters, a hyphen and up to three letters or
# digits; a Dutch one is one of the twelve provinces of ISO 3166-2:NL.
ISO_3166_2 = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
PROVINCES = frozenset(
    {"NL-DR", "NL-FL", "NL-FR", "NL-GE", "NL-GR", "NL-LI"}
    | {"NL-NB", "NL-NH", "NL-OV", "NL-UT", "NL-ZE", "NL-ZH"}
)
# An e-mail address as far as one can tell without mailing it: a local part, "@", and a domain
# of two or more labels, none empty (RFC 5321's domain form).
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
READ_ONLY = ("id", "type", "displaynaam")  # in Recras's answers; accepted back and ignored


@dataclass
class Klant:
    """A klant body read: its own fields, its contact persons and extra fields (None when the
    body leaves them out), and what is wrong with it."""

    fields: dict[str, Any]
    people: list[dict[str, Any]] | None
    extra: list[dict[str, Any]] | None
    problems: list[str]


def read_klant(
    body: dict[str, Any],
    *,
    new: bool,
    company: int,
    companies: Mapping[int, dict[str, Any]],
    persons: Container[int],
) -> Klant:
    """Check a POST (``new``) or PUT body of a klant of ``company``.

    ``companies`` are the companies by id, each with its ``soorten_klant``; ``persons`` the ids
    of the contact persons that exist. Every problem is in ``problems``.
    """
    problems: list[str] = []
    fields: dict[str, Any] = {}
    for name, value in body.items():
        if name in KLANT_TEXT:
            if value is not None and not isinstance(value, str):
                problems.append(f"{name} moet tekst zijn")
            fields[name] = value
        elif name not in (*READ_ONLY, "bedrijf_id", "contactpersonen", "extra_fields"):
            problems.append(f"onbekend veld '{name}'")
    code = body.get("provinciecode")
    if isinstance(code, str) and code and not _province_ok(code):
        problems.append(f"ongeldige provinciecode '{code}' (ISO 3166-2, zoals NL-NH)")
    if "bedrijf_id" in body:
        company_id = body["bedrijf_id"]
        if company_id is not None and not _whole(company_id):
            problems.append("bedrijf_id moet een geheel getal zijn")
        elif company_id is not None and company_id not in companies:
            problems.append(f"bedrijf {company_id} bestaat niet")
        else:
            company = company_id or 1
            fields["bedrijf_id"] = company
    kind = body.get("soort_klant")
    known = companies.get(company, {}).get("soorten_klant", [])
    if isinstance(kind, str) and kind and kind not in known:
        problems.append(
            f"soort klant '{kind}' bestaat niet bij bedrijf {company} (wel: {', '.join(known)})"
        )
    people = None
    if new or "contactpersonen" in body:
        people = _people(body.get("contactpersonen"), persons, problems)
    extra = None
    if "extra_fields" in body and body["extra_fields"] is not None:
        extra = _extra_fields(body["extra_fields"], problems)
    return Klant(fields, people, extra, problems)


def _people(people: Any, persons: Container[int], problems: list[str]) -> list[dict[str, Any]]:
    if not isinstance(people, list) or not people:
        problems.append("contactpersonen is verplicht: geef één of meer contactpersonen op")
        return []
    main = 0
    seen: set[int] = set()
    out = []
    for i, person in enumerate(people, start=1):
        where = f"contactpersonen[{i}]"
        if not isinstance(person, dict):
            problems.append(f"{where} moet een object zijn")
            continue
        flag = person.get("hoofdcontact")
        if not isinstance(flag, bool):
            problems.append(f"{where}.hoofdcontact is verplicht (true of false)")
        elif flag:
            main += 1
        # the fields of a person, checked whether it is new or named by its id (then they
        # change that person: the sandbox's choice, the documentation names only the id)
        for name, value in person.items():
            if name in ("id", "hoofdcontact"):
                continue
            if name not in PERSON_TEXT:
                problems.append(f"{where}: onbekend veld '{name}'")
            elif value is not None and not isinstance(value, str):
                problems.append(f"{where}.{name} moet tekst zijn")
        sex = person.get("geslacht")
        if sex is not None and sex not in GESLACHT:
            problems.append(
                f"{where}.geslacht '{sex}' is ongeldig (mogelijk: man, vrouw, onbekend)"
            )
        for name in ("email1", "email2"):
            address = person.get(name)
            if isinstance(address, str) and address and not EMAIL.fullmatch(address):
                problems.append(f"{where}.{name} '{address}' is geen geldig e-mailadres")
        if "id" in person:
            person_id = person["id"]
            if not _whole(person_id) or person_id not in persons:
                problems.append(f"contactpersoon {person_id} bestaat niet")
            elif person_id in seen:
                problems.append(f"contactpersoon {person_id} staat twee keer in de lijst")
            else:
                seen.add(person_id)
        # an existing person (an id) is linked, and the fields given beside it change it
        out.append({**person, "hoofdcontact": flag})
    if main != 1:
        problems.append(
            f"er kan slechts 1 hoofdcontactpersoon per klant zijn, er zijn er {main}"
            if main
            else "er moet precies 1 hoofdcontactpersoon zijn (hoofdcontact: true)"
        )
    return out


def _province_ok(code: str) -> bool:
    return bool(ISO_3166_2.fullmatch(code)) and (not code.startswith("NL-") or code in PROVINCES)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _extra_fields(extra: Any, problems: list[str]) -> list[dict[str, Any]]:
    if not isinstance(extra, list):
        problems.append("extra_fields moet een lijst zijn van {name, type, value}")
        return []
    out = []
    for i, item in enumerate(extra, start=1):
        where = f"extra_fields[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{where} moet een object zijn")
            continue
        name, kind, value = item.get("name"), item.get("type"), item.get("value")
        for key in item:
            if key not in ("name", "type", "value"):
                problems.append(f"{where}: onbekende sleutel '{key}' (wel: name, type, value)")
        if not (isinstance(name, str) and name.strip()):
            problems.append(f"{where}.name is verplicht")
        if kind not in EXTRA_TYPES:
            problems.append(
                f"{where}.type '{kind}' is ongeldig; mogelijk: {', '.join(EXTRA_TYPES)}"
            )
            continue
        wrong = _extra_value_wrong(kind, value)
        if wrong:
            problems.append(f"extra veld '{name}' ({kind}): {wrong}")
        out.append({"name": name, "type": kind, "value": value})
    return out


def _extra_value_wrong(kind: str, value: Any) -> str | None:
    if kind == "number":
        return None if _whole(value) else "value moet een geheel getal zijn"
    if kind == "date":
        if isinstance(value, str) and ISO_DATE.fullmatch(value):
            try:
                dt.date.fromisoformat(value)
                return None
            except ValueError:
                pass
        return "value moet een ISO 8601-datum zijn (JJJJ-MM-DD)"
    if kind == "multiplechoice":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "value moet een lijst van teksten zijn"
    return None if isinstance(value, str) else "value moet tekst zijn"
