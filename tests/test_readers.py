"""Reading CSV and Excel files as text, with the row numbers the user sees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from importer.errors import InputError
from importer.readers import read_table

ROWS = "Code;Naam;Postcode\n007;Café Ölçer;1234 AB\n12345678901234567890;Zoë;1234AB\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8-sig"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_csv_encodings_are_detected_and_text_survives(tmp_path, encoding, prefix, detected):
    path = tmp_path / "k.csv"
    path.write_bytes(prefix + ROWS.encode(encoding))

    table = read_table(path)

    assert table.dialect == {"encoding": detected, "delimiter": ";"}
    assert table.columns == ["Code", "Naam", "Postcode"]
    assert table.frame.loc[2].tolist() == ["007", "Café Ölçer", "1234 AB"]
    assert table.frame.loc[3, "Code"] == "12345678901234567890"


def test_rows_of_two_encodings_are_named_as_the_user_sees_them(tmp_path):
    path = tmp_path / "k.csv"
    utf8 = "".join(f"{n};Zoë {n}\n" for n in range(4, 11)).encode()
    path.write_bytes(
        b"sep=;\nCode;Naam\n"
        + '2;"Café\nNoël"\n'.encode("cp1252")  # one row over two lines
        + b'3;Scherm 24"\n'  # a quote inside a value is a character
        + utf8
        + "11;Müller\n".encode("cp1252")
    )

    with pytest.raises(InputError) as caught:
        read_table(path)

    assert str(caught.value) == (
        "k.csv: the file mixes encodings: rows 4, 5, 6, 7, 8 and 2 more are UTF-8 ('Zoë 4'), "
        "rows 2, 11 are cp1252 ('Café\\nNoël'); read either way, one kind would be garbled. "
        "Save the file in one encoding (UTF-8)"
    )


@pytest.mark.parametrize(("sep", "name"), [(";", ";"), (",", ","), ("\t", "tab")])
def test_csv_delimiter_is_detected(tmp_path, sep, name):
    path = tmp_path / "k.csv"
    path.write_text(f'Code{sep}Naam\n1{sep}"Jansen{sep} B.V."\n', encoding="utf-8")

    table = read_table(path)

    assert table.dialect["delimiter"] == name
    assert table.frame.loc[2, "Naam"] == f"Jansen{sep} B.V."


def test_declared_dialect_wins_over_detection(tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("a,b;c\n1,2;3\n".encode("cp1252"))

    table = read_table(path, delimiter=";", encoding="cp1252")

    assert table.columns == ["a,b", "c"]


def test_row_numbers_are_as_the_user_sees_them_and_blank_rows_are_left_out(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text('Code;Naam\n1;A\n\n;\n4;"two\nlines"\n  5 ; E \n', encoding="utf-8")

    table = read_table(path)

    assert list(table.frame.index) == [2, 5, 6]
    assert table.frame.loc[6].tolist() == ["5", "E"]
    assert table.frame.loc[5, "Naam"] == "two\nlines"


def test_empty_cells_are_missing(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Code;Naam\n1;   \n", encoding="utf-8")

    assert read_table(path).frame.loc[2, "Naam"] is None


def test_xlsx_cells_are_read_as_text(tmp_path):
    path = tmp_path / "k.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Klanten"
    sheet.append(["Code", "Bedrag", "Datum", "Postcode", "Leeg"])
    sheet.append(["007", 1234, dt.datetime(2024, 3, 1), "1234 AB", None])
    sheet.append([None, None, None, None, None])
    sheet.append(["9", 12.5, dt.date(2024, 12, 31), 1234, None])
    workbook.create_sheet("Andere")
    workbook.save(path)

    table = read_table(path, sheet="Klanten")

    assert table.label == "k.xlsx (sheet Klanten)"
    assert table.columns == ["Code", "Bedrag", "Datum", "Postcode", "Leeg"]
    assert table.frame.loc[2].tolist() == ["007", "1234", "2024-03-01", "1234 AB", None]
    assert list(table.frame.index) == [2, 4]
    assert table.frame.loc[4].tolist() == ["9", "12.5", "2024-12-31", "1234", None]


def test_xlsx_numbers_read_as_excel_shows_them(tmp_path):
    path = tmp_path / "k.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Getal"])
    values = (0.1 + 0.2, 0.00001, -0.5, 123456789012.345, 1e14, -7.0, 1.0, True, 1, False, 0.0)
    for value in values:
        workbook.active.append([value])
    workbook.save(path)

    shown = read_table(path, decimal=",").frame["Getal"].tolist()

    assert shown == [
        "0,3", "0,00001", "-0,5", "123456789012,345", "100000000000000", "-7", "1", "true", "1",
        "false", "0",
    ]  # fmt: skip


def test_xlsx_first_sheet_is_the_default(tmp_path):
    path = tmp_path / "k.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["A"])
    workbook.active.append(["x"])
    workbook.save(path)

    assert read_table(path).frame.loc[2, "A"] == "x"


def test_missing_sheet_names_the_sheets_there_are(tmp_path):
    path = tmp_path / "k.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Klanten"
    workbook.save(path)

    with pytest.raises(
        InputError, match=r"^Sheet 'Debiteuren' not found in k.xlsx. Sheets: Klanten$"
    ):
        read_table(path, sheet="Debiteuren")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("k.csv", b"", "k.csv: the file is empty; expected a header row and data rows"),
        ("k.csv", b"a;b;a\n1;2;3\n", "k.csv: header 'a' appears twice (columns 1 and 3)"),
        ("k.pdf", b"%PDF", "k.pdf: cannot read '.pdf' files; use CSV (.csv) or Excel (.xlsx)"),
        ("k.xlsx", b"not a zip", "k.xlsx: not a readable Excel file"),
        (
            "k.csv",
            b"a;b\n\x81\x8d;\x90\n",
            "k.csv: unknown text encoding; expected UTF-8 or Windows-1252",
        ),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(InputError) as caught:
        read_table(path)
    assert str(caught.value).startswith(message)


def test_a_missing_file_is_an_input_error(tmp_path: Path):
    with pytest.raises(InputError, match="Input file not found"):
        read_table(tmp_path / "nope.csv")


def test_excel_numbers_read_with_the_sources_decimal_separator(tmp_path):
    path = tmp_path / "k.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Bedrag", "Aantal"])
    workbook.active.append([1234.5, 3])
    workbook.save(path)

    assert read_table(path, decimal=",").frame.loc[2].tolist() == ["1234,5", "3"]
    assert read_table(path).frame.loc[2].tolist() == ["1234.5", "3"]


def test_csv_cells_are_trimmed_of_every_kind_of_space(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(
        'Code; Naam ;Plaats\n 1\t;"\u00a0Jansen  ";\u2003\n2;"";Den Haag \n', encoding="utf-8"
    )

    frame = read_table(path).frame

    assert list(frame.columns) == ["Code", "Naam", "Plaats"]
    assert frame.loc[2].tolist() == ["1", "Jansen", None]
    assert frame.loc[3].tolist() == ["2", None, "Den Haag"]


@pytest.mark.parametrize("blank_lines", [0, 3, 40_000])
def test_csv_delimiter_is_found_below_many_blank_lines(tmp_path, blank_lines):
    # the header line is looked for in a head of the file; 40,000 blank lines of 2 characters
    # put it beyond the first such head, and cut it off at the end of the second
    path = tmp_path / "k.csv"
    lines = " \n" * blank_lines + "Code;Naam,Voornaam;Plaats\n1;Jansen, Jan;Zwolle\n"
    path.write_text(lines, encoding="utf-8")

    table = read_table(path)

    assert table.dialect["delimiter"] == ";"
    assert table.frame.loc[blank_lines + 2].tolist() == ["1", "Jansen, Jan", "Zwolle"]


def test_first_filled_line_matches_splitting_the_whole_text():
    from importer.csvfile import _first_filled_line

    header = "Code;Naam;" + "x" * 70_000
    for text in ["", " \n\t\n", "a;b", "\n\na;b\nc;d", " \n" * 32_767 + header + "\n1;2;3",
                 "\r\n" * 40_000 + "h;i\r\n", "\u2028" * 70_000 + "p;q"]:  # fmt: skip
        expected = next((line for line in text.splitlines() if line.strip()), "")
        assert _first_filled_line(text) == expected


def test_a_row_in_the_first_column_only_is_refused_but_not_one_with_a_gap(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Code;Naam;Plaats\n1;;Zwolle,Kampen,Urk\n1,Jansen,Zwolle;;\n", "utf-8")

    with pytest.raises(InputError, match=r"k.csv, row 3: the whole row is in column 'Code'"):
        read_table(path)
    path.write_text("Code;Naam;Plaats\n1,Jansen,Zwolle;;Urk\n", "utf-8")
    assert read_table(path).frame.loc[2].tolist() == ["1,Jansen,Zwolle", None, "Urk"]
