"""Dutch labels of AFAS Profit's common fields, by field code, for ``importer fields`` and the
headers ``importer new`` matches.

The shipped catalogs carry the labels of AFAS's field listings (mostly English); a Dutch user
looks for a field by the name Profit shows them (``Debiteur sinds``, ``Klant sinds``). A code
means the same in every connector and object it appears in; where it does not, the key is
``Object.Code``. Codes missing here show no Dutch label unless the target's metainfo gives one
(``AFAS_LANGUAGE`` nl-nl, the default).
"""

from __future__ import annotations

DUTCH: dict[str, str] = {
    # sales relations (KnSalesRelationOrg / KnSalesRelationPer)
    "DbId": "Debiteurnummer", "CuId": "Valuta", "CsDa": "Klant sinds",
    "VaId": "Btw-identificatienummer", "PaCd": "Betalingsvoorwaarde", "VaDu": "Btw-plicht",
    "Krli": "Kredietlimiet", "InPv": "Voorkeur verstrekkingswijze", "Rm": "Opmerking",
    "InTx": "Factuurtekst", "EORI": "EORI-nummer", "IsDb": "Is debiteur",
    "Iban": "IBAN-nummer", "BaAc": "Bankrekeningnummer", "ToAc": "Voorkeur tegenrekening",
    "VeId": "Vertegenwoordiger", "LgId": "Taal", "EmId": "Medewerker (verantwoordelijke)",
    "PfId": "Profiel", "FaTo": "Factureren aan", "Bl": "Geblokkeerd",
    "CdDa": "Voorkeur afleveradres",
    "DeCo": "Leveringsvoorwaarde", "PrLi": "% Regelkorting", "PrFc": "Factuurkorting (%)",
    "ClPc": "Kredietbeperking (%)", "PrPt": "Betalingskorting (%)",
    "DsId": "Afwijkende aanmaningsset",
    "CtP1": "Contactpersoon", "VkMa": "Voorkeur magazijn", "BcBy": "Ingevoerd door",
    # organisations and persons (KnOrganisation / KnPerson)
    "BcCo": "Nummer (organisatie-/persoonscode)", "Nm": "Naam", "SeNm": "Zoeknaam",
    "NmRg": "Statutaire naam", "RsRg": "Statutaire vestigingsplaats", "CcNr": "Nummer KvK",
    "CcDa": "Datum KvK", "FiNr": "Fiscaal nummer", "ViLe": "Rechtsvorm", "ViLb": "Branche",
    "TeNr": "Telefoonnummer werk", "FaNr": "Fax werk", "MbNr": "Mobiel werk",
    "EmAd": "E-mail werk", "HoPa": "Homepage (website)", "Re": "Opmerking",
    "MatchOga": "Organisatie vergelijken op", "MatchPer": "Persoon vergelijken op",
    "AutoNum": "Autonummering", "PadAdr": "Postadres is adres", "CaNm": "Roepnaam",
    "FiNm": "Voornaam", "In": "Voorletters", "Is": "Voorvoegsel (tussenvoegsel)",
    "LaNm": "Achternaam", "ViGe": "Geslacht", "DaBi": "Geboortedatum", "RsBi": "Geboorteplaats",
    "CoBi": "Geboorteland", "PsNa": "Nationaliteit", "SoSe": "BSN", "ViCs": "Burgerlijke staat",
    "TeN2": "Telefoonnummer privé", "MbN2": "Mobiel privé", "EmA2": "E-mail privé",
    "TtId": "Titel/aanhef", "LeHe": "Briefaanhef", "Face": "Facebook", "Link": "LinkedIn",
    "Twtr": "X (Twitter)", "StId": "Status", "ViKc": "Soort contact", "ExAd": "Afdeling",
    "ViFu": "Functie",
    # addresses and bank accounts
    "CoId": "Land", "Ad": "Straat", "HmNr": "Huisnummer", "HmAd": "Toevoeging aan huisnummer",
    "ZpCd": "Postcode", "Rs": "Woonplaats", "AdAd": "Toevoeging aan adres", "PbAd": "Postbusadres",
    "BeginDate": "Ingangsdatum adreswijziging", "ResZip": "Zoek woonplaats bij postcode",
    "Bic": "BIC-code", "KnBankAccount.CoId": "Land van de bank",
    # projects (PtProject)
    "PrId": "Projectnummer", "Prof": "Projectprofiel", "PrGp": "Projectgroep",
    "Ds": "Omschrijving", "DaSt": "Startdatum", "DtGp": "Geplande einddatum",
    "DtGw": "Werkelijke einddatum", "ClRe": "Referentie klant", "PrSt": "Projectstatus",
    "HrWe": "Standaard werkweek", "SaFc": "Totale aanneemsom", "PrTy": "Projecttype",
    "VbCo": "Code verbijzondering", "ClId": "Cao", "PsId": "Permissieschema",
    "RpDe": "Declaratierapport", "CmId": "Kostprijsmodel", "ViTo": "Proeftijd",
    # sales orders (FbSales, FbSalesLines)
    "OrNu": "Ordernummer", "OrDa": "Orderdatum", "RfCs": "Uw referentie",
    "DaDe": "Gewenste leverdatum", "War": "Magazijn", "Unit": "Administratie",
    "DlAd": "Afleveradres", "ItCd": "Itemcode", "VaIt": "Type item", "BiUn": "Eenheid",
    "QuUn": "Aantal eenheden", "Qu": "Aantal", "Upri": "Prijs per eenheid",
    "PRDc": "% Regelkorting", "VaRc": "Btw-tariefgroep", "DlDa": "Afwijkende leverdatum",
}  # fmt: skip


def dutch(obj: str, code: str) -> str:
    """The Dutch label of a field of object ``obj`` ("" when this table has none)."""
    return DUTCH.get(f"{obj}.{code}") or DUTCH.get(code, "")
