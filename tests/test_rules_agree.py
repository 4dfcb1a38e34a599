"""The client's contract check and the sandbox agree: one body, checked by the client and sent
to the sandbox over HTTP, is accepted by both or refused by both, for the same fields where both
name them.

By design the two state their system's rules each in their own code (the sandbox imports nothing
of the clients), so they can disagree. Where they did, the reference (``afas-profit-api.md``,
the AFAS field listings and example bodies, ``recras-api.md`` and Recras's documentation in
seed 002) decided which side was wrong; each test names the rule. A difference the client
cannot know of — whether a record exists, which kinds of klant a company has — is not a rule:
the sandbox refuses such bodies after a look at its records.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from importer.sandbox import AfasSandbox, RecrasSandbox
from importer.sandbox.auth import token_header
from importer.targets.afas import catalog
from importer.targets.afas.contract import Contract
from importer.targets.recras.contract import RecrasContract

# --- AFAS ---------------------------------------------------------------------------------------


@pytest.fixture
def afas(sandbox: AfasSandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": token_header(sandbox.token)}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


_PATH = re.compile(r"\(([\w.\[\]]+)\)\.$")


def sandbox_refuses(afas: httpx.Client, body: dict[str, Any]) -> list[str] | None:
    """The paths the sandbox names in its refusal of ``body`` (a POST), or None if it accepts."""
    connector = next(iter(body))
    reply = afas.post(f"/connectors/{connector}", json=body)
    if reply.status_code == 201:
        return None
    assert reply.status_code == 500, reply.text
    lines = reply.json()["externalMessage"].splitlines()
    return sorted(m.group(1) for line in lines if (m := _PATH.search(line)))


def client_refuses(body: dict[str, Any], contract: Contract | None = None) -> list[str] | None:
    """The paths the client's contract check refuses in ``body``, or None if it has none."""
    contract = contract or Contract.shipped(next(iter(body)))
    assert contract is not None
    found = contract.violations(body)
    return sorted(v.path for v in found) if found else None


def wrap(connector: str, fields: dict[str, Any], objects: Any = None) -> dict[str, Any]:
    element: dict[str, Any] = {"Fields": fields}
    if objects is not None:
        element["Objects"] = objects
    return {connector: {"Element": element}}


def project(**fields: Any) -> dict[str, Any]:
    return wrap("PtProject", {"PrGp": "ALG", "Ds": "Klantovereenkomst", **fields})


def test_a_time_in_a_date_time_field_passes_every_contract_and_the_sandbox(afas, sandbox):
    """PtProject's StTm is a date-time field (listing: ``StTm: string fmt=date-time``) and
    AFAS's own example sends ``"StTm": "00:08:00"``. Metainfo has one ``date`` type for both
    (the client's own imitation of the reply says ``date``): the contract read from it refused
    the time. Wrong: the client."""
    times = project(StTm="00:08:00", EnTm="17:30:00")
    not_a_date = project(DaSt="00:08:00")
    contracts = [
        Contract.shipped("PtProject"),
        Contract.from_metainfo("PtProject", catalog.metainfo("PtProject")),
        Contract.from_metainfo("PtProject", afas.get("/metainfo/update/PtProject").json()),
    ]

    assert [client_refuses(times, c) for c in contracts] == [None, None, None]
    assert sandbox_refuses(afas, times) is None
    assert [client_refuses(not_a_date, c) for c in contracts] == [["PtProject.DaSt"]] * 3
    assert sandbox_refuses(afas, not_a_date) == ["PtProject.DaSt"]


ORGANISATION = "KnOrganisation"


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        # MatchOga 0 finds the organisation by its BcCo; without one nothing is found and the
        # element is an insert like any (reference: "MatchOga: 0 BcCo ... A match turns an
        # insert into an update"). The client waived PadAdr and Nm all the same. Wrong: the client.
        (
            wrap(ORGANISATION, {"MatchOga": "0", "AutoNum": True}),
            ["KnOrganisation.Nm", "KnOrganisation.PadAdr"],
        ),
        (
            wrap("KnPerson", {"MatchPer": "0", "PadAdr": True}),
            ["KnPerson.AutoNum", "KnPerson.BcCo"],
        ),
        # ... and with the BcCo of an organisation Profit holds, only MatchOga and BcCo are needed
        # (AFAS's example 'minimaal op basis van organisatie').
        (wrap(ORGANISATION, {"MatchOga": "0", "BcCo": "1000002"}), None),
        (wrap(ORGANISATION, {"MatchOga": "0", "AutoNum": False, "BcCo": "1000002"}), None),
    ],
)
def test_matching_on_bcco_waives_fields_only_when_a_bcco_is_given(afas, sandbox, body, refused):
    sandbox.state.put(
        "organisations",
        {"BcCo": "1000002", "BcId": "9002", "fields": {"Nm": "Bakkerij De Kok"}, "objects": {}},
    )

    assert client_refuses(body) == sandbox_refuses(afas, body) == refused


