"""The Recras sandbox over real HTTP on loopback: auth, every rule, paging and faults."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator

import httpx
import pytest

from importer.sandbox import Faults
from importer.sandbox.recras import RecrasSandbox

KLANT = {
    "naam": "Voorbeeldgroep",
    "adres": "Teststraat 1",
    "postcode": "1337 XD",
    "plaats": "Teststad",
    "provinciecode": "NL-NH",
    "website": "http://www.example.com",
    "bedrijf_id": 1,
    "soort_klant": "Familie",
    "afdeling": None,
    "factuur_adressering": None,
    "contactpersonen": [
        {
            "voornaam": "Test",
            "achternaam": "Contactpersoon",
            "geslacht": "man",
            "aanhef": None,
            "adres": "Teststraat 1",
            "postcode": "1337 XD",
            "plaats": "Teststad",
            "telefoon1": "0123456789",
            "email1": "test@example.com",
            "hoofdcontact": True,
        }
    ],
    "extra_fields": [{"name": "Shoe size", "type": "number", "value": 42}],
}


@pytest.fixture(scope="module")
def served() -> Iterator[RecrasSandbox]:
    """One sandbox for the module (starting and stopping one takes a fifth of a second)."""
    with RecrasSandbox.start() as sandbox:
        yield sandbox


@pytest.fixture
def box(served: RecrasSandbox) -> RecrasSandbox:
    """The module's sandbox, emptied, with its default settings and no faults."""
    served.state.reset()
    served.state.refuse_writes = False
    served.state.page_size = 100
    served.faults.faults = Faults()
    served.faults.writes = 0
    served.faults.applied.clear()
    return served


@pytest.fixture
def api(box) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {box.token}"}
    with httpx.Client(base_url=f"{box.base_url}/api2", headers=headers) as client:
        yield client


def klant(**changes):
    body = copy.deepcopy(KLANT)
    body.update(changes)
    return body


def person(**fields):
    return {"voornaam": "Els", "achternaam": "Jansen", "hoofdcontact": False, **fields}


# --- authentication --------------------------------------------------------------------------------


def test_only_the_bearer_key_gets_in_and_http_basic_is_refused(box, api):
    url = f"{box.base_url}/api2/personeel/me"
    anonymous = httpx.Client()

    assert api.get(url).json()["achternaam"] == "Gebruiker"
    for refused in (
        anonymous.get(url),
        anonymous.get(url, headers={"Authorization": "Bearer wrong"}),
        anonymous.get(url, headers={"Authorization": f"Bearer {box.token}x"}),
        anonymous.get(url, auth=("api", box.token)),
        anonymous.get(url, auth=(box.token, "")),
        anonymous.post(f"{box.base_url}/api2/klanten", json=KLANT),
    ):
        assert refused.status_code == 401
        assert refused.json() == {
            "error": {"message": "Niet geautoriseerd: geef een geldige API-sleutel"}
        }
    anonymous.close()
    assert box.state.requests == [] and box.state.contacts == {}


def test_a_key_without_the_permission_gets_403_on_writes(box, api):
    box.state.refuse_writes = True

    reply = api.post("/klanten", json=KLANT)

    assert reply.status_code == 403
    assert reply.json()["error"]["message"].startswith("Deze API-sleutel heeft geen rechten")
    assert box.state.contacts == {}


# --- klanten ---------------------------------------------------------------------------------------


