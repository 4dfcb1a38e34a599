"""The language of the result workbook and the terminal summary: English or Dutch.

``--lang nl|en`` on ``run`` and ``validate`` chooses it; a mapping's ``language:`` sets the
default; without either it is English. Translated are the importer's own words: sheet names,
headers, labels, status names, and the messages the importer itself writes (``is empty; a
value is required`` becomes ``is leeg; een waarde is verplicht``). Messages built with values
are matched against templates (:data:`_MESSAGES`) and rebuilt with the same values; a message
no template knows stays English rather than half translated. AFAS's own messages
(``externalMessage``) are shown as AFAS wrote them, in the language set by ``AFAS_LANGUAGE``.
The summary line on stdout (``Import finished: ...``) is always English: scripts read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
        # terminal
        "term.started": "{step}: {rows} rows ({connector})",
        "term.progress": "{step}: {done}/{total} rows ({percent} %), {rate}, about {left} left",
        "term.done": "{step}: {done}/{total} rows done in {elapsed}: {counts}",
        "term.rate": "{rate:.1f} rows/s",
        "term.workbook": "Result workbook: {path}",
        "term.report": "Validation report: {path}",
        "term.audit": "Audit trail: {path}",
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
        "term.started": "{step}: {rows} rijen ({connector})",
        "term.progress": "{step}: {done}/{total} rijen ({percent} %), {rate}, nog ongeveer {left}",
        "term.done": "{step}: {done}/{total} rijen klaar in {elapsed}: {counts}",
        "term.rate": "{rate:.1f} rijen/s",
        "term.workbook": "Resultaatwerkmap: {path}",
        "term.report": "Controlerapport: {path}",
        "term.audit": "Audittrail: {path}",
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
        "existing": "bestaand",
        "planned": "gepland",
        "excluded": "uitgesloten",
        "already done": "al gedaan",
        "valid": "geldig",
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
    """``Import finished: 25 created, 0 failed (test environment 12345)`` in a language."""
    if lang == "en":
        return line
    head, sep, rest = line.partition(": ")
    if not sep or head not in _HEADS:
        return line
    suffix = ""
    match = re.fullmatch(r"(.*?) \((.+)\)", rest)
    if match:
        rest, suffix = match.group(1), f" ({environment(lang, match.group(2))})"
    parts = []
    for part in rest.split(", "):
        count, _, name = part.partition(" ")
        parts.append(f"{count} {status(lang, name)}")
    return f"{_HEADS[head]}: {', '.join(parts)}{suffix}"


# --- messages -----------------------------------------------------------------------------------

Rule = tuple[re.Pattern[str], Callable[[re.Match[str], str], str | None]]

_WHAT = [  # "is not <what>" phrases of importer.types.describe, as "is <what in Dutch>"
    (r"a whole number such as 42", "geen heel getal zoals 42"),
    (
        r"a number with a decimal comma, such as (.+)",
        r"geen getal met een decimale komma, zoals \1",
    ),
    (r"a number with a decimal point, such as (.+)", r"geen getal met een decimale punt, zoals \1"),
    (r"a date written as (.+)", "geen datum geschreven als {date}"),
    (r"yes or no \((.+)\)", r"niet ja of nee (\1)"),
]


def _what(phrase: str) -> str | None:
    for pattern, local in _WHAT:
        match = re.fullmatch(pattern, phrase)
        if match:
            if "{sep}" in local:
                word = "komma" if match.group(1) == "comma" else "punt"
                return local.format(sep=word) + f", zoals {match.group(2)}"
            if "{date}" in local:
                return local.format(date=match.group(1).replace("YYYY", "JJJJ").replace("YY", "JJ"))
            return match.expand(local)
    return None


def _rules() -> list[Rule]:
    def fixed(nl: str) -> Callable[[re.Match[str], str], str]:
        return lambda m, lang: m.expand(nl)

    def parent(m: re.Match[str], lang: str) -> str:
        state = m.group(2)
        tail = ", niet gekoppeld" if state.endswith(", not linked") else ""
        state = state.removesuffix(", not linked")
        return f"bovenliggende rij {m.group(1)} {status(lang, state)}{tail}"

    def is_not(m: re.Match[str], lang: str) -> str | None:
        what = _what(m.group(2))
        return f"{m.group(1)} is {what}" if what else None

    def not_sent(m: re.Match[str], lang: str) -> str:
        reason = translate(lang, m.group(1)) if m.group(1) != "interrupted" else "onderbroken"
        return f"niet verzonden: {reason}"

    def bound(m: re.Match[str], lang: str) -> str:
        word = (
            "lager dan het minimum"
            if m.group(2) == "below the minimum"
            else "hoger dan het maximum"
        )
        return f"{m.group(1)} is {word} {m.group(3)}"

    table: list[tuple[str, Callable[[re.Match[str], str], str | None]]] = [
        (r"is empty; a value is required", fixed("is leeg; een waarde is verplicht")),
        (
            r"is (\d+) characters long; at most (\d+) allowed",
            fixed(r"is \1 tekens lang; maximaal \2 toegestaan"),
        ),
        (
            r"(.+?)((?: \(as .+\))?) appears more than once \(also in rows? (.+)\); "
            r"each value must be unique",
            lambda m, lang: (
                f"{m.group(1)}{m.group(2).replace(' (as ', ' (als ')} komt meer dan eens voor "
                f"(ook in rij {m.group(3)}); elke waarde moet uniek zijn"
            ),
        ),
        (
            r"(.+) is not one of the allowed values: (.*)",
            fixed(r"\1 is niet een van de toegestane waarden: \2"),
        ),
        (
            r"(.+) starts with '=', so Excel would run it as a formula; if it is text, declare "
            r"allow_formulas: true for column (.+) in the mapping",
            fixed(
                r"\1 begint met '=', dus Excel zou het als formule uitvoeren; is het tekst, zet "
                r"dan allow_formulas: true bij kolom \2 in de mapping"
            ),
        ),
        (
            r"(.+) does not have the expected form \((.*)\)",
            fixed(r"\1 heeft niet de verwachte vorm (\2)"),
        ),
        (r"(.+) is (below the minimum|above the maximum) (\S+)", bound),
        (
            r"(.+) is not in the value map \(known: (.*)\)",
            fixed(r"\1 staat niet in de vertaaltabel (bekend: \2)"),
        ),
        (r"('.*') is not (.+)", is_not),
        (r"parent row (\d+) (.+)", parent),
        (r"not sent: (.+)", not_sent),
        (r"interrupted", fixed("onderbroken")),
        (r"not selected by when: (.+)", fixed(r"niet geselecteerd door when: \1")),
        (
            r"(.+) matches no row of step (.+) \(column (.+) of (.+)\)",
            fixed(r"\1 komt met geen rij van stap \2 overeen (kolom \3 van \4)"),
        ),
        (
            r"the source values changed since this record was created; it was not updated "
            r"\(set on_change: update in the mapping to update it\)",
            fixed(
                "de bronwaarden zijn gewijzigd sinds dit record is aangemaakt; het is niet "
                "bijgewerkt (zet on_change: update in de mapping om het bij te werken)"
            ),
        ),
        (
            r"sent in an earlier run without an answer \((.+)\): check in Profit whether this "
            r"(\S+) exists; if it does not, run again with --retry-unknown",
            fixed(
                r"in een eerdere run verzonden zonder antwoord (\1): controleer in Profit of "
                r"deze \2 bestaat; zo niet, start de import opnieuw met --retry-unknown"
            ),
        ),
        (r"already exists in (.+); on_found: (\w+)", fixed(r"bestaat al in \1; on_found: \2")),
        (
            r"(\d+) records match in (.+); cannot tell which one is meant",
            fixed(r"\1 records komen overeen in \2; niet te bepalen welk bedoeld is"),
        ),
        (
            r"found in (.+) after a request without an answer",
            fixed(r"gevonden in \1 na een verzoek zonder antwoord"),
        ),
        (
            r"no answer from AFAS \((.+)\); the record may or may not exist: check (\S+) in "
            r"Profit before sending it again",
            fixed(
                r"geen antwoord van AFAS (\1); het record bestaat misschien wel of niet: "
                r"controleer \2 in Profit voordat u het opnieuw verzendt"
            ),
        ),
        (r"AFAS is unavailable \((.+)\)(.*)", lambda m, lang: _unavailable(m)),
        (
            r"(\S+) is (\d+) characters, AFAS allows (\d+)",
            fixed(r"\1 is \2 tekens, AFAS staat er \3 toe"),
        ),
        (r"(\S+) is mandatory and missing", fixed(r"\1 is verplicht en ontbreekt")),
        (
            r"(\S+) has no field ('[^']*')(?:; did you mean ('[^']*')\?)?",
            lambda m, lang: (
                f"{m.group(1)} heeft geen veld {m.group(2)}"
                + (f"; bedoelt u {m.group(3)}?" if m.group(3) else "")
            ),
        ),
        (
            r"(\S+) has no object ('[^']*')(?:; it takes: (.+))?",
            lambda m, lang: (
                f"{m.group(1)} heeft geen object {m.group(2)}"
                + (f"; het kent: {m.group(3)}" if m.group(3) else "")
            ),
        ),
        (r"(\S+) is (.+); allowed: (.+)", fixed(r"\1 is \2; toegestaan: \3")),
        (
            r"(\S+) is (.+), AFAS expects a date as YYYY-MM-DD",
            fixed(r"\1 is \2, AFAS verwacht een datum als JJJJ-MM-DD"),
        ),
        (
            r"(\S+) is (.+), AFAS expects an integer",
            fixed(r"\1 is \2, AFAS verwacht een heel getal"),
        ),
        (
            r"(\S+) is (.+), AFAS expects a number \(decimal point, no thousands separator\)",
            fixed(
                r"\1 is \2, AFAS verwacht een getal (decimale punt, "
                "geen scheidingsteken voor duizendtallen)"
            ),
        ),
    ]
    return [(re.compile(p, re.S), f) for p, f in table]


def _unavailable(m: re.Match[str]) -> str:
    tail = m.group(2).replace("; try again after", "; probeer het opnieuw na")
    return f"AFAS is niet beschikbaar ({m.group(1)}){tail}"


_RULES: list[Rule] = _rules()


def translate(lang: str, message: str | None) -> str | None:
    """One of the importer's own messages in a language; unknown messages stay as they are."""
    if lang == "en" or not message:
        return message
    for pattern, build in _RULES:
        match = pattern.fullmatch(message)
        if match:
            local = build(match, lang)
            if local is not None:
                return local
    return message
