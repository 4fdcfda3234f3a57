"""Stamped copies (stamp.py) print what a full layout of the same HTML prints: the same
glyphs at the same places (within 0.5 pt) and the same pixels."""

from __future__ import annotations

import gc
import io
import shutil
from collections import defaultdict
from dataclasses import replace

import pikepdf
import pypdfium2 as pdfium
import pytest

from takehome.build.records import Batch, Rendered, join_fields, split_fields
from takehome.build.typeset import batches, typeset

from .conftest import SAMPLE, render_project

POINTS = 0.5  # largest distance allowed between a glyph stamped and laid out in full


def glyphs(pdf: bytes) -> dict[tuple[int, str], list[tuple[float, float]]]:
    """Where each character is drawn: (page, char) -> sorted (x, y) of its boxes, in points."""
    found = defaultdict(list)
    document = pdfium.PdfDocument(pdf)
    for number in range(len(document)):
        text = document[number].get_textpage()
        for i in range(text.count_chars()):
            char = text.get_text_range(i, 1)
            if char.strip():
                left, bottom, _, _ = text.get_charbox(i)
                found[(number, char)].append((left, bottom))
    return {key: sorted(boxes) for key, boxes in found.items()}


def pixels(pdf: bytes) -> list[bytes]:
    document = pdfium.PdfDocument(pdf)
    return [document[n].render(scale=100 / 72).to_pil().convert("L").tobytes()
            for n in range(len(document))]


def stamped(pdf: bytes) -> bool:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return any(str(name).startswith("/FamilyWords")
                   for page in doc.pages for name in page.Resources.get("/XObject", {}))


def assert_same_print(fast: bytes, full: bytes, what: str) -> None:
    a, b = glyphs(fast), glyphs(full)
    assert a.keys() == b.keys(), f"{what}: other characters {set(a) ^ set(b)}"
    for key in a:
        assert len(a[key]) == len(b[key]), f"{what}: {key} drawn {len(a[key])} times, not " \
                                           f"{len(b[key])}"
        for (x1, y1), (x2, y2) in zip(a[key], b[key], strict=True):
            assert abs(x1 - x2) <= POINTS and abs(y1 - y2) <= POINTS, f"{what}: {key} moved"
    for page_a, page_b in zip(pixels(fast), pixels(full), strict=True):
        differ = sum(1 for p, q in zip(page_a, page_b, strict=True) if abs(p - q) > 64)
        assert differ <= len(page_a) // 10_000, f"{what}: {differ} pixels differ"


@pytest.fixture(scope="module")
def sample_batches() -> list[tuple[list[Rendered], Batch]]:
    project, _, pages = render_project(SAMPLE, ("packets",))
    return [(m, b) for m, b in batches(pages.rendered, project.root) if b.base is not None]


def test_stamped_copies_print_as_full_layouts(sample_batches) -> None:
    kinds, copies, fast_ones = set(), 0, 0
    for members, batch in sample_batches:
        fast, full = typeset(batch), typeset(replace(batch, base=None))
        for member, a, b in zip(members, fast, full, strict=True):
            assert_same_print(a.pdf, b.pdf, member.job.output)
            assert (a.pages, a.errors) == (b.pages, b.errors)
            copies += 1
            if stamped(a.pdf):
                fast_ones += 1
                kinds.add(member.job.output.rsplit("/", 1)[0].removesuffix("/students"))
    # Not a vacuous comparison: the intake, welcome sheet, cards, label and packet covers are
    # stamped, and nearly every copy is, Vietnamese names included.
    assert kinds == {"intake", "welcome", "cards/family", "cards/case-label",
                     "packets/back-to-school/covers"}
    assert fast_ones >= 0.95 * copies, (fast_ones, copies)


def _with_long_names(members: list[Rendered], batch: Batch, repeats: dict[int, int]) -> Batch:
    """The batch with copy i's name written repeats[i] times over (its words then wrap)."""
    records = list(batch.records)
    for i, count in repeats.items():
        name = members[i].job.subject
        long_name = " ".join([name] * count)
        records[i] = replace(records[i], fields=tuple(w.replace(name, long_name)
                                                      for w in records[i].fields))
    return replace(batch, records=tuple(records))


def test_a_name_that_wraps_is_stamped_on_a_base_laid_out_for_it(sample_batches) -> None:
    """Copies whose words take two or three lines are stamped on the base laid out with that
    many placeholder lines in the field, and print what a full layout prints."""
    for prefix in ("welcome/", "intake/"):
        members, batch = next((m, b) for m, b in sample_batches
                              if m[0].job.output.startswith(prefix) and len(m) > 3)
        batch = _with_long_names(members, batch, {0: 4, 1: 4, 2: 5})
        fast, full = typeset(batch), typeset(replace(batch, base=None))
        for i, (a, b) in enumerate(zip(fast, full, strict=True)):
            assert stamped(a.pdf), (prefix, i)
            assert_same_print(a.pdf, b.pdf, f"{prefix} copy {i}")
        text = pdfium.PdfDocument(fast[2].pdf)[0].get_textpage().get_text_range()
        assert text.count(members[2].job.subject.split()[-1]) >= 5


