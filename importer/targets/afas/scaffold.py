"""AFAS Profit's part of ``importer new``: a mapping and a template from a spreadsheet's headers.

:func:`scaffold` reads the headers and some sample values of a CSV or xlsx file, matches every
header to a field of an AFAS UpdateConnector, and writes a first mapping and template that load
and render as they are. Layout, relative to ``out_dir``::

    <name>.yaml                                 the mapping (templates: templates)
    templates/afas/<name>.<Connector>.json.j2   its template

The template is named after the mapping too, so that several files scaffolded into one folder
for the same connector do not share (and overwrite) one template.

Headers are matched on their normalised form (lower case, no accents, no spaces, dashes, dots
or underscores) against :data:`HEADER_FIELDS`, a table of common Dutch and English headers
(with per-connector exceptions in :data:`CONNECTOR_HEADERS`), then against AFAS's own field
codes, and finally by similarity (difflib) to those headers and to the catalog's field
descriptions. Where each field goes inside the connector's nested objects is fixed per connector
in :data:`LAYOUTS` (the name of a sales relation in ``KnOrganisation``, its street in
``KnOrganisation -> KnBasicAddressAdr``, ...). Types, ``max_length`` and date formats come from
the catalog and the sample values.

Everything the scaffold is not sure of is marked ``TODO`` (YAML comments in the mapping,
``{# TODO ... #}`` comments in the template): matches by similarity, guessed formats, values
that are not AFAS codes, environment-specific constants, mandatory fields no header matched,
and the headers that matched nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import keyword
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from importer.errors import InputError, MappingError
from importer.mapping import COLUMN_TYPES, Column
from importer.readers import EXCEL_SUFFIXES, read_table
from importer.scaffold import Scaffold
from importer.targets.afas import catalog

# --- Where fields go --------------------------------------------------------------------------

_ADDRESS = ("Ad", "HmNr", "HmAd", "ZpCd", "Rs", "CoId", "AdAd")
_BANK = ("Iban", "Bic")
_ORGANISATION = (
    "BcCo", "Nm", "SeNm", "NmRg", "RsRg", "CcNr", "CcDa", "FiNr", "EmAd", "TeNr",
    "MbNr", "FaNr", "HoPa", "Re", "ViLe", "ViLb", "LgId", "Link", "Face", "Twtr",
)  # fmt: skip
_PERSON = (
    "BcCo", "SeNm", "CaNm", "FiNm", "In", "Is", "LaNm", "ViGe", "DaBi", "RsBi", "CoBi",
    "PsNa", "SoSe", "ViCs", "EmAd", "EmA2", "TeNr", "TeN2", "MbNr", "MbN2", "FaNr", "HoPa",
    "Re", "LgId", "Link", "Face", "Twtr",
)  # fmt: skip
_SALES_RELATION = (
    "DbId", "VaId", "PaCd", "Krli", "CsDa", "CuId", "VaDu", "InPv", "Rm", "InTx", "EORI",
)  # fmt: skip
_PROJECT = (
    "PrId", "PrGp", "Ds", "DbId", "BcCo", "DaSt", "DtGp", "DtGw", "ClRe", "EmId", "HrWe",
    "PrSt", "Re", "InTx", "CuId", "SaFc", "PaCd", "PrTy", "Prof", "VbCo",
)  # fmt: skip
_ORDER = (
    "OrNu", "DbId", "OrDa", "RfCs", "DaDe", "CuId", "War", "PaCd", "PrId", "Re", "VeId",
    "ExAd", "Unit",
)  # fmt: skip
_LINE = ("ItCd", "Ds", "QuUn", "Upri", "BiUn", "PRDc", "VaRc", "DlDa", "Re", "War", "Qu")

LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    # connector -> object path inside the connector ("" is the root) -> field codes placed there
    "KnSalesRelationOrg": {
        "": _SALES_RELATION,
        "KnOrganisation": _ORGANISATION,
        "KnOrganisation.KnBasicAddressAdr": _ADDRESS,
        # The bank account itself; the relation's own Iban (its *preferred* account) must name
        # an account the organisation has, so the account goes here (see the template's TODO).
        "KnOrganisation.KnBankAccount": _BANK,
    },
    "KnSalesRelationPer": {
        "": _SALES_RELATION,
        "KnPerson": _PERSON,
        "KnPerson.KnBasicAddressAdr": _ADDRESS,
        "KnPerson.KnBankAccount": _BANK,
    },
    "KnOrganisation": {
        "": _ORGANISATION,
        "KnBasicAddressAdr": _ADDRESS,
        "KnBankAccount": _BANK,
    },
    "KnPerson": {
        "": _PERSON,
        "KnBasicAddressAdr": _ADDRESS,
        "KnBankAccount": _BANK,
    },
    "PtProject": {
        "": _PROJECT,
        "KnBasicAddressAdr": _ADDRESS,
    },
    "FbSales": {
        "": _ORDER,
        "FbSalesLines": _LINE,
    },
}

# Objects written even when no header feeds them (a sales relation needs its organisation).
_ALWAYS = {
    "KnSalesRelationOrg": {"", "KnOrganisation"},
    "KnSalesRelationPer": {"", "KnPerson"},
    "FbSales": {"", "FbSalesLines"},
}

# Objects whose Element is a list (one item per row for now).
_LISTS = {"FbSalesLines"}

# Keys written as "@Field" attributes, as AFAS's own examples (and templates/afas) do.
_ATTRIBUTES = {("KnSalesRelationOrg", ""): "DbId", ("KnSalesRelationPer", ""): "DbId"}

STEP_NAMES = {
    "KnSalesRelationOrg": "verkooprelaties",
    "KnSalesRelationPer": "verkooprelaties",
    "KnOrganisation": "organisaties",
    "KnPerson": "personen",
    "PtProject": "projecten",
    "FbSales": "verkooporders",
}
KEEP = {
    "KnSalesRelationOrg": ["DbId", "BcCo"],
    "KnSalesRelationPer": ["DbId", "BcCo"],
    "KnOrganisation": ["BcCo"],
    "KnPerson": ["BcCo"],
    "PtProject": ["PrId"],
    "FbSales": ["OrNu"],
}


@dataclass(frozen=True)
class _Const:
    value: Any
    todo: str | None = None


# Constants by object name, written unless a header feeds the field (then the column's value
# is written, with the constant for a blank cell). Only fields the catalog object has are used.
_CONSTANTS: dict[str, dict[str, _Const]] = {
    "KnSalesRelationOrg": {"CuId": _Const("EUR")},
    "KnSalesRelationPer": {"CuId": _Const("EUR")},
    "KnOrganisation": {
        "PadAdr": _Const(True),
        "AutoNum": _Const(True),
        "MatchOga": _Const(
            "6",
            "MatchOga 6 always adds a new organisation, so a second run creates duplicates; "
            "use 1 (KvK number) or 3 (name) to link to existing organisations instead",
        ),
    },
    "KnPerson": {
        "PadAdr": _Const(True),
        "AutoNum": _Const(True),
        "MatchPer": _Const(
            "7",
            "MatchPer 7 always adds a new person, so a second run creates duplicates; use 1 "
            "(BSN) or 6 (name, initials, gender, date of birth) to link to existing persons",
        ),
    },
    "KnBasicAddressAdr": {"CoId": _Const("NL"), "PbAd": _Const(False), "ResZip": _Const(False)},
    "FbSalesLines": {"VaIt": _Const("2")},  # 2: an item (Artikel)
}

# Mandatory fields that get a placeholder constant only when no header feeds them.
_FALLBACKS: dict[str, dict[str, _Const]] = {
    "PtProject": {
        "PrGp": _Const("ALG", "the project group is specific to your environment (PrGp)"),
    },
    "FbSalesLines": {
        "BiUn": _Const("STK", "the unit (BiUn) is specific to your environment"),
        "QuUn": _Const(1, "no quantity header matched: every line orders 1 unit (QuUn)"),
    },
}

_NOTES: dict[str, list[str]] = {
    "KnSalesRelationOrg": [
        "TODO: payment condition (PaCd), invoice issue method (InPv), VAT duty (VaDu) and a "
        "debtor profile (PfId) are specific to your environment; add them to Fields if needed",
    ],
    "KnSalesRelationPer": [
        "TODO: payment condition (PaCd), invoice issue method (InPv), VAT duty (VaDu) and a "
        "debtor profile (PfId) are specific to your environment; add them to Fields if needed",
    ],
    "FbSales": [
        "TODO: every row becomes one order with one line (FbSalesLines): lines are grouped per "
        "row, not per order number. Rows of one order need the lines of one body; until the "
        "importer can group rows, put one order per row (or add the lines to this template)",
        "TODO: the administration (Unit) and warehouse (War) are specific to your environment; "
        "add them to Fields if Profit asks for them",
    ],
    "PtProject": [
        "TODO: a project profile (Prof), project type (PrTy) and the profile's settings are "
        "specific to your environment; see templates/afas/PtProject.json.j2 of the importer "
        "for a customer agreement (klantovereenkomst)",
    ],
}


# --- Header names -------------------------------------------------------------------------------


def _aliases(code: str, *names: str) -> dict[str, str]:
    return {normalise(name): code for name in names}


_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d"})


def _ascii(text: str) -> str:
    """Lower case ASCII where a letter has one: accents stripped, ß as ss."""
    text = unicodedata.normalize("NFKD", str(text).lower().translate(_LETTERS))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def normalise(header: str) -> str:
    """A header as it is compared: lower case, accents stripped, only letters and digits."""
    return re.sub(r"[^0-9a-z]", "", _ascii(header))


HEADER_FIELDS: dict[str, str] = {
    # normalised header -> field code; where the field sits comes from LAYOUTS
    **_aliases("Nm", "Naam", "Bedrijfsnaam", "Organisatie", "Organisatienaam", "Company",
               "Company name", "Name", "Firma", "Firmanaam", "Klantnaam", "Relatienaam",
               "Debiteurnaam", "Customer name", "Organisation", "Organization"),
    **_aliases("NmRg", "Statutaire naam", "Statutory name", "Legal name", "Juridische naam"),
    **_aliases("SeNm", "Zoeknaam", "Zoekcode", "Search name"),
    **_aliases("CcNr", "KvK", "KvK-nummer", "KvK nr", "KvK no", "Chamber of Commerce",
               "Chamber of Commerce number", "CoC", "CoC number", "Handelsregister"),
    **_aliases("CcDa", "KvK-datum", "KvK inschrijfdatum", "CoC date"),
    **_aliases("FiNr", "Fiscaal nummer", "RSIN", "Fiscal number"),
    **_aliases("VaId", "BTW", "BTW-nummer", "BTW nr", "BTW-id", "BTW identificatienummer",
               "VAT", "VAT number", "VAT no", "VAT id"),
    **_aliases("ZpCd", "Postcode", "Zip", "Zip code", "Zipcode", "Postal code", "Post code"),
    **_aliases("Rs", "Plaats", "Woonplaats", "City", "Town", "Stad", "Vestigingsplaats"),
    **_aliases("Ad", "Straat", "Adres", "Straatnaam", "Street", "Address", "Street name"),
    **_aliases("HmNr", "Huisnummer", "Huisnr", "Nr", "House number", "House no"),
    **_aliases("HmAd", "Toevoeging", "Huisnummertoevoeging", "Huisnr toevoeging", "Toev",
               "Addition", "House number addition"),
    **_aliases("AdAd", "Adrestoevoeging", "Address addition"),
    **_aliases("CoId", "Land", "Landcode", "Country", "Country code"),
    **_aliases("Iban", "IBAN", "Rekeningnummer", "Rekeningnr", "Bankrekening",
               "Bankrekeningnummer", "Bank account", "Bank account number"),
    **_aliases("Bic", "BIC", "BIC-code", "Swift", "Swift code"),
    **_aliases("EmAd", "E-mail", "Email", "E-mailadres", "Emailadres", "E-mail address",
               "Mail", "Mailadres"),
    **_aliases("TeNr", "Telefoon", "Telefoonnummer", "Tel", "Tel nr", "Phone", "Phone number",
               "Telephone"),
    **_aliases("MbNr", "Mobiel", "Mobiel nummer", "Mobielnummer", "Mobile", "Mobile phone",
               "GSM"),
    **_aliases("FaNr", "Fax", "Faxnummer"),
    **_aliases("HoPa", "Website", "Web", "Homepage", "URL", "Internetadres"),
    **_aliases("Re", "Opmerking", "Opmerkingen", "Notitie", "Remark", "Remarks", "Notes"),
    **_aliases("FiNm", "Voornaam", "First name", "Given name"),
    **_aliases("LaNm", "Achternaam", "Last name", "Surname", "Familienaam"),
    **_aliases("Is", "Tussenvoegsel", "Tussenvoegsels", "Voorvoegsel"),
    **_aliases("In", "Voorletters", "Initialen", "Initials"),
    **_aliases("CaNm", "Roepnaam"),
    **_aliases("ViGe", "Geslacht", "Gender", "Sex"),
    **_aliases("DaBi", "Geboortedatum", "Date of birth", "Birth date", "Birthdate"),
    **_aliases("RsBi", "Geboorteplaats", "Place of birth"),
    **_aliases("PsNa", "Nationaliteit", "Nationality"),
    **_aliases("SoSe", "BSN", "Burgerservicenummer", "Sofinummer"),
    **_aliases("EmA2", "Privé e-mail", "E-mail privé", "Personal e-mail"),
    **_aliases("MbN2", "Mobiel privé", "Private mobile"),
    **_aliases("DbId", "Klantnummer", "Klantnr", "Debiteurnummer", "Debiteurnr", "Debiteur",
               "Customer number", "Customer no", "Customer id", "Debtor number"),
    **_aliases("PaCd", "Betalingsconditie", "Betaalconditie", "Betalingstermijn",
               "Payment terms", "Payment condition"),
    **_aliases("Krli", "Kredietlimiet", "Credit limit"),
    **_aliases("CsDa", "Klant sinds", "Customer since"),
    **_aliases("CuId", "Valuta", "Currency"),
    **_aliases("Ds", "Omschrijving", "Description", "Beschrijving"),
    **_aliases("PrGp", "Projectgroep", "Project group"),
    **_aliases("PrId", "Projectnummer", "Projectnr", "Projectcode", "Project number"),
    **_aliases("DaSt", "Startdatum", "Begindatum", "Start date"),
    **_aliases("DtGp", "Einddatum", "Opleverdatum", "End date"),
    **_aliases("HrWe", "Uren per week", "Hours per week"),
    **_aliases("OrDa", "Orderdatum", "Order date"),
    **_aliases("RfCs", "Referentie", "Reference", "Uw referentie", "Your reference"),
    **_aliases("DaDe", "Leverdatum", "Gewenste leverdatum", "Delivery date"),
    **_aliases("ItCd", "Artikel", "Artikelcode", "Artikelnummer", "Artikelnr", "Item",
               "Item code", "Itemcode", "Article", "Product code", "SKU"),
    **_aliases("QuUn", "Aantal", "Hoeveelheid", "Quantity", "Qty"),
    **_aliases("Upri", "Prijs", "Stukprijs", "Eenheidsprijs", "Verkoopprijs", "Price",
               "Unit price"),
    **_aliases("BiUn", "Eenheid", "Unit"),
    **_aliases("PRDc", "Korting", "Kortingspercentage", "Discount"),
    **_aliases("War", "Magazijn", "Warehouse"),
}  # fmt: skip

# Per connector, where a header means something else there: (field code, TODO note or None).
CONNECTOR_HEADERS: dict[str, dict[str, tuple[str, str | None]]] = {
    "KnPerson": {
        normalise("Naam"): (
            "LaNm",
            "'Naam' is taken as the last name; a full name must be "
            "split into first name (FiNm), prefix (Is) and last name (LaNm)",
        ),
        normalise("Name"): (
            "LaNm",
            "'Name' is taken as the last name; a full name must be "
            "split into first name (FiNm), prefix (Is) and last name (LaNm)",
        ),
    },
    "PtProject": {
        normalise("Naam"): ("Ds", None),
        normalise("Projectnaam"): ("Ds", None),
        normalise("Project"): ("PrId", None),
        normalise("Klantreferentie"): ("ClRe", None),
        normalise("Referentie"): ("ClRe", None),
        normalise("Projectleider"): (
            "EmId",
            "the project manager (EmId) must be an employee code of your environment, not a name",
        ),
    },
    "FbSales": {
        normalise("Datum"): ("OrDa", "'Datum' is taken as the order date"),
        normalise("Ordernummer"): (
            "RfCs",
            "the order number of the file is sent as the "
            "customer's reference (RfCs); Profit numbers orders itself",
        ),
    },
}
CONNECTOR_HEADERS["KnSalesRelationPer"] = CONNECTOR_HEADERS["KnPerson"]

_KEY_HEADERS = [
    normalise(h)
    for h in (
        "Klantnummer", "Klantnr", "Debiteurnummer", "Debiteurnr", "Relatienummer",
        "Relatienr", "Customer number", "Customer no", "Customer id", "Debtor number",
        "Nummer", "Id",
    )
]  # fmt: skip
_CONNECTOR_KEYS = {
    "PtProject": [normalise(h) for h in ("Projectnummer", "Projectnr", "Projectcode", "Project")],
    "FbSales": [normalise(h) for h in ("Ordernummer", "Ordernr", "Order number", "Order id")],
    "KnOrganisation": [normalise(h) for h in ("Organisatienummer", "Organisatiecode")],
    "KnPerson": [normalise(h) for h in ("Persoonsnummer", "Persoonscode")],
}

# Fields the similarity match never proposes: internal ids, files, secrets.
_NEVER = {"BcId", "FileId", "FileName", "FileStream", "GuLi", "Pwrd", "AtCd", "AcTp"}

# Check types of the mapping language that suit a field (suggested in a comment if known).
_CHECK_TYPES = {
    "Iban": "iban", "Bic": "bic", "VaId": "vat", "CcNr": "kvk", "SoSe": "bsn",
    "EmAd": "email", "EmA2": "email", "TeNr": "phone", "MbNr": "phone", "CoId": "country",
}  # fmt: skip

_NL_POSTCODE = r"[1-9]\d{3} ?[A-Za-z]{2}"
_TRUE_FALSE = {"ja", "j", "yes", "y", "true", "waar", "1", "x", "nee", "n", "no", "false",
               "onwaar", "0"}  # fmt: skip
_DATE_FORMATS = (
    "%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d", "%d-%m-%y",
    "%d/%m/%y",
)  # fmt: skip
_DATE_WORDS = ("datum", "date")
_AMOUNT_WORDS = ("bedrag", "amount", "prijs", "price", "totaal", "total", "saldo", "omzet")
_SAMPLE_ROWS = 1000
_SIMILAR = 0.85  # difflib ratio for a match by similarity ("VAT number" is not "Number": 0.8)


# --- Matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    header: str
    path: str  # object path inside the connector, "" for the root
    code: str
    spec: dict[str, Any]
    owner: str  # name of the object holding the field
    todo: str | None = None  # set when the match is not sure

    @property
    def dotted(self) -> str:
        return f"{self.path}.{self.code}" if self.path else self.code


def _placement(connector: str) -> dict[str, str]:
    """Field code -> object path, for the fields the connector's layout places."""
    places: dict[str, str] = {}
    for path, codes in LAYOUTS[connector].items():
        specs = catalog.fields(connector, path or None)
        for code in codes:
            if code in specs:
                places.setdefault(code, path)
    return places


