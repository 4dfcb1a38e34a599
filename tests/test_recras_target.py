"""The Recras client: bearer key, replies, errors, paging, lookups and the contract (MockTransport)."""

from __future__ import annotations

import json

import httpx
import pytest
import stamina

from importer import targets
from importer.errors import (
    AuthenticationError,
    ConfigurationError,
    LookupFailed,
    TargetUnreachable,
)
from importer.targets import ReplyKind
from importer.targets.recras.client import READ_TRIES, RecrasTarget
from importer.targets.recras.contract import RecrasContract

BASE = "https://acme.recras.nl"
KEY = "s3cr3t-Recras-KEY-0123456789"
ME = httpx.Response(200, json={"id": 1, "voornaam": "Api"})


@pytest.fixture(autouse=True)
def no_waits():
    """Reads answered 429 or 503 are tried as often as in a run, without waiting (stamina's
    test mode)."""
    with stamina.set_testing(True, attempts=READ_TRIES, cap=True):
        yield


@pytest.fixture
def waits():
    """The wait stamina was told to make before each retry (its test mode then waits 0 s)."""
    seen: list[float] = []
    hooks = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda retry: seen.append(retry.caused_by.wait)])
    yield seen
    stamina.instrumentation.set_on_retry_hooks(hooks)


def target(handler, base: str = BASE, **options) -> RecrasTarget:
    return RecrasTarget(base, KEY, transport=httpx.MockTransport(handler), **options)


class Recorder:
    """A fake Recras: answers /personeel/me with 200 and everything else with ``reply``."""

    def __init__(self, *replies: httpx.Response | Exception):
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api2/personeel/me":
            return ME
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        return reply

    @property
    def writes(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.method != "GET"]


KLANT = {
    "naam": "Voorbeeldgroep",
    "postcode": "1337 XD",
    "provinciecode": "NL-NH",
    "contactpersonen": [
        {"id": 15, "hoofdcontact": False},
        {
            "voornaam": "Test",
            "achternaam": "Contactpersoon",
            "geslacht": "man",
            "email1": "test@example.com",
            "hoofdcontact": True,
        },
    ],
    "extra_fields": [{"name": "Shoe size", "type": "number", "value": 42}],
}


# --- writing ---------------------------------------------------------------------------------------


def test_insert_posts_json_with_the_key_as_bearer_never_basic_and_reads_the_id():
    fake = Recorder(httpx.Response(201, json={"id": 83, "type": "klant", "naam": "Zoë"}))

    reply = target(fake).insert("klanten", {**KLANT, "naam": "Zoë"})

    assert reply.kind is ReplyKind.OK and reply.ids["id"] == "83" and reply.ids["naam"] == "Zoë"
    me, post = fake.requests
    assert (me.method, str(me.url)) == ("GET", f"{BASE}/api2/personeel/me")
    assert (post.method, str(post.url)) == ("POST", f"{BASE}/api2/klanten")
    for request in fake.requests:
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert "basic" not in request.headers["authorization"].lower()
    assert post.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(post.content) == {**KLANT, "naam": "Zoë"}
    assert "Zoë".encode() in post.content


def test_the_key_is_checked_once_before_the_first_write():
    created = httpx.Response(201, json={"id": 1})
    fake = Recorder(created, created, httpx.Response(200, json=[]))
    client = target(fake)

    assert isinstance(client.contract("klanten"), RecrasContract)
    assert client.contract("facturen") is None
    client.insert("klanten", KLANT)
    client.insert("klanten", KLANT)
    client.lookup("contacten", [{"naam": "x"}])

    paths = [r.url.path for r in fake.requests]
    assert paths == ["/api2/personeel/me", "/api2/klanten", "/api2/klanten", "/api2/contacten"]


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_key_stops_the_run_at_the_credential_check(status):
    def handler(request):
        return httpx.Response(status, json={"error": {"message": "Geen toegang"}})

    with pytest.raises(AuthenticationError) as exc:
        target(handler).contract("klanten")

    assert f"HTTP {status}" in str(exc.value)
    assert KEY not in str(exc.value)


