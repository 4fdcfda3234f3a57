"""Connection-case note cards: the cards (built-in or your own) and the sheets they print on."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from ...models.base import Model, Text

CardType = Literal["family", "teacher", "case"]  # family -> teacher, teacher -> family, case label
CardId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,40}$")]
SheetName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}$")]

# The icons a card can show (templates/icons.html).
Icon = Literal["question", "comment", "concern", "contact_me", "good_news", "thank_you", "proud",
               "ask_me", "case_label", "book", "sparkle", "note", "mail", "phone", "calendar",
               "school", "heart"]

BUILTIN_CARDS: dict[str, CardType] = {
    "question": "family", "comment": "family", "concern": "family", "contact_me": "family",
    "good_news": "teacher", "thank_you": "teacher", "proud": "teacher", "ask_me": "teacher",
    "case_label": "case",
}


class Card(Model):
    """One card. For a built-in card give only what you change; your own need type and title."""

    type: CardType | None = None
    title: Text | None = None
    text: Text | None = None  # the prompt above the writing lines
    closing: Text | None = None  # a line under the writing lines
    icon: Icon | None = None  # default: the built-in card's own, or one per type for yours
    steps: list[Text] | None = None  # case label: how the case works
    lines: int | None = Field(None, ge=0, le=20)  # at least this many writing lines
    reach: bool | None = None  # family cards: how and when to reach the family
    back: Text | None = None  # printed on the card's back


class Sheet(Model):
    """A sheet of cards: which cards, how many to a page, and how it is cut and printed."""

    title: Text | None = None
    cards: list[CardId] = Field(min_length=1)
    per_page: Literal[2, 4, 6, 8] = 4
    backs: bool = False  # a page of backs after each page of fronts, for long-edge duplex
    cut_guides: bool = False  # dashed lines where to cut, besides the crop marks
    gap: float = Field(0.0, ge=0, le=10)  # mm between cards (0: one cut between neighbours)
    personalised: bool = False  # also one set per student, in the family's language
    start_at: int = Field(1, ge=1, le=8)  # first free card of a partly used sheet (generic sets
    # and the class sheets; a student's own set starts on a fresh sheet)
    fill: bool = True  # repeat the cards to fill the last page

    @model_validator(mode="after")
    def _start_on_the_sheet(self) -> Sheet:
        if self.start_at > self.per_page:
            raise ValueError(f"start_at is {self.start_at} but a sheet holds {self.per_page} cards")
        return self


class Cards(Model):
    """content/cards.yaml: card texts and the sheets to print."""

    cards: dict[CardId, Card] = Field(default_factory=dict)
    sheets: dict[SheetName, Sheet] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_cards(self) -> Cards:
        for card_id, card in self.cards.items():
            if card_id not in BUILTIN_CARDS and (card.type is None or card.title is None):
                raise ValueError(f"card {card_id!r} is not a built-in card "
                                 f"({', '.join(BUILTIN_CARDS)}); give it a type and a title")
        known = set(BUILTIN_CARDS) | set(self.cards)
        for name, sheet in self.sheets.items():
            unknown = [c for c in sheet.cards if c not in known]
            if unknown:
                raise ValueError(f"sheet {name!r} names unknown card(s) {', '.join(unknown)}; "
                                 f"cards: {', '.join(sorted(known))}")
        return self
