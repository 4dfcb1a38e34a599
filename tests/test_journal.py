"""The journal's own guarantees: rows that will not be sent are written in one transaction,
and a record that exists is never forgotten."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import FLEX, ROOT, commits

from importer.journal.store import Journal

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"


def test_rows_that_will_not_be_sent_are_written_in_one_transaction(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    seen = commits(journal)

    journal.record_unsent("klanten", [(f"k{n}", n, "invalid", f"bad {n}") for n in range(2, 502)])

    assert seen == ["COMMIT"]
    entries = journal.entries("klanten")
    assert len(entries) == 500
    assert (entries["k7"].row, entries["k7"].state, entries["k7"].error) == (7, "invalid", "bad 7")
    journal.close()


def test_a_record_created_earlier_stays_created_when_its_row_turns_invalid(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    journal.record("klanten", "k2", 2, "created", ids={"DbId": "100"}, source_hash="h")

    journal.record_unsent("klanten", [("k2", 2, "invalid", "Postcode: not a postcode")])

    entry = journal.entries("klanten")["k2"]
    assert (entry.state, entry.ids, entry.error) == (
        "created",
        {"DbId": "100"},
        "Postcode: not a postcode",
    )
    journal.close()


def test_a_run_journals_each_invalid_row_once_before_sending(cli, afas_env, tmp_path):
    path = tmp_path / "journal.sqlite"

    ran = cli("run", FLEX, "--input", FLEX_ERRORS, "--journal", path)

    assert ran.code == 1
    with sqlite3.connect(path) as db:
        invalid = db.execute(
            "SELECT step, row, error FROM rows WHERE state = 'invalid' ORDER BY step, row"
        ).fetchall()
        sent = db.execute(
            "SELECT count(*) FROM rows WHERE state IN ('created', 'failed')"
        ).fetchone()[0]
    assert invalid and sent  # the sample has both
    assert len({(step, row) for step, row, _ in invalid}) == len(invalid)
    assert all(error for _, _, error in invalid)
    assert len(afas_env.state.requests) == sent  # invalid rows were never sent


def test_an_insert_sent_without_an_answer_is_not_forgotten_when_its_row_is_not_sent_again(
    tmp_path,
):
    # run 1 was killed after the request left; in run 2 the row is invalid (edited) or skipped
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    journal.sending("klanten", "k2", 2, '{"Nm":"Jansen"}', "h")
    journal.sending("klanten", "k3", 3, '{"Nm":"Pietersen"}', "h")
    journal.record("klanten", "k3", 3, "unknown", error="no answer")

    journal.record_unsent("klanten", [("k2", 2, "invalid", "Postcode: not a postcode")])
    journal.record("klanten", "k3", 3, "skipped", error="not sent: stopped")

    entries = journal.entries("klanten")
    assert (entries["k2"].state, entries["k2"].error) == ("sending", "Postcode: not a postcode")
    assert journal.payload("klanten", "k2") == {"Nm": "Jansen"}  # what may be in the target
    assert (entries["k3"].state, entries["k3"].error) == ("unknown", "not sent: stopped")
    journal.close()


def test_a_failed_transaction_is_rolled_back_and_the_journal_stays_usable(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")

    with pytest.raises(RuntimeError), journal._transaction():
        journal._write("klanten", "k2", 2, "created", "now", None, None, None, None, None, None,
                       None)  # fmt: skip
        raise RuntimeError("disk full")
    journal.record("klanten", "k3", 3, "invalid", error="bad")

    assert set(journal.entries("klanten")) == {"k3"}
    journal.close()


def test_status_lists_the_steps_in_the_mappings_order(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    journal.note_steps(["relaties", "projecten"])
    journal.record_unsent("projecten", [("p2", 2, "invalid", "bad")])  # written first
    journal.record("relaties", "r2", 2, "created", ids={"DbId": "1"})

    assert journal.describe() == "relaties: 1 created\nprojecten: 1 invalid"
    journal.close()


def test_an_environment_is_named_one_way_however_its_url_writes_it():
    from importer.journal.places import environment

    for host in ("12345.REST.afas.online", "12345.rest.afas.online:443", "12345.rest.afas.online."):
        assert environment(host) == "12345.rest.afas.online"
    assert environment("LocalHost:8123") == environment("127.0.0.1:8123") == "127.0.0.1:8123"
    assert environment("[::1]:8123") == "[::1]:8123"
    assert environment("erp.example.com:8443") == "erp.example.com:8443"
