"""The command line as users of other tools expect it: -h, --version, help without type
placeholders for flags, examples in every command's help, --input naming the sources, and
``importer fields`` finding a field by its label."""

from __future__ import annotations

import re

import pytest
from conftest import FLEX
from typer.testing import CliRunner

from importer.cli import app
from importer.targets import TargetSpec, register, unregister

COMMANDS = ["run", "status", "undo", "validate", "render", "fields", "new", "sandbox", "schema"]


def help_of(*args: str) -> str:
    ran = CliRunner().invoke(app, [*args, "-h"], prog_name="importer", terminal_width=200)
    assert ran.exit_code == 0, ran.output
    return ran.output


def test_h_and_version(cli):
    assert cli("-h").code == 0
    ran = cli("--version")
    assert ran.code == 0 and re.fullmatch(r"importer \d+\.\d+\.\d+\S*\n", ran.out)


def test_the_top_level_help_names_both_targets_and_an_example():
    text = help_of()
    assert "AFAS Profit or Recras" in text
    assert "importer run mappings/flex.yaml --sandbox" in text
    assert "<bool>" not in text


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_examples_and_no_bool_placeholder(command):
    text = help_of(command)
    assert "Example" in text and f"importer {command} " in text
    assert "<bool>" not in text
    assert "{mapping}" not in text


def test_the_mapping_argument_shows_in_capitals_and_flags_take_no_value():
    text = help_of("run")
    assert "Usage: importer run [OPTIONS] MAPPING" in text
    assert re.search(r"--sandbox\s+Send to the built-in", text)
    assert "NAME=PATH" in text


def test_out_says_which_workbook():
    assert "The result workbook" in help_of("run")
    assert "The validation report" in help_of("validate")
    assert "The undo workbook" in help_of("undo")
    assert "--out" not in help_of("status")


def test_an_unknown_source_name_in_input_lists_the_sources(cli):
    ran = cli("validate", FLEX, "--input", "klant=elders.csv")

    assert ran.code == 2
    assert "the mapping has no source 'klant' (did you mean 'klanten'?); its sources: klanten" in (
        " ".join(ran.err.split())
    )


def test_fields_finds_a_field_by_a_word_of_its_dutch_label(cli):
    ran = cli("fields", "KnSalesRelationOrg", "sinds")

    assert ran.code == 0
    assert "CsDa" in ran.out and "Klant sinds" in ran.out and "Customer since" in ran.out
    assert ran.out.count("\n") == 2  # the heading and CsDa


def test_fields_lists_type_length_values_and_mandatory(cli):
    ran = cli("fields", "KnSalesRelationOrg", "CuId")
    assert "CuId *  Valuta / Currency  [string(3)]" in ran.out

    ran = cli("fields", "KnSalesRelationOrg", "verstrekkingswijze")
    assert "InPv" in ran.out and "values: " in ran.out

    everything = cli("fields", "KnSalesRelationOrg").out
    assert "KnOrganisation.KnBasicAddressAdr.ZpCd  Postcode / Postal code" in everything


def test_fields_with_words_none_has_all_of_shows_those_with_some(cli):
    ran = cli("fields", "KnSalesRelationOrg", "debiteur", "sinds")
    assert "none has all of debiteur sinds" in ran.out
    assert "CsDa" in ran.out and "DbId" in ran.out


def test_fields_of_an_unknown_connector_names_the_known_ones(cli):
    ran = cli("fields", "KnSalesRelation")
    assert ran.code == 2 and "KnSalesRelationOrg" in ran.err


def test_fields_reads_a_configured_targets_metainfo(cli, afas_env):
    ran = cli("fields", "KnSalesRelationOrg", "CsDa")
    assert ran.code == 0
    assert f"the metainfo of {afas_env.host}" in ran.out
    assert "CsDa" in ran.out


def test_fields_of_recras_come_from_its_rules(cli):
    ran = cli("fields", "klanten", "geslacht", "--target", "recras")
    assert ran.code == 0
    assert (
        "contactpersonen.geslacht  Geslacht / Gender  [text]  values: man, vrouw, onbekend"
        in ran.out
    )


def test_a_target_without_a_field_listing_says_so(cli):
    register(TargetSpec("plain", "Plain", "x:y", (), "x:y", lambda box: {}))
    try:
        ran = cli("fields", "anything", "--target", "plain")
    finally:
        unregister("plain")
    assert ran.code == 0 and ran.out == "Plain lists no fields of its connectors.\n"


def test_new_matches_a_header_by_a_fields_dutch_label(cli, tmp_path):
    # neither header is among the scaffold's known headers: both are labels `fields` shows
    (tmp_path / "klanten.csv").write_text("Naam;Voorkeur verstrekkingswijze\nA;E\n")
    ran = cli("new", "-c", "KnSalesRelationOrg", "-i", tmp_path / "klanten.csv")
    assert ran.code == 0, ran.err
    assert "Voorkeur verstrekkingswijze -> InPv" in ran.out
