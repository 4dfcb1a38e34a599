"""The numbers and the rows agree everywhere (issue 16): the error samples of both targets, run
for real against the sandboxes in English and Dutch, and their workbooks opened with openpyxl.

- every row of the Errors sheet names a file and a row that hold the value it names (the
  file is read again and the cell under the named column compared), and a line's parent row
  is the row of its record (the same key);
- the Summary's count table equals the step sheets' own counts, the terminal's table, the
  summary line and what ``importer status`` prints of the run;
- a dry run and a validation write workbooks of their own, say that nothing was sent, never
  overwrite a real result, and do not call their payloads "sent";
- "done in an earlier run" is a note, never an error.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from conftest import FLEX, ROOT

FLEX_ERRORS = ROOT / "samples" / "flex-errors" / "klanten.csv"
RECRAS = ROOT / "mappings" / "recras-klanten.yaml"
RECRAS_KLANTEN = ROOT / "samples" / "recras" / "klanten.csv"
CONTACTS_ERRORS = ROOT / "samples" / "recras" / "contactpersonen-fouten.csv"
FLEX_FILES = {"klanten.csv": FLEX_ERRORS}
RECRAS_FILES = {"klanten.csv": RECRAS_KLANTEN, CONTACTS_ERRORS.name: CONTACTS_ERRORS}
# the words of the workbook, per language
WORDS = {
    "en": {
        "summary": "Summary", "errors": "Errors", "step": "step", "file": "file", "row": "row",
        "column": "column", "value": "value", "status": "status", "parent_file":
        "belongs to (file)", "parent_row": "belongs to (row)", "result": "Result",
        "note": "note", "error": "error", "lines": "lines",
    },
    "nl": {
        "summary": "Samenvatting", "errors": "Fouten", "step": "stap", "file": "bestand",
        "row": "rij", "column": "kolom", "value": "waarde", "status": "status", "parent_file":
        "hoort bij (bestand)", "parent_row": "hoort bij (rij)", "result": "Resultaat",
        "note": "opmerking", "error": "fout", "lines": "regels",
    },
}  # fmt: skip
KEY = "Klantnummer"  # the key joining a contact person to its klant


def read_source(path: Path) -> dict[int, dict[str, str]]:
    """A sample file's rows by the row number a user sees (the header is row 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    return {n: dict(zip(rows[0], row, strict=True)) for n, row in enumerate(rows[1:], start=2)}


def table(sheet) -> list[dict[str, object]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(row)]


def count_table(sheet, step_word: str) -> list[tuple]:
    """The Summary's count table: (name, counted, rows, *statuses), and its header."""
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == step_word)
    head = [c for c in rows[start] if c is not None]
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found.append((row[0], row[2], *row[3 : len(head)]))
    return [tuple(head[:1] + head[2:])] + found


def terminal_table(err: str, step_word: str) -> list[tuple]:
    lines = err.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith(step_word + " "))
    found = []
    for line in lines[start:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) < 3:
            break
        found.append(tuple(cells))
    return found


def run(cli, lang: str, *args) -> tuple:
    ran = cli("run", *args, "--lang", lang)
    return ran, None


def check_errors(workbook, lang: str, files: dict[str, Path]) -> list[dict[str, object]]:
    """Every Errors row's file and row hold the value it names; a line's parent row is its
    record's (the same key). Returns the rows."""
    w = WORDS[lang]
    errors = table(workbook[w["errors"]])
    assert errors
    for error in errors:
        rows = read_source(files[str(error[w["file"]])])
        row = rows[int(error[w["row"]])]  # the row exists
        if error[w["column"]]:
            assert (row[str(error[w["column"]])] or None) == error[w["value"]], error
        if error[w["parent_file"]]:
            parent_file = files[str(error[w["parent_file"]])]
            parent = read_source(parent_file)[int(error[w["parent_row"]])]
            assert parent[KEY] == row[KEY], error
        # it links to its row on the step's sheet, whose row number is the same
        link = workbook[w["errors"]].cell(errors.index(error) + 2, 3).hyperlink.location
        sheet_name, cell = re.fullmatch(r"'(.+)'!A(\d+)", link).groups()
        assert workbook[sheet_name.replace("''", "'")].cell(int(cell), 1).value == error[w["row"]]
    return errors


def step_sheet_counts(workbook, name: str, lang: str) -> Counter:
    w = WORDS[lang]
    earlier = "gedaan in een eerdere run" if lang == "nl" else "done in an earlier run"
    already = "al gedaan" if lang == "nl" else "already done"
    return Counter(
        already if r.get(w["note"]) == earlier else r[w["status"]] for r in table(workbook[name])
    )


