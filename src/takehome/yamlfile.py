"""Reading YAML safely, keeping the line and column of every node for error messages."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import files
from .errors import ContentError

MAX_YAML_BYTES = 1_000_000
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64

Key = tuple[str | int, ...]


@dataclass
class Marks:
    """Where each value (and each mapping key) of a loaded document sits in its file."""

    path: Path
    values: dict[Key, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Key, tuple[int, int]] = field(default_factory=dict)

    def locate(self, loc: Key, *, key: bool = False) -> tuple[int | None, int | None]:
        """The 1-based line and column of the deepest known node on `loc`."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            where = table.get(loc[:end]) or self.values.get(loc[:end])
            if where:
                return where
        return None, None


@dataclass
class Loaded:
    """A YAML file's data with its marks."""

    data: Any
    marks: Marks


def read_text(path: Path, limit: int = MAX_YAML_BYTES, root: Path | None = None) -> str:
    """Read a text file as UTF-8 (a BOM is allowed), refusing huge or binary files, special
    files, and links that lead out of `root` (default: the file's own folder)."""
    raw = files.read_bytes(path, root or path.parent, limit)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", path, line, col
        ) from None
    if "\x00" in text:
        raise ContentError("file contains NUL bytes; is it a binary file?", path)
    return text


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps scalars' types but lets us build containers ourselves."""


# libyaml's parser, where PyYAML was built with it: the same values and marks (checked over the
# Big List of Naughty Strings) in a quarter of the time; its error messages are terser, so a
# file it refuses is read again by PyYAML's own parser, whose message is given.
_FAST: type[yaml.SafeLoader] | None = getattr(yaml, "CSafeLoader", None)


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


_CONTAINER_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}


class _Builder:
    def __init__(self, path: Path, loader: yaml.SafeLoader) -> None:
        self.marks = Marks(path)
        self.loader = loader
        self.count = 0

    def build(self, node: yaml.Node, loc: Key, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise ContentError(
                f"more than {MAX_NODES:,} values (too many aliases?)", self.marks.path, *_mark(node)
            )
        if depth > MAX_DEPTH:
            raise ContentError(f"nested deeper than {MAX_DEPTH} levels", self.marks.path,
                               *_mark(node))
        self.marks.values[loc] = _mark(node)
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _CONTAINER_TAGS:
            raise ContentError(f"unsupported YAML tag {node.tag!r}", self.marks.path, *_mark(node))
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # resolves "<<" merge keys
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise ContentError("a key must be plain text", self.marks.path,
                                       *_mark(key_node))
                key = self.loader.construct_object(key_node)
                if not isinstance(key, str | int | bool) or isinstance(key, bool):
                    key = str(key_node.value)
                if key in result:
                    first = self.marks.keys[(*loc, key)]
                    raise ContentError(
                        f"duplicate key {key!r} (first at line {first[0]})",
                        self.marks.path, *_mark(key_node),
                    )
                self.marks.keys[(*loc, key)] = _mark(key_node)
                result[key] = self.build(value_node, (*loc, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node)
        except yaml.constructor.ConstructorError as exc:
            raise ContentError(_clean(exc.problem or str(exc)), self.marks.path,
                               *_mark(node)) from None
        except (ValueError, OverflowError) as exc:  # e.g. a date like 0000-00-00
            raise ContentError(f"{node.value!r} is not a valid value: {exc}", self.marks.path,
                               *_mark(node)) from None


def _clean(message: str) -> str:
    return message.replace("\n", " ").strip()


def load_yaml(path: Path, root: Path | None = None) -> Loaded:
    """Load one YAML file: safe types only, no duplicate keys, bounded size, depth and aliases;
    a file that leads out of `root` (default: its own folder) is refused."""
    text = read_text(path, root=root)
    if _FAST is not None:
        with contextlib.suppress(ContentError, yaml.YAMLError, RecursionError):
            return _load(text, path, _FAST)
    return _load(text, path, _Loader)


def _load(text: str, path: Path, parser: type[yaml.SafeLoader]) -> Loaded:
    try:
        loader = parser(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ContentError(f"invalid YAML: control character U+{exc.character:04X} is not allowed",
                           path, line, col) from None
    builder = _Builder(path, loader)
    try:
        node = loader.get_single_node()
        data = {} if node is None else builder.build(node, (), 0)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = (mark.line + 1, mark.column + 1) if mark else (None, None)
        problem = _clean(exc.problem or exc.context or "invalid YAML")
        if "\t" in problem or "'\\t'" in problem:
            problem += " (YAML indentation must use spaces, not tabs)"
        raise ContentError(f"invalid YAML: {problem}", path, *at) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"invalid YAML: {_clean(str(exc))}", path) from None
    except RecursionError:
        raise ContentError(f"nested deeper than {MAX_DEPTH} levels", path) from None
    finally:
        loader.dispose()
    return Loaded(data, builder.marks)
