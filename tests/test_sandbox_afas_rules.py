"""The AFAS sandbox's own statement of Profit's rules (importer.sandbox.afas_rules), directly.

Over HTTP the same rules are tested in test_sandbox_afas.py; here each rule on its own: value
forms, shapes, the mandatory flags Profit fills itself, and that each list of exceptions names
fields the listings really have.
"""

from __future__ import annotations

from typing import Any

import pytest

from importer.sandbox import afas_rules
from importer.sandbox.afas import CONNECTORS


def relation(**organisation: Any) -> dict[str, Any]:
    fields = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": "Bakkerij De Kok"}
    return {
        "KnSalesRelationOrg": {
            "Element": {
                "@DbId": "51001",
                "Fields": {"CuId": "EUR", "InPv": "E"},
                "Objects": [
                    {"KnOrganisation": {"Element": {"Fields": {**fields, **organisation}}}}
                ],
            }
        }
    }


def problems(body: Any) -> list[tuple[str, str]]:
    return [(p.path, p.kind) for p in afas_rules.problems("KnSalesRelationOrg", body)]


def field(connector: str, objects: tuple[str, ...], name: str) -> afas_rules.Field:
    rules = afas_rules.object_rules(connector, objects)
    assert rules is not None
    return rules.fields[name]


def missing(connector: str, objects: tuple[str, ...], fields: dict[str, Any]) -> list[str]:
    rules = afas_rules.object_rules(connector, objects)
    assert rules is not None
    return [f.name for f in afas_rules.missing(rules, fields)]


# --- The listings -------------------------------------------------------------------------------


def test_every_connector_the_sandbox_serves_has_rules_compiled_once() -> None:
    assert set(CONNECTORS) <= set(afas_rules.connectors())
    for name in CONNECTORS:
        rules = afas_rules.object_rules(name)
        assert rules is not None and rules.name == name and rules.fields
        assert afas_rules.object_rules(name) is rules
    nested = afas_rules.object_rules("KnSalesRelationOrg", ("KnOrganisation", "KnBasicAddressAdr"))
    assert nested is not None and "ZpCd" in nested.fields
    assert afas_rules.object_rules("KnSalesRelationOrg", ("KnOrganisatie",)) is None
    assert afas_rules.object_rules("KnCustomK01") is None
    with pytest.raises(LookupError, match="KnCustomK01"):
        afas_rules.problems("KnCustomK01", {"KnCustomK01": {"Element": {}}})


def _flagged() -> set[tuple[str, str]]:
    """(object, field) pairs the listings flag mandatory."""
    flagged: set[tuple[str, str]] = set()

    def walk(obj: dict[str, Any]) -> None:
        for spec in obj["fields"]:
            if spec["mandatory"]:  # metainfo gives the listing's own flag
                flagged.add((obj["name"], spec["fieldId"]))
        for nested in obj["objects"]:
            walk(nested)

    for connector in afas_rules.connectors():
        info = afas_rules.metainfo(connector, connector)
        assert info is not None
        walk(info)
    return flagged


def test_each_exception_to_the_mandatory_flags_names_a_field_the_listings_have() -> None:
    flagged = _flagged()

    assert set(afas_rules.FILLED_BY_PROFIT) <= flagged
    assert set(afas_rules.UNLESS) <= flagged
    assert all(why for why in afas_rules.FILLED_BY_PROFIT.values())


# --- Values -------------------------------------------------------------------------------------

ACCEPTED = [
    ("KnOrganisation", "Nm", "x" * 255),
    ("KnOrganisation", "MatchOga", 6),  # a number for a coded text field, as text
    ("KnSalesRelationOrg", "InPv", "e"),  # allowed values in any case (AFAS's example sends "a")
    ("KnSalesRelationOrg", "VaDu", True),  # a boolean in a text field is "1"
    ("KnOrganisation", "CcDa", "2024-02-29"),
    ("KnSalesRelationOrg", "Krli", "12.5"),
    ("KnSalesRelationOrg", "Krli", ".5"),
    ("KnSalesRelationOrg", "Krli", 1250),
    ("KnSalesRelationOrg", "Krli", 12.5),
    ("KnOrganisation", "PadAdr", "FALSE"),
    ("KnOrganisation", "PadAdr", "1"),
    ("KnOrganisation", "PadAdr", 0),
    ("KnOrganisation", "Nm", ""),  # "" clears a field
    ("KnOrganisation", "Nm", None),
]
REFUSED = [
    ("KnOrganisation", "Nm", "x" * 256, "too_long"),
    ("KnOrganisation", "SeNm", 12345678901, "too_long"),  # measured as its text
    ("KnOrganisation", "MatchOga", "7", "not_allowed"),
    ("KnOrganisation", "Nm", {"nl": "x"}, "wrong_type"),
    ("KnOrganisation", "CcDa", "2023-02-29", "wrong_type"),
    ("KnOrganisation", "CcDa", "29-02-2024", "wrong_type"),
    ("KnOrganisation", "CcDa", 20240229, "wrong_type"),
    ("KnSalesRelationOrg", "Krli", "12,5", "wrong_type"),  # decimals with a dot
    ("KnSalesRelationOrg", "Krli", "1e3", "wrong_type"),
    ("KnSalesRelationOrg", "Krli", float("inf"), "wrong_type"),
    ("KnSalesRelationOrg", "Krli", True, "wrong_type"),
    ("KnOrganisation", "PadAdr", "ja", "wrong_type"),
    ("KnOrganisation", "PadAdr", 2, "wrong_type"),
]


