"""Faults on demand in front of the sandbox: latency, locked records, maintenance, dropped calls.

:class:`FaultInjector` is an ASGI middleware placed outside authentication. Every request waits
``latency_ms``. Write requests (POST, PUT or DELETE on a ``/connectors/`` path; not
``/oauth/token`` and not ``/sandbox/...``) are counted from 1, and write n gets the fault
``script[n]`` if the script names one, else the one drawn for it from ``random.Random(seed)``
by the rates. One number is drawn for every write, scripted or not, so the fault of write n
depends only on the seed, the rates, the script and n: a run is repeatable.

A request of several records (an ``Element`` list) is one write, and its fault is about all
of it: ``locked`` and ``unavailable`` refuse every record of it, ``drop_after`` commits every
record of it (one transaction) and loses the answer.

The faults, as Profit shows them:

- ``locked``: 500 with Profit's "record is locked" message (transient: retrying may succeed);
  the app is not called.
- ``unavailable``: 503 maintenance with ``retry_after`` in the body and a ``Retry-After``
  header; the app is not called.
- ``drop_before``: the connection breaks before the write reaches the app.
- ``drop_after``: the app commits the write, its answer is thrown away and the connection
  breaks: the ambiguous timeout after which the record may exist.
- ``gateway_timeout`` (by script only): the app commits the write and a gateway in front of it
  answers ``504`` with an HTML page instead: an answer that says nothing about the write.

A drop sends a response head promising a body, then raises :class:`DroppedConnection`; the
server (uvicorn) closes the connection, so an httpx client gets ``httpx.RemoteProtocolError``
("peer closed connection without sending complete message body"), a ``TransportError`` that is
not a ``ConnectError``. Both drops look exactly alike to the client. A logging filter installed
on ``uvicorn.error`` keeps these deliberate drops (and only them) out of the server's log.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOCKED = "locked"
UNAVAILABLE = "unavailable"
DROP_BEFORE = "drop_before"
DROP_AFTER = "drop_after"
GATEWAY_TIMEOUT = "gateway_timeout"
NONE = "none"
FAULTS = (LOCKED, UNAVAILABLE, DROP_BEFORE, DROP_AFTER)
SCRIPT_NAMES = (*FAULTS, GATEWAY_TIMEOUT, NONE)
GATEWAY_PAGE = "<html><body><h1>504 Gateway Time-out</h1></body></html>"

WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})
LOCKED_MESSAGE = "Het record is vergrendeld door een andere gebruiker. Probeer het later opnieuw."
LOCKED_ERROR_NUMBER = -2147024891
# Room for float rounding when rates such as 0.1 + 0.2 + 0.7 add up to exactly 1 on paper.
RATE_SUM_SLACK = 1e-9
# The head of a dropped response: it promises a body that never comes.
DROP_HEAD = [(b"content-type", b"application/json"), (b"content-length", b"2")]


class DroppedConnection(Exception):
    """Raised on purpose after a response has started, so the server breaks the connection."""


class _HideDroppedConnections(logging.Filter):
    """Keep uvicorn from logging a traceback for each deliberate drop (other errors still show)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


_LOG_FILTER = _HideDroppedConnections()


def install_log_filter() -> None:
    """Hide deliberate drops from the ``uvicorn.error`` log (idempotent)."""
    logging.getLogger("uvicorn.error").addFilter(_LOG_FILTER)


install_log_filter()


