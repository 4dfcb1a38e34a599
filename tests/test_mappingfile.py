"""Loading mapping files: every mistake names the file, the line and the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import MappingError
from importer.mappingfile import load_mapping

GOOD = """\
sources:
  klanten: {file: klanten.csv}
steps:
  - name: relaties
    source: klanten
    connector: KnSalesRelationOrg
    template: relatie.json.j2
    key: nr
    keep: [DbId]
    columns:
      nr: {header: Nummer}
  - name: projecten
    source: klanten
    connector: PtProject
    template: project.json.j2
    key: nr
    parent: {step: relaties, key: nr}
    columns:
      nr: {header: Nummer}
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "m.yaml"
    path.write_text(text)
    return load_mapping(path)


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(MappingError) as caught:
        load(tmp_path, text)
    return str(caught.value)


def test_a_wrong_type_names_line_path_and_suggestion(tmp_path):
    text = GOOD.replace(
        "nr: {header: Nummer}\n  - name", "nr: {header: Nummer, type: integr}\n  - name"
    )

    assert error(tmp_path, text) == (
        f"{tmp_path / 'm.yaml'} line 11: steps[0].columns.nr.type: 'integr' is not a type; "
        "did you mean 'integer'?"
    )


def test_unknown_keys_are_errors_with_a_suggestion(tmp_path):
    text = GOOD.replace("    keep: [DbId]\n", "    keep: [DbId]\n    conector: X\n")

    assert error(tmp_path, text).endswith(
        "line 10: steps[0].conector: unknown key; did you mean 'connector'?"
    )


def test_references_between_steps_are_checked(tmp_path):
    text = GOOD.replace("parent: {step: relaties", "parent: {step: relatie").replace(
        "source: klanten\n    connector: PtProject", "source: klant\n    connector: PtProject"
    )

    message = error(tmp_path, text)

    assert "2 problems:" in message
    assert "line 13: steps[1].source: 'klant' is not a source; did you mean 'klanten'?" in message
    assert (
        "line 17: steps[1].parent.step: 'relatie' is not an earlier step; did you mean" in message
    )


def test_the_key_must_be_a_declared_column(tmp_path):
    message = error(tmp_path, GOOD.replace("key: nr\n    keep", "key: nrr\n    keep"))
    assert message.endswith(
        "line 8: steps[0].key: 'nrr' is not a declared column; did you mean 'nr'?"
    )


def test_malformed_yaml_names_the_line(tmp_path):
    message = error(tmp_path, GOOD.replace("keep: [DbId]", "keep: [DbId"))
    assert message.startswith(f"{tmp_path / 'm.yaml'} line 10: not valid YAML")


def test_a_missing_mapping_file(tmp_path):
    with pytest.raises(MappingError, match="cannot read mapping file"):
        load_mapping(tmp_path / "nope.yaml")


def test_a_key_written_twice_is_refused_with_both_lines(tmp_path):
    text = GOOD.replace("    keep: [DbId]\n", "    keep: [DbId]\n    key: naam\n", 1)

    assert error(tmp_path, text) == (
        f"{tmp_path / 'm.yaml'} line 10: steps[0].key: appears twice (lines 8 and 10); only "
        "the last would count. Keep one of them"
    )


def test_every_key_written_twice_is_reported(tmp_path):
    text = GOOD.replace(
        "nr: {header: Nummer}\n  - name", "nr: {header: Nummer, header: Nr}\n  - name"
    )
    text = text.replace("steps:\n", "sources: {}\nsteps:\n").replace(
        "parent: {step: relaties, key: nr}", "parent: {step: relaties, key: nr}\n    key: nr"
    )

    assert error(tmp_path, text) == (
        f"{tmp_path / 'm.yaml'}: 3 problems:\n"
        "  line 3: sources: appears twice (lines 1 and 3); only the last would count. Keep one "
        "of them\n"
        "  line 12: steps[0].columns.nr.header: appears twice (in line 12); only the last would "
        "count. Keep one of them\n"
        "  line 19: steps[1].key: appears twice (lines 17 and 19); only the last would count. "
        "Keep one of them"
    )


def test_allow_formulas_is_for_text_columns_only(tmp_path):
    text = GOOD.replace(
        "nr: {header: Nummer}\n  - name",
        "nr: {header: Nummer, type: integer, allow_formulas: true}\n  - name",
    )

    assert error(tmp_path, text).endswith(
        "line 11: steps[0].columns.nr.allow_formulas: only applies to type text, not integer"
    )


def test_a_find_lookup_may_be_optional_but_a_parent_must_be_found(tmp_path):
    find = GOOD.replace(
        "    keep: [DbId]\n",
        "    keep: [DbId]\n"
        "    find:\n"
        "      organisatie:\n"
        "        connector: Profit_OrgPer\n"
        "        filter: {ChOfCommNr: nr}\n"
        "        ids: {BcCo: BcCo}\n"
        "        optional: true\n",
    )
    assert load(tmp_path, find).steps[0].find["organisatie"].optional is True
    plain = find.replace("        optional: true\n", "")
    assert load(tmp_path, plain).steps[0].find["organisatie"].optional is False

    parent = GOOD.replace(
        "    parent: {step: relaties, key: nr}\n",
        "    parent:\n"
        "      step: relaties\n"
        "      key: nr\n"
        "      lookup: {connector: Profit_Debtor, filter: {DebtorId: nr}, ids: {DbId: DebtorId},"
        " optional: true}\n",
    )
    assert error(tmp_path, parent).endswith(
        "steps[1].parent.lookup.optional: a parent must be found: optional is for find: "
        "lookups only"
    )
