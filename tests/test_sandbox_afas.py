"""The AFAS sandbox over real HTTP on loopback: what it accepts, what it refuses and how.

One uvicorn server serves the whole module; each test installs a fresh app with its own state
(``AfasAuth(create_app(state), token=TOKEN)``) behind it. The fixture bodies in
``fixtures/afas/`` are the repository's own, modelled on AFAS's published examples.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from importer.sandbox import afas_rules
from importer.sandbox.afas import CONNECTORS, AfasState, create_app
from importer.sandbox.afas_store import KINDS
from importer.sandbox.auth import AfasAuth
from importer.sandbox.server import Server
from importer.targets.afas import contract
from importer.targets.afas.client import token_header

TOKEN = "5A4D1B2C3E4F5061728394A5B6C7D8E9"
HERE = Path(__file__).resolve().parent
EXAMPLES_DIR = HERE / "fixtures" / "afas"
SEED_DIR = HERE / "fixtures" / "seed"
UNSUPPORTED = "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd."


# --- Serving ------------------------------------------------------------------------------------


class _Current:
    """An ASGI app forwarding to the app the running test installed (one server per module)."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def _client(url: str) -> httpx.Client:
    headers = {"Authorization": token_header(TOKEN)}
    return httpx.Client(base_url=f"{url}/ProfitRestServices", headers=headers, timeout=10)


@pytest.fixture(scope="module")
def _served() -> Iterator[tuple[_Current, httpx.Client]]:
    current = _Current()
    with Server(current) as server, _client(server.url) as client:
        yield current, client


@pytest.fixture
def state() -> AfasState:
    return AfasState()


@pytest.fixture
def afas(_served: tuple[_Current, httpx.Client], state: AfasState) -> httpx.Client:
    current, client = _served
    current.app = AfasAuth(create_app(state), token=TOKEN)
    return client


@contextmanager
def serve(state: AfasState) -> Iterator[httpx.Client]:
    """A server of its own, for tests that stop and start the sandbox."""
    with Server(AfasAuth(create_app(state), token=TOKEN)) as server, _client(server.url) as client:
        yield client


# --- Bodies and replies -------------------------------------------------------------------------


def wrap(name: str, element: Any) -> dict[str, Any]:
    return {name: {"Element": element}}


def address(**fields: Any) -> dict[str, Any]:
    base = {"CoId": "NL", "PbAd": False, "Ad": "Dorpsstraat", "HmNr": "12", "ZpCd": "3811AB"}
    merged = {**base, "Rs": "Amersfoort", "ResZip": False, **fields}
    return {"Fields": {k: v for k, v in merged.items() if v is not None}}


def organisation(objects: Any = None, **fields: Any) -> dict[str, Any]:
    base = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "SeNm": "DEKOK"}
    element: dict[str, Any] = {"Fields": {**base, "Nm": "Bakkerij De Kok", **fields}}
    if objects is not None:
        element["Objects"] = objects
    return element


def sales_relation(db_id: str | None = "51001", org: Any = None, **fields: Any) -> dict:
    element: dict[str, Any] = {"@DbId": db_id} if db_id else {}
    element["Fields"] = {"CuId": "EUR", "InPv": "E", **fields}
    org = org if org is not None else organisation([{"KnBasicAddressAdr": {"Element": address()}}])
    element["Objects"] = [{"KnOrganisation": {"Element": org}}]
    return wrap("KnSalesRelationOrg", element)


def person(**fields: Any) -> dict[str, Any]:
    base = {"PadAdr": True, "AutoNum": True, "MatchPer": "7", "In": "A.", "Is": "de"}
    return {"Fields": {**base, "LaNm": "Vries", "ViGe": "V", **fields}}


def project(**fields: Any) -> dict[str, Any]:
    return wrap("PtProject", {"Fields": {"PrGp": "ALG", "Ds": "Klantovereenkomst", **fields}})


def line(**fields: Any) -> dict[str, Any]:
    merged = {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": "10", **fields}
    return {"Fields": {k: v for k, v in merged.items() if v is not None}}


def order(lines: list[dict] | None = None, **fields: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"Fields": {"DbId": "10001", "OrDa": "2024-02-16", **fields}}
    if lines is not None:
        element["Objects"] = [{"FbSalesLines": {"Element": lines}}]
    return wrap("FbSales", element)


def created(response: httpx.Response, status: int = 201) -> Any:
    assert response.status_code == status, response.text
    return next(iter(response.json()["results"].values()))


def refused(response: httpx.Response, *fragments: str) -> str:
    """Assert AFAS's error shape and return the message."""
    assert response.status_code == 500, response.text
    data = response.json()
    assert set(data) == {"externalMessage", "errorNumber", "profitLogReference"}
    assert isinstance(data["errorNumber"], int)
    assert re.fullmatch(r"[0-9A-F]{32}", data["profitLogReference"])
    for fragment in fragments:
        assert fragment in data["externalMessage"]
    return data["externalMessage"]


# --- Seeding ("already in Profit") --------------------------------------------------------------


def seed_org(state: AfasState, bc_co: str, **fields: Any) -> None:
    record = {"BcCo": bc_co, "BcId": f"9{bc_co[-3:]}", "fields": fields, "objects": {}}
    state.put("organisations", record)


def seed_person(state: AfasState, bc_co: str, **fields: Any) -> None:
    record = {"BcCo": bc_co, "BcId": f"8{bc_co[-3:]}", "fields": fields, "objects": {}}
    state.put("persons", record)


def seed_debtor(state: AfasState, db_id: str, bc_co: str | None = None, **fields: Any) -> None:
    state.put("debtors", {"DbId": db_id, "BcCo": bc_co, "fields": fields})


def seed_project(state: AfasState, pr_id: str, **fields: Any) -> None:
    state.put("projects", {"PrId": pr_id, "fields": fields, "objects": {}})


def seed_order(state: AfasState, or_nu: str, lines: list[dict], **fields: Any) -> None:
    state.put("salesorders", {"OrNu": or_nu, "fields": fields, "lines": lines})


def seed_environment(state: AfasState) -> None:
    """The records the fixture bodies name."""
    seed_org(state, "1000372", Nm="Jansen", CcNr="93056589")
    seed_debtor(state, "10001", "1000372", CuId="EUR")
    seed_debtor(state, "10178", "1000372", CuId="EUR")
    seed_debtor(state, "10182")
    seed_person(state, "1000781", LaNm="Jansen", FiNm="Marieke")
    seed_project(state, "910004", PrGp="ALG", Ds="Advies", PrSt="01", DbId="10001")
    first = {"GuLi": "{0A}", "fields": {"VaIt": "2", "ItCd": "1000", "BiUn": "stk", "QuUn": "1"}}
    seed_order(state, "60000177", [first], DbId="10001", OrDa="2024-02-01")


# --- AFAS-like example bodies -------------------------------------------------------------------

EXAMPLES = {
    "KnSalesRelationOrg_POST_basis.json": ("POST", "/connectors/KnSalesRelationOrg"),
    "KnSalesRelationOrg_POST_bank.json": ("POST", "/connectors/KnSalesRelationOrg"),
    "KnSalesRelationOrg_PUT_debtor.json": ("PUT", "/connectors/KnSalesRelationOrg"),
    "KnSalesRelationPer_POST_minimal.json": ("POST", "/connectors/KnSalesRelationPer"),
    "KnOrganisation_POST_subobjects.json": ("POST", "/connectors/KnOrganisation"),
    "KnOrganisation_PUT_address.json": ("PUT", "/connectors/KnOrganisation"),
    "KnPerson_POST_person.json": ("POST", "/connectors/KnPerson"),
    "KnPerson_PUT_details.json": ("PUT", "/connectors/KnPerson"),
    "PtProject_POST_klantovereenkomst.json": ("POST", "/connectors/PtProject"),
    "PtProject_POST_phases.json": ("POST", "/connectors/PtProject"),
    "PtProject_PUT_project.json": ("PUT", "/connectors/PtProject"),
    "FbSales_POST_items.json": ("POST", "/connectors/FbSales"),
    "FbSales_POST_minimal.json": ("POST", "/connectors/FbSales"),
    "FbSales_PUT_header.json": ("PUT", "/connectors/FbSales"),
    "FbSales_FbSalesLines_POST_line.json": ("POST", "/connectors/FbSales/FbSalesLines"),
}
# connector -> (reply keys, kind holding the record, the reply key naming it)
REPLIES = {
    "KnSalesRelationOrg": ({"DbId", "BcCo", "BcId"}, "debtors", "DbId"),
    "KnSalesRelationPer": ({"DbId", "BcCo", "BcId"}, "debtors", "DbId"),
    "KnOrganisation": ({"BcCo", "BcId"}, "organisations", "BcCo"),
    "KnPerson": ({"BcCo", "BcId"}, "persons", "BcCo"),
    "PtProject": ({"PrId"}, "projects", "PrId"),
    "FbSales": ({"OrNu"}, "salesorders", "OrNu"),
}


def test_example_bodies_cover_every_connector_and_are_clean_for_the_sandboxs_rules() -> None:
    assert {p.name for p in EXAMPLES_DIR.glob("*.json")} == set(EXAMPLES)
    assert {path.split("/")[2] for _, path in EXAMPLES.values()} == set(CONNECTORS)
    for name in EXAMPLES:
        body = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
        assert afas_rules.problems(next(iter(body)), body) == [], name


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_sandbox_accepts_afas_like_example_bodies(name: str, afas: httpx.Client, state) -> None:
    seed_environment(state)
    method, path = EXAMPLES[name]
    body = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))

    reply = created(afas.request(method, path, json=body), 201 if method == "POST" else 200)

    keys, kind, key = REPLIES[path.split("/")[2]]
    assert set(reply) == keys and all(isinstance(v, str) and v for v in reply.values())
    assert reply[key] in state.table(kind)


