"""Per-family packets: each family's personalised copies of chosen documents joined into one
file behind a cover (the family's name and what is inside), and a class set for the copier.
Every document starts on a new sheet (duplex), except a page to cut out (a pencil-case label):
it goes on the back of the cover."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import i18n
from ...build.plan import Assembly, Job, Planning, Step
from ...i18n import N_
from ..base import Jobs, Kind, class_set_path, class_set_title, student_path
from .model import Packet, Packets

COVER = "packets/cover.html"
COVER_STYLESHEETS = ("base.css", "packets/cover.css")

if TYPE_CHECKING:
    from ...project import Document


class PacketsKind(Kind):
    name = "packets"
    pattern = "packets.yaml"
    model = Packets

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        project = planning.project
        model: Packets = doc.model
        width = project.roster.slug_width
        source = project.relative(doc.path)
        steps: list[Step] = []
        for name, packet in model.packets.items():
            folder = f"{doc.name}/{name}"
            found = [_copies(doc, planning, name, i, item)
                     for i, item in enumerate(packet.documents)]
            every: list[str] = []
            backs: list[str] = []
            covers = Jobs(project, doc, COVER, COVER_STYLESHEETS, part=name)
            for student in project.roster.students:
                jobs = [job for copies in found for job in copies.get(student.number, [])]
                if not jobs:
                    continue
                lang = project.family_language(student)
                title = packet_title(packet, lang, project.default_language)
                # A page to cut out goes on the back of the cover, the rest after it.
                cut = next((j for j in jobs if j.cut_out), None)
                inside = [j for j in jobs if j is not cut]
                items = [{"title": _title(j, student.name), "back": j is cut}
                         for j in ([cut] if cut else []) + inside]
                cover = covers.job(f"{folder}/covers/{student.slug(width)}.pdf", lang, title,
                                   project.context(lang, student=student, title=title,
                                                   items=items), student, max_pages=1)
                steps.append(cover)
                parts = (cover.output, *((cut.output,) if cut else ()),
                         *(j.output for j in inside))
                every += parts
                if cut:
                    backs.append(cut.output)
                steps.append(Assembly(
                    output=student_path(folder, student, width), document=doc.name,
                    kind=self.name, part=name, title=f"{title} – {student.name}", parts=parts,
                    paper=project.settings.paper, lang=lang, student=student.number,
                    personal=True, backs=(cut.output,) if cut else (),
                    sources=tuple(dict.fromkeys((source, *(s for j in jobs for s in j.sources))))))
            if every:
                default = project.default_language
                steps.append(Assembly(
                    output=class_set_path(folder), document=doc.name, kind=self.name, part=name,
                    title=f"{packet_title(packet, default, default)} – "
                          f"{class_set_title(default, True)}",
                    parts=tuple(every), paper=project.settings.paper, personal=True,
                    lang=default, backs=tuple(backs), sources=(source,)))
        return steps


def _copies(doc: Document, planning: Planning, packet: str, index: int,
            item: str) -> dict[int, list[Job]]:
    """Each student's personalised jobs of `item` ("intake", "cards/family"): a document, or a
    part of one; an item with none is an error at its line."""
    project = planning.project
    if any(_within(item, name) for name in project.failed):
        return {}  # it did not load: its own errors say why
    owner = next((d for d in project.documents if _within(item, d.name)), None)
    copies: dict[int, list[Job]] = {}
    if owner is not None and owner.kind is not KIND:
        part = item.removeprefix(owner.name).removeprefix("/")
        for step in planning.steps_of(owner):
            if isinstance(step, Job) and step.student is not None and step.part == part:
                copies.setdefault(step.student, []).append(step)
    if not copies:
        candidates = sorted(d.name for d in project.documents if d.kind is not KIND)
        line, col = doc.loaded.marks.locate(("packets", packet, "documents", index))
        planning.problems.error(
            f"packet {packet!r}: {item!r} has no personalised copies to put in a packet; "
            f"documents: {', '.join(candidates) or 'none'} (a card sheet needs "
            "`personalised: true`)", doc.path, line, col)
    return copies


def packet_title(packet: Packet, lang: str, default: str) -> str:
    """The packet's title in `lang`: the configured one, or "Family packet"."""
    return packet.title.get(lang, default) if packet.title else \
        i18n.translations(lang).gettext(N_("Family packet"))


def _title(job: Job, name: str) -> str:
    """A copy's document title, without the child's name it carries for the file."""
    title = job.context.get("title")
    return title if isinstance(title, str) else job.title.removesuffix(f" – {name}")


def _within(item: str, name: str) -> bool:
    """Whether a packet's item names document `name` or a part of it."""
    return item == name or item.startswith(name + "/")


KIND = PacketsKind()
