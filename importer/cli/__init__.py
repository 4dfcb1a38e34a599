"""The ``importer`` command: parse options, call the library, print, return an exit code.

Exit codes: 0 every row done; 1 some rows failed, invalid, skipped or unknown; 2 a
configuration, mapping, input or authentication error (nothing sent).

The commands live in :mod:`importer.cli.importing` (``run``, ``validate``, ``render``) and
:mod:`importer.cli.tools` (``status``, ``sandbox``, ``new``, ``schema``) and
:mod:`importer.cli.undo` (``undo``); this module makes
the app of them and runs it.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import click
import typer

from importer import targets
from importer.cli.fields import fields_command
from importer.cli.importing import render_command, run_command, validate_command
from importer.cli.options import Command, Group
from importer.cli.tools import new_command, sandbox_command, schema_command, status_command
from importer.cli.undo import undo_command
from importer.errors import ImporterError


def _systems() -> str:
    systems = [targets.spec(name).system for name in targets.names()]
    return ", ".join(systems[:-1]) + f" or {systems[-1]}" if len(systems) > 1 else systems[0]


HELP = f"""Import spreadsheets (CSV, Excel) into {_systems()}, declared in a YAML mapping.

Try a mapping against the built-in sandbox, check every row, then send them:

  importer run mappings/flex.yaml --sandbox
  importer validate mappings/flex.yaml
  importer run mappings/flex.yaml

Exit codes: 0 every row done; 1 some rows not done; 2 nothing sent (a configuration, mapping,
input or authentication error). 'importer COMMAND -h' shows a command's options and examples.
"""

app = typer.Typer(
    cls=Group,
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# in this order in --help
for _name, _command in (
    ("run", run_command),
    ("status", status_command),
    ("undo", undo_command),
    ("validate", validate_command),
    ("render", render_command),
    ("fields", fields_command),
    ("new", new_command),
    ("sandbox", sandbox_command),
    ("schema", schema_command),
):
    app.command(_name, cls=Command)(_command)


def _version() -> str:
    try:
        return version("importer")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"importer {_version()}")
        raise typer.Exit(0)


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print the version and exit.",
            is_eager=True,
            callback=_show_version,
        ),
    ] = False,
) -> None:
    """The app's own options (the help text is HELP)."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _interrupt_on_sigterm() -> Iterator[None]:
    """SIGTERM stops a command as Ctrl-C does (exit 130), not the process there and then."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code instead of raising SystemExit."""
    try:
        args = sys.argv[1:] if argv is None else list(argv)
        with _interrupt_on_sigterm():
            code = app(args=args, prog_name="importer", standalone_mode=False, obj={"argv": args})
    except ImporterError as exc:
        typer.echo(f"Error: {exc}", err=True)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (click.ClickException, typer.TyperException) as exc:  # a usage error
        exc.show()  # type: ignore[union-attr]
        return 2
    except (click.Abort, typer.Abort):
        typer.echo("Aborted.", err=True)
        return 130
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
