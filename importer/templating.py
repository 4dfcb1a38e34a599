"""The Jinja environment every template and expression runs in: sandboxed, immutable, bounded.

Mappings and templates are shared between consultants and customers, so they must be data:
nothing in them may run code. They run in Jinja's
:class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` (no attribute starting with ``_``, no
Python internals such as a generator's frame, no changing a list, dict or set), and before a
template or expression runs at all its parsed form is checked (:func:`check`), so one that
reaches for such things is refused when it is compiled, naming its line, before any row is
read or sent.

Within the sandbox, limits keep a template from hanging the run or exhausting the machine:

- a string, list or bytes made by ``~``, ``+``, ``*``, ``%`` or by the filters and methods
  that take a size (``join``, ``replace``, ``center``, ``indent``, ``wordwrap``, ``format``,
  ``batch``, ``slice``; ``str.ljust`` and the like) holds at most :data:`MAX_SIZE` characters
  or items, and a whole number made by ``*`` or ``**`` at most :data:`MAX_BITS` bits;
- within :func:`bounded` (one body, one evaluation of an expression) at most
  :data:`MAX_STEPS` loop iterations and calls are made, in at most :data:`MAX_SECONDS`; a
  body is at most :data:`MAX_BODY` characters long (importer.render counts them);
- ``range`` gives at most 100,000 numbers (the sandbox's own limit); a macro or recursive
  loop that calls itself without end stops at Python's recursion limit.

Breaking a limit, or anything the sandbox refuses while running (``attr()`` given a name
starting with ``_`` that only the values make, ``{{ row.update }}``), raises :class:`Limit`, a
:class:`jinja2.exceptions.SecurityError` that says why as a Message (``said``, rendered in the
run's language; a refusal when compiled says it in :class:`Refused`); the callers
(importer.render) turn it into a MappingError that stops the run before anything is sent.
"""

from __future__ import annotations

import functools
import math
import re
import string
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeGuard

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import (
    do_attr,
    do_batch,
    do_center,
    do_format,
    do_indent,
    do_replace,
    do_wordwrap,
    make_attrgetter,
    pass_environment,
    pass_eval_context,
    sync_do_join,
    sync_do_slice,
)
from jinja2.sandbox import (
    MAX_RANGE,
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    ImmutableSandboxedEnvironment,
    safe_range,
)
from jinja2.visitor import NodeTransformer

from importer.messages import Message

MAX_SIZE = 1_000_000  # characters or items of one value a template makes
MAX_BITS = 1_000_000  # bits of one whole number a template makes (some 300,000 digits)
MAX_STEPS = 1_000_000  # loop iterations and calls in one body or expression
MAX_SECONDS = 10.0  # time to render one body (a body takes well under a millisecond)
# characters of one body: a loop can repeat the template's own text, which no size check sees
MAX_BODY = 10 * MAX_SIZE

# Attributes the sandbox refuses on some objects whatever their name: refused everywhere, as
# no template needs them.
_INTERNAL = (
    {"mro"}
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)
# The methods ImmutableSandboxedEnvironment refuses on lists, dicts, sets and deques.
_CHANGING = {
    "add", "append", "appendleft", "clear", "difference_update", "discard", "extend",
    "extendleft", "insert", "pop", "popitem", "popleft", "remove", "reverse", "rotate",
    "setdefault", "sort", "symmetric_difference_update", "update",
}  # fmt: skip
_SIZED = (str, bytes, list, tuple)
_DICT_READS = frozenset({"get", "items", "keys", "values"})


class Refused(jinja2.TemplateSyntaxError):
    """A template or expression reaches for what the sandbox does not allow (at compile time);
    ``said`` is why, as a Message (``message`` is it in English)."""

    def __init__(
        self, said: Message, lineno: int, name: str | None = None, filename: str | None = None
    ) -> None:
        super().__init__(str(said), lineno, name, filename)
        self.said = said


class Limit(SecurityError):
    """What the sandbox stops while a template or expression runs: a limit it would break,
    or what it refuses; ``said`` is why, as a Message (``str()`` is it in English)."""

    def __init__(self, said: Message) -> None:
        super().__init__(str(said))
        self.said = said


