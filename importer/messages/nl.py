"""The Dutch templates of the generic messages, by code: one for every code of
:mod:`importer.messages.en`, with the same placeholders (a test checks it).
"""

from __future__ import annotations

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
    "reader.numbers_not_shown": (
        "{source}, kolom {column!r}: bevat getallen (vanaf rij {row}) in een opmaak waarvan "
        "de getoonde tekst niet te lezen is, dus ze worden als gewone getallen verstuurd en "
        "voorloopnullen zijn weg. Om ze te houden: maak de cellen in Excel op als Tekst (en "
        "typ de waarden opnieuw), of leg de vorm vast in de mapping (een pattern, of nullen "
        "in een template)"
    ),
    "reader.dates_as_iso": (
        "{source}, kolom {column!r}: bevat datumcellen (vanaf rij {row}) in een opmaak die "
        "van de instellingen van de computer afhangt; ze worden als JJJJ-MM-DD verstuurd. Om "
        "ze te versturen zoals ze getoond worden: geef de cellen in Excel een eigen opmaak "
        "(zoals dd-mm-jjjj) of de opmaak Tekst"
    ),
    "value.required": "is leeg; een waarde is verplicht",
    "value.too_long": "is {length} tekens lang; maximaal {limit} toegestaan",
    "value.too_big": "is {length:,} tekens lang; een cel kan er hoogstens {limit:,} bevatten",
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
    "value.too_many_decimals": "{value!r} heeft meer dan {places} decimalen (niet afgerond)",
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
    "template.unknown_column": (
        "row.{column}: de mapping declareert geen kolom {column!r}{hint}; kolommen: {columns}"
    ),
    "template.did_you_mean": " (bedoelt u {column!r}?)",
    "template.fault": (
        "{error}; een fout in het template, het eerst gezien in {source} rij {row}: er wordt "
        "niets verzonden tot die is verholpen"
    ),
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
    "sandbox.unsafe": "{name!r} van een waarde van het type {kind!r} is niet toegestaan",
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
    "action.insert": "toevoegen",
    "action.update": "wijzigen",
    "action.upsert": "wijzigen of toevoegen",
    "action.delete": "verwijderen",
    "action.blank": "{column} is leeg: geef aan wat er met de rij moet gebeuren ({words})",
    "action.unknown": "{value!r} in {column} is geen actie; schrijf een van: {words}",
    "action.cannot_delete": (
        "{system} kan {connector}-records niet via de API verwijderen: niet verzonden; "
        "verwijder het record zo nodig met de hand"
    ),
    "action.no_record": (
        "niet verzonden: welk {connector}-record te {action} is onbekend: het blad geeft geen "
        "{ids}, deze import maakte geen record voor de rij, en de stap heeft geen match om het "
        "op te zoeken"
    ),
    "action.not_found": (
        "niet verzonden: geen {connector}-record om te {action} gevonden in {where}"
    ),
    "action.deleted_before": "in een eerdere run verwijderd; niet opnieuw verwijderd",
    "not_sent.end": "niet verzonden: de run eindigde voordat deze rij aan de beurt was",
    "interrupted": "onderbroken",
    "internal_error": "interne fout: {error}",
    "unknown.check_deleted": (
        "in een eerdere run verzonden zonder antwoord ({when}): controleer in {system} of deze "
        "{connector} nog bestaat; zo ja, start de import opnieuw met --retry-unknown om hem te "
        "verwijderen"
    ),
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
    "batch.refused": (
        "geweigerd in een verzoek van {count} records, geen aangemaakt ({error}); opnieuw "
        "verzonden in delen"
    ),
    "batch.unknown": "verzonden in een verzoek van {count} records: {error}",
    "batch.failed": "verzonden in een verzoek van {count} records, geen aangemaakt: {error}",
    "batch.waits_unknown": (
        "niet verzonden: het zou het record van rij {row} maken, waarvan de uitkomst onbekend "
        "is; de volgende run beslist opnieuw zodra rij {row} is nagegaan"
    ),
    "batch.reply_mismatch": (
        "aangemaakt in een verzoek van {count} records, maar het antwoord noemde er {found}, "
        "dus welke rij welk record kreeg is niet bekend: zoek de ids op in het doelsysteem (de "
        "rijen eronder zijn niet gekoppeld)"
    ),
    "reply.no_answer": (
        "geen antwoord van {system} ({why}); het record bestaat misschien wel of niet: "
        "controleer {connector} in {records_in} voordat u het opnieuw verzendt"
    ),
    "reply.http": "HTTP {status}: {said}",
    "reply.http_unknown": (
        "HTTP {status}, geen antwoord van {system} zelf ({said}): het verzoek is misschien "
        "uitgevoerd, dus het record bestaat misschien wel of niet: controleer {connector} "
        "voordat u het opnieuw verzendt"
    ),
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
    "check.country": (
        "'{text}' is geen land: een ISO-code zoals NL of BE, of een Nederlandse of Engelse naam"
    ),
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
        "'{code}' is niet het begin van een btw-nummer van een EU-land (Griekenland is EL); "
        "gebruik een tekstkolom voor btw-nummers van andere landen"
    ),
    "check.vat_eu_check": "de controlecijfers van dit {code}-btw-nummer kloppen niet",
    "check.vat_eu_form": "dit is niet de vorm van een {code}-btw-nummer",
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
    "check.phone_invalid": "geen geldig telefoonnummer van {country}",
    "check.phone_no_country": (
        "de rij heeft geen land (geen landkolom, geen locale): schrijf het nummer met + of 00"
    ),
    "check.postcode_digits": "een postcode van {country} is {digits} cijfers",
    "check.country_no_code": (
        "de landentabel van het doel heeft geen code voor {code}: geef die op onder "
        "country_codes in de mapping"
    ),
}

