"""What ``importer new`` knows of AFAS's connectors: where fields go, header names, constants.

:data:`LAYOUTS` places each field code in a connector's nested objects; :data:`HEADER_FIELDS`
and :data:`CONNECTOR_HEADERS` name the fields common Dutch and English headers mean; the
constants, fallbacks and notes are written into every scaffold of a connector.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

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
