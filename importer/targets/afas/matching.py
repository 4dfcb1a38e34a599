"""Headers matched to AFAS fields, and the mapping columns declared for them (type, checks, key).

Sure matches first (known headers, AFAS's own field codes), then matches by similarity, each
marked TODO; a column's type, format and checks come from its catalog field and its values.
"""

from __future__ import annotations

import datetime as dt
import difflib
import keyword
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from importer.mapping import COLUMN_TYPES, Column
from importer.targets.afas import catalog
from importer.targets.afas.labels import dutch
from importer.targets.afas.layouts import (
    _AMOUNT_WORDS,
    _CHECK_TYPES,
    _CONNECTOR_KEYS,
    _CONSTANTS,
    _DATE_FORMATS,
    _DATE_WORDS,
    _KEY_HEADERS,
    _NEVER,
    _NL_POSTCODE,
    _SAMPLE_ROWS,
    _SIMILAR,
    _TRUE_FALSE,
    CONNECTOR_HEADERS,
    HEADER_FIELDS,
    LAYOUTS,
    _ascii,
    normalise,
)

# --- Matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    header: str
    path: str  # object path inside the connector, "" for the root
    code: str
    spec: dict[str, Any]
    owner: str  # name of the object holding the field
    todo: str | None = None  # set when the match is not sure

    @property
    def dotted(self) -> str:
        return f"{self.path}.{self.code}" if self.path else self.code


def _placement(connector: str) -> dict[str, str]:
    """Field code -> object path, for the fields the connector's layout places."""
    places: dict[str, str] = {}
    for path, codes in LAYOUTS[connector].items():
        specs = catalog.fields(connector, path or None)
        for code in codes:
            if code in specs:
                places.setdefault(code, path)
    return places


def _similar_candidates(connector: str) -> dict[str, tuple[str, str]]:
    """Normalised description or known header -> (object path, code), for similarity matches."""
    places = _placement(connector)
    candidates: dict[str, tuple[str, str]] = {}
    for alias, code in HEADER_FIELDS.items():
        if code in places and len(alias) >= 4:
            candidates.setdefault(alias, (places[code], code))
    for path in LAYOUTS[connector]:
        constants = _CONSTANTS.get(path.rsplit(".", 1)[-1] if path else connector, {})
        owner = path.rsplit(".", 1)[-1] if path else connector
        for code, spec in catalog.fields(connector, path or None).items():
            if code in _NEVER or code in constants:
                continue
            # the listing's label and the Dutch one `importer fields` shows
            for label in (spec["description"], dutch(owner, code)):
                description = normalise(label)
                if len(description) < 6 or "notused" in description:
                    continue
                candidates.setdefault(description, (path, code))
    return candidates


def _match_headers(
    connector: str, headers: Sequence[str]
) -> tuple[dict[str, _Match], dict[str, str]]:
    """Header -> match, and header -> why a known header was left out (its field is fed)."""
    places = _placement(connector)
    overrides = CONNECTOR_HEADERS.get(connector, {})
    taken: dict[tuple[str, str], str] = {}
    matches: dict[str, _Match] = {}
    left_out: dict[str, str] = {}

    def take(header: str, path: str, code: str, todo: str | None) -> None:
        if (path, code) in taken:
            if todo is None:
                left_out[header] = f"{code} is already fed by {taken[(path, code)]!r}"
            return
        taken[(path, code)] = header
        spec = catalog.fields(connector, path or None)[code]
        owner = path.rsplit(".", 1)[-1] if path else connector
        matches[header] = _Match(header, path, code, spec, owner, todo)

    # Sure matches first (known headers, AFAS field codes), then similar ones, so that a
    # similar header never takes a field a known header feeds.
    for header in headers:
        key = normalise(header)
        if key in overrides:
            code, todo = overrides[key]
            if code in places:
                take(header, places[code], code, todo)
        elif key in HEADER_FIELDS and HEADER_FIELDS[key] in places:
            take(header, places[HEADER_FIELDS[key]], HEADER_FIELDS[key], None)
        elif header.strip() in places:  # AFAS's own field code, spelled exactly
            code = header.strip()
            take(header, places[code], code, None)
    candidates = _similar_candidates(connector)
    for header in headers:
        key = normalise(header)
        if header in matches or len(key) < 4:
            continue
        close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=_SIMILAR)
        if close:
            path, code = candidates[close[0]]
            description = catalog.fields(connector, path or None)[code]["description"]
            where = f"{path}.{code}" if path else code
            take(
                header,
                path,
                code,
                f"{header!r} matched {where} ({description}) by a similar name; check it",
            )
    return matches, left_out


