"""The smaller attacks of issue #13: output names from file names, web pages from templates, the
fontconfig file in the shared temporary folder, and inputs that gave internal errors instead of
`file:line:col` messages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib.metadata import version
from pathlib import Path

import pytest
import tinyhtml5

from takehome import fonts, watch
from takehome.build import load, pipeline, plan, render
from takehome.errors import Problems

from .conftest import REPO, intake_only, run
from .hostile import cpu_seconds

# Every attack here must leave the folder beside the project exactly as it was.
pytestmark = pytest.mark.usefixtures("beside")


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "content" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_at(root: Path, where: str, message: str, *args: str) -> None:
    result = run("check", str(root), *args)
    assert result.exit_code == 1, result.output
    assert f"{where}: error: " in result.output and message in result.output, result.output
    assert "internal error" not in result.output and "Error: error:" not in result.output


# --- Output names --------------------------------------------------------------------------------

def test_newsletter_output_names_are_slugs(project: Path) -> None:
    issue = (project / "content/newsletters/2026-12.yaml").read_text(encoding="utf-8")
    for name, month in (("CON", "01"), ("javascript:alert(1)", "02"), ("two\nlines", "03")):
        (project / "content/newsletters" / f"{name}.yaml").write_text(
            issue.replace("date: 2026-12-01", f"date: 2027-{month}-01"), encoding="utf-8")
    problems = Problems()
    loaded = load.load(project, problems)
    planned = plan.plan(loaded, problems, ("newsletters",))
    outputs = {s.output for s in planned.steps}
    assert {"newsletters/con-issue.en.pdf", "newsletters/javascript-alert-1.en.html",
            "newsletters/two-lines.es.pdf"} <= outputs
    assert all(re.fullmatch(r"[a-z0-9./-]+", o) for o in outputs), outputs
    pages = render.render(loaded, planned, problems)
    index = pages.files["newsletters/index.html"].decode()
    assert "javascript:" not in "".join(a.get("href", "") for a in
                                        tinyhtml5.parse(index).iter("{*}a"))


# --- Web pages from templates ------------------------------------------------------------------

@pytest.mark.parametrize("page", [
    '<!DOCTYPE html><html><head><script src="https://evil.example/x.js"></script></head>'
    "<body>{{ title }}</body></html>",
    '<script src="https://evil.example/x.js"></script><p>{{ title }}</p>',
])
def test_web_pages_get_a_policy_before_anything_a_template_wrote(project: Path,
                                                                 page: str) -> None:
    (project / "templates/newsletter").mkdir(parents=True)
    (project / "templates/newsletter/web.html").write_text(page)
    problems = Problems()
    loaded = load.load(project, problems)
    pages = render.render(loaded, plan.plan(loaded, problems, ("newsletters",)), problems)
    html = pages.files["newsletters/2026-12.en.html"].decode()
    tree = tinyhtml5.parse(html)
    head = [e for e in tree.iter() if isinstance(e.tag, str) and
            e.tag.endswith(("meta", "script"))]
    assert head[0].tag.endswith("meta") and head[0].get("http-equiv") == \
        "Content-Security-Policy"
    assert "default-src 'none'" in head[0].get("content", "")
    assert "script-src" not in head[0].get("content", "")


# --- The shared temporary folder ---------------------------------------------------------------

def test_fontconfig_file_planted_by_someone_else_is_not_used(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setenv("FONTCONFIG_FILE", "unset")
    fonts.prepare_environment()
    path = Path(os.environ["FONTCONFIG_FILE"])
    good = path.read_text()
    assert path.parent == tmp_path and oct(path.stat().st_mode & 0o777) == "0o600"
    path.write_text(good.replace("</fontconfig>", "<dir>/home</dir></fontconfig>"))
    fonts.prepare_environment()
    assert Path(os.environ["FONTCONFIG_FILE"]).read_text() == good
    # A link planted under the name: replaced, never written through.
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    path.unlink()
    path.symlink_to(victim)
    fonts.prepare_environment()
    assert victim.read_text() == "keep me"
    assert Path(os.environ["FONTCONFIG_FILE"]).read_text() == good


def test_jinja_without_the_sandbox_escape() -> None:
    parts = tuple(int(p) for p in version("jinja2").split(".")[:3])
    assert parts >= (3, 1, 6)
    assert '"jinja2>=3.1.6' in (REPO / "pyproject.toml").read_text()


# --- Internal errors that are now messages -----------------------------------------------------

def test_dates_out_of_range_are_content_errors(project: Path) -> None:
    edit(project, "newsletters/2026-12.yaml", "date: 2026-12-01", "date: 9999-12-01")
    error_at(project, "content/newsletters/2026-12.yaml:9:7", "9999-12-01 is not a date")


@pytest.mark.parametrize("start, end", [("9999-08-24", "9999-12-30"),
                                        ("0001-01-02", "0001-12-30")])
def test_school_years_out_of_range_are_content_errors(project: Path, start: str,
                                                      end: str) -> None:
    edit(project, "settings.yaml", "start: 2026-08-24", f"start: {start}")
    edit(project, "settings.yaml", "end: 2027-06-10", f"end: {end}")
    error_at(project, "content/settings.yaml:29:10", f"{start} is not a date takehome can print")


@pytest.mark.parametrize("address, message", [
    ("https://maplegrove.example.org:99999/x", "is not a valid web address (Port out of range"),
    ("https://maplegrove.example.org/" + "a" * 3000, "the web address is 3,031 characters"),
])
def test_web_addresses_that_cannot_print_are_content_errors(project: Path, address: str,
                                                            message: str) -> None:
    edit(project, "settings.yaml", "website: https://maplegrove.example.org",
         f"website: {address}")
    error_at(project, "content/settings.yaml:7:12", message)


def test_a_link_with_a_bad_port_in_a_newsletter_prints(project: Path) -> None:
    edit(project, "newsletters/2026-12.yaml", "(https://maplegrove.example.org/concert)",
         "(https://maplegrove.example.org:99999/concert)")
    assert run("check", str(project)).exit_code == 0


def test_source_date_epoch_that_is_not_a_number(project: Path) -> None:
    intake_only(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    result = subprocess.run([sys.executable, "-m", "takehome", "build", "--jobs", "1",
                             str(project)], capture_output=True, text=True, timeout=240,
                            env={**env, "SOURCE_DATE_EPOCH": "abc"}, check=False)
    assert result.returncode == 1
    assert "error: SOURCE_DATE_EPOCH is 'abc': it must be a whole number" in result.stderr
    assert not (project / "output").exists()


def test_preview_asks_are_bounded(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    for name, size in (("one.pdf", 612), ("huge.pdf", 14_400)):
        writer = PdfWriter()
        writer.add_blank_page(size, size)
        writer.write(tmp_path / name)
    started = cpu_seconds()
    result = run("preview", str(tmp_path / "one.pdf"), "--pages", "1-2000000000")
    assert result.exit_code == 2 and "asks for more than 10,000 pages" in result.output
    result = run("preview", str(tmp_path / "huge.pdf"))
    assert result.exit_code == 1
    assert "page 1 is 5,080 × 5,080 mm: its picture would have 400 megapixels" in result.output
    assert cpu_seconds() - started < 30


def test_a_year_at_a_glance_that_cannot_show_the_year(project: Path) -> None:
    edit(project, "calendar.yaml", "start_month: 8 ", "start_month: 9 ")
    error_at(project, "content/calendar.yaml:7:14",
             "the year at a glance would run from 2025-09 to 2027-06, 22 months")
    edit(project, "calendar.yaml", "start_month: 9 ", "start_month: 8 ")
    edit(project, "settings.yaml", "end: 2027-06-10", "end: 2027-08-10")
    error_at(project, "content/calendar.yaml:7:14", "2026-08 to 2027-08, 13 months")


def test_watch_survives_content_moved_away(project: Path, tmp_path: Path) -> None:
    intake_only(project)
    messages: list[str] = []
    stop = threading.Event()
    options = pipeline.Options(jobs=1)
    thread = threading.Thread(target=watch.watch, args=(project, options, stop, messages.append),
                              daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 180
        while not any(m.startswith("Watching") for m in messages):
            assert time.monotonic() < deadline, messages
            time.sleep(0.2)
        shutil.move(project / "content", tmp_path / "away")
        while not any("no project here" in m for m in messages):
            assert time.monotonic() < deadline and thread.is_alive(), messages
            time.sleep(0.2)
        shutil.move(tmp_path / "away", project / "content")
        built = len([m for m in messages if m.startswith("Built")])
        while len([m for m in messages if m.startswith("Built")]) == built:
            assert time.monotonic() < deadline and thread.is_alive(), messages
            time.sleep(0.2)
    finally:
        stop.set()
        thread.join(30)
