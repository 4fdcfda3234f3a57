"""The welcome sheet: one page per language, one per family in its language, and a class set."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ... import i18n
from ...build.plan import Job, Step
from ...dates import format_clock, format_key_date
from ...i18n import N_
from ...models.base import Text
from ...translations import report
from ..base import Jobs, Kind, edition_path
from .layout import Rows, Words, date_rows, dates_split
from .model import Welcome

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...project import Document, Project
    from ...roster import Student
    from ..calendar.schoolyear import KeyDate

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
    if calendar is None or welcome.key_dates_months == 0 or project.generic:
        return []
    start = welcome.key_dates_from or project.settings.year.start
    end = min(months_after(start, welcome.key_dates_months), project.settings.year.end)
    return list(calendar.key_dates(start, end))[:welcome.key_dates_count]


def date_line(key: KeyDate, lang: str, project: Project) -> tuple[str, str]:
    """A key date as its line on the sheet prints it: its days and time (in bold), its title."""
    when = format_key_date(key, lang)
    if key.time is not None:
        when += ", " + format_clock(key.time, lang, project.settings.time_style)
    return when, f"– {key.title.get(lang, project.default_language)}"


def text(value: Text | None, lang: str, default: str) -> str:
    """A sheet's text as the `lang` edition prints it ("" when there is none)."""
    return value.get(lang, default) if value is not None else ""


class WelcomeKind(Kind):
    name = "welcome"
    pattern = "welcome.yaml"
    model = Welcome

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        welcome: Welcome = doc.model
        dates = key_dates(project, welcome)
        # The calendar's files, so that a changed date rebuilds the sheet.
        calendar = project.calendar.sources if dates and project.calendar else ()
        jobs = Jobs(project, doc, TEMPLATE, STYLESHEETS, calendar)
        website = welcome.website or project.settings.school.website
        channels = [CHANNELS[c] for c in project.settings.teacher.channels]

        def job(output: str, lang: str, student: Student | None = None, **options: Any) -> Job:
            teacher = project.settings.teacher
            gettext = i18n.translations(lang).gettext
            if welcome.title:
                title = welcome.title.get(lang, project.default_language)
            elif teacher.room and not project.generic:
                title = gettext(N_("Welcome to Room %(room)s!")) % {"room": teacher.room}
            else:
                title = gettext(N_("Welcome to our class!"))
            # A generic sheet has no school dates: ruled rows to write them in fill the page.
            rows = Rows(0, 0.0)
            if project.generic and not dates:
                default = project.default_language
                words = Words(title, text(welcome.intro, lang, default),
                              text(welcome.closing, lang, default),
                              gettext(N_("How to reach me")), gettext(N_("Ways I answer best")),
                              [gettext(label) for _, label in channels], lang)
                rows = date_rows(words, project.settings.paper, project.settings.theme.font)
            editable = project.generic is not None and project.generic.editable
            split = dates_split([date_line(d, lang, project) for d in dates],
                                project.settings.paper, project.settings.theme.font, lang)
            context = project.context(lang, welcome=welcome, student=student, title=title,
                                      key_dates=dates, dates_split=split, website=website,
                                      channels=channels,
                                      date_rows=rows.count, date_row_mm=rows.height_mm,
                                      editable=editable)
            return jobs.job(output, lang, title, context, student, max_pages=1, **options)

        steps: list[Step] = [job(edition_path(doc.name, "welcome", lang), lang, tagged=True)
                             for lang in project.editions]
        return steps + jobs.personal_copies(doc.name, job)

    def check_texts(self, doc: Document, steps: list[Step], planning: Planning) -> None:
        """One warning per edition: the sheet's texts, the teacher's and the key dates'."""
        project = planning.project
        texts = (report.document_texts(project, doc)
                 + report.settings_texts(project, "hours", "about", "hopes", "interpreter")
                 + report.key_date_texts(project, key_dates(project, doc.model)))
        languages = {s.lang for s in steps if isinstance(s, Job)}
        report.check(project, planning.problems, doc, report.same_texts(languages, texts))


KIND = WelcomeKind()