def test_the_seed_flow_gets_the_documented_replies(afas: httpx.Client, state) -> None:
    relation = json.loads((SEED_DIR / "KnSalesRelationOrg.json").read_text())
    agreement = json.loads((SEED_DIR / "PtProject.json").read_text())
    agreement["PtProject"]["Element"]["Fields"]["DbId"] = "49339"

    first = afas.post("/connectors/KnSalesRelationOrg", json=relation)
    second = afas.post("/connectors/PtProject", json=agreement)

    assert first.status_code == 201
    assert first.json() == {
        "results": {"KnSalesRelationOrg": {"DbId": "49339", "BcCo": "100000", "BcId": "2000"}}
    }
    pr_id = created(second)["PrId"]
    assert second.json() == {"results": {"PtProject": {"PrId": pr_id}}}
    assert state.projects[pr_id]["fields"]["DbId"] == "49339"
    assert state.organisations["100000"]["fields"]["Nm"] == "Jansen"


def test_records_written_straight_into_the_state_count_as_existing(afas, state) -> None:
    state.debtors["49340"] = {"DbId": "49340"}  # as the end-to-end tests do

    duplicate = afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("49340"))
    agreement = created(afas.post("/connectors/PtProject", json=project(DbId="49340")))

    assert refused(duplicate) == "Verkooprelatie '49340' bestaat al."
    assert state.projects[agreement["PrId"]]["fields"]["DbId"] == "49340"


# --- Requests that are not understood -----------------------------------------------------------


def test_bad_json_gives_400_invalid_json(afas: httpx.Client, state) -> None:
    response = afas.post("/connectors/KnSalesRelationOrg", content=b'{"KnSalesRelationOrg": ')

    assert response.status_code == 400
    assert response.json() == {"message": "Invalid json"}
    assert state.debtors == {}


def test_unknown_connector_is_not_supported(afas: httpx.Client) -> None:
    response = afas.post("/connectors/KnCustomK01", json=wrap("KnCustomK01", {"Fields": {}}))

    assert refused(response) == UNSUPPORTED


def test_without_the_token_nothing_reaches_the_app(afas: httpx.Client, state) -> None:
    response = afas.post(
        "/connectors/KnSalesRelationOrg", json=sales_relation(), headers={"Authorization": ""}
    )

    assert (response.status_code, response.content) == (401, b"")
    assert state.requests == [] and state.debtors == {}


# --- Rules --------------------------------------------------------------------------------------


def test_unknown_field_is_refused_with_its_path(afas: httpx.Client, state) -> None:
    bad = sales_relation(org=organisation(Foo="x"))

    message = refused(afas.post("/connectors/KnSalesRelationOrg", json=bad), "'Foo'")

    assert "(KnSalesRelationOrg.KnOrganisation.Foo)" in message
    assert state.debtors == {} and state.organisations == {}
    created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation()))


def test_too_long_string_is_refused(afas: httpx.Client) -> None:
    bad = sales_relation(org=organisation(SeNm="ABCDEFGHIJK"))
    good = sales_relation(org=organisation(SeNm="ABCDEFGHIJ"))

    refused(
        afas.post("/connectors/KnSalesRelationOrg", json=bad),
        "(SeNm): de waarde is 11 tekens lang, maximaal 10",
        "(KnSalesRelationOrg.KnOrganisation.SeNm)",
    )
    created(afas.post("/connectors/KnSalesRelationOrg", json=good))


def test_value_outside_the_list_is_refused(afas: httpx.Client, state) -> None:
    seed_debtor(state, "10001")
    bad = order([line(), line(VaIt="wst")])

    refused(afas.post("/connectors/FbSales", json=bad), "'wst'", "(FbSales.FbSalesLines[1].VaIt)")
    assert state.salesorders == {}


def test_missing_mandatory_fields_are_refused_with_their_path(afas: httpx.Client) -> None:
    no_currency = sales_relation()
    del no_currency["KnSalesRelationOrg"]["Element"]["Fields"]["CuId"]
    no_box_flag = sales_relation(
        org=organisation([{"KnBasicAddressAdr": {"Element": address(PbAd=None)}}])
    )

    assert refused(afas.post("/connectors/KnSalesRelationOrg", json=no_currency)) == (
        "Currency (CuId): veld is verplicht (KnSalesRelationOrg.CuId)."
    )
    refused(
        afas.post("/connectors/KnSalesRelationOrg", json=no_box_flag),
        "(PbAd): veld is verplicht (KnSalesRelationOrg.KnOrganisation.KnBasicAddressAdr.PbAd)",
    )


def test_a_match_on_bcco_that_finds_nothing_is_an_insert_and_needs_its_fields(afas, state) -> None:
    organisation = wrap("KnOrganisation", {"Fields": {"MatchOga": "0", "BcCo": "1000002"}})
    person = wrap("KnPerson", {"Fields": {"MatchPer": "0", "BcCo": "1000003"}})

    assert refused(afas.post("/connectors/KnOrganisation", json=organisation)) == (
        "Postadres is adres (PadAdr): veld is verplicht (KnOrganisation.PadAdr).\n"
        "Autonummering (AutoNum): veld is verplicht (KnOrganisation.AutoNum).\n"
        "Name (Nm): veld is verplicht (KnOrganisation.Nm)."
    )
    assert refused(afas.post("/connectors/KnPerson", json=person)) == (
        "Autonummering (AutoNum): veld is verplicht (KnPerson.AutoNum)."
    )
    seed_org(state, "1000002", Nm="Bakkerij De Kok")
    seed_person(state, "1000003", LaNm="Vries")
    found = created(afas.post("/connectors/KnOrganisation", json=organisation))
    assert found == {"BcCo": "1000002", "BcId": "9002"}
    assert created(afas.post("/connectors/KnPerson", json=person))["BcCo"] == "1000003"


