"""Dutch and Belgian value checks: the column types ``iban``, ``kvk``, ``postcode_nl`` and so on.

Each :class:`Check` turns one cell's text into its normal form, or raises :class:`Invalid` with a
reason in plain words ("the IBAN check digits are wrong"). :func:`apply` runs a check over a
whole column: valid cells that are easy to recognise are handled in one vectorised pass; the rest
go through :attr:`Check.normalise` once per distinct value, so repeated values cost nothing.

Normal forms and decisions
--------------------------
``iban``
    Compact upper case, ``NL91ABNA0417164300``. Checked: country code, the length and layout for
    that country and the check digits (python-stdnum's IBAN registry; check digits 00, 01 and 99
    are refused, as ISO 13616 allows only 02 to 98). For Belgian, Spanish,
    Norwegian and Montenegrin IBANs the check digits of the account number inside are checked
    as well. The *bank code* is not looked up: python-stdnum's Belgian bank list is a snapshot
    and would refuse real accounts at banks it does not know (it refuses BE68539007547034).
``bic``
    Compact upper case, ``ABNANL2A`` or ``RABONL2UXXX``: 8 or 11 characters.
``vat``
    Compact upper case with the country code: ``NL000099998B57``, ``BE0403170701``. Dutch numbers
    must pass the old 11-test or, for sole proprietors since 2020, the mod-97 test (both as
    python-stdnum does). Belgian numbers written with 9 digits get the leading 0. The country code
    is required. Numbers of *other* countries are refused ("only Dutch (NL) and Belgian (BE) VAT
    numbers are checked"): accepting them unchecked would let typing errors through unnoticed.
    Use a ``text`` column for foreign VAT numbers.
``kvk``
    8 digits, leading zeros kept: ``01234567``. A 7-digit number is refused with a hint that the
    spreadsheet may have dropped a leading 0; a 12-digit number is named as a branch number.
``bsn``
    9 digits: ``111222333``; an 8-digit number gets a leading 0; must pass the 11-test.
``postcode_nl``
    ``1234AB`` (no space). Not starting with 0; the letter pairs SA, SD and SS are refused.
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
``bank_account_nl``
    Old-style Dutch account number, always 10 digits (as ERP bank-account fields such as
    ``BaAc`` take it): 9-digit bank numbers get a leading 0 and former Postbank giro numbers of 3 to
    7 digits are padded with zeros to 10, just as the banks did when they converted them to IBAN
    (giro 1234567 became ``NL.. INGB 0001234567``). 8 digits, or fewer than 3, are refused. The
    11-test is *not* applied: giro numbers and accounts opened since IBAN do not pass it.

Blank cells and missing values (None, NaN) stay missing in :func:`apply` and get no reason;
whether a value is required is checked elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum import numdb
from stdnum.be import vat as std_be_vat
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn as std_bsn
from stdnum.nl import btw as std_btw
from stdnum.nl import postcode as std_postcode
from stdnum.util import get_cc_module

from importer.messages import EN, Message


class Invalid(ValueError):
    """A value that does not pass a check; ``reason`` (a Message) says why."""

    def __init__(self, reason: Message) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return str(self.reason)


@dataclass(frozen=True)
class Check:
    """One column type: its name in mapping files, what it expects, and how it normalises."""

    name: str
    expects: str
    normalise: Callable[[str], str]


# ISO 3166-1 alpha-2: the 249 officially assigned codes.
ISO_COUNTRIES: frozenset[str] = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
})  # fmt: skip

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

_SEPARATORS = re.compile(r"[\s.\-]+")  # spaces (any kind), dots and dashes between the characters
_SPACES_DASHES = re.compile(r"[\s\-]+")


def _compact(text: str) -> str:
    return _SEPARATORS.sub("", text).upper()


def _vectorised_compact(text: pd.Series) -> pd.Series:
    return _each(text, lambda v: _removed(_SEPARATORS, v).upper())


def _removed(separators: re.Pattern[str], text: str) -> str:
    """``separators.sub("", text)``, searching only text that has more than letters, digits and
    spaces (a regex call costs ten times as much as ``str.isalnum``); ``separators`` matches
    characters that are neither letters nor digits, spaces among them."""
    if text.isalnum():
        return text
    text = text.replace(" ", "")
    return text if text.isalnum() else separators.sub("", text)


# The vectorised passes get text only, never a missing value: a plain loop over the values is
# half the cost of pandas' .str methods (which look for missing values and wrap each call).


def _each(text: pd.Series, change: Callable[[str], str]) -> pd.Series:
    """``change`` applied to every value of a Series of text."""
    return pd.Series([change(v) for v in text], index=text.index, dtype=object)


def _fullmatch(text: pd.Series, pattern: str) -> np.ndarray:
    """Which values of a Series of text match ``pattern`` as a whole (a boolean array)."""
    match = re.compile(pattern).fullmatch
    return np.array([match(v) is not None for v in text], dtype=bool)


# A character's value (0-9 for digits, 10-35 for A-Z) and 10 ** its number of digits, by byte.
_CHAR_VALUE = np.zeros(256, dtype=np.int64)
_CHAR_VALUE[ord("0") : ord("9") + 1] = range(10)
_CHAR_VALUE[ord("A") : ord("Z") + 1] = range(10, 36)
_CHAR_SHIFT = np.where(np.arange(256) >= ord("A"), 100, 10)


def _mod97(texts: pd.Series, length: int, start: int = 0) -> np.ndarray:
    """The ISO 7064 mod 97-10 remainder of each text, all at once.

    Every text has ``length`` characters, each a digit or a letter A-Z, read from position
    ``start`` to the end and then from the beginning (an IBAN's first four characters count
    last), as ``int(text.translate(_LETTER_VALUES)) % 97`` reads one text: the remainder is
    carried along the characters, a column of all texts at a time.
    """
    codes = np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint8).reshape(-1, length)
    codes = np.roll(codes, -start, axis=1).T  # a row per position
    values, shifts = _CHAR_VALUE[codes], _CHAR_SHIFT[codes]
    remainder = np.zeros(codes.shape[1], dtype=np.int64)
    for value, shift in zip(values, shifts, strict=True):
        remainder = (remainder * shift + value) % 97
    return remainder


def _undecided(text: pd.Series) -> pd.Series:
    return pd.Series(None, index=text.index, dtype=object)


# --- IBAN -----------------------------------------------------------------------------------


def _iban_layouts() -> dict[str, str]:
    """Country code -> BBAN layout (such as ``4!a10!n``) from python-stdnum's IBAN registry."""
    layouts = {}
    for length, low, high, props, _children in numdb.get("iban").prefixes:
        if length == 2 and low == high and props.get("bban"):
            layouts[low] = props["bban"]
    return layouts


