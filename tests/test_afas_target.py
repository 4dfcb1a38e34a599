"""The AFAS client: token header, reply formats and errors (unit tests with MockTransport)."""

from __future__ import annotations

import base64

import httpx
import pytest

from importer.errors import AuthenticationError, ConfigurationError, TargetUnreachable
from importer.targets.afas import AfasTarget, token_header


def target(handler) -> AfasTarget:
    return AfasTarget(
        "https://12345.resttest.afas.online/ProfitRestServices",
        "ABC",
        transport=httpx.MockTransport(handler),
    )


def test_token_header_from_data_or_from_the_whole_xml():
    xml = "<token><version>1</version><data>ABC123</data></token>"
    expected = "AfasToken " + base64.b64encode(xml.encode()).decode()

    assert token_header("ABC123") == expected
    assert token_header(f"  {xml}\n") == expected


def test_request_goes_to_the_connector_with_headers_and_json():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(
            url=str(request.url),
            auth=request.headers["authorization"],
            type=request.headers["content-type"],
            body=request.content,
        )
        return httpx.Response(201, json={"results": {"PtProject": {"PrId": "97345"}}})

    reply = target(handler).insert("PtProject", {"PtProject": {"Element": {"Fields": {"Ds": "é"}}}})

    assert reply.ok and reply.ids == {"PrId": "97345"}
    assert (
        seen["url"] == "https://12345.resttest.afas.online/ProfitRestServices/connectors/PtProject"
    )
    assert seen["auth"] == token_header("ABC")
    assert seen["type"] == "application/json;charset=utf-8"
    assert seen["body"] == b'{"PtProject": {"Element": {"Fields": {"Ds": "\\u00e9"}}}}'


@pytest.mark.parametrize(
    "reply",
    [
        {"results": {"KnSalesRelationOrg": {"DbId": "49339", "BcCo": "100172", "BcId": 2604}}},
        {"KnSalesRelationOrg": {"DbId": "49339", "BcCo": "100172", "BcId": 2604}},
    ],
)
def test_ids_are_read_with_and_without_the_results_wrapper(reply):
    got = target(lambda r: httpx.Response(201, json=reply)).insert("KnSalesRelationOrg", {})
    assert got.ids == {"DbId": "49339", "BcCo": "100172", "BcId": "2604"}


def test_a_500_is_a_row_error_with_the_log_reference():
    body = {
        "externalMessage": "Projectgroep 'X' bestaat niet.",
        "errorNumber": -2147220469,
        "profitLogReference": "B8213AF1",
    }

    reply = target(lambda r: httpx.Response(500, json=body)).insert("PtProject", {})

    assert not reply.ok and not reply.unknown
    assert (reply.error, reply.log_reference) == ("Projectgroep 'X' bestaat niet.", "B8213AF1")


def test_a_400_keeps_its_message():
    reply = target(lambda r: httpx.Response(400, json={"message": "Invalid json"})).insert("X", {})
    assert reply.error == "HTTP 400: Invalid json"


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_stops_the_run(status):
    with pytest.raises(AuthenticationError, match=f"HTTP {status}"):
        target(lambda r: httpx.Response(status)).insert("PtProject", {})


def test_no_answer_is_an_unknown_outcome_never_a_failure():
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    reply = target(handler).insert("PtProject", {})

    assert reply.unknown and not reply.ok
    assert "may or may not exist" in reply.error


def test_no_connection_at_all_stops_the_run():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(TargetUnreachable, match="Cannot reach AFAS at 12345.resttest.afas.online"):
        target(handler).insert("PtProject", {})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "AFAS_BASE_URL is not set"),
        ({"AFAS_BASE_URL": "12345.rest.afas.online"}, "AFAS_BASE_URL must start with https://"),
        (
            {"AFAS_BASE_URL": "https://12345.rest.afas.online/ProfitRestServices"},
            "AFAS_TOKEN is not set",
        ),
    ],
)
def test_configuration_errors_say_how_to_configure(env, message):
    with pytest.raises(ConfigurationError, match=message) as caught:
        AfasTarget.from_env(env)
    assert "--sandbox" in str(caught.value)
