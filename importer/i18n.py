"""The language of the result workbook and the terminal summary: English or Dutch.

``--lang nl|en`` on ``run`` and ``validate`` chooses it; a mapping's ``language:`` sets the
default; without either it is English. Translated are the importer's own words: sheet names,
headers, labels and status names here; the messages (problems, replies, status texts) are
codes with parameters with a table of templates per language in :mod:`importer.messages`.
What a target wrote itself (such as an ``externalMessage``) is shown as it wrote it.
The summary line on stdout (``Import finished: ...``) is always English: scripts read it.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any

LANGUAGES = ("en", "nl")
DEFAULT = "en"


class Language(StrEnum):
    """The choices of ``--lang``."""

    en = "en"
    nl = "nl"


# Fixed words, by key. Every key exists in both languages (a test checks it).
TEXTS: dict[str, dict[str, str]] = {
    "en": {
        # sheet names (at most 31 characters, none of []:*?/\)
        "sheet.summary": "Summary",
        "sheet.errors": "Errors",
        "sheet.payloads": "Payloads",
        "sheet.lines": "lines",  # a step's lines: "verkooporders lines"
        # titles
        "title.import": "Import result",
        "title.dry_run": "Dry run result",
        "title.validation": "Validation report",
        # Summary labels
        "label.result": "Result",
        "label.run_id": "Run id",
        "label.started": "Started",
        "label.finished": "Finished",
        "label.duration": "Duration",
        "label.user": "Run by",
        "label.mapping": "Mapping",
        "label.mapping_sha": "Mapping SHA-256",
        "label.input": "Input {name}",
        "label.input_sha": "Input {name} SHA-256",
        "label.dialect": "Dialect {name}",
        "label.warning": "Warning",
        "label.target": "Target",
        "label.environment": "Environment",
        "label.contract": "Contract {name}",
        "label.stopped": "Stopped",
        "label.resume": "Command to resume",
        "label.command": "Command",
        "label.audit": "Audit trail",
        "label.problems": "Problems",
        "label.language": "Report language",
        "value.no_target": "none (nothing sent)",
        "value.rows": "{count} rows",
        "value.input": "{path} ({label}; {count} rows)",
        "value.dialect": "declared: {declared}; read as: {detected}",
        "value.nothing": "nothing",
        "value.excel_cells": "Excel cells",
        "value.problems": "{count} (sheet {sheet})",
        "value.earlier": "done in an earlier run",
        "value.truncated": "[... truncated: {count} characters in all]",
        "value.secret": "***",
        # headers
        "header.row": "row",
        "header.status": "status",
        "header.sent": "sent",
        "sent.insert": "insert",
        "sent.batch": "{action}, in a batch of {count}",
        "sent.update": "update: {fields}",
        "sent.delete": "delete",
        "sent.nested_deletes": "; {count} nested deleted (lines)",
        "header.error": "error",
        "header.step": "step",
        "header.sheet": "sheet",
        "header.column": "column",
        "header.value": "value",
        "header.message": "message",
        "header.connector": "connector",
        "header.rows": "rows",
        "header.total": "total",
        "header.earlier": "earlier run",
        "header.json": "JSON sent",
        # the printed page, the row column, what was sent, the rows to fix (report)
        "page.number": "page &P of &N",
        "header.source_row": "row in file",
        "header.sent_as": "sent as",
        "header.fix": "to fix",
        "value.empty": "(empty)",
        "sheet.explain": "Explanation",
        "term.to_fix": "Rows to fix, in their files' own format (correct them, run with --input): "
        "{path}",
        # terminal
        "term.started": "{step}: {rows} rows ({connector})",
        "term.progress": "{step}: {done}/{total} rows ({percent} %), {rate}, about {left} left",
        "term.done": "{step}: {done}/{total} rows done in {elapsed}: {counts}",
        "term.rate": "{rate:.1f} rows/s",
        "term.workbook": "Result workbook: {path}",
        "term.report": "Validation report: {path}",
        "term.audit": "Audit trail: {path}",
        "term.problem": "{source} row {row} ({step}): {status}: {error}",
        "term.more": "... and {count} more; the workbook lists them all",
        # what is counted (importer.results.Count), issue 16
        "header.counted": "counted",
        "count.rows": "rows of {source}",
        "count.rows_records": "rows of {source} ({records} records)",
        "count.lines": "lines of {source}",
        "count.file": "each row once (worst outcome)",
        "count.total": "every file's rows (the result line)",
        "term.problem_line": "{source} row {row} ({step}, of {parent} row {parent_row}): "
        "{status}: {error}",
        "header.file": "file",
        "header.parent_file": "belongs to (file)",
        "header.parent_row": "belongs to (row)",
        "header.note": "note",
        "sheet.payloads_unsent": "Payloads (not sent)",
        "header.json_unsent": "JSON to send",
        "banner.dry_run": "DRY RUN: nothing was sent to the target; no record was created or "
        "changed. This is not the result of an import.",
        "banner.validation": "VALIDATION: nothing was sent to the target; no record was created "
        "or changed. This is not the result of an import.",
        # importer undo
        "sheet.undo": "Undo",
        "title.undo": "Undo of an import",
        "title.undo_dry_run": "Undo of an import: dry run (nothing deleted)",
        "label.journal": "Journal",
        "header.key": "key",
        "header.ids": "ids",
        "header.state": "journal state",
        "header.action": "done",
        "term.undo.delete": "To delete ({count}):",
        "term.undo.deleted": "Deleted ({count}):",
        "term.undo.by_hand": "To remove by hand in {system} ({count}):",
        "term.undo.check": "To check by hand in {system} ({count}):",
        "term.undo.item": "  {step} row {row} (key {value}): {connector} {ids}",
        "term.undo.why": "    {why}",
        "term.undo.workbook": "Undo workbook: {path}",
    },
    "nl": {
        "sheet.summary": "Samenvatting",
        "sheet.errors": "Fouten",
        "sheet.payloads": "Verzonden",
        "sheet.lines": "regels",
        "title.import": "Resultaat van de import",
        "title.dry_run": "Resultaat van de proefrun",
        "title.validation": "Controlerapport",
        "label.result": "Resultaat",
        "label.run_id": "Run-id",
        "label.started": "Gestart",
        "label.finished": "Klaar",
        "label.duration": "Duur",
        "label.user": "Uitgevoerd door",
        "label.mapping": "Mapping",
        "label.mapping_sha": "Mapping SHA-256",
        "label.input": "Invoer {name}",
        "label.input_sha": "Invoer {name} SHA-256",
        "label.dialect": "Dialect {name}",
        "label.warning": "Waarschuwing",
        "label.target": "Doel",
        "label.environment": "Omgeving",
        "label.contract": "Contract {name}",
        "label.stopped": "Gestopt",
        "label.resume": "Commando om te hervatten",
        "label.command": "Commando",
        "label.audit": "Audittrail",
        "label.problems": "Problemen",
        "label.language": "Taal van het rapport",
        "value.no_target": "geen (niets verzonden)",
        "value.rows": "{count} rijen",
        "value.input": "{path} ({label}; {count} rijen)",
        "value.dialect": "opgegeven: {declared}; gelezen als: {detected}",
        "value.nothing": "niets",
        "value.excel_cells": "Excel-cellen",
        "value.problems": "{count} (blad {sheet})",
        "value.earlier": "gedaan in een eerdere run",
        "value.truncated": "[... ingekort: {count} tekens in totaal]",
        "value.secret": "***",
        "header.row": "rij",
        "header.status": "status",
        "header.sent": "verzonden",
        "sent.insert": "toevoegen",
        "sent.batch": "{action}, in een batch van {count}",
        "sent.update": "wijzigen: {fields}",
        "sent.delete": "verwijderen",
        "sent.nested_deletes": "; {count} onderliggend verwijderd (regels)",
        "header.error": "fout",
        "header.step": "stap",
        "header.sheet": "blad",
        "header.column": "kolom",
        "header.value": "waarde",
        "header.message": "melding",
        "header.connector": "connector",
        "header.rows": "rijen",
        "header.total": "totaal",
        "header.earlier": "eerdere run",
        "header.json": "verzonden JSON",
        "page.number": "pagina &P van &N",
        "header.source_row": "rij in bestand",
        "header.sent_as": "verzonden als",
        "header.fix": "te herstellen",
        "value.empty": "(leeg)",
        "sheet.explain": "Toelichting",
        "term.to_fix": "Rijen om te herstellen, in de vorm van hun bestand (verbeter ze, run met "
        "--input): {path}",
        "term.started": "{step}: {rows} rijen ({connector})",
        "term.progress": "{step}: {done}/{total} rijen ({percent} %), {rate}, nog ongeveer {left}",
        "term.done": "{step}: {done}/{total} rijen klaar in {elapsed}: {counts}",
        "term.rate": "{rate:.1f} rijen/s",
        "term.workbook": "Resultaatwerkmap: {path}",
        "term.report": "Controlerapport: {path}",
        "term.audit": "Audittrail: {path}",
        "term.problem": "{source} rij {row} ({step}): {status}: {error}",
        "term.more": "... en nog {count}; de werkmap noemt ze allemaal",
        # wat er geteld wordt (importer.results.Count), issue 16
        "header.counted": "geteld",
        "count.rows": "rijen van {source}",
        "count.rows_records": "rijen van {source} ({records} records)",
        "count.lines": "regels van {source}",
        "count.file": "elke rij één keer (slechtste uitkomst)",
        "count.total": "de rijen van alle bestanden (de resultaatregel)",
        "term.problem_line": "{source} rij {row} ({step}, bij {parent} rij {parent_row}): "
        "{status}: {error}",
        "header.file": "bestand",
        "header.parent_file": "hoort bij (bestand)",
        "header.parent_row": "hoort bij (rij)",
        "header.note": "opmerking",
        "sheet.payloads_unsent": "Te verzenden",
        "header.json_unsent": "te verzenden JSON",
        "banner.dry_run": "PROEFRUN: er is niets naar het doelsysteem verzonden; er is geen "
        "record aangemaakt of gewijzigd. Dit is niet het resultaat van een import.",
        "banner.validation": "CONTROLE: er is niets naar het doelsysteem verzonden; er is geen "
        "record aangemaakt of gewijzigd. Dit is niet het resultaat van een import.",
        "sheet.undo": "Ongedaan maken",
        "title.undo": "Import ongedaan maken",
        "title.undo_dry_run": "Import ongedaan maken: proefrun (niets verwijderd)",
        "label.journal": "Journaal",
        "header.key": "sleutel",
        "header.ids": "ids",
        "header.state": "status in journaal",
        "header.action": "gedaan",
        "term.undo.delete": "Te verwijderen ({count}):",
        "term.undo.deleted": "Verwijderd ({count}):",
        "term.undo.by_hand": "Met de hand te verwijderen in {system} ({count}):",
        "term.undo.check": "Met de hand te controleren in {system} ({count}):",
        "term.undo.item": "  {step} rij {row} (sleutel {value}): {connector} {ids}",
        "term.undo.why": "    {why}",
        "term.undo.workbook": "Werkmap ongedaan maken: {path}",
    },
}

STATUS_NAMES: dict[str, dict[str, str]] = {
    "en": {},  # the status names themselves
    "nl": {
        "invalid": "ongeldig",
        "failed": "mislukt",
        "unknown": "onbekend",
        "changed": "gewijzigd",
        "skipped": "overgeslagen",
        "created": "aangemaakt",
        "updated": "bijgewerkt",
        "unchanged": "ongewijzigd",
        "deleted": "verwijderd",
        "existing": "bestaand",
        "planned": "gepland",
        "excluded": "uitgesloten",
        "already done": "al gedaan",
        "valid": "geldig",
        # what undo does with a record (importer.undo.Action)
        "to delete": "te verwijderen",
        "remove by hand": "met de hand verwijderen",
        "check by hand": "met de hand controleren",
        "not sent": "niet verzonden",
        "kept": "bewaard",
        "nothing to do": "niets te doen",
        "deleted earlier": "eerder verwijderd",
    },
}

_HEADS = {
    "Import finished": "Import voltooid",
    "Import stopped": "Import gestopt",
    "Dry run finished": "Proefrun voltooid",
    "Validation finished": "Controle voltooid",
}
_ENVIRONMENTS = {
    "production environment": "productieomgeving",
    "test environment": "testomgeving",
    "acceptance environment": "acceptatieomgeving",
    "unknown environment": "onbekende omgeving",
}


def resolve(lang: str | None, mapping: Any = None) -> str:
    """The language to use: the one asked for, else the mapping's ``language:``, else en."""
    chosen = lang or getattr(mapping, "language", None) or DEFAULT
    if isinstance(chosen, Enum):
        chosen = chosen.value
    if chosen not in LANGUAGES:
        raise ValueError(f"language {chosen!r} is not one of {', '.join(LANGUAGES)}")
    return chosen


