"""Hostile inputs: every broken file gets one clear message, and nothing is sent.

Each case is a file a user could really hand the importer. A file that cannot be read as the
user sees it stops the run (exit 2) with a message naming the file, sheet, row, column and
value, before any request; a bad row is reported and only the good rows are sent; a file that
is merely awkward (line endings, spaces, a hidden sheet, an old .xls) is read as it is meant.
The runs go through the real command against the sandbox on loopback.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from conftest import FIXTURES

from importer import excel, sheetxml
from importer.errors import InputError
from importer.readers import read_table

HOSTILE = FIXTURES / "hostile"
MAPPING = HOSTILE / "mapping.yaml"
HEADER = "Code;Naam;Datum;Bedrag\n"
GOOD = "1;Jansen B.V.;01-03-2024;1234,50\n"
SUMMARY = "Import finished: {} created, 0 failed, {} invalid, 0 skipped; source rows: {}\n"

Build = Callable[[Path], Path]


def text_file(content: str | bytes, name: str = "klanten.csv") -> Build:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return build


def workbook(
    rows: list[list[object]],
    name: str = "klanten.xlsx",
    setup: Callable[[openpyxl.Workbook], None] | None = None,
    xml: list[tuple[bytes, bytes]] | None = None,
) -> Build:
    """An xlsx with sheet Klanten; ``xml`` rewrites its sheet XML (what openpyxl can't write)."""

    def build(folder: Path) -> Path:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "Klanten"
        for row in rows:
            sheet.append(row)
        if setup:
            setup(book)
        path = folder / name
        book.save(path)
        if xml:
            _rewrite_sheet(path, xml)
        return path

    return build


def _rewrite_sheet(path: Path, replacements: list[tuple[bytes, bytes]]) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for old, new in replacements:
        assert old in parts["xl/worksheets/sheet1.xml"], old
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def copied(name: str) -> Build:
    def build(folder: Path) -> Path:
        path = folder / name
        path.write_bytes((HOSTILE / name).read_bytes())
        return path

    return build


def truncated_xlsx(folder: Path) -> Path:
    whole = workbook([["Code", "Naam"], ["1", "Jansen"]], name="heel.xlsx")(folder)
    path = folder / "klanten.xlsx"
    path.write_bytes(whole.read_bytes()[:700])  # cut off while copying
    return path


def hide_first_sheet(book: openpyxl.Workbook) -> None:
    book["Klanten"].sheet_state = "hidden"
    visible = book.create_sheet("Overzicht")
    for row in (["Code", "Naam", "Datum", "Bedrag"], ["9", "Zichtbaar B.V."]):
        visible.append(row)
    book.active = 1


def sent_names(sandbox) -> list[str]:
    """The organisation name of every body the sandbox received (writes only), sorted.

    Sorted: rows may be sent concurrently, so their order of arrival is not fixed.
    """
    return sorted(
        r["body"]["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"][
            "Fields"
        ]["Nm"]
        for r in sandbox.state.requests
        if r["method"] != "GET"
    )


# --- Whole-file problems: exit 2, one message, nothing sent, no workbook ---------------------

H = ["Code", "Naam", "Datum", "Bedrag"]
BROKEN: list[tuple[str, Build, str]] = [
    (
        "empty file",
        text_file(b""),
        "klanten.csv: the file is empty; expected a header row and data rows",
    ),
    (
        "only blank lines and delimiters",
        text_file("\r\n;;;\n   \n"),
        "klanten.csv: the file is empty; expected a header row and data rows",
    ),
    (
        "unknown encoding",
        text_file(HEADER.encode() + b"1;Caf\x81 \x8d;;\n"),
        "klanten.csv: unknown text encoding; expected UTF-8 or Windows-1252 (cp1252). Save the "
        "file as 'CSV UTF-8' or declare its encoding in the mapping",
    ),
    (
        "UTF-8 and cp1252 rows in one file",
        text_file(
            (HEADER + "1;Café Noël;;\n2;Piet;;\n").encode()
            + "3;Müller;;\n".encode("cp1252")
            + "4;Zoë;;\n".encode()
        ),
        "klanten.csv: the file mixes encodings: rows 2, 5 are UTF-8 ('Café Noël'), row 4 is "
        "cp1252 ('Müller'); read either way, one kind would be garbled. Save the file in one "
        "encoding (UTF-8)",
    ),
    (
        "UTF-16 without byte order mark",
        text_file((HEADER + GOOD).encode("utf-16-le")),
        "klanten.csv: the file is full of NUL bytes: it looks like UTF-16 text (Excel 'Unicode "
        "Text') without a byte order mark. Save it as 'CSV UTF-8', or declare encoding: utf-16 "
        "for this source in the mapping",
    ),
    (
        "NUL byte in a cell",
        text_file(HEADER + GOOD + "2;Pie\x00t;;\n"),
        "klanten.csv, row 3, column 'Naam': the value 'Pie\\x00t' contains a NUL byte (\\x00), "
        "which is not text: the file is damaged or not really CSV. Remove the NUL bytes, or "
        "export the file again",
    ),
    (
        "mixed delimiters",
        text_file(HEADER + GOOD + "2,Piet,01-03-2024,\n"),
        "klanten.csv, row 3: the whole row is in column 'Code' ('2,Piet,01-03-2024,'): it is "
        "separated by ',' while the header uses ';'. Use one delimiter throughout the file (if "
        "the value is right as it is, declare delimiter: ';' for this source in the mapping)",
    ),
    (
        "duplicate headers",
        text_file("Code;Naam;Datum;Naam\n1;Jansen;;Piet\n"),
        "klanten.csv: header 'Naam' appears twice (columns 2 and 4); every column needs its own "
        "header",
    ),
    (
        "ragged row with more cells than the header",
        text_file(HEADER + GOOD + "2;Piet;01-03-2024;12;50\n"),
        "klanten.csv, row 3: the row has more values than the header (row 1) has columns: '50' "
        "is in column 5, which has no header. A value that contains the delimiter ';' must be "
        'in quotes ("...")',
    ),
    (
        "unterminated quote",
        text_file(HEADER + GOOD + '2;"Piet;01-03-2024;\n3;Klaas;;\n'),
        "klanten.csv, row 3, column 'Naam': the quote (\") before 'Piet;01-03-2024;' is never "
        "closed, so the rest of the file would be one value. Close the quote, or remove it",
    ),
    (
        "quote closed rows later",
        text_file(HEADER + '2;"Piet;;\n3;Klaas;01-03-2024;12\n4;Els";;\n' + GOOD),
        "klanten.csv, row 2, column 'Naam': the value runs over 3 lines and holds what look like "
        "whole rows ('3;Klaas;01-03-2024;12'): a quote (\") in it is probably not closed where "
        "it should be. Close the quote, or remove it",
    ),
    (
        "byte order mark in the middle",
        text_file("\ufeff" + HEADER + GOOD + "\ufeff" + HEADER + "2;Piet;;\n"),
        "klanten.csv, row 3, column 'Code': the value '\\ufeffCode' contains a byte order mark "
        "(U+FEFF), an invisible character that is left where two files were pasted together. "
        "Remove it",
    ),
    (
        "repeated header row",
        text_file(HEADER + GOOD + HEADER + "2;Piet;;\n"),
        "klanten.csv, row 3: the row repeats the header (row 1); the file looks like several "
        "files pasted together. Remove the repeated header rows",
    ),
    (
        "header name that is only spaces",
        text_file("Code;Naam;   ;Datum;Bedrag\n1;Jansen;notitie;;\n"),
        "klanten.csv: column 3 has no header in row 1 but holds values (row 2: 'notitie'); give "
        "the column a header in row 1, or delete the column",
    ),
    (
        "missing required column",
        text_file("Code;Name;Datum;Bedrag\n1;Jansen;;\n"),
        "Column 'Naam' not found in klanten.csv (step relaties). Available columns: Code, Name, "
        "Datum, Bedrag",
    ),
    (
        "workbook saved with a .csv name",
        lambda folder: workbook([H])(folder).rename(folder / "klanten.csv"),
        "klanten.csv: this is an Excel workbook, not a CSV file; rename it to klanten.xlsx (or "
        "klanten.xls)",
    ),
    (
        "xlsx formula without a stored result",
        workbook([H, ["1", "Jansen", None, "=2*600"]]),
        "klanten.xlsx (sheet Klanten), row 2, column 'Bedrag' (cell D2): holds a formula "
        "(=2*600) but no calculated result is stored in the file (it was written by a program, "
        "not saved by Excel). Open the file in Excel and save it again, or replace the formula "
        "by its value",
    ),
    (
        "xlsx cell showing an error",
        workbook(
            [H, ["1", "Jansen", None, 1200], ["2", "Piet", None, "=D2/0"]],
            xml=[
                (
                    b'<c r="D3"><f>D2/0</f><v /></c>',
                    b'<c r="D3" t="e"><f>D2/0</f><v>#DIV/0!</v></c>',
                )
            ],
        ),
        "klanten.xlsx (sheet Klanten), row 3, column 'Bedrag' (cell D3): shows the error "
        "#DIV/0! (=D2/0), so it has no value. Correct it in Excel, or clear the cell",
    ),
    (
        "xlsx merged cells",
        workbook(
            [H, ["1", "Jansen", None, None], ["2", None, None, None]],
            setup=lambda book: book.active.merge_cells("B2:B3"),
        ),
        "klanten.xlsx (sheet Klanten), row 2, column 'Naam' (cell B2): cells B2:B3 are merged, so "
        "the value 'Jansen' is only in B2 and the other cells would be read as blank. Unmerge "
        "the cells and fill in the value in each of them",
    ),
    (
        "xlsx title rows above the header",
        workbook([["Klantenlijst maart 2024"], [], H, ["1", "Jansen"]]),
        "klanten.xlsx (sheet Klanten): row 1 holds only 'Klantenlijst maart 2024', but row 3 has "
        "4 values; the header (the column names) must be the first filled row. Delete the title "
        "rows above the header",
    ),
    (
        "xlsx number longer than Excel keeps",
        workbook([H, [1234567890123456789, "Jansen"]]),
        "klanten.xlsx (sheet Klanten), row 2, cell A2: the number 1234567890123460000 has more "
        "than 15 digits; Excel keeps only 15, so it is not the number that was typed. Format "
        "the column as Text and type the values again (or import them from CSV)",
    ),
    (
        "xlsx duplicate headers",
        workbook([["Code", "Naam", "Datum", "Code"], ["1", "Jansen", None, "2"]]),
        "klanten.xlsx (sheet Klanten): header 'Code' appears twice (columns A and D); every "
        "column needs its own header",
    ),
    (
        "xlsx value in a column without header",
        workbook([H, ["1", "Jansen", None, None, "bel terug"]]),
        "klanten.xlsx (sheet Klanten): column E has no header in row 1 but holds values (row 2: "
        "'bel terug'); give the column a header in row 1, or delete the column",
    ),
    (
        "xlsx empty sheet",
        workbook([]),
        "klanten.xlsx (sheet Klanten): the sheet is empty; expected a header row",
    ),
    (
        "password-protected xlsx",
        copied("geheim.xlsx"),
        "geheim.xlsx: the workbook is protected with a password, so it cannot be read. Open it "
        "in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password) "
        "and save it again",
    ),
    (
        "truncated xlsx",
        truncated_xlsx,
        "klanten.xlsx: not a readable Excel file: it is damaged or incomplete (cut off while "
        "copying, downloading or saving). Export or copy it again",
    ),
    (
        "zero-byte xlsx",
        text_file(b"", name="klanten.xlsx"),
        "klanten.xlsx: the file is empty (0 bytes), not an Excel workbook; save or export it again",
    ),
    (
        "HTML saved as .xls",
        text_file(
            "<html><body><table><tr><td>Code</td><td>Naam</td></tr></table></body></html>",
            name="export.xls",
        ),
        "export.xls: not a readable Excel file: a web page (HTML) with an Excel name, as some "
        "systems export them. Open it in Excel and save it as Excel Workbook (.xlsx), or export "
        "it as CSV",
    ),
    (
        "CSV saved as .xls",
        text_file("Code\tNaam\n1\tJansen\n", name="export.xls"),
        "export.xls: not a readable Excel file: a text file, not a workbook; if it is CSV, "
        "rename it to export.csv",
    ),
    (
        "Numbers file",
        text_file(b"PK\x03\x04", name="klanten.numbers"),
        "klanten.numbers: cannot read '.numbers' files; use CSV (.csv) or Excel (.xlsx) (in "
        "Numbers: File > Export To > CSV or Excel)",
    ),
    (
        "PDF file",
        text_file(b"%PDF-1.4", name="klanten.pdf"),
        "klanten.pdf: cannot read '.pdf' files; use CSV (.csv) or Excel (.xlsx)",
    ),
]


@pytest.mark.parametrize(("build", "message"), [c[1:] for c in BROKEN], ids=[c[0] for c in BROKEN])
def test_a_file_that_cannot_be_read_as_meant_stops_the_run_before_any_request(
    cli, afas_env, tmp_path, build, message
):
    path = build(tmp_path)

    ran = cli("run", MAPPING, "--input", path)

    assert ran.err == f"Error: {message}\n"
    assert (ran.code, ran.out) == (2, "")
    assert afas_env.state.requests == []
    assert not list(tmp_path.glob("*-result.xlsx"))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda folder: folder / "uploads",
            "{path}: is a folder, not a file; expected a CSV (.csv) or Excel (.xlsx) file",
        ),
        (lambda folder: folder / "nergens.csv", "Input file not found: {path}"),
    ],
    ids=["a folder", "no such file"],
)
def test_a_path_that_is_no_file_stops_the_run(cli, afas_env, tmp_path, make, message):
    (tmp_path / "uploads").mkdir()
    path = make(tmp_path)

    ran = cli("run", MAPPING, "--input", path)

    assert (ran.code, ran.err) == (2, f"Error: {message.format(path=path.resolve())}\n")
    assert afas_env.state.requests == []


