"""The machinery of messages: a :class:`Message` (a code and its parameters), how it is
rendered in a language (:func:`render`), and every template of a language (:func:`tables`:
the generic ones of :mod:`importer.messages.en` and :mod:`importer.messages.nl`, and those of
every known target). See :mod:`importer.messages`.
"""

from __future__ import annotations

import string
from decimal import Decimal
from enum import Enum
from typing import Any

from importer import i18n
from importer.messages.en import EN
from importer.messages.nl import NL

_GENERIC = {"en": EN, "nl": NL}


class Message:
    """A code and its parameters: frozen, hashable, picklable; ``str()`` is English."""

    __slots__ = ("code", "params")
    code: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, code: str, /, **params: Any) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Message is frozen")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.params))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        try:
            return hash((self.code, self.params))
        except TypeError:  # a value from a body: a list or a dict
            return hash((self.code, repr(self.params)))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Message({self.code!r}{args})"

    def __str__(self) -> str:
        return render(self, "en")

    def get(self, name: str, default: Any = None) -> Any:
        """One parameter's value."""
        return dict(self.params).get(name, default)


def _rebuild(code: str, params: tuple[tuple[str, Any], ...]) -> Message:
    return Message(code, **dict(params))


def render(message: Message | str | None, lang: str) -> str:
    """A message in a language (text that is not a Message is shown as it is)."""
    if message is None:
        return ""
    if not isinstance(message, Message):
        return str(message)
    table = tables(lang)
    template = table.get(message.code)
    if template is None:
        template = tables(i18n.DEFAULT).get(message.code)
    if template is None:  # a code no table knows: show it with its values, not nothing
        return f"{message.code} {dict(message.params)}"
    values = {k: _param(v, lang) for k, v in message.params}
    if lang in _DOT_GROUPED and ":," in template:
        return _DOT_GROUPING.vformat(template, (), values)
    return template.format(**values)


class _DotGrouping(string.Formatter):
    """``{n:,}`` as Dutch writes it: thousands grouped with a dot, a decimal comma
    (1.000.000; 2,5)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        text = str(super().format_field(value, format_spec))
        if "," in format_spec and isinstance(value, int | float | Decimal):
            text = text.translate(_SWAPPED)
        return text


_DOT_GROUPED = {"nl"}
_DOT_GROUPING = _DotGrouping()
_SWAPPED = str.maketrans(",.", ".,")


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, tuple) and any(isinstance(v, Message | tuple) for v in value):
        return "".join(str(_param(v, lang)) for v in value)
    if isinstance(value, Enum) and isinstance(value, str):  # a Status
        return i18n.status(lang, value.value)
    return value


def unavailable(
    system: str, status: int, said: str | None, wait: float | None, *, busy: bool = False
) -> Message:
    """``<system> is unavailable (HTTP 503: ...); try again after 30 s``: a transient refusal."""
    return Message(
        "reply.busy" if busy else "reply.unavailable",
        system=system,
        status=status,
        detail=Message("reply.detail", text=Message("target.said", text=said)) if said else "",
        wait=Message("reply.try_after", seconds=wait) if wait is not None else "",
    )


def placeholders(template: str) -> set[str]:
    """The names of a template's ``{placeholders}``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


_CACHE: dict[tuple[str, tuple[int, ...]], dict[str, str]] = {}


def tables(lang: str) -> dict[str, str]:
    """Every template of a language: the generic ones and those of every known target."""
    from importer import targets  # the registry imports target packages that import this

    specs = [targets.spec(name) for name in targets.names()]
    key = (lang, tuple(id(s) for s in specs))
    found = _CACHE.get(key)
    if found is None:
        found = dict(_GENERIC.get(lang, {}))
        for spec in specs:
            found.update(spec.message_tables().get(lang, {}))
        _CACHE[key] = found
    return found