@pytest.mark.parametrize(("owner", "name", "value"), ACCEPTED)
def test_values_profit_takes(owner: str, name: str, value: Any) -> None:
    objects = () if owner == "KnSalesRelationOrg" else ("KnOrganisation",)
    assert field("KnSalesRelationOrg", objects, name).fault(value) is None


@pytest.mark.parametrize(("owner", "name", "value", "kind"), REFUSED)
def test_values_profit_refuses(owner: str, name: str, value: Any, kind: str) -> None:
    objects = () if owner == "KnSalesRelationOrg" else ("KnOrganisation",)
    assert field("KnSalesRelationOrg", objects, name).fault(value) == kind


def test_integers_and_times() -> None:
    prof, start_time = field("PtProject", (), "Prof"), field("PtProject", (), "StTm")

    assert [prof.fault(v) for v in (-147, "-147", "+3", "36.0", 36.0, "١٢")] == [
        None,
        None,
        None,
        "wrong_type",
        "wrong_type",
        "wrong_type",
    ]
    assert start_time.fault("00:08:00") is None  # a date-time field, as AFAS's examples fill it


# --- Shapes -------------------------------------------------------------------------------------


def test_a_valid_body_has_no_problems_and_is_not_changed() -> None:
    body = relation()
    before = repr(body)

    assert problems(body) == []
    assert repr(body) == before


def test_a_person_s_employee_code_is_taken() -> None:
    # seed 003 documents EmId (medewerkercode); the field listing leaves it out
    body = {"KnPerson": {"Element": {"Fields": {"LaNm": "Jansen", "EmId": "JANSENJ"}}}}
    assert afas_rules.problems("KnPerson", body) == []
    body["KnPerson"]["Element"]["Fields"]["EmId"] = "J" * 16
    assert [(p.path, p.kind) for p in afas_rules.problems("KnPerson", body)] == [
        ("KnPerson.EmId", "too_long")
    ]


def test_unknown_fields_and_objects_custom_fields_and_actions() -> None:
    body = relation(Foo="x", UC2DE284248374B083C966F9B4EEEE9E2="vrij", UC2DE2842="bijna")
    element = body["KnSalesRelationOrg"]["Element"]
    element["Fields"]["@Action"] = "Update"
    element["Objects"].append({"KnOrganisatie": {"Element": {}}})
    element["Objects"][0]["KnOrganisation"]["Element"]["Fields"]["@Action"] = "wijzig"

    assert problems(body) == [
        ("KnSalesRelationOrg.KnOrganisation.Foo", "unknown_field"),
        ("KnSalesRelationOrg.KnOrganisation.UC2DE2842", "unknown_field"),
        ("KnSalesRelationOrg.KnOrganisation.@Action", "action"),
        ("KnSalesRelationOrg.KnOrganisatie", "unknown_object"),
    ]


def test_keys_as_attributes_are_checked_as_their_field() -> None:
    body = relation()
    body["KnSalesRelationOrg"]["Element"]["@DbId"] = "1" * 17
    body["KnSalesRelationOrg"]["Element"]["@Onbekend"] = "x"  # other attributes pass

    assert problems(body) == [("KnSalesRelationOrg.@DbId", "too_long")]


def test_element_lists_and_objects_in_both_shapes_name_list_items_by_index() -> None:
    body = relation()
    element = body["KnSalesRelationOrg"]["Element"]
    organisation = element["Objects"][0]["KnOrganisation"]["Element"]
    address = {"Fields": {"CoId": "NL", "PbAd": False, "ZpCd": "x" * 16}}
    organisation["Objects"] = {"KnBasicAddressAdr": {"Element": [address, address]}}
    body["KnSalesRelationOrg"]["Element"] = [element, {"Fields": {"CuId": "EURO"}}]

    assert problems(body) == [
        ("KnSalesRelationOrg[0].KnOrganisation.KnBasicAddressAdr[0].ZpCd", "too_long"),
        ("KnSalesRelationOrg[0].KnOrganisation.KnBasicAddressAdr[1].ZpCd", "too_long"),
        ("KnSalesRelationOrg[1].CuId", "too_long"),
    ]


