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
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from collections.abc import Mapping as Env
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from importer import targets
from importer.errors import ConfigurationError, ImporterError
from importer.journal.places import environment as normal_host
from importer.mapping import Mapping
from importer.paths import check_output, temporary_for
from importer.plan import prepare
from importer.results import Outcome, Result

FORMAT = "importer approval plan"
VERSION = 1  # of the file's layout; a plan of another version is refused
SANDBOX = "sandbox"  # the host of a plan approved for runs with --sandbox (a new one each run)
SHOWN = 10  # rows named in a refusal; the count says how many there are


class NotApproved(ConfigurationError):
    """The run is not what was approved, or the plan cannot be used: nothing is sent."""


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


# --- the target environment -------------------------------------------------------------------


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


# --- the files --------------------------------------------------------------------------------


def templates_used(mapping: Mapping) -> dict[str, Path]:
    """Every template file the mapping's steps use, by name, with those they include, import
    or extend; a name only known while rendering (an ``include`` of a variable) brings in
    every file of the template folder."""
    folder = mapping.template_folder
    loader = jinja2.FileSystemLoader(folder)
    env = jinja2.Environment(loader=loader)
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


# --- the rows ---------------------------------------------------------------------------------


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


# --- the plan file ----------------------------------------------------------------------------


def plan_data(
    result: Result,
    environment: Environment,
    *,
    files: dict[str, Any] | None = None,
    user: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The plan of a validated result, as written to the file (with its checksum)."""
    counts = result.row_statuses()
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "importer": version(),
        "validated_by": current_user() if user is None else user,
        "validated_at": (at or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
        **(files if files is not None else files_of(result.mapping)),
        "target": environment.data(),
        "summary": {str(status): counts[status] for status in sorted(counts)},
        "steps": steps_of(result),
    }
    data["checksum"] = checksum(data)
    return data


def checksum(data: dict[str, Any]) -> str:
    """The hash of a plan's content (all but its checksum), whatever its layout."""
    content = {k: v for k, v in data.items() if k != "checksum"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_bytes(text.encode("utf-8"))


def dumps(data: Any, indent: str = "") -> str:
    """JSON indented two spaces, each row (an object in a ``rows`` list) on one line."""
    inner = indent + "  "
    if isinstance(data, dict) and data:
        items = []
        for key, value in data.items():
            if key == "rows" and isinstance(value, list):
                rows = ",\n".join(inner + "  " + json.dumps(r, ensure_ascii=False) for r in value)
                text = f"[\n{rows}\n{inner}]" if value else "[]"
            else:
                text = dumps(value, inner)
            items.append(f"{inner}{json.dumps(key)}: {text}")
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(data, list) and data:
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in data) + f"\n{indent}]"
    return json.dumps(data, ensure_ascii=False)


def write(path: Path, data: dict[str, Any]) -> Path:
    """Write the plan under a temporary name beside ``path``, then rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_for(path)
    try:
        temporary.write_text(dumps(data) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


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


# --- reading and checking a plan --------------------------------------------------------------


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


# --- comparing --------------------------------------------------------------------------------


def _keyed(entries: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {str(e[key]): e for e in entries}


def _file_changes(approved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    found = []
    if approved["mapping"]["sha256"] != now["mapping"]["sha256"]:
        found.append(f"the mapping file {now['mapping']['file']} changed")
    was, new = _keyed(approved["templates"], "name"), _keyed(now["templates"], "name")
    for name in sorted(was.keys() | new.keys()):
        if name not in new:
            found.append(f"template {name}: approved, no longer used")
        elif name not in was:
            found.append(f"template {name}: used now, not in the approved plan")
        elif was[name]["sha256"] != new[name]["sha256"]:
            gone = new[name]["sha256"] is None
            found.append(f"template {name} {'is missing' if gone else 'changed'}")
    was, new = _keyed(approved["inputs"], "source"), _keyed(now["inputs"], "source")
    for name in sorted(was.keys() | new.keys()):
        if name not in new:
            found.append(f"input {name}: approved, no longer a source")
        elif name not in was:
            found.append(f"input {name} ({_where(new[name])}): a source now, not approved")
        elif (was[name]["sha256"], was[name].get("sheet")) != (
            new[name]["sha256"],
            new[name].get("sheet"),
        ):
            found.append(
                f"input {name} ({_where(new[name])}) {_input_change(was[name], new[name])}"
            )
    return found


def _where(entry: dict[str, Any]) -> str:
    return entry["file"] + (f", sheet {entry['sheet']}" if entry.get("sheet") else "")


def _input_change(was: dict[str, Any], now: dict[str, Any]) -> str:
    if now["sha256"] is None:
        return "cannot be read"
    if was["file"] != now["file"]:
        return f"is another file, with other content than the approved {_where(was)}"
    if was.get("sheet") != now.get("sheet"):
        return f"is another sheet than the approved {_where(was)}"
    return "changed"


def _row_changes(approved: list[dict[str, Any]], now: list[dict[str, Any]]) -> Iterator[str]:
    """Each row that differs, in the order of the steps and rows."""
    was = {s["step"]: s for s in approved}
    new = {s["step"]: s for s in now}
    for name in [*new, *(n for n in was if n not in new)]:
        old_rows = {r["row"]: r for r in was[name]["rows"]} if name in was else {}
        new_rows = {r["row"]: r for r in new[name]["rows"]} if name in new else {}
        source = (new.get(name) or was[name])["source"]
        for n in sorted(old_rows.keys() | new_rows.keys()):
            said = list(_row_change(old_rows.get(n), new_rows.get(n)))
            if said:
                yield f"{source} row {n} ({name}): {'; '.join(said)}"


def _row_change(was: dict[str, Any] | None, now: dict[str, Any] | None) -> Iterable[str]:
    if was is None:
        yield f"{now['status'] if now else ''}, not in the approved plan"
        return
    if now is None:
        yield f"approved as {was['status']}, not in the input now"
        return
    if was["status"] != now["status"]:
        yield f"approved as {was['status']}, now {now['status']}"
    if was.get("action") != now.get("action"):
        yield f"action approved: {was.get('action')}, now {now.get('action')}"
    if was.get("body_sha256") != now.get("body_sha256") and was["status"] == now["status"]:
        yield "its body differs from the approved one"