def test_a_refused_key_on_a_write_stops_the_run():
    fake = Recorder(httpx.Response(403, json={"message": "Geen rechten voor klanten"}))

    with pytest.raises(AuthenticationError, match="Geen rechten voor klanten"):
        target(fake).insert("klanten", KLANT)


def test_an_unreachable_host_stops_the_run():
    def handler(request):
        raise httpx.ConnectError("Name or service not known")

    with pytest.raises(TargetUnreachable, match="Cannot reach Recras at acme.recras.nl"):
        target(handler).contract("klanten")


@pytest.mark.parametrize(
    ("status", "error"),
    [(404, ConfigurationError), (500, TargetUnreachable), (503, TargetUnreachable)],
)
def test_a_credential_check_that_does_not_answer_200_says_why(status, error):
    with pytest.raises(error) as exc:
        target(lambda r: httpx.Response(status, text="Not Found")).contract("klanten")

    assert f"HTTP {status}" in str(exc.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": "Klant bestaat al"}, "Klant bestaat al"),
        ({"message": "Ongeldige postcode"}, "Ongeldige postcode"),
        (
            {"error": {"message": "Er kan slechts 1 hoofdcontact zijn"}},
            "Er kan slechts 1 hoofdcontact zijn",
        ),
        (
            {"errors": [{"message": "naam ontbreekt"}, "plaats ontbreekt"]},
            "naam ontbreekt; plaats ontbreekt",
        ),
        ({"error": {"code": 12}}, '{"error":{"code":12}}'),  # no message: the raw body
    ],
)
def test_error_bodies_are_read_from_error_message_or_error_message(body, message):
    reply = target(Recorder(httpx.Response(422, json=body))).insert("klanten", KLANT)

    assert reply.kind is ReplyKind.REFUSED
    assert str(reply.error) == f"HTTP 422: {message}"


def test_an_error_without_json_shows_the_start_of_the_raw_body():
    html = "<html><body>" + "Internal error " * 40 + "</body></html>"
    reply = target(Recorder(httpx.Response(500, text=html))).insert("klanten", KLANT)

    assert str(reply.error).startswith("HTTP 500: <html><body>Internal error")
    assert str(reply.error).endswith("...") and len(str(reply.error)) < 320
    empty = target(Recorder(httpx.Response(400))).insert("klanten", KLANT)
    assert str(empty.error) == "HTTP 400: no message"


def test_the_raw_reply_of_every_request_goes_to_the_audit_hook_without_the_key():
    seen = []
    fake = Recorder(httpx.Response(422, text='{"error": {"message": "nee", "detail": [1, 2]}}'))

    target(fake, audit=lambda **exchange: seen.append(exchange)).insert("klanten", KLANT)

    assert [(e["method"], e["url"], e["status"]) for e in seen] == [
        ("GET", f"{BASE}/api2/personeel/me", 200),
        ("POST", f"{BASE}/api2/klanten", 422),
    ]
    assert seen[1]["reply_body"] == b'{"error": {"message": "nee", "detail": [1, 2]}}'
    assert all(KEY not in repr(e) for e in seen)


@pytest.mark.parametrize(("status", "word"), [(429, "busy"), (503, "unavailable")])
def test_429_and_503_are_transient_and_say_how_long_to_wait(status, word):
    reply = target(
        Recorder(httpx.Response(status, headers={"Retry-After": "12"}, json={"message": "Later"}))
    ).insert("klanten", KLANT)

    assert reply.kind is ReplyKind.TRANSIENT
    assert reply.retry_after == 12
    assert str(reply.error) == f"Recras is {word} (HTTP {status}: Later); try again after 12 s"
    bare = target(Recorder(httpx.Response(status))).insert("klanten", KLANT)
    assert (bare.kind, bare.retry_after) == (ReplyKind.TRANSIENT, None)


