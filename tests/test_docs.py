"""The documentation and the repository agree: commands, mappings, CI."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

from importer.cli import app
from importer.mappingfile import load_mapping
from importer.plan import prepare

README = (ROOT / "README.md").read_text(encoding="utf-8")
MAPPINGS = sorted((ROOT / "mappings").glob("*.yaml"))


def test_quick_start_is_exactly_two_commands_and_ci_runs_the_second():
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = block.strip().splitlines()

    assert commands == [
        "python -m pip install -e . && importer run mappings/flex.yaml --sandbox",
        "python -m pip install -e '.[test]' && python -m pytest",
    ]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize("command", [c.name for c in app.registered_commands])
def test_every_command_is_documented(command):
    assert re.search(rf"`importer {command}[ `]", README)


@pytest.mark.parametrize("path", MAPPINGS, ids=lambda p: p.name)
def test_every_mapping_loads_and_its_samples_render_cleanly(path):
    result = prepare(load_mapping(path)).result

    assert result.all_done, [
        o.error for s in result.outcomes.values() for o in s.values() if o.status != "planned"
    ][:3]
