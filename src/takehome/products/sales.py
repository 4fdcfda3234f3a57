"""listing.md: the marketplace listing's text, written from what the product holds."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from babel.lists import format_list

from .. import i18n
from ..richtext import typographic
from . import matter
from .listing import Listing


def _line(text: str, lang: str) -> str:
    """One line of Markdown in the language's quotation marks, with no line breaks and no
    characters that would start markup."""
    return " ".join(html.unescape(typographic(text, lang, keep_last=False)).split()).replace(
        "<", "&lt;")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def listing_markdown(listing: Listing, sections: Sequence[dict[str, Any]], total: int,
                     papers: Sequence[str], versions: int) -> str:
    """The listing: title, description, what is included with page counts, grades, languages,
    paper sizes and file types, ready to paste into a marketplace's form."""
    lang = listing.lang
    t = i18n.translations(lang)
    model = listing.model
    languages = list(dict.fromkeys(
        _capital(i18n.language_name(i.lang, lang)) for s in listing.sections for i in s.items))
    out = [f"# {_line(listing.text(model.title), lang)}", ""]
    if model.subtitle:
        out += [_line(listing.text(model.subtitle), lang), ""]
    if model.description:
        out += [_line(listing.text(model.description), lang), ""]
    out += [f"## {t.gettext('What is included')}", ""]
    for section in sections:
        count = t.ngettext("%(num)d page", "%(num)d pages", section["count"]) % {
            "num": section["count"]}
        about = f": {_line(section['about'], lang)}" if section["about"] else ""
        out.append(f"- **{_line(section['title'], lang)}** ({count}){about}")
    out.append(f"- {t.gettext('A cover, contents, how to print, and terms of use')}")
    out += ["", f"## {t.gettext('Details')}", ""]
    if model.grades:
        out.append(f"- {matter.grades(listing)}")
    details = [
        (t.gettext("Languages"), format_list(languages, locale=lang)),
        (t.gettext("Paper sizes"), format_list(
            [matter.paper_name(p, lang) for p in papers], locale=lang)
            + " " + t.gettext("(each laid out for its paper, not scaled)")),
        (t.gettext("Versions"), t.gettext("full color and ink-saver")),
        (t.gettext("File types"), t.ngettext(
            "PDF (%(num)d file of %(pages)d pages) and how to print, in one zip",
            "PDF (%(num)d files of %(pages)d pages) and how to print, in one zip",
            versions) % {"num": versions, "pages": total}),
    ]
    if model.editable:
        details.append((t.gettext("Editable"), t.gettext(
            "type your school, name, room and dates once, and every page shows them")))
    elif not (model.generic.school or model.generic.teacher):
        details.append((t.gettext("Print and go"), t.gettext(
            "lines to write your school, name, room and dates on")))
    out += [f"- {name}: {value}" for name, value in details]
    if model.keywords:
        keywords = ", ".join(_line(k, lang) for k in model.keywords)
        out += ["", f"{t.gettext('Keywords')}: {keywords}"]
    return "\n".join(out) + "\n"
