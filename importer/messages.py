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
from decimal import Decimal
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
    values = {k: _param(v, lang) for k, v in message.params}
    if lang in _DOT_GROUPED and ":," in template:
        return _DOT_GROUPING.vformat(template, (), values)
    return template.format(**values)


class _DotGrouping(string.Formatter):
    """``{n:,}`` as Dutch writes it: thousands grouped with a dot, a decimal comma
    (1.000.000; 2,5)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        text = str(super().format_field(value, format_spec))
        if "," in format_spec and isinstance(value, int | float | Decimal):
            text = text.translate(_SWAPPED)
        return text


_DOT_GROUPED = {"nl"}
_DOT_GROUPING = _DotGrouping()
_SWAPPED = str.maketrans(",.", ".,")


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
    "word.and": " and ",
    # where a problem is
    "problem.column": "{column}: {message}",
    "problem.at": "{source}{row}{column}: {message}",
    "where.row": ", row {row}",
    "where.column": ", column {column!r}",
    "with_row": "with row {row}: {error}",
    # what the readers tell about a source without stopping the run
    "reader.no_rows": "{source}: no data rows below the header (row {row}); nothing to import",
    "reader.hidden_sheet": (
        "{file}: sheet {sheet!r} is hidden in Excel; it is read because the mapping names it"
    ),
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
    "template.undefined": "template {name} line {line}: {error}. Columns: {columns}{parents}",
    "template.parent_ids": "; parent ids: {ids}",
    "template.no_parent": "; no parent step",
    "template.error": "template {name} line {line}: {error}",
    "template.not_json": (
        "template {name} does not give valid JSON: {error} at line {line} column {column} of the "
        "rendered text"
    ),
    "template.refused": "template refused: {reason}",
    "template.too_deep": "it calls itself without end (a macro or a recursive loop)",
    # what the template sandbox refuses (importer.templating)
    "sandbox.underscore": (
        "{name!r} is not allowed: names starting with '_' reach into Python internals"
    ),
    "sandbox.internal": "{name!r} is not allowed: it reaches into Python internals",
    "sandbox.changes": "{name}() is not allowed: templates and expressions cannot change a value",
    # the limits a template or expression reaches while it runs (importer.templating)
    "limit.size": (
        "{what} would make a value of {size:,} characters or items; at most {limit:,} are allowed"
    ),
    "limit.bits": "{what} would make a number of {bits:,} bits; at most {limit:,} are allowed",
    "limit.filter": "the {name} filter",
    "limit.method": "{name}()",
    "limit.conversion": "the conversion {text!r}",
    "limit.format": "the format {spec!r}",
    "limit.star": "a width or precision '*' taken from the values is not allowed",
    "limit.nested_width": "a width or precision taken from the values is not allowed",
    "limit.range": "range() would give more than {limit:,} numbers",
    "limit.steps": (
        "more than {limit:,} loop iterations and calls for one body: a loop over a loop, or a "
        "macro that calls itself, runs too long"
    ),
    "limit.time": "rendering one body took more than {seconds:g} seconds",
    "limit.body": "the body would be more than {limit:,} characters long",
    "error.file_line": "{file} line {line}: {message}",
    "error.file": "{file}: {message}",
    "not_selected": "not selected by when: {when}",
    "when.failed": "when: {when} cannot be decided for this row: {error}",
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
    "lookup.no_answer": "{connector} gave no answer",
    "lookup.no_answer_from": "no answer from {system}",
    "lookup.unreadable": "{connector} could not be read: {why}",
    "lookup.transport": "{failed} ({error})",
    # the reason a run stopped
    "target.unreachable": "Cannot reach {system} at {host}: {error}",
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
    # the Dutch checks (importer.checks)
    "check.no_value": "there is no value",
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
    "check.email_chars": 'an email address cannot contain any of , ; : ( ) [ ] \\ "',
    "check.iban_chars": "an IBAN has only letters and digits",
    "check.iban_old_account": (
        "this looks like an old Dutch bank account number; an IBAN starts with a country code, "
        "such as NL91ABNA0417164300"
    ),
    "check.iban_start": "an IBAN starts with a two-letter country code, such as NL91ABNA0417164300",
    "check.iban_country": "'{code}' is not a country code an IBAN can start with",
    "check.iban_length": "{subject} has {expected} characters, this one has {length}",
    "check.iban_shape": "{subject} is {parts}",
    "check.iban_from": "an IBAN from {country}",
    "check.check_digits": "2 check digits",
    "check.n_digits": "{n} digits",
    "check.n_letters": "{n} letters",
    "check.n_characters": "{n} letters or digits",
    "check.iban_check": "the IBAN check digits are wrong",
    "check.iban_account": (
        "the account number inside this IBAN is not valid (its own check digits are wrong)"
    ),
    "check.bic_chars": "a BIC has only letters and digits",
    "check.bic_length": "a BIC has 8 or 11 characters, this one has {length}",
    "check.bic_form": (
        "a BIC starts with 4 letters for the bank and 2 for the country, such as ABNANL2A"
    ),
    "check.bic_country": (
        "the 5th and 6th letters of a BIC are the bank's country, but '{code}' is not a "
        "country code"
    ),
    "check.vat_chars": "a VAT number has only letters and digits",
    "check.vat_nl_form": (
        "a Dutch VAT number is NL, 9 digits, B and 2 digits, such as NL000099998B57"
    ),
    "check.vat_be_form": (
        "a Belgian VAT number is BE and 10 digits starting with 0 or 1, such as BE0403170701"
    ),
    "check.vat_nl_zeros": "the 9 digits of a Dutch VAT number cannot all be 0",
    "check.vat_nl_00": "the 2 digits after the B of a Dutch VAT number cannot be 00",
    "check.vat_nl_check": "the check digits of this Dutch VAT number are wrong",
    "check.vat_be_check": "the check digits of this Belgian VAT number are wrong",
    "check.vat_nl_prefix": "a Dutch VAT number starts with NL, such as NL000099998B57",
    "check.vat_other": (
        "only Dutch (NL) and Belgian (BE) VAT numbers are checked; this one starts with '{code}'"
    ),
    "check.vat_country": (
        "a VAT number starts with its country code, such as NL000099998B57 or BE0403170701"
    ),
    "check.phone_chars": (
        "a phone number can only contain digits (with spaces, dashes or brackets between them) "
        "and a + at the start"
    ),
    "check.phone_plus": (
        "a phone number starts with 0, + or 00; put a + before the country code, such as "
        "+31 6 12345678"
    ),
    "check.phone_start": "a phone number starts with 0, + or 00{hint}",
    "check.phone_short": "a phone number has at least 9 digits, this one has {length}",
    "check.phone_long": "a phone number has at most 15 digits, this one has {length}",
    "check.phone_country_zero": (
        "after + or 00 comes a country code such as 31, which never starts with 0"
    ),
    "check.phone_area_zero": (
        "after +{country} the 0 of the area code is left out, such as +31 6 12345678 instead "
        "of +31 06 12345678"
    ),
}

NL: dict[str, str] = {
    "text": "{text}",
    "target.said": "{text}",
    "word.or": " of ",
    "word.and": " en ",
    "problem.column": "{column}: {message}",
    "problem.at": "{source}{row}{column}: {message}",
    "where.row": ", rij {row}",
    "where.column": ", kolom {column!r}",
    "with_row": "met rij {row}: {error}",
    "reader.no_rows": (
        "{source}: geen gegevensrijen onder de kopregel (rij {row}); er is niets te importeren"
    ),
    "reader.hidden_sheet": (
        "{file}: blad {sheet!r} is verborgen in Excel; het wordt gelezen omdat de mapping het noemt"
    ),
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
    "template.undefined": "template {name} regel {line}: {error}. Kolommen: {columns}{parents}",
    "template.parent_ids": "; ids van de bovenliggende stap: {ids}",
    "template.no_parent": "; geen bovenliggende stap",
    "template.error": "template {name} regel {line}: {error}",
    "template.not_json": (
        "template {name} geeft geen geldige JSON: {error} op regel {line} kolom {column} van de "
        "gerenderde tekst"
    ),
    "template.refused": "template geweigerd: {reason}",
    "template.too_deep": "het roept zichzelf eindeloos aan (een macro of een recursieve lus)",
    "sandbox.underscore": (
        "{name!r} is niet toegestaan: namen die met '_' beginnen, geven toegang tot de interne "
        "onderdelen van Python"
    ),
    "sandbox.internal": (
        "{name!r} is niet toegestaan: het geeft toegang tot de interne onderdelen van Python"
    ),
    "sandbox.changes": (
        "{name}() is niet toegestaan: templates en expressies kunnen geen waarde wijzigen"
    ),
    "limit.size": (
        "{what} zou een waarde van {size:,} tekens of elementen maken; maximaal {limit:,} "
        "toegestaan"
    ),
    "limit.bits": "{what} zou een getal van {bits:,} bits maken; maximaal {limit:,} toegestaan",
    "limit.filter": "het filter {name}",
    "limit.method": "{name}()",
    "limit.conversion": "de opmaakcode {text!r}",
    "limit.format": "de opmaak {spec!r}",
    "limit.star": "een breedte of precisie '*' uit de waarden is niet toegestaan",
    "limit.nested_width": "een breedte of precisie uit de waarden is niet toegestaan",
    "limit.range": "range() zou meer dan {limit:,} getallen geven",
    "limit.steps": (
        "meer dan {limit:,} herhalingen en aanroepen voor één verzoek: een lus in een lus, of "
        "een macro die zichzelf aanroept, duurt te lang"
    ),
    "limit.time": "het opbouwen van één verzoek duurde langer dan {seconds:g} seconden",
    "limit.body": "het verzoek zou meer dan {limit:,} tekens lang worden",
    "error.file_line": "{file} regel {line}: {message}",
    "error.file": "{file}: {message}",
    "not_selected": "niet geselecteerd door when: {when}",
    "when.failed": "when: {when} is voor deze rij niet te bepalen: {error}",
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
    "lookup.no_answer": "{connector} gaf geen antwoord",
    "lookup.no_answer_from": "geen antwoord van {system}",
    "lookup.unreadable": "{connector} kon niet worden gelezen: {why}",
    "lookup.transport": "{failed} ({error})",
    "target.unreachable": "{system} op {host} is niet bereikbaar: {error}",
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
    "check.no_value": "er is geen waarde",
    "check.email_chars": 'een e-mailadres kan geen van deze tekens bevatten: , ; : ( ) [ ] \\ "',
    "check.iban_chars": "een IBAN bestaat alleen uit letters en cijfers",
    "check.iban_old_account": (
        "dit lijkt een oud Nederlands rekeningnummer; een IBAN begint met een landcode, "
        "zoals NL91ABNA0417164300"
    ),
    "check.iban_start": (
        "een IBAN begint met een landcode van twee letters, zoals NL91ABNA0417164300"
    ),
    "check.iban_country": "'{code}' is geen landcode waarmee een IBAN kan beginnen",
    "check.iban_length": "{subject} heeft {expected} tekens, deze heeft er {length}",
    "check.iban_shape": "{subject} bestaat uit {parts}",
    "check.iban_from": "een IBAN uit {country}",
    "check.check_digits": "2 controlecijfers",
    "check.n_digits": "{n} cijfers",
    "check.n_letters": "{n} letters",
    "check.n_characters": "{n} letters of cijfers",
    "check.iban_check": "de controlecijfers van de IBAN kloppen niet",
    "check.iban_account": (
        "het rekeningnummer in deze IBAN is niet geldig (de eigen controlecijfers kloppen niet)"
    ),
    "check.bic_chars": "een BIC bestaat alleen uit letters en cijfers",
    "check.bic_length": "een BIC heeft 8 of 11 tekens, deze heeft er {length}",
    "check.bic_form": (
        "een BIC begint met 4 letters voor de bank en 2 voor het land, zoals ABNANL2A"
    ),
    "check.bic_country": (
        "de 5e en 6e letter van een BIC zijn het land van de bank, maar '{code}' is geen landcode"
    ),
    "check.vat_chars": "een btw-nummer bestaat alleen uit letters en cijfers",
    "check.vat_nl_form": (
        "een Nederlands btw-nummer is NL, 9 cijfers, B en 2 cijfers, zoals NL000099998B57"
    ),
    "check.vat_be_form": (
        "een Belgisch btw-nummer is BE en 10 cijfers beginnend met 0 of 1, zoals BE0403170701"
    ),
    "check.vat_nl_zeros": "de 9 cijfers van een Nederlands btw-nummer kunnen niet allemaal 0 zijn",
    "check.vat_nl_00": "de 2 cijfers na de B van een Nederlands btw-nummer kunnen niet 00 zijn",
    "check.vat_nl_check": "de controlecijfers van dit Nederlandse btw-nummer kloppen niet",
    "check.vat_be_check": "de controlecijfers van dit Belgische btw-nummer kloppen niet",
    "check.vat_nl_prefix": "een Nederlands btw-nummer begint met NL, zoals NL000099998B57",
    "check.vat_other": (
        "alleen Nederlandse (NL) en Belgische (BE) btw-nummers worden gecontroleerd; dit begint "
        "met '{code}'"
    ),
    "check.vat_country": (
        "een btw-nummer begint met de landcode, zoals NL000099998B57 of BE0403170701"
    ),
    "check.phone_chars": (
        "een telefoonnummer kan alleen cijfers bevatten (met spaties, streepjes of haakjes "
        "ertussen) en een + aan het begin"
    ),
    "check.phone_plus": (
        "een telefoonnummer begint met 0, + of 00; zet een + voor de landcode, zoals +31 6 12345678"
    ),
    "check.phone_start": "een telefoonnummer begint met 0, + of 00{hint}",
    "check.phone_short": "een telefoonnummer heeft minstens 9 cijfers, dit heeft er {length}",
    "check.phone_long": "een telefoonnummer heeft hoogstens 15 cijfers, dit heeft er {length}",
    "check.phone_country_zero": ("na + of 00 komt een landcode zoals 31, die nooit met 0 begint"),
    "check.phone_area_zero": (
        "na +{country} valt de 0 van het netnummer weg, zoals +31 6 12345678 in plaats van "
        "+31 06 12345678"
    ),
}

# "a Dutch IBAN": the subject of the IBAN messages, for the countries with a word of their own
# (importer.checks; any other country is "an IBAN from <its name>")
_IBAN_OF = {
    "NL": ("a Dutch IBAN", "een Nederlandse IBAN"),
    "BE": ("a Belgian IBAN", "een Belgische IBAN"),
    "DE": ("a German IBAN", "een Duitse IBAN"),
    "FR": ("a French IBAN", "een Franse IBAN"),
    "LU": ("a Luxembourg IBAN", "een Luxemburgse IBAN"),
    "GB": ("a British IBAN", "een Britse IBAN"),
    "ES": ("a Spanish IBAN", "een Spaanse IBAN"),
    "IT": ("an Italian IBAN", "een Italiaanse IBAN"),
    "AT": ("an Austrian IBAN", "een Oostenrijkse IBAN"),
    "CH": ("a Swiss IBAN", "een Zwitserse IBAN"),
    "IE": ("an Irish IBAN", "een Ierse IBAN"),
    "PT": ("a Portuguese IBAN", "een Portugese IBAN"),
    "PL": ("a Polish IBAN", "een Poolse IBAN"),
    "DK": ("a Danish IBAN", "een Deense IBAN"),
    "SE": ("a Swedish IBAN", "een Zweedse IBAN"),
    "NO": ("a Norwegian IBAN", "een Noorse IBAN"),
    "FI": ("a Finnish IBAN", "een Finse IBAN"),
}
EN.update({f"check.iban_of.{cc}": en for cc, (en, _) in _IBAN_OF.items()})
NL.update({f"check.iban_of.{cc}": nl for cc, (_, nl) in _IBAN_OF.items()})

_GENERIC = {"en": EN, "nl": NL}
