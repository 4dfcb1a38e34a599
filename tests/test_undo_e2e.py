"""``importer undo`` takes a test load back out: the real command against the AFAS sandbox over
loopback HTTP, with a real journal file.

The load is the Flex sample's (sales relations and their customer agreements) for three
customers and one debtor that was there before, with a sales order per customer on its
agreement: undo deletes the orders, then the agreements; the sales relations (and their
organisations) are listed to remove by hand; the debtor that was there is kept.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, variant

from importer.journal.places import journal_path
from importer.journal.store import Entry, Journal
from importer.mappingfile import load_mapping
from importer.sandbox import AfasSandbox, afas_get
from importer.status import Status
from importer.undo import Action, plan

CUSTOMERS = ("49339", "49340", "49341")
EXISTING = "10001"  # a demo debtor of the sandbox: linked by the match, not created
ORDER_TEMPLATE = """{
  "FbSales": {"Element": {
    "Fields": {"DbId": {{ row.klantnummer }}, "OrDa": {{ row.orderdatum }},
               "RfCs": {{ row.referentie }}, "PrId": {{ parent.PrId }}},
    "Objects": [{"FbSalesLines": {"Element": [
      {"Fields": {"VaIt": "2", "ItCd": {{ row.artikel }}, "BiUn": "STK", "QuUn": "1"}}
    ]}}]
  }}
}"""


def load_mapping_file(tmp_path: Path) -> Path:
    """The Flex mapping for four customers, with a step of sales orders on their agreements."""
    lines = (ROOT / "samples/flex/klanten.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [lines[0], *lines[1:4]]
    rows.append(lines[4].replace("49342;", f"{EXISTING};", 1))
    (tmp_path / "klanten.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    orders = ["Order;Klantnummer;Datum;Referentie;Artikel"]
    orders += [
        f"A{i};{number};2024-05-0{i};Order {number};1000"
        for i, number in enumerate([*CUSTOMERS, EXISTING], start=1)
    ]
    (tmp_path / "orders.csv").write_text("\n".join(orders) + "\n", encoding="utf-8")
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "afas" / "order.json.j2").write_text(ORDER_TEMPLATE)

    def change(data: dict) -> None:
        data["templates"] = str(templates)
        data["sources"]["klanten"]["file"] = str(tmp_path / "klanten.csv")
        data["sources"]["orders"] = {"file": str(tmp_path / "orders.csv")}
        data["steps"].append(
            {
                "name": "verkooporders",
                "source": "orders",
                "connector": "FbSales",
                "template": "afas/order.json.j2",
                "key": "order",
                "keep": ["OrNu"],
                "parent": {"step": "klantovereenkomsten", "key": "klantnummer"},
                "columns": {
                    "order": {"header": "Order"},
                    "klantnummer": {"header": "Klantnummer"},
                    "orderdatum": {"header": "Datum", "type": "date"},
                    "referentie": {"header": "Referentie"},
                    "artikel": {"header": "Artikel"},
                },
            }
        )

    return variant(tmp_path, change)


def deletes(box: AfasSandbox) -> list[str]:
    return [r["path"] for r in box.state.requests if r["method"] == "DELETE"]


def rows_of(box: AfasSandbox, connector: str) -> list[dict]:
    """What a GetConnector of the sandbox answers."""
    return afas_get.query(box.state, connector, {"take": "-1"})["rows"]


def undo_sheet(path: Path, name: str = "Undo") -> list[dict]:
    rows = list(openpyxl.load_workbook(path)[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


@pytest.fixture
def loaded(cli, demo_env, tmp_path) -> Path:
    """The load, run into the sandbox."""
    mapping = load_mapping_file(tmp_path)
    ran = cli("run", mapping)
    assert (ran.code, ran.out) == (
        0,
        "Import finished: 8 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 4, orders.csv 4\n",
    ), ran.err
    assert len(demo_env.state.salesorders) == 4 and len(demo_env.state.projects) == 4
    return mapping


def test_dry_run_then_undo_then_undo_again_then_run_again(cli, demo_env, loaded, tmp_path):
    box = demo_env
    journal = journal_path(loaded, box.host)
    with Journal.read(journal) as book:
        before = book.describe()
    debtors = sorted(box.state.debtors)
    relations = {n: (box.state.debtors[n]["DbId"], box.state.debtors[n]["BcCo"]) for n in CUSTOMERS}

    # --dry-run: lists, sends nothing, changes no journal row
    dry = cli("undo", loaded, "--dry-run")

    assert dry.code == 1, dry.err  # the sales relations are left to remove by hand
    assert dry.out == (
        "Undo dry run: 8 to delete, 3 to remove by hand, 0 to check by hand (sandbox)\n"
    )
    assert deletes(box) == []
    with Journal.read(journal) as book:
        assert book.describe() == before
    assert "To delete (8):\n  verkooporders row 5 (key A4): FbSales OrNu " in dry.err
    assert "To remove by hand in AFAS Profit (3):\n" in dry.err
    for number, (db_id, bc_co) in relations.items():
        assert (
            f"  verkooprelaties row {CUSTOMERS.index(number) + 2} (key {number}): "
            f"KnSalesRelationOrg DbId {db_id}, BcCo {bc_co}\n"
            "    AFAS Profit cannot delete KnSalesRelationOrg records through the importer: "
            "remove it by hand in AFAS Profit\n"
        ) in dry.err
    assert EXISTING not in dry.err.split("To remove by hand")[1]  # it was there: kept
    sheet = undo_sheet(tmp_path / "flex-undo-dry-run.xlsx")
    assert [(r["step"], r["row"], r["done"]) for r in sheet] == [
        *[("verkooporders", n, "to delete") for n in (5, 4, 3, 2)],
        *[("klantovereenkomsten", n, "to delete") for n in (5, 4, 3, 2)],
        ("verkooprelaties", 5, "kept"),
        *[("verkooprelaties", n, "remove by hand") for n in (4, 3, 2)],
    ]
    assert sheet[8]["message"] == "it was there before the import (found by a lookup): kept"
    summary = list(openpyxl.load_workbook(tmp_path / "flex-undo-dry-run.xlsx")["Summary"].values)
    assert summary[0][0] == "Undo of an import: dry run (nothing deleted)"

    # undo --yes: children first; what cannot be deleted is listed with its ids
    undone = cli("undo", loaded, "--yes")

    assert undone.code == 1, undone.err
    assert undone.out == (
        "Undo finished: 8 deleted, 0 failed, 3 to remove by hand, 0 to check by hand (sandbox)\n"
    )
    assert [d["kind"] for d in box.state.deleted] == ["salesorders"] * 4 + ["projects"] * 4
    assert box.state.salesorders == {} and box.state.projects == {}
    assert rows_of(box, "Profit_Salesorders") == [] and rows_of(box, "Profit_Projects") == []
    assert sorted(box.state.debtors) == debtors  # sales relations cannot be deleted
    for db_id, bc_co in relations.values():
        assert f"KnSalesRelationOrg DbId {db_id}, BcCo {bc_co}\n" in undone.err
    assert "To delete" not in undone.err
    with Journal.read(journal) as book:
        assert book.describe() == (
            "verkooprelaties: 3 created, 1 existing\n"
            "klantovereenkomsten: 4 deleted\n"
            "verkooporders: 4 deleted"
        )
        orders = book.entries("verkooporders")
    assert all(e.ids.get("OrNu") for e in orders.values())  # the ids are kept
    sheet = undo_sheet(tmp_path / "flex-undo.xlsx")
    assert [r["done"] for r in sheet[:8]] == ["deleted"] * 8
    assert sheet[-1]["ids"] == "DbId {}, BcCo {}".format(*relations[CUSTOMERS[0]])
    assert sheet[-1]["journal state"] == "created"

    # a second undo deletes nothing more
    again = cli("undo", loaded, "--yes")

    assert again.out == (
        "Undo finished: 0 deleted, 0 failed, 3 to remove by hand, 0 to check by hand (sandbox)\n"
    )
    assert len(deletes(box)) == 8
    assert [r["done"] for r in undo_sheet(tmp_path / "flex-undo.xlsx")[:8]] == [
        "deleted earlier"
    ] * 8

    # running the import again creates the agreements and orders anew, once
    posted = len(box.state.received("KnSalesRelationOrg"))
    rerun = cli("run", loaded)

    assert rerun.code == 0, rerun.err
    assert rerun.out == (
        "Import finished: 8 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten.csv 4, "
        "orders.csv 4\n"
    )  # each customer's row: its relation done earlier, its agreement created anew
    assert len(box.state.projects) == 4 and len(box.state.salesorders) == 4
    assert len(box.state.received("KnSalesRelationOrg")) == posted
    assert sorted(box.state.debtors) == debtors
    assert {o["fields"]["PrId"] for o in box.state.salesorders.values()} == set(box.state.projects)


def test_a_row_without_an_answer_is_to_check_and_its_parent_refused_to_remove_by_hand(
    cli, demo_env, loaded, tmp_path
):
    journal = journal_path(loaded, demo_env.host)
    with sqlite3.connect(journal) as db:  # as a run killed while sending leaves it
        db.execute("UPDATE rows SET state = 'unknown' WHERE step = 'verkooporders' AND key = 'A1'")

    undone = cli("undo", loaded, "--yes", "--lang", "nl")

    assert undone.code == 1
    assert undone.out == (
        "Undo finished: 6 deleted, 1 failed, 4 to remove by hand, 1 to check by hand (sandbox)\n"
    )
    assert len(demo_env.state.salesorders) == 1  # A1: not deleted, it is to be checked
    assert len(demo_env.state.projects) == 1  # its project: orders still refer to it
    assert "Met de hand te controleren in AFAS Profit (1):\n  verkooporders rij 2 (sleutel A1)" in (
        undone.err
    )
    assert "AFAS Profit weigerde het verwijderen: Project " in undone.err
    sheet = undo_sheet(tmp_path / "flex-undo.xlsx", "Ongedaan maken")
    done = {(r["stap"], r["sleutel"]): r["gedaan"] for r in sheet}
    assert done["verkooporders", "A1"] == "met de hand controleren"
    assert done["klantovereenkomsten", CUSTOMERS[0]] == "mislukt"
    with Journal.read(journal) as book:
        assert book.entries("klantovereenkomsten")[CUSTOMERS[0]].state == Status.CREATED
        assert book.entries("verkooporders")["A1"].state == Status.UNKNOWN


def test_undo_is_refused_while_a_run_holds_the_journal(cli, demo_env, loaded):
    path = journal_path(loaded, demo_env.host)
    with Journal.open(path, target=demo_env.host, mapping=str(loaded), command="importer run"):
        refused = cli("undo", loaded, "--yes")

    assert refused.code == 2
    assert refused.err.startswith(f"Error: The journal {path} is in use by another run (pid ")
    assert deletes(demo_env) == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_undo_asks_before_deleting_and_without_a_terminal_needs_yes(
    cli, demo_env, loaded, monkeypatch
):
    refused = cli("undo", loaded)  # pytest's stdin is no terminal

    assert refused.code == 2
    assert refused.err == (
        f"Error: Refusing to delete 8 records of {loaded} from the sandbox ({demo_env.host}) "
        "without confirmation: run again with --yes (--dry-run lists what would be deleted)\n"
    )
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    declined = cli("undo", loaded)

    assert declined.code == 130
    assert f"Delete 8 records of {loaded} from the sandbox ({demo_env.host})? [y/N]" in declined.out
    assert deletes(demo_env) == []
    monkeypatch.setattr(sys, "stdin", _Terminal("y\n"))
    confirmed = cli("undo", loaded)

    assert confirmed.code == 1 and len(deletes(demo_env)) == 8


def test_undo_without_a_journal_is_a_configuration_error(cli, afas_env, tmp_path):
    mapping = load_mapping_file(tmp_path)

    ran = cli("undo", mapping, "--dry-run")

    assert ran.code == 2
    assert ran.err.startswith(f"Error: No journal at {journal_path(mapping, afas_env.host)}")
    assert not (tmp_path / "flex-undo-dry-run.xlsx").exists()


class _Target:
    system = "The System"
    environment = "test environment 1"

    @staticmethod
    def delete_ids(connector: str) -> tuple[str, ...]:
        return ("Nr",) if connector == "Deletable" else ()


def test_plan_deletes_only_what_this_import_created(tmp_path):
    mapping = load_mapping(variant(tmp_path, lambda data: None))
    book = Journal.in_memory(target="h", mapping=str(mapping.path))
    # a record found by a lookup and then updated was there before: kept
    book.record("verkooprelaties", "1", 2, Status.UPDATED, ids={"DbId": "1"}, action="update")
    book.record("verkooprelaties", "2", 3, Status.CREATED, ids={"DbId": "2"}, action="insert")
    book.record("verkooprelaties", "2", 3, Status.UPDATED, ids={"DbId": "2"}, action="update")
    book.record("verkooprelaties", "3", 4, Status.INVALID, error="bad")
    book.record("klantovereenkomsten", "2", 3, Status.CREATED, ids={}, action="insert")

    undo = plan(mapping, book, _Target())  # type: ignore[arg-type]

    decided = {(i.step, i.key): (i.action, str(i.why)) for i in undo.items}
    assert decided == {
        ("klantovereenkomsten", "2"): (
            Action.BY_HAND,
            "The System cannot delete PtProject records through the importer: remove it by "
            "hand in The System",
        ),
        ("verkooprelaties", "3"): (
            Action.NOTHING,
            "nothing was created for it (the journal says invalid)",
        ),
        ("verkooprelaties", "2"): (Action.BY_HAND, decided["verkooprelaties", "2"][1]),
        ("verkooprelaties", "1"): (
            Action.KEPT,
            "it was there before the import (found, then updated): kept",
        ),
    }
    assert [i.key for i in undo.items] == ["2", "3", "2", "1"]
    assert isinstance(undo.items[0].entry, Entry)


def test_undo_takes_the_journal_a_run_was_given_and_names_it_when_it_is_not_given(
    cli, demo_env, tmp_path
):
    mapping = load_mapping_file(tmp_path)
    assert cli("run", mapping, "--journal", tmp_path / "mine.sqlite").code == 0

    lost = cli("undo", mapping, "--dry-run")
    found = cli("undo", mapping, "--yes", "--journal", tmp_path / "mine.sqlite")

    assert lost.code == 2
    assert lost.err.startswith(
        f"Error: No journal at {journal_path(mapping, demo_env.host)}, but this mapping has one "
        f"for {demo_env.host} elsewhere: {tmp_path / 'mine.sqlite'} ("
    )
    assert lost.err.endswith(f"Name it with --journal {tmp_path / 'mine.sqlite'}.\n")
    assert found.code == 1 and found.out.startswith("Undo finished: 8 deleted, 0 failed")
    assert demo_env.state.salesorders == {} and demo_env.state.projects == {}
