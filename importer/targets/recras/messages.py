"""Recras's own messages: what its klanten endpoint refuses, in each language.

The registry merges these tables into :mod:`importer.messages` (``TargetSpec.messages``).
What Recras itself answers (``error.message``) is not here: it is shown as Recras wrote it.
"""

from __future__ import annotations

EN = {
    "recras.update_needs_id": (
        "an update of {connector} needs the record's id: the step keeps it (keep: [id]) "
        "when the record is created or found"
    ),
    "recras.contacts_unread": (
        "not sent: the PUT of {connector} {id} names its contact persons, so {connector} {id} "
        "is read first to keep their ids, and that did not succeed: {why}"
    ),
    "recras.not_an_id": "{id!r} is not a Recras id (a whole number)",
    "recras.not_object": "a {connector} body must be a JSON object",
    "recras.klant_no_field": "a klant has no field {name!r}{hint}",
    "recras.person_no_field": "a contact person has no field {name!r}{hint}",
    "recras.did_you_mean": "; did you mean {name!r}?",
    "recras.klant_text": "klant {name} must be text, not {kind}",
    "recras.bedrijf_id": "bedrijf_id must be a whole number (a Recras id)",
    "recras.no_contacts": (
        "klant has no contactpersonen; Recras requires one or more contact persons"
    ),
    "recras.contacts_list": "contactpersonen must be a list of contact persons",
    "recras.contact_object": "{where} must be an object (a contact person)",
    "recras.no_main_flag": (
        "{where} does not say hoofdcontact; every contact person must say whether it is the "
        "main contact (true or false)"
    ),
    "recras.main_flag": "{where}.hoofdcontact must be true or false, not {flag!r}",
    "recras.person_text": "contact person {name} must be text, not {kind}",
    "recras.person_id": "{where}.id must be the whole-number id of an existing contact person",
    "recras.person_twice": "contact person {id} is in contactpersonen twice",
    "recras.geslacht": "geslacht {sex!r} is not allowed; Recras accepts {allowed}",
    "recras.email": "{value!r} is not an e-mail address",
    "recras.main_many": "klant has {count} main contacts (hoofdcontact); exactly one is required",
    "recras.main_none": "klant has no main contact (hoofdcontact: true); exactly one is required",
    "recras.province_code": "provinciecode {code!r} is not an ISO 3166-2 code such as NL-NH",
    "recras.province": "provinciecode {code!r} is not a Dutch province; known: {known}",
    "recras.extra_list": "extra_fields must be a list of {{name, type, value}}",
    "recras.extra_object": "{where} must be an object with name, type and value",
    "recras.extra_field": "extra field {name!r}",
    "recras.extra_key": "{label} has an unknown key {key!r}",
    "recras.extra_no_name": "{where} has no name",
    "recras.extra_type": "{label} has type {kind!r}; expected one of {known}",
    "recras.extra_no_value": "{label} has no value",
    "recras.extra_value": "{label} ({kind}): {problem}",
    "recras.value_number": "the value must be a whole number, not {value!r}",
    "recras.value_date": "the value must be an ISO 8601 date such as 2024-03-01, not {value!r}",
    "recras.value_texts": "the value must be a list of texts, not {value!r}",
    "recras.value_text": "the value must be text, not {value!r}",
    "recras.kind_number": "the number {value!r}",
    "recras.kind_list": "a list",
    "recras.kind_object": "an object",
    # lookups and credentials (the reason a lookup failed or the run stopped)
    "recras.not_endpoint": (
        "{connector!r} is not a Recras endpoint name such as 'klanten' (the step's connector)"
    ),
    "recras.cannot_serve": "Recras at {host} cannot serve the import now: {error}",
    "recras.key_refused": (
        "Recras refused the API key (HTTP 401). Check RECRAS_TOKEN: an API key made in Recras, "
        "sent as a bearer token."
    ),
    "recras.forbidden": (
        "Recras refused the request (HTTP 403: {said}). The API key lacks a permission this "
        "import needs; check its rights in Recras."
    ),
    "recras.not_a_list": "the answer is not a list",
    "recras.incomplete": (
        "{connector} could not be read completely: Recras counts {total} records but gave "
        "{count} and no link to the next page"
    ),
    "recras.other_host": (
        "the next page is on another host ({host}); the API key is not sent there"
    ),
    "recras.pages_circle": "its pages link in a circle",
    "recras.too_many_pages": "more than {limit} pages",
}

