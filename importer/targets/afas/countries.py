"""AFAS Profit's country codes (the ``CoId`` of addresses and bank accounts), by ISO code.

Profit ships its own country table ("Landen"), maintained by AFAS; its codes are not ISO 3166
codes: most are the international vehicle registration codes (``B`` Belgium, ``D`` Germany,
``F`` France, ``USA``). AFAS publishes no list of them: the KnOrganisation/KnPerson field
descriptions (``CoId``, string of 3) give no allowed values. This table is the one the
PracticalAfas library (github.com/rmuit/PracticalAfas, ``IsoCountryTrait``) states was taken
from AFAS's documentation (about 2012), checked by its author for Europe. Countries missing
here (Montenegro, Curaçao, South Sudan, ...) have no known code: a mapping declares the codes of
its environment under ``country_codes`` (ISO code: Profit's code), which also overrides these.

The AFAS sandbox keeps its own statement of these codes (``importer.sandbox.afas_countries``);
``tests/test_rules_agree.py`` checks that the two agree.
"""

from __future__ import annotations

from importer.checks.countries import CountryCodes

SOURCE = (
    "AFAS Profit's country table as stated by PracticalAfas (github.com/rmuit/PracticalAfas, "
    "src/UpdateConnector/IsoCountryTrait.php); AFAS publishes no list"
)

# ISO 3166-1 alpha-2: Profit's code (where they differ, the code is the vehicle registration code)
PROFIT_CODES: dict[str, str] = {
    "AD": "AND", "AE": "AE", "AF": "AFG", "AG": "AG", "AI": "AIA", "AL": "AL", "AM": "AM",
    "AO": "AO", "AR": "RA", "AS": "ASM", "AT": "A", "AU": "AUS", "AZ": "AZ", "BA": "BA",
    "BB": "BDS", "BD": "BD", "BE": "B", "BF": "BU", "BG": "BG", "BH": "BRN", "BI": "RU",
    "BJ": "DY", "BM": "BM", "BN": "BRU", "BO": "BOL", "BR": "BR", "BS": "BS", "BT": "BT",
    "BW": "RB", "BY": "BY", "BZ": "BH", "CA": "CDN", "CF": "RCA", "CG": "RCB", "CH": "CH",
    "CI": "CI", "CL": "RCH", "CM": "TC", "CN": "CN", "CO": "CO", "CR": "CR", "CU": "C",
    "CV": "CV", "CY": "CY", "CZ": "CZ", "DE": "D", "DJ": "DJI", "DK": "DK", "DM": "WD",
    "DO": "DOM", "DZ": "DZ", "EC": "EC", "EE": "EE", "EG": "ET", "EH": "ESH", "ER": "ERI",
    "ES": "E", "ET": "ETH", "FI": "FIN", "FJ": "FJI", "FK": "FLK", "FM": "MIC", "FO": "FRO",
    "FR": "F", "GA": "GA", "GB": "GB", "GD": "WG", "GE": "GE", "GF": "GF", "GH": "GH",
    "GI": "GIB", "GL": "GRO", "GM": "WAG", "GN": "GN", "GP": "GP", "GQ": "CQ", "GR": "GR",
    "GS": "GS", "GT": "GCA", "GU": "GUM", "GW": "GW", "GY": "GUY", "HK": "HK", "HM": "HMD",
    "HN": "HON", "HR": "HR", "HT": "RH", "HU": "H", "ID": "RI", "IE": "IRL", "IL": "IL",
    "IN": "IND", "IQ": "IRQ", "IR": "IR", "IS": "IS", "IT": "I", "JM": "JA", "JO": "HKJ",
    "JP": "J", "KE": "EAK", "KG": "KG", "KH": "K", "KI": "KIR", "KM": "KM", "KN": "KN",
    "KP": "KO", "KR": "ROK", "KW": "KWT", "KZ": "KZ", "LA": "LAO", "LB": "RL", "LC": "WL",
    "LI": "FL", "LK": "CL", "LR": "LB", "LS": "LS", "LT": "LT", "LU": "L", "LV": "LV",
    "LY": "LAR", "MA": "MA", "MC": "MC", "MD": "MD", "MG": "RM", "MH": "MAR", "MK": "MK",
    "ML": "RMM", "MM": "BUR", "MN": "MON", "MO": "MO", "MP": "MNP", "MQ": "MQ", "MR": "RIM",
    "MS": "MSR", "MT": "M", "MU": "MS", "MV": "MV", "MW": "MW", "MX": "MEX", "MY": "MAL",
    "MZ": "MOC", "NA": "SWA", "NC": "NCL", "NE": "RN", "NF": "NFK", "NG": "WAN", "NI": "NIC",
    "NL": "NL", "NO": "N", "NP": "NPL", "NR": "NR", "NU": "NIU", "NZ": "NZ", "OM": "OMA",
    "PA": "PA", "PE": "PE", "PF": "PYF", "PG": "PNG", "PH": "RP", "PK": "PK", "PL": "PL",
    "PM": "SPM", "PN": "PCN", "PR": "PR", "PS": "PSE", "PT": "P", "PW": "PLW", "PY": "PY",
    "QA": "QA", "RE": "REU", "RO": "RO", "RS": "SRB", "RU": "RUS", "RW": "RWA", "SA": "AS",
    "SB": "SB", "SC": "SY", "SD": "SUD", "SE": "S", "SG": "SGP", "SH": "SHN", "SI": "SLO",
    "SJ": "SJM", "SK": "SK", "SL": "WAL", "SM": "RSM", "SN": "SN", "SO": "SP", "SR": "SME",
    "ST": "ST", "SV": "EL", "SY": "SYR", "SZ": "SD", "TC": "TCA", "TD": "TD", "TF": "ATF",
    "TG": "TG", "TH": "T", "TJ": "TAD", "TK": "TK", "TL": "TLS", "TM": "TMN", "TN": "TN",
    "TO": "TO", "TR": "TR", "TT": "TT", "TV": "TV", "TW": "RC", "TZ": "EAT", "UA": "UA",
    "UG": "EAU", "UM": "UMI", "US": "USA", "UY": "ROU", "UZ": "OEZ", "VA": "VAT", "VC": "WV",
    "VE": "YV", "VG": "VGB", "VI": "VIR", "VN": "VN", "VU": "VU", "WF": "WLF", "WS": "WSM",
    "YE": "YMN", "YT": "MYT", "ZA": "ZA", "ZM": "Z", "ZW": "ZW",
}  # fmt: skip

COUNTRY_CODES = CountryCodes(PROFIT_CODES, SOURCE)