def test_wrong_types_and_malformed_bodies_are_refused_in_dutch(afas: httpx.Client) -> None:
    wrong = project(HrWe="36,5", DaSt="01-02-2024", Prof="-147x")
    malformed = {"PtProject": {"Element": {"Fields": [], "Velden": {}}}}

    assert refused(afas.post("/connectors/PtProject", json=wrong)) == (
        "Standard working week (HrWe): de waarde '36,5' is geen getal (PtProject.HrWe).\n"
        "Start date (DaSt): de waarde '01-02-2024' is geen datum in de vorm JJJJ-MM-DD "
        "(PtProject.DaSt).\n"
        "Project profile (Prof): de waarde '-147x' is geen geheel getal (PtProject.Prof)."
    )
    assert refused(afas.post("/connectors/PtProject", json=malformed)) == (
        "Ongeldig bericht (PtProject.Fields): Fields moet een object zijn, geen lijst.\n"
        "Ongeldig bericht (PtProject.Velden): onverwachte sleutel 'Velden' in Element "
        "(verwacht: @attributen, Fields, Objects)."
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/connectors/PtProject", project(DbId="99999")),
        ("/connectors/FbSales", order([line()], DbId="99999")),
    ],
)
def test_a_debtor_that_does_not_exist_is_refused(afas: httpx.Client, state, path, body) -> None:
    refused(afas.post(path, json=body))
    assert refused(afas.post(path, json=body)) == "Verkooprelatie '99999' bestaat niet."
    seed_debtor(state, "99999")
    created(afas.post(path, json=body))


def test_duplicate_debtor_number_is_refused(afas: httpx.Client, state) -> None:
    created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("49339")))

    response = afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("49339"))

    assert refused(response) == "Verkooprelatie '49339' bestaat al."
    assert len(state.organisations) == 1


@pytest.mark.parametrize(("group", "known"), [("ALG", True), ("flex", True), ("X", False)])
def test_project_group_must_exist(afas: httpx.Client, state, group: str, known: bool) -> None:
    response = afas.post("/connectors/PtProject", json=project(PrGp=group))

    if known:
        created(response)
    else:
        assert refused(response) == "Projectgroep 'X' bestaat niet."
        assert state.projects == {}


def test_project_groups_are_part_of_the_environment(_served) -> None:
    current, client = _served
    state = AfasState(project_groups={"CON"})
    current.app = AfasAuth(create_app(state), token=TOKEN)

    created(client.post("/connectors/PtProject", json=project(PrGp="con")))
    refused(client.post("/connectors/PtProject", json=project(PrGp="ALG")), "'ALG' bestaat niet")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/connectors/KnSalesRelationOrg",
            sales_relation(
                org=organisation([{"KnBasicAddressAdr": {"Element": address(CoId="")}}])
            ),
        ),
        (
            "/connectors/KnPerson",
            wrap(
                "KnPerson",
                {**person(), "Objects": {"KnBasicAddressPad": {"Element": address(CoId=None)}}},
            ),
        ),
    ],
)
def test_an_address_needs_a_country(afas: httpx.Client, state, path: str, body: dict) -> None:
    message = refused(afas.post(path, json=body), "Land (CoId)")

    assert re.search(r"\(\w+(\.KnOrganisation)?\.KnBasicAddress(Adr|Pad)\.CoId\)", message)
    assert state.organisations == {} and state.persons == {}


@pytest.mark.parametrize(("number", "accepted"), [("849835607", False), ("0849835607", True)])
def test_an_old_style_bank_account_has_10_positions(afas, state, number: str, accepted: bool):
    account = {"Fields": {"CoId": "NL", "IbCk": False, "BaAc": number}}
    body = sales_relation(org=organisation({"KnBankAccount": {"Element": account}}))

    response = afas.post("/connectors/KnSalesRelationOrg", json=body)

    if accepted:
        created(response)
        stored = state.organisations["100000"]["objects"]["KnBankAccount"]
        assert stored == [{"fields": {"CoId": "NL", "IbCk": False, "BaAc": number}}]
    else:
        refused(response, "'849835607' heeft 9 posities", "10 posities")
        assert state.debtors == {}


def test_an_invalid_bsn_is_refused(afas: httpx.Client, state) -> None:
    bad = wrap("KnPerson", person(SoSe="123456789"))
    good = wrap("KnPerson", person(SoSe="111222333"))

    refused(afas.post("/connectors/KnPerson", json=bad), "'123456789' is ongeldig")
    created(afas.post("/connectors/KnPerson", json=good))
    assert [p["fields"]["SoSe"] for p in state.persons.values()] == ["111222333"]


# --- Shapes: Element lists, Objects, keys -------------------------------------------------------


def test_an_element_list_is_one_transaction(afas: httpx.Client, state) -> None:
    first = sales_relation("51001")["KnSalesRelationOrg"]["Element"]
    no_country = organisation([{"KnBasicAddressAdr": {"Element": address(CoId=None)}}])
    second = sales_relation("51002", org=no_country)["KnSalesRelationOrg"]["Element"]

    message = refused(
        afas.post(
            "/connectors/KnSalesRelationOrg", json=wrap("KnSalesRelationOrg", [first, second])
        )
    )

    assert "(KnSalesRelationOrg[1].KnOrganisation.KnBasicAddressAdr.CoId)" in message
    assert state.debtors == {} and state.organisations == {}


def test_an_element_list_of_valid_records_gets_a_list_of_keys(afas: httpx.Client, state) -> None:
    elements = [sales_relation(n)["KnSalesRelationOrg"]["Element"] for n in ("51001", "51002")]

    response = afas.post(
        "/connectors/KnSalesRelationOrg", json=wrap("KnSalesRelationOrg", elements)
    )

    assert created(response) == [
        {"DbId": "51001", "BcCo": "100000", "BcId": "2000"},
        {"DbId": "51002", "BcCo": "100001", "BcId": "2001"},
    ]
    assert list(state.debtors) == ["51001", "51002"]


def test_a_list_repeating_a_number_fails_as_a_whole(afas: httpx.Client, state) -> None:
    elements = [sales_relation("51001")["KnSalesRelationOrg"]["Element"]] * 2

    response = afas.post(
        "/connectors/KnSalesRelationOrg", json=wrap("KnSalesRelationOrg", elements)
    )

    assert refused(response) == "Verkooprelatie '51001' bestaat al."
    assert state.debtors == {} and state.organisations == {}


@pytest.mark.parametrize("shape", ["list", "object"])
def test_objects_as_a_list_or_as_one_object(afas: httpx.Client, state, shape: str) -> None:
    held = {
        "KnBasicAddressAdr": {"Element": address(Ad="Bezoekweg")},
        "KnBasicAddressPad": {"Element": address(Ad="Postweg")},
    }
    objects = [{name: node} for name, node in held.items()] if shape == "list" else held

    created(
        afas.post("/connectors/KnOrganisation", json=wrap("KnOrganisation", organisation(objects)))
    )

    stored = state.organisations["100000"]["objects"]
    assert stored["KnBasicAddressAdr"][0]["fields"]["Ad"] == "Bezoekweg"
    assert stored["KnBasicAddressPad"][0]["fields"]["Ad"] == "Postweg"


