"""Values slow to derive from content, kept from build to build by what they were derived from:
how a bilingual title splits (the language identifier's model takes longer to load than the
rest of a one-row rebuild), what an .ics file holds, a country's holidays.

A value is found by a hash of what was asked (the question, the versions of the code and
libraries that answer it, the hashes of the files it reads); build/load.py keeps the values a
build used in the cache, signed as every record there is, so that a planted one is never read.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass
class Derived:
    """Derived values: those an earlier build kept (`known`), those this build used (`used`)."""

    code: str = ""  # what derives them: takehome's code, as this process runs it
    known: dict[str, Any] = field(default_factory=dict)
    used: dict[str, Any] = field(default_factory=dict)

    def get(self, asked: list[Any], derive: Callable[[], T], dump: Callable[[T], Any],
            load: Callable[[Any], T]) -> T:
        """derive(), or what it gave an earlier build asked the same. `dump` makes the value
        JSON (None: not to be kept, e.g. it came with problems to report); `load` reads it
        back, raising ValueError, TypeError or KeyError for a value it cannot take."""
        text = json.dumps([self.code, asked], ensure_ascii=False, default=str)
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        if key in self.known:
            try:
                value = load(self.known[key])
            except (ValueError, TypeError, KeyError, AttributeError):
                pass  # kept by another version: derived again
            else:
                self.used[key] = self.known[key]
                return value
        value = derive()
        kept = dump(value)
        if kept is not None:
            self.used[key] = kept
        return value

    def learnt(self) -> bool:
        """Whether this build used other values than those it was given."""
        return self.used.keys() != self.known.keys()
