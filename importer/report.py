"""The result workbook: what became of every row, for finance staff to review.

Sheets, in this order:

- **Summary** (``Samenvatting``): title, run id, start, end, duration, who ran it, the
  mapping file and each input file with their SHA-256, the target host and environment
  (never a token), the command to resume, and a table of rows per step and status;
- **one sheet per step**, in mapping order: the source row number, the original values, the
  status, the ids the target returned, the error and the target's log reference, if it has one;
- **Errors** (``Fouten``): every problem of the run, each linked to its row;
- **Payloads** (``Verzonden``, only with ``include_payloads``): the JSON sent per row.

Original values are shown as in the file, typed where the mapping declares a type: a
``date`` column holds real dates, a ``decimal`` column numbers with two decimals, an
``integer`` column whole numbers — re-read from the file's text with the column's own
declaration (so an invalid row shows what the file says, as text). Everything else, ids,
codes, IBANs and postcodes included, is stored as text, so leading zeros survive.

Safety: a string is always stored as a string (an inline string, never a formula or an
error value), so ``=1+1`` or ``@SUM(A1)`` from a file or a server message stays text.
Characters XML cannot hold are replaced with U+FFFD and text is cut at Excel's 32,767
characters (saying so), so Excel and LibreOffice open the file without a repair prompt. No
secret is ever written: the workbook knows the target's host only, and payload fields named
like secrets are masked.

The workbook is streamed by :mod:`importer.xlsx` (a sheet of 100,000 rows takes a few
seconds) and saved under a temporary name first, so a failed write never leaves half a
workbook in place of the previous one.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import itertools
import re
import secrets
import shlex
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from importer import i18n, targets, types, xlsx
from importer.messages import render
from importer.render import compact
from importer.results import STATUSES, Outcome, Result, Status
from importer.validation import Problem
from importer.xlsx import Cell, Sheet, Style, Workbook, column_letter, save_atomically

# Status colours: (fill, font). created green; existing/updated blue; changed amber; planned
# light blue; skipped and excluded grey; invalid orange; failed and unknown red.
STATUS_COLOURS = {
    Status.CREATED: ("C6EFCE", "006100"),
    Status.EXISTING: ("BDD7EE", "1F4E78"),
    Status.UPDATED: ("BDD7EE", "1F4E78"),
    Status.CHANGED: ("FFEB9C", "7F6000"),
    Status.PLANNED: ("DDEBF7", "1F4E78"),
    Status.SKIPPED: ("D9D9D9", "404040"),
    Status.EXCLUDED: ("EDEDED", "595959"),
    Status.INVALID: ("F8CBAD", "833C0B"),
    Status.FAILED: ("FFC7CE", "9C0006"),
    Status.UNKNOWN: ("FFC7CE", "9C0006"),
}
HEADER_FILL = "D9E1F2"
LINK_COLOUR = "0563C1"
DECIMAL_FORMAT = "0.00"
PRECISE_FORMAT = "0.00####"  # a decimal with more than two places: nothing hidden
INTEGER_FORMAT = "0"
DATE_FORMATS = {"en": "yyyy-mm-dd", "nl": "dd-mm-yyyy"}
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MAX_SHEET_NAME = 31
WIDTH_SAMPLE = 2000  # rows looked at to size a column
EXCEL_DIGITS = 15  # digits Excel keeps of a number; longer ones stay text
# Excel refuses these in sheet names; "History" is reserved by Excel itself.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = ("history",)
# Payload fields masked defensively (bodies hold no tokens, but a template could add one).
SECRET_KEY = re.compile(
    r"pass(word|wd)?$|pwd|pwrd|secret|token|atcd|api[_-]?key|authori[sz]ation|credential", re.I
)
_MAYBE_SECRET = re.compile(
    r"pass|pwd|pwrd|secret|token|atcd|api[_-]?key|authori[sz]ation|credential", re.I
)


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


def write_workbook(
    result: Result,
    path: Path,
    *,
    lang: str | None = None,
    include_payloads: bool = False,
    run: RunInfo | None = None,
) -> Path:
    """Write the result workbook to ``path`` (replacing it) and return the path.

    ``lang`` is ``en`` or ``nl`` (default: the mapping's ``language:``, else ``en``);
    ``include_payloads`` adds a sheet with the JSON sent per row.
    """
    writer = _Writer(result, i18n.resolve(lang, result.mapping), run or RunInfo())
    return save_atomically(writer.build(include_payloads), Path(path))


# --- the workbook ---------------------------------------------------------------------------------


def link_to(sheet: str, row: int, column: str = "A") -> str:
    """An internal hyperlink location: ``'verkooprelaties'!A7``."""
    return "'{}'!{}{}".format(sheet.replace("'", "''"), column, row)


class _Writer:
    def __init__(self, result: Result, lang: str, run: RunInfo):
        self.result = result
        # the field a target's refusal can be looked up by (its spec names it); the
        # column is there only for a target that has one
        self.log_reference = targets.spec(result.mapping.target).log_reference
        self.mapping = result.mapping
        self.lang = lang
        self.run = run
        self.book = Workbook()
        self.parts = self._parts()
        self.names = self._sheet_names()
        self._typed: dict[tuple[Any, ...], tuple[list[Any], list[str | None]]] = {}
        style = self.book.style
        self.s = {
            "header": style(Style(bold=True, fill=HEADER_FILL)),
            "bold": style(Style(bold=True)),
            "title": style(Style(bold=True, size=14)),
            "link": style(Style(color=LINK_COLOUR, underline=True)),
            "date": style(Style(number_format=DATE_FORMATS.get(lang, "yyyy-mm-dd"))),
            "datetime": style(Style(number_format=DATETIME_FORMAT)),
            "decimal": style(Style(number_format=DECIMAL_FORMAT)),
            "precise": style(Style(number_format=PRECISE_FORMAT)),
            "integer": style(Style(number_format=INTEGER_FORMAT)),
        }
        for status, (fill, font) in STATUS_COLOURS.items():
            self.s[f"status:{status}"] = style(Style(fill=fill, color=font))
            self.s[f"head:{status}"] = style(Style(bold=True, fill=fill, color=font))

    def t(self, key: str, **values: Any) -> str:
        return i18n.text(self.lang, key, **values)

    def text(self, value: str) -> str:
        """A string cut to Excel's cell size, saying how long it was."""
        if len(value) <= xlsx.MAX_CELL:
            return value
        marker = " " + self.t("value.truncated", count=len(value))
        return value[: xlsx.MAX_CELL - len(marker)] + marker

    def cell(self, value: Any, style: str | None = None, link: str | None = None) -> Cell:
        if isinstance(value, str):
            value = self.text(value)
        elif isinstance(value, dt.datetime):
            value = value.replace(tzinfo=None)
        return Cell(value, self.s[style] if style else 0, link)

    def _sheet_names(self) -> dict[str, str]:
        """Fixed sheets keep their names; a step whose name collides gets `` (2)``."""
        fixed = {key: self.t(f"sheet.{key}") for key in ("summary", "errors", "payloads")}
        taken = {name.casefold() for name in fixed.values()} | set(_RESERVED_SHEETS)
        names = {f"#{key}": name for key, name in fixed.items()}
        for part in self.parts:
            names[part.key] = _unique_sheet_name(part.title, taken)
            taken.add(names[part.key].casefold())
        return names

    def build(self, include_payloads: bool) -> Workbook:
        self._summary()
        for part in self.parts:
            self._rows(part)
        self._errors()
        if include_payloads:
            self._payloads()
        return self.book

    def _header(
        self, sheet: Sheet, titles: list[str], statuses: dict[int, str] | None = None
    ) -> None:
        row = []
        for i, title in enumerate(titles):
            status = (statuses or {}).get(i)
            row.append(self.cell(title, f"head:{status}" if status else "header"))
        sheet.append(row)

    # --- Summary ----------------------------------------------------------------------------

    def _summary(self) -> None:
        result, mapping, run = self.result, self.mapping, self.run
        per_step = {p.key: Counter(o.status for o in p.outcomes.values()) for p in self.parts}
        shown = [s for s in STATUSES if any(counts[s] for counts in per_step.values())]
        earlier = {p.key: sum(o.earlier for o in p.outcomes.values()) for p in self.parts}
        any_earlier = any(earlier.values())
        width = 3 + len(shown) + any_earlier
        sheet = self.book.add_sheet(self.names["#summary"], [26, 26, *([13] * max(width - 2, 1))])
        if run.validation:
            title = self.t("title.validation")
        else:
            title = self.t("title.dry_run" if result.dry_run else "title.import")
        sheet.append([self.cell(title, "title")])
        sheet.append([])
        finished = result.finished or dt.datetime.now().astimezone()
        info: list[tuple[str, Any, str | None]] = [
            (self.t("label.result"), i18n.summary_line(self.lang, result.summary_line()), None),
            (self.t("label.run_id"), run.run_id, None),
            (self.t("label.started"), _naive(result.started), "datetime"),
            (self.t("label.finished"), _naive(finished), "datetime"),
            (self.t("label.duration"), _duration(finished - result.started), None),
            (self.t("label.user"), run.user, None),
        ]
        if run.command is not None:
            key = "label.command" if run.validation or result.dry_run else "label.resume"
            info.append((self.t(key), resume_command(run.command), None))
        if result.stopped:
            info.append((self.t("label.stopped"), render(result.stopped, self.lang), None))
        info += [
            (self.t("label.target"), result.target or self.t("value.no_target"), None),
            (self.t("label.environment"), i18n.environment(self.lang, result.environment), None),
            (self.t("label.mapping"), str(mapping.path), None),
            (self.t("label.mapping_sha"), sha256(mapping.path), None),
        ]
        for name, table in result.tables.items():
            source = mapping.sources[name]
            detected = ", ".join(f"{k} {v}" for k, v in table.dialect.items())
            declared = ", ".join(
                f"{k} {v}"
                for k, v in (
                    ("locale", source.locale),
                    ("encoding", source.encoding),
                    ("delimiter", source.delimiter),
                )
                if v
            )
            count = len(table.frame)
            info += [
                (
                    self.t("label.input", name=name),
                    self.t("value.input", path=table.path, label=table.label, count=count),
                    None,
                ),
                (self.t("label.input_sha", name=name), sha256(table.path), None),
                (
                    self.t("label.dialect", name=name),
                    self.t(
                        "value.dialect",
                        declared=declared or self.t("value.nothing"),
                        detected=detected or self.t("value.excel_cells"),
                    ),
                    None,
                ),
            ]
            info += [
                (self.t("label.warning"), render(warning, self.lang), None)
                for warning in table.warnings
            ]
        info += [
            (self.t("label.contract", name=c), where, None) for c, where in result.contracts.items()
        ]
        if run.audit is not None:
            info.append((self.t("label.audit"), str(run.audit), None))
        for label, value, style in info:
            sheet.append([self.cell(label, "bold"), self.cell(value, style)])
        problems = sum(
            max(len(o.problems), 1)
            for part in self.parts
            for o in part.outcomes.values()
            if o.status.problem
        )
        errors = self.names["#errors"]
        shown_problems = self.t("value.problems", count=problems, sheet=errors)
        sheet.append(
            [
                self.cell(self.t("label.problems"), "bold"),
                self.cell(shown_problems, "link", link_to(errors, 1)),
            ]
        )
        sheet.append([])
        titles = [self.t("header.step"), self.t("header.connector"), self.t("header.rows")]
        titles += [i18n.status(self.lang, s) for s in shown]
        if any_earlier:
            titles.append(self.t("header.earlier"))
        self._header(sheet, titles, {3 + i: s for i, s in enumerate(shown)})
        totals = [0] * (len(titles) - 2)
        for part in self.parts:
            counts = per_step[part.key]
            numbers = [sum(counts.values()), *(counts[s] for s in shown)]
            if any_earlier:
                numbers.append(earlier[part.key])
            totals = [a + b for a, b in zip(totals, numbers, strict=True)]
            row: list[Any] = [
                self.cell(part.title, "link", link_to(self.names[part.key], 1)),
                self.cell(part.connector),
                numbers[0],
            ]
            for offset, count in enumerate(numbers[1:]):
                status = shown[offset] if offset < len(shown) else None
                row.append(self.cell(count, f"status:{status}" if count and status else None))
            sheet.append(row)
        sheet.append(
            [self.cell(self.t("header.total"), "bold"), None]
            + [self.cell(n, "bold") for n in totals]
        )

    # --- one sheet per step -----------------------------------------------------------------

    def _parts(self) -> list[_Part]:
        """The sheets of source rows, in mapping order: each step's rows, then its lines."""
        steps = self.mapping.steps
        parts = []
        for step in steps:
            same = [s for s in steps if s.source == step.source and s is not step]
            lines = [s.lines for s in steps if s.lines and s.lines.source == step.source]
            parts.append(
                _Part(
                    step.name,
                    step.name,
                    step.connector,
                    step.source,
                    self.result.outcomes[step.name],
                    list(step.keep),
                    [step, *same, *lines],
                )
            )
            if step.lines is not None and step.name in self.result.lines:
                source = step.lines.source
                owners = [s for s in steps if s.source == source]
                parts.append(
                    _Part(
                        f"{step.name}#lines",
                        f"{step.name} {self.t('sheet.lines')}",
                        step.connector,
                        source,
                        self.result.lines[step.name],
                        list(step.keep),
                        [step.lines, *owners],
                    )
                )
        return parts

    def _rows(self, part: _Part) -> None:
        table = self.result.tables[part.source]
        originals = table.columns
        outcomes = [part.outcomes[n] for n in sorted(part.outcomes)]
        statuses = [i18n.status(self.lang, o.status) for o in outcomes]
        errors = [self._error_text(o) for o in outcomes]
        header = [
            self.t("header.row"),
            *originals,
            self.t("header.status"),
            *part.keep,
            self.t("header.error"),
            *([self.log_reference] if self.log_reference else []),
        ]
        columns, styles = self._originals(part)
        widths = [max(6.0, len(str(outcomes[-1].row if outcomes else 0)) + 3.0)]
        widths += [_width(title, columns[title]) for title in originals]
        widths.append(_width(header[len(originals) + 1], statuses, least=10))
        widths += [_width(k, [o.ids.get(k) for o in outcomes], least=10) for k in part.keep]
        widths.append(_width(self.t("header.error"), errors, least=30, most=90))
        if self.log_reference:
            widths.append(34)
        sheet = self.book.add_sheet(self.names[part.key], widths, freeze=(1, 1))
        self._header(sheet, header)
        position = {n: i for i, n in enumerate(table.frame.index)}
        status_styles = {s: self.s[f"status:{s}"] for s in STATUS_COLOURS}
        typed_styles = {k: self.s[k] for k in ("date", "decimal", "precise", "integer")}
        text = self.text
        plain = [(columns[t], styles[t]) for t in originals]
        blank = [None] * len(originals)
        for outcome, label, error in zip(outcomes, statuses, errors, strict=True):
            at = position.get(outcome.row)
            row: list[Any] = [outcome.row]
            if at is None:
                row += blank
            else:
                for values, marks in plain:
                    mark = marks[at] if marks is not None else None
                    if mark is None:
                        row.append(values[at])  # long text is cut by the writer
                    else:
                        row.append(Cell(values[at], typed_styles[mark]))
            row.append(Cell(label, status_styles.get(outcome.status, 0)))
            row += [outcome.ids.get(k) for k in part.keep]
            row.append(error and text(error))
            if self.log_reference:
                row.append(outcome.log_reference)
            sheet.append(row)
        sheet.autofilter = f"A1:{column_letter(len(header))}{len(outcomes) + 1}"

    def _originals(
        self, part: _Part
    ) -> tuple[dict[str, list[Any]], dict[str, list[str | None] | None]]:
        """Each original column's values (typed where declared) and per cell its style."""
        table = self.result.tables[part.source]
        declared = self._declared(part)
        columns: dict[str, list[Any]] = {}
        styles: dict[str, list[str | None] | None] = {}
        for title in table.columns:
            raw = table.frame[title].astype(object)
            raw = raw.where(raw.notna(), None)
            texts = raw.tolist()
            column = declared.get(title)
            if column is None or column.type not in ("date", "decimal", "integer"):
                columns[title] = texts
                styles[title] = None
                continue
            key = (part.source, title, column.type, str(column.format), column.decimal,
                   column.thousands)  # fmt: skip
            if key not in self._typed:  # sheets of one source share the work
                values, _ = types.convert(raw, column)
                pairs = [
                    _typed(t, v, column.type) for t, v in zip(texts, values.tolist(), strict=True)
                ]
                self._typed[key] = ([p[0] for p in pairs], [p[1] for p in pairs])
            columns[title], styles[title] = self._typed[key]
        return columns, styles

    def _declared(self, part: _Part) -> dict[str, Any]:
        """Header -> its column declaration: the sheet's own step (or lines) first, then
        any other declaration of the same source."""
        locale = self.mapping.sources[part.source].locale
        found: dict[str, Any] = {}
        for owner in part.owners:
            for name, column in owner.columns.items():
                if column.from_file:
                    found.setdefault(owner.header_of(name), types.effective(column, locale))
        return found

    def _error_text(self, outcome: Any) -> str | None:
        if outcome.error:
            return render(outcome.error, self.lang)
        if outcome.earlier:
            return self.t("value.earlier")
        return None

    # --- Errors -----------------------------------------------------------------------------

    def _errors(self) -> None:
        header = [
            self.t("header.step"),
            self.t("header.sheet"),
            self.t("header.row"),
            self.t("header.column"),
            self.t("header.value"),
            self.t("header.status"),
            self.t("header.message"),
            *([self.log_reference] if self.log_reference else []),
        ]
        widths = (20, 28, 8, 20, 24, 12, 90, 34)[: len(header)]
        sheet = self.book.add_sheet(self.names["#errors"], widths, freeze=(0, 1))
        self._header(sheet, header)
        for part in self.parts:
            label = self.result.tables[part.source].label
            target = self.names[part.key]
            ordered = sorted(part.outcomes.items())
            for position, (_, outcome) in enumerate(ordered, start=2):
                if not outcome.status.problem:
                    continue
                problems: list[Problem | None] = [*outcome.problems] or [None]
                for problem in problems:
                    message = problem.message if problem else outcome.error
                    sheet.append(
                        [
                            self.cell(part.title),
                            self.cell(problem.source if problem else label),
                            self.cell(outcome.row, "link", link_to(target, position)),
                            self.cell(problem.column if problem else None),
                            self.cell(_problem_value(problem.value) if problem else None),
                            self.cell(
                                i18n.status(self.lang, outcome.status), f"status:{outcome.status}"
                            ),
                            self.cell(render(message, self.lang) if message else None),
                            *([self.cell(outcome.log_reference)] if self.log_reference else []),
                        ]
                    )
        sheet.autofilter = f"A1:{column_letter(len(header))}{sheet.rows}"

    # --- Payloads ---------------------------------------------------------------------------

    def _payloads(self) -> None:
        header = [
            self.t("header.step"),
            self.t("header.row"),
            self.t("header.status"),
            self.t("header.json"),
        ]
        sheet = self.book.add_sheet(self.names["#payloads"], (20, 8, 12, 120), freeze=(0, 1))
        self._header(sheet, header)
        for step in self.mapping.steps:
            target = self.names[step.name]
            ordered = sorted(self.result.outcomes[step.name].items())
            for position, (_, outcome) in enumerate(ordered, start=2):
                if outcome.body is None:
                    continue
                body = outcome.body
                if _MAYBE_SECRET.search(body):  # rare: mask, then write it again
                    body = compact(redact(outcome.json()))
                sheet.append(
                    [
                        self.cell(step.name),
                        self.cell(outcome.row, "link", link_to(target, position)),
                        self.cell(
                            i18n.status(self.lang, outcome.status), f"status:{outcome.status}"
                        ),
                        self.cell(body),
                    ]
                )
        sheet.autofilter = f"A1:D{sheet.rows}"


@dataclass
class _Part:
    """A sheet of source rows: a step's own rows, or its lines."""

    key: str  # in _Writer.names
    title: str  # the sheet's wished name (made unique and valid for Excel)
    connector: str
    source: str
    outcomes: dict[int, Outcome]
    keep: list[str]
    owners: list[Any]  # steps and lines whose declarations type the originals, first wins


# --- helpers --------------------------------------------------------------------------------------


def redact(value: Any, mask: str = "***") -> Any:
    """A copy of a JSON value with the values of keys named like secrets masked."""
    if isinstance(value, dict):
        return {
            k: (mask if _secret_key(k) and v is not None else redact(v, mask))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, mask) for v in value]
    return value