@pytest.mark.parametrize("as_attribute", [True, False])
def test_keys_as_attribute_or_as_field(afas: httpx.Client, state, as_attribute: bool) -> None:
    body = sales_relation(None)
    element = body["KnSalesRelationOrg"]["Element"]
    if as_attribute:
        element["@DbId"] = "51009"
    else:
        element["Fields"]["DbId"] = "51009"

    assert created(afas.post("/connectors/KnSalesRelationOrg", json=body))["DbId"] == "51009"

    seed_order(state, "60000001", [], DbId="51009")
    change = {"Fields": {"RfCs": "ref"}}
    if as_attribute:
        change["@OrNu"] = "60000001"
    else:
        change["Fields"]["OrNu"] = "60000001"
    assert created(afas.put("/connectors/FbSales", json=wrap("FbSales", change)), 200) == {
        "OrNu": "60000001"
    }
    assert state.salesorders["60000001"]["fields"]["RfCs"] == "ref"


def test_without_a_debtor_number_the_sandbox_numbers_it(afas: httpx.Client) -> None:
    replies = [created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation(None)))]
    replies.append(created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation(None))))

    assert [r["DbId"] for r in replies] == ["10000", "10001"]


# --- Matching organisations and persons ---------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "fields", "updates"),
    [
        ("0", {"BcCo": "1000100"}, True),
        ("0", {"BcCo": "1000101"}, False),
        ("1", {"CcNr": "41098765"}, True),
        ("1", {"CcNr": "41098766"}, False),
        ("2", {"FiNr": "812345678"}, True),
        ("2", {"FiNr": "812345679"}, False),
        ("3", {"Nm": " bakkerij de KOK "}, True),
        ("3", {"Nm": "Bakkerij De Kok 2"}, False),
        ("6", {"BcCo": "1000101", "CcNr": "41098765", "AutoNum": False}, False),
    ],
)
def test_match_oga(afas: httpx.Client, state, code: str, fields: dict, updates: bool) -> None:
    seed_org(state, "1000100", Nm="Bakkerij De Kok", CcNr="41098765", FiNr="812345678")
    body = wrap("KnOrganisation", organisation(MatchOga=code, SeNm="NIEUW", **fields))

    reply = created(afas.post("/connectors/KnOrganisation", json=body))

    if updates:
        assert reply == {"BcCo": "1000100", "BcId": "9100"}
        assert list(state.organisations) == ["1000100"]
        assert state.organisations["1000100"]["fields"]["SeNm"] == "NIEUW"
    else:
        expected = "1000101" if fields.get("AutoNum") is False else "100000"
        assert reply["BcCo"] == expected and len(state.organisations) == 2
        assert "SeNm" not in state.organisations["1000100"]["fields"]


def test_match_oga_inside_a_sales_relation_keeps_the_matched_number(afas, state) -> None:
    seed_org(state, "1000100", Nm="Bakkerij De Kok", CcNr="41098765")
    visit = [{"KnBasicAddressAdr": {"Element": address()}}]
    body = sales_relation(org=organisation(visit, MatchOga="1", CcNr="41098765"))

    reply = created(afas.post("/connectors/KnSalesRelationOrg", json=body))

    assert reply == {"DbId": "51001", "BcCo": "1000100", "BcId": "9100"}
    assert state.debtors["51001"]["BcCo"] == "1000100"
    assert len(state.organisations) == 1
    assert len(state.organisations["1000100"]["objects"]["KnBasicAddressAdr"]) == 1


def test_a_second_sales_relation_links_an_existing_organisation_by_its_number(afas, state) -> None:
    # seed 000: an organisation that exists is used for the new relation, not made twice
    first = created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51001")))
    link = {"Fields": {"MatchOga": "0", "BcCo": first["BcCo"]}}

    second = created(
        afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51002", org=link))
    )

    assert second["BcCo"] == first["BcCo"] and second["DbId"] == "51002"
    assert len(state.organisations) == 1
    assert {d["BcCo"] for d in state.debtors.values()} == {first["BcCo"]}
    held = state.organisations[first["BcCo"]]
    assert held["fields"]["Nm"] == "Bakkerij De Kok"  # nothing of it sent, nothing changed
    assert len(held["objects"]["KnBasicAddressAdr"]) == 1
    unknown = {"MatchOga": "0", "BcCo": "999999"}
    refused = afas.post(
        "/connectors/KnSalesRelationOrg", json=sales_relation("51003", org={"Fields": unknown})
    )
    assert refused.status_code == 500 and len(state.organisations) == 1  # no such organisation


def test_match_oga_with_several_matches_is_refused(afas: httpx.Client, state) -> None:
    seed_org(state, "1000100", Nm="Kok", CcNr="41098765")
    seed_org(state, "1000101", Nm="Kok", CcNr="41098765")
    body = sales_relation(org=organisation(MatchOga="1", CcNr="41098765"))

    refused(
        afas.post("/connectors/KnSalesRelationOrg", json=body),
        "2 organisaties gevonden met MatchOga 1 (1000100, 1000101)",
    )
    assert state.debtors.keys() == set()


ANNA = {"LaNm": "Vries", "Is": "de", "In": "A.", "ViGe": "V"}
ANNA_EXTRA = {
    "SoSe": "111222333",
    "EmAd": "anna@vries.test",
    "MbNr": "0612345678",
    "TeNr": "0331234567",
    "DaBi": "1990-05-17",
}


@pytest.mark.parametrize(
    ("code", "fields", "updates"),
    [
        ("0", {"BcCo": "1000200"}, True),
        ("1", {"SoSe": "111222333"}, True),
        ("1", {"SoSe": "123456782"}, False),
        ("2", {}, True),
        ("2", {"In": "B."}, False),
        ("3", {"EmAd": "ANNA@vries.test"}, True),
        ("3", {"EmAd": "anna@elders.test"}, False),
        ("4", {"MbNr": "0612345678"}, True),
        ("4", {"MbNr": "0699999999"}, False),
        ("5", {"TeNr": "0331234567"}, True),
        ("5", {"TeNr": "0339999999"}, False),
        ("6", {"DaBi": "1990-05-17"}, True),
        ("6", {"DaBi": "1991-05-17"}, False),
        ("7", {"BcCo": "1000200", **ANNA_EXTRA}, False),
    ],
)
def test_match_per(afas: httpx.Client, state, code: str, fields: dict, updates: bool) -> None:
    seed_person(state, "1000200", FiNm="Anna", **ANNA, **ANNA_EXTRA)
    body = wrap("KnPerson", person(MatchPer=code, FiNm="Anneke", **fields))

    reply = created(afas.post("/connectors/KnPerson", json=body))

    if updates:
        assert reply == {"BcCo": "1000200", "BcId": "8200"}
        assert list(state.persons) == ["1000200"]
        assert state.persons["1000200"]["fields"]["FiNm"] == "Anneke"
    else:
        assert reply["BcCo"] == "100000" and len(state.persons) == 2
        assert state.persons["1000200"]["fields"]["FiNm"] == "Anna"


def test_match_per_with_several_matches_is_refused(afas: httpx.Client, state) -> None:
    seed_person(state, "1000200", **ANNA)
    seed_person(state, "1000201", **ANNA)
    body = wrap(
        "KnSalesRelationPer",
        {"Fields": {"CuId": "EUR"}, "Objects": [{"KnPerson": {"Element": person(MatchPer="2")}}]},
    )

    refused(afas.post("/connectors/KnSalesRelationPer", json=body), "2 personen gevonden")
    assert state.debtors == {}


