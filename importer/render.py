"""Render request bodies from Jinja templates.

Templates are compiled once per run. Every ``{{ expression }}`` is written as a JSON value
(strings quoted and escaped, dates as ``YYYY-MM-DD``, decimals as numbers of exactly their
digits, never through a float: :mod:`importer.jsontext`; blanks as ``null``),
so a template never needs quotes around a value and no cell can break the JSON. ``| tojson``
is accepted too and gives the same result. After rendering, blank fields are pruned: a field
whose value is ``null`` is left out of the body, and an object or list left empty by that (or
by a loop over nothing) is left out as well, so templates need no ``{% if %}`` around optional
fields. The empty cell of a ``clear_when_empty`` column is :data:`CLEAR`: in an update it
empties the field (the target's own empty value), in an insert it is left out; that of an
``empty: null`` column is :data:`NULL`, sent as ``null`` (not pruned). An object holding
``"@when": false`` is left out (and ``"@when": true`` is removed), to include a nested object
only for some rows.

The context of a template is ``row`` (the declared columns, typed), ``parent`` (the ids kept
from the parent step's reply, such as ``parent.DbId``), ``rownum`` (the source row number) and
``existing`` (the ids of the record when it is updated rather than inserted; empty otherwise),
``action`` (``"update"`` when ``existing`` holds the record's ids, else ``"insert"``: a template
may send on an update what only an update needs, such as the date a new address applies from),
``lines`` (the typed lines of the record, each with its ``rownum``: rows grouped with it, or
rows of the lines source) and ``find`` (the ids of records found by the step's lookups, such
as ``find.debiteur.DbId``).

Templates and expressions run sandboxed and within limits (importer.templating): one that
reaches for Python internals is refused when it is compiled, and one that the sandbox stops
while it runs stops the run (a MappingError naming the file and line), not just a row.

A template error is the template's (:class:`TemplateFault`: the run stops before anything is
sent, one message at the template's file and line) or the row's (:class:`RenderError`: the row
is invalid, the others go on). The template's: an unknown column (``row.telefon``, with a
did-you-mean) or name, an attribute or item of a value that has none (``row.naam.x``, a
line's unknown column), an operation the value's type does not allow, a blank included
(``row.kvk[:8]`` on an empty optional cell: columns are typed, so every such row fails the
same way; write ``(row.kvk or "")[:8]``), a filter misused, text that is not JSON. The
row's: what only some rows' values or situation cause — an id its parent, lookup or update
does not give (``parent.DbId`` of a parent found by lookup, ``find.x.BcCo`` when nothing was
found, ``existing.DbId`` on an insert), a value an operation of its type cannot take
(``ValueError``: a date that does not exist; ``ArithmeticError``: dividing by a zero), an
index or key the value lacks (``LookupError``: the second word of a one-word name).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from markupsafe import Markup

from importer import jsontext
from importer.checks.countries import CountryCodes, iso_country
from importer.errors import MappingError
from importer.messages import Message
from importer.template_faults import Missing, Strict, TemplateFault, undefined
from importer.templating import MAX_BODY, Limit, Refused, Sandbox, bounded


class RenderError(Exception):
    """A row could not be rendered; the message names the template and line.

    ``said`` is the Message (the row's problem, rendered in the run's language); ``str()`` is
    English. What Jinja says itself (``'dict object' has no attribute 'x'``) is shown as is.
    """

    def __init__(self, said: Message) -> None:
        super().__init__(said)
        self.said = said


class Cleared(str):
    """The value of an empty cell in a ``clear_when_empty`` column: empty text to a template,
    and in an update's body the value the target empties a field with (its ``clear_value``:
    ``""`` or ``null``); an insert leaves the field out, like any blank."""

    __slots__ = ()


CLEAR = Cleared()


class Null(str):
    """The value of an empty cell in an ``empty: null`` column: empty text to a template,
    ``null`` in the body (insert and update alike), where a blank is left out."""

    __slots__ = ()


NULL = Null()
_NULL_MARK = '{"@null":true}'  # how a null that stays stands in the rendered text
_GONE = object()
DROP = _GONE  # ``clear`` for an insert: a cleared field is left out like a blank one
_CLEAR_MARK = '{"@clear":true}'  # how a cleared field stands in the rendered text


def to_json(value: Any) -> str:
    """A value as JSON text (fast for the plain strings and numbers most cells hold)."""
    if value.__class__ is str:
        return encode_basestring(value)
    if value.__class__ is Cleared:
        return _CLEAR_MARK
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if value.__class__ is int:
        return str(value)
    if value.__class__ is Decimal:
        return jsontext.number_text(value)  # the digits of the cell, never a float's
    if value.__class__ is Null:
        return _NULL_MARK
    return jsontext.dumps(value)


def compact(body: Any) -> str:
    """A body as compact JSON text (no spaces, non-ASCII kept as is, decimals exact).

    Bodies are kept as such text from planning until the workbook is written: a tenth of the
    memory of their dicts (100,000 bodies: ~65 MB instead of ~550 MB).
    """
    return jsontext.compact(body)


def _finalize(value: Any) -> Any:
    if isinstance(value, jinja2.Undefined):
        str(value)  # StrictUndefined raises UndefinedError, naming what is missing
    return value if isinstance(value, Markup) else to_json(value)


HOUSE_NUMBER = re.compile(
    r"^(?P<street>.*?\S)\s+(?P<number>\d+)\s*[-/]?\s*"
    r"(?P<addition>[A-Za-z0-9]{0,6}(?:[ -][A-Za-z0-9]{1,4})?)?$"
)


def split_address(text: Any) -> dict[str, Any]:
    """``Kerkstraat 12a`` as street, number and addition: {"street", "number", "addition"}.

    Blank parts are None; text without a house number is all street.
    """
    if text is None or str(text).strip() == "":
        return {"street": None, "number": None, "addition": None}
    match = HOUSE_NUMBER.match(str(text).strip())
    if not match:
        return {"street": str(text).strip(), "number": None, "addition": None}
    return {
        "street": match["street"],
        "number": match["number"],
        "addition": (match["addition"] or "").strip() or None,
    }


def as_text(value: Any) -> str | None:
    """A value as text for fields a target takes as strings (``"1.50"``); blank stays blank."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return jsontext.number_text(value)  # "12.50" as typed, never "1.25E+1"
    return str(value)


