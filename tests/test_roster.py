"""The roster reader against the exports schools and spreadsheets really produce: tables, their
encodings, duplicates, classes, languages and the limits of what is read."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from takehome.errors import ContentError, Problems
from takehome.roster import Roster, assign, explain, read_roster
from takehome.roster.languages import parse

from .conftest import CORPUS


def roster(tmp_path: Path, data: bytes | str, columns: dict[str, str] | None = None,
           name: str = "roster.csv", **options: str) -> tuple[Roster, Problems]:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    problems = Problems()
    return read_roster(path, columns or {}, problems, **options), problems


def test_aliases_bom_and_languages(tmp_path: Path) -> None:
    text = ("\ufeffStudent First Name,Surname,Nickname,Parent/Guardian 1,Home Language\r\n"
            "Ana,López,,María López,Español\r\n\r\n"
            "Minh Anh,Nguyễn,Anh,Nguyễn Thị Hoa,Vietnamese\r\n")
    r, problems = roster(tmp_path, text)
    assert not problems.items
    assert [s.full_name for s in r.students] == ["Ana López", "Minh Anh Nguyễn"]
    assert r.students[0].language == "es" and r.students[1].language == "vi"
    assert r.students[1].name == "Anh Nguyễn"
    assert r.students[1].line == 4  # the blank line is skipped but still counted
    assert r.students[0].guardians == ("María López",)


def test_windows_1252_semicolons_and_utf16(tmp_path: Path) -> None:
    data = "First Name;Last Name;Phone\r\nJosé;Ramírez;555-0101\r\n".encode("cp1252")
    r, _ = roster(tmp_path, data)
    assert r.students[0].full_name == "José Ramírez"
    assert r.students[0].phone == "555-0101"
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab separated.
    r, _ = roster(tmp_path, "First Name\tLast Name\r\nNguyễn\tBảo\r\n".encode("utf-16"))
    assert r.students[0].full_name == "Nguyễn Bảo"


def test_quoted_line_breaks_keep_line_numbers_and_rows_without_names_are_left_out(
        tmp_path: Path) -> None:
    text = 'first,last,notes\nAna,"Lopez\nGarcia",x\nBen,"",y\n,,z\n'
    r, problems = roster(tmp_path, text)
    assert not problems.items
    assert [(s.first_name, s.last_name, s.line) for s in r.students] == [
        ("Ana", "Lopez Garcia", 2), ("Ben", "", 4)]  # a student with one name is printed so
    assert r.students[1].name == "Ben"
    assert [(s.reason, s.lines) for s in r.skipped] == [("no name", [5])]


def test_one_name_column(tmp_path: Path) -> None:
    r, _ = roster(tmp_path, 'Student Name,Grade\n"López, Ana",2\nMinh Anh Nguyễn,2\n')
    assert [(s.first_name, s.last_name) for s in r.students] == [
        ("Ana", "López"), ("Minh Anh Nguyễn", "")]
    assert [s.name for s in r.students] == ["Ana López", "Minh Anh Nguyễn"]


def test_title_lines_above_the_header(tmp_path: Path) -> None:
    text = "Maple Grove Elementary - Room 14\nPrinted 8/20/2026,\n\nLast,First\nLópez,Ana\n"
    r, problems = roster(tmp_path, text)
    assert not problems.items and r.header_line == 4
    assert [(s.full_name, s.line) for s in r.students] == [("Ana López", 5)]
    # Semicolons, judged by the header under the title.
    r, _ = roster(tmp_path, "Room 14\nLast;First;Phone\nLópez;Ana;555-0101\n")
    assert [(s.full_name, s.phone) for s in r.students] == [("Ana López", "555-0101")]


def test_column_mapping_in_settings(tmp_path: Path) -> None:
    r, _ = roster(tmp_path, "Kid,Family,Tongue\nAna,Lopez,es\n",
                  {"first_name": "Kid", "last_name": "Family", "language": "Tongue"})
    assert r.students[0].full_name == "Ana Lopez" and r.students[0].language == "es"


def test_mapping_to_a_missing_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="column 'Kid'"):
        roster(tmp_path, "First,Last\nAna,Lopez\n", {"first_name": "Kid"})


def test_a_child_on_one_row_per_contact_is_one_student(tmp_path: Path) -> None:
    text = ("Student ID,First,Last,Contact Name,Contact Phone,Contact Type\n"
            "7,Ana,López,María López,555-0101,Primary\n"
            "7,Ana,López,Carlos López,555-0102,Secondary\n"
            "7,Ana,López,Rosa Gómez,555-0199,Emergency\n")
    r, problems = roster(tmp_path, text)
    assert not problems.items
    [ana] = r.students
    assert ana.guardians == ("María López", "Carlos López")  # an emergency contact is no family
    assert ana.phone == "555-0101" and r.merged == ["Ana López: lines 2, 3, 4, one student"]


def test_repeated_rows_are_one_student_with_a_warning(tmp_path: Path) -> None:
    _, problems = roster(tmp_path, "First,Last\nAna,Lopez\nana,LOPEZ\n")
    # Rows that differ in case only are not repeated cell for cell: the same child, merged.
    assert not problems.items
    r, problems = roster(tmp_path, "First,Last,Grade\nAna,Lopez,2\nBen,Okafor,2\nAna,Lopez,2\n")
    assert [s.name for s in r.students] == ["Ana Lopez", "Ben Okafor"]
    assert [str(p).split(": ", 1)[1] for p in problems.warnings] == [
        "warning: Ana Lopez is listed twice (first at line 2); one copy is made"]
    assert problems.warnings[0].line == 4 and not problems.errors


def test_rows_that_disagree_or_share_an_id(tmp_path: Path) -> None:
    text = ("ID,First,Last,Grade\n1,Ana,Lopez,2\n1,Ana,Lopez,3\n2,Ben,Okafor,2\n2,Bea,Okafor,2\n"
            "3,Ana,Lopez,2\n")
    r, problems = roster(tmp_path, text)
    messages = [p.message for p in problems.warnings]
    assert "the rows differ (grade '3' here, '2' on line 2); line 2 is used" in messages[0]
    assert "student id 2 is on line 4 (Ben Okafor) and here (Bea Okafor); both are kept" \
        in messages[1]
    assert [(s.name, s.grade) for s in r.students] == [
        ("Ana Lopez", "2"), ("Ben Okafor", "2"), ("Bea Okafor", "2"), ("Ana Lopez", "2")]
    assert r.notes == ["2 students are named Ana Lopez (lines 2, 6); log entries for them need "
                       "the student id"]


@pytest.mark.parametrize("text, message", [
    ("", "roster is empty"),
    ("First,Last\n", "no students"),
    ("Display Name,Email\nAna,a@example.org\n", "no first name or last name column"),
])
def test_empty_or_headerless(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        roster(tmp_path, text)


def test_long_values(tmp_path: Path) -> None:
    long = "x" * 201
    r, problems = roster(tmp_path, f"First,Last,Phone\nAna,Lopez,{long}\nBen,{long},1\n")
    assert [s.name for s in r.students] == ["Ana Lopez"] and r.students[0].phone == ""
    assert [(p.severity, p.line) for p in problems.items] == [("warning", 2), ("error", 3)]
    assert "last name is longer than 200 characters" in problems.errors[0].message


def test_slugs_are_safe(tmp_path: Path) -> None:
    r, _ = roster(tmp_path, "First,Last\n..,/\nCON,NUL\nÉlodie,Ünal\n")
    slugs = [s.slug(2) for s in r.students]
    assert slugs == ["01-student", "02-nul-con", "03-unal-elodie"]


@pytest.mark.parametrize("value, code", [
    ("Spanish", "es"), ("Español", "es"), ("es", "es"), ("spa", "es"), ("SP", "es"),
    ("SPANISH", "es"), ("01", "es"), ("Tiếng Việt", "vi"), ("vie", "vi"), ("02", "vi"),
    ("العربية", "ar"), ("ara", "ar"), ("Farsi", "fa"), ("Mandarin", "zh_Hans"), ("chi", "zh_Hans"),
    ("Haitian Creole", "ht"), ("Portuguese (Brazil)", "pt_BR"), ("Português", "pt_BR"),
    ("06", "pt_BR"), ("00", "en"), ("ENG", "en"),
    ("Klingon", "tlh"), ("Martian", None), ("99", None), ("", None),
])
def test_language_values(value: str, code: str | None) -> None:
    assert parse(value) == code


def test_correspondence_language_wins(tmp_path: Path) -> None:
    text = ("First,Last,Home Language,Correspondence Language\n"
            "Liam,O'Brien,Irish,English\nAbdi,Warsame,Somali,\nAna,Lopez,Spanish,Xx\n")
    r, _ = roster(tmp_path, text)
    assert [(s.language, s.language_field) for s in r.students] == [
        ("en", "correspondence language"), ("so", "home language"), ("es", "home language")]
    editions = assign(r, "en")
    # (Vietnamese has its catalog now: Somali is a language takehome has no text in yet.)
    assert editions.chosen == {1: "en", 2: "en", 3: "es"}
    assert [(s.name, why) for s, why in editions.why_default()] == [
        ("Abdi Warsame", "no Somali translation of takehome's text yet")]


def test_class_chosen_by_its_words(tmp_path: Path) -> None:
    text = ("First,Last,Homeroom\nAna,Lopez,Room 14\nBen,Okafor,Room 140\nCleo,Park,14 - Rivera\n"
            "Dan,Ito,Room 15\n")
    r, problems = roster(tmp_path, text, choose="14")
    assert [s.name for s in r.students] == ["Ana Lopez", "Cleo Park"]
    assert [(s.reason, s.lines) for s in r.skipped] == [("another class", [3, 5])]
    assert r.classes == ["Room 14", "Room 140", "14 - Rivera", "Room 15"]
    assert not problems.items
    r, problems = roster(tmp_path, text)
    assert len(r.students) == 4
    assert "the roster holds 4 classes" in problems.warnings[0].message
    with pytest.raises(ContentError, match="no row of class '16'.*Room 14, Room 140"):
        roster(tmp_path, text, choose="16")
    with pytest.raises(ContentError, match="has no class column"):
        roster(tmp_path, "First,Last\nAna,Lopez\n", choose="14")


def workbook(path: Path) -> None:
    """A workbook as a school office hands it over: a title row, ids stored as numbers, a date,
    and a second sheet for the other class."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Room 14"
    sheet.append(["Class list: Room 14, 2026-27"])
    sheet.append(["Student ID", "Last Name", "First Name", "Birthdate", "Home Language"])
    sheet.append([20261401.0, "López", "Ana", dt.datetime(2019, 3, 14), "Español"])
    sheet.append([20261404, "حداد", "ليلى", dt.date(2019, 1, 9), "ar"])
    other = book.create_sheet("Room 15")
    other.append(["First Name", "Last Name"])
    other.append(["Noah", "Smith"])
    book.save(path)


