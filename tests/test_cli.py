"""The command line: exit statuses, clean error messages, and what a failed build leaves."""

from __future__ import annotations

import gc
import re
import shutil
from pathlib import Path

from takehome import allocator

from .conftest import CORPUS, DATA, run, tree_bytes


def test_misspelt_key_is_one_clear_line(project: Path) -> None:
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("  room:", "  rooom:"))
    result = run("check", str(project))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[0].endswith(
        "content/settings.yaml:12:3: error: unknown key 'rooom'; did you mean 'room'?")
    assert lines[-1] == "1 error; nothing was written."
    assert "Traceback" not in result.output


def test_all_errors_are_reported_together(project: Path) -> None:
    intake = project / "content/intake.yaml"
    intake.write_text(intake.read_text()
                      + "retrun_to: x\nquestions:\n  - id: Bad Id\n    label: Hi\n")
    roster = project / "content/roster.csv"
    roster.write_text(roster.read_text() + "x" * 201 + ",Long,,,,,,,,\n")
    result = run("build", str(project))
    assert result.exit_code == 1
    assert "content/intake.yaml:17:1: error: unknown key 'retrun_to'; did you mean 'return_to'?" \
        in result.output
    assert "content/intake.yaml:19:9: error: String should match pattern" in result.output
    assert "content/roster.csv:26: error: first name is longer than 200 characters" \
        in result.output
    assert result.output.strip().endswith("3 errors; nothing was written.")


def test_failed_build_leaves_output_untouched(project: Path) -> None:
    assert run("build", str(project), "--only", "intake").exit_code == 0
    before = tree_bytes(project / "output")
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: legal"))
    result = run("build", str(project), "--only", "intake")
    assert result.exit_code == 1 and "content/settings.yaml:33:8: error:" in result.output
    assert tree_bytes(project / "output") == before


def test_usage_errors_exit_2(project: Path) -> None:
    assert run("build", str(project), "--no-such-option").exit_code == 2


def test_only_unknown_document(project: Path) -> None:
    result = run("build", str(project), "--only", "nothing")
    assert result.exit_code == 1 and "no document named nothing" in result.output


def test_no_project_here(tmp_path: Path) -> None:
    result = run("build", str(tmp_path))
    assert result.exit_code == 1 and "no project here" in result.output


def test_new_scaffolds_a_project_that_builds(tmp_path: Path) -> None:
    target = tmp_path / "room12"
    result = run("new", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "content/settings.yaml").is_file()
    assert (target / "content/roster.csv").is_file()
    assert (target / "templates").is_dir()
    assert "output/" in (target / ".gitignore").read_text()
    checked = run("check", "--strict", str(target))
    assert checked.exit_code == 0 and "warning" not in checked.output
    assert run("new", str(target)).exit_code == 1  # never overwrite
    # Nothing in the starter names a student: with the teacher's own roster it still builds.
    (target / "content/roster.csv").write_text(
        "Last Name,First Name,Home Language\nOkonkwo,Chidi,Igbo\nLe,Thu,vi\n", encoding="utf-8")
    checked = run("check", str(target))
    assert checked.exit_code == 0 and "error" not in checked.output.replace("errors.", "")


def test_strict_turns_warnings_into_errors(project: Path) -> None:
    """The sample builds with a roster nobody here wrote and a district file whose categories
    nobody mapped: warnings, no errors; with --strict the same warnings stop it."""
    shutil.copy(CORPUS / "rosters/thunderbird/basic_csv_addressbook.csv",
                project / "content/roster.csv")
    shutil.copy(DATA / "calendars/district-export.ics", project / "content/calendar/")
    strict = run("build", str(project), "--strict")
    assert strict.exit_code == 1
    assert not (project / "output").exists()  # nothing written
    lines = strict.output.strip().splitlines()
    assert lines[-1].endswith("errors with --strict); nothing was written.")
    assert "district-export.ics:" in strict.output and "CATEGORIES" in strict.output
    assert "connection-log.csv:2: error: 28 students in the log are not on the roster" \
        in strict.output
    checked = run("check", "--strict", str(project))
    assert checked.exit_code == 1 and checked.output == strict.output

    # (The calendar is project data: its warnings come whatever --only builds.)
    built = run("build", str(project), "--only", "intake", "--only", "log")
    assert built.exit_code == 0, built.output
    assert "district-export.ics:" in built.output and "CATEGORIES" in built.output
    assert ": error:" not in built.output
    assert "warning: 28 students in the log are not on the roster" in built.output
    assert re.search(r"\d+ warnings \(.*\d+ in \S*content/connection-log.csv.*\); --strict "
                     "makes them errors.", built.output)
    assert len(list((project / "output/intake/students").glob("*.pdf"))) == 2
    # A build that changed nothing still fails under --strict: its warnings are remembered.
    assert run("build", str(project), "--only", "intake", "--only", "log",
               "--strict").exit_code == 1


def test_project_template_overrides_builtin(project: Path) -> None:
    (project / "templates/intake").mkdir(parents=True)
    (project / "templates/intake/sheet.html").write_text("<h1>{{ title }} — ours</h1>")
    assert run("build", str(project), "--only", "intake").exit_code == 0
    from .conftest import page_text
    assert "Getting to know your child — ours" in page_text(project / "output/intake/blank.en.pdf")


def test_template_error_names_template_and_line(project: Path) -> None:
    (project / "templates/intake").mkdir(parents=True)
    (project / "templates/intake/sheet.html").write_text("<h1>\n{{ no_such_thing }}</h1>")
    result = run("build", str(project))
    assert result.exit_code == 1
    assert "templates/intake/sheet.html:2: error: template error: 'no_such_thing' is undefined" \
        in result.output


def test_the_program_collects_garbage_less_often(tmp_path: Path) -> None:
    """A build holds millions of objects: the program's process walks them less often
    (allocator.COLLECT_AFTER) than Python would."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # Python's own
    try:
        assert run("new", str(tmp_path / "project")).exit_code == 0
        assert gc.get_threshold() == allocator.COLLECT_AFTER
    finally:
        gc.set_threshold(*before)
