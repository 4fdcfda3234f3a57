"""Every naughty string prints literally: no markup or template syntax is ever interpreted."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from markupsafe import escape

from takehome.roster.records import MAX_FIELD_CHARS
from takehome.roster.records import clean as _clean

from .conftest import CORPUS, page_text, plain, render_project, run


@pytest.fixture
def project(project: Path) -> Path:
    """The sample without its connection log, which names the sample roster's students."""
    for name in ("log.yaml", "connection-log.csv"):
        (project / "content" / name).unlink()
    return project

NAUGHTY = json.loads((CORPUS / "blns/blns.json").read_text(encoding="utf-8"))
# Blank once control characters are removed: those are row errors (tested below).
PRINTABLE = [s for s in NAUGHTY if _clean(s)]
NAMES = [s for s in PRINTABLE if len(_clean(s)) <= MAX_FIELD_CHARS]


def pdfium_text(path) -> str:  # type: ignore[no-untyped-def]
    """Text as a PDF viewer extracts it (pdfium copes with unusual spaces better than pypdf)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(path)
    return "\n".join(page.get_textpage().get_text_range() for page in doc)


def roster_of(names: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["First Name", "Last Name", "Parent/Guardian 1", "Home Language"])
    for i, name in enumerate(names):
        writer.writerow([name, f"Family{i}", name, "es" if i % 2 else "en"])
    return out.getvalue()


def test_every_string_as_a_student_and_guardian_name(project) -> None:  # type: ignore[no-untyped-def]
    (project / "content/roster.csv").write_text(roster_of(NAMES), encoding="utf-8")
    loaded, problems, pages = render_project(project)
    assert len(loaded.roster.students) == len(NAMES)
    rendered = {r.job.output: _words(r.record.markup) for r in pages.rendered}
    assert not problems.errors
    width = loaded.roster.slug_width
    for student in loaded.roster.students:
        slug = student.slug(width)
        assert re.fullmatch(r"[0-9]{3}-[a-z0-9-]+", slug), slug
        page = rendered[f"intake/students/{slug}.pdf"]
        # The name appears escaped exactly once more than the template's own text would make it.
        assert str(escape(student.name)) in page
        assert str(escape(student.guardians[0])) in page
    injected = next(s for s in loaded.roster.students if s.first_name == "{{ 7*7 }}") \
        if any(s.first_name == "{{ 7*7 }}" for s in loaded.roster.students) else None
    if injected:
        assert "{{ 7*7 }}" in rendered[f"intake/students/{injected.slug(width)}.pdf"]


CHOSEN = ["{{ 7*7 }}", "<script>alert(123)</script>", "${7*7}", "' OR 1=1 --",
          "../../etc/passwd%00", "%s%s%s%n", "$(touch /tmp/blns.fail)"]
SCRIPTS = [s for s in NAMES if re.search(r"[\u0600-\u06ff\u0590-\u05ff]", s)][:3] + \
          [s for s in NAMES if re.search(r"[\u0300-\u036f]{3,}", s)][:2] + \
          [s for s in NAMES if "\u202e" in s][:1]


def test_chosen_strings_typeset_literally(project) -> None:  # type: ignore[no-untyped-def]
    names = CHOSEN + SCRIPTS + [s for s in NAMES if any(ord(c) > 0x1F000 for c in s)][:2]
    (project / "content/roster.csv").write_text(roster_of(names), encoding="utf-8")
    result = run("build", str(project), "--only", "intake")
    assert result.exit_code == 0, result.output
    students = sorted((project / "output/intake/students").glob("*.pdf"))
    assert len(students) == len(names)
    for path, name in zip(students[:len(CHOSEN)], CHOSEN, strict=True):
        text = page_text(path)
        assert name in text, (name, text[:200])
        assert "49" not in text.split("Family")[0]  # {{ 7*7 }} was not evaluated
    # Emoji are not in the font stack: each is reported with the student's name.
    assert "no font has the character" in result.output and "for " in result.output


def test_every_string_as_question_text(project) -> None:  # type: ignore[no-untyped-def]
    questions = [{"id": f"q{i}", "label": s, "help": s} for i, s in enumerate(PRINTABLE[:300])]
    (project / "content/intake.yaml").write_text(
        yaml.safe_dump({"questions": questions}, allow_unicode=True), encoding="utf-8")
    result = run("build", str(project), "--only", "intake")
    assert result.exit_code == 0, result.output
    text = pdfium_text(project / "output/intake/blank.en.pdf")
    for literal in ("{{ 7*7 }}", "<script>alert(123)</script>", "1;DROP TABLE users"):
        if literal in PRINTABLE[:300]:
            assert literal in text


def test_blank_and_overlong_names(project) -> None:  # type: ignore[no-untyped-def]
    long = next(s for s in PRINTABLE if len(_clean(s)) > MAX_FIELD_CHARS)
    (project / "content/roster.csv").write_text(
        roster_of(["Ana", "\x01\x02", long]), encoding="utf-8")
    result = run("check", str(project))
    assert result.exit_code == 1
    # A first name of control characters only is blank: the student is printed by last name.
    assert "roster.csv:3:" not in result.output
    assert "roster.csv:4: error: first name is longer than 200 characters" in result.output


# A word the default font lacks a letter of is set whole in another font (fonts.whole_words):
# the span around it is typography, not a change to the text.
_FONT_SPAN = re.compile(r'<span style="font-family: &quot;[^&<>]+&quot;">([^<]*)</span>')


def _words(markup: str) -> str:
    return _FONT_SPAN.sub(r"\1", markup)


def _render_all(project):  # type: ignore[no-untyped-def]
    _, problems, pages = render_project(project)
    html = "\n".join(_words(r.record.markup) for r in pages.rendered)
    assert not problems.errors, problems.errors
    return html, pages.files


def test_every_string_as_a_calendar_event_title(project) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    path = project / "content/calendar.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    start = dt.date(2026, 9, 1)
    data["events"] = [{"title": s, "date": start + dt.timedelta(days=i % 250)}
                      for i, s in enumerate([*PRINTABLE, "{{ 7*7 }}"])]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    html, files = _render_all(project)
    ics = files["calendar/calendar.en.ics"].decode("utf-8")
    # Every title printed as typed; a number keeps its unit ("20 years") with a no-break space.
    html = plain(html)
    for text in PRINTABLE:
        assert plain(str(escape(_clean(text)))) in html or \
            plain(str(escape(text.strip()))) in html, text
    assert "{{ 7*7 }}" in html and "<script>alert(123)</script>" not in html
    assert "{{ 7*7 }}" in ics  # the export carries the text as typed


def test_every_string_as_a_newsletter_paragraph(project) -> None:  # type: ignore[no-untyped-def]
    path = project / "content/newsletters/2026-12.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sections"] = [{"heading": f"Section {i}", "body": s}
                        for i, s in enumerate([*PRINTABLE, "{{ 7*7 }}"])]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    html, files = _render_all(project)
    web = files["newsletters/2026-12.en.html"].decode("utf-8")
    for page in (html, web):
        assert "{{ 7*7 }}" in page and "/etc/passwd" in page  # template syntax is only text
        assert "<script>alert(123)</script>" not in page  # raw HTML is never passed through
        assert "&lt;script&gt;alert(123)&lt;/script&gt;" in page
    chosen = [{"heading": "Literal", "body": s} for s in CHOSEN]
    data["sections"] = chosen + [{"heading": "Scripts", "body": s} for s in SCRIPTS]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = run("build", str(project), "--only", "newsletters")
    assert result.exit_code == 0, result.output
    text = pdfium_text(project / "output/newsletters/2026-12.en.pdf")
    for literal in ("{{ 7*7 }}", "<script>alert(123)</script>", "${7*7}"):
        assert literal in text


def _cards_yaml(texts: list[str]) -> str:
    cards = {f"n{i}": {"type": "teacher", "title": f"Note {i}", "text": s}
             for i, s in enumerate(texts)}
    sheets = {"naughty": {"cards": list(cards), "per_page": 8}}
    return yaml.safe_dump({"cards": cards, "sheets": sheets}, allow_unicode=True)


def test_every_string_as_a_card_message(project) -> None:  # type: ignore[no-untyped-def]
    texts = [*PRINTABLE, "{{ 7*7 }}"]
    (project / "content/packets.yaml").unlink()  # it packs the sample's own card sheets
    (project / "content/cards.yaml").write_text(_cards_yaml(texts), encoding="utf-8")
    html, _ = _render_all(project)
    assert "{{ 7*7 }}" in html and "<script>alert(123)</script>" not in html
    assert "&lt;script&gt;alert(123)&lt;/script&gt;" in html
    # Typeset: the literal texts print as typed; a text too long for its card is an error
    # naming the card, never clipped (the short ones here all fit).
    (project / "content/cards.yaml").write_text(_cards_yaml(CHOSEN), encoding="utf-8")
    result = run("build", str(project), "--only", "cards")
    assert result.exit_code == 0, result.output
    text = pdfium_text(project / "output/cards/naughty.en.pdf")
    for literal in CHOSEN:
        assert literal in text, literal
