"""The AFAS client's updates and deletes: where the keys go, the DELETE URL, what an update sends,
and what the contract says of an update (unit tests; the sandbox's side is in
``test_sandbox_afas_updates.py``). Bodies are modelled on AFAS's PUT examples."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from importer.errors import NotUpdatable
from importer.messages import render
from importer.targets import ReplyKind
from importer.targets.afas import catalog
from importer.targets.afas.client import AfasTarget
from importer.targets.afas.contract import Contract
from importer.targets.afas.updates import UPDATE_IDS, changed_fields, place_keys

BASE = "https://12345.resttest.afas.online/ProfitRestServices"


class Recorder:
    """A MockTransport handler keeping each request, answering with ``reply``."""

    def __init__(self, reply: httpx.Response | None = None):
        self.reply = reply or httpx.Response(200, json={})
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.reply

    @property
    def body(self) -> Any:
        return json.loads(self.requests[-1].content)


def target(recorder: Recorder) -> AfasTarget:
    return AfasTarget(BASE, "ABC", transport=httpx.MockTransport(recorder))


def wrap(name: str, element: Any) -> dict[str, Any]:
    return {name: {"Element": element}}


# --- The ids an update and a delete need --------------------------------------------------------


def test_update_and_delete_ids_per_connector_and_the_clear_value() -> None:
    assert AfasTarget.update_ids("FbSales") == ("OrNu",)
    assert AfasTarget.update_ids("PtProject") == ("PrId",)
    assert AfasTarget.update_ids("KnSalesRelationOrg") == ("DbId",)
    assert AfasTarget.update_ids("KnOrganisation") == ("BcCo",)
    assert AfasTarget.update_ids("KnPerson") == ("BcCo",)
    assert AfasTarget.update_ids("KnCustomK01") == ()  # unknown here: the body names the record
    assert AfasTarget.delete_ids("FbSales") == ("OrNu",)
    assert AfasTarget.delete_ids("PtProject") == ("PrId",)
    for connector in ("KnOrganisation", "KnPerson", "KnSalesRelationOrg", "KnSalesRelationPer"):
        assert AfasTarget.delete_ids(connector) == ()
    assert AfasTarget.clear_value == ""


def test_the_update_ids_are_the_catalogs_keys() -> None:
    for connector, ids in UPDATE_IDS.items():
        assert tuple(catalog.describe(connector)["object"]["keys"]) == ids, connector


# --- Where update places the keys ---------------------------------------------------------------


def test_an_order_update_has_ornu_in_its_fields() -> None:
    recorder = Recorder(httpx.Response(201, json={"results": {"FbSales": {"OrNu": "60000178"}}}))
    body = wrap("FbSales", {"Fields": {"RfCs": "update kop - referentie"}})

    reply = target(recorder).update("FbSales", body, {"OrNu": "60000178", "DbId": "10001"})

    request = recorder.requests[0]
    assert (request.method, request.url.path) == ("PUT", "/ProfitRestServices/connectors/FbSales")
    assert recorder.body == wrap(
        "FbSales", {"Fields": {"OrNu": "60000178", "RfCs": "update kop - referentie"}}
    )
    assert (reply.kind, reply.ids) == (ReplyKind.OK, {"OrNu": "60000178"})
    assert body == wrap("FbSales", {"Fields": {"RfCs": "update kop - referentie"}})  # untouched


def test_a_project_update_has_prid_in_its_fields_replacing_one_the_body_holds() -> None:
    recorder = Recorder()
    body = wrap("PtProject", {"Fields": {"PrId": "old", "PrSt": ""}})

    target(recorder).update("PtProject", body, {"PrId": "300375"})

    assert recorder.body == wrap("PtProject", {"Fields": {"PrId": "300375", "PrSt": ""}})


@pytest.mark.parametrize(
    ("connector", "match"), [("KnOrganisation", "MatchOga"), ("KnPerson", "MatchPer")]
)
def test_an_organisation_or_person_is_found_by_bcco_with_match_code_0(connector, match) -> None:
    recorder = Recorder()
    body = wrap(connector, {"Fields": {match: "6", "Nm": "Jansen"}})

    target(recorder).update(connector, body, {"BcCo": "1000755"})

    assert recorder.body == wrap(
        connector, {"Fields": {match: "0", "BcCo": "1000755", "Nm": "Jansen"}}
    )


def test_a_sales_relation_has_dbid_as_attribute_and_its_organisation_found_by_bcco() -> None:
    recorder = Recorder()
    organisation = {"Fields": {"MatchOga": "6", "Nm": "Jansen"}}
    body = wrap("KnSalesRelationOrg", {"Objects": [{"KnOrganisation": {"Element": organisation}}]})

    target(recorder).update("KnSalesRelationOrg", body, {"DbId": "10150", "BcCo": "1000325"})

    assert recorder.body == wrap(
        "KnSalesRelationOrg",
        {
            "@DbId": "10150",
            "Objects": [
                {
                    "KnOrganisation": {
                        "Element": {"Fields": {"MatchOga": "0", "BcCo": "1000325", "Nm": "Jansen"}}
                    }
                }
            ],
        },
    )


def test_without_its_bcco_a_sales_relations_organisation_is_the_relations_own() -> None:
    recorder = Recorder()
    organisation = {"Fields": {"BcCo": "guess", "Nm": "Jansen"}}
    body = wrap(
        "KnSalesRelationOrg",
        {"Fields": {"InPv": "E"}, "Objects": {"KnOrganisation": {"Element": organisation}}},
    )

    target(recorder).update("KnSalesRelationOrg", body, {"DbId": "10150"})

    element = recorder.body["KnSalesRelationOrg"]["Element"]
    assert element["@DbId"] == "10150" and element["Fields"] == {"InPv": "E"}
    assert element["Objects"]["KnOrganisation"]["Element"]["Fields"] == {
        "MatchOga": "9",
        "Nm": "Jansen",
    }


def test_a_sales_relation_update_without_nested_objects_needs_only_dbid() -> None:
    recorder = Recorder()

    target(recorder).update(
        "KnSalesRelationOrg",
        wrap("KnSalesRelationOrg", {"Fields": {"Bl": True}}),
        {"DbId": "10100"},
    )

    assert recorder.body == wrap("KnSalesRelationOrg", {"@DbId": "10100", "Fields": {"Bl": True}})


@pytest.mark.parametrize(
    ("connector", "ids", "missing"),
    [
        ("FbSales", {"DbId": "10001"}, "OrNu"),
        ("PtProject", {"PrId": ""}, "PrId"),
        ("KnSalesRelationOrg", {"BcCo": "1000325"}, "DbId"),
        ("KnOrganisation", {}, "BcCo"),
        ("KnPerson", {"DbId": "1"}, "BcCo"),
    ],
)
def test_an_update_without_the_id_it_needs_is_a_valueerror_and_sends_nothing(
    connector, ids, missing
):
    recorder = Recorder()

    with pytest.raises(ValueError, match=missing):
        target(recorder).update(connector, wrap(connector, {"Fields": {"Ds": "x"}}), ids)
    assert recorder.requests == []


def test_a_connector_the_client_does_not_know_is_sent_as_it_is() -> None:
    body = wrap("KnCustomK01", {"Fields": {"SqNo": "2921", "U005": "Geen bijzonderheden"}})

    assert place_keys("KnCustomK01", body, {}) == body


def test_an_update_names_one_record() -> None:
    with pytest.raises(ValueError, match="one record"):
        place_keys("FbSales", wrap("FbSales", [{"Fields": {}}, {"Fields": {}}]), {"OrNu": "1"})


# --- DELETE -------------------------------------------------------------------------------------


def test_delete_puts_the_key_in_the_path_as_afas_documents_it() -> None:
    recorder = Recorder(httpx.Response(200))

    reply = target(recorder).delete("FbSales", {"OrNu": "60000175"})

    request = recorder.requests[0]
    assert request.method == "DELETE" and request.content == b""
    assert request.url.raw_path == b"/ProfitRestServices/connectors/FbSales/FbSales/@OrNu/60000175"
    assert reply.kind is ReplyKind.OK


def test_delete_quotes_the_value_and_201_is_done_too() -> None:
    recorder = Recorder(httpx.Response(201, json={"results": {"PtProject": {"PrId": "P 1/2"}}}))

    reply = target(recorder).delete("PtProject", {"PrId": "P 1/2"})

    assert recorder.requests[0].url.raw_path == (
        b"/ProfitRestServices/connectors/PtProject/PtProject/@PrId/P%201%2F2"
    )
    assert (reply.kind, reply.ids) == (ReplyKind.OK, {"PrId": "P 1/2"})


def test_a_refused_delete_reads_like_any_refusal() -> None:
    body = {
        "externalMessage": "Verkooporder '1' bestaat niet.",
        "errorNumber": -2147220469,
        "profitLogReference": "B8213AF1",
    }

    reply = target(Recorder(httpx.Response(500, json=body))).delete("FbSales", {"OrNu": "1"})

    assert reply.kind is ReplyKind.REFUSED
    assert (str(reply.error), reply.log_reference) == ("Verkooporder '1' bestaat niet.", "B8213AF1")


@pytest.mark.parametrize(
    ("connector", "ids", "said"),
    [("KnOrganisation", {"BcCo": "1"}, "cannot delete"), ("FbSales", {}, "OrNu")],
)
def test_a_delete_afas_cannot_do_is_a_valueerror(connector, ids, said) -> None:
    recorder = Recorder()

    with pytest.raises(ValueError, match=said):
        target(recorder).delete(connector, ids)
    assert recorder.requests == []


# --- What an update sends -----------------------------------------------------------------------


def address(street: str, **fields: Any) -> dict[str, Any]:
    base = {
        "CoId": "NL",
        "PbAd": False,
        "Ad": street,
        "HmNr": "1",
        "ZpCd": "3833LC",
        "Rs": "Leusden",
    }
    return {"Element": {"Fields": {**base, **fields}}}


def organisation(**fields: Any) -> dict[str, Any]:
    base = {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": "Jansen", "EmAd": "a@b.test"}
    return {
        "KnOrganisation": {
            "Element": {
                "Fields": {**base, **fields},
                "Objects": [
                    {"KnBasicAddressAdr": address("Haarlemseweg")},
                    {
                        "KnBankAccount": {
                            "Element": {"Fields": {"CoId": "NL", "Iban": "NL91ABNA0417164300"}}
                        }
                    },
                ],
            }
        }
    }


def test_a_field_left_out_is_kept_and_only_the_clear_value_empties_one() -> None:
    before = organisation(TeNr="0331234567")
    after = organisation(EmAd="")
    del after["KnOrganisation"]["Element"]["Fields"]["PadAdr"]

    assert changed_fields(before, after) == {
        "KnOrganisation": {"Element": {"Fields": {"EmAd": ""}}}
    }


def test_the_keys_and_match_codes_are_not_compared_nor_sent() -> None:
    before = organisation()
    after = organisation(MatchOga="0", BcCo="1000614", AutoNum=False)

    assert changed_fields(before, after) is None


def test_a_changed_address_goes_whole_and_a_begindate_alone_is_no_change() -> None:
    before = organisation()
    dated = copy.deepcopy(before)
    dated["KnOrganisation"]["Element"]["Objects"][0] = {
        "KnBasicAddressAdr": address("Haarlemseweg", BeginDate="2024-05-01")
    }
    moved = copy.deepcopy(before)
    moved["KnOrganisation"]["Element"]["Objects"][0] = {
        "KnBasicAddressAdr": address("Nijverheidsstraat", BeginDate="2024-05-01")
    }

    assert changed_fields(before, dated) is None
    assert changed_fields(before, moved) == {
        "KnOrganisation": {
            "Element": {
                "Objects": [
                    {"KnBasicAddressAdr": address("Nijverheidsstraat", BeginDate="2024-05-01")}
                ]
            }
        }
    }


def test_an_object_that_comes_in_between_moves_no_other_object() -> None:
    before = organisation()
    after = copy.deepcopy(before)
    postal = {"KnBasicAddressPad": address("Postbus", PbAd=True)}
    after["KnOrganisation"]["Element"]["Objects"].insert(1, postal)  # before the bank account

    assert changed_fields(before, after) == {"KnOrganisation": {"Element": {"Objects": [postal]}}}


def test_a_sales_relation_sends_what_changed_in_its_own_organisation() -> None:
    def relation(name: str, vat: str) -> dict[str, Any]:
        org = organisation(Nm=name)["KnOrganisation"]
        return wrap(
            "KnSalesRelationOrg",
            {
                "@DbId": "49339",
                "Fields": {"VaId": vat, "CuId": "EUR"},
                "Objects": [{"KnOrganisation": org}],
            },
        )

    same_name = changed_fields(relation("Jansen", "NL1"), relation("Jansen", "NL2"))
    renamed = changed_fields(relation("Jansen", "NL1"), relation("Jansen B.V.", "NL1"))

    assert same_name == wrap("KnSalesRelationOrg", {"Fields": {"VaId": "NL2"}})
    assert renamed == wrap(
        "KnSalesRelationOrg",
        {"Objects": [{"KnOrganisation": {"Element": {"Fields": {"Nm": "Jansen B.V."}}}}]},
    )


def test_a_connector_the_client_does_not_know_keeps_its_keys_in_the_body() -> None:
    before = wrap("KnContact", {"Fields": {"MatchOga": "0", "BcCo": "1000", "EmAd": "a@b.test"}})
    after = wrap("KnContact", {"Fields": {"MatchOga": "0", "BcCo": "1000", "EmAd": "c@d.test"}})

    assert changed_fields(before, after) == after  # its update_ids are (): the body names it


def line(item: str, quantity: str = "10", **fields: Any) -> dict[str, Any]:
    return {"Fields": {"VaIt": "2", "ItCd": item, "BiUn": "stk", "QuUn": quantity, **fields}}


def sales_order(*lines: dict[str, Any], reference: str = "Inkooporder 4471") -> dict[str, Any]:
    element: dict[str, Any] = {"Fields": {"DbId": "10001", "RfCs": reference}}
    element["Objects"] = [{"FbSalesLines": {"Element": list(lines)}}]
    return wrap("FbSales", element)


def test_unchanged_order_lines_are_not_sent() -> None:
    before = sales_order(line("1000"), line("1001"))
    after = sales_order(line("1000"), line("1001"), reference="Nieuw")

    assert changed_fields(before, after) == wrap("FbSales", {"Fields": {"RfCs": "Nieuw"}})


@pytest.mark.parametrize(
    "after",
    [
        sales_order(line("1000", "12"), line("1001")),  # a quantity changed
        sales_order(line("1000"), line("1001"), line("1002")),  # a line added
        sales_order(line("1000")),  # a line gone
    ],
)
def test_order_lines_changed_without_actions_cannot_be_updated(after) -> None:
    before = sales_order(line("1000"), line("1001"))

    with pytest.raises(NotUpdatable) as raised:
        changed_fields(before, after)

    assert raised.value.said.code == "afas.lines_changed"
    english, dutch = render(raised.value.said, "en"), render(raised.value.said, "nl")
    assert "order lines changed" in english and "@Action" in english and "GuLi" in english
    assert "orderregels zijn gewijzigd" in dutch and "ItCd" in dutch


def test_only_lines_with_an_action_are_sent_and_each_once() -> None:
    before = sales_order(line("1000"), line("1001"))
    changed = line("1001", "12", **{"@Action": "update"})
    added = line("1002", **{"@Action": "insert"})
    gone = {"Fields": {"@Action": "delete", "GuLi": "{07A33EB3-2216-404C-B7E0-54E330FA9BF7}"}}
    after = sales_order(line("1000"), changed, added, gone)

    first = changed_fields(before, after)
    again = changed_fields(after, after)

    assert first == wrap(
        "FbSales", {"Objects": [{"FbSalesLines": {"Element": [changed, added, gone]}}]}
    )
    assert again is None
    # the sheet without the actions afterwards: the lines the order now holds, nothing to send
    cleaned = sales_order(line("1000"), line("1001", "12"), line("1002"))
    assert changed_fields(after, cleaned) is None


def test_a_new_action_next_to_lines_sent_before_sends_only_the_new_one() -> None:
    before = sales_order(line("1000"), line("1002", **{"@Action": "insert"}))
    added = line("1003", **{"@Action": "insert"})

    assert changed_fields(
        before, sales_order(line("1000"), line("1002", **{"@Action": "insert"}), added)
    ) == wrap("FbSales", {"Objects": [{"FbSalesLines": {"Element": [added]}}]})


def test_a_changed_plain_line_next_to_an_action_is_still_not_updatable() -> None:
    before = sales_order(line("1000"), line("1001"))
    after = sales_order(line("1000", "99"), line("1002", **{"@Action": "insert"}))

    with pytest.raises(NotUpdatable):
        changed_fields(before, after)


def test_changes_of_the_target_goes_through_changed_fields() -> None:
    before = sales_order(line("1000"))

    with pytest.raises(NotUpdatable):
        target(Recorder()).changes(before, sales_order(line("1001")))


# --- The contract of an update ------------------------------------------------------------------


def messages(connector: str, body: Any, action: str = "insert") -> list[str]:
    contract = Contract.shipped(connector)
    assert contract is not None
    return [str(v.message) for v in contract.violations(body, action)]


def test_an_update_demands_no_field_only_an_insert_needs() -> None:
    body = wrap("FbSales", {"Fields": {"RfCs": "nieuw"}})  # no DbId, no lines, no OrNu

    assert messages("FbSales", body, "update") == []
    assert messages("FbSales", body) == [
        "FbSales.DbId is mandatory and missing",
        "FbSales needs at least one FbSalesLines, or SoQu",
    ]


def test_an_update_still_checks_types_lengths_and_allowed_values() -> None:
    body = wrap("KnOrganisation", {"Fields": {"SeNm": "X" * 11, "CcDa": "01-03-2024"}})

    assert messages("KnOrganisation", body, "update") == [
        "KnOrganisation.SeNm is 11 characters, AFAS allows 10",
        "KnOrganisation.CcDa is '01-03-2024', AFAS expects a date as YYYY-MM-DD",
    ]


def test_an_update_may_empty_any_field_but_a_mandatory_one() -> None:
    cleared = wrap("KnOrganisation", {"Fields": {"EmAd": "", "SeNm": "", "Nm": ""}})
    order = wrap("FbSales", {"Fields": {"DbId": ""}})

    assert messages("KnOrganisation", cleared, "update") == [
        "KnOrganisation.Nm is mandatory: an update cannot empty it"
    ]
    assert messages("FbSales", order, "update") == [
        "FbSales.DbId is mandatory: an update cannot empty it"
    ]


def test_what_an_update_adds_needs_what_an_insert_of_it_needs() -> None:
    account = {"Fields": {"Iban": "NL91ABNA0417164300"}}  # no country
    relation = wrap(
        "KnSalesRelationOrg",
        {
            "Objects": {
                "KnOrganisation": {
                    "Element": {
                        "Fields": {"Nm": ""},  # the relation's own organisation: not inserted
                        "Objects": {"KnBankAccount": {"Element": account}},
                    }
                }
            }
        },
    )

    assert messages("KnSalesRelationOrg", relation, "update") == [
        "KnOrganisation.Nm is mandatory: an update cannot empty it",
        "KnBankAccount.CoId is mandatory and missing",
    ]


def test_order_lines_in_an_update() -> None:
    lines = [
        {"Fields": {"VaIt": "2", "ItCd": "1000", "QuUn": "1"}},  # added: needs its unit
        {"Fields": {"GuLi": "{E4D388F6-8000-45AB-96F1-BE24E708D430}", "QuUn": "10"}},  # changed
        {"Fields": {"@Action": "delete", "ItCd": "1001"}},
        {"Fields": {"@Action": "update", "QuUn": "3"}},  # names no line
        {"Fields": {"@Action": "update", "GuLi": "{0A}", "BiUn": ""}},
    ]
    body = wrap(
        "FbSales", {"Fields": {"SoQu": "OF-1"}, "Objects": {"FbSalesLines": {"Element": lines}}}
    )

    assert messages("FbSales", body, "update") == [
        "FbSales.SoQu: the quotation an order takes over is given when it is inserted, not in an "
        "update",
        "FbSalesLines.BiUn is mandatory and missing",
        "FbSales.FbSalesLines[3]: a line with @Action update must name the line by its GuLi or "
        "its item code (ItCd)",
        "FbSalesLines.BiUn is mandatory: an update cannot empty it",
    ]


def test_an_order_insert_needs_lines_or_soqu_and_never_an_empty_list_of_lines() -> None:
    taken_over = wrap("FbSales", {"Fields": {"DbId": "10001", "SoQu": "OF-2024-017"}})
    empty = wrap(
        "FbSales",
        {
            "Fields": {"DbId": "10001", "SoQu": "OF-2024-017"},
            "Objects": [{"FbSalesLines": {"Element": []}}],
        },
    )
    with_lines = sales_order(line("1000"))

    assert messages("FbSales", taken_over) == []
    assert messages("FbSales", with_lines) == []
    assert messages("FbSales", empty) == [
        "FbSales.FbSalesLines holds no lines: leave FbSalesLines out to send an order taken over "
        "from a quotation (SoQu) without lines"
    ]
    assert messages("FbSales", [with_lines["FbSales"]]) != []  # not a body: still refused


def test_a_delete_has_no_body_to_check_and_other_actions_are_a_valueerror() -> None:
    assert messages("FbSales", None, "delete") == []
    with pytest.raises(ValueError, match="action"):
        messages("FbSales", {}, "upsert")
