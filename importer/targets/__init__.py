"""Targets: the one seam between the runner and a system that records are written to.

A target turns a rendered body into a request, reads the new ids from the reply and says
what became of the row (:class:`Reply`), looks records up, and describes what a connector
accepts. Each system is one package (``importer/targets/<system>/``) that exports one
:class:`TargetSpec`: its client, its settings, its sandbox, its messages. Generic code (the
mapping, the CLI, the report, the scaffold) only asks the registry: :func:`spec`,
:func:`names`. A new system is one new package, registered here among the built-in ones, by
an ``importer.targets`` entry point of another distribution, or with :func:`register`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol

from importer.contract import Contract
from importer.errors import ConfigurationError
from importer.messages import Message


class ReplyKind(Enum):
    """What became of one request: exactly one of these, so a reply cannot contradict itself."""

    OK = "ok"  # created or updated; ``ids`` holds what the target answered
    REFUSED = "refused"  # the target said no: sending it again as it is changes nothing
    TRANSIENT = "transient"  # refused for a passing reason (a record locked, maintenance)
    UNKNOWN = "unknown"  # no answer came: the record may or may not exist


@dataclass(frozen=True)
class Reply:
    """What the target said about one request.

    ``retry_after`` is how long the target asked to wait (seconds) before a transient refusal
    is tried again; ``ok``, ``unknown`` and ``transient`` read the kind.

    A reply to several records in one request (:meth:`Target.insert_many`) is about all of
    them: ``records`` holds each record's ids in the order they were sent, and a refusal's
    ``culprits`` the records it seems to be about (by their place in the request; empty when
    the message does not say), so that those can be sent alone first.
    """

    kind: ReplyKind
    ids: dict[str, str] = field(default_factory=dict)
    error: Message | None = None  # rendered in the user's language where it is shown
    log_reference: str | None = None
    retry_after: float | None = None
    records: tuple[dict[str, str], ...] = ()
    culprits: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.kind is ReplyKind.OK

    @property
    def unknown(self) -> bool:
        """The request may have reached the target (timeout, dropped connection)."""
        return self.kind is ReplyKind.UNKNOWN

    @property
    def transient(self) -> bool:
        """The refusal may pass: the runner tries it again."""
        return self.kind is ReplyKind.TRANSIENT


class Sandbox(Protocol):
    """A running imitation of a target system on 127.0.0.1."""

    @property
    def base_url(self) -> str: ...

    @property
    def host(self) -> str: ...

    faults: Any  # what it injects: ``writes`` counted, ``applied`` per fault

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

    @staticmethod
    def shipped_contract(connector: str) -> Contract | None:
        """What a connector accepts, as the package knows it (for dry runs)."""
        ...

    def insert(self, connector: str, body: Any) -> Reply:
        """Create one record; raise TargetError only when the whole run must stop."""
        ...

    def check_batch(self, connector: str, bodies: list[Any]) -> None:
        """ValueError when these bodies cannot go in one request (each is then sent alone);
        asked before anything is journalled or sent, so that nothing after the request left
        is ever taken for "not sent"."""
        ...

    def insert_many(self, connector: str, bodies: list[Any]) -> Reply:
        """Create several records in one request, all or none (called only for a system whose
        spec allows batches: :attr:`TargetSpec.max_batch`, with bodies :meth:`check_batch`
        took); each body is one record's, as :meth:`insert` takes it."""
        ...

    clear_value: ClassVar[Any]  # what a field is set to in an update to empty it ("", None)

    def update(self, connector: str, body: Any, ids: dict[str, str]) -> Reply:
        """Change an existing record: ``body`` holds what changes, ``ids`` the record's ids
        (``{"OrNu": "60000175"}``, ``{"DbId": "49339", "BcCo": "100172"}``).

        The client places the ids where the connector wants them (a path, a key field, an
        attribute), so a body need not hold them and an update without its key cannot be
        sent. Raises ValueError naming the id when ``ids`` lacks one the connector needs
        (see :meth:`update_ids`); ids it does not need are ignored.
        """
        ...

    @staticmethod
    def update_ids(connector: str) -> tuple[str, ...]:
        """The ids an update of ``connector`` needs (``()``: none, the body names the record)."""
        ...

    def delete(self, connector: str, ids: dict[str, str]) -> Reply:
        """Remove one record, named by ``ids`` (see :meth:`delete_ids`); ValueError naming the
        id when one is missing, or when the system cannot delete this connector's records."""
        ...

    @staticmethod
    def nested_deletes(body: Any) -> int:
        """How many nested records a body deletes (an order's lines), to confirm first."""
        ...

    @staticmethod
    def delete_ids(connector: str) -> tuple[str, ...]:
        """The ids a delete of ``connector`` needs; ``()`` when the system cannot delete its
        records."""
        ...

    @staticmethod
    def insert_makes_new(connector: str, body: Any, ids: Collection[str]) -> bool:
        """True when inserting ``body`` surely made new records for these ids of its reply
        (what a child's lookup names by ``parent.X``), so nothing can hang on them yet; False
        when the insert may have found an existing record and updated it (such a child is
        then looked up)."""
        ...

    def lookup(self, connector: str, filters: list[dict[str, str]]) -> list[dict[str, Any]]:
        """Records of a read connector matching any of ``filters`` (each: field = value, AND)."""
        ...

    def changes(self, old: Any | None, new: Any) -> Any | None:
        """The body of an update from the body last sent (None: not known) and the new one:
        what changed (None when nothing did). A field the new body leaves out is not emptied:
        only one set to :attr:`clear_value` is. Raises :class:`~importer.errors.NotUpdatable`
        when the change cannot be sent as an update."""
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
        raise ConfigurationError(
            f"{name} holds characters that cannot be sent in an HTTP header (only printable "
            "ASCII can): copy it again from where it was made, without quotes, spaces or "
            "line breaks around it"
        )
    return value


