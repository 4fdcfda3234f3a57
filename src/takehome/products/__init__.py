"""`takehome package`: a project's products, ready to upload to a teacher marketplace.

For each product: the documents built for Letter and A4, in colour and ink-saver, each joined
with a cover, contents and terms page; a watermarked preview; square thumbnails; and a zip of
what the buyer downloads. Everything goes through the output writer into dist/<product>/.
"""

from __future__ import annotations

import math
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import ImageColor

from .. import i18n
from ..build import load, pipeline
from ..build.commit import MANIFEST
from ..build.digest import sha256
from ..build.incremental import Cache
from ..build.write import Writer
from ..errors import Problem, Problems
from ..paper import Paper
from ..project import Project
from ..richtext import typographic
from . import assemble, bundle, matter, raster, sales
from .listing import Listing, load_listings

PAPERS: tuple[Paper, ...] = ("letter", "a4")
PREVIEW_PAGES = 8  # by default: the cover, the contents and the first page of each part
THUMBNAILS = 3  # by default: the cover (as a card) and the first page of the first parts


@dataclass
class Options:
    output: Path | None = None  # default: <project>/dist
    products: tuple[str, ...] = ()  # product slugs; default: every product


@dataclass
class Variant:
    """One paper and colour version of the product."""

    paper: str
    ink_saver: bool
    pdf: bytes
    placed: list[matter.Placed]  # each section's pages
    sections: list[dict[str, Any]]  # each section's files and their pages, as the contents
    fan: list[str]  # pictures of real pages (data URIs), for the cover and its thumbnail

    @property
    def name(self) -> str:
        return f"{self.paper}{'-ink-saver' if self.ink_saver else ''}"


@dataclass
class Packaged:
    slug: str
    folder: Path
    files: list[str]


@dataclass
class Report:
    products: list[Packaged] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


def _sections(listing: Listing, counts: dict[str, int], first: int) -> tuple[
        list[dict[str, Any]], list[matter.Placed], list[assemble.Mark]]:
    """Each section's pages, for the contents, the how-to-print table and the bookmarks."""
    contexts, placed, marks = [], [], []
    page = first
    for section in listing.sections:
        start = page
        items = []
        for item in section.items:
            items.append({"title": item.title, **_pages(page, counts[item.output])})
            page += counts[item.output]
        spot = matter.Placed(section.title, start, page - 1,
                             all(counts[item.output] == 1 for item in section.items))
        placed.append(spot)
        about = typographic(listing.text(section.part.about), listing.lang, keep_last=False)
        contexts.append({"title": section.title, "about": about,
                         "files": items, "first": start, "pages": spot.pages,
                         "count": spot.count, "printing": listing.text(section.part.printing)})
        children = [assemble.Mark(i["title"], i["first"] - 1) for i in items] \
            if len(items) > 1 else []
        marks.append(assemble.Mark(section.title, start - 1, children))
    return contexts, placed, marks


def _pages(first: int, count: int) -> dict[str, Any]:
    spot = matter.Placed("", first, first + count - 1)
    return {"first": first, "pages": spot.pages}


def _metadata(listing: Listing) -> assemble.Metadata:
    model = listing.model
    keywords = list(model.keywords) + ([matter.grades(listing)] if model.grades else [])
    return assemble.Metadata(
        title=listing.text(model.title), author=model.author or model.store,
        subject=listing.text(model.description) or listing.text(model.subtitle),
        keywords=", ".join(keywords), lang=listing.lang)


def _variant(project: Project, listing: Listing, paper: Paper, ink_saver: bool,
             built: dict[str, bytes], problems: Problems) -> Variant:
    """Cover, contents, the documents and the terms, joined; the contents paged to fit."""
    project = project.with_overrides(paper, ink_saver)
    resources = [built[o] for o in listing.outputs]
    counts = {o: assemble.pages(built[o]) for o in listing.outputs}
    resource_pages = sum(counts.values())
    pictures = matter.collage(matter.collage_images(resources, paper), paper)
    # Beside each part in the contents: a picture of its first page.
    firsts = {s.title: raster.data_uri(raster.draw(built[s.items[0].output], [0],
                                                   width=matter.CONTENTS_PICTURE_PX)[0])
              for s in listing.sections}
    used = assemble.fonts_used(resources) | {project.settings.theme.font}
    gettext = i18n.translations(listing.lang).gettext
    contents_pages = 1
    for _ in range(3):  # a longer contents moves every page number after it
        sections, placed, marks = _sections(listing, counts, 2 + contents_pages)
        for section in sections:
            section["picture"] = firsts[section["title"]]
        parts = matter.front_and_back(project, listing, paper, ink_saver, sections,
                                      resource_pages, contents_pages, pictures, used, problems)
        actual = assemble.pages(parts["contents.pdf"])
        if actual == contents_pages:
            break
        contents_pages = actual
    terms_page = 2 + contents_pages + resource_pages
    marks = [assemble.Mark(gettext("Cover"), 0), assemble.Mark(gettext("Contents"), 1), *marks,
             assemble.Mark(gettext("Terms of use and credits"), terms_page - 1)]
    pdf = assemble.join([parts["cover.pdf"], parts["contents.pdf"], *resources,
                         parts["terms.pdf"]], marks, _metadata(listing),
                        field_font=listing.field_font)
    return Variant(paper, ink_saver, pdf, placed, sections,
                   [p["src"] for p in pictures["pictures"]])


