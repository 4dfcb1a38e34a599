"""The sandbox templates and expressions run in: what is refused, and the limits."""

from __future__ import annotations

import pytest

from importer import templating
from importer.errors import MappingError
from importer.render import ExpressionRefused, Renderer, compile_expression

ROW = {"naam": "Jansen", "nr": 7}
LINES = [{"naam": "a", "rownum": 2}, {"naam": "b", "rownum": 3}]


def render(tmp_path, text: str, name: str = "t.json.j2"):
    (tmp_path / name).write_text(text)
    return Renderer(tmp_path, [name]).render(name, ROW, {}, 2, lines=LINES)


def refusal(tmp_path, text: str) -> str:
    with pytest.raises(MappingError) as caught:
        render(tmp_path, text)
    return str(caught.value)


def test_the_shell_exploit_is_refused_when_the_template_is_compiled(tmp_path):
    target = tmp_path / "pwned"
    template = tmp_path / "t.json.j2"
    template.write_text(
        '{"a": 1,\n'
        f"\"b\": {{{{ cycler.__init__.__globals__.os.popen('touch {target}').read() }}}}}}"
    )

    with pytest.raises(MappingError) as caught:
        Renderer(tmp_path, ["t.json.j2"])
    assert str(caught.value) == (
        f"{template} line 2: template refused: '__globals__' is not allowed: "
        "names starting with '_' reach into Python internals"
    )
    assert not target.exists()


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("row.__class__", "'__class__' is not allowed: names starting with '_' reach into"),
        ("row['__class__']", "'__class__' is not allowed: names starting with '_' reach into"),
        ("row._private", "'_private' is not allowed: names starting with '_' reach into"),
        ("row | attr('__class__')", "'__class__' is not allowed"),
        ("lines | map(attribute='naam.__class__') | list", "'__class__' is not allowed"),
        ("lines | map('attr', '__dict__') | list", "'__dict__' is not allowed"),
        ("lines | selectattr('__class__') | list", "'__class__' is not allowed"),
        ("'{0.__class__}'.format(row)", "'__class__' is not allowed"),
        ("(lines | map('string')).gi_frame", "'gi_frame' is not allowed: it reaches into Python"),
        ("lines.append(1)", "append() is not allowed: templates and expressions cannot change a"),
        ("row.update({'naam': 'x'})", "update() is not allowed"),
    ],
)
def test_what_the_sandbox_would_refuse_is_refused_before_anything_runs(
    tmp_path, expression, reason
):
    template = tmp_path / "t.json.j2"
    template.write_text("{\n" + f'"a": {{{{ {expression} }}}}' + "\n}")

    with pytest.raises(MappingError) as caught:
        Renderer(tmp_path, ["t.json.j2"])
    assert str(caught.value).startswith(f"{template} line 2: template refused: {reason}")
    with pytest.raises(MappingError) as caught:
        compile_expression(expression)
    assert str(caught.value).startswith(f"{expression!r} is refused: {reason}")


def test_what_the_sandbox_refuses_while_rendering_stops_the_run_not_a_row(tmp_path):
    # row.update is not called, so only the sandbox sees (at render time) that it may not be
    message = refusal(tmp_path, '{"a": 1,\n"b": {{ row.update }}}')

    assert message == (
        f"{tmp_path / 't.json.j2'} line 2: template refused: "
        "update() is not allowed: templates and expressions cannot change a value"
    )