@dataclass(frozen=True)
class Setting:
    """An environment variable a target is configured by, and what it means."""

    name: str
    help: str
    secret: bool = False


@dataclass(frozen=True)
class FieldInfo:
    """One field a connector takes, as ``importer fields`` lists it.

    ``path`` is the object it sits in (``""``: the connector's own; ``KnOrganisation.
    KnBasicAddressAdr``); ``labels`` its labels by language (``{"nl": "Klant sinds", "en":
    "Customer since"}``); ``values`` the allowed values as (code, description).
    """

    name: str
    path: str
    labels: dict[str, str]
    type: str
    length: int | None = None
    values: tuple[tuple[str, str], ...] = ()
    mandatory: bool = False

    def matches(self, word: str) -> bool:
        """The word in its name, path or a label (case-insensitive)."""
        word = word.casefold()
        texts = (self.name, self.path, *self.labels.values())
        return any(word in text.casefold() for text in texts)


@dataclass(frozen=True)
class FieldListing:
    """The fields of one connector, and where they were read (for the user)."""

    connector: str
    source: str  # "the catalog shipped with importer", "the metainfo of https://..."
    fields: tuple[FieldInfo, ...]


@dataclass(frozen=True)
class TargetSpec:
    """Everything generic code needs to know of one system, in one place.

    ``client`` and ``sandbox`` are ``"module:attribute"`` paths, imported when first used, so
    that naming a system costs nothing. ``sandbox`` is a callable taking ``port``, ``faults``,
    ``token`` (and what else its system's sandbox offers, such as ``state_path``) and
    returning a running :class:`Sandbox`; ``sandbox_settings`` gives the settings (environment
    variables) that point ``client`` at a running sandbox.
    """

    name: str  # the mapping's `target:`
    system: str  # how messages name it: "AFAS Profit"
    client: str
    settings: tuple[Setting, ...]
    sandbox: str
    sandbox_settings: Callable[[Any], dict[str, str]]
    sandbox_notes: Callable[[Any], list[str]] = lambda box: []
    sandbox_options: frozenset[str] = frozenset()  # beyond port, faults and token
    sandbox_defaults: tuple[tuple[str, Any], ...] = ()  # options of a `--sandbox` run
    log_reference: str | None = None  # the reply field an administrator looks a refusal up by
    scaffold: str | None = None  # "module:attribute" of its knowledge for `importer new`
    messages: str | None = None  # "module:attribute" of its templates: {lang: {code: template}}
    # "module:attribute" of ``(connector, env) -> FieldListing`` for `importer fields`: the
    # target's own description when ``env`` configures one, else what the package ships;
    # ConfigurationError for a connector it does not know
    fields: str | None = None
    # "module:attribute" of what its ids and log reference are, in its own words:
    # {lang: {column: meaning}}; the result workbook's Explanation sheet shows them
    glossary: str | None = None
    # "module:attribute" of its country codes (importer.checks.countries.CountryCodes), which a
    # `type: country` column sends; None: ISO 3166 codes
    country_codes: str | None = None
    # the most records one insert request may hold (a mapping's `batch:`); 1: one at a time
    max_batch: int = 1

    def countries(self) -> Any:
        """This system's country codes (a CountryCodes), None where it takes ISO codes."""
        return load(self.country_codes) if self.country_codes else None

    def message_tables(self) -> dict[str, dict[str, str]]:
        """The templates of this system's own messages, by language (see importer.messages)."""
        return load(self.messages) if self.messages else {}  # type: ignore[no-any-return]

    def field_listing(
        self, connector: str, env: Mapping[str, str] = os.environ
    ) -> FieldListing | None:
        """The fields of ``connector`` (None: this system lists no fields)."""
        return load(self.fields)(connector, env) if self.fields else None

    def glossary_table(self, lang: str) -> dict[str, str]:
        """What this system's id columns mean, in a language (English where it has none)."""
        tables: dict[str, dict[str, str]] = load(self.glossary) if self.glossary else {}
        return tables.get(lang) or tables.get("en") or {}

    def target_class(self) -> type[Target]:
        """The client class (imported now)."""
        return load(self.client)  # type: ignore[no-any-return]

    def start_sandbox(self, **options: Any) -> Sandbox:
        """Start this system's sandbox on 127.0.0.1."""
        unknown = set(options) - {"port", "faults", "token"} - self.sandbox_options
        given = sorted(o for o in unknown if options[o] not in (None, False))
        if given:
            raise ConfigurationError(f"The {self.system} sandbox has no {', '.join(given)} option")
        starter = load(self.sandbox)
        return starter(**{k: v for k, v in options.items() if k not in unknown})  # type: ignore[no-any-return]

    def sandboxed(self, *, concurrency: int, audit: Any = None) -> tuple[Sandbox, Target]:
        """A fresh sandbox and a client pointed at it, as ``--sandbox`` runs."""
        box = self.start_sandbox(**dict(self.sandbox_defaults))
        try:
            client = self.target_class().from_env(
                self.sandbox_settings(box), concurrency=concurrency, audit=audit
            )
        except BaseException:
            box.stop()
            raise
        return box, client


