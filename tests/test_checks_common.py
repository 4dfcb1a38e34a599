"""What the checks share: the country list, and the vectorised helpers, which agree with the
one-at-a-time forms."""

from __future__ import annotations

import random

import pandas as pd
import pytest
from stdnum import bic as std_bic

from importer.checks import common
from importer.checks.common import ISO_COUNTRIES

# --- The country list -----------------------------------------------------------------------


def test_the_country_list_is_iso_3166_1_alpha_2():
    assert len(ISO_COUNTRIES) == 249
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in ISO_COUNTRIES)
    swift = std_bic._country_codes - {"XK"}  # SWIFT adds Kosovo to ISO's list
    assert swift == ISO_COUNTRIES
    assert {"NL", "BE", "DE", "GB", "GR", "CW", "SX", "BQ", "SS"} <= ISO_COUNTRIES
    assert not {"UK", "EL", "XK", "AN", "EU"} & ISO_COUNTRIES


# --- The vectorised helpers agree with the one-at-a-time forms ------------------------------


def test_mod97_of_a_column_agrees_with_one_text_at_a_time():
    rng = random.Random(7)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for length in (4, 14, 18, 22, 27, 34):
        texts = ["0" * length, "9" * length, "Z" * length, "A" + "0" * (length - 1)]
        texts += ["".join(rng.choice(alphabet) for _ in range(length)) for _ in range(300)]
        texts += ["".join(rng.choice("0123456789") for _ in range(length)) for _ in range(100)]
        for start in (0, 4):
            expected = [
                int((t[start:] + t[:start]).translate(common._LETTER_VALUES)) % 97 for t in texts
            ]
            assert common.mod97(pd.Series(texts), length, start=start).tolist() == expected
    ibans = ["NL91ABNA0417164300", "NL98ABNA2867155157", "NL91ABNA0417164301"]
    assert common.mod97(pd.Series(ibans), 18, start=4).tolist() == [1, 1, 28]
    assert common.mod97(pd.Series([], dtype=object), 18).tolist() == []


@pytest.mark.parametrize("separators", [common.SEPARATORS, common.SPACES_DASHES])
def test_removing_separators_agrees_with_the_regex(separators):
    # the shortcut skips the regex for text of letters and digits only: no character the
    # regex removes may count as a letter or digit, in all of Unicode
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    removed = "".join(separators.findall(everything))
    assert " " in removed and "-" in removed and "\u00a0" in removed
    assert not any(c.isalnum() for c in removed)
    texts = ["NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL91\u00a0ABNA-0417.1643\t00",
             "", " ", " - . ", "١٢٣٤ ٥٦", "Straße 12", "1234\u2003AB", "a\u200bb", "12\n34"]  # fmt: skip
    for text in texts:
        assert common.removed(separators, text) == separators.sub("", text)
