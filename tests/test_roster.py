"""The roster reader against the exports schools and spreadsheets really produce."""

from __future__ import annotations

from pathlib import Path

import pytest

from takehome.errors import ContentError, Problems
from takehome.roster import read_roster

from .conftest import CORPUS


def roster(tmp_path: Path, data: bytes | str, columns: dict[str, str] | None = None):
    path = tmp_path / "roster.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    problems = Problems()
    return read_roster(path, columns or {}, problems), problems


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


def test_windows_1252_and_semicolons(tmp_path: Path) -> None:
    data = "First Name;Last Name;Phone\r\nJosé;Ramírez;555-0101\r\n".encode("cp1252")
    r, _ = roster(tmp_path, data)
    assert r.students[0].full_name == "José Ramírez"
    assert r.students[0].phone == "555-0101"


def test_quoted_line_breaks_keep_line_numbers(tmp_path: Path) -> None:
    text = 'first,last,notes\nAna,"Lopez\nGarcia",x\nBen,"",y\n'
    r, problems = roster(tmp_path, text)
    assert r.students[0].last_name == "Lopez Garcia"
    assert [str(p) for p in problems.errors] == [
        f"{tmp_path / 'roster.csv'}:4: error: student has no last name"]


def test_column_mapping_in_settings(tmp_path: Path) -> None:
    r, _ = roster(tmp_path, "Kid,Family,Tongue\nAna,Lopez,es\n",
                  {"first_name": "Kid", "last_name": "Family", "language": "Tongue"})
    assert r.students[0].full_name == "Ana Lopez" and r.students[0].language == "es"


def test_mapping_to_a_missing_column_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="column 'Kid'"):
        roster(tmp_path, "First,Last\nAna,Lopez\n", {"first_name": "Kid"})


def test_duplicates_are_errors(tmp_path: Path) -> None:
    _, problems = roster(tmp_path, "First,Last\nAna,Lopez\nana,LOPEZ\n")
    assert "listed twice (first at line 2)" in str(problems.errors[0])


@pytest.mark.parametrize("text, message", [
    ("", "roster is empty"),
    ("First,Last\n", "no students"),
    ("Name,Email\nAna,a@example.org\n", "no first name or last name column"),
])
def test_empty_or_headerless(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        roster(tmp_path, text)


def test_slugs_are_safe(tmp_path: Path) -> None:
    r, _ = roster(tmp_path, "First,Last\n..,/\nCON,NUL\nÉlodie,Ünal\n")
    slugs = [s.slug(2) for s in r.students]
    assert slugs == ["01-student", "02-nul-con", "03-unal-elodie"]


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