def load(path: str) -> Any:
    """The object a ``"module:attribute"`` path names (the module imported now)."""
    module, _, attribute = path.partition(":")
    found: Any = importlib.import_module(module)
    for part in attribute.split("."):
        found = getattr(found, part)
    return found


# The systems that come with importer; others register themselves (entry points, register()).
BUILT_IN = ("importer.targets.afas", "importer.targets.recras")
DEFAULT = "afas"  # a mapping without `target:` writes here (mappings written before Recras)

_REGISTRY: dict[str, TargetSpec] = {}
_ADDED: dict[str, TargetSpec] = {}  # by register(): they win over built-in ones of that name


def register(target: TargetSpec) -> TargetSpec:
    """Make a system known by its name (a later registration of the name replaces it)."""
    _ADDED[target.name] = target
    _REGISTRY.pop(target.name, None)
    if _REGISTRY:
        _REGISTRY[target.name] = target
    return target


def _load_registry() -> dict[str, TargetSpec]:
    if not _REGISTRY:
        for module in BUILT_IN:
            found: TargetSpec = importlib.import_module(module).SPEC
            _REGISTRY[found.name] = found
        for point in entry_points(group="importer.targets"):
            found = point.load()
            _REGISTRY[found.name] = found
        _REGISTRY.update(_ADDED)
    return _REGISTRY


def names() -> list[str]:
    """The names of every known system, as a mapping's ``target:`` writes them."""
    return list(_load_registry())


def spec(name: str) -> TargetSpec:
    """The spec of a system by name; ConfigurationError naming the known ones."""
    found = _load_registry().get(name)
    if found is None:
        raise ConfigurationError(f"Unknown target {name!r}; known targets: {', '.join(names())}")
    return found


def unregister(name: str) -> None:
    """Forget a system :func:`register` added (tests register systems of their own)."""
    _ADDED.pop(name, None)
    _REGISTRY.clear()  # built-in ones load again on next use