COMPUTED = "'__class__' is not allowed: names starting with '_' reach into Python internals"


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("row.naam | attr('_' ~ '_class__') | default('leeg')", COMPUTED),
        ("(row.naam | attr('_' ~ '_class__')) is defined", COMPUTED),
        ("row | attr('_' ~ 'geheim') | default('leeg')", "'_geheim' is not allowed: names start"),
        ("row.naam | attr(lines[0].naam ~ '_class__') | default('leeg')", None),
        ("lines | map(attribute='_' ~ '_class__') | list | length", COMPUTED),
        ("row.naam[('_' ~ '_class__')] | default('leeg')", COMPUTED),
    ],
)
def test_an_attribute_name_the_values_make_is_refused_like_a_written_one(
    tmp_path, expression, reason
):
    # Jinja gives an empty value for it, which `default`, `is defined` or an expression's
    # result let through silently
    if reason is None:  # 'a_class__': a name that only looks like one
        assert render(tmp_path, '{"a": 1,\n"b": {{ ' + expression + " }}}")["b"] == "leeg"
        return
    assert refusal(tmp_path, '{"a": 1,\n"b": {{ ' + expression + " }}}").startswith(
        f"{tmp_path / 't.json.j2'} line 2: template refused: {reason}"
    )
    with pytest.raises(ExpressionRefused) as caught:
        compile_expression(expression)(row=ROW, lines=LINES)
    assert str(caught.value).startswith(f"{expression!r} is refused: {reason}")


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "{{ 'x' * 2000000 }}",
            "'*' would make a value of 2,000,000 characters or items; at most 1,000,000 are allowed",
        ),
        ("{{ [1] * 2000000 }}", "'*' would make a value of 2,000,000 characters or items"),
        (
            "{{ 2 ** 2000000 }}",
            "'**' would make a number of 2,000,001 bits; at most 1,000,000 are allowed",
        ),
        ("{{ (2 ** 700000) * (2 ** 700000) }}", "'*' would make a number of 1,400,002 bits"),
        ("{{ 10 ** (10 ** 10) }}", "'**' would make a number of 33,219,280,949 bits"),
        ("{{ 10 ** 10 ** 10 }}", None),  # ** goes left to right in Jinja: 10 ** 100
        ("{{ 'a' ~ ('x' * 999999) ~ 'bc' }}", "'~' would make a value of 1,000,002 characters"),
        ("{{ ('x' * 999999) + 'bc' }}", "'+' would make a value of 1,000,001 characters"),
        ("{{ (['x' * 1000] * 2000) | join }}", "the join filter would make a value of 2,000,000"),
        ("{{ ['x' * 1000] | join('y' * 1000000) }}", None),  # one item: no separator
        ("{{ ', '.join(['x' * 1000] * 2000) }}", "join() would make a value of 2,003,998"),
        (
            "{{ ('x' * 1000) | replace('x', 'y' * 2000) }}",
            "the replace filter would make a value of 2,001,000",
        ),
        ("{{ 'x'.replace('', 'y' * 1000000) }}", "replace() would make a value of 2,000,001"),
        ("{{ 'x' | center(2000000) }}", "the center filter would make a value of 2,000,001"),
        ("{{ 'x'.ljust(2000000) }}", "ljust() would make a value of 2,000,001"),
        ("{{ 'x' | indent('y' * 1000000) }}", None),  # the first line is not indented
        (
            "{{ ('x\\n' * 10) | indent('y' * 100000, true) }}",
            "the indent filter would make a value of 1,100,020",
        ),
        ("{{ range(10) | batch(2000000) | list }}", "the batch filter would make a value of"),
        ("{{ range(10) | slice(2000000) | list }}", "the slice filter would make a value of"),
        ("{{ '%02000000d' % 1 }}", "the conversion '%02000000' would make a value of 2,000,000"),
        ("{{ '%*d' % (5, 1) }}", "a width or precision '*' taken from the values is not allowed"),
        ("{{ '%.2000000f' | format(1) }}", "the conversion '%.2000000' would make a value"),
        ("{{ '{:>2000000}'.format(1) }}", "the format '>2000000' would make a value of 2,000,000"),
        ("{{ '{:{w}}'.format(1, w=5) }}", "a width or precision taken from the values is not"),
        ("{{ range(200000) | list }}", "range() would give more than 100,000 numbers"),
    ],
)
def test_a_template_cannot_make_a_value_too_big_to_hold(tmp_path, template, reason):
    text = '{"a": ' + template + "}"
    if reason is None:  # what only looks big is allowed
        assert render(tmp_path, text)["a"]
        return
    assert refusal(tmp_path, text).startswith(
        f"{tmp_path / 't.json.j2'} line 1: template refused: {reason}"
    )


