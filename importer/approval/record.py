"""What a plan records of a run: the hashes of its files, the importer's version and user,
the target environment, and each row's planned status, action and body."""

from __future__ import annotations

import getpass
import hashlib
import os
from collections.abc import Mapping as Env
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from importer import targets
from importer.errors import ConfigurationError
from importer.journal.places import environment as normal_host
from importer.mapping import Mapping
from importer.results import Outcome, Result
from importer.templating import Sandbox

SANDBOX = "sandbox"  # the host of a plan approved for runs with --sandbox (a new one each run)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The file's hash; None when it cannot be read (gone, a folder, no permission)."""
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return None


def version() -> str:
    try:
        return metadata.version("importer")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return "unknown"


# --- the target environment -----------------------------------------------------------------------


@dataclass(frozen=True)
class Environment:
    """The environment a run writes to: the mapping's target system and the host, as the
    journal names it (or ``sandbox``); ``label`` is how the target's messages name it."""

    system: str
    host: str
    label: str

    @property
    def sha256(self) -> str:
        return sha256_bytes(f"{self.system}\n{self.host}".encode())

    def describe(self) -> str:
        try:
            name = targets.spec(self.system).system
        except ConfigurationError:
            name = self.system
        if self.host == SANDBOX:
            return f"the {name} sandbox of a run with --sandbox"
        named = self.label if self.label.startswith(name) else f"{name} {self.label}"
        return f"{named} at {self.host}"

    def data(self) -> dict[str, str]:
        return {
            "system": self.system,
            "host": self.host,
            "environment": self.label,
            "sha256": self.sha256,
        }


def environment_of(
    mapping: Mapping, *, sandbox: bool = False, env: Env[str, str] = os.environ
) -> Environment:
    """The environment a run of ``mapping`` writes to: the built-in sandbox, or the one the
    environment (or a ``.env`` file, already loaded) configures. Nothing is sent to it."""
    if sandbox:
        return Environment(mapping.target, SANDBOX, SANDBOX)
    client = targets.spec(mapping.target).target_class().from_env(env, concurrency=1)
    try:
        return Environment(mapping.target, normal_host(client.host), client.environment)
    finally:
        client.close()


# --- the files ------------------------------------------------------------------------------------


def templates_used(mapping: Mapping) -> dict[str, Path]:
    """Every template file the mapping's steps use, by name, with those they include, import
    or extend; a name only known while rendering (an ``include`` of a variable) brings in
    every file of the template folder."""
    folder = mapping.template_folder
    loader = jinja2.FileSystemLoader(folder)
    env = Sandbox(loader=loader)  # only parsed here, but a mapping's templates are a stranger's
    found: dict[str, Path] = {}
    todo = sorted({step.template for step in mapping.steps}, reverse=True)
    dynamic = False
    while todo:
        name = todo.pop()
        if name in found:
            continue
        try:
            source, filename, _ = loader.get_source(env, name)
        except jinja2.TemplateNotFound:
            found[name] = folder / name  # hashed as missing; planning names it
            continue
        found[name] = Path(filename)
        try:
            references = list(meta.find_referenced_templates(env.parse(source)))
        except jinja2.TemplateSyntaxError:
            continue  # planning reports it
        dynamic = dynamic or None in references
        todo.extend(sorted((r for r in references if r is not None), reverse=True))
    if dynamic and folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                found.setdefault(path.relative_to(folder).as_posix(), path)
    return dict(sorted(found.items()))


def files_of(mapping: Mapping) -> dict[str, Any]:
    """The plan's record of the files: the mapping, its templates and its inputs, hashed."""
    inputs = []
    for name, source in mapping.sources.items():
        entry: dict[str, Any] = {"source": name, "file": str(mapping.source_path(name))}
        if source.sheet:
            entry["sheet"] = source.sheet
        entry["sha256"] = sha256_file(mapping.source_path(name))
        inputs.append(entry)
    return {
        "mapping": {"file": str(Path(mapping.path).resolve()), "sha256": sha256_file(mapping.path)},
        "template_folder": str(mapping.template_folder),
        "templates": [
            {"name": name, "sha256": sha256_file(path)}
            for name, path in templates_used(mapping).items()
        ],
        "inputs": inputs,
    }


# --- the rows -------------------------------------------------------------------------------------


def _row(outcome: Outcome) -> dict[str, Any]:
    row: dict[str, Any] = {
        "row": outcome.row,
        "status": str(outcome.status),
        "action": outcome.action or "insert",
    }
    if outcome.leader is not None:
        row["with_row"] = outcome.leader  # grouped with (or a line of) that row's record
    if outcome.body is not None:
        row["body_sha256"] = sha256_bytes(outcome.body.encode("utf-8"))
    return row


def steps_of(result: Result) -> list[dict[str, Any]]:
    """Per step (and its lines), the source and each row's status, action and body hash."""
    steps = []
    for step in result.mapping.steps:
        steps.append(
            {
                "step": step.name,
                "source": result.tables[step.source].label,
                "rows": [_row(o) for o in result.outcomes[step.name].values()],
            }
        )
        if step.lines and step.name in result.lines:
            steps.append(
                {
                    "step": f"{step.name} lines",
                    "source": result.tables[step.lines.source].label,
                    "rows": [_row(o) for o in result.lines[step.name].values()],
                }
            )
    return steps
