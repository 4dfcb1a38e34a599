"""A plan read back from its file (refused when damaged), and checked against a run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.approval.compare import _file_changes, _row_changes
from importer.approval.planfile import FORMAT, VERSION, checksum
from importer.approval.record import Environment, files_of, steps_of, version
from importer.errors import ConfigurationError
from importer.mapping import Mapping
from importer.results import Result

SHOWN = 10  # rows named in a refusal; the count says how many there are


class NotApproved(ConfigurationError):
    """The run is not what was approved, or the plan cannot be used: nothing is sent."""


@dataclass
class Approved:
    """A plan read from its file, to check a run against."""

    path: Path
    data: dict[str, Any]

    @property
    def by(self) -> str:
        return str(self.data["validated_by"])

    @property
    def at(self) -> str:
        return str(self.data["validated_at"])

    def describe(self) -> str:
        """The line a run prints when it starts with this plan (once it matched)."""
        made = self.data["importer"]
        also = f", validated with importer {made}" if made != version() else ""
        steps = self.data["steps"]
        rows = sum(len(step["rows"]) for step in steps)
        return (
            f"Approved by {self.by} at {self.at.replace('T', ' ')} ({self.path}{also}): the "
            f"mapping, its templates and inputs, the target and every row ({rows} in "
            f"{len(steps)} step{'s' if len(steps) != 1 else ''}) match"
        )

    def differences(
        self, mapping: Mapping, environment: Environment | None, result: Result | None
    ) -> list[str]:
        """What differs from the plan: the files, the environment (None: not compared) and
        the rows of ``result`` (None: not compared)."""
        found = _file_changes(self.data, files_of(mapping))
        target = self.data["target"]
        if environment is not None and target["sha256"] != environment.sha256:
            approved = Environment(target["system"], target["host"], target["environment"])
            found.append(
                f"the target: approved for {approved.describe()}, this run writes to "
                f"{environment.describe()}"
            )
        if result is not None:
            found.extend(self.row_changes(result))
        return found

    def row_changes(self, result: Result) -> list[str]:
        """The rows whose status, action or body differ (the first :data:`SHOWN`, and the
        count), as the user sees them: file, row number and step."""
        changed = list(_row_changes(self.data["steps"], steps_of(result)))
        if not changed:
            return []
        count = len(changed)
        lines = [f"{count} row{'s differ' if count != 1 else ' differs'} from the approved plan:"]
        lines += [f"  {c}" for c in changed[:SHOWN]]
        if len(changed) > SHOWN:
            lines.append(f"  ... and {len(changed) - SHOWN} more")
        return ["\n".join(lines)]

    def refuse(self, found: list[str]) -> NotApproved:
        shown = "\n".join(f"- {line}" for line in found)
        return NotApproved(
            f"Not the run that was approved: nothing was sent. {self.path} (approved by "
            f"{self.by} at {self.at.replace('T', ' ')}) differs from this run in:\n{shown}\n"
            "Validate again with --plan and have the new plan approved."
        )

    def check(
        self, mapping: Mapping, environment: Environment | None, result: Result | None
    ) -> None:
        """Raise :class:`NotApproved` naming every difference; return when there is none."""
        found = self.differences(mapping, environment, result)
        if found:
            raise self.refuse(found)

    def check_rows(self, result: Result) -> None:
        """Raise :class:`NotApproved` when the rows planned now differ from the plan's."""
        found = self.row_changes(result)
        if found:
            raise self.refuse(found)


_REQUIRED = {
    "importer": str,
    "validated_by": str,
    "validated_at": str,
    "mapping": dict,
    "templates": list,
    "inputs": list,
    "target": dict,
    "steps": list,
}


def read_plan(path: Path) -> Approved:
    """A plan file, refused (NotApproved) when it cannot be read, is not a plan of this
    version, or was changed after it was written."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise NotApproved(f"--approved {path} cannot be read: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotApproved(
            f"--approved {path} is not a plan: not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotApproved(f"--approved {path} is not a plan written by 'importer validate --plan'")
    if data.get("version") != VERSION:
        raise NotApproved(
            f"--approved {path} is a plan of version {data.get('version')!r}; this importer "
            f"({version()}) reads version {VERSION}: validate again to write a new plan"
        )
    if data.get("checksum") != checksum(data):
        raise NotApproved(
            f"--approved {path} was changed after it was written (its checksum does not "
            "match its content): a plan cannot be edited; validate again to write a new one"
        )
    for key, kind in _REQUIRED.items():
        if not isinstance(data.get(key), kind):
            raise NotApproved(f"--approved {path} is damaged: {key!r} is missing or wrong")
    if not _well_formed(data):
        raise NotApproved(f"--approved {path} is damaged: it does not hold what a plan holds")
    return Approved(path, data)


def _well_formed(data: dict[str, Any]) -> bool:
    """Whether the parts a run compares are there, of the right kinds."""

    def entries(items: Any, *keys: str) -> bool:
        return isinstance(items, list) and all(
            isinstance(item, dict) and all(key in item for key in keys) for item in items
        )

    texts = [("mapping", "sha256"), ("mapping", "file")]
    texts += [("target", key) for key in ("system", "host", "environment", "sha256")]
    return (
        entries(data["templates"], "name", "sha256")
        and entries(data["inputs"], "source", "file", "sha256")
        and entries(data["steps"], "step", "source", "rows")
        and all(entries(step["rows"], "row", "status") for step in data["steps"])
        and all(isinstance(data[part].get(key), str) for part, key in texts)
    )
