"""How long reading one class out of a district-sized roster export takes, and its peak memory.

Makes a made-up OneRoster 1.1 export (a district: students, two parents each, classes of 25),
as a folder and as a zip, and Clever files of the same students (two contact rows each, with
sections), then reads one class from each as `takehome build` does, and prints the figures.

    python bench/roster.py                 # 20,000 students
    python bench/roster.py --students 60000
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
import zipfile
from pathlib import Path

from takehome.errors import Problems
from takehome.roster import read_roster

USERS = ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
         "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
         "sms", "phone", "agentSourcedIds", "grades", "password"]


def oneroster(folder: Path, students: int) -> None:
    folder.mkdir()
    classes = students // 25
    with (folder / "users.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(USERS)
        for i in range(students):
            out.writerow([f"s{i}", "active", "", "true", "org", "student", f"s{i}", "",
                          f"Given{i}", f"Family{i}", "", str(100000 + i), "", "", "",
                          f"p{i}a,p{i}b", "02", ""])
            for side in "ab":
                out.writerow([f"p{i}{side}", "active", "", "true", "org", "parent", "", "",
                              f"Parent{side}{i}", f"Family{i}", "", "", f"p{i}{side}@example.org",
                              "", "555-0100", f"s{i}", "", ""])
    with (folder / "classes.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sourcedId", "status", "dateLastModified", "title", "grades",
                      "courseSourcedId", "classCode", "classType", "location",
                      "schoolSourcedId", "termSourcedIds"])
        for c in range(classes):
            out.writerow([f"c{c}", "active", "", f"Homeroom {c}", "02", "hr", f"HR-{c}",
                          "homeroom", "", "org", "t"])
    with (folder / "enrollments.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sourcedId", "status", "dateLastModified", "classSourcedId",
                      "schoolSourcedId", "userSourcedId", "role", "primary"])
        for i in range(students):
            out.writerow([f"e{i}", "active", "", f"c{i % classes}", "org", f"s{i}", "student",
                          "false"])


def clever(folder: Path, students: int) -> None:
    folder.mkdir()
    with (folder / "students.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["School_id", "Student_id", "Last_name", "First_name", "Grade",
                      "Home_language", "Contact_type", "Contact_name", "Contact_phone",
                      "Contact_email"])
        for i in range(students):
            for kind in ("Primary", "Secondary"):
                out.writerow(["101", str(i), f"Family{i}", f"Given{i}", "2", "Spanish", kind,
                              f"{kind} {i}", "5550100", f"{kind}{i}@example.org"])
    sections = students // 25
    with (folder / "sections.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["School_id", "Section_id", "Teacher_id", "Name", "Section_number"])
        out.writerows(["101", f"S{c}", "T", f"Homeroom {c}", str(c)] for c in range(sections))
    with (folder / "enrollments.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["School_id", "Section_id", "Student_id"])
        out.writerows(["101", f"S{i % sections}", str(i)] for i in range(students))


def timed(label: str, path: Path, choose: str | None) -> None:
    started = time.perf_counter()
    roster = read_roster(path, {}, Problems(), choose=choose)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
    print(f"{label:<38} {size / 1e6:8.1f} {seconds:8.2f} {len(roster.students):9d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        oneroster(root / "oneroster", args.students)
        with zipfile.ZipFile(root / "oneroster.zip", "w", zipfile.ZIP_DEFLATED) as archive:
            for p in sorted((root / "oneroster").iterdir()):
                archive.write(p, p.name)
        clever(root / "clever", args.students)
        print(f"District of {args.students:,} students (and {2 * args.students:,} parents); "
              "one class of 25 read from it.")
        print(f"{'source':<38} {'MB':>8} {'seconds':>8} {'students':>9}")
        timed("OneRoster 1.1 folder, class HR-7", root / "oneroster", "HR-7")
        timed("OneRoster 1.1 zip, class HR-7", root / "oneroster.zip", "HR-7")
        timed("Clever folder, section S7", root / "clever", "S7")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
