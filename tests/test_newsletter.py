"""End to end: the sample December newsletter, read back from its PDFs and web pages."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from takehome import images
from takehome.build import load
from takehome.build.incremental import Cache
from takehome.errors import BuildError, Problems
from takehome.richtext import markdown, short_url

from .conftest import all_text, page_size_mm, page_text, plain, read_pdf, run, tree_bytes

ISSUE = "newsletters/2026-12"
# A phrase of every section, per edition (sections 2, 3, 5 and 6 are not in the Arabic one).
SECTIONS = {
    "en": ["A letter from the principal", "December is a month of light", "Dr. Patricia Owens",
           "Our winter concert", "Thursday, December 17", "everybody is brave",
           "Dates to remember", "Winter Break", "Ways to help at home", "Read together for 20",
           "Volunteer and visit", "Library Fridays", "Sign up for a volunteer slot",
           "Contact us", "(555) 010-4400", "erivera@maplegrove.example.org"],
    "es": ["Una carta de la directora", "Diciembre es un mes de luz", "Directora",
           "Nuestro concierto de invierno", "jueves 17 de diciembre", "todos somos valientes",
           "Fechas para recordar", "Reto de lectura de invierno", "Cómo ayudar en casa",
           "Lean juntos 20 minutos", "Voluntariado y visitas", "Viernes de biblioteca",
           "Inscríbase como voluntario", "Contáctenos", "Salón 14"],
    # The district's calendar titles in Arabic too (content/translations.yaml).
    "ar": ["رسالة من مديرة المدرسة", "ديسمبر", "Dr. Patricia Owens", "مواعيد مهمة",
           "عطلة الشتاء", "تواصلوا معنا", "Maple Grove Elementary School", "010-4400"],
}


def _text(path: Path) -> str:
    """PDF text with whitespace folded, so phrases broken across lines still match."""
    return re.sub(r"\s+", " ", all_text(path))


def test_editions_web_pages_and_index(sample_build: Path) -> None:
    folder = sample_build / "newsletters"
    assert sorted(p.name for p in folder.iterdir()) == [
        "2026-12.ar.html", "2026-12.ar.pdf", "2026-12.en.html", "2026-12.en.pdf",
        "2026-12.es.html", "2026-12.es.pdf", "index.html"]
    manifest = json.loads((sample_build / "manifest.json").read_text())["documents"]
    entries = {e["path"]: e for e in manifest if e["kind"] == "newsletter"}
    assert entries[f"{ISSUE}.es.pdf"]["language"] == "es"
    assert entries[f"{ISSUE}.es.pdf"]["pages"] == 2
    assert entries[f"{ISSUE}.ar.html"]["pages"] == 0
    assert entries[f"{ISSUE}.en.pdf"]["sources"] == ["content/newsletters/2026-12.yaml"]
    index = (folder / "index.html").read_text()
    for name in ("2026-12.en.pdf", "2026-12.es.html", "2026-12.ar.pdf", "Español", "العربية"):
        assert name in index


@pytest.mark.parametrize("lang", ["en", "es", "ar"])
def test_every_section_in_every_edition(sample_build: Path, lang: str) -> None:
    text = _text(sample_build / f"{ISSUE}.{lang}.pdf")
    for phrase in SECTIONS[lang]:
        assert phrase in text, phrase
    if lang == "ar":
        assert "Our winter concert" not in text and "Ways to help at home" not in text


def test_two_pages_numbered_per_edition_in_its_language(sample_build: Path) -> None:
    for lang, footer, month in (("en", "Page {} of 2", "December 2026"),
                                ("es", "Página {} de 2", "diciembre de 2026")):
        path = sample_build / f"{ISSUE}.{lang}.pdf"
        reader = read_pdf(path)
        assert len(reader.pages) == 2
        assert page_size_mm(path) == (215.9, 279.4)
        for number in (1, 2):
            assert footer.format(number) in page_text(path, number - 1)
        assert month in page_text(path, 0)
    # Each edition counts its own pages, although editions are built in one run.
    assert re.search(r"صفحة 1\s+من\s*1", page_text(sample_build / f"{ISSUE}.ar.pdf"))


def test_masthead_on_page_one_only(sample_build: Path) -> None:
    path = sample_build / f"{ISSUE}.en.pdf"
    first, second = page_text(path, 0), page_text(path, 1)
    assert "MAPLE GROVE ELEMENTARY SCHOOL" in first and "Volume 1, Number 4" in first
    assert first.count("Maple Leaf News") == 2  # the masthead and the footer
    assert "Maple Grove Elementary School" in second  # the running header


def test_photo_is_embedded_downscaled_and_small(sample_build: Path) -> None:
    path = sample_build / f"{ISSUE}.en.pdf"
    reader = read_pdf(path)
    pictures = [img for page in reader.pages for img in page.images]
    photo = max(pictures, key=lambda i: i.image.width)
    # The 2400 px original is printed about 88 mm wide: 300 dpi needs about 1060 px.
    assert 900 <= photo.image.width <= images.pixels_for(images.MM_PER_INCH * 4)
    assert path.stat().st_size < 400_000
    assert "Photo: Mr. Daniel Park" in _text(path)


def test_links_and_qr_codes_print_readably(sample_build: Path) -> None:
    text = _text(sample_build / f"{ISSUE}.en.pdf")
    assert "school website (maplegrove.example.org/concert)" in text
    assert "maplegrove.example.org/ volunteer" in text or \
        "maplegrove.example.org/volunteer" in text
    assert "Scan with your phone, or type:" in text
    pages = read_pdf(sample_build / f"{ISSUE}.en.pdf").pages
    moves = [p.get_contents().get_data().count(b" m\n") for p in pages]
    assert moves[1] > 10 * moves[0]  # page 2's QR codes: hundreds of little squares


def test_tagged_with_language_and_title(sample_build: Path) -> None:
    for lang, title in (("es", "Noticias de Maple Grove"), ("ar", "أخبار مابل غروف")):
        reader = read_pdf(sample_build / f"{ISSUE}.{lang}.pdf")
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/Lang"] == lang
        assert reader.metadata.title == title


def test_arabic_edition_runs_right_to_left(sample_build: Path) -> None:
    """The Arabic heading sits against the right margin, the English page's against the left."""
    def x_of(path: Path, phrase: str) -> float:
        found: list[float] = []

        def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
            if phrase in text:
                found.append(tm[4])
        read_pdf(path).pages[0].extract_text(visitor_text=visit)
        assert found, phrase
        return found[0]

    width = 215.9 * 72 / 25.4
    assert x_of(sample_build / f"{ISSUE}.ar.pdf", "رسالة") > width / 2
    assert x_of(sample_build / f"{ISSUE}.en.pdf", "A letter") < width / 4
    web = (sample_build / f"{ISSUE}.ar.html").read_text()
    assert '<html lang="ar" dir="rtl">' in web


