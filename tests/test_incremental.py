"""Incremental, parallel and sharded builds: the cache re-renders exactly what changed."""

from __future__ import annotations

import io
import json
import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from takehome import BUILTIN_TEMPLATES
from takehome.build import load, pipeline
from takehome.build.incremental import CACHE_DIR, Cache
from takehome.build.join import join_pdfs
from takehome.build.pipeline import Options
from takehome.build.typeset import Progress
from takehome.progress import reporter

from .conftest import run, tree_bytes

ENGLISH = {"intake/blank.en.pdf", "intake/fillable.en.pdf"}
# 28 intake sheets (24 families; a blank and a fillable sheet in each of the sample's two
# languages, settings: languages) and 3 newsletter editions (their web pages are not typeset)
INTAKE = 28
PDFS = INTAKE + 3


@pytest.fixture
def project(project: Path) -> Path:
    """The sample without its calendar and the connection documents: these tests are about the
    cache, and stay fast."""
    (project / "content/calendar.yaml").unlink()
    shutil.rmtree(project / "content/calendar")
    for name in ("cards.yaml", "welcome.yaml", "log.yaml", "connection-log.csv", "packets.yaml"):
        (project / "content" / name).unlink()
    return project


def build(root: Path, **options: object) -> pipeline.BuildReport:
    return pipeline.build(root, Options(**options))  # type: ignore[arg-type]


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {p for p in after if before.get(p) != after[p]} | (before.keys() - after.keys())


def test_each_input_rebuilds_exactly_what_it_affects(project: Path) -> None:
    first = build(project)
    assert first.reused == 0 and len(first.rendered) == PDFS
    out = project / "output"
    before = tree_bytes(out)

    again = build(project)
    assert again.rendered == [] and again.reused == PDFS
    assert tree_bytes(out) == before

    # One family's phone number: only that copy and the class set change.
    roster = project / "content/roster.csv"
    roster.write_text(roster.read_text().replace("(555) 010-2107", "(555) 010-9999"))
    report = build(project)
    assert report.rendered == ["intake/students/07-miller-ethan.pdf"]
    after = tree_bytes(out)
    assert changed(before, after) == {"intake/students/07-miller-ethan.pdf",
                                      "intake/class-set.pdf", "manifest.json"}
    # The class set was joined from the last one's unchanged parts: the same bytes as a join
    # of every copy from scratch.
    scratch = project / "scratch.pdf"
    made = next(e for e in json.loads(after["manifest.json"])["documents"]
                if e["path"] == "intake/class-set.pdf")  # its title and language, as planned
    join_pdfs(sorted((out / "intake/students").glob("*.pdf")), True, scratch,
              title=made["title"], lang=made["language"] or "")
    assert scratch.read_bytes() == after["intake/class-set.pdf"]
    last = Cache(project).last_join("intake/class-set.pdf")
    assert last and last[1]["copied"] == len(list((out / "intake/students").glob("*.pdf"))) - 1

    # English text only: the English copies change, the Spanish ones are reused.
    intake = project / "content/intake.yaml"
    intake.write_text(intake.read_text().replace("Welcome to second grade!", "Welcome!"))
    report = build(project)
    assert set(report.rendered) >= ENGLISH
    assert "intake/students/01-lopez-ana.pdf" not in report.rendered  # a Spanish family
    assert "intake/blank.es.pdf" not in report.rendered

    # A referenced image: everything that shows the logo.
    logo = project / "content/images/logo.svg"
    logo.write_text(logo.read_text().replace("#2f6f73", "#7a3b69"))
    assert len(build(project).rendered) == PDFS


def test_template_override_rerenders_its_documents(project: Path) -> None:
    build(project)
    (project / "templates/intake").mkdir(parents=True)
    source = (Path(__file__).parents[1] / "templates/intake/sheet.css").read_text()
    (project / "templates/intake/sheet.css").write_text(source + "\nh1 { color: #000; }\n")
    assert len(build(project).rendered) == INTAKE


