"""The Explanation sheet (``Toelichting``): what the workbook's sheets, columns and statuses
mean, and the ids of the target that was used in that target's own words.

The generic words are here; what a target's ids and log reference are is in the target's
own package (its ``TargetSpec.glossary``), and only the columns this workbook shows are
explained: a target without a log reference gets no word on one.
"""

from __future__ import annotations

from pathlib import Path

from importer import i18n, targets
from importer.report.writer import STATUS_COLOURS, Writer
from importer.status import Status

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "What this workbook says",
        "statuses": "Statuses",
        "columns": "Columns of the step sheets",
        "sheets": "Sheets",
        "name": "name",
        "meaning": "meaning",
        "row": "The row's number in the source file as a spreadsheet shows it (the header is "
        "row 1): where to find the row, not an id of anything.",
        "status": "What became of the row: see Statuses above.",
        "sent": "What the row's request did: insert, update (with the fields it changed) or "
        "delete; in a batch of N: sent with other rows in one request, all or none created.",
        "sent_as": "The values sent otherwise than the file has them, as column: read → sent "
        "(a value map, a default for an empty cell, a normalisation). A change of case or "
        "spaces only is not listed; the whole body is on the Payloads sheet "
        "(--include-payloads).",
        "error": "Why the row was not done, or what the target said, in words to act on.",
        "id": "An id the target returned for the row's record.",
        "summary": "The run: who, when, which files (with their SHA-256), where to; rows per "
        "step and status. Each step's name links to its sheet.",
        "steps": "One per step, in the mapping's order: every row of its file, what became "
        "of it, and the ids it got.",
        "errors": "Every problem of the run; its row number links to the row on its sheet.",
        "payloads": "The JSON sent per row (with --include-payloads).",
        "to_fix": "The rows to fix, in their files' own format with a column saying what to "
        "fix, are in the folder {folder} beside this workbook: correct them there and run "
        "again with --input.",
        "status.invalid": "Not sent: the row has a problem (the error says which). Correct "
        "the file and run again.",
        "status.failed": "Sent and refused by the target (the error says why). Correct it "
        "and run again: it is sent anew.",
        "status.unknown": "Sent, but no answer came: the record may exist. Running again "
        "checks in the target before sending anything.",
        "status.changed": "Created in an earlier run; its values in the file have changed "
        "since. Not sent again, unless the step updates changed rows.",
        "status.skipped": "Not sent: its parent row was not done, its record is not known, "
        "or the run stopped before it. Running again picks it up.",
        "status.created": "Created in the target in this run (or in an earlier run, when "
        "the row says so).",
        "status.updated": "An existing record was changed (the sent column says which fields).",
        "status.unchanged": "An update with nothing to change: nothing was sent.",
        "status.deleted": "The record was deleted in the target.",
        "status.existing": "Found in the target by the step's match and linked: not created "
        "a second time.",
        "status.planned": "A dry run or validation: the row is valid and would be sent.",
        "status.excluded": "Not selected by the step's when: nothing to do.",
    },
    "nl": {
        "title": "Wat deze werkmap zegt",
        "statuses": "Statussen",
        "columns": "Kolommen van de stapbladen",
        "sheets": "Bladen",
        "name": "naam",
        "meaning": "betekenis",
        "row": "Het nummer van de rij in het bronbestand zoals een spreadsheet het toont (de "
        "kopregel is rij 1): waar de rij staat, geen nummer van iets anders.",
        "status": "Wat er met de rij gebeurd is: zie Statussen hierboven.",
        "sent": "Wat het verzoek van de rij deed: toevoegen, wijzigen (met de gewijzigde "
        "velden) of verwijderen; in een batch van N: met andere rijen in één verzoek "
        "verzonden, alle of geen aangemaakt.",
        "sent_as": "De waarden die anders verzonden zijn dan het bestand ze heeft, als kolom: "
        "gelezen → verzonden (een waardetabel, een standaardwaarde voor een lege cel, een "
        "normalisatie). Alleen hoofdletters of spaties anders wordt niet genoemd; het hele "
        "bericht staat op het blad Verzonden (--include-payloads).",
        "error": "Waarom de rij niet gedaan is, of wat het doelsysteem zei, in woorden om mee "
        "aan de slag te gaan.",
        "id": "Een id dat het doelsysteem voor het record van de rij teruggaf.",
        "summary": "De run: wie, wanneer, welke bestanden (met hun SHA-256), waarheen; rijen "
        "per stap en status. De naam van elke stap linkt naar zijn blad.",
        "steps": "Eén per stap, in de volgorde van de mapping: elke rij van het bestand, wat "
        "ermee gebeurd is en de ids die hij kreeg.",
        "errors": "Elk probleem van de run; het rijnummer linkt naar de rij op zijn blad.",
        "payloads": "De verzonden JSON per rij (met --include-payloads).",
        "to_fix": "De rijen om te herstellen staan, in de vorm van hun eigen bestand en met "
        "een kolom die zegt wat er te herstellen is, in de map {folder} naast deze werkmap: "
        "verbeter ze daar en run opnieuw met --input.",
        "status.invalid": "Niet verzonden: de rij heeft een probleem (de fout zegt welk). "
        "Verbeter het bestand en run opnieuw.",
        "status.failed": "Verzonden en geweigerd door het doelsysteem (de fout zegt waarom). "
        "Verbeter het en run opnieuw: het wordt opnieuw verzonden.",
        "status.unknown": "Verzonden, maar er kwam geen antwoord: het record kan bestaan. "
        "Opnieuw runnen controleert het doelsysteem voordat er iets verzonden wordt.",
        "status.changed": "Aangemaakt in een eerdere run; de waarden in het bestand zijn "
        "sindsdien gewijzigd. Niet opnieuw verzonden, tenzij de stap gewijzigde rijen "
        "bijwerkt.",
        "status.skipped": "Niet verzonden: de bovenliggende rij is niet gedaan, het record "
        "is niet bekend of de run stopte ervoor. Opnieuw runnen pakt de rij op.",
        "status.created": "Aangemaakt in het doelsysteem in deze run (of in een eerdere run, "
        "als de rij dat zegt).",
        "status.updated": "Een bestaand record is gewijzigd (de kolom verzonden zegt welke "
        "velden).",
        "status.unchanged": "Een wijziging zonder iets te wijzigen: er is niets verzonden.",
        "status.deleted": "Het record is verwijderd in het doelsysteem.",
        "status.existing": "Gevonden in het doelsysteem via de match van de stap en "
        "gekoppeld: niet nog eens aangemaakt.",
        "status.planned": "Een proefrun of controle: de rij is geldig en zou verzonden worden.",
        "status.excluded": "Niet geselecteerd door de when van de stap: niets te doen.",
    },
}


