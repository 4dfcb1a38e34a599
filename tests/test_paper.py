"""The result workbook on screen and on paper: page set-up, number formats, the row column,
the Explanation sheet, what was sent beside what was read, the rows to fix in their source's
format, and the PDF that tools/print_workbook.py renders (where LibreOffice is installed)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import openpyxl
import pytest
import yaml
from conftest import FLEX, ROOT

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"
RECRAS = ROOT / "mappings" / "recras-klanten.yaml"
RECRAS_ERRORS = ROOT / "samples" / "recras" / "contactpersonen-fouten.csv"
ROW_FILL = "F2F2F2"


def flex_errors(cli, tmp_path, lang: str = "en"):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS, "--lang", lang)
    assert ran.code == 1, ran.err
    return ran, openpyxl.load_workbook(tmp_path / "flex-result.xlsx")


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_every_sheet_prints_landscape_one_page_wide_with_its_header_and_a_footer(
    cli, afas_env, tmp_path, lang
):
    _, workbook = flex_errors(cli, tmp_path, lang)
    run_id = workbook.worksheets[0]["B4"].value
    for sheet in workbook:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth == 1
        footer = sheet.oddFooter
        assert footer.left.text == "&F, &A"  # the file's name, the sheet's
        assert run_id in footer.center.text
        assert "&P" in footer.right.text and "&N" in footer.right.text
    summary, *others = workbook.worksheets
    assert summary.page_setup.fitToHeight == 1 and summary.print_title_rows is None
    for sheet in others[:-1]:  # the step sheets and Errors: as many pages down as it takes
        assert sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows == "$1:$1", sheet.title
    page = "pagina &P van &N" if lang == "nl" else "page &P of &N"
    assert summary.oddFooter.right.text == page


def test_the_summary_wraps_its_values_so_the_result_line_prints_whole(cli, afas_env, tmp_path):
    _, workbook = flex_errors(cli, tmp_path)
    summary = workbook["Summary"]
    result = summary["B3"]
    assert summary["A3"].value == "Result" and result.value.startswith("Import finished")
    assert result.alignment.wrap_text and summary.column_dimensions["B"].width >= 60


def test_the_row_column_is_set_apart_and_says_it_is_the_row_in_the_file(cli, afas_env, tmp_path):
    _, workbook = flex_errors(cli, tmp_path, "nl")
    sheet = workbook["verkooprelaties"]
    assert sheet["A1"].value == "rij in bestand" and sheet["B1"].value == "Klantnummer"
    for cell in (sheet["A1"], sheet["A2"]):
        assert cell.border.right.style == "thin"
    assert sheet["A2"].value == 2 and sheet["A2"].fill.fgColor.rgb[-6:] == ROW_FILL
    assert sheet["B2"].value == "50001" and sheet["B2"].border.right.style is None
    assert sheet["B2"].fill.fill_type is None


def test_amounts_are_grouped_with_two_decimals_and_dates_follow_the_language(cli, tmp_path):
    def amounts(data):
        data["steps"][0]["columns"]["bedrag"] = {"header": "Bedrag", "type": "decimal"}

    source = tmp_path / "klanten.csv"
    text = FLEX_ERRORS.read_text(encoding="utf-8-sig").splitlines()
    text = [text[0] + ";Bedrag"] + [line + ";1.234,5" for line in text[1:]]
    source.write_text("\n".join(text) + "\n", encoding="utf-8")
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(source)
    data["templates"] = str(ROOT / "templates")
    amounts(data)
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    for lang, date in (("nl", "dd-mm-yyyy"), ("en", "yyyy-mm-dd")):
        assert cli("validate", mapping, "--lang", lang).code == 1
        sheet = openpyxl.load_workbook(tmp_path / "flex-validation.xlsx")["verkooprelaties"]
        header = [c.value for c in sheet[1]]
        amount = sheet.cell(2, header.index("Bedrag") + 1)
        assert (amount.value, amount.number_format) == (1234.5, "#,##0.00")
        assert sheet.cell(2, header.index("KvK-datum") + 1).number_format == date


def test_the_explanation_names_the_statuses_and_profits_ids_in_its_own_words(
    cli, afas_env, tmp_path
):
    _, workbook = flex_errors(cli, tmp_path, "nl")
    assert workbook.sheetnames[-1] == "Toelichting"
    rows = {r[0]: r[1] for r in workbook["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert rows["ongeldig"].startswith("Niet verzonden")
    assert rows["DbId"].startswith("Debiteurnummer")
    assert rows["BcCo"].startswith("Organisatie-/persoonscode")
    assert rows["PrId"].startswith("Projectnummer")
    assert "OrNu" not in rows  # no order step: not a column of this workbook
    assert "referentie" in rows["profitLogReference"]
    assert rows["rij in bestand"].startswith("Het nummer van de rij in het bronbestand")


def test_a_recras_workbook_says_nothing_of_profit(cli, recras_env, tmp_path):
    ran = cli("run", RECRAS, "--input", f"contactpersonen={RECRAS_ERRORS}")
    assert ran.code == 1, ran.err
    workbook = openpyxl.load_workbook(tmp_path / "recras-klanten-result.xlsx")
    text = " ".join(
        str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value
    )
    assert "profit" not in text.lower() and "DbId" not in text
    rows = {r[0]: r[1] for r in workbook["Explanation"].iter_rows(values_only=True) if r[0]}
    assert rows["id"].startswith("The klant's id in Recras")


def test_what_was_sent_stands_beside_what_was_read_where_they_differ(cli, tmp_path):
    source = tmp_path / "klanten.csv"
    lines = FLEX_ERRORS.read_text(encoding="utf-8-sig").splitlines()
    lines[7] = lines[7].replace(";NL;", ";BE;")  # row 8
    lines[6] = lines[6].replace(";NL;", ";;")  # row 7: empty, so the default
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(source)
    data["templates"] = str(ROOT / "templates")
    data["steps"][0]["columns"]["land"] = {
        "header": "Land", "map": {"NL": "NL", "BE": "B"}, "default": "NL"
    }  # fmt: skip
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert cli("validate", mapping).code == 1
    sheet = openpyxl.load_workbook(tmp_path / "flex-validation.xlsx")["verkooprelaties"]
    header = [c.value for c in sheet[1]]
    assert header.index("sent as") == header.index("status") + 1
    notes = {r[0]: r[header.index("sent as")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert notes[8] == "Land: BE → B"
    assert notes[7] == "Land: (empty) → NL"
    # "3526KL" is sent as "3526KL"; "7511 HB" as "7511HB": spaces only, not listed
    assert notes[2] is None and notes[4] is None


def test_rows_to_fix_are_written_in_the_sources_format_and_run_again(cli, afas_env, tmp_path):
    ran, _ = flex_errors(cli, tmp_path)
    folder = tmp_path / "flex-to-fix"
    assert "Rows to fix" in ran.err and str(folder.name) in ran.err
    fixed = folder / "klanten.csv"
    raw = fixed.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, as the sample
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    original = FLEX_ERRORS.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == original[0].split(";") + ["to fix"]
    by_number = {r[0]: r for r in rows[1:]}
    # every row but the one created (50007): invalid, failed (50006's agreement)
    numbers = [r[0] for r in rows[1:]]
    assert numbers == ["50001", "50002", "50003", "50004", "50001", "50006", "50008"]
    assert "Naam: is empty" in by_number["50002"][-1]
    assert "Zoeknaam: is 19 characters long" in by_number["50008"][-1]
    assert rows[1][:-1] == original[1].split(";")  # the file's own text, cell for cell

    # correct them in the file and run again with it
    fixes = {"50002": (1, "Timmerfabriek Hoekstra"), "50003": (5, "28-02-2024"),
             "50004": (15, "36"), "50008": (3, "BOS"), "50006": (13, "ALG")}  # fmt: skip
    kept = [rows[0][:-1]]
    seen = set()
    for row in rows[1:]:
        number = row[0]
        if number == "50001":
            if number in seen:
                row[0] = "50005"  # the second 50001 was meant to be 50005
            seen.add(number)
        if number in fixes:
            at, value = fixes[number]
            row[at] = value
        kept.append(row[:-1])
    with fixed.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(kept)
    again = cli("run", FLEX, "--input", f"klanten={fixed}")
    assert again.code == 0, again.err
    assert "Rows to fix" not in again.err
    assert len(afas_env.state.debtors) == 8 and len(afas_env.state.projects) == 8


def test_rows_to_fix_of_a_workbook_keep_its_sheet(cli, tmp_path):
    source = tmp_path / "klanten.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Klanten"
    for line in FLEX_ERRORS.read_text(encoding="utf-8-sig").splitlines():
        sheet.append(line.split(";"))
    book.save(source)
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"] = {"file": str(source), "sheet": "Klanten", "locale": "nl"}
    data["templates"] = str(ROOT / "templates")
    mapping = tmp_path / "flex.yaml"
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert cli("validate", mapping).code == 1
    fixed = openpyxl.load_workbook(tmp_path / "flex-validation-to-fix" / "klanten.xlsx")
    assert fixed.sheetnames == ["Klanten"]
    rows = list(fixed["Klanten"].iter_rows(values_only=True))
    assert rows[0][-1] == "to fix" and rows[0][:-1] == tuple(sheet[1][i].value for i in range(16))
    assert {r[0] for r in rows[1:]} == {"50001", "50002", "50003", "50004", "50008"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_the_printed_error_sample_has_the_summary_on_one_page(cli, afas_env, tmp_path):
    flex_errors(cli, tmp_path)
    out = tmp_path / "pdf"
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "print_workbook.py"), "flex-result.xlsx",
         "--out", str(out), *(() if shutil.which("pdftoppm") else ("--no-png",))],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    sys.path.insert(0, str(ROOT / "tools"))
    from print_workbook import pages

    # Summary 1, two step sheets of 8 rows, Errors, Explanation: one page each
    assert pages(out / "flex-result.pdf") <= 5


def test_print_workbook_says_so_without_libreoffice(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    import print_workbook

    monkeypatch.setattr(print_workbook.shutil, "which", lambda name: None)
    assert print_workbook.main([str(tmp_path / "x.xlsx")]) == 2
