"""``importer fields``: the fields a connector takes, with their labels, to find the one a
column belongs in (``importer fields KnSalesRelationOrg sinds`` finds ``CsDa``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from dotenv import load_dotenv

from importer import targets
from importer.targets import FieldInfo

SHOWN_VALUES = 8  # allowed values listed per field before "... (n more)"


def fields_command(
    connector: Annotated[
        str, typer.Argument(help="The connector whose fields to list.", show_default=False)
    ],
    words: Annotated[
        list[str] | None,
        typer.Argument(
            help="Only fields with these words in their name or a label (any case).",
            show_default=False,
        ),
    ] = None,
    system: Annotated[
        str,
        typer.Option(
            "--target",
            help=f"The system: {', '.join(targets.names())} (default: {targets.DEFAULT}).",
            show_default=False,
        ),
    ] = targets.DEFAULT,
) -> None:
    """List a connector's fields: name, labels (Dutch, English), type, length, allowed values,
    mandatory (*).

    From the target's own description when the environment (or a .env file) configures one,
    else from what importer ships.

    Examples:

      importer fields KnSalesRelationOrg sinds
      importer fields KnPerson geboorte
      importer fields klanten --target NAME
    """
    load_dotenv(Path.cwd() / ".env", override=False)
    spec = targets.spec(system)
    listing = spec.field_listing(connector, os.environ)
    if listing is None:
        typer.echo(f"{spec.system} lists no fields of its connectors.")
        return
    found = list(listing.fields)
    note = ""
    if words:
        every = [f for f in found if all(f.matches(w) for w in words)]
        some = [f for f in found if any(f.matches(w) for w in words)]
        if not every and some:
            note = f" (none has all of {' '.join(words)}; these have some)"
        found = every or some
    typer.echo(f"{listing.connector}: {len(found)} fields{note}, from {listing.source}.")
    for info in found:
        typer.echo(_line(info))
    if not found:
        typer.echo(f"None matches {' '.join(words or [])}; run without words to list all.")
        raise typer.Exit(1)


def _line(info: FieldInfo) -> str:
    where = f"{info.path}.{info.name}" if info.path else info.name
    kind = f"{info.type}({info.length})" if info.length else info.type
    labels = " / ".join(info.labels[lang] for lang in ("nl", "en") if info.labels.get(lang)) or "-"
    if info.labels.get("nl") and info.labels.get("nl") == info.labels.get("en"):
        labels = info.labels["nl"]
    line = f"  {where}{' *' if info.mandatory else ''}  {labels}  [{kind}]"
    if info.values:
        shown = ", ".join(
            f"{code} ({text})" if text and text != code else code
            for code, text in info.values[:SHOWN_VALUES]
        )
        more = len(info.values) - SHOWN_VALUES
        line += f"  values: {shown}{f', ... ({more} more)' if more > 0 else ''}"
    return line