def check_counts(workbook, ran, status_out: str, lang: str, files: dict[str, Path]) -> None:
    """The Summary's table = the step sheets' counts = the terminal's table = the summary
    line = what status prints of the last run."""
    w = WORDS[lang]
    summary = workbook[w["summary"]]
    counts = count_table(summary, w["step"])
    head, rows = counts[0], counts[1:]
    statuses = head[3:]
    for row in rows:
        name, total, numbers = row[0], row[2], dict(zip(statuses, row[3:], strict=True))
        if name in workbook.sheetnames:  # a step's rows, or its lines
            assert step_sheet_counts(workbook, name, lang) == +Counter(numbers), name
            assert total == len(table(workbook[name]))
        elif name in files:  # a file's rows, once each
            assert total == len(read_source(files[name]))
        else:  # with several files, their total
            assert name == ("totaal" if lang == "nl" else "total")
            assert total == sum(len(read_source(f)) for f in files.values())
        assert total == sum(numbers.values())
    # the terminal prints the same table, in the same words
    terminal = terminal_table(ran.err, w["step"])
    assert [tuple(map(str, r)) for r in counts] == terminal
    # the summary line (stdout, English) adds up the files' rows and names them
    totals: Counter = Counter()
    for row in rows:
        if row[0] in files:
            totals.update(dict(zip(statuses, row[3:], strict=True)))
    line = ran.out.strip()
    said = dict(
        (name, int(n)) for n, name in re.findall(r"(\d+) ([a-z ]+?)(?:,|;)", line.split(": ", 1)[1])
    )
    english = {"ongeldig": "invalid", "mislukt": "failed", "aangemaakt": "created"}
    assert {english.get(k, k): v for k, v in totals.items() if v} == {
        k: v for k, v in said.items() if v
    }
    assert line.endswith(
        "; source rows: " + ", ".join(f"{name} {len(read_source(f))}" for name, f in files.items())
    )
    # the Summary's result line says the same
    result = next(r[1] for r in summary.iter_rows(values_only=True) if r[0] == w["result"])
    assert result.split("; ")[1].split(": ", 1)[1] == line.split("; ")[1].split(": ", 1)[1]
    # status: the last run, as the terminal showed it (in English)
    lines = status_out.splitlines()
    assert any(x.endswith(line) for x in lines if x.startswith("  Last run ")), status_out
    start = next(i for i, x in enumerate(lines) if x.startswith("  Last run ")) + 1
    shown = [tuple(re.split(r"\s{2,}", x.strip())) for x in lines[start : start + len(counts)]]
    assert [r[2:] for r in shown[1:]] == [r[2:] for r in terminal[1:]]  # the figures


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_flex_error_sample_agrees_everywhere(cli, afas_env, tmp_path, lang):
    ran = cli("run", FLEX, "--input", f"klanten={FLEX_ERRORS}", "--lang", lang)
    assert ran.code == 1, ran.err
    status = cli("status", FLEX)
    workbook = openpyxl.load_workbook(tmp_path / "flex-result.xlsx")

    errors = check_errors(workbook, lang, FLEX_FILES)
    check_counts(workbook, ran, status.out, lang, FLEX_FILES)
    assert len(errors) == 10
    # the table counts rows of the 8-row file, never 16: each step 8, the file 8
    table_rows = count_table(workbook[WORDS[lang]["summary"]], WORDS[lang]["step"])[1:]
    assert [r[2] for r in table_rows] == [8, 8, 8]
    # status: the run's 6 invalid rows, where the journal (one record per key) holds 5
    figures = r"^\s+verkooprelaties\s+rows of klanten.csv\s+8\s+6\s+0\s+0\s+2$"
    assert re.search(figures, status.out, re.M), status.out


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_the_recras_error_sample_agrees_everywhere(cli, recras_env, tmp_path, lang):
    ran = cli("run", RECRAS, "--input", f"contactpersonen={CONTACTS_ERRORS}", "--lang", lang)
    assert ran.code == 1, ran.err
    status = cli("status", RECRAS)
    workbook = openpyxl.load_workbook(tmp_path / "recras-klanten-result.xlsx")
    w = WORDS[lang]

    errors = check_errors(workbook, lang, RECRAS_FILES)
    check_counts(workbook, ran, status.out, lang, RECRAS_FILES)
    where = {(e[w["file"]], e[w["row"]], e[w["column"]]): e for e in errors}
    # the bad contact is row 11 of the contacts, of the klant of row 7 of klanten.csv
    bad = where[("contactpersonen-fouten.csv", 11, "Geslacht")]
    assert (bad[w["value"]], bad[w["parent_file"]], bad[w["parent_row"]]) == (
        "Mannelijk",
        "klanten.csv",
        7,
    )
    assert ("contactpersonen-fouten.csv", 7, "Geslacht") not in where
    # each problem once: the klant made invalid by its contact is not listed again at row 7
    assert len(errors) == len({(e[w["step"]], e[w["file"]], e[w["row"]]) for e in errors})
    # the terminal names every problem's file and row, a contact's klant too
    problems = [x for x in ran.err.splitlines() if ": " in x and (" row " in x or " rij " in x)]
    problems = [x for x in problems if re.match(r"\S+\.csv (row|rij) \d+ \(", x)]
    assert len(problems) == len(errors) == 7
    row_word, of = ("rij", "bij") if lang == "nl" else ("row", "of")
    lines = f"klanten {w['lines']}"
    assert any(
        x.startswith(
            f"contactpersonen-fouten.csv {row_word} 11 ({lines}, {of} klanten.csv {row_word} 7)"
        )
        for x in problems
    ), problems
    # the two klanten with too many or no main contact: the contacts' rows are named
    assert any(x.startswith(f"contactpersonen-fouten.csv {row_word} 9 ") for x in problems)
    assert any(x.startswith(f"contactpersonen-fouten.csv {row_word} 17 ") for x in problems)


