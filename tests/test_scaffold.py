"""Scaffolding a mapping and template from a spreadsheet's headers (``importer new``).

Every scaffold is loaded with ``load_mapping`` and prepared with the runner, so the written files
are proven to load, validate the sample rows and render bodies the connector's catalog accepts.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from importer.errors import InputError, MappingError
from importer.mappingfile import load_mapping
from importer.plan import prepare
from importer.scaffold import Scaffold, scaffold
from importer.targets.afas import catalog
from importer.targets.afas.contract import mandatory, walk
from importer.targets.afas.layouts import CONNECTOR_HEADERS, HEADER_FIELDS, LAYOUTS, normalise
from importer.targets.afas.matching import column_name

RELATIONS = """\
Klantnummer;Naam;Zoeknaam;KvK-nummer;BTW-nummer;Straat;Huisnummer;Postcode;Plaats;IBAN;E-mail;Opmerking intern
1001;Bakkerij De Graaf;BAKGRAAF;30145872;NL812345671B01;Voorstraat;48;3512 AL;Utrecht;NL91ABNA0417164300;info@degraaf.test;belt graag
1002;Café De Gouden Leeuw;;09187634;;Korenmarkt;7;6811GW;Arnhem;;;
"""


def csv(tmp_path: Path, text: str, name: str = "klanten.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bodies(result: Scaffold, connector: str) -> list[Any]:
    """Bodies of every row: all rows planned, each accepted by the connector's catalog."""
    plan = prepare(load_mapping(result.mapping_path))
    (outcomes,) = plan.result.outcomes.values()
    assert {n: o.error for n, o in outcomes.items() if o.status != "planned"} == {}
    found = [o.json() for o in outcomes.values()]
    for body in found:
        assert walk.check_body(connector, body) == []
        assert mandatory.missing_mandatory(connector, body) == []
    return found


def fields(body: dict, *path: str) -> dict:
    """The Fields of the element at ``path`` (object names; the first item of a list)."""
    element = body[path[0]]["Element"]
    for name in path[1:]:
        (element,) = [o[name]["Element"] for o in element["Objects"] if name in o]
        element = element[0] if isinstance(element, list) else element
    return element["Fields"]


def column(result: Scaffold, name: str):
    (step,) = load_mapping(result.mapping_path).steps
    return step.columns[name]


def todo_lines(text: str) -> list[str]:
    """TODO comments, each as one line: YAML comments with their indented continuation lines
    joined, and whole Jinja comments."""
    found = [" ".join(c.split()) for c in re.findall(r"\{# TODO.*?#\}", text, flags=re.S)]
    for line in text.splitlines():
        if re.match(r"\s*# TODO ", line):
            found.append(line.strip())
        elif re.match(r"\s*#      \S", line) and found and found[-1].startswith("# TODO"):
            found[-1] += " " + line.strip()[1:].strip()
    return found


# --- Matching and nesting ---------------------------------------------------------------------