def _similar_candidates(connector: str) -> dict[str, tuple[str, str]]:
    """Normalised description or known header -> (object path, code), for similarity matches."""
    places = _placement(connector)
    candidates: dict[str, tuple[str, str]] = {}
    for alias, code in HEADER_FIELDS.items():
        if code in places and len(alias) >= 4:
            candidates.setdefault(alias, (places[code], code))
    for path in LAYOUTS[connector]:
        constants = _CONSTANTS.get(path.rsplit(".", 1)[-1] if path else connector, {})
        for code, spec in catalog.fields(connector, path or None).items():
            description = normalise(spec["description"])
            if code in _NEVER or code in constants or len(description) < 6:
                continue
            if "notused" in description:
                continue
            candidates.setdefault(description, (path, code))
    return candidates


def _match_headers(
    connector: str, headers: Sequence[str]
) -> tuple[dict[str, _Match], dict[str, str]]:
    """Header -> match, and header -> why a known header was left out (its field is fed)."""
    places = _placement(connector)
    overrides = CONNECTOR_HEADERS.get(connector, {})
    taken: dict[tuple[str, str], str] = {}
    matches: dict[str, _Match] = {}
    left_out: dict[str, str] = {}

    def take(header: str, path: str, code: str, todo: str | None) -> None:
        if (path, code) in taken:
            if todo is None:
                left_out[header] = f"{code} is already fed by {taken[(path, code)]!r}"
            return
        taken[(path, code)] = header
        spec = catalog.fields(connector, path or None)[code]
        owner = path.rsplit(".", 1)[-1] if path else connector
        matches[header] = _Match(header, path, code, spec, owner, todo)

    # Sure matches first (known headers, AFAS field codes), then similar ones, so that a
    # similar header never takes a field a known header feeds.
    for header in headers:
        key = normalise(header)
        if key in overrides:
            code, todo = overrides[key]
            if code in places:
                take(header, places[code], code, todo)
        elif key in HEADER_FIELDS and HEADER_FIELDS[key] in places:
            take(header, places[HEADER_FIELDS[key]], HEADER_FIELDS[key], None)
        elif header.strip() in places:  # AFAS's own field code, spelled exactly
            code = header.strip()
            take(header, places[code], code, None)
    candidates = _similar_candidates(connector)
    for header in headers:
        key = normalise(header)
        if header in matches or len(key) < 4:
            continue
        close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=_SIMILAR)
        if close:
            path, code = candidates[close[0]]
            description = catalog.fields(connector, path or None)[code]["description"]
            where = f"{path}.{code}" if path else code
            take(
                header,
                path,
                code,
                f"{header!r} matched {where} ({description}) by a similar name; check it",
            )
    return matches, left_out


