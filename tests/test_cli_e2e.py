"""End to end: the importer command against the sandbox over real HTTP on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES, FLEX, ROOT, posted_relations

from importer.sandbox import Faults

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_flex_sample_creates_a_sales_relation_and_an_agreement_per_customer(
    cli, afas_env, tmp_path
):
    ran = cli("run", FLEX)

    assert ran.code == 0, ran.err
    assert (
        ran.out
        == "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )
    state = afas_env.state
    assert len(state.debtors) == 25 and len(state.projects) == 25
    assert {p["fields"]["DbId"] for p in state.projects.values()} == set(state.debtors)

    relations = sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    agreements = sheet_rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert [r["row in file"] for r in relations] == list(range(2, 27))
    assert {r["status"] for r in relations + agreements} == {"created"}
    assert relations[0]["DbId"] == "49339"
    assert len({r["BcCo"] for r in relations}) == 25  # each its own new organisation
    for relation, agreement in zip(relations, agreements, strict=True):
        project = state.projects[agreement["PrId"]]
        assert project["fields"]["DbId"] == relation["DbId"] == relation["Klantnummer"]
        assert project["fields"]["Ds"] == agreement["Omschrijving"]


def test_sandbox_receives_the_seed_bodies_field_for_field(cli, afas_env):
    assert cli("run", FLEX).code == 0

    relation = next(
        b
        for b in afas_env.state.received("KnSalesRelationOrg")
        if b["KnSalesRelationOrg"]["Element"]["@DbId"] == "49339"
    )
    agreement = next(
        b
        for b in afas_env.state.received("PtProject")
        if b["PtProject"]["Element"]["Fields"]["DbId"] == "49339"
    )
    assert relation == json.loads((FIXTURES / "seed" / "KnSalesRelationOrg.json").read_text())
    seed_agreement = json.loads((FIXTURES / "seed" / "PtProject.json").read_text())
    seed_agreement["PtProject"]["Element"]["Fields"]["DbId"] = "49339"  # from the relation
    assert agreement == seed_agreement


def flex_rows(tmp_path: Path, name: str, rows: list[str]) -> Path:
    """A Flex customers file with the sample's header and these rows."""
    header = (ROOT / "samples/flex/klanten.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# a second customer number of Jansen Personeel B.V. (KvK 93056589, customer 49339)
JANSEN_AGAIN = (
    "49999;Jansen Detachering;Jansen Personeel B.V.;JANSENDET;93056589;01-03-2024;111234567B01;"
    ";Haarlemseweg;105;3833LC;Leusden;NL;ALG;Klantovereenkomst Jansen Detachering;24"
)


def test_two_customer_numbers_of_one_kvk_number_are_one_organisation_with_two_relations(
    cli, afas_env, tmp_path
):
    assert cli("run", FLEX).code == 0
    state = afas_env.state
    jansen = state.debtors["49339"]["BcCo"]
    organisations = len(state.organisations)

    ran = cli("run", FLEX, "--input", flex_rows(tmp_path, "nieuw.csv", [JANSEN_AGAIN]))

    assert ran.code == 0, ran.err
    assert (
        ran.out
        == "Import finished: 1 created, 0 failed, 0 invalid, 0 skipped; source rows: nieuw.csv 1\n"
    )
    assert len(state.organisations) == organisations == 25  # found by KvK, not created
    assert len(state.debtors) == 26
    assert state.debtors["49999"]["BcCo"] == state.debtors["49339"]["BcCo"] == jansen
    (body,) = [
        b
        for b in state.received("KnSalesRelationOrg")
        if b["KnSalesRelationOrg"]["Element"]["@DbId"] == "49999"
    ]
    (linked,) = body["KnSalesRelationOrg"]["Element"]["Objects"]
    assert linked == {"KnOrganisation": {"Element": {"Fields": {"MatchOga": "0", "BcCo": jansen}}}}
    assert state.organisations[jansen]["fields"]["Nm"] == "Jansen"  # linked, not changed
    lookups = [r["query"] for r in state.reads if r["connector"] == "Profit_OrgPer"]
    assert any("ChOfCommNr" in q and "93056589" in q for q in lookups)
    relations = sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    assert [(r["Klantnummer"], r["status"], r["BcCo"]) for r in relations] == [
        ("49999", "created", jansen)
    ]
    (agreement,) = sheet_rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert agreement["status"] == "created"
    assert state.projects[agreement["PrId"]]["fields"]["DbId"] == "49999"


def test_a_kvk_number_two_organisations_have_fails_the_row_and_one_nobody_has_creates_one(
    cli, afas_env, tmp_path
):
    for number in ("100001", "100002"):
        afas_env.state.put(
            "organisations",
            {"BcCo": number, "fields": {"Nm": "Jansen", "CcNr": "93056589"}, "objects": {}},
        )
    nobody = JANSEN_AGAIN.replace("49999;", "50000;").replace("93056589", "12345678")
    source = flex_rows(tmp_path, "nieuw.csv", [JANSEN_AGAIN, nobody])

    ran = cli("run", FLEX, "--input", source)

    assert ran.code == 1
    relations = {
        r["Klantnummer"]: r for r in sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    }
    assert relations["49999"]["status"] == "failed"
    assert relations["49999"]["error"] == (
        "2 records match in Profit_OrgPer (ChOfCommNr '93056589'); cannot tell which one is meant"
    )
    assert relations["50000"]["status"] == "created"
    assert set(afas_env.state.debtors) == {"50000"}
    new = afas_env.state.organisations[afas_env.state.debtors["50000"]["BcCo"]]
    assert new["fields"]["CcNr"] == "12345678" and len(afas_env.state.organisations) == 3


def test_error_sample_reports_every_row_and_sends_no_bad_row(cli, afas_env, tmp_path):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS)

    assert ran.code == 1
    assert (
        ran.out
        == "Import finished: 1 created, 1 failed, 6 invalid, 0 skipped; source rows: klanten.csv 8\n"
    )
    assert sorted(posted_relations(afas_env)) == ["50006", "50007"]
    relations = {
        r["row in file"]: r for r in sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    }
    agreements = {
        r["row in file"]: r
        for r in sheet_rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    }
    assert {n: r["status"] for n, r in relations.items()} == {
        2: "invalid",
        3: "invalid",
        4: "invalid",
        5: "invalid",
        6: "invalid",
        7: "created",
        8: "created",
        9: "invalid",
    }
    assert relations[3]["error"] == "Naam: is empty; a value is required"
    assert relations[4]["error"] == "KvK-datum: '31-02-2024' is not a date written as DD-MM-YYYY"
    assert relations[5]["error"] == "Uren per week: 'zesendertig' is not a whole number such as 42"
    assert relations[2]["error"] == (
        "Klantnummer: '50001' appears more than once (also in row 6); each value must be unique"
    )
    assert relations[9]["error"] == "Zoeknaam: is 19 characters long; at most 10 allowed"
    assert {n: r["status"] for n, r in agreements.items()} == {
        2: "invalid",
        3: "skipped",
        4: "skipped",
        5: "invalid",
        6: "invalid",
        7: "failed",
        8: "created",
        9: "skipped",
    }
    assert agreements[3]["error"] == "parent row 3 invalid"
    assert agreements[5]["error"] == relations[5]["error"]
    assert agreements[7]["status"] == "failed"
    assert agreements[7]["error"] == "Projectgroep 'ONBEKEND' bestaat niet."
    assert len(agreements[7]["profitLogReference"]) == 32
    assert agreements[8]["status"] == "created" and agreements[8]["PrId"]
    assert "row 3 (verkooprelaties): invalid: Naam: is empty" in ran.err


