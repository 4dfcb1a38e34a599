"""The country codes the sandbox's Profit knows (``CoId``), in its own words.

Profit's country table is AFAS's own (``B`` Belgium, ``D`` Germany, ``USA``; not ISO 3166). AFAS
publishes no list; these are the codes the PracticalAfas library (github.com/rmuit/PracticalAfas)
states were taken from AFAS's documentation. The sandbox refuses any other ``CoId`` unless told
the environment's table (``importer sandbox --codes``). This statement is kept apart from the
client's table (``importer.targets.afas.countries``); a test checks that they agree.
"""

from __future__ import annotations

PROFIT_COUNTRIES: frozenset[str] = frozenset({
    "A", "AE", "AFG", "AG", "AIA", "AL", "AM", "AND", "AO", "AS", "ASM", "ATF", "AUS", "AZ",
    "B", "BA", "BD", "BDS", "BG", "BH", "BM", "BOL", "BR", "BRN", "BRU", "BS", "BT", "BU",
    "BUR", "BY", "C", "CDN", "CH", "CI", "CL", "CN", "CO", "CQ", "CR", "CV", "CY", "CZ", "D",
    "DJI", "DK", "DOM", "DY", "DZ", "E", "EAK", "EAT", "EAU", "EC", "EE", "EL", "ERI", "ESH",
    "ET", "ETH", "F", "FIN", "FJI", "FL", "FLK", "FRO", "GA", "GB", "GCA", "GE", "GF", "GH",
    "GIB", "GN", "GP", "GR", "GRO", "GS", "GUM", "GUY", "GW", "H", "HK", "HKJ", "HMD", "HON",
    "HR", "I", "IL", "IND", "IR", "IRL", "IRQ", "IS", "J", "JA", "K", "KG", "KIR", "KM", "KN",
    "KO", "KWT", "KZ", "L", "LAO", "LAR", "LB", "LS", "LT", "LV", "M", "MA", "MAL", "MAR", "MC",
    "MD", "MEX", "MIC", "MK", "MNP", "MO", "MOC", "MON", "MQ", "MS", "MSR", "MV", "MW", "MYT",
    "N", "NCL", "NFK", "NIC", "NIU", "NL", "NPL", "NR", "NZ", "OEZ", "OMA", "P", "PA", "PCN",
    "PE", "PK", "PL", "PLW", "PNG", "PR", "PSE", "PY", "PYF", "QA", "RA", "RB", "RC", "RCA",
    "RCB", "RCH", "REU", "RH", "RI", "RIM", "RL", "RM", "RMM", "RN", "RO", "ROK", "ROU", "RP",
    "RSM", "RU", "RUS", "RWA", "S", "SB", "SD", "SGP", "SHN", "SJM", "SK", "SLO", "SME", "SN",
    "SP", "SPM", "SRB", "ST", "SUD", "SWA", "SY", "SYR", "T", "TAD", "TC", "TCA", "TD", "TG",
    "TK", "TLS", "TMN", "TN", "TO", "TR", "TT", "TV", "UA", "UMI", "USA", "VAT", "VGB", "VIR",
    "VN", "VU", "WAG", "WAL", "WAN", "WD", "WG", "WL", "WLF", "WSM", "WV", "YMN", "YV", "Z",
    "ZA", "ZW",
})  # fmt: skip
