"""The audit trail: every request and reply of a run, as JSON lines beside the workbook.

Target systems keep no request bodies, so this file is the only record of what was sent. One
line per exchange::

    {"event": "exchange", "run_id": "20250314-093015-3fa2c1",
     "time": "2025-03-14T09:30:16.120+01:00", "step": "verkooprelaties", "row": 7, "method": "POST",
     "url": "https://erp.example.com/connectors/KnSalesRelationOrg",
     "request": {...}, "status": 500, "reply": {...}, "duration_ms": 182.4}

``request`` and ``reply`` hold the parsed JSON body when it is JSON, else the text (a reply
cut after 64 KiB, a request after 1 MiB); ``error`` says why a request got no answer
(timeout, dropped connection). A run starts with a ``{"event": "run", ...}`` line (who, what,
where) and ends with ``{"event": "end", ...}`` (the summary line); runs are appended, so one
file holds a migration's whole history. A ``{"event": "pace", "limit": 4, "ceiling": 8,
"why": "busy"}`` line says that the requests let in parallel changed (:mod:`importer.pacing`).

Secrets never reach the file: headers are not logged at all (so no token or API key), query
parameters and body fields named like secrets (``client_secret``,
``access_token``, ``password``, ``Pwrd``, ...) are masked as ``***``, and every value masked
once is masked wherever it appears again.

**The hook for targets.** A target takes an ``audit`` callable (:class:`Audit`) and calls it
once per exchange, with keywords only::

    audit(method="POST", url=..., request_body=b"...", status=201, reply_body=b"...",
          duration_ms=12.5, error=None)

``status`` and ``reply_body`` are None when no answer came; ``error`` then says why. An
httpx-based target gets this for free by wrapping its transport in :class:`AuditTransport`
(the built-in targets do). The step and row are taken from :data:`importer.runner.current`, which
the runner sets before each row's requests.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

MASK = "***"
# Names of fields and parameters whose values are secrets.
SECRET_NAME = re.compile(
    r"pass(word|wd)?$|pwd|pwrd|secret|token|atcd|api[_-]?key|authori[sz]ation|credential|"
    r"assertion|code_verifier",
    re.I,
)
# Words without which no name of SECRET_NAME can stand in an ASCII text (nor an escaped one,
# \u): a body without any is written as it is, without walking it for names to mask. A text
# that is not ASCII is always walked: the regex's case folding takes 'ſ' for s and 'ı' for i,
# which lower() does not.
SECRET_WORDS = (
    "pass", "pwd", "pwrd", "secret", "token", "atcd", "apikey", "api_key", "api-key", "authori",
    "credential", "assertion", "code_verifier", "\\u",
)  # fmt: skip
MAX_REPLY = 64 * 1024  # characters of a reply kept (GetConnector pages can be large)
MAX_REQUEST = 1024 * 1024  # characters of a request kept: what was sent matters most


class Audit(Protocol):
    """What a target calls once per request (see the module's documentation)."""

    def __call__(
        self,
        *,
        method: str,
        url: str,
        request_body: bytes | str | None,
        status: int | None,
        reply_body: bytes | str | None,
        duration_ms: float,
        error: str | None = None,
    ) -> None: ...


class AuditTrail:
    """Appends one JSON line per exchange to ``path``, from any thread.

    The file is opened at the first line written (a run that stops before sending anything
    leaves no file). ``listener``, if given, receives every line's record as it was written,
    masked, but without its bodies (``request`` and ``reply``): ``--verbose`` prints the
    exchanges, the progress display shows the ``pace``. It is handed the record, never the
    line parsed back.
    """

    def __init__(
        self,
        path: Path,
        *,
        run_id: str,
        listener: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.path = Path(path)
        self.run_id = run_id
        self.listener = listener
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._secrets: set[str] = set()
        self.exchanges = 0

    # --- lines ------------------------------------------------------------------------------

    def begin(self, **fields: Any) -> None:
        """The run-start line: who ran what against which target."""
        self._write({"event": "run", **fields})

    def end(self, **fields: Any) -> None:
        """The run-end line (the summary)."""
        self._write({"event": "end", "exchanges": self.exchanges, **fields})

    def __call__(
        self,
        *,
        method: str,
        url: str,
        request_body: bytes | str | None,
        status: int | None,
        reply_body: bytes | str | None,
        duration_ms: float,
        error: str | None = None,
    ) -> None:
        from importer.runner import current  # the step and row this thread sends for

        record: dict[str, Any] = {
            "event": "exchange",
            "step": getattr(current, "step", None),
            "row": getattr(current, "row", None),
            "method": method,
            "url": self._url(url),
            "request": self._body(request_body, MAX_REQUEST),
            "status": status,
            "reply": self._body(reply_body, MAX_REPLY),
            "duration_ms": round(duration_ms, 1),
        }
        if error:
            record["error"] = error
        with self._lock:
            self.exchanges += 1
        self._write(record)

    def paced(self, *, limit: int, ceiling: int, why: str) -> None:
        """The requests let in parallel changed (:mod:`importer.pacing`): ``why`` is ``busy``
        (429, 503, a timeout), ``slow`` or ``recovered``."""
        self._write({"event": "pace", "limit": limit, "ceiling": ceiling, "why": why})

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- masking ----------------------------------------------------------------------------

    def _write(self, record: dict[str, Any]) -> None:
        now = dt.datetime.now().astimezone().isoformat(timespec="milliseconds")
        record = {"event": record.pop("event"), "run_id": self.run_id, "time": now, **record}
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            secrets = [secret for secret in self._secrets if secret in line]
            for secret in secrets:
                line = line.replace(secret, MASK)
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # a lone surrogate ("\ud83d", an emoji cut in half) is written escaped
                self._file = open(  # noqa: SIM115
                    self.path, "a", encoding="utf-8", errors="backslashreplace"
                )
            self._file.write(line + "\n")
            self._file.flush()  # a crash keeps every line written so far
        if self.listener is not None:
            shown = {k: v for k, v in record.items() if k not in ("request", "reply")}
            for key, value in shown.items():
                if isinstance(value, str):
                    for secret in secrets:
                        value = value.replace(secret, MASK)
                    shown[key] = value
            self.listener(shown)

    def _remember(self, value: Any) -> None:
        text = str(value)
        if len(text) >= 6:  # masking a short value everywhere would mangle the file
            with self._lock:
                self._secrets.add(text)

    def _mask(self, value: Any) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if SECRET_NAME.search(str(key)) and isinstance(item, str | int | float):
                    self._remember(item)
                    out[key] = MASK
                else:
                    out[key] = self._mask(item)
            return out
        if isinstance(value, list):
            return [self._mask(item) for item in value]
        return value

    def _url(self, url: str) -> str:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            if any(SECRET_NAME.search(k) for k, _ in pairs):
                for k, v in pairs:
                    if SECRET_NAME.search(k):
                        self._remember(v)
                query = urlencode([(k, MASK if SECRET_NAME.search(k) else v) for k, v in pairs])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))

    def _body(self, body: bytes | str | None, limit: int) -> Any:
        if body is None or body == b"" or body == "":
            return None
        text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        else:
            if isinstance(data, dict | list):
                lowered = text.lower()
                secret = not text.isascii() or any(word in lowered for word in SECRET_WORDS)
                masked = self._mask(data) if secret else data
                if len(text) <= limit:
                    return masked
                text = json.dumps(masked, ensure_ascii=False)
        if data is None and "=" in text and "&" in text and " " not in text:
            pairs = parse_qsl(text, keep_blank_values=True)  # a form: the OAuth token request
            if pairs:
                return self._mask(dict(pairs))
        if len(text) > limit:
            return text[:limit] + f"... [cut: {len(text)} characters in all]"
        return text


