"""The arguments and options more than one command takes, and how help shows them.

:class:`Command` and :class:`Group` are the command classes of every command: an on/off
flag shows no value placeholder (``--sandbox``, not ``--sandbox <bool>``: it takes none), and
an argument shows in capitals, as the help texts name it (``MAPPING``, ``CONNECTOR``).
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from importer import i18n


def _plain(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False) and not getattr(param, "count", False):
            param.metavar = ""  # a flag takes no value: no <bool> beside it
        elif param.param_type_name == "argument" and param.metavar is None and param.name:
            param.metavar = param.name.upper()
    return params


def reflow(text: str | None) -> str | None:
    """A docstring as help shows it: each paragraph one line (the terminal wraps it), but a
    paragraph with indented lines (examples) line by line."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if any(line.startswith(" ") for line in p.splitlines()) else " ".join(p.split())
        for p in paragraphs
    )


def _usage(params: list[Any]) -> list[str]:
    pieces = ["[OPTIONS]"]
    for param in params:
        if param.param_type_name == "argument":
            name = param.metavar or str(param.name).upper()
            more = "..." if param.nargs != 1 else ""
            pieces.append(f"{name}{more}" if param.required else f"[{name}{more}]")
    return pieces


class Command(TyperCommand):
    """A command whose help shows flags without a placeholder and arguments in capitals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflow(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(list(super().get_params(ctx)))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return _usage(self.get_params(ctx))


class Group(TyperGroup):
    """The app: its own options shown as :class:`Command` shows them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflow(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _plain(list(super().get_params(ctx)))


MappingArg = Annotated[
    Path, typer.Argument(help="The mapping file (YAML).", show_default=False, metavar="MAPPING")
]
InputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        help="Read a source from another file: NAME=PATH, or just PATH when the mapping has "
        "one source. Repeat for several sources.",
        show_default=False,
        metavar="NAME=PATH",
    ),
]


def unknown_source(value: str, name: str, sources: list[str]) -> str:
    """What ``--input NAME=PATH`` says of a NAME the mapping has no source of."""
    close = difflib.get_close_matches(name, sources, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{value!r}: the mapping has no source {name!r}{hint}; its sources: {', '.join(sources)}"


def out_option(what: str) -> Any:
    """The ``--out`` option of a command writing ``what`` (a workbook), said in its help."""
    return typer.Option("--out", "-o", help=what, show_default=False, metavar="FILE.xlsx")


OutOpt = Annotated[
    Path | None,
    out_option("The result workbook (default: named after MAPPING, in the current folder)."),
]
LangOpt = Annotated[
    i18n.Language | None,
    typer.Option(
        "--lang",
        help="Language of the workbook and the summary table: en or nl "
        "(default: the mapping's language:, else en).",
        show_default=False,
    ),
]
PayloadsOpt = Annotated[
    bool,
    typer.Option("--include-payloads", help="Add a sheet with the JSON sent per row."),
]
