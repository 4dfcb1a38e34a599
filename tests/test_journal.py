"""The journal's own guarantees: rows that will not be sent are written in one transaction,
and a record that exists is never forgotten."""

from __future__ import annotations

import sqlite3

from conftest import FLEX, ROOT

from importer.journal import Journal

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"


def commits(journal: Journal) -> list[str]:
    seen: list[str] = []
    journal._db.set_trace_callback(lambda sql: seen.append(sql) if sql == "COMMIT" else None)
    return seen


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
