"""Tests for ``importer.targets.afas.catalog.Contract.violations``: what a body is refused for, in which order.

``Contract.violations`` is ``check_body`` followed by ``missing_mandatory`` (and, for an order,
``order_problems``), computed for every
body the planner renders; these tests pin its results on bodies like the ones an import renders
(nested objects, lists of elements) and compare it with the two public checks, one changed value
or shape at a time, so that a shortcut for valid bodies cannot pass something the full checks
refuse.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from importer.contract import Violation
from importer.targets.afas import catalog
from importer.targets.afas import contract as afas_contract
from importer.targets.afas.contract import Contract
from importer.targets.afas.contract.mandatory import missing_mandatory
from importer.targets.afas.contract.update_rules import order_problems
from importer.targets.afas.contract.walk import check_body


def relation() -> dict[str, Any]:
    """A KnSalesRelationOrg insert as the bench mapping renders it, with a contact person too."""
    address = {
        "CoId": "NL",
        "PbAd": False,
        "Ad": "Parallelweg",
        "HmNr": "62",
        "ZpCd": "6229NF",
        "Rs": "Groningen",
        "ResZip": False,
    }
    person = {
        "Element": {
            "Fields": {"PadAdr": False, "AutoNum": True, "MatchPer": "7", "LaNm": "Jansen"},
            "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": dict(address)}}}],
        }
    }
    contact = {"Element": {"Fields": {"PadAdr": False}, "Objects": {"KnPerson": person}}}
    organisation = {
        "Element": {
            "Fields": {
                "PadAdr": True,
                "AutoNum": True,
                "MatchOga": "6",
                "Nm": "Adviesbureau Jacobs V.O.F.",
                "CcNr": "41939071",
                "CcDa": "1996-01-16",
                "EmAd": "info@jacobs100001.nl",
            },
            "Objects": [
                {"KnBasicAddressAdr": {"Element": {"Fields": address}}},
                {
                    "KnBankAccount": {
                        "Element": {
                            "Fields": {"CoId": "NL", "Iban": "NL38ABNA0656158995", "IbCk": True}
                        }
                    }
                },
                {"KnContact": contact},
            ],
        }
    }
    return {
        "KnSalesRelationOrg": {
            "Element": {
                "@DbId": "100001",
                "Fields": {"VaId": "NL147673598B01", "CuId": "EUR", "InPv": "E", "Krli": 125000.5},
                "Objects": [{"KnOrganisation": organisation}],
            }
        }
    }


def order() -> dict[str, Any]:
    """An FbSales insert with two lines: the element of FbSalesLines is a list."""
    line = {"VaIt": "2", "ItCd": "1006", "BiUn": "stk", "QuUn": "1", "Upri": "261.72"}
    text = {"VaIt": "3", "ItCd": "T", "Ds": "tekstregel", "QuUn": 1}
    return {
        "FbSales": {
            "Element": {
                "Fields": {"OrDa": "2024-02-16", "DbId": "10001", "Unit": 1, "War": "01"},
                "Objects": [{"FbSalesLines": {"Element": [{"Fields": line}, {"Fields": text}]}}],
            }
        }
    }


def project() -> dict[str, Any]:
    fields = {"PrGp": "ALG", "Prof": -147, "DbId": "80418", "PrTy": "1", "HrWe": 36.5, "ToTe": 1}
    return {"PtProject": {"Element": {"Fields": fields}}}


VALID = {"KnSalesRelationOrg": relation, "FbSales": order, "PtProject": project}


def reference(connector: str, body: Any) -> list[Violation]:
    """What ``Contract.violations`` must give: the full checks, one after the other."""
    orders = order_problems(connector, catalog._compiled(connector), body)
    return check_body(connector, body) + missing_mandatory(connector, body) + orders


def violations(connector: str, body: Any) -> list[Violation]:
    """The violations, each with its message in English (as the tests state them)."""
    contract = Contract.shipped(connector)
    assert contract is not None
    return [dataclasses.replace(v, message=str(v.message)) for v in contract.violations(body)]


# --- Explicit results ---------------------------------------------------------------------------


@pytest.mark.parametrize("connector", sorted(VALID))
def test_valid_bodies_have_no_violations(connector: str) -> None:
    assert violations(connector, VALID[connector]()) == []


def test_a_valid_body_is_not_changed() -> None:
    body = relation()
    violations("KnSalesRelationOrg", body)
    assert body == relation()


def organisation_fields(body: dict[str, Any]) -> dict[str, Any]:
    return body["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"][
        "Fields"
    ]


def person_element(body: dict[str, Any]) -> dict[str, Any]:
    organisation = body["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]
    contact = organisation["Element"]["Objects"][2]["KnContact"]
    return contact["Element"]["Objects"]["KnPerson"]["Element"]


ORG = "KnSalesRelationOrg.KnOrganisation"
PERSON = f"{ORG}.KnContact.KnPerson"


def test_unknown_field_in_a_nested_object() -> None:
    body = relation()
    person_element(body)["Fields"]["LaNmm"] = "Jansen"
    assert violations("KnSalesRelationOrg", body) == [
        Violation(
            path=f"{PERSON}.LaNmm",
            field="LaNmm",
            value="Jansen",
            message="KnPerson has no field 'LaNmm'; did you mean 'LaNm'?",
            kind="unknown_field",
        )
    ]


def test_custom_field_passes_and_a_lookalike_does_not() -> None:
    body = relation()
    organisation_fields(body)["UC2DE284248374B083C966F9B4EEEE9E2"] = "333"
    assert violations("KnSalesRelationOrg", body) == []
    organisation_fields(body)["UC2DE284248374B083C966F9B4EEEE9EX"] = "333"
    assert [str(v.message) for v in violations("KnSalesRelationOrg", body)] == [
        "KnOrganisation has no field 'UC2DE284248374B083C966F9B4EEEE9EX'"
    ]


def test_missing_mandatory_field_in_a_nested_object() -> None:
    body = relation()
    del person_element(body)["Objects"][0]["KnBasicAddressAdr"]["Element"]["Fields"]["CoId"]
    assert violations("KnSalesRelationOrg", body) == [
        Violation(
            path=f"{PERSON}.KnBasicAddressAdr.CoId",
            field="CoId",
            value=None,
            message="KnBasicAddressAdr.CoId is mandatory and missing",
            kind="missing",
        )
    ]


def test_empty_and_null_mandatory_values_are_missing_but_an_attribute_counts() -> None:
    body = relation()
    root = body["KnSalesRelationOrg"]["Element"]
    root["Fields"]["CuId"] = ""
    organisation_fields(body)["Nm"] = None
    assert [v.path for v in violations("KnSalesRelationOrg", body)] == [
        "KnSalesRelationOrg.CuId",
        f"{ORG}.Nm",
    ]
    root["@CuId"] = "EUR"
    assert [v.path for v in violations("KnSalesRelationOrg", body)] == [f"{ORG}.Nm"]


def test_waived_and_update_elements_demand_less() -> None:
    body = relation()
    fields = organisation_fields(body)
    fields["AutoNum"] = False  # BcCo is then demanded
    assert [str(v.message) for v in violations("KnSalesRelationOrg", body)] == [
        "KnOrganisation.BcCo is mandatory and missing"
    ]
    fields["@Action"] = "Update"
    assert violations("KnSalesRelationOrg", body) == []
    fields["@Action"] = "upsert"
    assert [str(v.message) for v in violations("KnSalesRelationOrg", body)] == [
        "KnOrganisation.@Action is 'upsert'; allowed: insert, update, delete",
        "KnOrganisation.BcCo is mandatory and missing",
    ]


def test_too_long_value_and_attribute() -> None:
    body = relation()
    body["KnSalesRelationOrg"]["Element"]["@DbId"] = "1" * 17
    organisation_fields(body)["Nm"] = "x" * 256
    assert violations("KnSalesRelationOrg", body) == [
        Violation(
            path="KnSalesRelationOrg.@DbId",
            field="@DbId",
            value="1" * 17,
            message="KnSalesRelationOrg.@DbId is 17 characters, AFAS allows 16",
            kind="too_long",
        ),
        Violation(
            path=f"{ORG}.Nm",
            field="Nm",
            value="x" * 256,
            message="KnOrganisation.Nm is 256 characters, AFAS allows 255",
            kind="too_long",
        ),
    ]


def test_value_outside_the_allowed_values_also_as_boolean_or_number() -> None:
    body = relation()
    body["KnSalesRelationOrg"]["Element"]["Fields"]["InPv"] = "e"  # case-insensitive
    assert violations("KnSalesRelationOrg", body) == []
    fields = organisation_fields(body)
    fields["MatchOga"] = 6  # measured as "6"
    assert violations("KnSalesRelationOrg", body) == []
    fields["MatchOga"] = "7"
    person_element(body)["Fields"]["MatchPer"] = True  # counts as "1", which is allowed
    assert [(v.path, v.kind) for v in violations("KnSalesRelationOrg", body)] == [
        (f"{ORG}.MatchOga", "not_allowed")
    ]


def test_wrong_types_in_a_list_of_elements_name_the_item() -> None:
    body = order()
    lines = body["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"]
    lines[1]["Fields"]["QuUn"] = "1,5"
    lines[0]["Fields"]["VaIt"] = "9"
    del lines[0]["Fields"]["BiUn"]
    assert violations("FbSales", body) == [
        Violation(
            path="FbSales.FbSalesLines[0].VaIt",
            field="VaIt",
            value="9",
            message=str(violations("FbSales", body)[0].message),
            kind="not_allowed",
        ),
        Violation(
            path="FbSales.FbSalesLines[1].QuUn",
            field="QuUn",
            value="1,5",
            message="FbSalesLines.QuUn is '1,5', AFAS expects a number "
            "(decimal point, no thousands separator)",
            kind="wrong_type",
        ),
        Violation(
            path="FbSales.FbSalesLines[0].BiUn",
            field="BiUn",
            value=None,
            message="FbSalesLines.BiUn is mandatory and missing",
            kind="missing",
        ),
    ]
    assert str(violations("FbSales", body)[0].message).startswith(
        "FbSalesLines.VaIt is '9'; allowed: "
    )


def test_check_violations_come_before_missing_ones_in_body_order() -> None:
    body = relation()
    del body["KnSalesRelationOrg"]["Element"]["Fields"]["CuId"]
    organisation_fields(body)["CcDa"] = "16-01-1996"
    person_element(body)["Fields"]["Zz"] = 1
    assert [(v.path, v.kind) for v in violations("KnSalesRelationOrg", body)] == [
        (f"{ORG}.CcDa", "wrong_type"),
        (f"{PERSON}.Zz", "unknown_field"),
        ("KnSalesRelationOrg.CuId", "missing"),
    ]


def test_unknown_object_and_malformed_shapes() -> None:
    body = relation()
    objects = body["KnSalesRelationOrg"]["Element"]["Objects"]
    objects.append({"KnOrganisatie": {"Element": {}}})
    objects.append("x")
    body["KnSalesRelationOrg"]["Extra"] = 1
    assert [(v.path, v.kind) for v in violations("KnSalesRelationOrg", body)] == [
        ("KnSalesRelationOrg.Extra", "malformed"),
        ("KnSalesRelationOrg.KnOrganisatie", "unknown_object"),
        ("KnSalesRelationOrg.Objects[2]", "malformed"),
    ]


def test_a_contract_from_metainfo_checks_the_same_way() -> None:
    meta = catalog.metainfo("KnSalesRelationOrg")
    contract = Contract.from_metainfo("KnSalesRelationOrg", meta)
    body = relation()
    assert contract.violations(body) == []
    organisation_fields(body)["Nm"] = "x" * 256
    assert contract.violations(body) == reference("KnSalesRelationOrg", body)


# --- The same as the full checks, one change at a time ------------------------------------------

_CUSTOM = "UC2DE284248374B083C966F9B4EEEE9E2"


class Text(str):
    """A str subclass: some checks special-case exact types."""


_VALUES: list[Any] = [
    None,
    "",
    Text(""),
    Text("1"),
    "x",
    "1",
    "0",
    "6",
    "-3",
    "+3",
    "1.5",
    ".5",
    "1,5",
    "١٢",
    "true",
    "FALSE",
    "yes",
    "insert",
    "Update",
    "2024-02-29",
    "2023-02-29",
    "24-02-29",
    True,
    False,
    0,
    1,
    2,
    -7,
    36.0,
    12.5,
    float("nan"),
    float("inf"),
    {"a": 1},
    [1],
    {},
    [],
]


def _values_for(spec: dict[str, Any]) -> list[Any]:
    extra: list[Any] = []
    if spec["length"]:
        extra += ["9" * spec["length"], "9" * (spec["length"] + 1)]
    for allowed in (spec["values"] or [])[:2]:
        extra += [allowed["id"], allowed["id"].lower(), allowed["id"] + "!"]
    return _VALUES + extra


def _elements(
    obj: dict[str, Any], node: dict[str, Any], path: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any], str]]:
    """(catalog object, element, path) for every element of a valid body."""
    element = node["Element"]
    for index, item in enumerate(element if isinstance(element, list) else [element]):
        yield obj, item, f"{path}[{index}]"
        objects = item.get("Objects") or []
        for entry in [objects] if isinstance(objects, dict) else objects:
            for name, nested in entry.items():
                yield from _elements(obj["objects"][name], nested, f"{path}.{name}")


def _changes(connector: str) -> Iterator[tuple[str, Any]]:
    """(what changed, body) for bodies that differ from a valid one in one place."""
    base = VALID[connector]()
    root = catalog.describe(connector)["object"]
    for index, (obj, _, path) in enumerate(list(_elements(root, base[connector], connector))):
        names = [*obj["fields"], "Zz", "cuid", _CUSTOM, _CUSTOM[:-1] + "X", "@Action"]
        for name in names:
            spec = obj["fields"].get(name, {"length": None, "values": None})
            for value in _values_for(spec):
                for where in ("Fields", "@"):
                    body = copy.deepcopy(base)
                    element = list(_elements(root, body[connector], connector))[index][1]
                    if where == "Fields":
                        element["Fields"][name] = value
                    else:
                        element[f"@{name}"] = value
                    yield f"{path} {where} {name}={value!r}", body
        body = copy.deepcopy(base)
        element = list(_elements(root, body[connector], connector))[index][1]
        for name in list(element["Fields"]):
            changed = copy.deepcopy(body)
            element = list(_elements(root, changed[connector], connector))[index][1]
            del element["Fields"][name]
            yield f"{path} without {name}", changed
        for key, value in (
            ("Fields", ""),
            ("Fields", None),
            ("Fields", []),
            ("Fields", "x"),
            ("Objects", ""),
            ("Objects", None),
            ("Objects", {}),
            ("Objects", []),
            ("Objects", [1]),
            ("Objects", 3),
            ("Objects", [{"KnNothing": {"Element": {}}}]),
            ("Element", {}),
            ("Fieldz", {}),
        ):
            changed = copy.deepcopy(base)
            element = list(_elements(root, changed[connector], connector))[index][1]
            element[key] = value
            yield f"{path} {key}={value!r}", changed
    for body in (
        None,
        [],
        {},
        {connector: None},
        {connector: {}},
        {connector: []},
        {connector: {"Element": None}},
        {connector: {"Element": []}},
        {connector: {"Element": [1]}},
        {connector: {"Element": {}}},
        {connector: {**base[connector], "Extra": 1}},
        {connector: {"Element": [base[connector]["Element"]] * 2}},
        {**base, "Extra": 1},
        {"Other": base[connector]},
    ):
        yield f"shape {body!r:.60}", body


@pytest.mark.parametrize("connector", sorted(VALID))
def test_violations_equal_the_full_checks_for_every_single_change(connector: str) -> None:
    contract = Contract.shipped(connector)
    assert contract is not None
    checked = refused = 0
    for change, body in _changes(connector):
        expected = reference(connector, body)
        assert contract.violations(body) == expected, change
        checked += 1
        refused += bool(expected)
    assert checked > 1000 and 0 < refused < checked  # both kinds of body were tried


def test_a_valid_body_is_passed_without_the_detailed_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    def detailed(*args: Any) -> None:
        raise AssertionError("the detailed walk ran for a valid body")

    monkeypatch.setattr(afas_contract, "_check_node", detailed)
    monkeypatch.setattr(afas_contract, "_missing_in_node", detailed)
    for connector, body in VALID.items():
        assert violations(connector, body()) == []
    with pytest.raises(AssertionError, match="detailed walk"):
        violations("PtProject", {"PtProject": {"Element": {"Fields": {"Zz": 1}}}})


def test_a_parents_id_still_to_come_passes_the_quick_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child body planned before its parent is sent holds ``<DbId of ... row N>``: longer
    than DbId allows, but what it is, not a value; it needs no detailed walk."""

    def detailed(*args: Any) -> None:
        raise AssertionError("the detailed walk ran")

    monkeypatch.setattr(afas_contract, "_check_node", detailed)
    monkeypatch.setattr(afas_contract, "_missing_in_node", detailed)
    child = project()
    child["PtProject"]["Element"]["Fields"]["DbId"] = "<DbId of verkooprelaties row 2>"
    assert violations("PtProject", child) == []
    child["PtProject"]["Element"]["Fields"]["DbId"] = "1234567890123456789012345"  # a value
    with pytest.raises(AssertionError, match="detailed walk"):
        violations("PtProject", child)