@dataclass(frozen=True)
class Faults:
    """Which faults to inject and how often (rates are fractions of write requests).

    ``script`` maps write numbers (counted from 1) to a fault name or ``"none"`` and
    overrides the rates for those writes.
    """

    latency_ms: float = 0
    locked_rate: float = 0
    unavailable_rate: float = 0
    retry_after: int = 7
    drop_before_rate: float = 0
    drop_after_rate: float = 0
    seed: int = 0
    script: Mapping[int, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if not (_is_number(self.latency_ms) and 0 <= self.latency_ms < math.inf):
            raise ValueError(
                f"latency_ms must be a number of milliseconds of at least 0, "
                f"got {self.latency_ms!r}"
            )
        for name, rate in self._named_rates():
            if not (_is_number(rate) and 0 <= rate <= 1):
                raise ValueError(
                    f"{name} must be between 0 and 1 (a fraction of writes), got {rate!r}"
                )
        total = sum(rate for _, rate in self._named_rates())
        if total > 1 + RATE_SUM_SLACK:
            parts = ", ".join(f"{name} {rate:g}" for name, rate in self._named_rates() if rate)
            raise ValueError(
                f"The fault rates add up to {total:g} ({parts}); together they must be at most 1."
            )
        if not (_is_int(self.retry_after) and self.retry_after >= 0):
            raise ValueError(
                f"retry_after must be a whole number of seconds of at least 0, "
                f"got {self.retry_after!r}"
            )
        if not _is_int(self.seed):
            raise ValueError(f"seed must be a whole number, got {self.seed!r}")
        for n, name in self.script.items():
            if not (_is_int(n) and n >= 1):
                raise ValueError(
                    f"Fault script: {n!r} is not a write number (writes count from 1)."
                )
            if name not in SCRIPT_NAMES:
                raise ValueError(
                    f"Fault script: {name!r} for write {n} is not a fault; "
                    f"use one of {', '.join(SCRIPT_NAMES)}."
                )
        # A private read-only copy: the caller's dict may change later, a Faults may not.
        object.__setattr__(self, "script", MappingProxyType(dict(self.script)))

    @classmethod
    def from_options(
        cls,
        *,
        latency_ms: Any = 0,
        locked_rate: Any = 0,
        unavailable_rate: Any = 0,
        retry_after: Any = 7,
        drop_before_rate: Any = 0,
        drop_after_rate: Any = 0,
        seed: Any = 0,
        script: str | Mapping[int, str] | None = None,
    ) -> Faults:
        """Faults from command-line style values: numbers may be strings, and the script
        may be written ``"3=locked,5=drop_after"``. Raises ValueError saying what is wrong."""
        numbers = {
            "latency_ms": latency_ms,
            "locked_rate": locked_rate,
            "unavailable_rate": unavailable_rate,
            "drop_before_rate": drop_before_rate,
            "drop_after_rate": drop_after_rate,
        }
        floats = {name: _to_float(name, value) for name, value in numbers.items()}
        return cls(
            **floats,
            retry_after=_to_int("retry_after", retry_after),
            seed=_to_int("seed", seed),
            script=parse_script(script) if isinstance(script, str) else dict(script or {}),
        )

    def rates(self) -> dict[str, float]:
        """The rate of each fault, in the order a draw is matched against them."""
        return {fault: rate for fault, (_, rate) in zip(FAULTS, self._named_rates(), strict=True)}

    def pick(self, n: int, draw: float) -> str:
        """The fault for write ``n`` given its draw in [0, 1): the script's, else by the rates."""
        scripted = self.script.get(n)
        if scripted is not None:
            return scripted
        edge = 0.0
        for fault, rate in self.rates().items():
            edge += rate
            if draw < edge:
                return fault
        return NONE

    def _named_rates(self) -> list[tuple[str, float]]:
        return [
            ("locked_rate", self.locked_rate),
            ("unavailable_rate", self.unavailable_rate),
            ("drop_before_rate", self.drop_before_rate),
            ("drop_after_rate", self.drop_after_rate),
        ]


def parse_script(text: str) -> dict[int, str]:
    """``"3=locked, 5=drop_after"`` as ``{3: "locked", 5: "drop_after"}`` (checked by Faults)."""
    script: dict[int, str] = {}
    for entry in text.replace(";", ",").split(","):
        if not entry.strip():
            continue
        number, sep, name = entry.partition("=")
        if not sep or not number.strip().isdigit():
            raise ValueError(
                f"Fault script entry {entry.strip()!r} should read N=FAULT, e.g. 3=locked."
            )
        script[int(number)] = name.strip()
    return script


class FaultInjector:
    """ASGI middleware that injects :class:`Faults`; ``applied`` counts what it injected.

    ``parallel[n - 1]`` is how many writes were in the server when write n arrived (itself
    included): how a client's requests in parallel rise and fall.
    """

    def __init__(self, app: ASGIApp, faults: Faults):
        self.app = app
        self.faults = faults
        self.applied: Counter[str] = Counter()
        self.writes = 0
        self.parallel: list[int] = []
        self._in_flight = 0
        self._random = random.Random(faults.seed)
        install_log_filter()

    def use(self, faults: Faults) -> None:
        """Inject these faults from now on, counting writes from 1 again."""
        self.faults = faults
        self.applied.clear()
        self.writes = 0
        self.parallel = []
        self._random = random.Random(faults.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.is_write(scope):
            await self._inject(NONE, scope, receive, send)
            return
        # Decided on arrival, before any await, so write numbers follow the order of arrival.
        fault = self._next_fault()
        self._in_flight += 1
        self.parallel.append(self._in_flight)
        try:
            await self._inject(fault, scope, receive, send)
        finally:
            self._in_flight -= 1

    async def _inject(self, fault: str, scope: Scope, receive: Receive, send: Send) -> None:
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if fault == NONE:
            await self.app(scope, receive, send)
        elif fault == LOCKED:
            await _drain(receive)
            await self._locked(scope, receive, send)
        elif fault == UNAVAILABLE:
            await _drain(receive)
            await self._unavailable(scope, receive, send)
        elif fault == DROP_BEFORE:
            # Read the whole request first: closing with unread data would reset the connection
            # while the client is still sending, a different error than the one promised.
            await _drain(receive)
            await _drop(send)
        elif fault == GATEWAY_TIMEOUT:
            await self.app(scope, receive, _swallow)
            await HTMLResponse(GATEWAY_PAGE, status_code=504)(scope, receive, send)
        else:
            await self.app(scope, receive, _swallow)
            await _drop(send)

    @staticmethod
    def is_write(scope: Scope) -> bool:
        """Whether a request writes (only writes get faults); a target's sandbox may differ."""
        return is_write(scope)

    def _next_fault(self) -> str:
        self.writes += 1
        fault = self.faults.pick(self.writes, self._random.random())
        if fault != NONE:
            self.applied[fault] += 1
        return fault

    async def _locked(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = {
            "externalMessage": LOCKED_MESSAGE,
            "errorNumber": LOCKED_ERROR_NUMBER,
            "profitLogReference": secrets.token_hex(16).upper(),
        }
        await JSONResponse(body, status_code=500)(scope, receive, send)

    async def _unavailable(self, scope: Scope, receive: Receive, send: Send) -> None:
        seconds = self.faults.retry_after
        body = {
            "error": {"code": "maintenance", "message": "Profit is in onderhoud"},
            "retry_after": seconds,
        }
        response = JSONResponse(body, status_code=503, headers={"Retry-After": str(seconds)})
        await response(scope, receive, send)


def is_write(scope: Scope) -> bool:
    """Whether a request is a write to an UpdateConnector (the only requests that get faults)."""
    path: str = scope["path"]
    return (
        scope["method"] in WRITE_METHODS
        and "/connectors/" in path
        and "/sandbox/" not in path
        and not path.endswith("/oauth/token")
    )


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return


async def _swallow(message: Any) -> None:
    """The send of an app whose answer never reaches the client."""


async def _drop(send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": DROP_HEAD})
    raise DroppedConnection("connection dropped on purpose by the sandbox's fault injector")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _to_float(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None


def _to_int(name: str, value: Any) -> int:
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