def country_filter(codes: CountryCodes | None) -> Callable[[Any], str | None]:
    """The ``country`` filter: the code the target takes for a country written as an ISO code,
    a Dutch or English name or the target's own code (``BE`` -> ``B`` in a target's own table,
    ``BE`` for a target of ISO codes); blank stays blank. A country without a code raises
    ValueError, which makes the row invalid."""

    def country(value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        iso = iso_country(str(value), codes)
        if iso is None:
            raise ValueError(f"{value!r} names no country")
        if codes is None:
            return iso
        code = codes.target_code(iso)
        if code is None:
            raise ValueError(
                f"{iso} has no code in the target's country table ({codes.source}); declare "
                f"it in the mapping: country_codes: {{{iso}: <code>}}"
            )
        return code

    return country


def _environment(**options: Any) -> jinja2.Environment:
    env = Sandbox(undefined=Strict, **options)
    env.filters["split_address"] = split_address
    env.filters["text"] = as_text
    env.globals["today"] = dt.date.today
    env.policies["json.dumps_function"] = lambda v, **kw: to_json(v)
    return env


_EXPRESSIONS = _environment()


class ExpressionRefused(MappingError):
    """The sandbox stopped an expression while it ran; the plan adds where it is written."""

    def __init__(self, expression: str, reason: str):
        self.expression = expression
        super().__init__(f"{expression!r} is refused: {reason}")


def compile_expression(expression: str) -> Callable[..., Any]:
    """A Jinja expression (``row.a ~ ' ' ~ row.b``) as a function of the row's context.

    The function raises ExpressionRefused when the sandbox stops it; other errors are the
    row's (a blank value, a wrong type).
    """
    try:
        compiled = _EXPRESSIONS.compile_expression(expression)
    except Refused as exc:
        raise MappingError(f"{expression!r} is refused: {exc.message}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise MappingError(f"{expression!r} is not a valid expression: {exc.message}") from exc

    def evaluate(**context: Any) -> Any:
        with bounded():
            try:
                return compiled(**context)
            except SecurityError as exc:
                raise ExpressionRefused(expression, str(exc)) from exc
            except RecursionError as exc:
                raise ExpressionRefused(expression, str(_TOO_DEEP)) from exc

    return evaluate


_TOO_DEEP = Message("template.too_deep")


def expression_columns(expression: str) -> set[str]:
    """The ``row`` columns an expression reads (``row.soort``, ``row["soort"]``)."""
    tree = _EXPRESSIONS.parse("{{ " + expression + " }}")
    names = set()
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        assert isinstance(node, nodes.Getattr | nodes.Getitem)  # for mypy
        if isinstance(node.node, nodes.Name) and node.node.name == "row":
            if isinstance(node, nodes.Getattr):
                names.add(node.attr)
            elif isinstance(node.arg, nodes.Const):
                names.add(str(node.arg.value))
    return names


class Renderer:
    """Compiled templates of one mapping, by template name."""

    def __init__(
        self, folder: Path, names: list[str], country_codes: CountryCodes | None = None
    ) -> None:
        """``country_codes``: the target's table, for the ``country`` filter (ISO without)."""
        self.folder = folder
        self.env = _environment(
            loader=jinja2.FileSystemLoader(folder),
            finalize=_finalize,
            autoescape=False,
            keep_trailing_newline=True,
        )
        self.env.filters["country"] = country_filter(country_codes)
        self.templates: dict[str, jinja2.Template] = {}
        for name in names:
            self.templates[name] = self._compile(name)

    def _compile(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            raise MappingError(f"template {name!r} not found in {self.folder}") from exc
        except Refused as exc:
            raise _refused(exc.said, exc.filename or name, exc.lineno) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise MappingError(
                f"template syntax error: {exc.message}", file=exc.filename or name, line=exc.lineno
            ) from exc

    def render(
        self,
        name: str,
        row: dict[str, Any],
        parent: dict[str, Any],
        rownum: int,
        existing: dict[str, Any] | None = None,
        *,
        lines: Sequence[dict[str, Any]] | None = None,
        find: dict[str, dict[str, Any]] | None = None,
        clear: Any = DROP,
    ) -> Any:
        """The body for one row, pruned of blank fields; raise RenderError if impossible.

        A cleared field (:data:`CLEAR`) becomes ``clear``: the target's empty value in an
        update, left out (:data:`DROP`) in an insert. Raise MappingError if the sandbox stops
        the template: that is no fault of the row.
        """
        template = self.templates[name]
        existing = existing or {}
        find = find or {}
        context = {
            "row": row,
            "parent": parent,
            "rownum": rownum,
            "existing": existing,
            "action": "update" if existing else "insert",
            "lines": lines or [],
            "find": find,
        }
        try:
            text = _text(template, context)
        except Refused as exc:  # an included template, compiled when first used
            raise _refused(exc.said, exc.filename or name, exc.lineno) from exc
        except SecurityError as exc:
            raise _refused(getattr(exc, "said", None) or str(exc), *_place(exc, template)) from exc
        except RecursionError as exc:
            raise _refused(_TOO_DEEP, *_place(exc, template)) from exc
        except Missing as exc:
            rows_own = exc.obj is parent or exc.obj is existing or exc.obj is find
            if not rows_own and not any(exc.obj is found for found in find.values()):
                raise TemplateFault(undefined(exc, row), *_place(exc, template)) from exc
            parents = (
                Message("template.parent_ids", ids=", ".join(parent))
                if parent
                else Message("template.no_parent")
            )
            raise RenderError(
                Message(
                    "template.undefined",
                    name=name,
                    line=_template_line(exc, template),
                    error=exc.message,
                    columns=", ".join(row),
                    parents=parents,
                )
            ) from exc
        except _TEMPLATES_OWN as exc:
            said = Message("text", text=f"{exc}")
            raise TemplateFault(said, *_place(exc, template)) from exc
        except _VALUE_ERRORS as exc:
            raise RenderError(
                Message(
                    "template.error", name=name, line=_template_line(exc, template), error=str(exc)
                )
            ) from exc
        try:
            body = jsontext.loads(text)  # decimals stay exact
        except json.JSONDecodeError as exc:  # no cell can break it: every value is JSON
            said = Message(
                "template.not_json", name=name, error=exc.msg, line=exc.lineno, column=exc.colno
            )
            raise TemplateFault(said, template.filename or name, None) from exc
        return prune(body, clear)


def prune(value: Any, clear: Any = DROP) -> Any:
    """Drop ``null`` fields, and objects or lists that only held such fields; a cleared
    field becomes ``clear`` (see :meth:`Renderer.render`)."""
    result = _prune(value, clear)
    return None if result is _GONE else result


def _prune(value: Any, clear: Any) -> Any:
    # A plain walk that never calls itself for a scalar: rendering 100,000 bodies spends
    # most of its time here otherwise.
    if value is None:
        return _GONE
    if isinstance(value, dict):
        if "@when" in value:  # an object included only for some rows
            if not value["@when"]:
                return _GONE
            value = {k: v for k, v in value.items() if k != "@when"}
        elif "@clear" in value:
            return clear
        elif "@null" in value:
            return None  # kept by the caller: only a None met as an item is dropped
        kept = {}
        for key, item in value.items():
            if item is None:
                continue
            if isinstance(item, dict | list):
                item = _prune(item, clear)
                if item is _GONE:
                    continue
            kept[key] = item
        return kept if kept or not value else _GONE
    if isinstance(value, list):
        items = []
        for item in value:
            if item is None:
                continue
            if isinstance(item, dict | list):
                item = _prune(item, clear)
                if item is _GONE:
                    continue
            items.append(item)
        return items or _GONE  # a list a loop left empty (an order without lines) goes too
    return value


def _text(template: jinja2.Template, context: dict[str, Any]) -> str:
    """The rendered text, within the limits of one body."""
    chunks: list[str] = []
    size = 0
    pieces = template.generate(context)
    with bounded():
        # a few pieces at a time: counting each one in Python costs 5 % of rendering
        while batch := list(itertools.islice(pieces, 32)):
            size += sum(map(len, batch))
            if size > MAX_BODY:
                raise Limit(Message("limit.body", limit=MAX_BODY))
            chunks += batch
    return "".join(chunks)


def _refused(reason: str | Message, file: str, line: int | None) -> MappingError:
    said = reason if isinstance(reason, Message) else Message("text", text=reason)
    return MappingError(Message("template.refused", reason=said), file=file, line=line)


def _place(exc: BaseException, template: jinja2.Template) -> tuple[str, int | None]:
    """The template file and line an exception was raised at: the innermost template (an
    included one, or a macro's) in the traceback Jinja rewrites to point at templates."""
    place: tuple[str, int | None] = (template.filename or str(template.name), None)
    tb = exc.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:  # a frame Jinja made for a template
            place = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return place


# what only the template can get wrong (a value's type does not allow it, a filter misused):
# every row with such a value fails alike, so the run stops
_TEMPLATES_OWN = (jinja2.TemplateError, TypeError, AttributeError)
# what a row's own value can make go wrong ('{} {}'.format(one), a date that does not exist,
# a zero to divide by): the row's problem, with the template's line
_VALUE_ERRORS = (ValueError, ArithmeticError, LookupError)


def _template_line(exc: BaseException, template: jinja2.Template) -> int | str:
    """The template line an exception was raised at (jinja rewrites the traceback)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == template.filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line if line is not None else "?"
