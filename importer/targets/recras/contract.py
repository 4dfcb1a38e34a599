"""The rules a Recras klant body must follow before it is sent: :class:`RecrasContract`, its
field lists, the Dutch provinces and the checks of ``extra_fields``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from importer.contract import Violation
from importer.messages import Message

GESLACHT = ("man", "vrouw", "onbekend")
EXTRA_TYPES = ("text", "number", "date", "singlechoice", "multiplechoice")
# ISO 3166-2 codes of the twelve Dutch provinces.
PROVINCES = {
    "NL-DR": "Drenthe",
    "NL-FL": "Flevoland",
    "NL-FR": "Fryslân",
    "NL-GE": "Gelderland",
    "NL-GR": "Groningen",
    "NL-LI": "Limburg",
    "NL-NB": "Noord-Brabant",
    "NL-NH": "Noord-Holland",
    "NL-OV": "Overijssel",
    "NL-UT": "Utrecht",
    "NL-ZE": "Zeeland",
    "NL-ZH": "Zuid-Holland",
}
ISO_3166_2 = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
# A local part, "@", and a domain of two or more labels, none of them empty (RFC 5321).
EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")
# The documented fields of a klant (seed 002), and btw_nummer, which the reference names among
# the values klanten hold.
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
READ_ONLY = ("type", "displaynaam")  # in Recras's answers; accepted back and ignored
CONTRACTS = ("klanten",)


class RecrasContract:
    """The rules of a klant body that can be checked before it is sent.

    ``contactpersonen`` present (one or more; an update, a body with an ``id``, may leave it
    out), each an object with a boolean ``hoofdcontact``, exactly one of them the main contact;
    an existing person named by a whole-number ``id``, each person once; a new one with
    ``geslacht`` man, vrouw or onbekend and valid e-mail addresses; known field names (a typo
    would be ignored by Recras and lose the value); text or null where text belongs (Recras's
    own example sends ``"afdeling": null``), ``""`` being no value; ``provinciecode`` an ISO
    3166-2 code (one of the twelve for NL); ``extra_fields`` a list of ``{name, type, value}``
    with the value of its type (number: a whole number, date: ISO 8601 ``YYYY-MM-DD``,
    multiplechoice: a list of texts, others: a text).
    """

    source = "Recras rules built into importer (importer/targets/recras/contract.py)"

    def __init__(self, connector: str = "klanten"):
        self.connector = connector

    def violations(self, body: Any, action: str = "insert") -> list[Violation]:
        """What Recras would refuse in ``body`` (the same rules for an insert and an update; a
        delete has no body)."""
        if action == "delete":
            return []
        out: list[Violation] = []

        def add(path: str, value: Any, message: Message, kind: str = "") -> None:
            out.append(Violation(path, path.rsplit(".", 1)[-1], value, message, kind))

        if not isinstance(body, dict):
            add("", None, Message("recras.not_object", connector=self.connector), "shape")
            return out
        known = (*KLANT_TEXT, "bedrijf_id", "contactpersonen", "extra_fields", "id", *READ_ONLY)
        for name, value in body.items():
            if name not in known:
                add(name, None, _unknown("recras.klant", name, known), "unknown")
            elif name in KLANT_TEXT and value is not None and not isinstance(value, str):
                add(name, value, Message("recras.klant_text", name=name, kind=_kind(value)), "type")
        code = body.get("provinciecode")
        if isinstance(code, str) and code:
            problem = province_problem(code)
            if problem:
                add("provinciecode", code, problem, "value")
        company = body.get("bedrijf_id")
        if company is not None and not _whole(company):
            add("bedrijf_id", company, Message("recras.bedrijf_id"), "type")
        self._contacts(body, add)
        extra = body.get("extra_fields")
        if extra is not None:
            for path, value, message in extra_field_problems(extra):
                add(path, value, message, "type")
        return out

    def _contacts(self, body: dict[str, Any], add: Callable[..., None]) -> None:
        people = body.get("contactpersonen")
        if "contactpersonen" not in body and body.get("id") not in (None, ""):
            return  # an update keeps the contact persons it does not name
        if people is None or people == []:
            add(
                "contactpersonen",
                None,
                Message("recras.no_contacts"),
                "missing",
            )
            return
        if not isinstance(people, list):
            add("contactpersonen", None, Message("recras.contacts_list"))
            return
        main = 0
        seen: set[int] = set()
        known = ("id", "hoofdcontact", *PERSON_TEXT)
        for i, person in enumerate(people, start=1):
            where = f"contactpersonen[{i}]"
            if not isinstance(person, dict):
                add(where, None, Message("recras.contact_object", where=where), "shape")
                continue
            flag = person.get("hoofdcontact")
            if "hoofdcontact" not in person:
                add(
                    f"{where}.hoofdcontact",
                    None,
                    Message("recras.no_main_flag", where=where),
                    "missing",
                )
            elif not isinstance(flag, bool):
                add(
                    f"{where}.hoofdcontact",
                    flag,
                    Message("recras.main_flag", where=where, flag=flag),
                    "type",
                )
            elif flag:
                main += 1
            for name, value in person.items():
                if name not in known:
                    add(f"{where}.{name}", None, _unknown("recras.person", name, known), "unknown")
                elif name in PERSON_TEXT and value is not None and not isinstance(value, str):
                    add(
                        f"{where}.{name}",
                        value,
                        Message("recras.person_text", name=name, kind=_kind(value)),
                        "type",
                    )
            if "id" in person and not _whole(person["id"]):
                add(
                    f"{where}.id",
                    person["id"],
                    Message("recras.person_id", where=where),
                    "type",
                )
            elif "id" in person and person["id"] in seen:
                add(
                    f"{where}.id",
                    person["id"],
                    Message("recras.person_twice", id=person["id"]),
                    "value",
                )
            elif "id" in person:
                seen.add(person["id"])
            sex = person.get("geslacht")
            if isinstance(sex, str) and sex not in GESLACHT:
                add(
                    f"{where}.geslacht",
                    sex,
                    Message("recras.geslacht", sex=sex, allowed=", ".join(GESLACHT)),
                    "value",
                )
            for name in ("email1", "email2"):
                value = person.get(name)
                if isinstance(value, str) and value and not EMAIL.fullmatch(value):
                    add(
                        f"{where}.{name}",
                        value,
                        Message("recras.email", value=value),
                        "value",
                    )
        if main != 1 and all(isinstance(p, dict) and "hoofdcontact" in p for p in people):
            add(
                "contactpersonen",
                None,
                Message("recras.main_many", count=main) if main else Message("recras.main_none"),
                "value",
            )


def province_problem(code: str) -> Message | None:
    """Why ``code`` is not a provinciecode Recras takes, or None."""
    if not ISO_3166_2.fullmatch(code):
        return Message("recras.province_code", code=code)
    if code.startswith("NL-") and code not in PROVINCES:
        return Message("recras.province", code=code, known=", ".join(PROVINCES))
    return None


def extra_field_problems(extra: Any) -> list[tuple[str, Any, Message]]:
    """(path, value, message) for each way ``extra_fields`` is not what Recras takes."""
    if not isinstance(extra, list):
        return [("extra_fields", None, Message("recras.extra_list"))]
    out: list[tuple[str, Any, Message]] = []
    for i, item in enumerate(extra, start=1):
        where = f"extra_fields[{i}]"
        if not isinstance(item, dict):
            out.append((where, None, Message("recras.extra_object", where=where)))
            continue
        name, kind, value = item.get("name"), item.get("type"), item.get("value")
        label = (
            Message("recras.extra_field", name=name) if isinstance(name, str) and name else where
        )
        for key in item:
            if key not in ("name", "type", "value"):
                out.append(
                    (f"{where}.{key}", None, Message("recras.extra_key", label=label, key=key))
                )
        if not (isinstance(name, str) and name.strip()):
            out.append((f"{where}.name", None, Message("recras.extra_no_name", where=where)))
        if kind not in EXTRA_TYPES:
            out.append(
                (
                    f"{where}.type",
                    kind if isinstance(kind, str) else None,
                    Message(
                        "recras.extra_type", label=label, kind=kind, known=", ".join(EXTRA_TYPES)
                    ),
                )
            )
            continue
        if "value" not in item:
            out.append((f"{where}.value", None, Message("recras.extra_no_value", label=label)))
            continue
        problem = _extra_value_problem(kind, value)
        if problem:
            said = Message("recras.extra_value", label=label, kind=kind, problem=problem)
            out.append((f"{where}.value", _shown(value), said))
    return out


def _extra_value_problem(kind: str, value: Any) -> Message | None:
    if kind == "number":
        return None if _whole(value) else Message("recras.value_number", value=value)
    if kind == "date":
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                dt.date.fromisoformat(value)
                return None
            except ValueError:
                pass
        return Message("recras.value_date", value=value)
    if kind == "multiplechoice":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        return Message("recras.value_texts", value=value)
    return None if isinstance(value, str) else Message("recras.value_text", value=value)


def _shown(value: Any) -> Any:
    """A value as a Problem can show it (lists are not compared with cells)."""
    shown = isinstance(value, str | int | float | Decimal) and not isinstance(value, bool)
    return value if shown else None


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> Message | str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return Message("recras.kind_number", value=value)
    if isinstance(value, list):
        return Message("recras.kind_list")
    if isinstance(value, dict):
        return Message("recras.kind_object")
    return type(value).__name__


def _unknown(code: str, name: str, known: tuple[str, ...]) -> Message:
    """``a klant has no field 'x'; did you mean 'y'?`` (code: whose field it is)."""
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    hint = Message("recras.did_you_mean", name=close[0]) if close else ""
    return Message(f"{code}_no_field", name=name, hint=hint)
