"""A folder of CSV files or its zip (a OneRoster or Clever export), read without unpacking."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import ContentError
from .table import MAX_FILE_BYTES, check_zip, read_bytes

MAX_ZIP_BYTES = 200_000_000


class Bundle:
    """The CSV files of an export, by lower-case file name, from a folder or a zip."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive: zipfile.ZipFile | None = None
        self.files: dict[str, str] = {}  # lower-case file name -> name in the folder or zip
        if path.is_dir():
            self.files = {p.name.lower(): p.name for p in sorted(path.iterdir()) if p.is_file()}
            return
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(read_bytes(path, "roster archive",
                                                                 MAX_ZIP_BYTES)))
        except zipfile.BadZipFile:
            raise ContentError("not a readable zip file", path) from None
        check_zip(self.archive, path)
        # The files may sit in a folder inside the zip; the shallowest of each name is used.
        for info in sorted(self.archive.infolist(), key=lambda i: (i.filename.count("/"),
                                                                   i.filename)):
            if not info.is_dir():
                self.files.setdefault(PurePosixPath(info.filename).name.lower(), info.filename)

    @property
    def kind(self) -> str:
        return "zip" if self.archive is not None else "folder"

    def has(self, name: str) -> bool:
        return name in self.files

    def where(self, name: str) -> Path:
        """The file as messages name it: content/export/users.csv, content/export.zip/users.csv."""
        return self.path / self.files.get(name, name)

    def read(self, name: str) -> bytes:
        """One file's bytes (a ContentError if it is missing or too large)."""
        if name not in self.files:
            raise ContentError(f"the export has no {name}", self.path)
        if self.archive is None:
            return read_bytes(self.path / self.files[name], name)
        info = self.archive.getinfo(self.files[name])
        if info.file_size > MAX_FILE_BYTES:
            raise ContentError(f"{name} is {info.file_size:,} bytes; the limit is "
                               f"{MAX_FILE_BYTES:,}", self.path)
        try:
            return self.archive.read(info)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
            raise ContentError(f"cannot read {name} from the zip: {exc}", self.path) from None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def is_zip(path: Path) -> bool:
    """Whether `path` is a zip archive (an Excel workbook is one too: see is_workbook)."""
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def is_workbook(path: Path) -> bool:
    """Whether a zip is an Excel workbook (whatever its name says)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
