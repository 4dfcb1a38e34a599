"""Four eyes: a plan approved with ``validate --plan``, run by another with ``run --approved``.

The plan file is JSON, written with a fixed key order and one line per row, so that it can be
read and compared by hand. It holds SHA-256 hashes of the mapping file, of every template the
mapping uses (and those they include), of every input file, and of the target environment it
was validated for (the system and host the environment or ``.env`` configure, or ``sandbox``;
never a setting's value, so never a secret); and, per step and source row, the planned status
and action and a hash of the planned body. It records who validated it (``getpass``), when,
and with which version of the importer, and ends with a checksum of its own content, so that
a plan edited by hand or damaged is refused.

A run with an approved plan plans again before anything is opened (the journal, the target)
and refuses — nothing sent, nothing journalled — when anything differs, naming what: a file,
the environment, the rows. Once the target is open it plans with the target's own description
of its connectors and compares the rows again before the first write.

The parts: :mod:`~importer.approval.record` (what a plan records of a run),
:mod:`~importer.approval.planfile` (the file, written), :mod:`~importer.approval.approved`
(a plan read back and checked against a run) and :mod:`~importer.approval.compare` (what
differs). This module holds the two commands' entry points: :func:`begin_plan` and
:func:`check_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.approval.approved import Approved, NotApproved, read_plan
from importer.approval.compare import _file_changes
from importer.approval.planfile import plan_data, write
from importer.approval.record import Environment, environment_of, files_of
from importer.errors import ConfigurationError, ImporterError
from importer.mapping import Mapping
from importer.paths import check_output
from importer.plan import prepare
from importer.results import Result


@dataclass
class Planning:
    """A plan being made by ``validate --plan``: its file and environment are checked, and
    the files hashed, before the rows are read."""

    path: Path
    environment: Environment
    files: dict[str, Any]
    mapping: Mapping

    def write(self, result: Result) -> Path:
        """Write the plan of ``result``; refused when a file changed while it was validated
        (the plan would approve what was not checked)."""
        if files_of(self.mapping) != self.files:
            raise NotApproved(
                f"--plan {self.path}: not written, a file changed while it was validated: "
                f"{'; '.join(_file_changes(self.files, files_of(self.mapping)))}. Validate again"
            )
        return write(self.path, plan_data(result, self.environment, files=self.files))


def begin_plan(path: Path, mapping: Mapping, *, sandbox: bool = False) -> Planning:
    """Start a plan: check that ``path`` can be written and which environment it approves."""
    check_output(path, "--plan")
    try:
        environment = environment_of(mapping, sandbox=sandbox)
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"--plan approves a run against one environment, and none is configured: {exc}"
        ) from exc
    return Planning(Path(path), environment, files_of(mapping), mapping)


def check_run(
    path: Path, mapping: Mapping, *, sandbox: bool = False, dry_run: bool = False
) -> Approved:
    """Before a run opens anything: read the plan, plan again and compare (NotApproved naming
    every difference). A dry run writes to no environment: its environment is not compared."""
    approved = read_plan(path)
    environment = None if dry_run else environment_of(mapping, sandbox=sandbox)
    try:
        result = prepare(mapping).result
    except ImporterError as exc:  # say what changed, if anything did, before why it fails
        found = approved.differences(mapping, environment, None)
        if found:
            raise approved.refuse([*found, f"planning it now fails: {exc}"]) from exc
        raise
    approved.check(mapping, environment, result)
    return approved
