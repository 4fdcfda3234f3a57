"""What a build remembers about the files it read: believed only while a file is unchanged, and
only from a record signed with the cache key."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from takehome.build import digest, pipeline
from takehome.build.incremental import CACHE_DIR, FACTS
from tests.conftest import tree_bytes, trim_roster


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files hashed, as they are read."""
    seen: list[Path] = []
    hash_file = digest.hash_file

    def counting(path: Path) -> str:
        seen.append(path)
        return hash_file(path)

    monkeypatch.setattr(digest, "hash_file", counting)
    return seen


def _keep(folder: Path) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    digest.keep(Path(os.devnull), lambda _path, record: kept.update(record), (folder,))
    return kept


def test_an_unchanged_file_is_read_once(tmp_path: Path, reads: list[Path],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "RACY_NS", 0)
    monkeypatch.setattr(digest, "FINE_RACY_NS", 0)
    path = tmp_path / "a.pdf"
    path.write_bytes(b"one")
    time.sleep(0.01)
    first = digest.file_sha256(path)
    _keep(tmp_path)
    assert digest.file_sha256(path) == first and reads == [path]
    # The same size, its modification time set back: its change time gives it away.
    info = path.stat()
    path.write_bytes(b"two")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert digest.file_sha256(path) == digest.sha256(b"two") and reads == [path, path]


def test_how_long_a_change_time_is_unsure_depends_on_the_clock() -> None:
    """A change time in whole milliseconds may come from a coarse clock (FAT, network file
    systems: up to seconds); a finer one moves at least every kernel tick."""
    fine, coarse = 1_700_000_000_123_456_789, 1_700_000_000_123_000_000
    ms = 1_000_000
    assert digest.unsure(fine, fine + 10 * ms) and not digest.unsure(fine, fine + 60 * ms)
    assert digest.unsure(coarse, coarse + 60 * ms) and digest.unsure(coarse, coarse + 1900 * ms)
    assert not digest.unsure(coarse, coarse + 2100 * ms)


def test_a_file_changed_as_it_was_read_is_read_again(tmp_path: Path, reads: list[Path],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Within a clock tick of being kept, a change could keep the file's signature: not
    believed (the margin made wide, whatever the file system's clock and the machine's pace)."""
    monkeypatch.setattr(digest, "FINE_RACY_NS", digest.RACY_NS)
    path = tmp_path / "a.pdf"
    path.write_bytes(b"one")
    digest.file_sha256(path)
    _keep(tmp_path)
    digest.file_sha256(path)
    assert reads == [path, path]


def test_facts_not_signed_with_the_key_are_not_believed(project: Path) -> None:
    """A planted PDF in the cache, and a record of facts claiming it is the honest one."""
    small = project
    trim_roster(small, 3)
    pipeline.build(small, pipeline.Options(only=("welcome",)))
    before = tree_bytes(small / "output")
    facts = small / CACHE_DIR / "v2" / FACTS
    record = json.loads(facts.read_text())
    rows = record["record"]["facts"]
    entry = next(r for r in rows if r[0] == "sha256" and "/v2/" in r[1] and r[1].endswith(".pdf"))
    pdf = Path(entry[1])
    pdf.write_bytes(pdf.read_bytes() + b"\n% planted\n")
    info = pdf.stat()
    entry[2] = [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]
    entry[4] = time.time_ns() + 10 ** 12  # "kept long after it changed"
    facts.write_text(json.dumps(record))
    digest._facts.clear()  # as a new process
    digest._recalled.clear()
    (small / "output" / "manifest.json").unlink()
    again = pipeline.build(small, pipeline.Options(only=("welcome",)))
    assert any("discarded a cache entry" in w.message for w in again.warnings)
    assert tree_bytes(small / "output") == before


def test_a_project_keeps_no_facts_about_another(project: Path, tmp_path: Path) -> None:
    """One process building two projects (tests, a shell session's imports) writes into each
    project's cache only what it read of that project (and of takehome itself)."""
    trim_roster(project, 2)
    other = tmp_path / "other"
    shutil.copytree(project, other)
    pipeline.build(project, pipeline.Options(only=("welcome",)))
    pipeline.build(other, pipeline.Options(only=("welcome",)))
    kept = (other / CACHE_DIR / "v2" / FACTS).read_text()
    assert str(other / "content") in kept and str(project) + os.sep not in kept
