"""Read a CSV file: its encoding, its delimiter, and the problems that only show in its text.

What is detected and what is refused is listed in :mod:`importer.readers`.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from importer.errors import InputError
from importer.excel import OLE_MAGIC, ZIP_MAGIC
from importer.messages import Message
from importer.tables import Table, _delimiter_name, _shape, _tidy

ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (";", ",", "\t")

LISTED = 5  # rows named in a message before "and N more"
SNIFF_LINES = 20  # lines looked at for the delimiter when the first one has none

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _read_csv(path: Path, raw: bytes, encoding: str | None, delimiter: str | None) -> Table:
    name = path.name
    if raw.startswith((ZIP_MAGIC, OLE_MAGIC)):
        raise InputError(
            f"{name}: this is an Excel workbook, not a CSV file; rename it to "
            f"{path.stem}.xlsx (or {path.stem}.xls)"
        )
    text, used_encoding = _decode(path, raw, encoding)
    if not text.strip():
        raise InputError(f"{name}: the file is empty; expected a header row and data rows")
    if "\x00" in text and text.count("\x00") * 4 > len(text):
        raise InputError(
            f"{name}: the file is full of NUL bytes: it looks like UTF-16 text (Excel "
            "'Unicode Text') without a byte order mark. Save it as 'CSV UTF-8', or declare "
            "encoding: utf-16 for this source in the mapping"
        )
    sep_line = re.match(r"sep=(.)(?:\r\n|\r|\n)", text)
    if sep_line:  # Excel's own hint; Excel does not show it as a row
        text = text[sep_line.end() :]
    sep = delimiter or (sep_line.group(1) if sep_line else _sniff_delimiter(text))
    grid = _parse_csv(name, text, sep)
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    dialect = {"encoding": used_encoding, "delimiter": _delimiter_name(sep)}
    warnings: list[Message] = []
    frame, header_row = _shape(name, _tidy(grid), excel=False, sep=sep, warnings=warnings)
    _refuse_mixed_encodings(name, raw, used_encoding, frame, header_row)
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    multiline = len(grid) < breaks  # some quoted value holds a line break
    _check_csv_cells(
        name,
        frame,
        header_row,
        text,
        sep,
        detected=not (delimiter or sep_line),
        multiline=multiline,
    )
    return Table(path=path, frame=frame, dialect=dialect, warnings=warnings)


def _decode(path: Path, raw: bytes, encoding: str | None) -> tuple[str, str]:
    if not encoding and raw.startswith(UTF16_BOMS):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = (encoding,) if encoding else ENCODINGS
    for candidate in candidates:
        try:
            text = raw.decode(candidate)
        except UnicodeDecodeError as exc:
            if encoding or candidate == "utf-16":
                line = raw.count(b"\n", 0, exc.start) + 1
                raise InputError(
                    f"{path.name}: not readable as {candidate}: line {line} holds the byte "
                    f"0x{raw[exc.start]:02X}, which is not {candidate} text; check the "
                    "'encoding' of this source in the mapping"
                ) from exc
            continue
        except LookupError as exc:
            raise InputError(f"{path.name}: unknown encoding {encoding!r}") from exc
        if encoding and not encoding.lower().replace("-", "").startswith("utf"):
            _refuse_hidden_utf8(path.name, raw, encoding)
        return text, candidate
    raise InputError(
        f"{path.name}: unknown text encoding; expected UTF-8 or Windows-1252 (cp1252). "
        "Save the file as 'CSV UTF-8' or declare its encoding in the mapping"
    )


def _refuse_hidden_utf8(name: str, raw: bytes, encoding: str) -> None:
    """A declared single-byte encoding would garble a UTF-8 file ('CafÃ©'): refuse."""
    first = re.search(rb"[\x80-\xff]", raw)
    if first is None:
        return  # plain ASCII reads the same in every encoding
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return
    start = raw.rfind(b"\n", 0, first.start()) + 1
    end = raw.find(b"\n", first.start())
    line = raw[start : end if end >= 0 else len(raw)]
    word = re.search(rb"[^\s;,\t]*[\x80-\xff][^\s;,\t]*", line)
    seen = word.group(0) if word else line
    number = raw.count(b"\n", 0, start) + 1
    raise InputError(
        f"{name}: the file is UTF-8, but the mapping declares encoding {encoding!r}, which "
        f"would turn {seen.decode('utf-8')!r} (line {number}) into "
        f"{seen.decode(encoding, 'replace')!r}. Set encoding: utf-8 for this source, or "
        "leave it out"
    )


def _refuse_mixed_encodings(
    name: str, raw: bytes, encoding: str, frame: pd.DataFrame, header_row: int
) -> None:
    """Rows in UTF-8 beside rows in a single-byte encoding (say, rows pasted in from another
    export): whichever way the file is decoded, one kind would be garbled ('CafÃ©'). Refuse."""
    if encoding.lower().replace("-", "").startswith("utf"):
        return
    if raw.decode("utf-8", "ignore").isascii():
        return  # no UTF-8 beyond ASCII anywhere (one look, in C): the common case
    kinds: dict[str, dict[int, str]] = {"UTF-8": {}, encoding: {}}  # row: a value, as meant
    cells = [(header_row, title) for title in frame.columns if not title.isascii()]
    for column in frame.columns:
        values = frame[column].dropna()
        cells += [(int(n), v) for n, v in values[~values.str.isascii()].items()]
    for n, value in cells:
        try:
            kinds["UTF-8"].setdefault(n, value.encode(encoding).decode("utf-8"))
        except UnicodeError:
            kinds[encoding].setdefault(n, value)
    if not all(kinds.values()):
        return
    described = []
    for kind, values in kinds.items():
        rows = sorted(values)
        listed = ", ".join(map(str, rows[:LISTED]))
        more = f" and {len(rows) - LISTED} more" if len(rows) > LISTED else ""
        value = values[rows[0]]
        bom = value.startswith("\ufeff") and value[1:].isascii()
        shown = "a byte order mark" if bom else repr(value[:40])
        rows_are = "rows {} are" if len(rows) > 1 else "row {} is"
        described.append(f"{rows_are.format(listed + more)} {kind} ({shown})")
    raise InputError(
        f"{name}: the file mixes encodings: {described[0]}, {described[1]}; read either way, "
        "one kind would be garbled. Save the file in one encoding (UTF-8)"
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the header line, outside quotes."""
    first = _first_filled_line(text)
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[best]:
        return best
    # a header without delimiters: one column, or title rows above the header; the lines
    # below tell, and a one-column file reads the same with any delimiter it does not hold
    below = [line for line in text.splitlines()[1:SNIFF_LINES] if line.strip()]
    counts = {d: sum(line.count(d) for line in below) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _first_filled_line(text: str) -> str:
    """The first line holding more than spaces ("" if none), without splitting the whole file
    into lines (which costs as much as a tenth of reading it)."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if size < len(text):
            lines = lines[:-1]  # perhaps cut off: looked at again with a longer head
        first = next((line for line in lines if line.strip()), None)
        if first is not None or size >= len(text):
            return first or ""
        size *= 4


def _parse_csv(name: str, text: str, sep: str) -> pd.DataFrame:
    """Every record as a row of strings (no header yet); one row per record, blank ones too."""
    # Plain Python strings (object), and no search for NA spellings: every value is text
    # and an empty one is blank either way (both about a third faster than dtype=str).
    options: dict[str, Any] = dict(
        sep=sep, header=None, dtype=object, na_filter=False, skip_blank_lines=False
    )
    try:
        return pd.read_csv(io.StringIO(text), quotechar='"', **options)
    except pd.errors.EmptyDataError:  # the first line is blank: its width says nothing
        pass
    except pd.errors.ParserError as exc:
        eof = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if eof:
            raise _open_quote(name, text, sep, int(eof.group(1))) from exc
        if "Expected" not in str(exc):
            raise InputError(f"{name}: not a readable CSV file ({exc})") from exc
    # Rows of different widths (or a blank first line): read every row as wide as the widest;
    # _shape reports values that have no header (trailing empty cells are harmless).
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    width = max(map(len, csv.reader(io.StringIO(text, newline=None), delimiter=sep)), default=1)
    try:
        grid = pd.read_csv(
            io.StringIO(text), quotechar='"', names=range(width), index_col=False, **options
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{name}: not a readable CSV file ({exc})") from exc
    return grid


def _open_quote(name: str, text: str, sep: str, record: int) -> InputError:
    """The error for a quote that is never closed; ``record`` counts from 0 (pandas)."""
    rows = list(csv.reader(io.StringIO(text, newline=None), delimiter=sep))
    cells = rows[record] if record < len(rows) else []
    start = cells[-1].split("\n", 1)[0][:40] if cells else ""
    header = next((r for r in rows if any(c.strip() for c in r)), [])
    title = header[len(cells) - 1].strip() if 0 < len(cells) <= len(header) else ""
    column = repr(title) if title else len(cells) or "?"
    return InputError(
        f'{name}, row {record + 1}, column {column}: the quote (") before '
        f"{start!r} is never closed, so the rest of the file would be one value. "
        "Close the quote, or remove it"
    )


def _check_csv_cells(
    name: str,
    frame: pd.DataFrame,
    header_row: int,
    text: str,
    sep: str,
    *,
    detected: bool,
    multiline: bool,
) -> None:
    """Problems that only show in the values: stray characters, swallowed or mixed rows."""
    if "\x00" in text:
        _refuse_cells(
            name,
            frame,
            header_row,
            lambda s: s.str.contains("\x00", regex=False),
            "contains a NUL byte (\\x00), which is not text: the file is damaged or not "
            "really CSV. Remove the NUL bytes, or export the file again",
        )
    if "\ufeff" in text:
        _refuse_cells(
            name,
            frame,
            header_row,
            lambda s: s.str.contains("\ufeff", regex=False),
            "contains a byte order mark (U+FEFF), an invisible character that is left where "
            "two files were pasted together. Remove it",
        )
    ncols = len(frame.columns)
    if ncols >= 3 and multiline:
        whole_row = re.compile(rf"[\r\n][^\r\n]*(?:{re.escape(sep)}[^\r\n]*){{{ncols - 1}}}")
        for column in frame.columns:
            values = frame[column].dropna()
            values = values[values.str.contains(whole_row)]
            if len(values):
                n, value = values.index[0], values.iloc[0]
                swallowed = whole_row.search(value).group(0).strip()  # type: ignore[union-attr]
                raise InputError(
                    f"{name}, row {n}, column {column!r}: the value runs over "
                    f"{value.count(chr(10)) + 1} lines and holds what look like whole rows "
                    f'({swallowed[:60]!r}): a quote (") in it is probably not closed where it '
                    "should be. Close the quote, or remove it"
                )
    if detected and ncols >= 3:  # with two columns, "Jansen, B.V." and a blank would be one
        first = frame[frame.columns[0]]
        # rows with a value only in the first column; the second column rules out most rows
        # at once, so the others are looked at for those left only
        maybe = first.notna() & frame[frame.columns[1]].isna()
        rest = frame.loc[maybe, frame.columns[2:]]
        alone = first[maybe][rest.isna().all(axis=1)]
        for other in (d for d in DELIMITERS if d != sep):
            mixed = alone[alone.str.count(re.escape(other)) >= ncols - 1]
            if len(mixed):
                n = mixed.index[0]
                raise InputError(
                    f"{name}, row {n}: the whole row is in column {frame.columns[0]!r} "
                    f"({first[n][:60]!r}): it is separated by '{_delimiter_name(other)}' "
                    f"while the header uses '{_delimiter_name(sep)}'. Use one delimiter "
                    "throughout the file (if the value is right as it is, declare "
                    f"delimiter: '{_delimiter_name(sep)}' for this source in the mapping)"
                )


def _refuse_cells(name: str, frame: pd.DataFrame, header_row: int, test: Any, problem: str) -> None:
    """InputError naming the first cell (in row order) for which ``test`` holds."""
    titles = pd.Series(list(frame.columns), index=list(frame.columns), dtype=object)
    hits = [(header_row, t, t) for t in titles[test(titles).astype(bool)]]
    for column in frame.columns:
        values = frame[column].dropna()
        found = values[test(values).astype(bool)]
        hits += [(int(n), column, v) for n, v in found.items()]
    if not hits:
        return
    n, column, value = min(hits, key=lambda h: (h[0], list(frame.columns).index(h[1])))
    more = f" ({len(hits)} cells in all)" if len(hits) > 1 else ""
    raise InputError(f"{name}, row {n}, column {column!r}: the value {value!r} {problem}{more}")
