"""Contact details: the column types ``email``, ``phone`` and ``country``.

Normal forms and decisions
--------------------------
``email``
    Pragmatic: one @, a name before it, a domain with a dot after it, no spaces or
    ``, ; : < > ( ) [ ] \\ "``. Only the domain is lower-cased: ``Jan.Jansen@example.nl``.
``phone``
    Digits only, no spaces: national numbers as written (``0612345678``, ``0201234567``),
    international numbers with a leading + (``+31612345678``; ``0031...`` becomes ``+31...`` and
    the ``(0)`` in ``+31 (0)20 ...`` is dropped). A national number is *not* turned into ``+31``:
    a number starting with 0 may be Dutch or Belgian. 9 to 15 digits (not counting the + or 00).
``country``
    ISO 3166-1 alpha-2 in upper case, ``NL``; the 249 officially assigned codes (so not ``UK``,
    ``EL`` or ``XK``). Common names such as "Nederland" are refused with the code to use.
"""

from __future__ import annotations

import re

import pandas as pd

from importer.checks.common import ISO_COUNTRIES, Invalid, fullmatch, undecided
from importer.messages import Message

# Names people write instead of the code; only used to say which code to use.
_COUNTRY_HINTS = {
    "NEDERLAND": "NL", "HOLLAND": "NL", "NETHERLANDS": "NL", "THE NETHERLANDS": "NL", "NLD": "NL",
    "BELGIË": "BE", "BELGIE": "BE", "BELGIUM": "BE", "BELGIQUE": "BE", "BEL": "BE",
    "DUITSLAND": "DE", "GERMANY": "DE", "DEUTSCHLAND": "DE", "DEU": "DE",
    "FRANKRIJK": "FR", "FRANCE": "FR", "FRA": "FR",
    "LUXEMBURG": "LU", "LUXEMBOURG": "LU", "LUX": "LU",
    "UK": "GB", "ENGELAND": "GB", "VERENIGD KONINKRIJK": "GB", "UNITED KINGDOM": "GB", "GBR": "GB",
    "EL": "GR", "GRIEKENLAND": "GR", "GREECE": "GR",
    "SPANJE": "ES", "SPAIN": "ES", "ITALIË": "IT", "ITALIE": "IT", "ITALY": "IT",
    "OOSTENRIJK": "AT", "AUSTRIA": "AT", "ZWITSERLAND": "CH", "SWITZERLAND": "CH",
    "VERENIGDE STATEN": "US", "USA": "US",
}  # fmt: skip


# --- Email ----------------------------------------------------------------------------------

_EMAIL_CHAR = r"[^\s@,;:<>()\[\]\\\"]"
_EMAIL_LABEL = r"[^\s@,;:<>()\[\]\\\".]"
_EMAIL_RE = re.compile(
    rf"(?P<local>{_EMAIL_CHAR}+)@(?P<domain>(?:{_EMAIL_LABEL}+\.)+{_EMAIL_LABEL}{{2,}})"
)


def normalise_email(text: str) -> str:
    s = text.strip()
    if re.search(r"[<>]", s):
        raise Invalid(Message("check.email_only"))
    if s.count("@") > 1 and re.search(r"[,;\s]", s):
        raise Invalid(Message("check.email_one"))
    if re.search(r"\s", s):
        raise Invalid(Message("check.email_spaces"))
    if s.count("@") != 1:
        raise Invalid(Message("check.email_at"))
    if re.search(r"[,;:()\[\]\\\"]", s):
        raise Invalid(Message("check.email_chars"))
    if s.startswith("@"):
        raise Invalid(Message("check.email_name"))
    match = _EMAIL_RE.fullmatch(s)
    if match is None:
        raise Invalid(Message("check.email_domain"))
    return f"{match['local']}@{match['domain'].lower()}"


def fast_email(text: pd.Series) -> pd.Series:
    out = undecided(text)
    good = text[fullmatch(text, _EMAIL_RE.pattern)]
    parts = (value.rpartition("@") for value in good)
    out[good.index] = [local + "@" + domain.lower() for local, _, domain in parts]
    return out


# --- Phone ----------------------------------------------------------------------------------


def normalise_phone(text: str) -> str:
    s = text.strip()
    if not re.fullmatch(r"\+?[0-9\s\-./()]+", s):
        raise Invalid(Message("check.phone_chars"))
    plus = s.startswith("+")
    body = s[1:] if plus else s
    international = plus or re.sub(r"[^0-9]", "", body).startswith("00")
    if international:
        body = re.sub(r"\(\s*0\s*\)", "", body)  # +31 (0)20 ...: the (0) is not dialled
    digits = re.sub(r"[^0-9]", "", body)
    if international and not plus:
        digits = digits[2:]
    if not international and not digits.startswith("0"):
        if digits.startswith(("31", "32")):  # 31 6 12345678: the + was left out
            raise Invalid(Message("check.phone_plus"))
        raise Invalid(Message("check.phone_start", hint=Message("check.dropped_zero")))
    if len(digits) < 9:
        raise Invalid(Message("check.phone_short", length=len(digits)))
    if len(digits) > 15:
        raise Invalid(Message("check.phone_long", length=len(digits)))
    if not international:
        return digits
    if digits.startswith("0"):
        raise Invalid(Message("check.phone_country_zero"))
    if digits.startswith(("310", "320")):
        raise Invalid(Message("check.phone_area_zero", country=digits[:2]))
    return "+" + digits


def fast_phone(text: pd.Series) -> pd.Series:
    out = undecided(text)
    plain = text[text.str.fullmatch(r"\+?[0-9\s\-./]+")]  # no brackets: no (0) to drop
    plus = plain.str.startswith("+")
    digits = plain.str.replace(r"[^0-9]", "", regex=True)
    national = ~plus & digits.str.fullmatch(r"0[1-9][0-9]{7,13}")
    out[national[national].index] = digits[national]
    with_plus = plus & digits.str.fullmatch(r"(?!3[12]0)[1-9][0-9]{8,14}")
    out[with_plus[with_plus].index] = "+" + digits[with_plus]
    with_00 = ~plus & digits.str.fullmatch(r"00(?!3[12]0)[1-9][0-9]{8,14}")
    out[with_00[with_00].index] = "+" + digits[with_00].str.slice(2)
    return out


# --- Country --------------------------------------------------------------------------------


def normalise_country(text: str) -> str:
    s = text.strip()
    code = s.upper()
    if code in ISO_COUNTRIES:
        return code
    hint = _COUNTRY_HINTS.get(code)
    use = Message("check.country_use", code=hint, text=s) if hint else ""
    raise Invalid(Message("check.country", text=s, hint=use))


def fast_country(text: pd.Series) -> pd.Series:
    s = text.str.upper()
    return s.where(s.isin(ISO_COUNTRIES), None)
