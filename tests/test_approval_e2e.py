"""End to end: ``validate --plan`` by one person, ``run --approved`` by another, against the
sandbox over real HTTP; whatever differs from the plan is refused before anything is sent."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, writes

import importer.cli.importing
from importer.sandbox import AfasSandbox


@pytest.fixture
def flex(tmp_path: Path) -> Path:
    """The Flex sample (mapping, input, templates) in a folder of its own, free to change."""
    folder = tmp_path / "import"
    shutil.copytree(ROOT / "templates", folder / "templates")
    shutil.copy(ROOT / "samples" / "flex" / "klanten.csv", folder / "klanten.csv")
    data = yaml.safe_load((ROOT / "mappings" / "flex.yaml").read_text())
    data["templates"] = "templates"
    data["sources"]["klanten"]["file"] = "klanten.csv"
    path = folder / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def journals() -> list[Path]:
    return sorted(Path(os.environ["IMPORTER_JOURNAL_DIR"]).rglob("*.sqlite"))


def change_cell(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_nothing_sent(box: AfasSandbox, tmp_path: Path) -> None:
    assert writes(box) == 0 and box.state.debtors == {}
    assert journals() == []
    assert not (tmp_path / "flex-result.xlsx").exists()


def test_an_approved_plan_runs_and_the_sandbox_receives_every_row(cli, afas_env, flex, tmp_path):
    validated = cli("validate", flex, "--plan", "plan.json")

    assert validated.code == 0, validated.err
    assert "Plan for 'run --approved': plan.json" in validated.err
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["target"]["host"] == afas_env.host and plan["target"]["environment"] == "sandbox"
    assert afas_env.token not in (tmp_path / "plan.json").read_text()
    assert writes(afas_env) == 0  # validating sends nothing

    ran = cli("run", flex, "--approved", "plan.json")

    assert ran.code == 0, ran.err
    assert (
        ran.out
        == "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )
    assert f"Approved by {plan['validated_by']} at " in ran.err
    assert "the target and every row (50 in 2 steps) match" in ran.err
    assert len(afas_env.state.debtors) == 25 and len(afas_env.state.projects) == 25

    again = cli("run", flex, "--approved", "plan.json")  # resuming: the same plan still holds

    assert again.code == 0, again.err
    assert (
        again.out
        == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 25 already done; source rows: klanten.csv 25\n"
    )
    assert len(afas_env.state.debtors) == 25


def test_a_changed_input_cell_is_refused_naming_the_file_and_the_row(cli, afas_env, flex, tmp_path):
    assert cli("validate", flex, "--plan", "plan.json").code == 0
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";Assen;NL;")  # row 5

    ran = cli("run", flex, "--approved", "plan.json")

    assert ran.code == 2
    assert ran.err.startswith(
        "Error: Not the run that was approved: nothing was sent. plan.json (approved by "
    )
    assert f"\n- input klanten ({flex.parent / 'klanten.csv'}) changed\n" in ran.err
    assert (
        "\n- 1 row differs from the approved plan:\n"
        "  klanten.csv row 5 (verkooprelaties): its body differs from the approved one\n"
    ) in ran.err
    assert ran.err.endswith("Validate again with --plan and have the new plan approved.\n")
    assert_nothing_sent(afas_env, tmp_path)


def test_a_changed_template_is_refused_naming_it(cli, afas_env, flex, tmp_path):
    assert cli("validate", flex, "--plan", "plan.json").code == 0
    template = flex.parent / "templates" / "afas" / "PtProject.json.j2"
    template.write_text(template.read_text().replace('"Ds"', '"Ds" ', 1))

    ran = cli("run", flex, "--approved", "plan.json")

    assert ran.code == 2
    assert "\n- template afas/PtProject.json.j2 changed\n" in ran.err
    assert "input klanten" not in ran.err and "row" not in ran.err.split("changed\n", 1)[1]
    assert_nothing_sent(afas_env, tmp_path)


def test_a_plan_approved_for_another_environment_is_refused(cli, afas_env, flex, tmp_path):
    with pytest.MonkeyPatch.context() as env:  # the same token, another environment
        env.setenv("AFAS_BASE_URL", "https://12345.resttest.afas.online/ProfitRestServices")
        assert cli("validate", flex, "--plan", "test.json").code == 0
    assert cli("validate", flex, "--plan", "sandbox.json", "--sandbox").code == 0

    for plan, approved in [
        ("test.json", "AFAS Profit test environment 12345 at 12345.resttest.afas.online"),
        ("sandbox.json", "the AFAS Profit sandbox of a run with --sandbox"),
    ]:
        ran = cli("run", flex, "--approved", plan)

        assert ran.code == 2
        assert (
            f"\n- the target: approved for {approved}, this run writes to AFAS Profit sandbox "
            f"at {afas_env.host}\n"
        ) in ran.err
        assert "template" not in ran.err and "input" not in ran.err
    assert_nothing_sent(afas_env, tmp_path)


def test_a_plan_for_sandbox_runs_approves_a_run_with_sandbox(cli, flex):
    assert cli("validate", flex, "--plan", "plan.json", "--sandbox").code == 0

    ran = cli("run", flex, "--approved", "plan.json", "--sandbox")

    assert ran.code == 0, ran.err
    assert (
        ran.out
        == "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )


def test_a_dry_run_is_checked_against_the_plan_but_not_its_environment(cli, flex):
    assert cli("validate", flex, "--plan", "plan.json", "--sandbox").code == 0

    assert cli("run", flex, "--approved", "plan.json", "--dry-run").code == 0
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";Assen;NL;")
    ran = cli("run", flex, "--approved", "plan.json", "--dry-run")
    assert ran.code == 2 and "klanten.csv row 5 (verkooprelaties)" in ran.err


def test_rows_that_change_after_the_check_are_refused_before_the_first_request(
    cli, afas_env, flex, tmp_path, monkeypatch
):
    """The rows are compared again on the plan the run sends, made once the target is open."""
    assert cli("validate", flex, "--plan", "plan.json").code == 0
    real = importer.cli.importing.prepare

    def changed_meanwhile(mapping, *args):
        change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";Assen;NL;")
        return real(mapping, *args)

    monkeypatch.setattr(importer.cli.importing, "prepare", changed_meanwhile)

    ran = cli("run", flex, "--approved", "plan.json")

    assert ran.code == 2
    assert "klanten.csv row 5 (verkooprelaties): its body differs" in ran.err
    assert "Approved by " in ran.err  # the first check passed
    assert writes(afas_env) == 0
    for journal in journals():
        with sqlite3.connect(journal) as db:
            assert db.execute("SELECT count(*) FROM rows").fetchone() == (0,)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda text: text[:-20], "is not a plan: not valid JSON"),
        (
            lambda text: text.replace('"version": 1', '"version": 2'),
            "is a plan of version 2; this importer",
        ),
        (
            lambda text: text.replace('"status": "planned"', '"status": "invalid"', 1),
            "was changed after it was written",
        ),
    ],
)
def test_a_damaged_or_edited_plan_is_refused(cli, afas_env, flex, tmp_path, change, said):
    assert cli("validate", flex, "--plan", "plan.json").code == 0
    plan = tmp_path / "plan.json"
    plan.write_text(change(plan.read_text()))

    ran = cli("run", flex, "--approved", "plan.json")

    assert ran.code == 2
    assert ran.err.startswith("Error: --approved plan.json ") and said in ran.err
    assert_nothing_sent(afas_env, tmp_path)


def test_a_plan_needs_an_environment(cli, flex, tmp_path):
    ran = cli("validate", flex, "--plan", "plan.json")

    assert ran.code == 2
    assert ran.err.startswith(
        "Error: --plan approves a run against one environment, and none is configured: "
        "AFAS_BASE_URL is not set."
    )
    assert not (tmp_path / "plan.json").exists()
