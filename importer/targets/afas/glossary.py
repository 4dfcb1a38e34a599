"""What Profit's ids and log reference are, in Profit's own words: the result workbook's
Explanation sheet shows those of the columns it has (``TargetSpec.glossary``)."""

from __future__ import annotations

EN = {
    "DbId": "Debtor number (debiteurnummer): the number of the sales relation (debtor) in "
    "Profit; invoices and orders are made out to it.",
    "BcCo": "Organisation/person code (organisatie-/persoonscode): the code of the "
    "organisation or person in Profit's CRM, which the sales relation belongs to.",
    "PrId": "Project number (projectnummer): the number of the project in Profit (a Flex "
    "customer agreement is a project).",
    "OrNu": "Order number (ordernummer): the number of the sales order in Profit.",
    "CrId": "Creditor number (crediteurnummer): the number of the purchase relation in Profit.",
    "EmId": "Employee number (medewerkernummer): the number of the employee in Profit.",
    "GuLi": "The unique id (GUID) of an order line in Profit.",
    "profitLogReference": "Profit's reference of a refused request: Profit logs the whole "
    "error under it. Give it to the application administrator of the Profit environment (or "
    "to AFAS support) to look the refusal up; the message beside it is what Profit said.",
}

NL = {
    "DbId": "Debiteurnummer: het nummer van de verkooprelatie (debiteur) in Profit; facturen "
    "en orders staan op dit nummer.",
    "BcCo": "Organisatie-/persoonscode: de code van de organisatie of persoon in het CRM van "
    "Profit, waar de verkooprelatie bij hoort.",
    "PrId": "Projectnummer: het nummer van het project in Profit (een klantovereenkomst in "
    "Flex is een project).",
    "OrNu": "Ordernummer: het nummer van de verkooporder in Profit.",
    "CrId": "Crediteurnummer: het nummer van de inkooprelatie in Profit.",
    "EmId": "Medewerkernummer: het nummer van de medewerker in Profit.",
    "GuLi": "Het unieke id (GUID) van een orderregel in Profit.",
    "profitLogReference": "De referentie van Profit bij een geweigerd verzoek: Profit "
    "logt de hele fout onder die referentie. Geef haar aan de applicatiebeheerder van de "
    "Profit-omgeving (of aan AFAS support) om de weigering op te zoeken; de melding ernaast "
    "is wat Profit zei.",
}

TABLES = {"en": EN, "nl": NL}
