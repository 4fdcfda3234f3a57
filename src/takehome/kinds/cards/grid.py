"""Geometry of N-up card sheets: equal cards, crop marks to the sheet edge, mirrored backs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ...paper import SIZES_MM as PAPER_SIZES_MM

# Columns x rows for each number of cards a sheet holds; portrait sheets throughout.
LAYOUTS = {2: (1, 2), 4: (2, 2), 6: (2, 3), 8: (2, 4)}
MARGIN_MM = 14.0  # sheet edge to the cards: printers leave 4-6 mm blank, marks need the rest
MARK_GAP_MM = 2.0  # crop marks stop this far short of the cards, so no mark is cut into a card


@dataclass(frozen=True)
class Rect:
    """A rectangle in millimetres from the sheet's top-left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Line:
    """A straight line in millimetres from the sheet's top-left corner."""

    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Grid:
    """Where the cards of one sheet go, shifted against the printer's measured offset."""

    paper: str
    per_page: int
    gap: float = 0.0  # between neighbouring cards; 0: one cut separates them
    offset_x: float = 0.0  # the printer's offset, compensated by moving everything back
    offset_y: float = 0.0

    @property
    def size(self) -> tuple[float, float]:
        return PAPER_SIZES_MM[self.paper]

    @property
    def cols(self) -> int:
        return LAYOUTS[self.per_page][0]

    @property
    def rows(self) -> int:
        return LAYOUTS[self.per_page][1]

    @cached_property
    def card(self) -> tuple[float, float]:
        """Width and height of every card on the sheet."""
        width, height = self.size
        w = (width - 2 * MARGIN_MM - (self.cols - 1) * self.gap) / self.cols
        h = (height - 2 * MARGIN_MM - (self.rows - 1) * self.gap) / self.rows
        return round(w, 3), round(h, 3)

    def _origin(self, col: int, row: int) -> tuple[float, float]:
        w, h = self.card
        return (MARGIN_MM + col * (w + self.gap) - self.offset_x,
                MARGIN_MM + row * (h + self.gap) - self.offset_y)

    def slot(self, index: int, *, back: bool = False) -> Rect:
        """Card `index` (0-based, rows left to right) on a front, or its back for a long-edge flip.

        Turning a sheet over its long edge swaps left and right, so a card's back sits in
        the mirrored column of the same row.
        """
        row, col = divmod(index, self.cols)
        if back:
            col = self.cols - 1 - col
        x, y = self._origin(col, row)
        return Rect(round(x, 3), round(y, 3), *self.card)

    def cuts(self) -> tuple[list[float], list[float]]:
        """The x of every vertical cut and the y of every horizontal cut, on the sheet."""
        xs = {round(self._origin(c, 0)[0], 3) for c in range(self.cols)}
        xs |= {round(self._origin(c, 0)[0] + self.card[0], 3) for c in range(self.cols)}
        ys = {round(self._origin(0, r)[1], 3) for r in range(self.rows)}
        ys |= {round(self._origin(0, r)[1] + self.card[1], 3) for r in range(self.rows)}
        return sorted(xs), sorted(ys)

    def crop_marks(self) -> list[Line]:
        """Marks on each cut line from the sheet's edge to just short of the cards.

        They run to the edge so the first cut leaves the marks for the next ones.
        """
        width, height = self.size
        xs, ys = self.cuts()
        top, bottom, left, right = ys[0], ys[-1], xs[0], xs[-1]
        marks = []
        for x in xs:
            marks += [Line(x, 0, x, top - MARK_GAP_MM), Line(x, bottom + MARK_GAP_MM, x, height)]
        for y in ys:
            marks += [Line(0, y, left - MARK_GAP_MM, y), Line(right + MARK_GAP_MM, y, width, y)]
        return marks

    def cut_guides(self) -> list[Line]:
        """The cut lines across the cards themselves (printed dashed, when asked for)."""
        xs, ys = self.cuts()
        return ([Line(x, ys[0], x, ys[-1]) for x in xs]
                + [Line(xs[0], y, xs[-1], y) for y in ys])
