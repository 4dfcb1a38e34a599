"""Planning: the sources read, rows linked to their parents, bodies kept and built again."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from conftest import FLEX, ROOT, seed

from importer.errors import AuthenticationError, InputError
from importer.mappingfile import load_mapping
from importer.plan import _contracts, prepare, read_sources, sheet_maps


def value_map_mapping(tmp_path: Path, old: str) -> Path:
    """A mapping whose column ``factuur`` maps its values with the sheet f.csv."""
    (tmp_path / "k.csv").write_text("Nr;Factuur\n1;post\n2;mail\n", encoding="utf-8")
    (tmp_path / "f.csv").write_text("Oud;Nieuw\npost;P\nmail;E\n", encoding="utf-8")
    path = tmp_path / "m.yaml"
    path.write_text(f"""\
sources: {{klanten: {{file: k.csv}}, factuurwijzen: {{file: f.csv}}}}
steps:
  - name: relaties
    source: klanten
    connector: KnSalesRelationOrg
    template: r.json.j2
    key: nr
    columns:
      nr: {{header: Nr}}
      factuur: {{header: Factuur, map_from: {{source: factuurwijzen, old: {old}, new: Nieuw}}}}
""")
    return path


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


def test_a_child_whose_parent_key_matches_no_row_is_invalid(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "p.json.j2").write_text(
        '{"PtProject": {"Element": {"Fields": {"PrGp": "ALG", "DbId": {{ parent.DbId }}}}}}'
    )
    (tmp_path / "t" / "r.json.j2").write_text(
        '{"KnSalesRelationOrg": {"Element": {"@DbId": {{ row.nr }}, "Fields": {"CuId": "EUR"}, '
        '"Objects": [{"KnOrganisation": {"Element": {"Fields": {"PadAdr": true, "AutoNum": true, '
        '"MatchOga": "6", "Nm": {{ row.nr }}}}}}]}}}'
    )
    (tmp_path / "klanten.csv").write_text("Nr\n1\n2\n", encoding="utf-8")
    (tmp_path / "projecten.csv").write_text("Project;Klant\nP1;1\nP2;3\nP3;2\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text("""\
templates: t
sources: {klanten: {file: klanten.csv}, projecten: {file: projecten.csv}}
steps:
  - {name: relaties, source: klanten, connector: KnSalesRelationOrg, template: r.json.j2,
     key: nr, keep: [DbId], columns: {nr: {header: Nr}}}
  - {name: projecten, source: projecten, connector: PtProject, template: p.json.j2, key: p,
     parent: {step: relaties, key: klant}, columns: {p: {header: Project}, klant: {header: Klant}}}
""")
    outcomes = prepare(load_mapping(tmp_path / "m.yaml")).result.outcomes["projecten"]

    assert {n: o.status for n, o in outcomes.items()} == {2: "planned", 3: "invalid", 4: "planned"}
    assert str(outcomes[3].error) == (
        "Klant: '3' matches no row of step relaties (column 'Nr' of klanten.csv)"
    )
    assert outcomes[4].json() == {
        "PtProject": {"Element": {"Fields": {"PrGp": "ALG", "DbId": "<DbId of relaties row 3>"}}}
    }


def test_every_source_is_read_as_a_text_table_under_its_name():
    tables = read_sources(load_mapping(FLEX))

    assert list(tables) == ["klanten"]
    assert tables["klanten"].path == ROOT / "samples" / "flex" / "klanten.csv"
    assert len(tables["klanten"].frame) == 25
    assert tables["klanten"].frame.index[0] == 2  # the row number the user sees


def test_a_value_map_is_read_from_its_sheet(tmp_path):
    mapping = load_mapping(value_map_mapping(tmp_path, "Oud"))

    maps = sheet_maps(mapping, mapping.steps[0], read_sources(mapping))

    assert maps == {"factuur": {"post": "P", "mail": "E"}}


def test_a_value_map_naming_a_column_its_sheet_lacks_names_the_columns_it_has(tmp_path):
    mapping = load_mapping(value_map_mapping(tmp_path, "Old"))

    with pytest.raises(InputError) as caught:
        sheet_maps(mapping, mapping.steps[0], read_sources(mapping))
    assert str(caught.value) == (
        "Column 'Old' not found in f.csv (value map of column 'factuur' in step relaties). "
        "Available columns: Oud, Nieuw"
    )


def test_the_connectors_contracts_are_asked_side_by_side_and_the_first_error_is_raised():
    both = threading.Barrier(2, timeout=30)  # passes only when two are asked at once

    def contract_for(connector: str) -> None:
        both.wait()
        return None

    assert _contracts(contract_for, ["A", "B", "A"]) == {"A": None, "B": None}

    def refused(connector: str) -> None:
        if connector == "B":
            raise AuthenticationError(f"{connector} refused")
        threading.Event().wait(0.05)  # B fails first
        raise AuthenticationError(f"{connector} refused")

    with pytest.raises(AuthenticationError, match="A refused"):
        _contracts(refused, ["A", "B"])
