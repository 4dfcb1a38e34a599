"""The AFAS client: token header, reply formats and errors (unit tests with MockTransport)."""

from __future__ import annotations

import base64

import httpx
import pytest

from importer.errors import AuthenticationError, ConfigurationError, LookupFailed, TargetUnreachable
from importer.targets import ReplyKind
from importer.targets.afas.client import AfasTarget, token_header


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

    assert (reply.kind, reply.ids) == (ReplyKind.OK, {"PrId": "97345"})
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

    assert reply.kind is ReplyKind.REFUSED
    assert (str(reply.error), reply.log_reference) == ("Projectgroep 'X' bestaat niet.", "B8213AF1")


def test_a_500_saying_the_record_is_locked_is_transient():
    body = {
        "externalMessage": "Het record is vergrendeld door een andere gebruiker.",
        "profitLogReference": "C0FFEE12",
    }

    reply = target(lambda r: httpx.Response(500, json=body)).insert("PtProject", {})

    assert (reply.kind, reply.log_reference) == (ReplyKind.TRANSIENT, "C0FFEE12")
    assert (reply.ok, reply.transient, reply.unknown) == (False, True, False)


def test_a_400_keeps_its_message():
    reply = target(lambda r: httpx.Response(400, json={"message": "Invalid json"})).insert("X", {})
    assert str(reply.error) == "HTTP 400: Invalid json"


@pytest.mark.parametrize("status", [400, 404, 413])
def test_a_4xx_was_not_processed_and_is_refused(status):
    reply = target(lambda r: httpx.Response(status, text="nope")).insert("PtProject", {})
    assert (reply.kind, str(reply.error)) == (ReplyKind.REFUSED, f"HTTP {status}: nope")


@pytest.mark.parametrize(
    "status, answer",
    [
        (504, {"text": "<html><body>504 Gateway Time-out</body></html>"}),
        (502, {"text": "Bad Gateway"}),
        (500, {"text": "<html><body>Server Error in '/' Application.</body></html>"}),
        (500, {"json": {"message": "An error has occurred."}}),
    ],
)
def test_a_5xx_that_is_not_profits_refusal_leaves_the_outcome_unknown(status, answer):
    # a proxy, gateway or IIS in front of Profit answered: Profit may have committed
    reply = target(lambda r: httpx.Response(status, **answer)).insert("PtProject", {})

    assert reply.kind is ReplyKind.UNKNOWN
    assert str(reply.error).startswith(f"HTTP {status}, not an answer of AFAS itself (")
    assert str(reply.error).endswith("check PtProject before sending it again")


def test_a_gateway_error_on_a_read_says_only_what_it_said():
    answer = httpx.Response(504, text="Gateway Time-out")
    with pytest.raises(LookupFailed) as caught:
        target(lambda r: answer).lookup("Profit_Debtor", [{"DebtorId": "1"}])
    assert "HTTP 504: Gateway Time-out" in str(caught.value)
    assert "may or may not exist" not in str(caught.value)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_stops_the_run(status):
    with pytest.raises(AuthenticationError, match=f"HTTP {status}"):
        target(lambda r: httpx.Response(status)).insert("PtProject", {})


def test_no_answer_is_an_unknown_outcome_never_a_failure():
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    reply = target(handler).insert("PtProject", {})

    assert reply.kind is ReplyKind.UNKNOWN
    assert "may or may not exist" in str(reply.error)


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


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def oauth_client(handler, clock: Clock) -> httpx.Client:
    from importer.targets.afas.client import OAuthClientCredentials

    auth = OAuthClientCredentials("https://x.test/oauth/token", "app", "s3cret", clock=clock)
    return httpx.Client(auth=auth, transport=httpx.MockTransport(handler))


