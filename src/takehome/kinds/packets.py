"""Per-family packets: each family's personalised copies of chosen documents joined into one
file, and a class set for the copier; every document starts on a new sheet (duplex)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from .. import i18n
from ..errors import Problems
from ..i18n import N_
from ..models.packets import Packets
from ..plan import Assembly, Job, Step
from . import Kind, all_kinds

if TYPE_CHECKING:
    from ..project import Document, Project


def _owner(project: Project, item: str) -> Document | None:
    """The content document an output folder belongs to ("cards/family" -> cards)."""
    for doc in project.documents:
        if item == doc.name or item.startswith(doc.name + "/"):
            return doc
    return None


def personal_copies(project: Project, item: str, cache: dict[str, list[Step]]
                    ) -> dict[int, list[Job]] | None:
    """Each student's personalised jobs under the output folder `item`; None if it has none."""
    doc = _owner(project, item)
    if doc is None or doc.kind is KIND:
        return None
    if doc.name not in cache:
        cache[doc.name] = doc.kind.plan(project, doc)
    copies: dict[int, list[Job]] = defaultdict(list)
    for step in cache[doc.name]:
        if (isinstance(step, Job) and step.student is not None
                and step.output.startswith(item + "/")):
            copies[step.student].append(step)
    return copies or None


def cross_check(project: Project, doc: Document, problems: Problems) -> None:
    """Each listed document exists and has a copy per student."""
    model: Packets = doc.model
    cache: dict[str, list[Step]] = {}
    candidates = sorted({d.name for d in project.documents if d.kind is not KIND})
    # Content files that failed to load have their own errors already; say nothing more.
    failed = {p.relative_to(project.content).with_suffix("").as_posix()
              for kind in all_kinds() for p in project.content.glob(kind.pattern)} - {
        d.name for d in project.documents}
    for name, packet in model.packets.items():
        for i, item in enumerate(packet.documents):
            if any(item == f or item.startswith(f + "/") for f in failed):
                continue
            if personal_copies(project, item, cache) is None:
                line, col = doc.loaded.marks.locate(("packets", name, "documents", i))
                problems.error(f"packet {name!r}: {item!r} has no personalised copies to put in "
                               f"a packet; documents: {', '.join(candidates) or 'none'} (a card "
                               "sheet needs `personalised: true`)", doc.path, line, col)


def plan(project: Project, doc: Document) -> list[Step]:
    model: Packets = doc.model
    cache: dict[str, list[Step]] = {}
    width = project.roster.slug_width
    source = project.relative(doc.path)
    steps: list[Step] = []
    for name, packet in model.packets.items():
        folder = f"{doc.name}/{name}"
        found = [personal_copies(project, item, cache) or {} for item in packet.documents]
        every: list[str] = []
        for student in project.roster.students:
            jobs = [job for copies in found for job in copies.get(student.number, [])]
            if not jobs:
                continue
            # The same jobs as the documents' own copies: built once, published by their owner.
            steps += [replace(job, publish=False) for job in jobs]
            lang = project.family_language(student)
            title = packet.title.get(lang, project.default_language) if packet.title else \
                i18n.translations(lang).gettext(N_("Family packet"))
            parts = tuple(job.output for job in jobs)
            every += parts
            steps.append(Assembly(
                output=f"{folder}/students/{student.slug(width)}.pdf", document=doc.name,
                kind=KIND.name, title=f"{title} – {student.name}", parts=parts,
                paper=project.settings.paper, lang=lang,
                sources=tuple(dict.fromkeys((source, *(s for j in jobs for s in j.sources))))))
        if every:
            steps.append(Assembly(
                output=f"{folder}/class-set.pdf", document=doc.name, kind=KIND.name,
                title=i18n.translations(project.default_language).gettext(N_("Class set")),
                parts=tuple(every), paper=project.settings.paper, sources=(source,)))
    return steps


KIND = Kind(name="packets", pattern="packets.yaml", model=Packets, plan=plan,
            cross_check=cross_check)
