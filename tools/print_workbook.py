"""Render a result workbook as it prints: a PDF by LibreOffice headless, and a PNG per page.

    python tools/print_workbook.py flex-result.xlsx [--out DIR] [--no-png] [--dpi 80]

Writes ``DIR/<name>.pdf`` (``soffice --headless --convert-to pdf``) and, unless ``--no-png``,
``DIR/<name>-<page>.png`` (``pdftoppm -png``, from poppler-utils), and prints the files and
the number of pages. DIR defaults to the workbook's folder. LibreOffice prints with the page
set-up the workbook holds (landscape, one page wide, the header on every page, the Summary
on one page, the footer), so the PDF is what a reviewer's printer makes of it.
Needs ``soffice`` (LibreOffice) on the PATH; ``pdftoppm`` only for the pictures.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def render(workbook: Path, out: Path, *, png: bool = True, dpi: int = 80) -> list[Path]:
    """The PDF, then the PNG pages; RuntimeError when a program is missing or fails."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise RuntimeError("soffice (LibreOffice) is not on the PATH: install LibreOffice")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:  # a profile of its own: runs beside an open one
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    pdf = out / f"{workbook.stem}.pdf"
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no {pdf}")
    made = [pdf]
    if png:
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise RuntimeError("pdftoppm is not on the PATH: install poppler-utils")
        prefix = out / workbook.stem
        subprocess.run(
            [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=300
        )
        made += sorted(out.glob(f"{workbook.stem}-*.png"))
    return made


def pages(pdf: Path) -> int:
    """The number of pages of a PDF (its page objects; no library needed)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("--out", type=Path, help="folder for the PDF and PNGs")
    parser.add_argument("--no-png", action="store_true", help="the PDF only")
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args(argv)
    try:
        made = render(
            args.workbook, args.out or args.workbook.parent, png=not args.no_png, dpi=args.dpi
        )
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    for path in made:
        print(path)
    print(f"{pages(made[0])} pages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
