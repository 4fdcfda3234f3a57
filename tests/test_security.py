"""The renderer reads only files inside the project (and the font packages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from takehome import fonts
from takehome.build.digest import sha256
from takehome.build.typeset.engine import LocalFetcher, RefusedURL


@pytest.fixture
def fetcher(tmp_path: Path) -> LocalFetcher:
    """A fetcher for a page whose references name one picture, checked by the render stage."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "logo.svg").write_text("<svg/>")
    (tmp_path / "content" / "roster.csv").write_text("First,Last\nAna,Lopez\n")
    logo = str((tmp_path / "content/logo.svg").resolve())
    return LocalFetcher(fonts.directories(), assets=[(logo, sha256(b"<svg/>"))])


def test_project_file_is_served(fetcher: LocalFetcher, tmp_path: Path) -> None:
    response = fetcher.fetch((tmp_path / "content/logo.svg").as_uri())
    assert response.read() == b"<svg/>"


def test_fonts_come_from_the_font_packages_only(fetcher: LocalFetcher) -> None:
    font = next(f for d in fonts.directories() for f in d.iterdir()
                if f.suffix in (".ttf", ".otf"))
    assert fetcher.fetch(font.as_uri()).read()[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    beside = next((f for d in fonts.directories() for f in d.iterdir()
                   if f.is_file() and f.suffix not in (".ttf", ".otf")), None)
    if beside is not None:  # a licence or metadata file of a font package
        with pytest.raises(RefusedURL):
            fetcher.fetch(beside.as_uri())


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:9/logo.png",
    "https://example.org/logo.png",
    "ftp://example.org/x",
    "file:///dev/zero",
])
def test_outside_urls_are_refused(fetcher: LocalFetcher, url: str) -> None:
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_only_the_checked_files_are_served(fetcher: LocalFetcher, tmp_path: Path) -> None:
    with pytest.raises(RefusedURL, match="not a file this page's references name"):
        fetcher.fetch((tmp_path / "content/roster.csv").as_uri())
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "content/../../etc/passwd").as_uri())
    (tmp_path / "content/link.svg").symlink_to("/etc/passwd")
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "content/link.svg").as_uri())


def test_settings_refuse_files_outside_the_project(project: Path) -> None:
    from .conftest import run

    settings = project / "content/settings.yaml"
    text = settings.read_text()
    for bad, message in [("https://example.org/logo.png", "is a URL"),
                         ("../../outside.png", "outside the project"),
                         ("/etc/passwd", "outside the project"),
                         ("images/missing.png", "not found")]:
        settings.write_text(text.replace("logo: images/logo.svg", f"logo: {bad}"))
        result = run("check", str(project))
        assert result.exit_code == 1
        assert "content/settings.yaml:8:9: error:" in result.output and message in result.output
