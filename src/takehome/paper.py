"""Paper sizes and the page margins every document shares, for Python layout and stylesheets alike.

The stylesheets get these numbers from here (base.css's `@page` margin and content width), so a
kind that measures its page in Python (calendar grids, card sheets) measures the same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Paper = Literal["letter", "a4"]
Orientation = Literal["portrait", "landscape"]
SIZES_MM: dict[str, tuple[float, float]] = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
CSS_SIZE = {"letter": "letter", "a4": "A4"}
# Content stays 15 mm from every edge (office printers do not print to the edge); the running
# header and footer sit in the top and bottom margins, still 9 mm or more from the edge.
MARGINS_MM = (24.0, 15.0, 21.0, 15.0)  # top, right, bottom, left
# The running footer's last line ends this far above the sheet's bottom edge, however many lines
# it takes (office printers clip text within 8 mm of the edge); the bottom margin leaves room
# above it for a footer of two lines.
FOOTER_EDGE_MM = 9.0


def _mm(value: float) -> str:
    return f"{value:g}mm"


@dataclass(frozen=True)
class PageBox:
    """A sheet of paper in one orientation, and the content box inside the shared margins."""

    paper: Paper
    orientation: Orientation = "portrait"

    @property
    def size_mm(self) -> tuple[float, float]:
        width, height = SIZES_MM[self.paper]
        return (width, height) if self.orientation == "portrait" else (height, width)

    @property
    def content_mm(self) -> tuple[float, float]:
        """Width and height of the content box."""
        top, right, bottom, left = MARGINS_MM
        width, height = self.size_mm
        return round(width - left - right, 3), round(height - top - bottom, 3)

    @property
    def css_size(self) -> str:
        """The `size` of an `@page` rule."""
        name = CSS_SIZE[self.paper]
        return name if self.orientation == "portrait" else f"{name} landscape"

    @property
    def css_margin(self) -> str:
        """The `margin` of an `@page` rule."""
        return " ".join(_mm(m) for m in MARGINS_MM)

    @property
    def css_content_width(self) -> str:
        return _mm(self.content_mm[0])

    @property
    def css_footer_edge(self) -> str:
        """How far above the sheet's bottom edge the running footer ends."""
        return _mm(FOOTER_EDGE_MM)
