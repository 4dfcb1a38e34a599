"""The ``importer`` command: parse options, call the library, print, return an exit code.

Exit codes: 0 every row done; 1 some rows failed, invalid, skipped or unknown; 2 a
configuration, mapping, input or authentication error (nothing sent).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated

import click
import typer
from dotenv import load_dotenv

from importer import i18n, targets
from importer.audit import default_audit
from importer.errors import ConfigurationError, ImporterError
from importer.journal import (
    Journal,
    is_locked,
    journal_folder,
    journals_of,
    old_journals,
)
from importer.mapping import Mapping, json_schema, load_mapping
from importer.messages import render
from importer.paths import check_output
from importer.plan import prepare
from importer.progress import Progress
from importer.render import to_json
from importer.report import RunInfo, resume_command, write_workbook
from importer.results import Result, Status
from importer.runner import Options, default_output, run, send
from importer.sandbox import Faults
from importer.scaffold import scaffold
from importer.session import open_session
from importer.targets import Target

app = typer.Typer(
    help="Import spreadsheets (CSV, Excel) into business systems, declared in a YAML mapping.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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


@app.command("run")
def run_command(
    ctx: typer.Context,
    mapping: MappingArg,
    input: InputOpt = None,
    out: OutOpt = None,
    sandbox: Annotated[
        bool,
        typer.Option("--sandbox", help="Send to the built-in sandbox of the mapping's target."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read, validate and render only; send nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask before writing to production.")
    ] = False,
    journal: Annotated[
        Path | None,
        typer.Option(
            "--journal",
            help="The journal file (default: one per environment beside the mapping).",
            show_default=False,
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start a new journal (the old one is kept in old/).")
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            min=1,
            show_default=False,
            help="Requests in parallel (default and maximum: the target's own, see the README).",
        ),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Tries again after a transient refusal.")
    ] = 3,
    retry_backoff: Annotated[
        float, typer.Option("--retry-backoff", min=0, help="First wait before a retry (s).")
    ] = 1.0,
    max_wait: Annotated[
        float, typer.Option("--max-wait", min=0, help="Longest single wait before a retry (s).")
    ] = 60.0,
    retry_unknown: Annotated[
        bool,
        typer.Option(
            "--retry-unknown",
            help="Send again rows that got no answer and have no lookup "
            "(only after checking the target by hand).",
        ),
    ] = False,
    lang: LangOpt = None,
    include_payloads: PayloadsOpt = False,
    audit: Annotated[
        Path | None,
        typer.Option(
            "--audit",
            help="The audit trail: every request and reply as JSON lines "
            "(default: beside the workbook).",
            show_default=False,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only the summary line and the errors.")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every request and its reply's status.")
    ] = False,
) -> None:
    """Import the rows of MAPPING's sources and write the result workbook.

    A journal beside the workbook records every row sent: running the same command again
    resumes, and never creates a record twice.
    """
    loaded = _load(mapping, input)
    workbook = out or default_output(mapping)
    language = i18n.resolve(lang, loaded)
    info = RunInfo(
        command=_argv(ctx), audit=None if dry_run else audit or default_audit(workbook, mapping)
    )
    progress = Progress(mode="quiet" if quiet else "auto", verbose=verbose, lang=language)
    system = targets.spec(loaded.target)
    kind = system.target_class()
    parallel = min(concurrency or kind.default_concurrency, kind.max_concurrency)
    if concurrency and concurrency > kind.max_concurrency:
        typer.echo(
            f"Note: {loaded.target} allows at most {kind.max_concurrency} requests in "
            f"parallel; using {kind.max_concurrency}.",
            err=True,
        )
    options = Options(
        concurrency=parallel,
        retries=retries,
        backoff=retry_backoff,
        max_wait=max_wait,
        retry_unknown=retry_unknown,
        observer=progress,
    )
    stop = threading.Event()
    trail = None
    with ExitStack() as stack:
        stack.callback(progress.close)
        if dry_run:
            check_output(workbook, "--out")
            result = run(loaded, None, dry_run=True, options=options)
        else:
            assert info.audit is not None
            session = stack.enter_context(
                open_session(
                    loaded,
                    workbook=workbook,
                    audit=info.audit,
                    run_id=info.run_id,
                    concurrency=parallel,
                    sandbox=sandbox,
                    journal=journal,
                    fresh=fresh,
                    command=resume_command(info.command or []),
                    user=info.user,
                    listener=progress.request,
                    confirm=lambda target: _confirm_production(target, yes),
                    say=lambda note: typer.echo(note, err=True),
                )
            )
            trail = session.trail
            # Until a request can leave (reading, checking), Ctrl-C or SIGTERM stop at once;
            # from the first request on, they stop sending and let those in flight finish.
            try:
                plan = prepare(loaded, session.target.contract)
            except KeyboardInterrupt:
                typer.echo("Interrupted before anything was sent.", err=True)
                raise typer.Exit(130) from None
            with _stop_on_signals(stop):
                result = send(
                    plan, session.target, journal=session.journal, options=options, stop=stop
                )
            trail.end(summary=result.summary_line(), workbook=str(workbook))
    path = write_workbook(
        result, workbook, lang=language, include_payloads=include_payloads, run=info
    )
    _print_problems(result, lang=language)
    progress.summary(result)
    if result.interrupted:
        typer.echo(
            "Interrupted: the rows not sent are 'skipped'; run the same command again to resume.",
            err=True,
        )
    elif result.stopped:
        typer.echo(f"Error: {result.stopped}", err=True)
    typer.echo(result.summary_line())
    progress.say(i18n.text(language, "term.workbook", path=path))
    if trail is not None and trail.exchanges:
        progress.say(i18n.text(language, "term.audit", path=trail.path))
    if result.interrupted:
        raise typer.Exit(130)
    if result.stopped:  # the target refused the token or went away: the run could not go on
        raise typer.Exit(2)
    raise typer.Exit(0 if result.all_done else 1)


@app.command("status")
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
            typer.echo("\n".join(f"  {line}" for line in book.describe().splitlines()))
    if not journal and (old := old_journals(mapping)):
        typer.echo(f"Earlier journals, replaced by --fresh ({old[0].parent}):")
        for path in old:
            typer.echo(f"  {path.name}")


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl-C or SIGTERM: stop sending, let requests in flight finish, write the workbook."""

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop now
        typer.echo("Stopping: no new requests; waiting for those in flight...", err=True)
        stop.set()

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@app.command("validate")
def validate_command(
    ctx: typer.Context,
    mapping: MappingArg,
    input: InputOpt = None,
    out: OutOpt = None,
    lang: LangOpt = None,
    include_payloads: PayloadsOpt = False,
) -> None:
    """Check MAPPING and every row of its sources; send nothing. Writes a report workbook."""
    result = prepare(_load(mapping, input)).result
    path = write_workbook(
        result,
        out or default_output(mapping, suffix="validation"),
        lang=i18n.resolve(lang, result.mapping),
        include_payloads=include_payloads,
        run=RunInfo(command=_argv(ctx), validation=True),
    )
    _print_problems(result, lang=i18n.resolve(lang, result.mapping))
    counts = result.row_statuses()
    typer.echo(
        f"Validation finished: {counts['planned']} valid, {counts['invalid']} invalid, "
        f"{counts['skipped']} skipped"
    )
    typer.echo(f"Validation report: {path}", err=True)
    raise typer.Exit(0 if result.all_done else 1)


