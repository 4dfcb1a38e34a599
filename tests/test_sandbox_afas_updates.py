"""The AFAS sandbox's updates and deletes over real HTTP: what a PUT finds and changes, moves,
order lines, DELETE, and what the GetConnectors and the state show afterwards; then the AFAS
client against the sandbox, insert, update and delete, as the migration loop sends them.

The server and helpers are ``test_sandbox_afas``'s (one server for the module, a fresh state per
test).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import test_sandbox_afas as base
from test_sandbox_afas import (
    address,
    created,
    line,
    order,
    organisation,
    refused,
    sales_relation,
    seed_debtor,
    seed_order,
    seed_org,
    seed_person,
    seed_project,
    wrap,
)

from importer.errors import NotUpdatable
from importer.sandbox import AfasSandbox
from importer.targets.afas.client import AfasTarget

# the module's server and a fresh state per test, as test_sandbox_afas serves them
_served, afas, state = base._served, base.afas, base.state

GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}")


def rows(afas: httpx.Client, connector: str, **params: Any) -> list[dict[str, Any]]:
    response = afas.get(f"/connectors/{connector}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["rows"]


# --- A PUT finds the record by its key ----------------------------------------------------------

NO_KEY = [
    ("FbSales", {"Fields": {"RfCs": "x"}}, "Het sleutelveld OrNu ontbreekt (FbSales)."),
    ("PtProject", {"Fields": {"Ds": "x"}}, "Het sleutelveld PrId ontbreekt (PtProject)."),
    (
        "KnSalesRelationOrg",
        {"Fields": {"InPv": "E"}},
        "Het sleutelveld DbId ontbreekt (KnSalesRelationOrg).",
    ),
    (
        "KnOrganisation",
        {"Fields": {"MatchOga": "0", "Nm": "x"}},
        "Het sleutelveld BcCo ontbreekt (KnOrganisation.BcCo).",
    ),
    ("KnPerson", {"Fields": {"LaNm": "x"}}, "Het sleutelveld BcCo ontbreekt (KnPerson.BcCo)."),
]


@pytest.mark.parametrize(("connector", "element", "message"), NO_KEY)
def test_a_put_without_its_key_is_refused(afas, state, connector, element, message) -> None:
    seed_org(state, "1000300", Nm="Jansen")
    seed_person(state, "1000301", LaNm="Jansen")
    before = state.records()

    assert refused(afas.put(f"/connectors/{connector}", json=wrap(connector, element))) == message
    assert state.records() == before


NO_RECORD = [
    ("FbSales", {"Fields": {"OrNu": "60000999"}}, "Verkooporder '60000999' bestaat niet."),
    ("PtProject", {"Fields": {"PrId": "999"}}, "Project '999' bestaat niet."),
    ("KnSalesRelationOrg", {"@DbId": "10999"}, "Verkooprelatie '10999' bestaat niet."),
    (
        "KnOrganisation",
        {"Fields": {"MatchOga": "0", "BcCo": "1000999", "Nm": "x"}},
        "Organisatie '1000999' bestaat niet.",
    ),
    (
        "KnPerson",
        {"Fields": {"MatchPer": "0", "BcCo": "1000999"}},
        "Persoon '1000999' bestaat niet.",
    ),
]


@pytest.mark.parametrize(("connector", "element", "message"), NO_RECORD)
def test_a_put_naming_no_record_is_refused(afas, state, connector, element, message) -> None:
    assert refused(afas.put(f"/connectors/{connector}", json=wrap(connector, element))) == message
    assert all(not records for records in state.records().values())


def test_a_put_changes_only_the_fields_given_and_an_empty_one_clears(afas, state) -> None:
    seed_org(state, "1000300", Nm="Jansen", EmAd="info@jansen.test", TeNr="0331234567")
    seed_order(state, "60000178", [], DbId="10001", OrDa="2013-05-01", RfCs="oud")
    seed_debtor(state, "10001")
    organisation_change = {
        "Fields": {"MatchOga": "0", "BcCo": "1000300", "Nm": "Jansen B.V.", "TeNr": ""}
    }
    order_change = {"Fields": {"OrNu": "60000178", "OrDa": "2013-06-01", "RfCs": ""}}

    assert created(
        afas.put("/connectors/KnOrganisation", json=wrap("KnOrganisation", organisation_change)),
        200,
    ) == {"BcCo": "1000300", "BcId": "9300"}
    assert created(afas.put("/connectors/FbSales", json=wrap("FbSales", order_change)), 200) == {
        "OrNu": "60000178"
    }

    assert state.organisations["1000300"]["fields"] == {
        "Nm": "Jansen B.V.",
        "EmAd": "info@jansen.test",
    }
    assert state.salesorders["60000178"]["fields"] == {
        "DbId": "10001",
        "OrDa": "2013-06-01",
        "OrNu": "60000178",
    }
    [row] = rows(afas, "Profit_OrgPer")
    assert (row["Name"], row["TelWork"], row["MailWork"]) == (
        "Jansen B.V.",
        None,
        "info@jansen.test",
    )


# --- Moves --------------------------------------------------------------------------------------


def organisation_put(bc_co: str, *objects: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    element = {
        "Fields": {"MatchOga": "0", "BcCo": bc_co},
        "Objects": [{name: {"Element": item}} for name, item in objects],
    }
    return wrap("KnOrganisation", element)


def inserted_organisation(afas: httpx.Client) -> str:
    body = wrap("KnOrganisation", organisation([{"KnBasicAddressAdr": {"Element": address()}}]))
    return created(afas.post("/connectors/KnOrganisation", json=body))["BcCo"]


@pytest.mark.parametrize("street", ["Dorpsstraat", "Kerkstraat"])  # the same address, another
def test_a_put_of_an_address_for_a_record_that_has_one_needs_its_begindate(afas, state, street):
    bc_co = inserted_organisation(afas)
    before = state.records()

    message = refused(
        afas.put(
            "/connectors/KnOrganisation",
            json=organisation_put(bc_co, ("KnBasicAddressAdr", address(Ad=street))),
        )
    )

    assert message == (
        "Er is al een adres: geef met BeginDate aan per wanneer het nieuwe adres geldt "
        "(KnOrganisation.KnBasicAddressAdr.BeginDate)."
    )
    assert state.records() == before


def test_a_move_makes_the_new_address_current_and_keeps_the_old_one_as_history(afas, state):
    bc_co = inserted_organisation(afas)
    moved = address(
        Ad="Nijverheidsstraat", HmNr="105", ZpCd="3833LC", Rs="Leusden", BeginDate="2024-05-01"
    )
    postal = address(PbAd=True, Ad=None, HmNr="22", BeginDate="2024-05-01")  # the first postal one

    created(
        afas.put(
            "/connectors/KnOrganisation",
            json=organisation_put(
                bc_co, ("KnBasicAddressAdr", moved), ("KnBasicAddressPad", postal)
            ),
        ),
        200,
    )

    history = state.organisations[bc_co]["objects"]["KnBasicAddressAdr"]
    assert [(a["fields"]["Ad"], a.get("until")) for a in history] == [
        ("Dorpsstraat", "2024-05-01"),
        ("Nijverheidsstraat", None),
    ]
    assert "until" not in state.organisations[bc_co]["objects"]["KnBasicAddressPad"][0]
    [row] = rows(afas, "Profit_OrgPer")
    assert (row["Street"], row["HouseNumber"], row["Residence"]) == (
        "Nijverheidsstraat",
        "105",
        "Leusden",
    )


def test_a_first_address_in_a_put_needs_no_begindate(afas, state) -> None:
    seed_org(state, "1000300", Nm="Jansen")

    created(
        afas.put(
            "/connectors/KnOrganisation",
            json=organisation_put("1000300", ("KnBasicAddressAdr", address())),
        ),
        200,
    )

    assert len(state.organisations["1000300"]["objects"]["KnBasicAddressAdr"]) == 1


def test_a_sales_relations_organisation_and_a_person_move_with_begindate_too(afas, state):
    relation = created(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation()))
    person = {
        "Fields": {"PadAdr": True, "AutoNum": True, "MatchPer": "7", "LaNm": "Vries", "ViGe": "V"},
        "Objects": [{"KnBasicAddressAdr": {"Element": address()}}],
    }
    number = created(afas.post("/connectors/KnPerson", json=wrap("KnPerson", person)))["BcCo"]

    def relation_move(**fields: Any) -> dict[str, Any]:
        org = {
            "Fields": {"MatchOga": "0", "BcCo": relation["BcCo"]},
            "Objects": {"KnBasicAddressAdr": {"Element": address(Ad="Kerkstraat", **fields)}},
        }
        return wrap(
            "KnSalesRelationOrg",
            {"@DbId": relation["DbId"], "Objects": {"KnOrganisation": {"Element": org}}},
        )

    def person_move(**fields: Any) -> dict[str, Any]:
        element = {
            "Fields": {"MatchPer": "0", "BcCo": number},
            "Objects": [{"KnBasicAddressAdr": {"Element": address(Ad="Kerkstraat", **fields)}}],
        }
        return wrap("KnPerson", element)

    refused(afas.put("/connectors/KnSalesRelationOrg", json=relation_move()), "BeginDate")
    refused(afas.put("/connectors/KnPerson", json=person_move()), "BeginDate")
    created(
        afas.put("/connectors/KnSalesRelationOrg", json=relation_move(BeginDate="2024-06-01")), 200
    )
    created(afas.put("/connectors/KnPerson", json=person_move(BeginDate="2024-06-01")), 200)

    for record in (state.organisations[relation["BcCo"]], state.persons[number]):
        assert [a["fields"]["Ad"] for a in record["objects"]["KnBasicAddressAdr"]] == [
            "Dorpsstraat",
            "Kerkstraat",
        ]


def test_a_post_whose_match_finds_the_record_may_repeat_its_address_without_begindate(afas, state):
    body = wrap(
        "KnOrganisation",
        organisation(
            [{"KnBasicAddressAdr": {"Element": address()}}], MatchOga="1", CcNr="93056589"
        ),
    )
    first = created(afas.post("/connectors/KnOrganisation", json=body))

    again = created(afas.post("/connectors/KnOrganisation", json=body))

    assert again["BcCo"] == first["BcCo"] and len(state.organisations) == 1


# --- Order lines in a PUT -----------------------------------------------------------------------


def order_put(or_nu: str, *lines: dict[str, Any], **fields: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"Fields": {"OrNu": or_nu, **fields}}
    if lines:
        element["Objects"] = {"FbSalesLines": {"Element": list(lines)}}
    return wrap("FbSales", element)


def inserted_order(afas: httpx.Client, state, *items: str) -> tuple[str, list[str]]:
    """An order with one line per item, inserted through the API; its number and line GUIDs."""
    seed_debtor(state, "10001")
    or_nu = created(afas.post("/connectors/FbSales", json=order([line(ItCd=i) for i in items])))[
        "OrNu"
    ]
    guids = [ln["GuLi"] for ln in state.salesorders[or_nu]["lines"]]
    assert all(GUID.fullmatch(g) for g in guids)
    return or_nu, guids


def items(state, or_nu: str) -> list[tuple[str, str]]:
    return [
        (ln["fields"]["ItCd"], ln["fields"]["QuUn"]) for ln in state.salesorders[or_nu]["lines"]
    ]


def test_a_line_without_action_or_guli_is_added_even_when_its_item_is_on_the_order(afas, state):
    or_nu, guids = inserted_order(afas, state, "1000")

    created(afas.put("/connectors/FbSales", json=order_put(or_nu, line(ItCd="1000"))), 200)
    created(
        afas.put(
            "/connectors/FbSales", json=order_put(or_nu, line(ItCd="2000", **{"@Action": "insert"}))
        ),
        200,
    )

    lines = state.salesorders[or_nu]["lines"]
    assert items(state, or_nu) == [
        ("1000", "10"),
        ("1000", "10"),
        ("2000", "10"),
    ]  # sent again: twice
    assert lines[0]["GuLi"] == guids[0] and len({ln["GuLi"] for ln in lines}) == 3
    assert all(GUID.fullmatch(ln["GuLi"]) for ln in lines)
    [row] = rows(afas, "Profit_Salesorders")
    assert row["NumberOfLines"] == 3


def test_delete_and_update_actions_name_the_line_by_guli_or_by_its_only_item_code(afas, state):
    or_nu, guids = inserted_order(afas, state, "1000", "2000", "3000")
    changes = order_put(
        or_nu,
        {"Fields": {"@Action": "delete", "GuLi": guids[0].lower()}},
        {"Fields": {"@Action": "update", "ItCd": "2000", "QuUn": "5"}},
        {"Fields": {"@Action": "delete", "VaIt": "2", "ItCd": "3000"}},
    )

    created(afas.put("/connectors/FbSales", json=changes), 200)

    assert [(ln["GuLi"], ln["fields"]["QuUn"]) for ln in state.salesorders[or_nu]["lines"]] == [
        (guids[1], "5")
    ]
    created(
        afas.put(
            "/connectors/FbSales",
            json=order_put(or_nu, {"Fields": {"GuLi": guids[1], "QuUn": "7"}}),
        ),
        200,
    )
    assert items(state, or_nu) == [("2000", "7")]  # a GuLi without an action changes that line


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"@Action": "delete", "ItCd": "1000"}, "meerdere orderregels met itemcode '1000'"),
        ({"@Action": "update", "ItCd": "9999", "QuUn": "1"}, "Orderregel niet gevonden"),
        ({"@Action": "delete", "GuLi": "{00000000-0000-0000-0000-000000000000}"}, "bestaat niet"),
        ({"@Action": "update", "QuUn": "1"}, "Orderregel niet gevonden"),
        ({"GuLi": "{00000000-0000-0000-0000-000000000000}", "QuUn": "1"}, "bestaat niet"),
    ],
)
def test_a_line_action_naming_no_single_line_is_refused_and_changes_nothing(
    afas, state, change, fragment
):
    or_nu, _ = inserted_order(afas, state, "1000", "1000")
    before = state.records()

    refused(
        afas.put("/connectors/FbSales", json=order_put(or_nu, {"Fields": change}, RfCs="x")),
        fragment,
    )

    assert state.records() == before


def test_a_line_inserted_with_a_guli_the_order_has_is_refused(afas, state) -> None:
    or_nu, guids = inserted_order(afas, state, "1000")
    again = line(ItCd="2000", GuLi=guids[0], **{"@Action": "insert"})

    refused(afas.put("/connectors/FbSales", json=order_put(or_nu, again)), "bestaat al")
    assert items(state, or_nu) == [("1000", "10")]


def test_an_order_insert_with_an_empty_list_of_lines_is_refused_even_with_soqu(afas, state):
    seed_debtor(state, "10001")

    message = refused(afas.post("/connectors/FbSales", json=order([], SoQu="OF-2024-017")))
    taken_over = created(afas.post("/connectors/FbSales", json=order(SoQu="OF-2024-017")))

    assert message == (
        "FbSalesLines bevat geen regels; laat FbSalesLines weg voor een verkooporder die een "
        "offerte (SoQu) zonder regels overneemt (FbSales.FbSalesLines)."
    )
    assert list(state.salesorders) == [taken_over["OrNu"]]
    refused(afas.post("/connectors/FbSales", json=order()), "zonder regels", "SoQu")


# --- DELETE -------------------------------------------------------------------------------------


def test_a_project_with_orders_cannot_be_deleted_until_its_orders_are(afas, state) -> None:
    seed_debtor(state, "10001")
    seed_project(state, "910004", PrGp="ALG", Ds="Advies", DbId="10001")
    seed_project(state, "910005", PrGp="ALG", Ds="Leeg", DbId="10001")
    or_nu = created(afas.post("/connectors/FbSales", json=order([line()], PrId="910004")))["OrNu"]

    blocked = afas.delete("/connectors/PtProject/PtProject/@PrId/910004")
    free = afas.delete("/connectors/PtProject/PtProject/PrId/910005")
    order_gone = afas.delete(f"/connectors/FbSales/FbSales/@OrNu/{or_nu}")
    project_gone = afas.delete("/connectors/PtProject/PtProject/PrId/910004")

    assert refused(blocked) == (
        f"Project '910004' kan niet worden verwijderd: er zijn nog verkooporders bij dit project "
        f"({or_nu})."
    )
    assert [r.status_code for r in (free, order_gone, project_gone)] == [200, 200, 200]
    assert project_gone.json() == {"results": {"PtProject": {"PrId": "910004"}}}
    assert state.projects == {} and state.salesorders == {}
    assert rows(afas, "Profit_Projects") == [] and rows(afas, "Profit_Salesorders") == []
    assert [(d["kind"], d["key"]) for d in state.deleted] == [
        ("projects", "910005"),
        ("salesorders", or_nu),
        ("projects", "910004"),
    ]
    assert state.deleted[1]["record"]["fields"]["PrId"] == "910004"  # what it held
    assert state.paths("DELETE", "FbSales") == [
        f"/ProfitRestServices/connectors/FbSales/FbSales/@OrNu/{or_nu}"
    ]
    assert len(state.paths("DELETE")) == 4  # the refused one too


@pytest.mark.parametrize(
    "path",
    [
        "/connectors/FbSales/FbSales/@OrNu/60000999",
        "/connectors/FbSales/FbSales/OrNu/60000999",
        "/connectors/PtProject/PtProject/@PrId/999",
        "/connectors/PtProject/PtProject/PrId/999",
    ],
)
def test_a_delete_of_a_record_that_does_not_exist_is_refused(afas, state, path: str) -> None:
    refused(afas.delete(path), "bestaat niet")
    assert state.deleted == []


@pytest.mark.parametrize(
    "path",
    [
        "/connectors/KnPerson/KnPerson/@BcCo/1000301",
        "/connectors/KnSalesRelationOrg/KnSalesRelationOrg/DbId/10001",
        "/connectors/KnOrganisation/KnOrganisation/BcCo/1000300",
    ],
)
def test_relations_cannot_be_deleted(afas, state, path: str) -> None:
    seed_org(state, "1000300", Nm="Jansen")
    seed_person(state, "1000301", LaNm="Jansen")
    seed_debtor(state, "10001", "1000300")

    refused(afas.delete(path), "Verwijderen is niet mogelijk")
    assert (len(state.organisations), len(state.persons), len(state.debtors)) == (1, 1, 1)


def test_received_reads_the_bodies_of_one_method(afas, state) -> None:
    seed_project(state, "910004", PrGp="ALG", Ds="Advies")
    afas.post(
        "/connectors/PtProject", json=wrap("PtProject", {"Fields": {"PrGp": "ALG", "Ds": "Nieuw"}})
    )
    afas.put(
        "/connectors/PtProject",
        json=wrap("PtProject", {"Fields": {"PrId": "910004", "Ds": "Anders"}}),
    )
    afas.delete("/connectors/PtProject/PtProject/PrId/910004")

    assert state.received("PtProject", "PUT") == [
        wrap("PtProject", {"Fields": {"PrId": "910004", "Ds": "Anders"}})
    ]
    assert [
        b["PtProject"]["Element"]["Fields"]["Ds"] for b in state.received("PtProject", "POST")
    ] == ["Nieuw"]
    assert state.received("PtProject", "DELETE") == [None]
    assert len(state.received("PtProject")) == 3


# --- The client against the sandbox: the migration loop -----------------------------------------


def client_of(box: AfasSandbox) -> AfasTarget:
    return AfasTarget.from_env({"AFAS_BASE_URL": box.base_url, "AFAS_TOKEN": box.token})


def full_order(reference: str, *items: tuple[str, str], actions: dict[str, dict] | None = None):
    lines = [
        {
            "Fields": {
                "VaIt": "2",
                "ItCd": item,
                "BiUn": "stk",
                "QuUn": quantity,
                **(actions or {}).get(item, {}),
            }
        }
        for item, quantity in items
    ]
    fields = {"DbId": "10001", "OrDa": "2024-03-04", "RfCs": reference}
    return wrap("FbSales", {"Fields": fields, "Objects": [{"FbSalesLines": {"Element": lines}}]})


def test_the_client_inserts_updates_and_deletes_an_order_in_the_sandbox(sandbox) -> None:
    sandbox.state.put("debtors", {"DbId": "10001", "BcCo": None, "fields": {}})
    client = client_of(sandbox)
    first = full_order("Inkooporder 4471", ("1000", "10"), ("2000", "5"))
    try:
        inserted = client.insert("FbSales", first)
        ids = {"OrNu": inserted.ids["OrNu"]}
        renamed = full_order("Inkooporder 4472", ("1000", "10"), ("2000", "5"))
        update = client.changes(first, renamed)
        updated = client.update("FbSales", update, ids)
        with pytest.raises(NotUpdatable):
            client.changes(renamed, full_order("Inkooporder 4472", ("1000", "12"), ("2000", "5")))
        acted = full_order(
            "Inkooporder 4472",
            ("1000", "12"),
            ("2000", "5"),
            actions={"1000": {"@Action": "update"}, "2000": {"@Action": "delete"}},
        )
        lines = client.update("FbSales", client.changes(renamed, acted), ids)
        order_now = sandbox.state.salesorders[ids["OrNu"]]
        deleted = client.delete("FbSales", ids)
        again = client.delete("FbSales", ids)
    finally:
        client.close()

    assert inserted.ok and updated.ok and lines.ok and deleted.ok
    assert update == wrap("FbSales", {"Fields": {"RfCs": "Inkooporder 4472"}})
    assert sandbox.state.received("FbSales", "PUT")[0] == wrap(
        "FbSales", {"Fields": {"OrNu": ids["OrNu"], "RfCs": "Inkooporder 4472"}}
    )
    assert order_now["fields"]["RfCs"] == "Inkooporder 4472"
    assert [(ln["fields"]["ItCd"], ln["fields"]["QuUn"]) for ln in order_now["lines"]] == [
        ("1000", "12")
    ]
    assert sandbox.state.salesorders == {}
    assert not again.ok and "bestaat niet" in str(again.error) and again.log_reference


def test_the_client_updates_a_sales_relation_and_moves_its_organisation(sandbox) -> None:
    client = client_of(sandbox)

    def relation(street: str, vat: str, begin: str | None = None) -> dict[str, Any]:
        fields = {
            "CoId": "NL",
            "PbAd": False,
            "Ad": street,
            "HmNr": "105",
            "ZpCd": "3833LC",
            "Rs": "Leusden",
            "ResZip": False,
        }
        if begin:
            fields["BeginDate"] = begin
        org = {
            "Fields": {
                "PadAdr": True,
                "AutoNum": True,
                "MatchOga": "6",
                "Nm": "Jansen",
                "CcNr": "93056589",
            },
            "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": fields}}}],
        }
        return wrap(
            "KnSalesRelationOrg",
            {
                "Fields": {"VaId": vat, "CuId": "EUR", "InPv": "E"},
                "Objects": [{"KnOrganisation": {"Element": org}}],
            },
        )

    try:
        first = relation("Haarlemseweg", "NL1")
        inserted = client.insert("KnSalesRelationOrg", first)
        ids = {k: inserted.ids[k] for k in ("DbId", "BcCo")}
        moved = relation("Nijverheidsstraat", "NL2", "2024-06-01")
        updated = client.update("KnSalesRelationOrg", client.changes(first, moved), ids)
        refused_delete = client.delete_ids("KnSalesRelationOrg")
    finally:
        client.close()

    assert inserted.ok and updated.ok, updated.error
    assert refused_delete == ()
    assert sandbox.state.debtors[ids["DbId"]]["fields"]["VaId"] == "NL2"
    history = sandbox.state.organisations[ids["BcCo"]]["objects"]["KnBasicAddressAdr"]
    assert [(a["fields"]["Ad"], a.get("until")) for a in history] == [
        ("Haarlemseweg", "2024-06-01"),
        ("Nijverheidsstraat", None),
    ]
    assert len(sandbox.state.organisations) == 1
