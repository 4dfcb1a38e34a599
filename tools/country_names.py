#!/usr/bin/env python
"""Write importer/checks/country_names.py from the region names of ``phonenumbers`` (its
``geodata.locale``, which is too big to import at run time): the Dutch and English name of
every ISO country, upper case and without accents, to its code."""

from __future__ import annotations

from pathlib import Path

import phonenumbers
from phonenumbers.geodata.locale import LOCALE_DATA

from importer.checks.common import ISO_COUNTRIES
from importer.checks.countries import plain

OUT = Path(__file__).resolve().parent.parent / "importer" / "checks" / "country_names.py"


def main() -> None:
    found: dict[str, str] = {}
    for region, by_language in LOCALE_DATA.items():
        if region not in ISO_COUNTRIES:
            continue
        for language in ("en", "nl"):
            name = by_language.get(language) or by_language.get("aa")
            while name and name.startswith("*"):  # "*aa": the same as language aa
                name = by_language.get(name[1:])
            if name:
                found.setdefault(plain(name), region)
    head = (
        '"""Dutch and English country names (upper case, accents dropped) to their ISO 3166-1 '
        "code.\n\nTaken from the region names of Google's numbering plan library "
        f"(``phonenumbers``\n{phonenumbers.__version__}, ``phonenumbers.geodata.locale``), written "
        "out here because importing\nthat module loads all of its geographic data (about 100 MB)."
        " Regenerate with\n``python tools/country_names.py`` after upgrading the library.\n"
        '"""\n\nNAMES: dict[str, str] = {\n'
    )
    body = "".join(f"    {k!r}: {found[k]!r},\n" for k in sorted(found))
    OUT.write_text(head + body + "}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
