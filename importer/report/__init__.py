"""The result workbook: what became of every row, for finance staff to review.

Sheets, in this order:

- **Summary** (``Samenvatting``): title, run id, start, end, duration, who ran it, the
  mapping file and each input file with their SHA-256, the target host and environment
  (never a token), the command to resume, and the table of what the run counts (each
  step's rows, its lines, each file's rows once: :class:`importer.results.Count`);
- **one sheet per step**, in mapping order: the source row number, the original values, the
  status, the ids the target returned, the error and the target's log reference, if it has one;
- **Errors** (``Fouten``): every problem of the run once, at the file and row where its value
  stands (a line's also with its record's file and row), each linked to its row;
- **Payloads** (``Verzonden``, only with ``include_payloads``): the JSON sent per row
  (``Te verzenden``, "Payloads (not sent)", for a dry run or a validation);
- **Explanation** (``Toelichting``): what the statuses and the step sheets' columns mean, the
  target's ids in its own words (:mod:`~importer.report.explain`).

A dry run's and a validation's workbook say so under the Summary's title and in their
document properties (``dc:subject``), so neither is taken for, or written over, the result of
an import (:func:`importer.paths.check_not_a_result`).

Every sheet prints landscape, one page wide, its header row on every page, with a footer
naming the file, the sheet, the run id and the page; the Summary prints on one page. The rows
that need attention can also be written in their sources' own format
(:mod:`~importer.report.tofix`).

Original values are shown as in the file, typed where the mapping declares a type: a
``date`` column holds real dates, a ``decimal`` column numbers with two decimals, an
``integer`` column whole numbers — re-read from the file's text with the column's own
declaration (so an invalid row shows what the file says, as text). Everything else, ids,
codes, IBANs and postcodes included, is stored as text, so leading zeros survive.

Safety: a string is always stored as a string (an inline string, never a formula or an
error value), so ``=1+1`` or ``@SUM(A1)`` from a file or a server message stays text.
Characters XML cannot hold are replaced with U+FFFD and text is cut at Excel's 32,767
characters (saying so), so Excel and LibreOffice open the file without a repair prompt. No
secret is ever written: the workbook knows the target's host only, and payload fields named
like secrets are masked.

The workbook is streamed by :mod:`importer.xlsx` (a sheet of 100,000 rows takes a few
seconds) and saved under a temporary name first, so a failed write never leaves half a
workbook in place of the previous one.

Each sheet has its module (:mod:`~importer.report.summary`, :mod:`~importer.report.steps`,
:mod:`~importer.report.errors`, :mod:`~importer.report.payloads`); what they share, the styles
and the sheets' names, is :mod:`~importer.report.writer`; what is known of the run beyond its
result, :mod:`~importer.report.runinfo`.
"""

from __future__ import annotations

from pathlib import Path

from importer import i18n
from importer.paths import DRY_RUN_SUBJECT, RESULT_SUBJECT, VALIDATION_SUBJECT
from importer.report.errors import add_errors
from importer.report.explain import add_explanation
from importer.report.payloads import add_payloads
from importer.report.runinfo import RunInfo
from importer.report.steps import add_step_sheet
from importer.report.summary import add_summary
from importer.report.tofix import to_fix_folder, write_rows_to_fix
from importer.report.writer import Writer
from importer.results import Result
from importer.xlsx import save_atomically

__all__ = ["RunInfo", "to_fix_folder", "write_rows_to_fix", "write_workbook"]


def write_workbook(
    result: Result,
    path: Path,
    *,
    lang: str | None = None,
    include_payloads: bool = False,
    run: RunInfo | None = None,
    to_fix: Path | None = None,
) -> Path:
    """Write the result workbook to ``path`` (replacing it) and return the path.

    ``lang`` is ``en`` or ``nl`` (default: the mapping's ``language:``, else ``en``);
    ``include_payloads`` adds a sheet with the JSON sent per row; ``to_fix`` is the folder
    :func:`write_rows_to_fix` wrote, for the Explanation sheet to name.
    """
    writer = Writer(result, i18n.resolve(lang, result.mapping), run or RunInfo())
    if writer.run.validation:
        writer.book.subject = VALIDATION_SUBJECT
    else:
        writer.book.subject = DRY_RUN_SUBJECT if result.dry_run else RESULT_SUBJECT
    add_summary(writer)
    for part in writer.parts:
        add_step_sheet(writer, part)
    add_errors(writer)
    if include_payloads:
        add_payloads(writer)
        writer.payloads_shown = True
    add_explanation(writer, to_fix=to_fix)
    return save_atomically(writer.book, Path(path))
