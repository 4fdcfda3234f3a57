"""The render stage: many jobs are rendered by forked processes, as one process renders them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from takehome.build import jinja, render
from takehome.errors import BuildError

from .conftest import render_project, trim_roster


def _rendered(root: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool,
              share: int = render.SHARE, renewed: int = render.SHARES_PER_RENDERER
              ) -> list[tuple]:
    monkeypatch.setattr(render, "PARALLEL_JOBS", 10 if parallel else 10**9)
    monkeypatch.setattr(render, "SHARE", share)
    monkeypatch.setattr(render, "SHARES_PER_RENDERER", renewed)
    # pytest's own threads (xdist) are not touched by the renderers: let them fork anyway.
    monkeypatch.setattr(render.threading, "active_count", lambda: 1)
    _, problems, pages = render_project(root)
    return [(r.job.output, r.key, r.record.markup, r.record.shows) for r in pages.rendered] + [
        [str(w) for w in problems.warnings]]


def test_forked_renderers_give_what_one_process_gives(project: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    trim_roster(project, 12)
    one = _rendered(project, monkeypatch, parallel=False)
    assert len(one) > 20
    assert _rendered(project, monkeypatch, parallel=True) == one
    # Many small shares, a few in flight at a time, by renderers forked anew every two shares:
    # the pages still come in the plan's order.
    assert _rendered(project, monkeypatch, parallel=True, share=3, renewed=2) == one


def test_a_template_error_in_a_forked_renderer_names_its_line(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trim_roster(project, 12)
    (project / "templates/welcome").mkdir(parents=True)
    (project / "templates/welcome/sheet.html").write_text(
        "<p>Hello</p>\n<p>{{ no_such_value }}</p>\n")
    monkeypatch.setattr(render, "PARALLEL_JOBS", 10)
    monkeypatch.setattr(render.threading, "active_count", lambda: 1)
    _, problems, _ = render_project(project)
    with pytest.raises(BuildError) as caught:
        problems.raise_if_errors()
    assert "templates/welcome/sheet.html:2" in caught.value.report()


def test_a_page_leaves_no_deadline_in_its_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Environments live on in the process (and are shared by renderers of the same
    templates): one used again after a page was rendered is not stopped by that page's
    deadline."""
    monkeypatch.setattr(jinja, "RENDER_SECONDS", 0.01)
    renderer = jinja.Renderer()
    with pytest.raises(jinja.TemplateProblem):
        renderer.render("no/such/template.html", {"lang": "es"})
    time.sleep(0.05)
    assert renderer.env("es").from_string("{{ [1, 2]|length }}").render() == "2"
