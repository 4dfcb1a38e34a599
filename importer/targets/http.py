"""The HTTP plumbing every target shares: its httpx client, ``Retry-After``, reads tried again
with stamina, and the boundary where httpx's errors become importer's.

Like httpx's own ``map_httpcore_exceptions`` (``httpx/_transports/default.py``), foreign
errors are translated in one place, with ``raise ... from exc``:

- no connection at all (``ConnectError``, ``ConnectTimeout``): :class:`TargetUnreachable`,
  the run stops: ``Cannot reach AFAS at 12345.rest.afas.online: ...``;
- any other transport error on a write: an unknown :class:`Reply`, since the request may
  have reached the system (the record may or may not exist);
- on a read: :class:`LookupFailed` (the rows that needed it fail, the run goes on);
- on a check made before anything is written (credentials, a connector's fields): any
  transport error stops the run.

Only reads are tried again here (:func:`retried`): they change nothing. A write is tried
again by the runner, which journals each try (``importer/sending.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import logging
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx
import stamina

from importer.audit import Audit, AuditTransport
from importer.errors import LookupFailed, TargetUnreachable
from importer.messages import Message
from importer.pacing import PacedTransport, Pacer
from importer.targets import Reply, ReplyKind

# Headers and body go out in two writes; without TCP_NODELAY the body waits for the server's
# delayed ACK (about 40 ms a request).
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
BUSY = (429, 503)  # a read answered so is tried again

# stamina logs each retry at WARNING. With no logging set up (the CLI sets none), Python would
# print a bare "stamina.retry_scheduled" amid the CLI's output; an application that does set
# logging up still receives the records.
logging.getLogger("stamina").addHandler(logging.NullHandler())


def client(
    base_url: str,
    *,
    headers: Mapping[str, str],
    timeout: float,
    concurrency: int,
    transport: httpx.BaseTransport | None = None,
    audit: Audit | None = None,
    auth: httpx.Auth | None = None,
) -> httpx.Client:
    """An httpx client for one target, with a connection kept alive per request in flight.

    ``transport`` stands in for the network (tests pass an ``httpx.MockTransport``); ``audit``,
    if given, is told of every request and reply over either (:class:`AuditTransport`), and,
    when it has a ``paced`` method (the audit trail), of each change of the requests let in
    parallel: ``concurrency`` is their ceiling, a :class:`importer.pacing.Pacer` their limit.
    """
    concurrency = max(1, concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    network = transport or httpx.HTTPTransport(socket_options=NODELAY, limits=limits)
    audited = AuditTransport(network, audit) if audit else network
    pacer = Pacer(concurrency, report=getattr(audit, "paced", None))
    return httpx.Client(
        base_url=base_url,
        headers=dict(headers),
        auth=auth,
        timeout=timeout,
        follow_redirects=False,  # a redirect must never carry a key to another host
        transport=PacedTransport(audited, pacer),
    )


def retry_after(value: object, now: Callable[[], float] = time.time) -> float | None:
    """Seconds a ``Retry-After`` asks to wait: a number (of a header or a JSON body) or an HTTP
    date; None if absent or unreadable."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            seconds = when.timestamp() - now()
    else:
        return None
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


class Busy(Exception):
    """A read answered 429 or 503, raised in a try so that stamina tries it again."""

    def __init__(self, response: httpx.Response, attempt: int, max_wait: float):
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        asked = retry_after(response.headers.get("retry-after"))
        # as long as the system asks, within bounds; else 1, 2, 4 s
        self.wait = min(max_wait, asked if asked is not None else 2.0 ** (attempt - 1))


def backoff(exc: Exception) -> float | bool:
    """stamina's backoff hook: a busy read waits what it says; nothing else is tried again."""
    return exc.wait if isinstance(exc, Busy) else False


def retried(send: Callable[[], httpx.Response], *, tries: int, max_wait: float) -> httpx.Response:
    """A read (``send()``) tried up to ``tries`` times while it is answered 429 or 503, waiting
    as ``Retry-After`` says but at most ``max_wait`` s (else 1, 2, 4 s), with stamina.

    The last answer comes back whatever it is: the caller says what it means. Transport
    errors are not tried again (the boundary's ``reading`` says what they mean).
    """
    try:
        # tries alone bound it: stamina's default 45 s timeout would cut a patient read short
        for attempt in stamina.retry_context(on=backoff, attempts=tries, timeout=None):
            with attempt:
                response = send()
                if response.status_code in BUSY:
                    raise Busy(response, attempt.num, max_wait)
                return response
    except Busy as busy:
        return busy.response
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Boundary:
    """Where one target's httpx errors become importer's, and how those messages name it."""

    system: str  # "AFAS", "Recras"
    host: str  # "12345.rest.afas.online"
    records_in: str  # where a user looks a record up: "Profit", "Recras"

    def unreachable(self, exc: httpx.TransportError) -> TargetUnreachable:
        return TargetUnreachable(
            Message("target.unreachable", system=self.system, host=self.host, error=str(exc))
        )

    @contextlib.contextmanager
    def checking(self) -> Iterator[None]:
        """Any transport error stops the run (a check made before anything is written)."""
        try:
            yield
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from exc

    @contextlib.contextmanager
    def reading(self, failed: Message) -> Iterator[None]:
        """No connection stops the run; no answer fails the read: ``<failed> (ReadTimeout)``."""
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self.unreachable(exc) from exc
        except httpx.TransportError as exc:
            raise LookupFailed(
                Message("lookup.transport", failed=failed, error=type(exc).__name__)
            ) from exc

    def write(self, connector: str, send: Callable[[], httpx.Response]) -> httpx.Response | Reply:
        """The answer to ``send()``, or an unknown Reply when none came; no connection stops
        the run (nothing was sent)."""
        try:
            return send()
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self.unreachable(exc) from exc
        except httpx.TransportError as exc:
            return Reply(
                ReplyKind.UNKNOWN,
                error=Message(
                    "reply.no_answer",
                    system=self.system,
                    why=type(exc).__name__,
                    connector=connector,
                    records_in=self.records_in,
                ),
            )
