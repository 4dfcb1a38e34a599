"""The HTTP plumbing the targets share: Retry-After, and httpx's errors as importer's."""

from __future__ import annotations

import httpx
import pytest

from importer.errors import LookupFailed, TargetUnreachable
from importer.targets import ReplyKind
from importer.targets.http import Boundary, Busy, backoff, retry_after

BOUNDARY = Boundary("AFAS", "12345.rest.afas.online", records_in="Profit")


def test_retry_after_as_an_http_date():
    assert retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=lambda: 1445412480.0) == 30
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412480.0 + 60) == 0
    assert retry_after("soon") is None and retry_after(None) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 7.5 ", 7.5),
        (7200, 7200.0),
        ("-5", 0.0),
        ("nan", None),
        (True, None),
        ("", None),
    ],
)
def test_retry_after_as_a_number_of_a_header_or_a_json_body(value, seconds):
    assert retry_after(value) == seconds


@pytest.mark.parametrize(
    ("headers", "attempt", "wait"),
    [
        ({}, 1, 1.0),
        ({}, 3, 4.0),
        ({}, 9, 10.0),
        ({"Retry-After": "3"}, 3, 3.0),
        ({"Retry-After": "600"}, 1, 10.0),
    ],
)
def test_stamina_is_told_to_wait_as_a_busy_read_asks_within_bounds_else_exponentially(
    headers, attempt, wait
):
    busy = Busy(httpx.Response(429, headers=headers), attempt, max_wait=10.0)

    assert backoff(busy) == wait
    assert backoff(httpx.ReadTimeout("slow")) is False  # no answer: not tried again


def failing(exc: Exception):
    def send() -> httpx.Response:
        raise exc

    return send


def test_a_write_without_an_answer_is_unknown_and_one_without_a_connection_stops_the_run():
    reply = BOUNDARY.write("KnPerson", failing(httpx.ReadTimeout("slow")))

    assert reply.kind is ReplyKind.UNKNOWN
    assert str(reply.error) == (
        "no answer from AFAS (ReadTimeout); the record may or may not exist: check KnPerson in "
        "Profit before sending it again"
    )
    for exc in (httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")):
        with pytest.raises(TargetUnreachable) as caught:
            BOUNDARY.write("KnPerson", failing(exc))
        assert str(caught.value) == f"Cannot reach AFAS at 12345.rest.afas.online: {exc}"
        assert caught.value.__cause__ is exc


def mapped(context, exc: Exception) -> Exception:
    """What one of the boundary's contexts makes of ``exc`` (raised from it)."""
    with pytest.raises(Exception) as caught, context:
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


def test_a_read_without_an_answer_fails_and_a_check_without_one_stops_the_run():
    failed = mapped(BOUNDARY.reading("KnPerson gave no answer"), httpx.ReadError("reset"))
    unreachable = mapped(BOUNDARY.reading("KnPerson gave no answer"), httpx.ConnectError("no"))
    unchecked = mapped(BOUNDARY.checking(), httpx.ReadTimeout("slow"))

    assert (type(failed), str(failed)) == (LookupFailed, "KnPerson gave no answer (ReadError)")
    assert (type(unreachable), str(unreachable)) == (
        TargetUnreachable,
        "Cannot reach AFAS at 12345.rest.afas.online: no",
    )
    assert (type(unchecked), str(unchecked)) == (
        TargetUnreachable,
        "Cannot reach AFAS at 12345.rest.afas.online: slow",
    )
