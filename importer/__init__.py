"""importer: declarative batch imports of spreadsheets into the systems in :mod:`importer.targets`.

Library first: everything the ``importer`` command does is callable from here::

    from importer import Journal, journal_path, load_mapping, run, targets, write_workbook

    mapping = load_mapping("mappings/flex.yaml")
    target = targets.spec(mapping.target).target_class().from_env()
    path = journal_path(mapping.path, target.host)
    with Journal.open(path, target=target.host, mapping=str(mapping.path)) as journal:
        result = run(mapping, target, journal=journal)
    write_workbook(result, Path("flex-result.xlsx"))
"""

from importer import targets
from importer.errors import (
    AuthenticationError,
    ConfigurationError,
    ImporterError,
    InputError,
    MappingError,
    TargetError,
    TargetUnreachable,
)
from importer.journal.places import journal_path
from importer.journal.store import Journal
from importer.mapping import Mapping
from importer.mappingfile import load_mapping
from importer.plan import prepare
from importer.report import write_workbook
from importer.results import Result
from importer.runner import run, send
from importer.status import Status

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ImporterError",
    "InputError",
    "Journal",
    "Mapping",
    "MappingError",
    "Result",
    "Status",
    "TargetError",
    "TargetUnreachable",
    "journal_path",
    "load_mapping",
    "prepare",
    "run",
    "send",
    "targets",
    "write_workbook",
]
