"""Document kinds. Each module describes one kind: its content model and how it becomes jobs.

A new kind is one module here with a `KIND`, listed in `all_kinds()`; the pipeline needs no change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models.base import Model

if TYPE_CHECKING:
    from ..errors import Problems
    from ..plan import Job, Step
    from ..project import Document, Project
    from ..roster import Student

# (project, document, languages its PDFs are printed in, problems) -> None
Check = Callable[["Project", "Document", set[str], "Problems"], None]


@dataclass(frozen=True)
class Kind:
    """A kind of document: which content files it reads and how it plans its PDFs."""

    name: str
    pattern: str  # content files of this kind, a glob under content/
    model: type[Model]
    plan: Callable[[Project, Document], list[Step]]
    # For a kind made from project data rather than one YAML file each (the school calendar):
    # its documents, given the loaded project; `pattern` is then not used.
    documents: Callable[[Project], list[Document]] | None = None
    # Warnings after planning; None: warn where a Text lacks a language it is printed in.
    check: Check | None = None
    # Checks against the roster or other documents once everything is loaded (a log naming a
    # student who is not on the roster); errors go to Problems with their file and line.
    cross_check: Callable[[Project, Document, Problems], None] | None = None


def personal_copies(project: Project, doc: Document, kind: str, folder: str, paper: str,
                    sources: tuple[str, ...],
                    job: Callable[[str, str, Student], Job]) -> list[Step]:
    """One copy per student in the family's language (`job(output, lang, student)`), then the
    class set that joins them in roster order, each copy starting on a new sheet."""
    from .. import i18n
    from ..i18n import N_
    from ..plan import Assembly

    width = project.roster.slug_width
    copies: list[Step] = [job(f"{folder}/students/{s.slug(width)}.pdf",
                              project.family_language(s), s) for s in project.roster.students]
    if not copies:
        return []
    return [*copies, Assembly(
        output=f"{folder}/class-set.pdf", document=doc.name, kind=kind,
        title=i18n.translations(project.default_language).gettext(N_("Class set")),
        parts=tuple(c.output for c in copies), paper=paper,
        sources=(*sources, project.relative(project.roster.path)))]


def all_kinds() -> list[Kind]:
    from . import calendar, cards, intake, log, newsletter, packets, welcome

    return [intake.KIND, welcome.KIND, calendar.KIND, newsletter.KIND, cards.KIND, log.KIND,
            packets.KIND]
