"""`takehome serve` in a real browser (Chromium driven by Playwright): the pages are there as
pictures, a save changes them, a broken file shows its error over them, fixing it takes the
error away, and a contact logged through the form is one new line of the log CSV.

CI sets TAKEHOME_BROWSER_TESTS=required (see .ci/run), so that a missing browser fails there;
elsewhere these tests are skipped with how to install it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest

from takehome import serve

from .serving import built_template, copy_of, running

INSTALL = ("install Chromium (Debian/Ubuntu: apt-get install chromium) and the test extra "
           "(pip install -e '.[test]'); Playwright's own browser downloads are not used")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic", "--disable-dev-shm-usage"]
WAIT_MS = 30_000  # generous: CI machines are slow, and nothing here is timed


def _unavailable(reason: str) -> None:
    if os.environ.get("TAKEHOME_BROWSER_TESTS") == "required":
        pytest.fail(f"the browser tests must run here: {reason}")
    pytest.skip(f"{reason}: {INSTALL}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        _unavailable("Chromium is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_template(tmp_path_factory.mktemp("browsed") / "project")


@pytest.fixture
def preview(template: Path, tmp_path: Path) -> Iterator[serve.Preview]:
    with running(copy_of(template, tmp_path / "project")) as p:
        yield p


def loaded(page: Any, selector: str) -> None:
    """Wait until every picture matching `selector` has arrived and has pixels."""
    page.wait_for_function(
        "s => { const all = [...document.querySelectorAll(s)];"
        " return all.length > 0 && all.every(i => i.complete && i.naturalWidth > 0); }",
        arg=selector, timeout=WAIT_MS)


def changed_picture(page: Any, before: str) -> None:
    page.wait_for_function(
        "s => { const i = document.querySelector('#pages img');"
        " return i && i.getAttribute('src') !== s && i.complete && i.naturalWidth > 0; }",
        arg=before, timeout=WAIT_MS)


def picture(page: Any) -> bytes:
    """The PNG of the first page on screen."""
    response = page.request.get(page.locator("#pages img").evaluate("i => i.src"))
    assert response.ok and response.headers["content-type"] == "image/png"
    return bytes(response.body())


def test_pages_follow_saves_and_errors_show_where_they_are(browser: Any,
                                                           preview: serve.Preview) -> None:
    welcome = preview.root / "content/welcome.yaml"
    original = welcome.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(preview.url)
    assert page.locator("h3", has_text="Welcome to Room 14!").is_visible()
    loaded(page, ".thumbs img")
    assert page.locator(".thumbs img").count() == 4  # welcome, class log, family logs, report
    page.get_by_role("link", name="Welcome, first page").click()
    loaded(page, "#pages img")
    first = page.get_attribute("#pages img", "src")
    before = picture(page)

    welcome.write_text(original.replace("like the fridge door", "next to the school calendar"),
                       encoding="utf-8")
    changed_picture(page, first)
    assert picture(page) != before
    pdf = page.request.get(page.locator("a.pdf").evaluate("a => a.href"))
    text = pypdf.PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "next to the school calendar" in " ".join(text.split())
    good = page.get_attribute("#pages img", "src")

    welcome.write_text(original.replace("intro:", "intro: [", 1), encoding="utf-8")
    overlay = page.locator(".problems")
    overlay.wait_for(timeout=WAIT_MS)
    shown = overlay.inner_text()
    assert re.search(r"content/welcome\.yaml:5:7\b", shown), shown
    assert "invalid YAML" in shown
    assert page.locator(".excerpt .marked").inner_text().endswith("en: >-")
    assert page.get_attribute("#pages img", "src") == good  # the last good page stays
    page.reload()
    assert page.locator(".problems").is_visible()  # part of the page as served
    without_scripts = browser.new_context(java_script_enabled=False)
    plain = without_scripts.new_page()
    plain.goto(preview.url)
    plain.goto(page.url)
    assert "content/welcome.yaml:5:7" in plain.locator(".problems").inner_text()
    without_scripts.close()

    welcome.write_text(original, encoding="utf-8")
    overlay.wait_for(state="detached", timeout=WAIT_MS)
    page.locator("#status", has_text="Up to date").wait_for(timeout=WAIT_MS)
    loaded(page, "#pages img")
    page.close()


def test_a_contact_logged_in_the_browser_is_one_line_and_changes_the_report(
        browser: Any, preview: serve.Preview) -> None:
    log = preview.root / "content/connection-log.csv"
    before = log.read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(preview.url)
    page.get_by_role("link", name="Report, first page").click()
    loaded(page, "#pages img")
    report = page.get_attribute("#pages img", "src")
    page.get_by_label("Student").select_option(label="Minh Anh Nguyễn")
    page.get_by_label("Date").fill("2026-09-04")
    page.get_by_label("How").select_option("phone")
    page.get_by_label("Concern").check()
    page.get_by_label("Note").fill('Tired all week, "sleepy" at reading time')
    page.get_by_label("Follow-up").fill("Ask about bedtime")
    page.get_by_role("button", name="Add to the log").click()
    assert "Added as line 4 of content/connection-log.csv" in page.locator(".added").inner_text()
    added = log.read_text(encoding="utf-8")[len(before):]
    assert log.read_text(encoding="utf-8").startswith(before)
    assert added == ('2026-09-04,Minh Anh Nguyễn,phone,concern,'
                     '"Tired all week, ""sleepy"" at reading time",Ask about bedtime\n')
    changed_picture(page, report)

    # The same document on A4, in ink-saver greys: laid out anew, not scaled.
    page.get_by_label("A4").check()
    page.wait_for_url(re.compile(r"paper=a4"))
    loaded(page, "#pages img")
    size = page.evaluate("() => { const i = document.querySelector('#pages img');"
                         " return [i.naturalWidth, i.naturalHeight]; }")
    assert abs(size[1] / size[0] - 297 / 210) < 0.01  # A4, where Letter is 11 / 8.5
    page.close()