def test_match_9_in_a_put_is_the_relations_own_organisation_and_person(afas, state) -> None:
    seed_org(state, "1000300", Nm="Oud")
    seed_debtor(state, "10060", "1000300")
    seed_person(state, "1000301", LaNm="Oud")
    seed_debtor(state, "10061", "1000301")
    org_change = {
        "@DbId": "10060",
        "Objects": {"KnOrganisation": {"Element": {"Fields": {"MatchOga": "9", "Nm": "Nieuw"}}}},
    }
    per_change = {
        "@DbId": "10061",
        "Fields": {"InPv": "a"},
        "Objects": [{"KnPerson": {"Element": {"Fields": {"MatchPer": "9", "LaNm": "Nieuw"}}}}],
    }

    org_reply = created(
        afas.put("/connectors/KnSalesRelationOrg", json=wrap("KnSalesRelationOrg", org_change)), 200
    )
    per_reply = created(
        afas.put("/connectors/KnSalesRelationPer", json=wrap("KnSalesRelationPer", per_change)), 200
    )

    assert org_reply == {"DbId": "10060", "BcCo": "1000300", "BcId": "9300"}
    assert per_reply == {"DbId": "10061", "BcCo": "1000301", "BcId": "8301"}
    assert state.organisations["1000300"]["fields"]["Nm"] == "Nieuw"
    assert state.persons["1000301"]["fields"]["LaNm"] == "Nieuw"
    assert len(state.organisations) == len(state.persons) == 1


# --- PUT ----------------------------------------------------------------------------------------


def test_put_needs_only_the_key_and_the_changed_fields_and_empty_clears(afas, state) -> None:
    seed_project(state, "910004", PrGp="ALG", Ds="Advies", PrSt="01", DbId="10001")
    change = wrap("PtProject", {"Fields": {"PrId": "910004", "Ds": "Gewijzigd", "PrSt": ""}})

    assert created(afas.put("/connectors/PtProject", json=change), 200) == {"PrId": "910004"}

    fields = state.projects["910004"]["fields"]
    assert fields == {"PrGp": "ALG", "Ds": "Gewijzigd", "DbId": "10001", "PrId": "910004"}


def test_put_of_a_record_that_does_not_exist_is_refused(afas: httpx.Client, state) -> None:
    missing_project = wrap("PtProject", {"Fields": {"PrId": "910005", "Ds": "x"}})
    missing_debtor = wrap("KnSalesRelationOrg", {"@DbId": "10999", "Fields": {"InPv": "E"}})
    missing_person = wrap("KnPerson", {"Fields": {"MatchPer": "0", "BcCo": "1000999"}})

    assert refused(afas.put("/connectors/PtProject", json=missing_project)) == (
        "Project '910005' bestaat niet."
    )
    assert refused(afas.put("/connectors/KnSalesRelationOrg", json=missing_debtor)) == (
        "Verkooprelatie '10999' bestaat niet."
    )
    assert refused(afas.put("/connectors/KnPerson", json=missing_person)) == (
        "Persoon '1000999' bestaat niet."
    )
    refused(
        afas.put("/connectors/PtProject", json=wrap("PtProject", {"Fields": {"Ds": "x"}})),
        "sleutelveld PrId ontbreekt",
    )


def test_put_of_a_sales_relation_clears_a_field_and_keeps_its_organisation(afas, state) -> None:
    seed_org(state, "1000300", Nm="Jansen")
    seed_debtor(state, "10060", "1000300", CuId="EUR", InPv="E", VaId="NL1")
    other = {
        "@DbId": "10060",
        "Objects": {
            "KnOrganisation": {
                "Element": {
                    "Fields": {
                        "MatchOga": "0",
                        "BcCo": "1000301",
                        "AutoNum": False,
                        "Nm": "Ander",
                        "PadAdr": True,
                    }
                }
            }
        },
    }

    change = wrap("KnSalesRelationOrg", {"@DbId": "10060", "Fields": {"InPv": "", "VaId": "NL2"}})
    created(afas.put("/connectors/KnSalesRelationOrg", json=change), 200)
    message = refused(
        afas.put("/connectors/KnSalesRelationOrg", json=wrap("KnSalesRelationOrg", other))
    )

    assert state.debtors["10060"]["fields"] == {"CuId": "EUR", "VaId": "NL2", "DbId": "10060"}
    assert message.startswith("Verkooprelatie '10060' hoort bij organisatie '1000300'")
    assert list(state.organisations) == ["1000300"]


def test_a_put_adding_nested_objects_demands_their_mandatory_fields(afas, state) -> None:
    seed_org(state, "1000300", Nm="Jansen")
    seed_debtor(state, "10060", "1000300", CuId="EUR")
    seed_order(state, "60000177", [], DbId="10060")
    account = {"Fields": {"Iban": "NL91ABNA0417164300"}}  # no country
    organisation = {"Fields": {"MatchOga": "9"}, "Objects": {"KnBankAccount": {"Element": account}}}
    relation = wrap(
        "KnSalesRelationOrg",
        {"@DbId": "10060", "Objects": {"KnOrganisation": {"Element": organisation}}},
    )
    lines = [{"Fields": {"VaIt": "2", "ItCd": "1000", "QuUn": "1"}}]  # a new line without a unit
    order = wrap(
        "FbSales", {"Fields": {"OrNu": "60000177"}, "Objects": {"FbSalesLines": {"Element": lines}}}
    )

    assert refused(afas.put("/connectors/KnSalesRelationOrg", json=relation)) == (
        "Country of bank (CoId): veld is verplicht (KnSalesRelationOrg.KnOrganisation.KnBankAccount.CoId)."
    )
    assert refused(afas.put("/connectors/FbSales", json=order)) == (
        "Unit (BiUn): veld is verplicht (FbSales.FbSalesLines[0].BiUn)."
    )
    assert state.organisations["1000300"]["objects"] == {}
    assert state.salesorders["60000177"]["lines"] == []


def test_a_project_post_naming_an_existing_project_adds_phases(afas, state) -> None:
    seed_project(state, "910004", PrGp="ALG", Ds="Advies")
    stages = [{"Fields": {"PrId": "910004", "PrSt": s, "Ds": f"Fase {s}"}} for s in ("01", "02")]
    body = wrap(
        "PtProject",
        {"Fields": {"PrId": "910004"}, "Objects": {"PtProjectStage": {"Element": stages}}},
    )

    created(afas.post("/connectors/PtProject", json=body))
    rename = {
        "Fields": {"PrId": "910004"},
        "Objects": {"PtProjectStage": {"Element": {"Fields": {"PrSt": "02", "Ds": "Uitvoering"}}}},
    }
    created(afas.put("/connectors/PtProject", json=wrap("PtProject", rename)), 200)

    held = state.projects["910004"]["objects"]["PtProjectStage"]
    assert [(s["fields"]["PrSt"], s["fields"]["Ds"]) for s in held] == [
        ("01", "Fase 01"),
        ("02", "Uitvoering"),
    ]


def test_a_project_insert_repeated_is_refused_not_taken_for_an_update(afas, state) -> None:
    body = project(PrId="P-77", Ds="Eerste")
    created(afas.post("/connectors/PtProject", json=body))

    again = afas.post("/connectors/PtProject", json=project(PrId="P-77", Ds="Tweede"))

    assert refused(again) == "Project 'P-77' bestaat al."
    assert state.projects["P-77"]["fields"]["Ds"] == "Eerste"


# --- Sales orders -------------------------------------------------------------------------------


