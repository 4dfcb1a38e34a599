"""The mapping language: transforms, defaults, constants, computed values, maps, locales, when."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from importer.errors import MappingError
from importer.mapping import Column, Step
from importer.mappingfile import load_mapping
from importer.plan import prepare
from importer.readers import Table
from importer.render import prune, split_address
from importer.validation import validate_step


def validate(columns: dict[str, Column], cells: dict[str, list], *, locale=None, maps=None):
    frame = pd.DataFrame(cells, dtype=object)
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    step = Step(
        name="s",
        source="k",
        connector="C",
        template="t.j2",
        key=next(iter(columns)),
        columns=columns,
    )
    return validate_step(step, Table(Path("k.csv"), frame), locale=locale, maps=maps)


def messages(data) -> list[str]:
    return [str(p) for problems in data.problems.values() for p in problems]


def test_text_transforms():
    data = validate(
        {"nr": Column(), "naam": Column(collapse_spaces=True, case="upper", max_length=13)},
        {"nr": ["1", "2"], "naam": ["de  graaf   b.v.", "een   heel lange naam"]},
    )

    assert data.rows[2]["naam"] == "DE GRAAF B.V."
    assert messages(data) == [
        "k.csv, row 3, column 'naam': is 19 characters long; at most 13 allowed"
    ]


def test_decimals_with_declared_separators_never_guessed():
    columns = {
        "nr": Column(),
        "nl": Column(type="decimal", decimal=",", thousands="."),
        "en": Column(type="decimal", decimal=".", thousands=","),
    }
    data = validate(
        columns, {"nr": ["1", "2"], "nl": ["1.234,56", "1,234.56"], "en": ["1,234.56", "1.234,56"]}
    )

    assert data.rows[2] == {"nr": "1", "nl": Decimal("1234.56"), "en": Decimal("1234.56")}
    assert messages(data) == [
        "k.csv, row 3, column 'nl': '1,234.56' is not a number with a decimal comma, such as 1.234,56",
        "k.csv, row 3, column 'en': '1.234,56' is not a number with a decimal point, such as 1,234.56",
    ]


def test_dates_in_several_declared_formats_and_no_roll_over():
    data = validate(
        {"nr": Column(), "d": Column(type="date", format=["%d-%m-%Y", "%d.%m.%Y"])},
        {"nr": ["1", "2", "3", "4"], "d": ["01-03-2024", "29.02.2024", "2024-12-31", "31-02-2024"]},
    )

    assert [data.rows[n]["d"] for n in (2, 3, 4)] == [
        dt.date(2024, 3, 1),
        dt.date(2024, 2, 29),
        dt.date(2024, 12, 31),
    ]
    assert messages(data) == [
        "k.csv, row 5, column 'd': '31-02-2024' is not a date written as DD-MM-YYYY or DD.MM.YYYY"
    ]


def test_locale_profile_fills_decimal_and_date_settings():
    data = validate(
        {"nr": Column(), "bedrag": Column(type="decimal"), "d": Column(type="date")},
        {"nr": ["1"], "bedrag": ["1.234,50"], "d": ["05-06-2024"]},
        locale="nl",
    )

    assert data.rows[2] == {"nr": "1", "bedrag": Decimal("1234.50"), "d": dt.date(2024, 6, 5)}


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("Ja", True),
        ("j", True),
        ("WAAR", True),
        ("x", True),
        ("nee", False),
        ("onwaar", False),
        ("0", False),
    ],
)
def test_booleans_in_dutch_and_english(word, value):
    assert (
        validate({"nr": Column(), "b": Column(type="boolean")}, {"nr": ["1"], "b": [word]}).rows[2][
            "b"
        ]
        is value
    )


def test_code_lists_case_insensitive_give_the_allowed_spelling():
    data = validate(
        {"nr": Column(), "soort": Column(allowed=["B2B", "B2C"], case_insensitive=True)},
        {"nr": ["1", "2"], "soort": ["b2b", "b2x"]},
    )

    assert data.rows[2]["soort"] == "B2B"
    assert messages(data) == [
        "k.csv, row 3, column 'soort': 'b2x' is not one of the allowed values: B2B, B2C"
    ]


def test_inline_value_map_and_unmapped_values():
    columns = {
        "nr": Column(),
        "factuur": Column(map={"email": "E", "papier": "A"}, case_insensitive=True),
        "land": Column(map={"Nederland": "NL"}, unmapped="keep"),
    }
    data = validate(
        columns, {"nr": ["1", "2"], "factuur": ["E-mail", "Email"], "land": ["Nederland", "BE"]}
    )

    assert data.rows[3] == {"nr": "2", "factuur": "E", "land": "BE"}
    assert messages(data) == [
        "k.csv, row 2, column 'factuur': 'E-mail' is not in the value map (known: email, papier)"
    ]


def test_defaults_constants_and_computed_values():
    columns = {
        "nr": Column(),
        "voornaam": Column(),
        "achternaam": Column(),
        "uren": Column(type="integer", default=36),
        "valuta": Column(value="EUR"),
        "naam": Column(expr="row.voornaam ~ ' ' ~ row.achternaam"),
        "adres": Column(),
        "straat": Column(expr="(row.adres | split_address).street"),
        "huisnummer": Column(expr="(row.adres | split_address).number", type="integer"),
        "toevoeging": Column(expr="(row.adres | split_address).addition"),
    }
    data = validate(
        columns,
        {
            "nr": ["1"],
            "voornaam": ["Jan"],
            "achternaam": ["Jansen"],
            "uren": [None],
            "adres": ["Kerkstraat 12a"],
        },
    )

    assert data.rows[2] == {
        "nr": "1",
        "voornaam": "Jan",
        "achternaam": "Jansen",
        "uren": 36,
        "valuta": "EUR",
        "naam": "Jan Jansen",
        "adres": "Kerkstraat 12a",
        "straat": "Kerkstraat",
        "huisnummer": 12,
        "toevoeging": "a",
    }


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Kerkstraat 12a", ("Kerkstraat", "12", "a")),
        ("Laan van Meerdervoort 1003-bis", ("Laan van Meerdervoort", "1003", "bis")),
        ("1e Jan Steenstraat 8 hs", ("1e Jan Steenstraat", "8", "hs")),
        ("Markt", ("Markt", None, None)),
    ],
)
def test_split_address(text, parts):
    assert tuple(split_address(text).values()) == parts


def test_unique_on_normalised_values_flags_two_spellings_of_one_customer():
    data = validate(
        {"nr": Column(), "kvk": Column(unique=True, collapse_spaces=True, case="upper")},
        {"nr": ["1", "2", "3"], "kvk": ["nl 123", "NL  123", "NL 124"]},
    )

    assert messages(data) == [
        "k.csv, row 2, column 'kvk': 'NL 123' appears more than once (also in row 3); each value must be unique",
        "k.csv, row 3, column 'kvk': 'NL 123' appears more than once (also in row 2); each value must be unique",
    ]


def test_when_on_objects_leaves_them_out():
    body = {
        "A": {
            "Objects": [
                {"KnBankAccount": {"@when": False, "Element": {"CoId": "NL"}}},
                {"KnContact": {"@when": True, "Element": {"x": 1}}},
            ]
        }
    }
    assert prune(body) == {"A": {"Objects": [{"KnContact": {"Element": {"x": 1}}}]}}


def write_mapping(
    tmp_path: Path, extra_step: str = "", source: str = "", columns: str = ""
) -> Path:
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "t" / "r.json.j2").write_text(
        '{"KnSalesRelationOrg": {"Element": {"@DbId": {{ row.nr }}, "Fields": {"CuId": "EUR", '
        '"InPv": {{ row.factuur }}}, "Objects": [{"KnOrganisation": {"Element": {"Fields": '
        '{"PadAdr": true, "AutoNum": true, "MatchOga": "6", "Nm": {{ row.naam }}}, "Objects": ['
        '{"KnBankAccount": {"@when": {{ row.iban is not none }}, "Element": {"Fields": '
        '{"CoId": "NL", "Iban": {{ row.iban }}}}}}]}}}]}}}'
    )
    (tmp_path / "k.csv").write_text(
        "Nr;Naam;Soort;Factuur;IBAN\n1;A;B2B;post;\n2;B;B2C;e-mail;X1\n3;C;b2b;mail;X2\n",
        encoding="utf-8",
    )
    (tmp_path / "f.csv").write_text("Oud;Nieuw\npost;A\ne-mail;E\nmail;E\n", encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(f"""\