# --- Column declarations ------------------------------------------------------------------------


@dataclass
class _Column:
    name: str
    header: str
    settings: dict[str, Any] = field(default_factory=dict)
    todos: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    match: _Match | None = None


def column_name(header: str, taken: Iterable[str] = ()) -> str:
    """A snake_case ASCII name for a header, usable as ``row.<name>`` and not in ``taken``."""
    name = re.sub(r"[^0-9a-z]+", "_", _ascii(header)).strip("_") or "column"
    if name[0].isdigit():
        name = f"col_{name}"
    if keyword.iskeyword(name) or name in {"true", "false", "none"} or hasattr(dict, name):
        name = f"{name}_"  # row.items would be the dict's method, not the column
    used = set(taken)
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _samples(frame: pd.DataFrame, header: str) -> list[str]:
    values = frame[header].head(_SAMPLE_ROWS).dropna()
    return [str(v) for v in values if str(v) != ""]


def _date_formats(values: Sequence[str]) -> list[str]:
    """The formats every value can be read with (all of them when there are no values)."""
    fits = []
    for fmt in _DATE_FORMATS:
        try:
            for value in values:
                dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        fits.append(fmt)
    return fits


def _declare_date(col: _Column, values: Sequence[str], excel: bool) -> None:
    col.settings["type"] = "date"
    fits = _date_formats(values) if values else []
    if values and len(fits) == 1:
        col.settings["format"] = fits[0]
    elif values and fits:
        col.settings["format"] = fits[0]
        col.todos.append(
            f"date format guessed as {fits[0]} from values such as {values[0]!r}; they also "
            f"read as {', '.join(fits[1:])}"
        )
    else:
        col.settings["format"] = "%Y-%m-%d" if excel else "%d-%m-%Y"
        why = (
            f"values such as {values[0]!r} match no known date format"
            if values
            else "no sample values"
        )
        col.todos.append(f"date format guessed as {col.settings['format']} ({why}); check it")


