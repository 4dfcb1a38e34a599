"""Dutch and Belgian registrations: the column types ``vat``, ``kvk``, ``bsn`` and
``postcode_nl``.

Normal forms and decisions
--------------------------
``vat``
    Compact upper case with the country code: ``NL000099998B57``, ``BE0403170701``. Dutch numbers
    must pass the old 11-test or, for sole proprietors since 2020, the mod-97 test (both as
    python-stdnum does). Belgian numbers written with 9 digits get the leading 0. The country code
    is required. Numbers of the other EU countries (and XI, Northern Ireland) are checked by
    python-stdnum's ``stdnum.eu.vat`` (form and check digits) and written compact, as it does
    (Greece ``EL``). Other prefixes are refused: use a ``text`` column for non-EU numbers.
``kvk``
    8 digits, leading zeros kept: ``01234567``. A 7-digit number is refused with a hint that the
    spreadsheet may have dropped a leading 0; a 12-digit number is named as a branch number.
``bsn``
    9 digits: ``111222333``; an 8-digit number gets a leading 0; must pass the 11-test.
``postcode_nl``
    ``1234AB`` (no space). Not starting with 0; the letter pairs SA, SD and SS are refused.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from stdnum.be import vat as std_be_vat
from stdnum.eu import vat as std_eu_vat
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.nl import bsn as std_bsn
from stdnum.nl import btw as std_btw
from stdnum.nl import postcode as std_postcode

from importer.checks.common import (
    SEPARATORS,
    SPACES_DASHES,
    Invalid,
    compact,
    each,
    fullmatch,
    mod97,
    removed,
    undecided,
    vectorised_compact,
)
from importer.messages import Message

# --- VAT ------------------------------------------------------------------------------------

_NL_VAT_FORM = Message("check.vat_nl_form")
_BE_VAT_FORM = Message("check.vat_be_form")


def normalise_vat(text: str) -> str:
    s = compact(text)
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
    if s[:2].lower() in std_eu_vat.MEMBER_STATES or s.startswith("EL"):
        try:
            return std_eu_vat.validate(s)
        except InvalidChecksum:
            raise Invalid(Message("check.vat_eu_check", code=s[:2])) from None
        except ValidationError:
            raise Invalid(Message("check.vat_eu_form", code=s[:2])) from None
    if re.fullmatch(r"[A-Z]{2}.*[0-9].*", s):
        raise Invalid(Message("check.vat_other", code=s[:2]))
    raise Invalid(Message("check.vat_country"))


_ELEVEN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1], dtype=np.int64)


def _passes_eleven_test(nine_digits: pd.Series) -> np.ndarray:
    """The BSN 11-test over a Series of 9-digit ASCII strings, all at once."""
    raw = "".join(nine_digits).encode("ascii")
    digits = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 9).astype(np.int64) - ord("0")
    return (digits @ _ELEVEN_WEIGHTS) % 11 == 0


def fast_vat(text: pd.Series) -> pd.Series:
    s = vectorised_compact(text)
    out = undecided(text)
    is_nl = fullmatch(s, r"NL(?!0{9})[0-9]{9}B(?!00)[0-9]{2}")
    nl = s[is_nl]
    # the old 11-test, or the newer check (since 2020): ISO 7064 mod 97-10 over all 14
    # characters, NL included
    ok = _passes_eleven_test(each(nl, lambda v: v[2:11])) | (mod97(nl, 14) == 1)
    out[nl.index[ok]] = nl[ok]
    others = s[~is_nl]
    be = others[fullmatch(others, r"BE[01][0-9]{9}") & (others != "BE0000000000").to_numpy()]
    ok = (
        be.str.slice(2, 10).astype("int64") + be.str.slice(10, 12).astype("int64")
    ).to_numpy() % 97 == 0
    out[be.index[ok]] = be[ok]
    return out


# --- KvK, BSN -------------------------------------------------------------------------------


def normalise_kvk(text: str) -> str:
    s = SEPARATORS.sub("", text)
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


def fast_kvk(text: pd.Series) -> pd.Series:
    s = each(text, lambda v: removed(SEPARATORS, v))
    return s.where(fullmatch(s, r"(?!0{8})[0-9]{8}"), None)


def normalise_bsn(text: str) -> str:
    s = SEPARATORS.sub("", text)
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


def fast_bsn(text: pd.Series) -> pd.Series:
    s = text.str.replace(SEPARATORS.pattern, "", regex=True)
    s = s[s.str.fullmatch(r"[0-9]{8,9}")].str.zfill(9)
    s = s[s != "000000000"]
    out = undecided(text)
    ok = _passes_eleven_test(s)
    out[s.index[ok]] = s[ok]
    return out


# --- Postcode -------------------------------------------------------------------------------

_POSTCODE_RE = r"[1-9][0-9]{3}(?!SA|SD|SS)[A-Z]{2}"


def normalise_postcode_nl(text: str) -> str:
    s = SPACES_DASHES.sub("", text).upper()
    if re.fullmatch(r"NL[0-9]{4}[A-Z]{2}", s):
        s = s[2:]  # NL-1234 AB, as on letters to the Netherlands from abroad
    if not re.fullmatch(r"[1-9][0-9]{3}[A-Z]{2}", s):
        raise Invalid(Message("check.postcode_form"))
    try:
        return std_postcode.validate(s).replace(" ", "")
    except ValidationError:
        raise Invalid(Message("check.postcode_letters")) from None


def fast_postcode_nl(text: pd.Series) -> pd.Series:
    s = each(text, lambda v: removed(SPACES_DASHES, v).upper())
    return s.where(fullmatch(s, _POSTCODE_RE), None)