def test_nothing_changed_is_known_without_loading_the_project(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(project)
    out = project / "output"
    before = tree_bytes(out)

    def refuse(root: Path) -> None:
        raise AssertionError("the project was loaded again")

    with monkeypatch.context() as patch:
        patch.setattr(load, "load", refuse)
        again = build(project)
    assert (again.files, again.pages, again.reused, again.rendered) == (
        first.files, first.pages, PDFS, [])
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert tree_bytes(out) == before

    # Anything the build reads or wrote makes it a real build again.
    (out / "intake/students/07-miller-ethan.pdf").unlink()
    assert build(project).reused == PDFS
    assert tree_bytes(out) == before
    logo = project / "content/images/logo.svg"
    logo.write_text(logo.read_text().replace("#2f6f73", "#7a3b69"))
    assert len(build(project).rendered) == PDFS
    (project / "templates").mkdir()
    (project / "templates/base.css").write_text(
        (BUILTIN_TEMPLATES / "base.css").read_text() + "\nh1 { color: #000 }\n")
    assert len(build(project).rendered) == PDFS
    assert build(project, ink_saver=True).rendered  # other options, another build


def test_corrupt_cache_is_discarded(project: Path) -> None:
    build(project)
    reference = tree_bytes(project / "output")
    pdfs = sorted((project / CACHE_DIR).rglob("*.pdf"))
    pdfs[0].write_bytes(b"%PDF-1.7 garbage")
    for meta in sorted((project / CACHE_DIR).rglob("v2/??/*.json"))[:2]:
        meta.write_text("{not json")
    shutil.rmtree(project / "output")  # so that the build needs its cache again
    report = build(project)
    # One warning, however many entries (a new cache key discards them all at once).
    [warning] = [str(w) for w in report.warnings if "not verify" in str(w)]
    assert re.search(r"discarded (a cache entry that does|[23] cache entries that do) not verify",
                     warning)
    assert 1 <= len(report.rendered) <= 3
    assert tree_bytes(project / "output") == reference


def test_clean_empties_the_cache(project: Path) -> None:
    build(project)
    assert (project / CACHE_DIR).is_dir()
    assert run("clean", str(project)).exit_code == 0
    assert not (project / CACHE_DIR).exists()
    assert len(build(project).rendered) == PDFS


def test_parallel_and_serial_give_the_same_bytes(project: Path, tmp_path: Path) -> None:
    build(project, jobs=2, output=tmp_path / "two")
    (project / CACHE_DIR).rename(tmp_path / "old-cache")
    build(project, jobs=1, output=tmp_path / "one")
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_shards_split_the_work_and_a_final_build_joins_it(project: Path) -> None:
    done: list[str] = []
    for k in (1, 2, 3):
        report = build(project, shard=(k, 3))
        assert report.files == 0 and not (project / "output").exists()
        assert not set(done) & set(report.rendered)
        done += report.rendered
    assert len(done) == PDFS
    final = build(project)
    # the intake sheets and their class set; the newsletter's 3 PDFs, 3 web pages and index
    assert final.rendered == [] and final.reused == PDFS and final.files == INTAKE + 1 + 7


def test_watch_rebuilds_after_a_save_and_survives_errors(project: Path) -> None:
    stop = threading.Event()
    lines: list[str] = []
    thread = threading.Thread(target=__import__("takehome.watch", fromlist=["watch"]).watch,
                              args=(project, Options(jobs=1), stop, lines.append), daemon=True)
    thread.start()
    target = project / "output/intake/blank.en.pdf"

    def wait_for(predicate, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while not predicate():
            assert time.monotonic() < deadline, lines
            time.sleep(0.2)

    try:
        wait_for(lambda: any(line.startswith("Watching") for line in lines))
        first = target.read_bytes()
        settings = project / "content/settings.yaml"
        good = settings.read_text()
        settings.write_text(good.replace("paper: letter", "paper: legal"))
        wait_for(lambda: any("error" in line for line in lines))
        assert target.read_bytes() == first  # the error left the output alone
        settings.write_text(good.replace('accent: "#2f6f73"', 'accent: "#7a3b69"'))
        wait_for(lambda: target.read_bytes() != first)
        wait_for(lambda: any("rebuilt intake/blank.en.pdf" in line for line in lines))
    finally:
        stop.set()
        thread.join(timeout=10)


def test_progress_prints_plain_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    report = reporter(stream)
    report(Progress(1, 10, 2, 0.5))  # quick builds stay quiet
    report(Progress(5, 10, 20, 3.0))
    report(Progress(10, 10, 40, 4.0))
    lines = stream.getvalue().splitlines()
    assert lines == ["5/10 documents, 20 pages, 7 pages/s, about 3 s left",
                     "10/10 documents, 40 pages, 10 pages/s, about 0 s left"]