def test_post_creates_a_klant_and_answers_201_as_recras_documents(box, api):
    reply = api.post("/klanten", json=KLANT)

    assert reply.status_code == 201
    assert reply.json() == {
        "id": 1,
        "type": "klant",
        "displaynaam": "Voorbeeldgroep",
        "naam": "Voorbeeldgroep",
        "adres": "Teststraat 1",
        "postcode": "1337 XD",
        "plaats": "Teststad",
        "provinciecode": "NL-NH",
        "website": "http://www.example.com",
        "bedrijf_id": 1,
        "soort_klant": "Familie",
        "afdeling": None,
        "factuur_adressering": None,
    }
    one = api.get("/klanten/1").json()
    assert one["contactpersonen"] == [
        {
            "id": 1,
            "voornaam": "Test",
            "achternaam": "Contactpersoon",
            "geslacht": "man",
            "aanhef": None,
            "adres": "Teststraat 1",
            "postcode": "1337 XD",
            "plaats": "Teststad",
            "telefoon1": "0123456789",
            "telefoon2": None,
            "email1": "test@example.com",
            "email2": None,
            "hoofdcontact": True,
        }
    ]
    assert one["extra_fields"] == KLANT["extra_fields"]
    assert box.state.requests == [
        {"method": "POST", "path": "/api2/klanten", "query": "", "body": KLANT}
    ]
    assert [r["path"] for r in box.state.reads] == ["/api2/klanten/1"]


def test_the_main_contact_comes_first_and_an_existing_person_is_linked_by_id(box, api):
    existing = box.state.add_person(voornaam="Janny", achternaam="Jansen")
    body = klant(
        naam=None,
        contactpersonen=[
            {"id": existing, "hoofdcontact": False},
            person(voornaam="Piet", achternaam="Pieters", hoofdcontact=True),
        ],
    )

    created = api.post("/klanten", json=body)

    assert created.status_code == 201 and created.json()["displaynaam"] == "Piet Pieters"
    people = api.get(f"/klanten/{created.json()['id']}").json()["contactpersonen"]
    assert [(p["voornaam"], p["hoofdcontact"]) for p in people] == [
        ("Piet", True),
        ("Janny", False),
    ]
    assert people[1]["id"] == existing


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            klant(contactpersonen=None),
            "contactpersonen is verplicht: geef één of meer contactpersonen op",
        ),
        (
            {k: v for k, v in KLANT.items() if k != "contactpersonen"},
            "contactpersonen is verplicht",
        ),
        (klant(contactpersonen=[]), "contactpersonen is verplicht"),
        (
            klant(contactpersonen=[{"voornaam": "Jan"}]),
            "contactpersonen[1].hoofdcontact is verplicht (true of false)",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact="ja")]),
            "contactpersonen[1].hoofdcontact is verplicht (true of false)",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact=True), person(hoofdcontact=True)]),
            "er kan slechts 1 hoofdcontactpersoon per klant zijn, er zijn er 2",
        ),
        (
            klant(contactpersonen=[person(), person()]),
            "er moet precies 1 hoofdcontactpersoon zijn (hoofdcontact: true)",
        ),
        (
            klant(contactpersonen=[{"id": 15, "hoofdcontact": True}]),
            "contactpersoon 15 bestaat niet",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact=True, geslacht="M")]),
            "contactpersonen[1].geslacht 'M' is ongeldig (mogelijk: man, vrouw, onbekend)",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact=True, email1="jan@")]),
            "contactpersonen[1].email1 'jan@' is geen geldig e-mailadres",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact=True, email2="jan@voorbeeld..nl")]),
            "contactpersonen[1].email2 'jan@voorbeeld..nl' is geen geldig e-mailadres",
        ),
        (
            klant(contactpersonen=[person(hoofdcontact=True, emial1="a@b.nl")]),
            "contactpersonen[1]: onbekend veld 'emial1'",
        ),
        (
            klant(extra_fields=[{"name": "Aantal", "type": "number", "value": "42"}]),
            "extra veld 'Aantal' (number): value moet een geheel getal zijn",
        ),
        (
            klant(extra_fields=[{"name": "Aantal", "type": "number", "value": 4.5}]),
            "extra veld 'Aantal' (number): value moet een geheel getal zijn",
        ),
        (
            klant(extra_fields=[{"name": "Sinds", "type": "date", "value": "14-03-2019"}]),
            "extra veld 'Sinds' (date): value moet een ISO 8601-datum zijn (JJJJ-MM-DD)",
        ),
        (
            klant(extra_fields=[{"name": "Hobby", "type": "multiplechoice", "value": "Kanoën"}]),
            "extra veld 'Hobby' (multiplechoice): value moet een lijst van teksten zijn",
        ),
        (
            klant(extra_fields=[{"name": "Hobby", "type": "checkbox", "value": "x"}]),
            "extra_fields[1].type 'checkbox' is ongeldig",
        ),
        (klant(provinciecode="NL-XX"), "ongeldige provinciecode 'NL-XX' (ISO 3166-2, zoals NL-NH)"),
        (klant(provinciecode="Utrecht"), "ongeldige provinciecode 'Utrecht'"),
        (klant(soort_klant="Huisdier"), "soort klant 'Huisdier' bestaat niet bij bedrijf 1"),
        (klant(bedrijf_id=9), "bedrijf 9 bestaat niet"),
        (klant(postcode=1337), "postcode moet tekst zijn"),
        (klant(plaatz="Teststad"), "onbekend veld 'plaatz'"),
        (klant(land="NL"), "onbekend veld 'land'"),  # not among Recras's documented fields
    ],
)
def test_each_rule_refuses_with_422_and_stores_nothing(box, api, body, message):
    reply = api.post("/klanten", json=body)

    assert reply.status_code == 422
    assert message in reply.json()["error"]["message"]
    assert box.state.contacts == {} and box.state.persons == {}
    assert len(box.state.requests) == 1  # refused writes are recorded too