def text(lang: str, key: str, **values: Any) -> str:
    """A fixed text in a language, with ``{placeholders}`` filled."""
    template = TEXTS.get(lang, TEXTS[DEFAULT]).get(key) or TEXTS[DEFAULT][key]
    return template.format(**values) if values else template


def status(lang: str, name: str) -> str:
    """A status name as shown to the user (``created``; ``aangemaakt`` in Dutch)."""
    return STATUS_NAMES.get(lang, {}).get(name, name)


def environment(lang: str, name: str | None) -> str:
    """``test environment 12345`` in a language (``testomgeving 12345``)."""
    if not name or lang == "en":
        return name or ""
    for english, local in _ENVIRONMENTS.items():
        if name.startswith(english):
            return local + name[len(english) :]
    return name


def summary_line(lang: str, line: str) -> str:
    """``Import finished: 25 created, 0 failed; source rows: klanten.csv 25 (test environment
    12345)`` in a language."""
    if lang == "en":
        return line
    head, sep, rest = line.partition(": ")
    if not sep or head not in _HEADS:
        return line
    suffix = ""
    if rest.endswith(")") and " (" in rest:  # the environment (a file's label ends in a count)
        rest, _, environment_name = rest[:-1].rpartition(" (")
        suffix = f" ({environment(lang, environment_name)})"
    rest, counted, rows = rest.partition(_ROWS)
    if counted:
        suffix = f"; {_ROWS_WORDS[lang]}: {rows.replace('(sheet ', _SHEET_WORDS[lang])}{suffix}"
    parts = []
    for part in rest.split(", "):
        count, _, name = part.partition(" ")
        parts.append(f"{count} {status(lang, name)}")
    return f"{_HEADS[head]}: {', '.join(parts)}{suffix}"


_ROWS = "; source rows: "  # the summary line's files and their rows (Result.summary_line)
_ROWS_WORDS = {"en": "source rows", "nl": "bronrijen"}
_SHEET_WORDS = {"en": "(sheet ", "nl": "(blad "}
