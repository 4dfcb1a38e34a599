"""Batches of several records per request: how a refused one is split, how an answer maps back,
and what a mapping may ask (importer.batches, importer.targets.afas.batches)."""

from __future__ import annotations

import json

import httpx
import pytest
import yaml

from importer.batches import Ready, split, trusted
from importer.errors import MappingError
from importer.mappingfile import load_mapping
from importer.messages import Message
from importer.targets import Reply, ReplyKind
from importer.targets.afas import batches as afas
from importer.targets.afas.client import AfasTarget


def ready(n: int) -> Ready:
    return Ready(None, str(n), n, {}, "", None, frozenset({("key", str(n))}))  # type: ignore[arg-type]


def numbers(parts: list[list[Ready]]) -> list[list[int]]:
    return [[r.n for r in part] for part in parts]


# --- splitting ------------------------------------------------------------------------------------


def test_a_refused_batch_that_names_no_row_is_halved():
    assert numbers(split([ready(n) for n in range(5)])) == [[0, 1, 2], [3, 4]]
    assert numbers(split([ready(0), ready(1)])) == [[0], [1]]


def test_the_rows_a_refusal_names_go_alone_and_the_others_together():
    rows = [ready(n) for n in range(6)]
    assert numbers(split(rows, (4,))) == [[4], [0, 1, 2, 3, 5]]
    assert numbers(split(rows, (1, 4))) == [[1], [4], [0, 2, 3, 5]]


def test_a_refusal_naming_every_row_sends_each_alone_and_places_outside_are_ignored():
    rows = [ready(n) for n in range(3)]
    assert numbers(split(rows, (0, 1, 2))) == [[0], [1], [2]]
    assert numbers(split(rows, (7, -1))) == [[0, 1], [2]]  # (no row there: halved)


def test_a_row_alone_is_not_split():
    assert split([ready(0)], (0,)) == []


def test_every_row_of_a_split_is_in_exactly_one_part():
    rows = [ready(n) for n in range(25)]
    for culprits in [(), (3,), (0, 24), tuple(range(0, 25, 2))]:
        parts = split(rows, culprits)
        assert sorted(n for part in numbers(parts) for n in part) == list(range(25))
        assert all(0 < len(part) < 25 for part in parts)


# --- answers --------------------------------------------------------------------------------------


def test_an_answer_naming_one_record_per_row_is_trusted():
    reply = Reply(ReplyKind.OK, records=({"DbId": "1"}, {"DbId": "2"}))
    assert trusted(reply, 2) is reply


def test_an_answer_naming_fewer_or_more_records_than_rows_is_taken_without_ids():
    # the 2xx proves the records exist: never unknown, which --retry-unknown would resend
    reply = trusted(Reply(ReplyKind.OK, records=({"DbId": "1"},)), 3)
    assert (reply.kind, reply.records) == (ReplyKind.OK, ({}, {}, {}))
    assert str(reply.error) == (
        "created in a request of 3 records, but its answer named 1, so which row got which "
        "record is not known: look the ids up in the target (the rows below it are not linked)"
    )
    assert trusted(Reply(ReplyKind.OK), 2).records == ({}, {})  # (no list at all)


def test_a_step_that_keeps_no_ids_needs_none_from_the_answer():
    reply = trusted(Reply(ReplyKind.OK), 2, ids=False)
    assert reply.ok and reply.records == ({}, {})


def test_a_refusal_or_no_answer_is_passed_on_as_it_is():
    for kind in (ReplyKind.REFUSED, ReplyKind.UNKNOWN, ReplyKind.TRANSIENT):
        reply = Reply(kind)
        assert trusted(reply, 4) is reply


# --- the AFAS body and reply ----------------------------------------------------------------------

ORG = "KnSalesRelationOrg"


def body(db_id: str, group: str = "ALG") -> dict:
    return {ORG: {"Element": {"@DbId": db_id, "Fields": {"CuId": "EUR", "PrGp": group}}}}


