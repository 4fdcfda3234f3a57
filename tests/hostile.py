"""A harness for hostile inputs: run a real `takehome` process under limits, compare output/."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .conftest import tree_bytes

MEMORY_LIMIT = 3 * 1024**3  # bytes of address space for one build
TIME_LIMIT = 240  # seconds for one build (a normal sample build takes a few)


@dataclass
class Outcome:
    code: int
    output: str
    unchanged: bool  # output/ is byte-identical to before the run


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def takehome(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command as a user would, bounded in memory and time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([sys.executable, "-m", "takehome", *args, str(project)],
                          capture_output=True, text=True, timeout=TIME_LIMIT, env=env,
                          preexec_fn=_limits, check=False)


def attempt(project: Path, *args: str) -> Outcome:
    """Build `project` (already built once) and report what happened to its output."""
    before = tree_bytes(project / "output")
    result = takehome(project, "build", "--jobs", "1", *args)
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    return Outcome(result.returncode, text, tree_bytes(project / "output") == before)


def refused(outcome: Outcome, where: str) -> None:
    """A clean refusal: exit 1, the file and line named, the previous output intact."""
    assert outcome.code == 1, outcome.output
    assert where in outcome.output, outcome.output
    assert outcome.unchanged


def entries(folder: Path) -> dict[str, object]:
    """Every entry under `folder` (not following links): each file's bytes, each link's
    target, each folder, so that a test shows nothing in it changed."""
    found: dict[str, object] = {}
    for top, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(top, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = ("link", os.readlink(path))
            elif path.is_dir():
                found[key] = "folder"
            else:
                found[key] = path.read_bytes()
    return found


def outside(root: Path) -> Path:
    """A folder beside the project, with files an attacker would like to read or destroy."""
    folder = root.parent / "outside"
    folder.mkdir(exist_ok=True)
    (folder / "important.txt").write_text("the teacher's own notes\n")
    (folder / "secret.txt").write_text("SECRET-7f3a: not for any document\n")
    (folder / "tpl").mkdir(exist_ok=True)
    (folder / "tpl" / "sheet.html").write_text("<p>SECRET-7f3a from a template</p>\n")
    return folder


def cpu_seconds() -> float:
    """Processor time used so far by this thread and the commands it ran: what bounded work
    is measured in (a busy machine stretches the clock, not this)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.thread_time() + children.ru_utime + children.ru_stime
