"""Bounded work (SECURITY.md, issue #13): whatever a template, an imported calendar or a picture
asks for, a build stops in seconds with a message naming the file and line."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from takehome.build import jinja
from takehome.build.jinja import Renderer, TemplateProblem

from .conftest import SAMPLE, intake_only, run
from .hostile import cpu_seconds, takehome

# Every attack here must leave the folder beside the project exactly as it was.
pytestmark = pytest.mark.usefixtures("beside")


def render(tmp_path: Path, source: str) -> str:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates/t.html").write_text(source)
    return Renderer(tmp_path / "templates").render("t.html", {"lang": "en"})


@pytest.mark.parametrize("source, message", [
    ("{{ 9**(9**9) }}", "9 ** 387420489 is too large a number"),
    ("{{ 2 ** 100000 }}", "2 ** 100000 is too large a number"),
    ('{{ "x"|center(3000000000) }}', "|center would make more than 5,000,000 characters"),
    ('{{ "x" * 3000000000 }}', "this repetition would make more than"),
    ("{{ [0] * 3000000000 }}", "would make more than 100,000 items"),
    ('{{ "x".ljust(3000000000) }}', ".ljust() would make more than"),
    ('{{ "{:>3000000000}".format(1) }}', "this format() would make more than"),
    ('{{ "%3000000000s" % "x" }}', "this % formatting would make more than"),
    ('{{ "%3000000000s"|format("x") }}', "this % formatting would make more than"),
    ('{% set s = "a" * 4000000 %}{{ s|replace("a", "bb") }}', "|replace would make more than"),
    ('{% set s = "a" * 4000000 %}{{ (s ~ s) }}', "joining with ~ would make more than"),
    ('{% set s = "a" * 1000000 %}{{ ([s] * 100)|join }}', "|join would make more than"),
    ('{% set s = "a" * 1000000 %}{{ [s] * 100 }}', "printing this value would make more than"),
    ('{% set s = "a" * 1000000 %}{{ _("%(x)s", x=[s] * 100) }}', "this translated text would"),
    ('{% macro m() %}{% for i in range(100000) %}{{ "x" * 100 }}{% endfor %}{% endmacro %}'
     "{{ m()|length }}", "this block's output would make more than"),
    ("{{ lipsum(1000000) }}", "lipsum() makes at most 100 paragraphs"),
    ("{{ [1]|slice(100000000)|list }}", "|slice would make more than 100,000 items"),
    ('{{ "{0.__class__}".format(1) }}', "access to attribute '__class__'"),
    ('{{ ("{0.__class__.__init__.__globals__}"|attr("format"))(cycler) }}', "unsafe"),
])
def test_templates_cannot_ask_for_unbounded_work(tmp_path: Path, source: str,
                                                 message: str) -> None:
    started = cpu_seconds()
    with pytest.raises(TemplateProblem) as info:
        render(tmp_path, source)
    assert cpu_seconds() - started < 5
    assert "t.html:1: error: template error:" in str(info.value)
    assert message in str(info.value)


def test_ordinary_arithmetic_and_text_still_work(tmp_path: Path) -> None:
    assert render(tmp_path, '{{ 2**10 }} {{ "ab" * 3 }} {{ "%5s"|format("x") }} '
                            '{{ "{:>4}".format(1) }} {{ [1, 2]|join(",") }} {{ "a"|center(5) }} '
                            '{{ (3 * 4) ~ "!" }} {{ [1] + [2] }}') == \
        '1024 ababab     x    1 1,2   a   12! [1, 2]'


def test_compiling_is_under_the_deadline_too(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja, "RENDER_SECONDS", 0.2)
    started = cpu_seconds()
    with pytest.raises(TemplateProblem) as info:
        render(tmp_path, "<p>{{ x }}</p>\n" * 40_000)  # about a second to compile
    assert "ran for more than" in str(info.value)
    assert cpu_seconds() - started < 10


def test_a_template_too_large_to_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem) as info:
        render(tmp_path, "x" * 1_100_000)
    assert "t.html: error: file is 1,100,000 bytes; the limit is 1,000,000" in str(info.value)


def test_a_product_template_with_a_runaway_power_fails_fast(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    intake_only(root)
    (root / "templates/intake").mkdir(parents=True)
    (root / "templates/intake/sheet.html").write_text("<p>\n{{ 9**(9**9) }}</p>")
    started = cpu_seconds()
    result = takehome(root, "check")
    assert result.returncode == 1
    assert "templates/intake/sheet.html:2: error: template error: 9 ** 387420489" in \
        result.stderr
    assert cpu_seconds() - started < 60


# --- Imported calendars ------------------------------------------------------------------------

def _ics(project: Path, events: str) -> Path:
    path = project / "content/calendar/hostile.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n" + events +
                    "END:VCALENDAR\r\n", newline="")
    return path


def _event(i: int, start: str, rule: str, summary: str = "Event") -> str:
    return (f"BEGIN:VEVENT\r\nUID:hostile-{i}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\n"
            f"SUMMARY:{summary}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n")


HOURS = ",".join(str(h) for h in range(24))


def test_a_rule_from_year_one_with_a_huge_count_is_refused_at_once(project: Path) -> None:
    _ics(project, _event(1, "00010101T000000", f"FREQ=DAILY;COUNT=1000000000;BYHOUR={HOURS}"))
    started = cpu_seconds()
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "hostile.ics:4: error: RRULE repeats from 0001-01-01: about" in result.output
    assert cpu_seconds() - started < 30


def test_rules_that_never_happen_are_stopped(project: Path) -> None:
    _ics(project, "".join(_event(i, "20260101T000000", "FREQ=DAILY;BYMONTHDAY=1;BYYEARDAY=2")
                          for i in range(20)))
    started = cpu_seconds()
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "hostile.ics:4: error: expanding this file's repeating events took more than 5 s" \
        in result.output
    assert cpu_seconds() - started < 40


def test_an_event_title_that_looks_like_a_file_is_only_text(project: Path,
                                                            tmp_path: Path) -> None:
    _ics(project, _event(1, "20261005T180000", "FREQ=WEEKLY;COUNT=2",
                         summary="Open house url(/dev/zero) src='/dev/zero'"))
    result = run("check", str(project))
    assert result.exit_code == 0, result.output


# --- Pictures ----------------------------------------------------------------------------------

def _nested_use(levels: int) -> str:
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
             '<defs><rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        uses = "".join(f'<use xlink:href="#l{level - 1}"/>' for _ in range(10))
        parts.append(f'<g id="l{level}">{uses}</g>')
    parts.append(f'</defs><use xlink:href="#l{levels}"/></svg>')
    return "".join(parts)


@pytest.mark.parametrize("svg, message", [
    (_nested_use(7), "SVG draws more than 50,000 elements once its <use> copies are expanded"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(x.css);</style></svg>',
     "SVG refers to another file (x.css, @import in a <style> of an SVG picture)"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>',
     "SVG refers to another file (file:///etc/passwd"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#a"/></g></svg>',
     "SVG has a <use> that copies itself"),
    ('<svg xmlns="http://www.w3.org/2000/svg">' + "<g>" * 100 + "</g>" * 100 + "</svg>",
     "SVG is nested deeper than 64 levels"),
])
def test_hostile_svg_logos_are_refused(project: Path, svg: str, message: str) -> None:
    (project / "content/images/logo.svg").write_text(svg)
    started = cpu_seconds()
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "content/settings.yaml:8:9: error: 'content/images/logo.svg': " + message in \
        result.output, result.output
    assert cpu_seconds() - started < 30


def test_a_huge_picture_in_a_template_is_refused(project: Path) -> None:
    from PIL import Image

    intake_only(project)
    (project / "templates/intake").mkdir(parents=True)
    Image.new("1", (12000, 12000)).save(project / "templates/intake/huge.png", optimize=True)
    sheet = (Path(__file__).parents[1] / "templates/intake/sheet.html").read_text()
    (project / "templates/intake/sheet.html").write_text(
        sheet + '\n<img src="templates/intake/huge.png" alt="">\n')
    result = takehome(project, "check")
    assert result.returncode == 1
    assert "templates/intake/sheet.html: error: intake/blank.en.pdf: <img src> " \
           "'templates/intake/huge.png': image has more than 50 megapixels" in result.stderr
    assert "1 error;" in result.stderr


def test_a_picture_bomb_inside_a_template_is_refused(project: Path) -> None:
    import base64
    import io

    from PIL import Image

    intake_only(project)
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, "PNG", optimize=True)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    (project / "templates/intake").mkdir(parents=True)
    sheet = (Path(__file__).parents[1] / "templates/intake/sheet.html").read_text()
    (project / "templates/intake/sheet.html").write_text(sheet + f'\n<img src="{uri}" alt="">\n')
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "<img src> 'data:image/png;base64,iVBOR" in result.output
    assert "image has more than 50 megapixels" in result.output


def test_a_template_that_makes_thousands_of_pages_is_stopped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from takehome.build import pipeline, typeset
    from takehome.errors import BuildError

    monkeypatch.setattr(typeset, "LAYOUT_SECONDS", 1.0)
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    intake_only(root)
    (root / "templates/intake").mkdir(parents=True)
    (root / "templates/intake/sheet.html").write_text(
        "{% for i in range(50000) %}<p>x</p>{% endfor %}")
    started = time.process_time()
    with pytest.raises(BuildError) as info:
        pipeline.build(root, pipeline.Options(jobs=1, only=("intake",)))
    assert "intake/blank.en.pdf: laying it out took more than 1 s of processor time" in \
        str(info.value)
    assert time.process_time() - started < 60
    assert not (root / "output").exists()


def test_a_process_that_built_before_uses_templates_changed_or_added_since(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--watch and serve keep each language's compiled templates from build to build; a
    template edited (even to the same size, within one tick of the clock) or put in front of
    a built-in one is read again."""
    first, second = tmp_path / "project", tmp_path / "builtin"
    for folder in (first, second):
        folder.mkdir()
    (second / "page.html").write_text("built-in {{ lang }}")
    (first / "other.html").write_text("x")
    monkeypatch.setattr(jinja, "BUILTIN_TEMPLATES", second)

    def rendered() -> str:
        return Renderer(first).render("page.html", {"lang": "en"})

    assert rendered() == "built-in en"
    (second / "page.html").write_text("BUILT-IN {{ lang }}")  # the same size, at once
    assert rendered() == "BUILT-IN en"
    (first / "page.html").write_text("project {{ lang }}")
    assert rendered() == "project en"
    assert jinja._environment.cache_info().hits >= 2  # one environment, kept
