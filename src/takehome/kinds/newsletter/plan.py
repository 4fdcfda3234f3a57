"""Newsletters: a PDF and a web page per language edition of each issue, and an archive index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import files, i18n, images
from ...build.plan import File, Step
from ...i18n import N_
from ...models.base import Text
from ...translations import report
from ..base import Jobs, Kind, edition_path
from .model import COLUMN_MM, Newsletter, Section

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...errors import Problems
    from ...project import Document, Project

TEMPLATE = "newsletter/issue.html"
WEB_TEMPLATE = "newsletter/web.html"
INDEX_TEMPLATE = "newsletter/index.html"
STYLESHEETS = ("base.css", "newsletter/issue.css")
LOGO_MM = 16
WEB_PIXELS = 1200  # sharp on a phone's screen, small enough to download on a phone plan

HEADINGS = {
    "letter": N_("A letter from %(name)s"),
    "dates": N_("Dates to remember"),
    "help_at_home": N_("Ways to help at home"),
    "volunteer": N_("Volunteer and visit"),
    "contact": N_("Contact us"),
}
HOME_TIPS = (
    N_("Read together for 20 minutes every day, in any language: talking about a story builds "
       "reading skills just as well in your home language."),
    N_("Keep a homework routine: the same time and a quiet place each day, with you nearby to "
       "encourage."),
    N_("Ask about the school day with open questions: “What made you laugh today?” “What was "
       "hard?”"),
    N_("Count, measure and compare while you cook or shop: everyday math sticks."),
    N_("Praise effort, not only results, and let your child see you learning too."),
)


def builtin(message: str, **values: str) -> Text:
    """A built-in string in every language that has a catalog, with `values` filled in."""
    return Text({lang: text % values if values else text
                 for lang, text in i18n.catalog_text(message).items()})


@dataclass
class SectionView:
    """A section ready for the templates: its heading, pictures and what the engine filled in."""

    section: Section
    number: int
    heading: Text | None
    items: list[Text] = field(default_factory=list)
    dates: list[tuple[dt.date, list[Any]]] = field(default_factory=list)  # (month, KeyDates)
    signed_name: str = ""
    signed_role: Text | None = None
    image_print: str = ""  # data: URIs of the downscaled picture
    image_web: str = ""


def months(issue: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the issue's month and the last day of the next month."""
    start = issue.replace(day=1)
    next_month = (start + dt.timedelta(days=32)).replace(day=1)
    after = (next_month + dt.timedelta(days=32)).replace(day=1)
    return start, after - dt.timedelta(days=1)


def key_dates(project: Project, issue: dt.date) -> list[Any] | None:
    """The school calendar's key dates for the issue's month and the next; None: no calendar."""
    calendar = project.calendar
    if calendar is None:
        return None
    start, end = months(issue)
    return list(calendar.key_dates(start, end))


def _by_month(project: Project, issue: dt.date) -> list[tuple[dt.date, list[Any]]]:
    """The key dates of the issue's month and the next, month by month: each month lists
    every date that falls in it (the school calendar's rule, schoolyear.py)."""
    if project.calendar is None:
        return []
    return project.calendar.key_dates_by_month(*months(issue))


def default_heading(section: Section, signer: str) -> Text | None:
    if section.type == "text":
        return None
    if section.type == "letter":
        return builtin(HEADINGS["letter"], name=signer)
    return builtin(HEADINGS[section.type])


def _views(project: Project, nl: Newsletter) -> list[SectionView]:
    teacher = project.settings.teacher
    dates = key_dates(project, nl.date)
    views = []
    for number, section in enumerate(nl.sections, 1):
        if section.type == "dates" and dates is None:
            continue  # no calendar: the check warns
        name = section.signed.name if section.signed else teacher.name
        role = section.signed.role if section.signed else (
            builtin(N_("Teacher, Room %(room)s"), room=teacher.room) if teacher.room
            else builtin(N_("Teacher")))
        view = SectionView(section, number, section.heading or default_heading(section, name),
                           signed_name=name if section.type == "letter" or section.signed else "",
                           signed_role=role if section.type == "letter" or section.signed else None)
        if section.type == "help_at_home":
            view.items = section.items or [builtin(tip) for tip in HOME_TIPS]
        else:
            view.items = list(section.items)
        if section.type == "dates":
            view.dates = _by_month(project, nl.date)
        if section.image is not None:
            path = project.root / section.image.file
            view.image_print = images.prepare(path, images.pixels_for(COLUMN_MM)).data_uri
            view.image_web = images.prepare(path, WEB_PIXELS, quality=80).data_uri
        views.append(view)
    return views


def _directions(project: Project, lang: str) -> dict[str, str]:
    """The language built-in strings print in, and the default language's direction."""
    ui_lang = lang if lang in i18n.catalog_languages() else i18n.SOURCE_LANGUAGE
    default_dir = "rtl" if i18n.is_rtl(project.default_language) else "ltr"
    return {"ui_lang": ui_lang, "default_dir": default_dir}


def editions(project: Project, nl: Newsletter) -> list[str]:
    """The issue's languages: its own list, else the project's editions."""
    return list(dict.fromkeys(nl.languages or project.editions))


def _native(lang: str) -> str:
    """A language's own name, capitalised as a label ("Español", "العربية")."""
    name = i18n.language_name(lang, lang)
    return name[:1].upper() + name[1:]