def test_child_of_a_failed_parent_is_skipped_with_the_reason(cli, afas_env, tmp_path):
    afas_env.faults.faults = Faults(script={2: "locked"})  # the second relation is refused

    assert cli("run", FLEX, "--concurrency", "1", "--retries", "0").code == 1

    relations = sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    agreements = sheet_rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert relations[1]["status"] == "failed"
    assert relations[1]["error"].startswith("Het record is vergrendeld")
    assert (agreements[1]["status"], agreements[1]["error"]) == ("skipped", "parent row 3 failed")
    assert len(afas_env.state.projects) == 24


def test_token_is_read_from_a_dotenv_file_and_accepted_as_xml(cli, sandbox, tmp_path):
    xml = f"<token><version>1</version><data>{sandbox.token}</data></token>"
    (tmp_path / ".env").write_text(f"AFAS_BASE_URL={sandbox.base_url}\nAFAS_TOKEN={xml}\n")

    assert cli("run", FLEX, "--out", "out/result.xlsx").code == 0

    assert len(sandbox.state.debtors) == 25
    workbook = openpyxl.load_workbook(tmp_path / "out" / "result.xlsx")
    text = " ".join(str(c.value) for ws in workbook for row in ws.iter_rows() for c in row)
    assert sandbox.token not in text