def test_dutch_headers_fill_the_nested_objects_of_a_sales_relation(tmp_path):
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, RELATIONS), out_dir=tmp_path / "out")

    assert result.matched == {
        "Klantnummer": "DbId",
        "Naam": "KnOrganisation.Nm",
        "Zoeknaam": "KnOrganisation.SeNm",
        "KvK-nummer": "KnOrganisation.CcNr",
        "BTW-nummer": "VaId",
        "Straat": "KnOrganisation.KnBasicAddressAdr.Ad",
        "Huisnummer": "KnOrganisation.KnBasicAddressAdr.HmNr",
        "Postcode": "KnOrganisation.KnBasicAddressAdr.ZpCd",
        "Plaats": "KnOrganisation.KnBasicAddressAdr.Rs",
        "IBAN": "KnOrganisation.KnBankAccount.Iban",
        "E-mail": "KnOrganisation.EmAd",
    }
    assert result.unmatched == ["Opmerking intern"]
    first, second = bodies(result, "KnSalesRelationOrg")
    relation = first["KnSalesRelationOrg"]["Element"]
    assert relation["@DbId"] == "1001"
    assert relation["Fields"] == {"CuId": "EUR", "VaId": "NL812345671B01"}
    organisation = fields(first, "KnSalesRelationOrg", "KnOrganisation")
    assert organisation == {
        "PadAdr": True,
        "AutoNum": True,
        "MatchOga": "6",
        "SeNm": "BAKGRAAF",
        "Nm": "Bakkerij De Graaf",
        "CcNr": "30145872",
        "EmAd": "info@degraaf.test",
    }
    address = fields(first, "KnSalesRelationOrg", "KnOrganisation", "KnBasicAddressAdr")
    assert address == {
        "CoId": "NL",  # no country column: the constant
        "PbAd": False,
        "ResZip": False,
        "Ad": "Voorstraat",
        "HmNr": 48,
        "ZpCd": "3512 AL",
        "Rs": "Utrecht",
    }
    bank = fields(first, "KnSalesRelationOrg", "KnOrganisation", "KnBankAccount")
    assert bank == {"CoId": "NL", "Iban": "NL91ABNA0417164300"}
    # Blank cells are pruned: no bank account, no VAT number, KvK keeps its leading zero.
    organisation = second["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]
    assert [list(o) for o in organisation["Element"]["Objects"]] == [["KnBasicAddressAdr"]]
    assert "VaId" not in second["KnSalesRelationOrg"]["Element"]["Fields"]
    assert fields(second, "KnSalesRelationOrg", "KnOrganisation")["CcNr"] == "09187634"


def test_the_mapping_declares_headers_types_and_catalog_lengths(tmp_path):
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, RELATIONS), out_dir=tmp_path / "out")

    mapping = load_mapping(result.mapping_path)
    (step,) = mapping.steps
    assert result.mapping_path == tmp_path / "out" / "klanten.yaml"
    assert (
        result.template_path == tmp_path / "out/templates/afas/klanten.KnSalesRelationOrg.json.j2"
    )
    assert mapping.source_path("klanten") == (tmp_path / "klanten.csv").resolve()
    assert mapping.template_folder == (tmp_path / "out" / "templates").resolve()
    assert (step.connector, step.template, step.key) == (
        "KnSalesRelationOrg",
        "afas/klanten.KnSalesRelationOrg.json.j2",
        "klantnummer",
    )
    assert step.keep == ["DbId", "BcCo"]
    assert list(step.columns) == [
        "klantnummer", "naam", "zoeknaam", "kvk_nummer", "btw_nummer", "straat",
        "huisnummer", "postcode", "plaats", "iban", "e_mail",
    ]  # fmt: skip
    assert step.columns["kvk_nummer"].header == "KvK-nummer"
    assert step.columns["naam"].required and step.columns["naam"].max_length == 255
    assert step.columns["zoeknaam"].max_length == 10
    assert step.columns["btw_nummer"].max_length == 21
    assert step.columns["huisnummer"].type == "integer"
    assert step.columns["kvk_nummer"].pattern == r"\d{8}"
    assert step.columns["klantnummer"].max_length == 16


def test_english_headers_in_an_xlsx_sheet_feed_an_organisation(tmp_path):
    path = tmp_path / "export.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Info"
    sheet = workbook.create_sheet("Companies")
    sheet.append(["Customer ID", "Company", "Chamber of Commerce", "VAT number", "Street",
                  "Zip", "City", "Country", "Website", "Founded"])  # fmt: skip
    sheet.append(["C-1", "Acme", "01234567", "NL1", "Main", "1234 AB", "Delft", "B",
                  "acme.test", dt.datetime(2001, 5, 17)])  # fmt: skip
    workbook.save(path)

    result = scaffold("KnOrganisation", path, out_dir=tmp_path, sheet="Companies", name="acme")

    assert result.matched == {
        "Company": "Nm",
        "Chamber of Commerce": "CcNr",
        "Street": "KnBasicAddressAdr.Ad",
        "Zip": "KnBasicAddressAdr.ZpCd",
        "City": "KnBasicAddressAdr.Rs",
        "Country": "KnBasicAddressAdr.CoId",
        "Website": "HoPa",
    }
    assert result.unmatched == ["VAT number", "Founded"]  # no VAT field on an organisation
    assert result.mapping_path.name == "acme.yaml"
    assert load_mapping(result.mapping_path).sources["export"].sheet == "Companies"
    (body,) = bodies(result, "KnOrganisation")
    assert fields(body, "KnOrganisation")["CcNr"] == "01234567"
    address = fields(body, "KnOrganisation", "KnBasicAddressAdr")
    assert address["CoId"] == "B"  # the country column, not the constant
    assert 'row.country or "NL"' in result.template_path.read_text()
    assert column(result, "customer_id").header == "Customer ID"  # the key, not sent