def test_excel_workbook(tmp_path: Path) -> None:
    workbook(tmp_path / "class.xlsx")
    problems = Problems()
    r = read_roster(tmp_path / "class.xlsx", {}, problems)
    assert not problems.items
    assert [(s.student_id, s.full_name, s.language, s.line) for s in r.students] == [
        ("20261401", "Ana López", "es", 3), ("20261404", "ليلى حداد", "ar", 4)]
    assert r.source == "Excel workbook, sheet 'Room 14' (the first of 2)"
    assert "Birthdate" in r.unused
    r = read_roster(tmp_path / "class.xlsx", {}, problems, sheet="room 15")
    assert [s.full_name for s in r.students] == ["Noah Smith"]
    with pytest.raises(ContentError, match="no sheet 'Room 16'.*Room 14, Room 15"):
        read_roster(tmp_path / "class.xlsx", {}, problems, sheet="Room 16")


@pytest.mark.parametrize("name, data, message", [
    ("class.xls", b"\xd0\xcf\x11\xe0", "an old Excel workbook; save it as .xlsx or CSV"),
    ("class.xlsx", b"PK\x03\x04 not really", "not a readable Excel workbook"),
    ("export.zip", b"PK\x03\x04 not really", "not a readable zip file"),
])
def test_files_that_are_not_what_they_say(tmp_path: Path, name: str, data: bytes,
                                          message: str) -> None:
    with pytest.raises(ContentError, match=message):
        roster(tmp_path, data, name=name)