def test_dry_run_and_validate_send_nothing(cli, afas_env, tmp_path):
    dry = cli("run", FLEX, "--dry-run")
    valid = cli("validate", FLEX)
    invalid = cli("validate", FLEX, "--input", f"klanten={FLEX_ERRORS}")

    assert (dry.code, dry.out) == (
        0,
        "Dry run finished: 25 planned, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )
    assert (valid.code, valid.out) == (
        0,
        "Validation finished: 25 valid, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )
    assert invalid.code == 1
    assert (
        invalid.out
        == "Validation finished: 2 valid, 6 invalid, 0 skipped; source rows: klanten.csv 8\n"
    )
    assert afas_env.state.requests == []
    assert (tmp_path / "flex-validation.xlsx").exists()


def test_render_prints_one_json_line_per_row_with_parent_placeholders(cli):
    ran = cli("render", FLEX)

    lines = [json.loads(line) for line in ran.out.splitlines()]
    assert ran.code == 0
    assert [(x["step"], x["row"]) for x in lines[:2]] == [
        ("verkooprelaties", 2),
        ("verkooprelaties", 3),
    ]
    assert len(lines) == 50
    agreement = lines[25]
    assert agreement["step"] == "klantovereenkomsten"
    assert agreement["body"]["PtProject"]["Element"]["Fields"]["DbId"] == (
        "<DbId of verkooprelaties row 2>"
    )


def test_a_bad_mapping_sends_nothing(cli, afas_env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(FLEX.read_text().replace("type: integer", "type: integr"))
    bad_copy_templates = FLEX.read_text()
    assert "templates: ../templates" in bad_copy_templates

    ran = cli("run", bad)

    assert ran.code == 2
    assert "steps[1].columns.uren_per_week.type: 'integr' is not a type; did you mean" in ran.err
    assert afas_env.state.requests == []


def test_a_missing_column_sends_nothing(cli, afas_env, tmp_path):
    source = tmp_path / "klanten.csv"
    source.write_text("Klantnummer;Naam\n1;A\n", encoding="utf-8")

    ran = cli("run", FLEX, "--input", source)

    assert ran.code == 2
    assert ran.err.startswith(
        "Error: Column 'Statutaire naam' not found in klanten.csv (step verkooprelaties). "
        "Available columns: Klantnummer, Naam."
    )
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", ["run", "validate", "render"])
def test_every_command_has_help(cli, command):
    ran = cli(command, "--help")
    assert ran.code == 0 and "Usage: importer " + command in ran.out


def test_quick_start_command_runs_the_sample_against_the_builtin_sandbox(tmp_path):
    """The README's first command, as a separate process: `importer run ... --sandbox`."""
    done = subprocess.run(
        [sys.executable, "-m", "importer", "run", str(FLEX), "--sandbox"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )

    assert done.returncode == 0, done.stderr
    assert (
        done.stdout
        == "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n"
    )
    relations = sheet_rows(tmp_path / "flex-result.xlsx", "verkooprelaties")
    agreements = sheet_rows(tmp_path / "flex-result.xlsx", "klantovereenkomsten")
    assert all(r["DbId"] for r in relations) and all(a["PrId"] for a in agreements)


CONTRACT = FIXTURES / "contract" / "contract.yaml"


def test_contract_check_catches_what_afas_would_refuse_before_sending(cli, afas_env, tmp_path):
    ran = cli("run", CONTRACT)

    assert ran.code == 1
    assert (
        ran.out
        == "Import finished: 1 created, 0 failed, 2 invalid, 0 skipped; source rows: klanten.csv 3\n"
    )
    rows = {r["row in file"]: r for r in sheet_rows(tmp_path / "contract-result.xlsx", "relaties")}
    assert rows[3]["status"] == rows[4]["status"] == "invalid"
    assert rows[3]["error"] == "Naam: KnOrganisation.Nm is 301 characters, AFAS allows 255"
    assert rows[4]["error"] == (
        "Factuurwijze: KnSalesRelationOrg.InPv is 'Z'; "
        "allowed: A, B, C, D, E, F, M, O, P, Q, R, S, U, V, X, Y"
    )
    assert len(afas_env.state.requests) == 1  # only the valid row went out


def test_an_unknown_field_in_a_template_sends_nothing(cli, afas_env, tmp_path):
    mapping = tmp_path / "typo.yaml"
    mapping.write_text(
        CONTRACT.read_text()
        .replace("relatie.json.j2", "relatie-typo.json.j2")
        .replace("file: klanten.csv", f"file: {CONTRACT.parent / 'klanten.csv'}")
        .replace("templates: templates", f"templates: {CONTRACT.parent / 'templates'}")
    )

    ran = cli("validate", mapping)

    assert ran.code == 1
    assert (
        ran.out
        == "Validation finished: 0 valid, 3 invalid, 0 skipped; source rows: klanten.csv 3\n"
    )
    assert ran.err.splitlines()[:2] == [  # one line per problem, as on the Errors sheet
        "klanten.csv row 2 (relaties): invalid: Naam: KnOrganisation has no field 'Nmm'; "
        "did you mean 'Nm'?",
        "klanten.csv row 2 (relaties): invalid: KnOrganisation.Nm is mandatory and missing",
    ]
    assert afas_env.state.requests == []


def test_production_needs_yes(cli, monkeypatch, tmp_path):
    monkeypatch.setenv("AFAS_BASE_URL", "https://12345.rest.afas.online/ProfitRestServices")
    monkeypatch.setenv("AFAS_TOKEN", "ABC")

    ran = cli("run", FLEX)

    assert ran.code == 2
    assert ran.err == (
        "Error: Refusing to write to the production environment 12345 "
        "(12345.rest.afas.online) without confirmation: run again with --yes\n"
    )


def test_new_writes_a_starting_mapping_that_imports(cli, afas_env, tmp_path):
    made = cli(
        "new", "--connector", "KnSalesRelationOrg", "--input", ROOT / "samples/flex/klanten.csv"
    )

    assert made.code == 0, made.err
    assert made.out.splitlines()[0] == (
        "Wrote mappings/klanten.yaml and mappings/templates/afas/klanten.KnSalesRelationOrg.json.j2"
    )
    assert "  KvK-nummer -> KnOrganisation.CcNr" in made.out
    assert "TODO" in (tmp_path / "mappings" / "klanten.yaml").read_text()
    ran = cli("run", "mappings/klanten.yaml")
    assert (ran.code, ran.out) == (
        0,
        "Import finished: 25 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 25\n",
    )
    again = cli(
        "new", "--connector", "KnSalesRelationOrg", "--input", ROOT / "samples/flex/klanten.csv"
    )
    assert again.code == 2 and "not overwritten" in again.err


def test_validation_report_lists_every_problem_linked_to_its_row(cli, tmp_path):
    ran = cli("validate", FLEX, "--input", FLEX_ERRORS)

    assert ran.code == 1
    workbook = openpyxl.load_workbook(tmp_path / "flex-validation.xlsx")
    errors = workbook["Errors"]
    found = [tuple(c.value for c in row) for row in errors.iter_rows(min_row=2)]
    assert found[0] == (
        "verkooprelaties",
        "klanten.csv",
        2,
        "Klantnummer",
        "50001",
        "invalid",
        "'50001' appears more than once (also in row 6); each value must be unique",
        None,
        None,
        None,
    )
    assert (
        "verkooprelaties",
        "klanten.csv",
        5,
        "Uren per week",
        "zesendertig",
        "invalid",
        "'zesendertig' is not a whole number such as 42",
        None,
        None,
        None,
    ) in found
    assert errors["C2"].hyperlink.location == "'verkooprelaties'!A2"
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row[0]}
    assert summary["Dialect klanten"] == (
        "declared: locale nl; read as: encoding utf-8-sig, delimiter ;"
    )
