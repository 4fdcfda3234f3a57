"""A new project with a roster from each school system: the right class, one copy per student in
the family's language, and `takehome roster` saying how it was read.

The fixtures in tests/data/rosters/ are one class (Room 14) as each system exports it, written
from the systems' public column lists (see tests/data/rosters/SOURCES.md)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from takehome.errors import ContentError, Problems
from takehome.i18n import catalog_languages
from takehome.roster import read_roster

from .conftest import DATA, page_text, read_pdf, run

ROSTERS = DATA / "rosters"
ROOM_14 = {"ana lópez", "liam o'brien", "minh anh nguyễn", "ليلى حداد", "mateo ramírez",
           "sofía ramírez", "chloé dubois", "jaylen brooks", "paw htoo"}
SPANISH = {"ana lópez", "mateo ramírez", "sofía ramírez"}

# source: (what roster: file: points at, roster: class:, what `takehome roster` names)
SOURCES = {
    "csv-powerschool": ("powerschool.csv", "14", "with PowerSchool's column names"),
    "csv-aspen": ("aspen.csv", "14", "with Aspen/X2's column names"),
    "csv-aeries": ("aeries.csv", "14", "with Aeries's column names"),
    "csv-infinite-campus": ("infinite-campus.csv", "Rivera", "Infinite Campus"),
    "csv-skyward": ("skyward.csv", "14", "with Skyward's column names"),
    "csv-google-classroom": ("google-classroom.csv", None, "Google Classroom"),
    "clever-folder": ("clever", "Room 14", "Clever students.csv (folder)"),
    "clever-students-csv": ("clever/students.csv", "S-2026-14", "Clever"),
    "oneroster-1.1-folder": ("oneroster-1.1", "HR2-14", "OneRoster 1.1 CSV folder"),
    "oneroster-1.2-zip": ("oneroster-1.2.zip", "Grade 2 - Room 14 (Rivera)",
                          "OneRoster 1.2 CSV zip"),
    "xlsx": ("class.xlsx", "14", "Excel workbook, sheet 'Class list'"),
}


def zip_folder(folder: Path, target: Path, inside: str = "") -> None:
    """A folder zipped as SIS download pages hand it out (optionally inside a folder)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}{path.name}")


