"""What a marketplace shows: listing.md, the preview's share, thumbnails read at 300 px, the
contents with pictures, the cover's title."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from PIL import Image

from .conftest import read_pdf, run
from .test_products import write_product


def test_listing_md_says_what_is_in_the_product(packaged: Path) -> None:
    text = (packaged / "listing.md").read_text(encoding="utf-8")
    assert text.startswith("# The Family Connection Kit\n")
    assert "“connection case”" in text  # typographic quotes
    for needed in ("## What is included", "- **Family intake sheet** (4 pages)",
                   "- **Connection cards: family to teacher** (4 pages)",
                   "- **Connection case label** (2 pages)", "- **Connection log** (1 page)",
                   "Grades 1, 2, and 3", "- Languages: English and Spanish",
                   "- Paper sizes: US Letter and A4", "full color and ink-saver",
                   "PDF (4 files of 20 pages)", "Keywords: back to school"):
        assert needed in text, needed
    # Its page counts are the product's: the parts add up to the printable pages on the cover.
    counts = [int(line.split("(")[1].split(" ")[0]) for line in text.splitlines()
              if line.startswith("- **")]
    cover = read_pdf(packaged / f"{packaged.name}-letter.pdf").pages[0].extract_text()
    assert f"{sum(counts)} printable pages" in cover


def test_the_preview_shows_at_most_its_share(packaged: Path) -> None:
    total = len(read_pdf(packaged / f"{packaged.name}-letter.pdf").pages)
    preview = read_pdf(packaged / f"{packaged.name}-preview.pdf")
    assert 0 < len(preview.pages) <= total / 3
    assert all("PREVIEW" in page.extract_text() for page in preview.pages)


def test_a_preview_over_its_share_is_refused_at_its_line(project: Path) -> None:
    write_product(project, "  - intake", extra="preview: [1, 2, 3]\npreview_share: 0.25\n")
    result = run("package", str(project))
    assert result.exit_code == 1
    assert "content/product.yaml:5:10: error: preview: 3 pages would show more than " \
           "preview_share (0.25) of the product's 5 pages; list at most 1" in result.output


def _tallest_dark_run(image: Image.Image) -> int:
    """The tallest band of rows holding dark pixels: a line of text's height, in pixels."""
    grey = image.convert("L")
    rows = [min(grey.crop((0, y, grey.width, y + 1)).tobytes()) < 110
            for y in range(grey.height)]
    best = run_ = 0
    for dark in rows:
        run_ = run_ + 1 if dark else 0
        best = max(best, run_)
    return best


def test_the_cover_thumbnail_title_reads_at_300_px(packaged: Path) -> None:
    thumbs = sorted((packaged / "thumbnails").glob("*.png"))
    small = Image.open(thumbs[0]).resize((300, 300), Image.Resampling.LANCZOS)
    # The title's letters stand at least 14 px tall (a cover page shrunk whole gives about 8).
    assert _tallest_dark_run(small.crop((0, 0, 300, 150))) >= 14
    inside = Image.open(thumbs[1]).resize((300, 300), Image.Resampling.LANCZOS)
    assert _tallest_dark_run(inside.crop((0, 0, 300, 50))) >= 12  # "What is inside"


def test_contents_show_a_picture_beside_each_part(packaged: Path) -> None:
    reader = read_pdf(packaged / f"{packaged.name}-a4.pdf")
    images = reader.pages[1]["/Resources"]["/XObject"]
    assert len(images) == 6  # one per part
    with pdfplumber.open(packaged / f"{packaged.name}-a4.pdf") as pdf:
        page = pdf.pages[1]
        lowest = max(image["bottom"] for image in page.images)
        assert lowest > page.height * 0.6  # the parts fill the page, not its top quarter


def test_the_cover_title_keeps_its_last_words_together(packaged: Path) -> None:
    with pdfplumber.open(packaged / f"{packaged.name}-letter.pdf") as pdf:
        chars = [c for c in pdf.pages[0].chars if c["size"] > 25]
    lines: dict[int, str] = {}
    for char in chars:
        lines[round(char["top"])] = lines.get(round(char["top"]), "") + char["text"]
    last = lines[max(lines)]
    assert len(last.replace("\xa0", " ").split()) >= 2, lines
