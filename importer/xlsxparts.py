"""The package parts of a workbook that :mod:`importer.xlsx` writes around its sheets: content
types, relationships, document properties, ``workbook.xml`` (sheets and defined names) and
``styles.xml`` (number formats, fonts, fills, borders, alignment); and a sheet's print set-up
(``printOptions``, ``pageMargins``, ``pageSetup``, ``headerFooter``), as ECMA-376 Part 1
(SpreadsheetML, §18.3.1) orders them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4}
A4 = 9  # paperSize: ECMA-376 §18.3.1.63


def escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def attr(text: str) -> str:
    return escape(text).replace('"', "&quot;").replace("\n", "&#10;")


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints.

    ``fit_width``/``fit_height``: the pages across and down it is shrunk to (0: as many as it
    takes), so ``(1, 0)`` is "one page wide"; ``title_rows`` the rows at the top printed again
    on every page (the ``_xlnm.Print_Titles`` defined name); ``footer`` the footer's text in
    SpreadsheetML's header/footer codes (see :func:`footer`).
    """

    landscape: bool = True
    fit_width: int = 1
    fit_height: int = 0
    title_rows: int = 0
    footer: str = ""
    paper: int = A4
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.6, 0.6)  # left right top bottom


DEFAULT_MARGINS = (
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
)


def footer(left: str = "", center: str = "", right: str = "") -> str:
    """A footer from its three parts. Each part may hold the codes ``&F`` (the file's name),
    ``&A`` (the sheet's), ``&P`` (the page number) and ``&N`` (the number of pages); give
    literal text through :func:`literal` (an ``&`` in it is doubled)."""
    return "".join(
        f"&{side}{text}" for side, text in (("L", left), ("C", center), ("R", right)) if text
    )


def literal(text: str) -> str:
    """Text shown as it is in a header or footer: ``&`` is written ``&&`` (§18.3.1.46)."""
    return text.replace("&", "&&")


def sheet_pr(page: PageSetup | None) -> str:
    """``<sheetPr>``, the worksheet's first child: fit-to-page is switched on here."""
    if page is None or not (page.fit_width or page.fit_height):
        return ""
    return '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'


def page_xml(page: PageSetup | None) -> str:
    """``printOptions``, ``pageMargins``, ``pageSetup`` and ``headerFooter``, in the order the
    schema wants them after ``hyperlinks``."""
    if page is None:
        return DEFAULT_MARGINS
    left, right, top, bottom = page.margins
    out = '<printOptions horizontalCentered="0"/>'
    out += (
        f'<pageMargins left="{left:g}" right="{right:g}" top="{top:g}" bottom="{bottom:g}" '
        'header="0.3" footer="0.3"/>'
    )
    out += (
        f'<pageSetup paperSize="{page.paper}" '
        f'orientation="{"landscape" if page.landscape else "portrait"}" '
        f'fitToWidth="{page.fit_width}" fitToHeight="{page.fit_height}"/>'
    )
    if page.footer:
        out += f"<headerFooter><oddFooter>{escape(page.footer)}</oddFooter></headerFooter>"
    return out


def content_types(sheets: int) -> str:
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet}"/>'
        for i in range(1, sheets + 1)
    )
    return (
        XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        f"{overrides}</Types>"
    )


