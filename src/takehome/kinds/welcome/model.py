"""The welcome sheet: one page a family keeps at home with how and when to reach the teacher."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ...models.base import Model, Text
from ...models.settings import Url


class Welcome(Model):
    """content/welcome.yaml. The teacher's details come from settings.yaml (teacher: ...)."""

    title: Text | None = None  # default: "Welcome to Room 14!"
    intro: Text | None = None
    closing: Text | None = None  # a last line before the teacher's name
    website: Url | None = None  # the QR code's address (default: the school's website)
    website_label: Text | None = None
    key_dates_from: dt.date | None = None  # default: the first day of school
    key_dates_months: int = Field(4, ge=0, le=12)  # how far ahead the key dates go (0: none)
    key_dates_count: int = Field(8, ge=1, le=14)  # at most this many
