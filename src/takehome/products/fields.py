"""An editable product's form fields: one whole font that whatever the buyer types prints in.

The typesetter gives each field the page's font, often a subset of it: a letter the pages never
print has no glyph there, and a viewer draws it as a box or in a font of its own. The product
gets instead one fully embedded copy of the body font in the form's resources (/AcroForm /DR),
named by every field's default appearance (/DA), and an appearance stream for each widget.

The font is a simple TrueType font (one byte a letter), not a Type0/Identity-H one: a viewer
drawing what the buyer types finds each letter's code in a simple font's encoding, which an
Identity-H font does not have (its codes are glyph numbers, and most viewers' form filling
cannot map letters to them). Its encoding is WinAnsi, which holds every letter of English,
Spanish, French, Portuguese, Haitian Creole and most of Western Europe; the letters a product's
other languages need (Vietnamese, Russian) replace WinAnsi's symbols and the letters those
languages do not use (/Differences), in a family of the font stack that has them all. Typed
Arabic is neither joined nor ordered right to left in most viewers' field appearances: an
editable product in Arabic is refused.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fontpkg
from fontTools import agl
from fontTools.ttLib import TTFont
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from .. import fonts, i18n

# WinAnsiEncoding (PDF 2.0 Annex D.2) is Windows code page 1252, whose five unused codes
# (0x81, 0x8D, 0x8F, 0x90, 0x9D) and DEL are free for other letters; so are the control codes,
# last (tab, line feed and carriage return aside: never a glyph, to be safe).
WINANSI = {code: char for code in range(32, 256) if code != 127
           and (char := bytes([code]).decode("cp1252", errors="ignore"))}
FREE_CODES = (127, 0x81, 0x8D, 0x8F, 0x90, 0x9D)
CONTROL_CODES = tuple(c for c in range(1, 32) if c not in (9, 10, 13))
# Kept whatever the languages: what anyone types in a name, an address or a phone number.
KEPT = set("’‘“”–—…•«»¿¡°€·")


def _vietnamese() -> frozenset[str]:
    """The Vietnamese alphabet's letters: đ and the vowels with each of the five tones."""
    letters = {"đ", "Đ"}
    for vowel in "aăâeêioôơuưy":
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"):
            letter = unicodedata.normalize("NFC", vowel + tone)
            letters |= {letter, letter.upper()}
    return frozenset(c for c in letters if not c.isascii())


# Whole alphabets where a language's translations may not show every letter a name can have.
ALPHABETS: dict[str, frozenset[str]] = {
    "vi": _vietnamese(),
    "ru": frozenset(map(chr, [*range(0x410, 0x450), 0x401, 0x451])),
}


class FieldFontError(ValueError):
    """The product's languages cannot be typed into a form field that prints right."""


@dataclass(frozen=True)
class FieldFont:
    """The font a product's fields are set in, and which letter each byte code draws."""

    family: str
    path: Path
    encoding: dict[int, str]  # byte code -> character

    @property
    def winansi(self) -> bool:
        return self.encoding == WINANSI

    @property
    def resource(self) -> str:
        """Its name in /DR and the fields' /DA."""
        return "/" + re.sub(r"[^A-Za-z0-9]", "", self.family)


def _letters(lang: str) -> set[str]:
    """The letters beyond ASCII that names and words in `lang` are written with."""
    base = i18n.base_language(lang)
    catalog = getattr(i18n.translations(lang), "_catalog", {})
    found = set(ALPHABETS.get(base, ()))
    for text in catalog.values():
        for char in unicodedata.normalize("NFC", str(text)):
            if unicodedata.category(char).startswith("L") and not char.isascii():
                found |= {char, char.upper(), char.lower()}
    return {c for c in found if len(c) == 1}