def test_documented_values_are_accepted(box, api):
    people = [person(hoofdcontact=True, email1="els.jansen@mail.voorbeeld.nl", geslacht="vrouw")]
    bodies = [
        klant(provinciecode="NL-FR", btw_nummer="NL123456789B01", contactpersonen=people),
        klant(provinciecode="BE-VAN"),  # any country's ISO 3166-2 code
        klant(provinciecode="", website=None),
    ]

    replies = [api.post("/klanten", json=body) for body in bodies]

    assert [reply.status_code for reply in replies] == [201, 201, 201]
    assert box.state.view(1)["contactpersonen"][0]["email1"] == "els.jansen@mail.voorbeeld.nl"


def test_every_problem_of_a_body_is_in_one_message(api):
    body = klant(
        provinciecode="NL-XX",
        contactpersonen=[person(hoofdcontact=True), person(hoofdcontact=True, geslacht="v")],
    )

    message = api.post("/klanten", json=body).json()["error"]["message"]

    assert message.count("; ") == 2
    assert "provinciecode" in message and "geslacht 'v'" in message and "er zijn er 2" in message


def test_the_other_error_shapes(api):
    bad_json = api.post("/klanten", content=b"{naam: ")
    missing = api.get("/klanten/99")
    not_an_id = api.get("/klanten/abc")
    bad_query = api.get("/klanten", params={"id>": "abc"})

    assert (bad_json.status_code, bad_json.json()) == (400, {"message": "Invalid JSON"})
    assert (missing.status_code, missing.json()) == (404, {"error": "Klant 99 bestaat niet"})
    assert not_an_id.status_code == 404
    assert bad_query.status_code == 406
    assert bad_query.json() == {"error": "Ongeldige waarde voor parameter 'id>': 'abc'"}


def test_put_changes_the_fields_given_and_replaces_the_contact_persons(box, api):
    api.post("/klanten", json=KLANT)
    new_people = [person(voornaam="Anna", hoofdcontact=True), person(voornaam="Bo")]

    reply = api.put(
        "/klanten/1",
        json={
            "plaats": "Amersfoort",
            "contactpersonen": new_people,
            "extra_fields": [{"name": "Lid sinds", "type": "date", "value": "2020-01-31"}],
        },
    )

    assert reply.status_code == 200
    one = api.get("/klanten/1").json()
    assert one["naam"] == "Voorbeeldgroep" and one["plaats"] == "Amersfoort"
    assert [p["voornaam"] for p in one["contactpersonen"]] == ["Anna", "Bo"]
    assert [e["name"] for e in one["extra_fields"]] == ["Shoe size", "Lid sinds"]
    assert box.state.received("PUT", "/api2/klanten/1")[0]["plaats"] == "Amersfoort"


