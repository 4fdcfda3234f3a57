"""Connection-case note cards: N-up sheets with crop marks and mirrored backs, generic and
personalised per student, the pencil-case label, and a printer calibration sheet."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ... import i18n
from ...build.plan import Job, Step
from ...i18n import N_
from ...models.base import Text
from ...paper import SIZES_MM
from ..base import Jobs, Kind, class_set, edition_path, student_path
from .grid import Grid, Rect
from .model import BUILTIN_CARDS, Card, Cards, CardType, Sheet

if TYPE_CHECKING:
    from ...build.plan import Planning
    from ...project import Document, Project
    from ...roster import Student

TEMPLATE = "cards/sheet.html"
CALIBRATION = "cards/calibration.html"
STYLESHEETS = ("base.css", "cards/cards.css")
MIN_LINES = 2  # writing lines a card keeps at the least; fewer is an overflow error


def _text(message: str) -> Text:
    return Text(i18n.catalog_text(message))


def builtin_cards() -> dict[str, Card]:
    """The built-in cards' text, in every language with a catalog."""
    t = _text
    case_steps = [t(N_("Look inside for notes from school.")),
                  t(N_("Write to me on a card whenever you like: a question, a comment or a "
                       "concern.")),
                  t(N_("Put the card in the case and send it back in the backpack. "
                       "I read every card."))]
    return {
        "question": Card(title=t(N_("I have a question"))),
        "comment": Card(title=t(N_("I have a comment"))),
        "concern": Card(title=t(N_("I have a concern"))),
        "contact_me": Card(title=t(N_("Please contact me")),
                           text=t(N_("I would like to talk with you about:"))),
        "good_news": Card(title=t(N_("Good news!"))),
        "thank_you": Card(title=t(N_("Thank you!"))),
        "proud": Card(title=t(N_("Proud of you!")),
                      text=t(N_("I am proud of you because"))),
        "ask_me": Card(title=t(N_("Ask me about…")),
                       closing=t(N_("Your child can tell you all about it."))),
        "case_label": Card(title=t(N_("Our connection case")),
                           text=t(N_("This case travels between home and school every day.")),
                           steps=case_steps),
    }


DEFAULT_BACKS: dict[CardType, str] = {
    "family": N_("Thank you for writing! Put this card in the connection case in the backpack."),
    "teacher": N_("You can answer me on a card from the connection case."),
    "case": N_("Questions about the connection case? Write to me on a card."),
}


# Your own cards' icons, unless they name one: none of the built-in cards' own.
ICONS: dict[CardType, str] = {"family": "note", "teacher": "sparkle", "case": "case_label"}


@dataclass(frozen=True)
class CardSpec:
    """A card with the built-in text and the teacher's changes put together."""

    id: str
    type: CardType
    title: Text
    text: Text | None
    closing: Text | None
    steps: tuple[Text, ...]
    lines: int
    reach: bool
    back: Text
    where: str  # "content/cards.yaml:12", for messages
    icon: str


def resolve(cards: Cards, card_id: str, where: str) -> CardSpec:
    """One card as it prints: the built-in card (if any) overridden by the teacher's keys."""
    base = builtin_cards().get(card_id, Card())
    mine = cards.cards.get(card_id, Card())
    merged = base.model_copy(update={k: getattr(mine, k) for k in mine.model_fields_set
                                     if getattr(mine, k) is not None})
    kind: CardType = merged.type or BUILTIN_CARDS[card_id]
    assert merged.title is not None  # the model requires a title of cards that are not built in
    return CardSpec(
        id=card_id, type=kind, title=merged.title, text=merged.text, closing=merged.closing,
        steps=tuple(merged.steps or ()),
        lines=merged.lines if merged.lines is not None else (3 if kind == "family" else MIN_LINES),
        reach=merged.reach if merged.reach is not None else kind == "family",
        back=merged.back or _text(DEFAULT_BACKS[kind]), where=where,
        icon=merged.icon or (card_id if card_id in BUILTIN_CARDS else ICONS[kind]),
    )


