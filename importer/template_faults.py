"""Which template errors are the template's: :class:`TemplateFault` (the run stops before
anything is sent) and what an undefined value was (:class:`Missing`, raised by
:class:`Strict`), for :mod:`importer.render` (whose docstring says which errors are whose)."""

from __future__ import annotations

import difflib
import functools
from typing import Any

import jinja2
from jinja2.utils import missing

from importer.messages import Message

__all__ = ["Missing", "Strict", "TemplateFault", "undefined"]


class TemplateFault(Exception):
    """A template error that is the template's, not the row's: the run stops (see above).

    ``said`` says what is wrong (without the place); ``file`` and ``line`` where."""

    def __init__(self, said: Message, file: str, line: int | None) -> None:
        super().__init__(said)
        self.said = said
        self.file = file
        self.line = line


class Missing(jinja2.UndefinedError):
    """An undefined value was used: of which object (``obj``, or jinja's ``missing`` for a
    name) and which attribute or key (``name``)."""

    def __init__(self, message: str | None, *, obj: Any, name: Any) -> None:
        super().__init__(message)
        self.obj = obj
        self.name = name


class Strict(jinja2.StrictUndefined):
    """StrictUndefined whose error says what was undefined, for :meth:`Renderer.render`."""

    __slots__ = ()

    def __init__(
        self, hint: str | None = None, obj: Any = missing, name: str | None = None, exc: Any = None
    ) -> None:
        raising = functools.partial(Missing, obj=obj, name=name)
        super().__init__(hint, obj, name, raising)  # type: ignore[arg-type]


def undefined(exc: Missing, row: dict[str, Any]) -> Message:
    """What a template reads that is not there: a column (with the one meant), a name."""
    if exc.obj is row and isinstance(exc.name, str):
        close = difflib.get_close_matches(exc.name, list(row), n=1, cutoff=0.6)
        return Message(
            "template.unknown_column",
            column=exc.name,
            hint=Message("template.did_you_mean", column=close[0]) if close else "",
            columns=", ".join(row),
        )
    return Message("text", text=str(exc.message))
