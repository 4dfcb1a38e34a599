"""Exactly once: the journal, resuming, lookups, retries and interruptions, end to end."""

from __future__ import annotations

import json
import signal

import pytest
from conftest import (
    CUSTOMERS,
    FLEX,
    ROOT,
    assert_each_record_once,
    run_in_background,
    statuses,
    variant,
    wait_for,
)

from importer.journal.places import journal_path, old_journals
from importer.sandbox import AfasSandbox, Faults

FAST = ("--retry-backoff", "0.01", "--max-wait", "0.05")


def test_failed_rows_are_tried_again_and_their_children_follow(cli, afas_env, tmp_path):
    afas_env.state.project_groups = frozenset({"ALG"})  # 4 customers' agreements are refused
    first = cli("run", FLEX)
    assert (first.code, first.out) == (
        1,
        "Import finished: 21 created, 4 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )

    afas_env.state.project_groups = frozenset({"ALG", "FLEX"})
    second = cli("run", FLEX)

    assert (second.code, second.out) == (
        0,
        "Import finished: 4 created, 0 failed, 0 invalid, 0 skipped, 21 already done; source rows: klanten.csv 25\n",
    )
    assert_each_record_once(afas_env)


@pytest.mark.parametrize(
    "faults",
    [
        {"locked_rate": 0.3, "seed": 1},
        {"unavailable_rate": 0.3, "retry_after": 0, "seed": 2},
        {"drop_before_rate": 0.3, "seed": 3},
        {"drop_after_rate": 0.3, "seed": 4},
        {"latency_ms": 10},
    ],
    ids=["locked", "unavailable", "drop_before", "drop_after", "latency"],
)
def test_every_fault_heals_within_two_runs_with_every_record_exactly_once(cli, monkeypatch, faults):
    with AfasSandbox.start(faults=Faults(**faults)) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        first = cli("run", FLEX, *FAST, "--retries", "1")
        box.faults.faults = Faults()  # the outage is over
        second = cli("run", FLEX, *FAST)

        assert first.code in (0, 1) and second.code == 0, second.err
        assert (
            second.out.startswith("Import finished: ")
            and ", 0 failed, 0 invalid, 0 skipped" in second.out
        )
        assert_each_record_once(box)


def test_an_unanswered_request_without_a_lookup_is_never_sent_again_on_its_own(
    cli, monkeypatch, tmp_path
):
    mapping = variant(tmp_path, lambda data: [step.pop("match") for step in data["steps"]])
    with AfasSandbox.start(faults=Faults(script={1: "drop_before"})) as box:
        monkeypatch.setenv("AFAS_BASE_URL", box.base_url)
        monkeypatch.setenv("AFAS_TOKEN", box.token)
        assert cli("run", mapping, "--concurrency", "1").code == 1

        second = cli("run", mapping)
        assert (
            second.out
            == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 1 unknown, 24 already done; source rows: klanten.csv 25\n"
        )
        assert "sent in an earlier run without an answer" in second.err
        assert "49339" not in box.state.debtors

        third = cli("run", mapping, "--retry-unknown")  # after checking Profit by hand
        assert third.code == 0
        assert_each_record_once(box)


def test_lookups_are_batched(cli, afas_env):
    assert cli("run", FLEX).code == 0

    debtor_reads = [r for r in afas_env.state.reads if "Profit_Debtor" in r["path"]]
    assert len(debtor_reads) == 1  # all 25 customers in one request


@pytest.mark.parametrize(
    ("policy", "status", "projects"),
    [
        ("link", "existing", 25),
        ("skip", "existing", 24),
        ("fail", "failed", 24),
        ("update", "updated", 25),
    ],
)
def test_a_customer_already_in_afas_is_handled_as_the_mapping_says(
    cli, afas_env, tmp_path, policy, status, projects
):
    mapping = variant(tmp_path, lambda data: data["steps"][0]["match"].update(on_found=policy))
    afas_env.state.organisations["777"] = {"BcCo": "777", "BcId": "1", "fields": {"Nm": "Jansen"}}
    afas_env.state.debtors["49339"] = {"DbId": "49339", "BcCo": "777", "fields": {"DbId": "49339"}}

    ran = cli("run", mapping)

    relations = statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert relations[2] == status
    assert len(afas_env.state.projects) == projects
    assert ran.code == (1 if policy in ("skip", "fail") else 0)


def test_changed_source_values_are_reported_or_updated(cli, afas_env, tmp_path):
    source = tmp_path / "klanten.csv"
    source.write_bytes((ROOT / "samples/flex/klanten.csv").read_bytes())
    assert cli("run", FLEX, "--input", source).code == 0
    source.write_text(
        source.read_text(encoding="utf-8-sig").replace("Haarlemseweg", "Utrechtseweg"),
        encoding="utf-8-sig",
    )

    reported = cli("run", FLEX, "--input", source)

    assert reported.code == 1
    assert (
        reported.out
        == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 1 changed, 24 already done; source rows: klanten.csv 25\n"
    )
    mapping = variant(tmp_path, lambda data: data["steps"][0].update(on_change="update"))
    journal = journal_path(FLEX, afas_env.host)  # the journal of the first runs, continued
    updated = cli("run", mapping, "--input", source, "--journal", journal)
    assert updated.code == 0, updated.err
    puts = [r for r in afas_env.state.requests if r["method"] == "PUT"]
    assert len(puts) == 1
    # the row's sales relation was updated now, its agreement done before: it counts updated
    assert (
        updated.out
        == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 1 updated, 24 already done; source rows: klanten.csv 25\n"
    )


def test_a_linked_record_whose_source_changed_is_updated_with_what_changed_only(
    cli, afas_env, tmp_path
):
    source = tmp_path / "klanten.csv"
    source.write_bytes((ROOT / "samples/flex/klanten.csv").read_bytes())
    mapping = variant(tmp_path, lambda data: data["steps"][0].update(on_change="update"))
    assert cli("run", mapping, "--input", source).code == 0
    # a new journal: every customer is found in Profit by its number and linked, not sent
    linked = cli("run", mapping, "--input", source, "--fresh")
    assert linked.code == 0, linked.err
    assert statuses(tmp_path / "flex-result.xlsx", "verkooprelaties")[2] == "existing"
    source.write_text(
        source.read_text(encoding="utf-8-sig").replace("Haarlemseweg", "Utrechtseweg"),
        encoding="utf-8-sig",
    )

    updated = cli("run", mapping, "--input", source)

    assert updated.code == 0, updated.err
    [put] = afas_env.state.received("KnSalesRelationOrg", "PUT")
    organisation = put["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]
    fields = organisation["Element"]["Fields"]
    # the address that changed goes (whole); what did not change, the name, KvK number and
    # website among it, is left as Profit has it
    assert "Nm" not in fields and "CcNr" not in fields and "HoPa" not in fields
    assert "Utrechtseweg" in json.dumps(put)


def test_fresh_says_what_the_old_journal_held_and_status_prints_it(cli, afas_env, tmp_path):
    assert cli("run", FLEX).code == 0
    status = cli("status", FLEX)
    assert status.out.splitlines()[-3:] == [
        "  Records in the journal (one per step and key, over every run):",
        "    verkooprelaties: 25 created",
        "    klantovereenkomsten: 25 created",
    ]

    fresh = cli("run", FLEX, "--fresh", "--dry-run")
    assert fresh.code == 0
    again = cli("run", FLEX, "--fresh")
    journal = journal_path(FLEX, afas_env.host)
    assert (
        "Starting a new journal; the old one (verkooprelaties: 25 created; klantovereenkomsten: 25 created) "
        f"is kept in {journal.parent / 'old'}" in again.err
    )
    [old] = old_journals(FLEX)
    assert old.parent == journal.parent / "old"
    assert cli("status", FLEX).out.splitlines()[-2:] == [
        f"Earlier journals, replaced by --fresh ({old.parent}):",
        f"  {old.name}",
    ]


def test_each_environment_has_its_own_journal(cli, afas_env, tmp_path, monkeypatch):
    assert cli("run", FLEX).code == 0
    first = journal_path(FLEX, afas_env.host)
    with AfasSandbox.start() as other:
        monkeypatch.setenv("AFAS_BASE_URL", other.base_url)
        monkeypatch.setenv("AFAS_TOKEN", other.token)

        ran = cli("run", FLEX)

        assert ran.code == 0, ran.err
        assert (
            f"Note: starting a new journal for {other.host} ({journal_path(FLEX, other.host)}); "
            f"this mapping also has a journal for {afas_env.host} at {first} "
            "(verkooprelaties: 25 created; klantovereenkomsten: 25 created)."
        ) in ran.err
        assert len(other.state.debtors) == 25

        # a journal named explicitly still belongs to the target it was started for
        mixed = cli("run", FLEX, "--journal", first)
        assert mixed.code == 2
        assert f"records a run against {afas_env.host}, not {other.host}" in mixed.err
        assert "Use --fresh" in mixed.err


def test_killed_mid_run_then_run_again_creates_everything_exactly_once(tmp_path):
    with AfasSandbox.start(faults=Faults(latency_ms=100)) as box:
        process = run_in_background(box, tmp_path, "--concurrency", "2")
        wait_for(lambda: len(box.state.debtors) >= 3)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert len(box.state.projects) < CUSTOMERS  # killed mid-run

        again = run_in_background(box, tmp_path)
        out, err = again.communicate(timeout=120)

        assert again.returncode == 0, err
        assert_each_record_once(box)


def test_ctrl_c_stops_cleanly_and_a_rerun_finishes(tmp_path):
    with AfasSandbox.start(faults=Faults(latency_ms=40)) as box:
        process = run_in_background(box, tmp_path, "--concurrency", "2")
        wait_for(lambda: len(box.state.debtors) >= 5)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)

        assert process.returncode == 130, err
        assert out.startswith("Import stopped: ")
        assert "Stopping: no new requests" in err
        assert set(statuses(tmp_path / "flex-result.xlsx", "verkooprelaties").values()) <= {
            "created",
            "skipped",
        }

        again = run_in_background(box, tmp_path)
        again.communicate(timeout=120)
        assert again.returncode == 0
        assert_each_record_once(box)
