"""Right-to-left editions read back as an Arabic-reading family would: every kind built in
Arabic (the school's default language), labels to the right of their values, names, phone
numbers and e-mail addresses whole and in order, question numbers at the right, and no text
past a margin on any page."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from takehome import i18n

from .conftest import MM, SAMPLE
from .printed import shared_build

AR = i18n.translations("ar")
STUDENTS = 6  # Amira Haddad (an Arabic-reading family) is the fifth
ARABIC = re.compile(r"[\u0600-\u06ff]")


def _arabic_school(root: Path) -> None:
    """The sample school with Arabic as its language: every kind, the log included, in Arabic."""
    shutil.copytree(SAMPLE, root / "content")
    settings = root / "content/settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^language: en\b", "language: ar", text)
    text = re.sub(r"(?m)^languages: \[en, es\]", "languages: [ar]", text)
    settings.write_text(text, encoding="utf-8")
    roster = root / "content/roster.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[:STUDENTS + 1]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_build(tmp_path_factory, "arabic-school", _arabic_school)


def _lines(page: Any) -> list[list[dict[str, Any]]]:
    """A page's words grouped into lines (their middles level: Arabic and Latin letters come
    from fonts of different heights), each line left to right."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(page.extract_words(), key=lambda w: (w["top"] + w["bottom"]) / 2):
        middle = (word["top"] + word["bottom"]) / 2
        if lines and abs((lines[-1][0]["top"] + lines[-1][0]["bottom"]) / 2 - middle) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _left_of(line: list[dict[str, Any]], word: dict[str, Any]) -> list[dict[str, Any]]:
    """The words just left of `word` on its line, up to the first gap wider than 5 mm (the
    value a right-to-left label is for; a column further left is another's)."""
    run: list[dict[str, Any]] = []
    edge = word["x0"]
    for other in sorted((w for w in line if w["x1"] <= word["x0"] + 0.5), key=lambda w: -w["x1"]):
        if edge - other["x1"] > 5 * MM:
            break
        run.insert(0, other)
        edge = other["x0"]
    return run


def _is(word: dict[str, Any], arabic: str) -> bool:
    """Whether a word read back is `arabic` (read back in the order it is drawn, or logically)."""
    text = word["text"].strip(":：.،")
    return text in (arabic, arabic[::-1])


def _unbracketed(text: str) -> str:
    return text.replace("(", "").replace(")", "")


def _digits(words: list[dict[str, Any]]) -> str:
    return "".join(ch for w in words for ch in w["text"] if ch.isdigit())


class _Page:
    """One page read back: its text, its lines of words and its characters."""

    def __init__(self, page: Any) -> None:
        self.page_number: int = page.page_number
        self.width: float = page.width
        self.height: float = page.height
        self.text: str = page.extract_text() or ""
        self.lines = _lines(page)
        self.chars: list[dict[str, Any]] = list(page.chars)


def _pages(path: Path) -> list[_Page]:
    with pdfplumber.open(path) as pdf:
        return [_Page(page) for page in pdf.pages]


def _arabic_pdfs(output: Path) -> list[Path]:
    found = sorted(p for p in output.rglob("*.pdf") if ".ar." in p.name or "05-haddad" in p.name
                   or p.parent.name == "log")
    assert len(found) >= 15, found
    return found


def test_every_kind_is_built_in_arabic(output: Path) -> None:
    for name in ("intake/blank.ar.pdf", "intake/fillable.ar.pdf",
                 "intake/students/05-haddad-amira.pdf", "welcome/welcome.ar.pdf",
                 "cards/family.ar.pdf", "cards/notes.ar.pdf", "cards/case-label.ar.pdf",
                 "log/class-log.pdf", "log/report.pdf", "calendar/year.ar.pdf",
                 "calendar/months.ar.pdf", "calendar/key-dates.ar.pdf",
                 "newsletters/2026-12.ar.pdf"):
        pages = list(_pages(output / name))
        assert pages and ARABIC.search(pages[0].text), name


def test_a_label_is_to_the_right_of_its_phone_number(output: Path) -> None:
    """The newsletter's "Phone:" lines: the label first for a right-to-left reader (on the
    right), the number whole, its digits in order, to its left."""
    label = AR.gettext("Phone").strip(":")
    assert ARABIC.search(label)
    found = 0
    for page in _pages(output / "newsletters/2026-12.ar.pdf"):
        for line in page.lines:
            labels = [w for w in line if _is(w, label)]
            if not labels:
                continue
            number = _left_of(line, labels[0])
            assert number, [w["text"] for w in line]
            assert _digits(number) in ("5550104400", "5550104414"), [w["text"] for w in line]
            found += 1
    assert found == 2


