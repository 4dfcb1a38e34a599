"""The approval plan (four eyes): what it holds, how it is written and read, what it refuses."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

from importer import approval
from importer.approval import planfile, record
from importer.approval.approved import SHOWN, Approved, NotApproved, read_plan
from importer.approval.record import Environment
from importer.errors import ConfigurationError
from importer.mappingfile import load_mapping
from importer.plan import prepare

VALIDATED = dt.datetime.fromisoformat("2026-03-14T09:30:15+01:00")
SANDBOX = Environment("afas", record.SANDBOX, "sandbox")
TEST_ENV = {
    "AFAS_BASE_URL": "https://12345.resttest.afas.online/ProfitRestServices",
    "AFAS_TOKEN": "a-secret-token-never-written",
}


@pytest.fixture
def flex(tmp_path: Path) -> Path:
    """The Flex sample in a folder of its own: mapping, input and templates, free to change."""
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copy(ROOT / "samples" / "flex" / "klanten.csv", tmp_path / "klanten.csv")
    data = yaml.safe_load((ROOT / "mappings" / "flex.yaml").read_text())
    data["templates"] = "templates"
    data["sources"]["klanten"]["file"] = "klanten.csv"
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def planned(path: Path, environment: Environment = SANDBOX) -> dict:
    mapping = load_mapping(path)
    return planfile.plan_data(prepare(mapping).result, environment, user="alice", at=VALIDATED)


def approved(path: Path, environment: Environment = SANDBOX) -> Approved:
    return Approved(path.with_name("plan.json"), planned(path, environment))


def differences(plan: Approved, path: Path, environment=SANDBOX) -> list[str]:
    mapping = load_mapping(path)
    return plan.differences(mapping, environment, prepare(mapping).result)


def change_cell(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- what the plan holds ----------------------------------------------------------------------


def test_plan_holds_the_hashes_who_when_and_every_row_in_a_fixed_order(flex):
    data = planned(flex)

    assert list(data) == [
        "format",
        "version",
        "importer",
        "validated_by",
        "validated_at",
        "mapping",
        "template_folder",
        "templates",
        "inputs",
        "target",
        "summary",
        "steps",
        "checksum",
    ]
    assert (data["format"], data["version"]) == (planfile.FORMAT, planfile.VERSION)
    assert (data["validated_by"], data["validated_at"]) == ("alice", "2026-03-14T09:30:15+01:00")
    assert data["mapping"] == {"file": str(flex), "sha256": record.sha256_file(flex)}
    assert [t["name"] for t in data["templates"]] == [
        "afas/KnSalesRelationOrg.json.j2",
        "afas/PtProject.json.j2",
    ]
    assert data["inputs"] == [
        {
            "source": "klanten",
            "file": str(flex.parent / "klanten.csv"),
            "sha256": record.sha256_file(flex.parent / "klanten.csv"),
        }
    ]
    assert data["target"] == {
        "system": "afas",
        "host": "sandbox",
        "environment": "sandbox",
        "sha256": SANDBOX.sha256,
    }
    assert data["summary"] == {"planned": 25}
    assert [(s["step"], s["source"], len(s["rows"])) for s in data["steps"]] == [
        ("verkooprelaties", "klanten.csv", 25),
        ("klantovereenkomsten", "klanten.csv", 25),
    ]
    first = data["steps"][0]["rows"][0]
    assert list(first) == ["row", "status", "action", "body_sha256"]
    assert first["row"] == 2 and first["status"] == "planned" and first["action"] == "insert"
    assert data["checksum"] == planfile.checksum(data)


def test_an_invalid_row_is_in_the_plan_with_its_status_and_no_body(flex):
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";;NL;")  # Plaats is required

    rows = {r["row"]: r for r in planned(flex)["steps"][0]["rows"]}

    assert rows[5] == {"row": 5, "status": "invalid", "action": "insert"}
    assert rows[6]["status"] == "planned" and "body_sha256" in rows[6]


def test_grouped_rows_and_lines_name_the_row_they_go_with():
    steps = {
        s["step"]: s
        for s in record.steps_of(prepare(load_mapping(ROOT / "mappings/orders.yaml")).result)
    }

    assert list(steps) == ["verkooporders", "verkooporders lines"]
    line = steps["verkooporders lines"]["rows"][0]
    assert steps["verkooporders lines"]["source"] == "orderregels.csv"
    assert line == {"row": 2, "status": "planned", "action": "insert", "with_row": 2}


def test_the_same_validation_writes_the_same_file(flex, tmp_path):
    first = planfile.write(tmp_path / "a.json", planned(flex))
    second = planfile.write(tmp_path / "b.json", planned(flex))

    assert first.read_bytes() == second.read_bytes()


def test_the_file_is_indented_json_with_one_line_per_row(flex, tmp_path):
    path = planfile.write(tmp_path / "plan.json", planned(flex))
    text = path.read_text(encoding="utf-8")

    assert json.loads(text) == planned(flex)
    lines = text.splitlines()
    assert lines[0] == "{" and lines[1] == '  "format": "importer approval plan",'
    rows = [line for line in lines if line.lstrip().startswith('{"row": ')]
    assert len(rows) == 50
    assert rows[0].startswith('        {"row": 2, "status": "planned", "action": "insert", ')


def test_templates_included_or_imported_are_hashed_too(flex):
    folder = flex.parent / "templates" / "afas"
    (folder / "parts").mkdir()
    (folder / "parts" / "address.j2").write_text('{% import "afas/parts/macros.j2" as m %}')
    (folder / "parts" / "macros.j2").write_text("{% macro x() %}{% endmacro %}")
    template = folder / "PtProject.json.j2"
    template.write_text('{% include "afas/parts/address.j2" %}' + template.read_text())

    used = record.templates_used(load_mapping(flex))

    assert list(used) == [
        "afas/KnSalesRelationOrg.json.j2",
        "afas/PtProject.json.j2",
        "afas/parts/address.j2",
        "afas/parts/macros.j2",
    ]


def test_an_include_named_by_a_variable_brings_in_every_template_of_the_folder(flex):
    template = flex.parent / "templates" / "afas" / "PtProject.json.j2"
    template.write_text("{% include row.part %}" + template.read_text())

    used = record.templates_used(load_mapping(flex))

    assert "recras/klant.json.j2" in used and "afas/FbSales.json.j2" in used


# --- the environment --------------------------------------------------------------------------


def test_the_environment_is_the_configured_host_or_sandbox_and_never_a_secret(flex, tmp_path):
    mapping = load_mapping(flex)

    found = record.environment_of(mapping, env=TEST_ENV)

    assert found == Environment("afas", "12345.resttest.afas.online", "test environment 12345")
    assert record.environment_of(mapping, sandbox=True, env={}) == SANDBOX
    text = planfile.write(tmp_path / "plan.json", planned(flex, found)).read_text()
    assert TEST_ENV["AFAS_TOKEN"] not in text
    assert '"host": "12345.resttest.afas.online"' in text


def test_a_host_written_another_way_is_the_same_environment(flex):
    mapping = load_mapping(flex)
    other = {
        **TEST_ENV,
        "AFAS_BASE_URL": "https://12345.RESTTEST.afas.online:443/ProfitRestServices/",
    }

    assert record.environment_of(mapping, env=other) == record.environment_of(mapping, env=TEST_ENV)


def test_an_environment_is_named_once_with_its_system():
    assert Environment("recras", "acme.recras.nl", "Recras instance acme").describe() == (
        "Recras instance acme at acme.recras.nl"
    )
    assert Environment("afas", "h", "test environment 1").describe() == (
        "AFAS Profit test environment 1 at h"
    )


def test_a_plan_needs_a_configured_environment_or_sandbox(flex, tmp_path, monkeypatch):
    for name in TEST_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="--plan approves a run against one environment"):
        approval.begin_plan(tmp_path / "plan.json", load_mapping(flex))

    planning = approval.begin_plan(tmp_path / "plan.json", load_mapping(flex), sandbox=True)
    assert planning.environment == SANDBOX


# --- what a run is compared on ----------------------------------------------------------------


def test_everything_unchanged_is_approved(flex):
    plan = approved(flex)

    assert differences(plan, flex) == []
    plan.check(load_mapping(flex), SANDBOX, prepare(load_mapping(flex)).result)


def test_a_changed_input_cell_names_the_file_and_the_row(flex):
    plan = approved(flex)
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";Assen;NL;")

    assert differences(plan, flex) == [
        f"input klanten ({flex.parent / 'klanten.csv'}) changed",
        "1 row differs from the approved plan:\n"
        "  klanten.csv row 5 (verkooprelaties): its body differs from the approved one",
    ]


def test_a_row_made_invalid_names_its_status_in_each_step(flex):
    plan = approved(flex)
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";;NL;")

    rows = differences(plan, flex)[-1]

    assert rows.splitlines() == [
        "2 rows differ from the approved plan:",
        "  klanten.csv row 5 (verkooprelaties): approved as planned, now invalid",
        "  klanten.csv row 5 (klantovereenkomsten): approved as planned, now skipped",
    ]


def test_many_changed_rows_are_counted_and_the_first_few_named(flex):
    plan = approved(flex)
    csv = flex.parent / "klanten.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(";NL;", ";BE;"), encoding="utf-8")

    rows = differences(plan, flex)[-1].splitlines()

    assert rows[0] == "25 rows differ from the approved plan:"
    assert (
        rows[1] == "  klanten.csv row 2 (verkooprelaties): its body differs from the approved one"
    )
    assert len(rows) == 1 + SHOWN + 1 and rows[-1] == "  ... and 15 more"


def test_rows_added_or_gone_are_named(flex):
    plan = approved(flex)
    csv = flex.parent / "klanten.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(lines[:-1]), encoding="utf-8")  # the last row (26) is gone

    assert differences(plan, flex)[-1].splitlines()[1:] == [
        "  klanten.csv row 26 (verkooprelaties): approved as planned, not in the input now",
        "  klanten.csv row 26 (klantovereenkomsten): approved as planned, not in the input now",
    ]
    plan = approved(flex)
    csv.write_text("".join(lines), encoding="utf-8")
    assert (
        "klanten.csv row 26 (verkooprelaties): planned, not in the approved plan"
        in (differences(plan, flex)[-1])
    )


def test_a_changed_template_is_named_even_when_the_bodies_are_the_same(flex):
    plan = approved(flex)
    template = flex.parent / "templates" / "afas" / "PtProject.json.j2"
    template.write_text(template.read_text() + "{# reviewed #}\n")

    assert differences(plan, flex) == ["template afas/PtProject.json.j2 changed"]


def test_a_changed_mapping_is_named(flex):
    plan = approved(flex)
    flex.write_text(flex.read_text() + "\n# a comment\n")

    assert differences(plan, flex) == [f"the mapping file {flex} changed"]


def test_the_same_content_in_another_file_is_the_same_input(flex, tmp_path):
    plan = approved(flex)
    copy = tmp_path / "elsewhere.csv"
    shutil.copy(flex.parent / "klanten.csv", copy)
    mapping = load_mapping(flex).with_inputs({"klanten": copy})

    assert plan.differences(mapping, SANDBOX, prepare(mapping).result) == []


def test_another_file_with_other_content_is_named(flex, tmp_path):
    plan = approved(flex)
    other = ROOT / "samples" / "flex-errors" / "klanten.csv"
    mapping = load_mapping(flex).with_inputs({"klanten": other})

    found = plan.differences(mapping, SANDBOX, None)

    assert found == [
        f"input klanten ({other}) is another file, with other content than the approved "
        f"{flex.parent / 'klanten.csv'}"
    ]


def test_another_environment_is_named(flex):
    plan = approved(flex)
    test = record.environment_of(load_mapping(flex), env=TEST_ENV)

    assert differences(plan, flex, test) == [
        "the target: approved for the AFAS Profit sandbox of a run with --sandbox, this run "
        "writes to AFAS Profit test environment 12345 at 12345.resttest.afas.online"
    ]
    assert differences(plan, flex, None) == []  # a dry run writes to no environment


def test_a_file_changed_while_validating_writes_no_plan(flex, tmp_path):
    planning = approval.begin_plan(tmp_path / "plan.json", load_mapping(flex), sandbox=True)
    result = prepare(load_mapping(flex)).result
    change_cell(flex.parent / "klanten.csv", ";Hoogeveen;NL;", ";Assen;NL;")

    with pytest.raises(NotApproved, match="a file changed while it was validated: input klanten"):
        planning.write(result)
    assert not (tmp_path / "plan.json").exists()


def test_check_run_refuses_naming_everything_and_then_why_planning_fails(flex, tmp_path):
    path = planfile.write(tmp_path / "plan.json", planned(flex))
    template = flex.parent / "templates" / "afas" / "PtProject.json.j2"
    template.write_text("{% if %}")

    with pytest.raises(NotApproved) as refused:
        approval.check_run(path, load_mapping(flex), sandbox=True)

    text = str(refused.value)
    assert text.startswith(
        f"Not the run that was approved: nothing was sent. {path} (approved by alice at "
        "2026-03-14 09:30:15+01:00) differs from this run in:\n"
        "- template afas/PtProject.json.j2 changed\n"
        "- planning it now fails: "
    )
    assert text.endswith("\nValidate again with --plan and have the new plan approved.")


def test_check_run_of_an_unchanged_import_returns_the_plan(flex, tmp_path):
    path = planfile.write(tmp_path / "plan.json", planned(flex))

    plan = approval.check_run(path, load_mapping(flex), sandbox=True)

    assert plan.by == "alice"
    assert plan.describe() == (
        f"Approved by alice at 2026-03-14 09:30:15+01:00 ({path}): the mapping, its templates "
        "and inputs, the target and every row (50 in 2 steps) match"
    )


# --- reading a plan ---------------------------------------------------------------------------


def write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{", "is not a plan: not valid JSON (Expecting property name"),
        ("[1, 2]", "is not a plan written by 'importer validate --plan'"),
        ('{"format": "something else"}', "is not a plan written by 'importer validate --plan'"),
        (
            '{"format": "importer approval plan", "version": 99}',
            "is a plan of version 99; this importer",
        ),
        (
            '{"format": "importer approval plan", "version": 1}',
            "was changed after it was written (its checksum does not match its content)",
        ),
    ],
)
def test_a_file_that_is_no_plan_is_refused(tmp_path, text, said):
    with pytest.raises(NotApproved, match=r"^--approved .*plan\.json ") as refused:
        read_plan(write_text(tmp_path, text))
    assert said in str(refused.value)


def test_a_missing_or_unreadable_plan_is_refused(tmp_path):
    with pytest.raises(NotApproved, match="cannot be read: No such file or directory"):
        read_plan(tmp_path / "nope.json")
    (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(NotApproved, match="bin.json cannot be read"):
        read_plan(tmp_path / "bin.json")


def test_a_plan_edited_by_hand_is_refused(flex, tmp_path):
    data = planned(flex)
    data["steps"][0]["rows"][3]["status"] = "invalid"
    path = planfile.write(tmp_path / "plan.json", data)

    with pytest.raises(NotApproved, match="was changed after it was written"):
        read_plan(path)


def test_a_plan_missing_a_part_with_a_matching_checksum_is_damaged(flex, tmp_path):
    data = planned(flex)
    del data["steps"][0]["rows"][0]["row"]
    data["checksum"] = planfile.checksum(data)

    with pytest.raises(NotApproved, match="is damaged: it does not hold what a plan holds"):
        read_plan(planfile.write(tmp_path / "plan.json", data))
    data = planned(flex)
    del data["inputs"]
    data["checksum"] = planfile.checksum(data)
    with pytest.raises(NotApproved, match="is damaged: 'inputs' is missing or wrong"):
        read_plan(planfile.write(tmp_path / "plan.json", data))


def test_a_plan_written_and_read_back_is_the_same(flex, tmp_path):
    data = planned(flex)

    plan = read_plan(planfile.write(tmp_path / "plan.json", data))

    assert plan.data == data and (plan.by, plan.at) == ("alice", "2026-03-14T09:30:15+01:00")


def test_describe_says_when_another_importer_version_validated(flex, tmp_path):
    data = planned(flex)
    data["importer"] = "0.0.1"

    plan = Approved(tmp_path / "plan.json", data)

    assert ", validated with importer 0.0.1)" in plan.describe()
