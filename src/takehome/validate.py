"""Turning loaded YAML into typed models, with each pydantic error placed at its file:line:col."""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, Union

from pydantic import BaseModel, RootModel, ValidationError

from .errors import ContentError, Problems
from .yamlfile import Key, Loaded, load_yaml

if TYPE_CHECKING:
    from .derived import Derived

M = TypeVar("M", bound=BaseModel)


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _unwrap(annotation: Any) -> list[Any]:
    """The types an annotation can hold, looking through Optional, Annotated and unions."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_at(model: type[BaseModel], loc: Key) -> type[BaseModel] | None:
    """The model class that validates the mapping found at `loc` (for "did you mean")."""
    current: Any = model
    for part in loc:
        candidates = [c for c in _unwrap(current)]
        nxt = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
                fields = {f.alias or n: f for n, f in cand.model_fields.items()}
                if part in fields:
                    nxt = fields[part].annotation
                    break
            elif origin in (list, tuple) and isinstance(part, int):
                nxt = typing.get_args(cand)[0]
                break
            elif origin is dict:
                nxt = typing.get_args(cand)[1]
                break
        if nxt is None:
            return None
        current = nxt
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel) and \
                not issubclass(cand, RootModel):
            return cand
    return None


def _message(error: Any, model: type[BaseModel], loc: Key) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        parent = _model_at(model, loc[:-1])
        message = f"unknown key {key!r}"
        if parent is not None:
            close = difflib.get_close_matches(key, _field_names(parent), n=1, cutoff=0.6)
            if close:
                return f"{message}; did you mean {close[0]!r}?"
            return f"{message}; expected one of: {', '.join(_field_names(parent))}"
        return message
    if kind == "missing":
        return f"missing required key {str(loc[-1])!r}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def _data_loc(loc: tuple[Any, ...], data: Any) -> Key:
    """Drop pydantic's union-member tags from an error location, keeping the data path."""
    path: list[str | int] = []
    node = data
    for part in loc:
        inside = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        # pydantic names union members like "str" or "dict[str,str]", or a model "Question".
        union_tag = isinstance(part, str) and ("[" in part or part[:1].isupper())
        if inside:
            path.append(part)
            node = node[part]
        elif isinstance(node, dict | list) and not union_tag:
            path.append(part)  # a missing or unknown key: report it by name
            break
    return tuple(path)


def validate(
    model: type[M], loaded: Loaded, problems: Problems, context: dict[str, Any] | None = None
) -> M | None:
    """Validate `loaded` as `model`; on failure record every error and return None."""
    try:
        return model.model_validate(loaded.data, context=context)
    except ValidationError as exc:
        seen: set[tuple[Key, str]] = set()
        for error in exc.errors():
            loc = _data_loc(tuple(error["loc"]), loaded.data)
            message = _message(error, model, loc)
            if (loc, message) in seen:
                continue
            seen.add((loc, message))
            is_key = error["type"] in ("extra_forbidden",)
            if error["type"] == "missing":
                line, col = loaded.marks.locate(loc[:-1], key=True)
            else:
                line, col = loaded.marks.locate(loc, key=is_key)
            problems.error(message, loaded.marks.path, line, col)
        return None


def load_model(path: Path, model: type[M], problems: Problems, root: Path,
               derived: Derived | None = None) -> tuple[M | None, Loaded | None]:
    """Read the YAML file at `path` and validate it as `model` (files it names are looked up
    under `root`; what `derived` keeps is believed for unchanged files); problems are
    recorded, and what could not be read is None."""
    try:
        loaded = load_yaml(path, root)
    except ContentError as exc:
        problems.add(exc.problem)
        return None, None
    return validate(model, loaded, problems, {"root": root, "derived": derived}), loaded