class _Resources(HTMLParser):
    """Everything a web page would fetch by itself."""

    def __init__(self) -> None:
        super().__init__()
        self.fetched: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        values = dict(attrs)
        if tag in ("img", "script", "iframe", "source", "video", "audio") and values.get("src"):
            self.fetched.append(values["src"] or "")
        if tag == "link":
            self.fetched.append(values.get("href") or "")


def test_web_edition_is_self_contained_and_complete(sample_build: Path) -> None:
    page = (sample_build / f"{ISSUE}.es.html").read_text()
    parser = _Resources()
    parser.feed(page)
    assert parser.fetched and all(src.startswith("data:image/") for src in parser.fetched)
    assert "script" not in parser.tags and "link" not in parser.tags
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page and 'name="viewport"' in page
    for phrase in SECTIONS["es"][:-3]:
        assert phrase in plain(page), phrase
    # On a phone a link is tapped, not typed: no printed address, a real link instead.
    assert '<a href="https://maplegrove.example.org/concert" rel="noopener">' in page
    assert 'href="2026-12.en.html"' in page and 'href="2026-12.es.pdf"' in page
    assert page.count("data:image/jpeg") == 1


def test_a4_two_pages(project: Path) -> None:
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    assert run("build", str(project), "--only", "newsletters").exit_code == 0
    for lang in ("en", "es"):
        path = project / f"output/{ISSUE}.{lang}.pdf"
        assert page_size_mm(path) == (210.0, 297.0)
        assert len(read_pdf(path).pages) == 2