def test_a_dry_run_and_a_validation_never_pass_for_or_replace_a_result(cli, afas_env, tmp_path):
    real = cli("run", FLEX, "--input", f"klanten={FLEX_ERRORS}")
    assert real.code == 1
    result = tmp_path / "flex-result.xlsx"
    before = result.read_bytes()

    dry = cli("run", FLEX, "--input", f"klanten={FLEX_ERRORS}", "--dry-run", "--lang", "nl")
    valid = cli("validate", FLEX, "--input", f"klanten={FLEX_ERRORS}", "--include-payloads")
    over = cli("run", FLEX, "--dry-run", "--out", result)
    over_validation = cli("validate", FLEX, "--out", result)

    assert dry.code == valid.code == 1
    assert (over.code, over_validation.code) == (2, 2)
    assert "holds the result of an import" in over.err
    assert result.read_bytes() == before  # never overwritten
    assert "Resultaatwerkmap: flex-dry-run.xlsx" in dry.err.splitlines()
    dry_book = openpyxl.load_workbook(tmp_path / "flex-dry-run.xlsx")
    summary = dry_book["Samenvatting"]
    assert summary["A1"].value == "Resultaat van de proefrun"
    assert summary["A2"].value.startswith("PROEFRUN: er is niets naar het doelsysteem verzonden")
    valid_book = openpyxl.load_workbook(tmp_path / "flex-validation.xlsx")
    assert valid_book["Summary"]["A2"].value.startswith("VALIDATION: nothing was sent")
    assert "Payloads (not sent)" in valid_book.sheetnames
    header = [c.value for c in valid_book["Payloads (not sent)"][1]]
    assert header[-1] == "JSON to send"
    assert valid.out.startswith("Validation finished: 2 valid, 6 invalid, 0 skipped")
    dutch = cli("validate", FLEX, "--input", f"klanten={FLEX_ERRORS}", "--include-payloads",
                "--lang", "nl", "--out", tmp_path / "controle.xlsx")  # fmt: skip
    assert dutch.code == 1
    names = openpyxl.load_workbook(tmp_path / "controle.xlsx").sheetnames
    assert "Te verzenden" in names and "Verzonden" not in names


def test_done_in_an_earlier_run_is_a_note_not_an_error(cli, afas_env, tmp_path):
    assert cli("run", FLEX).code == 0
    again = cli("run", FLEX)
    assert again.code == 0

    workbook = openpyxl.load_workbook(tmp_path / "flex-result.xlsx")
    rows = table(workbook["verkooprelaties"])
    assert {r["status"] for r in rows} == {"created"}
    assert {r["error"] for r in rows} == {None}
    assert {r["note"] for r in rows} == {"done in an earlier run"}
    assert len(table(workbook["Errors"])) == 0
    # counted as already done, the same in the sheet's counts, the Summary and the terminal
    counts = count_table(workbook["Summary"], "step")
    assert counts[0] == ("step", "counted", "rows", "already done")
    assert counts[1] == ("verkooprelaties", "rows of klanten.csv", 25, 25)
    status = cli("status", FLEX)
    check_counts(
        workbook, again, status.out, "en", {"klanten.csv": ROOT / "samples/flex/klanten.csv"}
    )