@pytest.mark.parametrize(
    ("connector", "text", "expected"),
    [
        (
            "KnPerson",
            "Voornaam,Tussenvoegsel,Achternaam,Voorletters,Geboortedatum,BSN,Mobiel\n"
            "Jan,van,Dijk,J.,13-02-1980,123456782,0612345678\n",
            {"FiNm": "Jan", "Is": "van", "LaNm": "Dijk", "In": "J.", "DaBi": "1980-02-13",
             "SoSe": "123456782", "MbNr": "0612345678"},
        ),
        (
            "PtProject",
            "Projectnummer;Omschrijving;Projectgroep;Klantnummer;Startdatum;Uren per week\n"
            "P-1;Verbouwing;FLEX;1001;2024-01-31;36\n",
            {"PrId": "P-1", "Ds": "Verbouwing", "PrGp": "FLEX", "DbId": "1001",
             "DaSt": "2024-01-31", "HrWe": 36},
        ),
    ],
)  # fmt: skip
def test_person_and_project_headers(tmp_path, connector, text, expected):
    result = scaffold(connector, csv(tmp_path, text), out_dir=tmp_path)

    (body,) = bodies(result, connector)
    got = fields(body, connector)
    assert {k: got[k] for k in expected} == expected
    assert result.unmatched == []


def test_a_project_without_group_gets_a_placeholder_marked_todo(tmp_path):
    result = scaffold("PtProject", csv(tmp_path, "Omschrijving\nVerbouwing\n"), out_dir=tmp_path)

    (body,) = bodies(result, "PtProject")
    assert fields(body, "PtProject") == {"PrGp": "ALG", "Ds": "Verbouwing"}
    template = result.template_path.read_text()
    assert re.search(r'\{# TODO: the project group .*#\}\n\s*"PrGp": "ALG"', template)


def test_sales_orders_split_header_and_line_fields(tmp_path):
    text = (
        "Klantnummer;Orderdatum;Referentie;Artikelcode;Omschrijving;Aantal;Prijs;Eenheid\n"
        "1001;01-03-2024;PO-7;ART-1;Krentenbollen;12;1,25;STK\n"
        "1002;02-03-2024;;ART-2;Taart;1;24,50;STK\n"
    )
    result = scaffold("FbSales", csv(tmp_path, text, "orders.csv"), out_dir=tmp_path)

    assert result.matched == {
        "Klantnummer": "DbId",
        "Orderdatum": "OrDa",
        "Referentie": "RfCs",
        "Artikelcode": "FbSalesLines.ItCd",
        "Omschrijving": "FbSalesLines.Ds",
        "Aantal": "FbSalesLines.QuUn",
        "Prijs": "FbSalesLines.Upri",
        "Eenheid": "FbSalesLines.BiUn",
    }
    first, second = bodies(result, "FbSales")
    assert fields(first, "FbSales") == {"OrDa": "2024-03-01", "DbId": "1001", "RfCs": "PO-7"}
    lines = first["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"]
    assert isinstance(lines, list) and len(lines) == 1
    assert lines[0]["Fields"] == {
        "VaIt": "2",
        "ItCd": "ART-1",
        "Ds": "Krentenbollen",
        "BiUn": "STK",
        "QuUn": 12,
        "Upri": 1.25,
    }
    assert fields(second, "FbSales", "FbSalesLines")["Upri"] == 24.5
    assert column(result, "prijs").decimal == ","
    assert column(result, "orderdatum").format == "%d-%m-%Y"
    template = result.template_path.read_text()
    assert any("lines are grouped per row" in line for line in todo_lines(template))


def test_a_file_with_only_headers_still_gives_a_mapping_that_loads(tmp_path):
    text = "Klantnummer;Naam;KvK-datum;Postcode\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    todos = todo_lines(result.mapping_path.read_text())
    assert "# TODO kvk_datum: date format guessed as %d-%m-%Y (no sample values); check it" in todos
    assert any(t.startswith("# TODO postcode: no sample values") for t in todos)
    assert bodies(result, "KnSalesRelationOrg") == []


