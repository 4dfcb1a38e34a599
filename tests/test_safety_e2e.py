"""One run at a time, a journal that follows the import, and failures that say so cleanly.

Each test runs the ``importer`` command against a sandbox over loopback HTTP, as a user would
from two terminals, another ``--out``, a kill or a broken setting.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    FLEX,
    ROOT,
    assert_each_record_once,
    run_in_background,
    statuses,
    variant,
    wait_for,
    writes,
)

from importer.journal.index import remember
from importer.journal.places import journal_path
from importer.journal.store import Journal
from importer.mappingfile import load_mapping
from importer.sandbox import AfasSandbox, Faults, afas_get
from importer.session import signature

# --- one run at a time ---------------------------------------------------------------------------


def test_a_second_run_of_the_same_import_is_refused_while_the_first_sends(
    cli, tmp_path, monkeypatch
):
    with AfasSandbox.start(faults=Faults(latency_ms=60)) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        first = run_in_background(box, tmp_path, "--concurrency", "2")
        wait_for(lambda: len(box.state.debtors) >= 1)

        # another terminal, another --out: the same import all the same
        (tmp_path / "elsewhere").mkdir()
        second = cli(
            "run", FLEX, "--out", tmp_path / "elsewhere" / "flex-result.xlsx",
            "--audit", tmp_path / "elsewhere" / "audit.jsonl",
        )  # fmt: skip
        # status and a dry run only read: they work while the first run holds the journal
        status = cli("status", FLEX)
        dry = cli("run", FLEX, "--dry-run", "--out", tmp_path / "elsewhere" / "dry.xlsx")

        out, err = first.communicate(timeout=120)

    journal = journal_path(FLEX, box.host)
    assert second.code == 2
    assert second.err.startswith(
        f"Error: The journal {journal} is in use by another run (pid {first.pid} on "
        f"{socket.gethostname()}, started 20"
    )
    assert f": importer run {FLEX} --concurrency 2). Two runs of one import at a time" in second.err
    assert "Wait until that run ends" in second.err
    assert not (tmp_path / "elsewhere" / "audit.jsonl").exists()  # it read nothing of AFAS
    assert not (tmp_path / "elsewhere" / "flex-result.xlsx").exists()

    assert status.code == 0
    assert f"  in use by a run: pid {first.pid} on {socket.gethostname()}, started" in status.out
    assert (dry.code, dry.out) == (
        0,
        "Dry run finished: 25 planned, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )

    assert first.returncode == 0, err
    assert (
        out
        == "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )
    assert_each_record_once(box)


def test_a_killed_runs_journal_is_taken_over_and_nothing_is_sent_twice(tmp_path):
    with AfasSandbox.start(faults=Faults(latency_ms=80)) as box:
        process = run_in_background(box, tmp_path, "--concurrency", "2")
        wait_for(lambda: len(box.state.debtors) >= 3)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

        again = run_in_background(box, tmp_path)
        out, err = again.communicate(timeout=120)

    assert again.returncode == 0, err
    assert (
        f"Note: the run that last used {journal_path(FLEX, box.host)} (pid {process.pid}, started"
        in err
    )
    assert "ended without closing it (killed?)" in err
    assert_each_record_once(box)


# --- the journal belongs to the import -----------------------------------------------------------


def test_another_out_folder_sends_nothing_new_and_status_finds_the_journal(cli, afas_env, tmp_path):
    assert cli("run", FLEX).code == 0
    before = writes(afas_env)

    moved = cli("run", FLEX, "--out", tmp_path / "review" / "klanten.xlsx")

    assert moved.code == 0, moved.err
    assert moved.out == (
        "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 25 already done; source rows: klanten.csv 25\n"
    )
    assert writes(afas_env) == before
    assert (tmp_path / "review" / "klanten.xlsx").exists()
    status = cli("status", FLEX)
    lines = status.out.splitlines()
    assert lines[0] == f"Journal {journal_path(FLEX, afas_env.host)} (target {afas_env.host}):"
    assert lines[1].endswith(moved.out.strip())  # the last run, as its summary line said
    assert lines[-3:] == [
        "  Records in the journal (one per step and key, over every run):",
        "    verkooprelaties: 25 created",
        "    klantovereenkomsten: 25 created",
    ]


def test_the_journal_lives_beside_the_mapping_one_per_environment(cli, afas_env, tmp_path):
    os.environ.pop("IMPORTER_JOURNAL_DIR")  # the default, as a user has it
    folder = tmp_path / "project"
    folder.mkdir()
    mapping = folder / "flex.yaml"
    mapping.write_text(
        FLEX.read_text()
        .replace("../samples/", f"{ROOT}/samples/")
        .replace("templates: ../templates", f"templates: {ROOT}/templates")
    )

    assert cli("run", mapping, "--out", tmp_path / "out" / "x.xlsx").code == 0

    port = afas_env.host.rsplit(":", 1)[1]
    assert (folder / "flex.journals" / f"127.0.0.1-{port}.sqlite").is_file()
    assert cli("status", mapping).out.startswith(
        f"Journal {folder / 'flex.journals' / f'127.0.0.1-{port}.sqlite'} (target {afas_env.host})"
    )


def test_a_journal_of_this_import_elsewhere_stops_a_run_that_would_start_afresh(
    cli, afas_env, tmp_path
):
    # where earlier versions kept it: beside the workbook
    assert cli("run", FLEX, "--journal", "flex.journal.sqlite").code == 0
    before = writes(afas_env)

    again = cli("run", FLEX)

    assert again.code == 2
    assert again.err == (
        f"Error: No journal at {journal_path(FLEX, afas_env.host)}, but this mapping has one for "
        f"{afas_env.host} elsewhere: {tmp_path / 'flex.journal.sqlite'} (verkooprelaties: 25 "
        "created; klantovereenkomsten: 25 created). Starting afresh would send its rows again. "
        f"Continue it with --journal {tmp_path / 'flex.journal.sqlite'} (or move it to "
        f"{journal_path(FLEX, afas_env.host)}); or, once you have checked in the target what "
        "exists, start a new journal with --fresh.\n"
    )
    assert writes(afas_env) == before
    continued = cli("run", FLEX, "--journal", tmp_path / "flex.journal.sqlite")
    assert (
        continued.out.endswith("25 already done; source rows: klanten.csv 25\n")
        and writes(afas_env) == before
    )


def test_a_temporary_workbook_left_by_a_killed_run_is_removed_by_the_next_run(
    cli, afas_env, tmp_path
):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    left = tmp_path / f".flex-result.xlsx.{gone.pid}.tmp"
    left.write_bytes(b"half a workbook")
    running = tmp_path / f".flex-result.xlsx.{os.getppid()}.tmp"  # a live process's: kept
    running.write_bytes(b"being written")

    assert cli("run", FLEX).code == 0

    assert not left.exists()
    assert running.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".tmp") == [running.name]


# --- failures that say so cleanly, before anything is sent ---------------------------------------


@pytest.mark.parametrize("option", ["--out", "--audit", "--journal"])
def test_an_output_path_that_is_a_folder_is_refused_before_anything_is_sent(
    cli, afas_env, tmp_path, option
):
    (tmp_path / "folder").mkdir()

    ran = cli("run", FLEX, option, tmp_path / "folder")

    assert ran.code == 2
    assert ran.err.startswith(
        f"Error: {option} {tmp_path / 'folder'} is a folder; give a file name"
    )
    assert afas_env.state.requests == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]


SPECIAL = Path("/proc/x.xlsx")  # a folder on a file system that takes no new files


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc file system")
@pytest.mark.parametrize("option", ["--out", "--audit", "--journal"])
def test_an_output_on_a_special_file_system_is_refused_before_anything_is_sent(
    cli, afas_env, tmp_path, option
):
    ran = cli("run", FLEX, option, SPECIAL)

    assert ran.code == 2
    assert ran.err == (
        f"Error: {option} {SPECIAL} cannot be written: the folder /proc does not take new "
        "files (No such file or directory)\n"
    )
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", [("run",), ("run", "--dry-run")])
def test_a_special_file_as_output_is_refused_before_anything_is_sent(
    cli, afas_env, tmp_path, command
):
    # its folder takes new files, but the workbook would replace the pipe (or a device such as
    # /dev/null) with itself
    pipe = tmp_path / "pipe.xlsx"
    os.mkfifo(pipe)

    ran = cli(*command, FLEX, "--out", pipe)

    assert ran.code == 2
    assert ran.err == (
        f"Error: --out {pipe} is not a regular file (a device, a pipe or another special "
        "file); give the name of a file\n"
    )
    assert pipe.is_fifo() and afas_env.state.requests == []


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc file system")
def test_a_validation_report_on_a_special_file_system_fails_cleanly(cli):
    ran = cli("validate", FLEX, "--out", SPECIAL)

    assert ran.code == 2
    assert ran.err.startswith(f"Error: {SPECIAL} cannot be written (No such file or directory)")


def test_a_workbook_that_cannot_be_written_at_the_end_keeps_the_journal(
    cli, afas_env, tmp_path, monkeypatch
):
    from importer import xlsx

    def full(self, path):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(xlsx.Workbook, "save", full)
        ran = cli("run", FLEX)
    sent = writes(afas_env)
    again = cli("run", FLEX, "--out", tmp_path / "other.xlsx")

    assert ran.code == 2
    assert ran.err.splitlines()[-1] == (
        "Error: flex-result.xlsx cannot be written (No space left on device); what a run sent "
        "is in its journal: run the same command again with another --out to write it"
    )
    assert "Traceback" not in ran.err
    assert not list(tmp_path.glob(".flex-result.xlsx.*.tmp"))
    assert again.code == 0, again.err
    assert writes(afas_env) == sent  # the journal knew every row: nothing is sent again
    assert_each_record_once(afas_env)
    assert set(statuses(tmp_path / "other.xlsx", "verkooprelaties").values()) == {"created"}


def test_a_damaged_journal_stops_the_run_and_is_kept(cli, afas_env, tmp_path):
    journal = journal_path(FLEX, afas_env.host)
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b"this is not a database, but it may be the only record there is" * 20)

    ran = cli("run", FLEX)
    status = cli("status", FLEX)

    message = (
        f"Error: The journal {journal} cannot be read (file is not a database): it is damaged "
        "or not a journal. It was left as it is"
    )
    assert ran.code == 2 and ran.err.startswith(message)
    assert status.code == 2 and status.err.startswith(message)
    assert afas_env.state.requests == []
    assert journal.read_bytes().startswith(b"this is not a database")


@pytest.mark.parametrize(
    "name, value",
    [("AFAS_INTEGRATION_ID", "12345_über"), ("AFAS_TOKEN", "tökén"), ("AFAS_CLIENT_SECRET", "s€")],
)
def test_a_setting_that_cannot_go_in_a_header_is_named_not_shown(
    cli, afas_env, monkeypatch, name, value
):
    if name == "AFAS_CLIENT_SECRET":
        monkeypatch.delenv("AFAS_TOKEN")
        monkeypatch.setenv("AFAS_CLIENT_ID", "importer")
    monkeypatch.setenv(name, value)

    ran = cli("run", FLEX)

    assert ran.code == 2
    assert ran.err == (
        f"Error: {name} holds characters that cannot be sent in an HTTP header (only printable "
        "ASCII can): copy it again from where it was made, without quotes, spaces or line "
        "breaks around it\n"
    )
    assert value not in ran.err and afas_env.state.requests == []


def test_a_non_ascii_recras_token_is_named_not_shown(cli, monkeypatch):
    monkeypatch.setenv("RECRAS_BASE_URL", "https://acme.recras.nl")
    monkeypatch.setenv("RECRAS_TOKEN", "geheim–sleutel")  # an en dash, pasted from a document

    ran = cli("run", ROOT / "mappings" / "recras-klanten.yaml", "--yes")

    assert ran.code == 2
    assert ran.err.startswith("Error: RECRAS_TOKEN holds characters that cannot be sent")
    assert "geheim" not in ran.err


def test_credentials_in_the_afas_url_are_refused_and_never_written(
    cli, afas_env, tmp_path, monkeypatch
):
    url = afas_env.base_url.replace("http://", "http://consultant:s3cret-Passw0rd@")
    monkeypatch.setenv("AFAS_BASE_URL", url)

    ran = cli("run", FLEX)

    assert ran.code == 2
    assert ran.err.startswith(
        "Error: AFAS_BASE_URL must not hold a user name or password (https://user:...@host)"
    )
    assert "s3cret" not in ran.err + ran.out
    assert afas_env.state.requests == []
    for path in tmp_path.rglob("*"):
        assert path.is_dir() or b"s3cret" not in path.read_bytes(), path


@pytest.mark.parametrize("tail", ["#start", "?code=x1y2", "/?", "#"])
def test_a_query_or_fragment_in_the_afas_url_is_refused_before_anything_is_sent(
    cli, afas_env, monkeypatch, tail
):
    monkeypatch.setenv("AFAS_BASE_URL", afas_env.base_url + tail)

    ran = cli("run", FLEX)

    assert ran.code == 2
    assert ran.err.startswith(
        "Error: AFAS_BASE_URL must not hold a query (?...) or a fragment (#...): the path of "
        "each request is added to it, so the requests would go to the wrong address. Set "
        "AFAS_BASE_URL"
    )
    assert "x1y2" not in ran.err + ran.out  # what it holds may be a secret: never shown
    assert afas_env.state.requests == []


def test_the_target_going_away_mid_run_stops_with_exit_code_2(tmp_path):
    box = AfasSandbox.start(faults=Faults(latency_ms=60))
    try:
        process = run_in_background(box, tmp_path, "--concurrency", "1")
        wait_for(lambda: len(box.state.debtors) >= 2)
    finally:
        box.stop()
    out, err = process.communicate(timeout=120)

    assert process.returncode == 2, err
    assert out.startswith("Import stopped: ")
    assert f"Error: Cannot reach AFAS at {box.host}" in err
    rows = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert set(rows.values()) <= {"created", "skipped", "unknown"} and "skipped" in rows.values()


def test_an_unknown_row_whose_check_gets_no_answer_stays_unknown(cli, monkeypatch, tmp_path):
    with AfasSandbox.start(faults=Faults(script={1: "drop_after"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        assert cli("run", FLEX, "--concurrency", "1").code == 1
        assert "49339" in box.state.debtors  # saved, though the answer was lost
        before = writes(box)

        def unavailable(*args, **kwargs):
            raise RuntimeError("the GetConnector is down")

        with pytest.MonkeyPatch.context() as down:
            down.setattr(afas_get, "query", unavailable)  # every lookup answers 500
            second = cli("run", FLEX)

        assert second.code == 1
        assert writes(box) == before  # nothing sent again without the check
        rows = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
        assert rows[2] == "unknown"
        # (uvicorn answers the broken GetConnector with a 500, or drops the connection; the
        # first lookup of a row is the organisation's, by KvK)
        assert "checking whether it exists did not succeed (Profit_OrgPer " in second.err

        # the GetConnector is back: the row is found, not sent again
        third = cli("run", FLEX)
        assert third.code == 0, third.err
        assert_each_record_once(box)


# --- found by an adversarial review ----------------------------------------------------------------


def test_one_environment_written_in_other_ways_keeps_one_journal(cli, afas_env, monkeypatch):
    assert cli("run", FLEX).code == 0
    before = writes(afas_env)
    port = afas_env.host.rsplit(":", 1)[1]
    for written in (f"http://LocalHost:{port}", f"http://localhost:{port}"):
        monkeypatch.setenv("AFAS_BASE_URL", f"{written}/ProfitRestServices")

        again = cli("run", FLEX)

        assert again.out.endswith("25 already done; source rows: klanten.csv 25\n"), again.err
    assert writes(afas_env) == before
    assert [p.name for p in journal_path(FLEX, afas_env.host).parent.glob("*.sqlite")] == [
        f"127.0.0.1-{port}.sqlite"
    ]


def test_a_journal_named_through_a_link_shares_the_lock_of_the_journal(cli, afas_env, tmp_path):
    journal = journal_path(FLEX, afas_env.host)
    journal.parent.mkdir(parents=True)
    link = tmp_path / "link.sqlite"
    link.symlink_to(journal)
    with Journal.open(journal, target=afas_env.host, mapping=str(FLEX), command="elsewhere"):
        ran = cli("run", FLEX, "--journal", link)
        fresh = cli("run", FLEX, "--fresh")

    assert ran.code == 2 and "is in use by another run" in ran.err
    assert fresh.code == 2 and "is in use by another run" in fresh.err
    assert "Starting a new journal" not in fresh.err  # the busy journal is not replaced
    assert afas_env.state.requests == []


def test_an_empty_journal_file_is_damaged_not_a_fresh_start(cli, afas_env):
    journal = journal_path(FLEX, afas_env.host)
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b"")  # an interrupted copy, a full disk

    ran = cli("run", FLEX)

    assert ran.code == 2
    assert ran.err.startswith(
        f"Error: The journal {journal} cannot be read (the file is empty): it is damaged"
    )
    assert afas_env.state.requests == [] and journal.read_bytes() == b""


@pytest.mark.parametrize("clash", ["journal", "audit"])
def test_outputs_that_are_one_file_are_refused(cli, afas_env, tmp_path, clash):
    journal = journal_path(FLEX, afas_env.host)
    args = ["--out", journal] if clash == "journal" else ["--audit", tmp_path / "flex-result.xlsx"]

    ran = cli("run", FLEX, *args)

    assert ran.code == 2
    assert "is the same file as" in ran.err and "give each its own file" in ran.err
    assert afas_env.state.requests == [] and not journal.exists()


@pytest.mark.parametrize(
    ("where", "expression", "message"),
    [
        (
            "when",
            'row.naamm == "abc"',
            "steps[0].when: row.naamm is not a column declared; did you mean 'naam'?",
        ),
        (
            "expr",
            'row.plaats ~ "x"',
            "steps[0].columns.zz.expr: row.plaats is not a column declared before this one",
        ),
    ],
)
def test_an_expression_reading_a_column_that_is_not_there_stops_the_run(
    cli, afas_env, tmp_path, where, expression, message
):
    def change(data):
        step = data["steps"][0]
        if where == "when":
            step["when"] = expression
        else:  # a computed column placed before the column it reads
            step["columns"] = {"zz": {"expr": expression}, **step["columns"]}

    ran = cli("run", variant(tmp_path, change))

    assert ran.code == 2 and message in ran.err
    assert afas_env.state.requests == []


def test_a_condition_that_fails_on_a_row_makes_it_invalid_never_excluded(cli, afas_env, tmp_path):
    mapping = variant(tmp_path, lambda d: d["steps"][0].update(when="row.naam.startswith(1)"))

    ran = cli("run", mapping)

    assert ran.code == 1
    assert (
        ran.out
        == "Import finished: 0 created, 0 failed, 25 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )
    assert "when: row.naam.startswith(1) cannot be decided for this row" in ran.err
    assert afas_env.state.requests == []


def project_mapping(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "flex.yaml"
    path.write_text(
        FLEX.read_text()
        .replace("../samples/", f"{ROOT}/samples/")
        .replace("templates: ../templates", f"templates: {ROOT}/templates")
    )
    return path


@pytest.mark.parametrize("how", ["renamed", "moved", "journal folder unset"])
def test_the_same_import_under_another_name_or_place_finds_its_journal(
    cli, afas_env, tmp_path, monkeypatch, how
):
    mapping = project_mapping(tmp_path / "project")
    assert cli("run", mapping).code == 0
    before = writes(afas_env)
    if how == "renamed":
        again = mapping.rename(mapping.with_name("flex-v2.yaml"))
    elif how == "moved":
        (tmp_path / "project").rename(tmp_path / "project-2024")
        again = tmp_path / "project-2024" / "flex.yaml"
    else:  # a new terminal, without IMPORTER_JOURNAL_DIR
        monkeypatch.delenv("IMPORTER_JOURNAL_DIR")
        again = mapping

    ran = cli("run", again)

    assert ran.code == 2, ran.err
    assert f"this mapping has one for {afas_env.host} elsewhere:" in ran.err
    assert "Starting afresh would send its rows again" in ran.err
    assert writes(afas_env) == before


def test_fresh_elsewhere_is_refused_while_a_run_of_the_import_is_sending(cli, afas_env, tmp_path):
    journal = journal_path(FLEX, afas_env.host)
    journal.parent.mkdir(parents=True)
    with Journal.open(journal, target=afas_env.host, mapping=str(FLEX)):
        remember(
            journal, target=afas_env.host, mapping=FLEX, signature=signature(load_mapping(FLEX))
        )
        ran = cli("run", FLEX, "--fresh", "--journal", tmp_path / "new.sqlite")

    assert ran.code == 2
    assert f"--fresh: a run of this import is sending now with the journal {journal}" in ran.err
    assert afas_env.state.requests == []