def _t(lang: str, key: str, **values: str) -> str:
    template = TEXTS.get(lang, TEXTS["en"]).get(key) or TEXTS["en"][key]
    return template.format(**values) if values else template


def add_explanation(writer: Writer, *, to_fix: Path | None = None) -> None:
    """The Explanation sheet: statuses, the step sheets' columns, the sheets."""
    lang = writer.lang
    sheet = writer.book.add_sheet(
        writer.names["#explain"], [24, 100], page=writer.page(title_rows=0)
    )
    sheet.append([writer.cell(_t(lang, "title"), "title")])
    sheet.append([])
    writer.header(sheet, [_t(lang, "statuses"), _t(lang, "meaning")])
    for status in Status:
        if status not in STATUS_COLOURS:
            continue
        sheet.append(
            [
                writer.cell(i18n.status(lang, status), f"status:{status}"),
                writer.cell(_t(lang, f"status.{status}"), "wrap"),
            ]
        )
    sheet.append([])
    writer.header(sheet, [_t(lang, "columns"), _t(lang, "meaning")])
    glossary = targets.spec(writer.mapping.target).glossary_table(lang)
    shown = [(writer.t("header.source_row"), _t(lang, "row"))]
    shown.append((writer.t("header.status"), _t(lang, "status")))
    if writer.sent_shown:
        shown.append((writer.t("header.sent"), _t(lang, "sent")))
    if writer.sent_as_shown:
        shown.append((writer.t("header.sent_as"), _t(lang, "sent_as")))
    kept = dict.fromkeys(k for part in writer.parts for k in part.keep)
    shown += [(k, glossary.get(k) or _t(lang, "id")) for k in kept]
    shown.append((writer.t("header.error"), _t(lang, "error")))
    if writer.log_reference:
        shown.append((writer.log_reference, glossary.get(writer.log_reference) or ""))
    for name, meaning in shown:
        sheet.append([writer.cell(name, "bold"), writer.cell(meaning, "wrap")])
    sheet.append([])
    writer.header(sheet, [_t(lang, "sheets"), _t(lang, "meaning")])
    sheets = [(writer.names["#summary"], _t(lang, "summary"))]
    sheets += [(writer.names[p.key], _t(lang, "steps")) for p in writer.parts[:1]]
    sheets.append((writer.names["#errors"], _t(lang, "errors")))
    if writer.payloads_shown:
        sheets.append((writer.names["#payloads"], _t(lang, "payloads")))
    for name, meaning in sheets:
        sheet.append([writer.cell(name, "bold"), writer.cell(meaning, "wrap")])
    if to_fix is not None:
        sheet.append([])
        sheet.append([None, writer.cell(_t(lang, "to_fix", folder=to_fix.name), "wrap")])