def test_a_person_needs_no_last_name(afas):
    """The listing does not flag LaNm mandatory, and AFAS's example 'match BcCo' inserts a
    KnSalesRelationPer's person without one; the sandbox demanded it. Wrong: the sandbox."""
    person = wrap("KnPerson", {"PadAdr": True, "AutoNum": True, "MatchPer": "7", "FiNm": "Jan"})
    address = {"PbAd": "1", "HmNr": "105", "ZpCd": "3833LC", "CoId": "NL", "Rs": "Leusden"}
    linked = {
        "Element": {
            "Fields": {"PadAdr": "1", "AutoNum": "1", "MatchPer": "0", "BcCo": "1000169"},
            "Objects": {"KnBasicAddressAdr": {"Element": {"Fields": {**address, "ResZip": "0"}}}},
        }
    }
    relation = wrap("KnSalesRelationPer", {"CuId": "EUR", "InPv": "E"}, {"KnPerson": linked})

    for body in (person, relation):
        assert client_refuses(body) is None
        assert sandbox_refuses(afas, body) is None


def bank_account(number: str) -> dict[str, Any]:
    account = {"Element": {"Fields": {"CoId": "NL", "IbCk": False, "BaAc": number}}}
    fields = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": "Bakkerij De Kok"}
    return wrap(ORGANISATION, fields, [{"KnBankAccount": account}])


def person_with_bsn(bsn: str) -> dict[str, Any]:
    fields = {"PadAdr": True, "AutoNum": True, "MatchPer": "7", "LaNm": "Vries", "SoSe": bsn}
    return wrap("KnPerson", fields)


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        # reference: "old style BaAc of exactly 10 positions (pad a 9-digit number with a
        # leading zero)"; the client took any text of up to 40. Wrong: the client.
        (bank_account("849835607"), ["KnOrganisation.KnBankAccount.BaAc"]),
        (bank_account("12345678901"), ["KnOrganisation.KnBankAccount.BaAc"]),
        (bank_account("0849835607"), None),
        # reference: "SoSe (BSN, 11-test)"; the client took any text of up to 25. Wrong: the
        # client.
        (person_with_bsn("123456789"), ["KnPerson.SoSe"]),
        (person_with_bsn("11122233"), ["KnPerson.SoSe"]),
        (person_with_bsn("111222333"), None),
        (person_with_bsn("10000021"), None),  # 8 digits: read with a leading zero
    ],
)
def test_bank_account_numbers_and_bsns_are_checked_alike(afas, body, refused):
    assert client_refuses(body) == sandbox_refuses(afas, body) == refused


def test_an_order_needs_lines_or_a_quotation(afas, sandbox):
    """reference, FbSales: "An insert without lines and without SoQu is rejected"; the client
    let such an order through. Wrong: the client."""
    sandbox.state.put("debtors", {"DbId": "10001", "BcCo": None, "fields": {}})
    line = {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": "10"}
    header = {"DbId": "10001", "OrDa": "2024-02-16"}
    bare = wrap("FbSales", header)
    no_lines = wrap("FbSales", header, [{"FbSalesLines": {"Element": []}}])
    quotation = wrap("FbSales", {**header, "SoQu": "OF-2024-017"})
    order = wrap("FbSales", header, [{"FbSalesLines": {"Element": [{"Fields": line}]}}])

    for body in (bare, no_lines):
        assert client_refuses(body) == ["FbSales.FbSalesLines"]
        assert sandbox_refuses(afas, body) is not None
    for body in (quotation, order):
        assert client_refuses(body) is None
        assert sandbox_refuses(afas, body) is None


# --- Recras -------------------------------------------------------------------------------------

KLANT = {  # Recras's own example request (seed 002), with the new contact person only
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
            "email1": "test@example.com",
            "hoofdcontact": True,
        }
    ],
    "extra_fields": [{"name": "Shoe size", "type": "number", "value": 42}],
}