log = logging.getLogger(__name__)


class AuditTransport(httpx.BaseTransport):
    """An httpx transport that reports every exchange of the one it wraps to an audit hook.

    The reply is read here (to record it), decoded as the client would, and handed on as it
    is: httpx keeps what was read, so the client does not read it again. A request that gets
    no answer (or an answer that cannot be read) is recorded with its error, then the error
    is raised as before. The hook never raises into the request: a line it cannot write (a
    full disk, a listener's bug) is logged as a warning, and the reply goes on.
    """

    def __init__(self, inner: httpx.BaseTransport, audit: Audit):
        self.inner = inner
        self.audit = audit

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent = request.read()
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
            try:
                text = response.read()
            finally:
                response.close()
        except Exception as exc:
            self._audit(
                method=request.method,
                url=str(request.url),
                request_body=sent,
                status=None,
                reply_body=None,
                duration_ms=(time.perf_counter() - started) * 1000,
                error=f"{type(exc).__name__}: {exc}",
            )
            raise
        self._audit(
            method=request.method,
            url=str(request.url),
            request_body=sent,
            status=response.status_code,
            reply_body=text,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        return response

    def _audit(self, **record: Any) -> None:
        try:
            self.audit(**record)
        except Exception as exc:  # the request left: what it did must not be lost to this
            log.warning(
                "audit trail: a line could not be written (%s: %s)", type(exc).__name__, exc
            )

    def close(self) -> None:
        self.inner.close()


def default_audit(workbook: Path, mapping_path: Path) -> Path:
    """``flex.audit.jsonl`` beside the result workbook."""
    return Path(workbook).with_name(f"{Path(mapping_path).stem}.audit.jsonl")