def test_reads_answered_429_or_503_are_tried_again_after_a_bounded_wait(waits):
    fake = Recorder(
        httpx.Response(429),
        httpx.Response(503, headers={"Retry-After": "600"}),
        httpx.Response(200, json=[{"id": 1, "naam": "x"}]),
    )

    assert [r["id"] for r in target(fake).lookup("contacten", [{"naam": "X"}])] == [1]
    # a bare 429: 1 s, the first of 1, 2, 4 s; a 503 asking for 600 s: at most 10 s
    assert waits == [1.0, 10.0]
    assert len(fake.requests) == 1 + 3  # the key's check, then the read three times

    waits.clear()
    busy = Recorder(httpx.Response(503, json={"message": "Onderhoud"}))
    with pytest.raises(LookupFailed, match="HTTP 503: Onderhoud"):
        target(busy).lookup("contacten", [{"naam": "X"}])
    assert waits == [1.0, 2.0, 4.0]
    assert len(busy.requests) == 1 + READ_TRIES


def test_a_read_that_gets_no_answer_is_not_tried_again(waits):
    fake = Recorder(httpx.ReadTimeout("slow"), httpx.Response(200, json=[]))

    with pytest.raises(LookupFailed, match=r"no answer from Recras \(ReadTimeout\)"):
        target(fake).lookup("contacten", [{"naam": "X"}])
    assert (waits, len(fake.requests)) == ([], 2)


@pytest.mark.parametrize(
    "failure",
    [
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(504, text="Gateway Timeout"),
        httpx.Response(502, text="Bad Gateway"),
    ],
)
def test_no_answer_after_sending_is_unknown_never_failed(failure):
    reply = target(Recorder(failure)).insert("klanten", KLANT)

    assert reply.kind is ReplyKind.UNKNOWN
    assert "the record may or may not exist: check klanten in Recras" in str(reply.error)


def test_a_write_that_cannot_connect_stops_the_run():
    fake = Recorder(httpx.ConnectError("Connection refused"))

    with pytest.raises(TargetUnreachable):
        target(fake).insert("klanten", KLANT)


def test_update_goes_to_the_id_given_and_leaves_an_id_in_the_body_out():
    fake = Recorder(httpx.Response(200, json={"id": 17, "naam": "Nieuw"}))

    reply = target(fake).update("klanten", {"id": "17", "naam": "Nieuw"}, {"id": "17"})

    assert reply.kind is ReplyKind.OK and reply.ids["id"] == "17"
    put = fake.writes[0]
    assert (put.method, put.url.path) == ("PUT", "/api2/klanten/17")
    assert json.loads(put.content) == {"naam": "Nieuw"}
    assert [r.method for r in fake.requests if r.url.path != "/api2/personeel/me"] == ["PUT"]


def test_update_takes_an_id_left_in_the_body_out_of_it():
    # templates of earlier versions wrote "id": {{ existing.get("id") }}
    fake = Recorder(httpx.Response(200, json={"id": 17, "naam": "Nieuw"}))
    client = target(fake)

    client.update("klanten", {"id": "99", "naam": "Nieuw"}, {"id": "17"})

    assert [w.url.path for w in fake.writes] == ["/api2/klanten/17"]
    assert all(json.loads(w.content) == {"naam": "Nieuw"} for w in fake.writes)


def test_update_without_a_usable_id_sends_nothing():
    fake = Recorder(httpx.Response(200, json={}))
    client = target(fake)

    with pytest.raises(ValueError, match="needs the id 'id'"):
        client.update("klanten", {"naam": "Nieuw"}, {})
    wrong = client.update("klanten", {"naam": "Nieuw"}, {"id": "17/../../personeel"})

    assert wrong.kind is ReplyKind.REFUSED and "is not a Recras id" in str(wrong.error)
    assert fake.writes == []


def test_recras_names_its_update_ids_and_deletes_nothing():
    assert (RecrasTarget.update_ids("klanten"), RecrasTarget.delete_ids("klanten")) == (("id",), ())
    assert RecrasTarget.clear_value is None
    with pytest.raises(ValueError, match="cannot delete"):
        target(Recorder(httpx.Response(200, json={}))).delete("klanten", {"id": "17"})


STANDING = {
    "id": 17,
    "naam": "Voorbeeldgroep",
    "contactpersonen": [
        {"id": 15, "voornaam": "Janny", "achternaam": "Jansen", "email1": None, "hoofdcontact": True},
        {"id": 16, "voornaam": "Piet", "achternaam": "de Vries", "email1": "piet@example.com",
         "hoofdcontact": False},
        {"id": 18, "voornaam": "Kees", "achternaam": "Bos", "email1": None, "hoofdcontact": False},
    ],
}  # fmt: skip


