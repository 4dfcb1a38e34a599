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

import click
import typer

from importer.cli.importing import render_command, run_command, validate_command
from importer.cli.tools import new_command, sandbox_command, schema_command, status_command
from importer.cli.undo import undo_command
from importer.errors import ImporterError

app = typer.Typer(
    help="Import spreadsheets (CSV, Excel) into business systems, declared in a YAML mapping.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# in this order in --help
app.command("run")(run_command)
app.command("status")(status_command)
app.command("undo")(undo_command)
app.command("validate")(validate_command)
app.command("render")(render_command)
app.command("sandbox")(sandbox_command)
app.command("new")(new_command)
app.command("schema")(schema_command)


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
