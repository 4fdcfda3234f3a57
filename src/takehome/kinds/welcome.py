"""The welcome sheet: one page per language, one per family in its language, and a class set."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .. import i18n
from ..i18n import N_
from ..models.welcome import Welcome
from ..plan import Job, Step
from . import Kind, personal_copies

if TYPE_CHECKING:
    from ..project import Document, Project
    from ..roster import Student
    from ..schoolyear import KeyDate

TEMPLATE = "welcome/sheet.html"
STYLESHEETS = ("base.css", "welcome/sheet.css")
CHANNELS = {  # settings' teacher.channels -> icon and label
    "note": ("note", N_("A note in the backpack")),
    "email": ("mail", N_("Email")),
    "text": ("text", N_("Text message")),
    "call": ("call", N_("Phone call")),
    "app": ("app", N_("The school app")),
}


def months_after(day: dt.date, months: int) -> dt.date:
    """The day before the same date `months` later (the end of a span of whole months)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28)) - dt.timedelta(days=1)


def key_dates(project: Project, welcome: Welcome) -> list[KeyDate]:
    """The school calendar's key dates for the months ahead (none without a calendar)."""
    calendar = project.calendar
    if calendar is None or welcome.key_dates_months == 0:
        return []
    start = welcome.key_dates_from or project.settings.year.start
    end = min(months_after(start, welcome.key_dates_months), project.settings.year.end)
    return list(calendar.key_dates(start, end))[:welcome.key_dates_count]


def plan(project: Project, doc: Document) -> list[Step]:
    welcome: Welcome = doc.model
    folder = doc.name
    paper = project.settings.paper
    sources = (project.relative(doc.path),)
    dates = key_dates(project, welcome)
    if dates:  # the calendar's files, so a changed date rebuilds the sheet
        files = [project.content / "calendar.yaml",
                 *sorted((project.content / "calendar").glob("*.ics"))]
        sources += tuple(project.relative(p) for p in files if p.is_file())
    website = welcome.website or project.settings.school.website
    channels = [CHANNELS[c] for c in project.settings.teacher.channels]

    def job(output: str, lang: str, student: Student | None = None, **options: bool) -> Job:
        teacher = project.settings.teacher
        if welcome.title:
            title = welcome.title.get(lang, project.default_language)
        elif teacher.room:
            title = i18n.translations(lang).gettext(N_("Welcome to Room %(room)s!")) % {
                "room": teacher.room}
        else:
            title = i18n.translations(lang).gettext(N_("Welcome to our class!"))
        context = project.context(lang, welcome=welcome, student=student, title=title,
                                  key_dates=dates, website=website, channels=channels)
        roster = (project.relative(project.roster.path),) if student else ()
        return Job(output=output, document=doc.name, kind=KIND.name, template=TEMPLATE,
                   stylesheets=STYLESHEETS, lang=lang, paper=paper,
                   title=f"{title} – {student.name}" if student else title, context=context,
                   sources=sources + roster, subject=student.name if student else "",
                   student=student.number if student else None, max_pages=1, **options)

    steps: list[Step] = [job(f"{folder}/welcome.{lang}.pdf", lang, tagged=True)
                         for lang in project.editions]
    return steps + personal_copies(project, doc, KIND.name, folder, paper, sources, job)


KIND = Kind(name="welcome", pattern="welcome.yaml", model=Welcome, plan=plan)
