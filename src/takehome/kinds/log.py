"""The connection log: blank log sheets for the binder (class-wide and a page per family) and a
report from the log the teacher keeps as data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import i18n
from ..errors import Problems
from ..i18n import N_
from ..logdata import first_month_end, ratio, read_log, rotation, summarise
from ..models.log import Log
from ..plan import Job, Step
from . import Kind

if TYPE_CHECKING:
    from ..logdata import Contact
    from ..project import Document, Project

STYLESHEETS = ("base.css", "log/log.css")
REPORT_STYLESHEETS = ("base.css", "log/report.css")
# Handwritten rows on a landscape page (A4 is 6 mm shorter); a family page keeps room for its
# details.
SHEET_ROWS = {"letter": 11, "a4": 10}
FAMILY_ROWS = {"letter": 10, "a4": 9}


def contacts(project: Project, doc: Document, problems: Problems) -> list[Contact]:
    log: Log = doc.model
    return read_log(log, doc.path, project.root, project.roster, problems, doc.loaded.marks)


def cross_check(project: Project, doc: Document, problems: Problems) -> None:
    """Every entry names a student on the roster and is well formed (errors with their line)."""
    contacts(project, doc, problems)


def plan(project: Project, doc: Document) -> list[Step]:
    log: Log = doc.model
    lang = project.default_language  # the teacher's binder
    gettext = i18n.translations(lang).gettext

    def language_name(code: str) -> str:
        return i18n.language_name(code, lang)

    folder = doc.name
    paper = project.settings.paper
    source = project.relative(doc.path)
    roster = project.relative(project.roster.path) if project.roster.path else None
    sources = (source, *((roster,) if roster else ()))

    def job(output: str, template: str, title: str, stylesheets: tuple[str, ...] = STYLESHEETS,
            extra: tuple[str, ...] = (), max_pages: int | None = None, **context: object) -> Job:
        return Job(output=output, document=doc.name, kind=KIND.name, template=template,
                   stylesheets=stylesheets, lang=lang, paper=paper, title=title,
                   context=project.context(lang, title=title, language_name=language_name,
                                           **context),
                   sources=sources + extra, max_pages=max_pages)

    methods = [gettext(N_("Note")), gettext(N_("Email")), gettext(N_("Phone")),
               gettext(N_("Meeting"))]
    steps: list[Step] = [
        job(f"{folder}/class-log.pdf", "log/sheet.html", gettext(N_("Connection log")),
            students=[None], rows=SHEET_ROWS[paper], methods=methods,
            heading=gettext(N_("Connection log")), max_pages=1),
    ]
    if project.roster.students:
        steps.append(job(f"{folder}/family-logs.pdf", "log/sheet.html",
                         gettext(N_("Connection log by family")),
                         students=project.roster.students, rows=FAMILY_ROWS[paper], methods=methods,
                         heading=gettext(N_("Connection log")),
                         max_pages=len(project.roster.students)))
    found = contacts(project, doc, Problems())  # cross_check() has reported any problem
    if found:
        as_of = log.as_of or found[-1].date
        stats = summarise(found, project.roster, as_of, log.not_reached_days)
        shown = [c for c in found if c.date <= as_of]
        year = project.settings.year
        extra = (project.relative(project.root / log.file),) if log.file else ()
        steps.append(job(
            f"{folder}/report.pdf", "log/report.html", gettext(N_("Connection log report")),
            REPORT_STYLESHEETS, extra, as_of=as_of, log=log, stats=stats,
            total=len(shown), positive=sum(c.tone == "positive" for c in shown),
            concern=sum(c.tone == "concern" for c in shown),
            class_ratio=ratio(sum(c.tone == "positive" for c in shown),
                              sum(c.tone == "concern" for c in shown)),
            ratio=ratio, since=shown[0].date if shown else as_of,
            weeks=rotation(stats, as_of, year.start, log.per_week),
            first_month_end=first_month_end(year.start)))
    return steps


KIND = Kind(name="log", pattern="log.yaml", model=Log, plan=plan, cross_check=cross_check)