def _iban_names() -> dict[str, str]:
    names = {}
    for length, low, high, props, _children in numdb.get("iban").prefixes:
        if length == 2 and low == high and props.get("country"):
            name = props["country"].split(",")[0]
            if name.endswith(" (The)"):
                name = "the " + name[: -len(" (The)")]
            names[low] = name
    return names


_IBAN_LAYOUT = _iban_layouts()
_IBAN_NAME = _iban_names()
_LAYOUT_PART = re.compile(r"([1-9][0-9]*)!([nac])")
_LAYOUT_CHARS = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
_LAYOUT_WORDS = {"n": "check.n_digits", "a": "check.n_letters", "c": "check.n_characters"}


def _iban_regex(layout: str) -> re.Pattern[str]:
    parts = "".join(f"{_LAYOUT_CHARS[kind]}{{{n}}}" for n, kind in _LAYOUT_PART.findall(layout))
    return re.compile(parts)


def _iban_length(layout: str) -> int:
    return 4 + sum(int(n) for n, _ in _LAYOUT_PART.findall(layout))


def _iban_shape(layout: str) -> list[Message]:
    """``4!a10!n`` -> ["4 letters", "10 digits"]; neighbours of one kind are taken together."""
    merged: list[list] = []
    for n, kind in _LAYOUT_PART.findall(layout):
        if merged and merged[-1][1] == kind:
            merged[-1][0] += int(n)
        else:
            merged.append([int(n), kind])
    return [Message(_LAYOUT_WORDS[kind], n=n) for n, kind in merged]


