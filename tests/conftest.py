"""Shared fixtures: copies of the sample project, a CLI runner, and PDF readers."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner, Result

from takehome.build import load, plan, render
from takehome.cli import main
from takehome.errors import Problems
from takehome.project import Project

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "content"
DATA = REPO / "tests" / "data"  # everything the suite reads lives in the repository
CORPUS = DATA / "corpus"  # real files nobody here wrote, with their sources and licences
MM = 72 / 25.4  # PDF points per millimetre

# The build cache's signing key (build/trust.py), for every build the tests run, in process or
# not: without it a build would make one in the user's configuration folder.
os.environ["TAKEHOME_CACHE_KEY"] = "tests-only-cache-key-" + "0" * 32


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample project, to change freely."""
    root = tmp_path / "project"
    shutil.copytree(SAMPLE, root / "content")
    return root


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once for the whole session (read-only for tests)."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(SAMPLE, root / "content")
    result = run("build", str(root))
    assert result.exit_code == 0, result.output
    return root / "output"


SLUG = "family-connection-kit"  # the sample's product


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project packaged once for the session: dist/<slug>/ (read-only for tests)."""
    root = tmp_path_factory.mktemp("package")
    shutil.copytree(SAMPLE, root / "content")
    result = run("package", str(root))
    assert result.exit_code == 0, result.output
    return root / "dist" / SLUG


def render_project(root: Path, only: tuple[str, ...] = ()
                   ) -> tuple[Project, Problems, render.Pages]:
    """Load, plan and render a project as a build would, without typesetting."""
    problems = Problems()
    project = load.load(root, problems)
    pages = render.render(project, plan.plan(project, problems, only), problems)
    return project, problems, pages


def run(*args: str) -> Result:
    """Run the takehome command in-process, as a user would type it."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def cli() -> Callable[..., Result]:
    return run


def read_pdf(path: Path | bytes) -> pypdf.PdfReader:
    data = path if isinstance(path, bytes) else path.read_bytes()
    return pypdf.PdfReader(io.BytesIO(data))


def plain(text: str) -> str:
    """Text with its no-break spaces (which keep "1:15 pm" on one line) as plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def page_text(path: Path, page: int = 0) -> str:
    return plain(read_pdf(path).pages[page].extract_text())


def all_text(path: Path) -> str:
    return "\n".join(plain(p.extract_text()) for p in read_pdf(path).pages)


def page_size_mm(path: Path, page: int = 0) -> tuple[float, float]:
    box = read_pdf(path).pages[page].mediabox
    return round(float(box.width) / MM, 1), round(float(box.height) / MM, 1)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, to compare folders exactly."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def trim_roster(project: Path, students: int) -> None:
    """Keep the first students of the sample roster (and drop the log, which names the others)."""
    roster = project / "content/roster.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text("\n".join(lines[:students + 1]) + "\n", encoding="utf-8")
    for name in ("log.yaml", "connection-log.csv"):
        (project / "content" / name).unlink(missing_ok=True)


def intake_only(project: Path) -> None:
    """Reduce a copy of the sample to its intake sheet (for engine tests that count its jobs)."""
    keep = {"settings.yaml", "roster.csv", "intake.yaml", "images"}
    for path in (project / "content").iterdir():
        if path.name not in keep:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's intake sheet, built once per test module; each test works on a copy of it
    (output and cache included)."""
    root = tmp_path_factory.mktemp("built") / "project"
    shutil.copytree(SAMPLE, root / "content")
    intake_only(root)
    assert run("build", str(root)).exit_code == 0
    return root


@pytest.fixture
def victim(built: Path, tmp_path: Path) -> Path:
    """A copy of `built` to attack."""
    root = tmp_path / "project"
    shutil.copytree(built, root, symlinks=True)
    return root


@pytest.fixture
def beside(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The folder beside the project (`project`, `victim`): exactly as it was after the test,
    whatever happened."""
    from .hostile import entries, outside  # hostile.py imports this module

    folder = outside(tmp_path / "project")
    before = entries(folder)
    yield folder
    assert entries(folder) == before
