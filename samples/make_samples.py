"""Write the sample spreadsheets for orders, organisations, persons and the full migration.

Run from the repository root: ``python samples/make_samples.py``. The files are committed;
this script documents where they come from and rewrites them identically.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# The debtors of the sandbox's demo environment (see importer/sandbox/__init__.py).
DEMO_DEBTORS = [("10001", "NL000099998B57"), ("10002", "NL004495445B01"),
                ("10003", "BE0403170701")]  # fmt: skip

ORDER_HEADER = ["Ordernummer", "Orderdatum", "BTW-nummer klant", "Referentie", "Magazijn",
                "Offerte"]  # fmt: skip
ORDERS = [
    ["V2024-001", "04-03-2024", "NL000099998B57", "Inkooporder 4471", "01", ""],
    ["V2024-002", "05-03-2024", "NL004495445B01", "Voorjaarsbestelling", "01", ""],
    ["V2024-003", "05-03-2024", "BE0403170701", "Levering Antwerpen", "02", ""],
    ["V2024-004", "06-03-2024", "NL000099998B57", "Overname offerte", "01", "OF-2024-017"],
    ["V2024-005", "07-03-2024", "NL004495445B01", "Spoedorder", "01", ""],
]
LINE_HEADER = ["Ordernummer", "Soort", "Artikel", "Omschrijving", "Eenheid", "Aantal", "Prijs",
               "Korting %"]  # fmt: skip
LINES = [
    ["V2024-001", "2", "1006", "Server behuizing 3 units", "STK", "1", "261,72", ""],
    ["V2024-001", "6", "D012", "Transportkosten", "*****", "1", "30,00", ""],
    ["V2024-002", "2", "2040", "Koffiebonen Arabica 1 kg", "STK", "24", "18,95", "5"],
    ["V2024-002", "2", "2041", "Koffiebonen Robusta 1 kg", "STK", "12", "16,50", "5"],
    ["V2024-002", "3", "T", "Levering via achteringang", "", "1", "", ""],
    ["V2024-003", "2", "3100", "Werkbank eiken 180 cm", "STK", "2", "1.249,00", ""],
    ["V2024-005", "2", "2040", "Koffiebonen Arabica 1 kg", "STK", "6", "18,95", ""],
    ["V2024-005", "6", "D015", "Spoedtoeslag", "*****", "1", "45,00", ""],
]

ORGANISATION_HEADER = [
    "KvK-nummer", "Naam", "Statutaire naam", "Zoeknaam", "E-mail", "Telefoon", "Website",
    "Straat", "Huisnummer", "Toevoeging", "Postcode", "Plaats", "Land", "Postbus",
    "Postcode postbus", "Plaats postbus", "IBAN", "Rekeningnummer",
]  # fmt: skip
ORGANISATIONS = [
    [
        "30145872",
        "Bakkerij De Graaf",
        "Bakkerij De Graaf B.V.",
        "DEGRAAF",
        "info@degraaf.test",
        "030 231 4455",
        "www.degraaf.test",
        "Oudegracht",
        "118",
        "",
        "3511 AX",
        "Utrecht",
        "NL",
        "",
        "",
        "",
        "NL91ABNA0417164300",
        "",
    ],
    [
        "24187903",
        "Visser Logistiek",
        "Visser Logistiek B.V.",
        "VISSERLOG",
        "planning@visserlogistiek.test",
        "010 482 9911",
        "www.visserlogistiek.test",
        "Waalhaven Oostzijde",
        "85",
        "",
        "3087BM",
        "Rotterdam",
        "NL",
        "5301",
        "3008 AH",
        "Rotterdam",
        "",
        "417164300",
    ],
    [
        "41237856",
        "Zorgcentrum Het Baken",
        "Stichting Zorgcentrum Het Baken",
        "HETBAKEN",
        "receptie@hetbaken.test",
        "033 461 2200",
        "",
        "Kerkstraat",
        "52",
        "a",
        "3811 CW",
        "Amersfoort",
        "NL",
        "",
        "",
        "",
        "NL69INGB0123456789",
        "",
    ],
    [
        "14156732",
        "Hôtel-Café Wörth",
        "Hôtel-Café Wörth B.V.",
        "WORTH",
        "boekingen@worth.test",
        "043 321 8080",
        "www.worth.test",
        "Vrijthof",
        "9",
        "",
        "6211LD",
        "Maastricht",
        "NL",
        "",
        "",
        "",
        "",
        "",
    ],
]
CONTACT_HEADER = ["KvK-nummer", "Voornaam", "Tussenvoegsel", "Achternaam", "Geslacht",
                  "E-mail", "Telefoon", "Functie"]  # fmt: skip
CONTACTS = [
    ["30145872", "Marieke", "de", "Graaf", "V", "marieke@degraaf.test", "06 12345678", "Eigenaar"],
    ["30145872", "Sven", "", "Bakker", "M", "sven@degraaf.test", "", "Chef-bakker"],
    [
        "24187903",
        "Johan",
        "",
        "Visser",
        "M",
        "johan@visserlogistiek.test",
        "06 87654321",
        "Directeur",
    ],
    ["41237856", "Fatima", "el", "Amrani", "V", "f.elamrani@hetbaken.test", "", "Teamleider"],
]

PERSON_HEADER = [
    "Personeelsnummer", "Voornaam", "Voorletters", "Tussenvoegsel", "Achternaam", "Geslacht",
    "Geboortedatum", "BSN", "E-mail werk", "E-mail privé", "Telefoon werk", "Mobiel werk",
    "Adres", "Postcode", "Plaats", "IBAN", "Portaal e-mail", "Portaalrol",
]  # fmt: skip
PERSONS = [
    [
        "P001",
        "Jan",
        "J.A.",
        "",
        "Jansen",
        "Man",
        "07-04-1967",
        "111222333",
        "j.jansen@werk.test",
        "jan.jansen@prive.test",
        "030 123 4567",
        "06 11112222",
        "Raadhuislaan 105",
        "3833 LC",
        "Leusden",
        "NL91ABNA0417164300",
        "",
        "",
    ],
    [
        "P002",
        "Anouk",
        "A.",
        "van",
        "Dijk",
        "Vrouw",
        "23-11-1988",
        "123456782",
        "a.vandijk@werk.test",
        "",
        "",
        "06 33334444",
        "Kerkstraat 12a",
        "1017GC",
        "Amsterdam",
        "",
        "anouk.vandijk@portaal.test",
        "Sollicitant",
    ],
    [
        "P003",
        "Youssef",
        "Y.",
        "",
        "Benali",
        "Man",
        "02-02-1995",
        "",
        "y.benali@werk.test",
        "",
        "010 765 4321",
        "",
        "Coolsingel 40 bis",
        "3011 AD",
        "Rotterdam",
        "NL69INGB0123456789",
        "",
        "",
    ],
    [
        "P004",
        "Eline",
        "E.M.",
        "de",
        "Vries",
        "Vrouw",
        "15-06-1979",
        "",
        "",
        "e.devries@mail.test",
        "",
        "06 55556666",
        "Markt 1",
        "5611 EB",
        "Eindhoven",
        "",
        "",
        "",
    ],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    """As Excel's 'CSV UTF-8' saves a Dutch sheet: BOM, semicolons, CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def one_sheet_orders() -> list[list[str]]:
    """Profit's own import layout: every row a line, the order's fields repeated."""
    orders = {o[0]: o for o in ORDERS if not o[5]}
    return [orders[line[0]][:5] + line[1:] for line in LINES if line[0] in orders]