Placed = tuple[CardSpec, "Student | None"]  # a card and the student it is printed for


def slots(cards: list[Placed], per_page: int, start_at: int, fill: bool
          ) -> list[list[Placed | None]]:
    """Cards placed in the slots of as many pages as they need; the first start_at-1 are used."""
    placed: list[Placed | None] = [None] * (start_at - 1) + list(cards)
    while len(placed) % per_page:
        placed.append(cards[(len(placed) - start_at + 1) % len(cards)] if fill else None)
    return [placed[i:i + per_page] for i in range(0, len(placed), per_page)]


def _box(rect: Rect) -> str:
    return f"left:{rect.x}mm;top:{rect.y}mm;width:{rect.w}mm;height:{rect.h}mm"


def sheet_pages(grid: Grid, sheet: Sheet, cards: list[Placed], start_at: int, fill: bool
                ) -> list[dict[str, Any]]:
    """Each page of fronts (and its page of backs) with every card's box on the sheet."""
    fronts, backs = _boxes(grid)
    pages = []
    for page in slots(cards, sheet.per_page, start_at, fill):
        pages.append({"fronts": [(fronts[i], *card) for i, card in enumerate(page) if card],
                      "backs": [(backs[i], *card) for i, card in enumerate(page) if card]
                      if sheet.backs else []})
    return pages


@lru_cache(maxsize=64)  # the same for every family's copy
def _boxes(grid: Grid) -> tuple[list[str], list[str]]:
    """The box of each slot of a sheet's fronts, and of its backs."""
    return ([_box(grid.slot(i)) for i in range(grid.per_page)],
            [_box(grid.slot(i, back=True)) for i in range(grid.per_page)])


def sheet_title(sheet: Sheet, cards: list[CardSpec], lang: str, default: str) -> str:
    if sheet.title:
        return sheet.title.get(lang, default)
    kinds = {c.type for c in cards}
    message = {frozenset({"family"}): N_("Note cards for families"),
               frozenset({"teacher"}): N_("Note cards from the teacher"),
               frozenset({"case"}): N_("Connection case label")}.get(frozenset(kinds),
                                                                    N_("Note cards"))
    return i18n.translations(lang).gettext(message)


class CardsKind(Kind):
    name = "cards"
    pattern = "cards.yaml"
    model = Cards

    def plan(self, doc: Document, planning: Planning) -> list[Step]:
        model: Cards = doc.model
        steps: list[Step] = []
        for name, sheet in model.sheets.items():
            steps += _sheet_steps(planning.project, doc, name, sheet)
        steps.append(calibration_job(planning.project, doc))
        return steps


