"""Bank details: the column types ``iban``, ``bic`` and ``bank_account_nl``.

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
``bank_account_nl``
    Old-style Dutch account number, always 10 digits (as ERP bank-account fields such as
    ``BaAc`` take it): 9-digit bank numbers get a leading 0 and former Postbank giro numbers of 3 to
    7 digits are padded with zeros to 10, just as the banks did when they converted them to IBAN
    (giro 1234567 became ``NL.. INGB 0001234567``). 8 digits, or fewer than 3, are refused. The
    11-test is *not* applied: giro numbers and accounts opened since IBAN do not pass it.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum import numdb
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.util import get_cc_module

from importer.checks.common import (
    ISO_COUNTRIES,
    SEPARATORS,
    SPACES_DASHES,
    Invalid,
    compact,
    each,
    fullmatch,
    mod97,
    undecided,
    vectorised_compact,
)
from importer.messages import EN, Message

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
    s = compact(text)
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


def fast_iban(text: pd.Series) -> pd.Series:
    s = vectorised_compact(text)
    out = undecided(text)
    cc = each(s, lambda v: v[:2])
    for code in cc.unique():
        if code not in _IBAN_FULL_RE or (code != "BE" and _iban_country_module(code) is not None):
            continue
        group = s[cc == code]
        group = group[fullmatch(group, _IBAN_FULL_RE[code])]
        # ISO 7064 mod 97-10 with the first four characters moved to the end: 1 when valid
        ok = mod97(group, _iban_length(_IBAN_LAYOUT[code]), start=4) == 1
        if code == "BE":
            ok &= np.array([_be_account_ok(x) for x in group], dtype=bool)
        out[group.index[ok]] = group[ok]
    return out


# --- BIC ------------------------------------------------------------------------------------

_BIC_COUNTRIES = ISO_COUNTRIES | {"XK"}  # SWIFT also uses XK for Kosovo
_BIC_RE = r"[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?"


def normalise_bic(text: str) -> str:
    s = SPACES_DASHES.sub("", text).upper()
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


def fast_bic(text: pd.Series) -> pd.Series:
    s = text.str.replace(SPACES_DASHES.pattern, "", regex=True).str.upper()
    ok = s.str.fullmatch(_BIC_RE) & s.str.slice(4, 6).isin(_BIC_COUNTRIES)
    return s.where(ok, None)


# --- Old Dutch bank account number ----------------------------------------------------------


def normalise_bank_account_nl(text: str) -> str:
    s = SEPARATORS.sub("", text)
    if re.fullmatch(r"[A-Za-z]{2}[0-9]{2}[A-Za-z0-9]+", s):
        raise Invalid(Message("check.account_iban"))
    if not re.fullmatch(r"[0-9]+", s):
        raise Invalid(Message("check.account_digits"))
    if not (3 <= len(s) <= 7 or len(s) in (9, 10)):
        raise Invalid(Message("check.account_length", length=len(s)))
    if not s.strip("0"):
        raise Invalid(Message("check.account_zeros"))
    return s.zfill(10)  # always 10 positions, like the account part of an IBAN


def fast_bank_account_nl(text: pd.Series) -> pd.Series:
    s = text.str.replace(SEPARATORS.pattern, "", regex=True)
    ok = s.str.fullmatch(r"(?!0+$)(?:[0-9]{3,7}|[0-9]{9,10})")
    return s.where(ok, None).str.zfill(10)