templates: t
sources:
  klanten: {{file: k.csv, locale: nl{source}}}
  factuurwijzen: {{file: f.csv}}
steps:
  - name: relaties
    source: klanten
    connector: KnSalesRelationOrg
    template: r.json.j2
    key: nr
{extra_step}    columns:
      nr: {{header: Nr}}
      naam: {{header: Naam}}
      soort: {{header: Soort, case: upper}}
      factuur: {{header: Factuur, map_from: {{source: factuurwijzen, old: Oud, new: Nieuw}}}}
      iban: {{header: IBAN}}
{columns}""")
    return path


def test_value_map_from_a_sheet_and_a_step_condition(tmp_path):
    result = prepare(load_mapping(write_mapping(tmp_path, "    when: row.soort == 'B2B'\n"))).result
    outcomes = result.outcomes["relaties"]

    assert {n: o.status for n, o in outcomes.items()} == {2: "planned", 3: "excluded", 4: "planned"}
    assert str(outcomes[3].error) == "not selected by when: row.soort == 'B2B'"
    fields = outcomes[4].json()["KnSalesRelationOrg"]["Element"]["Fields"]
    assert fields["InPv"] == "E"

    def organisation(n):
        return outcomes[n].json()["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]

    assert "Objects" not in organisation(2)["Element"]  # no IBAN: no bank account
    assert organisation(4)["Element"]["Objects"] == [
        {"KnBankAccount": {"Element": {"Fields": {"CoId": "NL", "Iban": "X2"}}}}
    ]
    assert (
        result.summary_line()
        == "Dry run finished: 2 planned, 0 invalid, 0 skipped, 1 excluded; source rows: k.csv 3"
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        (
            "      x: {value: 1, header: X}\n",
            "steps[0].columns.x.header: a column with a value or an expr is not read from the file",
        ),
        (
            "      x: {header: X, format: '%d'}\n",
            "steps[0].columns.x.format: only applies to type date or phone, not text",
        ),
        (
            "      x: {expr: 'row.naam ~'}\n",
            "steps[0].columns.x.expr: 'row.naam ~' is not a valid expression: unexpected 'end of template'",
        ),
        (
            "      x: {expr: 'cycler.__init__'}\n",
            "steps[0].columns.x.expr: 'cycler.__init__' is refused: '__init__' is not allowed: names starting with '_' reach into Python internals",
        ),
        (
            "      x: {header: X, pattern: '(?=x)x'}\n",
            "steps[0].columns.x.pattern: '(?=x)x': lookahead (?=...) is not supported: patterns must run in linear time (RE2 syntax)",
        ),
        (
            "      x: {header: X, pattern: '(a)\\1'}\n",
            "steps[0].columns.x.pattern: '(a)\\1': a backreference such as \\1 is not supported: patterns must run in linear time (RE2 syntax)",
        ),
        (
            "      x: {header: X, map_from: {source: landen, old: A, new: B}}\n",
            "steps[0].columns.x.map_from.source: 'landen' is not a source; did you mean 'klanten'?",
        ),
        (
            "      x: {header: X, type: ibna}\n",
            "steps[0].columns.x.type: 'ibna' is not a type; did you mean 'iban'?",
        ),
    ],
)
def test_mistakes_in_the_mapping_language_name_line_and_path(tmp_path, columns, message):
    path = write_mapping(tmp_path, columns=columns)

    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert str(caught.value) == f"{path} line 17: {message}"


def test_a_condition_reaching_for_python_internals_is_refused_when_the_mapping_loads(tmp_path):
    path = write_mapping(tmp_path, "    when: \"cycler.__init__.__globals__.os.name == 'posix'\"\n")

    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    assert str(caught.value) == (
        f"{path} line 11: steps[0].when: \"cycler.__init__.__globals__.os.name == 'posix'\" is "
        "refused: '__globals__' is not allowed: names starting with '_' reach into Python internals"
    )


@pytest.mark.parametrize(
    ("extra_step", "columns", "where"),
    [
        ("    when: row.naam * 2000000\n", "", "line 11: steps[0].when"),
        (
            "    checks: [{expr: row.naam * 2000000, message: m}]\n",
            "",
            "line 11: steps[0].checks[0].expr",
        ),
        ("", "      x: {expr: row.naam * 2000000}\n", "line 17: steps[0].columns.x.expr"),
    ],
)
def test_an_expression_the_sandbox_stops_while_it_runs_stops_the_run_naming_where_it_is(
    tmp_path, extra_step, columns, where
):
    path = write_mapping(tmp_path, extra_step, columns=columns)
    mapping = load_mapping(path)  # nothing to see before it runs

    with pytest.raises(MappingError) as caught:
        prepare(mapping)
    assert str(caught.value) == (
        f"{path} {where}: 'row.naam * 2000000' is refused: '*' would make a value of "
        "2,000,000 characters or items; at most 1,000,000 are allowed"
    )


def test_dutch_checks_normalise_and_explain_in_plain_words():
    columns = {
        "nr": Column(),
        "iban": Column(type="iban"),
        "postcode": Column(type="postcode_nl"),
        "kvk": Column(type="kvk"),
        "rekening": Column(type="bank_account_nl"),
    }
    data = validate(
        columns,
        {
            "nr": ["1", "2"],
            "iban": ["nl91 abna 0417 1643 00", "NL91ABNA0417164301"],
            "postcode": ["1234 ab", "0123 AB"],
            "kvk": ["01234567", "1234"],
            "rekening": ["417164300", "41716430012345"],
        },
    )

    assert data.rows[2] == {
        "nr": "1",
        "iban": "NL91ABNA0417164300",
        "postcode": "1234AB",
        "kvk": "01234567",
        "rekening": "0417164300",
    }
    assert [str(p.message) for p in data.problems[3]] == [
        "'NL91ABNA0417164301': the IBAN check digits are wrong",
        "'0123 AB': a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB",
        "'1234': a KvK number has 8 digits, this one has 4",
        "'41716430012345': a Dutch bank account number has 9 or 10 digits, or 3 to 7 for a former "
        "Postbank (giro) number; this one has 14",
    ]


def test_two_spellings_of_one_vat_number_are_the_same_customer():
    data = validate(
        {"nr": Column(), "btw": Column(type="vat", unique=True)},
        {"nr": ["1", "2", "3"], "btw": ["NL 0000.99.998.B57", "nl000099998b57", None]},
    )

    assert messages(data) == [
        "k.csv, row 2, column 'btw': 'NL 0000.99.998.B57' (as 'NL000099998B57') appears more than once (also in row 3); each value must be unique",
        "k.csv, row 3, column 'btw': 'nl000099998b57' (as 'NL000099998B57') appears more than once (also in row 2); each value must be unique",
    ]
