"""The patterns a mapping gives (``pattern:`` on a column), run by RE2.

A mapping is shared data, and a regular expression with nested repetition (``(a+)+$``) can
take Python's ``re`` longer than the age of the universe on one long cell. RE2 runs every
pattern in time linear in the text, so no pattern can hang a run; in return it has no
lookaround and no backreferences, and ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII only
(``\\p{L}`` is any letter, ``é`` too). The importer's own patterns (importer.checks) are
written for ``re`` and stay there.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 writes every pattern it cannot read to stderr otherwise

# What RE2 says of a construct it does not have, and what a mapping author calls it.
_UNSUPPORTED = [
    (r"invalid perl operator: \(\?=", "lookahead (?=...)"),
    (r"invalid perl operator: \(\?!", "negative lookahead (?!...)"),
    (r"invalid perl operator: \(\?<=", "lookbehind (?<=...)"),
    (r"invalid perl operator: \(\?<!", "negative lookbehind (?<!...)"),
    (r"invalid perl operator: \(\?>", "an atomic group (?>...)"),
    (r"invalid perl operator: \(\?\(", "a conditional group (?(...)...)"),
    (r"invalid escape sequence: \\[1-9]", "a backreference such as \\1"),
    (r"bad repetition operator: .*\+$", "a possessive repetition such as a++"),
]


def matcher(pattern: str) -> Callable[[str], bool]:
    """Whether a text matches ``pattern`` as a whole; ValueError says why RE2 cannot run it."""
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        raise ValueError(_why(pattern, exc.args[0].decode("utf-8", "replace"))) from exc
    # RE2::Set only says whether the text matches: 4 times faster than re2's fullmatch,
    # which builds a match object (1.3 µs against 5 µs a value)
    pattern_set = re2.Set.FullMatchSet(_OPTIONS)
    pattern_set.Add(pattern)
    pattern_set.Compile()
    return lambda text: pattern_set.Match(text) is not None


def _why(pattern: str, message: str) -> str:
    construct = next((c for said, c in _UNSUPPORTED if re.match(said, message)), None)
    if construct is None and "(?P=" in pattern and message.startswith("invalid perl operator"):
        construct = "a backreference (?P=name)"
    if construct:
        return f"{construct} is not supported: patterns must run in linear time (RE2 syntax)"
    return f"not a regular expression RE2 can read: {message}"
