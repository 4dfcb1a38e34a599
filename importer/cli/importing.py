"""The commands that read a mapping's sources: ``run`` (import them), ``validate`` (check
every row, send nothing) and ``render`` (print the bodies); and what they share: loading the
mapping with ``--input``, printing the first problems, the command line given.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated

import typer
from dotenv import load_dotenv

from importer import approval, i18n, targets
from importer.audit import default_audit
from importer.cli.options import (
    InputOpt,
    LangOpt,
    MappingArg,
    OutOpt,
    PayloadsOpt,
    out_option,
    unknown_source,
)
from importer.errors import ConfigurationError
from importer.mapping import Mapping
from importer.mappingfile import load_mapping
from importer.messages import Message, render
from importer.paths import check_not_a_result, check_output
from importer.plan import prepare
from importer.progress import Progress
from importer.reconcile import deletes_due
from importer.render import to_json
from importer.report import write_rows_to_fix, write_workbook
from importer.report.runinfo import RunInfo, resume_command
from importer.results import Result, Status
from importer.runner import default_output, run, send
from importer.sending import Options
from importer.session import open_session
from importer.targets import Target


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
    approved: Annotated[
        Path | None,
        typer.Option(
            "--approved",
            help="Send only if everything matches this plan of 'validate --plan' (four eyes).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Import the rows of MAPPING's sources and write the result workbook.

    A journal beside the workbook records every row sent: running the same command again
    resumes, and never creates a record twice.

    Examples:

      importer run mappings/flex.yaml --sandbox
      importer run mappings/flex.yaml -i klanten=januari.csv -o januari.xlsx
      importer run mappings/flex.yaml --approved flex-plan.json --yes
    """
    loaded = _load(mapping, input)
    # a dry run's workbook has a name of its own, never a real result's (issue 16)
    workbook = out or default_output(mapping, suffix="dry-run" if dry_run else "result")
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
    plan_ok = approved and approval.check_run(approved, loaded, sandbox=sandbox, dry_run=dry_run)
    if plan_ok:  # approved: everything matches (else NotApproved, exit 2, nothing opened)
        typer.echo(plan_ok.describe(), err=True)
    with ExitStack() as stack:
        stack.callback(progress.close)
        if dry_run:
            check_output(workbook, "--out")
            check_not_a_result(workbook, "--out", default_output(mapping))
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
                # an approved plan is checked body by body; else the records the journal has
                # done from the same values are not rendered again (nothing is sent for them)
                done = None if plan_ok else session.journal
                plan = prepare(loaded, session.target.contract, done)
            except KeyboardInterrupt:
                typer.echo("Interrupted before anything was sent.", err=True)
                raise typer.Exit(130) from None
            if plan_ok:  # planned now with the target's own description of its connectors
                plan_ok.check_rows(plan.result)
            if not sandbox:
                due = deletes_due(plan, session.target, session.journal)
                _confirm_deletes(session.target, due, yes)
            with _stop_on_signals(stop):
                result = send(
                    plan, session.target, journal=session.journal, options=options, stop=stop
                )
            trail.end(summary=result.summary_line(), workbook=str(workbook))
            session.journal.note("last_run", result.last_run(info.run_id))  # importer status
    to_fix = write_rows_to_fix(result, workbook, language)
    path = write_workbook(
        result, workbook, lang=language, include_payloads=include_payloads, run=info,
        to_fix=to_fix,
    )  # fmt: skip
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
    if to_fix is not None:
        progress.say(i18n.text(language, "term.to_fix", path=to_fix))
    if trail is not None and trail.exchanges:
        progress.say(i18n.text(language, "term.audit", path=trail.path))
    if result.interrupted:
        raise typer.Exit(130)
    if result.stopped:  # the target refused the token or went away: the run could not go on
        raise typer.Exit(2)
    raise typer.Exit(0 if result.all_done else 1)


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


def _confirm_deletes(target: Target, count: int, yes: bool) -> None:
    """Deleting asks as a run against production does, whatever the environment."""
    if not count or yes:
        return
    if not sys.stdin.isatty():
        raise ConfigurationError(
            f"Refusing to delete {count} records in the {target.environment} ({target.host}) "
            "without confirmation: run again with --yes"
        )
    typer.confirm(
        f"Delete {count} records in the {target.environment} ({target.host})?", abort=True
    )


