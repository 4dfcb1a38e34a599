"""The arguments and options more than one command takes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from importer import i18n

MappingArg = Annotated[Path, typer.Argument(help="The mapping file (YAML).", show_default=False)]
InputOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--input",
        "-i",
        help="Read a source from another file: NAME=PATH, or just PATH when the mapping has "
        "one source. Repeat for several sources.",
        show_default=False,
    ),
]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Where to write the workbook.", show_default=False),
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
