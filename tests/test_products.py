"""Product definitions: what goes in, and clear errors before anything is rendered."""

from __future__ import annotations

import json
import re
from pathlib import Path

from takehome.build import load
from takehome.errors import Problems
from takehome.products.listing import load_listings

from .conftest import CORPUS, all_text, run

PRODUCT = """\
title: Test pack
store: Test Store
documents:
{documents}
"""


def write_product(project: Path, documents: str, name: str = "product.yaml",
                  extra: str = "") -> Path:
    path = project / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(PRODUCT.format(documents=documents) + extra, encoding="utf-8")
    return path


def listings(project: Path) -> tuple[list, Problems]:  # type: ignore[type-arg]
    loaded = load.load(project, Problems())
    problems = Problems()
    return load_listings(loaded, problems), problems


def test_sample_product_resolves_to_generic_files(project: Path) -> None:
    (listing,), problems = listings(project)
    assert not problems.errors
    assert listing.slug == "family-connection-kit"
    assert listing.outputs == (
        "intake/blank.en.pdf", "intake/blank.es.pdf", "cards/family.en.pdf",
        "cards/family.es.pdf", "cards/notes.en.pdf", "cards/notes.es.pdf",
        "cards/case-label.en.pdf", "cards/case-label.es.pdf", "welcome/welcome.en.pdf",
        "welcome/welcome.es.pdf", "log/class-log.pdf")
    assert [i.title for s in listing.sections for i in s.items][:2] == [
        "Getting to know your child", "Conozcamos a su hijo o hija"]
    assert [(i.backs, i.cut) for i in listing.sections[2].items] == [(True, "guides")] * 2


def test_a_bare_document_name_takes_its_generic_files_in_the_product_language(
        project: Path) -> None:
    (project / "content/product.yaml").unlink()
    write_product(project, "  - intake", extra="language: es\n")
    (listing,), problems = listings(project)
    assert not problems.errors
    assert listing.outputs == ("intake/blank.es.pdf",)  # not the fillable, nor any student's
    assert any("no Spanish text" in str(w) for w in problems.warnings)


def test_unknown_document_is_placed_with_a_near_miss(project: Path) -> None:
    write_product(project, "  - intak")
    result = run("package", str(project))
    assert result.exit_code == 1
    assert "content/product.yaml:4:5: error: no document named 'intak'; did you mean 'intake'?" \
        in result.output
    assert not (project / "dist").exists()


def test_personalised_copies_and_forms_are_refused(project: Path) -> None:
    write_product(project, "  - document: intake\n    files: [students/01-*, class-set, "
                           "fillable.en]")
    result = run("check", str(project))
    assert result.exit_code == 1
    out = result.output
    assert "intake/students/01-lopez-ana.pdf is personalised with the roster's children" in out
    assert "intake/class-set.pdf is personalised" in out
    assert "intake/fillable.en.pdf has form fields" in out
    assert "3 errors; nothing was written." in out


def test_a_pattern_that_matches_nothing_lists_what_there_is(project: Path) -> None:
    write_product(project, "  - document: intake\n    files: [blank.de]")
    result = run("package", str(project))
    assert result.exit_code == 1
    assert "no file of intake matches 'blank.de'; its printable files: intake/blank.en.pdf, " \
           "intake/blank.es.pdf" in result.output  # the editions of settings: languages


def test_unknown_key_and_bad_values(project: Path) -> None:
    write_product(project, "  - intake", extra="prevew: [1]\nthumbnails: [0, 2]\nslug: A b\n")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "unknown key 'prevew'; did you mean 'preview'?" in result.output
    assert "page numbers start at 1 (the cover)" in result.output
    assert "'A b' is not a slug" in result.output


def test_several_products_and_clashing_slugs(project: Path) -> None:
    (project / "content/product.yaml").unlink()
    write_product(project, "  - intake", "products/one.yaml")
    write_product(project, "  - intake", "products/two.yaml")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "two products would be written to dist/test-pack/" in result.output
    write_product(project, "  - intake", "products/two.yaml", extra="slug: test-pack-es\n")
    result = run("check", str(project))
    assert result.exit_code == 0, result.output
    assert "2 products: no errors." in result.output
    result = run("package", str(project), "--product", "nope")
    assert result.exit_code == 1 and "no product 'nope'; products: test-pack, test-pack-es" \
        in result.output


def test_no_product_file(project: Path) -> None:
    (project / "content/product.yaml").unlink()
    assert run("check", str(project)).exit_code == 0  # a teacher's project needs none
    result = run("package", str(project))
    assert result.exit_code == 1 and "no product here: write content/product.yaml" \
        in result.output


def test_naughty_titles_give_safe_folder_names(project: Path) -> None:
    strings = json.loads((CORPUS / "blns/blns.json").read_text(encoding="utf-8"))
    (project / "content/product.yaml").unlink()
    for index, title in enumerate(s for s in strings[:400:7] if s.strip()):
        write_product(project, "  - intake", f"products/p{index:03d}.yaml")
        path = project / f"content/products/p{index:03d}.yaml"
        path.write_text(path.read_text().replace("title: Test pack",
                                                 f"title: {json.dumps(title)}"))
    found, problems = listings(project)
    assert found and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lst.slug) for lst in found)
    assert not [e for e in problems.errors if "two products" not in e.message]


def test_every_document_can_be_listed_in_a_product(project: Path) -> None:
    """Any document may go into a product: it resolves to its generic printed files (a web
    page or an .ics is not printed), or the check says clearly why not; never an internal
    error."""
    loaded = load.load(project, Problems())
    for doc in loaded.documents:
        write_product(project, f"  - document: {doc.name}")
        result = run("check", str(project))
        assert "internal error" not in result.output, (doc.name, result.output)
        if result.exit_code == 0:
            (listing,), problems = listings(project)
            assert listing.outputs and all(o.endswith(".pdf") for o in listing.outputs), doc.name
        else:
            assert result.exit_code == 1
            assert "content/product.yaml:4:5: error: " in result.output, (doc.name, result.output)
            assert "personalised" in result.output or "no printable file" in result.output


def test_a_product_of_the_calendar_and_a_newsletter_is_packaged(project: Path) -> None:
    # A calendar is dated by nature: its seller writes the school year into product.yaml.
    write_product(project, "  - document: calendar\n  - document: newsletters/2026-12",
                  extra="generic:\n  school_year: 2026–2027\n")
    result = run("package", str(project))
    assert result.exit_code == 0, result.output
    slug = project / "dist" / "test-pack"
    manifest = json.loads((slug / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert "test-pack-letter.pdf" in {e["path"] for e in manifest}
    text = all_text(slug / "test-pack-letter.pdf")
    assert "Key dates 2026–2027" in text and "Maple Leaf News" in text
