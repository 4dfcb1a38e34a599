"""Messages the user sees, as a code with parameters, rendered per language at the edge.

A :class:`Message` is built where the problem is found (``Message("value.required")``,
``Message("value.too_long", length=19, limit=10)``) and rendered where it is shown: the
workbook and the terminal call :func:`render` with the chosen language; ``str(message)`` is
English (the journal, the audit trail and the summary line on stdout are English).

Each language has one table of ``str.format`` templates by code: :data:`EN` and :data:`NL`
hold the generic ones; a target package's ``messages`` (its :class:`~importer.targets.TargetSpec`
names them) add its own, so no generic template names a system (the system comes as a
``{system}`` parameter). A test checks that every code has a template in every language, with
the same placeholders.

Parameters are plain values. A parameter that is itself a Message, or a status, renders in the
same language; a tuple holding Messages renders as its items rendered and joined (with no
separator: put ``"; "`` or a ``word.*`` Message between them). What a target wrote itself (its
error message) and what a mapping's author wrote (a check's
``message:``) are shown as written: ``target.said`` and ``text`` carry it as ``{text}``.
"""

from __future__ import annotations

import string
from enum import Enum
from typing import Any

from importer import i18n

__all__ = ["EN", "NL", "Message", "placeholders", "render", "tables"]


class Message:
    """A code and its parameters: frozen, hashable, picklable; ``str()`` is English."""

    __slots__ = ("code", "params")
    code: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, code: str, /, **params: Any) -> None:
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Message is frozen")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.params))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        try:
            return hash((self.code, self.params))
        except TypeError:  # a value from a body: a list or a dict
            return hash((self.code, repr(self.params)))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Message({self.code!r}{args})"

    def __str__(self) -> str:
        return render(self, "en")

    def get(self, name: str, default: Any = None) -> Any:
        """One parameter's value."""
        return dict(self.params).get(name, default)


def _rebuild(code: str, params: tuple[tuple[str, Any], ...]) -> Message:
    return Message(code, **dict(params))


def render(message: Message | str | None, lang: str) -> str:
    """A message in a language (text that is not a Message is shown as it is)."""
    if message is None:
        return ""
    if not isinstance(message, Message):
        return str(message)
    table = tables(lang)
    template = table.get(message.code)
    if template is None:
        template = tables(i18n.DEFAULT).get(message.code)
    if template is None:  # a code no table knows: show it with its values, not nothing
        return f"{message.code} {dict(message.params)}"
    return template.format(**{k: _param(v, lang) for k, v in message.params})


