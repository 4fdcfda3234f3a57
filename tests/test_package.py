"""`takehome package` on the sample: the seller's files, read back and looked at as pixels."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw

from .conftest import MM, SLUG, read_pdf, run, tree_bytes

VARIANTS = ("letter", "letter-ink-saver", "a4", "a4-ink-saver")
SIZES_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}


def pixels(path: Path, dpi: int = 30) -> list[Image.Image]:
    document = pdfium.PdfDocument(str(path))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def large_fills(image: Image.Image, dpi: int, tile_mm: float = 10.0) -> int:
    """Tiles of `tile_mm` squared where nearly every pixel is ink or a tint (not paper)."""
    grey = image.convert("L")
    tile = round(tile_mm / 25.4 * dpi)
    found = 0
    for top in range(0, grey.height - tile, tile):
        for left in range(0, grey.width - tile, tile):
            block = grey.crop((left, top, left + tile, top + tile)).tobytes()
            found += sum(1 for v in block if v < 250) > 0.9 * len(block)
    return found


def without_pictures(pdf: Path, pages: list[Image.Image], dpi: int) -> list[Image.Image]:
    """The pages with their embedded pictures (the contents' page pictures) painted white: a
    small picture of a page is dense, not a fill."""
    with pdfplumber.open(pdf) as document:
        for image, page in zip(pages, document.pages, strict=True):
            draw = ImageDraw.Draw(image)
            for picture in page.images:
                box = [picture[k] * dpi / 72 for k in ("x0", "top", "x1", "bottom")]
                draw.rectangle(box, fill=(255, 255, 255))
    return pages


def max_chroma(image: Image.Image) -> int:
    """The largest difference between a pixel's channels: 0 for a grey page."""
    data = image.convert("RGB").tobytes()
    return max(max(data[i:i + 3]) - min(data[i:i + 3]) for i in range(0, len(data), 3))


def ink_extent(image: Image.Image) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) of everything darker than light grey."""
    mask = image.convert("L").point(lambda v: 255 if v < 200 else 0)
    box = mask.getbbox()
    assert box is not None
    return box


def words(text: str) -> str:
    return " ".join(text.split())


def test_zip_layout(packaged: Path) -> None:
    archive = zipfile.ZipFile(packaged / f"{SLUG}.zip")
    names = archive.namelist()
    assert names == sorted(names) == [
        f"{SLUG}/{SLUG}-a4-ink-saver.pdf", f"{SLUG}/{SLUG}-a4.pdf",
        f"{SLUG}/{SLUG}-letter-ink-saver.pdf", f"{SLUG}/{SLUG}-letter.pdf",
        f"{SLUG}/how-to-print.pdf"]
    for info in archive.infolist():
        assert info.date_time == (2020, 1, 1, 0, 0, 0)
        assert info.external_attr >> 16 == 0o100644
        # The zip holds exactly the files beside it.
        assert archive.read(info) == (packaged / info.filename.split("/", 1)[1]).read_bytes()
    how = read_pdf(archive.read(f"{SLUG}/how-to-print.pdf"))
    assert len(how.pages) == 1
    text = words(how.pages[0].extract_text())
    for needed in ("How to print", "actual size", "flip on long edge", "cut on the crop marks",
                   "cut on the dashed lines", "one-sided", "English and Spanish", "3–4", "5–6",
                   f"{SLUG}-a4-ink-saver.pdf"):
        assert needed in text


def test_dist_folder_and_manifest(packaged: Path) -> None:
    manifest = json.loads((packaged / "manifest.json").read_text())["documents"]
    paths = sorted(e["path"] for e in manifest)
    assert paths == sorted([*(f"{SLUG}-{v}.pdf" for v in VARIANTS), f"{SLUG}-preview.pdf",
                            "how-to-print.pdf", f"{SLUG}.zip",
                            *(f"thumbnails/{SLUG}-{i}.png" for i in (1, 2, 3, 4)),
                            "listing.md"])
    assert {p.relative_to(packaged).as_posix() for p in packaged.rglob("*") if p.is_file()} \
        == {*paths, "manifest.json"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_variant_is_laid_out_for_its_paper(packaged: Path, variant: str) -> None:
    paper = variant.split("-")[0]
    reader = read_pdf(packaged / f"{SLUG}-{variant}.pdf")
    assert len(reader.pages) == 20  # cover, contents, 17 pages of the kit, terms
    for page in reader.pages:
        size = (round(float(page.mediabox.width) / MM, 1),
                round(float(page.mediabox.height) / MM, 1))
        assert sorted(size) == sorted(SIZES_MM[paper])  # the log's sheets are landscape
    # Rebuilt, not scaled: the sheet's footer sits as close to the bottom edge on both papers,
    # and its text starts at the 15 mm margin.
    dpi = 30
    sheet = pixels(packaged / f"{SLUG}-{variant}.pdf", dpi)[2]
    left, _, _, bottom = ink_extent(sheet)
    px_mm = 25.4 / dpi
    assert (sheet.height - bottom) * px_mm < 18
    assert 13 < left * px_mm < 17.5


def test_product_pdf_contents_links_bookmarks_metadata(packaged: Path) -> None:
    reader = read_pdf(packaged / f"{SLUG}-letter.pdf")
    meta = reader.metadata
    assert meta.title == "The Family Connection Kit"
    assert meta.author == "Little Bridges Classroom"
    assert meta.subject.startswith("Everything to connect with every family")
    assert "bilingual" in meta["/Keywords"] and "Grades 1, 2, and 3" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en"

    cover = reader.pages[0].extract_text().replace("\xa0", " ")
    for needed in ("LITTLE BRIDGES CLASSROOM", "The Family Connection Kit", "17 printable pages",
                   "US Letter", "What is inside"):
        assert needed in cover
    images = reader.pages[0]["/Resources"]["/XObject"]
    assert len(images) == 3  # the collage: three real pages

    contents = reader.pages[1].extract_text()
    for needed in ("Contents", "Family intake sheet", "3–6", "Getting to know your child",
                   "3–4", "Conozcamos a su hijo o hija", "5–6", "Terms of use and credits"):
        assert needed in contents
    links = {}
    for annot in reader.pages[1]["/Annots"]:
        annot = annot.get_object()
        links.setdefault(reader.get_page_number(annot["/Dest"][0].get_object()), []).append(
            annot)
    # a part, its picture and its first file (on the same lines) make one link
    assert {2, 4, 6, 8, 10, 12, 14, 15, 16, 18, 19} <= set(links)
    assert "Getting to know your child" in reader.pages[2].extract_text()
    assert "Conozcamos a su hijo o hija" in reader.pages[4].extract_text()
    assert "Terms of use" in reader.pages[19].extract_text()

    def outline(items: list) -> list:  # type: ignore[type-arg]
        return [outline(i) if isinstance(i, list) else
                (i.title, reader.get_destination_page_number(i)) for i in items]

    assert outline(reader.outline)[:4] == [
        ("Cover", 0), ("Contents", 1), ("Family intake sheet", 2),
        [("Getting to know your child", 2), ("Conozcamos a su hijo o hija", 4)]]
    assert outline(reader.outline)[-1] == ("Terms of use and credits", 19)

    terms = words(reader.pages[19].extract_text())
    for needed in ("Please do not", "Atkinson Hyperlegible", "Braille Institute",
                   "SIL Open Font License", "Thank you! Little Bridges Classroom"):
        assert needed in terms
    assert "Noto Sans Arabic" not in terms  # credited only when its glyphs are used


def test_ink_saver_has_no_large_coloured_fills(packaged: Path) -> None:
    dpi = 30
    colour = pixels(packaged / f"{SLUG}-letter.pdf", dpi)
    # The check can fail: the colour cover has a tinted panel and the accent colour.
    assert large_fills(colour[0], dpi) > 10
    assert max_chroma(colour[0]) > 40
    for variant in ("letter-ink-saver", "a4-ink-saver"):
        pdf = packaged / f"{SLUG}-{variant}.pdf"
        for number, page in enumerate(without_pictures(pdf, pixels(pdf, dpi), dpi), 1):
            assert large_fills(page, dpi) == 0, f"{variant} page {number}"
            assert max_chroma(page) <= 8, f"{variant} page {number}"


def test_ink_saver_keeps_every_word(packaged: Path) -> None:
    colour = read_pdf(packaged / f"{SLUG}-a4.pdf")
    ink = read_pdf(packaged / f"{SLUG}-a4-ink-saver.pdf")
    for a, b in zip(colour.pages[1:], ink.pages[1:], strict=True):
        assert a.extract_text() == b.extract_text()
    assert "Ink-saver version" in ink.pages[0].extract_text()


def test_every_preview_page_is_watermarked(packaged: Path) -> None:
    reader = read_pdf(packaged / f"{SLUG}-preview.pdf")
    # A third of the product's 20 pages: the cover, the contents, the first page of four parts
    assert len(reader.pages) == 6
    for page in reader.pages:
        text = page.extract_text()
        assert "PREVIEW" in text and "Little Bridges Classroom" in text
        assert "/Annots" not in page  # no links into pages the preview lacks
    assert "Please do not" not in "".join(p.extract_text() for p in reader.pages)  # no terms
    # The watermark is visible, not only text: a page of the sheet gains tinted pixels.
    dpi = 30
    plain = pixels(packaged / f"{SLUG}-letter.pdf", dpi)[2]
    marked = pixels(packaged / f"{SLUG}-preview.pdf", dpi)[2]
    a, b = plain.tobytes(), marked.tobytes()
    changed = sum(1 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3])
    assert changed > 0.08 * plain.width * plain.height


def test_thumbnails_are_square_and_large(packaged: Path) -> None:
    thumbs = sorted((packaged / "thumbnails").glob("*.png"))
    assert len(thumbs) == 4  # the cover card, what is inside, the first page of two parts
    for path in thumbs:
        image = Image.open(path)
        assert image.format == "PNG" and image.width == image.height >= 1080
        # A page, not an empty card: the middle holds dark text.
        middle = image.convert("L").crop((300, 300, 900, 900))
        assert min(middle.tobytes()) < 80
    cover = Image.open(thumbs[0]).convert("RGB")
    assert cover.getpixel((10, 10)) != (255, 255, 255)  # a tinted card around the page


def test_two_runs_give_identical_files(packaged: Path, tmp_path: Path) -> None:
    root = packaged.parents[1]
    result = run("package", str(root), "--output", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    again = tmp_path / "again" / SLUG
    assert (again / f"{SLUG}.zip").read_bytes() == (packaged / f"{SLUG}.zip").read_bytes()
    assert tree_bytes(again) == tree_bytes(packaged)


def test_preview_command_renders_pages(packaged: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "product.pdf"
    shutil.copy(packaged / f"{SLUG}-a4.pdf", pdf)
    result = run("preview", str(pdf), "--dpi", "40", "--pages", "1,3-4")
    assert result.exit_code == 0, result.output
    pictures = sorted((tmp_path / "product-pages").glob("*.png"))
    assert [p.name for p in pictures] == ["product-01.png", "product-03.png", "product-04.png"]
    image = Image.open(pictures[0])
    assert (image.width, image.height) == (round(210 / 25.4 * 40), round(297 / 25.4 * 40))
    result = run("preview", str(pdf), "--pages", "29")
    assert result.exit_code == 1 and "has 20 pages; there is no page 29" in result.output


def test_preview_command_refuses_what_is_not_a_pdf(tmp_path: Path) -> None:
    fake = tmp_path / "notes.pdf"
    fake.write_bytes(b"not a pdf")
    result = run("preview", str(fake))
    assert result.exit_code == 1 and "cannot read notes.pdf" in result.output
    assert "Traceback" not in result.output
    result = run("preview", str(fake), "--pages", "a-b")
    assert result.exit_code == 2


def test_zip_is_stable_whatever_the_order_given() -> None:
    from takehome.products import bundle

    one = bundle.zip_folder("p", {"b.pdf": b"2", "a.pdf": b"1"})
    two = bundle.zip_folder("p", {"a.pdf": b"1", "b.pdf": b"2"})
    assert one == two and bundle.names(one) == ["p/a.pdf", "p/b.pdf"]
