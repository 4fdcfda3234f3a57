"""One font per word: a name whose letters the default font lacks is set whole in a font that
has them all, so that it looks whole and a PDF reader extracts it whole."""

from __future__ import annotations

from pathlib import Path

import pdfplumber

from takehome import fonts

from .conftest import all_text

PRIMARY = "Atkinson Hyperlegible"


def test_a_word_the_default_font_cannot_set_is_set_whole() -> None:
    html = '<p class="x">For the family of Minh Anh Nguyễn, in Room 14</p>'
    out = fonts.whole_words(html, "en", PRIMARY)
    assert 'class="x"' in out
    assert '<span style="font-family: &quot;Fira Sans&quot;">Minh Anh Nguyễn,</span>' in out
    assert out.endswith(" in Room 14</p>")
    assert fonts.whole_words("<p>Ana López</p>", "en", PRIMARY) == "<p>Ana López</p>"
    style = "<style>p { color: red }</style>"
    assert fonts.whole_words(style, "en", PRIMARY) == style


def test_vietnamese_pages_are_set_in_a_font_with_every_vietnamese_letter() -> None:
    assert fonts.language_family("vi", PRIMARY) == "Fira Sans"
    assert fonts.language_family("es", PRIMARY) is None
    assert '[lang|="vi"]' in fonts.face_css(PRIMARY)
    assert fonts.whole_words("<p>Nguyễn Thị Lan</p>", "vi", PRIMARY) == "<p>Nguyễn Thị Lan</p>"


def _fonts_of(path: Path, word: str) -> set[str]:
    """The fonts the letters of `word` are drawn in, wherever it is on the first page."""
    with pdfplumber.open(path) as pdf:
        chars = pdf.pages[0].chars
    text = "".join(c["text"] for c in chars)
    at = text.find(word)
    assert at >= 0, f"{word!r} not on the page"
    return {chars[i]["fontname"].split("+")[-1] for i in range(at, at + len(word))}


def test_names_extract_whole_from_the_pdfs(sample_build: Path) -> None:
    """The class's Vietnamese names, in English and Vietnamese documents alike."""
    log = all_text(sample_build / "log" / "family-logs.pdf")
    for name in ("Nguyễn Thị Hoa", "Trần Văn Long", "Trần Thị Mai"):
        assert name in log, name
    intake = sample_build / "intake" / "students" / "03-nguyen-minh-anh.pdf"
    assert "Minh Anh Nguyễn" in all_text(intake)
    assert len(_fonts_of(intake, "Nguyễn")) == 1
    english = sample_build / "intake" / "students" / "07-miller-ethan.pdf"
    assert "Ethan Miller" in all_text(english)