def test_malformed_bodies_are_problems_in_dutch_not_exceptions() -> None:
    bodies: list[Any] = [
        [],
        {"KnSalesRelationOrg": {"Element": "x"}, "Extra": 1},
        {"KnSalesRelationOrg": {"Elements": {}}},
        {"KnSalesRelationOrg": {"Element": {"Fields": "", "Objects": [1], "Velden": {}}}},
        {"KnSalesRelationOrg": {"Element": {"Objects": "KnOrganisation"}}},
    ]

    assert [[p.text() for p in afas_rules.problems("KnSalesRelationOrg", b)] for b in bodies] == [
        [
            "Ongeldig bericht (KnSalesRelationOrg): verwacht een object met de sleutel "
            "'KnSalesRelationOrg'."
        ],
        [
            "Ongeldig bericht (Extra): onverwachte sleutel 'Extra' naast 'KnSalesRelationOrg'.",
            "Ongeldig bericht (KnSalesRelationOrg): Element van KnSalesRelationOrg moet een "
            "object zijn, geen tekst.",
        ],
        ["Ongeldig bericht (KnSalesRelationOrg): KnSalesRelationOrg moet 'Element' bevatten."],
        [
            "Ongeldig bericht (KnSalesRelationOrg.Objects[0]): een Objects-item moet een object "
            "zijn, geen getal.",
            "Ongeldig bericht (KnSalesRelationOrg.Velden): onverwachte sleutel 'Velden' in "
            "Element (verwacht: @attributen, Fields, Objects).",
        ],
        [
            "Ongeldig bericht (KnSalesRelationOrg.Objects): Objects moet een lijst of een "
            "object zijn, geen tekst."
        ],
    ]


def test_messages_name_the_field_the_value_and_the_path() -> None:
    body = relation(SeNm="ABCDEFGHIJK", MatchOga="7", CcDa="1-2-2024", Foo=1)
    body["KnSalesRelationOrg"]["Element"]["Fields"]["@Action"] = "wijzig"

    assert [p.text() for p in afas_rules.problems("KnSalesRelationOrg", body)] == [
        "@Action: de waarde 'wijzig' is niet toegestaan (toegestaan: insert, update, delete) "
        "(KnSalesRelationOrg.@Action).",
        "Organisatie vergelijken op (MatchOga): de waarde '7' is niet toegestaan (toegestaan: "
        "0, 1, 2, 3, 4, 5, 6, 9) (KnSalesRelationOrg.KnOrganisation.MatchOga).",
        "Search name (SeNm): de waarde is 11 tekens lang, maximaal 10 toegestaan "
        "(KnSalesRelationOrg.KnOrganisation.SeNm).",
        "CoC date (CcDa): de waarde '1-2-2024' is geen datum in de vorm JJJJ-MM-DD "
        "(KnSalesRelationOrg.KnOrganisation.CcDa).",
        "Het veld 'Foo' bestaat niet in KnOrganisation (KnSalesRelationOrg.KnOrganisation.Foo).",
    ]


# --- Mandatory fields ---------------------------------------------------------------------------


def test_mandatory_flags_profit_fills_itself_are_not_demanded() -> None:
    assert missing("KnSalesRelationOrg", (), {}) == ["CuId"]  # CdDa: Profit fills it
    assert missing("PtProject", (), {}) == ["PrGp"]  # PtPrpTyEj: Profit fills it
    address = ("KnOrganisation", "KnBasicAddressAdr")
    assert missing("KnSalesRelationOrg", address, {}) == ["CoId", "PbAd", "ResZip"]


def test_bcco_is_demanded_unless_autonumbered_and_a_last_name_is_not() -> None:
    organisation, person = ("KnOrganisation",), ("KnPerson",)
    base = {"PadAdr": True, "MatchOga": "6", "Nm": "Kok"}

    for autonum in (True, "true", "1", 1):
        assert missing("KnSalesRelationOrg", organisation, {**base, "AutoNum": autonum}) == []
    assert missing("KnSalesRelationOrg", organisation, {**base, "AutoNum": False}) == ["BcCo"]
    assert missing("KnSalesRelationOrg", organisation, {**base, "AutoNum": "0", "BcCo": ""}) == [
        "BcCo"
    ]
    # LaNm: the listing does not flag it; AFAS's example 'match BcCo' inserts a person without
    assert missing("KnSalesRelationPer", person, {"AutoNum": True, "MatchPer": "7"}) == []


def test_text_lines_need_no_unit_and_updates_need_only_their_keys() -> None:
    lines = ("FbSalesLines",)

    assert missing("FbSales", lines, {"VaIt": "3", "ItCd": "T", "QuUn": "1"}) == []
    assert missing("FbSales", lines, {"VaIt": "2", "ItCd": "1000", "QuUn": "1"}) == ["BiUn"]
    assert missing("FbSales", lines, {"@Action": "update", "GuLi": "{0A}"}) == []
    assert missing("FbSales", lines, {"@Action": "Delete"}) == []


# --- Metainfo -----------------------------------------------------------------------------------


def test_metainfo_covers_every_object_and_field_of_the_listing() -> None:
    info = afas_rules.metainfo("FbSales", "Verkooporder")
    assert info is not None

    def count(obj: dict[str, Any]) -> tuple[int, int]:
        inner = [count(nested) for nested in obj["objects"]]
        return len(obj["fields"]) + sum(f for f, _ in inner), 1 + sum(o for _, o in inner)

    assert count(info) == (67 + 44 + 10 + 7 + 19 + 12 + 8, 7)
    assert afas_rules.metainfo("KnCustomK01", "Maatwerk") is None
