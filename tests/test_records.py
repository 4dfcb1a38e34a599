"""Records: the outcome a grouped row or a line shares with its record, and invalid rows."""

from __future__ import annotations

from importer.messages import Message
from importer.records import invalid, joined, member_outcome
from importer.results import Outcome, Status
from importer.validation import Problem

TOO_LONG = Problem("k.csv", 3, "Naam", "x" * 99, Message("text", text="too long"))
BAD_LINE = Problem("r.csv", 7, None, None, Message("text", text="bad line"))


def test_messages_are_joined_with_semicolons():
    one, two = Message("text", text="a"), Message("text", text="b")

    assert joined([]) is None
    assert joined([one]) is one
    assert str(joined([one, two])) == "a; b"


def test_an_invalid_row_names_the_file_and_row_only_of_problems_elsewhere():
    outcome = invalid(3, [TOO_LONG, BAD_LINE], "k.csv")

    assert outcome.status == Status.INVALID and outcome.problems == [TOO_LONG, BAD_LINE]
    assert str(outcome.error) == "Naam: too long; r.csv, row 7: bad line"


def test_a_grouped_row_shares_its_records_outcome_and_names_the_leading_row():
    created = Outcome(2, Status.CREATED, ids={"DbId": "1"}, error=Message("text", text="found"))

    row = member_outcome(created, 3, 2, "k.csv")

    assert (row.row, row.status, row.ids, row.leader) == (3, Status.CREATED, {"DbId": "1"}, 2)
    assert str(row.error) == "with row 2: found"


def test_a_grouped_row_of_an_invalid_record_shows_only_its_own_problems():
    record = invalid(2, [TOO_LONG], "k.csv")

    row = member_outcome(record, 3, 2, "k.csv")

    assert row.status == Status.INVALID and row.problems == [TOO_LONG]
    assert str(row.error) == "Naam: too long"
    assert member_outcome(record, 4, 2, "k.csv").problems == []