def migration_workbook(path: Path) -> None:
    """One workbook, one sheet per record type, in dependency order."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Organisaties"
    sheet.append(["Relatienummer"] + ORGANISATION_HEADER[:13])
    for i, row in enumerate(ORGANISATIONS, start=1):
        sheet.append([f"R{i:03d}"] + row[:13])
    sheet = book.create_sheet("Verkooprelaties")
    sheet.append(
        ["Debiteurnummer", "Relatienummer", "BTW-nummer", "Betalingsconditie", "Factuurwijze"]
    )
    for i, (debtor, vat) in enumerate(
        [("20001", "NL123456782B01"), ("20002", ""), ("20003", "NL859012347B01"), ("20004", "")],
        start=1,
    ):
        sheet.append([debtor, f"R{i:03d}", vat or None, "30", "E-mail"])
    sheet = book.create_sheet("Klantovereenkomsten")
    sheet.append(["Debiteurnummer", "Projectgroep", "Omschrijving", "Uren per week", "Startdatum"])
    for debtor, hours in (("20001", 36), ("20002", 24), ("20003", 40), ("20004", 16)):
        sheet.append([debtor, "ALG", f"Klantovereenkomst {debtor}", hours, dt.datetime(2024, 4, 1)])
    sheet = book.create_sheet("Orders")
    sheet.append(["Ordernummer", "Debiteurnummer", "Orderdatum", "Referentie", "Magazijn"])
    for number, debtor, day in (
        ("M-001", "20001", 2),
        ("M-002", "20002", 3),
        ("M-003", "20001", 4),
    ):
        sheet.append([number, debtor, dt.datetime(2024, 4, day), f"Eerste order {number}", "01"])
    sheet = book.create_sheet("Orderregels")
    sheet.append(["Ordernummer", "Soort", "Artikel", "Omschrijving", "Eenheid", "Aantal", "Prijs"])
    for row in (
        ("M-001", "2", "2040", "Koffiebonen Arabica 1 kg", "STK", 10, 18.95),
        ("M-001", "6", "D012", "Transportkosten", "*****", 1, 30),
        ("M-002", "2", "3100", "Werkbank eiken 180 cm", "STK", 1, 1249),
        ("M-003", "2", "2041", "Koffiebonen Robusta 1 kg", "STK", 5, 16.5),
    ):
        sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def main() -> None:
    write_csv(HERE / "orders" / "orders.csv", ORDER_HEADER, ORDERS)
    write_csv(HERE / "orders" / "orderregels.csv", LINE_HEADER, LINES)
    write_csv(
        HERE / "orders-one-sheet" / "orderregels.csv",
        ORDER_HEADER[:5] + LINE_HEADER[1:],
        one_sheet_orders(),
    )
    write_csv(HERE / "organisations" / "organisaties.csv", ORGANISATION_HEADER, ORGANISATIONS)
    write_csv(HERE / "organisations" / "contactpersonen.csv", CONTACT_HEADER, CONTACTS)
    write_csv(HERE / "persons" / "personen.csv", PERSON_HEADER, PERSONS)
    migration_workbook(HERE / "migration" / "migratie.xlsx")


if __name__ == "__main__":
    main()
