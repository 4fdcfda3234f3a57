"""Stage: plan. Every document of the project -> the steps of a build.

A step is one file of the output: a job (one PDF typeset from one template), an assembly (PDFs
joined for the copier) or a file written as it is (a web page, an .ics). Every step has the
same facts that later stages and products read; kinds make them (kinds/), this stage only asks
each selected document for its steps and works out which jobs the selected assemblies need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import Problems

if TYPE_CHECKING:
    from ..project import Document, Project


@dataclass(frozen=True, kw_only=True)
class Step:
    """One file of a build, and what it is."""

    output: str  # path under output/, posix
    document: str  # the content document it belongs to ("intake", "newsletters/2026-12")
    kind: str
    title: str
    lang: str = "mul"  # "mul": several languages
    paper: str | None = None  # None: not a printed page (a web page, an .ics)
    sources: tuple[str, ...] = ()  # project files it is made from, relative to the project
    part: str = ""  # the part of its document it belongs to (a card sheet, a packet)
    student: int | None = None  # roster number of the student a personal copy is for
    personal: bool = False  # carries a family's details (a personal copy or a class set)
    parts: tuple[str, ...] = ()  # the outputs an assembly joins
    # How it is printed, for a product's how-to-print page: fronts and backs (double-sided
    # whatever its length), and cut after printing ("marks": crop marks, "guides": dashed lines)
    two_sided: bool = False
    cut: str = ""

    @property
    def printed(self) -> bool:
        """A PDF for paper (rather than a web page or a data file)."""
        return self.paper is not None


@dataclass(frozen=True, kw_only=True)
class Job(Step):
    """One PDF rendered from one template for one language, paper and (maybe) one student."""

    template: str
    stylesheets: tuple[str, ...]
    context: dict[str, Any] = field(compare=False, hash=False, repr=False)
    subject: str = ""  # who or what the copy is for, for messages ("Ana López")
    tagged: bool = False  # tagged, accessible PDF (PDF/UA)
    forms: bool = False  # real PDF form fields
    max_pages: int | None = None
    # Laid out in a WeasyPrint pass of its own, so that counter(page) and counter(pages) count
    # this document's pages only (records sharing a pass share one page sequence).
    alone: bool = False
    # One page of small things to cut out (a pencil-case label): in a packet it is printed on
    # the back of the cover rather than on a sheet of its own.
    cut_out: bool = False


@dataclass(frozen=True, kw_only=True)
class Assembly(Step):
    """Built PDFs (`parts`) joined in order; with duplex, each part starts on a new sheet, but
    a part in `backs` is printed on the back of the (one-page) part before it."""

    duplex: bool = True
    backs: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class File(Step):
    """A file written as it is, not typeset: a web page from a template, or text a function
    makes (an .ics): either from `context`, at the render stage, which remembers both."""

    template: str = ""  # rendered with `context` when there is no `make`
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)
    make: Callable[..., str] | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass
class Plan:
    """What a build makes: the files it writes, in order, and the jobs it makes only to join."""

    steps: list[Step]
    parts: list[Job] = field(default_factory=list)

    @property
    def jobs(self) -> list[Job]:
        """Every PDF to typeset."""
        return [s for s in self.steps if isinstance(s, Job)] + self.parts

    @property
    def documents(self) -> set[str]:
        return {s.document for s in self.steps}


class Planning:
    """What a kind's planner sees: the project, where problems go, and other documents' steps
    (a packet joins the copies its documents made), each document planned once."""

    def __init__(self, project: Project, problems: Problems,
                 outputs: tuple[str, ...] = ()) -> None:
        self.project = project
        self.problems = problems
        self.outputs = frozenset(outputs)  # a build of just these files (a product's)
        self._planned: dict[str, list[Step]] = {}

    def document(self, name: str) -> Document | None:
        return next((d for d in self.project.documents if d.name == name), None)

    def steps_of(self, doc: Document) -> list[Step]:
        """The steps of `doc`, planned (and its texts checked) the first time it is asked for."""
        if doc.name not in self._planned:
            self._planned[doc.name] = []  # a document that asks for itself gets nothing
            steps = doc.kind.plan(doc, self)
            doc.kind.check_texts(doc, self._made(steps), self)
            self._planned[doc.name] = steps
        return self._planned[doc.name]

    def _made(self, steps: list[Step]) -> list[Step]:
        """Those of `steps` this build makes: a product's build warns about the editions it
        holds, not about the ones it leaves out."""
        if not self.outputs:
            return steps
        made = {s.output for s in steps if s.output in self.outputs}
        made |= {p for s in steps if s.output in made for p in s.parts}
        return [s for s in steps if s.output in made]

    def planned(self) -> list[Step]:
        """Every step planned so far, of any document."""
        return [s for steps in self._planned.values() for s in steps]


def selected(name: str, only: tuple[str, ...]) -> bool:
    """Whether document `name` is one of `only` (a name or a folder of names; none: all)."""
    return not only or any(name == o or name.startswith(o.rstrip("/") + "/") for o in only)


def plan(project: Project, problems: Problems, only: tuple[str, ...] = (),
         outputs: tuple[str, ...] = ()) -> Plan:
    """The steps of the documents in `only` (default: all), or of just the files `outputs`."""
    planning = Planning(project, problems, outputs)
    documents = [d for d in project.documents if selected(d.name, only)]
    if only and not documents:
        known = ", ".join(d.name for d in project.documents) or "none"
        problems.error(f"no document named {' or '.join(only)}; documents: {known}")
    steps = [s for d in documents for s in planning.steps_of(d)]
    if outputs:
        known_outputs = {s.output for s in steps}
        for missing in sorted(set(outputs) - known_outputs):
            problems.error(f"no file {missing} in this build")
        steps = [s for s in steps if s.output in outputs]
    for output, count in Counter(s.output for s in planning.planned()).items():
        if count > 1:
            problems.error(f"two documents would write the same file: {output}")
    made = {s.output for s in steps}
    needed = {p for s in steps for p in s.parts} - made
    parts = [s for s in planning.planned() if isinstance(s, Job) and s.output in needed]
    return Plan(steps, parts)


def with_forms(planned: Plan) -> Plan:
    """The same plan with every PDF typeset with its form fields (an editable product's)."""
    def forms(step: Step) -> Step:
        return replace(step, forms=True) if isinstance(step, Job) else step
    return Plan([forms(s) for s in planned.steps], [replace(p, forms=True) for p in planned.parts])
