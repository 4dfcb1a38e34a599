"""Rendering bodies: JSON-valued expressions, pruning, seed bodies, template errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import FLEX, seed

from importer.errors import MappingError
from importer.mappingfile import load_mapping
from importer.plan import prepare
from importer.render import Renderer, RenderError, TemplateFault, prune


def renderer(tmp_path, text: str, name: str = "t.json.j2") -> Renderer:
    (tmp_path / name).write_text(text)
    return Renderer(tmp_path, [name])


def test_flex_sample_renders_the_seed_sales_relation_field_for_field():
    plan = prepare(load_mapping(FLEX))

    assert plan.result.outcomes["verkooprelaties"][2].json() == seed("KnSalesRelationOrg")


def test_every_value_is_written_as_json_whatever_it_holds(tmp_path):
    r = renderer(
        tmp_path,
        '{"a": {{ row.a }}, "b": {{ row.b | tojson }}, "n": {{ row.n }}, '
        '"d": {{ row.d }}, "m": {{ row.m }}, "t": {{ row.t }}}',
    )
    nasty = 'Jansen "B.V."\\\n</script>, {"x": 1}'

    body = r.render(
        "t.json.j2",
        {
            "a": nasty,
            "b": nasty,
            "n": 36,
            "d": dt.date(2024, 3, 1),
            "m": Decimal("12.50"),
            "t": True,
        },
        {},
        2,
    )

    assert body == {"a": nasty, "b": nasty, "n": 36, "d": "2024-03-01", "m": 12.5, "t": True}


def test_action_says_whether_the_body_inserts_or_updates(tmp_path):
    r = renderer(tmp_path, '{"action": {{ action }}, "BcCo": {{ existing.get("BcCo") }}}')

    assert r.render("t.json.j2", {}, {}, 2) == {"action": "insert"}
    assert r.render("t.json.j2", {}, {}, 2, {}) == {"action": "insert"}
    assert r.render("t.json.j2", {}, {}, 2, {"BcCo": "100"}) == {"action": "update", "BcCo": "100"}


def test_blank_fields_and_objects_left_empty_are_pruned():
    # an empty list goes too: a loop over no lines must not send `"Element": []`
    assert prune({"a": None, "b": "", "c": {"d": None}, "e": [{"f": None}], "g": [], "h": {}}) == {
        "b": "",
        "h": {},
    }


def test_a_column_the_template_does_not_know_is_the_templates_fault_with_the_one_meant(
    tmp_path,
):
    r = renderer(tmp_path, '{\n"a": {{ row.naam }},\n"b": {{ row.telefon }}\n}')

    with pytest.raises(TemplateFault) as caught:
        r.render("t.json.j2", {"naam": "x", "telefoon": "y"}, {}, 2)
    assert (Path(caught.value.file).name, caught.value.line) == ("t.json.j2", 3)
    assert str(caught.value) == (
        "row.telefon: the mapping declares no column 'telefon' (did you mean 'telefoon'?); "
        "columns: naam, telefoon"
    )


def test_a_template_that_gives_no_json_is_the_templates_fault(tmp_path):
    r = renderer(tmp_path, '{"a": {{ row.a }}\n "b": 1}')

    with pytest.raises(
        TemplateFault, match="does not give valid JSON: Expecting ',' delimiter at line 2"
    ):
        r.render("t.json.j2", {"a": 1}, {}, 2)


@pytest.mark.parametrize(
    ("expression", "row"),
    [
        ("row.kvk[:8]", {"kvk": None}),  # a blank optional cell: the template must allow it
        ("row.naam.upper2()", {"naam": "x"}),  # an attribute a text does not have
        ("row.bedrag + 'x'", {"bedrag": 5}),  # a type error on a present value
        ("lines[0].onbekend", {}),  # a line's column nobody declared
        ("rwo.naam", {}),  # a name the context does not have
    ],
)
def test_what_fails_alike_for_every_such_row_is_the_templates_fault(tmp_path, expression, row):
    r = renderer(tmp_path, '{\n"a": {{ ' + expression + " }}}")

    with pytest.raises(TemplateFault) as caught:
        r.render("t.json.j2", row, {}, 2, lines=[{"a": 1, "rownum": 2}])
    assert caught.value.line == 2


@pytest.mark.parametrize(
    ("expression", "find", "existing"),
    [
        ("find.debiteur.DbId", {"debiteur": {}}, None),  # the lookup found nothing
        ("existing.DbId", {}, None),  # an insert has no record's ids
        ("parent.DbId", {}, None),  # no parent ids
    ],
)
def test_an_id_only_some_rows_have_is_the_rows_problem(tmp_path, expression, find, existing):
    r = renderer(tmp_path, '{\n"a": {{ ' + expression + " }}}")

    with pytest.raises(RenderError, match=r"t.json.j2 line 2"):
        r.render("t.json.j2", {"a": "x"}, {}, 2, existing, find=find)


def test_template_syntax_errors_are_mapping_errors_with_the_line(tmp_path):
    with pytest.raises(MappingError, match=r"t.json.j2 line 2: template syntax error"):
        renderer(tmp_path, '{\n"a": {{ row.a }\n}')


def test_a_missing_template_is_a_mapping_error(tmp_path):
    with pytest.raises(MappingError, match="template 'x.j2' not found"):
        Renderer(tmp_path, ["x.j2"])


@pytest.mark.parametrize(
    ("expression", "error"),
    [
        ('"{} {}".format(row.a)', "index out of range"),
        ('"{a} {x}".format_map(row)', "'x'"),
        ("row.a | int / 0", "division by zero"),
    ],
)
def test_a_value_the_operation_cannot_take_is_the_rows_render_error_with_the_line(
    tmp_path, expression, error
):
    r = renderer(tmp_path, '{\n"a": {{ ' + expression + " }}}")

    with pytest.raises(RenderError, match=r"t.json.j2 line 2") as caught:
        r.render("t.json.j2", {"a": "x"}, {}, 2)
    assert caught.match(error)


def test_a_cleared_field_is_left_out_of_an_insert_and_emptied_in_an_update(tmp_path):
    from importer.render import CLEAR

    (tmp_path / "t.json.j2").write_text(
        '{"F": {"Ad": {{ row.street }}, "Nm": {{ row.name }}, "Rs": {{ row.city or none }}}}'
    )
    r = Renderer(tmp_path, ["t.json.j2"])
    row = {"street": CLEAR, "name": "Jansen", "city": CLEAR}

    assert r.render("t.json.j2", row, {}, 2) == {"F": {"Nm": "Jansen"}}
    assert r.render("t.json.j2", row, {}, 2, clear="") == {"F": {"Ad": "", "Nm": "Jansen"}}
    assert r.render("t.json.j2", row, {}, 2, clear=None) == {"F": {"Ad": None, "Nm": "Jansen"}}
    assert CLEAR == "" and not CLEAR  # a template reads it as empty text