def test_oauth_token_is_fetched_once_reused_and_refreshed_before_expiry():
    issued, seen, clock = [], [], Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            assert (
                request.content
                == b"grant_type=client_credentials&client_id=app&client_secret=s3cret"
            )
            issued.append(f"T{len(issued)}")
            return httpx.Response(
                200, json={"access_token": issued[-1], "token_type": "Bearer", "expires_in": 3600}
            )
        seen.append(request.headers["authorization"])
        return httpx.Response(201, json={})

    client = oauth_client(handler, clock)
    client.post("https://x.test/connectors/A")
    clock.now += 3000
    client.post("https://x.test/connectors/A")
    clock.now += 300  # 90 % of the lifetime has passed
    client.post("https://x.test/connectors/A")

    assert seen == ["Bearer T0", "Bearer T0", "Bearer T1"]


def test_an_oauth_token_refused_early_is_renewed_once():
    issued, clock = [], Clock()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            issued.append(f"T{len(issued)}")
            return httpx.Response(200, json={"access_token": issued[-1], "expires_in": 3600})
        return httpx.Response(201 if request.headers["authorization"] == "Bearer T1" else 401)

    client = oauth_client(handler, clock)
    first = client.post("https://x.test/connectors/A")  # fresh T0 refused: no loop, 401
    second = client.post("https://x.test/connectors/A")  # reused T0 refused: renewed, T1 works

    assert (first.status_code, second.status_code, issued) == (401, 201, ["T0", "T1"])


def test_refused_client_credentials_stop_the_run_without_showing_the_secret():
    def handler(request):
        return httpx.Response(401, json={"error": "invalid_client"})

    with pytest.raises(AuthenticationError) as caught:
        oauth_client(handler, Clock()).post("https://x.test/connectors/A")
    assert str(caught.value) == (
        "AFAS refused the OAuth client credentials (HTTP 401: invalid_client). "
        "Check AFAS_CLIENT_ID and AFAS_CLIENT_SECRET."
    )


def test_headers_integration_id_language_and_keep_alive():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(201, json={})

    t = AfasTarget(
        "https://12345.rest.afas.online/ProfitRestServices",
        "ABC",
        integration_id="4567_123456",
        language="en-us",
        transport=httpx.MockTransport(handler),
    )
    t.insert("PtProject", {})

    assert seen["integrationid"] == "4567_123456"
    assert seen["accept-language"] == "en-us"
    assert seen.get("connection", "keep-alive") != "close"


def test_from_env_reads_oauth_and_optional_settings():
    t = AfasTarget.from_env(
        {
            "AFAS_BASE_URL": "https://12345.restaccept.afas.online/ProfitRestServices",
            "AFAS_CLIENT_ID": "app",
            "AFAS_CLIENT_SECRET": "s3cret",
            "AFAS_INTEGRATION_ID": "1_2",
            "AFAS_LANGUAGE": "EN-US",
        }
    )

    assert t.environment == "acceptance environment 12345"
    with pytest.raises(ConfigurationError, match="AFAS_LANGUAGE is 'xx'; expected one of nl-nl"):
        AfasTarget.from_env(
            {"AFAS_BASE_URL": "https://x.test", "AFAS_TOKEN": "A", "AFAS_LANGUAGE": "xx"}
        )


@pytest.mark.parametrize(
    ("url", "environment"),
    [
        ("https://12345.rest.afas.online/ProfitRestServices", ("production", "12345")),
        ("https://12345.resttest.afas.online/profitrestservices", ("test", "12345")),
        ("https://54321.RestAccept.afas.online/ProfitRestServices", ("acceptance", "54321")),
        ("http://127.0.0.1:8123/ProfitRestServices", ("sandbox", None)),
        ("https://afas.example.test/ProfitRestServices", ("unknown", None)),
    ],
)
def test_environment_type_is_read_from_the_url(url, environment):
    from importer.targets.afas.client import environment_of

    assert environment_of(url) == environment