def test_an_update_keeps_the_ids_of_the_contact_persons_it_matches():
    fake = Recorder(httpx.Response(200, json=STANDING), httpx.Response(200, json={"id": 17}))
    people = [
        {"voornaam": "JANNY ", "achternaam": "jansen", "telefoon1": "0612345678", "hoofdcontact": True},
        {"voornaam": "Pieter", "achternaam": "Vries", "email1": "Piet@Example.com", "hoofdcontact": False},
        {"voornaam": "Nieuw", "achternaam": "Persoon", "hoofdcontact": False},
    ]  # fmt: skip

    reply = target(fake).update("klanten", {"contactpersonen": people}, {"id": "17"})

    assert reply.ok
    read, put = [r for r in fake.requests if r.url.path != "/api2/personeel/me"]
    assert (read.method, read.url.path) == ("GET", "/api2/klanten/17")
    assert (put.method, put.url.path) == ("PUT", "/api2/klanten/17")
    sent = json.loads(put.content)["contactpersonen"]
    # by first and last name (case and spaces aside), else by email1; Kees is left out: unlinked
    assert [p.get("id") for p in sent] == [15, 16, None]
    assert sent[0] == {"id": 15, **people[0]}
    assert sent[2] == people[2]


def test_each_existing_person_is_given_once_and_one_named_by_id_keeps_it():
    fake = Recorder(httpx.Response(200, json=STANDING), httpx.Response(200, json={"id": 17}))
    people = [
        {"id": 15, "hoofdcontact": True},
        {"voornaam": "Janny", "achternaam": "Jansen", "hoofdcontact": False},
        {"voornaam": "Kees", "achternaam": "Bos", "hoofdcontact": False},
        {"voornaam": "Kees", "achternaam": "Bos", "hoofdcontact": False},
    ]

    target(fake).update("klanten", {"contactpersonen": people}, {"id": "17"})

    sent = json.loads(fake.writes[0].content)["contactpersonen"]
    assert [p.get("id") for p in sent] == [15, None, 18, None]


def test_an_update_whose_contact_persons_all_have_ids_reads_nothing_first():
    fake = Recorder(httpx.Response(200, json={"id": 17}))

    target(fake).update(
        "klanten", {"contactpersonen": [{"id": 15, "hoofdcontact": True}]}, {"id": "17"}
    )

    assert [r.method for r in fake.requests if r.url.path != "/api2/personeel/me"] == ["PUT"]


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (httpx.Response(404, json={"error": "Klant 17 bestaat niet"}), ReplyKind.REFUSED),
        (httpx.Response(503, headers={"Retry-After": "30"}), ReplyKind.TRANSIENT),
        (httpx.ReadTimeout("too slow"), ReplyKind.TRANSIENT),
    ],
)
def test_a_klant_that_cannot_be_read_first_is_not_put(answer, kind):
    fake = Recorder(answer)
    body = {
        "contactpersonen": [{"voornaam": "Janny", "achternaam": "Jansen", "hoofdcontact": True}]
    }

    reply = target(fake).update("klanten", body, {"id": "17"})

    assert reply.kind is kind and fake.writes == []
    assert str(reply.error).startswith(
        "not sent: the PUT of klanten 17 names its contact persons, so klanten 17 is read first "
        "to keep their ids, and that did not succeed: "
    )


def test_an_endpoint_name_cannot_leave_the_api():
    fake = Recorder(httpx.Response(201))
    client = target(fake)

    with pytest.raises(ConfigurationError, match="not a Recras endpoint name"):
        client.contract("../admin")
    with pytest.raises(ConfigurationError, match="not a Recras endpoint name"):
        client.insert("../admin", KLANT)
    with pytest.raises(LookupFailed, match="not a Recras endpoint name"):
        client.lookup("contacten?x=1", [{"naam": "x"}])
    assert fake.writes == []


def test_a_dropped_answer_is_in_the_audit_trail_too():
    seen = []
    dropped = Recorder(httpx.ReadTimeout("slow"))

    target(dropped, audit=lambda **exchange: seen.append(exchange)).insert("klanten", KLANT)

    assert (seen[-1]["url"], seen[-1]["status"], seen[-1]["error"]) == (
        f"{BASE}/api2/klanten",
        None,
        "ReadTimeout: slow",
    )


