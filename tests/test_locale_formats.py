"""Dates, times, numbers and lists through Babel, one style within a document."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from takehome.dates import clock, format_clock, normalise_times

from .conftest import all_text, render_project

NBSP = "\u00a0"


@pytest.mark.parametrize("lang, style, expected", [
    ("en", "12h", f"6:30{NBSP}PM"), ("es", "12h", f"6:30{NBSP}p.{NBSP}m."),
    ("es", None, "18:30"), ("en", "24h", "18:30"), ("fr", "12h", "18:30"),
    ("ru", "12h", "18:30"), ("ar", "12h", f"6:30{NBSP}م"),
])
def test_one_clock_per_document(lang: str, style: str | None, expected: str) -> None:
    """The school's style; a language with no words of its own for am/pm keeps 24 hours."""
    assert format_clock(dt.time(18, 30), lang, style) == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("Doors open at 5:30 pm.", "en", f"Doors open at 5:30{NBSP}PM."),
    ("at 18:30 in the gym", "en", f"at 6:30{NBSP}PM in the gym"),
    ("Weekdays 3:15–4:30 pm", "en", f"Weekdays 3:15 – 4:30{NBSP}PM"),
    ("a las 6:00 p. m.", "es", f"a las 6:00{NBSP}p.{NBSP}m."),
    ("Starts at 6 p.m. See you", "en", f"Starts at 6:00{NBSP}PM. See you"),
    ("John 3:16, a score of 2-3, 10:45", "en", "John 3:16, a score of 2-3, 10:45"),
])
def test_times_written_by_hand_follow_the_document(text: str, lang: str, expected: str) -> None:
    assert normalise_times(text, lang, "12h") == expected


def test_the_school_chooses_its_clock() -> None:
    assert clock("es", None) == "24h" and clock("es", "12h") == "12h"
    assert clock("en", "24h") == "24h"


def test_a_spanish_newsletter_writes_every_time_one_way(project: Path) -> None:
    """The sample writes "6:00 pm" in the text and the calendar has 18:00 events: the Spanish
    issue prints each time as "6:00 p. m."."""
    _, _, pages = render_project(project, ("newsletters",))
    spanish = next(r for r in pages.rendered if r.job.output == "newsletters/2026-12.es.pdf")
    text = re.sub(r"<[^>]+>", " ", spanish.record.markup)
    assert re.findall(r"\b(?:1[3-9]|2[0-3]):\d\d\b", text) == []  # no 24-hour times
    assert re.findall(r"\d\s?(?:pm|PM|am|AM)\b", text) == []  # no English am/pm
    assert f"6:00{NBSP}p.{NBSP}m." in text and f"1:15{NBSP}p.{NBSP}m." in text


def test_the_built_spanish_welcome_sheet_uses_one_clock(sample_build: Path) -> None:
    text = all_text(sample_build / "welcome" / "welcome.es.pdf")
    assert "1:15" in text
    assert not re.search(r"\b1[3-9]:\d\d|\b2[0-3]:\d\d|\bpm\b|\bPM\b", text)


def test_numbers_and_lists_in_the_document_language() -> None:
    from takehome.build.jinja import Renderer

    template = Renderer().env("es").from_string(
        "{{ 1234.5|number(1) }}|{{ ['Ana', 'Luis', 'Sofía']|listing }}|{{ [1, 2]|list|length }}")
    assert template.render(lang="es") == "1.234,5|Ana, Luis y Sofía|2"
