"""Registration-season benchmark: every family's packet documents, measured side by side.

    python bench/registration.py                # 600 families
    python bench/registration.py --families 2000 --skip-naive

Generates a project from the sample (same settings and documents) with a roster of N families
across several home languages, then measures in one run: takehome's cold build; headless
Chromium (Debian's `chromium`) printing the same rendered HTML pages, grouped by stylesheet
into documents of up to 300 records, as many at once as takehome has processes; the naive loop
(one WeasyPrint render per document from the same HTML); a no-op rebuild; a rebuild after one
family's row changed; the sample project's no-op rebuild; and the sample project edited in a
warm process (as `takehome build --watch` and `takehome serve` rebuild), from the save to the
rebuilt file. Memory is the peak of each measure's whole process tree. Prints a table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pikepdf
import psutil

from takehome.roster import MAX_STUDENTS

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


Row = tuple[str, float, float, tuple[float, float]]  # name, seconds, pages/s, peak MB (PSS, RSS)


def row(name: str, seconds: float, rate: float, memory: tuple[float, float]) -> Row:
    """A row of the table, also printed at once: a long run shows what it has measured so far."""
    speed = f", {rate:.1f} pages/s" if rate else ""
    print(f"  {name}: {seconds:.1f} s{speed}, {memory[0]:.0f} MB PSS", flush=True)
    return name, seconds, rate, memory


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

# The same HTML as the naive loop, printed by headless Chromium: records sharing a stylesheet
# in one document (as takehome batches them), N Chromium processes at a time.
CHROMIUM = """
import subprocess, sys, tempfile, time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pikepdf
from takehome.build import load, plan, render
from takehome.build.typeset.engine import SHELL_CSS
from takehome.errors import Problems
root, jobs, only = Path(sys.argv[1]), int(sys.argv[2]), tuple(sys.argv[3:])
problems = Problems()
project = load.load(root, problems)
rendered = render.render(project, plan.plan(project, problems, only), problems).rendered
groups = defaultdict(list)
for r in rendered:
    groups[r.css].append(r)
files = []
for g, (css, members) in enumerate(groups.items()):
    for start in range(0, len(members), 300):
        body = "".join(f'<article class="record" lang="{m.record.lang}">{m.record.markup}</article>'
                       for m in members[start:start + 300])
        path = root / f".chromium-{g}-{start}.html"
        path.write_text(f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                        f'<style>{css}</style><style>{SHELL_CSS}</style></head><body>{body}'
                        f'</body></html>', encoding="utf-8")
        files.append(path)
flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-pdf-header-footer"]
def print_pdf(path):
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", *flags, f"--user-data-dir={profile}",
                        f"--print-to-pdf={path.with_suffix('.pdf')}", path.as_uri()],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with pikepdf.open(path.with_suffix(".pdf")) as pdf:
        return len(pdf.pages)
started = time.perf_counter()
with ThreadPoolExecutor(jobs) as pool:
    pages = sum(pool.map(print_pdf, files))
print(pages, time.perf_counter() - started)
"""

# The sample project in one process, as `takehome build --watch` keeps it: a file saved, then
# the build that follows; the seconds from the save to the rebuilt files, twice. Given a
# document and one of its files, as `takehome serve` does with the page on screen: that file is
# built first, and the seconds are to it (the rest is built after, untimed).
SAVED = """
import sys, time
from pathlib import Path
from takehome import allocator
from takehome.build import pipeline, typeset
allocator.give_back()  # as the program sets its process up
allocator.collect_less()
root, name, old, new = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
focus = tuple(sys.argv[5:7])
with typeset.Workers(0) as workers:  # as --watch and serve keep them from build to build
    options = pipeline.Options(workers=workers)
    pipeline.build(root, pipeline.Options(workers=workers, warm=True))  # as they start
    path = root / "content" / name
    for text in (new, new + "!"):
        path.write_text(path.read_text(encoding="utf-8").replace(old, text, 1), encoding="utf-8")
        started = time.perf_counter()
        report = pipeline.build(root, pipeline.Options(
            workers=workers, only=focus[:1], outputs=focus[1:]) if focus else options)
        assert report.rendered, "nothing was rebuilt"
        print(f"{time.perf_counter() - started:.3f}", len(report.rendered))
        if focus:
            pipeline.build(root, options)
        old = text
