"""The result workbook, reopened with openpyxl: sheets, values, types, formats, colours, links,
the Summary, the languages, the payloads, and that nothing ever becomes a formula."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import re
import shlex
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import FLEX, ROOT

from importer.mappingfile import load_mapping
from importer.readers import Table
from importer.report import write_workbook
from importer.report.payloads import redact
from importer.report.runinfo import resume_command
from importer.results import Outcome, Result
from importer.status import Status
from importer.validation import Problem
from importer.xlsx import MAX_CELL, Cell, Style, Workbook

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"
SAMPLE = ROOT / "samples" / "flex" / "klanten.csv"
GREEN, BLUE, GREY, ORANGE, RED = "C6EFCE", "BDD7EE", "D9D9D9", "F8CBAD", "FFC7CE"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(cell) -> str | None:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None


def rows_of(sheet) -> list[dict[str, openpyxl.cell.Cell]]:
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if row[0].value is not None]


def summary_of(workbook) -> dict[str, object]:
    sheet = workbook.worksheets[0]
    return {r[0].value: r[1].value for r in sheet.iter_rows() if r[0].value and len(r) > 1}


def assert_no_formula_anywhere(path: Path) -> None:
    """Every cell of every sheet is a value, and the XML holds no formula element."""
    workbook = openpyxl.load_workbook(path)
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def assert_well_formed(path: Path) -> None:
    """Every XML part parses; sheet names are valid for Excel and unique."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert "[Content_Types].xml" in names and "xl/workbook.xml" in names
        for name in names:
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))
        types = archive.read("[Content_Types].xml").decode()
        for name in names:
            if name.startswith("xl/worksheets/"):
                assert f'PartName="/{name}"' in types
    sheets = openpyxl.load_workbook(path).sheetnames
    assert len({s.casefold() for s in sheets}) == len(sheets)
    for name in sheets:
        assert 0 < len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        assert not name.startswith("'") and not name.endswith("'")