def _chosen(listing: Listing, key: str, given: list[int], default: list[int], total: int,
            problems: Problems, limit: int | None = None) -> list[int]:
    """Pages for the preview or the thumbnails: the product's own, checked, or the default
    (at most `limit` pages)."""
    line, col = listing.loaded.marks.locate((key,))
    beyond = [p for p in given if p > total]
    if beyond:
        problems.error(f"{key}: the product has {total} pages; there is no page {beyond[0]}",
                       listing.path, line, col)
    if limit is not None and len(given) > limit:
        problems.error(f"{key}: {len(given)} pages would show more than preview_share "
                       f"({listing.model.preview_share:.2g}) of the product's {total} pages; "
                       f"list at most {limit}", listing.path, line, col)
    return given or default[:limit]


def _thumbnail_colour(accent: str) -> tuple[int, int, int]:
    """A pale tint of the accent for the thumbnails' background."""
    r, g, b = ImageColor.getrgb(accent)[:3]
    return tuple(round(c * 0.14 + 255 * 0.86) for c in (r, g, b))  # type: ignore[return-value]


def _variants(root: Path, project: Project, listing: Listing, staging: Path,
              problems: Problems) -> dict[tuple[str, bool], Variant]:
    """The documents built for each paper and colour (into `staging`), each made a product."""
    variants: dict[tuple[str, bool], Variant] = {}
    for paper in PAPERS:
        for ink_saver in (False, True):
            folder = staging / f"{paper}{'-ink-saver' if ink_saver else ''}"
            options = pipeline.Options(output=folder, only=listing.documents,
                                       outputs=listing.outputs, paper=paper,
                                       ink_saver=ink_saver, generic=listing.generic)
            for warning in pipeline.build(root, options).warnings:
                problems.add(warning)
            built = {output: (folder / output).read_bytes() for output in listing.outputs}
            variants[(paper, ink_saver)] = _variant(project, listing, paper, ink_saver, built,
                                                    problems)
    return variants


def _thumbnails(project: Project, listing: Listing, base: Variant, pages: list[int],
                watermark: bytes, problems: Problems) -> list[tuple[str, bytes]]:
    """Square PNGs: the cover card (the title large), what is inside, then the chosen pages
    (other than the cover) watermarked as in the preview."""
    cards = matter.listing_cards(project, listing, base.paper, base.sections, base.fan,
                                 problems)
    thumbs = [(shows, raster.png(image)) for shows, image in
              zip(("cover", "inside"), raster.draw(cards, [0, 1], width=raster.THUMBNAIL_PX),
                  strict=True)]
    others = [p for p in pages if p != 1]
    stamped = assemble.preview(base.pdf, others, watermark, _metadata(listing))
    background = _thumbnail_colour(project.settings.theme.accent)
    for index, number in enumerate(others):
        image = raster.draw(stamped, [index], height=raster.THUMBNAIL_PX)[0]
        thumbs.append((f"page {number}", raster.png(raster.thumbnail(image, background))))
    return thumbs


def _package_one(project: Project, listing: Listing, out: Path, problems: Problems) -> Packaged:
    with tempfile.TemporaryDirectory(prefix="takehome-package-") as temp:
        staging = Path(temp)
        variants = _variants(project.root, project, listing, staging, problems)
        base_paper = project.settings.paper
        base = variants[(base_paper, False)]
        total = assemble.pages(base.pdf)
        firsts = [p.first for p in base.placed]
        model = listing.model
        limit = max(1, math.floor(total * model.preview_share + 1e-9))
        preview_pages = _chosen(listing, "preview", model.preview,
                                ([1, 2] + firsts)[:PREVIEW_PAGES], total, problems, limit)
        thumb_pages = _chosen(listing, "thumbnails", model.thumbnails,
                              ([1] + firsts)[:THUMBNAILS], total, problems)
        problems.raise_if_errors()

        slug = listing.slug
        watermark = matter.single_page(project, listing, "watermark.pdf", base_paper, problems)
        preview = assemble.preview(base.pdf, preview_pages, watermark, _metadata(listing))
        thumbs = _thumbnails(project, listing, base, thumb_pages, watermark, problems)
        deliverables = {f"{slug}-{v.name}.pdf": v.pdf for v in variants.values()}
        deliverables["how-to-print.pdf"] = _how_to_print(project, listing, variants, problems)
        archive = bundle.zip_folder(slug, deliverables)

        files: dict[str, tuple[bytes, dict[str, Any]]] = {
            name: (data, {"kind": "product", "pages": assemble.pages(data)})
            for name, data in deliverables.items()}
        files[f"{slug}-preview.pdf"] = (preview, {"kind": "preview",
                                                  "pages": assemble.pages(preview)})
        width = len(str(len(thumbs)))
        for index, (shows, data) in enumerate(thumbs, 1):
            files[f"thumbnails/{slug}-{index:0{width}d}.png"] = (
                data, {"kind": "thumbnail", "shows": shows})
        files[f"{slug}.zip"] = (archive, {"kind": "zip", "contents": bundle.names(archive)})
        text = sales.listing_markdown(listing, base.sections, total, PAPERS, len(variants))
        files["listing.md"] = (text.encode("utf-8"), {"kind": "listing"})
        folder = out / slug
        _publish(folder, files, staging / "dist", project.root,
                 trusted=out if out != project.root / "dist" else project.root)
    return Packaged(slug, folder, sorted(files))


