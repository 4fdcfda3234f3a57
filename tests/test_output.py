"""The writer (SECURITY.md, issue #13): nothing outside output/ is written or deleted, a link is
never followed, one build writes at a time, and a failed commit says what state output/ is in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from filelock import FileLock

from takehome.build import commit, pipeline, write
from takehome.build.digest import file_sha256
from takehome.build.incremental import Cache
from takehome.errors import BuildError

from .conftest import SAMPLE, intake_only, tree_bytes
from .hostile import takehome


def change_content(root: Path) -> None:
    path = root / "content/intake.yaml"
    path.write_text(path.read_text().replace("Welcome to second grade!", "Welcome, all!"))


def build(root: Path, *args: str) -> tuple[int, str]:
    result = takehome(root, "build", "--jobs", "1", *args)
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    return result.returncode, text


# --- Links in output/ -----------------------------------------------------------------------

def test_a_planted_manifest_deletes_nothing_outside(victim: Path, beside: Path) -> None:
    """output/link -> a folder outside, and a manifest (and a forged record) naming a file
    there: the next build deletes nothing through the link."""
    (victim / "output/link").symlink_to(beside)
    manifest = json.loads((victim / "output/manifest.json").read_text())
    manifest["documents"].append({"path": "link/important.txt", "document": "intake"})
    (victim / "output/manifest.json").write_text(json.dumps(manifest))
    record = write.record_path(Cache(victim).root / "written", victim / "output", victim)
    forged = json.loads(record.read_text())
    forged["files"]["link/important.txt"] = file_sha256(beside / "important.txt")
    record.write_text(json.dumps(forged))
    change_content(victim)
    code, text = build(victim)
    assert code == 0, text
    assert (beside / "important.txt").exists()


@pytest.mark.parametrize("link", ["output/intake", "output/intake/students", "output"])
def test_a_linked_output_folder_is_refused(victim: Path, beside: Path, link: str) -> None:
    shutil.rmtree(victim / link)
    (victim / link).symlink_to(beside)
    change_content(victim)
    code, text = build(victim)
    assert code == 1
    assert f"{link}: error: " in text and "is a symbolic link; takehome never writes " \
                                          "through one" in text, text


@pytest.mark.parametrize("name", ["intake/blank.en.pdf", "manifest.json", ".takehome.lock"])
def test_a_linked_output_file_is_refused(victim: Path, beside: Path, name: str) -> None:
    (victim / "output" / name).unlink()
    (victim / "output" / name).symlink_to(beside / "important.txt")
    change_content(victim)
    code, text = build(victim)
    assert code == 1, text
    assert f"output/{name}" in text, text


def test_an_output_folder_named_by_the_user_may_be_a_link(victim: Path, tmp_path: Path) -> None:
    real = tmp_path / "usb-stick"
    real.mkdir()
    (tmp_path / "print").symlink_to(real)
    code, text = build(victim, "--output", str(tmp_path / "print"))
    assert code == 0, text
    assert (real / "intake/blank.en.pdf").is_file()


# --- What is deleted ---------------------------------------------------------------------------

def test_only_files_this_project_wrote_are_deleted(victim: Path) -> None:
    # A file of its own the teacher put in output/, and one that a build wrote and the
    # teacher then edited: both stay when the build no longer makes them.
    (victim / "output/notes.txt").write_text("mine")
    edited = victim / "output/intake/students"
    first = sorted(edited.glob("*.pdf"))
    first[0].write_bytes(first[0].read_bytes() + b"% annotated\n")
    lines = (victim / "content/roster.csv").read_text().splitlines()
    (victim / "content/roster.csv").write_text("\n".join(lines[:1] + lines[3:]) + "\n")
    code, text = build(victim)
    assert code == 0, text
    assert (victim / "output/notes.txt").read_text() == "mine"
    assert first[0].exists()  # edited since: not what the build wrote, so kept
    assert not first[1].exists()  # no longer made, and as written: deleted


def test_a_changed_output_file_is_written_again(victim: Path) -> None:
    target = victim / "output/intake/blank.en.pdf"
    good = target.read_bytes()
    target.write_bytes(bytes(b ^ 1 for b in good))  # other bytes, the same size
    code, text = build(victim)
    assert code == 0, text
    assert target.read_bytes() == good


# --- One build at a time -----------------------------------------------------------------------

def test_a_second_build_waits_then_stops_with_a_message(victim: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(commit, "LOCK_WAIT_SECONDS", 1.0)
    other = victim / "output/intake/.tmp-other-build"
    other.write_bytes(b"being written by the other build")
    change_content(victim)
    before = tree_bytes(victim / "output")
    with FileLock(victim / "output" / commit.LOCK), pytest.raises(BuildError) as info:
        pipeline.build(victim, pipeline.Options(jobs=1))
    assert "another takehome build has been writing" in str(info.value)
    assert "nothing was written" in str(info.value)
    assert tree_bytes(victim / "output") == before  # its temporary file included
    pipeline.build(victim, pipeline.Options(jobs=1))
    assert not other.exists()  # left over once no build holds the lock: removed


# --- A commit that fails part-way --------------------------------------------------------------

def _failing_replace(monkeypatch: pytest.MonkeyPatch, output: Path, fail_at: int,
                     put_back: bool = True) -> None:
    """os.replace failing for the `fail_at`-th file renamed into output/ (a file open in a
    viewer on Windows); with `put_back` False, every rename after that fails too."""
    real = os.replace
    calls = {"n": 0}

    def replace(src: str | Path, dst: str | Path) -> None:
        if Path(dst).is_relative_to(output) and not Path(dst).name.startswith(".tmp-"):
            calls["n"] += 1
            if calls["n"] == fail_at or (calls["n"] > fail_at and not put_back):
                raise PermissionError(13, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


def test_a_failed_commit_puts_everything_back(victim: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_bytes(victim / "output")
    (victim / "content/settings.yaml").write_text(
        (victim / "content/settings.yaml").read_text().replace("#2f6f73", "#7a3b69"))
    _failing_replace(monkeypatch, victim / "output", fail_at=3)
    with pytest.raises(BuildError) as info:
        pipeline.build(victim, pipeline.Options(jobs=1))
    assert "could not be replaced (Permission denied): nothing was changed, the previous " \
           "output is as it was" in str(info.value)
    assert tree_bytes(victim / "output") == before


def test_a_commit_that_cannot_be_undone_says_which_files_are_new(
        victim: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_bytes(victim / "output")
    (victim / "content/settings.yaml").write_text(
        (victim / "content/settings.yaml").read_text().replace("#2f6f73", "#7a3b69"))
    _failing_replace(monkeypatch, victim / "output", fail_at=3, put_back=False)
    with pytest.raises(BuildError) as info:
        pipeline.build(victim, pipeline.Options(jobs=1))
    message = str(info.value)
    assert "2 file(s) already replaced could not be put back" in message, message
    after = {p: b for p, b in tree_bytes(victim / "output").items() if "/.tmp-" not in f"/{p}"}
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert len(changed) == 2 and all(name in message for name in changed), (changed, message)


def test_a_planted_manifest_names_nothing_outside(victim: Path, beside: Path) -> None:
    manifest = json.loads((victim / "output/manifest.json").read_text())
    manifest["documents"] += [{"path": p, "document": "intake"} for p in
                              ("../../outside/important.txt", str(beside / "secret.txt"),
                               "link/secret.txt", "/dev/zero")]
    (victim / "output/manifest.json").write_text(json.dumps(manifest))
    (victim / "output/link").symlink_to(beside)
    listed = commit.published(victim / "output")
    assert listed and all(p.resolve().is_relative_to(victim / "output") for p in listed)
    code, text = build(victim)
    assert code == 0, text


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path: Path) -> None:
    # Each typesetting process loads the fonts into a folder of its own (about 10 MB); processes
    # end without cleaning up, so a build on several processes once left one per process behind.
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    intake_only(root)
    # A short folder of its own: the typesetting processes' socket lives there too, and a
    # socket's path may not be longer than 107 bytes.
    temporary = Path(tempfile.mkdtemp(prefix="th-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "takehome", "build", "--jobs", "2", str(root)],
            capture_output=True, text=True, timeout=600, check=False,
            env={**env, "TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stdout + result.stderr
        assert (root / "output/intake/class-set.pdf").is_file()
        # Only what every build of this user shares: fontconfig's files (fonts.py).
        left = [p.name for p in temporary.iterdir()
                if not p.name.startswith(("takehome-fontconfig-", "takehome-fonts-"))]
        assert left == []
    finally:
        shutil.rmtree(temporary)
