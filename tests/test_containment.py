"""Containment (SECURITY.md): no file outside the project is read, and a document shows only
what it may: attacks from issue #13, each on a real project beside a folder that must not change."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from takehome.build import pipeline
from takehome.build.incremental import CACHE_DIR, FORMAT

from .conftest import SAMPLE, all_text, read_pdf, run
from .hostile import cpu_seconds, entries, takehome


def template(root: Path, name: str, text: str) -> Path:
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def refused(root: Path, *messages: str, command: str = "build") -> str:
    """The command stops with exit 1, the messages, no traceback, and output/ as it was."""
    before = entries(root / "output")
    result = takehome(root, command)
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "Traceback" not in text and "internal error" not in text, text
    for message in messages:
        assert message in text, text
    assert entries(root / "output") == before
    return text


# --- Templates that read through links -----------------------------------------------------------

def test_template_folder_linked_to_the_root_is_refused(victim: Path, beside: Path) -> None:
    (victim / "templates").mkdir()
    (victim / "templates/root").symlink_to("/")
    template(victim, "intake/sheet.html", '<p>{% include "root/etc/passwd" %}</p>')
    text = refused(victim, "templates/root/etc/passwd: error: file is a link to /etc/passwd, "
                           "outside the templates folder")
    assert "root:" not in text


def test_one_linked_template_is_refused(victim: Path, beside: Path) -> None:
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").symlink_to(beside / "secret.txt")
    refused(victim, "templates/intake/sheet.html: error: file is a link to", "outside the "
            "templates folder")


def test_a_template_linked_to_the_roster_is_refused(victim: Path) -> None:
    # Inside the project, but not a template: the roster never becomes template source.
    (victim / "templates/intake").mkdir(parents=True)
    (victim / "templates/intake/sheet.html").symlink_to(victim / "content/roster.csv")
    refused(victim, "sheet.html: error: file is a link to", "outside the templates folder")


def test_a_linked_templates_folder_is_refused(victim: Path, beside: Path) -> None:
    (victim / "templates").symlink_to(beside / "tpl")
    refused(victim, "templates: error: the templates folder is a link to", "outside the project")


def test_include_cannot_climb_out(victim: Path) -> None:
    template(victim, "intake/sheet.html", '{% include "../../content/roster.csv" %}')
    refused(victim, "template '../../content/roster.csv' not found")


# --- What a document may show ------------------------------------------------------------------

ROSTER = "content/roster.csv"


@pytest.mark.parametrize("markup, message", [
    (f'<a rel="attachment" href="{ROSTER}">x</a>', "attaching files to a PDF is refused"),
    (f'<link rel="attachment" href="{ROSTER}">', "attaching files to a PDF is refused"),
    (f'<embed src="{ROSTER}">', "embedding a file or page is refused"),
    (f'<object data="{ROSTER}"></object>', "embedding a file or page is refused"),
    (f'<img src="{ROSTER}" alt="">', "content/roster.csv is the roster"),
    (f"<img src='{ROSTER}' alt=''>", "content/roster.csv is the roster"),
    (f'<img srcset="{ROSTER} 2x" alt="">', "content/roster.csv is the roster"),
    (f'<p style="background: url({ROSTER})">x</p>', "content/roster.csv is the roster"),
    (f'<style>@import "{ROSTER}";</style>', "content/roster.csv is the roster"),
    ('<style>@import "content/intake.yaml";</style>', "is neither a picture the content names"),
    (f'<style>@import url("{ROSTER}");</style>', "content/roster.csv is the roster"),
    ('<style>@import url("data:text/css,@import%20%22content/roster.csv%22;");</style>',
     "a data: stylesheet may not refer to other files"),
    ('<style>@font-face { font-family: X; src: url(/etc/passwd) }</style>',
     "file is outside the project"),
    ('<img src="templates/%2e%2e/content/roster.csv" alt="">', "is the roster"),
    ('<img src="file:///proc/self/environ" alt="">', "outside the project"),
    ('<img src="//evil.example/x.png" alt="">', "no web addresses"),
    ('<img src="content/connection-log.csv" alt="">', "is neither a picture the content names"),
    ('<img src="content/intake.yaml" alt="">', "is neither a picture the content names"),
    ('<base href="file:///"><img src="etc/passwd" alt="">', "<base> is refused"),
    ('<img src="/etc/passwd" alt="">', "outside the project"),
    ('<svg><image href="../outside/secret.txt"/></svg>', "outside the project"),
    ('<link rel="stylesheet" href="http://127.0.0.1:9/x.css">', "no web addresses"),
])
def test_documents_show_only_what_they_may(victim: Path, beside: Path, markup: str,
                                           message: str) -> None:
    (victim / "content/connection-log.csv").write_text("date,student\n")
    template(victim, "intake/sheet.html", f"<p>Questions</p>\n{markup}\n")
    refused(victim, "templates/intake/sheet.html: error: intake/blank.en.pdf: ", message,
            command="check")


def test_no_pdf_carries_an_attachment(sample_build: Path) -> None:
    for pdf in sample_build.rglob("*.pdf"):
        names = read_pdf(pdf).trailer["/Root"].get("/Names", {})
        assert "/EmbeddedFiles" not in names, pdf


def test_a_product_cannot_ship_the_roster(victim: Path, beside: Path) -> None:
    # The sample's product is the whole kit; this project has the intake sheet only.
    (victim / "content/product.yaml").write_text(
        "title: Intake pack\nstore: Test Store\ndocuments: [intake]\n", encoding="utf-8")
    terms = (Path(__file__).parents[1] / "templates/product/terms.html").read_text()
    template(victim, "product/terms.html",
             terms + f'\n<a rel="attachment" href="{ROSTER}">roster</a>\n')
    result = takehome(victim, "package")
    text = result.stdout + result.stderr
    assert result.returncode == 1, text
    assert "templates/product/terms.html: error:" in text and "attaching files" in text, text
    assert not (victim / "dist").exists() or not list((victim / "dist").rglob("*.pdf"))


def test_a_template_may_show_its_own_pictures(victim: Path) -> None:
    from PIL import Image

    (victim / "templates/intake").mkdir(parents=True)
    Image.new("RGB", (40, 20), "red").save(victim / "templates/intake/badge.png")
    sheet = (Path(__file__).parents[1] / "templates/intake/sheet.html").read_text()
    template(victim, "intake/sheet.html",
             sheet + "\n<img src='templates/intake/badge.png' alt='badge'>\n")
    pipeline.build(victim, pipeline.Options(jobs=1))
    first = (victim / "output/intake/blank.en.pdf").read_bytes()
    # A new picture under the same name: the single-quoted reference is in the cache key.
    Image.new("RGB", (40, 20), "blue").save(victim / "templates/intake/badge.png")
    report = pipeline.build(victim, pipeline.Options(jobs=1))
    assert "intake/blank.en.pdf" in report.rendered
    assert (victim / "output/intake/blank.en.pdf").read_bytes() != first


# --- Content is text, never a file reference ---------------------------------------------------

def test_content_that_looks_like_a_reference_is_only_text(victim: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    roster = victim / "content/roster.csv"
    lines = roster.read_text().splitlines()
    lines[1] = lines[1].replace("Ana", "Sammy url(/dev/zero)", 1)
    lines[2] = lines[2].split(",", 1)[0] + f" url({fifo}) src='{fifo}'," + lines[2].split(",", 1)[1]
    roster.write_text("\n".join(lines) + "\n")
    started = cpu_seconds()
    result = takehome(victim, "build", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert cpu_seconds() - started < 120
    copies = sorted((victim / "output/intake/students").glob("*.pdf"))
    assert any("url(/dev/zero)" in all_text(p) for p in copies)


# --- Special files and links in content ----------------------------------------------------------

def test_content_as_a_pipe_is_refused_at_once(victim: Path) -> None:
    (victim / "content/intake.yaml").unlink()
    os.mkfifo(victim / "content/intake.yaml")
    started = cpu_seconds()
    refused(victim, "content/intake.yaml: error: file is a named pipe (FIFO), not a regular "
                    "file", command="check")
    assert cpu_seconds() - started < 60


@pytest.mark.parametrize("target, message", [
    ("/dev/zero", "file is a link to /dev/zero, outside the project"),
    ("{outside}/secret.txt", "outside the project; copy the file in instead"),
    ("{outside}/missing.yaml", "outside the project"),
])
def test_content_linked_out_is_refused(victim: Path, beside: Path, target: str,
                                       message: str) -> None:
    (victim / "content/intake.yaml").unlink()
    (victim / "content/intake.yaml").symlink_to(target.format(outside=beside))
    refused(victim, "content/intake.yaml: error: ", message, command="check")


@pytest.mark.parametrize("name", ["roster.csv", "images/logo.svg"])
def test_roster_and_pictures_linked_out_are_refused(victim: Path, beside: Path,
                                                    name: str) -> None:
    (victim / "content" / name).unlink()
    (victim / "content" / name).symlink_to(beside / "secret.txt")
    refused(victim, "outside the project", command="check")


def test_a_template_that_is_a_pipe_is_refused(victim: Path) -> None:
    (victim / "templates/intake").mkdir(parents=True)
    os.mkfifo(victim / "templates/intake/sheet.html")
    refused(victim, "templates/intake/sheet.html: error: file is a named pipe")


def test_links_inside_the_project_still_work(victim: Path) -> None:
    shutil.move(victim / "content/intake.yaml", victim / "intake-master.yaml")
    (victim / "content/intake.yaml").symlink_to("../intake-master.yaml")
    assert run("check", str(victim)).exit_code == 0


def test_fetcher_refuses_a_file_changed_after_it_was_checked(tmp_path: Path) -> None:
    from takehome.build.digest import sha256
    from takehome.build.typeset.engine import LocalFetcher, RefusedURL

    picture = tmp_path / "logo.svg"
    picture.write_text("<svg/>")
    fetcher = LocalFetcher([], assets=[(str(picture), sha256(b"<svg/>"))])
    assert fetcher.fetch(picture.as_uri()).read() == b"<svg/>"
    picture.write_text("<svg>changed</svg>")
    with pytest.raises(RefusedURL, match="changed during the build"):
        fetcher.fetch(picture.as_uri())
    (tmp_path / "other.svg").write_text("<svg/>")
    with pytest.raises(RefusedURL, match="not a file this page's references name"):
        fetcher.fetch((tmp_path / "other.svg").as_uri())


def test_hashing_the_project_reads_nothing_outside(victim: Path, beside: Path) -> None:
    # The build record hashes content/ and templates/: a link out is passed over, not read.
    os.mkfifo(victim / "content/notes.fifo")
    (victim / "content/elsewhere.txt").symlink_to(beside / "secret.txt")
    process = subprocess.run([sys.executable, "-c", "import sys; from takehome.build.incremental "
                              "import _inputs; from pathlib import Path; "
                              "print('\\n'.join(_inputs(Path(sys.argv[1]))))", str(victim)],
                             capture_output=True, text=True, timeout=60, check=True)
    assert "notes.fifo" not in process.stdout and "elsewhere.txt" not in process.stdout
    assert "intake.yaml" in process.stdout


@pytest.mark.parametrize("link", [CACHE_DIR, f"{CACHE_DIR}/v{FORMAT}/written"])
def test_a_planted_cache_link_is_refused(victim: Path, beside: Path, link: str) -> None:
    # Cache writes (and the writer's record) must not land outside through a shipped link.
    shutil.rmtree(victim / link)
    (victim / link).symlink_to(beside)
    (victim / "content/intake.yaml").write_text("title: Changed\n")
    refused(victim, f"{link}: error: ", "is a symbolic link")


def test_the_number_of_calendar_files_is_bounded(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    source = next((root / "content/calendar").glob("*.ics"))
    for i in range(101):
        shutil.copy(source, root / f"content/calendar/copy-{i}.ics")
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "content/calendar: error: 102 .ics files; the limit is 100" in result.output


def test_a_template_cannot_read_files_through_a_path_it_is_given(tmp_path: Path) -> None:
    # The calendar's template sees the calendar, which knows where its file is.
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    (root / "templates/calendar").mkdir(parents=True)
    original = (Path(__file__).parents[1] / "templates/calendar/year.html").read_text()
    (root / "templates/calendar/year.html").write_text(
        original + "\n{{ calendar.path.parent.joinpath('roster.csv').read_text() }}\n")
    result = run("check", str(root))
    assert result.exit_code == 1
    assert "templates/calendar/year.html" in result.output
    assert "access to attribute 'parent' of 'PosixPath' object is unsafe" in result.output


def test_a_template_cannot_read_files_through_a_content_model(tmp_path: Path) -> None:
    from takehome.build.jinja import Renderer, TemplateProblem
    from takehome.models.base import Text

    (tmp_path / "secret.json").write_text('"SECRET-7f3a"')
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/t.html").write_text(
        "{{ text.get('en', 'en') }} {{ text.parse_file('%s').root }}" % (tmp_path / "secret.json"))
    with pytest.raises(TemplateProblem) as info:
        Renderer(tmp_path / "templates").render("t.html", {"lang": "en", "text": Text("hi")})
    assert "access to attribute 'parse_file' of 'Text' object is unsafe" in str(info.value)


def test_an_attribute_is_judged_for_each_type_of_object(tmp_path: Path) -> None:
    """The sandbox decides an attribute once for each type of object (its rules ask nothing
    else): `parent` of a record is text, `parent` of a path is refused, whichever comes first."""
    from types import SimpleNamespace

    from takehome.build.jinja import Renderer, TemplateProblem

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/t.html").write_text("{{ family.parent }}|{{ path.parent }}")
    renderer = Renderer(tmp_path / "templates")
    context = {"lang": "en", "family": SimpleNamespace(parent="Ms. Okafor"), "path": tmp_path / "x"}
    with pytest.raises(TemplateProblem) as info:
        renderer.render("t.html", context)
    assert "access to attribute 'parent' of 'PosixPath' object is unsafe" in str(info.value)
    (tmp_path / "templates/u.html").write_text("{{ family.parent }}")
    assert renderer.render("u.html", context) == "Ms. Okafor"
