"""For the `takehome serve` tests: a small project (the sample's welcome sheet and connection
log, three students), a preview of it running on a free port, and the way into it."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from takehome.serve import Preview, ServeOptions, prepare

from .conftest import SAMPLE, run

LOG_CSV = ("Date,Student,Method,Positive/Concern,Notes,Follow-up\n"
           "2026-08-24,Ana López,call,positive,Welcome call: loves the class library,\n"
           "2026-08-25,Ben Okafor,email,concern,Forgot the library book twice,Check Friday\n")


def make_project(root: Path) -> Path:
    """A copy of the sample cut down to what the serve tests look at."""
    content = root / "content"
    content.mkdir(parents=True)
    for name in ("settings.yaml", "welcome.yaml"):
        shutil.copy(SAMPLE / name, content / name)
    shutil.copytree(SAMPLE / "images", content / "images")
    roster = (SAMPLE / "roster.csv").read_text(encoding="utf-8").splitlines()
    (content / "roster.csv").write_text("\n".join(roster[:4]) + "\n", encoding="utf-8")
    (content / "log.yaml").write_text("file: connection-log.csv\nnot_reached_days: 14\n",
                                      encoding="utf-8")
    (content / "connection-log.csv").write_text(LOG_CSV, encoding="utf-8")
    return root


def built_template(root: Path) -> Path:
    """The small project, built once so that copies of it start with a warm cache."""
    make_project(root)
    result = run("build", str(root))
    assert result.exit_code == 0, result.output
    shutil.rmtree(root / "output")
    return root


def copy_of(template: Path, target: Path) -> Path:
    shutil.copytree(template, target)
    return target


@contextmanager
def running(project: Path, **options: object) -> Iterator[Preview]:
    """The preview of `project` serving on a free port, its first build done."""
    preview = prepare(project, ServeOptions(port=0, jobs=1, **options))  # type: ignore[arg-type]
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not (preview.server.started and preview.site.builder.status().built_at):
        assert time.monotonic() < deadline, "the preview did not start"
        time.sleep(0.05)
    try:
        yield preview
    finally:
        preview.stop()
        thread.join(20)
        assert not thread.is_alive(), "the preview did not stop"


def base(preview: Preview) -> str:
    return preview.url.split("/?")[0]


@contextmanager
def client(preview: Preview) -> Iterator[httpx.Client]:
    """A client that came in through the printed address, so it carries the cookie."""
    with httpx.Client(base_url=base(preview), follow_redirects=True, timeout=30) as c:
        assert c.get(preview.url).status_code == 200
        yield c


def wait_for(condition: Callable[[], object], timeout: float = 30) -> None:
    """Wait until `condition()` is true."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
