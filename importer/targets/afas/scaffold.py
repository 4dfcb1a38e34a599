"""AFAS Profit's part of ``importer new``: a mapping and a template from a spreadsheet's headers.

:func:`scaffold` reads the headers and some sample values of a CSV or xlsx file, matches every
header to a field of an AFAS UpdateConnector, and writes a first mapping and template that load
and render as they are. Layout, relative to ``out_dir``::

    <name>.yaml                                 the mapping (templates: templates)
    templates/afas/<name>.<Connector>.json.j2   its template

The template is named after the mapping too, so that several files scaffolded into one folder
for the same connector do not share (and overwrite) one template.

Headers are matched on their normalised form (lower case, no accents, no spaces, dashes, dots
or underscores) against :data:`HEADER_FIELDS`, a table of common Dutch and English headers
(with per-connector exceptions in :data:`CONNECTOR_HEADERS`), then against AFAS's own field
codes, and finally by similarity (difflib) to those headers and to the catalog's field
descriptions. Where each field goes inside the connector's nested objects is fixed per connector
in :data:`LAYOUTS` (the name of a sales relation in ``KnOrganisation``, its street in
``KnOrganisation -> KnBasicAddressAdr``, ...). Types, ``max_length`` and date formats come from
the catalog and the sample values.

Everything the scaffold is not sure of is marked ``TODO`` (YAML comments in the mapping,
``{# TODO ... #}`` comments in the template): matches by similarity, guessed formats, values
that are not AFAS codes, environment-specific constants, mandatory fields no header matched,
and the headers that matched nothing.

Its tables (:data:`LAYOUTS`, the headers, constants and notes) are in :mod:`.layouts`, the
matching of headers and the columns declared for them in :mod:`.matching`; the mapping's text
is written by :mod:`.scaffold_mapping`, the template's by :mod:`.scaffold_template`; this
module reads the file, plans the scaffold and writes both.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import yaml

from importer.cleaning import NOT_AS_SHOWN as NUMBER_TYPES
from importer.errors import InputError, MappingError
from importer.readers import EXCEL_SUFFIXES, read_table
from importer.scaffold import Scaffold
from importer.targets.afas import catalog
from importer.targets.afas.layouts import LAYOUTS
from importer.targets.afas.matching import (
    _choose_key,
    _Column,
    _declare,
    _match_headers,
    _samples,
    column_name,
)
from importer.targets.afas.scaffold_mapping import _mapping_text, _Plan
from importer.targets.afas.scaffold_template import _template_text

# --- Entry point --------------------------------------------------------------------------------


def _check_connector(connector: str) -> None:
    known = catalog.connectors()
    if connector in known and connector in LAYOUTS:
        return
    supported = [c for c in known if c in LAYOUTS]
    folded = {c.lower(): c for c in supported}
    close = folded.get(connector.lower()) or next(
        iter(difflib.get_close_matches(connector, supported, n=1)), None
    )
    hint = f" (did you mean {close!r}?)" if close else ""
    raise MappingError(
        f"unknown connector {connector!r}{hint}; known connectors: {', '.join(supported)}"
    )


def scaffold(
    connector: str,
    input_path: Path,
    *,
    out_dir: Path,
    sheet: str | None = None,
    name: str | None = None,
    overwrite: bool = False,
) -> Scaffold:
    """Write a first mapping and template for importing ``input_path`` into ``connector``.

    Writes ``out_dir/<name>.yaml`` (``name`` defaults to the input's stem) and
    ``out_dir/templates/afas/<name>.<connector>.json.j2``; refuses to replace either unless
    ``overwrite``. Raises MappingError for an unknown connector, a bad name or files that
    exist, InputError for an input that cannot be read.
    """
    _check_connector(connector)
    input_path = Path(input_path)
    out_dir = Path(out_dir)
    if sheet is not None and input_path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError(f"{input_path.name}: only an Excel file has sheets (asked for {sheet!r})")
    stem = (name or input_path.stem).removesuffix(".yaml").removesuffix(".yml")
    if not stem or stem in (".", "..") or any(ch in stem for ch in "/\\\0"):
        raise MappingError(f"{name!r} cannot be a mapping name: give a file name without folders")
    table = read_table(input_path, sheet=sheet)
    headers = table.columns
    if not headers:
        raise InputError(f"{table.label}: no column headers found in the first row")
    excel = input_path.suffix.lower() in EXCEL_SUFFIXES

    mapping_path = out_dir / f"{stem}.yaml"
    template_name = f"afas/{stem}.{connector}.json.j2"
    template_path = out_dir / "templates" / template_name
    existing = [p for p in (mapping_path, template_path) if p.exists()]
    if existing and not overwrite:
        raise MappingError(
            f"{' and '.join(str(p) for p in existing)} already exist"
            f"{'s' if len(existing) == 1 else ''}; not overwritten (choose another name or "
            "folder, or allow overwriting)"
        )

    matches, left_out = _match_headers(connector, headers)
    key, key_todo = _choose_key(connector, headers, table.frame)
    names: list[str] = []
    declared: list[_Column] = []
    unmatched: list[_Column] = []
    for header in headers:
        col = _Column(column_name(header, names), header, match=matches.get(header))
        names.append(col.name)
        if col.match and col.match.todo:
            col.todos.append(col.match.todo)
        if header in left_out:
            col.hints.append(left_out[header])
        _declare(col, _samples(table.frame, header), excel)
        if header in table.numbers and col.settings.get("type", "text") not in NUMBER_TYPES:
            col.hints.append(
                f"number cells in Excel (from row {table.numbers[header]}): read as Excel "
                "displays them (0015 in format 0000); to be sure no leading zero is lost, "
                "format the column as Text in Excel"
            )
        if header == key:
            col.settings.pop("required", None)  # the key is always required
        (declared if col.match or header == key else unmatched).append(col)
    plan = _Plan(
        connector=connector,
        source=column_name(input_path.stem),
        input_path=input_path,
        sheet=table.sheet,
        dialect=dict(table.dialect),
        key=key,
        key_todo=key_todo,
        columns=declared,
        unmatched=unmatched,
    )
    mapping_text, data = _mapping_text(plan, mapping_path, template_name)
    if yaml.safe_load(mapping_text) != data:  # a header YAML reads differently
        raise MappingError(f"could not write the headers of {table.label} as YAML")
    template_text = _template_text(plan)
    try:
        template_path.parent.mkdir(parents=True, exist_ok=True)
        template_path.write_text(template_text, encoding="utf-8", newline="\n")
        mapping_path.write_text(mapping_text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise MappingError(f"cannot write the scaffold: {exc.strerror}", file=exc.filename) from exc
    return Scaffold(
        mapping_path=mapping_path,
        template_path=template_path,
        matched={h: matches[h].dotted for h in headers if h in matches},
        unmatched=[c.header for c in unmatched],
        todos=mapping_text.count("# TODO") + template_text.count("{# TODO"),
    )
