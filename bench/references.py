"""What checking a page's references costs: the render stage of the sample project (every
document's HTML, each page's references parsed, checked and hashed) timed with the reference scan
and without it, in one process.

    python bench/references.py             # the sample project
    python bench/references.py PROJECT     # another project

Prints the best of three renders each way.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from takehome.build import assets, load, plan, render
from takehome.errors import Problems

REPO = Path(__file__).resolve().parents[1]


def render_seconds(root: Path) -> float:
    """One render stage of the whole project (loading and planning are not counted)."""
    problems = Problems()
    project = load.load(root, problems)
    planned = plan.plan(project, problems)
    started = time.perf_counter()
    render.render(project, planned, problems)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", nargs="?", type=Path, help="default: a copy of the sample")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = args.project
        if root is None:
            root = Path(temp) / "sample"
            shutil.copytree(REPO / "content", root / "content")
        render_seconds(root)  # warm: templates compiled, catalogs and fonts loaded
        scanned = min(render_seconds(root) for _ in range(3))
        assets.Scanner.scan = lambda self, html, css: assets.Shown()  # type: ignore[method-assign]
        unscanned = min(render_seconds(root) for _ in range(3))
    print(f"render stage: {scanned:.2f} s with the reference scan, {unscanned:.2f} s without "
          f"({scanned - unscanned:.2f} s for the scan)")


if __name__ == "__main__":
    main()