def variant(tmp_path: Path, change, source: Path = SAMPLE) -> Path:
    """A copy of the Flex mapping, changed by ``change(data)``."""
    data = yaml.safe_load(FLEX.read_text())
    data["sources"]["klanten"]["file"] = str(source)
    data["templates"] = str(ROOT / "templates")
    change(data)
    path = tmp_path / "flex.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def csv_with(tmp_path: Path, name: str, edit) -> Path:
    """The Flex sample with some cells changed: ``edit(frame)``."""
    frame = pd.read_csv(SAMPLE, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    edit(frame)
    path = tmp_path / name
    frame.to_csv(path, sep=";", index=False, encoding="utf-8")
    return path


# --- the workbook of a run -------------------------------------------------------------------------


def test_error_sample_workbook_sheets_types_colours_and_links(cli, afas_env, tmp_path):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS)
    assert ran.code == 1
    path = tmp_path / "flex-result.xlsx"
    workbook = openpyxl.load_workbook(path)

    assert workbook.sheetnames == [
        "Summary", "verkooprelaties", "klantovereenkomsten", "Errors", "Explanation",
    ]  # fmt: skip
    relations = workbook["verkooprelaties"]
    assert relations.freeze_panes == "B2"
    assert relations.auto_filter.ref == "A1:V9"
    header = [c.value for c in relations[1]]
    assert header[0] == "row in file" and header[-5:] == [
        "status",
        "DbId",
        "BcCo",
        "error",
        "profitLogReference",
    ]
    assert all(c.font.b for c in relations[1])
    assert relations.column_dimensions["A"].width >= 6
    assert relations.column_dimensions["U"].width >= 30  # error

    rows = {r["row in file"].value: r for r in rows_of(relations)}
    first = rows[2]
    # ids, codes and postcodes are text: leading zeros survive
    assert first["Klantnummer"].value == "50001" and first["Klantnummer"].data_type == "s"
    assert rows[3]["KvK-nummer"].value == "01187342" and rows[3]["KvK-nummer"].data_type == "s"
    assert first["Postcode"].value == "7511 HB" and first["Huisnummer"].value == "27"
    # a declared date is a real date; an impossible one stays as the file has it
    assert first["KvK-datum"].is_date and first["KvK-datum"].value == dt.datetime(2016, 3, 4)
    assert first["KvK-datum"].number_format == "yyyy-mm-dd"
    assert rows[4]["KvK-datum"].value == "31-02-2024" and rows[4]["KvK-datum"].data_type == "s"
    # a declared integer is a number; one that is not a number stays text
    assert first["Uren per week"].value == 24 and first["Uren per week"].number_format == "0"
    assert rows[5]["Uren per week"].value == "zesendertig"
    # statuses coloured; the returned ids as text
    assert (first["status"].value, fill(first["status"])) == ("invalid", ORANGE)
    assert (rows[7]["status"].value, fill(rows[7]["status"])) == ("created", GREEN)
    assert rows[7]["DbId"].value == "50006" and rows[7]["DbId"].data_type == "s"

    agreements = {r["row in file"].value: r for r in rows_of(workbook["klantovereenkomsten"])}
    assert (agreements[7]["status"].value, fill(agreements[7]["status"])) == ("failed", RED)
    assert (agreements[3]["status"].value, fill(agreements[3]["status"])) == ("skipped", GREY)
    reference = agreements[7]["profitLogReference"].value
    assert len(reference) == 32

    errors = rows_of(workbook["Errors"])
    assert workbook["Errors"].freeze_panes == "A2"
    assert workbook["Errors"].auto_filter.ref == f"A1:J{len(errors) + 1}"
    links = {(r["step"].value, r["row"].value): r["row"].hyperlink.location for r in errors}
    assert links[("verkooprelaties", 3)] == "'verkooprelaties'!A3"
    assert links[("klantovereenkomsten", 7)] == "'klantovereenkomsten'!A7"
    failed = next(r for r in errors if r["status"].value == "failed")
    assert failed["message"].value == "Projectgroep 'ONBEKEND' bestaat niet."
    assert failed["profitLogReference"].value == reference
    assert fill(failed["status"]) == RED
    # each link lands on the row it names
    for row in errors:
        sheet, cell = row["row"].hyperlink.location.rsplit("!", 1)
        assert workbook[sheet.strip("'")][cell].value == row["row"].value

    assert_no_formula_anywhere(path)
    assert_well_formed(path)