def _iban_subject(cc: str) -> Message:
    """'a Dutch IBAN', 'an Austrian IBAN', 'an IBAN from Greece' (the name python-stdnum
    gives, in English: it has no other)."""
    code = f"check.iban_of.{cc}"
    if code in EN:
        return Message(code)
    return Message("check.iban_from", country=_IBAN_NAME.get(cc, cc))


def _listing(parts: list[Message | str]) -> tuple[Message | str, ...]:
    """``a, b and c`` as a tuple that renders in the message's language."""
    if len(parts) == 1:
        return (parts[0],)
    out: list[Message | str] = []
    for part in parts[:-1]:
        out += [part, ", "]
    return (*out[:-1], Message("word.and"), parts[-1])


_IBAN_BBAN_RE = {cc: _iban_regex(layout) for cc, layout in _IBAN_LAYOUT.items()}
# Check digits run from 02 to 98 (ISO 13616); 01 and 99 would pass the mod-97 test by accident.
_IBAN_FULL_RE = {
    cc: f"{cc}(?!0[01]|99)[0-9]{{2}}{regex.pattern}" for cc, regex in _IBAN_BBAN_RE.items()
}
# A -> 10, B -> 11, ... Z -> 35, as the ISO 7064 mod 97-10 check reads letters.
_LETTER_VALUES = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})
_IBAN_COUNTRY_MODULES: dict[str, Any] = {}


def _iban_country_module(cc: str) -> Any:
    """python-stdnum's extra checks for IBANs of this country (BE, ES, NO, ME), or None."""
    if cc not in _IBAN_COUNTRY_MODULES:
        _IBAN_COUNTRY_MODULES[cc] = get_cc_module(cc.lower(), "iban")
    return _IBAN_COUNTRY_MODULES[cc]


def _be_account_ok(compact: str) -> bool:
    """The Belgian account number's own check digits (the last two), as stdnum.be.iban."""
    return (int(compact[4:-2]) % 97 or 97) == int(compact[-2:])


def normalise_iban(text: str) -> str:
    s = _compact(text)
    if not re.fullmatch(r"[A-Z0-9]+", s):
        raise Invalid(Message("check.iban_chars"))
    if not re.fullmatch(r"[A-Z]{2}.*", s):
        if re.fullmatch(r"[0-9]{3,10}", s):
            raise Invalid(Message("check.iban_old_account"))
        raise Invalid(Message("check.iban_start"))
    cc = s[:2]
    layout = _IBAN_LAYOUT.get(cc)
    if layout is None:
        raise Invalid(Message("check.iban_country", code=cc))
    subject = _iban_subject(cc)
    expected = _iban_length(layout)
    if len(s) != expected:
        raise Invalid(
            Message("check.iban_length", subject=subject, expected=expected, length=len(s))
        )
    parts = _listing([cc, Message("check.check_digits"), *_iban_shape(layout)])
    shape = Message("check.iban_shape", subject=subject, parts=parts)
    if not (s[2:4].isdigit() and _IBAN_BBAN_RE[cc].fullmatch(s[4:])):
        raise Invalid(shape)
    if s[2:4] in ("00", "01", "99"):
        raise Invalid(Message("check.iban_check"))
    try:
        std_iban.validate(s, check_country=False)
    except InvalidChecksum:
        raise Invalid(Message("check.iban_check")) from None
    except ValidationError:
        raise Invalid(shape) from None
    module = _iban_country_module(cc)
    if module is not None:
        try:
            module.validate(s)
        except InvalidChecksum:
            raise Invalid(Message("check.iban_account")) from None
        except ValidationError:
            pass  # an unknown bank code: stdnum's bank lists are snapshots; do not refuse
    return s


def _fast_iban(text: pd.Series) -> pd.Series:
    s = _vectorised_compact(text)
    out = _undecided(text)
    cc = _each(s, lambda v: v[:2])
    for code in cc.unique():
        if code not in _IBAN_FULL_RE or (code != "BE" and _iban_country_module(code) is not None):
            continue
        group = s[cc == code]
        group = group[_fullmatch(group, _IBAN_FULL_RE[code])]
        # ISO 7064 mod 97-10 with the first four characters moved to the end: 1 when valid
        ok = _mod97(group, _iban_length(_IBAN_LAYOUT[code]), start=4) == 1
        if code == "BE":
            ok &= np.array([_be_account_ok(x) for x in group], dtype=bool)
        out[group.index[ok]] = group[ok]
    return out


