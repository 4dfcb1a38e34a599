"""End to end: templates and expressions cannot run code, and cells are never evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES

TEMPLATE = (FIXTURES / "contract" / "templates" / "relatie.json.j2").read_text()
COMMANDS = [("run",), ("run", "--dry-run"), ("validate",), ("render",)]


def shell(target: Path) -> str:
    """The well-known way out of an unsandboxed Jinja: a shell command that makes a file."""
    return f"cycler.__init__.__globals__.os.popen('touch {target}').read()"


def write_mapping(
    folder: Path, *, template: str = TEMPLATE, when: str = "", column: str = "", cells: str = ""
) -> Path:
    (folder / "templates").mkdir()
    (folder / "templates" / "relatie.json.j2").write_text(template)
    (folder / "klanten.csv").write_text(
        cells or "Nummer;Naam;Factuurwijze\nK1;Bakkerij De Graaf;E\nK2;Jansen;E\n",
        encoding="utf-8",
    )
    path = folder / "m.yaml"
    path.write_text(f"""\
sources:
  klanten: {{file: klanten.csv}}
templates: templates
steps:
  - name: relaties
    source: klanten
    connector: KnSalesRelationOrg
    template: relatie.json.j2
    key: nummer
    keep: [DbId]
{f"    when: {when}{chr(10)}" if when else ""}    columns:
      nummer: {{header: Nummer}}
      naam: {{header: Naam, required: true}}
      factuurwijze: {{header: Factuurwijze}}
{f"      {column}{chr(10)}" if column else ""}""")
    return path


REFUSED = "'__globals__' is not allowed: names starting with '_' reach into Python internals"


@pytest.mark.parametrize("command", COMMANDS)
def test_a_template_that_would_run_a_shell_command_is_refused_and_nothing_is_sent(
    cli, afas_env, tmp_path, command
):
    target = tmp_path / "pwned"
    template = TEMPLATE.replace('"CuId": "EUR"', f'"CuId": {{{{ {shell(target)} }}}}')
    assert template.splitlines()[1].startswith('  "Fields": {"CuId": {{ cycler.')
    mapping = write_mapping(tmp_path, template=template)

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert f"Error: {tmp_path}/templates/relatie.json.j2 line 2: template refused: {REFUSED}" in (
        ran.err.splitlines()
    )
    assert not target.exists()
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_condition_that_would_run_a_shell_command_is_refused_and_nothing_is_sent(
    cli, afas_env, tmp_path, command
):
    target = tmp_path / "pwned"
    when = f"{shell(target)} == ''"
    mapping = write_mapping(tmp_path, when=f'"{when}"')

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert f'Error: {mapping} line 11: steps[0].when: "{when}" is refused: {REFUSED}' in (
        ran.err.splitlines()
    )
    assert not target.exists()
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_computed_column_that_would_run_a_shell_command_is_refused_and_nothing_is_sent(
    cli, afas_env, tmp_path, command
):
    target = tmp_path / "pwned"
    mapping = write_mapping(tmp_path, column=f'x: {{expr: "{shell(target)}"}}')

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert (
        f'Error: {mapping} line 15: steps[0].columns.x.expr: "{shell(target)}" is refused: '
        f"{REFUSED}"
    ) in ran.err.splitlines()
    assert not target.exists()
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_what_the_sandbox_stops_while_rendering_stops_the_run_and_nothing_is_sent(
    cli, afas_env, tmp_path, command
):
    # it looks harmless, so only rendering it shows that it would make a 12 MB value
    template = TEMPLATE.replace('"InPv": {{ row.factuurwijze }}', '"InPv": {{ row.naam * 10**6 }}')
    mapping = write_mapping(tmp_path, template=template)

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert (
        f"Error: {tmp_path}/templates/relatie.json.j2 line 2: template refused: '*' would make a "
        "value of 17,000,000 characters or items; at most 1,000,000 are allowed"
    ) in ran.err.splitlines()
    assert afas_env.state.requests == []


COMPUTED = "row.naam | attr('_' ~ '_class__') | default('')"  # Jinja made it '' (or 'E')
CLASS = "'__class__' is not allowed: names starting with '_' reach into Python internals"


@pytest.mark.parametrize("command", COMMANDS)
def test_an_attribute_name_the_values_make_is_refused_naming_its_file_and_line(
    cli, afas_env, tmp_path, command
):
    template = TEMPLATE.replace(
        '"InPv": {{ row.factuurwijze }}', f'"InPv": {{{{ {COMPUTED} or row.factuurwijze }}}}'
    )
    mapping = write_mapping(tmp_path, template=template)

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert (
        f"Error: {tmp_path}/templates/relatie.json.j2 line 2: template refused: {CLASS}"
    ) in ran.err.splitlines()
    assert afas_env.state.requests == []


@pytest.mark.parametrize("command", COMMANDS)
def test_a_computed_column_reading_an_attribute_the_values_name_is_refused(
    cli, afas_env, tmp_path, command
):
    mapping = write_mapping(tmp_path, column=f'x: {{expr: "{COMPUTED}"}}')

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert (
        f'Error: {mapping} line 15: steps[0].columns.x.expr: "{COMPUTED}" is refused: {CLASS}'
    ) in ran.err.splitlines()
    assert afas_env.state.requests == []


CELLS = ["{{ 7*7 }}", "{% for x in range(9) %}x{% endfor %}", "{{ cycler.__init__ }}"]


def test_a_cell_is_sent_as_it_is_never_evaluated_whatever_it_holds(cli, afas_env, tmp_path):
    cells = "Nummer;Naam;Factuurwijze\n" + "".join(
        f"K{i};{text};E\n" for i, text in enumerate(CELLS, start=1)
    )
    mapping = write_mapping(tmp_path, cells=cells)

    ran = cli("run", mapping)

    assert ran.code == 0, ran.err
    names = [
        body["KnSalesRelationOrg"]["Element"]["Objects"][0]["KnOrganisation"]["Element"]["Fields"][
            "Nm"
        ]
        for body in afas_env.state.received("KnSalesRelationOrg")
    ]
    assert sorted(names) == sorted(CELLS)


PROJECT = """\
{"PtProject": {"Element": {"Fields": {"PrGp": "ALG", "Prof": -147, "DbId": {{ parent.DbId }},
  "Ds": {{ row.naam ~ ('x' * (2000000 if (parent.DbId | length) < 10 else 1)) }},
  "VbCo": "ALG", "PrTy": "1", "CmId": "01", "VaCc": "0", "PsId": 2, "HrWe": 36}}}}
