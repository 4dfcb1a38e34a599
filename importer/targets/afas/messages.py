"""AFAS Profit's own messages: what its connectors' fields refuse, in each language.

The registry merges these tables into :mod:`importer.messages` (``TargetSpec.messages``).
What Profit itself answers (``externalMessage``) is not here: it is shown as Profit wrote it.
"""

from __future__ import annotations

EN = {
    "afas.not_string": "{field} is a {type}, AFAS expects a string",
    "afas.not_allowed": "{field} is {value!r}; allowed: {allowed}",
    "afas.too_long": "{field} is {length} characters, AFAS allows {limit}",
    "afas.not_date": "{field} is {value!r}, AFAS expects a date as YYYY-MM-DD",
    "afas.not_integer": "{field} is {value!r}, AFAS expects an integer",
    "afas.not_number": (
        "{field} is {value!r}, AFAS expects a number (decimal point, no thousands separator)"
    ),
    "afas.not_boolean": "{field} is {value!r}, AFAS expects a boolean (true/false or 1/0)",
    "afas.did_you_mean": "; did you mean {name!r}?",
    "afas.it_takes": "; it takes: {known}",
    "afas.no_field": "{object} has no field {field!r}{hint}",
    "afas.no_object": "{object} has no object {name!r}{hint}",
    "afas.missing": "{field} is mandatory and missing",
    "afas.missing_object": "{object} needs at least one {nested}, or {instead}",
    "afas.bank_account": (
        "{field} is {value!r} ({length} positions): an old-style bank account number has 10 "
        "(give a 9-digit number a leading zero)"
    ),
    "afas.bsn": "{field} is {value!r}: not a BSN (8 or 9 digits passing the 11-test)",
    "afas.must_be_object": "{part} must be an object, not {type}",
    "afas.must_be_list_or_object": "{part} must be a list or an object, not {type}",
    "afas.element_key": (
        "{object}.Element has unexpected key {key!r} (expected @attributes, Fields, Objects)"
    ),
    "afas.no_element": "{object} must be an object holding 'Element'",
    "afas.next_to_element": "{object} has unexpected key {key!r} next to 'Element'",
    "afas.body_shape": "body must be an object with the single key {connector!r}",
    "afas.body_key": "body has key {key!r} next to {connector!r}",
    # updates (what cannot be sent as a PUT, what an update or insert may not hold)
    "afas.lines_changed": (
        "the order lines changed: sent again in an update, AFAS would add them to the order a "
        "second time. Give each changed line an action (@Action insert, update or delete) and "
        "name the line by its GuLi or its item code (ItCd)"
    ),
    "afas.cannot_clear": "{field} is mandatory: an update cannot empty it",
    "afas.no_lines": (
        "{path} holds no lines: leave FbSalesLines out to send an order taken over from a "
        "quotation (SoQu) without lines"
    ),
    "afas.soqu_in_update": (
        "{field}: the quotation an order takes over is given when it is inserted, not in an update"
    ),
    "afas.line_unnamed": (
        "{path}: a line with @Action {action} must name the line by its GuLi or its item code "
        "(ItCd)"
    ),
    # lookups and credentials (the reason a lookup failed or the run stopped)
    "afas.filter_too_long": (
        "cannot look up {value!r}: its filter takes {length} characters of a query, more than "
        "the {limit} that AFAS's query length limit leaves for it"
    ),
    "afas.lookup_tied": (
        "cannot look up {value!r} reliably: more than {page} records sort alike with it, and "
        "AFAS may repeat one and leave another out between the pages of its answer"
    ),
    "afas.oauth_refused": (
        "AFAS refused the OAuth client credentials (HTTP {status}{detail}). Check AFAS_CLIENT_ID "
        "and AFAS_CLIENT_SECRET."
    ),
    "afas.refused": (
        "AFAS refused the credentials (HTTP {status}). Check AFAS_TOKEN and that the token's "
        "user may use this connector."
    ),
}