def validate_command(
    ctx: typer.Context,
    mapping: MappingArg,
    input: InputOpt = None,
    out: Annotated[
        Path | None,
        out_option("The validation report (default: named after MAPPING, in the current folder)."),
    ] = None,
    lang: LangOpt = None,
    include_payloads: PayloadsOpt = False,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="Also write a plan for 'run --approved' (four eyes): hashes of the files, the "
            "target environment and every planned row.",
            show_default=False,
        ),
    ] = None,
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="With --plan: approve a run with --sandbox.")
    ] = False,
) -> None:
    """Check MAPPING and every row of its sources; send nothing. Writes a report workbook.

    Examples:

      importer validate mappings/flex.yaml
      importer validate mappings/flex.yaml -i januari.csv --plan flex-plan.json
    """
    loaded = _load(mapping, input)
    report = out or default_output(mapping, suffix="validation")
    check_not_a_result(report, "--out", default_output(mapping))
    planning = plan and approval.begin_plan(plan, loaded, sandbox=sandbox)
    result = prepare(loaded).result
    report = out or default_output(mapping, suffix="validation")
    to_fix = write_rows_to_fix(result, report, i18n.resolve(lang, result.mapping))
    path = write_workbook(
        result,
        report,
        lang=i18n.resolve(lang, result.mapping),
        include_payloads=include_payloads,
        run=RunInfo(command=_argv(ctx), validation=True),
        to_fix=to_fix,
    )
    _print_problems(result, lang=i18n.resolve(lang, result.mapping))
    typer.echo(result.summary_line(validation=True))
    typer.echo(f"Validation report: {path}", err=True)
    if to_fix is not None:
        typer.echo(
            i18n.text(i18n.resolve(lang, result.mapping), "term.to_fix", path=to_fix), err=True
        )
    if planning:
        typer.echo(f"Plan for 'run --approved': {planning.write(result)}", err=True)
    raise typer.Exit(0 if result.all_done else 1)


def render_command(mapping: MappingArg, input: InputOpt = None) -> None:
    """Print the body of every valid row as one JSON line; send nothing.

    Ids that only the target can give (such as a parent's id) are shown as placeholders.

    Examples:

      importer render mappings/flex.yaml
      importer render mappings/flex.yaml -i klanten=januari.csv > bodies.jsonl
    """
    result = prepare(_load(mapping, input)).result
    for step in result.mapping.steps:
        for outcome in result.outcomes[step.name].values():
            if outcome.status == Status.PLANNED:
                line = {"step": step.name, "row": outcome.row, "body": outcome.json()}
                typer.echo(to_json(line))
    _print_problems(result)
    raise typer.Exit(0 if result.all_done else 1)


def _load(path: Path, inputs: list[str] | None) -> Mapping:
    load_dotenv(Path.cwd() / ".env", override=False)
    mapping = load_mapping(path)
    overrides: dict[str, Path] = {}
    for value in inputs or []:
        name, sep, file = value.partition("=")
        if sep and name in mapping.sources:
            overrides[name] = Path(file)
        elif sep and name and not Path(value).exists():
            raise typer.BadParameter(
                unknown_source(value, name, list(mapping.sources)), param_hint="--input"
            )
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
    # every problem at the file and row where its value stands (a line: also its record's)
    problems = [
        item
        for item in result.problems()
        if item.status in (Status.INVALID, Status.FAILED, Status.UNKNOWN)
    ]
    for item in problems[:limit]:
        error = item.message
        if error is not None and item.column:
            error = Message("problem.column", column=item.column, message=error)
        step = f"{item.step} {i18n.text(lang, 'sheet.lines')}" if item.lines else item.step
        parent_file, parent_row = item.parent or (None, None)
        line = i18n.text(
            lang,
            "term.problem_line" if item.parent else "term.problem",
            source=item.source,
            row=item.row,
            step=step,
            parent=parent_file,
            parent_row=parent_row,
            status=i18n.status(lang, item.status),
            error=render(error, lang) if error is not None else "",
        )
        typer.echo(line, err=True)
    if len(problems) > limit:
        typer.echo(i18n.text(lang, "term.more", count=len(problems) - limit), err=True)


def _argv(ctx: typer.Context) -> list[str]:
    """The arguments the command was given (for the command to resume on the Summary)."""
    obj = ctx.find_root().obj
    return list(obj["argv"]) if isinstance(obj, dict) and "argv" in obj else sys.argv[1:]