def check(tree: nodes.Template, name: str | None = None, filename: str | None = None) -> None:
    """Refuse a parsed template or expression that reaches for Python internals or changes
    a value; raise :class:`Refused` naming the first such place and its line."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Call)):
        reason = _refusal(node)
        if reason:
            raise Refused(reason, node.lineno, name, filename)


def _refusal(node: nodes.Node) -> Message | None:
    if isinstance(node, nodes.Getattr):
        return _attribute_refusal(node.attr)
    if isinstance(node, nodes.Getitem):
        return _attribute_refusal(node.arg.value) if _text(node.arg) else None
    if isinstance(node, nodes.Filter):
        # attribute names the filter looks up: attr('x'), map(attribute='x'), selectattr('x')
        names = [kw.value for kw in node.kwargs if kw.key == "attribute"]
        if node.name in ("attr", "selectattr", "rejectattr", "groupby") and node.args:
            names.append(node.args[0])
        if node.name == "map" and len(node.args) > 1 and _text(node.args[0], "attr"):
            names.append(node.args[1])
        for value in names:
            if _text(value):
                for part in value.value.split("."):
                    if _attribute_refusal(part):
                        return _attribute_refusal(part)
        return None
    assert isinstance(node, nodes.Call)
    method = node.node
    if isinstance(method, nodes.Getattr) and method.attr in _CHANGING:
        return Message("sandbox.changes", name=method.attr)
    if (
        isinstance(method, nodes.Getattr)
        and method.attr in ("format", "format_map")
        and _text(method.node)  # '{0.__class__}'.format(x)
    ):
        for _, field, _, _ in string.Formatter().parse(method.node.value):
            for part in re.split(r"[.\[\]]", field or ""):
                if _attribute_refusal(part):
                    return _attribute_refusal(part)
    return None


def _text(node: nodes.Node, value: str | None = None) -> TypeGuard[nodes.Const]:
    """Whether a node is a literal string (``value``, if given)."""
    return (
        isinstance(node, nodes.Const)
        and isinstance(node.value, str)
        and (value is None or node.value == value)
    )


def _attribute_refusal(name: str) -> Message | None:
    if name.startswith("_"):
        return Message("sandbox.underscore", name=name)
    if name in _INTERNAL:
        return Message("sandbox.internal", name=name)
    return None


class _Budget:
    """The loop iterations and calls one body or expression may still make, and its time."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.deadline = time.monotonic() + MAX_SECONDS

    def spend(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise Limit(Message("limit.steps", limit=MAX_STEPS))
        if time.monotonic() > self.deadline:
            raise Limit(Message("limit.time", seconds=MAX_SECONDS))


_BUDGET: ContextVar[_Budget | None] = ContextVar("importer_template_budget", default=None)


class bounded:  # noqa: N801 (used as a function: ``with bounded():``)
    """Count loop iterations, calls and time against the limits of one body or expression.

    Outside it nothing is counted (sizes are always checked). Inside an outer one (an
    included template) the outer budget goes on. (A class: a generator-based context
    manager costs a microsecond more per body.)
    """

    def __enter__(self) -> None:
        self.token = _BUDGET.set(_Budget()) if _BUDGET.get() is None else None

    def __exit__(self, *exc: object) -> None:
        if self.token is not None:
            _BUDGET.reset(self.token)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.spend()


def _limit(size: int, what: str | Message) -> None:
    """Refuse a value of more than :data:`MAX_SIZE` characters or items; ``what`` makes it
    (``'~'``, ``join()``, or a Message such as the filter's name)."""
    if size > MAX_SIZE:
        raise Limit(Message("limit.size", what=what, size=size, limit=MAX_SIZE))


def _width(value: Any) -> int:
    """A size argument as a number (0 for anything else: the filter itself refuses it)."""
    return value if isinstance(value, int) else 0


# printf-style conversions (`%` and the format filter): a width or precision, or `*`
_PRINTF = re.compile(r"%%|%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")


def _check_printf(text: Any) -> None:
    for match in _PRINTF.finditer(str(text)):
        for size in match.groups():
            if size == "*":
                raise Limit(Message("limit.star"))
            if size:
                _limit(int(size), Message("limit.conversion", text=match[0]))


def _check_format(text: str) -> None:
    """Widths and precisions in a ``str.format`` text, such as ``{:>1000000000}``."""
    for _, _, spec, _ in string.Formatter().parse(text):
        if spec and "{" in spec:
            raise Limit(Message("limit.nested_width"))
        for size in re.findall(r"\d+", spec or ""):
            _limit(int(size), Message("limit.format", spec=spec))


def _estimate(size: Callable[..., int], *args: Any, **kwargs: Any) -> int:
    """What a filter or method would make; 0 for arguments it refuses itself (its own
    error then says what is wrong)."""
    try:
        return size(*args, **kwargs)
    except (TypeError, ValueError):
        return 0


def _sized(
    function: Callable[..., Any], name: str, size: Callable[..., int], skip: int = 0
) -> Callable[..., Any]:
    """A filter that first checks the size of what it would make (``skip``: the arguments
    Jinja passes first, such as the environment)."""

    @functools.wraps(function)  # keeps Jinja's mark of what it passes first
    def limited(*args: Any, **kwargs: Any) -> Any:
        _limit(_estimate(size, *args[skip:], **kwargs), Message("limit.filter", name=name))
        return function(*args, **kwargs)

    return limited


def _lines(text: Any) -> int:
    return str(text).count("\n") + 1


def _replaced(text: Any, old: Any, new: Any, count: Any = None) -> int:
    text, old, new = str(text), str(old), str(new)
    times = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * len(new)


_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _sized(do_center, "center", lambda s, width=80: len(str(s)) + _width(width)),
    "indent": _sized(
        do_indent,
        "indent",
        lambda s, width=4, first=False, blank=False: (
            len(str(s))
            + (_lines(s) - (not first)) * (len(width) if isinstance(width, str) else _width(width))
        ),
    ),
    "wordwrap": _sized(
        do_wordwrap,
        "wordwrap",
        lambda s, width=79, long=True, wrapstring=None, *a, **k: (
            len(str(s)) * (1 + len(str(wrapstring or "\n")))
        ),
        skip=1,
    ),
    "replace": _sized(do_replace, "replace", _replaced, skip=1),
    "batch": _sized(do_batch, "batch", lambda value, linecount, *a, **k: _width(linecount)),
    "slice": _sized(sync_do_slice, "slice", lambda value, slices, *a, **k: _width(slices)),
}


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    _check_printf(value)
    return do_format(value, *args, **kwargs)


