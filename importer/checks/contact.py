"""Contact details: the column types ``email``, ``phone`` and ``country``.

Normal forms and decisions
--------------------------
``email``
    Pragmatic: one @, a name before it, a domain with a dot after it, no spaces or
    ``, ; : < > ( ) [ ] \\ "``. Only the domain is lower-cased: ``Jan.Jansen@example.nl``.
``phone``
    Per row's country, see :mod:`importer.checks.regional`.
``country``
    ISO 3166-1 alpha-2 in upper case, ``NL``, from an ISO code, a Dutch or English name or an
    alias (:mod:`importer.checks.countries`); a target with its own codes gets those
    (:func:`importer.types.convert`).
"""

from __future__ import annotations

import re

import pandas as pd

from importer.checks.common import ISO_COUNTRIES, Invalid, fullmatch, undecided
from importer.checks.countries import iso_country
from importer.checks.regional import normalise_phone as regional_phone
from importer.messages import Message

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
    out[good.index] = [  # the file's own string when it is already so (shared, not copied)
        value if (lower := domain.lower()) == domain else local + "@" + lower
        for value, (local, _, domain) in zip(good, parts, strict=True)
    ]
    return out


# --- Phone ----------------------------------------------------------------------------------


def normalise_phone(text: str) -> str:
    """A phone number without a row's country (see :mod:`importer.checks.regional`)."""
    return regional_phone(text, None)


# --- Country --------------------------------------------------------------------------------


def normalise_country(text: str) -> str:
    s = text.strip()
    code = iso_country(s)
    if code is None:
        raise Invalid(Message("check.country", text=s))
    return code


def fast_country(text: pd.Series) -> pd.Series:
    s = text.str.upper()
    return s.where(s.isin(ISO_COUNTRIES), None)
