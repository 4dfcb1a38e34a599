"""Messages are codes with parameters: every code in every language, and no English left in
the Dutch workbooks of the error samples."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import openpyxl
import pytest

from importer import i18n, messages
from importer.messages import Message, placeholders, render
from importer.status import Status

ROOT = Path(__file__).resolve().parent.parent


def test_every_code_has_a_template_in_every_language_with_the_same_placeholders():
    english = messages.tables("en")
    assert english  # the generic codes and those of every registered target
    for lang in i18n.LANGUAGES:
        table = messages.tables(lang)
        assert set(table) == set(english), lang
        for code, template in table.items():
            assert placeholders(template) == placeholders(english[code]), (lang, code)


def test_the_generic_tables_name_no_system():
    for table in (messages.EN, messages.NL):
        for code, template in table.items():
            assert not re.search(r"AFAS|Profit|Recras", template), code


def test_target_codes_come_from_their_package():
    assert "afas.too_long" in messages.tables("nl")
    assert "recras.email" in messages.tables("nl")
    assert "afas.too_long" not in messages.EN


def test_a_message_is_a_frozen_hashable_picklable_value():
    message = Message("value.too_long", length=19, limit=10)
    assert message == Message("value.too_long", limit=10, length=19)
    assert hash(message) == hash(Message("value.too_long", limit=10, length=19))
    assert pickle.loads(pickle.dumps(message)) == message
    with pytest.raises(AttributeError):
        message.code = "other"  # type: ignore[misc]
    assert str(message) == "is 19 characters long; at most 10 allowed"
    assert render(message, "nl") == "is 19 tekens lang; maximaal 10 toegestaan"


def test_parameters_that_are_messages_or_statuses_render_in_the_same_language():
    message = Message("parent.not_done", row=3, status=Status.INVALID)
    assert str(message) == "parent row 3 invalid"
    assert render(message, "nl") == "bovenliggende rij 3 ongeldig"
    reason = Message("not_sent", reason=Message("interrupted"))
    assert render(reason, "nl") == "niet verzonden: onderbroken"


def test_what_a_target_wrote_is_shown_as_it_wrote_it():
    said = Message("target.said", text="Projectgroep 'X' bestaat niet.")
    assert render(said, "en") == render(said, "nl") == "Projectgroep 'X' bestaat niet."


def _english_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """A regex per English template that has words of its own: literal parts escaped,
    placeholders as ``.+``. Templates that are all placeholders (a target's own words, the
    mapping author's) and short fragments say nothing English by themselves."""
    found = []
    for code, template in messages.tables("en").items():
        pieces = [re.escape(literal) for literal, _, _, _ in string_parse(template)]
        literal = "".join(p for p, _, _, _ in string_parse(template))
        if len(re.sub(r"[^A-Za-z]", "", literal)) < 8:
            continue
        pattern = ".+".join(pieces[:-1] + [pieces[-1]]) if pieces else ""
        found.append((code, re.compile(pattern, re.S)))
    return found


def string_parse(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    import string

    parts = list(string.Formatter().parse(template))
    # a template ending in a placeholder gives no empty literal after it: add one
    if parts and parts[-1][1] is not None:
        parts.append(("", None, None, None))
    return parts


def _error_cells(path: Path) -> list[str]:
    """The cells of the Errors sheet's message column and the step sheets' error column."""
    book = openpyxl.load_workbook(path, read_only=True)
    cells = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if not rows:
            continue
        header = list(rows[0])
        for name in ("melding", "fout"):
            if name in header:
                at = header.index(name)
                cells += [r[at] for r in rows[1:] if at < len(r) and isinstance(r[at], str)]
    return cells


def _run_in_dutch(cli, tmp_path: Path, args: list[str]):
    """A run of an error sample against the sandbox, its workbook in Dutch."""
    out = tmp_path / "result.xlsx"
    mapping, *rest = args
    result = cli(
        "run", str(ROOT / mapping), "--sandbox", *_rooted(rest), "--lang", "nl", "--out", str(out)
    )
    assert result.code == 1, result.err
    return result, out


ERROR_SAMPLES = [
    ["mappings/flex.yaml", "--input", "samples/flex-errors/klanten.csv"],
    [
        "mappings/recras-klanten.yaml",
        "--input",
        "contactpersonen=samples/recras/contactpersonen-fouten.csv",
    ],
]


@pytest.mark.parametrize("args", ERROR_SAMPLES, ids=["flex-errors", "recras-fouten"])
def test_the_dutch_workbook_of_an_error_sample_holds_no_english_sentence(cli, tmp_path, args):
    result, out = _run_in_dutch(cli, tmp_path, args)
    cells = _error_cells(out)
    assert cells  # the samples have problems: a test that finds no cell proves nothing
    patterns = _english_patterns()
    english = [(cell, code) for cell in cells for code, pattern in patterns if pattern.search(cell)]
    assert english == []
    # the per-row lines on the terminal are Dutch too
    assert " rij " in result.err and " row " not in result.err


def _rooted(args: list[str]) -> list[str]:
    out = []
    for arg in args:
        if arg.startswith("samples/"):
            arg = str(ROOT / arg)
        elif "=samples/" in arg:
            name, _, path = arg.partition("=")
            arg = f"{name}={ROOT / path}"
        out.append(arg)
    return out


def test_the_english_patterns_catch_an_english_message():
    patterns = _english_patterns()
    sentence = str(Message("value.too_long", length=19, limit=10))
    assert any(p.search(sentence) for _, p in patterns)
    assert not any(
        p.search(render(Message("value.too_long", length=19, limit=10), "nl")) for _, p in patterns
    )


def test_the_dutch_workbook_of_bad_ibans_and_phone_numbers_holds_no_english_sentence(cli, tmp_path):
    source = (ROOT / "samples/organisations/organisaties.csv").read_text(encoding="utf-8-sig")
    header, first, second, *rest = source.splitlines()
    first = first.replace("NL91ABNA0417164300", "NL91ABNA041716430").replace("030 231", "30 231")
    second = second.replace(";;417164300", ";GR1601101250000000012300695X;417164300")
    bad = tmp_path / "organisaties.csv"
    bad.write_text("\n".join([header, first, second, *rest]) + "\n", encoding="utf-8")
    out = tmp_path / "result.xlsx"
    mapping = str(ROOT / "mappings/organisations.yaml")
    result = cli(
        "validate", mapping, "--input", f"organisaties={bad}", "--lang", "nl", "--out", str(out)
    )
    assert result.code == 1, result.err
    cells = _error_cells(out)
    assert any("een Nederlandse IBAN heeft 18 tekens" in cell for cell in cells), cells
    assert any("een IBAN uit Greece heeft 27 tekens" in cell for cell in cells), cells
    assert any("een telefoonnummer begint met 0, + of 00" in cell for cell in cells), cells
    patterns = _english_patterns()
    assert [(c, code) for c in cells for code, p in patterns if p.search(c)] == []


def test_the_reasons_a_lookup_fails_or_a_run_stops_read_in_dutch():
    from importer.errors import AuthenticationError, LookupFailed, TargetUnreachable

    unreachable = TargetUnreachable(
        Message("target.unreachable", system="AFAS", host="1.rest.afas.online", error="boom")
    )
    assert str(unreachable) == "Cannot reach AFAS at 1.rest.afas.online: boom"  # the CLI line
    failed = LookupFailed(
        Message(
            "lookup.unreadable",
            connector="contacten",
            why=Message("lookup.no_answer_from", system="Recras"),
        )
    )
    assert str(failed) == "contacten could not be read: no answer from Recras"
    refused = AuthenticationError(Message("recras.key_refused"))
    skipped = Message("not_sent", reason=refused.said)
    patterns = _english_patterns()
    for error in (unreachable, failed, refused):
        assert isinstance(error.said, Message)
        dutch = render(error.said, "nl")
        assert not [code for code, p in patterns if p.search(dutch)], dutch
    assert render(skipped, "nl").startswith("niet verzonden: Recras weigerde de API-sleutel")
    assert (
        render(failed.said, "nl") == "contacten kon niet worden gelezen: geen antwoord van Recras"
    )


def test_a_row_the_template_cannot_render_has_its_problem_in_dutch(tmp_path):
    from importer.render import Renderer, RenderError

    (tmp_path / "body.json.j2").write_text('{"a": {{ parent.DbId }}}\n', encoding="utf-8")
    renderer = Renderer(tmp_path, ["body.json.j2"])
    with pytest.raises(RenderError) as caught:
        renderer.render("body.json.j2", {"Naam": "x"}, {}, 2)
    assert str(caught.value).startswith("template body.json.j2 line 1: ")
    dutch = render(caught.value.said, "nl")
    assert dutch.startswith("template body.json.j2 regel 1: ")
    assert dutch.endswith("Kolommen: Naam; geen bovenliggende stap")


def test_a_column_the_template_does_not_know_is_said_in_dutch(tmp_path):
    from importer.render import Renderer, TemplateFault

    (tmp_path / "body.json.j2").write_text('{"a": {{ row.telefon }}}\n', encoding="utf-8")
    with pytest.raises(TemplateFault) as caught:
        Renderer(tmp_path, ["body.json.j2"]).render("body.json.j2", {"telefoon": "x"}, {}, 2)
    assert render(caught.value.said, "nl") == (
        "row.telefon: de mapping declareert geen kolom 'telefon' (bedoelt u 'telefoon'?); "
        "kolommen: telefoon"
    )


def _summary(path: Path) -> dict[str, list[str]]:
    """The Summary sheet's values by label (a label can be there more than once)."""
    book = openpyxl.load_workbook(path, read_only=True)
    found: dict[str, list[str]] = {}
    for label, value, *_ in book.worksheets[0].iter_rows(values_only=True, max_col=2):
        if isinstance(label, str) and value is not None:
            found.setdefault(label, []).append(str(value))
    return found


_PROJECT = """\
{"PtProject": {"Element": {"Fields": {"PrGp": "ALG", "Prof": -147, "DbId": {{ parent.DbId }},
  "Ds": {{ row.naam ~ ('x' * (2000000 if (parent.DbId | length) < 10 else 1)) }},
  "VbCo": "ALG", "PrTy": "1", "CmId": "01", "VaCc": "0", "PsId": 2, "HrWe": 36}}}}
"""


def test_a_reader_warning_and_a_template_limit_read_in_dutch(cli, afas_env, tmp_path):
    # the sheet the mapping names is hidden (a reader warning), and the second step's template
    # makes a 2,000,000-character value only with the id the relation really got (a limit
    # the sandbox hits while sending: the run stops, and says why on the Summary)
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "Klanten"
    for row in (["Nummer", "Naam", "Factuurwijze"], ["K1", "Bakkerij De Graaf", "E"]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    book.create_sheet("Overzicht").append(["Niets"])
    book.active = 1
    book.save(tmp_path / "klanten.xlsx")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "relatie.json.j2").write_text(
        (ROOT / "tests/fixtures/contract/templates/relatie.json.j2").read_text()
    )
    (tmp_path / "templates" / "project.json.j2").write_text(_PROJECT)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("""\
sources:
  klanten: {file: klanten.xlsx, sheet: Klanten}
templates: templates
steps:
  - name: relaties
    source: klanten
    connector: KnSalesRelationOrg
    template: relatie.json.j2
    key: nummer
    keep: [DbId]
    columns:
      nummer: {header: Nummer}
      naam: {header: Naam, required: true}
      factuurwijze: {header: Factuurwijze}
  - name: projecten
    source: klanten
    connector: PtProject
    template: project.json.j2
    key: nummer
    parent: {step: relaties, key: nummer}
    columns: {nummer: {header: Nummer}, naam: {header: Naam}}
""")
    out = tmp_path / "result.xlsx"

    ran = cli("run", mapping, "--lang", "nl", "--out", out)

    assert ran.code == 2, ran.err
    assert len(afas_env.state.received("KnSalesRelationOrg")) == 1
    summary = _summary(out)
    assert summary["Waarschuwing"] == [
        "klanten.xlsx: blad 'Klanten' is verborgen in Excel; het wordt gelezen omdat de mapping "
        "het noemt"
    ]
    assert summary["Gestopt"] == [
        f"{tmp_path}/templates/project.json.j2 regel 2: template geweigerd: '*' zou een waarde "
        "van 2.000.000 tekens of elementen maken; maximaal 1.000.000 toegestaan"
    ]
    patterns = _english_patterns()
    cells = [v for values in summary.values() for v in values]
    assert [(c, code) for c in cells for code, p in patterns if p.search(c)] == []
    # on the terminal the warning is Dutch too (the Error line is English, as scripts read it)
    assert "Waarschuwing: klanten.xlsx: blad 'Klanten' is verborgen in Excel" in ran.err


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 2000000 }}",
        "{{ 2 ** 2000000 }}",
        "{{ (['x' * 1000] * 2000) | join }}",
        "{{ ', '.join(['x' * 1000] * 2000) }}",
        "{{ '%02000000d' % 1 }}",
        "{{ '%*d' % (5, 1) }}",
        "{{ '{:>2000000}'.format(1) }}",
        "{{ '{:{w}}'.format(1, w=5) }}",
        "{{ range(200000) | list }}",
        "1{% for i in range(1000) %}{% for j in range(1001) %}{% endfor %}{% endfor %}",
        "[{% for i in range(100000) %}{{ 'x' * 101 }},{% endfor %} 1]",
        "{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}{{ deeper(1) }}",
    ],
)
def test_the_limits_of_the_template_sandbox_read_in_dutch(tmp_path, template):
    from importer.errors import MappingError
    from importer.render import Renderer

    (tmp_path / "t.json.j2").write_text('{"a": ' + template + "}")
    with pytest.raises(MappingError) as caught:
        Renderer(tmp_path, ["t.json.j2"]).render("t.json.j2", {"naam": "x"}, {}, 2)
    assert caught.value.said is not None
    dutch = render(caught.value.said, "nl")
    assert "template geweigerd: " in dutch
    assert [code for code, p in _english_patterns() if p.search(dutch)] == [], dutch
    assert render(caught.value.said, "en") == str(caught.value)


