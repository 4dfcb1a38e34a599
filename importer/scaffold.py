"""``importer new``: a first mapping and template from a spreadsheet's headers.

What a header means, where a field goes and how a body is shaped is knowledge of the target
system: each target package that can scaffold names its scaffolder in its spec
(:attr:`importer.targets.TargetSpec.scaffold`), and this module hands the work to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from importer import targets
from importer.errors import MappingError


@dataclass(frozen=True)
class Scaffold:
    """What :func:`scaffold` wrote and how it matched the headers.

    ``matched`` maps a header to the connector field it feeds, as a dotted path inside the
    connector (``VaId``, ``KnOrganisation.Nm``, ``KnOrganisation.KnBasicAddressAdr.ZpCd``).
    ``unmatched`` lists the headers that feed no field (in file order). ``todos`` counts the
    TODO comments written in both files (``# TODO`` in the mapping, ``{# TODO`` in the template).
    """

    mapping_path: Path
    template_path: Path
    matched: dict[str, str]
    unmatched: list[str]
    todos: int


def scaffold(
    connector: str,
    input_path: Path,
    *,
    out_dir: Path,
    target: str = targets.DEFAULT,
    sheet: str | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Scaffold:
    """Write a first mapping and template for importing ``input_path`` into ``connector`` of
    ``target``; MappingError when that target cannot scaffold."""
    system = targets.spec(target)
    if system.scaffold is None:
        able = [n for n in targets.names() if targets.spec(n).scaffold]
        raise MappingError(
            f"importer new does not know the connectors of {system.system}; write the mapping "
            f"by hand (mappings/ has examples), or scaffold for {', '.join(able) or 'no target'}"
        )
    write = targets.load(system.scaffold)
    return write(  # type: ignore[no-any-return]
        connector, input_path, out_dir=out_dir, sheet=sheet, name=name, overwrite=overwrite
    )