def test_fbsales_with_lines_is_stored_with_a_guid_per_line(afas: httpx.Client, state) -> None:
    seed_debtor(state, "10001")

    reply = created(afas.post("/connectors/FbSales", json=order([line(), line(ItCd="1001")])))

    stored = state.salesorders[reply["OrNu"]]
    assert reply == {"OrNu": "60000001"}
    assert [ln["fields"]["ItCd"] for ln in stored["lines"]] == ["1000", "1001"]
    assert all(re.fullmatch(r"\{[0-9A-F-]{36}\}", ln["GuLi"]) for ln in stored["lines"])
    assert stored["fields"]["DbId"] == "10001"


def test_fbsales_without_lines_needs_soqu(afas: httpx.Client, state) -> None:
    seed_debtor(state, "10001")

    refused(afas.post("/connectors/FbSales", json=order()), "zonder regels", "SoQu")
    assert state.salesorders == {}
    reply = created(afas.post("/connectors/FbSales", json=order(SoQu="20240001")))
    assert state.salesorders[reply["OrNu"]]["lines"] == []


def test_fbsales_lines_are_added_to_an_existing_order(afas: httpx.Client, state) -> None:
    seed_debtor(state, "10001")
    or_nu = created(afas.post("/connectors/FbSales", json=order([line()])))["OrNu"]
    text = line(VaIt="3", ItCd="T", BiUn=None, Ds="Tekst")  # a text line has no unit
    more = {
        "Fields": {"OrNu": or_nu},
        "Objects": [{"FbSalesLines": {"Element": [line(ItCd="2000"), text]}}],
    }
    unknown = {"Fields": {"OrNu": "1"}, "Objects": [{"FbSalesLines": {"Element": line()}}]}

    reply = created(afas.post("/connectors/FbSales/FbSalesLines", json=wrap("FbSales", more)))
    missing = afas.post("/connectors/FbSales/FbSalesLines", json=wrap("FbSales", unknown))

    assert reply == {"OrNu": or_nu}
    items = [ln["fields"]["ItCd"] for ln in state.salesorders[or_nu]["lines"]]
    assert items == ["1000", "2000", "T"]
    assert refused(missing) == "Verkooporder '1' bestaat niet."


def test_fbsales_put_changes_lines_by_guid_or_by_item_with_an_action_and_refuses_soqu(
    afas, state
) -> None:
    lines = [
        {"GuLi": "{0A}", "fields": {"VaIt": "2", "ItCd": "1000", "QuUn": "1"}},
        {"GuLi": "{0B}", "fields": {"VaIt": "2", "ItCd": "2000", "QuUn": "1"}},
    ]
    seed_order(state, "60000177", lines, DbId="10001")
    change = wrap(
        "FbSales",
        {
            "Fields": {"OrNu": "60000177", "RfCs": "nieuw"},
            "Objects": {
                "FbSalesLines": {
                    "Element": [
                        {"Fields": {"GuLi": "{0a}", "QuUn": "5"}},
                        {
                            "Fields": {
                                "@Action": "update",
                                "VaIt": "2",
                                "ItCd": "2000",
                                "Upri": "12.5",
                            }
                        },
                        line(ItCd="3000"),
                    ]
                }
            },
        },
    )

    created(afas.put("/connectors/FbSales", json=change), 200)
    soqu = wrap("FbSales", {"Fields": {"OrNu": "60000177", "SoQu": "1"}})

    stored = state.salesorders["60000177"]
    assert stored["fields"]["RfCs"] == "nieuw"
    assert [ln["fields"] for ln in stored["lines"][:2]] == [
        {"VaIt": "2", "ItCd": "1000", "QuUn": "5"},
        {"VaIt": "2", "ItCd": "2000", "QuUn": "1", "Upri": "12.5"},
    ]
    assert stored["lines"][2]["fields"]["ItCd"] == "3000"
    refused(afas.put("/connectors/FbSales", json=soqu), "SoQu")


@pytest.mark.parametrize(
    ("path", "kind", "key"),
    [
        ("/connectors/FbSales/FbSales/@OrNu/60000177", "salesorders", "60000177"),
        ("/connectors/FbSales/FbSales/OrNu/60000177", "salesorders", "60000177"),
        ("/connectors/PtProject/PtProject/PrId/910004", "projects", "910004"),
        ("/connectors/PtProject/PtProject/@PrId/910004", "projects", "910004"),
    ],
)
def test_delete_with_the_key_in_the_path(afas, state, path: str, kind: str, key: str) -> None:
    seed_environment(state)

    response = afas.delete(path)

    assert response.status_code == 200
    assert key not in state.table(kind)
    assert refused(afas.delete(path)).endswith(f"'{key}' bestaat niet.")


def test_delete_one_order_line_by_guid(afas: httpx.Client, state) -> None:
    seed_environment(state)

    response = afas.delete("/connectors/FbSales/FbSalesLines/@OrNu,@GuLi/60000177,{0A}")

    assert response.status_code == 200
    assert state.salesorders["60000177"]["lines"] == []


@pytest.mark.parametrize("connector", ["KnOrganisation", "KnPerson", "KnSalesRelationOrg"])
def test_connectors_without_delete_refuse_it(afas, state, connector: str) -> None:
    seed_environment(state)

    refused(afas.delete(f"/connectors/{connector}/{connector}/@BcCo/1000372"), "Verwijderen")
    assert "1000372" in state.organisations


# --- GetConnectors ------------------------------------------------------------------------------


def seed_debtors(state: AfasState) -> None:
    seed_org(state, "1000001", Nm="Alfa Bouw", CcNr="11111111", EmAd="info@alfa.test")
    seed_org(state, "1000002", Nm="Beta Bakkerij", CcNr="22222222")
    seed_org(state, "1000003", Nm="Gamma Groep", CcNr="33333333", EmAd="sales@gamma.test")
    seed_person(state, "1000004", FiNm="Jan", Is="de", LaNm="Vries", EmAd="jan@vries.test")
    seed_debtor(state, "10001", "1000001", CuId="EUR", VaId="NL001")
    seed_debtor(state, "10002", "1000002", CuId="USD")
    seed_debtor(state, "10003", "1000003", CuId="EUR")
    seed_debtor(state, "10004", "1000004", CuId="EUR")


def debtor_ids(afas: httpx.Client, **params: Any) -> list[str]:
    params.setdefault("orderbyfieldids", "DebtorId")
    response = afas.get("/connectors/Profit_Debtor", params=params)
    assert response.status_code == 200, response.text
    return [row["DebtorId"] for row in response.json()["rows"]]


def test_get_profit_debtor_rows_with_nulls_for_empty_fields(afas: httpx.Client, state) -> None:
    seed_debtors(state)

    reply = afas.get("/connectors/Profit_Debtor").json()

    assert (reply["skip"], reply["take"], len(reply["rows"])) == (0, 100, 4)
    assert reply["rows"][0] == {
        "DebtorId": "10001",
        "BcCo": "1000001",
        "DebtorName": "Alfa Bouw",
        "SearchName": None,
        "VatNr": "NL001",
        "ChOfCommNr": "11111111",
        "Email": "info@alfa.test",
        "IBAN": None,
        "CurrencyId": "EUR",
        "Blocked": False,
    }
    assert reply["rows"][3]["DebtorName"] == "Jan de Vries"


def test_get_paging_and_sorting(afas: httpx.Client, state) -> None:
    seed_debtors(state)

    page = afas.get(
        "/connectors/Profit_Debtor", params={"skip": 1, "take": 2, "orderbyfieldids": "-DebtorId"}
    ).json()

    assert (page["skip"], page["take"]) == (1, 2)
    assert [row["DebtorId"] for row in page["rows"]] == ["10003", "10002"]
    assert debtor_ids(afas, orderbyfieldids="CurrencyId,-DebtorId") == [
        "10004",
        "10003",
        "10001",
        "10002",
    ]
    assert debtor_ids(afas, take=-1, skip=3) == ["10004"]