NL = {
    "recras.update_needs_id": (
        "een update van {connector} heeft het id van het record nodig: de stap bewaart het "
        "(keep: [id]) als het record gemaakt of gevonden wordt"
    ),
    "recras.contacts_unread": (
        "niet verstuurd: de PUT van {connector} {id} noemt de contactpersonen, dus wordt "
        "{connector} {id} eerst gelezen om hun id's te behouden, en dat lukte niet: {why}"
    ),
    "recras.not_an_id": "{id!r} is geen Recras-id (een heel getal)",
    "recras.not_object": "een body van {connector} moet een JSON-object zijn",
    "recras.klant_no_field": "een klant heeft geen veld {name!r}{hint}",
    "recras.person_no_field": "een contactpersoon heeft geen veld {name!r}{hint}",
    "recras.did_you_mean": "; bedoelt u {name!r}?",
    "recras.klant_text": "klant {name} moet tekst zijn, niet {kind}",
    "recras.bedrijf_id": "bedrijf_id moet een heel getal zijn (een Recras-id)",
    "recras.no_contacts": (
        "klant heeft geen contactpersonen; Recras vereist een of meer contactpersonen"
    ),
    "recras.contacts_list": "contactpersonen moet een lijst van contactpersonen zijn",
    "recras.contact_object": "{where} moet een object zijn (een contactpersoon)",
    "recras.no_main_flag": (
        "{where} zegt niets over hoofdcontact; elke contactpersoon moet zeggen of hij het "
        "hoofdcontact is (true of false)"
    ),
    "recras.main_flag": "{where}.hoofdcontact moet true of false zijn, niet {flag!r}",
    "recras.person_text": "contactpersoon {name} moet tekst zijn, niet {kind}",
    "recras.person_id": "{where}.id moet het hele-getal-id van een bestaande contactpersoon zijn",
    "recras.person_twice": "contactpersoon {id} staat twee keer in contactpersonen",
    "recras.geslacht": "geslacht {sex!r} is niet toegestaan; Recras accepteert {allowed}",
    "recras.email": "{value!r} is geen e-mailadres",
    "recras.main_many": (
        "klant heeft {count} hoofdcontacten (hoofdcontact); er moet er precies één zijn"
    ),
    "recras.main_none": (
        "klant heeft geen hoofdcontact (hoofdcontact: true); er moet er precies één zijn"
    ),
    "recras.province_code": "provinciecode {code!r} is geen ISO 3166-2-code zoals NL-NH",
    "recras.province": "provinciecode {code!r} is geen Nederlandse provincie; bekend: {known}",
    "recras.extra_list": "extra_fields moet een lijst van {{name, type, value}} zijn",
    "recras.extra_object": "{where} moet een object zijn met name, type en value",
    "recras.extra_field": "extra veld {name!r}",
    "recras.extra_key": "{label} heeft een onbekende sleutel {key!r}",
    "recras.extra_no_name": "{where} heeft geen naam",
    "recras.extra_type": "{label} heeft type {kind!r}; verwacht een van {known}",
    "recras.extra_no_value": "{label} heeft geen waarde",
    "recras.extra_value": "{label} ({kind}): {problem}",
    "recras.value_number": "de waarde moet een heel getal zijn, niet {value!r}",
    "recras.value_date": "de waarde moet een ISO 8601-datum zijn zoals 2024-03-01, niet {value!r}",
    "recras.value_texts": "de waarde moet een lijst van teksten zijn, niet {value!r}",
    "recras.value_text": "de waarde moet tekst zijn, niet {value!r}",
    "recras.kind_number": "het getal {value!r}",
    "recras.kind_list": "een lijst",
    "recras.kind_object": "een object",
    "recras.not_endpoint": (
        "{connector!r} is geen naam van een Recras-endpoint zoals 'klanten' (de connector van "
        "de stap)"
    ),
    "recras.cannot_serve": "Recras op {host} kan de import nu niet verwerken: {error}",
    "recras.key_refused": (
        "Recras weigerde de API-sleutel (HTTP 401). Controleer RECRAS_TOKEN: een API-sleutel "
        "die in Recras is aangemaakt, verzonden als bearer-token."
    ),
    "recras.forbidden": (
        "Recras weigerde het verzoek (HTTP 403: {said}). De API-sleutel mist een recht dat "
        "deze import nodig heeft; controleer de rechten ervan in Recras."
    ),
    "recras.not_a_list": "het antwoord is geen lijst",
    "recras.incomplete": (
        "{connector} kon niet volledig worden gelezen: Recras telt {total} records maar gaf "
        "er {count} en geen link naar de volgende pagina"
    ),
    "recras.other_host": (
        "de volgende pagina staat op een andere host ({host}); de API-sleutel wordt daar niet "
        "heen gestuurd"
    ),
    "recras.pages_circle": "de pagina's verwijzen in een kring naar elkaar",
    "recras.too_many_pages": "meer dan {limit} pagina's",
}

TABLES = {"en": EN, "nl": NL}
