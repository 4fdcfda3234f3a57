"""The connection log: blank log sheets for the binder (class-wide and a page per family) and a
report from the log the teacher keeps as data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ... import i18n
from ...build.plan import Job, Step
from ...i18n import N_
from ...paper import PageBox
from ..base import Jobs, Kind
from .data import first_month_end, ratio, read_log, rotation, summarise
from .model import Log

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...project import Document

STYLESHEETS = ("base.css", "log/log.css")
REPORT_STYLESHEETS = ("base.css", "log/report.css")
METHODS = ("note", "email", "phone", "meeting", "text")  # in the order of the sheets' labels
# Handwritten rows (log.css) on the landscape page, below the title and the column headings, and
# the line under the title (class sheet) or the family's details (two lines, at most).
ROW_MM = 10.0  # the least row, its rule included: two lines of choices (log.css .choice)
RULE_MM = 0.05  # what a row's rule adds to its cell's height
HEAD_MM = 20 * 1.15 * 0.3528 + 1.5 + 10.0  # the title, and the column headings (two lines)
CLASS_LEAD_MM = 11.5 * 1.35 * 0.3528 + 3.0
FAMILY_LEAD_MM = 2 * (11.5 * 1.35 * 0.3528 + 1.0) + 3.0
SPARE_MM = 1.5  # rounding


@dataclass(frozen=True)
class Rows:
    """A log sheet's rows: how many, and each cell's height in mm."""

    count: int
    height_mm: float


def log_rows(paper: str, family: bool) -> Rows:
    """As many rows as fill a landscape log sheet of `paper`, stretched so that the last ends
    at the bottom margin (Letter's extra height is a row more than A4's)."""
    height = PageBox(paper, "landscape").content_mm[1]  # type: ignore[arg-type]
    room = height - HEAD_MM - (FAMILY_LEAD_MM if family else CLASS_LEAD_MM) - SPARE_MM
    count = int(room // ROW_MM)
    return Rows(count, round(room / count - RULE_MM, 2))


class LogKind(Kind):
    name = "log"
    pattern = "log.yaml"
    model = Log

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        log: Log = doc.model
        lang = project.default_language  # the teacher's binder
        gettext = i18n.translations(lang).gettext

        def language_name(code: str) -> str:
            return i18n.language_name(code, lang)

        def job(output: str, template: str, title: str,
                stylesheets: tuple[str, ...] = STYLESHEETS, extra: tuple[str, ...] = (),
                max_pages: int | None = None, **context: object) -> Job:
            jobs = Jobs(project, doc, template, stylesheets, (*project.roster_source, *extra))
            return jobs.job(output, lang, title,
                            project.context(lang, title=title, language_name=language_name,
                                            **context), max_pages=max_pages,
                            numbered=max_pages != 1)

        folder = doc.name
        paper = project.settings.paper
        methods = [gettext(N_("Note")), gettext(N_("Email")), gettext(N_("Phone")),
                   gettext(N_("Meeting"))]
        steps: list[Step] = [
            job(f"{folder}/class-log.pdf", "log/sheet.html", gettext(N_("Connection log")),
                students=[None], rows=log_rows(paper, family=False), methods=methods,
                heading=gettext(N_("Connection log")), max_pages=1),
        ]
        if project.roster.students:
            steps.append(replace(job(
                f"{folder}/family-logs.pdf", "log/sheet.html",
                gettext(N_("Connection log by family")), students=project.roster.students,
                rows=log_rows(paper, family=True), methods=methods,
                heading=gettext(N_("Connection log")),
                max_pages=len(project.roster.students)), personal=True))
        found = read_log(log, doc.path, project.root, project.roster, planning.problems,
                         doc.loaded.marks)
        if found:
            as_of = log.as_of or found.last_date
            stats = summarise(found.contacts, project.roster, as_of, log.not_reached_days)
            shown = [c for c in found.contacts if c.date <= as_of]
            year = project.settings.year
            extra = (project.relative(project.root / log.file),) if log.file else ()
            positive = sum(c.tone == "positive" for c in shown)
            concern = sum(c.tone == "concern" for c in shown)
            steps.append(replace(job(
                f"{folder}/report.pdf", "log/report.html", gettext(N_("Connection log report")),
                REPORT_STYLESHEETS, extra, as_of=as_of, log=log, stats=stats,
                total=len(shown), positive=positive, concern=concern,
                class_ratio=ratio(positive, concern), ratio=ratio,
                since=shown[0].date if shown else as_of,
                weeks=rotation(stats, as_of, year.start, log.per_week),
                first_month_end=first_month_end(year.start),
                history=[p for p in found.history if p.date <= as_of],
                method_names=dict(zip(METHODS, [*methods, gettext(N_("Text message"))],
                                      strict=True))), personal=True))
        return steps


KIND = LogKind()
