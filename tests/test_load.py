"""The YAML loader: safe types, line marks, and limits on hostile files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from takehome import yamlfile
from takehome.errors import ContentError
from takehome.yamlfile import MAX_YAML_BYTES, load_yaml

from .conftest import CORPUS


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


@pytest.mark.skipif(yamlfile._FAST is None, reason="PyYAML built without libyaml")
def test_libyaml_reads_what_pyyaml_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """libyaml's parser (used when PyYAML has it) gives the same values and the same marks as
    PyYAML's own, naughty strings included; a file it refuses gets PyYAML's clearer message."""
    naughty = json.loads((CORPUS / "blns/blns.json").read_text(encoding="utf-8"))
    text = "".join(f"k{i}: {json.dumps(s, ensure_ascii=False)}\nl{i}:\n  - {json.dumps(s)}\n"
                   f"  - [😀, 'x']\n" for i, s in enumerate(naughty) if s.isprintable())
    path = write(tmp_path, text)
    fast = load_yaml(path)
    with monkeypatch.context() as patch:
        patch.setattr(yamlfile, "_FAST", None)
        slow = load_yaml(path)
    assert len(fast.data) > 700 and fast.data == slow.data and fast.marks == slow.marks
    assert "found undefined alias 'nope'" in error_of(write(tmp_path, "a: *nope\n"))
    assert "control character U+0007 is not allowed" in error_of(write(tmp_path, "a: \x07\n"))
