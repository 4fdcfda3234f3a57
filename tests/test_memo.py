"""Rendered pages remembered between builds (build/memo.py): a rebuild renders again only the
templates whose inputs changed, and gives exactly what rendering everything would."""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pydantic
import pytest
from markupsafe import Markup

from takehome.build import compiled, jinja, load, memo, pipeline, plan, render
from takehome.build.incremental import Cache
from takehome.build.jinja import Renderer
from takehome.build.memo import Fingerprints, Memo, Unknown
from takehome.build.records import Rendered
from takehome.build.typeset import Workers
from takehome.errors import Problems

from .conftest import tree_bytes


@pytest.fixture(autouse=True)
def _nothing_kept_in_this_process() -> None:
    """Each test starts as a new process does: from what the cache folder holds."""
    memo._KEPT.clear()


def rendered(root: Path, remembered: bool) -> tuple[list[Rendered], Counter[str]]:
    """The render stage's pages (with the pages a build before kept, or rendering every
    template), and how many times each template was rendered."""
    calls: Counter[str] = Counter()
    original = Renderer.render

    def counting(self: Renderer, name: str, context: dict[str, Any]) -> str:
        calls[name] += 1
        return original(self, name, context)

    problems = Problems()
    project = load.load(root, problems)
    planned = plan.plan(project, problems)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Renderer, "render", counting)
        kept = Memo(Cache(root), "test", project.templates) if remembered else None
        pages = render.render(project, planned, problems, memo=kept)
    return pages.rendered, calls


def facts(pages: list[Rendered]) -> list[tuple[str, str, str, object]]:
    return [(r.job.output, r.key, r.css, r.record) for r in pages]


def pages_of(calls: Counter[str]) -> set[str]:
    return {name for name in calls if not name.endswith(".css")}


def test_kept_pages_are_what_rendering_gives_and_an_edit_is_rendered_again(
        project: Path) -> None:
    fresh, _ = rendered(project, remembered=False)
    first, calls = rendered(project, remembered=True)  # nothing kept yet: every page rendered
    assert facts(first) == facts(fresh)
    assert pages_of(calls) >= {"intake/sheet.html", "newsletter/issue.html"}

    again, calls = rendered(project, remembered=True)
    assert facts(again) == facts(fresh)
    # Only what cannot be remembered is rendered (pages whose context holds something a
    # fingerprint does not cover); the intake sheets and newsletters are taken as kept.
    assert not pages_of(calls) & {"intake/sheet.html", "newsletter/issue.html"}

    issue = next(project.glob("content/newsletters/*.yaml"))
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "A letter from the principal", "A letter from our head", 1), encoding="utf-8")
    edited, calls = rendered(project, remembered=True)
    assert facts(edited) == facts(rendered(project, remembered=False)[0])
    assert "newsletter/issue.html" in pages_of(calls)
    assert "intake/sheet.html" not in pages_of(calls)  # its inputs did not change
    assert any("A letter from our head" in r.record.markup for r in edited)


def test_a_changed_template_forgets_every_page(project: Path) -> None:
    rendered(project, remembered=True)
    (project / "templates/intake").mkdir(parents=True)
    builtin = Path(__file__).parents[1] / "templates/intake/sheet.html"
    (project / "templates/intake/sheet.html").write_text(
        builtin.read_text(encoding="utf-8").replace("<h1", '<h1 data-test="override"', 1),
        encoding="utf-8")
    after, calls = rendered(project, remembered=True)
    assert facts(after) == facts(rendered(project, remembered=False)[0])
    assert {"intake/sheet.html", "newsletter/issue.html"} <= pages_of(calls)
    assert any('data-test="override"' in r.record.markup for r in after)


def test_kept_pages_that_do_not_verify_are_not_used(project: Path) -> None:
    rendered(project, remembered=True)
    [path] = (Cache(project).root / "renders").glob("*.json")
    signed = json.loads(path.read_text(encoding="utf-8"))
    for base in signed["record"]["bases"].values():  # someone rewrites the kept pages
        base["html"] = base["html"].replace("<h1", "<h1 class=planted", 1)
    path.write_text(json.dumps(signed), encoding="utf-8")
    memo._KEPT.clear()  # a new process, reading the cache folder
    after, calls = rendered(project, remembered=True)
    assert facts(after) == facts(rendered(project, remembered=False)[0])
    assert {"intake/sheet.html", "newsletter/issue.html"} <= pages_of(calls)
    assert not any("planted" in r.record.markup for r in after)


@pytest.fixture
def small(project: Path) -> Path:
    """The sample with only its intake sheets and newsletters: a whole build stays short."""
    (project / "content/calendar.yaml").unlink()
    shutil.rmtree(project / "content/calendar")
    for name in ("cards.yaml", "welcome.yaml", "log.yaml", "connection-log.csv", "packets.yaml"):
        (project / "content" / name).unlink()
    return project


def test_rebuilt_output_is_the_bytes_of_a_cold_build(small: Path, tmp_path: Path) -> None:
    pipeline.build(small)
    roster = small / "content/roster.csv"
    roster.write_text(roster.read_text().replace("(555) 010-2107", "(555) 010-9999"))
    intake = small / "content/intake.yaml"
    intake.write_text(intake.read_text().replace("Welcome to second grade!", "Welcome!"))
    report = pipeline.build(small)
    assert "intake/students/07-miller-ethan.pdf" in report.rendered
    cold = tmp_path / "cold"
    shutil.copytree(small / "content", cold / "content")
    pipeline.build(cold)
    assert tree_bytes(small / "output") == tree_bytes(cold / "output")