def test_put_contact_persons_are_the_complete_list_those_with_an_id_kept_and_changed(box, api):
    created = api.post(
        "/klanten",
        json=klant(
            contactpersonen=[
                person(voornaam="Anna", telefoon1="0101", hoofdcontact=True),
                person(voornaam="Bo", telefoon1="0202"),
                person(voornaam="Cas"),
            ]
        ),
    ).json()
    anna, bo, cas = (
        p["id"] for p in api.get(f"/klanten/{created['id']}").json()["contactpersonen"]
    )

    reply = api.put(
        f"/klanten/{created['id']}",
        json={
            "contactpersonen": [
                {"id": anna, "hoofdcontact": False},  # kept as it is
                {"id": bo, "telefoon1": "0303", "hoofdcontact": True},  # kept, its phone changed
                person(voornaam="Dirk"),  # new
            ]
        },
    )

    assert reply.status_code == 200, reply.text
    people = api.get(f"/klanten/{created['id']}").json()["contactpersonen"]
    assert [(p["id"], p["voornaam"], p["telefoon1"], p["hoofdcontact"]) for p in people] == [
        (bo, "Bo", "0303", True),
        (anna, "Anna", "0101", False),
        (max(anna, bo, cas) + 1, "Dirk", None, False),
    ]
    assert cas in box.state.persons  # left out: unlinked from the klant, not deleted
    unknown = api.put(
        f"/klanten/{created['id']}", json={"contactpersonen": [{"id": 999, "hoofdcontact": True}]}
    )
    wrong = api.put(
        f"/klanten/{created['id']}",
        json={"contactpersonen": [{"id": bo, "geslacht": "x", "fax": "1", "hoofdcontact": True}]},
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["message"] == "contactpersoon 999 bestaat niet"
    assert wrong.status_code == 422 and "onbekend veld 'fax'" in wrong.json()["error"]["message"]
    assert "geslacht 'x' is ongeldig" in wrong.json()["error"]["message"]
    assert [p["id"] for p in box.state.klanten[created["id"]]["contactpersonen"]] == [
        bo,
        anna,
        cas + 1,
    ]


def test_put_keeps_the_rules_and_knows_only_existing_klanten(box, api):
    api.post("/klanten", json=KLANT)

    two_main = api.put("/klanten/1", json={"contactpersonen": [person(hoofdcontact=True)] * 2})
    unknown = api.put("/klanten/7", json={"naam": "x"})

    assert two_main.status_code == 422 and "er zijn er 2" in two_main.json()["error"]["message"]
    assert unknown.status_code == 404 and unknown.json() == {"error": "Klant 7 bestaat niet"}
    assert box.state.klanten[1]["contactpersonen"][0]["voornaam"] == "Test"


# --- lists and paging -----------------------------------------------------------------------------


def test_lists_page_with_link_headers_and_total_count(box, api):
    box.state.page_size = 2
    for n in range(5):
        box.state.add_klant(klant(naam=f"Klant {n + 1}"))
    url, names, pages = f"{box.base_url}/api2/klanten", [], 0
    while url:
        reply = api.get(url)
        pages += 1
        assert reply.headers["X-Page-Size"] == "2" and reply.headers["X-Total-Count"] == "5"
        names += [k["naam"] for k in reply.json()]
        url = reply.links.get("next", {}).get("url")
        if pages == 2:
            assert {"first", "last", "prev", "next"} <= set(reply.links)
    first = api.get("/klanten")

    assert names == [f"Klant {n}" for n in range(1, 6)] and pages == 3
    assert first.links["last"]["url"].endswith("/api2/klanten?page=3")
    assert "prev" not in first.links
    assert "contactpersonen" not in first.json()[0]


def test_klanten_from_a_smallest_id(box, api):
    for n in range(4):
        box.state.add_klant(klant(naam=f"Klant {n + 1}"))

    reply = api.get("/klanten", params={"id>": "3"})

    assert [k["id"] for k in reply.json()] == [3, 4]
    assert reply.headers["X-Total-Count"] == "2"


def test_contacten_lists_every_type_with_its_contact_persons(box, api):
    box.state.add_klant(KLANT)
    box.state.add_contact(klant(naam="Drankenhandel Noord", soort_klant=None), kind="leverancier")

    klanten = api.get("/klanten").json()
    contacten = api.get("/contacten").json()

    assert [k["naam"] for k in klanten] == ["Voorbeeldgroep"]
    assert [(c["type"], c["naam"]) for c in contacten] == [
        ("klant", "Voorbeeldgroep"),
        ("leverancier", "Drankenhandel Noord"),
    ]
    assert contacten[0]["contactpersonen"][0]["email1"] == "test@example.com"
    assert api.get("/contacten/2").json()["type"] == "leverancier"
    assert api.get("/klanten/2").status_code == 404


# --- faults ---------------------------------------------------------------------------------------


@pytest.fixture
def faulty(box, api):
    def start(**options) -> tuple[RecrasSandbox, httpx.Client]:
        box.faults.faults = Faults(**options)
        return box, api

    return start


def test_locked_is_a_429_without_retry_after_and_unavailable_a_503_with_it(faulty):
    box, api = faulty(script={1: "locked", 2: "unavailable"}, retry_after=9)

    busy = api.post("/klanten", json=KLANT)
    down = api.post("/klanten", json=KLANT)
    fine = api.post("/klanten", json=KLANT)

    assert (busy.status_code, busy.json()) == (429, {"error": {"message": "Too Many Requests"}})
    assert "retry-after" not in busy.headers
    assert down.status_code == 503 and down.headers["Retry-After"] == "9"
    assert down.json() == {"message": "Recras is tijdelijk niet beschikbaar wegens onderhoud"}
    assert fine.status_code == 201 and list(box.state.klanten) == [1]
    assert box.faults.applied == {"locked": 1, "unavailable": 1}


def test_reads_never_get_faults_and_are_not_counted_as_writes(faulty):
    box, api = faulty(locked_rate=1.0)

    assert api.get("/personeel/me").status_code == 200
    assert api.get("/contacten").status_code == 200
    assert api.post("/klanten", json=KLANT).status_code == 429
    assert api.put("/klanten/1", json=KLANT).status_code == 429
    assert box.faults.writes == 2


@pytest.mark.parametrize(("fault", "stored"), [("drop_before", False), ("drop_after", True)])
def test_a_dropped_connection_before_or_after_saving(faulty, fault, stored):
    box, api = faulty(script={1: fault})

    with pytest.raises(httpx.RemoteProtocolError):
        api.post("/klanten", json=KLANT)

    assert bool(box.state.klanten) is stored
    assert len(box.state.requests) == int(stored)


def test_latency_delays_every_answer(faulty):
    box, api = faulty(latency_ms=60)
    started = time.monotonic()
    api.get("/personeel/me")

    assert time.monotonic() - started >= 0.06


def test_reset_and_records(box, api):
    api.post("/klanten", json=KLANT)

    held = api.get(f"{box.base_url}/sandbox/records").json()
    api.post(f"{box.base_url}/sandbox/reset")

    assert [c["naam"] for c in held["contacten"]] == ["Voorbeeldgroep"]
    assert len(held["contactpersonen"]) == 1
    assert box.state.contacts == {} and box.state.requests == []
    assert api.post("/klanten", json=KLANT).json()["id"] == 1
