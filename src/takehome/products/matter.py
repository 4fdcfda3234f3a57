"""The pages a product adds around its documents: cover, contents, terms, how to print, watermark.

They are jobs like any document's (templates/product/), rendered and laid out by the pipeline,
so they share the documents' fonts, header and footer, paper and ink-saver treatment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from babel.lists import format_list
from PIL import Image

from .. import fonts, i18n
from ..build import pipeline
from ..build.plan import Job
from ..errors import Problems
from ..i18n import N_
from ..paper import SIZES_MM
from ..project import Project
from ..richtext import typographic
from . import raster
from .listing import Listing

STYLESHEETS = ("base.css", "product/product.css")
COLLAGE_PAGES = 3
CONTENTS_PICTURE_PX = 330  # 300 dpi at 22 mm beside its part; 40 mm on a 1200 px thumbnail
LICENCES = {  # SPDX identifiers of font licences, as a reader knows them
    "OFL-1.1": "SIL Open Font License 1.1",
    "Apache-2.0": "Apache License 2.0",
    "UFL-1.0": "Ubuntu Font Licence 1.0",
    "MIT": "MIT License",
}
PAPER_NAMES = {"letter": N_("US Letter"), "a4": "A4"}  # A4 is A4 in every language


@dataclass(frozen=True)
class Placed:
    """A part's place in one variant of the product: its page range, 1-based."""

    title: str
    first: int
    last: int
    single_sided: bool = False  # every file in it is one page: printed on one side

    @property
    def pages(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    @property
    def count(self) -> int:
        return self.last - self.first + 1


def page_range(first: int, count: int) -> tuple[int, int]:
    return first, first + count - 1


def grades(listing: Listing) -> str:
    """"Grades 1, 2 and 3" in the product's language, or "" when none are given."""
    if not listing.model.grades:
        return ""
    names = format_list(listing.model.grades, locale=listing.lang)
    return i18n.translations(listing.lang).ngettext(
        "Grade %(grades)s", "Grades %(grades)s", len(listing.model.grades)) % {"grades": names}


def collage(images: Sequence[Image.Image], paper: str) -> dict[str, Any]:
    """A fan of page pictures for the cover: the first page in front, the next ones behind it."""
    width_mm, height_mm = SIZES_MM[paper]
    box_w = width_mm - 30  # the cover's content width (15 mm margins)
    width = 80.0
    height = width * height_mm / width_mm
    spread = (box_w - width) / 2 - 7  # room for the tilted corners
    # Slots by importance: centre front, then right and left behind it (two: side by side).
    slots = {1: [(0.0, 0.0)], 2: [(-0.55, -3.0), (0.55, 4.0)],
             3: [(0.0, 0.0), (1.0, 6.0), (-1.0, -6.0)]}[len(images)] if images else []
    pictures = [{"src": raster.data_uri(image), "width": width, "z": len(slots) - i,
                 "left": round((box_w - width) / 2 + shift * spread, 2),
                 "top": round(6 + 4 * abs(shift), 2), "angle": angle}
                for i, (image, (shift, angle)) in enumerate(zip(images, slots, strict=True))]
    return {"pictures": pictures, "height": round(height + 16, 1)}


def collage_images(resources: Sequence[bytes], paper: str) -> list[Image.Image]:
    """Up to three real pages: the first of each file, then their second pages."""
    counts = [raster.page_count(pdf) for pdf in resources]
    chosen: list[tuple[int, int]] = []
    for page in range(max(counts, default=0)):
        for index, count in enumerate(counts):
            if page < count and len(chosen) < COLLAGE_PAGES:
                chosen.append((index, page))
    width_px = 630  # 200 dpi at the 80 mm they are shown
    return [raster.draw(resources[i], [p], width=width_px)[0] for i, p in chosen]


def paper_name(paper: str, lang: str) -> str:
    """"US Letter" or "A4" in the product's language."""
    return i18n.translations(lang).gettext(PAPER_NAMES[paper])


def _context(project: Project, listing: Listing, paper: str, **extra: Any) -> dict[str, Any]:
    lang = listing.lang
    model = listing.model
    return project.context(lang, product=model, grades=grades(listing), paper=paper,
                           paper_name=paper_name(paper, lang),
                           title_html=typographic(listing.text(model.title), lang),
                           subtitle_html=typographic(listing.text(model.subtitle), lang),
                           **extra)


def _job(project: Project, listing: Listing, name: str, paper: str, title: str,
         context: dict[str, Any], max_pages: int | None = None) -> Job:
    return Job(output=f"{listing.slug}/{name}", document=f"products/{listing.slug}",
               kind="product", template=f"product/{name.removesuffix('.pdf')}.html",
               stylesheets=STYLESHEETS, lang=listing.lang, paper=paper, title=title,
               context=context, sources=(project.relative(listing.path),), max_pages=max_pages)


def font_credits(used: set[str]) -> list[dict[str, str]]:
    """The credits of the font families in `used`, their licences spelled out."""
    return [dict(f, license=LICENCES.get(f["license"], f["license"]))
            for f in fonts.credits() if f["name"] in used]


def front_and_back(project: Project, listing: Listing, paper: str, ink_saver: bool,
                   sections: list[dict[str, Any]], resource_pages: int, contents_pages: int,
                   collage_pictures: dict[str, Any], fonts_used: set[str],
                   problems: Problems) -> dict[str, bytes]:
    """The cover, contents and terms pages of one variant, as PDFs by name."""
    title = listing.text(listing.model.title)
    terms_page = 1 + contents_pages + resource_pages + 1
    terms = [p.strip() for p in listing.text(listing.model.terms).split("\n\n") if p.strip()]
    common = {"sections": sections, "resource_pages": resource_pages, "ink_saver": ink_saver,
              "terms_page": terms_page}
    gettext = i18n.translations(listing.lang).gettext
    jobs = [
        _job(project, listing, "cover.pdf", paper, title,
             _context(project, listing, paper, collage=collage_pictures, **common), max_pages=1),
        _job(project, listing, "contents.pdf", paper, f"{title}: {gettext('Contents')}",
             _context(project, listing, paper, **common)),
        _job(project, listing, "terms.pdf", paper, f"{title}: {gettext('Terms of use')}",
             _context(project, listing, paper, terms=terms, fonts=font_credits(fonts_used),
                      **common)),
    ]
    results = pipeline.typeset_jobs(project, list(jobs), problems, ink_saver)
    return {job.output.rsplit("/", 1)[1]: results[job.output] for job in jobs}


def single_page(project: Project, listing: Listing, name: str, paper: str,
                problems: Problems, **extra: Any) -> bytes:
    """One of the product's other pages (how to print, the watermark) for `paper`."""
    title = listing.text(listing.model.title)
    job = _job(project, listing, name, paper, title, _context(project, listing, paper, **extra),
               max_pages=1)
    return pipeline.typeset_jobs(project, [job], problems)[job.output]


def listing_cards(project: Project, listing: Listing, paper: str,
                  sections: list[dict[str, Any]], fan: list[str], problems: Problems) -> bytes:
    """Two square pages for the listing's thumbnails: the cover card and what is inside."""
    languages = list(dict.fromkeys(i18n.language_name(i.lang, listing.lang)
                                   for s in listing.sections for i in s.items))
    pages = sum(s["count"] for s in sections)
    job = _job(project, listing, "thumbnail.pdf", paper, listing.text(listing.model.title),
               _context(project, listing, paper, sections=sections, fan=fan,
                        languages=languages, resource_pages=pages), max_pages=2)
    return pipeline.typeset_jobs(project, [job], problems)[job.output]