def test_a_name_too_long_for_its_field_is_laid_out_in_full(sample_batches) -> None:
    members, batch = next((m, b) for m, b in sample_batches
                          if m[0].job.output.startswith("welcome/") and len(m) > 1)
    name = members[0].job.subject
    batch = _with_long_names(members, batch, {0: 40})  # more lines than stamping takes on
    fast, full = typeset(batch), typeset(replace(batch, base=None))
    assert not stamped(fast[0].pdf) and stamped(fast[1].pdf)
    assert_same_print(fast[0].pdf, full[0].pdf, "long name")
    document = pdfium.PdfDocument(fast[0].pdf)
    assert document[0].get_textpage().get_text_range().count(name.split()[-1]) >= 12


def test_right_to_left_fields(sample_batches) -> None:
    """Names on an Arabic page are stamped aligned right, in Latin or Arabic script (the strut in
    base.css makes a field's line as tall in every script)."""
    # The welcome sheet's base and stylesheet (the first batch, before packets had covers).
    _, batch = next((m, b) for m, b in sample_batches if m[0].job.output.startswith("welcome/"))
    words = ["Amira Haddad", "Yusuf Ali", "يوسف علي"]
    records = []
    for text in words:
        html = (f'<div dir="rtl" lang="ar"><h1>أهلا وسهلا</h1><p class="greeting" data-field>'
                f"{text}</p><p>نص ثابت في كل نسخة.</p></div>")
        base, fields = split_fields(html)
        records.append(replace(batch.records[0], lang="ar", base=base, fields=fields))
    batch = replace(batch, records=tuple(records), base=records[0].base)
    fast, full = typeset(batch), typeset(replace(batch, base=None))
    assert [stamped(a.pdf) for a in fast] == [True, True, True]
    for a, b, text in zip(fast, full, words, strict=True):
        assert_same_print(a.pdf, b.pdf, text)


def test_split_fields_blanks_only_plain_text_fields() -> None:
    base, words = split_fields('<p class="a" data-field>Ana &amp; Ben</p><p data-field><b>x</b>'
                               '</p><div data-field title="t">Zoë</div>')
    assert words == ("Ana &amp; Ben", "Zoë")
    assert "Ana" not in base and "Zoë" not in base and "<b>x</b>" in base
    assert 'data-field="0"' in base and 'data-field="1" title="t"' in base
    assert join_fields(base, words) == ('<p class="a" data-field>Ana &amp; Ben</p><p data-field>'
                                        '<b>x</b></p><div data-field title="t">Zoë</div>')


def test_a_base_read_back_from_the_cache_stamps_the_same_bytes(sample_batches, tmp_path,
                                                               monkeypatch) -> None:
    """Bases are kept in the build cache for other processes and later builds: a copy
    stamped on one read back is the copy stamped on one laid out now."""
    from takehome.build.typeset import stamp

    _, batch = next((m, b) for m, b in sample_batches if m[0].job.output.startswith("intake/"))
    shutil.copytree(SAMPLE, tmp_path / "content")  # a project of its own, with its own cache
    batch = replace(batch, records=batch.records[:2], base_dir=tmp_path)
    stamp._base.cache_clear()
    laid_out = typeset(batch)
    stamp._base.cache_clear()

    def no_layout(*args: object) -> None:
        raise AssertionError("the base was laid out again")

    monkeypatch.setattr(stamp, "_lay_out_base", no_layout)
    assert [r.pdf for r in typeset(batch)] == [r.pdf for r in laid_out]
    assert all(stamped(r.pdf) for r in laid_out)


def test_a_typesetting_process_freezes_what_outlives_a_batch(sample_batches) -> None:
    """In a typesetting process a batch's garbage is collected at its end and what stays (the
    engine, fonts, bases) is frozen, so that later collections do not walk it again; the
    copies are the same."""
    from takehome.build.typeset import _typeset_here

    _, batch = sample_batches[0]
    batch = replace(batch, records=batch.records[:2])
    gc.unfreeze()
    try:
        made = _typeset_here(batch)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert [r.pdf for r in made] == [r.pdf for r in typeset(batch)]


def test_a_warm_process_has_parsed_what_a_saved_page_is_laid_out_with(sample_batches) -> None:
    """--watch and serve start their typesetting processes with the project's stylesheets
    parsed (and their fonts loaded): a page laid out in full, or copies stamped, with one of
    them then parse nothing."""
    from takehome.build.typeset import _ready, engine, stamp, stylesheets

    members, batch = sample_batches[0]
    engine.stylesheet.cache_clear()
    stamp._faces.cache_clear()
    assert stylesheets(members) == [(batch.css, members[0].record.assets)]  # each one once
    _ready(batch.base_dir, stylesheets(members))
    parsed = engine.stylesheet.cache_info().misses, stamp._faces.cache_info().misses
    assert parsed == (1, 1)
    typeset(replace(batch, records=batch.records[:1], base=None))  # laid out in full
    typeset(replace(batch, records=batch.records[:2]))  # stamped
    assert (engine.stylesheet.cache_info().misses, stamp._faces.cache_info().misses) == parsed
