"""Generic pages use their paper: the welcome sheet's room for the school's dates and the log's
rows fill the page on Letter and A4; a product's own texts read the project's translations."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from takehome.build import load, pipeline
from takehome.errors import Problems
from takehome.kinds.welcome.layout import Words, date_rows
from takehome.paper import MARGINS_MM
from takehome.products.listing import load_listings

from .conftest import MM, SLUG, all_text

BOTTOM_MM = MARGINS_MM[2]
ROW_SLACK_MM = 12.5  # at most a row (9.25 mm) and the planner's reserve left under the last
LOG_SLACK_MM = 4.0  # the log's rows are stretched to the margin
VARIANTS = ("letter", "a4", "letter-ink-saver", "a4-ink-saver")


def rules_below(page: pdfplumber.page.Page, top_mm: float) -> list[float]:
    """The tops (mm) of the long horizontal rules under `top_mm` and above the bottom margin
    (the footer's rule is under it)."""
    limit = page.height / MM - BOTTOM_MM
    tops = {round(e["top"] / MM, 1) for e in page.edges
            if e["orientation"] == "h" and e["width"] > 20 * MM}
    return sorted(t for t in tops if top_mm < t <= limit + 0.5)


def welcome_pages(pdf: pdfplumber.PDF) -> list[pdfplumber.page.Page]:
    return [p for p in pdf.pages
            if any(h in (p.extract_text() or "") for h in ("Dates to remember",
                                                           "Fechas para recordar"))]


def date_rows_of(page: pdfplumber.page.Page) -> tuple[int, float]:
    """How many ruled rows the dates have, and how far the lowest is above the bottom margin."""
    heading = next(w for w in page.extract_words() if w["text"] in ("Dates", "Fechas"))
    head = next(w for w in page.extract_words()
                if w["text"] in ("Date", "Fecha") and w["top"] > heading["bottom"])
    rules = rules_below(page, head["bottom"] / MM)
    return len(rules) - 1, page.height / MM - BOTTOM_MM - rules[-1]  # less the heads' rule


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_generic_welcome_sheet_has_its_dates_room_down_to_the_margin(
        packaged: Path, variant: str) -> None:
    with pdfplumber.open(packaged / f"{SLUG}-{variant}.pdf") as pdf:
        pages = welcome_pages(pdf)
        assert len(pages) == 2  # English and Spanish, one page each
        for page in pages:
            rows, gap = date_rows_of(page)
            assert rows >= 4, (variant, page.page_number)
            assert 0 <= gap <= ROW_SLACK_MM, (variant, page.page_number, gap)
            # Nothing under the margin but the footer.
            words = [w for w in page.extract_words()
                     if w["bottom"] / MM > page.height / MM - BOTTOM_MM]
            assert all(w["top"] / MM > page.height / MM - BOTTOM_MM + 3 for w in words)


def test_a4s_extra_height_is_more_rows_for_dates_and_the_log(packaged: Path) -> None:
    counts = {}
    for paper in ("letter", "a4"):
        with pdfplumber.open(packaged / f"{SLUG}-{paper}.pdf") as pdf:
            welcome = [date_rows_of(p)[0] for p in welcome_pages(pdf)]
            logs = [p for p in pdf.pages if "Follow-up" in (p.extract_text() or "")]
            assert len(logs) == 1 and logs[0].width > logs[0].height  # one landscape page
            log = logs[0]
            done = [w for w in log.extract_words() if w["text"] == "Done"]
            rules = rules_below(log, min(w["top"] for w in done) / MM - 12)
            gap = log.height / MM - BOTTOM_MM - rules[-1]
            assert 0 <= gap <= LOG_SLACK_MM, (paper, gap)
            assert len(rules) == len(done) + 1  # the headings' rule, then one under each row
            counts[paper] = (welcome, len(done))
    # A4 is taller in portrait (the welcome sheet) and shorter in landscape (the log).
    assert min(counts["a4"][0]) > max(counts["letter"][0])
    assert counts["letter"][1] > counts["a4"][1]


def test_long_texts_leave_fewer_rows_and_the_sheet_on_one_page() -> None:
    def words(closing: str, intro: str = "A short intro.") -> Words:
        return Words("Welcome to our class!", intro, closing, "How to reach me",
                     "Ways I answer best", ["A note in the backpack"], "en")

    short = date_rows(words("Thank you!"), "letter", "Atkinson Hyperlegible")
    long = date_rows(words("Thank you! " * 60), "letter", "Atkinson Hyperlegible")
    a4 = date_rows(words("Thank you!"), "a4", "Atkinson Hyperlegible")
    assert long.count < short.count < a4.count
    assert 9.0 <= short.height_mm <= 11.5
    huge = date_rows(words("Thank you! " * 200, "Welcome. " * 200), "letter",
                     "Atkinson Hyperlegible")
    assert huge.count == 0  # no room: no rows (the section is left out), never a second page


def _generic_build(root: Path, outputs: tuple[str, ...], out: Path,
                   paper: str = "letter") -> pipeline.BuildReport:
    problems = Problems()
    (listing,) = load_listings(load.load(root, problems), problems)
    return pipeline.build(root, pipeline.Options(
        output=out, only=tuple({o.split("/")[0] for o in outputs}), outputs=outputs,
        paper=paper, generic=listing.generic))  # type: ignore[arg-type]


def test_a_long_closing_in_spanish_still_fits_its_page(project: Path, tmp_path: Path) -> None:
    welcome = project / "content/welcome.yaml"
    long = "Gracias por compartir a su hijo o hija conmigo. " * 8
    welcome.write_text(welcome.read_text(encoding="utf-8").replace(
        "  es: Gracias por compartir a su hijo o hija conmigo. ¡Hagamos juntos un año maravilloso!",
        f"  es: {long}"), encoding="utf-8")
    for paper in ("letter", "a4"):
        out = tmp_path / paper
        _generic_build(project, ("welcome/welcome.es.pdf",), out, paper)
        with pdfplumber.open(out / "welcome/welcome.es.pdf") as pdf:
            assert len(pdf.pages) == 1
            rows, gap = date_rows_of(pdf.pages[0])
            assert rows >= 2 and 0 <= gap <= ROW_SLACK_MM, (paper, rows, gap)


def test_a_products_own_text_reads_the_glossary_and_is_named_where_written(
        project: Path, tmp_path: Path) -> None:
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "languages: [en, es]", "languages: [en, es, ar]"), encoding="utf-8")
    product = project / "content/product.yaml"
    text = product.read_text(encoding="utf-8")
    product.write_text(text.replace("files: [blank.en, blank.es]",
                                    "files: [blank.en, blank.ar]"), encoding="utf-8")
    line = text.splitlines().index("      intro:") + 2  # its English, under the key
    report = _generic_build(project, ("intake/blank.ar.pdf",), tmp_path / "first")
    untranslated = [str(w) for w in report.warnings if "Arabic edition" in str(w)]
    assert len(untranslated) == 1, untranslated
    # Only the product's intro: the sheet's own title and return line keep their Arabic.
    assert "prints 1 text in English: 'Welcome to our class!" in untranslated[0]
    assert f"(content/product.yaml:{line})" in untranslated[0]
    assert "give it an `ar:` version" in untranslated[0]
    arabic = all_text(tmp_path / "first/intake/blank.ar.pdf")
    assert "لنتعرّف على طفلكم" in arabic and "Getting to know" not in arabic

    # Translated in the glossary, as any text is: printed in Arabic, and no warning.
    source = " ".join(text.split("intro:\n        en: >-\n", 1)[1].split("es: >-")[0].split())
    glossary = project / "content/translations.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8") + f"\n? {source}\n"
                        ": ar: أهلًا بكم في صفّنا!\n", encoding="utf-8")
    report = _generic_build(project, ("intake/blank.ar.pdf",), tmp_path / "second")
    assert not [w for w in report.warnings if "Arabic edition" in str(w)]
    assert "أهلًا بكم في صفّنا" in all_text(tmp_path / "second/intake/blank.ar.pdf")


def test_a_product_warns_only_about_the_editions_it_holds(project: Path,
                                                          tmp_path: Path) -> None:
    # The sample's families read Arabic, French and Vietnamese: their own copies are never in
    # a product, so their languages are not the product's to translate.
    report = _generic_build(project, ("intake/blank.en.pdf", "intake/blank.es.pdf"), tmp_path)
    assert not [str(w) for w in report.warnings if "edition of intake" in str(w)]