# --- reading ---------------------------------------------------------------------------------------

CONTACTS = [
    {
        "id": 1,
        "type": "klant",
        "naam": "Café 't Hoekje",
        "postcode": "8911CN",
        "contactpersonen": [],
    },
    {"id": 2, "type": "leverancier", "naam": "Café 't Hoekje", "postcode": "8911 CN"},
    {
        "id": 3,
        "type": "klant",
        "naam": "Familie  Janssen",
        "postcode": "5211 ab",
        "contactpersonen": [
            {"id": 7, "email1": "kees@voorbeeld.test", "hoofdcontact": True},
            {"id": 8, "email1": "anna@voorbeeld.test", "hoofdcontact": False},
        ],
    },
    {"id": 4, "type": "klant", "naam": "Zoë", "postcode": None, "contactpersonen": []},
    {"id": 5, "type": "klant", "naam": "Zoe\u0308 en co", "postcode": "1016DV"},
]


def paged(rows, size, *, absolute=True):
    """A list endpoint that pages ``rows`` with Link headers, as Recras does."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api2/personeel/me":
            return ME
        page = int(request.url.params.get("page", "1"))
        last = max(1, -(-len(rows) // size))
        links = (
            [
                f'<{"https://acme.recras.nl" if absolute else ""}/api2/contacten?page={page + 1}>; rel="next"'
            ]
            if page < last
            else []
        )
        links.append('<https://acme.recras.nl/api2/contacten?page=1>; rel="first"')
        headers = {
            "Link": ", ".join(links),
            "X-Total-Count": str(len(rows)),
            "X-Page-Size": str(size),
        }
        return httpx.Response(200, json=rows[(page - 1) * size : page * size], headers=headers)

    return handler


@pytest.mark.parametrize("absolute", [True, False])
def test_lookup_follows_link_next_over_every_page(absolute):
    seen = []
    handler = paged(CONTACTS, 2, absolute=absolute)

    def spy(request):
        seen.append(str(request.url))
        return handler(request)

    found = target(spy).lookup("contacten", [{"naam": "Zoë en co"}])

    assert [f["id"] for f in found] == [5]
    assert seen[1:] == [
        f"{BASE}/api2/contacten",
        f"{BASE}/api2/contacten?page=2",
        f"{BASE}/api2/contacten?page=3",
    ]


def test_lookup_filters_are_ored_and_their_fields_anded_ignoring_case_spaces_and_postcode_space():
    client = target(paged(CONTACTS, 100))

    found = client.lookup(
        "contacten",
        [
            {"type": "klant", "naam": "CAFÉ 'T HOEKJE", "postcode": "8911 cn"},
            {"type": "klant", "naam": "familie janssen", "postcode": "5211AB"},
            {"type": "klant", "naam": "Familie Janssen", "postcode": "9999ZZ"},
        ],
    )

    assert [f["id"] for f in found] == [1, 3]
    # each found record carries the filter's own spelling, so the runner can pair them
    assert found[0]["naam"] == "CAFÉ 'T HOEKJE" and found[0]["postcode"] == "8911 cn"
    assert found[1]["postcode"] == "5211AB"


def test_lookup_by_a_contact_persons_field():
    found = target(paged(CONTACTS, 100)).lookup(
        "contacten", [{"contactpersonen.email1": "ANNA@voorbeeld.test"}]
    )

    assert [f["id"] for f in found] == [3]
    assert found[0]["contactpersonen.email1"] == "ANNA@voorbeeld.test"


def test_lookup_matches_every_record_that_fits_so_the_runner_can_refuse_ambiguity():
    found = target(paged(CONTACTS, 100)).lookup(
        "contacten", [{"naam": "Café 't Hoekje", "postcode": "8911CN"}]
    )

    assert sorted(f["id"] for f in found) == [1, 2]


def test_lookup_finds_next_among_other_links_in_any_order_and_over_several_headers():
    def handler(request):
        if request.url.path == "/api2/personeel/me":
            return ME
        if request.url.params.get("page") == "2":
            return httpx.Response(200, json=CONTACTS[2:])
        links = [
            ("Link", '<https://acme.recras.nl/api2/contacten?page=1>; rel="first"'),
            (
                "Link",
                '<https://acme.recras.nl/api2/contacten?page=9>; rel="last", '
                '</api2/contacten?page=2>; rel="next"',
            ),
        ]
        return httpx.Response(200, json=CONTACTS[:2], headers=links)

    found = target(handler).lookup("contacten", [{"postcode": "1016 DV"}])

    assert [f["id"] for f in found] == [5]


def test_lookup_refuses_a_next_page_on_another_host():
    def handler(request):
        if request.url.path == "/api2/personeel/me":
            return ME
        return httpx.Response(
            200,
            json=[],
            headers={"Link": '<https://evil.example/api2/contacten?page=2>; rel="next"'},
        )

    with pytest.raises(LookupFailed, match="another host"):
        target(handler).lookup("contacten", [{"naam": "x"}])


def test_lookup_refuses_pages_that_link_in_a_circle():
    def handler(request):
        if request.url.path == "/api2/personeel/me":
            return ME
        return httpx.Response(200, json=[], headers={"Link": '</api2/contacten>; rel="next"'})

    with pytest.raises(LookupFailed, match="circle"):
        target(handler).lookup("contacten", [{"naam": "x"}])


def test_lookup_refuses_a_list_shorter_than_its_total_without_a_next_link():
    def handler(request):
        if request.url.path == "/api2/personeel/me":
            return ME
        return httpx.Response(200, json=CONTACTS[:2], headers={"X-Total-Count": "5"})

    with pytest.raises(LookupFailed, match="counts 5 records but gave 2"):
        target(handler).lookup("contacten", [{"naam": "x"}])


@pytest.mark.parametrize(
    ("failure", "error", "message"),
    [
        (
            httpx.Response(406, json={"error": "Onbekende parameter"}),
            LookupFailed,
            "HTTP 406: Onbekende parameter",
        ),
        (httpx.Response(200, json={"not": "a list"}), LookupFailed, "not a list"),
        (httpx.ReadTimeout("slow"), LookupFailed, "no answer from Recras (ReadTimeout)"),
        (httpx.Response(401), AuthenticationError, "HTTP 401"),
        (httpx.ConnectError("refused"), TargetUnreachable, "Cannot reach Recras"),
    ],
)
def test_a_lookup_that_cannot_be_answered_says_why(failure, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        target(Recorder(failure)).lookup("contacten", [{"naam": "x"}])


# --- configuration ---------------------------------------------------------------------------------


def test_the_registry_and_the_defaults():
    assert targets.spec("recras").target_class() is RecrasTarget
    assert RecrasTarget.default_concurrency == 1
    assert RecrasTarget.max_concurrency == 4


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "RECRAS_BASE_URL is not set"),
        ({"RECRAS_BASE_URL": BASE}, "RECRAS_TOKEN is not set"),
        (
            {"RECRAS_BASE_URL": "https://recras.example.com", "RECRAS_TOKEN": KEY},
            "official Recras clients refuse other host names",
        ),
        (
            {"RECRAS_BASE_URL": "https://acme.recras.nl.evil.example", "RECRAS_TOKEN": KEY},
            "refuse other host names",
        ),
        (
            {"RECRAS_BASE_URL": "http://acme.recras.nl", "RECRAS_TOKEN": KEY},
            "must start with https://",
        ),
        (
            {"RECRAS_BASE_URL": "ftp://acme.recras.nl", "RECRAS_TOKEN": KEY},
            "must start with https://",
        ),
        (
            {"RECRAS_BASE_URL": f"https://api:{KEY}@acme.recras.nl", "RECRAS_TOKEN": KEY},
            "must not hold a user name or password",
        ),
        ({"RECRAS_BASE_URL": BASE, "RECRAS_TOKEN": f"Bearer {KEY}"}, "without 'Bearer'"),
        (
            {"RECRAS_BASE_URL": f"{BASE}/api2?key={KEY}", "RECRAS_TOKEN": KEY},
            "must not hold a query (?...) or a fragment (#...)",
        ),
        (
            {"RECRAS_BASE_URL": f"{BASE}/#api2", "RECRAS_TOKEN": KEY},
            "must not hold a query (?...) or a fragment (#...)",
        ),
    ],
)
def test_configuration_errors_say_what_to_set_and_never_show_the_key(env, message):
    with pytest.raises(ConfigurationError) as exc:
        RecrasTarget.from_env(env)

    assert message in str(exc.value)
    assert KEY not in str(exc.value)
    if "not set" in message or "host names" in message or "https://" in message:
        assert "--sandbox" in str(exc.value)


@pytest.mark.parametrize(
    ("url", "environment", "confirm", "host"),
    [
        ("https://acme.recras.nl", "Recras instance acme", True, "acme.recras.nl"),
        ("https://Acme.Recras.nl/api2/", "Recras instance acme", True, "Acme.Recras.nl"),
        ("https://demo.recras.nl/api2", "Recras demo", False, "demo.recras.nl"),
        ("http://127.0.0.1:8123", "sandbox", False, "127.0.0.1:8123"),
        ("http://localhost:8123/", "sandbox", False, "localhost:8123"),
    ],
)
def test_environment_and_confirmation_follow_the_host(url, environment, confirm, host):
    client = RecrasTarget.from_env({"RECRAS_BASE_URL": url, "RECRAS_TOKEN": KEY})

    assert (client.environment, client.needs_confirmation, client.host) == (
        environment,
        confirm,
        host,
    )
    assert client.base_url == url.rstrip("/").removesuffix("/api2").rstrip("/")


def test_a_trailing_api2_in_the_base_url_is_not_doubled():
    fake = Recorder(httpx.Response(201, json={"id": 1}))

    target(fake, base="https://acme.recras.nl/api2/").insert("klanten", KLANT)

    assert [r.url.path for r in fake.requests] == ["/api2/personeel/me", "/api2/klanten"]


# --- the contract ----------------------------------------------------------------------------------


def messages(body) -> list[str]:
    return [str(v.message) for v in RecrasContract().violations(body)]


def with_people(*people, **fields):
    return {
        **{k: v for k, v in KLANT.items() if k != "contactpersonen"},
        "contactpersonen": list(people),
        **fields,
    }


MAIN = {"voornaam": "Jan", "achternaam": "Jansen", "hoofdcontact": True}
OTHER = {"voornaam": "Els", "achternaam": "Jansen", "hoofdcontact": False}


def test_a_valid_body_has_no_violations():
    assert messages(KLANT) == []
    assert messages({**KLANT, "id": 17, "type": "klant", "displaynaam": "x", "bedrijf_id": 2}) == []
    assert messages(with_people(MAIN, OTHER, {"id": 15, "hoofdcontact": False})) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"naam": "x"},
            "klant has no contactpersonen; Recras requires one or more contact persons",
        ),
        (
            with_people(),
            "klant has no contactpersonen; Recras requires one or more contact persons",
        ),
        (
            {"naam": "x", "contactpersonen": MAIN},
            "contactpersonen must be a list of contact persons",
        ),
        (
            with_people(MAIN, {"voornaam": "Els"}),
            "contactpersonen[2] does not say hoofdcontact; every contact person must say whether it is the main contact (true or false)",
        ),
        (
            with_people({**MAIN, "hoofdcontact": "ja"}),
            "contactpersonen[1].hoofdcontact must be true or false, not 'ja'",
        ),
        (
            with_people(MAIN, {**OTHER, "hoofdcontact": True}),
            "klant has 2 main contacts (hoofdcontact); exactly one is required",
        ),
        (
            with_people(OTHER, OTHER),
            "klant has no main contact (hoofdcontact: true); exactly one is required",
        ),
        (
            with_people(MAIN, {"id": "vijftien", "hoofdcontact": False}),
            "contactpersonen[2].id must be the whole-number id of an existing contact person",
        ),
        (
            with_people({**MAIN, "geslacht": "M"}),
            "geslacht 'M' is not allowed; Recras accepts man, vrouw, onbekend",
        ),
        (with_people({**MAIN, "email1": "jan@"}), "'jan@' is not an e-mail address"),
        (
            with_people({**MAIN, "emial1": "jan@x.nl"}),
            "a contact person has no field 'emial1'; did you mean 'email1'?",
        ),
        (
            with_people({**MAIN, "telefoon1": 612345678}),
            "contact person telefoon1 must be text, not the number 612345678",
        ),
        ({**KLANT, "plaatz": "Utrecht"}, "a klant has no field 'plaatz'; did you mean 'plaats'?"),
        ({**KLANT, "postcode": 1234}, "klant postcode must be text, not the number 1234"),
        (
            {**KLANT, "provinciecode": "Noord-Holland"},
            "provinciecode 'Noord-Holland' is not an ISO 3166-2 code such as NL-NH",
        ),
        (
            {**KLANT, "provinciecode": "NL-XX"},
            "provinciecode 'NL-XX' is not a Dutch province; known: NL-DR, NL-FL, NL-FR, NL-GE, NL-GR, NL-LI, NL-NB, NL-NH, NL-OV, NL-UT, NL-ZE, NL-ZH",
        ),
        ({**KLANT, "bedrijf_id": "1"}, "bedrijf_id must be a whole number (a Recras id)"),
        (
            {**KLANT, "extra_fields": {"name": "x"}},
            "extra_fields must be a list of {name, type, value}",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Aantal", "type": "number", "value": 4.5}]},
            "extra field 'Aantal' (number): the value must be a whole number, not 4.5",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Aantal", "type": "number", "value": "4"}]},
            "extra field 'Aantal' (number): the value must be a whole number, not '4'",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Sinds", "type": "date", "value": "14-03-2019"}]},
            "extra field 'Sinds' (date): the value must be an ISO 8601 date such as 2024-03-01, not '14-03-2019'",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Sinds", "type": "date", "value": "2023-02-30"}]},
            "extra field 'Sinds' (date): the value must be an ISO 8601 date such as 2024-03-01, not '2023-02-30'",
        ),
        (
            {
                **KLANT,
                "extra_fields": [{"name": "Hobby", "type": "multiplechoice", "value": "Kanoën"}],
            },
            "extra field 'Hobby' (multiplechoice): the value must be a list of texts, not 'Kanoën'",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Hobby", "type": "text", "value": ["a"]}]},
            "extra field 'Hobby' (text): the value must be text, not ['a']",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Hobby", "type": "checkbox", "value": "a"}]},
            "extra field 'Hobby' has type 'checkbox'; expected one of text, number, date, singlechoice, multiplechoice",
        ),
        (
            {**KLANT, "extra_fields": [{"name": "Hobby", "type": "text"}]},
            "extra field 'Hobby' has no value",
        ),
        (
            {**KLANT, "extra_fields": [{"type": "text", "value": "a"}]},
            "extra_fields[1] has no name",
        ),
        ([KLANT], "a klanten body must be a JSON object"),
    ],
)
def test_each_rule_of_the_contract(body, message):
    assert message in messages(body)


def test_structural_violations_name_no_value_so_no_column_is_blamed():
    two_main = RecrasContract().violations(with_people(MAIN, {**OTHER, "hoofdcontact": True}))

    assert [(v.path, v.value) for v in two_main] == [("contactpersonen", None)]


def test_the_contract_is_known_for_klanten_only():
    assert RecrasTarget.shipped_contract("klanten").source.startswith("Recras rules")
    assert RecrasTarget.shipped_contract("facturen") is None


def test_the_changes_of_an_update_hold_no_id_the_path_names_the_record():
    client = target(Recorder(ME))
    old = {
        "naam": "A",
        "plaats": "X",
        "contactpersonen": [{"achternaam": "B", "hoofdcontact": True}],
    }
    new = {"naam": "A", "contactpersonen": [{"achternaam": "C", "hoofdcontact": True}]}

    # a field left out is left as it is (only clear_when_empty's null empties one)
    assert client.changes(old, new) == {"contactpersonen": new["contactpersonen"]}
    assert client.changes(old, {**new, "plaats": None}) == {
        "plaats": None,
        "contactpersonen": new["contactpersonen"],
    }
    assert client.changes(new, new) is None
    assert client.changes({"id": "17", **new}, {"id": "17", **new}) is None