@pytest.mark.parametrize(
    ("field", "operator", "value", "expected"),
    [
        ("DebtorName", 1, "beta bakkerij", ["10002"]),
        ("DebtorName", 2, "Beta Bakkerij", ["10002", "10003", "10004"]),
        ("DebtorName", 3, "Beta Bakkerij", ["10001", "10002"]),
        ("DebtorName", 4, "Beta Bakkerij", ["10003", "10004"]),
        ("DebtorName", 5, "Beta Bakkerij", ["10001"]),
        ("DebtorName", 6, "A B", ["10001", "10002"]),
        ("DebtorName", 7, "Gamma Groep", ["10001", "10002", "10004"]),
        ("Email", 8, "", ["10002"]),
        ("Email", 9, "", ["10001", "10003", "10004"]),
        ("DebtorName", 10, "g", ["10003"]),
        ("DebtorName", 11, "oe", ["10001", "10002", "10004"]),
        ("DebtorName", 12, "b", ["10001", "10003", "10004"]),
        ("DebtorName", 13, "IJ", ["10002"]),
        ("DebtorName", 14, "ij", ["10001", "10003", "10004"]),
        ("DebtorName", 15, "vries", ["10004"]),
    ],
)
def test_get_filter_operators(afas, state, field: str, operator: int, value: str, expected):
    seed_debtors(state)

    found = debtor_ids(afas, filterfieldids=field, filtervalues=value, operatortypes=operator)

    assert found == expected


def test_get_filters_comma_is_and_semicolon_is_or(afas: httpx.Client, state) -> None:
    seed_debtors(state)

    both = debtor_ids(
        afas, filterfieldids="DebtorName,CurrencyId", filtervalues="a,EUR", operatortypes="6,1"
    )
    either = debtor_ids(
        afas,
        filterfieldids="DebtorName;DebtorName",
        filtervalues="alfa;gamma",
        operatortypes="10;10",
    )
    mixed = debtor_ids(
        afas,
        filterfieldids="CurrencyId,DebtorName;DebtorId",
        filtervalues="EUR,g;10002",
        operatortypes="1,10;1",
    )

    assert both == ["10001", "10003", "10004"]
    assert either == ["10001", "10003"]
    assert mixed == ["10002", "10003"]


def test_get_compares_numbers_and_dates_as_such(afas: httpx.Client, state) -> None:
    for pr_id, hours in (("P1", "8"), ("P2", 36), ("P3", "120")):
        seed_project(state, pr_id, PrGp="ALG", HrWe=hours, DaSt="2024-01-0" + pr_id[1])
    for or_nu, day in (("60000001", "2024-01-15"), ("60000002", "2023-12-31")):
        seed_order(state, or_nu, [], DbId="10001", OrDa=day, RfCs=f"ref {or_nu}")

    projects = afas.get(
        "/connectors/Profit_Projects",
        params={
            "orderbyfieldids": "-HoursPerWeek",
            "filterfieldids": "HoursPerWeek",
            "filtervalues": "30",
            "operatortypes": "4",
        },
    ).json()["rows"]
    orders = afas.get(
        "/connectors/Profit_Salesorders",
        params={"filterfieldids": "OrderDate", "filtervalues": "2024-01-01", "operatortypes": "2"},
    ).json()["rows"]

    assert [(p["ProjectId"], p["HoursPerWeek"]) for p in projects] == [("P3", 120), ("P2", 36)]
    assert projects[0]["StartDate"] == "2024-01-03T00:00:00Z"
    assert [(o["OrderNumber"], o["OrderDate"]) for o in orders] == [
        ("60000001", "2024-01-15T00:00:00Z")
    ]
    assert orders[0]["CustomerReference"] == "ref 60000001"


def test_get_profit_orgper_holds_organisations_and_persons(afas, state) -> None:
    created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation()))
    created(afas.post("/connectors/KnPerson", json=wrap("KnPerson", person(FiNm="Anna"))))

    rows = afas.get(
        "/connectors/Profit_OrgPer",
        params={"filterfieldids": "ChOfCommNr", "filtervalues": "", "operatortypes": "9"},
    ).json()["rows"]
    everyone = afas.get("/connectors/Profit_OrgPer", params={"orderbyfieldids": "Name"}).json()

    assert rows == []
    assert [(r["BcCo"], r["Name"], r["Type"]) for r in everyone["rows"]] == [
        ("100001", "Anna de Vries", "Persoon"),
        ("100000", "Bakkerij De Kok", "Organisatie"),
    ]
    assert everyone["rows"][1]["SearchName"] == "DEKOK"
    assert everyone["rows"][1]["ZipCode"] == "3811AB"


def test_get_query_string_over_2049_characters_gives_404(afas: httpx.Client, state) -> None:
    seed_debtors(state)
    base = "filterfieldids=DebtorName&operatortypes=6&filtervalues="

    short = afas.get(f"/connectors/Profit_Debtor?{base}{'x' * (2049 - len(base))}")
    long = afas.get(f"/connectors/Profit_Debtor?{base}{'x' * (2050 - len(base))}")

    assert short.status_code == 200 and short.json()["rows"] == []
    assert long.status_code == 404


def test_get_filterjson_ors_its_filters_and_ands_the_fields_of_one(afas: httpx.Client, state):
    seed_debtors(state)
    seed_org(state, "1000005", Nm="Delta, Epsilon; Zeta")
    seed_debtor(state, "10005", "1000005", CuId="EUR")

    def field(name: str, value: str, operator: int = 1) -> dict[str, Any]:
        return {"@FieldId": name, "@OperatorType": operator, "#text": value}

    both_and_one = {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": "Filter 1",
                    "Field": [field("CurrencyId", "EUR"), field("DebtorName", "g", 10)],
                },
                {"@FilterId": "Filter 2", "Field": [field("DebtorName", "delta, epsilon; zeta")]},
            ]
        }
    }
    one_object = {"Filters": {"Filter": {"@FilterId": "F", "Field": field("DebtorId", "10002")}}}

    assert debtor_ids(afas, filterjson=json.dumps(both_and_one)) == ["10003", "10005"]
    assert debtor_ids(afas, filterjson=json.dumps(one_object)) == ["10002"]


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("/connectors/Profit_Nothing", "GetConnector wordt niet ondersteund"),
        ("/connectors/Profit_Debtor?filterfieldids=Nope&filtervalues=1&operatortypes=1", "'Nope'"),
        (
            "/connectors/Profit_Debtor?filterfieldids=DebtorId&filtervalues=1&operatortypes=1,1",
            "aantal",
        ),
        ("/connectors/Profit_Debtor?filterfieldids=DebtorId&filtervalues=1&operatortypes=16", "16"),
        ("/connectors/Profit_Debtor?orderbyfieldids=Nope", "'Nope'"),
        ("/connectors/Profit_Debtor?skip=een", "skip"),
        ("/connectors/Profit_Debtor?filterjson=%7B%22Filters%22%3A1%7D", "filterjson"),
        ("/connectors/Profit_Debtor?filterjson=nope", "filterjson"),
        ("/connectors/Profit_Debtor?filterjson=" + "[" * 1500, "filterjson"),  # too deep
        (
            "/connectors/Profit_Debtor?filterjson=%7B%7D&filterfieldids=DebtorId&filtervalues=1"
            "&operatortypes=1",
            "niet allebei",
        ),
    ],
)
def test_get_refusals(afas: httpx.Client, url: str, fragment: str) -> None:
    refused(afas.get(url), fragment)


