"""End to end: the calendar documents and the .ics export, read back from the files."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest

from takehome.build.load import load_project
from takehome.dates import normalise_times
from takehome.errors import Problems
from takehome.kinds.calendar import ics
from takehome.kinds.calendar.data import read_ics
from takehome.kinds.calendar.layout import day_mark, tint
from takehome.kinds.calendar.schoolyear import default_categories

from .conftest import SAMPLE, all_text, page_size_mm, page_text, read_pdf, run

MONTHS_EN = ["August 2026", "September 2026", "October 2026", "November 2026", "December 2026",
             "January 2027", "February 2027", "March 2027", "April 2027", "May 2027", "June 2027"]


def squash(text: str) -> str:
    """Text without spaces or line breaks, to find a title however a cell wrapped it."""
    return re.sub(r"\s+", "", text)


def sample_calendar():  # type: ignore[no-untyped-def]
    problems = Problems()
    project = load_project(SAMPLE.parent, problems)
    assert project is not None and project.calendar is not None
    return project.calendar


def test_files_and_manifest(sample_build: Path) -> None:
    folder = sample_build / "calendar"
    languages = ("en", "es")  # the sample's editions (settings: languages)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"{name}.{lang}.{'ics' if name == 'calendar' else 'pdf'}"
        for name in ("calendar", "key-dates", "months", "year") for lang in languages)
    manifest = json.loads((sample_build / "manifest.json").read_text())["documents"]
    entry = next(e for e in manifest if e["path"] == "calendar/calendar.en.ics")
    assert entry["kind"] == "calendar" and entry["pages"] == 0 and entry["paper"] is None
    assert entry["sources"] == ["content/calendar.yaml", "content/calendar/district.ics"]


def test_year_at_a_glance_is_one_letter_page(sample_build: Path) -> None:
    path = sample_build / "calendar/year.en.pdf"
    reader = read_pdf(path)
    assert len(reader.pages) == 1 and page_size_mm(path) == (215.9, 279.4)
    text = page_text(path)
    for month in MONTHS_EN:
        assert month in text
    for needed in ("No school", "Early release", "First day of school",  # the legend
                   "12/21 – 1/1 Winter Break", "Updated on August 10, 2026",
                   "9/7 Labor Day – No School"):
        assert needed in text
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip().isdigit():
            sizes.append(size * abs(tm[3]) * abs(cm[3]))

    reader.pages[0].extract_text(visitor_text=visit)
    assert len(sizes) >= 300 and min(sizes) >= 7  # every day number legible


def test_month_pages_show_every_event(sample_build: Path) -> None:
    calendar = sample_calendar()
    reader = read_pdf(sample_build / "calendar/months.en.pdf")
    assert len(reader.pages) == len(MONTHS_EN)
    for number, (page, title) in enumerate(zip(reader.pages, MONTHS_EN, strict=True)):
        text = squash(page.extract_text())
        assert squash(title) in text and "Wednesday" in page.extract_text()
        year, month = calendar.months()[number]
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for event in calendar.between(first, last):
            # Times in titles ("Dismissal 1:15 pm") print in the document's style ("1:15 PM").
            wanted = squash(normalise_times(event.title.get("en", "en"), "en", "12h"))
            assert wanted in text, (title, event.title)


def test_spanish_edition(sample_build: Path) -> None:
    year = page_text(sample_build / "calendar/year.es.pdf")
    for month in ("Agosto de 2026", "Septiembre de 2026", "Enero de 2027", "Junio de 2027"):
        assert month in year
    assert "D L M X J V S" in year  # a US school: the week starts on Sunday in Spanish too
    assert "Actualizado el 10 de agosto de 2026" in year and "No hay clases" in year
    months = all_text(sample_build / "calendar/months.es.pdf")
    assert "Noviembre de 2026" in months and "Miércoles" in months and "Domingo" in months
    assert squash("Excursión: Centro de la Naturaleza") in squash(months)
    keys = all_text(sample_build / "calendar/key-dates.es.pdf")
    assert "Fechas importantes 2026–2027" in keys and "Cada miércoles" in keys


def test_key_dates_list_has_the_qr_code_and_url(sample_build: Path) -> None:
    path = sample_build / "calendar/key-dates.en.pdf"
    text = all_text(path)
    assert "https://maplegrove.example.org/calendar.ics" in text
    assert "Winter Break" in text and "Varsity Football" not in text  # district events are not key
    assert len(read_pdf(path).pages) <= 3


def test_export_round_trips(sample_build: Path) -> None:
    calendar = sample_calendar()
    path = sample_build / "calendar/calendar.en.ics"
    parsed, errors = ics.parse(path, read_ics(path))
    assert not errors and parsed is not None
    back = ics.expand(parsed, (calendar.year.start, calendar.year.end), "America/Chicago")

    def key(start, end, t0, t1, title):  # type: ignore[no-untyped-def]
        return (start, end, t0, t1, title)

    ours = sorted((key(e.start, e.end, e.start_time, e.end_time, e.title.get("en", "en"))
                   for e in calendar.events), key=repr)
    theirs = sorted((key(o.start, o.end, o.start_time, o.end_time, o.summary)
                     for o in back.occurrences), key=repr)
    assert theirs == ours and back.outside == 0
    spanish = (sample_build / "calendar/calendar.es.ics").read_text()
    assert "SUMMARY:Excursión: Centro de la Naturaleza" in spanish.replace("\r\n ", "")
    assert "BEGIN:VTIMEZONE" in spanish and "TZID:America/Chicago" in spanish


def test_marks_read_in_black_and_white() -> None:
    def grey(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    categories = default_categories()
    marks = [c.mark for c in categories.values()]
    assert len(set(marks)) == len(marks) - 1  # only first and last day share one (a box)
    no_school = categories["no_school"]
    assert no_school.mark == "solid" and grey(no_school.colour) < 0.3  # prints nearly black
    early = categories["early_release"]
    assert early.mark == "shade" and 0.6 < grey(tint(early.colour, 0.38)) < 0.9  # a clear grey
    both = day_mark([no_school, categories["public_holiday"], categories["school_event"]])
    # the fill carries meaning: the ink-saver version keeps it
    assert both.classes == "fill-solid keep-ink out-circle"
    assert [s for s, _ in both.signs] == ["corner"]


@pytest.fixture(scope="module")
def crowded_a4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample on A4, the year at a glance in landscape, and one very busy day."""
    root = tmp_path_factory.mktemp("a4")
    shutil.copytree(SAMPLE, root / "content")
    settings = root / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4")
                        .replace("languages: [en, es]", "languages: [en]"))  # one edition: fast
    calendar = root / "content/calendar.yaml"
    busy = "".join(f"  - title: Busy day item number {n} with a rather long name\n"
                   f"    date: 2027-02-10\n" for n in range(1, 9))
    calendar.write_text(calendar.read_text().replace("orientation: portrait",
                                                     "orientation: landscape") + busy)
    result = run("build", str(root), "--only", "calendar")
    assert result.exit_code == 0, result.output
    assert "district.ics: warning: 7 event(s) outside the school year" in result.output
    return root / "output/calendar"


def test_a4_landscape_glance_fits_one_page(crowded_a4: Path) -> None:
    path = crowded_a4 / "year.en.pdf"
    assert len(read_pdf(path).pages) == 1 and page_size_mm(path) == (297.0, 210.0)
    assert page_size_mm(crowded_a4 / "months.en.pdf") == (210.0, 297.0)


def test_a_busy_day_continues_in_a_list(crowded_a4: Path) -> None:
    pages = read_pdf(crowded_a4 / "months.en.pdf").pages
    february = [p.extract_text() for p in pages if "February 2027" in p.extract_text()]
    text = squash("\n".join(february))
    assert "moreinbelow" not in text and re.search(r"\+\d+morebelow", text)
    assert "MoreinFebruary2027" in text
    for n in range(1, 9):
        assert squash(f"Busy day item number {n} with a rather long name") in text
