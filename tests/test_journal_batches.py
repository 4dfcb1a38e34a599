"""The journal's writes for a request of several records: one transaction before it leaves,
one when its answer is in, each row with its own entry (importer.journal.batches)."""

from __future__ import annotations

from conftest import commits

from importer.journal.batches import Recorded, record_many, sending_many
from importer.journal.store import Journal
from importer.status import Status


def test_every_row_of_a_batch_is_sending_with_its_body_before_the_request_leaves(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    journal.sending("klanten", "k3", 3, "{}", "h3")  # an earlier try, refused
    journal.record("klanten", "k3", 3, Status.FAILED, error="refused")
    seen = commits(journal)

    attempts = sending_many(
        journal, "klanten", [(f"k{n}", n, f'{{"n": {n}}}', f"h{n}") for n in (2, 3, 4)]
    )

    assert seen == ["COMMIT"] and attempts == [1, 2, 1]
    entries = journal.entries("klanten")
    assert {k: e.state for k, e in entries.items()} == {k: "sending" for k in ("k2", "k3", "k4")}
    assert journal.payload("klanten", "k4") == {"n": 4}
    assert entries["k4"].source_hash == "h4"
    journal.close()


def test_the_answer_to_a_batch_is_recorded_per_row_in_one_transaction(tmp_path):
    journal = Journal.open(tmp_path / "j.sqlite", target="t", mapping="m")
    attempts = sending_many(journal, "klanten", [("k2", 2, "{}", "h2"), ("k3", 3, "{}", "h3")])
    seen = commits(journal)

    record_many(
        journal,
        "klanten",
        [
            Recorded("k2", 2, Status.CREATED, {"DbId": "1"}, source_hash="h2", action="insert",
                     attempt=attempts[0]),
            Recorded("k3", 3, Status.CREATED, {"DbId": "2"}, source_hash="h3", action="insert",
                     attempt=attempts[1]),
        ],
    )  # fmt: skip

    assert seen == ["COMMIT"]
    entries = journal.entries("klanten")
    assert (entries["k2"].state, entries["k2"].ids) == ("created", {"DbId": "1"})
    assert (entries["k3"].state, entries["k3"].ids) == ("created", {"DbId": "2"})
    assert journal.payload("klanten", "k3") == {}  # the body written at "sending" stays
    assert journal.history("klanten") == {"k2": ["created"], "k3": ["created"]}
    journal.close()


def test_a_crash_between_the_two_leaves_every_row_of_the_batch_sending(tmp_path):
    path = tmp_path / "j.sqlite"
    journal = Journal.open(path, target="t", mapping="m")
    sending_many(journal, "klanten", [(f"k{n}", n, "{}", "h") for n in range(2, 27)])
    journal._db.close()  # killed: no answer recorded, the lock released by the kernel
    journal._file_lock = None

    again = Journal.open(path, target="t", mapping="m")
    entries = again.entries("klanten")
    assert len(entries) == 25 and {e.state for e in entries.values()} == {"sending"}
    assert all(e.state.may_exist for e in entries.values())  # reconciled, never sent blindly
    again.close()