def _publish(folder: Path, files: dict[str, tuple[bytes, dict[str, Any]]], staging: Path,
             project: Path, trusted: Path) -> None:
    """Write the product folder through the output writer: all of it, or (on failure) none."""
    # The lock sits in dist/, beside the product folders: nothing but the product in each.
    writer = Writer(folder, MANIFEST, records=Cache(project).root / "written", project=project,
                    trusted=trusted, lock_in=folder.parent)
    try:
        for name, (data, entry) in sorted(files.items()):
            source = staging / name
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_bytes(data)
            writer.add(name, sha256(data), source, dict(entry, bytes=len(data)))
    except BaseException:
        writer.abort()
        raise
    writer.commit()


def _how_to_print(project: Project, listing: Listing, variants: dict[tuple[str, bool], Variant],
                  problems: Problems) -> bytes:
    """The buyer's printing page, written from what this product holds."""
    gettext = i18n.translations(listing.lang).gettext
    files = [{"name": f"{listing.slug}-{v.name}.pdf",
              "paper": matter.paper_name(v.paper, listing.lang),
              "version": gettext("Ink-saver") if v.ink_saver else gettext("Full color")}
             for v in variants.values()]
    letter, a4 = variants[("letter", False)].sections, variants[("a4", False)].sections
    parts, languages, cut = [], [], []
    for section, on_letter, on_a4 in zip(listing.sections, letter, a4, strict=True):
        rows = []
        for item, at_letter, at_a4, count in zip(section.items, on_letter["files"],
                                                 on_a4["files"], _counts(on_letter),
                                                 strict=True):
            language = i18n.language_name(item.lang, listing.lang)
            languages.append(language)
            ways = [gettext("double-sided, flip on long edge") if item.backs or count > 1
                    else gettext("one-sided")]
            if item.cut:
                ways.append(gettext("cut on the dashed lines") if item.cut == "guides"
                            else gettext("cut on the crop marks"))
                cut.append(section.title)
            rows.append({"language": language[:1].upper() + language[1:],
                         "letter": at_letter["pages"], "a4": at_a4["pages"],
                         "how": "; ".join(ways)})
        parts.append({"title": section.title, "rows": rows,
                      "printing": listing.text(section.part.printing)})
    return matter.single_page(project, listing, "how-to-print.pdf", project.settings.paper,
                              problems, files=files, parts=parts,
                              languages=list(dict.fromkeys(languages)),
                              cut=list(dict.fromkeys(cut)))


def _counts(section: dict[str, Any]) -> list[int]:
    """The page count of each file of a section (its contents entry)."""
    files = section["files"]
    ends = [f["first"] for f in files[1:]] + [section["first"] + section["count"]]
    return [end - f["first"] for f, end in zip(files, ends, strict=True)]


def load_products(project: Project) -> tuple[list[Listing], list[Problem]]:
    """Validate a loaded project's products, if it has any; raises BuildError on errors."""
    problems = Problems()
    listings = load_listings(project, problems, required=False)
    problems.raise_if_errors()
    return listings, problems.warnings


def package(root: Path, options: Options | None = None) -> Report:
    """Package every product (or those named) into dist/; raises BuildError on content errors."""
    options = options or Options()
    started = time.perf_counter()
    problems = Problems()
    project = load.load(root, problems)
    listings = load_listings(project, problems)
    if options.products:
        known = {lst.slug for lst in listings}
        for name in options.products:
            if name not in known:
                problems.error(f"no product {name!r}; products: {', '.join(sorted(known))}")
        listings = [lst for lst in listings if lst.slug in options.products]
    problems.raise_if_errors()
    out = options.output or project.root / "dist"
    report = Report()
    for listing in listings:
        report.products.append(_package_one(project, listing, out, problems))
    report.warnings = problems.warnings
    report.seconds = time.perf_counter() - started
    return report
