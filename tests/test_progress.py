"""Watching a run: plain log lines off a terminal, bars on one, --quiet, --verbose, NO_COLOR."""

from __future__ import annotations

import io
import re

import pytest
from conftest import FLEX, ROOT

from importer.mappingfile import load_mapping
from importer.plan import prepare
from importer.progress import Progress
from importer.results import Outcome
from importer.status import Status

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"
SUMMARY = (
    "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_rerun_logs_the_rows_done_before_as_already_done_not_created(cli, afas_env):
    assert cli("run", FLEX).code == 0

    again = cli("run", FLEX)  # nothing is sent: nothing is created now

    done = [line for line in again.err.splitlines() if "/25 rows done in" in line]
    assert len(done) == 2
    assert re.fullmatch(r"verkooprelaties: 25/25 rows done in \d+\.\d s: 25 already done", done[0])


def test_off_a_terminal_each_step_logs_plain_lines_and_a_summary_table(cli, afas_env):
    ran = cli("run", FLEX)

    assert ran.out == SUMMARY
    lines = ran.err.splitlines()
    assert "verkooprelaties: 25 rows (KnSalesRelationOrg)" in lines
    assert "klantovereenkomsten: 25 rows (PtProject)" in lines
    done = [line for line in lines if "/25 rows done in" in line]
    assert len(done) == 2
    assert re.fullmatch(r"verkooprelaties: 25/25 rows done in \d+\.\d s: 25 created", done[0])
    table = lines[lines.index(next(x for x in lines if x.startswith("step "))) :]
    cells = [re.split(r"\s{2,}", line) for line in table[:4]]
    assert cells[0] == ["step", "counted", "rows", "created"]
    assert cells[1] == ["verkooprelaties", "rows of klanten.csv", "25", "25"]
    assert cells[2] == ["klantovereenkomsten", "rows of klanten.csv", "25", "25"]
    assert cells[3] == ["klanten.csv", "each row once (worst outcome)", "25", "25"]
    assert lines[-2:] == ["Result workbook: flex-result.xlsx", "Audit trail: flex.audit.jsonl"]
    assert "\x1b[" not in ran.err  # no colour codes off a terminal


def test_quiet_prints_only_the_summary_line_and_the_errors(cli, afas_env):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS, "--quiet")

    assert (
        ran.out
        == "Import finished: 1 created, 1 failed, 6 invalid, 0 skipped; source rows: klanten.csv 8\n"
    )
    lines = ran.err.splitlines()
    assert lines and all(" row " in line and "): " in line for line in lines), lines
    assert len(lines) == 10  # the ten problems, nothing else


def test_verbose_logs_every_request(cli, afas_env):
    ran = cli("run", FLEX, "--verbose")

    requests = [line for line in ran.err.splitlines() if " -> " in line]
    base = afas_env.base_url
    assert any(
        re.fullmatch(
            rf"POST {re.escape(base)}/connectors/KnSalesRelationOrg -> 201 in \d+ ms "
            r"\(verkooprelaties row \d+\)",
            line,
        )
        for line in requests
    )
    assert any(line.startswith(f"GET {base}/metainfo/update/PtProject -> 200") for line in requests)
    assert sum("/connectors/PtProject -> 201" in line for line in requests) == 25


def test_progress_lines_in_dutch(cli, afas_env):
    ran = cli("run", FLEX, "--lang", "nl")

    assert ran.out == SUMMARY  # the line scripts read stays as it is
    assert "verkooprelaties: 25 rijen (KnSalesRelationOrg)" in ran.err
    assert re.search(r"verkooprelaties: 25/25 rijen klaar in \d+\.\d s: 25 aangemaakt", ran.err)
    assert "Resultaatwerkmap: flex-result.xlsx" in ran.err


def steps():
    mapping = load_mapping(FLEX)
    return mapping.steps[0], mapping.steps[1]


