"""The commands around an import: ``status`` (what the journals hold), ``sandbox`` (a target's
imitation to try against), ``new`` (a starting mapping) and ``schema`` (of mapping files).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from importer import targets
from importer.cli.options import MappingArg
from importer.errors import ConfigurationError
from importer.journal.database import is_locked
from importer.journal.places import journal_folder, journals_of, old_journals
from importer.journal.store import Journal
from importer.mapping import json_schema
from importer.progress import count_table, plain_table
from importer.results import Count
from importer.sandbox import Faults
from importer.scaffold import scaffold


def status_command(
    mapping: MappingArg,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="A journal file (default: every journal of MAPPING).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print what the journals of MAPPING hold, per environment, step and state.

    Safe while a run is going on: it only reads.

    Examples:

      importer status mappings/flex.yaml
      importer status mappings/flex.yaml --journal old/flex.sqlite
    """
    paths = [journal] if journal else journals_of(mapping)
    if not paths:
        typer.echo(
            f"No journal for {mapping} in {journal_folder(mapping)}: nothing has been sent "
            "to a target yet (runs with --sandbox keep none: their sandbox is gone when they end)."
        )
    for path in paths:
        if not path.exists():
            raise ConfigurationError(f"No journal at {path}")
        with Journal.read(path) as book:
            typer.echo(f"Journal {path} (target {book.target}):")
            if is_locked(path) and (holder := book.holder()):
                typer.echo(
                    f"  in use by a run: pid {holder.get('pid')} on {holder.get('host')}, "
                    f"started {holder.get('started')}"
                )
            for line in last_run_lines(book.meta.get("last_run")):
                typer.echo(f"  {line}")
            typer.echo("  Records in the journal (one per step and key, over every run):")
            typer.echo("\n".join(f"    {line}" for line in book.describe().splitlines()))
    if not journal and (old := old_journals(mapping)):
        typer.echo(f"Earlier journals, replaced by --fresh ({old[0].parent}):")
        for path in old:
            typer.echo(f"  {path.name}")


def last_run_lines(noted: str | None) -> list[str]:
    """What the last run counted, as its terminal table and summary line showed it."""
    if not noted:
        return []
    try:
        run = json.loads(noted)
        counts = [Count.of(c) for c in run["counts"]]
    except (ValueError, KeyError, TypeError):
        return []
    head, rows, _ = count_table(counts, "en")
    lines = [f"Last run {run.get('run_id')} (finished {run.get('finished')}): {run.get('summary')}"]
    return lines + [f"  {line}" for line in plain_table(head, rows)]


def sandbox_command(
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: a free one).")] = 8123,
    latency_ms: Annotated[float, typer.Option("--latency-ms", help="Delay of every reply.")] = 0,
    fail_rate: Annotated[
        float, typer.Option("--fail-rate", help="Share of writes refused as 'record locked' (500).")
    ] = 0,
    unavailable_rate: Annotated[
        float, typer.Option("--unavailable-rate", help="Share of writes answered 503.")
    ] = 0,
    retry_after: Annotated[int, typer.Option("--retry-after", help="retry_after of a 503.")] = 7,
    drop_before_rate: Annotated[
        float, typer.Option("--drop-before-rate", help="Share of writes dropped before saving.")
    ] = 0,
    drop_after_rate: Annotated[
        float, typer.Option("--drop-after-rate", help="Share of writes saved, then dropped.")
    ] = 0,
    script: Annotated[
        str | None,
        typer.Option("--script", help="Faults for given writes: '3=locked,5=drop_after'."),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the fault draws.")] = 0,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="SQLite file that keeps the data across restarts."),
    ] = None,
    token: Annotated[
        str | None, typer.Option("--token", help="The token to accept (default: a new one).")
    ] = None,
    empty: Annotated[
        bool,
        typer.Option("--empty", help="Start without the sandbox's demo data (its demo debtors)."),
    ] = False,
    codes: Annotated[
        Path | None,
        typer.Option(
            "--codes",
            help="A YAML file of the environment's code tables to check codes against "
            "(project_groups, countries, items: lists of codes; see the README).",
            show_default=False,
        ),
    ] = None,
    system: Annotated[
        str,
        typer.Option(
            "--target",
            help=f"Which system to imitate: {', '.join(targets.names())}.",
            show_default=False,
        ),
    ] = targets.DEFAULT,
) -> None:
    """Run the sandbox of a target in the foreground on 127.0.0.1 until Ctrl-C.

    It prints the settings that point importer at it; its records are listed at /sandbox/records
    (see the README).

    Examples:

      importer sandbox --port 8123
      importer sandbox --codes codes.yaml --state sandbox.db
      importer sandbox --fail-rate 0.1 --seed 7
    """
    try:
        faults = Faults.from_options(
            latency_ms=latency_ms,
            locked_rate=fail_rate,
            unavailable_rate=unavailable_rate,
            retry_after=retry_after,
            drop_before_rate=drop_before_rate,
            drop_after_rate=drop_after_rate,
            seed=seed,
            script=script,
        )
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    imitated = targets.spec(system)
    options = dict(imitated.sandbox_defaults)
    if state is not None:
        options["state_path"] = state
    if empty:
        options["demo"] = False
    if codes is not None:
        options["codes"] = codes
    try:
        box = imitated.start_sandbox(port=port, faults=faults, token=token, **options)
    except ValueError as exc:  # a codes file that cannot be used
        raise ConfigurationError(str(exc)) from exc
    typer.echo(
        f"{imitated.system} sandbox at {box.base_url} (Ctrl-C to stop). In another terminal:"
    )
    for name, value in imitated.sandbox_settings(box).items():
        typer.echo(f"export {name}={value}")
    for note in imitated.sandbox_notes(box):
        typer.echo(note)
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        box.stop()
        typer.echo(
            f"Stopped. Writes: {box.faults.writes}; faults injected: "
            f"{dict(box.faults.applied) or 'none'}"
        )


def new_command(
    connector: Annotated[str, typer.Option("--connector", "-c", help="e.g. KnSalesRelationOrg.")],
    input: Annotated[Path, typer.Option("--input", "-i", help="The spreadsheet to import.")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="xlsx: the sheet.")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Mapping name (default: input's).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where to write.")] = Path("mappings"),
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace existing files.")] = False,
    system: Annotated[
        str,
        typer.Option(
            "--target",
            help=f"The system written to: {', '.join(targets.names())}.",
            show_default=False,
        ),
    ] = targets.DEFAULT,
) -> None:
    """Write a starting mapping and template by matching the spreadsheet's headers to fields.

    Headers are matched to the fields' names and labels (see 'importer fields').

    Examples:

      importer new -c KnSalesRelationOrg -i klanten.xlsx
      importer new -c KnPerson -i personen.csv --name personen --out-dir mappings
    """
    made = scaffold(
        connector,
        input,
        target=system,
        out_dir=out_dir,
        sheet=sheet,
        name=name,
        overwrite=overwrite,
    )
    typer.echo(f"Wrote {made.mapping_path} and {made.template_path}")
    typer.echo(
        f"Matched {len(made.matched)} of {len(made.matched) + len(made.unmatched)} columns; "
        f"{made.todos} TODOs to check (search for TODO in both files)."
    )
    for header, field in made.matched.items():
        typer.echo(f"  {header} -> {field}")
    if made.unmatched:
        typer.echo(f"  not matched: {', '.join(made.unmatched)}")


def schema_command() -> None:
    """Print the JSON Schema of mapping files (for editors that complete and check YAML).

    Example:

      importer schema > mapping.schema.json
    """
    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))
