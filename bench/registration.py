"""Registration-season benchmark: every family's packet documents, measured side by side.

    python bench/registration.py                # 600 families
    python bench/registration.py --families 2000

Generates a project from the sample (same settings and documents) with a roster of N families
across several home languages, then measures in one run: takehome's cold build, the naive loop
(one WeasyPrint render per document from the same HTML), a no-op rebuild, a rebuild after one
family's row changed, a no-op rebuild of the sample project itself, and the peak memory of each
build's whole process tree (the sum of its processes' resident memory). Prints a table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pikepdf
import psutil

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = ["English", "Spanish", "Vietnamese", "Arabic", "Spanish", "English", "French"]
FIRST = ["Ana", "Ben", "Minh", "Amira", "José", "Ethan", "Chloé", "Sofía", "Liam", "Zoë"]
LAST = ["López", "Okafor", "Nguyễn", "Haddad", "Ramírez", "Miller", "Dubois", "Hernández"]
# The registration packet (intake sheet, welcome sheet, family-to-teacher cards, pencil-case
# label) is the sample's packets document, which plans every family's parts itself.
DOCUMENTS = ["packets"]


def make_project(root: Path, families: int) -> list[str]:
    shutil.copytree(REPO / "content", root / "content")
    for log in ("log.yaml", "connection-log.csv"):  # the sample's log names the sample's class
        (root / "content" / log).unlink(missing_ok=True)
    with (root / "content/roster.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["First Name", "Last Name", "Parent/Guardian 1", "Phone", "Email",
                         "Home Language"])
        for i in range(families):
            first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            writer.writerow([f"{first}{i}", last, f"Parent of {first}{i}", f"555-01{i:04d}",
                             f"family{i}@example.org", LANGUAGES[i % len(LANGUAGES)]])
    present = {p.stem for p in (root / "content").glob("*.yaml")}
    return [d for d in DOCUMENTS if d in present]


def measure(command: list[str]) -> tuple[float, tuple[float, float], str]:
    """Seconds, peak memory of the whole process tree (MB: proportional set size, which counts
    pages the processes share once, and the plain sum of their resident sizes), and output."""
    process = psutil.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, done = [0, 0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            pss = rss = 0
            try:
                tree = [process, *process.children(recursive=True)]
            except psutil.Error:  # the build ended, or a worker was replaced, as we looked
                tree = []
            for p in tree:
                try:
                    memory = p.memory_full_info()
                    pss, rss = pss + memory.pss, rss + memory.rss
                except psutil.Error:
                    pass
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], rss)
            time.sleep(0.25)  # reading the processes' memory maps costs CPU the build needs

    started = time.perf_counter()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    thread.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return seconds, (peak[0] / 1e6, peak[1] / 1e6), output


def laid_out(path: Path) -> int:
    """Pages of a joined PDF but the blank ones that pad its parts to whole sheets."""
    with pikepdf.open(path) as pdf:
        return sum(1 for page in pdf.pages if "/Contents" in page.obj)


NAIVE = """
import sys, time
from pathlib import Path
from takehome import fonts
from takehome.build import load, plan, render
from takehome.build.records import Batch
from takehome.build.typeset import load_engine
from takehome.errors import Problems
engine = load_engine()
from weasyprint import HTML
root = Path(sys.argv[1]); only = tuple(sys.argv[2:])
problems = Problems()
project = load.load(root, problems)
rendered = render.render(project, plan.plan(project, problems, only), problems).rendered
fetcher = engine.LocalFetcher([root, *fonts.directories()])
started, pages = time.perf_counter(), 0
for r in rendered:
    record = r.record
    html = engine._shell(Batch((record,), r.css, root)).replace("<style>", "<style>" + r.css, 1)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher).render()
    document.write_pdf()
    pages += len(document.pages)
print(pages, time.perf_counter() - started)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=600)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-naive", action="store_true", help="Skip the slow naive loop.")
    args = parser.parse_args()
    takehome = [sys.executable, "-m", "takehome"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        documents = make_project(root, args.families)
        only = [arg for d in documents for arg in ("--only", d)]
        build = [*takehome, "build", "--jobs", str(args.jobs), *only, str(root)]
        cold, cold_mb, _ = measure(build)
        manifest = json.loads((root / "output/manifest.json").read_text())["documents"]
        # Pages laid out (the same count for both contenders): the naive loop counts them; without
        # it, the family copies less the blank pages that pad each document to whole sheets.
        pages = sum(laid_out(root / "output" / e["path"]) for e in manifest
                    if "/students/" in e["path"])
        naive_row = None
        if not args.skip_naive:
            naive, naive_mb, out = measure([sys.executable, "-c", NAIVE, str(root), *documents])
            naive_pages, naive_seconds = out.split()[-2:]
            pages = int(naive_pages)
            naive_row = ("naive loop (one render per document)", float(naive_seconds),
                         pages / float(naive_seconds), naive_mb)
        rows = [("cold build", cold, pages / cold, cold_mb), *([naive_row] if naive_row else [])]
        noop, noop_mb, _ = measure(build)
        rows.append(("no-op rebuild", noop, 0.0, noop_mb))
        roster = root / "content/roster.csv"
        roster.write_text(roster.read_text(encoding="utf-8").replace(
            "555-010007", "555-999999", 1), encoding="utf-8")
        one, one_mb, out = measure(build)
        rows.append(("one family changed", one, 0.0, one_mb))
        # The sample project as it ships: built once, then built again with nothing changed.
        sample = Path(tmp) / "sample"
        shutil.copytree(REPO / "content", sample / "content")
        measure([*takehome, "build", "--jobs", str(args.jobs), str(sample)])
        sample_noop, sample_mb, _ = measure([*takehome, "build", str(sample)])
        rows.append(("no-op rebuild of the sample project", sample_noop, 0.0, sample_mb))

    print(f"\nRegistration workload: {args.families} families ({', '.join(documents)}); {pages} "
          f"pages laid out; {args.jobs} processes on {os.cpu_count()} cores.")
    print(f"{'':40} {'':>8} {'':>8} {'peak MB':>17}")
    print(f"{'measure':40} {'seconds':>8} {'pages/s':>8} {'PSS':>8} {'RSS sum':>8}")
    for name, seconds, rate, (pss, rss) in rows:
        print(f"{name:40} {seconds:8.1f} {rate if rate else float('nan'):8.1f} {pss:8.0f} "
              f"{rss:8.0f}")
    if not args.skip_naive:
        print(f"speed-up over the naive loop: {rows[0][2] / rows[1][2]:.2f}x")
    print(out.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
