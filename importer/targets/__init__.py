"""Targets: the one seam between the runner and a system that records are written to.

A target turns a rendered body into a request, reads the new ids from the reply and says
what became of the row (:class:`Reply`). Everything specific to a system (URLs, auth, reply
and error formats) stays inside its module; the runner only sees this interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from importer.catalog import Contract


@dataclass(frozen=True)
class Reply:
    """What the target said about one request.

    ``unknown`` means the request may have reached the target but no answer came back
    (timeout, dropped connection): the record may or may not exist. ``transient`` means the
    refusal may pass (a record locked by another user, maintenance); ``retry_after`` is how
    long the target asked to wait (seconds).
    """

    ok: bool
    ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    log_reference: str | None = None
    unknown: bool = False
    transient: bool = False  # a passing condition (record locked, maintenance): try again
    retry_after: float | None = None


class Target(Protocol):
    """A system records are written to."""

    host: str
    environment: str  # how messages name it: "test environment 12345", "sandbox"

    def insert(self, connector: str, body: Any) -> Reply:
        """Create one record; raise TargetError only when the whole run must stop."""
        ...

    def update(self, connector: str, body: Any) -> Reply:
        """Change an existing record (the body names it by its keys)."""
        ...

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Records of a read connector matching any of ``filters`` (each: field = value, AND)."""
        ...

    def contract(self, connector: str) -> Contract | None:
        """What the connector accepts, to check bodies before sending (None: unknown)."""
        ...

    def close(self) -> None: ...
