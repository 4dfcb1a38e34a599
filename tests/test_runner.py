"""The runner: run() and send(), what a run needs to send, and where its workbook goes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import FLEX, ROOT, variant, writes

from importer.journal.store import Journal
from importer.mappingfile import load_mapping
from importer.messages import Message
from importer.plan import prepare
from importer.runner import default_output, run, send
from importer.status import Status
from importer.targets.afas.client import AfasTarget


def test_the_library_sends_only_with_a_journal(tmp_path):
    from importer import load_mapping, run
    from importer.sandbox import AfasSandbox
    from importer.targets.afas.client import AfasTarget

    mapping = load_mapping(FLEX)
    with AfasSandbox.start() as box:
        target = AfasTarget(box.base_url, box.token)
        with pytest.raises(TypeError, match="run\\(\\) sends only with a journal"):
            run(mapping, target)
        assert box.state.requests == []
        with Journal.in_memory(target=target.host, mapping="flex") as journal:
            assert run(mapping, target, journal=journal).row_statuses()["created"] == 25
        target.close()


def test_a_dry_run_plans_every_row_and_sends_nothing():
    result = run(load_mapping(FLEX), None)

    assert result.dry_run and result.finished is not None
    assert result.row_statuses() == {Status.PLANNED: 25}


def test_send_sends_a_prepared_plan_and_says_where(sandbox):
    target = AfasTarget(sandbox.base_url, sandbox.token)
    plan = prepare(load_mapping(FLEX), target.contract)
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        result = send(plan, target, journal=journal)
    target.close()

    assert result is plan.result and not result.dry_run
    assert (result.target, result.stopped) == (target.host, None)
    assert result.row_statuses() == {Status.CREATED: 25}
    assert len(sandbox.state.debtors) == 25


def test_a_run_stopped_before_it_starts_sends_nothing_and_says_it_was_interrupted(sandbox):
    target = AfasTarget(sandbox.base_url, sandbox.token)
    plan = prepare(load_mapping(FLEX), target.contract)
    before = writes(sandbox)
    stop = threading.Event()
    stop.set()
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        result = send(plan, target, journal=journal, stop=stop)
    target.close()

    assert writes(sandbox) == before
    assert (result.stopped, result.interrupted) == (Message("interrupted"), True)
    assert result.row_statuses() == {Status.SKIPPED: 25}


def test_the_workbook_is_named_after_the_mapping_in_the_current_folder():
    assert default_output(Path("mappings/flex.yaml")) == Path("flex-result.xlsx")
    assert default_output(FLEX, suffix="validation") == Path("flex-validation.xlsx")


def test_an_observer_failing_in_a_batch_leaves_every_row_its_true_status(sandbox, tmp_path):
    import yaml

    from importer.sending import Options

    data = yaml.safe_load(FLEX.read_text())
    source = data["sources"]["klanten"]
    source["file"] = str((FLEX.parent / source["file"]).resolve())
    data["templates"] = str((FLEX.parent / data["templates"]).resolve())
    data["steps"] = data["steps"][:1]
    data["steps"][0]["batch"] = 5
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    told = []

    class Failing:  # a bug in the progress display, on the first row of a batch
        def step_started(self, step, rows):
            pass

        def row_done(self, step, outcome):
            if outcome.row == 2:
                raise RuntimeError("the display broke")
            told.append(outcome.row)

    target = AfasTarget(sandbox.base_url, sandbox.token)
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        options = Options(observer=Failing())
        result = run(load_mapping(path), target, journal=journal, options=options)
        states = {e.state for e in journal.entries("verkooprelaties").values()}
    target.close()

    assert result.row_statuses() == {Status.CREATED: 25}  # none 'skipped' by the safety net
    assert states == {"created"} and len(sandbox.state.debtors) == 25
    assert sorted(told) == list(range(3, 27))  # the other rows of its batch were told too


def test_a_rerun_renders_the_bodies_of_only_the_records_it_may_send(sandbox, tmp_path):
    source = tmp_path / "klanten.csv"
    source.write_bytes((ROOT / "samples/flex/klanten.csv").read_bytes())
    mapping = variant(tmp_path, lambda data: data["sources"]["klanten"].update(file=str(source)))
    target = AfasTarget(sandbox.base_url, sandbox.token)
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        assert run(load_mapping(mapping), target, journal=journal).all_done
        sent = writes(sandbox)
        text = source.read_text(encoding="utf-8-sig")
        source.write_text(text.replace("Haarlemseweg", "Utrechtseweg"), encoding="utf-8-sig")

        plan = prepare(load_mapping(mapping), target.contract, journal)
        outcomes = plan.result.outcomes
        rendered = [(s, n) for s in outcomes for n, o in outcomes[s].items() if o.body is not None]
        planned = {o.status for s in outcomes for o in outcomes[s].values()}
        result = send(plan, target, journal=journal)
    target.close()

    assert planned == {Status.PLANNED}
    assert rendered == [("verkooprelaties", 2)]  # the one customer whose values changed
    assert result.row_statuses() == {"already done": 24, Status.CHANGED: 1}
    assert writes(sandbox) == sent  # nothing sent again
    again = prepare(load_mapping(mapping), target.contract).result.outcomes  # no journal:
    assert all(o.body for s in again for o in again[s].values())  # every body (a dry run)


def test_a_row_stopped_after_its_decision_is_still_unknown_when_an_earlier_request_may_have_made_it(
    sandbox,
):
    from importer.batches import Batches, Ready
    from importer.lookups import Lookups
    from importer.sending import Options, Sending

    target = AfasTarget(sandbox.base_url, sandbox.token)
    plan = prepare(load_mapping(FLEX), target.contract)
    step = plan.result.mapping.steps[1]  # the agreements: children of the sales relations
    stop = threading.Event()
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        journal.sending(step.name, "49340", 3, "{}", "digest")  # a request of an earlier run
        entry = journal.entries(step.name)["49340"]
        batches = Batches(
            Sending(plan.result, target, journal, Options(), stop), Lookups(plan, target)
        )
        stop.set()  # Ctrl-C while the row was decided (its lookups made), before it left
        ready = Ready(step, "49340", 3, {}, "digest", 3, frozenset({("key", "49340")}), entry)
        [outcome], again = batches.send(step, [ready])
    target.close()

    assert (outcome.status, outcome.parent_row, again) == (Status.UNKNOWN, 3, [])
    assert writes(sandbox) == 0


def test_a_prepared_plan_is_sent_with_the_journal_it_was_prepared_with(sandbox):
    target = AfasTarget(sandbox.base_url, sandbox.token)
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        plan = prepare(load_mapping(FLEX), target.contract, journal)
        other = Journal.in_memory(target=target.host, mapping="flex")
        with other, pytest.raises(ValueError, match="the journal it was prepared with"):
            send(plan, target, journal=other)
    target.close()
    assert writes(sandbox) == 0


def test_an_observer_failing_on_a_row_done_before_leaves_every_row_its_true_status(
    sandbox, tmp_path
):
    from importer.sending import Options

    source = tmp_path / "klanten.csv"
    source.write_bytes((ROOT / "samples/flex/klanten.csv").read_bytes())
    mapping = variant(tmp_path, lambda data: data["sources"]["klanten"].update(file=str(source)))
    told: list[tuple[str, int]] = []

    class Failing:  # a bug in the progress display, on a row the journal has done
        def step_started(self, step, rows):
            pass

        def row_done(self, step, outcome):
            told.append((step.name, outcome.row))
            if outcome.row == 2:
                raise RuntimeError("the display broke")

    target = AfasTarget(sandbox.base_url, sandbox.token)
    with Journal.in_memory(target=target.host, mapping="flex") as journal:
        assert run(load_mapping(mapping), target, journal=journal).all_done
        lines = source.read_text(encoding="utf-8-sig").splitlines()
        new = lines[1].replace("49339", "49999").replace("93056589", "93056597")
        source.write_text("\n".join([*lines, new]) + "\n", encoding="utf-8-sig")

        result = run(
            load_mapping(mapping), target, journal=journal, options=Options(observer=Failing())
        )
    target.close()

    assert result.row_statuses() == {"already done": 25, Status.CREATED: 1}
    assert sorted(told) == sorted(
        {(s, n) for s in ("verkooprelaties", "klantovereenkomsten") for n in range(2, 28)}
    )
