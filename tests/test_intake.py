"""End to end: the sample's intake sheets, read back from the PDFs."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf

from .conftest import all_text, page_size_mm, page_text, plain, read_pdf, run, tree_bytes

ROSTER_30 = """First Name,Last Name,Home Language,Parent/Guardian 1
{rows}
"""


def test_outputs_and_manifest(sample_build: Path) -> None:
    intake = sample_build / "intake"
    languages = ("en", "es")  # the sample's editions (settings: languages)
    assert sorted(p.name for p in intake.glob("*.pdf")) == sorted(
        ["class-set.pdf", *(f"{kind}.{lang}.pdf" for kind in ("blank", "fillable")
                            for lang in languages)])
    students = sorted(p.name for p in (intake / "students").glob("*.pdf"))
    assert len(students) == 24
    assert students[0] == "01-lopez-ana.pdf" and students[2] == "03-nguyen-minh-anh.pdf"
    manifest = json.loads((sample_build / "manifest.json").read_text())["documents"]
    entry = next(e for e in manifest if e["path"] == "intake/students/01-lopez-ana.pdf")
    assert entry["kind"] == "intake" and entry["language"] == "es" and entry["paper"] == "letter"
    assert entry["sources"] == ["content/intake.yaml", "content/roster.csv"]
    assert entry["pages"] == len(read_pdf(intake / "students/01-lopez-ana.pdf").pages)
    assert len([e for e in manifest if e["kind"] == "intake"]) == 29


def test_personalised_copies_in_the_family_language(sample_build: Path) -> None:
    students = sample_build / "intake" / "students"
    spanish = page_text(students / "04-ramirez-jose.pdf")
    assert "Conozcamos a su hijo o hija" in spanish
    assert "Para la familia de Pepe Ramírez" in spanish
    assert "Salón 14" in spanish and "viernes, 28 de agosto de 2026" in spanish
    english = page_text(students / "02-okafor-benjamin.pdf")
    assert "For the family of Ben Okafor" in english and "Room 14" in english
    assert "Friday, August 28, 2026" in english
    # The French family gets French, the content's title too (it is a built-in string).
    assert "Faisons connaissance avec votre enfant" in page_text(students / "06-dubois-chloe.pdf")


def test_roster_answers_are_printed_in(sample_build: Path) -> None:
    text = all_text(sample_build / "intake/students/01-lopez-ana.pdf")
    for known in ("Ana López", "María López, Carlos López", "(555) 010-2101",
                  "maria.lopez@example.org", "español"):
        assert known in text


def test_letter_pages_and_handwriting_space(sample_build: Path) -> None:
    blank = sample_build / "intake/blank.en.pdf"
    reader = read_pdf(blank)
    assert len(reader.pages) == 2
    assert page_size_mm(blank) == (215.9, 279.4)
    text = all_text(blank)
    # Every question is whole on one page: its number and its label together.
    for number in range(1, 17):
        assert f"{number}." in text


def test_class_set_is_duplex_safe(sample_build: Path) -> None:
    students = sorted((sample_build / "intake/students").glob("*.pdf"))
    counts = [len(read_pdf(p).pages) for p in students]
    class_set = read_pdf(sample_build / "intake/class-set.pdf")
    assert len(class_set.pages) == sum(c + c % 2 for c in counts)
    start = 0
    for path, count in zip(students, counts, strict=True):
        assert start % 2 == 0  # every copy starts on the front of a sheet
        name_line = page_text(path).splitlines()
        assert plain(class_set.pages[start].extract_text()).splitlines()[:3] == name_line[:3]
        start += count + count % 2


def test_fillable_has_form_fields_and_is_tagged(sample_build: Path) -> None:
    reader = read_pdf(sample_build / "intake/fillable.es.pdf")
    fields = reader.get_fields() or {}
    assert {"q_child_name", "q_allergies", "q_contact_way_1", "q_pickup_1_1"} <= set(fields)
    assert fields["q_allergies"]["/FT"] == "/Tx" and fields["q_contact_way_1"]["/FT"] == "/Btn"
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean and "/StructTreeRoot" in root
    assert root["/Lang"] == "es"
    assert reader.metadata.title == "Conozcamos a su hijo o hija"


def _embedded_fonts(path: Path) -> set[str]:
    reader = read_pdf(path)
    fonts: set[str] = set()

    def collect(resources: dict) -> None:  # the page's, and its form XObjects' (stamped words)
        for font in resources.get("/Font", {}).values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"]
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[1])
        for xobject in resources.get("/XObject", {}).values():
            if xobject.get_object().get("/Subtype") == "/Form":
                collect(xobject.get_object().get("/Resources", {}))

    for page in reader.pages:
        collect(page["/Resources"])
    return fonts


def test_fonts_are_embedded(sample_build: Path) -> None:
    students = sample_build / "intake/students"
    for copy in ("03-nguyen-minh-anh.pdf", "07-miller-ethan.pdf", "05-haddad-amira.pdf"):
        fonts = _embedded_fonts(students / copy)
        # never system fonts
        assert all(f.startswith(("Atkinson", "Fira", "IBM", "Noto")) for f in fonts), fonts
    # A Vietnamese copy is set in a font with every Vietnamese letter; an English one in the
    # theme's font; Arabic letters come from an Arabic font.
    vietnamese = _embedded_fonts(students / "03-nguyen-minh-anh.pdf")
    assert any(f.startswith("Fira-Sans") for f in vietnamese)
    assert any(f.startswith("Atkinson") for f in _embedded_fonts(students / "07-miller-ethan.pdf"))
    assert any(f.startswith("IBM") for f in _embedded_fonts(students / "05-haddad-amira.pdf"))


def test_a4_is_laid_out_for_a4(project: Path) -> None:
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    assert run("build", str(project), "--only", "intake").exit_code == 0
    assert page_size_mm(project / "output/intake/blank.en.pdf") == (210.0, 297.0)


def test_thirty_students_with_accents(project: Path) -> None:
    names = [("Zoë", "Ångström", "English"), ("José", "Núñez", "Spanish"),
             ("Renée", "Çelik", "es"), ("Łukasz", "Żółć", "English")]
    rows = [f"{first}{i},{last},{lang},Parent {i}" for i, (first, last, lang) in
            ((i, names[i % 4]) for i in range(30))]
    (project / "content/roster.csv").write_text(ROSTER_30.format(rows="\n".join(rows)))
    (project / "content/log.yaml").unlink()  # it names students of the sample roster
    result = run("build", str(project), "--only", "intake")
    assert result.exit_code == 0, result.output
    copies = sorted((project / "output/intake/students").glob("*.pdf"))
    assert len(copies) == 30
    assert copies[1].name == "02-nunez-jose1.pdf"
    assert "Para la familia de José1 Núñez" in page_text(copies[1])
    assert "For the family of Łukasz3 Żółć" in page_text(copies[3])
    pages = [len(read_pdf(c).pages) for c in copies]
    assert len(read_pdf(project / "output/intake/class-set.pdf").pages) == sum(
        p + p % 2 for p in pages)


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path) -> None:
    assert run("build", str(project), "--only", "intake").exit_code == 0
    first = tree_bytes(project / "output")
    assert run("build", str(project), "--only", "intake", "--output",
               str(tmp_path / "again")).exit_code == 0
    assert tree_bytes(tmp_path / "again") == first


def test_pdf_is_readable_by_a_second_library(sample_build: Path) -> None:
    """pypdf reads every file; pdfium (a real renderer) opens and draws the class set."""
    import pypdfium2

    for path in sample_build.rglob("*.pdf"):
        assert len(pypdf.PdfReader(path).pages) >= 1
    doc = pypdfium2.PdfDocument(sample_build / "intake/class-set.pdf")
    bitmap = doc[0].render(scale=0.5).to_pil()
    assert bitmap.getextrema() != ((255, 255), (255, 255), (255, 255))