def _declare_decimal(col: _Column, values: Sequence[str]) -> None:
    col.settings["type"] = "decimal"
    both = [v for v in values if "," in v and "." in v]
    comma = any("," in v for v in values)
    if both and all(v.rfind(",") > v.rfind(".") for v in both):
        col.settings["decimal"] = ","
        _thousands(col, ".")
    elif both:
        col.settings["decimal"] = "."
        _thousands(col, ",")
    else:
        col.settings["decimal"] = "," if comma else "."
    sign = r"[+-]?"
    number = r"\d+(?:[.,]\d+)*"
    odd = [v for v in values if not re.fullmatch(sign + number, v.replace(" ", ""))]
    if odd:
        col.todos.append(f"values such as {odd[0]!r} are not plain numbers; clean them up")
    elif not values:
        col.todos.append(f"decimal separator {col.settings['decimal']!r} guessed without values")


def _thousands(col: _Column, separator: str) -> None:
    if "thousands" in Column.model_fields:
        col.settings["thousands"] = separator
    else:
        col.todos.append(f"values use {separator!r} between thousands; remove it first")


def _declare_text(col: _Column, values: Sequence[str], spec: dict[str, Any] | None) -> None:
    if spec is None:
        return
    allowed = [v["id"] for v in spec["values"] or []]
    if allowed:
        _declare_codes(col, values, spec, allowed)
    elif spec["length"]:
        col.settings["max_length"] = spec["length"]


