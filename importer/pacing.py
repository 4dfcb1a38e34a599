"""Requests in parallel that adapt to the target: back off when it is busy, climb back after.

``--concurrency`` is the ceiling. Within it a :class:`Pacer` keeps a limit of requests in
flight, as TCP keeps its window (additive increase, multiplicative decrease):

- a reply that says the target is busy (429, 503: maintenance, overload), a timeout, a
  connection refused, reset or dropped (what an overloaded front end does: any transport
  error, and backing off is cheaper than the unknown outcomes of writes it drops), or a
  second reply in a round that is much slower than the recent typical one (more than
  ``slow_factor`` times the median of the last ``samples`` replies of its kind, and
  ``slow_margin`` seconds more, once ``min_samples`` are known) halves the limit, down to 1.
  One slow reply alone is one heavy record, not a slower target. The kind is the request's
  method: a page of a read and a write take their own times;
- a window of healthy replies (as many as the limit) raises it by one, up to the ceiling. A
  request that ended without an answer for another reason (not the target's doing) is
  neither.

Only replies to requests that left after the last change count, so the burst of 503s that
the requests in flight get when a target goes into maintenance halves the limit once, not
down to 1; the next round of requests, sent at the new limit, says whether that was enough.
A slower reply still joins the samples, so a target that has become slower for good is,
after a while, typical again, and not halved for ever.

:class:`PacedTransport` puts a pacer in front of every request of an httpx client
(:func:`importer.targets.http.client`): a request waits at the gate until it may leave. The
requests a run sends keep their order of arrival at the gate; a row's retries wait for a
slot like any other request. ``report``, when given, is told of each change of the limit
(the audit trail records it, the progress display shows it).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable

import httpx

BUSY = frozenset({429, 503})

# report(limit=4, ceiling=8, why="busy"|"slow"|"recovered")
Report = Callable[..., None]


class Pacer:
    """A gate of adjustable size: at most ``limit`` requests in flight (see the module)."""

    def __init__(
        self,
        ceiling: int,
        *,
        slow_factor: float = 3.0,
        slow_margin: float = 0.25,
        samples: int = 20,
        min_samples: int = 8,
        report: Report | None = None,
    ):
        self.ceiling = max(1, ceiling)
        self.limit = self.ceiling
        self.slow_factor, self.slow_margin = slow_factor, slow_margin
        self.min_samples = min_samples
        self.report = report
        self.in_flight = 0
        self.lowest = self.ceiling  # the lowest limit of the run, for the record
        self.samples = samples
        self._samples: dict[str, deque[float]] = {}  # recent replies' seconds, per kind
        self._tickets = 0  # requests let through so far
        self._since = 0  # the first ticket sent at the current limit
        self._healthy = 0  # healthy replies at the current limit
        self._slow_ones = 0  # slow replies at the current limit
        self._gate = threading.Condition()

    def acquire(self) -> int:
        """Wait until a request may leave; its ticket (give it to :meth:`release`)."""
        with self._gate:
            self._gate.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
            self._tickets += 1
            return self._tickets

    def release(
        self, ticket: int, *, seconds: float | None, busy: bool = False, kind: str = ""
    ) -> None:
        """The request of ``ticket`` is done: it took ``seconds`` (None: no answer to time),
        ``busy`` when the target said it is busy or did not answer in time; ``kind`` says
        which replies its time compares with (the method: GET, POST...)."""
        change = None
        with self._gate:
            self.in_flight -= 1
            samples = self._samples.get(kind)
            if samples is None:
                samples = self._samples[kind] = deque(maxlen=self.samples)
            slow = seconds is not None and self._slow(seconds, samples)
            if seconds is not None and not busy:
                samples.append(seconds)
            if ticket >= self._since:  # sent at the current limit: it speaks of it
                self._slow_ones += slow
                if busy or self._slow_ones >= 2:
                    if self.limit > 1:
                        change = self._set(max(1, self.limit // 2), "busy" if busy else "slow")
                    else:
                        self._slow_ones = 0  # at the floor: a new round begins
                elif seconds is not None and not slow:  # (no answer is not a healthy one)
                    self._healthy += 1
                    if self._healthy >= self.limit and self.limit < self.ceiling:
                        change = self._set(self.limit + 1, "recovered")
            self._gate.notify_all()
        if change and self.report is not None:
            self.report(limit=change[0], ceiling=self.ceiling, why=change[1])

    def _slow(self, seconds: float, samples: deque[float]) -> bool:
        if len(samples) < self.min_samples:
            return False
        typical = statistics.median(samples)
        return seconds > self.slow_factor * typical and seconds - typical > self.slow_margin

    def _set(self, limit: int, why: str) -> tuple[int, str]:
        self.limit = limit
        self.lowest = min(self.lowest, limit)
        self._since = self._tickets + 1
        self._healthy = self._slow_ones = 0
        return limit, why


class PacedTransport(httpx.BaseTransport):
    """An httpx transport whose requests pass a :class:`Pacer` before they leave."""

    def __init__(self, inner: httpx.BaseTransport, pacer: Pacer):
        self.inner = inner
        self.pacer = pacer

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        ticket = self.pacer.acquire()
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
        except httpx.TransportError:  # timed out, refused, reset, dropped: busy
            self.pacer.release(ticket, seconds=None, busy=True, kind=request.method)
            raise
        except BaseException:
            self.pacer.release(ticket, seconds=None, kind=request.method)
            raise
        seconds, busy = time.perf_counter() - started, response.status_code in BUSY
        self.pacer.release(ticket, seconds=seconds, busy=busy, kind=request.method)
        return response

    def close(self) -> None:
        self.inner.close()
