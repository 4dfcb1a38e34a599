"""Every connector in the seeds: AFAS's example bodies from rows, and their rules end to end."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import openpyxl
import yaml
from conftest import FIXTURES, ROOT, statuses

from importer.mappingfile import load_mapping
from importer.plan import prepare

CONNECTORS = FIXTURES / "connectors"
MAPPINGS = ROOT / "mappings"


def write_mapping(tmp_path: Path, data: dict) -> Path:
    data = {"templates": str(ROOT / "templates"), **data}
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def expected(name: str) -> dict:
    return json.loads((CONNECTORS / f"{name}.json").read_text())


def sheet(path: Path, name: str) -> dict[int, dict]:
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def test_fbsales_example_from_two_grouped_rows(tmp_path):
    path = write_mapping(
        tmp_path,
        {
            "sources": {"regels": {"file": str(CONNECTORS / "fbsales.csv")}},
            "steps": [
                {
                    "name": "orders",
                    "source": "regels",
                    "connector": "FbSales",
                    "template": "afas/FbSales.json.j2",
                    "key": "order",
                    "group_by": "order",
                    "find": {
                        "debiteur": {
                            "connector": "Profit_Debtor",
                            "filter": {"DebtorId": "debiteur"},
                            "ids": {"DbId": "DebtorId"},
                        }
                    },
                    "columns": {
                        "order": {"header": "Order"},
                        "orderdatum": {"header": "Datum", "type": "date"},
                        "debiteur": {"header": "Debiteur"},
                        "administratie": {"header": "Administratie", "type": "integer"},
                        "magazijn": {"header": "Magazijn"},
                        "afleveradres_notitie": {"header": "Notitie"},
                        "soort": {"header": "Soort"},
                        "artikel": {"header": "Artikel"},
                        "omschrijving": {"header": "Omschrijving"},
                        "eenheid": {"header": "Eenheid"},
                        "aantal": {"header": "Aantal", "type": "decimal"},
                        "prijs": {"header": "Prijs", "type": "decimal"},
                    },
                }
            ],
        },
    )
    plan = prepare(load_mapping(path))
    step = plan.result.mapping.steps[0]

    built = plan.build(step, 2, {}, found={"debiteur": {"DbId": "10001"}})
    assert built.problems == []
    body = built.body

    assert body == expected("FbSales")
    assert [o.status for o in plan.result.outcomes["orders"].values()] == ["planned", "planned"]


def test_knorganisation_example_from_a_row(tmp_path):
    path = write_mapping(
        tmp_path,
        {
            "sources": {"organisaties": {"file": str(CONNECTORS / "knorganisation.csv")}},
            "steps": [
                {
                    "name": "organisaties",
                    "source": "organisaties",
                    "connector": "KnOrganisation",
                    "template": "afas/KnOrganisation.json.j2",
                    "key": "nummer",
                    "columns": {
                        "nummer": {"header": "Nummer"},
                        "match_oga": {"value": "0"},
                        "zoeknaam": {"header": "Zoeknaam"},
                        "naam": {"header": "Naam"},
                        "straat": {"header": "Straat"},
                        "huisnummer": {"header": "Huisnummer"},
                        "postcode": {"header": "Postcode", "type": "postcode_nl"},
                        "plaats": {"header": "Plaats"},
                        "postbus": {"header": "Postbus"},
                        "post_postcode": {"header": "Postcode postbus", "type": "postcode_nl"},
                        "post_plaats": {"header": "Plaats postbus"},
                        "rekening": {"header": "Rekening", "type": "bank_account_nl"},
                        "zoek_woonplaats": {"value": False, "type": "boolean"},  # ResZip
                    },
                }
            ],
        },
    )

    outcome = prepare(load_mapping(path)).result.outcomes["organisaties"][2]

    assert outcome.status == "planned", outcome.error
    assert outcome.json() == expected("KnOrganisation")


def test_knperson_example_from_a_row(tmp_path):
    path = write_mapping(
        tmp_path,
        {
            "sources": {"personen": {"file": str(CONNECTORS / "knperson.csv"), "locale": "nl"}},
            "steps": [
                {
                    "name": "personen",
                    "source": "personen",
                    "connector": "KnPerson",
                    "template": "afas/KnPerson.json.j2",
                    "key": "achternaam",
                    "columns": {
                        "match_per": {"value": "6"},
                        "zoeknaam": {"header": "Zoeknaam"},
                        "roepnaam": {"header": "Roepnaam"},
                        "voornaam": {"header": "Voornaam"},
                        "voorletters": {"header": "Voorletters"},
                        "tussenvoegsel": {"header": "Tussenvoegsel"},
                        "achternaam": {"header": "Achternaam"},
                        "geslacht": {"header": "Geslacht"},
                        "geboortedatum": {"header": "Geboortedatum", "type": "date"},
                        "adres": {"header": "Adres"},
                        "straat": {"expr": "(row.adres | split_address).street"},
                        "huisnummer": {"expr": "(row.adres | split_address).number"},
                        "postcode": {"header": "Postcode", "type": "postcode_nl"},
                        "plaats": {"header": "Plaats"},
                        "zoek_woonplaats": {"value": False, "type": "boolean"},  # ResZip
                    },
                }
            ],
        },
    )

    outcome = prepare(load_mapping(path)).result.outcomes["personen"][2]

    assert outcome.status == "planned", outcome.error
    assert outcome.json() == expected("KnPerson")


def orders_by_reference(box) -> dict[str, dict]:
    return {o["fields"].get("RfCs"): o for o in box.state.salesorders.values()}


def test_consecutive_rows_with_the_same_order_number_form_one_order(cli, demo_env, tmp_path):
    ran = cli("run", MAPPINGS / "orders-one-sheet.yaml")

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 8 created, 0 failed, 0 invalid, 0 skipped; source rows: orderregels.csv 8\n",
    )
    orders = orders_by_reference(demo_env)
    assert sorted(orders) == [
        "Inkooporder 4471",
        "Levering Antwerpen",
        "Spoedorder",
        "Voorjaarsbestelling",
    ]
    assert len(orders["Voorjaarsbestelling"]["lines"]) == 3
    assert orders["Inkooporder 4471"]["fields"]["DbId"] == "10001"  # found by VAT number
    rows = sheet(tmp_path / "orders-one-sheet-result.xlsx", "verkooporders")
    assert rows[2]["OrNu"] == rows[3]["OrNu"] != rows[4]["OrNu"]  # one order, two rows
    assert len(demo_env.state.received("FbSales")) == 4


def test_orders_and_lines_sheets_one_request_per_order(cli, demo_env, tmp_path):
    ran = cli("run", MAPPINGS / "orders.yaml")

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 13 created, 0 failed, 0 invalid, 0 skipped; source rows: orders.csv 5, orderregels.csv 8\n",
    )
    orders = orders_by_reference(demo_env)
    assert len(orders) == 5
    assert orders["Overname offerte"]["fields"]["SoQu"] == "OF-2024-017"  # no lines, a quotation
    lines = [line["fields"] for line in orders["Voorjaarsbestelling"]["lines"]]
    assert [(x["ItCd"], x["QuUn"], x.get("Upri"), x.get("PRDc")) for x in lines] == [
        ("2040", "24", "18.95", "5"),
        ("2041", "12", "16.50", "5"),
        ("T", "1", None, None),
    ]
    assert orders["Levering Antwerpen"]["lines"][0]["fields"]["Upri"] == "1249.00"


def test_an_order_without_lines_and_a_bad_line_are_invalid_and_point_at_the_line(
    cli, demo_env, tmp_path
):
    orders = tmp_path / "orders.csv"
    lines = tmp_path / "regels.csv"
    orders.write_text(
        (ROOT / "samples/orders/orders.csv")
        .read_text(encoding="utf-8-sig")
        .replace("OF-2024-017", ""),
        encoding="utf-8",
    )
    lines.write_text(
        (ROOT / "samples/orders/orderregels.csv")
        .read_text(encoding="utf-8-sig")
        .replace(";24;18,95;5", ";24;18.95;5")
        + "V2099-999;2;1;Weesregel;STK;1;1,00;\r\n",
        encoding="utf-8",
    )

    ran = cli(
        "run", MAPPINGS / "orders.yaml", "--input", f"orders={orders}", "--input", f"regels={lines}"
    )

    assert ran.code == 1
    results = sheet(tmp_path / "orders-result.xlsx", "verkooporders")
    assert results[5]["status"] == "invalid"
    assert results[5]["error"] == (
        "an order needs at least one line, or a quotation (Offerte) to take over"
    )
    assert results[3]["status"] == "invalid"
    assert results[3]["error"] == (
        "regels.csv, row 4, column 'Prijs': '18.95' is not a number "
        "with a decimal comma, such as 1.234,56"
    )
    lines = sheet(tmp_path / "orders-result.xlsx", "verkooporders lines")
    assert lines[4]["status"] == "invalid" and lines[4]["error"].startswith("Prijs: '18.95'")
    assert lines[10]["error"] == (
        "Ordernummer: 'V2099-999' matches no row of step verkooporders "
        "(column 'Ordernummer' of orders.csv)"
    )
    sent = {o["fields"].get("RfCs") for o in demo_env.state.salesorders.values()}
    assert sent == {"Inkooporder 4471", "Levering Antwerpen", "Spoedorder"}
    assert "Voorjaarsbestelling" not in sent


def test_organisations_po_box_bank_account_padding_and_contacts(cli, afas_env, tmp_path):
    ran = cli("run", MAPPINGS / "organisations.yaml")

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 8 created, 0 failed, 0 invalid, 0 skipped; source rows: organisaties.csv 4, contactpersonen.csv 4\n",
    )
    by_kvk = {
        o["fields"]["CcNr"]: o
        for o in afas_env.state.organisations.values()
        if o["fields"].get("CcNr")
    }
    visser = by_kvk["24187903"]
    postal = visser["objects"]["KnBasicAddressPad"][0]["fields"]
    assert (postal["PbAd"], postal["HmNr"], postal["ZpCd"]) == (True, "5301", "3008AH")
    assert visser["fields"]["PadAdr"] is False
    assert visser["objects"]["KnBankAccount"][0]["fields"]["BaAc"] == "0417164300"
    assert (
        by_kvk["30145872"]["objects"]["KnBankAccount"][0]["fields"]["Iban"] == "NL91ABNA0417164300"
    )
    assert len(by_kvk["30145872"]["objects"]["KnContact"]) == 2
    assert len(afas_env.state.persons) == 4  # the contact persons


def test_contacts_of_each_kind_a_person_a_delivery_address_and_a_department(
    cli, afas_env, tmp_path
):
    data = yaml.safe_load((MAPPINGS / "organisations.yaml").read_text(encoding="utf-8"))
    data["templates"] = str(ROOT / "templates")
    data["sources"]["organisaties"]["file"] = str(ROOT / "samples/organisations/organisaties.csv")
    contacts = tmp_path / "contactpersonen.csv"
    contacts.write_text(
        "KvK-nummer;Soort;Omschrijving;Voornaam;Achternaam;Straat;Huisnummer;Postcode;Plaats\n"
        "30145872;PRS;;Marieke;Graaf;;;;\n"
        "30145872;afl;Magazijn;;;Industrieweg;7;3542 AD;Utrecht\n"
        "30145872;AFD;Inkoop;;;;;;\n",
        encoding="utf-8",
    )
    data["sources"]["contactpersonen"]["file"] = str(contacts)
    lines = data["steps"][0]["lines"]["columns"]
    lines["soort_contact"] = {"header": "Soort", "allowed": ["PRS", "AFL", "AFD"], "case": "upper"}
    lines["achternaam"] = {"header": "Achternaam"}
    for name, header in (("omschrijving", "Omschrijving"), ("straat", "Straat")):
        lines[name] = {"header": header}
    lines["huisnummer"] = {"header": "Huisnummer", "type": "integer"}
    lines["postcode"] = {"header": "Postcode", "type": "postcode_nl"}
    lines["plaats"] = {"header": "Plaats"}
    for name in ("tussenvoegsel", "geslacht", "email", "telefoon", "functie"):
        del lines[name]
    mapping = tmp_path / "organisations.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    degraaf = next(
        o for o in afas_env.state.organisations.values() if o["fields"].get("CcNr") == "30145872"
    )
    person, delivery, department = degraaf["objects"]["KnContact"]
    assert person["fields"]["ViKc"] == "PRS" and "person" in person
    assert afas_env.state.persons[person["person"]]["fields"]["LaNm"] == "Graaf"
    assert (delivery["fields"]["ViKc"], delivery["fields"]["ExAd"]) == ("AFL", "Magazijn")
    assert "person" not in delivery and "person" not in department
    address = delivery["objects"]["KnBasicAddressAdr"][0]["fields"]
    assert (address["Ad"], address["HmNr"], address["ZpCd"]) == ("Industrieweg", "7", "3542AD")
    assert department["fields"] == {"PadAdr": True, "ViKc": "AFD", "ExAd": "Inkoop"}
    assert len(afas_env.state.persons) == 1


def test_matchoga_updates_the_organisation_with_the_same_kvk_number(cli, afas_env):
    assert cli("run", MAPPINGS / "organisations.yaml").code == 0
    organisations = len(afas_env.state.organisations)

    again = cli("run", MAPPINGS / "organisations.yaml", "--fresh")

    assert again.code == 0
    assert len(afas_env.state.organisations) == organisations  # updated, not created twice
    kvk = Counter(o["fields"].get("CcNr") for o in afas_env.state.organisations.values())
    assert kvk["30145872"] == 1


def test_matchper_updates_the_person_with_the_same_name_and_birth_date(cli, afas_env):
    assert cli("run", MAPPINGS / "persons.yaml").code == 0
    assert cli("run", MAPPINGS / "persons.yaml", "--fresh").code == 0

    assert len(afas_env.state.persons) == 4
    jan = next(p for p in afas_env.state.persons.values() if p["fields"]["LaNm"] == "Jansen")
    assert (jan["fields"]["SoSe"], jan["fields"]["DaBi"]) == ("111222333", "1967-04-07")
    assert jan["objects"]["KnBankAccount"][0]["fields"]["Iban"] == "NL91ABNA0417164300"


def test_a_move_is_sent_with_the_date_the_new_address_applies_from(cli, afas_env, tmp_path):
    source = tmp_path / "organisaties.csv"
    original = (ROOT / "samples/organisations/organisaties.csv").read_text(encoding="utf-8-sig")
    source.write_text(original, encoding="utf-8")
    contacts = ROOT / "samples/organisations/contactpersonen.csv"
    inputs = ("--input", f"organisaties={source}", "--input", f"contactpersonen={contacts}")
    assert cli("run", MAPPINGS / "organisations.yaml", *inputs).code == 0
    source.write_text(original.replace("Oudegracht;118", "Vredenburg;40"), encoding="utf-8")

    ran = cli("run", MAPPINGS / "organisations.yaml", *inputs)

    assert ran.code == 0, ran.err
    assert (
        ran.out
        == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 3 updated, 5 already done; source rows: organisaties.csv 4, contactpersonen.csv 4\n"
    )
    put = next(r["body"] for r in afas_env.state.requests if r["method"] == "PUT")
    element = put["KnOrganisation"]["Element"]
    number = element["Fields"]["BcCo"]
    assert element["Fields"] == {"MatchOga": "0", "BcCo": number}  # the keys; no field changed
    [moved] = element["Objects"]  # only the address changed: not the bank account or contacts
    address = moved["KnBasicAddressAdr"]["Element"]["Fields"]
    assert (address["Ad"], address["HmNr"], address["ZpCd"]) == ("Vredenburg", "40", "3511AX")
    assert address["BeginDate"] == dt.date.today().isoformat()  # no Verhuisdatum: today
    assert (
        afas_env.state.organisations[number]["objects"]["KnBasicAddressAdr"][-1]["fields"]["Ad"]
        == "Vredenburg"
    )
    row = 1 + next(i for i, line in enumerate(original.splitlines()) if "Oudegracht;118" in line)
    found = statuses(tmp_path / "organisations-result.xlsx", "organisaties")
    assert found[row] == "updated"
    assert {s for n, s in found.items() if n != row} == {"created"}  # done in the first run


def persons_variant(tmp_path: Path, source: Path) -> Path:
    """persons.yaml updating changed rows, with a move date and an employee code per person."""
    data = yaml.safe_load((MAPPINGS / "persons.yaml").read_text(encoding="utf-8"))
    data["templates"] = str(ROOT / "templates")
    data["sources"]["personen"]["file"] = str(source)
    step = data["steps"][0]
    step["on_change"] = "update"
    step["columns"]["verhuisdatum"] = {"header": "Verhuisdatum", "type": "date"}
    step["columns"]["medewerkercode"] = {"header": "Medewerkercode", "max_length": 15}
    path = tmp_path / "persons.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_person_who_moves_is_updated_with_the_address_from_the_move_date(cli, afas_env, tmp_path):
    original = (ROOT / "samples/persons/personen.csv").read_text(encoding="utf-8-sig")
    header, *rows = original.splitlines()
    source = tmp_path / "personen.csv"

    def write(rows: list[str]) -> None:
        lines = [header + ";Verhuisdatum;Medewerkercode", *rows]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    write([row + ";;" + ("JANSENJ" if row.startswith("P001") else "") for row in rows])
    mapping = persons_variant(tmp_path, source)
    assert cli("run", mapping).code == 0
    jan = next(p for p in afas_env.state.persons.values() if p["fields"]["LaNm"] == "Jansen")
    assert jan["fields"]["EmId"] == "JANSENJ"  # seed 003's medewerkercode, accepted
    moved = [
        row.replace("Raadhuislaan 105;3833 LC;Leusden", "Stationsplein 3;3511 ED;Utrecht")
        + ";01-07-2024;JANSENJ"
        if row.startswith("P001")
        else row.replace("Dijk;", "Dijk-Smit;") + ";;"
        if row.startswith("P002")
        else row + ";;"
        for row in rows
    ]
    write(moved)

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    assert ", 2 updated, 2 already done; source rows: personen.csv 4\n" in ran.out
    puts = {
        r["body"]["KnPerson"]["Element"]["Fields"]["BcCo"]: r["body"]["KnPerson"]["Element"]
        for r in afas_env.state.requests
        if r["method"] == "PUT"
    }
    address = puts[jan["BcCo"]]["Objects"][0]["KnBasicAddressAdr"]["Element"]["Fields"]
    assert (address["Ad"], address["HmNr"], address["ZpCd"], address["Rs"]) == (
        "Stationsplein",
        "3",
        "3511ED",
        "Utrecht",
    )
    assert address["BeginDate"] == "2024-07-01"  # the Verhuisdatum column
    anouk = next(e for number, e in puts.items() if number != jan["BcCo"])
    assert "Objects" not in anouk  # a new name is no move: the address is not sent again
    held = afas_env.state.persons[jan["BcCo"]]["objects"]["KnBasicAddressAdr"]
    assert [a["fields"]["Ad"] for a in held] == ["Raadhuislaan", "Stationsplein"]
    assert held[-1]["fields"]["BeginDate"] == "2024-07-01"
    found = statuses(tmp_path / "persons-result.xlsx", "personen")
    changed = [n for n, row in enumerate(rows, start=2) if row.startswith(("P001", "P002"))]
    assert [found[n] for n in changed] == ["updated", "updated"]


def test_the_sandbox_refuses_a_move_without_its_date(afas_env):
    import httpx

    from importer.targets.afas.client import token_header

    body = {
        "KnOrganisation": {
            "Element": {
                "Fields": {"PadAdr": True, "AutoNum": True, "MatchOga": "6", "Nm": "X"},
                "Objects": [
                    {
                        "KnBasicAddressAdr": {
                            "Element": {
                                "Fields": {
                                    "CoId": "NL",
                                    "PbAd": False,
                                    "Ad": "A",
                                    "HmNr": "1",
                                    "ZpCd": "1234AB",
                                    "Rs": "B",
                                    "ResZip": False,
                                }
                            }
                        }
                    }
                ],
            }
        }
    }
    headers = {"Authorization": token_header(afas_env.token)}
    created = httpx.post(
        f"{afas_env.base_url}/connectors/KnOrganisation", json=body, headers=headers
    )
    number = created.json()["results"]["KnOrganisation"]["BcCo"]
    move = {
        "KnOrganisation": {
            "Element": {
                "Fields": {"MatchOga": "0", "BcCo": number},
                "Objects": [
                    {
                        "KnBasicAddressAdr": {
                            "Element": {
                                "Fields": {
                                    "CoId": "NL",
                                    "PbAd": False,
                                    "Ad": "C",
                                    "HmNr": "2",
                                    "ZpCd": "1234AB",
                                    "Rs": "B",
                                    "ResZip": False,
                                }
                            }
                        }
                    }
                ],
            }
        }
    }

    refused = httpx.put(
        f"{afas_env.base_url}/connectors/KnOrganisation", json=move, headers=headers
    )
    move["KnOrganisation"]["Element"]["Objects"][0]["KnBasicAddressAdr"]["Element"]["Fields"][
        "BeginDate"
    ] = "2024-05-01"
    accepted = httpx.put(
        f"{afas_env.base_url}/connectors/KnOrganisation", json=move, headers=headers
    )

    assert refused.status_code == 500 and "BeginDate" in refused.json()["externalMessage"]
    assert accepted.status_code == 200


def test_the_full_migration_creates_every_record_once_in_dependency_order(cli, afas_env, tmp_path):
    ran = cli("run", MAPPINGS / "migration.yaml")

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 19 created, 0 failed, 0 invalid, 0 skipped; source rows: migratie.xlsx (sheet Organisaties) 4, migratie.xlsx (sheet Verkooprelaties) 4, migratie.xlsx (sheet Klantovereenkomsten) 4, migratie.xlsx (sheet Orders) 3, migratie.xlsx (sheet Orderregels) 4\n",
    )
    state = afas_env.state
    assert (
        len(state.organisations),
        len(state.debtors),
        len(state.projects),
        len(state.salesorders),
    ) == (4, 4, 4, 3)
    for debtor in state.debtors.values():
        assert debtor["BcCo"] in state.organisations
    # each request after the one that created what it refers to: a relation after its
    # organisation (BcCo), an agreement or an order after its relation (DbId)
    sent = [json.dumps(r["body"]) for r in state.requests]
    for db_id, debtor in state.debtors.items():
        relation = next(
            i for i, r in enumerate(state.requests)
            if r["connector"] == "KnSalesRelationOrg" and debtor["BcCo"] in sent[i]
        )  # fmt: skip
        children = [
            i for i, r in enumerate(state.requests)
            if r["connector"] in ("PtProject", "FbSales") and f'"{db_id}"' in sent[i]
        ]  # fmt: skip
        assert children and all(relation < i for i in children), (db_id, relation, children)
        name = state.organisations[debtor["BcCo"]]["fields"]["Nm"]
        organisation = next(
            i for i, r in enumerate(state.requests)
            if r["connector"] == "KnOrganisation" and json.dumps(name) in sent[i]
        )  # fmt: skip
        assert organisation < relation, (db_id, organisation, relation)
    workbook = tmp_path / "migration-result.xlsx"
    assert all(r["BcCo"] for r in sheet(workbook, "organisaties").values())
    assert all(r["DbId"] for r in sheet(workbook, "verkooprelaties").values())
    assert all(r["PrId"] for r in sheet(workbook, "klantovereenkomsten").values())
    assert all(r["OrNu"] for r in sheet(workbook, "verkooporders").values())
    again = cli("run", MAPPINGS / "migration.yaml")
    assert (
        again.out
        == "Import finished: 0 created, 0 failed, 0 invalid, 0 skipped, 19 already done; source rows: "
        "migratie.xlsx (sheet Organisaties) 4, migratie.xlsx (sheet Verkooprelaties) 4, "
        "migratie.xlsx (sheet Klantovereenkomsten) 4, migratie.xlsx (sheet Orders) 3, "
        "migratie.xlsx (sheet Orderregels) 4\n"
    )


def test_a_parent_not_in_the_file_is_looked_up_in_afas(cli, demo_env, tmp_path):
    templates = tmp_path / "templates"
    (templates / "afas").mkdir(parents=True)
    (templates / "afas" / "FbSales.json.j2").write_text(
        (ROOT / "templates/afas/FbSales.json.j2").read_text()
    )
    (templates / "afas" / "relatie.json.j2").write_text(
        '{"KnSalesRelationOrg": {"Element": {"@DbId": {{ row.nr }}, "Fields": {"CuId": "EUR"}, '
        '"Objects": [{"KnOrganisation": {"Element": {"Fields": {"PadAdr": true, "AutoNum": true, '
        '"MatchOga": "6", "Nm": {{ row.naam }}}}}}]}}}'
    )
    (tmp_path / "relaties.csv").write_text("Nr;Naam\n20001;Nieuwe Klant\n", encoding="utf-8")
    (tmp_path / "orders.csv").write_text(
        "Order;Debiteur;Datum;Artikel\nA1;20001;2024-05-01;1000\nA2;10001;2024-05-02;1000\n"
        "A3;99999;2024-05-03;1000\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        yaml.safe_dump(
            {
                "templates": str(templates),
                "sources": {"relaties": {"file": "relaties.csv"}, "orders": {"file": "orders.csv"}},
                "steps": [
                    {
                        "name": "relaties",
                        "source": "relaties",
                        "connector": "KnSalesRelationOrg",
                        "template": "afas/relatie.json.j2",
                        "key": "nr",
                        "keep": ["DbId"],
                        "columns": {"nr": {"header": "Nr"}, "naam": {"header": "Naam"}},
                    },
                    {
                        "name": "orders",
                        "source": "orders",
                        "connector": "FbSales",
                        "template": "afas/FbSales.json.j2",
                        "key": "order",
                        "group_by": "order",
                        "keep": ["OrNu"],
                        "parent": {
                            "step": "relaties",
                            "key": "debiteur",
                            "lookup": {
                                "connector": "Profit_Debtor",
                                "filter": {"DebtorId": "debiteur"},
                                "ids": {"DbId": "DebtorId"},
                            },
                        },
                        "columns": {
                            "order": {"header": "Order"},
                            "debiteur": {"header": "Debiteur"},
                            "orderdatum": {"header": "Datum", "type": "date"},
                            "artikel": {"header": "Artikel"},
                            "soort": {"value": "2"},
                            "aantal": {"value": "1"},
                            "eenheid": {"value": "STK"},
                        },
                    },
                ],
            }
        )
    )

    ran = cli("run", mapping)

    rows = sheet(tmp_path / "m-result.xlsx", "orders")
    assert [rows[n]["status"] for n in (2, 3, 4)] == ["created", "created", "failed"]
    assert rows[4]["error"] == (
        "'99999' is not in this run's file, and no record found in Profit_Debtor (DebtorId '99999')"
    )
    debtors = sorted(o["fields"]["DbId"] for o in demo_env.state.salesorders.values())
    assert debtors == ["10001", "20001"]
    assert ran.code == 1


def test_a_record_to_find_that_is_not_there_fails_the_row(cli, demo_env, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text(
        (ROOT / "samples/orders/orders.csv")
        .read_text(encoding="utf-8-sig")
        .replace("BE0403170701", "NL123456782B01"),
        encoding="utf-8",
    )

    ran = cli("run", MAPPINGS / "orders.yaml", "--input", f"orders={orders}")

    rows = sheet(tmp_path / "orders-result.xlsx", "verkooporders")
    assert rows[4]["status"] == "failed"
    assert rows[4]["error"] == "no record found in Profit_Debtor (VatNr 'NL123456782B01')"
    assert ran.code == 1 and len(demo_env.state.salesorders) == 4
