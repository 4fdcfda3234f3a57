"""Containment: every file takehome reads is resolved (symbolic links followed) and must be a
regular file inside its root, within a size limit. One helper for every reader: YAML, rosters,
calendars, logs, templates, images, stylesheets, fonts and the hashes that key the cache."""

from __future__ import annotations

import contextlib
import mimetypes
import os
import stat
import tempfile
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from slugify import slugify

from .errors import ContentError

MAX_FILE_BYTES = 20_000_000  # a picture or font a page shows
FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2"}

# Opening never blocks (a named pipe with no writer opens at once, and is then refused) and
# never follows a link swapped in after the path was resolved.
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))

_SPECIAL = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a device",
            stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


class Refused(ContentError):
    """A file that may not be read: outside its root, not a regular file, or too large."""


def _roots(roots: Path | Sequence[Path]) -> list[Path]:
    return [_real_root(Path(r)) for r in ([roots] if isinstance(roots, Path) else roots)]


@lru_cache(maxsize=256)  # asked for every file a build checks
def _real_root(root: Path) -> Path:
    """A root as it resolved when first asked: a root re-pointed since only refuses more (the
    files checked against it are resolved every time)."""
    return root.resolve()


def resolve(path: Path, roots: Path | Sequence[Path], where: str = "the project") -> Path:
    """`path` with every symbolic link followed, refused unless it lies inside one of `roots`."""
    try:
        real = path.resolve()
    except RuntimeError:  # a loop of links (Python 3.11)
        raise Refused("file is a loop of symbolic links", path) from None
    except OSError as exc:
        raise Refused(f"cannot read file: {exc.strerror or exc}", path) from None
    if not any(real.is_relative_to(root) for root in _roots(roots)):
        if real != Path(os.path.normpath(path.absolute())):
            raise Refused(f"file is a link to {real}, outside {where}; copy the file in "
                          "instead", path)
        raise Refused(f"file is outside {where}", path)
    if not real.exists():
        if path.is_symlink():
            raise Refused(f"file is a link to {os.readlink(path)}, which does not exist", path)
        raise Refused("file not found", path)
    return real


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    return _SPECIAL.get(stat.S_IFMT(mode), "not a regular file")


def check(path: Path, roots: Path | Sequence[Path], limit: int,
          where: str = "the project") -> Path:
    """The resolved path of a regular file inside `roots` of at most `limit` bytes, for readers
    that open files themselves (Pillow, WeasyPrint through the fetcher); else Refused."""
    real = resolve(path, roots, where)
    try:
        info = os.stat(real)
    except OSError as exc:
        raise Refused(f"cannot read file: {exc.strerror or exc}", path) from None
    _check_stat(path, info, limit)
    return real


def _check_stat(path: Path, info: os.stat_result, limit: int) -> None:
    kind = _kind(info.st_mode)
    if kind is not None:
        raise Refused(f"file is {kind}, not a regular file", path)
    if info.st_size > limit:
        raise Refused(f"file is {info.st_size:,} bytes; the limit is {limit:,}", path)


def read_bytes(path: Path, roots: Path | Sequence[Path], limit: int,
               where: str = "the project") -> bytes:
    """The bytes of a regular file inside `roots`, at most `limit` of them; else Refused."""
    real = resolve(path, roots, where)
    try:
        fd = os.open(real, _OPEN_FLAGS)
    except OSError as exc:
        raise Refused(f"cannot read file: {exc.strerror or exc}", path) from None
    with os.fdopen(fd, "rb") as fh:
        _check_stat(path, os.fstat(fh.fileno()), limit)
        data = fh.read(limit + 1)
    if len(data) > limit:  # it grew while being read
        raise Refused(f"file is more than {limit:,} bytes", path)
    return data


def regular_files(folder: Path, root: Path) -> Iterator[Path]:
    """Every regular file under `folder` whose real path is inside `root`, sorted: links out of
    `root`, pipes and devices are passed over (they are refused where they are read)."""
    if not folder.is_dir():
        return
    real_root = root.resolve()
    for top, dirs, names in os.walk(folder):  # never descends into linked folders
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            path = Path(top, name)
            try:
                real = path.resolve(strict=True)
                if real.is_relative_to(real_root) and stat.S_ISREG(os.stat(real).st_mode):
                    yield path
            except (OSError, RuntimeError):
                continue


def no_links(folder: Path) -> None:
    """Refuse a folder takehome keeps its own files in (the cache) if it, or anything in it, is
    a symbolic link: reading or writing there must never lead out of the project."""
    if folder.is_symlink():
        raise Refused("folder is a symbolic link; takehome keeps no links there: remove it",
                      folder)
    folders = [str(folder)]
    while folders:  # the kind of each entry comes with the listing: no stat per file
        try:
            listing = os.scandir(folders.pop())
        except (FileNotFoundError, NotADirectoryError):
            continue
        with listing:
            for entry in listing:
                if entry.is_symlink():
                    raise Refused("file is a symbolic link; takehome keeps no links in its "
                                  "cache: remove it (or the whole folder)", Path(entry.path))
                if entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)


# Names Windows will not create in any folder, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def output_name(text: str, fallback: str, max_length: int = 80) -> str:
    """A file name stem made from user text: a slug (lower-case letters, digits and hyphens),
    never empty, never a path, never a name Windows reserves."""
    name = slugify(text, max_length=max_length) or fallback
    return f"{name}-{fallback}" if name in _RESERVED else name


def media_type(path: Path) -> str:
    """The type a served file is given (what WeasyPrint checks a stylesheet by)."""
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


# The shared temporary folder: anyone on the machine can write there, so nothing found in it is
# trusted unless it is this user's own, private, and exactly what was expected.
def _private(info: os.stat_result) -> bool:
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return mine and not info.st_mode & 0o022


def private_folder(name: str) -> Path:
    """A folder of the temporary folder only this user can write: `name` (made if missing)
    when it is theirs, not a link and writable by no one else; else a new one."""
    folder = Path(tempfile.gettempdir()) / name
    with contextlib.suppress(FileExistsError):
        folder.mkdir(mode=0o700)
    info = folder.lstat()
    if stat.S_ISDIR(info.st_mode) and _private(info):
        return folder
    return Path(tempfile.mkdtemp(prefix=f"{name}-"))


def private_file(name: str, text: str) -> Path:
    """A file of the temporary folder holding exactly `text`, written by this user: `name`
    when it is already so, else written anew, atomically, under a name nobody can guess and
    renamed to `name` when that is allowed (when it is not, the unguessable name is kept)."""
    path = Path(tempfile.gettempdir()) / name
    with contextlib.suppress(OSError):
        fd = os.open(path, _OPEN_FLAGS)
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and _private(info) and \
                    fh.read(len(text.encode()) + 1) == text.encode():
                return path
    fd, tmp = tempfile.mkstemp(prefix=f"{path.stem}-", suffix=path.suffix)  # 0600, new
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    try:
        os.replace(tmp, path)  # never follows a link; refused for another user's file
    except OSError:
        return Path(tmp)
    return path


SETTINGS_FILE = "settings.yaml"


def find_root(start: Path) -> Path:
    """The project folder: `start` or the nearest parent holding content/settings.yaml."""
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / "content" / SETTINGS_FILE).is_file():
            return candidate
    raise ContentError(f"no project here: {start} has no content/{SETTINGS_FILE} "
                       "(start one with `takehome new DIR`)")
