"""The mapping model: its paths, --input, what it declares and its JSON schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FLEX, ROOT
from pydantic import ValidationError

from importer.errors import MappingError
from importer.mapping import Column, Mapping, Match, Source, expressions, json_schema
from importer.mappingfile import load_mapping


def model(step: dict[str, Any] | None = None, **fields: Any) -> Mapping:
    """A mapping of one step made as the model, without a file."""
    return Mapping.model_validate(
        {
            "sources": {"klanten": {"file": "klanten.csv"}},
            "steps": [
                {
                    "name": "relaties",
                    "source": "klanten",
                    "connector": "C",
                    "template": "t.json.j2",
                    "key": "nr",
                    "columns": {"nr": {"header": "Nummer"}},
                    **(step or {}),
                }
            ],
            "path": Path("/mappings/m.yaml"),
            **fields,
        }
    )


def test_flex_mapping_loads_with_paths_relative_to_the_mapping_file():
    mapping = load_mapping(FLEX)

    assert [s.name for s in mapping.steps] == ["verkooprelaties", "klantovereenkomsten"]
    assert mapping.source_path("klanten") == ROOT / "samples" / "flex" / "klanten.csv"
    assert mapping.template_folder == ROOT / "templates"
    assert mapping.steps[1].parent.step == "verkooprelaties"


def test_input_points_a_source_elsewhere():
    mapping = model().with_inputs({"klanten": Path("elders.csv")})

    assert mapping.source_path("klanten") == Path("elders.csv").resolve()
    with pytest.raises(MappingError, match="--input names unknown source 'klant'"):
        mapping.with_inputs({"klant": Path("x.csv")})


def test_the_committed_json_schema_is_current():
    committed = json.loads((ROOT / "mapping.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), "run: importer schema > mapping.schema.json"


def test_an_unknown_target_is_refused_naming_the_known_ones():
    with pytest.raises(ValidationError, match="'nope' is not a target; expected one of: "):
        model(target="nope")


def test_a_step_is_found_by_name_and_a_column_is_read_under_its_header_or_its_name():
    step = model({"columns": {"nr": {"header": "Nummer"}, "naam": {}}}).step("relaties")

    assert (step.header_of("nr"), step.header_of("naam")) == ("Nummer", "naam")


def test_every_expression_is_listed_with_its_key_path():
    mapping = model(
        {
            "columns": {"nr": {"header": "Nummer"}, "x": {"expr": "row.nr ~ '-'"}},
            "lines": {"source": "r", "key": "nr", "columns": {"y": {"expr": "row.nr * 2"}}},
            "checks": [{"expr": "row.nr != ''", "message": "m"}],
            "when": "row.nr > 1",
        }
    )

    assert list(expressions(mapping)) == [
        (("steps", 0, "columns", "x", "expr"), "row.nr ~ '-'"),
        (("steps", 0, "lines", "columns", "y", "expr"), "row.nr * 2"),
        (("steps", 0, "checks", 0, "expr"), "row.nr != ''"),
        (("steps", 0, "when"), "row.nr > 1"),
    ]


def test_a_column_is_read_from_the_file_unless_it_is_a_constant_or_computed():
    assert Column().from_file
    assert not Column(value="EUR").from_file
    assert not Column(expr="row.nr").from_file


def test_a_declared_delimiter_is_the_sources_own_or_its_locales():
    assert Source(file=Path("k.csv")).declared_delimiter is None
    assert Source(file=Path("k.csv"), locale="nl").declared_delimiter == ";"
    assert Source(file=Path("k.csv"), locale="en").declared_delimiter == ","
    assert Source(file=Path("k.csv"), locale="nl", delimiter="\t").declared_delimiter == "\t"


def test_a_match_names_the_parent_ids_its_filter_needs():
    match = Match(connector="R", filter={"DebtorId": "parent.DbId", "Nm": "naam"})

    assert match.parent_ids() == ["DbId"]
