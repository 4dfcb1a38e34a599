"""The AFAS sandbox told an environment's code tables (``importer sandbox --codes``), and its
record listing (``/sandbox/records``) behind the same authentication as the connectors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_sandbox_afas import address, line, order, organisation, project, sales_relation

from importer.sandbox import AfasSandbox
from importer.sandbox.afas_store import read_codes
from importer.targets.afas.client import token_header

CODES = """\
project_groups: [ALG, MIJN]
countries: {NL: Nederland, BE: België}
items: ["1000", UREN]
"""


@pytest.fixture
def codes(tmp_path: Path) -> Path:
    path = tmp_path / "codes.yaml"
    path.write_text(CODES, encoding="utf-8")
    return path


def client(box: AfasSandbox) -> httpx.Client:
    headers = {"Authorization": token_header(box.token)}
    return httpx.Client(base_url=box.base_url, headers=headers, timeout=10)


@pytest.fixture
def told(codes: Path) -> Iterator[httpx.Client]:
    with AfasSandbox.start(codes=codes) as box, client(box) as afas:
        yield afas


def refusal(response: httpx.Response) -> str:
    assert response.status_code == 500, response.text
    return str(response.json()["externalMessage"])


def test_afas_own_example_project_group_con_is_known_by_default(sandbox):
    with client(sandbox) as afas:
        assert afas.post("/connectors/PtProject", json=project(PrGp="CON")).status_code == 201


def test_the_project_groups_given_replace_the_sandboxs(told):
    assert told.post("/connectors/PtProject", json=project(PrGp="mijn")).status_code == 201
    said = refusal(told.post("/connectors/PtProject", json=project(PrGp="FLEX")))
    assert said == "Projectgroep 'FLEX' bestaat niet."


def test_countries_given_are_checked_in_addresses(told):
    belgian = organisation([{"KnBasicAddressAdr": {"Element": address(CoId="BE")}}])
    assert told.post("/connectors/KnSalesRelationOrg", json=sales_relation(org=belgian)).is_success

    german = organisation([{"KnBasicAddressAdr": {"Element": address(CoId="DE")}}])
    said = refusal(told.post("/connectors/KnSalesRelationOrg", json=sales_relation("2", german)))
    assert said.startswith("Land 'DE' bestaat niet (")


def test_items_given_are_checked_in_order_lines(told):
    told.post("/connectors/KnSalesRelationOrg", json=sales_relation("10001"))
    assert told.post("/connectors/FbSales", json=order([line(ItCd="uren")])).status_code == 201
    said = refusal(told.post("/connectors/FbSales", json=order([line(ItCd="9999")])))
    assert said.startswith("Item '9999' bestaat niet (")


def test_without_tables_countries_are_profits_own_codes(sandbox):
    with client(sandbox) as afas:
        german = organisation([{"KnBasicAddressAdr": {"Element": address(CoId="D")}}])
        assert afas.post(
            "/connectors/KnSalesRelationOrg", json=sales_relation(org=german)
        ).is_success
        iso = organisation([{"KnBasicAddressAdr": {"Element": address(CoId="DE")}}])
        said = refusal(afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("2", iso)))
        assert said.startswith("Land 'DE' bestaat niet (")
        assert said.endswith("KnBasicAddressAdr.CoId).")


def test_without_tables_a_bank_accounts_country_is_checked_too(sandbox):
    bank = {"Fields": {"CoId": "BE", "Iban": "BE68539007547034", "IbCk": True}}
    with client(sandbox) as afas:
        belgian = organisation([{"KnBankAccount": {"Element": bank}}])
        said = refusal(
            afas.post("/connectors/KnSalesRelationOrg", json=sales_relation(org=belgian))
        )
        assert said.startswith("Land 'BE' bestaat niet (")
        bank["Fields"]["CoId"] = "B"
        assert afas.post(
            "/connectors/KnSalesRelationOrg", json=sales_relation("2", belgian)
        ).is_success


def test_without_tables_items_are_taken_as_sent(sandbox):
    with client(sandbox) as afas:
        afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("10001"))
        assert afas.post("/connectors/FbSales", json=order([line(ItCd="9999")])).is_success


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("project_groups: ALG\n", "project_groups must be a list of codes"),
        ("landen: [NL]\n", "no code table landen; known: project_groups, countries, items"),
        ("- ALG\n", "expected tables such as 'project_groups: [ALG, CON]'"),
        ("a: [\n", "cannot be read as YAML"),
    ],
)
def test_a_codes_file_that_cannot_be_used_says_why(tmp_path, text, error):
    path = tmp_path / "codes.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(error)):
        read_codes(path)


def test_the_sandbox_command_refuses_a_bad_codes_file_and_recras_codes(cli, tmp_path):
    (tmp_path / "codes.yaml").write_text("landen: [NL]\n")

    ran = cli("sandbox", "--port", "0", "--codes", tmp_path / "codes.yaml")
    assert ran.code == 2 and "no code table landen" in ran.err

    ran = cli("sandbox", "--port", "0", "--target", "recras", "--codes", tmp_path / "codes.yaml")
    assert ran.code == 2 and "The Recras sandbox has no codes option" in ran.err


def test_the_record_listing_needs_the_token_and_lists_every_kind(sandbox):
    with httpx.Client(base_url=sandbox.base_url, timeout=10) as anonymous:
        assert anonymous.get("/sandbox/records").status_code == 401
    with client(sandbox) as afas:
        afas.post("/connectors/KnSalesRelationOrg", json=sales_relation("51001"))
        listing = afas.get("/sandbox/records").json()
    assert set(listing) >= {"debtors", "organisations", "persons", "projects", "salesorders"}
    assert [d["DbId"] for d in listing["debtors"]] == ["51001"]