@functools.lru_cache(maxsize=4096)
def _secret_key(key: Any) -> bool:
    return bool(SECRET_KEY.search(str(key)))


def _unique_sheet_name(name: str, taken: set[str]) -> str:
    """A valid Excel sheet name, unique (ignoring case) among ``taken``."""
    base = _SHEET_FORBIDDEN.sub("_", name).strip() or "_"
    if base.startswith("'"):
        base = "_" + base[1:]
    if base.endswith("'"):
        base = base[:-1] + "_"
    base = base[:MAX_SHEET_NAME]
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    return candidate


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def _typed(text: Any, value: Any, kind: str) -> tuple[Any, str | None]:
    """The cell value of an original cell of a declared type, and its style."""
    if _missing(text):
        return None, None
    if value is None or _missing(value):
        return text, None  # not a valid value of its type: shown as the file has it
    if kind == "date" and isinstance(value, dt.date):
        return value, "date"
    if kind == "integer" and isinstance(value, int) and not isinstance(value, bool):
        # "007" or "+5" stay text: shown as in the file; so do numbers Excel would round
        if str(value) == str(text).strip() and len(str(abs(value))) <= EXCEL_DIGITS:
            return value, "integer"
        return text, None
    if kind == "decimal" and isinstance(value, Decimal):
        if len(value.as_tuple().digits) > EXCEL_DIGITS:
            return text, None
        places = -int(value.as_tuple().exponent)
        return float(value), "decimal" if places <= 2 else "precise"
    return text, None


def _width(title: str, values: Iterable[Any], least: float = 8, most: float = 50) -> float:
    """A column width fitting its header and the first rows (a sample is enough)."""
    longest = len(str(title))
    for value in itertools.islice(values, WIDTH_SAMPLE):
        if value is not None and not _missing(value):
            size = 10 if isinstance(value, dt.date) else len(str(value))
            if size > longest:
                longest = size
    return float(min(max(longest + 2, least), most))


def _problem_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    """Local time without its zone (Excel has none), to the second."""
    if moment is None:
        return None
    return moment.astimezone().replace(tzinfo=None, microsecond=0)


def _duration(delta: dt.timedelta) -> str:
    seconds = max(delta.total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min {secs} s" if hours else f"{minutes} min {secs} s"


def sha256(path: Path | str) -> str:
    """The SHA-256 of a file, or "" when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return ""
    return digest.hexdigest()