def test_summary_says_who_what_where_and_how_to_resume(cli, afas_env, tmp_path):
    ran = cli("run", FLEX, "--input", FLEX_ERRORS, "--fresh", "--concurrency", "2")
    assert ran.code == 1
    workbook = openpyxl.load_workbook(tmp_path / "flex-result.xlsx")
    summary = summary_of(workbook)
    sheet = workbook["Summary"]

    assert sheet["A1"].value == "Import result" and sheet["A1"].font.b
    assert (
        summary["Result"]
        == "Import finished: 1 created, 1 failed, 6 invalid, 0 skipped; source rows: klanten.csv 8"
    )
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", summary["Run id"])
    assert summary["Run by"] == getpass.getuser()
    started, finished = summary["Started"], summary["Finished"]
    assert isinstance(started, dt.datetime) and started <= finished
    assert re.fullmatch(r"\d+\.\d s|\d+ min \d+ s", summary["Duration"])
    assert summary["Mapping"] == str(FLEX)
    assert summary["Mapping SHA-256"] == sha256(FLEX)
    assert summary["Input klanten"].startswith(str(FLEX_ERRORS))
    assert summary["Input klanten SHA-256"] == sha256(FLEX_ERRORS)
    assert summary["Target"] == f"{afas_env.server.host}:{afas_env.server.port}"
    assert summary["Environment"] == "sandbox"
    # the same command, without --fresh: running it again resumes
    assert summary["Command to resume"] == shlex.join(
        ["importer", "run", str(FLEX), "--input", str(FLEX_ERRORS), "--concurrency", "2"]
    )
    assert summary["Audit trail"] == "flex.audit.jsonl"
    assert summary["Problems"] == "10 (sheet Errors)"
    assert (
        sheet.cell(
            next(r for r in range(1, 40) if sheet.cell(r, 1).value == "Problems"), 2
        ).hyperlink.location
        == "'Errors'!A1"
    )
    text = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert afas_env.token not in text

    # the table of rows per step and status, coloured, each step linked to its sheet
    table = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "step")
    header = [c.value for c in sheet[table] if c.value]
    assert header == [
        "step", "connector", "counted", "rows", "invalid", "failed", "skipped", "created"
    ]  # fmt: skip
    assert fill(sheet.cell(table, 5)) == ORANGE and fill(sheet.cell(table, 8)) == GREEN
    relations = [c.value for c in sheet[table + 1]][:8]
    agreements = [c.value for c in sheet[table + 2]][:8]
    total = [c.value for c in sheet[table + 3]][:8]
    of_rows = "rows of klanten.csv"
    assert relations == ["verkooprelaties", "KnSalesRelationOrg", of_rows, 8, 6, 0, 0, 2]
    assert agreements == ["klantovereenkomsten", "PtProject", of_rows, 8, 3, 1, 3, 1]
    # each row of the file once, at its worst: the summary line's figures, not 16 rows
    once = "each row once (worst outcome)"
    assert total == ["klanten.csv", None, once, 8, 6, 1, 0, 1]
    assert sheet.cell(table + 1, 1).hyperlink.location == "'verkooprelaties'!A1"
    assert fill(sheet.cell(table + 1, 5)) == ORANGE and fill(sheet.cell(table + 1, 6)) is None


def test_formulas_from_a_file_and_from_a_server_message_stay_text(cli, afas_env, tmp_path):
    def edit(frame):
        frame.loc[0, "Naam"] = "=1+1"
        frame.loc[1, "Naam"] = "@SUM(A1)"
        frame.loc[2, "Naam"] = "+31 20 123"
        frame.loc[3, "Naam"] = "-2"
        frame.loc[4, "Naam"] = "#N/A"
        frame.loc[1, "Projectgroep"] = "@SUM(A1)"  # the sandbox echoes it in its refusal

    source = csv_with(tmp_path, "formulas.csv", edit)

    ran = cli("run", FLEX, "--input", source, "--include-payloads")

    assert (
        ran.out
        == "Import finished: 23 created, 1 failed, 1 invalid, 0 skipped; source rows: formulas.csv 25\n"
    )
    path = tmp_path / "flex-result.xlsx"
    workbook = openpyxl.load_workbook(path)
    relations = {r["row in file"].value: r for r in rows_of(workbook["verkooprelaties"])}
    for row, name in ((2, "=1+1"), (3, "@SUM(A1)"), (4, "+31 20 123"), (5, "-2"), (6, "#N/A")):
        cell = relations[row]["Naam"]
        assert (cell.value, cell.data_type) == (name, "s")
    invalid = (
        "'=1+1' starts with '=', so Excel would run it as a formula; if it is text, declare "
        "allow_formulas: true for column 'naam' in the mapping"
    )
    cell = relations[2]["error"]
    assert (cell.value, cell.data_type) == (f"Naam: {invalid}", "s")
    agreements = {r["row in file"].value: r for r in rows_of(workbook["klantovereenkomsten"])}
    error = agreements[3]["error"]
    assert (error.value, error.data_type) == ("Projectgroep '@SUM(A1)' bestaat niet.", "s")
    assert agreements[3]["Projectgroep"].value == "@SUM(A1)"
    messages = [r["message"].value for r in rows_of(workbook["Errors"])]
    assert messages == [invalid, "Projectgroep '@SUM(A1)' bestaat niet."]
    payloads = [r["JSON sent"].value for r in rows_of(workbook["Payloads"])]
    assert any('"Nm":"@SUM(A1)"' in p for p in payloads)
    assert_no_formula_anywhere(path)
    assert_well_formed(path)