@pass_eval_context
def _join(eval_ctx: Any, value: Any, d: str = "", attribute: str | int | None = None) -> str:
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    items = [v if isinstance(v, str) else str(v) for v in value]
    _limit(
        sum(map(len, items)) + len(str(d)) * max(len(items) - 1, 0),
        Message("limit.filter", name="join"),
    )
    return sync_do_join(eval_ctx, items, d)


def _concat(items: list[Any]) -> str:
    """``a ~ b``: as Jinja writes it, with the size checked."""
    parts = [v if isinstance(v, str) else str(v) for v in items]
    _limit(sum(map(len, parts)), "'~'")
    return "".join(parts)


def _range(*args: int) -> range:
    """The sandbox's range (at most 100,000 numbers), refused like the other limits."""
    try:
        return safe_range(*args)
    except OverflowError as exc:
        raise Limit(Message("limit.range", limit=MAX_RANGE)) from exc


@pass_environment
def _attr(environment: Any, obj: Any, name: Any) -> Any:
    """``attr()``, refusing a name that reaches into Python internals also when only the values
    make it (``attr('_' ~ '_class__')``; a literal one is refused when compiled), whether or
    not the value has it: Jinja would give an empty value."""
    reason = _attribute_refusal(str(name))
    if reason is not None:
        raise Limit(reason)
    return do_attr(environment, obj, name)


