"""Live preview benchmark: from saving a content file to its new page picture in the browser.

    python bench/serve.py                       # 5 saves of each document
    python bench/serve.py --saves 10
    python bench/serve.py --screenshots docs/images   # and the README's pictures of it

Copies the sample project to a temporary folder and builds it once, so that the build cache is
warm as a teacher's is; starts `takehome serve` on it as a user would (its own process); and
opens the measured file in headless Chromium (Debian's `chromium`, driven by Playwright) as a
teacher would look at it. Then, for a one-page document (the English welcome sheet) and a
personalised copy (one family's intake sheet), it saves an edit to the document's content file
again and again, each time once the preview is idle, and measures from the save to the moment
the new page picture has loaded in the page. The first save of each is a warm-up (the preview
process lays that template out for the first time) and is not counted. Prints the median and
the slowest of each. Needs `pip install -e '.[test,bench]'` and Chromium.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--disable-dev-shm-usage"]
# (what, content file, text to change in it, document, file shown)
CASES = [
    ("one-page document (welcome sheet, English)", "welcome.yaml", "like the fridge door",
     "welcome", "sheet=welcome/welcome&lang=en"),
    ("personalised copy (intake sheet of one family)", "intake.yaml",
     "feels known from the first day", "intake", "sheet=intake/students&student=7"),
]
# Sets window.arrived: a promise of the time (ms) a page picture other than `before` loaded.
ARRIVED = """before => { window.arrived = new Promise(resolve => {
  const check = () => {
    const img = document.querySelector('#pages img');
    if (img && img.getAttribute('src') !== before && img.complete && img.naturalWidth > 0) {
      resolve(Date.now()); return true;
    }
    return false;
  };
  if (check()) return;
  new MutationObserver((_, observer) => { if (check()) observer.disconnect(); })
    .observe(document.body, {subtree: true, childList: true});
  document.addEventListener('load', () => check(), true);
}); }"""


def start(project: Path) -> tuple[subprocess.Popen[str], str]:
    """`takehome serve` on a free port, once its first build is done; its process and URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "takehome", "serve", str(project), "--port", "0"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    seen = ""
    while "Built every document" not in seen:
        line = process.stderr.readline()
        if not line:
            raise SystemExit(f"takehome serve stopped:\n{seen}")
        seen += line
    found = re.search(r"http://\S+token=\S+", seen)
    assert found, seen
    return process, found.group(0)


def idle(page: Any) -> None:
    """Wait until the preview has finished every build the last save started."""
    page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('Up to date')",
        timeout=300_000)
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('Up to date')",
        timeout=300_000)


def measure(page: Any, base: str, case: tuple[str, str, str, str, str], project: Path,
            saves: int) -> list[float]:
    """Seconds from each save to its picture in the page (the warm-up save left out)."""
    _, name, text, document, query = case
    content = project / "content" / name
    original = content.read_text(encoding="utf-8")
    assert text in original, f"{text!r} is not in {name}"
    page.goto(f"{base}/doc/{document}?{query}")
    page.wait_for_selector("#pages img")
    seconds = []
    try:
        for n in range(saves + 1):
            idle(page)
            before = page.get_attribute("#pages img", "src")
            page.evaluate(ARRIVED, before)
            saved = time.time() * 1000
            content.write_text(original.replace(text, f"{text} ({n + 1})"), encoding="utf-8")
            shown = page.evaluate("() => window.arrived")
            if n:
                seconds.append((shown - saved) / 1000)
    finally:
        content.write_text(original, encoding="utf-8")
    idle(page)
    return seconds


def screenshots(page: Any, base: str, folder: Path, project: Path) -> None:
    """The start page, a document page and an error over it, as the README shows them."""
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(base + "/")
    page.wait_for_function("() => [...document.querySelectorAll('.thumbs img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=120_000)
    page.screenshot(path=str(folder / "serve-start.png"))
    page.goto(base + "/doc/welcome?sheet=welcome/students&student=4")
    page.wait_for_function("() => document.querySelector('#pages img').complete")
    page.screenshot(path=str(folder / "serve-document.png"))
    welcome = project / "content/welcome.yaml"
    original = welcome.read_text(encoding="utf-8")
    welcome.write_text(original.replace("closing:", "closing: [", 1), encoding="utf-8")
    try:
        page.wait_for_selector(".problems", timeout=60_000)
        page.screenshot(path=str(folder / "serve-error.png"))
    finally:
        welcome.write_text(original, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=5, help="measured saves per document")
    parser.add_argument("--screenshots", type=Path, metavar="FOLDER",
                        help="also save pictures of the preview into FOLDER")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed (Debian/Ubuntu: apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="takehome-serve-bench-") as tmp:
        project = Path(tmp) / "sample"
        shutil.copytree(REPO / "content", project / "content")
        print("Building the sample once, to warm the cache...", flush=True)
        subprocess.run([sys.executable, "-m", "takehome", "build", str(project)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process, url = start(project)
        base = url.split("/?")[0]
        results = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url)
                for case in CASES:
                    results.append((case[0], measure(page, base, case, project, args.saves)))
                if args.screenshots:
                    screenshots(page, base, args.screenshots, project)
                browser.close()
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(30)
    print(f"\nSave to new page picture in the browser, sample project, warm cache, "
          f"{os.cpu_count()} cores ({args.saves} saves each; target: at most 1.5 s):")
    print(f"{'':50} {'median s':>9} {'slowest s':>10}")
    for what, seconds in results:
        print(f"{what:50} {statistics.median(seconds):9.2f} {max(seconds):10.2f}")


if __name__ == "__main__":
    main()
