"""Rendering bodies: JSON-valued expressions, pruning, seed bodies, template errors."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from conftest import FIXTURES, FLEX

from importer.errors import MappingError
from importer.mapping import load_mapping
from importer.plan import prepare
from importer.render import Renderer, RenderError, prune


def renderer(tmp_path, text: str, name: str = "t.json.j2") -> Renderer:
    (tmp_path / name).write_text(text)
    return Renderer(tmp_path, [name])


def seed(name: str) -> dict:
    return json.loads((FIXTURES / "seed" / f"{name}.json").read_text())


def test_flex_sample_renders_the_seed_sales_relation_field_for_field():
    plan = prepare(load_mapping(FLEX))

    assert plan.result.outcomes["verkooprelaties"][2].json() == seed("KnSalesRelationOrg")


def test_planned_bodies_are_kept_as_compact_json_text():
    # 100,000 planned bodies as dicts took ~550 MB; as compact text about a tenth of that
    outcome = prepare(load_mapping(FLEX)).result.outcomes["verkooprelaties"][2]

    assert isinstance(outcome.body, str)
    assert outcome.body == json.dumps(
        seed("KnSalesRelationOrg"), separators=(",", ":"), ensure_ascii=False
    )
    assert outcome.json() == seed("KnSalesRelationOrg")


def test_flex_sample_renders_the_seed_agreement_with_the_parent_debtor_id():
    plan = prepare(load_mapping(FLEX))
    step = plan.result.mapping.step("klantovereenkomsten")

    assert plan.build(step, 2, {"DbId": "80418"}).body == seed("PtProject")


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
    assert prune({"a": None, "b": "", "c": {"d": None}, "e": [{"f": None}], "g": [], "h": {}}) == {
        "b": "",
        "g": [],
        "h": {},
    }


def test_a_column_the_template_does_not_know_names_the_line_and_the_columns(tmp_path):
    r = renderer(tmp_path, '{\n"a": {{ row.naam }},\n"b": {{ row.iban }}\n}')

    with pytest.raises(RenderError) as caught:
        r.render("t.json.j2", {"naam": "x", "plaats": "y"}, {}, 2)
    assert str(caught.value) == (
        "template t.json.j2 line 3: 'dict object' has no attribute 'iban'. "
        "Columns: naam, plaats; no parent step"
    )


def test_a_template_that_gives_no_json_says_where(tmp_path):
    r = renderer(tmp_path, '{"a": {{ row.a }}\n "b": 1}')

    with pytest.raises(
        RenderError, match="does not give valid JSON: Expecting ',' delimiter at line 2"
    ):
        r.render("t.json.j2", {"a": 1}, {}, 2)


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
        ("(1, 2) | dictsort", "items"),
    ],
)
def test_a_template_that_misuses_a_value_is_a_render_error_with_the_line(
    tmp_path, expression, error
):
    r = renderer(tmp_path, '{\n"a": {{ ' + expression + " }}}")

    with pytest.raises(RenderError, match=r"t.json.j2 line 2") as caught:
        r.render("t.json.j2", {"a": "x"}, {}, 2)
    assert caught.match(error)
