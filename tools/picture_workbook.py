"""Draw one sheet of a workbook as a spreadsheet shows it on screen, into a PNG.

    python tools/picture_workbook.py flex-result.xlsx Summary docs/workbook-summary.png
    python tools/picture_workbook.py flex-result.xlsx verkooprelaties out.png --cols A:C,R:U

Reads the cells with openpyxl and draws them with Pillow (``pip install pillow``, in the
``dev`` extra; the importer itself does not need it): a grid with the column letters and row
numbers, the sheet's column widths and row heights, each cell's fill, font colour, bold,
italic, underline and horizontal alignment, its value formatted by its number format (dates,
whole numbers), the text clipped to its cell (on one line, also where the cell wraps), and a
line under and beside a frozen pane. Only the first ``--rows`` rows are drawn (25), only the
``--cols`` columns when given (skipped columns show as a double line, as hidden columns do),
and the picture is cut at ``--max-width`` pixels. It is a drawing of the cells, not a print:
``tools/print_workbook.py`` renders the printed pages where LibreOffice is installed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles.colors import Color
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from PIL import Image, ImageDraw, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SIZE = 11  # DejaVu Sans 11 px: a digit is 7 px wide, as Calibri 11's is in Excel
DIGIT = 7  # Excel's column width unit: the width of a digit, plus 5 px of padding
HEADER_FILL = "#EFEFEF"
HEADER_TEXT = "#444444"
GRID = "#D4D4D4"
HEADER_GRID = "#B8B8B8"
FROZEN = "#9A9A9A"
NUMBER_FORMATS = {
    "yyyy-mm-dd": "%Y-%m-%d",
    "yyyy-mm-dd hh:mm:ss": "%Y-%m-%d %H:%M:%S",
    "yyyy-mm-dd hh:mm": "%Y-%m-%d %H:%M",
    "dd-mm-yyyy": "%d-%m-%Y",
    "hh:mm:ss": "%H:%M:%S",
}

Fonts = dict[tuple[bool, bool], ImageFont.FreeTypeFont | ImageFont.ImageFont]


def load_fonts() -> Fonts:
    """DejaVu Sans (regular, bold, oblique) where installed, else Pillow's own font."""
    names = {
        (False, False): "DejaVuSans.ttf",
        (True, False): "DejaVuSans-Bold.ttf",
        (False, True): "DejaVuSans-Oblique.ttf",
        (True, True): "DejaVuSans-BoldOblique.ttf",
    }
    fonts: Fonts = {}
    for key, name in names.items():
        path = FONTS / name
        fonts[key] = (
            ImageFont.truetype(str(path), SIZE)
            if path.exists()
            else ImageFont.load_default(size=SIZE)
        )
    return fonts


def rgb(color: Color | None, default: str | None) -> str | None:
    """``#RRGGBB`` of an explicit ARGB colour; the default for theme, indexed or none."""
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return default
    value = color.rgb[-6:]
    if color.rgb == "00000000":  # openpyxl's "no colour"
        return default
    return f"#{value}"


def text(cell: Cell | MergedCell) -> str:
    """The value as the sheet shows it (its number format for dates and numbers)."""
    value = cell.value
    if value is None:
        return ""
    fmt = str(cell.number_format)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.strftime(NUMBER_FORMATS.get(fmt, "%Y-%m-%d %H:%M:%S"))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if fmt == "0":
            return str(round(value))
        if fmt == "0.00":
            return f"{value:.2f}"
        if fmt == "#,##0.00":
            return f"{value:,.2f}"
        return (
            str(value)
            if not isinstance(value, float) or not value.is_integer()
            else str(int(value))
        )
    return str(value).replace("\n", " ")


def columns(ws: Worksheet, spec: str | None) -> list[int]:
    """The column numbers to draw: all of the sheet's, or those of ``A:C,R:U``."""
    if not spec:
        return list(range(1, ws.max_column + 1))
    picked: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().upper().partition(":")
        start = column_index_from_string(first)
        end = column_index_from_string(last or first)
        picked += [c for c in range(start, end + 1) if c not in picked]
    return picked


def width_px(ws: Worksheet, column: int) -> int:
    dim = ws.column_dimensions.get(get_column_letter(column))
    width = dim.width if dim is not None and dim.width else 8.43
    return int(width * DIGIT + 5)


def height_px(ws: Worksheet, row: int) -> int:
    dim = ws.row_dimensions.get(row)
    points = (dim.height if dim is not None and dim.height else None) or (
        ws.sheet_format.defaultRowHeight or 15
    )
    return round(points * 4 / 3)