def _loop(iterable: Any) -> Iterator[Any]:
    """The items of a ``{% for %}`` loop, each counted against the budget."""
    for item in iterable:
        _spend()
        yield item


class _Counted(NodeTransformer):
    """Route every ``~`` and every loop of a parsed template through the checks above."""

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(
            nodes.List(node.nodes, lineno=node.lineno),
            "_concat",
            [],
            [],
            None,
            None,
            lineno=node.lineno,
        )

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_loop", [], [], None, None, lineno=node.lineno)
        return node


# str and bytes methods that take a size: what they would make
_METHODS: dict[str, Callable[..., int]] = {
    "center": lambda s, width, *a: len(s) + _width(width),
    "ljust": lambda s, width, *a: len(s) + _width(width),
    "rjust": lambda s, width, *a: len(s) + _width(width),
    "zfill": lambda s, width: len(s) + _width(width),
    "expandtabs": lambda s, tabsize=8: len(s) * max(_width(tabsize), 1),
    "replace": lambda s, old, new, count=-1: _replaced(s, old, new, count),
}


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the checks and limits of this module."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        del self.globals["lipsum"]  # lipsum(n) writes n paragraphs: no use in a body
        self.globals["range"] = _range
        self.filters.update(_FILTERS)
        self.filters.update(format=_format, join=_join, attr=_attr, _concat=_concat, _loop=_loop)

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        # Every template and expression is compiled through here (Jinja's hook for it).
        check(source, name, filename)
        _Counted().visit(source)
        return super()._generate(source, name, filename, defer_init)  # type: ignore[no-any-return]

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            if isinstance(left, int) and isinstance(right, _SIZED):
                left, right = right, left
            if isinstance(left, _SIZED) and isinstance(right, int):
                _limit(len(left) * right, "'*'")
            elif isinstance(left, int) and isinstance(right, int):
                _bits(left.bit_length() + right.bit_length(), "'*'")
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
                _bits(int(right * math.log2(abs(left))) + 1, "'**'")
        elif operator == "+":
            if isinstance(left, _SIZED) and isinstance(right, _SIZED):
                _limit(len(left) + len(right), "'+'")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left)
        return super().call_binop(context, operator, left, right)

    # row.naam and row.get("naam") are most of what templates do (50 calls of get in a body
    # of KnOrganisation): through the sandbox's checks they made rendering 2.5 times slower.
    # Reading a dict is safe, so it skips them.

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        # Jinja gives an undefined value that fails only where it is written out, and not at
        # all in `is defined`, `default()` or an expression's result: refused where it is read.
        raise Limit(
            _attribute_refusal(attribute)
            or (Message("sandbox.changes", name=attribute) if attribute in _CHANGING else None)
            or Message("sandbox.unsafe", name=attribute, kind=type(obj).__name__)
        )

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            if attribute in _DICT_READS:
                return getattr(obj, attribute)
            if not hasattr(dict, attribute):  # row.naam: a key (without raising AttributeError)
                if attribute in obj:
                    return obj[attribute]
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        owner = getattr(__obj, "__self__", None)
        if type(owner) is dict and __obj.__name__ in _DICT_READS:
            kwargs.pop("_loop_vars", None)  # what Jinja passes inside a loop or block, for
            kwargs.pop("_block_vars", None)  # functions that take the context
            return __obj(*args, **kwargs)
        if isinstance(owner, str | bytes):
            name = getattr(__obj, "__name__", "")
            if name in _METHODS:
                _limit(
                    _estimate(_METHODS[name], owner, *args, **kwargs),
                    Message("limit.method", name=name),
                )
            elif name == "join" and args:
                items = list(args[0])
                size = sum(len(v) for v in items if isinstance(v, str | bytes))
                _limit(
                    size + len(owner) * max(len(items) - 1, 0), Message("limit.method", name="join")
                )
                args = (items, *args[1:])
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _check_format(value.__self__)
        return wrapped


def _bits(bits: int, what: str) -> None:
    if bits > MAX_BITS:
        raise Limit(Message("limit.bits", what=what, bits=bits, limit=MAX_BITS))