def test_contract_comes_from_metainfo_once_and_falls_back_to_the_shipped_catalog():
    from importer.targets.afas.catalog import metainfo

    calls = []

    def handler(request):
        calls.append(request.url.path)
        if request.url.path.endswith("/KnSalesRelationOrg"):
            meta = metainfo("KnSalesRelationOrg")
            meta["fields"] = [f for f in meta["fields"] if f["id"] != "VaId"]  # this environment
            return httpx.Response(200, json=meta)
        return httpx.Response(404)

    t = target(handler)
    relation = t.contract("KnSalesRelationOrg")
    t.contract("KnSalesRelationOrg")
    project = t.contract("PtProject")

    assert calls == [
        "/ProfitRestServices/metainfo/update/KnSalesRelationOrg",
        "/ProfitRestServices/metainfo/update/PtProject",
    ]
    assert relation.source == "target's metainfo" and project.source == "shipped catalog"
    body = {"KnSalesRelationOrg": {"Element": {"Fields": {"CuId": "EUR", "VaId": "NL1"}}}}
    assert [str(v.message) for v in relation.violations(body)] == [
        "KnSalesRelationOrg has no field 'VaId'; did you mean 'VeId'?"
    ]


def test_a_refused_token_on_metainfo_stops_before_any_write():
    with pytest.raises(AuthenticationError):
        target(lambda r: httpx.Response(401)).contract("PtProject")


def test_a_503_says_when_to_try_again():
    body = {
        "error": {"code": "maintenance", "message": "Profit is in onderhoud"},
        "retry_after": 7200,
    }

    reply = target(lambda r: httpx.Response(503, json=body)).insert("PtProject", {})

    assert (reply.kind, reply.retry_after) == (ReplyKind.TRANSIENT, 7200)
    assert (
        str(reply.error)
        == "AFAS is unavailable (HTTP 503: Profit is in onderhoud); try again after 7200 s"
    )


def test_an_update_carries_what_changed_only_and_a_field_left_out_is_not_emptied():
    from importer.targets.afas.client import changed_fields

    def body(name, street, iban):
        return {
            "KnOrganisation": {
                "Element": {
                    "Fields": {
                        "MatchOga": "0",
                        "BcCo": "100",
                        "AutoNum": False,
                        "Nm": name,
                        "EmAd": "a@b.test",
                    },
                    "Objects": [
                        {"KnBasicAddressAdr": {"Element": {"Fields": {"Ad": street}}}},
                        {"KnBankAccount": {"Element": {"Fields": {"Iban": iban}}}},
                    ],
                }
            }
        }

    before = body("Jansen", "Kerkstraat", "NL91ABNA0417164300")
    after = body("Jansen B.V.", "Kerkstraat", "NL69INGB0123456789")
    del after["KnOrganisation"]["Element"]["Fields"]["EmAd"]  # left out: kept as it is

    assert changed_fields(before, after) == {
        "KnOrganisation": {
            "Element": {
                "Fields": {"Nm": "Jansen B.V."},  # the keys are the update's to place
                "Objects": [
                    {"KnBankAccount": {"Element": {"Fields": {"Iban": "NL69INGB0123456789"}}}}
                ],
            }
        }
    }
    assert changed_fields(before, before) is None


def test_an_address_whose_begin_date_alone_is_new_is_no_move():
    from importer.targets.afas.client import changed_fields

    def body(name, street, begin=None):
        address = {"Ad": street, "ZpCd": "3511AX", "BeginDate": begin}
        fields = {k: v for k, v in address.items() if v is not None}
        return {
            "KnPerson": {
                "Element": {
                    "Fields": {"MatchPer": "0", "BcCo": "100", "LaNm": name},
                    "Objects": [{"KnBasicAddressAdr": {"Element": {"Fields": fields}}}],
                }
            }
        }

    inserted = body("Jansen", "Kerkstraat")  # the first address has no BeginDate

    renamed = changed_fields(inserted, body("Jansen-Smit", "Kerkstraat", "2024-06-01"))
    moved = changed_fields(inserted, body("Jansen", "Vredenburg", "2024-06-01"))

    # (the keys are placed by update(), not by the change)
    assert renamed == {"KnPerson": {"Element": {"Fields": {"LaNm": "Jansen-Smit"}}}}
    assert moved is not None
    [address] = moved["KnPerson"]["Element"]["Objects"]
    assert address["KnBasicAddressAdr"]["Element"]["Fields"] == {
        "Ad": "Vredenburg",
        "ZpCd": "3511AX",
        "BeginDate": "2024-06-01",
    }
    later = body("Jansen", "Vredenburg", "2024-07-01")
    assert changed_fields(body("Jansen", "Vredenburg", "2024-06-01"), later) is None