def draw(ws: Worksheet, *, rows: int = 25, cols: str | None = None, max_width: int = 0):
    """The picture of the sheet's first ``rows`` rows (a Pillow image)."""
    fonts = load_fonts()
    picked = columns(ws, cols)
    last_row = min(rows, ws.max_row)
    head_w = max(32, int(fonts[False, False].getlength(str(last_row))) + 16)
    head_h = 20
    xs = [head_w]
    for column in picked:
        xs.append(xs[-1] + width_px(ws, column))
    ys = [head_h]
    for row in range(1, last_row + 1):
        ys.append(ys[-1] + height_px(ws, row))
    full_w = xs[-1] + 1
    image = Image.new("RGB", (min(full_w, max_width) if max_width else full_w, ys[-1] + 1), "white")
    pen = ImageDraw.Draw(image)

    def write(box: tuple[int, int, int, int], value: str, font, fill: str, align: str) -> None:
        """The text in the box, clipped to it (drawn on a tile of the box's size)."""
        left, top, right, bottom = box
        if not value or right - left <= 4:
            return
        tile = image.crop(box)
        tile_pen = ImageDraw.Draw(tile)
        length = font.getlength(value)
        inner = right - left
        x = {"right": inner - 3 - length, "center": (inner - length) / 2}.get(align, 3)
        tile_pen.text((x, (bottom - top) / 2), value, font=font, fill=fill, anchor="lm")
        image.paste(tile, box)

    # cells: fill, then grid, then text
    for r, row in enumerate(range(1, last_row + 1)):
        for c, column in enumerate(picked):
            cell = ws.cell(row, column)
            box = (xs[c], ys[r], xs[c + 1], ys[r + 1])
            fill = cell.fill.fgColor if cell.fill.fill_type == "solid" else None
            pen.rectangle(box, fill=rgb(fill, "#FFFFFF"), outline=GRID)
    for r, row in enumerate(range(1, last_row + 1)):
        for c, column in enumerate(picked):
            cell = ws.cell(row, column)
            value = text(cell)
            numeric = isinstance(cell.value, int | float | dt.date | dt.time)
            align = cell.alignment.horizontal or ("right" if numeric else "left")
            font = fonts[bool(cell.font.b), bool(cell.font.i)]
            colour = rgb(cell.font.color, "#000000") or "#000000"
            box = (xs[c] + 1, ys[r] + 1, xs[c + 1], ys[r + 1])
            write(box, value, font, colour, align)
            if cell.font.u and value:
                length = min(font.getlength(value), xs[c + 1] - xs[c] - 6)
                y = ys[r + 1] - 5
                x = xs[c] + 3 if align != "right" else xs[c + 1] - 3 - length
                pen.line((x, y, x + length, y), fill=colour)

    # the headers: column letters, row numbers, the corner
    pen.rectangle((0, 0, xs[-1], head_h), fill=HEADER_FILL, outline=HEADER_GRID)
    pen.rectangle((0, 0, head_w, ys[-1]), fill=HEADER_FILL, outline=HEADER_GRID)
    regular = fonts[False, False]
    for c, column in enumerate(picked):
        box = (xs[c], 0, xs[c + 1], head_h)
        pen.rectangle(box, outline=HEADER_GRID)
        write(
            (box[0] + 1, 1, box[2], head_h),
            get_column_letter(column),
            regular,
            HEADER_TEXT,
            "center",
        )
        if c and picked[c - 1] != column - 1:  # hidden columns between: a double line
            pen.line((xs[c] - 2, 0, xs[c] - 2, ys[-1]), fill=HEADER_GRID)
            pen.line((xs[c] + 1, 0, xs[c] + 1, ys[-1]), fill=HEADER_GRID)
    for r, row in enumerate(range(1, last_row + 1)):
        box = (0, ys[r], head_w, ys[r + 1])
        pen.rectangle(box, outline=HEADER_GRID)
        write((1, box[1] + 1, head_w, box[3]), str(row), regular, HEADER_TEXT, "right")

    # a frozen pane: a line under its rows and beside its columns
    if ws.freeze_panes:
        top_left = ws[ws.freeze_panes]
        if top_left.row > 1 and top_left.row - 1 <= last_row:
            y = ys[top_left.row - 1]
            pen.line((0, y, xs[-1], y), fill=FROZEN, width=2)
        frozen = [c for c, column in enumerate(picked) if column < top_left.column]
        if frozen:
            x = xs[frozen[-1] + 1]
            pen.line((x, 0, x, ys[-1]), fill=FROZEN, width=2)
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("sheet", help="the sheet's name")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--rows", type=int, default=25, help="the first N rows (25)")
    parser.add_argument("--cols", help="only these columns, such as A:C,R:U")
    parser.add_argument("--max-width", type=int, default=0, help="cut the picture at N pixels")
    args = parser.parse_args(argv)
    workbook = load_workbook(args.workbook)
    if args.sheet not in workbook.sheetnames:
        print(f"Error: no sheet {args.sheet!r}; there are {workbook.sheetnames}", file=sys.stderr)
        return 2
    image = draw(workbook[args.sheet], rows=args.rows, cols=args.cols, max_width=args.max_width)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.save(args.out, optimize=True)
    print(f"{args.out}: {image.width}x{image.height}, {args.out.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
