"""The template sandbox: Jinja's immutable sandbox, with every computation a template can make
bounded (powers, repetition, padding, formatting, joins, what printing a value gives) and a
loader that reads only regular files inside its templates folder.

Templates may come from other people (a seller's template pack), so a template is untrusted
code: it may print anything it is given, but it cannot read files, reach Python internals, or
make a value too large to hold. Time is bounded by the renderer's deadline (see jinja.py).
"""

from __future__ import annotations

import math
import os
import re
import string
import time
from collections.abc import Callable, Iterable
from functools import partial, wraps
from pathlib import Path, PurePath
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum
from pydantic import BaseModel

from .. import files
from .digest import stat_signature, unsure

MAX_VALUE_CHARS = 5_000_000  # one value a template makes, or what printing one gives
MAX_ITEMS = 100_000  # items in a list a template makes (what range() allows)
MAX_INT_BITS = 10_000  # about 3,000 digits
MAX_TEMPLATE_BYTES = 1_000_000
_PATH_ATTRIBUTES = {"name", "stem", "suffix", "suffixes"}


class TemplateTimeout(Exception):
    """A template ran past its deadline."""


class TooLarge(SecurityError):
    """A template asked for a value larger than the sandbox allows."""


def size(value: Any, limit: int = MAX_VALUE_CHARS) -> int:
    """About how many characters printing `value` gives, counted until just past `limit` (a
    list holding one long text many times prints it many times)."""
    if isinstance(value, str):  # most of what a template prints
        return len(value)
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + 2 * len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
    return total


def _bounded(value: Any, what: str) -> Any:
    if size(value) > MAX_VALUE_CHARS:
        raise TooLarge(f"{what} would make more than {MAX_VALUE_CHARS:,} characters (the "
                       "limit for one value)")
    return value


def _chars(count: int, what: str) -> None:
    if count > MAX_VALUE_CHARS:
        raise TooLarge(f"{what} would make more than {MAX_VALUE_CHARS:,} characters (the "
                       "limit for one value)")


def _items(count: int, what: str) -> None:
    if count > MAX_ITEMS:
        raise TooLarge(f"{what} would make more than {MAX_ITEMS:,} items (the limit for one "
                       "list)")


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# %-formatting: each conversion's width and precision ("%10.3f", "%*d").
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _check_percent(template: str, values: Any) -> None:
    """`template % values` allocates what its widths and precisions ask for: bound them."""
    padding = 0
    for width, precision in _PERCENT.findall(template):
        padding += sum(int(n) for n in (width, precision) if n.isdigit())
        if "*" in (width, precision):
            given = values if isinstance(values, tuple) else (values,)
            padding += sum(abs(_number(v)) for v in given)
    _chars(len(template) + padding + size(values), "this % formatting")


def _check_format(template: str, args: Iterable[Any], kwargs: dict[str, Any]) -> None:
    """str.format: widths and precisions in its fields, and what the values print as."""
    padding = 0
    for _literal, _field, spec, _conversion in string.Formatter().parse(template):
        if spec and "{" in spec:
            raise TooLarge("a format field whose width comes from a value is not allowed "
                           "in templates")
        padding += sum(int(n) for n in re.findall(r"\d+", spec or ""))
    _chars(len(template) + padding + size([*args, *kwargs.values()]), "this format()")


def _replace_size(text: str, old: str, new: str, count: Any = -1) -> int:
    times = text.count(old) if old else len(text) + 1
    if _number(count) >= 0 and count not in (None, -1):
        times = min(times, _number(count))
    return len(text) + times * max(0, len(new) - len(old))


