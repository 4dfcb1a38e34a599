"""``importer undo``: take a test load back out, as the journal of its runs records it.

The deciding and the deleting are :mod:`importer.undo`; the workbook is
:mod:`importer.report.undone`. The journal is found and locked as a run finds and locks it
(:func:`importer.session.open_session`); a dry run only reads it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from importer import i18n, targets, undo
from importer.audit import default_audit
from importer.cli.importing import _argv, _load
from importer.cli.options import LangOpt, MappingArg, out_option
from importer.errors import ConfigurationError
from importer.journal.store import Journal
from importer.messages import render
from importer.paths import check_output
from importer.report.runinfo import RunInfo, resume_command
from importer.report.undone import default_undo_output, ids_text, write_undo_workbook
from importer.session import existing_journal, open_session
from importer.targets import Target

LISTED = 20  # records listed per list on the terminal; the workbook has them all


def undo_command(
    ctx: typer.Context,
    mapping: MappingArg,
    out: Annotated[
        Path | None,
        out_option("The undo workbook: what was deleted and what is left to do by hand."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="List what would be deleted and removed by hand; delete nothing."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before deleting (any environment).")
    ] = False,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="The journal file (default: the environment's, beside the mapping).",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
    audit: Annotated[
        Path | None,
        typer.Option(
            "--audit",
            help="The audit trail the deletes are appended to (default: beside the workbook).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Delete what the runs of MAPPING created in the target, children first, as its journal
    records it; list what must be removed or checked by hand. Try --dry-run first.

    Examples:

      importer undo mappings/flex.yaml --dry-run
      importer undo mappings/flex.yaml
    """
    loaded = _load(mapping, None)
    language = i18n.resolve(lang, loaded)
    workbook = out or default_undo_output(mapping, dry_run=dry_run)
    check_output(workbook, "--out")
    system = targets.spec(loaded.target)
    if dry_run:
        info = RunInfo(command=_argv(ctx))
        target = system.target_class().from_env(concurrency=1)
        try:
            host = target.host
            path = existing_journal(loaded, host, journal, workbook)
            with Journal.read(path) as book:
                done = undo.plan(loaded, book, target)
        finally:
            target.close()
        audited = 0
    else:
        info = RunInfo(command=_argv(ctx), audit=audit or default_audit(workbook, mapping))
        assert info.audit is not None
        with open_session(
            loaded,
            workbook=workbook,
            audit=info.audit,
            run_id=info.run_id,
            concurrency=1,
            journal=journal,
            command=resume_command(info.command or []),
            user=info.user,
            say=lambda note: typer.echo(note, err=True),
            existing=True,
        ) as session:
            target, book = session.target, session.journal
            host = target.host
            assert book.path is not None
            path = book.path
            done = undo.plan(loaded, book, target)
            if done.to_delete:
                _confirm(target, len(done.to_delete), mapping, yes)
                undo.carry_out(done, target, book)
            else:
                done.dry_run = False
            session.trail.end(summary=done.summary_line(), workbook=str(workbook))
            audited = session.trail.exchanges
    written = write_undo_workbook(
        done, workbook, lang=language, mapping=mapping, target=host, journal=path, run=info
    )
    _print(done, language)
    if done.stopped is not None and not done.interrupted:
        typer.echo(f"Error: {render(done.stopped, 'en')}", err=True)
    typer.echo(done.summary_line())
    typer.echo(i18n.text(language, "term.undo.workbook", path=written), err=True)
    if audited and info.audit is not None:
        typer.echo(i18n.text(language, "term.audit", path=info.audit), err=True)
    if done.interrupted:
        raise typer.Exit(130)
    if done.stopped is not None:
        raise typer.Exit(2)
    raise typer.Exit(0 if done.all_done else 1)


def _confirm(target: Target, count: int, mapping: Path, yes: bool) -> None:
    """Undo deletes only with --yes or a typed confirmation, whatever the environment."""
    if yes:
        return
    what = f"{count} record{'s' if count != 1 else ''} of {mapping}"
    if not sys.stdin.isatty():
        raise ConfigurationError(
            f"Refusing to delete {what} from the {target.environment} ({target.host}) without "
            "confirmation: run again with --yes (--dry-run lists what would be deleted)"
        )
    typer.confirm(f"Delete {what} from the {target.environment} ({target.host})?", abort=True)


def _print(done: undo.Undo, lang: str) -> None:
    """The lists on stderr, in ``lang``: what a dry run would delete, what must be removed
    and checked by hand."""
    lists = [
        ("term.undo.by_hand", done.by_hand),
        ("term.undo.check", done.of(undo.Action.CHECK)),
    ]
    if done.dry_run:
        lists.insert(0, ("term.undo.delete", done.to_delete))
    for key, items in lists:
        if not items:
            continue
        typer.echo(i18n.text(lang, key, count=len(items), system=done.system), err=True)
        for item in items[:LISTED]:
            line = i18n.text(
                lang,
                "term.undo.item",
                step=item.step,
                row=item.row,
                value=item.key,
                connector=item.connector,
                ids=ids_text(item.ids),
            )
            typer.echo(line.rstrip(), err=True)
            if item.why is not None and item.action is not undo.Action.DELETE:
                typer.echo(i18n.text(lang, "term.undo.why", why=render(item.why, lang)), err=True)
        if len(items) > LISTED:
            typer.echo(i18n.text(lang, "term.more", count=len(items) - LISTED), err=True)
