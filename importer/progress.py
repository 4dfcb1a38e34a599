"""Watching a run on the terminal: progress per step, requests, and a summary at the end.

:class:`Progress` is the runner's observer (:class:`importer.sending.Observer`). It writes to
stderr only (stdout holds the summary line that scripts read), in one of three modes:

- ``bar`` when stderr is a terminal: a progress bar per step (rows done and total, rate,
  time left), drawn with rich;
- ``plain`` when it is not (CI, cron, a pipe): a line when a step starts, one every
  ``interval`` seconds while it runs, and one when it is done;
- ``quiet`` (``--quiet``): nothing but what the command prints itself (the summary line and
  the errors).

With ``verbose`` every request is logged as it ends (method, URL, status, duration, step and
row; fed by the audit trail). ``NO_COLOR`` turns colour off; a ``TERM=dumb`` terminal gets
plain lines. At the end :meth:`summary` prints the table of what the run counts (each step's
rows, its lines, each file's rows once: :class:`importer.results.Count`), the figures of the
Summary sheet and the summary line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from importer import i18n
from importer.mapping import Step
from importer.results import (
    EARLIER,
    STATUSES,
    Count,
    Outcome,
    Result,
    Status,
    counted,
    shown_statuses,
)

# rich colour names per status, for the summary table on a terminal
COLOURS: dict[str, str] = {
    Status.CREATED: "green",
    Status.EXISTING: "blue",
    Status.UPDATED: "blue",
    Status.UNCHANGED: "blue",
    Status.DELETED: "magenta",
    Status.CHANGED: "yellow",
    Status.PLANNED: "cyan",
    Status.SKIPPED: "bright_black",
    Status.EXCLUDED: "bright_black",
    Status.INVALID: "dark_orange",
    Status.FAILED: "red",
    Status.UNKNOWN: "red",
}


@dataclass
class _StepState:
    name: str
    connector: str
    total: int
    started: float
    done: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    samples: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=64))
    last_line: float = 0.0
    finished: bool = False
    task: Any = None  # the rich task id


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min {secs} s"


class Progress:
    """The runner's observer for the terminal (see the module's documentation)."""

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        mode: str = "auto",
        verbose: bool = False,
        lang: str = "en",
        interval: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "bar" if _is_terminal(self.stream) else "plain"
        if mode not in ("bar", "plain", "quiet"):
            raise ValueError(f"mode {mode!r}: expected auto, bar, plain or quiet")
        self.mode = mode
        self.verbose = verbose and mode != "quiet"
        self.lang = lang
        self.interval = interval
        self.clock = clock
        self.colour = not os.environ.get("NO_COLOR")
        self.steps: dict[str, _StepState] = {}
        self._lock = threading.Lock()
        self._bars: Any = None
        self._console: Any = None
        self.paced: tuple[int, int] | None = None  # (limit, ceiling) when below the ceiling

    # --- the observer ---------------------------------------------------------------------

    def step_started(self, step: Step, rows: int) -> None:
        now = self.clock()
        with self._lock:
            # A child step's first rows can be done before the runner announces the step.
            state = self.steps.get(step.name)
            if state is None:
                state = _StepState(step.name, step.connector, rows, now, last_line=now)
                self.steps[step.name] = state
            state.total = rows
            if self.mode == "bar":
                bars = self._progress()
                state.task = bars.add_task(
                    step.name, total=rows or 1, completed=state.done if rows else 1
                )
            elif self.mode == "plain":
                self._line(
                    i18n.text(
                        self.lang,
                        "term.started",
                        step=step.name,
                        rows=rows,
                        connector=step.connector,
                    )
                )
            if state.done >= rows and not state.finished:
                state.finished = True
                if self.mode == "plain" and rows:
                    self._line(self._done_line(state, now))

    def row_done(self, step: Step, outcome: Outcome) -> None:
        now = self.clock()
        with self._lock:
            state = self.steps.get(step.name)
            if state is None:  # a row before its step was announced: the total comes later
                state = _StepState(step.name, step.connector, -1, now, last_line=now)
                self.steps[step.name] = state
            state.done += 1
            state.counts[counted(outcome)] += 1  # (done in an earlier run: already done)
            if not state.samples:
                state.samples.append((state.started, 0))
            state.samples.append((now, state.done))
            if self.mode == "bar" and self._bars is not None and state.task is not None:
                self._bars.update(state.task, completed=state.done)
            elif self.mode == "plain" and state.total >= 0:
                if state.done >= state.total and not state.finished:
                    state.finished = True
                    self._line(self._done_line(state, now))
                elif now - state.last_line >= self.interval:
                    state.last_line = now
                    self._line(self._progress_line(state, now))

    def request(self, record: dict[str, Any]) -> None:
        """A line of the audit trail: with ``--verbose`` one line per request; the requests
        let in parallel, while below the ceiling, are shown with the progress."""
        if record.get("event") == "pace":
            limit, ceiling = record["limit"], record["ceiling"]
            self.paced = (limit, ceiling) if limit < ceiling else None
            return
        if not self.verbose or record.get("event") != "exchange":
            return
        where = ""
        if record.get("step"):
            where = f" ({record['step']} row {record.get('row')})"
        status = record.get("status")
        answer = status if status is not None else (record.get("error") or "no answer")
        line = (
            f"{record.get('method')} {record.get('url')} -> {answer} "
            f"in {record.get('duration_ms', 0):.0f} ms{where}"
        )
        with self._lock:
            if self.mode == "bar" and self._bars is not None:
                self._bars.console.print(line, markup=False, highlight=False)
            else:
                self._line(line)

    # --- lines --------------------------------------------------------------------------------

    def _rate(self, state: _StepState, now: float) -> float | None:
        """Rows a second over the recent samples."""
        if len(state.samples) < 2:
            return None
        first_time, first_done = state.samples[0]
        span = now - first_time
        return (state.done - first_done) / span if span > 0 else None

    def _progress_line(self, state: _StepState, now: float) -> str:
        rate = self._rate(state, now)
        left = (state.total - state.done) / rate if rate else None
        return self._with_pace(
            i18n.text(
                self.lang,
                "term.progress",
                step=state.name,
                done=state.done,
                total=state.total,
                percent=int(100 * state.done / state.total) if state.total else 100,
                rate=i18n.text(self.lang, "term.rate", rate=rate or 0.0),
                left=_duration(left) if left is not None else "?",
            )
        )

    def _with_pace(self, line: str) -> str:
        """A line, with the requests in parallel when the target made the run slow down."""
        if self.paced is None:
            return line
        limit, ceiling = self.paced
        return f"{line}; {i18n.text(self.lang, 'term.paced', limit=limit, ceiling=ceiling)}"

    def _done_line(self, state: _StepState, now: float) -> str:
        counts = ", ".join(
            f"{state.counts[s]} {i18n.status(self.lang, s)}"
            for s in (*STATUSES, EARLIER)
            if state.counts[s]
        )
        return i18n.text(
            self.lang,
            "term.done",
            step=state.name,
            done=state.done,
            total=state.total,
            elapsed=_duration(now - state.started),
            counts=counts,
        )

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def _progress(self) -> Any:
        if self._bars is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as Bars,
            )

            self._console = Console(file=self.stream, no_color=not self.colour, highlight=False)
            self._bars = Bars(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                _RateColumn(self),
                TimeRemainingColumn(),
                console=self._console,
                transient=False,
            )
            self._bars.start()
        return self._bars

    def close(self) -> None:
        """Stop drawing (the bars stay on screen as they ended)."""
        with self._lock:
            if self._bars is not None:
                self._bars.stop()
                self._bars = None

    # --- the end ------------------------------------------------------------------------------

    def summary(self, result: Result) -> None:
        """A table of rows per step and status (not in quiet mode)."""
        self.close()
        if self.mode == "quiet":
            return
        head, rows, shown = count_table(result.counts(), self.lang)
        if self.mode == "bar":
            from rich.console import Console
            from rich.table import Table

            console = self._console or Console(
                file=self.stream, no_color=not self.colour, highlight=False
            )
            table = Table(show_edge=False, box=None, pad_edge=False)
            table.add_column(head[0])
            table.add_column(head[1])
            for title, status in zip(head[2:], ["", *shown], strict=True):
                table.add_column(title, justify="right", style=COLOURS.get(status, ""))
            for row in rows:
                table.add_row(*row)
            console.print(table)
            return
        for line in plain_table(head, rows):
            self._line(line)

    def say(self, text: str) -> None:
        """A line for the user (not in quiet mode)."""
        if self.mode != "quiet":
            self.close()
            self._line(text)


def count_table(counts: list[Count], lang: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The table of what a run counts (:class:`importer.results.Count`), as text: its head,
    its rows (each step's rows, its lines, each file's rows once; with several files their
    total, the summary line's figures) and the statuses of its columns."""
    shown = shown_statuses(counts)
    head = [
        i18n.text(lang, "header.step"),
        i18n.text(lang, "header.counted"),
        i18n.text(lang, "header.rows"),
        *(i18n.status(lang, s) for s in shown),
    ]
    files = [c for c in counts if c.kind == "file"]
    if len(files) > 1:
        total = Count(i18n.text(lang, "header.total"), "total", "")
        for c in files:
            total.statuses.update(c.statuses)
        counts = [*counts, total]
    lines = i18n.text(lang, "sheet.lines")
    rows = [
        [
            f"{c.name} {lines}" if c.kind == "lines" else c.name,
            i18n.text(lang, count_key(c), source=c.source, records=c.records),
            str(c.total),
            *(str(c.statuses[x]) for x in shown),
        ]
        for c in counts
    ]
    return head, rows, shown


def plain_table(head: list[str], rows: list[list[str]]) -> list[str]:
    """A count table as plain lines: the names left-aligned, the figures right-aligned."""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = []
    for row in [head, *rows]:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def count_key(count: Count) -> str:
    """The text that says what a count counts (``rows of klanten.csv``)."""
    if count.kind == "rows" and count.records is not None and count.records != count.total:
        return "count.rows_records"
    return f"count.{count.kind}"


class _RateColumn:
    """rows/s of a task (rich's own speed columns speak of bytes)."""

    def __new__(cls, progress: Progress) -> Any:
        from rich.progress import ProgressColumn
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                if speed is None:
                    return Text("")
                rate = i18n.text(progress.lang, "term.rate", rate=speed)
                return Text(rate if task.finished else progress._with_pace(rate))

        return RateColumn()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
