"""What the Recras sandbox holds and how a write changes it: :class:`RecrasState`.

Contacts of every type (klanten among them), their contact persons, the companies klanten belong
to (``BEDRIJVEN``) and the requests received. A write's body is checked by the sandbox's
statement of Recras's rules (:mod:`importer.sandbox.recras_rules`); a refusal is a
:class:`RecrasError` carrying the HTTP status and body to answer with. The app serving it is
:mod:`importer.sandbox.recras`.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from importer.sandbox.recras_rules import PERSON_TEXT, read_klant

PAGE_SIZE = 100

# The fields of a contact in a list of klanten, as Recras's example shows them.
SUMMARY = (
    "id",
    "type",
    "displaynaam",
    "naam",
    "adres",
    "postcode",
    "plaats",
    "provinciecode",
    "website",
    "bedrijf_id",
    "soort_klant",
    "afdeling",
    "factuur_adressering",
)
BEDRIJVEN = {
    1: {
        "id": 1,
        "naam": "Sandbox Recreatie B.V.",
        "soorten_klant": ["Particulier", "Familie", "Groep", "Bedrijf", "School", "Vereniging"],
    }
}


class RecrasError(Exception):
    """A refusal: the HTTP status and the body to answer with."""

    def __init__(self, status: int, body: dict[str, Any]):
        super().__init__(json.dumps(body))
        self.status, self.body = status, body


def refused(problems: list[str]) -> RecrasError:
    return RecrasError(422, {"error": {"message": "; ".join(problems)}})


@dataclass
class RecrasState:
    """What the sandbox holds: contacts of every type (klanten among them), contact persons,
    the companies klanten belong to, and the requests it received."""

    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    persons: dict[int, dict[str, Any]] = field(default_factory=dict)
    companies: dict[int, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(BEDRIJVEN))
    requests: list[dict[str, Any]] = field(default_factory=list)
    reads: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = PAGE_SIZE
    refuse_writes: bool = False  # answer every write 403, as to a key without the permission
    lock: threading.RLock = field(default_factory=threading.RLock)
    next_contact: int = 1
    next_person: int = 1

    # --- views ----------------------------------------------------------------------------------

    @property
    def klanten(self) -> dict[int, dict[str, Any]]:
        """Every klant by id, as ``GET /api2/klanten/{id}`` shows it."""
        with self.lock:
            return {i: self.view(i) for i, c in self.contacts.items() if c["type"] == "klant"}

    def view(self, contact_id: int) -> dict[str, Any]:
        """One contact with its contactpersonen (main contact first) and extra_fields."""
        with self.lock:
            contact = self.contacts[contact_id]
            links = sorted(contact["contactpersonen"], key=lambda link: not link["hoofdcontact"])
            people = [
                {**self._person(link["id"]), "hoofdcontact": link["hoofdcontact"]} for link in links
            ]
            return {
                **self.summary(contact_id),
                "contactpersonen": people,
                "extra_fields": copy.deepcopy(contact.get("extra_fields", [])),
            }

    def summary(self, contact_id: int) -> dict[str, Any]:
        """A contact as a list of klanten shows it (no contactpersonen)."""
        contact = self.contacts[contact_id]
        out = {name: contact.get(name) for name in SUMMARY}
        out["displaynaam"] = contact.get("naam") or self._main_name(contact) or ""
        return out

    def _person(self, person_id: int) -> dict[str, Any]:
        person = self.persons[person_id]
        return {"id": person_id, **{name: person.get(name) for name in PERSON_TEXT}}

    def _main_name(self, contact: dict[str, Any]) -> str:
        for link in contact["contactpersonen"]:
            if link["hoofdcontact"]:
                person = self.persons[link["id"]]
                names = (person.get("voornaam"), person.get("achternaam"))
                return " ".join(n for n in names if n)
        return ""

    def received(self, method: str = "POST", path: str = "/api2/klanten") -> list[Any]:
        """The bodies of the writes received with ``method`` on ``path``."""
        with self.lock:
            return [r["body"] for r in self.requests if (r["method"], r["path"]) == (method, path)]

    def records(self) -> dict[str, Any]:
        with self.lock:
            return {
                "contacten": [self.view(i) for i in sorted(self.contacts)],
                "contactpersonen": [self._person(i) for i in sorted(self.persons)],
            }

    def reset(self) -> None:
        """Forget every contact, person and request (the settings stay)."""
        with self.lock:
            self.contacts.clear()
            self.persons.clear()
            self.requests.clear()
            self.reads.clear()
            self.next_contact = self.next_person = 1

    # --- changes --------------------------------------------------------------------------------

    def add_klant(self, body: Any) -> dict[str, Any]:
        """Create a klant from a POST body (RecrasError when refused); its summary."""
        return self.add_contact(body, kind="klant")

    def add_contact(self, body: Any, *, kind: str = "klant") -> dict[str, Any]:
        """Create a contact of any type (``leverancier``, ... for tests) from a body."""
        with self.lock:
            fields, people, extra = self._checked(body, new=True)
            contact_id = self.next_contact
            self.next_contact += 1
            contact: dict[str, Any] = {name: None for name in SUMMARY if name != "displaynaam"}
            contact.update(fields, id=contact_id, type=kind, extra_fields=extra or [])
            contact["bedrijf_id"] = contact["bedrijf_id"] or 1
            contact["contactpersonen"] = self._link(people or [])
            self.contacts[contact_id] = contact
            return self.summary(contact_id)

    def update_klant(self, klant_id: int, body: Any) -> dict[str, Any]:
        """Change a klant with a PUT body; its full view."""
        with self.lock:
            contact = self.contacts.get(klant_id)
            if contact is None or contact["type"] != "klant":
                raise RecrasError(404, {"error": f"Klant {klant_id} bestaat niet"})
            fields, people, extra = self._checked(body, new=False, company=contact["bedrijf_id"])
            contact.update(fields)
            if people is not None:
                contact["contactpersonen"] = self._link(people or [])
            if extra is not None:
                given = {e["name"] for e in extra}
                kept = [e for e in contact["extra_fields"] if e["name"] not in given]
                contact["extra_fields"] = kept + extra
            return self.view(klant_id)

    def _link(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The links of a contact's complete list of contact persons: one with an id is that
        person (the fields given change it), one without is a new person."""
        links = []
        for person in people:
            person = dict(person)
            main = person.pop("hoofdcontact")
            if "id" in person:
                person_id = person.pop("id")
                self.persons[person_id].update(
                    {name: value for name, value in person.items() if name in PERSON_TEXT}
                )
            else:
                person_id = self.next_person
                self.next_person += 1
                self.persons[person_id] = {name: person.get(name) for name in PERSON_TEXT}
            links.append({"id": person_id, "hoofdcontact": main})
        return links

    def add_person(self, **fields: Any) -> int:
        """A contact person not linked to any contact (for tests); its id."""
        with self.lock:
            person_id = self.next_person
            self.next_person += 1
            self.persons[person_id] = {name: fields.get(name) for name in PERSON_TEXT}
            return person_id

    # --- the rules ------------------------------------------------------------------------------

    def _checked(
        self, body: Any, *, new: bool, company: int = 1
    ) -> tuple[dict[str, Any], list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
        """(klant fields, contactpersonen or None, extra_fields or None) of a valid body."""
        if not isinstance(body, dict):
            raise RecrasError(400, {"message": "Invalid JSON: an object was expected"})
        klant = read_klant(
            body, new=new, company=company, companies=self.companies, persons=self.persons
        )
        if klant.problems:
            raise refused(klant.problems)
        return klant.fields, klant.people, klant.extra