def _filter_check(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """What one call of a built-in filter would allocate, checked before it runs."""
    def arg(index: int, key: str, default: Any = None) -> Any:
        return args[index] if len(args) > index else kwargs.get(key, default)

    value = args[0] if args else None
    if name in _PRINTING:
        _bounded(value, f"|{name}")
    text = str(value) if isinstance(value, str) else ""
    if name == "center":
        _chars(_number(arg(1, "width", 80)), "|center")
    elif name == "indent":
        width = arg(1, "width", 4)
        step = len(width) if isinstance(width, str) else _number(width)
        _chars(len(text) + step * (text.count("\n") + 1), "|indent")
    elif name in ("batch", "slice"):
        _items(_number(arg(1, "linecount" if name == "batch" else "slices", 0)), f"|{name}")
    elif name == "replace":
        old, new = str(arg(1, "old", "")), str(arg(2, "new", ""))
        _chars(_replace_size(text, old, new, arg(3, "count", None)), "|replace")
    elif name == "wordwrap":
        wrap = arg(4, "wrapstring", None) or "\n"
        _chars(len(text) + len(str(wrap)) * (len(text) // max(1, _number(arg(1, "width", 79)))
                                             + 1), "|wordwrap")
    elif name == "join":
        items = list(value) if isinstance(value, list | tuple | set | frozenset) else []
        _chars(size(items) + len(str(arg(1, "d", ""))) * len(items), "|join")
    elif name == "format":
        _check_percent(text, tuple(args[1:]) or dict(kwargs))
    elif name == "sum" and isinstance(value, list | tuple):
        _items(sum(len(v) for v in value if isinstance(v, list | tuple)), "|sum")


# Filters that print their value (or turn it into text): what they print is bounded.
_PRINTING = {"string", "e", "escape", "forceescape", "safe", "tojson", "pprint", "upper",
             "lower", "title", "capitalize", "trim", "striptags", "urlize", "urlencode",
             "xmlattr", "wordcount", "truncate", "list", "center", "indent", "wordwrap",
             "replace", "format"}


def _bounded_filter(name: str, function: Callable[..., Any],
                    environment: BoundedEnvironment) -> Callable[..., Any]:
    """A built-in filter that checks the deadline and what it would allocate first."""
    @wraps(function)  # keeps Jinja's pass_context / pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        environment.check_deadline()
        given = [a for a in args if not isinstance(a, jinja2.runtime.Context | jinja2.Environment
                                                   | nodes.EvalContext)]
        _filter_check(name, tuple(given), kwargs)
        result = function(*args, **kwargs)
        if isinstance(result, str):
            _chars(len(result), f"|{name}")
        return result

    return bounded


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    """Placeholder text, a few paragraphs at most."""
    if not (0 <= _number(n) <= 100 and 0 <= _number(min) <= _number(max) <= 1000):
        raise TooLarge("lipsum() makes at most 100 paragraphs of at most 1,000 words")
    return generate_lorem_ipsum(n, html, min, max)


def _checked_join(join: Callable[[Iterable[Any]], str], values: tuple[Any, ...]) -> str:
    """The `~` operator: what joining its operands would print, bounded before it is made."""
    _bounded(list(values), "joining with ~")
    return join(values)


def _concat(parts: Iterable[str]) -> str:
    """A block, macro or captured output joined: bounded before the text is made."""
    parts = list(parts)
    _chars(sum(len(p) for p in parts), "this block's output")
    return "".join(parts)


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with `~` joins checked for size before they are made."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        else:
            join = "markup_join" if frame.eval_ctx.autoescape else "str_join"
        self.write(f"environment.checked_join({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _str_method_check(method: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """A string method a template calls: what it would allocate, checked first."""
    text, name = method.__self__, getattr(method, "__name__", "")
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("center", "ljust", "rjust", "zfill"):
        _chars(_number(first), f".{name}()")
    elif name == "expandtabs":
        step = _number(first) if first is not None else 8
        _chars(len(text) + text.count("\t") * step, ".expandtabs()")
    elif name == "replace" and len(args) >= 2:
        count = args[2] if len(args) > 2 else kwargs.get("count", -1)
        _chars(_replace_size(text, str(args[0]), str(args[1]), count), ".replace()")
    elif name == "join":
        items = list(first) if isinstance(first, list | tuple | set | frozenset) else []
        _chars(size(items) + len(text) * len(items), ".join()")
    elif name == "translate" and isinstance(first, dict):
        longest = max((len(v) for v in first.values() if isinstance(v, str)), default=1)
        _chars(len(text) * max(1, longest), ".translate()")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with bounded work: the renderer sets `deadline`, checked on
    every call and filter; arithmetic, repetition, padding, formatting and joins are checked
    for size before they run, at compile time (constant folding) as at render time."""

    # Intercepted operators are never folded at compile time: `9**(9**9)` in a template is
    # refused when it would run, instead of computed by the compiler before any deadline.
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    code_generator_class = _CodeGenerator
    concat = staticmethod(_concat)
    deadline = float("inf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = kwargs.pop("finalize", None)  # the caller's own, checked after it runs
        kwargs["finalize"] = lambda value: _bounded(value if given is None else given(value),
                                                    "printing this value")
        super().__init__(*args, **kwargs)
        self.filters = {name: _bounded_filter(name, function, self)
                        for name, function in self.filters.items()}
        self.globals["lipsum"] = _lipsum
        self.checked_join = _checked_join
        self._safe: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's rules, and nothing that reads files: of a file path in a template's data (the
        calendar's) only its name, of a content model only its own fields and methods. Each
        rule asks only what type the object is and the attribute's name: decided once for
        each (a roster's pages ask the same few hundred thousands of times)."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = self._is_safe_attribute(obj, attr, value)
        return safe

    def _is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath | os.PathLike) and attr not in _PATH_ATTRIBUTES:
            return False
        # A content model's fields and our own methods, never pydantic's: its parse_file()
        # reads any file.
        if isinstance(obj, BaseModel) and hasattr(BaseModel, attr):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def check_deadline(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateTimeout

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any,
                   right: Any) -> Any:
        if operator == "**":
            base, power = _number(left), _number(right)
            if power > 0 and abs(base) > 1 and power * math.log2(abs(base)) > MAX_INT_BITS:
                raise TooLarge(f"{left} ** {right} is too large a number")
        elif operator == "*":
            self._check_times(left, right)
        elif operator == "+":
            if isinstance(left, str) and isinstance(right, str):
                _chars(len(left) + len(right), "this +")
            elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
                _items(len(left) + len(right), "this +")
        elif operator == "%" and isinstance(left, str):
            _check_percent(left, right)
        return super().call_binop(context, operator, left, right)

    @staticmethod
    def _check_times(left: Any, right: Any) -> None:
        if _number(left) and _number(right):
            if abs(_number(left)).bit_length() + abs(_number(right)).bit_length() > \
                    MAX_INT_BITS:
                raise TooLarge(f"{left} * {right} is too large a number")
            return
        for sequence, times in ((left, right), (right, left)):
            count = _number(times)
            if isinstance(sequence, str):
                _chars(len(sequence) * count, "this repetition")
            elif isinstance(sequence, list | tuple):
                _items(len(sequence) * count, "this repetition")

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,  # noqa: N805
             *args: Any, **kwargs: Any) -> Any:
        __self.check_deadline()
        if isinstance(getattr(__obj, "__self__", None), str):
            _str_method_check(__obj, args, kwargs)
        elif __obj in __self._gettext:
            _bounded([*args, *kwargs.values()], "this translated text")
        return super().call(__context, __obj, *args, **kwargs)

    @property
    def _gettext(self) -> list[Any]:
        return [self.globals.get(n) for n in ("_", "gettext", "ngettext", "pgettext",
                                               "npgettext") if n in self.globals]

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """str.format and format_map, sandboxed by Jinja, with widths and values bounded."""
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        template, mapping = str(value.__self__), value.__name__ == "format_map"

        @wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            if mapping:
                _check_format(template, (), dict(args[0]) if args and
                              isinstance(args[0], dict) else {})
            else:
                _check_format(template, args, kwargs)
            return wrapper(*args, **kwargs)

        return checked


def _signature(path: Path) -> tuple[int, ...] | None:
    try:
        return stat_signature(path)  # as the cache's facts are told apart
    except OSError:
        return None


def _unchanged(path: Path, seen: tuple[int, ...] | None, before: tuple[Path, ...]) -> bool:
    """Whether a template is still this file as it was read (an environment is kept from build
    to build: a template written since into a folder searched first is used instead). A file
    changed just before it was read (`seen` None) is read again: it may have changed again
    within the clock's tick."""
    return seen is not None and _signature(path) == seen and not any(
        p.exists() or p.is_symlink() for p in before)


class ContainedLoader(jinja2.BaseLoader):
    """Templates from their folders only: the first folder holding a template wins; a template
    that leads out of its folder (a symbolic link), or is not a regular file, or is larger
    than MAX_TEMPLATE_BYTES is refused with the reason."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses "..": never a path out of a folder
        for i, folder in enumerate(self.folders):
            path = folder.joinpath(*pieces)
            if not (path.exists() or path.is_symlink()):
                continue
            seen = _signature(path)
            if seen is not None and unsure(seen[4], time.time_ns()):
                seen = None  # just changed: not to be believed unchanged later
            data = files.read_bytes(path, folder, MAX_TEMPLATE_BYTES,
                                    where=f"the templates folder ({folder.name}/)")
            try:
                source = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise files.Refused("template is not UTF-8 text", path) from None
            before = tuple(f.joinpath(*pieces) for f in self.folders[:i])
            return source, str(path), partial(_unchanged, path, seen, before)
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.folders:
            found.update(p.relative_to(folder).as_posix()
                         for p in files.regular_files(folder, folder))
        return sorted(found)