def test_decimals_are_numbers_with_two_decimals_and_dates_real_dates(cli, tmp_path):
    def edit(frame):
        frame["Bedrag"] = ["1.234,50", "12,345", "-7", "veel", ""] + ["0,1"] * (len(frame) - 5)
        frame["IBAN"] = "NL91 ABNA 0417 1643 00"

    source = csv_with(tmp_path, "amounts.csv", edit)

    def change(data):
        data["steps"][0]["columns"]["bedrag"] = {"header": "Bedrag", "type": "decimal"}
        data["steps"][0]["columns"]["iban"] = {"header": "IBAN", "type": "iban"}

    mapping = variant(tmp_path, change, source)

    ran = cli("validate", mapping)

    assert ran.code == 1  # "veel" is not an amount
    workbook = openpyxl.load_workbook(tmp_path / "flex-validation.xlsx")
    assert workbook["Summary"]["A1"].value == "Validation report"
    rows = {r["row in file"].value: r for r in rows_of(workbook["verkooprelaties"])}
    amounts = [rows[n]["Bedrag"] for n in (2, 3, 4, 5, 6)]
    assert [a.value for a in amounts] == [1234.5, 12.345, -7, "veel", None]
    assert [a.number_format for a in amounts[:3]] == ["#,##0.00", "#,##0.00####", "#,##0.00"]
    assert amounts[3].data_type == "s"
    assert rows[2]["IBAN"].value == "NL91 ABNA 0417 1643 00"  # as in the file, text
    assert (rows[5]["status"].value, fill(rows[5]["status"])) == ("invalid", ORANGE)
    assert (rows[2]["status"].value, fill(rows[2]["status"])) == ("planned", "DDEBF7")
    assert rows[2]["KvK-datum"].is_date
    # the amounts' column also typed on the other step's sheet (same source)
    agreements = {r["row in file"].value: r for r in rows_of(workbook["klantovereenkomsten"])}
    assert agreements[2]["Bedrag"].value == 1234.5


def test_the_formula_message_reads_in_dutch():
    from importer.messages import Message, render

    message = Message("value.formula", value="=A1", column="naam")

    assert str(message) == (
        "'=A1' starts with '=', so Excel would run it as a formula; if it is text, declare "
        "allow_formulas: true for column 'naam' in the mapping"
    )
    assert render(message, "nl") == (
        "'=A1' begint met '=', dus Excel zou het als formule uitvoeren; is het tekst, zet dan "
        "allow_formulas: true bij kolom 'naam' in de mapping"
    )


