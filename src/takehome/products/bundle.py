"""The buyer's zip: one top folder, sorted entries, fixed dates: unchanged input, same bytes."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping

from ..fonts import source_date_epoch

# Zip dates are local wall-clock fields: take them from SOURCE_DATE_EPOCH (the reproducible-build
# convention the typesetter also follows), never from the clock.


def _date_time() -> tuple[int, int, int, int, int, int]:
    return time.gmtime(max(source_date_epoch(), 315532800))[:6]  # zip dates start in 1980


def zip_folder(folder: str, files: Mapping[str, bytes]) -> bytes:
    """A zip holding `files` under `folder/`, in name order, each dated the same."""
    buffer = io.BytesIO()
    stamp = _date_time()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permissions below are read everywhere
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def names(data: bytes) -> list[str]:
    """The entries of a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()