def _encoding(needed: set[str]) -> dict[int, str]:
    """WinAnsi with the needed letters it lacks in place of what none of the languages use."""
    encoding = dict(WINANSI)
    missing = sorted(needed - set(encoding.values()))
    if not missing:
        return encoding

    def spare(code: int) -> tuple[int, int]:  # symbols go first, then unused letters
        char = encoding[code]
        return (unicodedata.category(char).startswith("L"), code)

    free = list(FREE_CODES) + sorted((code for code, char in encoding.items()
                                      if code >= 128 and char not in needed
                                      and char not in KEPT), key=spare) \
        + list(CONTROL_CODES)
    if len(missing) > len(free):
        raise FieldFontError(f"its languages have {len(needed)} letters; a form field's font "
                             f"holds {len(needed) - len(missing) + len(free)}")
    for code, char in zip(free, missing, strict=False):
        encoding[code] = char
    return encoding


def field_font(primary: str, langs: Iterable[str]) -> FieldFont:
    """The font and encoding for fields in pages of `langs`; raises FieldFontError."""
    langs = sorted(set(langs))
    needed: set[str] = set()
    for lang in langs:
        if i18n.is_rtl(lang):
            raise FieldFontError(
                f"{i18n.language_name(lang, 'en')} typed into a form field prints with its "
                "letters unjoined in most PDF viewers")
        needed |= _letters(lang)
    encoding = _encoding(needed)
    wanted = {ord(c) for c in needed | set(map(chr, range(32, 127)))}
    for family in fonts.stack(primary):
        if wanted <= _cmap(_regular(family)):
            return FieldFont(family, _regular(family), encoding)
    raise FieldFontError("no installed font has all the letters of "
                         + ", ".join(i18n.language_name(lang, "en") for lang in langs))


def _regular(family: str) -> Path:
    """The family's upright regular file (or its upright variable file)."""
    files = [f for f in fontpkg.family(family).files if f.style == "normal"]
    return Path(min(files, key=lambda f: abs((f.weight or 400) - 400)).path)


@cache
def _cmap(path: Path) -> frozenset[int]:
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _glyph_name(char: str) -> NameObject:
    code = ord(char)
    return NameObject("/" + agl.UV2AGL.get(code, f"uni{code:04X}"))


def font_resource(writer: PdfWriter, font: FieldFont) -> IndirectObject:
    """The simple TrueType font dictionary, its whole font file embedded once."""
    data = font.path.read_bytes()
    with TTFont(font.path) as tt:
        scale = 1000 / tt["head"].unitsPerEm
        cmap, metrics = tt.getBestCmap(), tt["hmtx"].metrics
        name = tt["name"].getDebugName(6) or font.resource[1:]
        head, hhea, os2, post = tt["head"], tt["hhea"], tt["OS/2"], tt["post"]
        first, last = min(font.encoding), max(font.encoding)
        widths = []
        for code in range(first, last + 1):
            glyph = cmap.get(ord(font.encoding[code])) if code in font.encoding else None
            widths.append(NumberObject(round(metrics[glyph][0] * scale) if glyph else 0))
        bbox = [head.xMin, head.yMin, head.xMax, head.yMax]
        descriptor = DictionaryObject({
            NameObject("/Type"): NameObject("/FontDescriptor"),
            NameObject("/FontName"): NameObject("/" + name),
            NameObject("/Flags"): NumberObject(32),  # nonsymbolic: the encoding names glyphs
            NameObject("/FontBBox"): ArrayObject(NumberObject(round(v * scale)) for v in bbox),
            NameObject("/ItalicAngle"): FloatObject(post.italicAngle),
            NameObject("/Ascent"): NumberObject(round(hhea.ascent * scale)),
            NameObject("/Descent"): NumberObject(round(hhea.descent * scale)),
            NameObject("/CapHeight"): NumberObject(round(getattr(os2, "sCapHeight", 700)
                                                         * scale)),
            # Required, and unknown to a TrueType file; the weight class is the usual estimate.
            NameObject("/StemV"): NumberObject(round(10 + 220 * (os2.usWeightClass - 50)
                                                     / 900)),
        })
    descriptor[NameObject("/FontFile2")] = _font_file(writer, data)
    if font.winansi:
        encoding: NameObject | DictionaryObject = NameObject("/WinAnsiEncoding")
    else:
        differences = ArrayObject()
        for code, char in sorted(font.encoding.items()):
            if WINANSI.get(code) != char:
                differences += [NumberObject(code), _glyph_name(char)]
        encoding = DictionaryObject({
            NameObject("/Type"): NameObject("/Encoding"),
            NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
            NameObject("/Differences"): differences})
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/TrueType"),
        NameObject("/BaseFont"): NameObject("/" + name),
        NameObject("/FirstChar"): NumberObject(first),
        NameObject("/LastChar"): NumberObject(last),
        NameObject("/Widths"): ArrayObject(widths),
        NameObject("/Encoding"): encoding,
        NameObject("/FontDescriptor"): writer._add_object(descriptor),
    }))


