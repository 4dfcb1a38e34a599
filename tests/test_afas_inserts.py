"""Whether an AFAS insert surely made new records (MatchOga/MatchPer "always new")."""

from __future__ import annotations

import pytest

from importer.targets.afas.inserts import makes_new


def organisation(match_oga: object = None, **objects: object) -> dict:
    fields = {"Nm": "Jansen"} if match_oga is None else {"MatchOga": match_oga, "Nm": "Jansen"}
    element: dict = {"Fields": fields}
    if objects:
        element["Objects"] = [{name: value} for name, value in objects.items()]
    return {"KnOrganisation": {"Element": element}}


def sales_relation(match_oga: str) -> dict:
    nested = {"Element": {"Fields": {"MatchOga": match_oga, "BcCo": "100"}}}
    return {
        "KnSalesRelationOrg": {"Element": {"Fields": {}, "Objects": [{"KnOrganisation": nested}]}}
    }


@pytest.mark.parametrize(
    "match_oga, new", [("6", True), (6, True), ("1", False), ("0", False), (None, False)]
)
def test_an_organisation_is_surely_new_only_with_match_oga_6(match_oga, new):
    assert makes_new("KnOrganisation", organisation(match_oga), ["BcCo"]) is new


def test_a_person_in_an_organisation_matched_by_name_makes_it_uncertain():
    person = {"Element": {"Fields": {"MatchPer": "6"}}}
    assert not makes_new("KnOrganisation", organisation("6", KnPerson=person), ["BcCo"])
    person = {"Element": [{"Fields": {"MatchPer": "7"}}]}
    assert makes_new("KnOrganisation", organisation("6", KnPerson=person), ["BcCo"])


def test_a_sales_relation_is_new_and_its_organisation_only_when_inserted_always_new():
    assert makes_new("KnSalesRelationOrg", sales_relation("0"), ["DbId"])
    assert not makes_new("KnSalesRelationOrg", sales_relation("0"), ["BcCo"])
    assert not makes_new("KnSalesRelationOrg", sales_relation("1"), ["DbId", "BcCo"])
    assert makes_new("KnSalesRelationOrg", sales_relation("6"), ["BcCo"])


def test_other_connectors_insert_new_records_and_an_odd_body_is_not_sure():
    assert makes_new("PtProject", {"PtProject": {"Element": {"Fields": {}}}}, ["PrId"])
    assert not makes_new("PtProject", None, ["PrId"])
    assert not makes_new("KnOrganisation", {"KnOrganisation": {"Element": "x"}}, ["BcCo"])
