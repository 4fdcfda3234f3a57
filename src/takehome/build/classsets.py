"""Class sets in a build: the joins its plan asks for, taken from the cache or joined now (the
ones it lacks on every core), each lent what is already spelled: the parts of the last join of
the same file, and those of the smaller joins holding them (a packets' class set takes each part
from its family's packet). How files are joined and lent: join.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .join import Holder, join_key, join_pdfs

if TYPE_CHECKING:
    from .incremental import Cache, Cached
    from .plan import Assembly
    from .typeset import Workers

AHEAD = 8  # joins missing from the cache: fewer (one family's row changed) are made by write


def join_ahead(steps: Sequence[Assembly], entries: Mapping[str, Cached], cache: Cache,
               workers: Workers | None, lending: Lending) -> None:
    """Join the assemblies the cache lacks on the build's typesetting processes, for write's
    joined() to find there: the largest first, except those that take their parts from
    others (see lenders()), which come last: a packets' class set, taking every part from its
    family's packet, takes a third of the time it took to spell them all itself."""
    # (an entry of the join's key, made from one of its parts', names the file it would be)
    missing = [s for s in steps if not cache.path(
        replace(entries[s.parts[0]], key=_key(s, entries))).exists()]
    if workers is None or workers.jobs <= 1 or len(missing) < AHEAD:
        return
    missing.sort(key=lambda s: (bool(lending[s.output]), -len(s.parts)))
    for _ in workers.in_turn(joined, [(s, {p: entries[p] for p in s.parts}, cache,
                                       lending[s.output]) for s in missing]):
        pass


Lending = Mapping[str, Sequence[tuple[str, Sequence[str]]]]  # output -> (lender, its parts)


def lenders(steps: Sequence[Assembly]) -> Lending:
    """For each assembly, the smaller ones whose parts are all among its own (a class set's
    families' packets), with their parts: the files whose spelling of those parts it takes."""
    holding: dict[str, list[Assembly]] = {}
    for step in steps:
        for p in step.parts:
            holding.setdefault(p, []).append(step)
    found: dict[str, list[tuple[str, Sequence[str]]]] = {}
    for step in steps:
        own = set(step.parts)
        smaller = {t.output: t for p in step.parts for t in holding[p]
                   if len(t.parts) < len(step.parts)}
        found[step.output] = [(t.output, t.parts) for t in smaller.values()
                              if own.issuperset(t.parts)]
    return found


def _key(step: Assembly, entries: Mapping[str, Cached]) -> str:
    """The cache key an assembly's join is kept under: its parts' bytes and how it joins them."""
    return join_key(step.duplex, step.title, step.lang, _backs(step),
                    [entries[p].sha256 for p in step.parts])


def _backs(step: Assembly) -> list[bool]:
    """Whether each part is printed on the back of the one before (a class set of cards has a
    back for each of thousands of parts: looked up in a set)."""
    backs = set(step.backs)
    return [p in backs for p in step.parts]


def joined(step: Assembly, entries: Mapping[str, Cached], cache: Cache,
           lending: Sequence[tuple[str, Sequence[str]]] = ()) -> Cached:
    """An assembly's joined PDF: from the cache, or joined now and cached, lending the bytes of
    the unchanged parts of the last join of the same file, and of the parts its `lending`
    assemblies (see lenders()) last joined hold."""
    parts = [entries[p] for p in step.parts]
    digests = [p.sha256 for p in parts]
    backs = _backs(step)
    key = join_key(step.duplex, step.title, step.lang, backs, digests)
    hit = cache.get(key)
    if hit is not None:
        return hit[0]

    def last(output: str) -> tuple[Path, dict[str, Any]] | None:
        found = cache.last_join(output)
        return (cache.path(found[0]), found[1]) if found else None

    holders: dict[str, Holder] = {}
    for output, held in lending:
        holder = partial(last, output)
        holders.update((entries[p].sha256, holder) for p in held)
    journal: dict[str, Any] = {}
    made = cache.put_file(key, partial(join_pdfs, [cache.path(p) for p in parts], step.duplex,
                                       title=step.title, lang=step.lang, backs=backs,
                                       digests=digests, previous=last(step.output),
                                       holders=holders, journal=journal),
                          extra=journal)
    cache.note_join(step.output, key)
    return made