def _font_file(writer: PdfWriter, data: bytes) -> IndirectObject:
    """The font file's stream: the pages' own when they embed the whole file (the typesetter
    does in a document with form fields), else a new one."""
    for page in writer.pages:
        resources = page.get("/Resources")
        for ref in (resources.get_object().get("/Font") or {}).values() if resources else []:
            font = ref.get_object()
            for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
                descriptor = part.get("/FontDescriptor")
                stream = descriptor.get_object().raw_get("/FontFile2") \
                    if descriptor is not None and "/FontFile2" in descriptor.get_object() \
                    else None
                if isinstance(stream, IndirectObject) and isinstance(
                        found := stream.get_object(), StreamObject) and \
                        found.get("/Length1") == len(data) and found.get_data() == data:
                    return stream
    stream = StreamObject()
    stream.set_data(zlib.compress(data, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    stream[NameObject("/Length1")] = NumberObject(len(data))
    return writer._add_object(stream)


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s+Tf")
_COLOUR = re.compile(r"((?:\d*\.?\d+\s+){3}rg|(?:\d*\.?\d+\s+){1}g|(?:\d*\.?\d+\s+){4}k)\b")


def appearance(da: str, resource: str) -> str:
    """A default appearance in the field font at the typesetter's size and colour.

    Only the font, its size and the colour: a graphics state (the typesetter's `gs`) is not
    what viewers expect there, and some ignore the whole string for it.
    """
    size = _SIZE.search(da)
    colour = _COLOUR.search(da)
    return (f"{resource} {size.group(1) if size else '0'} Tf "
            f"{' '.join(colour.group(1).split()) if colour else '0 g'}")


def embed(writer: PdfWriter, font: FieldFont) -> None:
    """Every field of the writer's form set in `font`, with an appearance for its value."""
    form_ref = writer.root_object.get("/AcroForm")
    if form_ref is None:
        return
    form = form_ref.get_object()
    ref = font_resource(writer, font)
    form[NameObject("/DR")] = DictionaryObject({
        NameObject("/Font"): DictionaryObject({NameObject(font.resource): ref})})
    form[NameObject("/DA")] = TextStringObject(f"{font.resource} 0 Tf 0 g")
    values: dict[str, str] = {}
    for field_ref in form.get("/Fields", []):
        field = field_ref.get_object()
        for node in [field, *(k.get_object() for k in field.get("/Kids", []))]:
            if "/DA" in node:
                node[NameObject("/DA")] = TextStringObject(
                    appearance(str(node["/DA"]), font.resource))
        values[str(field["/T"])] = str(field.get("/V", ""))
    # The appearance each widget shows until someone types (pypdf makes it from /DA and /DR).
    # Every widget has one, so viewers need not make them all again on opening
    # (/NeedAppearances false): PDFium (Chrome, Edge) would, and it draws the letters outside
    # Latin-1 (Œ, ’, Vietnamese) in a font of its own or not at all, even where the filled
    # form's appearance had them right. Each viewer makes a new one for a field typed into.
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    form[NameObject("/NeedAppearances")] = BooleanObject(False)