def _sheet_steps(project: Project, doc: Document, name: str, sheet: Sheet) -> list[Step]:
    """One sheet's editions, and with `personalised`, each family's cards and the class set."""
    model: Cards = doc.model
    settings = project.settings
    paper = settings.paper
    source = project.relative(doc.path)
    cards = []
    for index, card_id in enumerate(sheet.cards):
        loc = ("cards", card_id) if card_id in model.cards else ("sheets", name, "cards", index)
        line, _ = doc.loaded.marks.locate(loc)
        cards.append(resolve(model, card_id, f"{source}:{line}"))
    grid = Grid(paper, sheet.per_page, sheet.gap, settings.printer.offset_x,
                settings.printer.offset_y)
    first, last = grid.slot(0), grid.slot(sheet.per_page - 1)
    marks = {"marks": grid.crop_marks(), "guides": grid.cut_guides() if sheet.cut_guides else [],
             "size": SIZES_MM[paper],
             # two to a sheet: as wide as the sheet; six or eight: small
             "card_size": {2: "large", 4: "medium"}.get(sheet.per_page, "small"),
             # the note for the copier sits in the top margin, between two crop marks, and
             # clear of the 8 mm a printer may leave blank
             "note_box": f"left:{first.x + 3:.3f}mm;top:{max(first.y - 5, 9):.3f}mm;"
                         f"width:{first.w - 6:.3f}mm",
             # "Page N of M" in the bottom margin, under the last card of the last row
             "folio_box": f"left:{last.x + 3:.3f}mm;top:{last.y + last.h + 1.5:.3f}mm;"
                          f"width:{last.w - 6:.3f}mm"}
    jobs = Jobs(project, doc, TEMPLATE, STYLESHEETS, part=name)

    def job(output: str, lang: str, student: Student | None = None, *, start_at: int = 1,
            students: list[Student] | None = None) -> Job:
        title = sheet_title(sheet, cards, lang, project.default_language)
        placed: list[Placed] = ([(c, s) for s in students for c in cards] if students
                                else [(c, student) for c in cards])
        # A seller's generic sheet is a full one: its buyer starts on a fresh sheet.
        generic = project.generic is not None
        fill = (sheet.fill or generic) and not students
        pages = sheet_pages(grid, sheet, placed, 1 if generic else start_at, fill)
        count = len(pages) * (2 if sheet.backs else 1)  # known before it is laid out
        context = project.context(lang, student=student, sheet_name=name, title=title,
                                  pages=pages, page_count=count, **marks)
        # A student's single page that the cards do not fill (a label) is cut out: a packet
        # prints it on the back of its cover.
        cut_out = student is not None and count == 1 and len(cards) % sheet.per_page != 0
        made = jobs.job(output, lang, title, context, student, max_pages=count, cut_out=cut_out,
                        two_sided=sheet.backs, cut="guides" if sheet.cut_guides else "marks")
        if students:  # the whole class's cards on shared sheets
            made = replace(made, personal=True, sources=(*made.sources, *project.roster_source))
        return made

    steps: list[Step] = [job(edition_path(doc.name, name, lang), lang, start_at=sheet.start_at)
                         for lang in project.editions]
    if not (sheet.personalised and project.roster.students):
        return steps
    folder = f"{doc.name}/{name}"
    width = project.roster.slug_width
    copies = [job(student_path(folder, s, width), project.family_language(s), s)
              for s in project.roster.students]
    steps += copies
    if len(cards) % sheet.per_page == 0:
        # Each student's cards fill whole sheets: the class set is their copies (one page
        # each, without backs: single-sided).
        return [*steps, class_set(project, doc, folder, copies, name)]
    # Cards that do not fill a sheet (a pencil-case label) are packed for the class: the whole
    # class's cards on shared sheets, one file per family language (the first starts at
    # `start_at`, on the partly used sheet), and the class set is those sheets.
    by_language: dict[str, list[Student]] = {}
    for s in project.roster.students:
        by_language.setdefault(project.family_language(s), []).append(s)
    packed = [job(edition_path(folder, "class-sheets", lang), lang,
                  start_at=sheet.start_at if i == 0 else 1, students=group)
              for i, (lang, group) in enumerate(sorted(by_language.items()))]
    return [*steps, *packed, class_set(project, doc, folder, packed, name, duplex=sheet.backs)]


def calibration_job(project: Project, doc: Document) -> Job:
    """One page to measure the printer's offset; never shifted itself."""
    lang = project.default_language
    width, height = SIZES_MM[project.settings.paper]
    title = i18n.translations(lang).gettext(N_("Printer calibration"))
    ticks = [{"at": p, "label": f"{-p:+d}".replace("-", "\u2212") if p else "0",
              "major": p % 5 == 0}
             for p in range(-10, 11)]
    context = project.context(lang, title=title, size=(width, height), centre=(width / 2,
                              height / 2), ticks=ticks, printer=project.settings.printer)
    jobs = Jobs(project, doc, CALIBRATION, STYLESHEETS)
    return jobs.job(f"{doc.name}/calibration.pdf", lang, title, context, max_pages=1)


KIND = CardsKind()
