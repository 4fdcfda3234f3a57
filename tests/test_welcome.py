"""The welcome sheet: one page, in the family's language, with the calendar's key dates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber

from takehome.typography import breakable_address

from .conftest import MM, all_text, page_size_mm, page_text, read_pdf, run, trim_roster


def test_one_page_each_in_the_family_language(sample_build: Path) -> None:
    welcome = sample_build / "welcome"
    for path in [*welcome.glob("*.pdf"), *(welcome / "students").glob("*.pdf")]:
        if path.name != "class-set.pdf":
            assert len(read_pdf(path).pages) == 1, path.name
    text = " ".join(page_text(welcome / "students/01-lopez-ana.pdf").split())
    for expected in ("¡Bienvenidos al Salón 14!", "Estimada familia de Ana López",
                     "Cómo comunicarse conmigo", "erivera@maplegrove.example.org",
                     "De lunes a viernes, de 3:15 a 4:30 p. m.", "Una nota en la mochila",
                     "Sitio web de la clase", "https://maplegrove.example.org",
                     "1200 Orchard Lane, Springfield", "Fechas para recordar"):
        assert expected in text, expected
    english = page_text(welcome / "students/02-okafor-benjamin.pdf")
    assert "Dear family of Ben Okafor" in english and "Ways I answer best" in english
    # 24 one-page copies, single-sided: 24 sheets, no blank backs
    assert len(read_pdf(welcome / "class-set.pdf").pages) == 24


def test_key_dates_come_from_the_calendar(sample_build: Path) -> None:
    text = all_text(sample_build / "welcome/welcome.en.pdf")
    dates = text[text.index("Dates to remember"):]
    assert "Meet the teacher" in dates and "Mon, Aug 24" in dates
    # Two columns, read in order: the first date's line before the last's
    assert dates.index("First Day of School") < dates.index("Permission slips due")
    assert "Field trip" not in dates  # Oct 7: past the first eight key dates
    spanish = all_text(sample_build / "welcome/welcome.es.pdf")
    assert "Conozca a la maestra" in spanish and "lun, 24 ago" in spanish


def test_qr_code_is_vector(sample_build: Path) -> None:
    with pdfplumber.open(sample_build / "welcome/welcome.en.pdf") as pdf:
        page = pdf.pages[0]
        assert not page.images  # the photo is an SVG and the QR code is drawn, not a bitmap
        qr = [ln for ln in page.lines if ln["x0"] > 120 * MM and ln["top"] > 100 * MM]
        assert len(qr) > 100


def test_without_a_calendar_and_on_a4(project: Path) -> None:
    (project / "content/calendar.yaml").unlink()
    shutil.rmtree(project / "content/calendar")
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    trim_roster(project, 2)
    result = run("build", str(project), "--only", "welcome")
    assert result.exit_code == 0, result.output
    path = project / "output/welcome/welcome.en.pdf"
    assert page_size_mm(path) == (210.0, 297.0) and len(read_pdf(path).pages) == 1
    assert "Dates to remember" not in page_text(path)


def test_an_address_wraps_only_after_its_at_or_before_a_dot(project: Path) -> None:
    """The contact box is narrow on A4 in Vietnamese: the teacher's e-mail wraps before
    ".org", not before its last letter; no invisible break mark is left in the text."""
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    result = run("build", str(project), "--only", "welcome")
    assert result.exit_code == 0, result.output
    sheets = sorted((project / "output/welcome/students").glob("*tran-bao.pdf"))
    assert sheets
    email = "erivera@maplegrove.example.org"
    for sheet in sheets:
        lines = page_text(sheet).splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith(email[:12]))
        written = lines[start].strip()
        if written != email:  # wrapped: the rest on the next line, from a dot or after the @
            rest = lines[start + 1].strip()
            assert written + rest == email and (rest.startswith(".") or written.endswith("@"))
        assert "\u200b" not in page_text(sheet)


def test_breakable_addresses() -> None:
    assert breakable_address("ms.rivera@maple.example.org").split("\u200b") == [
        "ms", ".rivera@", "maple", ".example", ".org"]
    assert breakable_address("https://maple.example.org/a").split("\u200b") == [
        "https://", "maple", ".example", ".org", "/a"]


def test_key_dates_are_split_into_two_balanced_columns() -> None:
    """Two lists side by side, split as CSS columns would balance them: the most even split
    with the first column the taller, when that costs at most a line."""
    from takehome.kinds.welcome.layout import dates_split

    font = "Atkinson Hyperlegible"
    short, long = ("Mon, Sep 7 –", "Labor Day"), ("Every Wednesday, Sep 2 – Dec 16 –",
                                                  "Early Release Wednesday – Dismissal 1:15 pm")
    assert dates_split([short] * 8, "letter", font, "en") == 4
    assert dates_split([short] * 7, "letter", font, "en") == 4  # the first column the longer
    assert dates_split([long, long, short, short, short, short], "letter", font, "en") == 2
    assert dates_split([short, short, short, short, long, long], "letter", font, "en") == 4
    assert dates_split([short], "a4", font, "en") == 1
    assert dates_split([], "a4", font, "en") == 0