# --- Column declarations ------------------------------------------------------------------------


@dataclass
class _Column:
    name: str
    header: str
    settings: dict[str, Any] = field(default_factory=dict)
    todos: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    match: _Match | None = None


def column_name(header: str, taken: Iterable[str] = ()) -> str:
    """A snake_case ASCII name for a header, usable as ``row.<name>`` and not in ``taken``."""
    name = re.sub(r"[^0-9a-z]+", "_", _ascii(header)).strip("_") or "column"
    if name[0].isdigit():
        name = f"col_{name}"
    if keyword.iskeyword(name) or name in {"true", "false", "none"} or hasattr(dict, name):
        name = f"{name}_"  # row.items would be the dict's method, not the column
    used = set(taken)
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}_{n}", n + 1
    return candidate


def _samples(frame: pd.DataFrame, header: str) -> list[str]:
    values = frame[header].head(_SAMPLE_ROWS).dropna()
    return [str(v) for v in values if str(v) != ""]


def _date_formats(values: Sequence[str]) -> list[str]:
    """The formats every value can be read with (all of them when there are no values)."""
    fits = []
    for fmt in _DATE_FORMATS:
        try:
            for value in values:
                dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        fits.append(fmt)
    return fits


def _declare_date(col: _Column, values: Sequence[str], excel: bool) -> None:
    col.settings["type"] = "date"
    fits = _date_formats(values) if values else []
    if values and len(fits) == 1:
        col.settings["format"] = fits[0]
    elif values and fits:
        col.settings["format"] = fits[0]
        col.todos.append(
            f"date format guessed as {fits[0]} from values such as {values[0]!r}; they also "
            f"read as {', '.join(fits[1:])}"
        )
    else:
        col.settings["format"] = "%Y-%m-%d" if excel else "%d-%m-%Y"
        why = (
            f"values such as {values[0]!r} match no known date format"
            if values
            else "no sample values"
        )
        col.todos.append(f"date format guessed as {col.settings['format']} ({why}); check it")


def _declare_decimal(col: _Column, values: Sequence[str]) -> None:
    col.settings["type"] = "decimal"
    both = [v for v in values if "," in v and "." in v]
    comma = any("," in v for v in values)
    if both and all(v.rfind(",") > v.rfind(".") for v in both):
        col.settings["decimal"] = ","
        _thousands(col, ".")
    elif both:
        col.settings["decimal"] = "."
        _thousands(col, ",")
    else:
        col.settings["decimal"] = "," if comma else "."
    sign = r"[+-]?"
    number = r"\d+(?:[.,]\d+)*"
    odd = [v for v in values if not re.fullmatch(sign + number, v.replace(" ", ""))]
    if odd:
        col.todos.append(f"values such as {odd[0]!r} are not plain numbers; clean them up")
    elif not values:
        col.todos.append(f"decimal separator {col.settings['decimal']!r} guessed without values")


def _thousands(col: _Column, separator: str) -> None:
    if "thousands" in Column.model_fields:
        col.settings["thousands"] = separator
    else:
        col.todos.append(f"values use {separator!r} between thousands; remove it first")


def _declare_text(col: _Column, values: Sequence[str], spec: dict[str, Any] | None) -> None:
    if spec is None:
        return
    allowed = [v["id"] for v in spec["values"] or []]
    if allowed:
        _declare_codes(col, values, spec, allowed)
    elif spec["length"]:
        col.settings["max_length"] = spec["length"]


def _declare_codes(
    col: _Column, values: Sequence[str], spec: dict[str, Any], allowed: list[str]
) -> None:
    """A field with a list of AFAS codes: check them, or map descriptions to codes."""
    distinct = sorted(set(values))
    if distinct and all(v in allowed for v in distinct):
        if len(allowed) <= 12:
            col.settings["allowed"] = allowed
        return
    by_text = {normalise(v["description"]): v["id"] for v in spec["values"]}
    by_text.update({normalise(v["id"]): v["id"] for v in spec["values"]})
    mapped = {v: by_text.get(normalise(v)) for v in distinct}
    shown = ", ".join(f"{v['id']} ({v['description']})" for v in spec["values"][:12])
    if distinct and all(mapped.values()) and "map" in Column.model_fields:
        if len(spec["values"]) <= 12:  # every description, so later files map as well
            mapped = {v["description"]: v["id"] for v in spec["values"]} | mapped
        col.settings["map"] = mapped
        col.todos.append(
            f"values mapped to AFAS codes by their description; check the map ({shown})"
        )
    else:
        odd = [v for v in distinct if not mapped[v]] or ["(no values)"]
        col.todos.append(
            f"AFAS expects codes here, such as {shown}; values such as {odd[0]!r} are not "
            "codes: map them (map: {value: code})"
        )


