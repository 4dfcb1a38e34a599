"""End to end: the importer command with the Recras mappings against the Recras sandbox.

What every target does (a rerun, a refused key, faults, ``--sandbox``) is in
test_conformance_e2e.py; here is what only Recras has."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import ROOT

from importer.sandbox import Faults
from importer.sandbox.recras import RecrasSandbox

RECRAS = ROOT / "mappings" / "recras-klanten.yaml"
SIMPLE = ROOT / "mappings" / "recras-klanten-simple.yaml"
SAMPLES = ROOT / "samples" / "recras"
KLANTEN = 15
PROVINCES = {
    "utrecht": "NL-UT", "noord-holland": "NL-NH", "noord holland": "NL-NH",
    "zuid-holland": "NL-ZH", "noord-brabant": "NL-NB", "groningen": "NL-GR",
    "fryslân": "NL-FR", "drenthe": "NL-DR", "overijssel": "NL-OV", "flevoland": "NL-FL",
    "gelderland": "NL-GE", "zeeland": "NL-ZE", "limburg": "NL-LI",
}  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def sheet(path: Path, name: str = "klanten") -> dict[str, dict[str, object]]:
    """A step's sheet of the result workbook, by Klantnummer."""
    ws = openpyxl.load_workbook(path)[name]
    rows = list(ws.iter_rows(values_only=True))
    return {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


def posted(box: RecrasSandbox) -> list[str]:
    """The names of the klanten POSTed to the sandbox, in order."""
    return [b["naam"] for b in box.state.received("POST", "/api2/klanten")]


def variant(tmp_path: Path, change, base: Path = RECRAS) -> Path:
    """A copy of a Recras mapping, changed by ``change(data)``, reading the same files."""
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    for source in data["sources"].values():
        source["file"] = str((base.parent / source["file"]).resolve())
    data["templates"] = str(ROOT / "templates")
    change(data)
    path = tmp_path / base.name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def recras_with(recras_env: RecrasSandbox):
    """The (shared, reset) Recras sandbox with options (a page size), the importer at it."""

    def start(*, page_size: int) -> RecrasSandbox:
        recras_env.state.page_size = page_size
        return recras_env

    return start


# --- the sample ------------------------------------------------------------------------------------


def test_the_sample_imports_cleanly_each_klant_with_its_contact_persons(cli, recras_env, tmp_path):
    ran = cli("run", RECRAS)

    assert ran.code == 0, ran.err
    assert (
        ran.out.startswith("Import finished: ")
        and ", 0 failed, 0 invalid, 0 skipped; source rows: " in ran.out
    )
    state = recras_env.state
    assert posted(recras_env) == [k["Naam"] for k in read_csv(SAMPLES / "klanten.csv")]
    assert {r["method"] for r in state.requests} == {"POST"}
    people = read_csv(SAMPLES / "contactpersonen.csv")
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    by_name = {k["naam"]: k for k in state.klanten.values()}
    for row in read_csv(SAMPLES / "klanten.csv"):
        klant = by_name[row["Naam"]]
        assert result[row["Klantnummer"]]["status"] == "created"
        assert result[row["Klantnummer"]]["id"] == str(klant["id"])
        assert klant["provinciecode"] == PROVINCES[row["Provincie"].casefold()]
        assert (
            klant["postcode"]
            == row["Postcode"].replace(" ", "").upper()[:4]
            + " "
            + (row["Postcode"].replace(" ", "").upper()[4:])
        )
        mine = [p for p in people if p["Klantnummer"] == row["Klantnummer"]]
        main = [p for p in mine if p["Hoofdcontact"] == "ja"]
        assert len(main) == 1
        got = [
            (p["voornaam"], p["achternaam"], p["hoofdcontact"]) for p in klant["contactpersonen"]
        ]
        assert got[0] == (main[0]["Voornaam"], main[0]["Achternaam"], True)  # main first
        assert sorted(got) == sorted(
            (p["Voornaam"], p["Achternaam"], p["Hoofdcontact"] == "ja") for p in mine
        )
    assert len(state.klanten) == KLANTEN and len(state.persons) == len(people)


def test_the_body_of_a_klant_with_three_contact_persons_field_for_field(cli, recras_env):
    assert cli("run", RECRAS).code == 0

    body = next(b for b in recras_env.state.received() if b["naam"].startswith("Bakkerij"))
    assert body == {
        "naam": "Bakkerij Van der Hoek B.V.",
        "soort_klant": "Bedrijf",
        "adres": "Industrieweg 4",
        "postcode": "2712 LB",
        "plaats": "Zoetermeer",
        "provinciecode": "NL-ZH",
        "website": "https://www.bakkerijvanderhoek.test",
        "contactpersonen": [
            {
                "voornaam": "Pieter",
                "achternaam": "van der Hoek",
                "geslacht": "man",
                "email1": "pieter@bakkerijvanderhoek.test",
                "telefoon1": "+31793161540",
                "hoofdcontact": True,
            },
            {
                "voornaam": "Ingrid",
                "achternaam": "van der Hoek",
                "geslacht": "vrouw",
                "email1": "ingrid@bakkerijvanderhoek.test",
                "hoofdcontact": False,
            },
            {
                "voornaam": "Sem",
                "achternaam": "Bakker",
                "email1": "administratie@bakkerijvanderhoek.test",
                "hoofdcontact": False,
            },
        ],
        "extra_fields": [
            {"name": "Aantal personen", "type": "number", "value": 35},
            {"name": "Klant sinds", "type": "date", "value": "2015-11-02"},
            {
                "name": "Interesses",
                "type": "multiplechoice",
                "value": ["Teamuitje", "Bowlen", "Diner"],
            },
        ],
    }


def test_the_one_sheet_variant_sends_the_main_contact_from_the_klant_row(cli, recras_env):
    ran = cli("run", SIMPLE)

    assert (ran.code, ran.out) == (
        0,
        "Import finished: 15 created, 0 failed, 0 invalid, 0 skipped; source rows: klanten-met-hoofdcontact.csv 15\n",
    )
    assert len(recras_env.state.klanten) == KLANTEN and len(recras_env.state.persons) == KLANTEN
    zoe = next(k for k in recras_env.state.klanten.values() if k["naam"] == "Vrijgezellenfeest Zoë")
    assert [(p["voornaam"], p["geslacht"], p["hoofdcontact"]) for p in zoe["contactpersonen"]] == [
        ("Zoë", "vrouw", True)
    ]


def test_the_sandbox_flag_runs_the_one_sheet_variant_against_a_recras_sandbox(cli):
    ran = cli("run", SIMPLE, "--sandbox")

    assert ran.code == 0, ran.err
    assert ", 0 failed, 0 invalid, 0 skipped; source rows: " in ran.out


# --- rules before any write -----------------------------------------------------------------------


def two_main_contacts(tmp_path: Path) -> Path:
    people = read_csv(SAMPLES / "contactpersonen.csv")
    for p in people:
        if p["Klantnummer"] == "K1005":  # Scouting Sint-Joris: Femke and Jorrit both main
            p["Hoofdcontact"] = "ja"
    return write_csv(tmp_path / "contactpersonen.csv", people)


def test_a_klant_with_two_main_contacts_is_invalid_and_nothing_is_sent_for_it(
    cli, recras_env, tmp_path
):
    ran = cli("run", RECRAS, "--input", f"contactpersonen={two_main_contacts(tmp_path)}")

    assert ran.code == 1
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert result["K1005"]["status"] == "invalid"
    assert (
        "more than one main contact (Hoofdcontact ja); exactly one is required"
        in (result["K1005"]["error"])
    )
    assert "Scouting Sint-Joris" not in posted(recras_env)
    assert len(posted(recras_env)) == KLANTEN - 1


def test_without_the_mapping_check_the_recras_contract_still_stops_two_main_contacts(
    cli, recras_env, tmp_path
):
    def drop_checks(data):
        del data["steps"][0]["checks"]

    mapping = variant(tmp_path, drop_checks)

    ran = cli("run", mapping, "--input", f"contactpersonen={two_main_contacts(tmp_path)}")

    assert ran.code == 1
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert result["K1005"]["status"] == "invalid"
    assert result["K1005"]["error"] == (
        "klant has 2 main contacts (hoofdcontact); exactly one is required"
    )
    assert "Scouting Sint-Joris" not in posted(recras_env)


def test_geslacht_email_and_postcode_are_checked_before_anything_is_sent(cli, recras_env, tmp_path):
    klanten = read_csv(SAMPLES / "klanten.csv")
    people = read_csv(SAMPLES / "contactpersonen.csv")
    next(k for k in klanten if k["Klantnummer"] == "K1004")["Postcode"] = "0211 AB"
    next(p for p in people if p["Klantnummer"] == "K1006")["Geslacht"] = "Mannelijk"
    next(p for p in people if p["Klantnummer"] == "K1009")["E-mail"] = "g.visser@@zuiderzeehof.test"
    inputs = (
        "--input", f"klanten={write_csv(tmp_path / 'klanten.csv', klanten)}",
        "--input", f"contactpersonen={write_csv(tmp_path / 'contactpersonen.csv', people)}",
    )  # fmt: skip

    checked = cli("validate", RECRAS, *inputs)
    ran = cli("run", RECRAS, *inputs)

    assert checked.code == 1 and ran.code == 1
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert {k: r["status"] for k, r in result.items() if r["status"] != "created"} == {
        "K1004": "invalid",
        "K1006": "invalid",
        "K1009": "invalid",
    }
    assert "Postcode" in result["K1004"]["error"] and "'0211 AB'" in result["K1004"]["error"]
    assert "Geslacht" in result["K1006"]["error"] and "Mannelijk" in result["K1006"]["error"]
    assert "E-mail" in result["K1009"]["error"]
    assert not {"Familie Janssen", "Café 't Hoekje", "Zorggroep Zuiderzeehof"} & set(
        posted(recras_env)
    )
    assert len(posted(recras_env)) == KLANTEN - 3


def test_the_error_sample_reports_each_broken_klant_and_sends_none_of_them(
    cli, recras_env, tmp_path
):
    errors = SAMPLES / "contactpersonen-fouten.csv"

    ran = cli("run", RECRAS, "--input", f"contactpersonen={errors}")

    assert ran.code == 1
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert {k: r["error"] for k, r in result.items() if r["status"] != "created"} == {
        "K1005": "more than one main contact (Hoofdcontact ja); exactly one is required",
        "K1006": "contactpersonen-fouten.csv, row 11, column 'Geslacht': 'Mannelijk' is not one "
        "of the allowed values: man, vrouw, onbekend",
        "K1009": "contactpersonen-fouten.csv, row 16, column 'E-mail': "
        "'g.visser@@zuiderzeehof.test': an email address has exactly one @, "
        "such as jan@example.nl",
        "K1010": "no main contact (Hoofdcontact ja); exactly one is required",
    }
    assert {result[k]["status"] for k in ("K1005", "K1006", "K1009", "K1010")} == {"invalid"}
    assert len(posted(recras_env)) == KLANTEN - 4
    # Recras has no log reference like AFAS's profitLogReference: no such column anywhere
    book = openpyxl.load_workbook(tmp_path / "recras-klanten-result.xlsx")
    for ws in book.worksheets[1:]:
        assert "profitLogReference" not in next(ws.iter_rows(max_row=1, values_only=True))
    assert not {"Scouting Sint-Joris", "Jongerenkoor Crescendo"} & set(posted(recras_env))


# --- duplicates: the lookup in /api2/contacten -----------------------------------------------------

EXISTING = {
    "naam": "bakkerij van der hoek b.v.",
    "postcode": "2712LB",
    "contactpersonen": [{"voornaam": "Pieter", "achternaam": "van der Hoek", "hoofdcontact": True}],
}


def test_an_existing_klant_is_found_over_several_pages_and_linked_not_created(
    cli, recras_with, tmp_path
):
    box = recras_with(page_size=2)
    for n in range(3):
        box.state.add_klant({**EXISTING, "naam": f"Ander {n}", "postcode": "1000AA"})
    existing = box.state.add_klant(EXISTING)["id"]
    # the same name and postcode, but a supplier: not a klant, so not linked
    box.state.add_contact(
        {**EXISTING, "naam": "Café 't Hoekje", "postcode": "8911CN"}, kind="leverancier"
    )

    ran = cli("run", RECRAS)

    assert ran.code == 0, ran.err
    assert " existing; source rows: " in ran.out
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert result["K1003"]["status"] == "existing" and result["K1003"]["id"] == str(existing)
    assert "already exists in contacten" in result["K1003"]["error"]
    assert result["K1006"]["status"] == "created"
    assert "Bakkerij Van der Hoek B.V." not in posted(box)
    assert len(posted(box)) == KLANTEN - 1
    pages = [r["query"] for r in box.state.reads if r["path"] == "/api2/contacten"]
    assert pages == ["", "page=2", "page=3"]  # one lookup for the whole step, every page


def test_on_found_update_puts_the_klant_by_its_id(cli, recras_env, tmp_path):
    existing = recras_env.state.add_klant(EXISTING)["id"]

    def update(data):
        data["steps"][0]["match"]["on_found"] = "update"

    ran = cli("run", variant(tmp_path, update))

    assert ran.code == 0, ran.err
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert result["K1003"]["status"] == "updated" and result["K1003"]["id"] == str(existing)
    (put,) = recras_env.state.received("PUT", f"/api2/klanten/{existing}")
    assert "id" not in put and put["naam"] == "Bakkerij Van der Hoek B.V."
    klant = recras_env.state.klanten[existing]
    assert klant["naam"] == "Bakkerij Van der Hoek B.V." and len(klant["contactpersonen"]) == 3
    assert len(recras_env.state.klanten) == KLANTEN


# --- updates: the contact persons keep their ids ----------------------------------------------------


EMMEN = "Gemeente Emmen — afdeling P&O"  # K1007: Anouk Müller and Ruud Scholten


def on_change_update(data):
    data["steps"][0]["on_change"] = "update"


def people_of(box: RecrasSandbox, name: str) -> dict[str, dict[str, object]]:
    klant = next(k for k in box.state.klanten.values() if k["naam"] == name)
    return {p["voornaam"]: p for p in klant["contactpersonen"]}


def test_a_changed_phone_updates_the_klant_and_its_contact_persons_keep_their_ids(
    cli, recras_env, tmp_path
):
    mapping = variant(tmp_path, on_change_update)
    assert cli("run", mapping).code == 0
    before = people_of(recras_env, EMMEN)
    persons = len(recras_env.state.persons)
    people = read_csv(SAMPLES / "contactpersonen.csv")
    ruud = next(p for p in people if (p["Klantnummer"], p["Voornaam"]) == ("K1007", "Ruud"))
    ruud["Telefoon"] = "0591 699999"
    changed = write_csv(tmp_path / "contactpersonen.csv", people)

    ran = cli("run", mapping, "--input", f"contactpersonen={changed}")

    assert ran.code == 0, ran.err
    # the klant and its two contact persons (the lines share its outcome)
    assert ran.out.endswith(
        ", 3 updated, 37 already done; source rows: klanten.csv 15, contactpersonen.csv 25\n"
    ), ran.out
    after = people_of(recras_env, EMMEN)
    assert {n: p["id"] for n, p in after.items()} == {n: p["id"] for n, p in before.items()}
    assert set(after) == {"Anouk", "Ruud"}
    assert after["Ruud"]["telefoon1"] == "+31591699999"
    assert after["Anouk"]["telefoon1"] == before["Anouk"]["telefoon1"]
    assert len(recras_env.state.persons) == persons  # none made again
    klant = next(k for k in recras_env.state.klanten.values() if k["naam"] == EMMEN)
    (put,) = [r for r in recras_env.state.requests if r["method"] == "PUT"]
    assert put["path"] == f"/api2/klanten/{klant['id']}"
    # only the list changed, sent whole: each person with the id of the one it matched
    sent = put["body"]["contactpersonen"]
    assert list(put["body"]) == ["contactpersonen"]
    assert [(p["id"], p["voornaam"], p.get("telefoon1")) for p in sent] == [
        (before["Anouk"]["id"], "Anouk", before["Anouk"]["telefoon1"]),
        (before["Ruud"]["id"], "Ruud", "+31591699999"),
    ]
    reads = [r["path"] for r in recras_env.state.reads if r["path"].startswith("/api2/klanten/")]
    assert reads == [f"/api2/klanten/{klant['id']}"]  # read once, to keep the ids
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    assert result["K1007"]["status"] == "updated" and result["K1007"]["id"] == str(klant["id"])


def test_a_contact_person_that_exists_in_recras_is_linked_by_its_id(cli, recras_env, tmp_path):
    known = recras_env.state.add_person(voornaam="Kees", achternaam="Janssen", telefoon1="0101")

    def linked(data):
        on_change_update(data)
        lines = data["steps"][0]["lines"]["columns"]
        lines["contactpersoon_id"] = {"header": "Contactpersoon-id", "type": "integer"}
        lines["achternaam"]["required"] = False

    people = read_csv(SAMPLES / "contactpersonen.csv")
    for p in people:
        p["Contactpersoon-id"] = ""
    kees = next(p for p in people if p["Klantnummer"] == "K1004")
    kees.update({"Voornaam": "", "Achternaam": "", "Contactpersoon-id": str(known)})
    source = write_csv(tmp_path / "contactpersonen.csv", people)
    mapping = variant(tmp_path, linked)

    assert cli("run", mapping, "--input", f"contactpersonen={source}").code == 0
    (post,) = [b for b in recras_env.state.received() if b["naam"] == "Familie Janssen"]
    assert post["contactpersonen"] == [{"id": known, "hoofdcontact": True}]
    assert people_of(recras_env, "Familie Janssen")["Kees"]["id"] == known
    # an update links it again: it stays the klant's one contact person
    klanten = read_csv(SAMPLES / "klanten.csv")
    next(k for k in klanten if k["Klantnummer"] == "K1004")["Plaats"] = "Heerlen"
    changed = write_csv(tmp_path / "klanten.csv", klanten)
    ran = cli(
        "run", mapping, "--input", f"contactpersonen={source}", "--input", f"klanten={changed}"
    )
    assert ran.code == 0, ran.err
    assert sheet(tmp_path / "recras-klanten-result.xlsx")["K1004"]["status"] == "updated"
    klant = next(k for k in recras_env.state.klanten.values() if k["naam"] == "Familie Janssen")
    assert klant["plaats"] == "Heerlen"
    assert [p["id"] for p in klant["contactpersonen"]] == [known]


# --- configuration and credentials ----------------------------------------------------------------


def test_a_key_without_write_permission_stops_the_run_at_the_first_write(cli, recras_env, tmp_path):
    recras_env.state.refuse_writes = True

    ran = cli("run", RECRAS)

    assert ran.code == 2
    assert "Recras refused the request (HTTP 403: Deze API-sleutel heeft geen rechten" in ran.err
    assert len(recras_env.state.requests) == 1 and recras_env.state.klanten == {}
    statuses = {r["status"] for r in sheet(tmp_path / "recras-klanten-result.xlsx").values()}
    assert statuses == {"skipped"}


def test_more_parallel_requests_than_recras_allows_are_capped(cli, recras_env):
    ran = cli("run", RECRAS, "--concurrency", "9")

    assert ran.code == 0, ran.err
    assert "recras allows at most 4 requests in parallel; using 4." in ran.err
    assert len(recras_env.state.klanten) == KLANTEN


def test_contacten_is_read_once_for_the_match_and_a_find_of_every_row(cli, recras_with, tmp_path):
    box = recras_with(page_size=2)
    for n in range(3):
        box.state.add_klant({**EXISTING, "naam": f"Ander {n}", "postcode": "1000AA"})
    existing = box.state.add_klant(EXISTING)["id"]

    def find_too(data: dict) -> None:  # a find: on the same list, by type and name
        data["steps"][0]["find"] = {
            "naamgenoot": {
                "connector": "contacten",
                "filter": {"type": "soort_contact", "naam": "naam"},
                "ids": {"id": "id"},
                "optional": True,
            }
        }

    ran = cli("run", variant(tmp_path, find_too))

    assert ran.code == 0, ran.err
    assert sheet(tmp_path / "recras-klanten-result.xlsx")["K1003"]["id"] == str(existing)
    pages = [r["query"] for r in box.state.reads if r["path"] == "/api2/contacten"]
    assert pages == ["", "page=2"]  # once, for every row's match and find


def test_unknown_klanten_are_reconciled_with_one_read_of_contacten(cli, recras_env, tmp_path):
    recras_env.faults.use(Faults(drop_after_rate=0.4, seed=7))
    first = cli("run", RECRAS, "--retries", "1")
    result = sheet(tmp_path / "recras-klanten-result.xlsx")
    unknown = [k for k, row in result.items() if row["status"] == "unknown"]
    assert first.code == 1 and len(unknown) >= 3
    recras_env.faults.use(Faults())
    recras_env.state.reads.clear()

    second = cli("run", RECRAS)

    assert second.code == 0, second.err
    assert sorted(posted(recras_env)) == sorted(set(posted(recras_env)))  # none twice
    assert len(set(posted(recras_env))) == KLANTEN
    assert [r["query"] for r in recras_env.state.reads if r["path"] == "/api2/contacten"] == [""]
