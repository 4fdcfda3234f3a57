"""Family intake sheets: blank and fillable per language, one per student, and the class set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ... import i18n
from ...build.plan import Job, Step
from ...i18n import N_
from ...models.base import Text
from ..base import Jobs, Kind, edition_path
from .layout import Page, Texts, plan_pages
from .model import Intake, Question

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...project import Document
    from ...roster import Student

TEMPLATE = "intake/sheet.html"
STYLESHEETS = ("base.css", "intake/sheet.css")


def _text(message: str) -> Text:
    return Text(i18n.catalog_text(message))


def default_questions() -> list[Question]:
    """What teachers ask most, in every language takehome has a catalog for."""
    q = Question
    t = _text
    return [
        q(id="child_name", label=t(N_("Child's full name")), prefill="student_name"),
        q(id="preferred_name", label=t(N_("Name your child likes to be called")), width="half",
          prefill="preferred_name"),
        q(id="birthday", label=t(N_("Birthday")), width="half"),
        q(id="guardians", label=t(N_("Parents' or guardians' names")), prefill="guardians"),
        q(id="phone", label=t(N_("Phone")), width="half", prefill="phone"),
        q(id="email", label=t(N_("Email")), width="half", prefill="email"),
        q(id="contact_way", type="choice", label=t(N_("Best way to reach you")),
          options=[t(N_("Text message")), t(N_("Phone call")), t(N_("Email")),
                   t(N_("Note in the backpack"))]),
        q(id="contact_time", label=t(N_("Best time to reach you")), width="half"),
        q(id="home_language", label=t(N_("Languages spoken at home")), width="half",
          prefill="language"),
        q(id="allergies", type="long", lines=2,
          label=t(N_("Allergies, medical needs or medications")),
          help=t(N_("Please also tell the school nurse."))),
        q(id="pickup", type="table", rows=3, label=t(N_("Adults allowed to pick up your child")),
          columns=[t(N_("Name")), t(N_("Relationship")), t(N_("Phone"))]),
        q(id="learner", type="choice", label=t(N_("What kind of learner is your child?")),
          help=t(N_("Check all that apply.")), other=True,
          options=[t(N_("Learns by seeing")), t(N_("Learns by listening")),
                   t(N_("Learns by doing")), t(N_("Likes to work with others")),
                   t(N_("Likes to work alone"))]),
        q(id="motivates", type="long", lines=2, label=t(N_("What motivates your child?"))),
        q(id="concerns", type="long", lines=2, label=t(N_("Any worries or concerns?"))),
        q(id="goals", type="long", lines=2,
          label=t(N_("Your family's goals for your child this year"))),
        q(id="anything_else", type="long", lines=3,
          label=t(N_("Anything else you would like me to know?"))),
    ]


def prefill(student: Student, lang: str) -> dict[str, str]:
    """Answers the roster already knows, printed in for the family to check."""
    return {
        "student_name": student.full_name,
        "preferred_name": student.preferred_name,
        "guardians": ", ".join(student.guardians),
        "phone": student.phone,
        "email": student.email,
        "language": i18n.language_name(student.language, lang) if student.language else "",
    }


def rows(questions: list[Question]) -> list[list[Question]]:
    """Questions laid out in rows: a full-width one alone, half-width ones in pairs."""
    out: list[list[Question]] = []
    for q in questions:
        if q.width == "half" and out and len(out[-1]) == 1 and out[-1][0].width == "half":
            out[-1].append(q)
        else:
            out.append([q])
    return out


class IntakeKind(Kind):
    name = "intake"
    pattern = "intake.yaml"
    model = Intake
    settings_texts = ("interpreter",)

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        intake: Intake = doc.model
        if project.generic and intake.return_by:  # a seller's copy: the buyer writes the date
            intake = intake.model_copy(update={
                "return_by": project.generic.blank("return_by", width_mm=38)})
        questions = intake.questions or default_questions()
        yes_no = [_text(N_("Yes")), _text(N_("No"))]
        numbers = {q.id: i for i, q in enumerate(questions, 1)}
        layout = {"numbers": numbers, "yes_no": yes_no}
        jobs = Jobs(project, doc, TEMPLATE, STYLESHEETS)
        paper = project.settings.paper
        font = project.settings.theme.font
        default = project.default_language
        planned: dict[tuple[str, bool, bool], list[Page]] = {}
        interpreter = project.settings.interpreter  # printed under the intro (parts.html)

        def pages(lang: str, title: str, personal: bool, fillable: bool) -> list[Page]:
            key = (lang, personal, fillable)
            if key not in planned:
                texts = Texts(
                    title=title, intro=intake.intro.get(lang, default) if intake.intro else "",
                    labels={q.id: f"{numbers[q.id]}. {q.label.get(lang, default)}"
                            for q in questions},
                    helps={q.id: q.help.get(lang, default) for q in questions if q.help},
                    options={q.id: [o.get(lang, default) for o in
                                    (q.options if q.type == "choice" else yes_no)]
                             for q in questions if q.type in ("choice", "yesno")},
                    personal=personal, fillable=fillable,
                    interpreter=interpreter.get(lang, default) if interpreter else "",
                    lang=lang)
                planned[key] = plan_pages(rows(questions), texts, paper, font)
            return planned[key]

        def job(output: str, lang: str, student: Student | None = None, **options: Any) -> Job:
            title = intake.title.get(lang, default) if intake.title else \
                i18n.translations(lang).gettext(N_("Getting to know your child"))
            fillable = options.get("forms", False)
            context = project.context(lang, intake=intake, student=student, **layout,
                                      pages=pages(lang, title, student is not None, fillable),
                                      answers=prefill(student, lang) if student else {},
                                      fillable=fillable, title=title)
            return jobs.job(output, lang, title, context, student, numbered=True, **options)

        steps: list[Step] = []
        for lang in project.editions:
            steps.append(job(edition_path(doc.name, "blank", lang), lang, tagged=True))
            steps.append(job(edition_path(doc.name, "fillable", lang), lang, tagged=True,
                             forms=True))
        return steps + jobs.personal_copies(doc.name, job)


KIND = IntakeKind()