def test_dutch_groups_thousands_with_a_dot():
    limit = Message("limit.body", limit=10_000_000)
    assert str(limit) == "the body would be more than 10,000,000 characters long"
    assert render(limit, "nl") == "het verzoek zou meer dan 10.000.000 tekens lang worden"


def _every_cell(path: Path) -> list[str]:
    """Every text cell of every sheet, sheet names included."""
    book = openpyxl.load_workbook(path, read_only=True)
    cells = list(book.sheetnames)
    for sheet in book.worksheets:
        cells += [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    return cells


def _english_texts() -> list[tuple[str, re.Pattern[str]]]:
    """The workbook's own English words (labels, headers, explanations) that Dutch says
    otherwise, as patterns: placeholders match anything."""
    from importer import i18n

    found = []
    for key, english in i18n.TEXTS["en"].items():
        dutch = i18n.TEXTS["nl"].get(key)
        literal = "".join(p for p, _, _, _ in string_parse(english))
        if dutch == english or len(re.sub(r"[^A-Za-z]", "", literal)) < 6:
            continue
        pieces = [re.escape(p) for p, _, _, _ in string_parse(english)]
        found.append((key, re.compile("^" + ".+".join(pieces) + "$", re.S)))
    return found


@pytest.mark.parametrize("args", ERROR_SAMPLES, ids=["flex-errors", "recras-fouten"])
def test_no_cell_of_the_dutch_workbook_is_english(cli, tmp_path, args):
    result, out = _run_in_dutch(cli, tmp_path, args)
    cells = _every_cell(out)
    texts = _english_texts()
    assert texts  # the English words are known: a test that looks for nothing proves nothing
    english = [(cell, key) for cell in cells for key, pattern in texts if pattern.search(cell)]
    english += [
        (cell, code)
        for cell in cells
        for code, pattern in _english_patterns()
        if pattern.search(cell)
    ]
    assert english == []
    status_words = {n for n in STATUS_WORDS if n not in ("status",)}
    assert not status_words & set(cells)  # statuses are shown by their Dutch names


STATUS_WORDS = ("created", "failed", "invalid", "skipped", "updated", "deleted", "unchanged")
