"""Every document kind, in the order their documents load and are listed. A new kind is a folder
beside these and one line here."""

from __future__ import annotations

from . import calendar, cards, intake, log, newsletter, packets, welcome
from .base import Kind

KINDS: tuple[Kind, ...] = (
    intake.KIND,
    welcome.KIND,
    calendar.KIND,
    newsletter.KIND,
    cards.KIND,
    log.KIND,
    packets.KIND,
)
