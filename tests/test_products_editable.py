"""Editable products: the blanks are form fields, one name per value, typed once."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import ImageChops
from pypdf import PdfReader, PdfWriter

from .conftest import run
from .test_products import write_product


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


def test_an_editable_product_fills_every_page_from_one_field(project: Path) -> None:
    write_product(project, "  - document: intake\n    files: [blank.en, blank.es]\n"
                           "  - document: welcome\n    files: [welcome.en]",
                  extra="editable: true\n")
    result = run("package", str(project))
    assert result.exit_code == 0, result.output
    pdf = project / "dist/test-pack/test-pack-a4.pdf"
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


def test_a_print_and_go_product_has_no_fields(packaged: Path) -> None:
    reader = PdfReader(packaged / f"{packaged.name}-letter.pdf")
    assert not reader.get_fields()