# --- metainfo -----------------------------------------------------------------------------------


def test_metainfo_lists_the_connectors(afas: httpx.Client) -> None:
    reply = afas.get("/metainfo").json()

    assert [c["id"] for c in reply["updateConnectors"]] == list(CONNECTORS)
    assert all(c["description"] for c in reply["updateConnectors"])
    assert {c["id"] for c in reply["getConnectors"]} == {
        "Profit_OrgPer",
        "Profit_Debtor",
        "Profit_Projects",
        "Profit_Salesorders",
    }


def test_metainfo_of_an_update_connector_describes_its_fields_and_objects(afas) -> None:
    reply = afas.get("/metainfo/update/KnSalesRelationOrg")
    project_times = afas.get("/metainfo/update/PtProject").json()["fields"]

    assert reply.status_code == 200
    info = reply.json()
    assert (info["name"], info["description"]) == (
        "KnSalesRelationOrg",
        "Verkooprelatie organisatie",
    )
    fields = {f["fieldId"]: f for f in info["fields"]}
    assert fields["DbId"]["primaryKey"] is True and fields["CuId"]["mandatory"] is True
    assert fields["CuId"] == {
        "id": "CuId",
        "fieldId": "CuId",
        "primaryKey": False,
        "dataType": "string",
        "label": "Currency",
        "mandatory": True,
        "length": 3,
        "notzero": False,
        "values": [],
    }
    assert fields["InPv"]["values"][:2] == [
        {"id": "A", "description": "Afdrukken"},
        {"id": "B", "description": "Afdrukken + e-mail PDF"},
    ]
    organisation = info["objects"][0]
    assert organisation["name"] == "KnOrganisation"
    assert [o["name"] for o in organisation["objects"]][:3] == [
        "KnBankAccount",
        "KnBasicAddressAdr",
        "KnBasicAddressPad",
    ]
    times = {f["fieldId"]: f["dataType"] for f in project_times if f["fieldId"] in ("StTm", "DaSt")}
    assert times == {"StTm": "string", "DaSt": "date"}  # AFAS's examples send StTm "00:08:00"
    assert refused(afas.get("/metainfo/update/KnCustomK01")) == UNSUPPORTED


INSERTS = sorted(
    name
    for name, (method, path) in EXAMPLES.items()
    if method == "POST" and path.count("/") == 2 and name != "PtProject_POST_phases.json"
)


@pytest.mark.parametrize("name", INSERTS)
def test_the_clients_contract_read_from_the_metainfo_checks_as_its_shipped_one(afas, name) -> None:
    """The importer reads the sandbox's metainfo into a contract that agrees with the one it
    ships, on an example insert and on the same body broken two ways."""
    body = json.loads((EXAMPLES_DIR / name).read_text(encoding="utf-8"))
    connector = next(iter(body))
    read = contract.Contract.from_metainfo(
        connector, afas.get(f"/metainfo/update/{connector}").json()
    )
    shipped = contract.Contract.shipped(connector)
    assert shipped is not None
    fields = body[connector]["Element"]["Fields"]
    first = next(iter(fields))

    assert read.violations(body) == shipped.violations(body) == []
    for broken in ({**fields, first: "x" * 300}, {**fields, "Onbekend": "1"}):
        body[connector]["Element"]["Fields"] = broken
        assert read.violations(body) == shipped.violations(body) != []


def test_metainfo_of_a_get_connector(afas: httpx.Client) -> None:
    reply = afas.get("/metainfo/get/Profit_Debtor").json()

    assert reply["name"] == "Profit_Debtor"
    assert [f["id"] for f in reply["fields"]][:3] == ["DebtorId", "BcCo", "DebtorName"]
    refused(afas.get("/metainfo/get/Profit_Nothing"), "GetConnector")


# --- State: requests, records, reset, SQLite ----------------------------------------------------


def test_writes_are_kept_in_requests_and_reads_apart(afas: httpx.Client, state) -> None:
    body = sales_relation()
    afas.post("/connectors/KnSalesRelationOrg", content=b"{bad")
    afas.post("/connectors/KnSalesRelationOrg", json=body)
    afas.delete("/connectors/FbSales/FbSales/@OrNu/1")
    afas.get("/connectors/Profit_Debtor?take=1")
    afas.get("/metainfo/update/KnSalesRelationOrg")
    afas.get("/sandbox/records")

    assert [(r["method"], r["connector"], r["path"]) for r in state.requests] == [
        ("POST", "KnSalesRelationOrg", "/ProfitRestServices/connectors/KnSalesRelationOrg"),
        ("POST", "KnSalesRelationOrg", "/ProfitRestServices/connectors/KnSalesRelationOrg"),
        ("DELETE", "FbSales", "/ProfitRestServices/connectors/FbSales/FbSales/@OrNu/1"),
    ]
    assert state.received("KnSalesRelationOrg") == ["{bad", body]
    assert state.requests[2]["body"] is None
    assert [(r["connector"], r["query"]) for r in state.reads] == [
        ("Profit_Debtor", "take=1"),
        ("KnSalesRelationOrg", ""),
    ]


def test_records_and_reset_endpoints(afas: httpx.Client, state) -> None:
    created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation()))

    records = afas.get("/sandbox/records").json()
    reset = afas.post("/sandbox/reset")
    after = afas.get("/sandbox/records").json()

    assert set(records) == set(KINDS)
    assert [d["DbId"] for d in records["debtors"]] == ["51001"]
    assert records["organisations"][0]["fields"]["Nm"] == "Bakkerij De Kok"
    assert reset.status_code == 200
    assert after == {kind: [] for kind in KINDS} and state.requests == []
    again = created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation()))
    assert again["BcCo"] == "100000"  # numbers start over


def test_sqlite_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "afas.sqlite"
    first = AfasState.open(path)
    with serve(first) as afas:
        created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51001")))
        pr_id = created(afas.post("/connectors/PtProject", json=project(DbId="51001")))["PrId"]
        change = wrap("PtProject", {"Fields": {"PrId": pr_id, "Ds": "Gewijzigd"}})
        created(afas.put("/connectors/PtProject", json=change), 200)
    first.close()

    second = AfasState.open(path)
    with serve(second) as afas:
        duplicate = afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51001"))
        reply = created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51002")))
        rows = afas.get("/connectors/Profit_Debtor").json()["rows"]
    second.close()

    assert refused(duplicate) == "Verkooprelatie '51001' bestaat al."
    assert second.projects[pr_id]["fields"]["Ds"] == "Gewijzigd"
    assert reply == {"DbId": "51002", "BcCo": "100001", "BcId": "2001"}  # numbering goes on
    assert [row["DebtorId"] for row in rows] == ["51001", "51002"]
    assert AfasState.open(path).debtors.keys() == {"51001", "51002"}


def test_sqlite_reset_and_refused_requests_leave_the_file_as_it_should(tmp_path: Path) -> None:
    path = tmp_path / "afas.sqlite"
    state = AfasState.open(path)
    with serve(state) as afas:
        bad = sales_relation("51001", org=organisation(Foo="x"))
        refused(afas.post("/connectors/KnSalesRelationOrg", json=bad))
        assert AfasState.open(path).debtors == {}
        created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51001")))
        assert AfasState.open(path).debtors.keys() == {"51001"}
        afas.post("/sandbox/reset")
    state.close()

    assert AfasState.open(path).records() == {kind: [] for kind in KINDS}
