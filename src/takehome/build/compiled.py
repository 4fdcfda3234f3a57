"""Compiled templates kept between builds in the project's cache, so that a build in a new
process (a one-row rebuild from the command line) does not compile again the templates of the
pages it renders.

Compiled code is run, so it is read back only if it is signed with this user's key (trust.py),
as every record in the cache is: code planted in a shared project folder is never run. Each is
kept by the template's name and file and by takehome's own code (the sandbox's code generator
shapes what a template compiles to); Jinja itself checks the template's source and its own
and Python's versions.
"""

from __future__ import annotations

import logging
from pathlib import Path

import jinja2

from .digest import code_key, key_of
from .incremental import read_sealed, write_sealed

log = logging.getLogger(__name__)

FOLDER = "compiled"  # in the cache


class SignedBytecode(jinja2.BytecodeCache):
    """Jinja's bytecode cache in a folder of the project's cache, signed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return key_of(code_key(), name, filename or "")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_sealed(self.folder / bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            write_sealed(self.folder / bucket.key, bucket.bytecode_to_string())
        except OSError as exc:  # only the next build compiles it again
            log.warning("could not keep a compiled template: %s", exc)