"""


def test_what_the_sandbox_stops_only_with_the_real_ids_stops_sending(cli, afas_env, tmp_path):
    # while planning, parent.DbId is a placeholder ('<DbId of relaties row 2>'): only the id
    # the relation really got makes the description too long
    mapping = write_mapping(tmp_path)
    (tmp_path / "templates" / "project.json.j2").write_text(PROJECT)
    mapping.write_text(
        mapping.read_text()
        + """\
  - name: projecten
    source: klanten
    connector: PtProject
    template: project.json.j2
    key: nummer
    parent: {step: relaties, key: nummer}
    columns: {nummer: {header: Nummer}, naam: {header: Naam}}
"""
    )

    ran = cli("run", mapping)

    assert ran.code == 2  # a run that stops exits 2, whatever it sent before
    assert (
        f"Error: {tmp_path}/templates/project.json.j2 line 2: template refused: '*' would make "
        "a value of 2,000,000 characters or items; at most 1,000,000 are allowed"
    ) in ran.err.splitlines()
    assert len(afas_env.state.received("KnSalesRelationOrg")) == 2
    assert afas_env.state.received("PtProject") == []
    assert (
        ran.out
        == "Import stopped: 0 created, 0 failed, 0 invalid, 2 skipped; source rows: klanten.csv 2\n"
    )  # by row


# --- template mistakes: reported once, where they are written; nothing sent -------------------

MANY = "Nummer;Naam;Factuurwijze\n" + "".join(f"K{n};Klant {n};E\n" for n in range(1, 13))


@pytest.mark.parametrize("command", [("run",), ("validate",), ("render",)])
def test_an_unknown_column_is_reported_once_at_its_line_and_nothing_is_sent(
    cli, afas_env, tmp_path, command
):
    template = TEMPLATE.replace("{{ row.naam }}", "{{ row.nam }}")
    mapping = write_mapping(tmp_path, template=template, cells=MANY)

    ran = cli(*command, mapping)

    assert ran.code == 2
    assert ran.err == (
        f"Error: {tmp_path}/templates/relatie.json.j2 line 4: row.nam: the mapping declares no "
        "column 'nam' (did you mean 'naam'?); columns: nummer, naam, factuurwijze; a mistake "
        "of the template, first met in klanten.csv row 2: nothing is sent until it is fixed\n"
    )
    assert afas_env.state.requests == []
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_template_failing_on_blank_cells_stops_the_run_before_anything_is_sent(
    cli, afas_env, tmp_path
):
    # ten rows with a KvK number and two without: `row.kvk[:8]` fails on the blank ones
    cells = "Nummer;Naam;Factuurwijze;KvK\n" + "".join(
        f"K{n};Klant {n};E;{'' if n in (4, 9) else f'1234567{n:02}'}\n" for n in range(1, 13)
    )
    template = TEMPLATE.replace(
        '"Nm": {{ row.naam }}', '"Nm": {{ row.naam }}, "CcNr": {{ row.kvk[:8] }}'
    )
    mapping = write_mapping(tmp_path, template=template, cells=cells, column="kvk: {header: KvK}")

    ran = cli("run", mapping)

    assert ran.code == 2
    assert ran.err.count("Error:") == 1
    assert "relatie.json.j2 line 4: 'NoneType' object is not subscriptable; a mistake of the " in (
        ran.err
    )
    assert "first met in klanten.csv row 5" in ran.err
    assert afas_env.state.requests == []


def test_a_value_only_one_row_has_wrong_makes_that_row_invalid_and_the_others_go(
    cli, afas_env, tmp_path
):
    # a zero to divide by is the row's data, not the template's mistake
    cells = "Nummer;Naam;Factuurwijze;Aantal\nK1;Een;E;2\nK2;Twee;E;0\nK3;Drie;E;4\n"
    template = TEMPLATE.replace('"Nm": {{ row.naam }}', '"Nm": {{ row.naam ~ (12 // row.aantal) }}')
    column = "aantal: {header: Aantal, type: integer}"
    mapping = write_mapping(tmp_path, template=template, cells=cells, column=column)

    ran = cli("run", mapping)

    assert ran.code == 1
    assert "klanten.csv row 3 (relaties): invalid: template relatie.json.j2 line 4: " in ran.err
    assert len(afas_env.state.debtors) == 2