def test_the_records_of_a_batch_go_in_one_element_list_in_order():
    merged = afas.merged(ORG, [body("1"), body("2")])
    assert merged == {
        ORG: {
            "Element": [
                {"@DbId": "1", "Fields": {"CuId": "EUR", "PrGp": "ALG"}},
                {"@DbId": "2", "Fields": {"CuId": "EUR", "PrGp": "ALG"}},
            ]
        }
    }


def test_a_body_that_is_not_one_record_cannot_go_in_a_batch():
    with pytest.raises(ValueError, match="not one record"):
        afas.merged(ORG, [body("1"), {ORG: {"Element": [{}, {}]}}])
    with pytest.raises(ValueError, match="not one record"):
        afas.merged(ORG, [{"PtProject": {"Element": {}}}])


def test_the_reply_list_gives_each_records_ids_in_order():
    data = {"results": {ORG: [{"DbId": "1", "BcCo": 7}, {"DbId": "2", "BcCo": None}]}}
    assert afas.records(ORG, data) == ({"DbId": "1", "BcCo": "7"}, {"DbId": "2"})
    assert afas.records(ORG, {ORG: [{"DbId": "1"}]}) == ({"DbId": "1"},)
    assert afas.records(ORG, {"results": {ORG: {"DbId": "1"}}}) == ()  # one record, not a list
    assert afas.records(ORG, None) == ()


def test_a_refusal_quoting_a_value_of_one_record_names_that_record():
    elements = [body(str(n), "ALG")[ORG]["Element"] for n in range(4)]
    elements[2]["Fields"]["PrGp"] = "XYZ"
    assert afas.culprits("Projectgroep 'XYZ' bestaat niet.", elements) == (2,)
    assert afas.culprits('Projectgroep "XYZ" bestaat niet.', elements) == (2,)
    # a value every record holds, a field's name, or nothing quoted names none
    assert afas.culprits("Projectgroep 'ALG' bestaat niet.", elements) == ()
    assert afas.culprits("Het veld 'PrGp' bestaat niet.", elements) == ()
    assert afas.culprits("Er ging iets mis.", elements) == ()
    # several problems, one line each: each record named once
    elements[0]["Fields"]["CuId"] = "QQ"
    two = "Valuta: de waarde 'QQ' is niet toegestaan.\nProjectgroep 'XYZ' bestaat niet."
    assert afas.culprits(two, elements) == (0, 2)


def afas_target(handler) -> AfasTarget:
    return AfasTarget(
        "https://12345.resttest.afas.online", "T", transport=httpx.MockTransport(handler)
    )


def test_the_client_sends_one_post_and_reads_each_records_ids():
    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(201, json={"results": {ORG: [{"DbId": "1"}, {"DbId": "2"}]}})

    reply = afas_target(handler).insert_many(ORG, [body("1"), body("2")])

    assert reply.ok and reply.records == ({"DbId": "1"}, {"DbId": "2"})
    assert [len(b[ORG]["Element"]) for b in sent] == [2]


def test_the_client_names_the_record_a_refusal_quotes():
    def handler(request: httpx.Request) -> httpx.Response:
        said = {"externalMessage": "Projectgroep 'XYZ' bestaat niet.", "profitLogReference": "R"}
        return httpx.Response(500, json=said)

    reply = afas_target(handler).insert_many(ORG, [body("1"), body("2", "XYZ"), body("3")])

    assert (reply.kind, reply.culprits, reply.log_reference) == (ReplyKind.REFUSED, (1,), "R")
    assert str(reply.error) == "Projectgroep 'XYZ' bestaat niet."


def test_a_locked_batch_is_transient_for_the_client():
    def handler(request: httpx.Request) -> httpx.Response:
        said = {"externalMessage": "Het record is vergrendeld door een andere gebruiker."}
        return httpx.Response(500, json=said)

    reply = afas_target(handler).insert_many(ORG, [body("1"), body("2")])
    assert reply.transient and reply.culprits == ()