def test_plain_lines_come_every_interval_with_rate_and_time_left():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, mode="plain", interval=10, clock=clock)
    relations, _ = steps()

    progress.step_started(relations, 100)
    for n in range(40):
        clock.now += 0.5
        progress.row_done(relations, Outcome(n, Status.CREATED))
    clock.now += 40  # quiet, then the rest
    for n in range(40, 100):
        progress.row_done(relations, Outcome(n, Status.FAILED if n == 99 else Status.CREATED))

    lines = stream.getvalue().splitlines()
    assert lines[0] == "verkooprelaties: 100 rows (KnSalesRelationOrg)"
    assert lines[1] == "verkooprelaties: 20/100 rows (20 %), 2.0 rows/s, about 40.0 s left"
    assert lines[2] == "verkooprelaties: 40/100 rows (40 %), 2.0 rows/s, about 30.0 s left"
    assert lines[3] == "verkooprelaties: 41/100 rows (41 %), 0.7 rows/s, about 1 min 26 s left"
    assert lines[4] == "verkooprelaties: 100/100 rows done in 1 min 0 s: 1 failed, 99 created"
    assert len(lines) == 5


def test_progress_lines_show_the_requests_in_parallel_while_the_target_is_busy():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, mode="plain", interval=10, clock=clock, lang="nl")
    relations, _ = steps()
    progress.step_started(relations, 30)

    def rows(first: int) -> None:
        for n in range(first, first + 10):
            clock.now += 1
            progress.row_done(relations, Outcome(n, Status.CREATED))

    rows(0)
    progress.request({"event": "pace", "limit": 4, "ceiling": 8, "why": "busy"})
    rows(10)
    progress.request({"event": "pace", "limit": 8, "ceiling": 8, "why": "recovered"})
    rows(20)

    lines = stream.getvalue().splitlines()
    assert lines[1].startswith("verkooprelaties: 10/30") and "tegelijk" not in lines[1]
    assert lines[2].endswith("; 4 van 8 verzoeken tegelijk (het doelsysteem is druk)")
    assert lines[3].startswith("verkooprelaties: 30/30 rijen klaar")


def test_rows_done_before_their_step_is_announced_count(capsys):
    stream = io.StringIO()
    progress = Progress(stream, mode="plain")
    _, agreements = steps()

    progress.row_done(agreements, Outcome(2, Status.CREATED))  # a child row can be this quick
    progress.step_started(agreements, 2)
    progress.row_done(agreements, Outcome(3, Status.SKIPPED))

    assert stream.getvalue().splitlines() == [
        "klantovereenkomsten: 2 rows (PtProject)",
        stream.getvalue().splitlines()[1],
    ]
    assert stream.getvalue().splitlines()[1].startswith("klantovereenkomsten: 2/2 rows done in ")


def test_quiet_says_nothing():
    stream = io.StringIO()
    progress = Progress(stream, mode="quiet", verbose=True)
    relations, _ = steps()

    progress.step_started(relations, 1)
    progress.row_done(relations, Outcome(2, Status.CREATED))
    progress.request({"event": "exchange", "method": "GET", "url": "u", "status": 200})
    progress.summary(prepare(load_mapping(FLEX)).result)
    progress.say("Result workbook: x")

    assert stream.getvalue() == ""


@pytest.mark.parametrize("no_color", [False, True])
def test_on_a_terminal_bars_are_drawn_and_no_color_is_respected(monkeypatch, no_color):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = Terminal()
    progress = Progress(stream)
    relations, _ = steps()
    assert progress.mode == "bar"

    progress.step_started(relations, 3)
    for n in range(3):
        progress.row_done(relations, Outcome(n, Status.CREATED))
    result = prepare(load_mapping(FLEX)).result
    progress.summary(result)

    out = stream.getvalue()
    assert "verkooprelaties" in out and "3/3" in out
    assert "planned" in out  # the summary table (a dry run's statuses)
    colours = re.findall(r"\x1b\[(?:\d+;)*3\dm", out)
    assert bool(colours) is not no_color


def test_a_dumb_terminal_gets_plain_lines(monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert Progress(Terminal()).mode == "plain"
    assert Progress(io.StringIO()).mode == "plain"
