"""Fidelity of phones, VAT numbers, postcodes and countries (issue 17), end to end: one CSV of
NL, BE, DE and FR rows (countries written as ISO codes, Dutch and English names and AFAS's own
codes), sent by the CLI to the AFAS sandbox over real HTTP, and compared field for field with
what the sandbox stored: every value arrives in the one form the mapping says, the countries
(of the address and of the bank account, taken from the IBAN by the ``country`` filter) in
Profit's own codes, which the sandbox checks; an invalid value makes its row ``invalid``
naming the cell, and nothing of it is sent."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml
from conftest import statuses

VAT = "U" + f"{7:032x}"  # a free field of the organisation (FiNr is the fiscal number, 9 long)

TEMPLATE = """{
  "KnOrganisation": {"Element": {
    "Fields": {
      "AutoNum": true, "MatchOga": "6", "PadAdr": true, "Nm": {{ row.naam }},
      "TeNr": {{ row.telefoon }}, "MbNr": {{ row.get("mobiel") }}, "U00000000000000000000000000000007": {{ row.btw }}
    },
    "Objects": [
      {"KnBasicAddressAdr": {"Element": {"Fields": {
        "CoId": {{ row.land }}, "PbAd": false, "Ad": "Straat", "HmNr": 1,
        "ZpCd": {{ row.postcode }}, "Rs": "Plaats", "ResZip": false
      }}}},
      {"KnBankAccount": {"@when": {{ row.get("iban") is not none }}, "Element": {"Fields": {
        "CoId": {{ (row.get("iban") or "")[:2] | country }}, "Iban": {{ row.get("iban") }},
        "IbCk": true
      }}}}
    ]
  }}
}
"""

HEADER = ["Naam", "Land", "Telefoon", "Mobiel", "Btw", "Postcode", "IBAN"]

ROWS = [
    # valid rows: (name, country as written, phone, mobile, VAT, postcode, IBAN)
    ["Nederland", "Nederland", "033-4567890", "+31 (0)6 12345678", "NL000099998B57", "3526 kl",
     "NL91 ABNA 0417 1643 00"],  # 2
    ["Belgie", "België", "0470 12 34 56", "", "BE 0403.170.701", "B-2030", "BE68539007547034"],
    ["Duitsland", "Germany", "+49 30 901820", "", "DE136695976", "D-10115",
     "DE89370400440532013000"],  # 4
    ["Frankrijk", "FR", "01 42 68 53 00", "", "FR 40 303 265 045", "75008", ""],  # 5
    ["Afas-code", "D", "089 12345678", "", "ATU13585627", "80331", ""],  # 6: Profit's own code
    ["Iso-be", "be", "+32 470 12 34 56", "", "IT 00743110157", "9000", ""],  # 7
    # invalid rows, each for one cell
    ["Fout nummer", "NL", "+31 6 123", "", "NL000099998B57", "3526KL", ""],  # 8
    ["Fout btw", "DE", "+49 30 901820", "", "DE136695977", "10115", ""],  # 9
    ["Fout postcode", "NL", "033-4567890", "", "NL000099998B57", "1234", ""],  # 10
    ["Fout land", "Atlantis", "033-4567890", "", "NL000099998B57", "3526KL", ""],  # 11
    ["Fout postcode de", "Duitsland", "+49 30 901820", "", "DE136695976", "1011", ""],  # 12
]  # fmt: skip

EXPECTED = {
    "Nederland": ("NL", "+31334567890", "+31612345678", "NL000099998B57", "3526KL", "NL"),
    "Belgie": ("B", "+32470123456", None, "BE0403170701", "2030", "B"),
    "Duitsland": ("D", "+4930901820", None, "DE136695976", "10115", "D"),
    "Frankrijk": ("F", "+33142685300", None, "FR40303265045", "75008", None),
    "Afas-code": ("D", "+498912345678", None, "ATU13585627", "80331", None),
    "Iso-be": ("B", "+32470123456", None, "IT00743110157", "9000", None),
}

INVALID = {
    8: ("Telefoon", "+31 6 123"),
    9: ("Btw", "DE136695977"),
    10: ("Postcode", "1234"),
    11: ("Land", "Atlantis"),
    12: ("Postcode", "1011"),
}


def mapping(tmp_path: Path, file: Path) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "org.json.j2").write_text(TEMPLATE, encoding="utf-8")
    phone = {"type": "phone", "country": "land", "format": "e164"}
    data = {
        "version": 1,
        "target": "afas",
        "templates": str(tmp_path / "templates"),
        "sources": {"orgs": {"file": str(file), "locale": "nl"}},
        "steps": [
            {
                "name": "orgs",
                "source": "orgs",
                "connector": "KnOrganisation",
                "template": "org.json.j2",
                "key": "naam",
                "columns": {
                    "naam": {"header": "Naam"},
                    "land": {"header": "Land", "type": "country", "required": True},
                    "telefoon": {"header": "Telefoon", **phone},
                    "mobiel": {"header": "Mobiel", **phone},
                    "btw": {"header": "Btw", "type": "vat"},
                    "postcode": {"header": "Postcode", "type": "postcode", "country": "land"},
                    "iban": {"header": "IBAN", "type": "iban"},
                },
            }
        ],
    }
    path = tmp_path / "orgs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stored(box) -> dict[str, tuple]:
    """What the sandbox stored of each organisation, in the order of ``EXPECTED``."""
    found = {}
    for record in box.state.organisations.values():
        fields, objects = record["fields"], record.get("objects", {})
        address = objects["KnBasicAddressAdr"][0]["fields"]
        banks = objects.get("KnBankAccount") or [{"fields": {}}]
        found[fields["Nm"]] = (
            address["CoId"],
            fields.get("TeNr"),
            fields.get("MbNr"),
            fields.get(VAT),
            address["ZpCd"],
            banks[0]["fields"].get("CoId"),
        )
    return found


def test_phones_vat_postcodes_and_countries_arrive_in_one_form(cli, afas_env, tmp_path):
    file = tmp_path / "orgs.csv"
    text = "\r\n".join(";".join(r) for r in [HEADER, *ROWS]) + "\r\n"
    file.write_bytes(text.encode("cp1252"))
    ran = cli("run", mapping(tmp_path, file), "--yes")
    book = tmp_path / "orgs-result.xlsx"
    assert book.exists(), ran.err
    status = statuses(book, "orgs")
    rows = list(openpyxl.load_workbook(book)["orgs"].iter_rows(values_only=True))
    at = rows[0].index("error")
    error = {r[0]: r[at] or "" for r in rows[1:]}
    for row in range(2, 8):
        assert status[row] == "created", (row, error[row])
    assert stored(afas_env) == EXPECTED  # field for field, and nothing invalid was sent
    for row, (header, value) in INVALID.items():
        assert status[row] == "invalid", (row, error[row])
        assert header in error[row] and value in error[row], error[row]
    # one request per valid row, none refused: every country sent was one Profit knows
    assert len(afas_env.state.received("KnOrganisation")) == len(EXPECTED)


def test_a_country_profit_does_not_know_is_refused_by_the_sandbox(cli, afas_env, tmp_path):
    """A template that sends the IBAN's ISO code (``BE``) is refused as Profit refuses it."""
    file = tmp_path / "orgs.csv"
    text = "\r\n".join(";".join(r) for r in [HEADER, ROWS[1]]) + "\r\n"
    file.write_bytes(text.encode("cp1252"))
    path = mapping(tmp_path, file)
    template = tmp_path / "templates" / "org.json.j2"
    template.write_text(template.read_text().replace("| country", "| upper"), encoding="utf-8")
    cli("run", path, "--yes")
    book = tmp_path / "orgs-result.xlsx"
    rows = list(openpyxl.load_workbook(book)["orgs"].iter_rows(values_only=True))
    at = rows[0].index("error")
    assert statuses(book, "orgs")[2] == "failed"
    assert "Land 'BE' bestaat niet" in rows[1][at], rows[1][at]
    assert afas_env.state.organisations == {}


def test_the_vat_number_of_every_eu_country_arrives_in_its_compact_form(cli, afas_env, tmp_path):
    from test_checks_regional import EU_VAT

    rows = [
        [f"Org {i}", "NL", "033-4567890", "", text, "3526KL", ""]
        for i, text in enumerate(sorted(EU_VAT), start=1)
    ]
    file = tmp_path / "orgs.csv"
    text = "\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n"
    file.write_bytes(text.encode("utf-8"))

    ran = cli("run", mapping(tmp_path, file), "--yes")

    assert ran.code == 0, ran.err
    sent = {name: values[3] for name, values in stored(afas_env).items()}
    assert sent == {f"Org {i}": EU_VAT[text] for i, text in enumerate(sorted(EU_VAT), start=1)}
    assert set(statuses(tmp_path / "orgs-result.xlsx", "orgs").values()) == {"created"}