def test_a_persons_name_is_taken_as_the_last_name_with_a_todo(tmp_path):
    text = "Klantnummer;Naam;Voornaam\n1;Dijk;Jan\n"
    result = scaffold("KnSalesRelationPer", csv(tmp_path, text), out_dir=tmp_path)

    assert result.matched["Naam"] == "KnPerson.LaNm"
    assert any("'Naam' is taken as the last name" in t
               for t in todo_lines(result.template_path.read_text()))  # fmt: skip
    (body,) = bodies(result, "KnSalesRelationPer")
    assert fields(body, "KnSalesRelationPer", "KnPerson")["LaNm"] == "Dijk"


def test_mandatory_fields_no_header_feeds_are_todos_and_the_contract_check_says_so(tmp_path):
    result = scaffold("FbSales", csv(tmp_path, "Artikel\nA-1\n"), out_dir=tmp_path)

    template = result.template_path.read_text()
    assert "TODO: FbSales.DbId (Sales contact) is mandatory and no header matched it" in template
    assert re.search(r"TODO: the unit \(BiUn\).*\n\s*\"BiUn\": \"STK\"", template)
    assert re.search(r"TODO: no quantity header.*\n\s*\"QuUn\": 1,", template)
    (outcome,) = (
        prepare(load_mapping(result.mapping_path)).result.outcomes["verkooporders"].values()
    )
    assert outcome.status == "invalid"
    assert "FbSales.DbId is mandatory and missing" in str(outcome.error)


# --- Types from the catalog and the values ----------------------------------------------------


@pytest.mark.parametrize(
    ("values", "fmt", "unsure"),
    [
        (["01-03-2024", "15-06-2012"], "%d-%m-%Y", False),
        (["2024-03-01"], "%Y-%m-%d", False),
        (["13/02/1980", "01/03/1990"], "%d/%m/%Y", False),
        (["01/02/2024"], "%d/%m/%Y", True),  # also reads as %m/%d/%Y
        ([""], "%d-%m-%Y", True),  # no values at all
    ],
)
def test_date_formats_are_read_from_the_values_or_marked_todo(tmp_path, values, fmt, unsure):
    text = "Klantnummer;Naam;KvK-datum\n" + "".join(
        f"{n};Naam {n};{v}\n" for n, v in enumerate(values, 1)
    )
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    kvk_datum = column(result, "kvk_datum")
    assert (kvk_datum.type, kvk_datum.format) == ("date", fmt)
    mapping_todos = todo_lines(result.mapping_path.read_text())
    assert any("kvk_datum: date format guessed" in line for line in mapping_todos) is unsure
    bodies(result, "KnSalesRelationOrg")


def test_postcodes_get_the_dutch_pattern_and_a_todo_naming_postcode_nl(tmp_path):
    text = "Klantnummer;Naam;Postcode\n1;A;1234 AB\n2;B;3512AL\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    postcode = column(result, "postcode")
    assert postcode.type == "text" and postcode.pattern == r"[1-9]\d{3} ?[A-Za-z]{2}"
    (todo,) = [line for line in todo_lines(result.mapping_path.read_text()) if "postcode" in line]
    assert "Dutch postcodes only" in todo
    assert "postcode_nl" in result.mapping_path.read_text().split("postcode: {")[0]

    foreign = scaffold(
        "KnSalesRelationOrg",
        csv(tmp_path, "Klantnummer;Naam;Postcode\n1;A;B-1000\n", "be.csv"),
        out_dir=tmp_path,
    )
    assert column(foreign, "postcode").pattern is None
    assert any("not every value is a Dutch postcode" in line
               for line in todo_lines(foreign.mapping_path.read_text()))  # fmt: skip


def test_descriptions_of_afas_codes_become_a_value_map(tmp_path):
    text = "Klantnummer;Voornaam;Achternaam;Geslacht\n1;Jan;Dijk;Man\n2;Els;Bos;Vrouw\n"
    result = scaffold("KnSalesRelationPer", csv(tmp_path, text), out_dir=tmp_path)

    gender = column(result, "geslacht")
    assert gender.map == {"Man": "M", "Onbekend": "O", "Vrouw": "V", "Non-binair": "X"}
    assert any("geslacht: values mapped to AFAS codes" in line
               for line in todo_lines(result.mapping_path.read_text()))  # fmt: skip
    first, second = bodies(result, "KnSalesRelationPer")
    assert fields(first, "KnSalesRelationPer", "KnPerson")["ViGe"] == "M"
    assert fields(second, "KnSalesRelationPer", "KnPerson")["ViGe"] == "V"


