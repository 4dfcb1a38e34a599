"""What Excel displays for a number or date cell: the cell's number format, applied.

A workbook's ``xl/styles.xml`` lists the cell formats (``cellXfs``); a cell's ``s`` attribute
is the index of its format, whose ``numFmtId`` is a built-in format (0 General, 1 ``0``, 2
``0.00``, 9 ``0%``, 10 ``0.00%``, 14-22 dates, 49 ``@`` text) or one of the workbook's own
codes (``numFmts``). Only formats whose text is certain are applied (:func:`shown`):

* General and ``@`` (text): the number as the reader writes it (``12``, ``0.3``);
* zeros and fixed decimals: ``0000`` shows 15 as ``0015``, ``0.00`` shows 12.5 as ``12.50``
  (rounded half away from zero, as Excel does, where the number has more decimals);
* percentages: ``0%`` shows 0.15 as ``15%``;
* dates with day, month and year as numbers (``dd-mm-yyyy``, ``d/m/yy``, ``yyyy-mm-dd``,
  with ``hh:mm`` or ``hh:mm:ss``).

Anything else (thousands separators, currencies, fractions, month names, conditions, colours,
several sections) is :data:`UNKNOWN`: what Excel shows for it depends on the format's finer
rules or on the computer's settings, and so do the built-in dates 14-22 (Excel writes 14 as
the computer's short date, ``31-12-2024`` in the Netherlands, ``12/31/2024`` in the US).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import posixpath
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.etree import ElementTree

GENERAL = "General"
UNKNOWN = "?"  # a format whose text is not certain
BUILTIN_DATE = "?date"  # one of the computer's date formats: not certain either
TEXT = "@"
BUILTIN = {0: GENERAL, 1: "0", 2: "0.00", 9: "0%", 10: "0.00%", 49: TEXT}
BUILTIN_DATES = range(14, 23)  # the computer's date and time formats
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

_ZEROS = re.compile(r"0+(?:\.(0+))?(%?)")
_DATE_TOKENS = re.compile(r"yyyy|yy|mm|m|dd|d|hh|h|ss|[-/. :]")


def cell_formats(raw: bytes) -> list[str]:
    """The number format code of each cell format (``cellXfs``, by index) of a workbook;
    :data:`GENERAL` where it has none, and none at all when its styles cannot be read."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            part = _styles_part(archive)
            if part is None:
                return []
            root = ElementTree.fromstring(archive.read(part))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return []
    codes: dict[int, str] = dict(BUILTIN)
    for fmt in root.iter(f"{_MAIN}numFmt"):
        number = fmt.get("numFmtId", "")
        if number.isdigit():
            codes[int(number)] = fmt.get("formatCode", "")
    formats = []
    xfs = root.find(f"{_MAIN}cellXfs")
    for xf in xfs.iter(f"{_MAIN}xf") if xfs is not None else ():
        number = xf.get("numFmtId", "0")
        n = int(number) if number.isdigit() else -1
        formats.append(BUILTIN_DATE if n in BUILTIN_DATES else codes.get(n, UNKNOWN))
    return formats


def _styles_part(archive: zipfile.ZipFile) -> str | None:
    names = set(archive.namelist())
    for name in ("xl/styles.xml", "xl/Styles.xml"):
        if name in names:
            return name
    found = [n for n in names if posixpath.basename(n).lower() == "styles.xml"]
    return found[0] if found else None


def plain(code: str) -> bool:
    """Whether a format shows numbers as General does (no text of its own to apply)."""
    return code in (GENERAL, TEXT, "general", "")


def shown(value: Any, code: str, decimal: str = ".") -> str | None:
    """The text Excel shows for ``value`` (a number or a date) in format ``code``; None when
    it is not certain (:data:`UNKNOWN`, or a format this module does not apply)."""
    if isinstance(value, dt.datetime | dt.date):
        template = _date_template(code)
        if template is None:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime(*value.timetuple()[:3])
        return template.format(
            d=moment.day, m=moment.month, y=moment.year, yy=moment.year % 100,
            h=moment.hour, n=moment.minute, s=moment.second,
        )  # fmt: skip
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    layout = _number_layout(code)
    if layout is None:
        return None
    width, places, percent = layout
    # a float as the 15 digits Excel keeps
    number = Decimal(f"{value:.15g}") if isinstance(value, float) else Decimal(value)
    if percent:
        number *= 100
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    whole, _, part = f"{abs(rounded):f}".partition(".")
    return sign + whole.zfill(width) + (decimal + part if places else "") + percent


@functools.lru_cache(maxsize=256)
def _number_layout(code: str) -> tuple[int, int, str] | None:
    """(digits before the point, decimals, ``%`` or nothing) of a code of zeros."""
    bare = _bare(code)
    zeros = _ZEROS.fullmatch(bare) if bare is not None else None
    if bare is None or zeros is None:
        return None
    places, percent = len(zeros.group(1) or ""), zeros.group(2)
    return len(bare) - (places + 1 if places else 0) - len(percent), places, percent


def _bare(code: str) -> str | None:
    """The code without what does not change the text (a locale tag such as ``[$-413]``);
    None for codes with several sections, colours, conditions, text or spacing."""
    if code in (UNKNOWN, BUILTIN_DATE) or ";" in code:
        return None
    code = re.sub(r"\[\$-[0-9A-Fa-f]+\]", "", code)
    if any(ch in code for ch in '["\\_*'):
        return None
    return code


@functools.lru_cache(maxsize=256)
def _date_template(code: str) -> str | None:
    """A :meth:`str.format` template of a date code of numbers (``dd-mm-yyyy`` is
    ``{d:02d}-{m:02d}-{y:04d}``); None for anything else."""
    bare = _bare(code)
    if bare is None:
        return None
    lowered = bare.lower()
    tokens = _DATE_TOKENS.findall(lowered)
    names = "mmm" in lowered or "ddd" in lowered  # month and day names: the computer's language
    if names or "".join(tokens) != lowered or not any(t[0] in "dy" for t in tokens):
        return None  # AM/PM, tenths of seconds, text: not applied either
    out = []
    for i, token in enumerate(tokens):
        pad = f":0{len(token)}d" if len(token) == 2 else ""
        if token in ("mm", "m"):
            # minutes after an hour or before seconds, as Excel reads "m"
            before = next((t for t in reversed(tokens[:i]) if t.isalpha()), "")
            after = next((t for t in tokens[i + 1 :] if t.isalpha()), "")
            minute = before.startswith("h") or after.startswith("s")
            out.append("{" + ("n" if minute else "m") + pad + "}")
        elif token[0] in "dhs":
            out.append("{" + token[0] + pad + "}")
        elif token == "yyyy":
            out.append("{y:04d}")
        elif token == "yy":
            out.append("{yy:02d}")
        else:
            out.append(token)
    return "".join(out)