def workbook(target: Path) -> None:
    """The PowerSchool rows saved from Excel as a workbook with a title row."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Class list"
    sheet.append(["Maple Grove Elementary: grade 2 class lists"])
    with (ROSTERS / "powerschool.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.reader(fh)):
            sheet.append([int(c) if i and c.isdigit() and len(c) > 3 else c for c in row])
    book.save(target)


def install(root: Path, source: str) -> None:
    """Put the source's roster into the project's content/ and point settings at it."""
    file, choose, _ = SOURCES[source]
    content = root / "content"
    if file == "oneroster-1.2.zip":
        zip_folder(ROSTERS / "oneroster-1.2", content / file, inside="export/")
    elif file == "class.xlsx":
        workbook(content / file)
    elif (ROSTERS / file).is_dir() or "/" in file:
        shutil.copytree(ROSTERS / file.split("/")[0], content / file.split("/")[0])
    else:
        shutil.copy(ROSTERS / file, content / file)
    (content / "roster.csv").unlink()
    settings = content / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    assert "  file: roster.csv\n" in text
    setting = f"  file: {file}\n" + (f"  class: {choose!r}\n" if choose else "")
    settings.write_text(text.replace("  file: roster.csv\n", setting), encoding="utf-8")


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    root = tmp_path / "room-14"
    assert run("new", str(root)).exit_code == 0
    return root


def copies(output: Path) -> dict[str, str]:
    """Each personalised intake sheet's language, as the PDF declares it, checked against the
    greeting it prints."""
    found = {}
    for pdf in sorted((output / "intake/students").glob("*.pdf")):
        lang = str(read_pdf(pdf).trailer["/Root"]["/Lang"])
        text = " ".join(page_text(pdf).split())
        if lang == "en":
            assert "For the family of" in text, text[:200]
        elif lang == "es":
            assert "Para la familia de" in text, text[:200]
        found[pdf.name] = lang
    return found


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_a_new_project_with_each_source(starter: Path, source: str) -> None:
    install(starter, source)
    shown = run("roster", str(starter))
    assert shown.exit_code == 0, shown.output
    assert SOURCES[source][2] in shown.output
    assert "Students: 9" in shown.output
    assert "first name" in shown.output and "<-" in shown.output

    built = run("build", str(starter), "--only", "intake")
    assert built.exit_code == 0, built.output
    languages = copies(starter / "output")
    assert len(languages) == 9  # one copy per student of Room 14, none for Room 15
    problems = Problems()
    settings = SOURCES[source]
    r = read_roster(starter / "content" / settings[0], {}, problems, choose=settings[1])
    carries_language = source != "csv-google-classroom"
    catalogs = set(catalog_languages())
    for student, (name, lang) in zip(r.students, sorted(languages.items()), strict=True):
        assert name.startswith(student.slug(2))
        expected = student.language if carries_language and student.language in catalogs \
            else "en"
        assert lang == expected.replace("_", "-"), (name, student.language_given)
        if carries_language and student.full_name.casefold() in SPANISH:
            assert lang == "es"
    printed = {n for s in r.students for n in (s.full_name.casefold(), s.name.casefold())}
    assert printed >= ROOM_14  # (William O'Brien goes by Liam)


def test_the_starter_builds_everything_from_a_oneroster_zip(starter: Path) -> None:
    install(starter, "oneroster-1.2-zip")
    built = run("build", str(starter))
    assert built.exit_code == 0, built.output
    assert ": error:" not in built.output
    families = sorted((starter / "output/welcome/students").glob("*.pdf"))
    assert len(families) == 9
    ramirez = [p for p in families if "ramirez" in p.name]
    assert len(ramirez) == 2  # two children of one guardian: a copy each
    assert all("Para la familia de" in " ".join(page_text(p).split()) or
               "Ramírez" in page_text(p) for p in ramirez)


def test_oneroster_families_and_classes() -> None:
    problems = Problems()
    r = read_roster(ROSTERS / "oneroster-1.1", {}, problems, choose="Grade 2 - Room 14 (Rivera)")
    by_name = {s.full_name: s for s in r.students}
    assert by_name["Liam O'Brien"].guardians == ("Siobhan O'Brien", "Declan O'Brien")
    assert by_name["Liam O'Brien"].phone == "555-010-1402"  # a parent's sms when no phone
    # Linked from the parent's side only.
    assert by_name["Minh Anh Nguyễn"].guardians == ("Hoa Nguyễn Thị",)
    assert by_name["Mateo Ramírez"].guardians == by_name["Sofía Ramírez"].guardians == (
        "Lucía Ramírez",)
    assert by_name["Jaylen Brooks"].guardians == () and by_name["Jaylen Brooks"].email == ""
    assert by_name["Chloé Dubois"].guardians == ("Élodie Dubois",)  # a relative
    assert by_name["Ana López"].language == "es" and by_name["Ana López"].grade == "2"
    assert by_name["Ana López"].email == "maria.lopez@example.org"  # the family's, not hers
    assert "Oliver Grant" not in by_name  # status tobedeleted
    assert [(s.reason, s.lines) for s in r.skipped] == [("status tobedeleted", [17])]
    assert not problems.items
    assert r.rows_path == ROSTERS / "oneroster-1.1/users.csv"
    assert by_name["Ana López"].line == 8
    with pytest.raises(ContentError, match="holds 3 classes; choose yours.*'HR2-14'"):
        read_roster(ROSTERS / "oneroster-1.1", {}, problems)
    with pytest.raises(ContentError, match="'Grade 2' matches 3 classes"):
        read_roster(ROSTERS / "oneroster-1.1", {}, problems, choose="Grade 2")
    with pytest.raises(ContentError, match="no class 'Room 16'"):
        read_roster(ROSTERS / "oneroster-1.1", {}, problems, choose="Room 16")


def test_oneroster_1_2_preferred_names_roles_and_zip(tmp_path: Path) -> None:
    zip_folder(ROSTERS / "oneroster-1.2", tmp_path / "export.zip", inside="OneRoster/")
    problems = Problems()
    r = read_roster(tmp_path / "export.zip", {}, problems, choose="class-14")
    assert r.source == "OneRoster 1.2 CSV zip"
    by_id = {s.student_id: s for s in r.students}
    assert by_id["20261402"].name == "Liam O'Brien"  # preferredGivenName
    assert by_id["20261402"].full_name == "William O'Brien"
    assert by_id["20261404"].guardians == ("مريم حداد",)  # role guardian, from roles.csv
    assert by_id["20261405"].language == "es"  # metadata.homeLanguage: "Español"
    assert r.columns["home language"] == "users.csv metadata.homeLanguage"
    assert "20261501" not in by_id
    assert r.rows_path == tmp_path / "export.zip/OneRoster/users.csv"


def test_clever_sections_and_contacts() -> None:
    problems = Problems()
    r = read_roster(ROSTERS / "clever", {}, problems, choose="Room 14")
    assert r.class_name == "Room 14 - Rivera" and len(r.students) == 9
    assert r.classes == ["Room 14 - Rivera (S-2026-14)", "Room 15 - Chen (S-2026-15)"]
    ana = r.students[0]
    assert ana.full_name == "Ana López" and ana.guardians == ("María López",)  # no emergency
    assert ana.email == "maria.lopez@example.org"  # the contact's, never Student_email
    assert not problems.items
    with pytest.raises(ContentError, match="matches 2 sections"):
        read_roster(ROSTERS / "clever", {}, problems, choose="Grade 2 Homeroom")
    r = read_roster(ROSTERS / "clever", {}, problems)  # no class chosen: the whole file
    assert len(r.students) == 11


def test_takehome_roster_reports_what_stops_a_build(starter: Path) -> None:
    install(starter, "oneroster-1.1-folder")
    settings = starter / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("class: 'HR2-14'", "class: Room 16"))
    shown = run("roster", str(starter))
    assert shown.exit_code == 1
    assert "oneroster-1.1/classes.csv: error: no class 'Room 16'" in shown.output
    settings.write_text(settings.read_text().replace("file: oneroster-1.1", "file: missing.csv"))
    shown = run("roster", str(starter))
    assert shown.exit_code == 1 and "roster 'missing.csv' not found in content/" in shown.output


def test_a_folder_that_is_no_export(tmp_path: Path) -> None:
    (tmp_path / "export").mkdir()
    (tmp_path / "export/readme.txt").write_text("hi")
    with pytest.raises(ContentError, match="neither a OneRoster export.*readme.txt"):
        read_roster(tmp_path / "export", {}, Problems())