def test_amounts_with_a_decimal_comma_and_thousands_dots(tmp_path):
    text = "Debiteurnummer;Naam;Kredietlimiet\n1;A;1.500,00\n2;B;250\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    limit = column(result, "kredietlimiet")
    assert (limit.type, limit.decimal, limit.thousands) == ("decimal", ",", ".")
    first, second = bodies(result, "KnSalesRelationOrg")
    assert first["KnSalesRelationOrg"]["Element"]["Fields"]["Krli"] == 1500
    assert second["KnSalesRelationOrg"]["Element"]["Fields"]["Krli"] == 250


# --- TODOs and unmatched headers --------------------------------------------------------------


def test_a_match_by_similar_name_is_marked_todo_in_both_files(tmp_path):
    text = "Klantnummer;Naam;Kredietlimiet EUR;Payment discount\n1;A;100;2\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    assert result.matched["Kredietlimiet EUR"] == "Krli"  # like the header 'Kredietlimiet'
    assert result.matched["Payment discount"] == "PrPt"  # like the description
    for path in (result.mapping_path, result.template_path):
        todos = " ".join(todo_lines(path.read_text()))
        assert "'Kredietlimiet EUR' matched Krli (Credit limit) by a similar name" in todos
        assert "'Payment discount' matched PrPt (Payment discount (%))" in todos
    bodies(result, "KnSalesRelationOrg")


def test_unmatched_headers_are_listed_as_todos_and_commented_declarations(tmp_path):
    text = "Klantnummer;Naam;Accountmanager;Email;E-mail\n1;A;Piet;a@x.test;b@x.test\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    assert result.unmatched == ["Accountmanager", "E-mail"]  # EmAd is fed by 'Email'
    mapping_text = result.mapping_path.read_text()
    assert "# TODO headers not matched to a field of KnSalesRelationOrg: 'Accountmanager'," in (
        mapping_text
    )
    assert "#   accountmanager: {header: Accountmanager}" in mapping_text
    assert "#   e_mail: {header: E-mail}  # EmAd is already fed by 'Email'" in mapping_text
    template = result.template_path.read_text()
    assert (
        "{# TODO: headers not matched to a field (declare them in the mapping to use them): "
        "'Accountmanager', 'E-mail' #}" in todo_lines(template)
    )
    (step,) = load_mapping(result.mapping_path).steps
    assert "accountmanager" not in step.columns
    total = len(todo_lines(mapping_text)) + len(todo_lines(template))
    assert result.todos == total == mapping_text.count("# TODO") + template.count("{# TODO")
    assert total >= 4


def test_without_a_key_column_the_first_unique_column_is_the_key_with_a_todo(tmp_path):
    text = "Naam;Plaats\nA;Delft\nB;Delft\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    (step,) = load_mapping(result.mapping_path).steps
    assert step.key == "naam"
    assert any("no customer number or id column found; 'Naam' is used as the key" in line
               for line in todo_lines(result.mapping_path.read_text()))  # fmt: skip
    bodies(result, "KnSalesRelationOrg")


def test_the_key_prefers_a_customer_number_that_is_unique(tmp_path):
    text = "Naam;Relatienummer;Klantnummer\nA;7;1\nB;7;2\n"
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    mapping_text = result.mapping_path.read_text()
    assert load_mapping(result.mapping_path).steps[0].key == "klantnummer"
    assert "# TODO" not in mapping_text.split("columns:")[0]

    repeated = csv(tmp_path, "Naam;Klantnummer\nA;1\nB;1\n", "dubbel.csv")
    result = scaffold("KnSalesRelationOrg", repeated, out_dir=tmp_path)
    assert load_mapping(result.mapping_path).steps[0].key == "klantnummer"
    assert "'Klantnummer' is not filled in and unique on every row" in (
        result.mapping_path.read_text()
    )


def test_awkward_headers_give_unique_names_and_a_mapping_that_loads(tmp_path):
    text = 'Klantnummer;Naam;"Naam ""kort"": #1";yes;items;123;Straße\n1;A;b;c;d;e;f\n'
    result = scaffold("KnSalesRelationOrg", csv(tmp_path, text), out_dir=tmp_path)

    mapping_text = result.mapping_path.read_text()
    assert yaml.safe_load(mapping_text)["steps"][0]["key"] == "klantnummer"
    commented = [line.strip()[2:].strip() for line in mapping_text.splitlines()
                 if re.match(r"    #   \S", line)]  # fmt: skip
    declared = {}
    for line in commented:
        declared.update(yaml.safe_load(line.split("  # ")[0]))
    assert declared == {
        "naam_kort_1": {"header": 'Naam "kort": #1'},
        "yes": {"header": "yes"},
        "items_": {"header": "items"},
        "col_123": {"header": "123"},
        "strasse": {"header": "Straße"},
    }
    bodies(result, "KnSalesRelationOrg")


