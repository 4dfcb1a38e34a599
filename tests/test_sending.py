"""Sending one record: which replies are tried again, how long a retry waits, what stops it."""

from __future__ import annotations

import threading

import pytest

from importer.errors import LookupFailed
from importer.messages import Message
from importer.sending import Options, Sending, said
from importer.targets import Reply, ReplyKind

TRANSIENT = Reply(ReplyKind.TRANSIENT)


def sending(stop: threading.Event | None = None, **options: float) -> Sending:
    """A Sending for its retry rule alone: retry_wait reads only the options and the stop."""
    return Sending(None, None, None, Options(**options), stop or threading.Event())


@pytest.mark.parametrize("kind", [ReplyKind.OK, ReplyKind.REFUSED, ReplyKind.UNKNOWN])
def test_only_a_transient_refusal_is_tried_again(kind):
    assert sending().retry_wait(Reply(kind), 1, 0.0) is None


def test_the_wait_doubles_per_try_with_jitter_until_the_retries_are_used_up():
    rule = sending(retries=3, backoff=1.0)

    for attempt, (low, high) in enumerate([(1, 2), (2, 4), (4, 8)], start=1):
        assert low <= rule.retry_wait(TRANSIENT, attempt, 0.0) <= high
    assert rule.retry_wait(TRANSIENT, 4, 0.0) is None


def test_the_wait_the_target_asks_for_is_kept_within_max_wait():
    rule = sending(max_wait=60.0)

    assert rule.retry_wait(Reply(ReplyKind.TRANSIENT, retry_after=5.0), 1, 0.0) == 5.0
    assert rule.retry_wait(Reply(ReplyKind.TRANSIENT, retry_after=500.0), 1, 0.0) == 60.0


def test_no_wait_goes_past_the_retry_budget_of_a_row():
    rule = sending(retry_budget=300.0)
    asked = Reply(ReplyKind.TRANSIENT, retry_after=5.0)

    assert rule.retry_wait(asked, 1, 295.0) == 5.0
    assert rule.retry_wait(asked, 1, 296.0) is None


def test_a_stopped_run_tries_nothing_again():
    stop = threading.Event()
    stop.set()

    assert sending(stop).retry_wait(TRANSIENT, 1, 0.0) is None


def test_a_failure_says_its_message_or_else_its_text():
    reason = Message("text", text="the token is refused")

    assert said(LookupFailed(reason)) is reason
    assert said(ValueError("boom")) == Message("text", text="boom")