@app.command("render")
def render_command(mapping: MappingArg, input: InputOpt = None) -> None:
    """Print the body of every valid row as one JSON line; send nothing.

    Ids that only the target can give (such as a parent's DbId) are shown as placeholders.
    """
    result = prepare(_load(mapping, input)).result
    for step in result.mapping.steps:
        for outcome in result.outcomes[step.name].values():
            if outcome.status == Status.PLANNED:
                line = {"step": step.name, "row": outcome.row, "body": outcome.json()}
                typer.echo(to_json(line))
    _print_problems(result)
    raise typer.Exit(0 if result.all_done else 1)


@app.command("sandbox")
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
    system: Annotated[
        str,
        typer.Option(
            "--target",
            help=f"Which system to imitate: {', '.join(targets.names())}.",
            show_default=False,
        ),
    ] = targets.DEFAULT,
) -> None:
    """Run the sandbox of a target in the foreground on 127.0.0.1 until Ctrl-C."""
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
    box = imitated.start_sandbox(port=port, faults=faults, token=token, **options)
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


@app.command("new")
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
    """Write a starting mapping and template by matching the spreadsheet's headers to fields."""
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


@app.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of mapping files (for editors that complete and check YAML)."""
    typer.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def _confirm_production(target: Target, yes: bool) -> None:
    """A run against production goes ahead only with --yes or a typed confirmation."""
    if not target.needs_confirmation or yes:
        return
    if not sys.stdin.isatty():
        raise ConfigurationError(
            f"Refusing to write to the {target.environment} ({target.host}) without "
            "confirmation: run again with --yes"
        )
    typer.confirm(f"Write to the {target.environment} ({target.host})?", abort=True)


def _load(path: Path, inputs: list[str] | None) -> Mapping:
    load_dotenv(Path.cwd() / ".env", override=False)
    mapping = load_mapping(path)
    overrides: dict[str, Path] = {}
    for value in inputs or []:
        name, sep, file = value.partition("=")
        if sep and name in mapping.sources:
            overrides[name] = Path(file)
        elif len(mapping.sources) == 1:
            overrides[next(iter(mapping.sources))] = Path(value)
        else:
            raise typer.BadParameter(
                f"{value!r}: say which source, as NAME=PATH (sources: "
                f"{', '.join(mapping.sources)})",
                param_hint="--input",
            )
    return mapping.with_inputs(overrides) if overrides else mapping


def _print_problems(result: Result, limit: int = 20, lang: str = i18n.DEFAULT) -> None:
    """Warnings about the inputs, and the first problems, on stderr (in ``lang``); the
    workbook has all."""
    for table in result.tables.values():
        for warning in table.warnings:
            typer.echo(f"{i18n.text(lang, 'label.warning')}: {render(warning, lang)}", err=True)
    problems = [
        (step.name, outcome)
        for step in result.mapping.steps
        for outcome in result.outcomes[step.name].values()
        if outcome.status in (Status.INVALID, Status.FAILED, Status.UNKNOWN)
    ]
    for step_name, outcome in problems[:limit]:
        table = result.tables[result.mapping.step(step_name).source]
        line = i18n.text(
            lang,
            "term.problem",
            source=table.label,
            row=outcome.row,
            step=step_name,
            status=i18n.status(lang, outcome.status),
            error=render(outcome.error, lang),
        )
        typer.echo(line, err=True)
    if len(problems) > limit:
        typer.echo(i18n.text(lang, "term.more", count=len(problems) - limit), err=True)


def _argv(ctx: typer.Context) -> list[str]:
    """The arguments the command was given (for the command to resume on the Summary)."""
    obj = ctx.find_root().obj
    return list(obj["argv"]) if isinstance(obj, dict) and "argv" in obj else sys.argv[1:]


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
