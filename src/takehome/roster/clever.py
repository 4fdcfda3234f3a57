"""Clever's SFTP files: students.csv (one row per contact), and the class from sections.csv and
enrollments.csv beside it."""

from __future__ import annotations

import csv
import io

from ..errors import ContentError
from .bundle import Bundle
from .headers import fold, fold_header
from .model import Roster
from .records import same_class
from .table import decode


def _rows(bundle: Bundle, name: str) -> list[dict[str, str]]:
    reader = csv.reader(io.StringIO(decode(bundle.read(name), bundle.where(name)), newline=""))
    header = [fold_header(h) for h in next(reader, [])]
    return [{h: row[i].strip() if i < len(row) else "" for i, h in enumerate(header)}
            for row in reader if any(c.strip() for c in row)]


def section_students(bundle: Bundle, wanted: str, roster: Roster) -> set[str] | None:
    """The Student_ids of the section chosen by `roster: class:` (its Section_id, Name,
    Course_name or Section_number), or None when the export has no sections."""
    if not (bundle.has("sections.csv") and bundle.has("enrollments.csv")):
        return None
    sections = _rows(bundle, "sections.csv")
    labels = {s.get("sectionid", ""): s.get("name") or s.get("coursename", "") for s in sections}
    roster.classes = [f"{label} ({sid})" for sid, label in labels.items()]
    exact = [s for s in sections if fold(wanted) in {
        fold(s.get(k, "")) for k in ("sectionid", "name", "coursename", "sectionnumber")}]
    chosen = exact or [s for s in sections
                       if same_class(s.get("name", ""), wanted)
                       or same_class(s.get("coursename", ""), wanted)]
    where = bundle.where("sections.csv")
    if len(chosen) != 1:
        listing = "; ".join(f"{label!r} (Section_id {sid!r})"
                            for sid, label in list(labels.items())[:12])
        what = f"matches {len(chosen)} sections; use the Section_id of yours" if chosen else \
            "is not a section of the export"
        raise ContentError(f"roster: class: {wanted!r} {what}; sections: {listing}", where)
    section = chosen[0].get("sectionid", "")
    roster.class_name = labels.get(section, section)
    return {e.get("studentid", "") for e in _rows(bundle, "enrollments.csv")
            if e.get("sectionid") == section}
