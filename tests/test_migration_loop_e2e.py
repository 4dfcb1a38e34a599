"""The migration loop end to end: load, then update, upsert, delete and clear, each row's
status in the workbook checked against what the sandbox holds (over real HTTP, with a real
journal)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import yaml
from conftest import ROOT, statuses

from importer.sandbox import Faults

MAPPINGS = ROOT / "mappings"
SAMPLES = ROOT / "samples"


def orders_by_reference(box) -> dict[str, dict]:
    return {o["fields"].get("RfCs"): o for o in box.state.salesorders.values()}


def column(book: Path, sheet: str, title: str) -> dict[int, object]:
    """One column of a result sheet, by row number."""
    rows = list(openpyxl.load_workbook(book)[sheet].iter_rows(values_only=True))
    at = rows[0].index(title)
    return {r[0]: r[at] for r in rows[1:]}


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def mapping(tmp_path: Path, name: str, data: dict) -> Path:
    data = {"version": 1, "target": "afas", "templates": str(ROOT / "templates"), **data}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def load_orders(cli, tmp_path: Path) -> Path:
    """The shipped orders mapping, copied with its sheets (so they can be changed), and run."""
    for name in ("orders.csv", "orderregels.csv"):
        shutil.copy(SAMPLES / "orders" / name, tmp_path / name)
    data = yaml.safe_load((MAPPINGS / "orders.yaml").read_text())
    data["templates"] = str(ROOT / "templates")
    data["sources"]["orders"]["file"] = str(tmp_path / "orders.csv")
    data["sources"]["regels"]["file"] = str(tmp_path / "orderregels.csv")
    path = tmp_path / "orders.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    ran = cli("run", path)
    assert ran.code == 0, ran.err
    return path


def order_update_step(**extra) -> dict:
    return {
        "name": "wijzigingen",
        "source": "wijzigingen",
        "connector": "FbSales",
        "template": "afas/FbSales.json.j2",
        "key": "referentie",
        "action": "update",
        "ids": {"OrNu": "ordernummer"},
        "columns": {
            "ordernummer": {"header": "Ordernummer"},
            "referentie": {"header": "Referentie", "required": True},
            **extra,
        },
    }


def order_actions_step(line_action: dict) -> dict:
    """Orders whose Actie column says what to do, with lines saying what to do with each."""
    return {
        "name": "orders",
        "source": "acties",
        "connector": "FbSales",
        "template": "afas/FbSales.json.j2",
        "key": "ordernummer",
        "action": {"column": "Actie"},
        "ids": {"OrNu": "ordernummer"},
        "columns": {"ordernummer": {"header": "Ordernummer"}},
        "lines": {
            "source": "regels",
            "key": "ordernummer",
            "columns": {
                "ordernummer": {"header": "Ordernummer"},
                "artikel": {"header": "Artikel"},
                "regelactie": {"header": "Regelactie", **line_action},
            },
        },
    }


def recras_mapping(tmp_path: Path, sheet: Path, change=lambda step: None) -> Path:
    """The shipped Recras mapping (one sheet), reading ``sheet``, its step changed."""
    data = yaml.safe_load((MAPPINGS / "recras-klanten-simple.yaml").read_text())
    data["templates"] = str(ROOT / "templates")
    data["sources"]["klanten"]["file"] = str(sheet)
    change(data["steps"][0])
    path = tmp_path / "klanten.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def test_an_update_sheet_changes_existing_orders_by_their_keys_and_sends_only_its_fields(
    cli, demo_env, tmp_path
):
    load_orders(cli, tmp_path)
    orders = orders_by_reference(demo_env)
    first, second = orders["Inkooporder 4471"]["OrNu"], orders["Voorjaarsbestelling"]["OrNu"]
    # an order taken over from a quotation went without lines, not with an empty list
    (quotation,) = [b for b in demo_env.state.received("FbSales", "POST") if "SoQu" in str(b)]
    assert "Objects" not in quotation["FbSales"]["Element"]
    sheet = write(
        tmp_path / "wijzigingen.csv",
        "Ordernummer;Referentie;Magazijn\n"
        f"{first};Inkooporder 4471-B;\n"
        f"{second};Voorjaar 2024;03\n"
        "99999999;Bestaat niet;\n"
        ";Zonder nummer;\n",
    )
    path = mapping(
        tmp_path,
        "wijzigingen",
        {
            "sources": {"wijzigingen": {"file": str(sheet), "locale": "nl"}},
            "steps": [order_update_step(magazijn={"header": "Magazijn"})],
        },
    )

    ran = cli("run", path)

    assert ran.code == 1
    puts = demo_env.state.received("FbSales", "PUT")  # (sent four at a time: in any order)
    by_number = {b["FbSales"]["Element"]["Fields"]["OrNu"]: b for b in puts}
    # the key, and only what the sheet gives (no lines, no debtor)
    assert by_number[first] == {
        "FbSales": {"Element": {"Fields": {"OrNu": first, "RfCs": "Inkooporder 4471-B"}}}
    }
    assert by_number[second] == {
        "FbSales": {"Element": {"Fields": {"OrNu": second, "RfCs": "Voorjaar 2024", "War": "03"}}}
    }
    assert len(puts) == 3  # the unknown order was sent, and refused; the row without none
    held = demo_env.state.salesorders
    assert held[first]["fields"]["RfCs"] == "Inkooporder 4471-B"
    assert (held[second]["fields"]["RfCs"], held[second]["fields"]["War"]) == (
        "Voorjaar 2024",
        "03",
    )
    assert len(held[second]["lines"]) == 3  # an update of the header leaves the lines be
    book = tmp_path / "wijzigingen-result.xlsx"
    assert statuses(book, "wijzigingen") == {2: "updated", 3: "updated", 4: "failed", 5: "skipped"}
    assert column(book, "wijzigingen", "sent") == {
        2: "update: RfCs",
        3: "update: RfCs, War",
        4: "update: RfCs",
        5: None,
    }

    again = cli("run", path)  # done rows are not sent again; the failed one is tried again

    assert again.code == 1
    assert len(demo_env.state.received("FbSales", "PUT")) == 4
    assert statuses(book, "wijzigingen") == {2: "updated", 3: "updated", 4: "failed", 5: "skipped"}


def test_a_cleared_column_empties_the_field_and_a_blank_one_leaves_it(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    first = orders_by_reference(demo_env)["Inkooporder 4471"]["OrNu"]
    sheet = write(
        tmp_path / "wijzigingen.csv", f"Ordernummer;Referentie;Magazijn\n{first};Nieuw;\n"
    )
    path = mapping(
        tmp_path,
        "wijzigingen",
        {
            "sources": {"wijzigingen": {"file": str(sheet), "locale": "nl"}},
            "steps": [order_update_step(magazijn={"header": "Magazijn", "clear_when_empty": True})],
        },
    )
    assert demo_env.state.salesorders[first]["fields"]["War"] == "01"

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    assert demo_env.state.received("FbSales", "PUT") == [
        {"FbSales": {"Element": {"Fields": {"OrNu": first, "RfCs": "Nieuw", "War": ""}}}}
    ]
    assert demo_env.state.salesorders[first]["fields"].get("War") in ("", None)
    assert demo_env.state.salesorders[first]["fields"]["OrDa"]  # nothing else was emptied


def test_a_sheet_of_actions_deletes_orders_and_order_lines(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    orders = orders_by_reference(demo_env)
    gone, kept = orders["Levering Antwerpen"]["OrNu"], orders["Voorjaarsbestelling"]["OrNu"]
    items = [line["fields"]["ItCd"] for line in orders["Voorjaarsbestelling"]["lines"]]
    acties = write(
        tmp_path / "acties.csv",
        f"Ordernummer;Actie\n{gone};Verwijder\n{kept};wijzig\n12345;onzin\n",
    )
    regels = write(
        tmp_path / "regelacties.csv", f"Ordernummer;Artikel;Regelactie\n{kept};2041;verwijder\n"
    )
    path = mapping(
        tmp_path,
        "acties",
        {
            "sources": {
                "acties": {"file": str(acties), "locale": "nl"},
                "regels": {"file": str(regels), "locale": "nl"},
            },
            "steps": [order_actions_step({"map": {"verwijder": "delete", "wijzig": "update"}})],
        },
    )

    refused = cli("run", path)  # deleting asks first, as production does
    assert refused.code == 2 and "--yes" in refused.err
    assert demo_env.state.paths("DELETE") == []

    ran = cli("run", path, "--yes")

    assert ran.code == 1  # the row whose action is no action is invalid
    assert demo_env.state.paths("DELETE") == [
        f"/ProfitRestServices/connectors/FbSales/FbSales/@OrNu/{gone}"
    ]
    assert gone not in demo_env.state.salesorders
    assert [d["key"] for d in demo_env.state.deleted] == [gone]
    (put,) = demo_env.state.received("FbSales", "PUT")
    assert put["FbSales"]["Element"]["Objects"] == [
        {"FbSalesLines": {"Element": [{"Fields": {"@Action": "delete", "ItCd": "2041"}}]}}
    ]
    left = [line["fields"]["ItCd"] for line in demo_env.state.salesorders[kept]["lines"]]
    assert left == [i for i in items if i != "2041"]
    book = tmp_path / "acties-result.xlsx"
    assert statuses(book, "orders") == {2: "deleted", 3: "updated", 4: "invalid"}
    assert column(book, "orders", "sent") == {
        2: "delete",
        3: "update: ItCd; 1 nested deleted (lines)",
        4: None,
    }

    again = cli("run", path)  # nothing is deleted or changed twice: nothing to confirm

    assert again.code == 1, again.err
    assert len(demo_env.state.paths("DELETE")) == 1
    assert len(demo_env.state.received("FbSales", "PUT")) == 1
    assert statuses(book, "orders") == {2: "deleted", 3: "updated", 4: "invalid"}


def test_an_order_lines_change_without_an_action_is_refused_not_sent_twice(cli, demo_env, tmp_path):
    path = load_orders(cli, tmp_path)
    data = yaml.safe_load(path.read_text())
    data["steps"][0]["on_change"] = "update"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    lines = tmp_path / "orderregels.csv"
    lines.write_text(lines.read_text(encoding="utf-8-sig").replace(";24;", ";25;"), "utf-8")

    ran = cli("run", path)

    assert ran.code == 1
    assert demo_env.state.received("FbSales", "PUT") == []  # AFAS would add the lines again
    book = tmp_path / "orders-result.xlsx"
    assert statuses(book, "verkooporders")[3] == "invalid"


def test_an_upsert_sheet_updates_the_orders_it_finds_and_inserts_the_others(
    cli, demo_env, tmp_path
):
    path = load_orders(cli, tmp_path)
    data = yaml.safe_load(path.read_text())
    data["steps"][0]["action"] = "upsert"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    orders = tmp_path / "orders.csv"
    text = orders.read_text(encoding="utf-8-sig")
    text = text.replace("Inkooporder 4471;01;", "Inkooporder 4471;03;")
    text += "V2024-006;07-03-2024;NL004495445B01;Najaarsbestelling;01;\n"
    orders.write_text(text, encoding="utf-8")
    lines = tmp_path / "orderregels.csv"
    lines.write_text(
        lines.read_text(encoding="utf-8-sig") + "V2024-006;2;2040;Koffie;STK;6;18,95;\n", "utf-8"
    )
    first = orders_by_reference(demo_env)["Inkooporder 4471"]["OrNu"]
    posted = len(demo_env.state.received("FbSales", "POST"))

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    assert demo_env.state.received("FbSales", "PUT") == [
        {"FbSales": {"Element": {"Fields": {"OrNu": first, "War": "03"}}}}
    ]
    assert len(demo_env.state.received("FbSales", "POST")) == posted + 1
    held = orders_by_reference(demo_env)
    assert held["Inkooporder 4471"]["fields"]["War"] == "03"
    assert [line["fields"]["ItCd"] for line in held["Najaarsbestelling"]["lines"]] == ["2040"]
    found = statuses(tmp_path / "orders-result.xlsx", "verkooporders")
    assert (found[2], found[7]) == ("updated", "created")
    assert len(held) == 6  # nothing twice


def test_an_action_column_updates_sales_relations_with_only_what_changed(cli, demo_env, tmp_path):
    klanten = tmp_path / "klanten.csv"
    text = (SAMPLES / "flex" / "klanten.csv").read_text(encoding="utf-8-sig")
    head, *rows = text.splitlines()
    klanten.write_text("\n".join([head + ";Actie", *(r + ";nieuw" for r in rows)]) + "\n")
    data = yaml.safe_load((MAPPINGS / "flex.yaml").read_text())
    data["templates"] = str(ROOT / "templates")
    data["sources"]["klanten"]["file"] = str(klanten)
    for step in data["steps"]:
        step["action"] = {"column": "Actie"}
    data["steps"][0]["ids"] = {"DbId": "klantnummer"}
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert cli("run", path).code == 0
    number = rows[0].split(";")[0]
    name = rows[0].split(";")[1]
    moved = rows[0].replace(f";{name};", ";Nieuwe Naam B.V.;", 1).removesuffix(";36") + ";32"
    changed = [moved + ";wijzig"]
    klanten.write_text("\n".join([head + ";Actie", *changed, *(r + ";nieuw" for r in rows[1:])]))

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    (put,) = demo_env.state.received("KnSalesRelationOrg", "PUT")
    element = put["KnSalesRelationOrg"]["Element"]
    assert element["@DbId"] == number
    (organisation,) = element["Objects"]
    fields = organisation["KnOrganisation"]["Element"]["Fields"]
    assert fields["Nm"] == "Nieuwe Naam B.V." and fields["MatchOga"] == "0"
    assert set(fields) == {"MatchOga", "BcCo", "Nm"}
    bcco = demo_env.state.debtors[number]["BcCo"]
    assert demo_env.state.organisations[bcco]["fields"]["Nm"] == "Nieuwe Naam B.V."
    (project,) = demo_env.state.received("PtProject", "PUT")  # the agreement: its hours
    (agreement,) = [p for p in demo_env.state.projects.values() if p["fields"]["DbId"] == number]
    assert project == {
        "PtProject": {"Element": {"Fields": {"PrId": agreement["PrId"], "HrWe": 32}}}
    }
    assert agreement["fields"]["HrWe"] in (32, "32")
    for step in ("verkooprelaties", "klantovereenkomsten"):
        found = statuses(tmp_path / "flex-result.xlsx", step)
        assert found[2] == "updated" and set(list(found.values())[1:]) == {"created"}


def test_a_delete_step_for_recras_is_refused_before_anything_is_sent(cli, recras_env, tmp_path):
    sheet = SAMPLES / "recras/klanten-met-hoofdcontact.csv"
    path = recras_mapping(tmp_path, sheet, lambda step: step.update(action="delete"))

    ran = cli("run", path, "--yes")

    assert ran.code == 2
    assert "Recras cannot delete klanten records through its API" in ran.err
    assert "steps[0].action" in ran.err
    assert recras_env.state.requests == []


def test_a_row_asking_recras_to_delete_is_invalid_and_the_others_go(cli, recras_env, tmp_path):
    text = (SAMPLES / "recras/klanten-met-hoofdcontact.csv").read_text(encoding="utf-8-sig")
    head, first, *rest = text.splitlines()
    sheet = write(
        tmp_path / "klanten.csv",
        "\n".join([head + ";Actie", first + ";verwijder", *(r + ";nieuw" for r in rest)]) + "\n",
    )
    path = recras_mapping(tmp_path, sheet, lambda step: step.update(action={"column": "Actie"}))

    ran = cli("run", path)

    assert ran.code == 1
    found = statuses(tmp_path / "klanten-result.xlsx", "klanten")
    assert found[2] == "invalid" and set(list(found.values())[1:]) == {"created"}
    assert "Recras cannot delete klanten records" in str(
        column(tmp_path / "klanten-result.xlsx", "klanten", "error")[2]
    )
    assert len(recras_env.state.klanten) == len(rest)


def update_sheet(tmp_path: Path, rows: str, **extra) -> Path:
    sheet = write(tmp_path / "wijzigingen.csv", "Regel;Ordernummer;Referentie;Magazijn\n" + rows)
    step = order_update_step(magazijn={"header": "Magazijn"}, regel={"header": "Regel"})
    step.update(key="regel", **extra)
    return mapping(
        tmp_path,
        "wijzigingen",
        {"sources": {"wijzigingen": {"file": str(sheet), "locale": "nl"}}, "steps": [step]},
    )


def test_a_corrected_order_number_updates_the_order_it_names_now(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    orders = orders_by_reference(demo_env)
    first, second = orders["Inkooporder 4471"]["OrNu"], orders["Voorjaarsbestelling"]["OrNu"]
    path = update_sheet(tmp_path, f"1;{first};Spoed;05\n")
    assert cli("run", path).code == 0
    update_sheet(tmp_path, f"1;{second};Spoed;05\n")  # the order number was mistyped

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    assert demo_env.state.received("FbSales", "PUT")[-1] == {
        "FbSales": {"Element": {"Fields": {"OrNu": second, "RfCs": "Spoed", "War": "05"}}}
    }
    assert demo_env.state.salesorders[second]["fields"]["War"] == "05"
    assert statuses(tmp_path / "wijzigingen-result.xlsx", "wijzigingen") == {2: "updated"}


def test_a_corrected_order_number_on_a_delete_row_deletes_the_order_it_names_now(
    cli, demo_env, tmp_path
):
    load_orders(cli, tmp_path)
    orders = orders_by_reference(demo_env)
    first, second = orders["Inkooporder 4471"]["OrNu"], orders["Voorjaarsbestelling"]["OrNu"]
    path = update_sheet(tmp_path, f"1;{first};weg;\n", action="delete")
    assert cli("run", path, "--yes").code == 0
    update_sheet(tmp_path, f"1;{second};weg;\n", action="delete")

    ran = cli("run", path, "--yes")

    assert ran.code == 0, ran.err
    assert first not in demo_env.state.salesorders and second not in demo_env.state.salesorders
    assert [d["key"] for d in demo_env.state.deleted] == [first, second]


def test_a_delete_without_an_answer_stays_unknown_until_it_is_checked(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    first = orders_by_reference(demo_env)["Inkooporder 4471"]["OrNu"]
    path = update_sheet(tmp_path, f"1;{first};weg;\n", action="delete")
    demo_env.faults.use(Faults(script={1: "drop_after"}))  # deleted, but the answer is lost

    ran = cli("run", path, "--yes")

    assert ran.code == 1
    assert first not in demo_env.state.salesorders
    book = tmp_path / "wijzigingen-result.xlsx"
    assert statuses(book, "wijzigingen") == {2: "unknown"}
    deletes = len(demo_env.state.paths("DELETE"))

    again = cli("run", path, "--yes")  # not sent blindly again: the user checks first

    assert again.code == 1
    assert len(demo_env.state.paths("DELETE")) == deletes
    assert statuses(book, "wijzigingen") == {2: "unknown"}
    assert "still exists" in str(column(book, "wijzigingen", "error")[2])


def test_an_update_without_address_columns_sends_no_address(cli, demo_env, tmp_path):
    assert cli("run", MAPPINGS / "flex.yaml").code == 0
    data = yaml.safe_load((MAPPINGS / "flex.yaml").read_text())
    step = data["steps"][0]
    number = next(iter(demo_env.state.debtors))
    sheet = write(tmp_path / "namen.csv", f"Klantnummer;Naam\n{number};Andere Naam B.V.\n")
    columns = step["columns"]
    names = ("klantnummer", "naam", "zoeknaam", "kvk", "kvk_datum", "statutaire_naam", "website")
    step.update(
        source="namen",
        action="update",
        ids={"DbId": "klantnummer"},
        columns={
            **{k: {"header": columns[k].get("header", k)} for k in names},
            "btw": {"header": "BTW-nummer"},
            "valuta": {"value": "EUR"},
            **{k: {"header": k} for k in ("straat", "huisnummer", "postcode", "plaats", "land")},
            "zoek_woonplaats": {"value": False},
        },
    )
    step.pop("match")
    step.pop("find", None)
    for column_name in list(step["columns"]):
        if column_name not in ("klantnummer", "naam"):
            step["columns"][column_name].pop("header", None)
            step["columns"][column_name].setdefault("value", None)
    for column_name in ("zoeknaam", "kvk", "kvk_datum", "statutaire_naam", "website", "btw"):
        step["columns"][column_name] = {"expr": "none"}
    for column_name in ("straat", "huisnummer", "postcode", "plaats", "land"):
        step["columns"][column_name] = {"expr": "none"}
    path = mapping(
        tmp_path,
        "namen",
        {"sources": {"namen": {"file": str(sheet), "locale": "nl"}}, "steps": [step]},
    )

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    (put,) = demo_env.state.received("KnSalesRelationOrg", "PUT")
    (organisation,) = put["KnSalesRelationOrg"]["Element"]["Objects"]
    element = organisation["KnOrganisation"]["Element"]
    assert "Objects" not in element  # no address, so no move to an empty one
    assert "AutoNum" not in element["Fields"] and "PadAdr" not in element["Fields"]
    assert element["Fields"]["Nm"] == "Andere Naam B.V."


def test_line_deletes_ask_for_confirmation_too(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    kept = orders_by_reference(demo_env)["Voorjaarsbestelling"]["OrNu"]
    acties = write(tmp_path / "acties.csv", f"Ordernummer;Actie\n{kept};wijzig\n")
    regels = write(tmp_path / "regels.csv", f"Ordernummer;Artikel;Regelactie\n{kept};2041;delete\n")
    step = order_actions_step({})
    sources = {"acties": {"file": str(acties)}, "regels": {"file": str(regels)}}
    path = mapping(tmp_path, "acties", {"sources": sources, "steps": [step]})

    ran = cli("run", path)

    assert ran.code == 2 and "Refusing to delete 1 records" in ran.err
    assert demo_env.state.received("FbSales", "PUT") == []


def test_an_order_from_a_quotation_is_updated_without_its_quotation(cli, demo_env, tmp_path):
    path = load_orders(cli, tmp_path)
    data = yaml.safe_load(path.read_text())
    data["steps"][0]["action"] = "upsert"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    orders = tmp_path / "orders.csv"
    text = orders.read_text(encoding="utf-8-sig")
    orders.write_text(text.replace("Overname offerte;01;", "Overname offerte;02;"), "utf-8")
    number = orders_by_reference(demo_env)["Overname offerte"]["OrNu"]

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    assert demo_env.state.received("FbSales", "PUT") == [
        {"FbSales": {"Element": {"Fields": {"OrNu": number, "War": "02"}}}}
    ]


def test_an_id_the_connector_is_not_named_by_is_refused(cli, demo_env, tmp_path):
    path = update_sheet(tmp_path, "1;60000001;x;\n", ids={"OrNumber": "ordernummer"})

    ran = cli("run", path)

    assert ran.code == 2
    assert "'OrNumber' is not an id FbSales records are named by (they are: OrNu)" in ran.err
    assert demo_env.state.requests == []


def test_an_order_found_by_a_lookup_is_not_given_its_lines_again(cli, demo_env, tmp_path):
    load_orders(cli, tmp_path)
    data = yaml.safe_load((tmp_path / "orders.yaml").read_text())
    data["steps"][0]["match"]["on_found"] = "update"
    other = tmp_path / "elders"  # another mapping file: a journal that knows none of them
    other.mkdir()
    path = other / "orders.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    lines = {o["OrNu"]: len(o["lines"]) for o in demo_env.state.salesorders.values()}

    ran = cli("run", path, "--fresh")

    assert ran.code == 1, ran.err
    assert {o["OrNu"]: len(o["lines"]) for o in demo_env.state.salesorders.values()} == lines
    found = statuses(other.parent / "orders-result.xlsx", "verkooporders")
    quotation = 5  # the order taking over a quotation has no lines: it is updated
    assert found[quotation] == "updated"
    assert {s for n, s in found.items() if n != quotation} == {"invalid"}


def test_a_cleared_recras_field_is_emptied_with_null_and_nothing_else(cli, recras_env, tmp_path):
    sheet = tmp_path / "klanten.csv"
    text = (SAMPLES / "recras/klanten-met-hoofdcontact.csv").read_text(encoding="utf-8-sig")
    sheet.write_text(text, encoding="utf-8")
    path = recras_mapping(tmp_path, sheet)
    assert cli("run", path).code == 0

    def clearing(step: dict) -> None:
        step["action"] = "update"
        step["columns"]["website"]["clear_when_empty"] = True

    recras_mapping(tmp_path, sheet, clearing)
    sheet.write_text(text.replace(";https://www.regenboog-amersfoort.test;", ";;"), "utf-8")

    ran = cli("run", path)

    assert ran.code == 0, ran.err
    (klant_id,) = [i for i, k in recras_env.state.klanten.items() if k["naam"].startswith("Basis")]
    assert recras_env.state.received("PUT", f"/api2/klanten/{klant_id}") == [{"website": None}]
    assert recras_env.state.klanten[klant_id]["website"] is None
    assert recras_env.state.klanten[klant_id]["plaats"] == "Amersfoort"  # nothing else emptied
    found = statuses(tmp_path / "klanten-result.xlsx", "klanten")
    # the rest: done before, or (a website that was never given, now cleared) nothing to send
    assert found[2] == "updated" and set(list(found.values())[1:]) <= {"created", "unchanged"}
    assert len(recras_env.state.received("PUT", f"/api2/klanten/{klant_id}")) == 1
    assert [r for r in recras_env.state.requests if r["method"] == "PUT"] == [
        r for r in recras_env.state.requests if r["path"] == f"/api2/klanten/{klant_id}"
    ]