def test_loops_over_loops_stop_at_a_million_steps(tmp_path):
    loops = '{"a": 1{% for i in range(1000) %}{% for j in range(1001) %}{% endfor %}{% endfor %}}'

    assert refusal(tmp_path, loops) == (
        f"{tmp_path / 't.json.j2'} line 1: template refused: more than 1,000,000 loop "
        "iterations and calls for one body: a loop over a loop, or a macro that calls itself, "
        "runs too long"
    )
    # the budget is per body: the next one starts afresh
    assert render(tmp_path, '{"a": 1{% for i in range(100000) %}{% endfor %}}', "u.json.j2")


def test_a_macro_or_loop_that_calls_itself_without_end_stops_with_the_line(tmp_path):
    macro = '{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}\n{"a": {{ deeper(1) }}}'
    loop = '{"a": 1\n{% for x in [1] recursive %}\n{{ loop([1]) }}{% endfor %}}'

    assert refusal(tmp_path, macro) == (
        f"{tmp_path / 't.json.j2'} line 1: template refused: "
        "it calls itself without end (a macro or a recursive loop)"
    )
    assert refusal(tmp_path, loop) == (
        f"{tmp_path / 't.json.j2'} line 2: template refused: "
        "it calls itself without end (a macro or a recursive loop)"
    )


def test_a_body_is_at_most_ten_million_characters(tmp_path):
    # each value is small, and the loop is short: only the body as a whole is too long
    big = '{"a": [{% for i in range(100000) %}{{ "x" * 101 }},{% endfor %} 1]}'

    assert refusal(tmp_path, big) == (
        f"{tmp_path / 't.json.j2'}: template refused: "
        "the body would be more than 10,000,000 characters long"
    )


def test_a_body_that_takes_too_long_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "MAX_SECONDS", -1.0)

    assert refusal(tmp_path, '{"a": 1{% for i in range(3) %}{% endfor %}}').endswith(
        "template refused: rendering one body took more than -1 seconds"
    )


def test_an_expression_the_sandbox_stops_while_it_runs_raises_expression_refused():
    doubled = compile_expression("row.naam * 2000000")

    with pytest.raises(ExpressionRefused) as caught:
        doubled(row={"naam": "x"})
    assert caught.value.expression == "row.naam * 2000000"
    assert str(caught.value) == (
        "'row.naam * 2000000' is refused: '*' would make a value of 2,000,000 characters or "
        "items; at most 1,000,000 are allowed"
    )
    assert doubled(row={"naam": 3}) == 6000000  # numbers are not sequences


def test_what_templates_do_still_works_in_the_sandbox(tmp_path):
    body = render(
        tmp_path,
        """{% macro name(line) %}{{ line.naam | upper }}{% endmacro %}
{% set ns = namespace(total=0) %}{% for line in lines %}{% set ns.total = ns.total + 1 %}{% endfor %}
{"a": {{ row.naam ~ ' ' ~ row.nr }}, "b": {{ '%05d' % row.nr }}, "c": {{ '{} {}'.format(row.nr, 'x') }},
 "d": {{ lines | join(', ', attribute='naam') }}, "e": {{ row.naam.split('n') }},
 "f": [{% for line in lines %}{{ name(line) | safe }}{% if not loop.last %},{% endif %}{% endfor %}],
 "g": {{ ns.total }}, "h": {{ row.get('nr') }}, "i": {{ range(3) | list }}, "j": {{ 2 ** 10 }},
 "k": {{ 'x' * 3 }}, "l": {{ [1] + [2] }}, "m": {{ 7 % 3 }}, "n": {{ row.naam | replace('n', 'N') }},
 "o": [{% for l in lines %}{{ l.get('naam') }}{% if not loop.last %},{% endif %}{% endfor %}]}""",
    )

    assert body == {
        "a": "Jansen 7",
        "b": "00007",
        "c": "7 x",
        "d": "a, b",
        "e": ["Ja", "se", ""],
        "f": ["A", "B"],
        "g": 2,
        "h": 7,
        "i": [0, 1, 2],
        "j": 1024,
        "k": "xxx",
        "l": [1, 2],
        "m": 1,
        "n": "JaNseN",
        "o": ["a", "b"],
    }
