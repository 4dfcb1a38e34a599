"""Where a Recras target sends: the instance RECRAS_BASE_URL names (and the addresses refused),
an endpoint's path, a URL's origin."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from importer.errors import ConfigurationError
from importer.messages import Message

HOW_TO_CONFIGURE = (
    "Set RECRAS_BASE_URL (e.g. https://jouwbedrijf.recras.nl) and RECRAS_TOKEN (an API key "
    "made in Recras) in the environment or in a .env file, or try the built-in sandbox with "
    "--sandbox."
)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
_INSTANCE = re.compile(r"([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.recras\.nl", re.I)
_ENDPOINT = re.compile(r"[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)*")


def instance_of(base_url: str) -> tuple[str, str | None]:
    """(kind, instance) of a base URL: ("instance", "acme"), ("demo", "demo") or ("sandbox",
    None); ConfigurationError for a host Recras's own clients would refuse."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.username or parts.password:
        raise ConfigurationError(
            "RECRAS_BASE_URL must not hold a user name or password (HTTP Basic is deprecated by "
            f"Recras); put the API key in RECRAS_TOKEN. {HOW_TO_CONFIGURE}"
        )
    if "?" in base_url or "#" in base_url:  # each request's path would go after it
        raise ConfigurationError(
            "RECRAS_BASE_URL must not hold a query (?...) or a fragment (#...): the path of "
            "each request is added to it, so the requests would go to the wrong address. "
            f"{HOW_TO_CONFIGURE}"
        )
    if parts.scheme not in ("https", "http"):
        raise ConfigurationError(f"RECRAS_BASE_URL must start with https://. {HOW_TO_CONFIGURE}")
    if host in LOOPBACK:
        return "sandbox", None
    match = _INSTANCE.fullmatch(host)
    if not match:
        raise ConfigurationError(
            f"RECRAS_BASE_URL names the host {host or '(none)'!r}; Recras instances are "
            f"https://{{instance}}.recras.nl (official Recras clients refuse other host names). "
            f"{HOW_TO_CONFIGURE}"
        )
    if parts.scheme != "https":
        raise ConfigurationError(f"RECRAS_BASE_URL must start with https://. {HOW_TO_CONFIGURE}")
    instance = match.group(1).lower()
    return ("demo" if instance == "demo" else "instance"), instance


def _root(base_url: str) -> str:
    """``https://x.recras.nl`` from ``https://x.recras.nl/``, ``.../api2`` or ``.../api2/``."""
    url = base_url.strip().rstrip("/")
    return url[: -len("/api2")] if url.endswith("/api2") else url


def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in when it is the scheme's default."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = -1
    default = {"https": 443, "http": 80}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), port if port is not None else default


def _path(connector: str) -> str:
    name = connector.strip().strip("/")
    if not _ENDPOINT.fullmatch(name):
        raise ConfigurationError(Message("recras.not_endpoint", connector=connector))
    return f"/{name}"