# "een Nederlandse IBAN": the subject of the IBAN messages, for the countries with a word of
# their own (importer.checks; any other country is "een IBAN uit <its name>")
_IBAN_OF = {
    "NL": "een Nederlandse IBAN",
    "BE": "een Belgische IBAN",
    "DE": "een Duitse IBAN",
    "FR": "een Franse IBAN",
    "LU": "een Luxemburgse IBAN",
    "GB": "een Britse IBAN",
    "ES": "een Spaanse IBAN",
    "IT": "een Italiaanse IBAN",
    "AT": "een Oostenrijkse IBAN",
    "CH": "een Zwitserse IBAN",
    "IE": "een Ierse IBAN",
    "PT": "een Portugese IBAN",
    "PL": "een Poolse IBAN",
    "DK": "een Deense IBAN",
    "SE": "een Zweedse IBAN",
    "NO": "een Noorse IBAN",
    "FI": "een Finse IBAN",
}
NL.update({f"check.iban_of.{cc}": text for cc, text in _IBAN_OF.items()})

# importer undo: waarom een record uit het journaal wel of niet wordt verwijderd
NL.update(
    {
        "undo.cannot_delete": (
            "{system} kan {connector}-records niet via de importer verwijderen: verwijder het "
            "met de hand in {system}"
        ),
        "undo.no_ids": (
            "het journaal heeft er geen {names} van, die nodig is om te verwijderen: verwijder "
            "het met de hand"
        ),
        "undo.no_step": "stap {step} staat niet meer in de mapping: verwijder het met de hand",
        "undo.unknown": (
            "verzonden zonder antwoord ({when}): het kan bestaan; controleer in {system} of deze "
            "{connector} er is en verwijder het met de hand"
        ),
        "undo.no_answer": (
            "het verwijderen kreeg geen antwoord: controleer in {system} of deze {connector} "
            "er nog is"
        ),
        "undo.refused": "{system} weigerde het verwijderen: {reason}",
        "undo.found": "het bestond al voor de import (gevonden bij het opzoeken): bewaard",
        "undo.updated_only": (
            "het bestond al voor de import (gevonden en daarna bijgewerkt): bewaard"
        ),
        "undo.not_created": "er is niets voor aangemaakt (het journaal zegt {status})",
        "undo.deleted_earlier": "eerder verwijderd ({when})",
        "undo.not_sent": "niet verwijderd: {reason}",
        "undo.dry_run": "zou worden verwijderd (proefrun)",
    }
)
