"""Editable products: the blanks are form fields, one name per value, typed once, set in
the whole body font."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import fontpkg
import numpy as np
import pypdfium2 as pdfium
import pytest
import yaml
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, IndirectObject

from takehome.products import fields

from .conftest import SAMPLE, run
from .test_products import write_product

SCALE = 4  # renders at 288 dpi


def _widgets(reader: PdfReader, name: str) -> dict[int, list[float]]:
    """Page index -> the rectangle of a widget of field `name` on it."""
    found = {}
    for index, page in enumerate(reader.pages):
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            parent = annot.get("/Parent")
            if parent is not None and parent.get_object().get("/T") == name:
                x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
                found[index] = [min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)]
    return found


def _picture(data: bytes, index: int) -> pdfium.PdfBitmap:
    document = pdfium.PdfDocument(data)
    document.init_forms()
    return document[index].render(scale=1, may_draw_forms=True).to_pil().convert("L")


@pytest.fixture(scope="module")
def editable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An editable product of intake sheets and a welcome sheet, packaged once: its folder."""
    project = tmp_path_factory.mktemp("editable") / "project"
    shutil.copytree(SAMPLE, project / "content")
    write_product(project, "  - document: intake\n    files: [blank.en, blank.es]\n"
                           "  - document: welcome\n    files: [welcome.en]",
                  extra="editable: true\n")
    result = run("package", str(project))
    assert result.exit_code == 0, result.output
    return project / "dist/test-pack"


def test_an_editable_product_fills_every_page_from_one_field(editable: Path) -> None:
    pdf = editable / "test-pack-a4.pdf"
    reader = PdfReader(pdf)
    fields = reader.get_fields()
    assert fields is not None
    # One field per value, its widgets on every page that prints it.
    teacher = _widgets(reader, "teacher")
    assert {"teacher", "school", "room", "return_by", "about"} <= set(fields)
    assert len(teacher) >= 5  # four intake pages and the welcome sheet
    assert all(len(fields[n].get("/Kids", [])) >= 2 for n in ("teacher", "school", "room"))

    writer = PdfWriter(clone_from=pdf)
    writer.update_page_form_field_values(None, {"teacher": "Ms. Typed Once"},
                                         auto_regenerate=False)
    writer.set_need_appearances_writer(True)
    filled = io.BytesIO()
    writer.write(filled)
    assert PdfReader(filled).get_fields()["teacher"]["/V"] == "Ms. Typed Once"
    before, after = pdf.read_bytes(), filled.getvalue()
    height = float(reader.pages[0].mediabox.height)
    for index, (x1, y1, x2, y2) in teacher.items():
        box = (round(x1), round(height - y2), round(x2), round(height - y1))
        changed = ImageChops.difference(_picture(before, index).crop(box),
                                        _picture(after, index).crop(box)).getbbox()
        assert changed is not None, f"page {index + 1}: the teacher's name is not shown"
    # ... and no other field shows it: a filler that writes a widget's appearance in place
    # (pypdf does) must not find it shared with other fields' widgets.
    for page in PdfReader(filled).pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Parent") and annot["/Parent"].get_object()["/T"] != "teacher":
                assert b"Typed Once" not in annot["/AP"]["/N"].get_object().get_data()


def test_a_print_and_go_product_has_no_fields(packaged: Path) -> None:
    reader = PdfReader(packaged / f"{packaged.name}-letter.pdf")
    assert not reader.get_fields()


@pytest.mark.parametrize("kind", ["editable", "packaged"])
def test_the_listing_says_how_the_blanks_are_filled(kind: str, request: pytest.FixtureRequest
                                                    ) -> None:
    listing = (request.getfixturevalue(kind) / "listing.md").read_text(encoding="utf-8")
    editable = "- Editable: type your school, name, room and dates once" in listing
    print_and_go = "- Print and go: lines to write your school" in listing
    assert (editable, print_and_go) == ((True, False) if kind == "editable" else (False, True))


