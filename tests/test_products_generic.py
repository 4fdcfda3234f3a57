"""Generic products: built without the project's school, teacher, room and dates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from takehome.generic import Blank, Generic, GenericTexts, settings
from takehome.models.settings import Settings

from .conftest import SAMPLE, read_pdf, run
from .test_products import write_product


def settings_values() -> list[str]:
    """What the sample's settings would print: school, teacher, room, school year, dates."""
    data = yaml.safe_load((SAMPLE / "settings.yaml").read_text(encoding="utf-8"))
    school, teacher, year = data["school"], data["teacher"], data["year"]
    surname = teacher["name"].split()[-1]
    return [school["name"], school["name"].split()[0], school["phone"], school["address"],
            teacher["name"], surname, teacher["email"], f"Room {teacher['room']}",
            f"Salón {teacher['room']}", str(year["start"].year), str(year["end"].year),
            year["start"].strftime("%B")]


def test_no_product_page_names_the_project_school_teacher_room_or_dates(
        packaged: Path) -> None:
    values = settings_values()
    pdfs = sorted(packaged.glob("*.pdf"))
    assert len(pdfs) == 6  # four variants, the preview, how to print
    for pdf in pdfs:
        for number, page in enumerate(read_pdf(pdf).pages, 1):
            text = " ".join(page.extract_text().split())
            found = [v for v in values if v in text]
            assert not found, f"{pdf.name} page {number}: {found}"


def test_the_writing_lines_take_the_values_place(packaged: Path) -> None:
    reader = read_pdf(packaged / f"{packaged.name}-letter.pdf")
    sheet = reader.pages[2].extract_text()
    # The header's captions say what to write on each line; the return date is a line too.
    assert "SCHOOL" in sheet and "TEACHER" in sheet and "Room" in sheet
    assert "Please return this sheet by" in sheet
    assert "Welcome to our class!" in sheet  # the product's own intro (content: in the part)


def test_fixed_texts_replace_the_lines() -> None:
    data = yaml.safe_load((SAMPLE / "settings.yaml").read_text(encoding="utf-8"))
    data["roster"] = {}
    base = Settings.model_validate(data)
    generic = settings(base, Generic(GenericTexts(school="Little Bridges",
                                                  school_year="20__–20__")))
    assert generic.school.name == "Little Bridges"
    assert isinstance(generic.teacher.name, Blank) and isinstance(generic.teacher.room, Blank)
    assert generic.year.label == "20__–20__"
    assert generic.interpreter is None  # it gives the school's phone number
    assert generic.theme == base.theme and generic.languages == base.languages


@pytest.mark.parametrize(("extra", "message"), [
    ("generic:\n  techer: Ms. X\n", "content/product.yaml:6:3: error: unknown key 'techer'; "
                                     "did you mean 'teacher'?"),
    ("generic:\n  room: ''\n", "content/product.yaml:6:9: error: "),
])
def test_generic_texts_are_checked_at_their_line(project: Path, extra: str,
                                                 message: str) -> None:
    write_product(project, "  - intake", extra=extra)
    result = run("check", str(project))
    assert result.exit_code == 1
    assert message in result.output, result.output


def test_a_parts_content_is_checked_as_the_document_is(project: Path) -> None:
    write_product(project, "  - document: intake\n    content:\n      intro: 3\n"
                           "      return_by: someday\n")
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "content/product.yaml:7:18: error: intake: return_by:" in result.output, \
        result.output
