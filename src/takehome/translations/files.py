"""Files a translator fills: what is missing, written as a PO file per language or one CSV with a
column per language, and read back (validated like any content, every problem at its line)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po, write_po

from .. import i18n
from ..errors import ContentError, Problems
from ..yamlfile import read_text

MAX_FILE_BYTES = 5_000_000
SOURCE_COLUMN = "source"
WHERE_COLUMN = "where"


@dataclass(frozen=True)
class Wanted:
    """A text that some edition prints untranslated, and where it comes from."""

    source: str
    lang: str
    origins: tuple[str, ...]


@dataclass(frozen=True)
class Filled:
    """One translation read from a filled file."""

    source: str
    lang: str
    text: str
    line: int


def write_po_file(lang: str, wanted: Iterable[Wanted], default: str) -> bytes:
    """A PO file of the texts missing in `lang`: msgid the default language's text, msgstr
    empty for the translator, each with where it is printed."""
    catalog = _catalog(lang, "Texts of this project that its "
                       f"{i18n.language_name(lang, 'en')} editions print untranslated. Write "
                       "each translation in msgstr,\n# then: takehome translations import FILE")
    for item in wanted:
        catalog.add(item.source, "", locations=[(o, 0) for o in item.origins],
                    auto_comments=[f"{i18n.language_name(default, 'en')} text; write the "
                                   f"{i18n.language_name(lang, 'en')} one in msgstr."])
    out = io.BytesIO()
    write_po(out, catalog, width=0, sort_output=False, omit_header=False, include_lineno=False)
    return out.getvalue()


def _catalog(lang: str, comment: str) -> Catalog:
    catalog = Catalog(locale=lang, project="takehome content", version="1", fuzzy=False,
                      language_team=i18n.language_name(lang, "en"), msgid_bugs_address="",
                      last_translator="", header_comment=f"# {comment}\n#")
    catalog.revision_date = catalog.creation_date
    return catalog


def write_csv_file(wanted: list[Wanted]) -> bytes:
    """One CSV of every missing text: the source, where it is printed, a column per language
    (filled in where the text has nothing yet, "-" where it needs nothing)."""
    langs = sorted({w.lang for w in wanted})
    rows: dict[str, dict[str, str]] = {}
    where: dict[str, list[str]] = {}
    for item in wanted:
        rows.setdefault(item.source, {})[item.lang] = ""
        where.setdefault(item.source, [])
        where[item.source] += [o for o in item.origins if o not in where[item.source]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([SOURCE_COLUMN, WHERE_COLUMN, *langs])
    for source, needed in rows.items():
        writer.writerow([source, " ".join(where[source]),
                         *(needed.get(lang, "-") for lang in langs)])
    # A byte-order mark, so that spreadsheet programs open the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def read_filled(path: Path, problems: Problems) -> list[Filled]:
    """The translations in a filled PO or CSV file; problems are recorded at their line."""
    try:
        text = read_text(path, MAX_FILE_BYTES)
    except ContentError as exc:
        problems.add(exc.problem)
        return []
    if path.suffix.lower() == ".po":
        return _read_po(path, text, problems)
    return _read_csv(path, text, problems)


def _read_po(path: Path, text: str, problems: Problems) -> list[Filled]:
    try:
        catalog = read_po(io.StringIO(text), abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        problems.error(f"not a PO file: {exc}", path)
        return []
    lang = i18n.parse_language(str(catalog.locale_identifier or ""))
    if lang is None:
        problems.error("the file names no language: its header needs a line like "
                       '"Language: es\\n"', path, 1)
        return []
    found = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str):
            continue
        translation = message.string if isinstance(message.string, str) else ""
        if message.fuzzy:
            problems.warn(f"the translation of {message.id!r} is marked fuzzy (not checked "
                          "yet), so it is not used", path, message.lineno)
            continue
        if translation.strip():
            found.append(Filled(message.id, lang, translation, message.lineno or 0))
    return found


def _read_csv(path: Path, text: str, problems: Problems) -> list[Filled]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel()  # type: ignore[assignment]
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header or header[0].strip().casefold() != SOURCE_COLUMN:
        problems.error(f"the first column must be {SOURCE_COLUMN!r} (the text to translate), "
                       "then one column per language", path, 1)
        return []
    columns: dict[int, str] = {}
    for number, name in enumerate(header[1:], 1):
        if name.strip().casefold() == WHERE_COLUMN or not name.strip():
            continue
        lang = i18n.parse_language(name)
        if lang is None:
            problems.error(f"column {name!r} is not a language; use a code such as 'es'",
                           path, 1, number + 1)
            continue
        columns[number] = lang
    found = []
    for row in reader:
        if not row or not row[0].strip():
            continue
        for number, lang in columns.items():
            value = row[number].strip() if number < len(row) else ""
            if value and value != "-":
                found.append(Filled(row[0], lang, value, reader.line_num))
    return found


def import_filled(root: Path, path: Path, problems: Problems) -> dict[str, int]:
    """A filled file checked like content and merged into content/translations/<lang>.po (a
    translation already there is replaced by the new one); how many translations per
    language. Nothing is written when the file has an error."""
    filled = read_filled(path, problems)
    problems.raise_if_errors()
    by_language: dict[str, dict[str, str]] = {}
    for entry in filled:
        by_language.setdefault(entry.lang, {})[entry.source] = entry.text
    folder = root / "content" / "translations"
    written: dict[str, int] = {}
    for lang, texts in sorted(by_language.items()):
        target = folder / f"{lang}.po"
        merged: dict[str, str] = {}
        if target.is_file():
            merged = {e.source: e.text for e in read_filled(target, problems) if e.lang == lang}
            problems.raise_if_errors()
        merged.update(texts)
        catalog = _catalog(lang, f"{i18n.language_name(lang, 'en')} translations of this "
                                 "project's texts (takehome translations import)")
        for source, text in merged.items():
            catalog.add(source, text)
        out = io.BytesIO()
        write_po(out, catalog, width=0, include_lineno=False)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(out.getvalue())
        temporary.replace(target)  # all at once: a reader never sees half a file
        written[lang] = len(texts)
    return written
