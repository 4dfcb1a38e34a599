"""Tests for importer.catalog: the shipped AFAS catalogs and the body checks built on them.

The fixture bodies are written here, modelled on AFAS's published example bodies; nothing is read
from outside the repository.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from importer.contract import Violation
from importer.messages import Message
from importer.targets.afas import catalog
from importer.targets.afas.contract.mandatory import missing_mandatory
from importer.targets.afas.contract.walk import check_body as _check_body


def check_body(connector: str, body: Any) -> list[Violation]:
    """The violations, each with its message in English (as the tests state them)."""
    found = _check_body(connector, body)
    return [dataclasses.replace(v, message=str(v.message)) for v in found]


SHIPPED = {
    "FbSales",
    "KnOrganisation",
    "KnPerson",
    "KnSalesRelationOrg",
    "KnSalesRelationPer",
    "PtProject",
}


def address(**extra: Any) -> dict[str, Any]:
    fields = {
        "CoId": "NL",
        "PbAd": False,
        "Ad": "Haarlemseweg",
        "HmNr": "105",
        "ZpCd": "3833LC",
        "Rs": "Leusden",
        "ResZip": False,
    }
    return {"Element": {"Fields": {**fields, **extra}}}


def organisation(objects: Any = None, **extra: Any) -> dict[str, Any]:
    fields = {
        "PadAdr": True,
        "AutoNum": True,
        "MatchOga": "6",
        "SeNm": "ZOEKNAAM",
        "Nm": "Jansen",
        "CcNr": "93056589",
        "CcDa": "2024-03-01",
    }
    element: dict[str, Any] = {"Fields": {**fields, **extra}}
    if objects is not None:
        element["Objects"] = objects
    return {"Element": element}


def sales_relation(org: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    org = org if org is not None else organisation([{"KnBasicAddressAdr": address()}])
    fields = {"VaId": "111234567B01", "CuId": "EUR", "InPv": "E", **extra}
    return {
        "KnSalesRelationOrg": {
            "Element": {"@DbId": "49339", "Fields": fields, "Objects": [{"KnOrganisation": org}]}
        }
    }


def sales_order(*lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    fields = {"OrDa": "2024-02-16", "DbId": "10001", "Unit": 1, "War": "01", **extra}
    elements = [{"Fields": line} for line in lines]
    return {
        "FbSales": {
            "Element": {"Fields": fields, "Objects": [{"FbSalesLines": {"Element": elements}}]}
        }
    }


def article(**extra: Any) -> dict[str, Any]:
    return {"VaIt": "2", "ItCd": "1006", "BiUn": "stk", "QuUn": "1", "Upri": "261.72", **extra}


def messages(violations: list[Violation]) -> list[str]:
    return [str(v.message) for v in violations]


# The two bodies of the user's seed note, verbatim.
SEED_SALES_RELATION: dict[str, Any] = {
    "KnSalesRelationOrg": {
        "Element": {
            "@DbId": "49339",
            "Fields": {"VaId": "111234567B01", "CuId": "EUR", "InPv": "E"},
            "Objects": [
                {
                    "KnOrganisation": {
                        "Element": {
                            "Fields": {
                                "PadAdr": True,
                                "AutoNum": True,
                                "MatchOga": "6",
                                "SeNm": "ZOEKNAAM",
                                "Nm": "Jansen",
                                "CcNr": "93056589",
                                "CcDa": "2024-03-01",
                                "NmRg": "Jansen Personeel B.V.",
                                "HoPa": "www.jansen.test",
                            },
                            "Objects": [
                                {
                                    "KnBasicAddressAdr": {
                                        "Element": {
                                            "Fields": {
                                                "CoId": "NL",
                                                "PbAd": False,
                                                "Ad": "Haarlemseweg",
                                                "HmNr": "105",
                                                "ZpCd": "3833LC",
                                                "Rs": "Leusden",
                                                "ResZip": False,
                                            }
                                        }
                                    }
                                }
                            ],
                        }
                    }
                }
            ],
        }
    }
}

SEED_PROJECT: dict[str, Any] = {
    "PtProject": {
        "Element": {
            "Fields": {
                "PrGp": "ALG",
                "Prof": -147,
                "Ds": "Klantovereenkomst via UpdateConnector",
                "DbId": "80418",
                "VbCo": "ALG",
                "PrTy": "1",
                "CmId": "01",
                "VaCc": "0",
                "RpDe": "CB285CD24020D26A3077FBAC1A0F86B2",
                "PsId": 2,
                "HrWe": 36,
                "ViTo": "1M",
                "ToTe": 1,
                "ToTp": "W",
                "ExTe": 1,
                "ExTp": "W",
                "ClId": "Basis",
                "NPDe": "0",
                "CrMe": "2",
                "IsId": 2,
                "MeOw": "0",
            }
        }
    }
}


# --- Shipped catalogs ---------------------------------------------------------------------------


def test_every_shipped_catalog_loads() -> None:
    assert set(catalog.connectors()) == SHIPPED
    for name in catalog.connectors():
        document = catalog.describe(name)
        assert document["connector"] == name
        assert document["object"]["name"] == name
        assert document["object"]["fields"], name
        assert catalog.metainfo(name)["name"] == name


def test_catalog_holds_nested_objects_with_their_fields() -> None:
    root = catalog.describe("KnSalesRelationOrg")["object"]
    org = root["objects"]["KnOrganisation"]
    assert list(org["objects"]) == [
        "KnBankAccount",
        "KnBasicAddressAdr",
        "KnBasicAddressPad",
        "KnContact",
    ]
    person = org["objects"]["KnContact"]["objects"]["KnPerson"]
    # listed by name only under KnPerson in the listing; completed by the generator
    assert "Iban" in person["objects"]["KnBankAccount"]["fields"]
    assert root["fields"]["CuId"] == {
        "type": "string",
        "length": 3,
        "format": None,
        "values": None,
        "mandatory": True,
        "description": "Currency",
    }
    assert {"id": "E", "description": "E-mail PDF"} in root["fields"]["InPv"]["values"]


def test_a_person_knows_the_employee_code_of_afas_s_notes() -> None:
    # seed 003: "Medewerkercode. Veld: EmId." The field listing leaves it out; the generator adds
    # it to every KnPerson, wherever it is nested.
    person = {"KnPerson": {"Element": {"Fields": {"AutoNum": True, "LaNm": "Jansen"}}}}
    person["KnPerson"]["Element"]["Fields"]["EmId"] = "JANSENJ"
    assert check_body("KnPerson", person) == []
    long = copy.deepcopy(person)
    long["KnPerson"]["Element"]["Fields"]["EmId"] = "J" * 16
    assert [v.path for v in check_body("KnPerson", long)] == ["KnPerson.EmId"]
    nested = catalog.fields("KnOrganisation", "KnContact.KnPerson")
    assert nested["EmId"]["length"] == 15


def test_fields_accessor_follows_a_dotted_path() -> None:
    fields = catalog.fields("KnSalesRelationOrg", "KnOrganisation.KnBasicAddressAdr")
    assert fields["Ad"]["length"] == 60
    assert fields["HmNr"]["type"] == "integer"
    with pytest.raises(KeyError):
        catalog.fields("KnSalesRelationOrg", "KnOrganisation.KnNothing")


def test_unknown_connector_is_refused() -> None:
    with pytest.raises(catalog.UnknownConnectorError):
        check_body("KnNothing", {"KnNothing": {"Element": {}}})
    with pytest.raises(catalog.UnknownConnectorError):
        catalog.describe("../KnSalesRelationOrg")


def test_metainfo_is_shaped_like_afas_reply() -> None:
    info = catalog.metainfo("KnSalesRelationOrg")
    assert set(info) == {"name", "description", "fields", "objects"}
    by_id = {f["id"]: f for f in info["fields"]}
    assert by_id["DbId"]["primaryKey"] is True
    assert by_id["CuId"] | {} == {
        "id": "CuId",
        "fieldId": "CuId",
        "primaryKey": False,
        "dataType": "string",
        "label": "Currency",
        "mandatory": True,
        "length": 3,
        "notzero": False,
        "values": None,
    }
    assert by_id["CsDa"]["dataType"] == "date"
    assert by_id["PrLi"]["dataType"] == "decimal"
    assert by_id["InPv"]["values"][0] == {"id": "A", "description": "Afdrukken"}
    assert [o["name"] for o in info["objects"]] == ["KnOrganisation"]
    nested = [o["name"] for o in info["objects"][0]["objects"]]
    assert nested == ["KnBankAccount", "KnBasicAddressAdr", "KnBasicAddressPad", "KnContact"]


# --- Valid bodies -------------------------------------------------------------------------------


def test_valid_sales_relation_with_organisation_and_address_passes() -> None:
    body = sales_relation()
    assert check_body("KnSalesRelationOrg", body) == []
    assert missing_mandatory("KnSalesRelationOrg", body) == []


def test_seed_bodies_pass() -> None:
    for name, body in (("KnSalesRelationOrg", SEED_SALES_RELATION), ("PtProject", SEED_PROJECT)):
        assert check_body(name, body) == []
        assert missing_mandatory(name, body) == []


def test_objects_as_one_object_with_several_keys_is_walked() -> None:
    objects = {
        "KnBankAccount": {"Element": {"Fields": {"CoId": "NL", "IbCk": "false", "Iban": "NL97"}}},
        "KnBasicAddressAdr": address(),
        "KnBasicAddressPad": address(Ad="x" * 61),
    }
    body = sales_relation(organisation(objects))
    assert check_body("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.KnOrganisation.KnBasicAddressPad.Ad",
            field="Ad",
            value="x" * 61,
            message="KnBasicAddressPad.Ad is 61 characters, AFAS allows 60",
            kind="too_long",
        )
    ]


def test_objects_as_list_of_one_key_objects_is_walked() -> None:
    objects = [{"KnBasicAddressAdr": address()}, {"KnBasicAddressPad": address(PbAd="maybe")}]
    body = sales_relation(organisation(objects))
    violations = check_body("KnSalesRelationOrg", body)
    assert [v.path for v in violations] == [
        "KnSalesRelationOrg.KnOrganisation.KnBasicAddressPad.PbAd"
    ]


def test_element_as_list_is_walked_with_indexed_paths() -> None:
    body = sales_order(article(), article(QuUn="1,5"))
    assert check_body("FbSales", body) == [
        Violation(
            path="FbSales.FbSalesLines[1].QuUn",
            field="QuUn",
            value="1,5",
            message="FbSalesLines.QuUn is '1,5', AFAS expects a number "
            "(decimal point, no thousands separator)",
            kind="wrong_type",
        )
    ]


def test_root_element_as_list_is_walked() -> None:
    first = sales_relation()["KnSalesRelationOrg"]["Element"]
    second = sales_relation(InPv="Z")["KnSalesRelationOrg"]["Element"]
    body = {"KnSalesRelationOrg": {"Element": [first, second]}}
    assert [v.path for v in check_body("KnSalesRelationOrg", body)] == [
        "KnSalesRelationOrg[1].InPv"
    ]


# --- Each kind of violation ---------------------------------------------------------------------


def test_string_longer_than_the_field_allows() -> None:
    body = sales_relation(organisation(Nm="x" * 301))
    assert check_body("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.KnOrganisation.Nm",
            field="Nm",
            value="x" * 301,
            message="KnOrganisation.Nm is 301 characters, AFAS allows 255",
            kind="too_long",
        )
    ]


def test_value_outside_the_allowed_values() -> None:
    body = sales_relation(InPv="Z")
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnSalesRelationOrg.InPv is 'Z'; allowed: A, B, C, D, E, F, M, O, P, Q, R, S, U, V, X, Y"
    ]


def test_allowed_values_match_case_insensitively_and_numbers_as_text() -> None:
    assert check_body("KnSalesRelationOrg", sales_relation(InPv="e")) == []
    assert check_body("FbSales", sales_order(article(VaIt=2))) == []


def test_long_value_lists_are_shortened_in_messages() -> None:
    person = {"Element": {"Fields": {"MatchPer": "7", "LaNm": "Jansen", "PsNa": "XX"}}}
    body = {"KnSalesRelationPer": {"Element": {"Fields": {"CuId": "EUR"}, "Objects": {}}}}
    body["KnSalesRelationPer"]["Element"]["Objects"] = {"KnPerson": person}
    [message] = messages(check_body("KnSalesRelationPer", body))
    assert message.startswith("KnPerson.PsNa is 'XX'; allowed: 000, NL, DZ,")
    assert message.endswith("more)")


def test_unknown_field_with_suggestion() -> None:
    body = sales_relation(organisation(Nmm="Jansen"))
    assert check_body("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.KnOrganisation.Nmm",
            field="Nmm",
            value="Jansen",
            message="KnOrganisation has no field 'Nmm'; did you mean 'Nm'?",
            kind="unknown_field",
        )
    ]


def test_unknown_field_differing_in_case_and_without_any_match() -> None:
    body = sales_relation(cuid="EUR", Zzzzzzz="1")
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnSalesRelationOrg has no field 'cuid'; did you mean 'CuId'?",
        "KnSalesRelationOrg has no field 'Zzzzzzz'",
    ]


def test_unknown_object_with_suggestion_or_list() -> None:
    body = sales_relation(organisation([{"KnBasicAdresAdr": address()}, {"KnFoo": address()}]))
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnOrganisation has no object 'KnBasicAdresAdr'; did you mean 'KnBasicAddressAdr'?",
        "KnOrganisation has no object 'KnFoo'; it takes: KnBankAccount, KnBasicAddressAdr, "
        "KnBasicAddressPad, KnContact",
    ]
    [first, _] = check_body("KnSalesRelationOrg", body)
    assert (first.path, first.field, first.kind) == (
        "KnSalesRelationOrg.KnOrganisation.KnBasicAdresAdr",
        "KnBasicAdresAdr",
        "unknown_object",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("DsId", "abc", "KnSalesRelationOrg.DsId is 'abc', AFAS expects an integer"),
        ("DsId", "12.5", "KnSalesRelationOrg.DsId is '12.5', AFAS expects an integer"),
        ("DsId", 36.0, "KnSalesRelationOrg.DsId is 36.0, AFAS expects an integer"),
        ("DsId", True, "KnSalesRelationOrg.DsId is True, AFAS expects an integer"),
        (
            "PrLi",
            "12,5",
            "KnSalesRelationOrg.PrLi is '12,5', AFAS expects a number "
            "(decimal point, no thousands separator)",
        ),
        (
            "PrLi",
            "1.000.00",
            "KnSalesRelationOrg.PrLi is '1.000.00', AFAS expects a number "
            "(decimal point, no thousands separator)",
        ),
        (
            "IsDb",
            "yes",
            "KnSalesRelationOrg.IsDb is 'yes', AFAS expects a boolean (true/false or 1/0)",
        ),
        ("IsDb", 2, "KnSalesRelationOrg.IsDb is 2, AFAS expects a boolean (true/false or 1/0)"),
        (
            "CsDa",
            "01-03-2024",
            "KnSalesRelationOrg.CsDa is '01-03-2024', AFAS expects a date as YYYY-MM-DD",
        ),
        (
            "CsDa",
            "2023-02-29",
            "KnSalesRelationOrg.CsDa is '2023-02-29', AFAS expects a date as YYYY-MM-DD",
        ),
        (
            "CsDa",
            "2024-03-01T00:00:00",
            "KnSalesRelationOrg.CsDa is '2024-03-01T00:00:00', AFAS expects a date as YYYY-MM-DD",
        ),
        ("VaId", {"a": 1}, "KnSalesRelationOrg.VaId is a dict, AFAS expects a string"),
    ],
)
def test_wrong_types(field: str, value: Any, message: str) -> None:
    [violation] = check_body("KnSalesRelationOrg", sales_relation(**{field: value}))
    assert (violation.path, violation.field, violation.value) == (
        f"KnSalesRelationOrg.{field}",
        field,
        value,
    )
    assert str(violation.message) == message
    assert violation.kind == "wrong_type"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("DsId", "36"),
        ("DsId", 36),
        ("DsId", "-147"),
        ("PrLi", "12.5"),
        ("PrLi", 12.5),
        ("PrLi", "-10"),
        ("PrLi", 7),
        ("IsDb", True),
        ("IsDb", "true"),
        ("IsDb", "false"),
        ("IsDb", "1"),
        ("IsDb", "0"),
        ("IsDb", 1),
        ("IsDb", 0),
        ("CsDa", "2024-02-29"),
        ("CsDa", ""),
        ("CsDa", None),
        ("VaDu", True),  # AFAS's own example sends a boolean in this 3-character field
    ],
)
def test_values_afas_accepts(field: str, value: Any) -> None:
    assert check_body("KnSalesRelationOrg", sales_relation(**{field: value})) == []


def test_attributes_are_checked_as_the_field_of_the_same_name() -> None:
    body = sales_relation()
    element = body["KnSalesRelationOrg"]["Element"]
    element["@DbId"] = "1" * 17
    element["@Whatever"] = "anything"
    assert check_body("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.@DbId",
            field="@DbId",
            value="1" * 17,
            message="KnSalesRelationOrg.@DbId is 17 characters, AFAS allows 16",
            kind="too_long",
        )
    ]


def test_action_inside_fields() -> None:
    assert check_body("KnSalesRelationOrg", sales_relation(**{"@Action": "update"})) == []
    body = sales_relation(**{"@Action": "upsert"})
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnSalesRelationOrg.@Action is 'upsert'; allowed: insert, update, delete"
    ]


def test_custom_fields_pass_but_lookalikes_do_not() -> None:
    custom = "UC2DE284248374B083C966F9B4EEEE9E2"
    assert check_body("KnSalesRelationOrg", sales_relation(**{custom: "333"})) == []
    body = sales_relation(U001="333")
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnSalesRelationOrg has no field 'U001'"
    ]


def test_malformed_bodies_are_reported_not_raised() -> None:
    assert [v.kind for v in check_body("KnSalesRelationOrg", {"Other": {}})] == ["malformed"]
    body = {"KnSalesRelationOrg": {"Element": "x"}, "Extra": 1}
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "body has key 'Extra' next to 'KnSalesRelationOrg'",
        "KnSalesRelationOrg.Element must be an object, not str",
    ]
    body = {"KnSalesRelationOrg": {"Element": {"Fields": [], "Objects": 3, "Field": {}}}}
    assert messages(check_body("KnSalesRelationOrg", body)) == [
        "KnSalesRelationOrg.Fields must be an object, not list",
        "KnSalesRelationOrg.Objects must be a list or an object, not int",
        "KnSalesRelationOrg.Element has unexpected key 'Field' (expected @attributes, Fields, "
        "Objects)",
    ]
    assert (
        check_body("KnSalesRelationOrg", {"KnSalesRelationOrg": {"Element": {"Fields": ""}}}) == []
    )


def test_checking_does_not_change_the_body() -> None:
    body = sales_relation(organisation(Nm="x" * 301))
    before = copy.deepcopy(body)
    check_body("KnSalesRelationOrg", body)
    missing_mandatory("KnSalesRelationOrg", body)
    assert body == before


# --- Mandatory fields ---------------------------------------------------------------------------


def test_missing_mandatory_field_is_reported() -> None:
    body = sales_relation()
    del body["KnSalesRelationOrg"]["Element"]["Fields"]["CuId"]
    assert check_body("KnSalesRelationOrg", body) == []
    assert missing_mandatory("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.CuId",
            field="CuId",
            value=None,
            message=Message("afas.missing", field="KnSalesRelationOrg.CuId"),
            kind="missing",
        )
    ]
    assert str(missing_mandatory("KnSalesRelationOrg", body)[0]) == (
        "KnSalesRelationOrg.CuId is mandatory and missing"
    )


def test_empty_value_counts_as_missing() -> None:
    body = sales_relation(organisation([{"KnBasicAddressAdr": address(CoId="")}]))
    assert [v.path for v in missing_mandatory("KnSalesRelationOrg", body)] == [
        "KnSalesRelationOrg.KnOrganisation.KnBasicAddressAdr.CoId"
    ]


def test_bcco_is_demanded_only_without_autonumbering() -> None:
    numbered = sales_relation(organisation(AutoNum="1"))
    assert missing_mandatory("KnSalesRelationOrg", numbered) == []
    manual = sales_relation(organisation(AutoNum=False))
    assert messages(missing_mandatory("KnSalesRelationOrg", manual)) == [
        "KnOrganisation.BcCo is mandatory and missing"
    ]


def test_linking_an_existing_organisation_needs_only_matchoga_and_bcco() -> None:
    linked = {"Element": {"Fields": {"MatchOga": "0", "BcCo": "1000002"}}}
    assert missing_mandatory("KnSalesRelationOrg", sales_relation(linked)) == []
    new = {"Element": {"Fields": {"MatchOga": "6", "AutoNum": True}}}
    assert messages(missing_mandatory("KnSalesRelationOrg", sales_relation(new))) == [
        "KnOrganisation.PadAdr is mandatory and missing",
        "KnOrganisation.Nm is mandatory and missing",
    ]


def test_text_lines_need_no_unit_but_article_lines_do() -> None:
    text = {"VaIt": "3", "ItCd": "T", "Ds": "tekstregel", "QuUn": "1"}
    assert missing_mandatory("FbSales", sales_order(text)) == []
    no_unit = article()
    del no_unit["BiUn"]
    assert [v.path for v in missing_mandatory("FbSales", sales_order(text, no_unit))] == [
        "FbSales.FbSalesLines[1].BiUn"
    ]


def test_update_action_and_existing_root_are_not_inserts() -> None:
    body = sales_relation()
    del body["KnSalesRelationOrg"]["Element"]["Fields"]["CuId"]
    body["KnSalesRelationOrg"]["Element"]["Fields"]["@Action"] = "update"
    assert missing_mandatory("KnSalesRelationOrg", body) == []
    lines = {"FbSales": {"Element": {"Fields": {"OrNu": "60005490"}, "Objects": []}}}
    lines["FbSales"]["Element"]["Objects"] = [{"FbSalesLines": {"Element": {"Fields": article()}}}]
    assert messages(missing_mandatory("FbSales", lines)) == [
        "FbSales.DbId is mandatory and missing"
    ]
    assert missing_mandatory("FbSales", lines, existing=True) == []
    del lines["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"]["Fields"]["ItCd"]
    assert messages(missing_mandatory("FbSales", lines, existing=True)) == [
        "FbSalesLines.ItCd is mandatory and missing"
    ]


def test_allow_list_names_real_mandatory_flags() -> None:
    """Every waived or allowed field must be marked mandatory somewhere, or the list is stale."""
    flagged: set[tuple[str, str]] = set()

    def collect(obj: dict[str, Any]) -> None:
        for name, spec in obj["fields"].items():
            if spec["mandatory"]:
                flagged.add((obj["name"], name))
        for nested in obj["objects"].values():
            collect(nested)

    for name in catalog.connectors():
        collect(catalog.describe(name)["object"])
    assert set(catalog.NOT_DEMANDED) <= flagged
    assert set(catalog.WAIVED_WHEN) <= flagged
    assert ("KnSalesRelationOrg", "CdDa") in catalog.NOT_DEMANDED
    assert ("PtProject", "PtPrpTyEj") in catalog.NOT_DEMANDED