def _body_font() -> Path:
    """The sample theme's font file, upright regular: what the fields must be set in."""
    settings = yaml.safe_load((SAMPLE / "settings.yaml").read_text(encoding="utf-8"))
    files = fontpkg.family(settings["theme"]["font"]).files
    return next(Path(f.path) for f in files if f.weight == 400 and f.style == "normal")


def _field_fonts(reader: PdfReader) -> dict[str, object]:
    return dict(reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"])


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_every_field_names_one_whole_embedded_body_font(editable: Path, paper: str) -> None:
    reader = PdfReader(editable / f"test-pack-{paper}.pdf")
    (name, ref), = _field_fonts(reader).items()
    font = ref.get_object()
    assert font["/Subtype"] == "/TrueType" and font["/Encoding"] == "/WinAnsiEncoding"
    data = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
    body = _body_font()
    with TTFont(io.BytesIO(data)) as embedded, TTFont(body) as shipped:
        # Whole, not the pages' subset: every glyph, and letters the pages never print.
        assert len(embedded.getGlyphOrder()) == len(shipped.getGlyphOrder())
        assert {ord(c) for c in "ŒœŸÿÑñÇç€"} <= set(embedded.getBestCmap())
    assert data == body.read_bytes()
    appearances = []
    for page in reader.pages:
        for annot in (a.get_object() for a in page.get("/Annots") or []):
            if annot.get("/Subtype") == "/Widget":
                appearances.append(annot)
                assert str(annot["/DA"]).startswith(f"{name} "), annot["/DA"]
                assert str(annot["/Parent"].get_object()["/DA"]).startswith(f"{name} ")
                # An appearance for the empty value, drawn in the same font object.
                normal = annot["/AP"]["/N"].get_object()
                assert normal["/Resources"]["/Font"].raw_get(name).idnum == ref.idnum
    assert len(appearances) >= 10
    # One copy of the whole font in the file, whatever the number of parts, pages and fields.
    copies = {(o.idnum, o.generation) for o in _font_files(reader)
              if o.get_object().get_data() == data}
    assert len(copies) == 1


def _font_files(reader: PdfReader) -> list[IndirectObject]:
    """The font file streams of the pages' fonts and the form's."""
    fonts = [f.get_object() for page in reader.pages
             for f in (page["/Resources"].get_object().get("/Font") or {}).values()]
    fonts += [f.get_object() for f in _field_fonts(reader).values()]
    files = []
    for font in fonts:
        for part in [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]:
            descriptor = part.get("/FontDescriptor")
            if descriptor is not None and "/FontFile2" in descriptor.get_object():
                files.append(descriptor.get_object().raw_get("/FontFile2"))
    return files


def _widget(reader: PdfReader, page: int, name: str) -> tuple[tuple[int, ...], float]:
    """The widget's box on the page (pixels of a SCALE render) and its text size."""
    height = float(reader.pages[page].mediabox.height)
    for annot in (a.get_object() for a in reader.pages[page]["/Annots"]):
        if "/Parent" in annot and annot["/Parent"].get_object()["/T"] == name:
            x1, y1, x2, y2 = (float(v) for v in annot["/Rect"])
            size = float(str(annot["/DA"]).split(" Tf")[0].split()[-1])
            # Inside the box's border, which the page draws.
            return (round(min(x1, x2) * SCALE) + 6, round((height - max(y1, y2)) * SCALE) + 6,
                    round(max(x1, x2) * SCALE) - 6, round((height - min(y1, y2)) * SCALE) - 6
                    ), size
    raise AssertionError(f"no {name} field on page {page + 1}")


def _ink(image: Image.Image) -> Image.Image | None:
    """The dark pixels of an image, cropped to them (None: nothing drawn)."""
    mask = image.convert("L").point(lambda v: 255 if v < 140 else 0)
    box = mask.getbbox()
    return mask.crop(box) if box else None


def _set_in(text: str, font: Path, size: float) -> Image.Image:
    """`text` drawn in `font` at `size` points, at the render's scale."""
    canvas = Image.new("L", (4000, 400), 255)
    ImageDraw.Draw(canvas).text((10, 10), text,
                                font=ImageFont.truetype(str(font), round(size * SCALE)), fill=0)
    ink = _ink(canvas)
    assert ink is not None
    return ink


def _looks_like(drawn: Image.Image | None, expected: Image.Image) -> bool:
    """The same size within a few per cent, and most of the ink in the same places."""
    if drawn is None or abs(drawn.width - expected.width) > 0.06 * expected.width \
            or abs(drawn.height - expected.height) > 0.12 * expected.height:
        return False
    a = np.asarray(drawn.resize(expected.size)) > 0
    b = np.asarray(expected) > 0
    return bool((a & b).sum() / (a | b).sum() > 0.6)


def _renders(pdf: Path, page: int, box: tuple[int, ...], tmp: Path) -> dict[str, Image.Image]:
    """The box as PDFium (Chrome's viewer) and poppler draw the page, fields included."""
    document = pdfium.PdfDocument(pdf)
    document.init_forms()
    pictures = {"pdfium": document[page].render(scale=SCALE, may_draw_forms=True).to_pil()}
    subprocess.run(["pdftoppm", "-r", str(72 * SCALE), "-png", "-f", str(page + 1), "-l",
                    str(page + 1), "-singlefile", str(pdf), str(tmp / "poppler")], check=True)
    pictures["poppler"] = Image.open(tmp / "poppler.png")
    return {name: picture.crop(box) for name, picture in pictures.items()}


def _fill(pdf: Path, values: dict[str, str], out: Path) -> Path:
    """Filled as a form-filling program does: pypdf makes each widget's appearance."""
    writer = PdfWriter(clone_from=pdf)
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(out)
    return out


def test_typed_letters_the_pages_never_print_show_in_the_body_font(editable: Path,
                                                                     tmp_path: Path) -> None:
    pdf = editable / "test-pack-letter.pdf"
    reader = PdfReader(pdf)
    typed = {"teacher": "Mme Œuvre-Ÿsé", "school": "Çà Ñandú ÿ"}
    page_text = "".join(page.extract_text() for page in reader.pages)
    assert not set("ŒŸÑÇÿ") & set(page_text)  # not in the pages' font subsets
    filled = _fill(pdf, typed, tmp_path / "filled.pdf")
    for name, text in typed.items():
        box, size = _widget(reader, 2, name)
        expected = _set_in(text, _body_font(), size)
        for renderer, picture in _renders(filled, 2, box, tmp_path).items():
            assert _looks_like(_ink(picture), expected), f"{renderer}: {name} {text!r}"


def test_vietnamese_fields_get_a_font_and_encoding_with_its_letters(editable: Path,
                                                                    tmp_path: Path) -> None:
    font = fields.field_font("Atkinson Hyperlegible", ["en", "vi"])
    assert font.family == "Fira Sans"  # the theme's font has no "ễ"; the pages' fallback has
    writer = PdfWriter(clone_from=editable / "test-pack-letter.pdf")
    fields.embed(writer, font)
    product = tmp_path / "vi.pdf"
    writer.write(product)
    reader = PdfReader(product)
    encoding = next(iter(_field_fonts(reader).values())).get_object()["/Encoding"]
    assert isinstance(encoding["/Differences"], ArrayObject)
    typed = "Nguyễn Thị Đức"
    filled = _fill(product, {"teacher": typed}, tmp_path / "filled.pdf")
    box, size = _widget(reader, 2, "teacher")
    for renderer, picture in _renders(filled, 2, box, tmp_path).items():
        assert _looks_like(_ink(picture), _set_in(typed, font.path, size)), renderer


def test_an_arabic_editable_product_is_refused_at_its_line(project: Path) -> None:
    write_product(project, "  - document: intake\n    files: [blank.en]",
                  extra="language: ar\neditable: true\n")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "content/product.yaml:7:11: error: editable: Arabic typed into a form field" \
        in result.output, result.output
