"""What every document kind is and shares: the Kind contract, and the steps every personalised
kind makes the same way (a copy per family, the class set, output paths)."""

from __future__ import annotations

import glob
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .. import i18n
from ..build.plan import Assembly, Job, Step
from ..i18n import N_
from ..models.base import Model
from ..project import Document
from ..translations import report
from ..validate import load_model

if TYPE_CHECKING:
    from ..build.plan import Planning
    from ..errors import Problems
    from ..project import Project
    from ..roster import Student


class Kind:
    """A kind of document: which content files it reads, and the steps each one becomes.

    A kind lives in a folder of its own (its model, planning and helpers), subclasses this, and
    joins `registry.KINDS` with one line; no stage of the build changes.
    """

    name: ClassVar[str]
    pattern: ClassVar[str] = ""  # its content files, a glob under content/
    model: ClassVar[type[Model]]
    # Texts from the settings its documents print besides their own ("hours", "interpreter").
    settings_texts: ClassVar[tuple[str, ...]] = ()

    def load(self, project: Project, problems: Problems) -> list[Document]:
        """This kind's documents: each content file matching `pattern`, validated."""
        documents = []
        # glob.glob, unlike Path.glob, also finds a link to nowhere: it is then refused with
        # its reason instead of the document silently missing.
        for path in sorted(project.content / p for p in
                           glob.glob(self.pattern, root_dir=project.content)):
            name = path.relative_to(project.content).with_suffix("").as_posix()
            model, loaded = load_model(path, self.model, problems, project.root,
                                       project.derived)
            if model is None or loaded is None:
                project.failed.add(name)
                continue
            documents.append(Document(name, self, path, model, loaded))
        return documents

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        """The steps `doc` becomes; problems go to `planning.problems`."""
        raise NotImplementedError

    def check_texts(self, doc: Document, steps: list[Step], planning: Planning) -> None:
        """Warn, once per edition, where teacher-written text lacks the edition's language."""
        languages = {s.lang for s in steps if isinstance(s, Job)}
        project = planning.project
        texts = (report.document_texts(project, doc)
                 + report.settings_texts(project, *self.settings_texts))
        report.check(project, planning.problems, doc, report.same_texts(languages, texts))


def edition_path(folder: str, name: str, lang: str, suffix: str = "pdf") -> str:
    """A file of one language edition: `intake/blank.es.pdf`."""
    return f"{folder}/{name}.{lang}.{suffix}" if folder else f"{name}.{lang}.{suffix}"


def student_path(folder: str, student: Student, width: int) -> str:
    """A family's own copy: `intake/students/07-miller-ethan.pdf`."""
    return f"{folder}/students/{student.slug(width)}.pdf"


def class_set_path(folder: str) -> str:
    return f"{folder}/class-set.pdf"


@dataclass(frozen=True)
class Jobs:
    """Makes one document's jobs, filling in what they all share (document, kind, paper,
    template, sources) and what every personal copy carries (the student, the roster)."""

    project: Project
    doc: Document
    template: str
    stylesheets: tuple[str, ...]
    sources: tuple[str, ...] = ()  # besides the document's own file
    part: str = ""

    def job(self, output: str, lang: str, title: str, context: dict[str, Any],
            student: Student | None = None, *, numbered: bool = False, **options: Any) -> Job:
        """A job; with `student`, that family's copy (titled with the child's name).

        `numbered`: a document of several pages, whose footer says "Page N of M" (parts.html);
        it is laid out on its own, since documents laid out together share one page count.
        """
        project = self.project
        if numbered:
            options["alone"] = True
            context = {**context, "numbered": True}
        sources = (project.relative(self.doc.path), *self.sources)
        if student is not None:
            sources += project.roster_source
            options |= {"title": f"{title} – {student.name}", "subject": student.name,
                        "student": student.number, "personal": True}
        return Job(**{"output": output, "document": self.doc.name, "kind": self.doc.kind.name,
                      "part": self.part, "template": self.template,
                      "stylesheets": self.stylesheets, "lang": lang,
                      "paper": project.settings.paper, "title": title, "context": context,
                      "sources": sources, **options})

    def personal_copies(self, folder: str,
                        job: Callable[[str, str, Student], Job]) -> list[Step]:
        """One copy per student in the family's language (`job(output, lang, student)`), then
        the class set joining them in roster order, each copy starting on a new sheet."""
        project = self.project
        width = project.roster.slug_width
        copies = [job(student_path(folder, s, width), project.family_language(s), s)
                  for s in project.roster.students]
        if not copies:
            return []
        return [*copies, class_set(project, self.doc, folder, copies, self.part, self.sources)]


def class_set(project: Project, doc: Document, folder: str, copies: list[Job],
              part: str = "", sources: tuple[str, ...] = (), duplex: bool | None = None
              ) -> Assembly:
    """Every family's copy joined in roster order for the copier, each on a new sheet.

    Copies of one page each (`max_pages` 1) are printed single-sided, with no blank backs;
    `duplex` decides otherwise. The file's title says which (and so does its print setting).
    """
    if duplex is None:
        duplex = any(c.max_pages != 1 for c in copies)
    return Assembly(
        output=class_set_path(folder), document=doc.name, kind=doc.kind.name, part=part,
        title=class_set_title(project.default_language, duplex),
        parts=tuple(c.output for c in copies), paper=project.settings.paper, personal=True,
        lang=project.default_language, duplex=duplex,
        sources=(project.relative(doc.path), *sources, *project.roster_source))


def class_set_title(lang: str, duplex: bool) -> str:
    """"Class set – print double-sided", or single-sided: the copier's setting in the title."""
    gettext = i18n.translations(lang).gettext
    return gettext(N_("Class set – print double-sided") if duplex
                   else N_("Class set – print single-sided"))