def test_a_childs_name_is_to_the_left_of_its_label(output: Path) -> None:
    """A personalised card for an Arabic-reading family: "Child:" on the right, the Latin name
    whole, in reading order, to its left."""
    label = AR.gettext("Child:").strip(":")
    found = 0
    for page in _pages(output / "cards/family/students/05-haddad-amira.pdf"):
        for line in page.lines:
            for word in (w for w in line if _is(w, label)):
                name = " ".join(w["text"] for w in _left_of(line, word))
                assert name == "Amira Haddad", [w["text"] for w in line]
                found += 1
    assert found >= 4


def test_names_and_addresses_read_back_whole(output: Path) -> None:
    """Latin names, the teacher's e-mail address and phone number in Arabic pages extract as
    written: not reversed, not split, not scrambled."""
    wanted = {
        "welcome/welcome.ar.pdf": ("Ms. Elena Rivera", "erivera@maplegrove.example.org",
                                   "(555) 010-4414", "1200 Orchard Lane, Springfield",
                                   "Maple Grove Elementary School"),
        "welcome/students/05-haddad-amira.pdf": ("Amira Haddad", "Ms. Elena Rivera"),
        "intake/students/05-haddad-amira.pdf": ("Amira Haddad", "Layla Haddad, Omar Haddad",
                                                "layla.haddad@example.org", "(555) 010-2105"),
        "newsletters/2026-12.ar.pdf": ("Ms. Elena Rivera", "erivera@maplegrove.example.org",
                                       "office@maplegrove.example.org"),
        "log/report.pdf": ("Ana López", "Ben Okafor", "Grace Okafor", "(555) 010-2102"),
    }
    for name, texts in wanted.items():
        lines = [" ".join(w["text"] for w in line)
                 for page in _pages(output / name) for line in page.lines]
        for text in texts:
            # A bracket drawn in a left-to-right run inside right-to-left words reads back
            # mirrored (")555("): what is checked is that the digits and letters are in order.
            assert any(_unbracketed(text) in _unbracketed(line) for line in lines), (name, text)


def test_question_numbers_are_at_the_right(output: Path) -> None:
    """On the Arabic intake sheet each question's number stands at the right of its words,
    where a right-to-left reader starts: "1." is the rightmost word of question 1's line."""
    checked = 0
    for page in _pages(output / "intake/blank.ar.pdf"):
        for line in page.lines:
            numbered = [w for w in line if re.search(r"(^|\.)\d{1,2}(\.|$)", w["text"])
                        and ARABIC.search(w["text"] + "".join(x["text"] for x in line))]
            if len(numbered) != 1 or not any(ARABIC.search(w["text"]) for w in line):
                continue
            word = numbered[0]
            digits = [c for c in _chars_of(page, word) if c["text"].isdigit()]
            letters = [c for w in _left_of(line, word) + [word] for c in _chars_of(page, w)
                       if ARABIC.search(c["text"])]
            if digits and letters:
                assert min(c["x0"] for c in digits) >= max(c["x1"] for c in letters) - 0.5, \
                    [w["text"] for w in line]
                checked += 1
    assert checked >= 8


def _chars_of(page: _Page, word: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in page.chars if c["x0"] >= word["x0"] - 0.1 and c["x1"] <= word["x1"] + 0.1
            and abs(c["top"] - word["top"]) < 3]


def test_no_text_past_a_margin(output: Path) -> None:
    """Every character on every page of every Arabic document stays 12 mm from the sheet's
    sides and 8 mm from its top and bottom (office printers do not print to the edge)."""
    for path in _arabic_pdfs(output):
        for page in _pages(path):
            for char in page.chars:
                if not char["text"].strip():
                    continue
                where = (path.relative_to(output).as_posix(), page.page_number, char["text"])
                assert char["x0"] >= 12 * MM - 0.5, where
                assert char["x1"] <= page.width - 12 * MM + 0.5, where
                assert char["top"] >= 8 * MM - 0.5, where
                assert char["bottom"] <= page.height - 8 * MM + 0.5, where