NL = {
    "afas.not_string": "{field} is een {type}, AFAS verwacht een tekst",
    "afas.not_allowed": "{field} is {value!r}; toegestaan: {allowed}",
    "afas.too_long": "{field} is {length} tekens, AFAS staat er {limit} toe",
    "afas.not_date": "{field} is {value!r}, AFAS verwacht een datum als JJJJ-MM-DD",
    "afas.not_integer": "{field} is {value!r}, AFAS verwacht een heel getal",
    "afas.not_number": (
        "{field} is {value!r}, AFAS verwacht een getal (decimale punt, "
        "geen scheidingsteken voor duizendtallen)"
    ),
    "afas.not_boolean": "{field} is {value!r}, AFAS verwacht ja of nee (true/false of 1/0)",
    "afas.did_you_mean": "; bedoelt u {name!r}?",
    "afas.it_takes": "; het kent: {known}",
    "afas.no_field": "{object} heeft geen veld {field!r}{hint}",
    "afas.no_object": "{object} heeft geen object {name!r}{hint}",
    "afas.missing": "{field} is verplicht en ontbreekt",
    "afas.missing_object": "{object} heeft minstens één {nested} nodig, of {instead}",
    "afas.bank_account": (
        "{field} is {value!r} ({length} posities): een bankrekeningnummer (oude stijl) heeft er "
        "10 (vul een nummer van 9 posities aan met een voorloopnul)"
    ),
    "afas.bsn": (
        "{field} is {value!r}: geen burgerservicenummer (8 of 9 cijfers die de elfproef doorstaan)"
    ),
    "afas.must_be_object": "{part} moet een object zijn, geen {type}",
    "afas.must_be_list_or_object": "{part} moet een lijst of een object zijn, geen {type}",
    "afas.element_key": (
        "{object}.Element heeft een onverwachte sleutel {key!r} (verwacht: @attributes, "
        "Fields, Objects)"
    ),
    "afas.no_element": "{object} moet een object zijn met 'Element'",
    "afas.next_to_element": "{object} heeft een onverwachte sleutel {key!r} naast 'Element'",
    "afas.body_shape": "de body moet een object zijn met als enige sleutel {connector!r}",
    "afas.body_key": "de body heeft de sleutel {key!r} naast {connector!r}",
    "afas.lines_changed": (
        "de orderregels zijn gewijzigd: opnieuw verstuurd in een update zou AFAS ze nog een keer "
        "aan de order toevoegen. Geef elke gewijzigde regel een actie (@Action insert, update of "
        "delete) en wijs de regel aan met zijn GuLi of zijn itemcode (ItCd)"
    ),
    "afas.cannot_clear": "{field} is verplicht: een update kan het niet leegmaken",
    "afas.no_lines": (
        "{path} bevat geen regels: laat FbSalesLines weg om een order die een offerte (SoQu) "
        "overneemt zonder regels te versturen"
    ),
    "afas.soqu_in_update": (
        "{field}: de offerte die een order overneemt wordt bij het toevoegen opgegeven, niet in "
        "een update"
    ),
    "afas.line_unnamed": (
        "{path}: een regel met @Action {action} moet de regel aanwijzen met zijn GuLi of zijn "
        "itemcode (ItCd)"
    ),
    "afas.filter_too_long": (
        "kan {value!r} niet opzoeken: het filter neemt {length} tekens van een query in, meer "
        "dan de {limit} die de maximale querylengte van AFAS ervoor overlaat"
    ),
    "afas.lookup_tied": (
        "kan {value!r} niet betrouwbaar opzoeken: meer dan {page} records sorteren gelijk, en "
        "AFAS kan er tussen de pagina's van zijn antwoord een herhalen en een ander weglaten"
    ),
    "afas.oauth_refused": (
        "AFAS weigerde de OAuth-clientgegevens (HTTP {status}{detail}). Controleer "
        "AFAS_CLIENT_ID en AFAS_CLIENT_SECRET."
    ),
    "afas.refused": (
        "AFAS weigerde de inloggegevens (HTTP {status}). Controleer AFAS_TOKEN en of de "
        "gebruiker van het token deze connector mag gebruiken."
    ),
}

TABLES = {"en": EN, "nl": NL}
