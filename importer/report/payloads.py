"""The Payloads sheet (``Verzonden``, only with ``include_payloads``; ``Te verzenden``, "Payloads
(not sent)", for a dry run or a validation): the JSON sent (or to send) per row,
with the values of fields named like secrets masked (bodies hold no tokens, but a template
could add one).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from importer import i18n
from importer.render import compact
from importer.report.writer import Writer, link_to

# Payload fields masked defensively (bodies hold no tokens, but a template could add one).
SECRET_KEY = re.compile(
    r"pass(word|wd)?$|pwd|pwrd|secret|token|atcd|api[_-]?key|authori[sz]ation|credential", re.I
)
_MAYBE_SECRET = re.compile(
    r"pass|pwd|pwrd|secret|token|atcd|api[_-]?key|authori[sz]ation|credential", re.I
)


def add_payloads(writer: Writer) -> None:
    """The Payloads sheet: the JSON sent per row, fields named like secrets masked."""
    header = [
        writer.t("header.step"),
        writer.t("header.row"),
        writer.t("header.status"),
        writer.t("header.json_unsent" if writer.unsent else "header.json"),
    ]
    sheet = writer.book.add_sheet(
        writer.names["#payloads"], (20, 8, 12, 120), freeze=(0, 1), page=writer.page()
    )
    writer.header(sheet, header)
    for step in writer.mapping.steps:
        target = writer.names[step.name]
        ordered = sorted(writer.result.outcomes[step.name].items())
        for position, (_, outcome) in enumerate(ordered, start=2):
            if outcome.body is None:
                continue
            body = outcome.body
            if _MAYBE_SECRET.search(body):  # rare: mask, then write it again
                body = compact(redact(outcome.json()))
            sheet.append(
                [
                    writer.cell(step.name),
                    writer.cell(outcome.row, "link", link_to(target, position)),
                    writer.cell(
                        i18n.status(writer.lang, outcome.status), f"status:{outcome.status}"
                    ),
                    writer.cell(body),
                ]
            )
    sheet.autofilter = f"A1:D{sheet.rows}"


def redact(value: Any, mask: str = "***") -> Any:
    """A copy of a JSON value with the values of keys named like secrets masked."""
    if isinstance(value, dict):
        return {
            k: (mask if _secret_key(k) and v is not None else redact(v, mask))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, mask) for v in value]
    return value


@functools.lru_cache(maxsize=4096)
def _secret_key(key: Any) -> bool:
    return bool(SECRET_KEY.search(str(key)))
