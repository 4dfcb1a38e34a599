"""About a run beyond its result: its id, who ran it, how (the command to run it again), and
where its audit trail is; the Summary sheet shows it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


def new_run_id(now: dt.datetime | None = None) -> str:
    """A short unique run id: local time and 6 random hex digits, ``20250314-093015-3fa2c1``."""
    now = now or dt.datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in the environment (some containers)
        return ""


@dataclass(frozen=True)
class RunInfo:
    """About the run beyond its result: who ran it, how, and where its audit trail is."""

    run_id: str = field(default_factory=new_run_id)
    user: str = field(default_factory=current_user)
    command: Sequence[str] | None = None  # the arguments after the program name
    audit: Path | None = None
    validation: bool = False  # a report of `importer validate`


_SECRET_OPTION = re.compile(r"--?[\w-]*(token|secret|password|pwd)[\w-]*", re.I)


def resume_command(args: Sequence[str], program: str = "importer") -> str:
    """The command line to run the same import again, quoted for a POSIX shell.

    ``--fresh`` is left out (running again resumes from the journal). Options named like a
    secret never carry one by design, but their values are masked all the same.
    """
    out: list[str] = []
    mask_next = False
    for arg in args:
        if mask_next:
            out.append("***")
            mask_next = False
            continue
        if arg == "--fresh":
            continue
        name, sep, _ = arg.partition("=")
        if _SECRET_OPTION.fullmatch(name):
            if sep:
                out.append(f"{name}=***")
            else:
                out.append(arg)
                mask_next = True
            continue
        out.append(arg)
    return shlex.join([program, *out])
