"""What a roster calls a language, and which edition each family gets."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from .. import i18n
from .headers import fold
from .model import Roster, Student

# Codes and names school systems use that are not ISO 639 codes or CLDR names (Babel knows
# those: "Spanish", "Español", "es", "spa"), folded to lower-case letters.
SIS_CODES: dict[str, str] = {
    "sp": "es", "spn": "es", "span": "es", "esp": "es", "vn": "vi", "viet": "vi",
    "cn": "zh", "chn": "zh", "mandarin": "zh", "putonghua": "zh", "cantonese": "yue",
    "farsi": "fa", "dari": "prs", "laotian": "lo", "cambodian": "km", "pilipino": "fil",
    "haitian": "ht", "haitiancreole": "ht", "creole": "ht", "kreyol": "ht",
    "kr": "ko", "jp": "ja", "ger": "de", "fre": "fr", "hmo": "hmn", "som": "so",
    "serbocroatian": "sh", "rumanian": "ro", "burmese": "my", "eng": "en", "en": "en",
}
# California's two-digit CALPADS home language codes (Aeries and other California systems
# export them); since 2023 CALPADS uses ISO 639-2 codes, which Babel knows.
CALPADS: dict[str, str] = {
    "00": "en", "01": "es", "02": "vi", "03": "yue", "04": "ko", "05": "fil", "06": "pt",
    "07": "zh", "08": "ja", "09": "km", "10": "lo", "11": "ar", "12": "hy", "13": "my",
    "14": "hr", "15": "nl", "16": "fa", "17": "fr", "18": "de", "19": "el", "20": "ch",
    "21": "he", "22": "hi", "23": "hmn", "24": "hu", "25": "ilo", "26": "id", "27": "it",
    "28": "pa", "29": "ru", "30": "sm", "31": "sr", "32": "th", "33": "tr", "34": "to",
    "35": "ur", "36": "ceb", "38": "uk", "40": "ps", "41": "pl", "43": "gu", "45": "ro",
    "48": "mh", "51": "ku", "52": "sh", "56": "sq", "57": "ti", "60": "so", "61": "bn",
    "62": "te", "63": "ta", "64": "mr", "65": "kn", "66": "am", "67": "bg", "69": "ks",
    "70": "sv", "72": "uz",
}


@lru_cache(maxsize=1024)  # a roster of hundreds writes a handful of languages
def parse(value: str) -> str | None:
    """A language code for what a roster writes: a name in English or in the language itself,
    an ISO 639-1/2/3 code, a common SIS code, or a CALPADS number."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) <= 2:
        code = CALPADS.get(value.zfill(2))
        return i18n.edition(code) if code else None
    folded = fold(value)
    if folded in SIS_CODES:  # as takehome prints it: "Mandarin" is zh_Hans, like "Chinese"
        return i18n.edition(SIS_CODES[folded])
    return i18n.parse_language(value)


@dataclass
class Editions:
    """Which language each family's copies are in, and who gets the default and why."""

    default: str
    chosen: dict[int, str] = field(default_factory=dict)  # student number -> language
    unknown: dict[str, list[Student]] = field(default_factory=dict)  # value -> students
    untranslated: dict[str, list[Student]] = field(default_factory=dict)  # code -> students
    blank: list[Student] = field(default_factory=list)

    def why_default(self) -> list[tuple[Student, str]]:
        """Each student whose family gets the default language, with the reason."""
        out = [(s, f"{s.language_field or 'language'} {value!r} is not a language takehome "
                   "recognises") for value, students in self.unknown.items() for s in students]
        out += [(s, f"no {i18n.language_name(code, 'en')} translation of takehome's text yet")
                for code, students in self.untranslated.items() for s in students]
        out += [(s, "no language given") for s in self.blank]
        return sorted(out, key=lambda item: item[0].number)


def assign(roster: Roster, default: str) -> Editions:
    """Each family's language: the roster's, when takehome has its built-in strings in it."""
    available = set(i18n.catalog_languages())
    if i18n.base_language(default) == i18n.SOURCE_LANGUAGE:
        available.add(default)  # en_GB schools: English families read it
    editions = Editions(default)
    unknown: dict[str, list[Student]] = defaultdict(list)
    untranslated: dict[str, list[Student]] = defaultdict(list)
    for student in roster.students:
        if student.language_given and student.language is None:
            unknown[student.language_given].append(student)
        elif student.language and student.language not in available:
            untranslated[student.language].append(student)
        elif not student.language:
            editions.blank.append(student)
        same = student.language and i18n.base_language(student.language) == \
            i18n.base_language(default)  # en in an en_GB school reads the school's English
        editions.chosen[student.number] = (
            student.language if student.language in available and not same else default)
    editions.unknown = dict(sorted(unknown.items()))
    editions.untranslated = dict(sorted(untranslated.items()))
    return editions