def _param(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return render(value, lang)
    if isinstance(value, tuple) and any(isinstance(v, Message | tuple) for v in value):
        return "".join(str(_param(v, lang)) for v in value)
    if isinstance(value, Enum) and isinstance(value, str):  # a Status
        return i18n.status(lang, value.value)
    return value


def unavailable(
    system: str, status: int, said: str | None, wait: float | None, *, busy: bool = False
) -> Message:
    """``<system> is unavailable (HTTP 503: ...); try again after 30 s``: a transient refusal."""
    return Message(
        "reply.busy" if busy else "reply.unavailable",
        system=system,
        status=status,
        detail=Message("reply.detail", text=Message("target.said", text=said)) if said else "",
        wait=Message("reply.try_after", seconds=wait) if wait is not None else "",
    )


def placeholders(template: str) -> set[str]:
    """The names of a template's ``{placeholders}``."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


_CACHE: dict[tuple[str, tuple[int, ...]], dict[str, str]] = {}


def tables(lang: str) -> dict[str, str]:
    """Every template of a language: the generic ones and those of every known target."""
    from importer import targets  # the registry imports target packages that import this

    specs = [targets.spec(name) for name in targets.names()]
    key = (lang, tuple(id(s) for s in specs))
    found = _CACHE.get(key)
    if found is None:
        found = dict(_GENERIC.get(lang, {}))
        for spec in specs:
            found.update(spec.message_tables().get(lang, {}))
        _CACHE[key] = found
    return found


EN: dict[str, str] = {
    # as written by someone else: a mapping's author, a target
    "text": "{text}",
    "target.said": "{text}",
    "word.or": " or ",
    # where a problem is
    "problem.column": "{column}: {message}",
    "problem.at": "{source}{row}{column}: {message}",
    "where.row": ", row {row}",
    "where.column": ", column {column!r}",
    "with_row": "with row {row}: {error}",
    # a cell's value
    "value.required": "is empty; a value is required",
    "value.too_long": "is {length} characters long; at most {limit} allowed",
    "value.duplicate": (
        "{value!r} appears more than once (also in row {rows}); each value must be unique"
    ),
    "value.duplicate_as": (
        "{value!r} (as {shown!r}) appears more than once (also in row {rows}); "
        "each value must be unique"
    ),
    "value.not_allowed": "{value!r} is not one of the allowed values: {allowed}",
    "value.pattern": "{value!r} does not have the expected form ({pattern})",
    "value.formula": (
        "{value!r} starts with '=', so Excel would run it as a formula; if it is text, declare "
        "allow_formulas: true for column {column!r} in the mapping"
    ),
    "value.below_min": "{value} is below the minimum {bound:g}",
    "value.above_max": "{value} is above the maximum {bound:g}",
    "value.not_in_map": "{value!r} is not in the value map (known: {known})",
    "value.check": "{value!r}: {reason}",
    "value.not_integer": "{value!r} is not a whole number such as 42",
    "value.not_decimal_comma": "{value!r} is not a number with a decimal comma, such as {example}",
    "value.not_decimal_point": "{value!r} is not a number with a decimal point, such as {example}",
    "value.not_date": "{value!r} is not a date written as {formats}",
    "value.not_boolean": (
        "{value!r} is not yes or no (ja/nee, j/n, yes/no, true/false, waar/onwaar, 1/0, x)"
    ),
    "date.DD": "DD",
    "date.MM": "MM",
    "date.YYYY": "YYYY",
    "date.YY": "YY",
    # rows and records
    "group.split": (
        "{key!r} also starts at row {first}, with other rows in between; "
        "rows of one record must be consecutive"
    ),
    "key.no_row": "{key!r} matches no row of step {step} (column {column!r} of {source})",
    "template.failed": "{error}",
    "not_selected": "not selected by when: {when}",
    "parent.not_done": "parent row {row} {status}",
    "parent.not_linked": "parent row {row} {status}, not linked",
    # sending
    "not_sent": "not sent: {reason}",
    "not_sent.end": "not sent: the run ended before this row's turn",
    "interrupted": "interrupted",
    "internal_error": "internal error: {error}",
    "unknown.check_target": (
        "sent in an earlier run without an answer ({when}): check in {system} whether this "
        "{connector} exists; if it does not, run again with --retry-unknown"
    ),
    "unknown.check_failed": (
        "sent in an earlier run without an answer ({when}), and checking whether it exists did "
        "not succeed ({why}): the next run checks again; or check in {system} whether this "
        "{connector} exists"
    ),
    "unknown.not_checked": (
        "sent in an earlier run without an answer ({when}); not checked this time ({reason})"
    ),
    "changed": (
        "the source values changed since this record was created; it was not updated "
        "(set on_change: update in the mapping to update it)"
    ),
    # lookups ({where} is a connector and the values looked for)
    "lookup.none": "no record found in {where}",
    "lookup.many": "{count} records match in {where}; cannot tell which one is meant",
    "lookup.parent_not_in_file": "{key!r} is not in this run's file, and {error}",
    "lookup.found_after_unknown": "found in {where} after a request without an answer",
    "lookup.exists": "already exists in {where}; on_found: {on_found}",
    # replies the importer writes itself (the target said nothing, or not in words)
    "reply.no_answer": (
        "no answer from {system} ({why}); the record may or may not exist: check {connector} "
        "in {records_in} before sending it again"
    ),
    "reply.http": "HTTP {status}: {said}",
    "reply.no_message": "no message",
    "reply.unavailable": "{system} is unavailable (HTTP {status}{detail}){wait}",
    "reply.busy": "{system} is busy (HTTP {status}{detail}){wait}",
    "reply.detail": ": {text}",
    "reply.try_after": "; try again after {seconds:g} s",
    # the Dutch checks (importer.checks); IBAN, BIC, VAT and phone are English text still
    "check.dropped_zero": (
        " (a spreadsheet may have dropped a 0 at the start: format the column as text)"
    ),
    "check.email_only": (
        "give only the email address, such as jan@example.nl, without a name or < >"
    ),
    "check.email_one": "a cell can hold only one email address",
    "check.email_spaces": "an email address cannot contain spaces",
    "check.email_at": "an email address has exactly one @, such as jan@example.nl",
    "check.email_name": "an email address has a name before the @, such as jan@example.nl",
    "check.email_domain": "after the @ comes a domain with a dot, such as example.nl",
    "check.kvk_digits": "a KvK number has only digits",
    "check.kvk_branch": (
        "a KvK number has 8 digits; this 12-digit number looks like a branch number "
        "(vestigingsnummer)"
    ),
    "check.kvk_length": "a KvK number has 8 digits, this one has {length}{hint}",
    "check.kvk_zeros": "a KvK number cannot be all zeros",
    "check.bsn_digits": "a BSN has only digits",
    "check.bsn_length": "a BSN has 9 digits, this one has {length}{hint}",
    "check.bsn_zeros": "a BSN cannot be all zeros",
    "check.bsn_test": "the number does not pass the BSN 11-test",
    "check.postcode_form": (
        "a Dutch postcode is 4 digits (not starting with 0) and 2 letters, such as 1234 AB"
    ),
    "check.postcode_letters": "the letters SA, SD and SS are not used in Dutch postcodes",
    "check.country": "'{text}' is not an ISO country code such as NL or BE{hint}",
    "check.country_use": " (use {code} for {text})",
    "check.account_iban": "this is an IBAN, not an old-style Dutch bank account number",
    "check.account_digits": "an old-style Dutch bank account number has only digits",
    "check.account_length": (
        "a Dutch bank account number has 9 or 10 digits, or 3 to 7 for a former Postbank (giro) "
        "number; this one has {length}"
    ),
    "check.account_zeros": "a bank account number cannot be all zeros",
}

NL: dict[str, str] = {
    "text": "{text}",
    "target.said": "{text}",
    "word.or": " of ",
    "problem.column": "{column}: {message}",
    "problem.at": "{source}{row}{column}: {message}",
    "where.row": ", rij {row}",
    "where.column": ", kolom {column!r}",
    "with_row": "met rij {row}: {error}",
    "value.required": "is leeg; een waarde is verplicht",
    "value.too_long": "is {length} tekens lang; maximaal {limit} toegestaan",
    "value.duplicate": (
        "{value!r} komt meer dan eens voor (ook in rij {rows}); elke waarde moet uniek zijn"
    ),
    "value.duplicate_as": (
        "{value!r} (als {shown!r}) komt meer dan eens voor (ook in rij {rows}); "
        "elke waarde moet uniek zijn"
    ),
    "value.not_allowed": "{value!r} is niet een van de toegestane waarden: {allowed}",
    "value.pattern": "{value!r} heeft niet de verwachte vorm ({pattern})",
    "value.formula": (
        "{value!r} begint met '=', dus Excel zou het als formule uitvoeren; is het tekst, zet "
        "dan allow_formulas: true bij kolom {column!r} in de mapping"
    ),
    "value.below_min": "{value} is lager dan het minimum {bound:g}",
    "value.above_max": "{value} is hoger dan het maximum {bound:g}",
    "value.not_in_map": "{value!r} staat niet in de vertaaltabel (bekend: {known})",
    "value.check": "{value!r}: {reason}",
    "value.not_integer": "{value!r} is geen heel getal zoals 42",
    "value.not_decimal_comma": "{value!r} is geen getal met een decimale komma, zoals {example}",
    "value.not_decimal_point": "{value!r} is geen getal met een decimale punt, zoals {example}",
    "value.not_date": "{value!r} is geen datum geschreven als {formats}",
    "value.not_boolean": (
        "{value!r} is niet ja of nee (ja/nee, j/n, yes/no, true/false, waar/onwaar, 1/0, x)"
    ),
    "date.DD": "DD",
    "date.MM": "MM",
    "date.YYYY": "JJJJ",
    "date.YY": "JJ",
    "group.split": (
        "{key!r} begint ook in rij {first}, met andere rijen ertussen; "
        "de rijen van één record moeten aaneengesloten zijn"
    ),
    "key.no_row": (
        "{key!r} komt met geen rij van stap {step} overeen (kolom {column!r} van {source})"
    ),
    "template.failed": "{error}",
    "not_selected": "niet geselecteerd door when: {when}",
    "parent.not_done": "bovenliggende rij {row} {status}",
    "parent.not_linked": "bovenliggende rij {row} {status}, niet gekoppeld",
    "not_sent": "niet verzonden: {reason}",
    "not_sent.end": "niet verzonden: de run eindigde voordat deze rij aan de beurt was",
    "interrupted": "onderbroken",
    "internal_error": "interne fout: {error}",
    "unknown.check_target": (
        "in een eerdere run verzonden zonder antwoord ({when}): controleer in {system} of deze "
        "{connector} bestaat; zo niet, start de import opnieuw met --retry-unknown"
    ),
    "unknown.check_failed": (
        "in een eerdere run verzonden zonder antwoord ({when}), en controleren of het record "
        "bestaat is niet gelukt ({why}): de volgende run controleert opnieuw; of controleer in "
        "{system} of deze {connector} bestaat"
    ),
    "unknown.not_checked": (
        "in een eerdere run verzonden zonder antwoord ({when}); deze keer niet gecontroleerd "
        "({reason})"
    ),
    "changed": (
        "de bronwaarden zijn gewijzigd sinds dit record is aangemaakt; het is niet "
        "bijgewerkt (zet on_change: update in de mapping om het bij te werken)"
    ),
    "lookup.none": "geen record gevonden in {where}",
    "lookup.many": "{count} records komen overeen in {where}; niet te bepalen welk bedoeld is",
    "lookup.parent_not_in_file": "{key!r} staat niet in het bestand van deze run, en {error}",
    "lookup.found_after_unknown": "gevonden in {where} na een verzoek zonder antwoord",
    "lookup.exists": "bestaat al in {where}; on_found: {on_found}",
    "reply.no_answer": (
        "geen antwoord van {system} ({why}); het record bestaat misschien wel of niet: "
        "controleer {connector} in {records_in} voordat u het opnieuw verzendt"
    ),
    "reply.http": "HTTP {status}: {said}",
    "reply.no_message": "geen melding",
    "reply.unavailable": "{system} is niet beschikbaar (HTTP {status}{detail}){wait}",
    "reply.busy": "{system} is bezet (HTTP {status}{detail}){wait}",
    "reply.detail": ": {text}",
    "reply.try_after": "; probeer het opnieuw na {seconds:g} s",
    "check.dropped_zero": (
        " (een spreadsheet heeft misschien een 0 aan het begin weggelaten: maak van de kolom "
        "een tekstkolom)"
    ),
    "check.email_only": "geef alleen het e-mailadres, zoals jan@example.nl, zonder naam of < >",
    "check.email_one": "een cel kan maar één e-mailadres bevatten",
    "check.email_spaces": "een e-mailadres kan geen spaties bevatten",
    "check.email_at": "een e-mailadres heeft precies één @, zoals jan@example.nl",
    "check.email_name": "een e-mailadres heeft een naam vóór de @, zoals jan@example.nl",
    "check.email_domain": "na de @ komt een domein met een punt, zoals example.nl",
    "check.kvk_digits": "een KvK-nummer bestaat alleen uit cijfers",
    "check.kvk_branch": (
        "een KvK-nummer heeft 8 cijfers; dit nummer van 12 cijfers lijkt een vestigingsnummer"
    ),
    "check.kvk_length": "een KvK-nummer heeft 8 cijfers, dit heeft er {length}{hint}",
    "check.kvk_zeros": "een KvK-nummer kan niet uit alleen nullen bestaan",
    "check.bsn_digits": "een BSN bestaat alleen uit cijfers",
    "check.bsn_length": "een BSN heeft 9 cijfers, dit heeft er {length}{hint}",
    "check.bsn_zeros": "een BSN kan niet uit alleen nullen bestaan",
    "check.bsn_test": "het nummer voldoet niet aan de elfproef voor een BSN",
    "check.postcode_form": (
        "een Nederlandse postcode is 4 cijfers (niet beginnend met 0) en 2 letters, zoals 1234 AB"
    ),
    "check.postcode_letters": (
        "de letters SA, SD en SS worden niet gebruikt in Nederlandse postcodes"
    ),
    "check.country": "'{text}' is geen ISO-landcode zoals NL of BE{hint}",
    "check.country_use": " (gebruik {code} voor {text})",
    "check.account_iban": "dit is een IBAN, geen Nederlands rekeningnummer in de oude vorm",
    "check.account_digits": (
        "een Nederlands rekeningnummer in de oude vorm bestaat alleen uit cijfers"
    ),
    "check.account_length": (
        "een Nederlands rekeningnummer heeft 9 of 10 cijfers, of 3 tot 7 voor een voormalig "
        "Postbanknummer (giro); dit heeft er {length}"
    ),
    "check.account_zeros": "een rekeningnummer kan niet uit alleen nullen bestaan",
}

_GENERIC = {"en": EN, "nl": NL}
