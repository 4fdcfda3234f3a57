"""The YAML loader: safe types, line marks, and limits on hostile files."""

from __future__ import annotations

from pathlib import Path

import pytest

from takehome.errors import ContentError
from takehome.yamlfile import MAX_YAML_BYTES, load_yaml


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "doc.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ContentError) as info:
        load_yaml(path)
    return str(info.value.problem)


def test_marks_point_at_values_and_keys(tmp_path: Path) -> None:
    loaded = load_yaml(write(tmp_path, "school:\n  name: Maple\n  items:\n    - a\n    - b\n"))
    assert loaded.data == {"school": {"name": "Maple", "items": ["a", "b"]}}
    assert loaded.marks.values[("school", "name")] == (2, 9)
    assert loaded.marks.keys[("school", "name")] == (2, 3)
    assert loaded.marks.values[("school", "items", 1)] == (5, 7)
    assert loaded.marks.locate(("school", "nothing", 3)) == (2, 3)


def test_duplicate_keys_are_errors(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "a: 1\nb: 2\na: 3\n"))
    assert message.endswith("doc.yaml:3:1: error: duplicate key 'a' (first at line 1)")


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "a: !!python/object/apply:os.system ['true']\n"))
    assert "doc.yaml:1:4: error:" in message


def test_alias_bomb_is_bounded(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    message = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert "too many aliases" in message


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    assert "nested deeper" in error_of(write(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_tabs_get_a_hint(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "school:\n\tname: x\n"))
    assert "doc.yaml:2:1: error: invalid YAML" in message
    assert "tabs" in message


def test_not_utf8(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "name: caf\xe9\n".encode("latin-1")))
    assert "doc.yaml:1:10: error: not UTF-8" in message


def test_size_limit(tmp_path: Path) -> None:
    message = error_of(write(tmp_path, "a: '" + "x" * MAX_YAML_BYTES + "'\n"))
    assert "the limit is" in message


def test_empty_file_is_empty_mapping(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "# nothing yet\n")).data == {}


def test_bom_is_accepted(tmp_path: Path) -> None:
    assert load_yaml(write(tmp_path, "\ufeffa: 1\n")).data == {"a": 1}
