"""Hostile and broken input: clear errors, bounded cost, nothing lost (see SECURITY.md)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from takehome.build import jinja, pipeline
from takehome.errors import BuildError

from .conftest import CORPUS, page_text, tree_bytes
from .hostile import attempt, refused, takehome


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- YAML --------------------------------------------------------------------------------------

BOMB = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"] + [
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)])

YAML_CASES = {
    "alias bomb": (BOMB + "\n", "intake.yaml:"),
    "deep nesting": ("title: " + "[" * 3000 + "]" * 3000 + "\n", "intake.yaml"),
    "over the size limit": ("intro: '" + "x" * 1_100_000 + "'\n", "the limit is"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "intake.yaml:1:1: error: not UTF-8"),
    "not UTF-8": ("title: Caf\xe9\n".encode("latin-1"), "intake.yaml:1:11: error: not UTF-8"),
    "tabs": ("title:\n\ten: x\n", "intake.yaml:2:1: error: invalid YAML"),
    "duplicate keys": ("title: a\ntitle: b\n", "intake.yaml:2:1: error: duplicate key 'title'"),
    "wrong type": ("return_by: soon\n", "intake.yaml:1:12: error: Input should be a valid date"),
    "unsafe tag": ("title: !!python/object/apply:os.system [ls]\n", "intake.yaml:1:8: error:"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml(victim: Path, case: str) -> None:
    text, where = YAML_CASES[case]
    path = victim / "content/intake.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    refused(attempt(victim), where)


def test_empty_yaml_uses_the_defaults(victim: Path) -> None:
    (victim / "content/intake.yaml").write_text("")
    outcome = attempt(victim)
    assert outcome.code == 0, outcome.output


def test_empty_settings_lists_what_is_missing(victim: Path) -> None:
    (victim / "content/settings.yaml").write_text("")
    outcome = attempt(victim)
    refused(outcome, "settings.yaml: error: missing required key 'school'")
    assert "missing required key 'year'" in outcome.output


# --- Rosters -----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(p.relative_to(CORPUS / "rosters").as_posix()
                                        for p in (CORPUS / "rosters").rglob("*.csv")))
def test_corpus_rosters(victim: Path, name: str) -> None:
    shutil.copy(CORPUS / "rosters" / name, victim / "content/roster.csv")
    outcome = attempt(victim, "--only", "intake")
    if outcome.code == 1:
        refused(outcome, "roster.csv:1: error: roster header has no")
    else:
        assert outcome.code == 0, outcome.output
        names = [p.name for p in (victim / "output/intake/students").glob("*.pdf")]
        assert names and all(n[:2].isdigit() for n in names)


ROSTER_CASES = {
    "empty": ("", "roster.csv:1: error: roster is empty"),
    "header only": ("First Name,Last Name\n", "roster.csv:2: error: roster has a header but no"),
    "no name column": ("Display Name,Email\nAna,a@example.org\n",
                       "roster.csv:1: error: roster header has no first name or last name"),
    "binary": ("\x00\x01PK\x03\x04", "roster.csv: error: roster is not a text CSV"),
}


@pytest.mark.parametrize("case", sorted(ROSTER_CASES))
def test_broken_rosters(victim: Path, case: str) -> None:
    text, where = ROSTER_CASES[case]
    (victim / "content/roster.csv").write_text(text)
    refused(attempt(victim), where)


def test_ragged_and_repeated_rows_build_with_warnings(victim: Path) -> None:
    (victim / "content/roster.csv").write_text(
        "First,Last,Phone\nAna\nBen,Okafor,1,2,3\nBen,Okafor,1,2,3\n")
    outcome = attempt(victim, "--only", "intake")
    assert outcome.code == 0, outcome.output
    assert "roster.csv:4: warning: Ben Okafor is listed twice (first at line 3)" in outcome.output
    names = sorted(p.name for p in (victim / "output/intake/students").iterdir())
    assert names == ["01-ana.pdf", "02-okafor-ben.pdf"]


def test_hundred_thousand_rows_hit_a_clear_limit(victim: Path) -> None:
    rows = "".join(f"Kid{i},Family{i}\n" for i in range(100_000))
    (victim / "content/roster.csv").write_text("First,Last\n" + rows)
    refused(attempt(victim), "roster.csv:5002: error: roster has more than 5,000 students")


def test_names_that_are_not_file_names(victim: Path) -> None:
    (victim / "content/roster.csv").write_text(
        "First,Last\n..,..\n/,/\nCON,CON\nNUL,AUX\n.,x\n")
    outcome = attempt(victim, "--only", "intake")
    assert outcome.code == 0, outcome.output
    names = sorted(p.name for p in (victim / "output/intake/students").iterdir())
    assert names == ["01-student.pdf", "02-student.pdf", "03-con-con.pdf",
                     "04-aux-nul.pdf", "05-x.pdf"]
    assert "For the family of .. .." in page_text(victim / "output/intake/students/01-student.pdf")


# --- Paths, URLs and the network -----------------------------------------------------------------

@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    """A local port that records any connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                seen.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("value, message", [
    ("http://127.0.0.1:{port}/logo.png", "is a URL"),
    ("https://127.0.0.1:{port}/logo.png", "is a URL"),
    ("file:///etc/passwd", "is a URL"),
    ("/etc/passwd", "outside the project"),
    ("../../outside.png", "outside the project"),
    ("/dev/zero", "outside the project"),
    ("images/escape.png", "outside the project"),
])
def test_file_references_are_refused(victim: Path, listener, value: str, message: str) -> None:
    port, seen = listener
    (victim / "content/images/escape.png").symlink_to("/etc/passwd")
    edit(victim, "settings.yaml", "logo: images/logo.svg", f"logo: {value.format(port=port)}")
    refused(attempt(victim), "settings.yaml:8:9: error:")
    assert message in attempt(victim).output
    assert seen == []  # no connection was attempted


