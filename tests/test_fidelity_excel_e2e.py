"""Excel's displayed text end to end: xlsx number, date and text cells (and their CSV
equivalents, cp1252 and UTF-8) imported through the CLI into the sandbox over real HTTP, and
compared field for field with what the sandbox stored (issue 17)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import statuses

NBSP, ZWSP = "\u00a0", "\u200b"
NFD = unicodedata.normalize("NFD", "Café Zoë")
NFC = unicodedata.normalize("NFC", "Café Zoë")
TEMPLATE = """{
  "KnOrganisation": {"Element": {"Fields": {
    "MatchOga": "6", "AutoNum": true, "PadAdr": false,
    "Nm": {{ row.naam }}, "SeNm": {{ row.get("zoeknaam") }},
    "XpRe": {{ row.get("code") }}, "TeNr": {{ row.get("telefoon") }},
    "FiNr": {{ row.get("fiscaal") }}, "HoPa": {{ row.get("datum") }}
  }}}
}
"""
HEADERS = ["Naam", "Zoeknaam", "Code", "Telefoon", "Fiscaal", "Datum"]


def mapping(tmp_path: Path, sheet: Path, **source) -> Path:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "org.json.j2").write_text(TEMPLATE, encoding="utf-8")
    text = {"type": "text"}
    data = {
        "version": 1,
        "target": "afas",
        "templates": str(tmp_path / "templates"),
        "sources": {"orgs": {"file": str(sheet), **source}},
        "steps": [
            {
                "name": "orgs",
                "source": "orgs",
                "connector": "KnOrganisation",
                "template": "org.json.j2",
                "key": "naam",
                "columns": {
                    "naam": {"header": "Naam", "required": True},
                    "zoeknaam": {"header": "Zoeknaam"},
                    "code": {"header": "Code", **text},
                    "telefoon": {"header": "Telefoon"},
                    "fiscaal": {"header": "Fiscaal"},
                    "datum": {"header": "Datum"},
                },
            }
        ],
    }
    path = tmp_path / "orgs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stored(box) -> dict[str, dict]:
    """What the sandbox holds of each organisation, by its name."""
    return {o["fields"]["Nm"]: o["fields"] for o in box.state.organisations.values()}


def workbook(path: Path, rows: list[list], formats: dict[str, str]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Organisaties"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    for column, code in formats.items():
        for cell in sheet[column][1:]:
            cell.number_format = code
    book.save(path)
    return path


def test_number_cells_in_text_columns_arrive_as_excel_displays_them(cli, afas_env, tmp_path):
    sheet = workbook(
        tmp_path / "orgs.xlsx",
        [
            ["Padded", "ZN", 15, 612345678, 124, dt.datetime(2024, 2, 29)],
            ["Fixed", "ZN", 12.5, 201234567, 7, dt.datetime(2024, 12, 31)],
        ],
        {"C": "0000", "D": "0000000000", "E": "000000", "F": "dd-mm-yyyy"},
    )
    sheet2 = openpyxl.load_workbook(sheet)
    sheet2.active["C3"].number_format = "0.00"
    sheet2.save(sheet)

    ran = cli("run", mapping(tmp_path, sheet))

    assert ran.code == 0, ran.err
    held = stored(afas_env)
    assert (held["Padded"]["XpRe"], held["Padded"]["TeNr"], held["Padded"]["FiNr"]) == (
        "0015",
        "0612345678",
        "000124",
    )
    assert held["Padded"]["HoPa"] == "29-02-2024"  # a date in a text column: as displayed
    assert (held["Fixed"]["XpRe"], held["Fixed"]["FiNr"]) == ("12.50", "000007")
    assert held["Fixed"]["HoPa"] == "31-12-2024"
    assert "Warning" not in ran.err


def test_numbers_whose_display_is_not_certain_warn_once_per_column(cli, afas_env, tmp_path):
    sheet = workbook(
        tmp_path / "orgs.xlsx",
        [
            ["Een", "ZN", 1234, 5, 6, dt.datetime(2024, 2, 29)],
            ["Twee", "ZN", 5678, 5, 6, dt.datetime(2024, 3, 1)],
        ],
        {"C": "#,##0", "D": "General", "E": "@", "F": "mm-dd-yy"},  # F: built-in 14
    )

    ran = cli("run", mapping(tmp_path, sheet))

    assert ran.code == 0, ran.err
    held = stored(afas_env)
    assert (held["Een"]["XpRe"], held["Een"]["TeNr"], held["Een"]["FiNr"]) == ("1234", "5", "6")
    assert held["Een"]["HoPa"] == "2024-02-29"  # the computer's short date: sent as ISO
    warnings = [line for line in ran.err.splitlines() if line.startswith("Warning")]
    assert len(warnings) == 2, ran.err
    assert "column 'Code'" in warnings[0] and "format the cells as Text" in warnings[0]
    assert "column 'Datum'" in warnings[1] and "YYYY-MM-DD" in warnings[1]
    book = openpyxl.load_workbook(tmp_path / "orgs-result.xlsx")
    summary = " ".join(str(c) for row in book["Summary"].iter_rows(values_only=True) for c in row)
    assert "column 'Code'" in summary


@pytest.mark.parametrize("kind", ["xlsx", "utf-8", "cp1252"])
def test_text_arrives_as_typed_and_one_character_over_the_field_is_invalid(
    cli, afas_env, tmp_path, kind
):
    over = "ABCDEFGHIJK"  # SeNm holds 10 characters
    rows = [
        ["Maximaal", "ABCDEFGHIJ", "0015", "0612345678", "x"],
        ["Te lang", over, "1", "1", "x"],
        [f"Spatie{NBSP}binnen", "ZN", f"A{ZWSP}B", "1", "x"],
        [NFC, "ZN", "nfc", "1", "x"],
        [NFD, "ZN", "nfd", "1", "x"],
    ]
    if kind == "cp1252":  # no zero-width space nor NFD in cp1252
        rows = [[c.replace(ZWSP, "") for c in r] for r in rows if r[0] != NFD]
    if kind == "xlsx":
        sheet = workbook(tmp_path / "orgs.xlsx", [[*r, None] for r in rows], {})
    else:
        sheet = tmp_path / "orgs.csv"
        lines = [";".join(HEADERS)] + [";".join([*r, ""]) for r in rows]
        sheet.write_bytes(("\r\n".join(lines) + "\r\n").encode(kind))

    ran = cli("run", mapping(tmp_path, sheet))

    assert ran.code == 1, ran.err
    held = stored(afas_env)
    assert held["Maximaal"]["SeNm"] == "ABCDEFGHIJ"
    assert (held["Maximaal"]["XpRe"], held["Maximaal"]["TeNr"]) == ("0015", "0612345678")
    assert "Te lang" not in held
    book = tmp_path / "orgs-result.xlsx"
    assert statuses(book, "orgs")[3] == "invalid"
    rows_ = list(openpyxl.load_workbook(book)["orgs"].iter_rows(values_only=True))
    problem = " ".join(str(c) for c in rows_[2] if c)
    assert "SeNm" in problem and "11" in problem
    # non-breaking and zero-width spaces inside a value, NFC and NFD: kept as they are
    assert f"Spatie{NBSP}binnen" in held
    if kind != "cp1252":
        assert held[f"Spatie{NBSP}binnen"]["XpRe"] == f"A{ZWSP}B"
        assert held[NFD]["XpRe"] == "nfd"
    assert held[NFC]["XpRe"] == "nfc"


def test_importer_new_says_which_text_columns_hold_number_cells(cli, tmp_path):
    sheet = workbook(
        tmp_path / "klanten.xlsx",
        [["Jansen BV", "JANSEN", 124, 612345678, 5, None]],
        {"C": "000000", "D": "0000000000"},
    )
    book = openpyxl.load_workbook(sheet)
    book.active["C1"] = "Debiteurnummer"
    book.save(sheet)

    ran = cli("new", "-c", "KnSalesRelationOrg", "-i", sheet, "--out-dir", tmp_path / "m")

    assert ran.code == 0, ran.err
    text = (tmp_path / "m" / "klanten.yaml").read_text(encoding="utf-8")
    assert "number cells in Excel (from row 2)" in text
    assert "format the column as Text in Excel" in text
