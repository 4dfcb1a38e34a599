"""What Recras answered: a reply to a write, the message of an error body, the record's ids."""

from __future__ import annotations

from typing import Any

import httpx

from importer.messages import Message, unavailable
from importer.targets import Reply, ReplyKind, http

MAX_MESSAGE = 300  # characters of a raw error body shown when it holds no message


def read_reply(connector: str, response: httpx.Response) -> Reply:
    """Turn an HTTP response to a write into a Reply (401/403 are handled by the caller).

    2xx: created or updated, ``ids`` from the record returned. 429 and 503: transient, with
    ``retry_after`` from the ``Retry-After`` header. 502 and 504: a gateway gave up while the
    request may have reached Recras: unknown. Anything else: refused, with the best message
    of the body (``error``, ``message`` or ``error.message``; the raw body when it has none).
    """
    status = response.status_code
    data = _json(response)
    if 200 <= status < 300:
        return Reply(ReplyKind.OK, ids=_ids(data))
    message = best_message(data, response)
    if status in (429, 503):
        wait = http.retry_after(response.headers.get("retry-after"))
        text = unavailable("Recras", status, message, wait, busy=status == 429)
        return Reply(ReplyKind.TRANSIENT, error=text, retry_after=wait)
    said = Message("target.said", text=message)
    if status in (502, 504):
        return Reply(
            ReplyKind.UNKNOWN,
            error=Message(
                "reply.no_answer",
                system="Recras",
                why=Message("reply.http", status=status, said=said),
                connector=connector,
                records_in="Recras",
            ),
        )
    return Reply(ReplyKind.REFUSED, error=Message("reply.http", status=status, said=said))


def best_message(data: Any, response: httpx.Response | None = None) -> str:
    """The message of an error body: ``error`` (text), ``error.message``, ``message``, or
    ``errors`` (a list); else the start of the raw body."""
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and _text(error.get("message")):
            return _text(error["message"])
        if _text(error):
            return _text(error)
        if _text(data.get("message")):
            return _text(data["message"])
        errors = data.get("errors")
        if isinstance(errors, list) and errors:
            parts = [best_message(e) if isinstance(e, dict) else _text(e) for e in errors]
            return "; ".join(p for p in parts if p)
        if isinstance(errors, dict) and errors:
            return "; ".join(f"{k}: {best_message({'error': v})}" for k, v in errors.items())
    if isinstance(data, str) and data.strip():
        return data.strip()
    raw = response.text.strip() if response is not None else ""
    if not raw:
        return "no message"
    raw = " ".join(raw.split())
    return raw if len(raw) <= MAX_MESSAGE else raw[:MAX_MESSAGE] + "..."


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(v.strip() for v in value if v.strip())
    return ""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _ids(data: Any) -> dict[str, str]:
    """The scalar fields of the record returned (``id``, ``displaynaam``, ...) as text."""
    if not isinstance(data, dict):
        return {}
    return {k: str(v) for k, v in data.items() if v is not None and not isinstance(v, dict | list)}
