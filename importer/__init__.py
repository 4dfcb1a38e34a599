"""importer: declarative batch imports of spreadsheets into AFAS Profit.

Library first: everything the ``importer`` command does is callable from here::

    from importer import load_mapping, run, write_workbook, AfasTarget

    mapping = load_mapping("mappings/flex.yaml")
    result = run(mapping, AfasTarget.from_env())
    write_workbook(result, Path("flex-result.xlsx"))
"""

from importer.errors import (
    AuthenticationError,
    ConfigurationError,
    ImporterError,
    InputError,
    MappingError,
    TargetError,
    TargetUnreachable,
)
from importer.mapping import Mapping, load_mapping
from importer.plan import prepare
from importer.report import write_workbook
from importer.results import Result
from importer.runner import run, send
from importer.sandbox import AfasSandbox, RecrasSandbox
from importer.targets.afas import AfasTarget
from importer.targets.recras import RecrasTarget

__all__ = [
    "AfasSandbox",
    "AfasTarget",
    "AuthenticationError",
    "ConfigurationError",
    "ImporterError",
    "InputError",
    "Mapping",
    "MappingError",
    "RecrasSandbox",
    "RecrasTarget",
    "Result",
    "TargetError",
    "TargetUnreachable",
    "load_mapping",
    "prepare",
    "run",
    "send",
    "write_workbook",
]