def _declare_codes(
    col: _Column, values: Sequence[str], spec: dict[str, Any], allowed: list[str]
) -> None:
    """A field with a list of AFAS codes: check them, or map descriptions to codes."""
    distinct = sorted(set(values))
    if distinct and all(v in allowed for v in distinct):
        if len(allowed) <= 12:
            col.settings["allowed"] = allowed
        return
    by_text = {normalise(v["description"]): v["id"] for v in spec["values"]}
    by_text.update({normalise(v["id"]): v["id"] for v in spec["values"]})
    mapped = {v: by_text.get(normalise(v)) for v in distinct}
    shown = ", ".join(f"{v['id']} ({v['description']})" for v in spec["values"][:12])
    if distinct and all(mapped.values()) and "map" in Column.model_fields:
        if len(spec["values"]) <= 12:  # every description, so later files map as well
            mapped = {v["description"]: v["id"] for v in spec["values"]} | mapped
        col.settings["map"] = mapped
        col.todos.append(
            f"values mapped to AFAS codes by their description; check the map ({shown})"
        )
    else:
        odd = [v for v in distinct if not mapped[v]] or ["(no values)"]
        col.todos.append(
            f"AFAS expects codes here, such as {shown}; values such as {odd[0]!r} are not "
            "codes: map them (map: {value: code})"
        )


def _declare_postcode(col: _Column, values: Sequence[str]) -> None:
    dutch = bool(values) and all(re.fullmatch(_NL_POSTCODE, v) for v in values)
    if dutch:
        col.settings["pattern"] = _NL_POSTCODE
    available = "postcode_nl" in COLUMN_TYPES
    if dutch:
        found = "the pattern accepts Dutch postcodes only; drop it for foreign addresses. "
    elif values:
        found = "not every value is a Dutch postcode, so nothing is checked. "
    else:
        found = "no sample values, so nothing is checked. "
    col.todos.append(
        found
        + ("`type: postcode_nl` checks and normalises Dutch postcodes" if available else
           "A `postcode_nl` type would check and normalise Dutch postcodes")
    )  # fmt: skip


def _declare(col: _Column, values: Sequence[str], excel: bool) -> None:
    """Type and checks of a column, from its catalog field (if matched) and its values."""
    match = col.match
    spec = match.spec if match else None
    kind = spec["type"] if spec else None
    fmt = spec["format"] if spec else None
    key = normalise(col.header)
    if fmt == "date" or (
        spec is None
        and (any(w in key for w in _DATE_WORDS) or (values and _date_formats(values)))
        and not all(v.isdigit() for v in values or ["x"])
    ):
        _declare_date(col, values, excel)
    elif kind == "number" or (spec is None and any(w in key for w in _AMOUNT_WORDS)):
        _declare_decimal(col, values)
    elif kind == "integer":
        col.settings["type"] = "integer"
        odd = [v for v in values if not re.fullmatch(r"[+-]?\d+", v)]
        if odd:
            hint = "; split the addition into HmAd" if match and match.code == "HmNr" else ""
            col.todos.append(f"values such as {odd[0]!r} are not whole numbers{hint}")
    elif kind == "boolean":
        col.settings["type"] = "boolean"
        odd = [v for v in values if v.lower() not in _TRUE_FALSE]
        if odd:
            col.todos.append(f"values such as {odd[0]!r} are not yes/no values")
    elif match and match.code == "ZpCd":
        _declare_postcode(col, values)
        col.settings["max_length"] = spec["length"] if spec else 15
    else:
        _declare_text(col, values, spec)
    if match is None:
        return
    code = match.code
    if spec and spec["mandatory"] and code not in _CONSTANTS.get(match.owner, {}):
        col.settings["required"] = True
    if code == "CcNr" and values and all(re.fullmatch(r"\d{8}", v) for v in values):
        col.settings["pattern"] = r"\d{8}"
    if code == "CoId" and any(len(v) > 3 for v in values):
        col.todos.append(
            f"values such as {next(v for v in values if len(v) > 3)!r} are not country codes; "
            "map them to Profit's codes (map: {Nederland: NL, ...})"
        )
    if code == "CoId":
        col.hints.append("Profit's country codes are its own (B is Belgium, D Germany)")
    if code == "Ad" and values and any(re.search(r"\s\d+\s*\w{0,4}$", v) for v in values):
        col.todos.append(
            "values look like street and house number together; AFAS wants the house number "
            "in HmNr: split the column"
        )
    if code == "Iban" and values and any(" " in v for v in values):
        col.todos.append("IBANs with spaces: remove them (AFAS expects NL91ABNA0417164300)")
    check = _CHECK_TYPES.get(code)
    if check and check in COLUMN_TYPES:
        col.hints.append(f"consider `type: {check}`, which checks these values")