def _declare_postcode(col: _Column, values: Sequence[str]) -> None:
    dutch = bool(values) and all(re.fullmatch(_NL_POSTCODE, v) for v in values)
    if dutch:
        col.settings["pattern"] = _NL_POSTCODE
    available = "postcode_nl" in COLUMN_TYPES
    if dutch:
        found = "the pattern accepts Dutch postcodes only; drop it for foreign addresses. "
    elif values:
        found = "not every value is a Dutch postcode, so nothing is checked. "
    else:
        found = "no sample values, so nothing is checked. "
    col.todos.append(
        found
        + ("`type: postcode_nl` checks and normalises Dutch postcodes" if available else
           "A `postcode_nl` type would check and normalise Dutch postcodes")
    )  # fmt: skip


def _declare(col: _Column, values: Sequence[str], excel: bool) -> None:
    """Type and checks of a column, from its catalog field (if matched) and its values."""
    match = col.match
    spec = match.spec if match else None
    kind = spec["type"] if spec else None
    fmt = spec["format"] if spec else None
    key = normalise(col.header)
    if fmt == "date" or (
        spec is None
        and (any(w in key for w in _DATE_WORDS) or (values and _date_formats(values)))
        and not all(v.isdigit() for v in values or ["x"])
    ):
        _declare_date(col, values, excel)
    elif kind == "number" or (spec is None and any(w in key for w in _AMOUNT_WORDS)):
        _declare_decimal(col, values)
    elif kind == "integer":
        col.settings["type"] = "integer"
        odd = [v for v in values if not re.fullmatch(r"[+-]?\d+", v)]
        if odd:
            hint = "; split the addition into HmAd" if match and match.code == "HmNr" else ""
            col.todos.append(f"values such as {odd[0]!r} are not whole numbers{hint}")
    elif kind == "boolean":
        col.settings["type"] = "boolean"
        odd = [v for v in values if v.lower() not in _TRUE_FALSE]
        if odd:
            col.todos.append(f"values such as {odd[0]!r} are not yes/no values")
    elif match and match.code == "ZpCd":
        _declare_postcode(col, values)
        col.settings["max_length"] = spec["length"] if spec else 15
    else:
        _declare_text(col, values, spec)
    if match is None:
        return
    code = match.code
    if spec and spec["mandatory"] and code not in _CONSTANTS.get(match.owner, {}):
        col.settings["required"] = True
    if code == "CcNr" and values and all(re.fullmatch(r"\d{8}", v) for v in values):
        col.settings["pattern"] = r"\d{8}"
    if code == "CoId" and any(len(v) > 3 for v in values):
        col.todos.append(
            f"values such as {next(v for v in values if len(v) > 3)!r} are not country codes; "
            "map them to Profit's codes (map: {Nederland: NL, ...})"
        )
    if code == "CoId":
        col.hints.append("Profit's country codes are its own (B is Belgium, D Germany)")
    if code == "Ad" and values and any(re.search(r"\s\d+\s*\w{0,4}$", v) for v in values):
        col.todos.append(
            "values look like street and house number together; AFAS wants the house number "
            "in HmNr: split the column"
        )
    if code == "Iban" and values and any(" " in v for v in values):
        col.todos.append("IBANs with spaces: remove them (AFAS expects NL91ABNA0417164300)")
    check = _CHECK_TYPES.get(code)
    if check and check in COLUMN_TYPES:
        col.hints.append(f"consider `type: {check}`, which checks these values")


# --- Keys ---------------------------------------------------------------------------------------


def _choose_key(
    connector: str, headers: Sequence[str], frame: pd.DataFrame
) -> tuple[str, str | None]:
    """The key column's header, and a TODO when the choice is not sure."""
    order = _CONNECTOR_KEYS.get(connector, []) + _KEY_HEADERS
    ranked = sorted(
        (order.index(normalise(h)), h) for h in headers if normalise(h) in order
    )  # fmt: skip
    candidates = [h for _, h in ranked]

    def unique(header: str) -> bool:
        values = frame[header]
        return bool(values.notna().all()) and not values.duplicated().any()

    for header in candidates:
        if unique(header):
            return header, None
    if candidates:
        return candidates[0], (
            f"{candidates[0]!r} is not filled in and unique on every row, but a key must be"
        )
    first_unique = next((h for h in headers if unique(h)), headers[0])
    return first_unique, (
        f"no customer number or id column found; {first_unique!r} is used as the key "
        "(required and unique on every row): choose the column that identifies a row"
    )
