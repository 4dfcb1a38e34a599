"""The pacer: the limit of requests in parallel halves when the target is busy or slows down
sharply, once per round of requests, and climbs back by one per window of healthy replies."""

from __future__ import annotations

import threading

import httpx
import pytest

from importer.pacing import PacedTransport, Pacer


def round_trip(pacer: Pacer, seconds: float | None = 0.01, busy: bool = False) -> None:
    pacer.release(pacer.acquire(), seconds=seconds, busy=busy)


def healthy(pacer: Pacer, n: int, seconds: float = 0.01) -> None:
    for _ in range(n):
        round_trip(pacer, seconds)


def test_a_pacer_starts_at_the_ceiling():
    assert Pacer(8).limit == 8
    assert Pacer(0).limit == 1  # never below one request


def test_a_burst_of_busy_replies_to_the_requests_in_flight_halves_the_limit_once():
    changes = []
    pacer = Pacer(8, report=lambda **change: changes.append(change))
    tickets = [pacer.acquire() for _ in range(8)]
    for ticket in tickets:
        pacer.release(ticket, seconds=0.001, busy=True)
    assert pacer.limit == 4
    assert changes == [{"limit": 4, "ceiling": 8, "why": "busy"}]


def test_the_next_round_of_busy_replies_halves_it_again_down_to_one():
    pacer = Pacer(8)
    for expected in (4, 2, 1, 1):
        round_trip(pacer, busy=True)
        assert pacer.limit == expected
    assert pacer.lowest == 1


def test_healthy_windows_climb_back_one_at_a_time_up_to_the_ceiling():
    changes = []
    pacer = Pacer(4, report=lambda **change: changes.append(change["limit"]))
    round_trip(pacer, busy=True)
    round_trip(pacer, busy=True)
    assert pacer.limit == 1
    healthy(pacer, 1)
    assert pacer.limit == 2
    healthy(pacer, 1)
    assert pacer.limit == 2  # a window is as many replies as the limit
    healthy(pacer, 1)
    assert pacer.limit == 3
    healthy(pacer, 3 + 4 + 10)
    assert pacer.limit == 4  # never above the ceiling
    assert changes == [2, 1, 2, 3, 4]


def test_replies_to_requests_sent_before_a_change_do_not_count_for_the_new_limit():
    pacer = Pacer(4)
    old = [pacer.acquire() for _ in range(3)]
    round_trip(pacer, busy=True)  # the fourth: 4 -> 2
    for ticket in old:
        pacer.release(ticket, seconds=0.01)  # sent at 4: they say nothing of 2
    assert pacer.limit == 2
    healthy(pacer, 2)
    assert pacer.limit == 3


def test_two_replies_much_slower_than_the_typical_one_halve_the_limit():
    changes = []
    pacer = Pacer(8, report=lambda **change: changes.append(change["why"]))
    healthy(pacer, 8, seconds=0.2)
    round_trip(pacer, seconds=0.59)  # less than three times the median
    round_trip(pacer, seconds=0.59)
    assert pacer.limit == 8
    round_trip(pacer, seconds=0.61)  # one heavy record is not a slower target
    assert pacer.limit == 8
    round_trip(pacer, seconds=0.61)
    assert (pacer.limit, changes) == (4, ["slow"])


def test_slowness_needs_samples_and_a_margin():
    pacer = Pacer(8)
    healthy(pacer, 7, seconds=0.1)
    round_trip(pacer, seconds=5.0)  # only 7 samples so far: nothing is typical yet
    assert pacer.limit == 8
    fast = Pacer(8)
    healthy(fast, 10, seconds=0.001)
    round_trip(fast, seconds=0.2)  # 200 times slower, but 0.2 s: noise on a fast target
    assert fast.limit == 8


def test_a_target_that_became_slower_for_good_is_typical_again_after_a_while():
    pacer = Pacer(8)
    healthy(pacer, 20, seconds=0.1)
    round_trip(pacer, seconds=1.0)
    round_trip(pacer, seconds=1.0)
    assert pacer.limit == 4
    for _ in range(60):  # down to 1 first, while 1 s is still slow, then back up
        round_trip(pacer, seconds=1.0)
    assert (pacer.lowest, pacer.limit) == (
        1,
        8,
    )  # slow replies joined the samples: 1 s is typical now


def test_replies_are_compared_with_replies_of_their_own_kind():
    pacer = Pacer(8)
    for _ in range(10):
        pacer.release(pacer.acquire(), seconds=0.1, kind="POST")
    for _ in range(2):  # pages of a read: their own kind
        pacer.release(pacer.acquire(), seconds=2.0, kind="GET")
    assert pacer.limit == 8
    for _ in range(2):
        pacer.release(pacer.acquire(), seconds=2.0, kind="POST")
    assert pacer.limit == 4


def test_a_reply_without_an_answer_to_time_says_nothing_unless_busy():
    pacer = Pacer(8)
    round_trip(pacer, seconds=None)
    assert pacer.limit == 8
    round_trip(pacer, seconds=None, busy=True)  # a timeout
    assert pacer.limit == 4
    for _ in range(8):
        round_trip(pacer, seconds=None)  # no answer is not a healthy one either
    assert pacer.limit == 4


def test_the_gate_holds_requests_beyond_the_limit_until_one_is_done():
    pacer = Pacer(2)
    round_trip(pacer, busy=True)  # limit 1
    first = pacer.acquire()
    entered = threading.Event()

    def second() -> None:
        pacer.release(pacer.acquire(), seconds=0.01)
        entered.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not entered.wait(0.05)  # waits at the gate
    assert pacer.in_flight == 1
    pacer.release(first, seconds=0.01)
    thread.join(5)
    assert entered.is_set() and pacer.in_flight == 0


@pytest.mark.parametrize(
    ("status", "raised", "limit"),
    [(200, None, 8), (503, None, 4), (429, None, 4), (500, None, 8)],
)
def test_the_transport_tells_the_pacer_what_each_reply_said(status, raised, limit):
    pacer = Pacer(8)
    transport = PacedTransport(httpx.MockTransport(lambda r: httpx.Response(status)), pacer)
    with httpx.Client(transport=transport) as client:
        assert client.get("http://target/x").status_code == status
    assert (pacer.limit, pacer.in_flight) == (limit, 0)


@pytest.mark.parametrize(
    "error", [httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError, httpx.ReadTimeout]
)
def test_a_connection_refused_dropped_or_timed_out_halves_the_limit(error):
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("no answer", request=request)

    pacer = Pacer(8)
    with httpx.Client(transport=PacedTransport(httpx.MockTransport(handler), pacer)) as client:
        for _ in range(12):  # a storm of them: never counted as healthy replies
            with pytest.raises(error):
                client.post("http://target/x")
    assert (pacer.limit, pacer.in_flight) == (1, 0)


def test_the_transport_releases_the_slot_of_a_request_without_an_answer():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/timeout":
            raise httpx.ReadTimeout("no answer", request=request)
        raise RuntimeError("not the target's doing")

    pacer = Pacer(8)
    with httpx.Client(transport=PacedTransport(httpx.MockTransport(handler), pacer)) as client:
        with pytest.raises(RuntimeError):
            client.post("http://target/drop")
        assert (pacer.limit, pacer.in_flight) == (8, 0)
        with pytest.raises(httpx.ReadTimeout):
            client.post("http://target/timeout")
        assert (pacer.limit, pacer.in_flight) == (4, 0)