def mapping_with(tmp_path: Path, source: str) -> Path:
    """The hostile mapping with other source settings, written beside the test's files."""
    text = MAPPING.read_text(encoding="utf-8")
    text = text.replace("templates: templates", f"templates: {HOSTILE / 'templates'}")
    text = text.replace("    file: klanten.csv\n", source)
    path = tmp_path / "mapping.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def with_chart(book: openpyxl.Workbook) -> None:
    book.create_chartsheet("Grafiek")


SETTINGS = [
    (
        "a sheet that does not exist",
        workbook([H, ["1", "Jansen"]], setup=hide_first_sheet),
        "    file: klanten.xlsx\n    sheet: Klant\n",
        "Sheet 'Klant' not found in klanten.xlsx. Sheets: Klanten (hidden), Overzicht. Did you "
        "mean 'Klanten'?",
    ),
    (
        "a sheet that is a chart",
        workbook([H, ["1", "Jansen"]], setup=with_chart),
        "    file: klanten.xlsx\n    sheet: Grafiek\n",
        "klanten.xlsx: sheet 'Grafiek' is a chart, not a sheet of rows and columns. Sheets: "
        "Klanten, Grafiek",
    ),
    (
        "cp1252 declared for a UTF-8 file",
        text_file(HEADER + "1;Café Ölçer;;\n"),
        "    file: klanten.csv\n    encoding: cp1252\n",
        "klanten.csv: the file is UTF-8, but the mapping declares encoding 'cp1252', which would "
        "turn 'Café' (line 2) into 'CafÃ©'. Set encoding: utf-8 for this source, or leave it out",
    ),
    (
        "cp1252 declared for a file with UTF-8 rows",
        text_file(HEADER.encode() + "1;Müller;;\n".encode("cp1252") + "2;Noël;;\n".encode()),
        "    file: klanten.csv\n    encoding: cp1252\n",
        "klanten.csv: the file mixes encodings: row 3 is UTF-8 ('Noël'), row 2 is cp1252 "
        "('Müller'); read either way, one kind would be garbled. Save the file in one encoding "
        "(UTF-8)",
    ),
    (
        "UTF-8 declared for a cp1252 file",
        text_file((HEADER + GOOD + "2;Café Ölçer;;\n").encode("cp1252")),
        "    file: klanten.csv\n    encoding: utf-8\n",
        "klanten.csv: not readable as utf-8: line 3 holds the byte 0xE9, which is not utf-8 "
        "text; check the 'encoding' of this source in the mapping",
    ),
]


