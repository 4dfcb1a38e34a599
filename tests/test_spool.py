"""Bodies kept in a temporary file come back exactly as they were written."""

from __future__ import annotations

import threading

from importer import spool
from importer.results import Outcome, Status
from importer.spool import Spool, Spooled


def test_texts_come_back_exactly_from_the_buffer_and_from_the_file():
    box = Spool()
    texts = [f'{{"Nm":"Café {i} ŝ 😀","Ad":"{"x" * (i % 700)}"}}' for i in range(3000)]
    handles = [box.put(t) for t in texts]
    assert box._written > 0 and box._pending  # some in the file, the last ones buffered
    assert [h.text() for h in handles] == texts
    assert not box._pending  # reading a buffered text wrote the buffer


def test_threads_put_and_read_at_the_same_time():
    box = Spool()
    wrong: list[str] = []

    def work(k: int) -> None:
        for i in range(400):
            text = f"{k}:{i}:" + "é" * (i * 7 % 900)
            if box.put(text).text() != text:
                wrong.append(text)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_short_texts_stay_in_memory_and_long_ones_go_to_the_spool():
    assert spool.keep(None) is None
    assert spool.keep('{"a":1}') == '{"a":1}'
    long = '{"a":"' + "b" * 500 + '"}'
    kept = spool.keep(long)
    assert isinstance(kept, Spooled)
    assert spool.text_of(kept) == long


def test_a_full_spool_is_left_to_its_handles_and_a_new_one_started(monkeypatch):
    monkeypatch.setattr(spool, "ROTATE", 1000)
    monkeypatch.setattr(spool, "_current", None)
    texts = [str(i) * 300 for i in range(1, 10)]
    kept = [spool.keep(t) for t in texts]
    assert len({k.spool for k in kept if isinstance(k, Spooled)}) > 2
    assert [spool.text_of(k) for k in kept] == texts


def test_an_outcome_keeps_its_body_out_of_memory_and_reads_it_back():
    body = '{"KnSalesRelationOrg":{"Element":{"Fields":{"Nm":"' + "Jansen " * 40 + '","Bd":1.50}}}}'
    outcome = Outcome(2, Status.PLANNED, body=body)
    assert isinstance(outcome.kept, Spooled)
    assert outcome.body == body
    assert str(outcome.json()["KnSalesRelationOrg"]["Element"]["Fields"]["Bd"]) == "1.50"
    outcome.body = '{"a":1}'
    assert outcome.body == '{"a":1}' and outcome.json() == {"a": 1}
    outcome.body = None
    assert outcome.body is None and outcome.json() is None


def test_outcomes_without_ids_or_problems_share_empty_ones_that_cannot_be_filled():
    import pytest

    one, other = Outcome(1, Status.PLANNED), Outcome(2, Status.CREATED)
    assert one.ids == {} and one.problems == [] and one.ids is other.ids
    with pytest.raises(TypeError):
        one.ids["DbId"] = "1"
    with pytest.raises(TypeError):
        one.problems.append(None)  # type: ignore[arg-type]
    assert other.ids == {} and other.problems == []
    given = Outcome(3, Status.CREATED, ids={"DbId": "7"})
    assert given.ids == {"DbId": "7"}


def test_a_disk_without_room_loses_no_body_and_stops_nothing(monkeypatch):
    import errno
    import os

    box = Spool()
    first = box.put("a" * 200)

    def no_room(*args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "pwrite", no_room)
    monkeypatch.setattr(os, "write", no_room)
    monkeypatch.setattr(spool, "_current", box)
    second = box.put("b" * 300)
    assert second.text() == "b" * 300 and first.text() == "a" * 200  # from the buffer
    assert box.full
    kept = spool.keep("c" * 400)  # in a new spool, whose buffer cannot be written either
    assert spool.text_of(kept) == "c" * 400
    assert Outcome(1, Status.PLANNED, body="d" * 500).body == "d" * 500