def test_missing_image_is_an_error_with_its_line(project: Path) -> None:
    issue = project / f"content/{ISSUE}.yaml"
    source = issue.read_text()
    issue.write_text(source.replace("images/winter-concert.jpg", "images/no-such-photo.jpg"))
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "winter-concert" in text)
    result = run("build", str(project))
    assert result.exit_code == 1
    assert f"2026-12.yaml:{line}:" in result.output
    assert "'images/no-such-photo.jpg' not found" in result.output
    assert not (project / "output").exists()


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file that claims to be huge (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("damage", ["bomb", "truncated"])
def test_unsafe_or_damaged_image_is_refused_at_its_line(project: Path, damage: str) -> None:
    photo = project / "content/images/winter-concert.jpg"
    if damage == "bomb":
        photo.write_bytes(_png_header_only(30000, 30000))
    else:
        photo.write_bytes(photo.read_bytes()[:4000])
    result = run("check", str(project))
    assert result.exit_code == 1
    assert re.search(r"2026-12\.yaml:\d+:\d+: error: '(content/)?images/winter-concert\.jpg': "
                     r"image (has more than 50 megapixels|is damaged or truncated)",
                     result.output), result.output


def test_a_photo_decoded_by_an_earlier_build_is_not_decoded_again_unless_changed(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(project)
    load.load(project, Problems(), cache)
    photo = project / "content/images/winter-concert.jpg"

    def decode(*_: object) -> None:
        raise AssertionError("decoded again")

    with monkeypatch.context() as patch:
        patch.setattr(images, "prepare", decode)
        load.load(project, Problems(), cache)  # the same bytes: believed
    photo.write_bytes(photo.read_bytes()[:4000])
    with pytest.raises(BuildError, match="damaged or truncated"):
        load.load(project, Problems(), cache)


def test_missing_translation_names_the_section(project: Path) -> None:
    issue = project / f"content/{ISSUE}.yaml"
    issue.write_text(issue.read_text().replace(
        "      es: Nuestro concierto de invierno\n", ""))
    result = run("build", str(project), "--only", "newsletters")
    assert result.exit_code == 0, result.output
    assert re.search(r"2026-12\.yaml: warning: the Spanish edition of newsletters/2026-12 prints "
                     r"1 text in English: 'Our winter concert' \(content/newsletters/2026-12\.yaml:"
                     r"\d+\)", result.output), result.output
    assert "Our winter concert" in _text(project / f"output/{ISSUE}.es.pdf")


def test_no_calendar_leaves_dates_out_with_a_warning(project: Path) -> None:
    (project / "content/calendar.yaml").unlink()
    for ics in (project / "content/calendar").glob("*.ics"):
        ics.unlink()
    result = run("build", str(project), "--only", "newsletters")
    assert result.exit_code == 0, result.output
    assert 'section 4 "Dates to remember": the project has no school calendar' in result.output
    assert "Dates to remember" not in _text(project / f"output/{ISSUE}.en.pdf")


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    assert run("build", str(project), "--only", "newsletters").exit_code == 0
    assert run("build", str(project), "--only", "newsletters", "--output",
               str(tmp_path / "again")).exit_code == 0
    assert tree_bytes(tmp_path / "again") == tree_bytes(project / "output")


def test_markdown_is_data_not_html() -> None:
    html = str(markdown("<script>alert(1)</script> **bold** [x](javascript:alert(1)) "
                        "![pic](https://example.org/a.png) [site](https://www.example.org/a/)"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html and 'href="javascript' not in html
    assert "<img" not in html
    assert '<a href="https://www.example.org/a/">site</a><span class="url"> (example.org/a)' in html
    assert short_url("mailto:office@example.org") == "office@example.org"


def test_photos_are_turned_upright_and_stripped(tmp_path: Path) -> None:
    """A phone photo stored sideways with GPS data prints upright, without the GPS data."""
    path = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 0.0)}  # GPS
    Image.new("RGB", (1600, 1200), "#888").save(path, exif=exif.tobytes())
    prepared = images.prepare(path, 600)
    out = Image.open(io.BytesIO(prepared.data))
    assert out.size == (600, 800) and prepared.mime == "image/jpeg"
    assert not out.getexif()
