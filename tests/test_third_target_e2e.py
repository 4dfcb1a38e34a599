"""A third target, defined in tests/rest_target/ alone, runs end to end through the generic code.

Nothing outside its package knows it: it is registered here, and the mapping, the CLI, the
runner, the journal and the workbook take it from the registry.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from rest_target import SPEC
from rest_target.sample import MAPPING, TEMPLATE

from importer import targets
from importer.journal.places import journal_path

MEMBERS = "Number;Name;City\n1;Anna de Vries;Utrecht\n2;Bram Jansen;\n3;;Zwolle\n"


@pytest.fixture
def rest(monkeypatch: pytest.MonkeyPatch):
    targets.register(SPEC)
    yield
    targets.unregister(SPEC.name)


@pytest.fixture
def mapping(tmp_path: Path, rest) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "member.json.j2").write_text(TEMPLATE)
    (tmp_path / "members.csv").write_text(MEMBERS)
    path = tmp_path / "members.yaml"
    path.write_text(MAPPING)
    return path


def statuses(path: Path) -> dict[int, str]:
    rows = list(openpyxl.load_workbook(path)["members"].iter_rows(values_only=True))
    return {r[0]: r[rows[0].index("status")] for r in rows[1:]}


def test_a_third_target_imports_resumes_and_reports_through_the_generic_code(
    cli, mapping, monkeypatch, tmp_path
):
    box = SPEC.start_sandbox()
    try:
        for name, value in SPEC.sandbox_settings(box).items():
            monkeypatch.setenv(name, value)

        first = cli("run", mapping)
        again = cli("run", mapping)
    finally:
        box.stop()

    assert (first.code, first.out) == (
        1,
        "Import finished: 2 created, 0 failed, 1 invalid, 0 skipped; source rows: members.csv 3\n",
    )
    # two requests in parallel (the target's default concurrency): in either order
    assert sorted((body for _, _, body in box.requests), key=lambda b: b["number"]) == [
        {"number": "1", "name": "Anna de Vries", "city": "Utrecht"},
        {"number": "2", "name": "Bram Jansen"},  # the blank city left out by the renderer
    ]
    assert statuses(tmp_path / "members-result.xlsx") == {2: "created", 3: "created", 4: "invalid"}
    assert (
        again.out
        == "Import finished: 0 created, 0 failed, 1 invalid, 0 skipped, 2 already done; source rows: members.csv 3\n"
    )
    assert len(box.requests) == 2  # the rerun sent nothing: the journal knew
    assert journal_path(mapping, box.host).is_file()
    sheet = openpyxl.load_workbook(tmp_path / "members-result.xlsx")["members"]
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert "id" in header and "profitLogReference" not in header


def test_the_contract_of_a_third_target_stops_a_body_before_it_is_sent(cli, mapping, tmp_path):
    (tmp_path / "members.csv").write_text("Number;Name;City\n1;" + "x" * 41 + ";Ede\n")

    ran = cli("run", mapping, "--dry-run")

    assert ran.code == 1
    assert "name is 41 characters, at most 40" in ran.err


def test_an_unknown_target_names_the_known_ones(cli, tmp_path, mapping):
    mapping.write_text(MAPPING.replace("target: rest", "target: exact"))

    ran = cli("validate", mapping)

    assert ran.code == 2
    assert "'exact' is not a target; expected one of: afas, recras, rest" in ran.err


def test_the_third_target_updates_only_what_is_given_and_deletes_by_id(rest) -> None:
    from rest_target.client import RestTarget

    box = SPEC.start_sandbox()
    client = RestTarget.from_env(SPEC.sandbox_settings(box))
    try:
        created = client.insert("members", {"name": "Anna", "city": "Utrecht", "number": "1"})
        ids = created.ids
        change = client.changes(
            {"name": "Anna", "city": "Utrecht", "number": "1"},
            {"name": "Anna", "city": RestTarget.clear_value},  # number left out: kept
        )
        updated = client.update("members", change, ids)
        held = dict(box.records["members"][int(ids["id"])])
        deleted = client.delete("members", ids)
        again = client.delete("members", ids)
        with pytest.raises(ValueError, match="'id'"):
            client.update("members", {"name": "x"}, {})
    finally:
        client.close()
        box.stop()

    assert change == {"city": None}
    assert updated.ok and held == {"name": "Anna", "number": "1"}
    assert deleted.ok and box.records["members"] == {}
    assert not again.ok and "no record" in str(again.error)
    assert RestTarget.update_ids("members") == RestTarget.delete_ids("members") == ("id",)