def root_rels() -> str:
    base = "http://schemas.openxmlformats.org"
    return (
        XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{base}/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{base}/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{base}/officeDocument/2006/relationships/'
        'extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )


def core(creator: str, subject: str = "") -> str:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
        '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{escape(creator)}</dc:creator>"
        + (f"<dc:subject>{escape(subject)}</dc:subject>" if subject else "")
        + f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app() -> str:
    return (
        XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
        '2006/extended-properties"><Application>importer</Application></Properties>'
    )


def workbook(sheets: Sequence[Any]) -> str:
    """``workbook.xml``: the sheets, and per sheet its autofilter's ``_xlnm._FilterDatabase``
    and its print titles' ``_xlnm.Print_Titles`` (rows repeated on every printed page)."""
    listed = "".join(
        f'<sheet name="{attr(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, s in enumerate(sheets, start=1)
    )
    names = ""
    for i, s in enumerate(sheets):
        if s.autofilter:
            names += (
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                f"{escape(absolute(s.name, s.autofilter))}</definedName>"
            )
        rows = s.page.title_rows if s.page is not None else 0
        if rows:
            names += (
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
                f"{escape(_quoted(s.name))}!$1:${rows}</definedName>"
            )
    return (
        XML_HEAD + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{listed}</sheets>"
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + '<calcPr calcId="191029"/></workbook>'
    )


def workbook_rels(sheets: int) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{base}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    n = sheets + 1
    rels += f'<Relationship Id="rId{n}" Type="{base}/styles" Target="styles.xml"/>'
    return XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>'


def styles(ordered: Sequence[Any]) -> str:
    """``styles.xml`` for the styles (:class:`importer.xlsx.Style`) in their index order."""
    formats: dict[str, int] = {}
    fonts: dict[tuple[Any, ...], int] = {(False, None, None, False): 0}
    fills: dict[str | None, int] = {None: 0}  # 0 none, 1 gray125 (both required)
    borders: dict[tuple[str, ...], int] = {(): 0}
    xfs = []
    for style in ordered:
        code = style.number_format
        if code in BUILTIN_FORMATS:
            number = BUILTIN_FORMATS[code]
        else:
            number = formats.setdefault(code, 164 + len(formats))
        font = fonts.setdefault((style.bold, style.size, style.color, style.underline), len(fonts))
        fill = fills.setdefault(style.fill, len(fills) + 1) if style.fill else 0
        border = borders.setdefault(tuple(style.border), len(borders))
        xf = (
            f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
            + (' applyNumberFormat="1"' if number else "")
            + (' applyFont="1"' if font else "")
            + (' applyFill="1"' if fill else "")
            + (' applyBorder="1"' if border else "")
        )
        alignment = (' vertical="top" wrapText="1"' if style.wrap else "") + (
            f' horizontal="{style.align}"' if style.align else ""
        )
        if alignment:
            xf += f' applyAlignment="1"><alignment{alignment}/></xf>'
        else:
            xf += "/>"
        xfs.append(xf)
    num_fmts = "".join(
        f'<numFmt numFmtId="{n}" formatCode="{attr(code)}"/>' for code, n in formats.items()
    )
    font_xml = ""
    for (bold, size, color, underline), _ in sorted(fonts.items(), key=lambda kv: kv[1]):
        font_xml += (
            "<font>"
            + ("<b/>" if bold else "")
            + ('<u val="single"/>' if underline else "")
            + f'<sz val="{size or 11:g}"/>'
            + (f'<color rgb="FF{color}"/>' if color else '<color theme="1"/>')
            + '<name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
        )
    fill_xml = '<fill><patternFill patternType="none"/></fill>'
    fill_xml += '<fill><patternFill patternType="gray125"/></fill>'
    for colour, _ in sorted(((c, i) for c, i in fills.items() if c), key=lambda kv: kv[1]):
        fill_xml += (
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{colour}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
        )
    border_xml = "".join(
        _border(sides) for sides, _ in sorted(borders.items(), key=lambda kv: kv[1])
    )
    return (
        XML_HEAD
        + f'<styleSheet xmlns="{NS_MAIN}">'
        + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
        + f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
        + f'<fills count="{len(fills) + 1}">{fill_xml}</fills>'
        + f'<borders count="{len(borders)}">{border_xml}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0"/>'
        "</styleSheet>"
    )


def _border(sides: tuple[str, ...]) -> str:
    """A border with a thin grey line on the sides named (left, right, top, bottom)."""
    line = '<{0} style="thin"><color rgb="FF808080"/></{0}>'
    parts = "".join(
        line.format(side) if side in sides else f"<{side}/>"
        for side in ("left", "right", "top", "bottom")
    )
    return f"<border>{parts}<diagonal/></border>"


def _quoted(sheet: str) -> str:
    return "'{}'".format(sheet.replace("'", "''"))


def absolute(sheet: str, ref: str | None) -> str:
    """``'Sheet'!$A$1:$D$9`` for ``A1:D9``."""
    parts = []
    for corner in (ref or "A1").split(":"):
        match = re.fullmatch(r"([A-Z]+)(\d+)", corner)
        parts.append(f"${match.group(1)}${match.group(2)}" if match else corner)
    return f"{_quoted(sheet)}!{':'.join(parts)}"
