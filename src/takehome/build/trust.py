"""The cache's key: every entry is signed with it, and one that does not verify is never used.

A cache entry is a PDF and a small record of its facts (its sha256, pages, warnings). A hash
alone proves nothing, since whoever can replace the PDF can rewrite the hash beside it; the
record is therefore signed (HMAC-SHA256) with a secret key that never goes into the cache
folder. A shared project folder or a cache copied from another machine can then hand takehome
only entries made by someone holding the same key: anything else is rendered again.

The key is `TAKEHOME_CACHE_KEY` when set (what shard machines share: a Kubernetes Secret, a
Slurm job's environment, a CI secret), else a random key made on first use in the user's
configuration folder, readable by the user only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import BuildError, Problem

KEY_VARIABLE = "TAKEHOME_CACHE_KEY"
MIN_KEY_CHARS = 32  # a shared key is a secret, not a password: 128 bits as hex at least


def key_file() -> Path:
    """Where this user's own key is kept (outside every project)."""
    return _key_file(os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@cache  # asked for every cache entry a build reads
def _key_file(config: str | None, home: str | None) -> Path:
    return Path(config or Path.home() / ".config") / "takehome" / "cache-key"


@cache
def _key(variable: str | None, path: Path) -> bytes:
    if variable is not None:
        if len(variable.strip()) < MIN_KEY_CHARS:
            raise BuildError([Problem(
                f"{KEY_VARIABLE} is too short: use at least {MIN_KEY_CHARS} random characters, "
                "e.g. the output of `python -c \"import secrets; print(secrets.token_hex())\"`")])
        return variable.strip().encode("utf-8")
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _unusable(path, exc) from None
    made = secrets.token_hex(32).encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two builds starting at once agree on the first key written
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "wb") as fh:
            fh.write(made)
    except OSError as exc:
        raise _unusable(path, exc) from None
    return made


def _unusable(path: Path, exc: OSError) -> BuildError:
    return BuildError([Problem(f"cannot read or make the cache key {path}: "
                               f"{exc.strerror or exc}; set {KEY_VARIABLE} instead")])


_given: bytes | None = None  # in a typesetting worker: the key of the build it works for


def use(key: bytes) -> None:
    """Sign with `key` (a worker process is given its build's key, whatever its environment)."""
    global _given
    _given = key


def secret() -> bytes:
    """The key entries are signed with."""
    if _given is not None:
        return _given
    return _key(os.environ.get(KEY_VARIABLE), key_file())


def name() -> str:
    """A name of the key (not the key): what was verified with one key is not with another."""
    return _name(secret())


@cache
def _name(key: bytes) -> str:
    return hmac.new(key, b"takehome: the key's name", hashlib.sha256).hexdigest()[:16]


def sign(facts: dict[str, Any]) -> str:
    """The signature of an entry's facts (JSON values)."""
    return sign_bytes(json.dumps(facts, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def verify(facts: dict[str, Any], signature: object) -> bool:
    """Whether `signature` was made with this key for exactly these facts."""
    return isinstance(signature, str) and hmac.compare_digest(sign(facts), signature)


def sign_bytes(data: bytes) -> str:
    """The signature of bytes (a record as written)."""
    return hmac.new(secret(), data, hashlib.sha256).hexdigest()


def verify_bytes(data: bytes, signature: bytes) -> bool:
    """Whether `signature` (as written beside them) was made with this key for `data`."""
    return hmac.compare_digest(sign_bytes(data).encode("ascii"), signature)
