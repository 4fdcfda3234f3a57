"""`takehome roster`: what takehome understood of the roster, to trust a new export at a glance."""

from __future__ import annotations

from collections import Counter

from .. import i18n
from ..errors import display_path
from .languages import Editions
from .model import Roster

MAX_LINES_LISTED = 8


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:MAX_LINES_LISTED]))
    more = f", ... ({len(lines)} in all)" if len(lines) > MAX_LINES_LISTED else ""
    return f"line{'s' if len(lines) > 1 else ''} {shown}{more}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def explain(roster: Roster, editions: Editions) -> str:
    """The roster as takehome read it: source, columns, students, languages, what was left out."""
    default = editions.default
    name = i18n.language_name
    out = [f"Roster: {display_path(roster.path) if roster.path else 'none'} ({roster.source}"
           + (f", with {roster.profile}'s column names" if roster.profile else "") + ")"]
    if roster.class_name:
        others = f" (roster: class: in settings; the source holds {len(roster.classes)}: " \
            f"{', '.join(roster.classes[:8])}{', ...' if len(roster.classes) > 8 else ''})" \
            if len(roster.classes) > 1 else ""
        out.append(f"Class: {roster.class_name}{others}")
    elif len(roster.classes) > 1:
        out.append(f"Classes: {len(roster.classes)}, all used ({', '.join(roster.classes[:8])}"
                   f"{', ...' if len(roster.classes) > 8 else ''}); choose one with "
                   "roster: class: in settings.yaml")
    out.append("")
    out.append("Columns:")
    width = max((len(f) for f in roster.columns), default=0)
    out += [f"  {field:<{width}}  <- {column}" for field, column in roster.columns.items()]
    if roster.unused:
        out.append(f"  not used: {', '.join(roster.unused)}")
    out.append("")
    out.append(f"Students: {len(roster.students)}")
    out.append("")
    out.append("Languages (home, or correspondence where given) and the copies each family gets:")
    counts: Counter[tuple[str, str]] = Counter()
    for s in roster.students:
        if s.language:
            label = f"{name(s.language, 'en')} ({s.language})"
        else:
            label = f"{s.language_given!r} (not recognised)" if s.language_given else "not given"
        counts[(label, editions.chosen.get(s.number, default))] += 1
    width = max((len(label) for label, _ in counts), default=0)
    for (label, lang), n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        out.append(f"  {label:<{width}}  {n:>4}  {name(lang, 'en')} copies")
    fallback = editions.why_default()
    if fallback:
        out.append("")
        out.append(f"Families who get the default language ({name(default, 'en')}), and why:")
        for s, why in fallback:
            out.append(f"  line {s.line:<5} {s.name}: {why}")
    if roster.merged or roster.notes:
        out.append("")
        out.append("Students on several rows (one copy each) and names shared:")
        out += [f"  {m}" for m in roster.merged] + [f"  {n}" for n in roster.notes]
    if roster.skipped:
        out.append("")
        out.append("Rows left out:")
        for skipped in roster.skipped:
            out.append(f"  {skipped.reason}: {_plural(len(skipped.lines), 'row')} "
                       f"({_lines(skipped.lines)})")
    return "\n".join(out)