def test_an_archive_that_unpacks_too_far_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", b"sourcedId\n" + b" " * 210_000_000)
    with pytest.raises(ContentError, match="unpacks to 210,000,010 bytes; the limit is"):
        roster(tmp_path, buffer.getvalue(), name="export.zip")


def test_explained_at_a_glance(tmp_path: Path) -> None:
    text = ("First,Last,Home Language,Homeroom,Birthday\nAna,Lopez,Spanish,14\n"
            "Minh,Tran,Somali,14\nPaw,Htoo,Karen,14\nJay,Brooks,,14\n,,,14\nNoah,Smith,,15\n")
    r, _ = roster(tmp_path, text, choose="14")
    shown = explain(r, assign(r, "en"))
    assert "first name     <- First" in shown and "class          <- Homeroom" in shown
    assert "not used: Birthday" in shown
    assert "Students: 4" in shown
    assert "Spanish (es)" in shown and "Spanish copies" in shown
    assert "line 3     Minh Tran: no Somali translation of takehome's text yet" in shown
    assert "line 4     Paw Htoo: home language 'Karen' is not a language takehome recognises" \
        in shown
    assert "line 5     Jay Brooks: no language given" in shown
    assert "another class: 1 row (line 7)" in shown and "no name: 1 row (line 6)" in shown


CORPUS_EXPECTED = {
    "microsoft-sds/classic_100users_Student.csv": 86,
    "microsoft-sds/v2.1_users.csv": 8,
    "roundcube/all.csv": 1,
    "roundcube/gmail.csv": 1,
    "roundcube/tb_plain.csv": 1,
    "thunderbird/basic_csv_addressbook.csv": 2,
    "thunderbird/csv_semicolon.csv": 2,
}


@pytest.mark.parametrize("path", sorted(p.relative_to(CORPUS / "rosters").as_posix()
                                        for p in (CORPUS / "rosters").rglob("*.csv")))
def test_corpus_rosters(path: str) -> None:
    """Every real export either reads or gives one clear error on its header line."""
    problems = Problems()
    try:
        r = read_roster(CORPUS / "rosters" / path, {}, problems)
    except ContentError as exc:
        assert path not in CORPUS_EXPECTED
        assert exc.problem.line == 1 and "column" in exc.problem.message
        return
    assert len(r.students) == CORPUS_EXPECTED[path]
    assert all(s.first_name and s.last_name for s in r.students)
    assert not problems.errors