# --- BIC ------------------------------------------------------------------------------------

_BIC_COUNTRIES = ISO_COUNTRIES | {"XK"}  # SWIFT also uses XK for Kosovo
_BIC_RE = r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"


def normalise_bic(text: str) -> str:
    s = _SPACES_DASHES.sub("", text).upper()
    if not re.fullmatch(r"[A-Z0-9]+", s):
        raise Invalid(Message("check.bic_chars"))
    if len(s) not in (8, 11):
        raise Invalid(Message("check.bic_length", length=len(s)))
    if not re.fullmatch(_BIC_RE, s):
        raise Invalid(Message("check.bic_form"))
    if s[4:6] not in _BIC_COUNTRIES:
        raise Invalid(Message("check.bic_country", code=s[4:6]))
    try:
        return std_bic.validate(s)
    except ValidationError:
        raise Invalid(Message("check.bic_form")) from None


def _fast_bic(text: pd.Series) -> pd.Series:
    s = text.str.replace(_SPACES_DASHES.pattern, "", regex=True).str.upper()
    ok = s.str.fullmatch(_BIC_RE) & s.str.slice(4, 6).isin(_BIC_COUNTRIES)
    return s.where(ok, None)


# --- VAT ------------------------------------------------------------------------------------

_NL_VAT_FORM = Message("check.vat_nl_form")
_BE_VAT_FORM = Message("check.vat_be_form")


def normalise_vat(text: str) -> str:
    s = _compact(text)
    if not re.fullmatch(r"[A-Z0-9]+", s):
        raise Invalid(Message("check.vat_chars"))
    if s.startswith("NL"):
        if not re.fullmatch(r"NL[0-9]{9}B[0-9]{2}", s):
            raise Invalid(_NL_VAT_FORM)
        if s[2:11] == "000000000":
            raise Invalid(Message("check.vat_nl_zeros"))
        if s[-2:] == "00":
            raise Invalid(Message("check.vat_nl_00"))
        try:
            return "NL" + std_btw.validate(s)
        except InvalidChecksum:
            raise Invalid(Message("check.vat_nl_check")) from None
        except ValidationError:
            raise Invalid(_NL_VAT_FORM) from None
    if s.startswith("BE"):
        if not re.fullmatch(r"BE[01]?[0-9]{9}", s):
            raise Invalid(_BE_VAT_FORM)
        try:
            return "BE" + std_be_vat.validate(s)
        except InvalidChecksum:
            raise Invalid(Message("check.vat_be_check")) from None
        except ValidationError:
            raise Invalid(_BE_VAT_FORM) from None
    if re.fullmatch(r"[0-9]{9}B[0-9]{2}", s):
        raise Invalid(Message("check.vat_nl_prefix"))
    if re.fullmatch(r"[A-Z]{2}.*[0-9].*", s):
        raise Invalid(Message("check.vat_other", code=s[:2]))
    raise Invalid(Message("check.vat_country"))


_ELEVEN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)


def _passes_eleven_test(nine_digits: pd.Series) -> np.ndarray:
    """The BSN 11-test over a Series of 9-digit ASCII strings, all at once."""
    raw = "".join(nine_digits).encode("ascii")
    digits = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 9).astype(np.int64) - ord("0")
    return (digits @ _ELEVEN_WEIGHTS) % 11 == 0


def _fast_vat(text: pd.Series) -> pd.Series:
    s = _vectorised_compact(text)
    out = _undecided(text)
    is_nl = _fullmatch(s, r"NL(?!0{9})[0-9]{9}B(?!00)[0-9]{2}")
    nl = s[is_nl]
    # the old 11-test, or the newer check (since 2020): ISO 7064 mod 97-10 over all 14
    # characters, NL included
    ok = _passes_eleven_test(_each(nl, lambda v: v[2:11])) | (_mod97(nl, 14) == 1)
    out[nl.index[ok]] = nl[ok]
    others = s[~is_nl]
    be = others[_fullmatch(others, r"BE[01][0-9]{9}") & (others != "BE0000000000").to_numpy()]
    ok = (
        be.str.slice(2, 10).astype("int64") + be.str.slice(10, 12).astype("int64")
    ).to_numpy() % 97 == 0
    out[be.index[ok]] = be[ok]
    return out


