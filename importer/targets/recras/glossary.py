"""What Recras's ids are, in Recras's own words: the result workbook's Explanation sheet
shows those of the columns it has (``TargetSpec.glossary``). Recras gives no log reference."""

from __future__ import annotations

TABLES = {
    "en": {
        "id": "The klant's id in Recras: the number of its record, as Recras's API names it "
        "(/api2/klanten/{id}).",
    },
    "nl": {
        "id": "Het id van de klant in Recras: het nummer van zijn record, zoals de API van "
        "Recras het noemt (/api2/klanten/{id}).",
    },
}