# --- Refusals -----------------------------------------------------------------------------------


def test_existing_files_are_not_overwritten_unless_asked(tmp_path):
    path = csv(tmp_path, RELATIONS)
    first = scaffold("KnSalesRelationOrg", path, out_dir=tmp_path)
    first.mapping_path.write_text("# edited by hand\n")

    with pytest.raises(MappingError, match=r"klanten\.yaml and .*klanten\.KnSalesRelationOrg\.json\.j2 "
                       r"already exist; not overwritten"):  # fmt: skip
        scaffold("KnSalesRelationOrg", path, out_dir=tmp_path)
    assert first.mapping_path.read_text() == "# edited by hand\n"

    again = scaffold("KnSalesRelationOrg", path, out_dir=tmp_path, overwrite=True)
    assert again.mapping_path.read_text().startswith("# Scaffolded by `importer new`")


def test_an_unknown_connector_names_the_known_ones(tmp_path):
    path = csv(tmp_path, RELATIONS)

    with pytest.raises(MappingError) as caught:
        scaffold("KnSalesRelationOrganisation", path, out_dir=tmp_path)

    assert str(caught.value) == (
        "unknown connector 'KnSalesRelationOrganisation' (did you mean 'KnSalesRelationOrg'?); "
        "known connectors: FbSales, KnOrganisation, KnPerson, KnSalesRelationOrg, "
        "KnSalesRelationPer, PtProject"
    )
    assert list(tmp_path.iterdir()) == [path]  # nothing written


def test_unreadable_inputs_raise_input_errors(tmp_path):
    with pytest.raises(InputError, match="Input file not found"):
        scaffold("KnPerson", tmp_path / "missing.csv", out_dir=tmp_path)
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"broken\.xlsx: not a readable Excel file"):
        scaffold("KnPerson", tmp_path / "broken.xlsx", out_dir=tmp_path)
    with pytest.raises(InputError, match="only an Excel file has sheets"):
        scaffold("KnPerson", csv(tmp_path, "Naam\nA\n"), out_dir=tmp_path, sheet="Blad1")
    assert not (tmp_path / "templates").exists()


# --- The tables themselves ----------------------------------------------------------------------


def test_names_and_normalised_headers():
    assert normalise("KvK-nummer") == normalise("KVK nummer") == "kvknummer"
    assert normalise(" E-mail_adres. ") == "emailadres"
    assert normalise("Bedrijfsnaam (statutair)") == "bedrijfsnaamstatutair"
    assert column_name("KvK-nummer") == "kvk_nummer"
    assert column_name("Café  naam") == "cafe_naam"
    assert column_name("Straße") == "strasse" and normalise("Straße") == "strasse"
    assert column_name("Naam", taken=["naam", "naam_2"]) == "naam_3"
    assert column_name("Keys") == "keys_"  # row.keys would be the dict method
    assert column_name("class") == "class_"
    assert column_name("%") == "column"


def test_every_placed_field_exists_in_the_catalog_and_every_known_header_is_placed():
    placed: set[str] = set()
    for connector, layout in LAYOUTS.items():
        for path, codes in layout.items():
            specs = catalog.fields(connector, path or None)
            assert [c for c in codes if c not in specs] == [], (connector, path)
            placed.update(codes)
    assert sorted({c for c in HEADER_FIELDS.values() if c not in placed}) == []
    for connector, table in CONNECTOR_HEADERS.items():
        assert {code for code, _ in table.values()} <= set().union(*LAYOUTS[connector].values())
    assert sorted(LAYOUTS) == catalog.connectors()


def test_a_target_without_a_scaffolder_says_so(tmp_path):
    with pytest.raises(MappingError) as caught:
        scaffold("klanten", csv(tmp_path, "Naam\nx\n"), out_dir=tmp_path, target="recras")
    assert str(caught.value) == (
        "importer new does not know the connectors of Recras; write the mapping by hand "
        "(mappings/ has examples), or scaffold for afas"
    )
    assert not list(tmp_path.glob("*.yaml"))