# --- the mapping ----------------------------------------------------------------------------------


def mapping(tmp_path, target: str, **step) -> dict:
    data = {
        "target": target,
        "sources": {"s": {"file": "s.csv"}},
        "steps": [
            {
                "name": "one",
                "source": "s",
                "connector": "KnSalesRelationOrg" if target == "afas" else "contacten",
                "template": "t.j2",
                "key": "k",
                "columns": {"k": {}},
                **step,
            }
        ],
    }
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_a_step_may_send_up_to_100_records_per_request(tmp_path):
    assert load_mapping(mapping(tmp_path, "afas", batch=25)).steps[0].batch == 25
    assert load_mapping(mapping(tmp_path, "afas")).steps[0].batch is None
    with pytest.raises(MappingError, match="less than or equal to 100"):
        load_mapping(mapping(tmp_path, "afas", batch=101))
    with pytest.raises(MappingError, match="greater than or equal to 1"):
        load_mapping(mapping(tmp_path, "afas", batch=0))


def test_batch_is_refused_for_a_target_that_takes_one_record_per_request(tmp_path):
    with pytest.raises(MappingError) as caught:
        load_mapping(mapping(tmp_path, "recras", batch=10))
    assert (
        "steps[0].batch: Recras takes one record per request: remove batch: (it is for "
        "targets that take several records in one request)"
    ) in str(caught.value)


def test_batch_is_refused_for_a_step_that_inserts_nothing(tmp_path):
    path = mapping(tmp_path, "afas", batch=10, action="delete", ids={"DbId": "k"})
    with pytest.raises(MappingError, match="batch: sends inserts only, and this step inserts"):
        load_mapping(path)


# --- sending a batch (a fake target: what it answers is the test's) -------------------------------


class FakeTarget:
    """Answers each insert_many with the next reply of ``replies``; counts the requests."""

    system, host = "Fake", "fake"

    def __init__(self, *replies: Reply):
        self.replies = list(replies)
        self.sent: list[int] = []

    def check_batch(self, connector, bodies):
        pass

    def insert_many(self, connector, bodies):
        self.sent.append(len(bodies))
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):  # raised after the request left
            raise reply
        return reply

    def insert(self, connector, body):
        self.sent.append(1)
        return self.replies.pop(0)


def batch_of(count: int):
    import threading

    from importer.batches import Batches
    from importer.journal.store import Journal
    from importer.mapping import Column, Step
    from importer.sending import Options, Sending

    step = Step(
        name="s", source="f", connector="C", template="t", key="k", columns={"k": Column()},
        keep=["Id"], batch=count,
    )  # fmt: skip
    rows = [
        Ready(step, f"k{n}", n, {"C": {"Element": {"n": n}}}, f"h{n}", None, frozenset())
        for n in range(2, 2 + count)
    ]
    journal = Journal.in_memory(target="fake", mapping="m")

    def sender(target: FakeTarget) -> Batches:
        options = Options(backoff=0.001, max_wait=0.01)
        sending = Sending(None, target, journal, options, threading.Event())  # type: ignore[arg-type]
        return Batches(sending, None)  # type: ignore[arg-type]

    return step, rows, journal, sender


def test_a_batch_taken_gives_each_row_its_own_ids_in_order():
    step, rows, journal, sender = batch_of(3)
    target = FakeTarget(
        Reply(ReplyKind.OK, records=({"Id": "a", "X": "1"}, {"Id": "b"}, {"Id": "c"}))
    )

    outcomes, again = sender(target).send(step, rows)

    assert again == [] and target.sent == [3]
    assert [(o.row, o.status, o.ids, o.batch) for o in outcomes] == [
        (2, "created", {"Id": "a"}, 3),
        (3, "created", {"Id": "b"}, 3),
        (4, "created", {"Id": "c"}, 3),
    ]
    entries = journal.entries("s")
    assert [entries[f"k{n}"].ids for n in (2, 3, 4)] == [{"Id": "a"}, {"Id": "b"}, {"Id": "c"}]