# --- Keys ---------------------------------------------------------------------------------------


def _choose_key(
    connector: str, headers: Sequence[str], frame: pd.DataFrame
) -> tuple[str, str | None]:
    """The key column's header, and a TODO when the choice is not sure."""
    order = _CONNECTOR_KEYS.get(connector, []) + _KEY_HEADERS
    ranked = sorted(
        (order.index(normalise(h)), h) for h in headers if normalise(h) in order
    )  # fmt: skip
    candidates = [h for _, h in ranked]

    def unique(header: str) -> bool:
        values = frame[header]
        return bool(values.notna().all()) and not values.duplicated().any()

    for header in candidates:
        if unique(header):
            return header, None
    if candidates:
        return candidates[0], (
            f"{candidates[0]!r} is not filled in and unique on every row, but a key must be"
        )
    first_unique = next((h for h in headers if unique(h)), headers[0])
    return first_unique, (
        f"no customer number or id column found; {first_unique!r} is used as the key "
        "(required and unique on every row): choose the column that identifies a row"
    )


# --- Writing ------------------------------------------------------------------------------------

_PLAIN = re.compile(r"(?:[^\W\d]|\.\.?/)[\w .\-/()]*")


def _scalar(value: Any) -> str:
    """A YAML scalar for ``value``, plain where that reads back the same."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if (
        _PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and yaml.safe_load(f"k: {text}") == {"k": text}
    ):
        return text
    if text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


_ORDER_OF_KEYS = ("header", "type", "format", "decimal", "thousands", "required", "max_length",
                  "pattern", "allowed", "map")  # fmt: skip


def _ordered(settings: dict[str, Any]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(_ORDER_OF_KEYS)}
    return dict(sorted(settings.items(), key=lambda item: rank.get(item[0], len(rank))))


def _flow(settings: dict[str, Any]) -> str:
    parts = []
    for key, value in _ordered(settings).items():
        if isinstance(value, list):
            shown = "[" + ", ".join(_scalar(v) for v in value) + "]"
        elif isinstance(value, dict):
            shown = "{" + ", ".join(f"{_scalar(k)}: {_scalar(v)}" for k, v in value.items()) + "}"
        else:
            shown = _scalar(value)
        parts.append(f"{key}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def _wrap(
    text: str, indent: str, prefix: str = "# ", cont: str | None = None, width: int = 100
) -> list[str]:
    """``text`` as comment lines of at most ``width`` characters."""
    words, lines, line = _comment(text).split(" "), [], ""
    for word in words:
        if line and len(indent) + len(prefix) + len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if cont is None:
        cont = prefix.replace("TODO", "    ")
    return [f"{indent}{prefix if i == 0 else cont}{part}" for i, part in enumerate(lines)]


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target.resolve(), start.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return target.resolve().as_posix()


@dataclass
class _Plan:
    connector: str
    source: str
    input_path: Path
    sheet: str | None
    dialect: dict[str, str]
    key: str
    key_todo: str | None
    columns: list[_Column]  # declared (matched and key), file order
    unmatched: list[_Column]


def _mapping_text(plan: _Plan, mapping_path: Path, template_name: str) -> tuple[str, dict]:
    """The mapping file's text, and the data it must read back as."""
    connector = plan.connector
    file = _relative(plan.input_path, mapping_path.parent)
    source: dict[str, Any] = {"file": file}
    if plan.sheet:
        source["sheet"] = plan.sheet
    step_name = STEP_NAMES.get(connector, connector)[:31]
    key_name = next(c.name for c in plan.columns if c.header == plan.key)
    data = {
        "version": 1,
        "target": "afas",
        "description": f"{plan.input_path.name} into {connector} (scaffolded; review the TODOs)",
        "templates": "templates",
        "sources": {plan.source: source},
        "steps": [
            {
                "name": step_name,
                "source": plan.source,
                "connector": connector,
                "template": template_name,
                "key": key_name,
                "keep": KEEP.get(connector, []),
                "columns": {c.name: {"header": c.header, **c.settings} for c in plan.columns},
            }
        ],
    }
    out = [
        f"# Scaffolded by `importer new` from {_comment(plan.input_path.name)} for AFAS "
        f"UpdateConnector {connector}.",
        "# Review every TODO before the first run: matches by a similar name, guessed formats",
        "# and environment-specific choices are marked. Paths are relative to this file.",
        "version: 1",
        "target: afas",
        f"description: {_scalar(data['description'])}",
        "templates: templates",
        "",
        "sources:",
        f"  {_scalar(plan.source)}:",
        f"    file: {_scalar(file)}",
    ]
    if plan.sheet:
        out.append(f"    sheet: {_scalar(plan.sheet)}")
    if plan.dialect:
        found = ", ".join(f"{k} {v!r}" for k, v in plan.dialect.items())
        out.append(f"    # detected: {_comment(found)}")
    out += [
        "",
        "steps:",
        f"  - name: {_scalar(step_name)}",
        f"    source: {_scalar(plan.source)}",
        f"    connector: {connector}",
        f"    template: {template_name}",
    ]
    if plan.key_todo:
        out += _wrap(plan.key_todo, "    ", "# TODO ")
    out += [
        f"    key: {_scalar(key_name)}",
        f"    keep: [{', '.join(KEEP.get(connector, []))}]",
        "    columns:",
    ]
    for col in plan.columns:
        for todo in col.todos:
            out += _wrap(f"{col.name}: {todo}", "      ", "# TODO ")
        for hint in col.hints:
            out += _wrap(f"{col.name}: {hint}", "      ")
        target = f"  # -> {col.match.dotted}" if col.match else "  # key only: not sent"
        line = f"      {_scalar(col.name)}: {_flow({'header': col.header, **col.settings})}"
        out.append(line + target)
    if plan.unmatched:
        out += _wrap(
            f"headers not matched to a field of {connector}: "
            + ", ".join(repr(c.header) for c in plan.unmatched)
            + ". To use one, uncomment its line and add it to the template.",
            "    ",
            "# TODO ",
        )
        for col in plan.unmatched:
            line = f"{_scalar(col.name)}: {_flow({'header': col.header, **col.settings})}"
            why = f"  # {_comment('; '.join(col.hints))}" if col.hints else ""
            out.append(f"    #   {_comment(line)}{why}")
    return "\n".join(out) + "\n", data