"""
# Edits a teacher makes: a newsletter paragraph, a line of the welcome sheet every family gets
# (in `takehome serve` too, with the English sheet on screen).
EDITS = [("newsletters/2026-12.yaml", "A letter from the principal", "A letter from our head", ()),
         ("welcome.yaml", "like the fridge door", "like the refrigerator door", ()),
         ("welcome.yaml", "like the refrigerator door!", "like the door of the fridge",
          ("welcome", "welcome/welcome.en.pdf"))]


def measure_rebuilds(build: list[str], root: Path, takehome: list[str], jobs: int,
                     tmp: Path, families: int) -> list[Row]:
    """The no-op and one-family rebuilds, and the sample project's no-op and edits."""
    rows: list[Row] = []
    noop, noop_mb, _ = measure(build)
    rows.append(row("no-op rebuild", noop, 0.0, noop_mb))
    # Three families' rows changed in turn, each rebuilt: the median (a few seconds on a
    # machine whose speed swings is one noisy figure), and the peak memory of the three.
    roster = root / "content/roster.csv"
    ones = []
    for family in sorted({min(7, families - 1), families // 2, max(families - 7, 0)}):
        roster.write_text(roster.read_text(encoding="utf-8").replace(
            f"555-01{family:04d}", "555-999999", 1), encoding="utf-8")
        ones.append(measure(build)[:2])
    print("  one family changed, each:", ", ".join(f"{s:.2f} s" for s, _ in ones))
    one_mb = (max(mb[0] for _, mb in ones), max(mb[1] for _, mb in ones))
    rows.append(row(f"one family changed (median of {len(ones)})",
                    statistics.median(s for s, _ in ones), 0.0, one_mb))
    # The sample project as it ships: built once, then built again with nothing changed.
    sample = tmp / "sample"
    shutil.copytree(REPO / "content", sample / "content")
    measure([*takehome, "build", "--jobs", str(jobs), str(sample)])
    sample_noop, sample_mb, _ = measure([*takehome, "build", str(sample)])
    rows.append(row("no-op rebuild of the sample project", sample_noop, 0.0, sample_mb))
    for name, old, new, focus in EDITS:
        _, saved_mb, saved = measure([sys.executable, "-c", SAVED, str(sample), name, old, new,
                                      *focus])
        times = [line.split() for line in saved.strip().splitlines()[-2:]]
        for (seconds, made), when in zip(times, ("first", "again"), strict=True):
            what = "serve: the page on screen" if focus else f"{made} PDFs"
            rows.append(row(f"sample: {name} saved ({when}, {what})", float(seconds), 0.0,
                            saved_mb))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=600)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-naive", action="store_true", help="Skip the slow naive loop.")
    parser.add_argument("--cold-only", action="store_true",
                        help="Only the cold build (its time and peak memory): for large rosters.")
    args = parser.parse_args()
    takehome = [sys.executable, "-m", "takehome"]
    if args.families > MAX_STUDENTS:
        # One roster holds at most MAX_STUDENTS families (a district splits it by class or
        # school); to measure a build of this size anyway, the limit is raised for this run.
        takehome = [sys.executable, "-c", "import sys, takehome.roster.records as r; "
                    f"r.MAX_STUDENTS = {args.families}; from takehome.cli import main; "
                    "sys.exit(main())"]
    raised = (f"import takehome.roster.records as _r; _r.MAX_STUDENTS = {args.families}\n"
              if args.families > MAX_STUDENTS else "")
    rows: list[Row] = []
    chromium = shutil.which("chromium")
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
        rows.append(row("cold build", cold, pages / cold, cold_mb))
        if chromium and not args.cold_only:
            _, chromium_mb, out = measure([sys.executable, "-c", raised + CHROMIUM, str(root),
                                           str(args.jobs), *documents])
            printed, seconds = out.split()[-2:]
            rows.append(row("headless Chromium, same HTML", float(seconds),
                            int(printed) / float(seconds), chromium_mb))
        if not (args.skip_naive or args.cold_only):
            _, naive_mb, out = measure([sys.executable, "-c", raised + NAIVE, str(root),
                                        *documents])
            naive_pages, naive_seconds = out.split()[-2:]
            rows.append(row("naive loop (one render per document)", float(naive_seconds),
                            int(naive_pages) / float(naive_seconds), naive_mb))
        if not args.cold_only:
            rows += measure_rebuilds(build, root, takehome, args.jobs, Path(tmp), args.families)

    if args.families > MAX_STUDENTS:
        print(f"\nThe roster limit ({MAX_STUDENTS:,} families) was raised for this run.")
    print(f"\nRegistration workload: {args.families} families ({', '.join(documents)}); {pages} "
          f"pages laid out; {args.jobs} processes on {os.cpu_count()} cores; load average "
          f"{os.getloadavg()[0]:.1f} at the end.")
    width = max(len(name) for name, *_ in rows)
    print(f"{'':{width}} {'':>8} {'':>8} {'peak MB':>17}")
    print(f"{'measure':{width}} {'seconds':>8} {'pages/s':>8} {'PSS':>8} {'RSS sum':>8}")
    for name, seconds, rate, (pss, rss) in rows:
        speed = f"{rate:8.1f}" if rate else f"{'':8}"
        print(f"{name:{width}} {seconds:8.1f} {speed} {pss:8.0f} {rss:8.0f}")
    rates = {name: rate for name, _, rate, _ in rows}
    if "naive loop (one render per document)" in rates:
        print(f"speed-up over the naive loop: "
              f"{rates['cold build'] / rates['naive loop (one render per document)']:.2f}x")
    if "headless Chromium, same HTML" in rates:
        print(f"takehome / headless Chromium: "
              f"{rates['cold build'] / rates['headless Chromium, same HTML']:.2f}x")
    elif not chromium:
        print("headless Chromium: not installed (apt-get install chromium), row skipped")


if __name__ == "__main__":
    main()