# --- KvK, BSN -------------------------------------------------------------------------------


def normalise_kvk(text: str) -> str:
    s = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"[0-9]+", s):
        raise Invalid(Message("check.kvk_digits"))
    if len(s) == 12:
        raise Invalid(Message("check.kvk_branch"))
    if len(s) != 8:
        hint = Message("check.dropped_zero") if len(s) == 7 else ""
        raise Invalid(Message("check.kvk_length", length=len(s), hint=hint))
    if s == "00000000":
        raise Invalid(Message("check.kvk_zeros"))
    return s


def _fast_kvk(text: pd.Series) -> pd.Series:
    s = _each(text, lambda v: _removed(_SEPARATORS, v))
    return s.where(_fullmatch(s, r"(?!0{8})[0-9]{8}"), None)


def normalise_bsn(text: str) -> str:
    s = _SEPARATORS.sub("", text)
    if not re.fullmatch(r"[0-9]+", s):
        raise Invalid(Message("check.bsn_digits"))
    if len(s) == 8:
        s = "0" + s  # the leading 0 is often left out
    elif len(s) != 9:
        hint = Message("check.dropped_zero") if len(s) == 7 else ""
        raise Invalid(Message("check.bsn_length", length=len(s), hint=hint))
    if s == "000000000":
        raise Invalid(Message("check.bsn_zeros"))
    try:
        return std_bsn.validate(s)
    except ValidationError:
        raise Invalid(Message("check.bsn_test")) from None


def _fast_bsn(text: pd.Series) -> pd.Series:
    s = text.str.replace(_SEPARATORS.pattern, "", regex=True)
    s = s[s.str.fullmatch(r"[0-9]{8,9}")].str.zfill(9)
    s = s[s != "000000000"]
    out = _undecided(text)
    ok = _passes_eleven_test(s)
    out[s.index[ok]] = s[ok]
    return out


# --- Postcode -------------------------------------------------------------------------------

_POSTCODE_RE = r"[1-9][0-9]{3}(?!SA|SD|SS)[A-Z]{2}"


def normalise_postcode_nl(text: str) -> str:
    s = _SPACES_DASHES.sub("", text).upper()
    if re.fullmatch(r"NL[0-9]{4}[A-Z]{2}", s):
        s = s[2:]  # NL-1234 AB, as on letters to the Netherlands from abroad
    if not re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", s):
        raise Invalid(Message("check.postcode_form"))
    try:
        return std_postcode.validate(s).replace(" ", "")
    except ValidationError:
        raise Invalid(Message("check.postcode_letters")) from None


def _fast_postcode_nl(text: pd.Series) -> pd.Series:
    s = _each(text, lambda v: _removed(_SPACES_DASHES, v).upper())
    return s.where(_fullmatch(s, _POSTCODE_RE), None)


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


def _fast_email(text: pd.Series) -> pd.Series:
    out = _undecided(text)
    good = text[_fullmatch(text, _EMAIL_RE.pattern)]
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


def _fast_phone(text: pd.Series) -> pd.Series:
    out = _undecided(text)
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


def _fast_country(text: pd.Series) -> pd.Series:
    s = text.str.upper()
    return s.where(s.isin(ISO_COUNTRIES), None)


# --- Old Dutch bank account number ----------------------------------------------------------


def normalise_bank_account_nl(text: str) -> str:
    s = _SEPARATORS.sub("", text)
    if re.fullmatch(r"[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]+", s):
        raise Invalid(Message("check.account_iban"))
    if not re.fullmatch(r"[0-9]+", s):
        raise Invalid(Message("check.account_digits"))
    if not (3 <= len(s) <= 7 or len(s) in (9, 10)):
        raise Invalid(Message("check.account_length", length=len(s)))
    if not s.strip("0"):
        raise Invalid(Message("check.account_zeros"))
    return s.zfill(10)  # always 10 positions, like the account part of an IBAN


def _fast_bank_account_nl(text: pd.Series) -> pd.Series:
    s = text.str.replace(_SEPARATORS.pattern, "", regex=True)
    ok = s.str.fullmatch(r"(?!0+$)(?:[0-9]{3,7}|[0-9]{9,10})")
    return s.where(ok, None).str.zfill(10)


