"""Exceptions raised by importer.

Only problems that stop a whole run are exceptions. A bad *row* is a result, not an
exception: it becomes a :class:`importer.validation.Problem` and the row's status is
``invalid`` or ``failed``.

Hierarchy::

    ImporterError                  base; the CLI prints str(exc) and exits 2
    ├── ConfigurationError         environment (.env, the target's URL, a token) is missing or wrong
    ├── MappingError               the mapping file or a template cannot be used
    ├── InputError                 a source file cannot be read or lacks a declared column
    ├── OutputError                the workbook cannot be written (after the checks at the start)
    ├── TargetError                the target system stops the whole run
    │   ├── AuthenticationError    401/403: the token is refused
    │   └── TargetUnreachable      the host cannot be reached at all
    ├── LookupFailed               a lookup before insert could not be answered (rows fail)
    └── NotUpdatable               a change the target cannot be sent as an update (the row fails)

Foreign exceptions (yaml, jinja2, httpx, pandas, openpyxl) are translated to these at one
boundary each, with ``raise ... from exc``.

An error built from a :class:`~importer.messages.Message` keeps it as ``said``: where the error
reaches a row or the Summary sheet (a lookup that failed, the reason a run stopped) it is
rendered in the run's language; ``str(exc)`` is English (the CLI's ``Error: ...`` line).
"""

from __future__ import annotations

from importer.messages import Message


class ImporterError(Exception):
    """Base class of every error that stops a run."""

    said: Message | None = None

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        if args and isinstance(args[0], Message):
            self.said = args[0]


class ConfigurationError(ImporterError):
    """The environment or command line does not say how to reach the target."""


class MappingError(ImporterError):
    """The mapping file or one of its templates is wrong."""

    def __init__(self, message: Message | str, *, file: str | None = None, line: int | None = None):
        self.file = file
        self.line = line
        if isinstance(message, Message):  # said in the run's language where a run shows it
            if file and line:
                message = Message("error.file_line", file=file, line=line, message=message)
            elif file:
                message = Message("error.file", file=file, message=message)
            super().__init__(message)
            return
        where = file if file else ""
        if file and line:
            where = f"{file} line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class InputError(ImporterError):
    """A source file cannot be read, or lacks what the mapping declares."""


class OutputError(ImporterError):
    """An output file cannot be written, though it passed the checks before the run
    (importer.paths): a disk that filled up, a folder removed meanwhile."""


class TargetError(ImporterError):
    """The target refuses or cannot serve the whole run (not one row)."""


class AuthenticationError(TargetError):
    """The target answered 401 or 403: the credentials are not accepted."""


class TargetUnreachable(TargetError):
    """No connection to the target could be made."""


class LookupFailed(ImporterError):
    """A lookup before insert got no usable answer; the rows it was for cannot be sent."""


class NotUpdatable(ImporterError):
    """A change cannot be sent as an update: sending it would do something else than asked
    (changed order lines, sent again, would be added a second time). The row fails with
    ``said``; the run goes on."""

    said: Message

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self.said = message