def test_template_urls_are_refused_without_a_connection(victim: Path, listener) -> None:
    port, seen = listener
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").write_text(
        f'<p>x</p><img src="http://127.0.0.1:{port}/a.png" alt="a">'
        '<img src="file:///etc/passwd" alt="b"><img src="../../../etc/hostname" alt="c">')
    outcome = attempt(victim)
    refused(outcome, "error: intake/blank.en.pdf: ")
    assert "refused" in outcome.output
    assert seen == []


# --- Images --------------------------------------------------------------------------------------

def _png(path: Path, size: tuple[int, int]) -> None:
    from PIL import Image

    Image.new("RGB", size, "white").save(path, optimize=True)


@pytest.mark.parametrize("case, message", [
    ("truncated", "damaged or truncated"),
    ("not an image", "not an image"),
    ("decompression bomb", "megapixels"),
    ("huge photo", "megapixels"),
    ("svg entities", "DOCTYPE"),
])
def test_bad_images(victim: Path, case: str, message: str) -> None:
    target = victim / "content/images/photo.png"
    if case == "truncated":
        _png(target, (400, 300))
        target.write_bytes(target.read_bytes()[:200])
    elif case == "not an image":
        target.write_text("#!/bin/sh\necho hi\n")
    elif case == "decompression bomb":
        _png(target, (12000, 12000))  # a few KB on disk, 144 Mpx in memory
    elif case == "huge photo":
        _png(target, (20000, 20000))
    else:
        target = victim / "content/images/photo.svg"
        target.write_text('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                          '<svg xmlns="http://www.w3.org/2000/svg">&lol;</svg>')
    edit(victim, "settings.yaml", "logo: images/logo.svg", f"logo: images/{target.name}")
    outcome = attempt(victim)
    refused(outcome, "settings.yaml:8:9: error:")
    assert message in outcome.output


# --- Templates -----------------------------------------------------------------------------------

def test_undefined_variable_names_the_template_and_line(victim: Path) -> None:
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").write_text("<p>ok</p>\n<p>{{ student.shoe_size }}</p>")
    refused(attempt(victim), "templates/intake/sheet.html:2: error: template error:")


def test_endless_template_is_stopped(victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja, "RENDER_SECONDS", 1.0)
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").write_text(
        "<p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% set x = j %}"
        "{% endfor %}{% endfor %}</p>")
    before = tree_bytes(victim / "output")
    started = time.monotonic()
    with pytest.raises(BuildError) as info:
        pipeline.build(victim)
    assert time.monotonic() - started < 30
    assert "sheet.html:2: error: template 'intake/sheet.html' ran for more than 1 s" in str(
        info.value)
    assert tree_bytes(victim / "output") == before


def test_template_cannot_reach_python_internals(victim: Path) -> None:
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    refused(attempt(victim), "sheet.html:1: error: template error: access to attribute")


# --- Output --------------------------------------------------------------------------------------

def test_disk_full_leaves_the_previous_output(victim: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_bytes(victim / "output")
    edit(victim, "intake.yaml", "Welcome to second grade!", "Welcome, everyone!")
    calls = {"n": 0}
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(BuildError) as info:
        pipeline.build(victim)
    assert "No space left on device; the previous output is unchanged" in str(info.value)
    assert tree_bytes(victim / "output") == before
    assert not list((victim / "output").rglob(".tmp-*"))


def test_killed_build_leaves_the_previous_output(victim: Path) -> None:
    before = tree_bytes(victim / "output")
    edit(victim, "settings.yaml", 'accent: "#2f6f73"', 'accent: "#7a3b69"')
    process = subprocess.Popen([sys.executable, "-m", "takehome", "build", "--jobs", "2",
                                str(victim)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(3)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert tree_bytes(victim / "output") == before  # killed while typesetting: nothing moved
    result = takehome(victim, "build")
    assert result.returncode == 0, result.stderr
    after = tree_bytes(victim / "output")
    assert after != before and not any("/.tmp-" in p for p in after)


def test_manifest_lists_only_safe_paths(built: Path) -> None:
    manifest = json.loads((built / "output/manifest.json").read_text())
    for entry in manifest["documents"]:
        path = entry["path"]
        assert not path.startswith("/") and ".." not in path.split("/")