def test_dutch_report_sheet_names_headers_statuses_and_messages(cli, tmp_path):
    ran = cli("validate", FLEX, "--input", FLEX_ERRORS, "--lang", "nl")

    assert (
        ran.out
        == "Validation finished: 2 valid, 6 invalid, 0 skipped; source rows: klanten.csv 8\n"
    )  # stdout stays English
    path = tmp_path / "flex-validation.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "Samenvatting",
        "verkooprelaties",
        "klantovereenkomsten",
        "Fouten",
        "Toelichting",
    ]
    summary = summary_of(workbook)
    assert workbook["Samenvatting"]["A1"].value == "Controlerapport"
    assert summary["Resultaat"] == (
        "Controle voltooid: 2 geldig, 6 ongeldig, 0 overgeslagen; bronrijen: klanten.csv 8"
    )
    assert summary["Uitgevoerd door"] == getpass.getuser()
    assert summary["Doel"] == "geen (niets verzonden)"
    relations = {r["rij in bestand"].value: r for r in rows_of(workbook["verkooprelaties"])}
    assert relations[3]["status"].value == "ongeldig"
    assert relations[3]["fout"].value == "Naam: is leeg; een waarde is verplicht"
    assert relations[4]["fout"].value == (
        "KvK-datum: '31-02-2024' is geen datum geschreven als DD-MM-JJJJ"
    )
    assert relations[9]["fout"].value == "Zoeknaam: is 19 tekens lang; maximaal 10 toegestaan"
    assert relations[2]["fout"].value == (
        "Klantnummer: '50001' komt meer dan eens voor (ook in rij 6); elke waarde moet uniek zijn"
    )
    assert relations[2]["KvK-datum"].number_format == "dd-mm-yyyy"
    agreements = {r["rij in bestand"].value: r for r in rows_of(workbook["klantovereenkomsten"])}
    assert agreements[3]["fout"].value == "bovenliggende rij 3 ongeldig"
    assert agreements[3]["status"].value == "overgeslagen"
    errors = rows_of(workbook["Fouten"])
    assert [c.value for c in workbook["Fouten"][1]] == [
        "stap", "bestand", "rij", "kolom", "waarde", "status", "melding", "hoort bij (bestand)",
        "hoort bij (rij)", "profitLogReference",
    ]  # fmt: skip
    assert errors[0]["rij"].hyperlink.location == "'verkooprelaties'!A2"
    assert_well_formed(path)


def test_the_mapping_sets_the_default_language_and_lang_overrides_it(cli, tmp_path):
    mapping = variant(tmp_path, lambda data: data.update(language="nl"))

    assert cli("validate", mapping).code == 0
    assert openpyxl.load_workbook(tmp_path / "flex-validation.xlsx").sheetnames[0] == "Samenvatting"
    assert cli("validate", mapping, "--lang", "en").code == 0
    assert openpyxl.load_workbook(tmp_path / "flex-validation.xlsx").sheetnames[0] == "Summary"
    assert cli("validate", mapping, "--lang", "fr").code == 2


def test_payloads_sheet_holds_the_json_sent_per_row(cli, afas_env, tmp_path):
    ran = cli("run", FLEX, "--include-payloads")
    assert ran.code == 0

    workbook = openpyxl.load_workbook(tmp_path / "flex-result.xlsx")
    assert workbook.sheetnames[-2:] == ["Payloads", "Explanation"]
    rows = rows_of(workbook["Payloads"])
    assert len(rows) == 50
    first = rows[0]
    assert (first["step"].value, first["row"].value, first["status"].value) == (
        "verkooprelaties",
        2,
        "created",
    )
    assert first["row"].hyperlink.location == "'verkooprelaties'!A2"
    sent = {
        b["KnSalesRelationOrg"]["Element"]["@DbId"]: b
        for b in afas_env.state.received("KnSalesRelationOrg")
    }
    body = json.loads(first["JSON sent"].value)
    assert body == sent["49339"]
    assert ": " not in first["JSON sent"].value  # compact
    agreement = json.loads(rows[25]["JSON sent"].value)
    assert agreement["PtProject"]["Element"]["Fields"]["DbId"] == "49339"  # the real parent id

    assert cli("run", FLEX).code == 0  # without the option: no such sheet
    assert "Payloads" not in openpyxl.load_workbook(tmp_path / "flex-result.xlsx").sheetnames


def test_step_names_that_collide_with_fixed_sheets_get_their_own_names(cli, tmp_path):
    def change(data):
        data["steps"][0]["name"] = "Summary"
        data["steps"][1]["name"] = "errors"
        data["steps"][1]["parent"]["step"] = "Summary"

    mapping = variant(tmp_path, change, FLEX_ERRORS)

    assert cli("validate", mapping).code == 1

    path = tmp_path / "flex-validation.xlsx"
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Summary", "Summary (2)", "errors (2)", "Errors", "Explanation"]
    errors = rows_of(workbook["Errors"])
    assert errors[0]["row"].hyperlink.location == "'Summary (2)'!A2"
    assert_well_formed(path)


