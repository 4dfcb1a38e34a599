"""The English templates of the generic messages, by code (see :mod:`importer.messages`).

A target's own messages are in its package (``importer/targets/<system>/messages.py``).
"""

from __future__ import annotations

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
    "reader.numbers_not_shown": (
        "{source}, column {column!r}: holds numbers (from row {row}) in a format whose "
        "displayed text cannot be read, so they are sent as plain numbers and any leading "
        "zeros are gone. To keep them, format the cells as Text in Excel (and type the values "
        "again), or declare the form in the mapping (a pattern, or zeros in a template)"
    ),
    "reader.dates_as_iso": (
        "{source}, column {column!r}: holds date cells (from row {row}) in a format that "
        "depends on the computer's settings; they are sent as YYYY-MM-DD. To send them as "
        "shown, format the cells with a format of their own (such as dd-mm-yyyy) or as Text "
        "in Excel"
    ),
    # a cell's value
    "value.required": "is empty; a value is required",
    "value.too_long": "is {length} characters long; at most {limit} allowed",
    "value.too_big": "is {length:,} characters long; a cell can hold at most {limit:,}",
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
    "value.too_many_decimals": "{value!r} has more than {places} decimals (it is not rounded)",
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
    "template.unknown_column": (
        "row.{column}: the mapping declares no column {column!r}{hint}; columns: {columns}"
    ),
    "template.did_you_mean": " (did you mean {column!r}?)",
    "template.fault": (
        "{error}; a mistake of the template, first met in {source} row {row}: nothing is sent "
        "until it is fixed"
    ),
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
    "sandbox.unsafe": "{name!r} of a {kind!r} value is not allowed",
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
    # a row's action (insert, update, upsert, delete) and the record it names
    "action.insert": "insert",
    "action.update": "update",
    "action.upsert": "update or insert",
    "action.delete": "delete",
    "action.blank": "{column} is empty: say what to do with the row ({words})",
    "action.unknown": "{value!r} in {column} is not an action; write one of: {words}",
    "action.cannot_delete": (
        "{system} cannot delete {connector} records through its API: not sent; remove the "
        "record by hand if it must go"
    ),
    "action.no_record": (
        "not sent: which {connector} record to {action} is not known: the sheet gives no "
        "{ids}, this import made no record for the row, and the step has no match to look it up"
    ),
    "action.not_found": "not sent: no {connector} record to {action} was found in {where}",
    "action.deleted_before": "deleted in an earlier run; not deleted again",
    "not_sent.end": "not sent: the run ended before this row's turn",
    "interrupted": "interrupted",
    "internal_error": "internal error: {error}",
    "unknown.check_deleted": (
        "sent in an earlier run without an answer ({when}): check in {system} whether this "
        "{connector} still exists; if it does, run again with --retry-unknown to delete it"
    ),
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
    "batch.refused": (
        "refused in a request of {count} records, none created ({error}); sent again in parts"
    ),
    "batch.unknown": "sent in a request of {count} records: {error}",
    "batch.failed": "sent in a request of {count} records, none created: {error}",
    "batch.waits_unknown": (
        "not sent: it would make the record of row {row}, whose outcome is unknown; the next "
        "run decides it again once row {row} is reconciled"
    ),
    "batch.reply_mismatch": (
        "created in a request of {count} records, but its answer named {found}, so which row "
        "got which record is not known: look the ids up in the target (the rows below it are "
        "not linked)"
    ),
    "reply.no_answer": (
        "no answer from {system} ({why}); the record may or may not exist: check {connector} "
        "in {records_in} before sending it again"
    ),
    "reply.http": "HTTP {status}: {said}",
    "reply.http_unknown": (
        "HTTP {status}, not an answer of {system} itself ({said}): the request may have been "
        "carried out, so the record may or may not exist: check {connector} before sending it "
        "again"
    ),
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
    "check.country": (
        "'{text}' is not a country: an ISO code such as NL or BE, or a Dutch or English name"
    ),
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
        "'{code}' is not the prefix of an EU country's VAT number (Greece is EL); use a text "
        "column for VAT numbers of other countries"
    ),
    "check.vat_eu_check": "the check digits of this {code} VAT number are wrong",
    "check.vat_eu_form": "this is not the form of a {code} VAT number",
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
    "check.phone_invalid": "not a valid phone number of {country}",
    "check.phone_no_country": (
        "the row has no country (no country column, no locale): write the number with + or 00"
    ),
    "check.postcode_digits": "a postcode of {country} is {digits} digits",
    "check.country_no_code": (
        "the target's country table has no code for {code}: declare it under country_codes "
        "in the mapping"
    ),
}

# "a Dutch IBAN": the subject of the IBAN messages, for the countries with a word of their own
# (importer.checks; any other country is "an IBAN from <its name>")
_IBAN_OF = {
    "NL": "a Dutch IBAN",
    "BE": "a Belgian IBAN",
    "DE": "a German IBAN",
    "FR": "a French IBAN",
    "LU": "a Luxembourg IBAN",
    "GB": "a British IBAN",
    "ES": "a Spanish IBAN",
    "IT": "an Italian IBAN",
    "AT": "an Austrian IBAN",
    "CH": "a Swiss IBAN",
    "IE": "an Irish IBAN",
    "PT": "a Portuguese IBAN",
    "PL": "a Polish IBAN",
    "DK": "a Danish IBAN",
    "SE": "a Swedish IBAN",
    "NO": "a Norwegian IBAN",
    "FI": "a Finnish IBAN",
}
EN.update({f"check.iban_of.{cc}": text for cc, text in _IBAN_OF.items()})

# importer undo: why a record of the journal is (or is not) deleted
EN.update(
    {
        "undo.cannot_delete": (
            "{system} cannot delete {connector} records through the importer: remove it by "
            "hand in {system}"
        ),
        "undo.no_ids": (
            "the journal holds no {names} for it, which a delete needs: remove it by hand"
        ),
        "undo.no_step": "step {step} is no longer in the mapping: remove it by hand",
        "undo.unknown": (
            "sent without an answer ({when}): it may exist; check in {system} whether this "
            "{connector} is there and remove it by hand"
        ),
        "undo.no_answer": (
            "the delete got no answer: check in {system} whether this {connector} is still there"
        ),
        "undo.refused": "{system} refused the delete: {reason}",
        "undo.found": "it was there before the import (found by a lookup): kept",
        "undo.updated_only": "it was there before the import (found, then updated): kept",
        "undo.not_created": "nothing was created for it (the journal says {status})",
        "undo.deleted_earlier": "deleted earlier ({when})",
        "undo.not_sent": "not deleted: {reason}",
        "undo.dry_run": "would be deleted (dry run)",
    }
)