@pytest.mark.parametrize(
    ("build", "source", "message"), [c[1:] for c in SETTINGS], ids=[c[0] for c in SETTINGS]
)
def test_a_source_setting_that_does_not_fit_the_file_stops_the_run(
    cli, afas_env, tmp_path, build, source, message
):
    build(tmp_path)
    mapping = mapping_with(tmp_path, source)

    ran = cli("run", mapping)

    assert (ran.code, ran.err) == (2, f"Error: {message}\n")
    assert afas_env.state.requests == []


def test_malformed_yaml_stops_before_any_file_is_read(cli, afas_env, tmp_path):
    mapping = tmp_path / "kapot.yaml"
    mapping.write_text("sources:\n  klanten:\n    file: [klanten.csv\nsteps: []\n")

    ran = cli("run", mapping)

    assert ran.code == 2
    assert ran.err == f"Error: {mapping} line 4: not valid YAML: expected ',' or ']', but got ':'\n"
    assert afas_env.state.requests == []


def test_a_key_written_twice_in_the_mapping_stops_the_run(cli, afas_env, tmp_path):
    text_file(HEADER + GOOD)(tmp_path)
    mapping = mapping_with(tmp_path, "    file: klanten.csv\n")
    text = mapping.read_text(encoding="utf-8").replace("    key: code\n", "    key: code\n" * 2)
    mapping.write_text(text.replace("    key: code\n    key", "    key: naam\n    key"))

    ran = cli("run", mapping)

    assert ran.err == (
        f"Error: {mapping} line 17: steps[0].key: appears twice (lines 16 and 17); only the "
        "last would count. Keep one of them\n"
    )
    assert (ran.code, ran.out) == (2, "")
    assert afas_env.state.requests == []