# --- the writer, without a run ---------------------------------------------------------------------


def synthetic_result(tmp_path: Path, rows: int, error: str = "") -> Result:
    mapping = load_mapping(FLEX)
    frame = pd.read_csv(SAMPLE, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    frame = pd.concat([frame] * (rows // len(frame) + 1), ignore_index=True).iloc[:rows]
    frame.index = range(2, rows + 2)
    table = Table(path=SAMPLE, frame=frame.astype(object))
    outcomes = {
        step.name: {
            n: Outcome(n, Status.CREATED, ids={k: str(n) for k in step.keep}, error=error or None)
            for n in frame.index
        }
        for step in mapping.steps
    }
    started = dt.datetime.now().astimezone()
    return Result(mapping, {"klanten": table}, outcomes, started, finished=started)


def test_a_large_sheet_is_written_whole(tmp_path):
    # how fast: `python bench/run.py` (the dry run with its workbook), not a timed test
    result = synthetic_result(tmp_path, 20_000)

    path = write_workbook(result, tmp_path / "large.xlsx")

    # read back with calamine: openpyxl takes seconds for a sheet this size
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("verkooprelaties").to_python()
    assert len(rows) == 20_001
    assert rows[-1][0] == 20_001 and rows[-1][-5] == "created"


def test_long_and_unprintable_text_is_kept_within_what_excel_accepts(tmp_path):
    long_message = "x" * 40_000
    result = synthetic_result(tmp_path, 3, error=long_message)
    result.outcomes["verkooprelaties"][2] = Outcome(2, Status.FAILED, error="bad\x00byte\x1b[31m")
    result.outcomes["verkooprelaties"][3] = Outcome(3, Status.FAILED, error=long_message)

    path = write_workbook(result, tmp_path / "long.xlsx")

    workbook = openpyxl.load_workbook(path)
    rows = {r["row in file"].value: r for r in rows_of(workbook["verkooprelaties"])}
    assert rows[2]["error"].value == "bad\ufffdbyte\ufffd[31m"
    cut = rows[3]["error"].value
    assert len(cut) == MAX_CELL and cut.endswith("[... truncated: 40000 characters in all]")
    assert_well_formed(path)


def test_the_xlsx_writer_round_trips_values_and_styles(tmp_path):
    book = Workbook()
    bold = book.style(Style(bold=True, fill="C6EFCE", color="006100"))
    money = book.style(Style(number_format="0.00"))
    day = book.style(Style(number_format="dd-mm-yyyy"))
    sheet = book.add_sheet("Blad 'één' 1", widths=[12, 30], freeze=(1, 1))
    sheet.append([Cell("kop", bold), Cell("link", 0, "'Blad ''één'' 1'!A2")])
    sheet.append([1, 2.5, Decimal("3.10"), True, "=SUM(A1:A2)", "<&>\"'", "", None, "tail"])
    sheet.append([Cell(Decimal("1234.5"), money), Cell(dt.date(2024, 2, 29), day)])
    sheet.append([dt.datetime(2024, 1, 1, 12, 30), dt.date(1850, 1, 1), float("nan")])
    sheet.autofilter = "A1:I4"
    with pytest.raises(ValueError, match="exists already"):
        book.add_sheet("blad 'ÉÉN' 1")
    path = tmp_path / "w.xlsx"
    book.save(path)

    sheet = openpyxl.load_workbook(path)["Blad 'één' 1"]
    assert sheet.freeze_panes == "B2" and sheet.auto_filter.ref == "A1:I4"
    assert sheet.column_dimensions["B"].width == 30
    assert sheet["A1"].font.b and fill(sheet["A1"]) == "C6EFCE"
    assert sheet["A1"].font.color.rgb.endswith("006100")
    assert sheet["B1"].hyperlink.location == "'Blad ''één'' 1'!A2"
    assert [c.value for c in sheet[2]] == [
        1,
        2.5,
        3.1,
        True,
        "=SUM(A1:A2)",
        "<&>\"'",
        None,
        None,
        "tail",
    ]
    assert sheet["E2"].data_type == "s"
    assert (sheet["A3"].value, sheet["A3"].number_format) == (1234.5, "0.00")
    assert (
        sheet["B3"].value == dt.datetime(2024, 2, 29) and sheet["B3"].number_format == "dd-mm-yyyy"
    )
    assert sheet["A4"].value == dt.datetime(2024, 1, 1, 12, 30)
    assert sheet["B4"].value == "1850-01-01" and sheet["C4"].value == "nan"
    assert_well_formed(path)


def test_resume_command_is_quoted_and_never_fresh():
    assert resume_command(["run", "m y.yaml", "--fresh", "--input", "a=b c.csv"]) == (
        "importer run 'm y.yaml' --input 'a=b c.csv'"
    )
    assert resume_command(["run", "m.yaml", "--token", "s3cret", "--api-secret=x"]) == (
        "importer run m.yaml --token '***' '--api-secret=***'"
    )


def test_payload_fields_named_like_secrets_are_masked():
    body = {"KnUser": {"Element": {"Fields": {"Pwrd": "geheim", "AtCd": "1", "Nm": "Jansen"}}}}

    masked = redact(body)

    assert masked["KnUser"]["Element"]["Fields"] == {"Pwrd": "***", "AtCd": "***", "Nm": "Jansen"}
    assert body["KnUser"]["Element"]["Fields"]["Pwrd"] == "geheim"  # the original is unchanged


def test_the_payloads_sheet_masks_fields_named_like_secrets(tmp_path):
    result = synthetic_result(tmp_path, 2)
    body = {"KnUser": {"Element": {"Fields": {"Pwrd": "geheim", "Nm": "Jansen"}}}}
    result.outcomes["verkooprelaties"][2].body = json.dumps(body)
    result.outcomes["verkooprelaties"][3].body = '{"Nm":"Jansen"}'

    path = write_workbook(result, tmp_path / "masked.xlsx", include_payloads=True)

    sent = [r["JSON sent"].value for r in rows_of(openpyxl.load_workbook(path)["Payloads"])]
    assert sent == [
        '{"KnUser":{"Element":{"Fields":{"Pwrd":"***","Nm":"Jansen"}}}}',
        '{"Nm":"Jansen"}',
    ]


def test_an_earlier_outcome_says_so(tmp_path):
    result = synthetic_result(tmp_path, 2)
    result.outcomes["verkooprelaties"][2] = Outcome(
        2, Status.CREATED, ids={"DbId": "1"}, earlier=True
    )

    path = write_workbook(result, tmp_path / "earlier.xlsx")

    workbook = openpyxl.load_workbook(path)
    row = rows_of(workbook["verkooprelaties"])[0]
    assert (row["status"].value, row["error"].value) == ("created", None)  # not an error
    assert row["note"].value == "done in an earlier run"
    header = next(r for r in workbook["Summary"].iter_rows(values_only=True) if r[0] == "step")
    assert header[-1] == "already done"


def test_problem_values_of_any_type_are_written(tmp_path):
    result = synthetic_result(tmp_path, 2)
    problem = Problem("klanten.csv", 2, "KvK-datum", dt.date(2024, 1, 1), "is too early")
    result.outcomes["verkooprelaties"][2] = Outcome(
        2, Status.INVALID, error="x", problems=[problem]
    )

    path = write_workbook(result, tmp_path / "p.xlsx")

    errors = rows_of(openpyxl.load_workbook(path)["Errors"])
    assert errors[0]["value"].value == "2024-01-01" and errors[0]["message"].value == "is too early"