def test_an_answer_with_too_few_records_journals_every_row_created_without_ids():
    step, rows, journal, sender = batch_of(3)
    target = FakeTarget(Reply(ReplyKind.OK, records=({"Id": "a"}, {"Id": "b"})))

    outcomes, again = sender(target).send(step, rows)

    assert again == [] and {(o.status, str(o.ids)) for o in outcomes} == {("created", "{}")}
    entries = journal.entries("s").values()
    assert {(e.state, str(e.ids)) for e in entries} == {("created", "{}")}  # never retried
    assert {e.error for e in entries} == {str(outcomes[0].error)}
    assert str(outcomes[0].error).startswith(
        "created in a request of 3 records, but its answer named 2"
    )


def test_an_error_after_the_request_left_leaves_every_row_unknown_never_sent_again():
    step, rows, journal, sender = batch_of(3)
    target = FakeTarget(UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed"))

    outcomes, again = sender(target).send(step, rows)

    assert again == [] and target.sent == [3]  # not each alone: they may exist
    assert {o.status for o in outcomes} == {"unknown"}
    assert {e.state for e in journal.entries("s").values()} == {"unknown"}
    assert "internal error: UnicodeEncodeError" in str(outcomes[0].error)


def test_bodies_that_cannot_go_in_one_request_go_alone_before_anything_is_journalled():
    step, rows, journal, sender = batch_of(2)
    target = FakeTarget()

    def refuse(connector, bodies):
        raise ValueError("not one record")

    target.check_batch = refuse  # type: ignore[method-assign]

    outcomes, again = sender(target).send(step, rows)

    assert (outcomes, numbers(again), target.sent) == ([], [[2], [3]], [])
    assert journal.entries("s") == {}  # nothing journalled "sending" that was never sent


def test_a_refused_batch_is_journalled_failed_and_split_by_its_culprits():
    step, rows, journal, sender = batch_of(4)
    said = Message("target.said", text="Projectgroep 'X' bestaat niet.")
    target = FakeTarget(Reply(ReplyKind.REFUSED, error=said, culprits=(2,)))

    outcomes, again = sender(target).send(step, rows)

    assert outcomes == [] and numbers(again) == [[4], [2, 3, 5]]
    entry = journal.entries("s")["k4"]
    assert (entry.state, entry.error) == (
        "failed",
        "refused in a request of 4 records, none created (Projectgroep 'X' bestaat niet.); "
        "sent again in parts",
    )


def test_a_transient_refusal_sends_the_whole_batch_again():
    step, rows, journal, sender = batch_of(2)
    locked = Reply(ReplyKind.TRANSIENT, error=Message("text", text="locked"))
    target = FakeTarget(locked, locked, Reply(ReplyKind.OK, records=({"Id": "a"}, {"Id": "b"})))

    outcomes, _ = sender(target).send(step, rows)

    assert target.sent == [2, 2, 2] and {o.status for o in outcomes} == {"created"}
    assert journal.entries("s")["k2"].attempts == 3
    assert journal.history("s")["k2"] == ["failed", "failed", "created"]


def test_a_row_alone_is_sent_as_a_single_insert_with_its_own_answer():
    step, rows, journal, sender = batch_of(1)
    said = Message("target.said", text="Projectgroep 'X' bestaat niet.")
    target = FakeTarget(Reply(ReplyKind.REFUSED, error=said, log_reference="REF"))

    [outcome], again = sender(target).send(step, rows)

    assert again == [] and target.sent == [1]
    assert (outcome.status, str(outcome.error), outcome.log_reference, outcome.batch) == (
        "failed",
        "Projectgroep 'X' bestaat niet.",
        "REF",
        None,
    )
