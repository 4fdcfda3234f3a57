"""The renderer reads only files inside the project (and the font packages)."""

from __future__ import annotations

from pathlib import Path

import pytest

from takehome.build.typeset.engine import LocalFetcher, RefusedURL


@pytest.fixture
def fetcher(tmp_path: Path) -> LocalFetcher:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "logo.svg").write_text("<svg/>")
    return LocalFetcher([tmp_path])


def test_project_file_is_served(fetcher: LocalFetcher, tmp_path: Path) -> None:
    response = fetcher.fetch((tmp_path / "content/logo.svg").as_uri())
    assert response.read() == b"<svg/>"


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


def test_dot_dot_and_symlinks_out_are_refused(fetcher: LocalFetcher, tmp_path: Path) -> None:
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "content/../../etc/passwd").as_uri())
    (tmp_path / "content/link.txt").symlink_to("/etc/passwd")
    with pytest.raises(RefusedURL):
        fetcher.fetch((tmp_path / "content/link.txt").as_uri())


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