# --- Registry and apply ---------------------------------------------------------------------


def _guarded(normalise: Callable[[str], str]) -> Callable[[str], str]:
    """Trim the text first; an empty text is not a value."""

    def run(text: str) -> str:
        text = text.strip()
        if not text:
            raise Invalid(Message("check.no_value"))
        return normalise(text)

    run.__name__ = normalise.__name__
    run.__doc__ = normalise.__doc__
    return run


CHECKS: dict[str, Check] = {
    check.name: check
    for check in (
        Check("iban", "an IBAN such as NL91ABNA0417164300", _guarded(normalise_iban)),
        Check("bic", "a BIC (SWIFT code) such as ABNANL2A", _guarded(normalise_bic)),
        Check(
            "vat",
            "a Dutch or Belgian VAT number such as NL000099998B57 or BE0403170701",
            _guarded(normalise_vat),
        ),
        Check("kvk", "a KvK number of 8 digits, such as 12345678", _guarded(normalise_kvk)),
        Check("bsn", "a BSN of 9 digits, such as 111222333", _guarded(normalise_bsn)),
        Check("postcode_nl", "a Dutch postcode such as 1234 AB", _guarded(normalise_postcode_nl)),
        Check("email", "an email address such as jan@example.nl", _guarded(normalise_email)),
        Check(
            "phone",
            "a phone number such as 020 123 4567, 06 12345678 or +31 6 12345678",
            _guarded(normalise_phone),
        ),
        Check("country", "a country code such as NL or BE", _guarded(normalise_country)),
        Check(
            "bank_account_nl",
            "an old-style Dutch bank account number such as 417164300 (not an IBAN)",
            _guarded(normalise_bank_account_nl),
        ),
    )
}

# Vectorised passes: given trimmed, non-empty text (RangeIndex), the normal form of every value
# that is certainly valid and None for the rest, which then goes through Check.normalise.
# Each must agree exactly with its Check.normalise (tests/test_checks.py compares them).
_FAST: dict[str, Callable[[pd.Series], pd.Series]] = {
    "iban": _fast_iban,
    "bic": _fast_bic,
    "vat": _fast_vat,
    "kvk": _fast_kvk,
    "bsn": _fast_bsn,
    "postcode_nl": _fast_postcode_nl,
    "email": _fast_email,
    "phone": _fast_phone,
    "country": _fast_country,
    "bank_account_nl": _fast_bank_account_nl,
}


def apply(name: str, values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(normalised values, reasons) for a Series of text.

    Missing values (None/NaN) stay missing and get no reason; blank text counts as missing.
    reasons holds None where valid, else the reason (a Message). Both Series keep the index and
    name of ``values``; the normalised value is None where the value is missing or invalid.
    """
    if name not in CHECKS:
        raise KeyError(f"no check named {name!r}; known checks: {', '.join(CHECKS)}")
    check = CHECKS[name]
    raw = values.to_numpy(dtype=object)
    normalised = np.full(len(raw), None, dtype=object)
    reasons = np.full(len(raw), None, dtype=object)

    positions = np.flatnonzero(~pd.isna(raw))
    # as text, trimmed: a plain loop (pandas' .astype(str).str.strip() takes three times as long)
    text = np.array([str(v).strip() for v in raw[positions]], dtype=object)
    filled = text != ""
    positions, text = positions[filled], text[filled]

    # Each distinct text is checked once: first the vectorised pass, then one by one.
    codes, distinct = pd.factorize(text)
    distinct = pd.Series(distinct, dtype=object)
    done = _FAST[name](distinct) if name in _FAST else _undecided(distinct)
    distinct_normalised = done.to_numpy(dtype=object, copy=True)
    distinct_reasons = np.full(len(distinct), None, dtype=object)
    for i in np.flatnonzero(done.isna().to_numpy()):
        try:
            distinct_normalised[i] = check.normalise(distinct[i])
        except Invalid as invalid:
            distinct_normalised[i] = None
            distinct_reasons[i] = invalid.reason
    normalised[positions] = distinct_normalised[codes]
    reasons[positions] = distinct_reasons[codes]

    return (
        pd.Series(normalised, index=values.index, name=values.name, dtype=object),
        pd.Series(reasons, index=values.index, name=values.name, dtype=object),
    )