@pytest.fixture
def recras(recras_sandbox: RecrasSandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {recras_sandbox.token}"}
    with httpx.Client(base_url=f"{recras_sandbox.base_url}/api2", headers=headers) as client:
        yield client


PERSON = {"voornaam": "Test", "achternaam": "Contactpersoon", "hoofdcontact": True}


def klant(**changes: Any) -> dict[str, Any]:
    """A klant without null fields, changed."""
    base = {"naam": "Voorbeeldgroep", "plaats": "Teststad", "contactpersonen": [PERSON]}
    return {**copy.deepcopy(base), **changes}


def contact(**changes: Any) -> dict[str, Any]:
    return klant(contactpersonen=[{**PERSON, **changes}])


TWICE = {"id": 1, "hoofdcontact": False}


def verdicts(recras: httpx.Client, body: dict[str, Any], *, put: int | None = None) -> set[bool]:
    """{accepted} when client and sandbox agree on ``body``, {True, False} when they do not.

    ``put``: the id of the klant to update (the client sees it as the body's ``id``)."""
    client = not RecrasContract().violations(body if put is None else {"id": put, **body})
    if put is None:
        reply = recras.post("/klanten", json=body)
    else:
        reply = recras.put(f"/klanten/{put}", json=body)
    assert reply.status_code in (200, 201, 422), reply.text
    return {client, reply.status_code in (200, 201)}


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        # seed 002: Recras's own example sends "afdeling": null and a person's "aanhef": null;
        # the client refused null in every text field. Wrong: the client.
        (KLANT, True),
        (klant(plaats=None, website=None), True),
        (contact(telefoon1=None, email2=None), True),
        # "" is an empty text field (Recras answers "website": "", "soort_klant": ""); the
        # client refused an empty provinciecode or e-mail address. Wrong: the client.
        (klant(provinciecode=""), True),
        (contact(email1="", email2=""), True),
        # land is not among the documented fields (recras-api.md, seed 002): Recras would drop
        # it; the client took it. Wrong: the client.
        (klant(land="NL"), False),
        # an e-mail domain has no empty label (RFC 5321): the client took 'a@b..nl'. Wrong: the
        # client.
        (contact(email1="jan@voorbeeld..nl"), False),
        (contact(email1="jan@.voorbeeld.nl"), False),
        (contact(email2="jan.de.vries@mail.voorbeeld.nl"), True),
        # An existing person is {id, hoofdcontact}: an unknown field beside them is as unknown
        # as in a new person; the sandbox took it. Wrong: the sandbox.
        (klant(contactpersonen=[{"id": 1, "hoofdcontact": True, "emial1": "a@b.nl"}]), False),
        # One person twice in the list: the sandbox refused it, the client let it through.
        # Wrong: the client (the list is the klant's contact persons, each with one hoofdcontact).
        (klant(contactpersonen=[{"id": 1, "hoofdcontact": True}, TWICE]), False),
        # extra_fields is a list of {name, type, value}: the sandbox took other keys. Wrong:
        # the sandbox.
        (klant(extra_fields=[{"name": "Maat", "type": "number", "value": 42, "per": "EU"}]), False),
    ],
)
def test_a_klant_is_judged_alike(recras, recras_sandbox, body, accepted):
    recras_sandbox.state.add_person(voornaam="Els", achternaam="Jansen")

    assert verdicts(recras, body) == {accepted}


def test_an_update_may_leave_the_contact_persons_out(recras, recras_sandbox):
    """recras-api.md: "PUT /api2/klanten/{id} updates; when contactpersonen is given it must be
    the complete list": an update without it keeps them. The client demanded contactpersonen in
    every body. Wrong: the client. An insert still needs them."""
    recras_sandbox.state.add_klant(copy.deepcopy(KLANT))

    assert verdicts(recras, {"naam": "Andere naam"}, put=1) == {True}
    assert verdicts(recras, {"naam": "Andere naam", "afdeling": None}, put=1) == {True}
    assert verdicts(recras, {"naam": "Nieuwe klant"}) == {False}
