"""The HTTP plumbing every target shares: its httpx client, ``Retry-After``, and the boundary
where httpx's errors become importer's.

Like httpx's own ``map_httpcore_exceptions`` (``httpx/_transports/default.py``), foreign
errors are translated in one place, with ``raise ... from exc``:

- no connection at all (``ConnectError``, ``ConnectTimeout``): :class:`TargetUnreachable`,
  the run stops: ``Cannot reach AFAS at 12345.rest.afas.online: ...``;
- any other transport error on a write: an unknown :class:`Reply`, since the request may
  have reached the system (the record may or may not exist);
- on a read: :class:`LookupFailed` (the rows that needed it fail, the run goes on);
- on a check made before anything is written (credentials, a connector's fields): any
  transport error stops the run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx

from importer.audit import Audit, AuditTransport
from importer.errors import LookupFailed, TargetUnreachable
from importer.targets import Reply, ReplyKind

# Headers and body go out in two writes; without TCP_NODELAY the body waits for the server's
# delayed ACK (about 40 ms a request).
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]


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
    if given, is told of every request and reply over either (:class:`AuditTransport`).
    """
    concurrency = max(1, concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    network = transport or httpx.HTTPTransport(socket_options=NODELAY, limits=limits)
    return httpx.Client(
        base_url=base_url,
        headers=dict(headers),
        auth=auth,
        timeout=timeout,
        follow_redirects=False,  # a redirect must never carry a key to another host
        transport=AuditTransport(network, audit) if audit else network,
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


@dataclass(frozen=True)
class Boundary:
    """Where one target's httpx errors become importer's, and how those messages name it."""

    system: str  # "AFAS", "Recras"
    host: str  # "12345.rest.afas.online"
    records_in: str  # where a user looks a record up: "Profit", "Recras"

    def unreachable(self, exc: httpx.TransportError) -> TargetUnreachable:
        return TargetUnreachable(f"Cannot reach {self.system} at {self.host}: {exc}")

    @contextlib.contextmanager
    def checking(self) -> Iterator[None]:
        """Any transport error stops the run (a check made before anything is written)."""
        try:
            yield
        except httpx.TransportError as exc:
            raise self.unreachable(exc) from exc

    @contextlib.contextmanager
    def reading(self, failed: str) -> Iterator[None]:
        """No connection stops the run; no answer fails the read: ``<failed> (ReadTimeout)``."""
        try:
            yield
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise self.unreachable(exc) from exc
        except httpx.TransportError as exc:
            raise LookupFailed(f"{failed} ({type(exc).__name__})") from exc

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
                error=(
                    f"no answer from {self.system} ({type(exc).__name__}); the record may or "
                    f"may not exist: check {connector} in {self.records_in} before sending it "
                    "again"
                ),
            )
