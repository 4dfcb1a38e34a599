"""Targets: the one seam between the runner and a system that records are written to.

A target turns a rendered body into a request, reads the new ids from the reply and says
what became of the row (:class:`Reply`), looks records up, and describes what a connector
accepts. Everything specific to a system (URLs, auth, reply and error formats, its sandbox)
stays inside its module; the runner and the CLI only see this interface. Adding a system is
one new module and one line in :data:`TARGETS`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from importer.targets.afas.catalog import Contract


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


class Sandbox(Protocol):
    """A running imitation of a target system."""

    def stop(self) -> None: ...


class Target(Protocol):
    """A system records are written to."""

    system: str  # the system's name for messages: "AFAS Profit", "Recras"
    host: str
    environment: str  # how messages name it: "test environment 12345", "sandbox"
    needs_confirmation: bool  # a production environment: ask before writing
    default_concurrency: int  # requests in parallel unless the user says otherwise
    max_concurrency: int  # what the system allows

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] = os.environ, *, concurrency: int = 1, audit: Any = None
    ) -> Target:
        """The target the environment (or a .env file) configures; ``audit`` is told of every
        request and reply (see :mod:`importer.audit`)."""
        ...

    @classmethod
    def start_sandbox(cls, *, concurrency: int = 1, audit: Any = None) -> tuple[Sandbox, Target]:
        """Start the built-in sandbox on 127.0.0.1 and a target pointing at it."""
        ...

    @staticmethod
    def shipped_contract(connector: str) -> Contract | None:
        """What a connector accepts, as the package knows it (for dry runs)."""
        ...

    def insert(self, connector: str, body: Any) -> Reply:
        """Create one record; raise TargetError only when the whole run must stop."""
        ...

    def update(self, connector: str, body: Any) -> Reply:
        """Change an existing record (the body names it by its keys)."""
        ...

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Records of a read connector matching any of ``filters`` (each: field = value, AND)."""
        ...

    def changes(self, old: Any, new: Any) -> Any | None:
        """The body of an update from the body last sent and the new one: the keys and what
        changed (None when nothing did)."""
        ...

    def contract(self, connector: str) -> Contract | None:
        """What the connector accepts, to check bodies before sending (None: unknown)."""
        ...

    def close(self) -> None: ...


def header_safe(name: str, value: str) -> str:
    """A setting sent in an HTTP header (a token, an id) must be printable ASCII: say which
    setting is not, never its value."""
    # (a token's XML may be written over several lines: it is sent base64-encoded)
    if value and not (value.isascii() and "".join(value.split()).isprintable()):
        from importer.errors import ConfigurationError

        raise ConfigurationError(
            f"{name} holds characters that cannot be sent in an HTTP header (only printable "
            "ASCII can): copy it again from where it was made, without quotes, spaces or "
            "line breaks around it"
        )
    return value


# The systems importer writes to: mapping `target:` name -> "module:class".
TARGETS = {
    "afas": "importer.targets.afas.client:AfasTarget",
    "recras": "importer.targets.recras.client:RecrasTarget",
}


def target_class(name: str) -> type[Target]:
    """The Target class of a mapping's ``target:``."""
    module, _, cls = TARGETS[name].partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]
