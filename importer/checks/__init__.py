"""Dutch and Belgian value checks: the column types ``iban``, ``kvk``, ``postcode_nl`` and so on.

Each :class:`Check` turns one cell's text into its normal form, or raises :class:`Invalid` with a
reason in plain words ("the IBAN check digits are wrong"). :func:`apply` runs a check over a
whole column: valid cells that are easy to recognise are handled in one vectorised pass; the rest
go through :attr:`Check.normalise` once per distinct value, so repeated values cost nothing.

The checks, by family, each module with the normal forms and decisions of its checks:

- :mod:`importer.checks.banking`: ``iban``, ``bic``, ``bank_account_nl``;
- :mod:`importer.checks.identifiers`: ``vat``, ``kvk``, ``bsn``, ``postcode_nl``;
- :mod:`importer.checks.contact`: ``email``, ``phone``, ``country``;
- :mod:`importer.checks.common`: what they share (:class:`Invalid`, :class:`Check`, the
  country codes, the text helpers).

This module is the registry (:data:`CHECKS`) and :func:`apply`.

Blank cells and missing values (None, NaN) stay missing in :func:`apply` and get no reason;
whether a value is required is checked elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from importer.checks.banking import (
    fast_bank_account_nl,
    fast_bic,
    fast_iban,
    normalise_bank_account_nl,
    normalise_bic,
    normalise_iban,
)
from importer.checks.common import Check, Invalid, undecided
from importer.checks.contact import (
    fast_country,
    fast_email,
    normalise_country,
    normalise_email,
    normalise_phone,
)
from importer.checks.identifiers import (
    fast_bsn,
    fast_kvk,
    fast_postcode_nl,
    fast_vat,
    normalise_bsn,
    normalise_kvk,
    normalise_postcode_nl,
    normalise_vat,
)
from importer.messages import Message


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
            "an EU VAT number such as NL000099998B57, BE0403170701 or DE136695976",
            _guarded(normalise_vat),
        ),
        Check("kvk", "a KvK number of 8 digits, such as 12345678", _guarded(normalise_kvk)),
        Check("bsn", "a BSN of 9 digits, such as 111222333", _guarded(normalise_bsn)),
        Check("postcode_nl", "a Dutch postcode such as 1234 AB", _guarded(normalise_postcode_nl)),
        Check("email", "an email address such as jan@example.nl", _guarded(normalise_email)),
        Check(
            "phone",
            "a phone number such as +31 20 123 4567 (or 020 123 4567 in a Dutch row)",
            _guarded(normalise_phone),
        ),
        Check(
            "postcode",
            "a postcode of the row's country such as 1234 AB or 10115",
            _guarded(lambda text: text),
        ),
        Check(
            "country",
            "a country such as NL, BE, Belgium or België",
            _guarded(normalise_country),
        ),
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
    "iban": fast_iban,
    "bic": fast_bic,
    "vat": fast_vat,
    "kvk": fast_kvk,
    "bsn": fast_bsn,
    "postcode_nl": fast_postcode_nl,
    "email": fast_email,
    "country": fast_country,
    "bank_account_nl": fast_bank_account_nl,
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
    done = _FAST[name](distinct) if name in _FAST else undecided(distinct)
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