def test_only_a_process_that_builds_again_keeps_the_pages_in_memory(small: Path) -> None:
    """A command-line build ends with its process: its pages are kept in the cache folder only
    (a roster of thousands would hold them all to its end); --watch and serve, which keep
    their typesetting processes from build to build, keep them in memory too."""
    pipeline.build(small)
    assert not memo._KEPT
    assert list((Cache(small).root / "renders").glob("*.json"))
    intake = small / "content/intake.yaml"
    intake.write_text(intake.read_text().replace("Welcome to second grade!", "Welcome!"))
    with Workers(1) as workers:
        report = pipeline.build(small, pipeline.Options(workers=workers))
    assert "intake/students/07-miller-ethan.pdf" in report.rendered
    assert memo._KEPT


def test_a_warm_start_with_nothing_changed_loads_what_the_first_save_needs(small: Path) -> None:
    """--watch and serve start with a build that, though nothing changed since the last one,
    renders (from the cache folder) and starts the typesetting processes: the first save is
    then rebuilt from memory, on processes already running, as the saves after it are."""
    pipeline.build(small)
    with Workers(2) as workers:
        report = pipeline.build(small, pipeline.Options(workers=workers, warm=True))
        assert report.rendered == [] and report.reused
        assert memo._KEPT  # the pages, kept in memory for the first save
        assert workers.started() and len(workers.pool()._processes) == 2  # type: ignore[attr-defined]
        noop = pipeline.build(small, pipeline.Options(workers=workers))
        assert noop.rendered == []


class School(pydantic.BaseModel):
    name: str


class Settings(pydantic.BaseModel):
    school: School
    year: date | None


def test_fingerprints_cover_every_value_a_template_sees() -> None:
    settings = Settings(school=School(name="Lincoln"), year=date(2026, 8, 24))
    other = settings.model_copy(deep=True)
    prints = Fingerprints()
    assert prints.of({"settings": settings}) == Fingerprints().of({"settings": other})
    renamed = settings.model_copy(update={"school": School(name="Lincoln Elementary")})
    assert prints.of({"settings": renamed}) != prints.of({"settings": settings})
    assert prints.of(settings) != prints.of(settings.model_copy(update={"year": None}))

    @dataclasses.dataclass
    class Row:
        name: str
        phones: list[str]

    assert prints.of([Row("Ana", ["1"])]) != prints.of([Row("Ana", ["2"])])
    # A dict in its order (a template iterating it prints it so); a set in none.
    assert prints.of({"a": 1, "b": 2}) != prints.of({"b": 2, "a": 1})
    assert prints.of({"a", "b"}) == prints.of({"b", "a"})
    assert prints.of({"a": [Row("Ana", [])]}) != prints.of({"a": [Row("Ana", ["1"])]})
    assert prints.of(["a", Row("Ana", [])]) != prints.of([Row("Ana", []), "a"])
    assert prints.of(["<b>"]) != prints.of([Markup("<b>")])
    assert prints.of([None, 1.0, b"x"]) != prints.of(["None", 1, "x"])
    assert prints.of((1,)) != prints.of([1]) and prints.of(1) != prints.of("1")
    assert prints.of(True) != prints.of(1)

    def greeter(word: str) -> Any:
        return lambda name: f"{word} {name}"

    assert prints.of(greeter("Hello")) != prints.of(greeter("Hola"))
    assert Fingerprints().of(greeter("Hello")) == Fingerprints().of(greeter("Hello"))
    with pytest.raises(Unknown):
        prints.of(object())
    loop: list[object] = []
    loop.append(loop)
    with pytest.raises(Unknown):
        prints.of(loop)


def test_compiled_templates_are_kept_signed_and_a_forged_one_is_not_run(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build in a new process loads the templates an earlier build compiled instead of
    compiling them again; compiled code planted in the cache folder is never run."""
    compiles: Counter[str] = Counter()
    original = jinja.BoundedEnvironment.compile

    def counting(self: jinja.BoundedEnvironment, source: str, name: str | None = None,
                 *args: Any, **kwargs: Any) -> Any:
        compiles[name or ""] += 1
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja.BoundedEnvironment, "compile", counting)
    jinja._environment.cache_clear()
    first, _ = rendered(project, remembered=True)
    assert compiles["intake/sheet.html"] >= 1
    folder = Cache(project).root / compiled.FOLDER
    kept = sorted(folder.iterdir())
    assert kept

    compiles.clear()
    jinja._environment.cache_clear()  # as a new process
    memo._KEPT.clear()
    (Cache(project).root / "renders").rename(project / "renders")  # every page rendered again
    again, _ = rendered(project, remembered=True)
    assert not compiles and facts(again) == facts(first)

    for path in kept:  # someone without the key writes other code in their place
        path.write_bytes(path.read_bytes()[:64] + path.read_bytes()[64:].replace(b"a", b"b"))
    jinja._environment.cache_clear()
    memo._KEPT.clear()
    shutil.rmtree(Cache(project).root / "renders")
    forged, _ = rendered(project, remembered=True)
    assert compiles["intake/sheet.html"] >= 1 and facts(forged) == facts(first)
