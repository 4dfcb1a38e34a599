"""Fidelity of numbers, dates, booleans and empties (issue 17), end to end: awkward values
read from CSV (cp1252 and UTF-8, ``;``, decimal comma, dd-mm-yyyy) and xlsx (number, date,
boolean and text cells), sent by the CLI to the AFAS sandbox over real HTTP, and compared
field for field with what the sandbox received (its numbers read as the digits that came):
every value arrives as the mapping says, or the row is ``invalid`` naming the cell."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import statuses

F = {
    name: "U" + f"{i:032x}"
    for i, name in enumerate(
        ["lang", "bedrag", "aantal", "datum", "opmerking", "notitie", "leeg"], start=1
    )
}

TEMPLATE = (
    """{
  "KnOrganisation": {"Element": {"Fields": {
    "AutoNum": true, "MatchOga": "6", "PadAdr": {{ row.post }}, "Nm": {{ row.naam }},
"""
    + ",\n".join(f'    "{u}": {{{{ row.{name} }}}}' for name, u in F.items())
    + """
  }}}
}
"""
)

HEADER = ["Naam", "Lang", "Bedrag", "Aantal", "Datum", "Post", "Opmerking", "Notitie", "Leeg"]


def mapping(tmp_path: Path, file: Path) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "org.json.j2").write_text(TEMPLATE, encoding="utf-8")
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
                    "lang": {"header": "Lang", "type": "decimal"},
                    "bedrag": {"header": "Bedrag", "type": "decimal", "places": 2},
                    "aantal": {"header": "Aantal", "type": "integer"},
                    "datum": {"header": "Datum", "type": "date"},
                    "post": {"header": "Post", "type": "boolean"},
                    "opmerking": {"header": "Opmerking", "empty": "empty_text"},
                    "notitie": {"header": "Notitie", "empty": "null"},
                    "leeg": {"header": "Leeg"},
                },
            }
        ],
    }
    path = tmp_path / "orgs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def digits(number: Decimal) -> str:
    """A number as the digits the JSON text held (``str`` of a Decimal may say ``1E-18``)."""
    return format(number, "f")


def received(box) -> dict[str, dict]:
    """The fields of each organisation the sandbox received, numbers as the digits sent."""
    bodies = [r["exact"] for r in box.state.requests if r["connector"] == "KnOrganisation"]
    fields = [b["KnOrganisation"]["Element"]["Fields"] for b in bodies]
    names = {u: name for name, u in F.items()}
    return {f["Nm"]: {names.get(k, k): v for k, v in f.items()} for f in fields}


def run(cli, tmp_path: Path, file: Path) -> tuple[dict[int, str], dict[int, str]]:
    ran = cli("run", mapping(tmp_path, file), "--yes")
    book = tmp_path / f"{file.stem}-result.xlsx"
    assert book.exists(), ran.err
    rows = list(openpyxl.load_workbook(book)["orgs"].iter_rows(values_only=True))
    at = rows[0].index("error")
    return statuses(book, "orgs"), {r[0]: r[at] or "" for r in rows[1:]}


CSV_ROWS = [
    # row 2: every kind of value at its most awkward, all valid
    ["Café Één", "0,12345678901234567890", "1.234,5", "42", "29-02-2024", "ja", "", "   ", ""],
    # row 3
    ["Zoë", "-0,000000000000000001", "12,50", "-7", "31-12-9999", "nee", "x", "y", "z"],
    ["Datum fout", "1", "1", "1", "29-02-2023", "ja", "", "", ""],  # 4: no leap day in 2023
    ["Te precies", "1", "12,345", "1", "01-01-2024", "ja", "", "", ""],  # 5: 3 decimals
    ["Geen geheel", "1", "1", "4,5", "01-01-2024", "ja", "", "", ""],  # 6
    ["Misschien", "1", "1", "1", "01-01-2024", "misschien", "", "", ""],  # 7
    ["Engels", "1", "1,234.50", "1", "01-01-2024", "ja", "", "", ""],  # 8: wrong separators
    ["Arabisch", "1", "1", "١٢", "01-01-2024", "ja", "", "", ""],  # 9: digits not ASCII
]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8"])
def test_csv_values_arrive_as_the_mapping_says(cli, afas_env, tmp_path, encoding):
    rows = CSV_ROWS if encoding == "utf-8" else CSV_ROWS[:-1]  # cp1252 has no Arabic digits
    file = tmp_path / "orgs.csv"
    text = "\r\n".join(";".join(r) for r in [HEADER, *rows]) + "\r\n"
    file.write_bytes(text.encode(encoding))
    status, error = run(cli, tmp_path, file)
    assert status[2] == status[3] == "created", error
    got = received(afas_env)
    first, second = got["Café Één"], got["Zoë"]
    assert first["lang"] == Decimal("0.12345678901234567890")
    assert digits(first["lang"]) == "0.12345678901234567890"  # every digit, not a float's 17
    assert digits(first["bedrag"]) == "1234.50"  # thousands separator gone, two decimals
    assert first["aantal"] == 42 and type(first["aantal"]) is int
    assert first["datum"] == "2024-02-29"
    assert first["PadAdr"] is True
    assert first["opmerking"] == ""  # empty: empty_text sends ""
    assert "notitie" in first and first["notitie"] is None  # spaces only, empty: null
    assert "leeg" not in first  # absent by default
    assert digits(second["lang"]) == "-0.000000000000000001"
    assert digits(second["bedrag"]) == "12.50"
    assert second["aantal"] == -7
    assert second["datum"] == "9999-12-31"
    assert second["PadAdr"] is False
    assert (second["opmerking"], second["notitie"], second["leeg"]) == ("x", "y", "z")
    invalid = {
        4: ("Datum", "29-02-2023"),
        5: ("Bedrag", "12,345"),
        6: ("Aantal", "4,5"),
        7: ("Post", "misschien"),
        8: ("Bedrag", "1,234.50"),
    }
    if encoding == "utf-8":
        invalid[9] = ("Aantal", "١٢")
    for row, (header, value) in invalid.items():
        assert status[row] == "invalid", (row, error[row])
        assert header in error[row] and value in error[row], error[row]
    assert "more than 2 decimals" in error[5]
    assert set(got) == {"Café Één", "Zoë"}  # nothing invalid was sent


def test_xlsx_number_date_and_text_cells(cli, afas_env, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    # typed cells: a float Excel keeps to 15 significant digits, numbers, a date, a boolean
    sheet.append(
        [
            "Getypt",
            0.12345678901234567890,
            1234.5,
            42,
            dt.datetime(2024, 2, 29),
            True,
            None,
            "  ",
            None,
        ]
    )
    # text cells: what was typed, to the last digit
    sheet.append(
        ["Tekst", "0,12345678901234567890", "1.234,50", "007", "29-02-2024", "nee", "", "n", "w"]
    )
    sheet.append(["Datum fout", 1, 1, 1, "29-02-2023", True, None, None, None])
    sheet.append(["Te precies", 1, 12.345, 1, dt.datetime(2024, 1, 1), True, None, None, None])
    sheet.append(["Geen geheel", 1, 1, 4.5, dt.datetime(2024, 1, 1), True, None, None, None])
    file = tmp_path / "orgs.xlsx"
    book.save(file)
    status, error = run(cli, tmp_path, file)
    assert status[2] == status[3] == "created", error
    got = received(afas_env)
    typed, text = got["Getypt"], got["Tekst"]
    assert digits(typed["lang"]) == "0.123456789012346"  # what Excel itself keeps: 15 digits
    assert digits(typed["bedrag"]) == "1234.50"
    assert typed["aantal"] == 42
    assert typed["datum"] == "2024-02-29"
    assert typed["PadAdr"] is True
    assert typed["opmerking"] == "" and typed["notitie"] is None and "leeg" not in typed
    assert digits(text["lang"]) == "0.12345678901234567890"
    assert digits(text["bedrag"]) == "1234.50"
    assert text["aantal"] == 7
    assert text["datum"] == "2024-02-29"
    assert text["PadAdr"] is False
    assert (text["opmerking"], text["notitie"], text["leeg"]) == ("", "n", "w")
    for row, (header, value) in {
        4: ("Datum", "29-02-2023"),
        5: ("Bedrag", "12,345"),
        6: ("Aantal", "4,5"),
    }.items():
        assert status[row] == "invalid", (row, error[row])
        assert header in error[row] and value in error[row], error[row]