# --- Bombs and unbounded sheets: refused at once, read in linear time, stopped by a signal ---
# Run in a process of their own where the code before could hang or abort the process: a
# regression then fails its test, not the whole suite.


def importer(afas_env, cwd: Path, *args: object, timeout: float = 60) -> subprocess.Popen:
    """The importer command, pointed at the sandbox, in a process of its own."""
    env = {**os.environ, "AFAS_BASE_URL": afas_env.base_url, "AFAS_TOKEN": afas_env.token}
    return subprocess.Popen(
        [sys.executable, "-m", "importer", *map(str, args)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen, timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        process.kill()
    return process.returncode, out, err


def add_parts(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def zip_bomb(folder: Path) -> Path:
    """A small xlsx whose sheet unpacks to 50,000,000 bytes: one row, a million times over."""
    path = workbook([H, ["1", "Jansen"]])(folder)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>3</t></is></c></row>'
    fill = 50_000_000 - len(sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>", row * (fill // len(row)) + b" " * (fill % len(row)) + b"</sheetData>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(afas_env, tmp_path):
    path = zip_bomb(tmp_path)
    with zipfile.ZipFile(path) as archive:
        packed = archive.getinfo("xl/worksheets/sheet1.xml").compress_size

    code, out, err = finished(importer(afas_env, tmp_path, "run", MAPPING, "--input", path))

    assert err == (
        "Error: klanten.xlsx: refused before reading: its part xl/worksheets/sheet1.xml would "
        f"unpack to 50 MB from {packed / 1000:.3g} KB, {50_000_000 // packed:,} times its "
        "packed size; no part of a workbook may unpack to more than 100 times its size "
        "(spreadsheets pack 5 to 20 times). The file is damaged or built to exhaust memory (a "
        "'zip bomb'): ask for the data again, saved by Excel or as CSV\n"
    )
    assert (code, out) == (2, "")
    assert afas_env.state.requests == []


@pytest.mark.parametrize(
    ("cell", "shown", "cells"),
    [
        ("XFD1048576", "row 1,048,576, column XFD", 17_179_869_184),
        ("xfd1048576", "row 1,048,576, column XFD", 17_179_869_184),  # calamine reads it too
        ("A9999999", "row 9,999,999", 259_999_974),
    ],
)
def test_a_sheet_with_a_cell_far_away_is_refused_before_it_is_read(
    afas_env, tmp_path, cell, shown, cells
):
    # calamine would reserve every cell from A1 to the far one (550 GB) and abort the process
    far = (
        f'<row r="{cell.upper().lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{cell}" t="inlineStr">'
    )
    far += "<is><t>x</t></is></c></row></sheetData>"
    path = workbook([H, ["1", "Jansen"]], xml=[(b"</sheetData>", far.encode())])(tmp_path)

    code, out, err = finished(importer(afas_env, tmp_path, "run", MAPPING, "--input", path))

    assert err == (
        f"Error: klanten.xlsx (sheet Klanten): refused before reading: it has cells as far as "
        f"{shown}, and reading it would take room for {cells:,} cells (at most 50,000,000). "
        "Delete the empty rows and columns before the far cells in Excel (or the stray value "
        "far away), or export the data as CSV\n"
    )
    assert (code, out) == (2, "")
    assert afas_env.state.requests == []


def test_a_workbook_that_would_unpack_to_too_much_is_refused(tmp_path, monkeypatch):
    path = workbook([H, ["1", "Jansen"]])(tmp_path)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(excel, "MAX_UNPACKED", 2_000)  # far below the 1 GB of real use

    with pytest.raises(InputError) as refused:
        read_table(path)

    assert str(refused.value) == (
        f"klanten.xlsx: refused before reading: it would unpack to {total / 1000:.3g} KB, and "
        "a workbook may unpack to at most 2 KB. Split the rows over several files, or export "
        "them as CSV"
    )


def test_a_workbook_declaring_more_texts_than_it_can_hold_is_refused(afas_env, tmp_path):
    path = workbook([H, ["1", "Jansen"]])(tmp_path)
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    sst += b'uniqueCount="999999999999"/>'
    add_parts(path, {"xl/sharedStrings.xml": sst})

    # calamine would reserve room for that many texts: 24 TB, and the process would abort
    code, out, err = finished(importer(afas_env, tmp_path, "run", MAPPING, "--input", path))

    assert err == (
        "Error: klanten.xlsx: refused before reading: it is damaged: xl/sharedStrings.xml "
        f"declares 999,999,999,999 texts in {len(sst)} bytes. Open it in Excel and save it "
        "again, or export the data as CSV\n"
    )
    assert (code, out) == (2, "")
    assert afas_env.state.requests == []


def rowless_sheet(folder: Path, cells: int) -> Path:
    """An xlsx whose cells stand in no row element (calamine reads it): no row ends at all."""
    path = workbook([H, ["1", "Jansen"]])(folder)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = re.sub(rb"</?row[^>]*>", b"", parts["xl/worksheets/sheet1.xml"])
    many = b"".join(
        b'<c r="A%d" t="inlineStr"><is><t>%d</t></is></c>' % (n, n) for n in range(3, cells)
    )
    last = b'<c r="B%d"><f>1+1</f></c>' % cells  # a formula without a stored result, at the end
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>", many + last + b"</sheetData>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_sheet_without_row_ends_is_scanned_a_piece_at_a_time(tmp_path):
    path = rowless_sheet(tmp_path, 300_000)  # 15 MB of sheet XML
    raw = path.read_bytes()

    tracemalloc.start()
    try:
        found = sheetxml._scan_sheet_xml(raw, "Klanten")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    # what is carried from one read to the next stays short: held whole, the 15 MB (twice,
    # while joined to the next read) made the scan quadratic
    assert peak < 10_000_000
    assert found == [("B", 300_000, b"1+1", None)]
    with pytest.raises(InputError, match=r"row 300000, column 'Naam' \(cell B300000\): holds"):
        read_table(path)


def test_a_cell_whose_attribute_holds_many_tags_is_read_at_once(afas_env, tmp_path):
    # calamine accepts '<' in an attribute; a pattern that ran on over it went quadratic
    path = workbook(
        [H, ["1", "Jansen B.V.", None, "=2*600"], ["2", "Piet"]],
        xml=[
            (b"<f>2*600</f><v />", b"<f>2*600</f><v>1200</v>"),
            (
                b'<c r="B3" t="inlineStr">',
                b'<c r="B3" t="inlineStr" x="' + b"<c " * 100_000 + b'">',
            ),
        ],
    )(tmp_path)

    code, out, err = finished(importer(afas_env, tmp_path, "validate", MAPPING, "--input", path))

    assert (code, out) == (
        0,
        "Validation finished: 2 valid, 0 invalid, 0 skipped; source rows: klanten.xlsx (sheet Klanten) 2\n",
    ), err


def big_workbook(path: Path, rows: int) -> Path:
    """An xlsx of ``rows`` customers, its sheet XML written directly (openpyxl takes minutes)."""

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    header = "".join(cell(f"{c}1", t) for c, t in zip("ABCD", H, strict=True))
    body = "".join(
        f'<row r="{n}">{cell(f"A{n}", str(n))}{cell(f"B{n}", f"Klant {n} B.V.")}'
        f"{cell(f'C{n}', '01-03-2024')}{cell(f'D{n}', '12,50')}</row>"
        for n in range(2, rows + 2)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
        'name="Klanten" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
        f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1">{header}'
        f"</row>{body}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads CPU time from /proc")
def test_sigterm_while_the_files_are_read_ends_the_run_at_once(afas_env, tmp_path):
    path = big_workbook(tmp_path / "klanten.xlsx", 200_000)  # reading and checking: ~20 s
    process = importer(afas_env, tmp_path, "run", MAPPING, "--input", path)
    # CPU time, not the clock, tells when the imports (~1.3 s) are done, whatever the load
    while process.poll() is None and cpu_seconds(process.pid) < 3:
        time.sleep(0.02)

    process.send_signal(signal.SIGTERM)
    code, out, err = finished(process, timeout=10)  # before, it read and checked on: ~1 min

    assert (code, out, err) == (130, "", "Interrupted before anything was sent.\n")
    assert afas_env.state.requests == []


# --- Row problems: the row is reported, the good rows are sent -------------------------------

ROW_PROBLEMS = [
    (
        "duplicate keys",
        "7;Piet;;\n7;Klaas;;\n",
        [
            "klanten.csv row 3 (relaties): invalid: Code: '7' appears more than once (also in "
            "row 4); each value must be unique",
            "klanten.csv row 4 (relaties): invalid: Code: '7' appears more than once (also in "
            "row 3); each value must be unique",
        ],
    ),
    (
        "impossible date",
        "2;Piet;31-02-2024;\n",
        [
            "klanten.csv row 3 (relaties): invalid: Datum: '31-02-2024' is not a date written as DD-MM-YYYY"
        ],
    ),
    (
        "amount with a decimal point where a comma is declared",
        "2;Piet;;12.50\n",
        [
            "klanten.csv row 3 (relaties): invalid: Bedrag: '12.50' is not a number with a decimal comma, such as 1234,56"
        ],
    ),
    (
        "text that Excel would run as a formula",
        '2;"=HYPERLINK(""http://x.example"",""klik"")";;\n',
        [
            'klanten.csv row 3 (relaties): invalid: Naam: \'=HYPERLINK("http://x.example","klik")\' '
            "starts with '=', so Excel would run it as a formula; if it is text, declare "
            "allow_formulas: true for column 'naam' in the mapping"
        ],
    ),
    (
        "10,000-character cell",
        "2;" + "x" * 10_000 + ";;\n",
        [
            "klanten.csv row 3 (relaties): invalid: Naam: is 10000 characters long; at most 255 allowed"
        ],
    ),
    (
        "row with fewer cells than the header",
        "2\n",
        ["klanten.csv row 3 (relaties): invalid: Naam: is empty; a value is required"],
    ),
]


@pytest.mark.parametrize(
    ("rows", "lines"), [c[1:] for c in ROW_PROBLEMS], ids=[c[0] for c in ROW_PROBLEMS]
)
def test_a_bad_row_is_reported_and_only_the_good_rows_are_sent(
    cli, afas_env, tmp_path, rows, lines
):
    path = text_file(HEADER + GOOD + rows)(tmp_path)

    ran = cli("run", MAPPING, "--input", path)

    assert ran.code == 1
    assert ran.out == SUMMARY.format(1, len(lines), f"{path.name} {1 + len(lines)}")
    for line in lines:
        assert line in ran.err.splitlines()
    assert sent_names(afas_env) == ["Jansen B.V."]


def test_a_cell_of_more_than_ten_million_characters_makes_its_row_invalid(cli, afas_env, tmp_path):
    # Naam without max_length: before, the body of that row was more than ten million
    # characters long, and the template refusal stopped the whole run
    path = text_file(HEADER + GOOD + "2;" + "x" * 10_000_001 + ";;\n")(tmp_path)
    mapping = mapping_with(tmp_path, f"    file: {path}\n")
    mapping.write_text(mapping.read_text().replace(", max_length: 255}", "}"))
    out = tmp_path / "result.xlsx"

    ran = cli("run", mapping, "--out", out)

    assert (ran.code, ran.out) == (1, SUMMARY.format(1, 1, f"{path.name} 2")), ran.err[-500:]
    assert (
        "klanten.csv row 3 (relaties): invalid: Naam: is 10,000,001 characters long; a cell "
        "can hold at most 1,000,000"
    ) in ran.err.splitlines()
    assert sent_names(afas_env) == ["Jansen B.V."]
    assert len(ran.err) < 2000  # the cell is named, not shown


def test_a_long_cell_is_read_whole(tmp_path):
    path = text_file(HEADER + "2;" + "é" * 10_000 + ";;\n")(tmp_path)

    assert read_table(path).frame.loc[2, "Naam"] == "é" * 10_000


# --- Awkward but readable: every row is sent, as the user sees it ---------------------------

READABLE: list[tuple[str, Build, list[str]]] = [
    (
        "header only: nothing to import",
        text_file(HEADER),
        [],
    ),
    (
        "a leading +, - or @ is data, not a formula",
        text_file(HEADER + "1;+31 20 123 4567;;\n2;-5 graden B.V.;;\n3;@jansen;;\n"),
        ["+31 20 123 4567", "-5 graden B.V.", "@jansen"],
    ),
    (
        "CRLF and LF mixed",
        text_file(HEADER.replace("\n", "\r\n") + GOOD + "2;Piet;;\r\n3;Klaas;;\n"),
        ["Jansen B.V.", "Piet", "Klaas"],
    ),
    (
        "old Mac line endings (CR only)",
        text_file((HEADER + GOOD + "2;Piet;;\n").replace("\n", "\r")),
        ["Jansen B.V.", "Piet"],
    ),
    (
        "headers with surrounding spaces",
        text_file(" Code ;\tNaam ;Datum;  Bedrag\n" + GOOD),
        ["Jansen B.V."],
    ),
    (
        "trailing empty rows and columns",
        text_file("Code;Naam;Datum;Bedrag;;\n1;Jansen B.V.;;;;\n2;Piet;;;;;\n;;;;;\n\n;;\n"),
        ["Jansen B.V.", "Piet"],
    ),
    (
        "Excel's sep= line",
        text_file("sep=;\n" + HEADER + GOOD),
        ["Jansen B.V."],
    ),
    (
        "UTF-16 with byte order mark (Excel 'Unicode Text', tabs)",
        text_file((HEADER + GOOD + "2;Zoë Ölçer;;\n").replace(";", "\t").encode("utf-16")),
        ["Jansen B.V.", "Zoë Ölçer"],
    ),
    (
        "Windows-1252 text",
        text_file((HEADER + "1;Café Ölçer;;\n").encode("cp1252")),
        ["Café Ölçer"],
    ),
    (
        "blank lines above the header",
        text_file("\n;;;\n" + HEADER + GOOD),
        ["Jansen B.V."],
    ),
    (
        "legacy .xls with a hidden first sheet",
        copied("klanten.xls"),
        ["Café Ölçer", "Jansen B.V."],
    ),
    (
        "xlsx whose first sheet is hidden",
        workbook([H, ["1", "Verborgen"]], setup=hide_first_sheet),
        ["Zichtbaar B.V."],
    ),
    (
        "xlsx formula with its stored result",
        workbook(
            [H, ["1", '=CONCAT("Jansen"," B.V.")', None, "=2*600"]],
            xml=[
                (b"<f>2*600</f><v />", b"<f>2*600</f><v>1200</v>"),
                (
                    b'<c r="B2"><f>CONCAT("Jansen"," B.V.")</f><v />',
                    b'<c r="B2" t="str"><f>CONCAT("Jansen"," B.V.")</f><v>Jansen B.V.</v>',
                ),
            ],
        ),
        ["Jansen B.V."],
    ),
    (
        "xlsx trailing formatted but empty rows and columns",
        workbook(
            [H, ["1", "Jansen B.V.", None, None, None, None], [None] * 6, ["", " ", None]],
            setup=lambda book: book.active.cell(row=40, column=12, value=""),
        ),
        ["Jansen B.V."],
    ),
]


@pytest.mark.parametrize(
    ("build", "names"), [c[1:] for c in READABLE], ids=[c[0] for c in READABLE]
)
def test_an_awkward_file_is_read_as_the_user_sees_it(cli, afas_env, tmp_path, build, names):
    path = build(tmp_path)

    ran = cli("run", MAPPING, "--input", path)

    assert (ran.code, re.sub(r" \(sheet [^)]*\)", "", ran.out)) == (
        0,
        SUMMARY.format(len(names), 0, f"{path.name} {len(names)}"),
    ), ran.err
    assert sent_names(afas_env) == sorted(names)


# --- What the reader tells: row numbers, warnings, values ------------------------------------


@pytest.mark.parametrize(
    ("build", "rows"),
    [
        (text_file("\n;;;\n" + HEADER + GOOD + "\n2;Piet;;\n"), [4, 6]),
        (text_file("sep=;\n" + HEADER + GOOD + '2;"twee\nregels";;\n3;Klaas;;\n'), [2, 3, 4]),
        (text_file((HEADER + GOOD + "\n2;Piet;;\n").replace("\n", "\r")), [2, 4]),
        (workbook([[], [], H, ["1", "Jansen"], [], ["2", "Piet"]]), [4, 6]),
        (copied("klanten.xls"), [2, 3]),
    ],
    ids=["blank lines above", "sep= line and a cell over two lines", "CR only", "xlsx", "xls"],
)
def test_row_numbers_stay_as_the_user_sees_them(tmp_path, build, rows):
    assert list(read_table(build(tmp_path)).frame.index) == rows


def test_formula_text_is_read_as_text(tmp_path):
    def as_text(book: openpyxl.Workbook) -> None:
        book.active["B2"].data_type = "s"

    csv_table = read_table(text_file(HEADER + "2;=A2;;\n")(tmp_path))
    xlsx_table = read_table(workbook([H, ["1", "=HYPERLINK(1)"]], setup=as_text)(tmp_path))

    assert (csv_table.frame.loc[2, "Naam"], csv_table.warnings) == ("=A2", [])
    assert (xlsx_table.frame.loc[2, "Naam"], xlsx_table.warnings) == ("=HYPERLINK(1)", [])


def test_a_column_that_allows_formulas_sends_them_as_they_are(cli, afas_env, tmp_path):
    formula = '=HYPERLINK("http://x.example","klik")'
    text_file(HEADER + GOOD + '2;"=HYPERLINK(""http://x.example"",""klik"")";;\n')(tmp_path)
    mapping = mapping_with(tmp_path, "    file: klanten.csv\n")
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace("max_length: 255}", "max_length: 255, allow_formulas: true}"))

    ran = cli("run", mapping)

    assert (ran.code, ran.out) == (0, SUMMARY.format(2, 0, "klanten.csv 2")), ran.err
    assert sent_names(afas_env) == sorted(["Jansen B.V.", formula])


def test_a_header_only_file_is_an_empty_table_with_a_warning(tmp_path):
    table = read_table(text_file(HEADER + ";;;\n")(tmp_path))

    assert table.columns == ["Code", "Naam", "Datum", "Bedrag"] and table.frame.empty
    assert list(map(str, table.warnings)) == [
        "klanten.csv: no data rows below the header (row 1); nothing to import"
    ]


def test_a_hidden_sheet_is_read_when_named_with_a_warning(tmp_path):
    path = workbook([H, ["1", "Jansen"]], setup=hide_first_sheet)(tmp_path)

    default = read_table(path)
    named = read_table(path, sheet=" klanten ")  # like Excel: case and outer spaces don't count

    assert (default.sheet, default.frame.loc[2, "Naam"]) == ("Overzicht", "Zichtbaar B.V.")
    assert (named.sheet, named.frame.loc[2, "Naam"]) == ("Klanten", "Jansen")
    assert list(map(str, named.warnings)) == [
        "klanten.xlsx: sheet 'Klanten' is hidden in Excel; it is read because the mapping names it"
    ]
    assert default.warnings == []


def test_excel_numbers_read_as_excel_shows_them(tmp_path):
    path = workbook(
        [["Code", "Bedrag"], ["1", 0.1 + 0.2], ["2", 1e-7], ["3", -1234.5], ["4", 12.0]]
    )

    table = read_table(path(tmp_path))

    assert table.frame["Bedrag"].tolist() == ["0.3", "0.0000001", "-1234.5", "12"]


def test_a_declared_delimiter_turns_the_mixed_delimiter_check_off(tmp_path):
    path = text_file('Naam;Plaats;Land\n"Jansen, Pietersen, B.V.";;\n')(tmp_path)

    with pytest.raises(InputError, match="separated by ','"):
        read_table(path)
    assert read_table(path, delimiter=";").frame.loc[2, "Naam"] == "Jansen, Pietersen, B.V."


def test_two_columns_never_look_mixed(tmp_path):
    path = text_file('Naam;Plaats\n"Jansen, B.V.";\n')(tmp_path)

    assert read_table(path).frame.loc[2].tolist() == ["Jansen, B.V.", None]