def _issues(project: Project) -> list[Document]:
    return sorted((d for d in project.documents if d.kind is KIND),
                  key=lambda d: (d.model.date, d.name))


def _file(doc_name: str, lang: str, suffix: str) -> str:
    """`newsletters/2026-12.es.pdf`: an issue's edition, named by a slug of its file's name
    (a file called `CON.yaml` or `javascript:x.yaml` names nothing it should not)."""
    folder, _, name = doc_name.rpartition("/")
    return edition_path(folder, files.output_name(name, "issue"), lang, suffix)


class NewsletterKind(Kind):
    name = "newsletter"
    pattern = "newsletters/*.yaml"
    model = Newsletter

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        nl: Newsletter = doc.model
        views = _views(project, nl)
        langs = editions(project, nl)
        logo = project.settings.school.logo
        logo_uri = images.prepare(project.root / logo, images.pixels_for(LOGO_MM)).data_uri \
            if logo else ""
        name = doc.name.rsplit("/", 1)[-1]
        jobs = Jobs(project, doc, TEMPLATE, STYLESHEETS)
        steps: list[Step] = []
        for lang in langs:
            shown = [v for v in views if v.section.editions is None or lang in v.section.editions]
            title = nl.title.get(lang, project.default_language)
            others = [(other, _native(other), _file(name, other, "html"),
                       _file(name, other, "pdf")) for other in langs]
            context = project.context(lang, newsletter=nl, sections=shown, title=title,
                                      logo=logo_uri, editions=others,
                                      pdf_name=_file(name, lang, "pdf"),
                                      **_directions(project, lang))
            steps.append(jobs.job(_file(doc.name, lang, "pdf"), lang, title,
                                  {**context, "web": False}, tagged=True, numbered=True))
            steps.append(File(
                output=_file(doc.name, lang, "html"), document=doc.name, kind=self.name,
                template=WEB_TEMPLATE, lang=lang, title=title, context={**context, "web": True},
                sources=(project.relative(doc.path),),
            ))
        issues = _issues(project)
        if issues and issues[-1] is doc:  # the newest issue carries the archive index
            steps.append(_index(project, doc, issues))
        return steps

    def check_texts(self, doc: Document, steps: list[Step], planning: Planning) -> None:
        """Missing translations named by section, sections left out, labels left in English."""
        check(planning.project, doc, planning.problems)


def _index(project: Project, owner: Document, issues: list[Document]) -> File:
    """A web page listing every issue, newest first, with each edition's PDF and web page."""
    lang = project.default_language
    listed = []
    for doc in reversed(issues):
        nl: Newsletter = doc.model
        name = doc.name.rsplit("/", 1)[-1]
        listed.append({
            "newsletter": nl, "title": nl.title.get(lang, lang),
            "editions": [(other, _native(other), _file(name, other, "pdf"),
                          _file(name, other, "html")) for other in editions(project, nl)],
        })
    folder = owner.name.rsplit("/", 1)[0] if "/" in owner.name else ""
    title = i18n.translations(lang).gettext(N_("Newsletter archive"))
    return File(
        output=f"{folder}/index.html" if folder else "index.html", document=owner.name,
        kind=owner.kind.name, template=INDEX_TEMPLATE, lang=lang, title=title,
        context=project.context(lang, issues=listed, title=title, web=True,
                                **_directions(project, lang)),
        sources=tuple(project.relative(d.path) for d in issues),
    )


def check(project: Project, doc: Document, problems: Problems) -> None:
    """Texts each edition prints in another language (one warning per edition), sections left
    out, labels left in English."""
    nl: Newsletter = doc.model
    default = project.default_language
    langs = editions(project, nl)
    english = i18n.language_name(i18n.SOURCE_LANGUAGE, "en")
    dates = key_dates(project, nl.date)
    by_language: dict[str, list[report.Sourced]] = {lang: [] for lang in langs}
    title = report.document_texts(project, doc, nl.title, ("title",))
    teacher = report.settings_texts(project, "hours", "interpreter")
    for lang in langs:
        by_language[lang] += title + teacher
    for i, section in enumerate(nl.sections):
        heading = section.heading or default_heading(section, "")
        what = f"section {i + 1}" + (f' "{heading.get(default, default)}"' if heading else "")
        shown = [lang for lang in langs if section.editions is None or lang in section.editions]
        texts = report.document_texts(project, doc, section, ("sections", i))
        if section.type == "dates":
            texts += report.key_date_texts(project, dates or [])
        for lang in shown:
            by_language[lang] += texts
        line, col = doc.loaded.marks.locate(("sections", i))
        for lang in sorted(set(section.editions or ()) - set(langs)):
            problems.warn(f"{what}: {i18n.language_name(lang, 'en')} is not an edition of "
                          f"this issue (languages: {', '.join(langs)})", doc.path, line, col)
        if section.type == "dates" and dates is None:
            problems.warn(f"{what}: the project has no school calendar, so the section is left "
                          "out", doc.path, line, col)
    report.check(project, problems, doc, by_language)
    available = set(i18n.catalog_languages())
    for lang in langs:
        if lang not in available:
            problems.warn(f"no {i18n.language_name(lang, 'en')} translation of the built-in text "
                          f"yet; the {i18n.language_name(lang, 'en')} edition prints its labels "
                          f"and default headings in {english}", doc.path)


KIND = NewsletterKind()