@dataclass
class _Node:
    path: str
    name: str
    attributes: list[tuple[list[str], str]] = field(default_factory=list)
    fields: list[tuple[list[str], str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    children: list[_Node] = field(default_factory=list)


def _jinja_comment(text: str, indent: str) -> list[str]:
    """A Jinja comment (``{# ... #}``), wrapped at 100 characters."""
    lines = _wrap(text.replace("#}", "# }"), indent, "{# ", "   ")
    lines[-1] += " #}"
    return lines


def _expression(col: _Column, const: _Const | None) -> str:
    value = f"row.{col.name}" if const is None else f"row.{col.name} or {json.dumps(const.value)}"
    return "{{ " + value + " }}"


def _build_nodes(plan: _Plan) -> _Node:
    connector = plan.connector
    by_place: dict[tuple[str, str], _Column] = {
        (c.match.path, c.match.code): c for c in plan.columns if c.match
    }
    used_paths = {path for path, _ in by_place} | _ALWAYS.get(connector, {""})
    used_paths.add("")
    nodes: dict[str, _Node] = {}
    for path in LAYOUTS[connector]:  # parents come before their children
        if path not in used_paths:
            continue
        name = path.rsplit(".", 1)[-1] if path else connector
        node = nodes[path] = _Node(path, name)
        if path:
            nodes[path.rpartition(".")[0]].children.append(node)
        specs = catalog.fields(connector, path or None)
        entries: dict[str, tuple[list[str], str]] = {}
        constants = {**_CONSTANTS.get(name, {}), **_FALLBACKS.get(name, {})}
        for code, const in constants.items():
            if code not in specs:
                continue
            col = by_place.get((path, code))
            if col is not None and code in _FALLBACKS.get(name, {}):
                continue  # the column feeds it below
            value = json.dumps(const.value)
            if code == "AutoNum" and (path, "BcCo") in by_place:
                value = "false"  # the number comes from the file
            notes = [f"TODO: {const.todo}"] if const.todo and not col else []
            entries[code] = (notes, f'"{code}": {_expression(col, const) if col else value}')
        for code in specs:
            col = by_place.get((path, code))
            if col is None or code in entries:
                continue
            notes = [f"TODO: {t}" for t in _template_todos(col)]
            text = f'"{code}": {_expression(col, None)}'
            if _ATTRIBUTES.get((connector, path)) == code:
                node.attributes.append((notes, f'"@{code}": {_expression(col, None)}'))
            else:
                entries[code] = (notes, text)
        if name == "KnBankAccount" and (path, "Iban") in by_place:
            iban = by_place[(path, "Iban")].name
            entries = {
                "CoId": (
                    [
                        "TODO: the bank's country is taken from the IBAN; Profit's country "
                        "codes differ for some countries (B for Belgium, D for Germany). The "
                        "relation's own Iban field (its preferred account) is not set: add "
                        '"Iban" to the relation\'s Fields if Profit should prefer this account'
                    ],
                    f'"CoId": {{{{ row.{iban}[:2] | upper if row.{iban} else none }}}}',
                ),
                **entries,
            }
        given = set(entries) | ({_ATTRIBUTES[(connector, path)]} if node.attributes else set())
        for code, spec in specs.items():
            if spec["mandatory"] and code not in given and _demanded(name, code):
                missing = spec["description"]
                node.notes.append(
                    f"TODO: {name}.{code} ({missing}) is mandatory and no header matched it: "
                    "add a column for it"
                )
        node.fields = list(entries.values())
    return nodes[""]


def _template_todos(col: _Column) -> list[str]:
    return [col.match.todo] if col.match and col.match.todo else []


def _demanded(name: str, code: str) -> bool:
    if (name, code) in catalog.NOT_DEMANDED:
        return False
    waivers = catalog.WAIVED_WHEN.get((name, code), ())
    return not any(other in ("AutoNum",) for other, _, _ in waivers)


def _render_node(node: _Node, indent: int, as_list: bool) -> list[str]:
    pad = " " * indent
    out = [f'{pad}"{node.name}": {{']
    inner = pad + "  "
    element_open = f'{inner}"Element": [' if as_list else f'{inner}"Element": {{'
    out.append(element_open)
    body_pad = inner + ("    " if as_list else "  ")
    if as_list:
        out.append(f"{inner}  {{")
    parts: list[list[str]] = []
    for notes, text in node.attributes:
        comments = [line for n in notes for line in _jinja_comment(n, body_pad)]
        parts.append([*comments, body_pad + text])
    field_lines = [line for n in node.notes for line in _jinja_comment(n, body_pad)]
    field_lines.append(f'{body_pad}"Fields": {{')
    for i, (notes, text) in enumerate(node.fields):
        field_lines += [line for n in notes for line in _jinja_comment(n, body_pad + "  ")]
        field_lines.append(f"{body_pad}  {text}" + ("," if i < len(node.fields) - 1 else ""))
    field_lines.append(f"{body_pad}}}")
    parts.append(field_lines)
    if node.children:
        objects = [f'{body_pad}"Objects": [']
        for i, child in enumerate(node.children):
            objects.append(f"{body_pad}  {{")
            objects += _render_node(child, len(body_pad) + 4, child.name in _LISTS)
            objects.append(f"{body_pad}  }}" + ("," if i < len(node.children) - 1 else ""))
        objects.append(f"{body_pad}]")
        parts.append(objects)
    for i, part in enumerate(parts):
        if i < len(parts) - 1:
            part[-1] += ","
        out += part
    if as_list:
        out.append(f"{inner}  }}")
    out.append(f"{inner}]" if as_list else f"{inner}}}")
    out.append(f"{pad}}}")
    return out


def _template_text(plan: _Plan) -> str:
    connector = plan.connector
    head = [
        f"Scaffolded by `importer new` from {plan.input_path.name}: one {connector} per row.",
        "Every {{ }} writes a JSON value; blank cells leave their field out.",
    ]
    todos = list(_NOTES.get(connector, []))
    if plan.unmatched:
        todos.append(
            "TODO: headers not matched to a field (declare them in the mapping to use them): "
            + ", ".join(repr(c.header) for c in plan.unmatched)
        )
    lines = ["{#- " + _comment(head[0]).replace("#}", "# }")]
    for text in head[1:]:
        lines.append("    " + text)
    lines.append("-#}")
    for todo in todos:
        lines += _jinja_comment(todo, "")
    lines.append("{")
    lines += _render_node(_build_nodes(plan), 2, False)
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Entry point --------------------------------------------------------------------------------


def _check_connector(connector: str) -> None:
    known = catalog.connectors()
    if connector in known and connector in LAYOUTS:
        return
    supported = [c for c in known if c in LAYOUTS]
    folded = {c.lower(): c for c in supported}
    close = folded.get(connector.lower()) or next(
        iter(difflib.get_close_matches(connector, supported, n=1)), None
    )
    hint = f" (did you mean {close!r}?)" if close else ""
    raise MappingError(
        f"unknown connector {connector!r}{hint}; known connectors: {', '.join(supported)}"
    )


def scaffold(
    connector: str,
    input_path: Path,
    *,
    out_dir: Path,
    sheet: str | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Scaffold:
    """Write a first mapping and template for importing ``input_path`` into ``connector``.

    Writes ``out_dir/<name>.yaml`` (``name`` defaults to the input's stem) and
    ``out_dir/templates/afas/<name>.<connector>.json.j2``; refuses to replace either unless
    ``overwrite``. Raises MappingError for an unknown connector, a bad name or files that
    exist, InputError for an input that cannot be read.
    """
    _check_connector(connector)
    input_path = Path(input_path)
    out_dir = Path(out_dir)
    if sheet is not None and input_path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError(f"{input_path.name}: only an Excel file has sheets (asked for {sheet!r})")
    stem = (name or input_path.stem).removesuffix(".yaml").removesuffix(".yml")
    if not stem or stem in (".", "..") or any(ch in stem for ch in "/\\\0"):
        raise MappingError(f"{name!r} cannot be a mapping name: give a file name without folders")
    table = read_table(input_path, sheet=sheet)
    headers = table.columns
    if not headers:
        raise InputError(f"{table.label}: no column headers found in the first row")
    excel = input_path.suffix.lower() in EXCEL_SUFFIXES

    mapping_path = out_dir / f"{stem}.yaml"
    template_name = f"afas/{stem}.{connector}.json.j2"
    template_path = out_dir / "templates" / template_name
    existing = [p for p in (mapping_path, template_path) if p.exists()]
    if existing and not overwrite:
        raise MappingError(
            f"{' and '.join(str(p) for p in existing)} already exist"
            f"{'s' if len(existing) == 1 else ''}; not overwritten (choose another name or "
            "folder, or allow overwriting)"
        )

    matches, left_out = _match_headers(connector, headers)
    key, key_todo = _choose_key(connector, headers, table.frame)
    names: list[str] = []
    declared: list[_Column] = []
    unmatched: list[_Column] = []
    for header in headers:
        col = _Column(column_name(header, names), header, match=matches.get(header))
        names.append(col.name)
        if col.match and col.match.todo:
            col.todos.append(col.match.todo)
        if header in left_out:
            col.hints.append(left_out[header])
        _declare(col, _samples(table.frame, header), excel)
        if header == key:
            col.settings.pop("required", None)  # the key is always required
        (declared if col.match or header == key else unmatched).append(col)
    plan = _Plan(
        connector=connector,
        source=column_name(input_path.stem),
        input_path=input_path,
        sheet=table.sheet,
        dialect=dict(table.dialect),
        key=key,
        key_todo=key_todo,
        columns=declared,
        unmatched=unmatched,
    )
    mapping_text, data = _mapping_text(plan, mapping_path, template_name)
    if yaml.safe_load(mapping_text) != data:  # a header YAML reads differently
        raise MappingError(f"could not write the headers of {table.label} as YAML")
    template_text = _template_text(plan)
    try:
        template_path.parent.mkdir(parents=True, exist_ok=True)
        template_path.write_text(template_text, encoding="utf-8", newline="\n")
        mapping_path.write_text(mapping_text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise MappingError(f"cannot write the scaffold: {exc.strerror}", file=exc.filename) from exc
    return Scaffold(
        mapping_path=mapping_path,
        template_path=template_path,
        matched={h: matches[h].dotted for h in headers if h in matches},
        unmatched=[c.header for c in unmatched],
        todos=mapping_text.count("# TODO") + template_text.count("{# TODO"),
    )
