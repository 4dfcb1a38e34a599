"""What the checks share: :class:`Invalid` and :class:`Check`, the ISO country codes, and the
text helpers of the one-by-one and the vectorised passes (:func:`mod97` for IBANs and VAT
numbers)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from importer.messages import Message


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

SEPARATORS = re.compile(r"[\s.\-]+")  # spaces (any kind), dots and dashes between the characters
SPACES_DASHES = re.compile(r"[\s\-]+")


def compact(text: str) -> str:
    return SEPARATORS.sub("", text).upper()


def vectorised_compact(text: pd.Series) -> pd.Series:
    return each(text, lambda v: removed(SEPARATORS, v).upper())


def removed(separators: re.Pattern[str], text: str) -> str:
    """``separators.sub("", text)``, searching only text that has more than letters, digits and
    spaces (a regex call costs ten times as much as ``str.isalnum``); ``separators`` matches
    characters that are neither letters nor digits, spaces among them."""
    if text.isalnum():
        return text
    text = text.replace(" ", "")
    return text if text.isalnum() else separators.sub("", text)


# The vectorised passes get text only, never a missing value: a plain loop over the values is
# half the cost of pandas' .str methods (which look for missing values and wrap each call).


def each(text: pd.Series, change: Callable[[str], str]) -> pd.Series:
    """``change`` applied to every value of a Series of text. A value it leaves as it was is
    the file's own string, not an equal copy: the typed rows, held for the whole run, then
    share it with the table read (~60 bytes a cell)."""
    return pd.Series(
        [v if (w := change(v)) == v else w for v in text], index=text.index, dtype=object
    )


def fullmatch(text: pd.Series, pattern: str) -> np.ndarray:
    """Which values of a Series of text match ``pattern`` as a whole (a boolean array)."""
    match = re.compile(pattern).fullmatch
    return np.array([match(v) is not None for v in text], dtype=bool)


# A character's value (0-9 for digits, 10-35 for A-Z) and 10 ** its number of digits, by byte.
_CHAR_VALUE = np.zeros(256, dtype=np.int64)
_CHAR_VALUE[ord("0") : ord("9") + 1] = range(10)
_CHAR_VALUE[ord("A") : ord("Z") + 1] = range(10, 36)
_CHAR_SHIFT = np.where(np.arange(256) >= ord("A"), 100, 10)
# A -> 10, B -> 11, ... Z -> 35, as the ISO 7064 mod 97-10 check reads letters.
_LETTER_VALUES = str.maketrans({chr(ord("A") + i): str(10 + i) for i in range(26)})


def mod97(texts: pd.Series, length: int, start: int = 0) -> np.ndarray:
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


def undecided(text: pd.Series) -> pd.Series:
    return pd.Series(None, index=text.index, dtype=object)
