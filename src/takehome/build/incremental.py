"""Incremental builds: typeset PDFs cached under a content hash of everything they depend on,
and a record of each build, so that a build whose inputs and outputs have not changed does
nothing at all."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fontpkg

from .. import BUILTIN_TEMPLATES, __version__
from ..errors import Problem
from ..files import MAX_FILE_BYTES, Refused, check, regular_files
from . import trust
from .commit import MANIFEST, published
from .digest import file_sha256, keep, key_of, learn, recall, remembered, sha256

if TYPE_CHECKING:
    from .records import Typeset

log = logging.getLogger(__name__)

CACHE_DIR = ".takehome-cache"
FACTS = "facts.json"  # what builds learnt about the files they read (digest.py), signed
FORMAT = "2"  # bump when the layout of entries changes
_FACTS = ("key", "pages", "sha256", "warnings", "extra")  # what an entry's signature covers
# A record kept in the cache is JSON: {"signature": "<HMAC of the record's bytes>", "record": ...}
_HEAD, _BETWEEN, _SIGNATURE_CHARS = b'{"signature": "', b'", "record": ', 64


@dataclass
class Cached:
    """A cached PDF's facts, kept in memory while its bytes stay on disk."""

    key: str
    pages: int
    sha256: str


class Cache:
    """Content-addressed PDFs; an entry that does not verify is discarded, never trusted."""

    def __init__(self, root: Path) -> None:
        self.root = root / CACHE_DIR / f"v{FORMAT}"
        self.discarded: list[str] = []

    def _paths(self, key: str) -> tuple[Path, Path]:
        folder = self.root / key[:2]
        return folder / f"{key}.pdf", folder / f"{key}.json"

    def get(self, key: str) -> tuple[Cached, list[str]] | None:
        """The entry and its recorded warnings, or None when absent or when it does not verify
        (its PDF changed, or its record was not signed with this user's key: see trust.py)."""
        found = self.get_with(key)
        return None if found is None else (found[0], found[1])

    def get_with(self, key: str) -> tuple[Cached, list[str], dict[str, Any]] | None:
        """As get, with the facts the entry was stored with (`extra` of put_file)."""
        pdf_path, meta_path = self._paths(key)
        try:
            facts: dict[str, Any] | None = remembered(  # verified with this key
                meta_path, f"entry {trust.name()}", lambda path: _verified(key, path))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            facts = None
        try:
            if facts is None or file_sha256(pdf_path) != facts["sha256"]:
                raise ValueError("does not verify")
            entry = Cached(key, int(facts["pages"]), facts["sha256"])
            return entry, [str(w) for w in facts["warnings"]], dict(facts["extra"])
        except (OSError, ValueError, KeyError, TypeError):
            # Never used, and not deleted either: a shard writing it now may be half way, and
            # rendering it again overwrites it.
            self.discarded.append(key)
            return None

    def put(self, key: str, result: Typeset, extra: dict[str, Any] | None = None) -> Cached:
        """Store a typeset PDF (the metadata file last, so a half-written entry never verifies)."""
        def write(path: Path) -> tuple[int, str]:
            path.write_bytes(result.pdf)
            return result.pages, sha256(result.pdf)

        return self.put_file(key, write, result.warnings, extra)

    def put_file(self, key: str, write: Callable[[Path], tuple[int, str]],
                 warnings: list[str] | None = None, extra: dict[str, Any] | None = None) -> Cached:
        """Store a PDF that `write` writes to the path it is given (returning its page count and
        the sha256 of what it wrote), so that a large one never has to be held in memory; the
        signed record goes last, so a half-written entry never verifies. Entries are
        content-addressed: writers of one key at the same time (shards on a shared folder)
        write the same bytes, each renamed into place whole."""
        pdf_path, meta_path = self._paths(key)
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=pdf_path.parent)
        os.close(fd)
        try:
            pages, digest = write(Path(tmp))
            os.replace(tmp, pdf_path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        facts = {"key": key, "pages": pages, "sha256": digest, "warnings": warnings or [],
                 "extra": extra or {}}
        meta = {**facts, "signature": trust.sign(facts)}
        _atomic_write(meta_path, json.dumps(meta).encode("utf-8"))
        learn(pdf_path, "sha256", digest)  # the next build need not read either back
        learn(meta_path, f"entry {trust.name()}", facts)
        return Cached(key, pages, digest)

    def recall_facts(self) -> None:
        """What the last build learnt about the files it read (see digest.py)."""
        recall(self.root / FACTS, self._signed)

    def keep_facts(self, *folders: Path) -> None:
        """Keep what this build learnt about the files it read in `folders` (the project's,
        its output's) and takehome's own, for the next build."""
        try:
            keep(self.root / FACTS, self._put_signed, (*folders, _PACKAGE, BUILTIN_TEMPLATES))
        except OSError as exc:  # only the next build is slower
            log.warning("could not keep what this build read for the next build: %s", exc)

    def last_build(self, key: str) -> dict[str, Any] | None:
        """What the last build with these options recorded (see BuildRecord), if anything
        (records are signed as entries are: one that does not verify is ignored)."""
        return self._signed(self.root / "builds" / f"{key}.json")

    def record_build(self, key: str, record: dict[str, Any]) -> None:
        self._put_signed(self.root / "builds" / f"{key}.json", record)

    def read_signed(self, path: Path) -> dict[str, Any] | None:
        """A record kept at `path` in the cache, if it verifies (see write_signed)."""
        return self._signed(path)

    def write_signed(self, path: Path, record: dict[str, Any]) -> None:
        """Keep a record (JSON values) at `path` in the cache, signed as entries are."""
        self._put_signed(path, record)

    def _signed(self, path: Path) -> dict[str, Any] | None:
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        # The record's bytes are signed as written, so checking them needs no second
        # serialization (the facts of a 600-family build are 3 MB of JSON).
        start = len(_HEAD) + _SIGNATURE_CHARS
        data = raw[start + len(_BETWEEN):-1]
        if not (raw.startswith(_HEAD) and raw[start:start + len(_BETWEEN)] == _BETWEEN
                and raw.endswith(b"}") and trust.verify_bytes(data, raw[len(_HEAD):start])):
            return None
        try:
            record = json.loads(data)
        except ValueError:
            return None
        return record if isinstance(record, dict) else None

    def _put_signed(self, path: Path, record: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(record).encode("utf-8")
        _atomic_write(path, b"".join((_HEAD, trust.sign_bytes(data).encode("ascii"), _BETWEEN,
                                      data, b"}")))

    def last_join(self, output: str) -> tuple[Cached, dict[str, Any]] | None:
        """The last joined file of the class set `output`, and its journal (see join.py)."""
        record = self._signed(self.root / "joins" / f"{key_of(output)}.json")
        found = self.get_with(str(record.get("key"))) if record else None
        return (found[0], found[2]) if found else None

    def note_join(self, output: str, key: str) -> None:
        self._put_signed(self.root / "joins" / f"{key_of(output)}.json", {"key": key})

    def record_shard(self, shard: tuple[int, int], outputs: int) -> None:
        """Note that shard K/N has put its documents in the cache (for `build --join`)."""
        k, n = shard
        self._put_signed(self.root / "shards" / f"{k}-of-{n}.json",
                         {"shard": [k, n], "outputs": outputs})

    def shard_counts(self) -> list[int]:
        """The N of the shards K/N that recorded their work here, the most recent first."""
        found = []
        for path in (self.root / "shards").glob("*-of-*.json"):
            record = self._signed(path)
            with contextlib.suppress(OSError, KeyError, TypeError, ValueError):
                found.append((path.stat().st_mtime, int(record["shard"][1])))  # type: ignore[index]
        return list(dict.fromkeys(n for _, n in sorted(found, reverse=True)))

    def path(self, entry: Cached) -> Path:
        return self._paths(entry.key)[0]

    def read(self, entry: Cached) -> bytes:
        return self.path(entry).read_bytes()

    def clear(self) -> None:
        shutil.rmtree(self.root.parent, ignore_errors=True)


def _verified(key: str, meta_path: Path) -> dict[str, Any]:
    """An entry's facts, if its record is signed with this user's key, for this key."""
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    facts = {name: meta[name] for name in _FACTS}
    if meta["key"] != key or not trust.verify(facts, meta["signature"]):
        raise ValueError("does not verify")
    return facts


def read_sealed(path: Path) -> bytes | None:
    """Bytes kept at `path` by write_sealed, if they verify."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    signature, data = raw[:_SIGNATURE_CHARS], raw[_SIGNATURE_CHARS:]
    return data if trust.verify_bytes(data, signature) else None


def write_sealed(path: Path, data: bytes) -> None:
    """Keep bytes that are not JSON (compiled templates) at `path`, signed as records are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write(path, trust.sign_bytes(data).encode("ascii") + data)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def engine_fingerprint() -> str:
    """Versions of everything that shapes a PDF besides the content: part of every cache key."""
    fonts = {family.name: family.version for family in fontpkg.families().values()}
    return json.dumps({"takehome": __version__, "weasyprint": version("weasyprint"),
                       "pypdf": version("pypdf"), "pikepdf": version("pikepdf"), "fonts": fonts},
                      sort_keys=True)


# A build whose inputs and output are as the last build with the same options left them does
# nothing, in the time it takes to hash the inputs: takehome's own code, catalogs and templates,
# the project's content/ and templates/, its roster and the files its pages show.
_PACKAGE = Path(__file__).parents[1]


@dataclass
class Recorded:
    """What a build reports, as the build record keeps it."""

    files: int
    pages: int
    documents: int
    warnings: list[Problem]


class BuildRecord:
    """What one build read and wrote, kept under a key of its options in the cache."""

    def __init__(self, cache: Cache, root: Path, output: Path, options: tuple[str, ...]) -> None:
        self.cache, self.root, self.output = cache, root, output
        self.key = key_of(engine_fingerprint(), str(root), str(output.resolve()), *options)
        # Hashed before anything is read: a file saved during the build makes the next one build.
        self.inputs = _inputs(root)

    def unchanged(self) -> Recorded | None:
        """The last build's report if nothing it read or wrote has changed since; else None."""
        last = self.cache.last_build(self.key)
        if last is None:
            return None
        try:
            if last["inputs"] != self.inputs or _outputs(self.output) != last["outputs"] or any(
                    not _unchanged(Path(path), digest, self.root)
                    for path, digest in last["extra"].items()):
                return None
            warnings = [Problem(m, Path(p) if p else None, line, col, "warning")
                        for m, p, line, col in last["warnings"]]
            return Recorded(last["files"], last["pages"], last["documents"], warnings)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None  # a record written by another version: build

    def save(self, shown: dict[str, str], roster: Path | None, report: Recorded,
             written: Mapping[str, str]) -> None:
        """Record this build: its inputs, the files its pages showed (`shown`: real path ->
        hash), the roster as read, what it wrote (`written`: path in the output -> hash, as
        the writer knows it) and its report."""
        extra = {str(self.root / path): digest for path, digest in shown.items()}
        if roster is not None and roster.is_file():
            extra[str(roster)] = file_sha256(roster)
        self.cache.record_build(self.key, {
            "inputs": self.inputs, "extra": extra, "outputs": _outputs(self.output, written),
            "files": report.files, "pages": report.pages, "documents": report.documents,
            "warnings": [[w.message, str(w.path) if w.path else None, w.line, w.col]
                         for w in report.warnings]})


def _inputs(root: Path) -> dict[str, str]:
    # Only regular files inside their folder's root: a link out of the project, a pipe or a
    # device is never read here (the readers refuse it with a message).
    found: set[Path] = set()
    for folder, inside in ((_PACKAGE, _PACKAGE), (BUILTIN_TEMPLATES, BUILTIN_TEMPLATES),
                           (root / "content", root), (root / "templates", root)):
        found.update(regular_files(folder, inside))
    return {str(p): file_sha256(p) for p in sorted(found)}


def _outputs(output: Path, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """The manifest's hash and the hash of every file it lists that is there (a file changed
    since, even to other bytes of the same size, makes the next build a real one); `known`:
    hashes of files this build wrote (by their path in the output), not read again."""
    known = known or {}
    manifest = output / MANIFEST
    if not manifest.is_file() or manifest.is_symlink():
        return {}
    return {MANIFEST: known.get(MANIFEST) or file_sha256(manifest),
            **{str(p): known.get(p.relative_to(output).as_posix()) or file_sha256(p)
               for p in published(output)}}


def _unchanged(path: Path, digest: str, root: Path) -> bool:
    """Whether a file a build's pages showed is still as it was (only files inside the project
    or the built-in templates are read: a record may come with the project)."""
    try:
        return file_sha256(check(path, [root, BUILTIN_TEMPLATES], MAX_FILE_BYTES)) == digest
    except (Refused, OSError):
        return False
