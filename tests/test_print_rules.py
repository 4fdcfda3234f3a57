"""The printing rules, held on every page of every kind, read back from the PDFs: the sample on
Letter and on A4, and a project the tests make up (tests/generated.py). No text within 8 mm of
a sheet's edge; body text of 11 pt or more where families read; the writing room each open
question promises; "Page N of M" on every document of several pages; no number parted from its
unit, time from its a.m./p.m. or day from its month at the end of a line; one-page class sets
single-sided, with no blank pages."""

from __future__ import annotations

import itertools
import json
import math
import re
import shutil
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
import yaml

from takehome import i18n
from takehome.kinds.intake.plan import default_questions

from .conftest import MM, SAMPLE, read_pdf
from .generated import make_project
from .printed import documents, flat, pages, rules_y, shared_build

EDGE_MM = 8.0
BODY_PT = 11.0
LINE_MM = 9.0


def _sample_a4(root: Path) -> None:
    shutil.copytree(SAMPLE, root / "content")
    settings = root / "content" / "settings.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("paper: letter", "paper: a4"),
                        encoding="utf-8")


@pytest.fixture(scope="session", params=["sample-letter", "sample-a4", "generated"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of each build the rules are held on."""
    if request.param == "sample-letter":
        return request.getfixturevalue("sample_build")  # type: ignore[no-any-return]
    if request.param == "sample-a4":
        return shared_build(tmp_path_factory, "rules-sample-a4", _sample_a4)
    return shared_build(tmp_path_factory, "rules-generated", lambda root: make_project(root))


def test_no_text_within_8_mm_of_a_sheet_edge(built: Path) -> None:
    edge = EDGE_MM * MM
    near = []
    for path in documents(built):
        for page in pages(path):
            for c in page.chars:
                if c.left < edge or c.bottom < edge or c.right > page.width - edge \
                        or c.top > page.height - edge:
                    gap = min(c.left, c.bottom, page.width - c.right, page.height - c.top) / MM
                    near.append(f"{path.relative_to(built)} p{page.number} {c.text!r} {gap:.1f} mm")
                    break
    assert not near, near[:20]


def _folio_pattern() -> re.Pattern[str]:
    """"Page N of M" as each catalog words it ("Página 1 de 2", "Trang 1/2", "صفحة 1 من 2")."""
    wordings = {i18n.translations(lang).gettext("Page %(page)s of %(pages)s")
                for lang in i18n.catalog_languages()}
    return re.compile("|".join(
        re.escape(w).replace(r"\ ", r"\s*").replace("%\\(page\\)s", r"(\d+)", 1)
        .replace("%\\(pages\\)s", r"(\d+)", 1) for w in sorted(wordings)))


def _page_numbers(text: str, count: int) -> list[int]:
    found = [[int(n) for n in match if n] for match in _folio_pattern().findall(text)]
    return [n for n, total in found if total == count]


def test_every_document_of_several_pages_says_page_n_of_m(built: Path) -> None:
    missing = []
    for path in documents(built):
        all_pages = list(pages(path))
        if len(all_pages) < 2:
            continue
        for page in all_pages:
            if page.number not in _page_numbers(page.text, len(all_pages)):
                missing.append(f"{path.relative_to(built)} p{page.number}")
    assert not missing, missing[:20]


# A number at the end of a line and its unit (or a.m./p.m.) at the start of the next; a month
# and its day parted the same way (English and Spanish).
_MONTHS = (r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april"
           r"|june|july|august|september|october|november|december|ene|abr|ago|dic|enero|febrero"
           r"|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre")
NO_BREAK = re.compile(r"[\u00a0\u202f\u2009\u2005\u2006\u200a]")
SPLITS = [
    re.compile(r"\d[\d:.,+]*\s*\n\s*(?:am|pm|a\.\s?m\.|p\.\s?m\.|mm|cm|days?|d[ií]as?|min)\b",
               re.IGNORECASE),
    re.compile(rf"\b(?:{_MONTHS})\.?\s*\n\s*\d{{1,2}}\b", re.IGNORECASE),
    re.compile(rf"(?<![\d:.,])\d{{1,2}}\s*\n\s*(?:de\s+)?(?:{_MONTHS})\b", re.IGNORECASE),
    re.compile(r"\b[ap]\.\s*\n\s*m\.", re.IGNORECASE),
]


def test_no_number_parted_from_its_unit_at_a_line_end(built: Path) -> None:
    parted = []
    for path in documents(built):
        for page in pages(path):
            flow = NO_BREAK.sub(" ", page.flow)  # one character for one: the indexes hold
            for pattern in SPLITS:
                for match in pattern.finditer(flow):
                    if page.wraps(match.start(), match.end()):
                        parted.append(f"{path.relative_to(built)} p{page.number}: "
                                      f"{match[0]!r}")
    assert not parted, parted[:20]


def _sizes(page_: object, phrase: str) -> list[float]:
    """The font sizes of the characters of `phrase` wherever it is on the page."""
    chars = page_.chars  # type: ignore[attr-defined]
    text = "".join(c.text for c in chars)
    wanted = phrase.replace(" ", "")
    found = []
    for match in re.finditer(re.escape(wanted), text):
        found += [c.size for c in chars[match.start():match.end()]]
    return found


def _body_phrases(built: Path) -> dict[str, list[str]]:
    """Texts that families read, by the file they are in (the first words are enough)."""
    generated = "rules-generated" in str(built)
    intake = ["Anything else?", "A few questions so that"] if generated else [
        "Anything else you would like me to know?", "Welcome to second grade!",
        "What motivates your child?"]
    return {
        "intake/blank.en.pdf": intake,
        "intake/fillable.en.pdf": intake,
        "welcome/welcome.en.pdf": ["I am so glad your child", "Thank you for sharing"],
        "cards/family.en.pdf": ["I would like to talk with you about",
                                "Thank you for writing!"],
        "cards/proud.en.pdf": ["I am proud of you because"],
        "calendar/key-dates.en.pdf": ["Winter Break", "Early Release Wednesday"],
    }


def test_body_text_is_at_least_11_pt_where_families_read(built: Path) -> None:
    small = []
    for name, phrases in _body_phrases(built).items():
        all_pages = list(pages(built / name))
        for phrase in phrases:
            sizes = [s for page in all_pages for s in _sizes(page, phrase)]
            assert sizes, f"{name}: {phrase!r} not found"
            if min(sizes) < BODY_PT - 0.05:
                small.append(f"{name}: {phrase!r} at {min(sizes):.1f} pt")
    # A packet's cover: what is inside, in the family's language, large.
    cover = next((built / "packets").rglob("covers/*.pdf"))
    for page in pages(cover):
        listed = [c.size for c in page.chars if page.height - c.top > 80 * MM]
        if min(listed) < BODY_PT - 0.05:
            small.append(f"{cover.name}: {min(listed):.1f} pt")
    assert not small, small


def _intake(built: Path) -> list[tuple[int, str, str, int, dict[str, str]]]:
    """(number, id, type, least writing lines, label by language) of each intake question."""
    if "rules-generated" in str(built):
        content = built.parent / "content" / "intake.yaml"
        questions = yaml.safe_load(content.read_text(encoding="utf-8"))["questions"]
        return [(i, q["id"], q.get("type", "short"), q.get("lines", 3), q["label"])
                for i, q in enumerate(questions, 1)]
    return [(i, q.id, q.type, q.lines, {lang: q.label.get(lang, "en") for lang in ("en", "es")})
            for i, q in enumerate(default_questions(), 1)]


def _label_tops(path: Path, labels: dict[int, str]) -> dict[int, tuple[int, float]]:
    """Where each numbered question's label is: number -> (page, points from the top)."""
    found: dict[int, tuple[int, float]] = {}
    for page in pages(path):
        text = "".join(c.text for c in page.chars)
        for number, label in labels.items():
            at = text.find(f"{number}.{label.replace(' ', '')[:12]}")
            if at >= 0 and number not in found:
                found[number] = (page.number, page.height - page.chars[at].top)
    return found


def test_every_open_question_has_the_writing_room_it_promises(built: Path) -> None:
    questions = _intake(built)
    # On paper: the writing lines under each long question, counted in the pixels.
    for lang in ("en", "es"):
        path = built / f"intake/blank.{lang}.pdf"
        tops = _label_tops(path, {n: label[lang] for n, _, _, _, label in questions})
        assert set(tops) == {n for n, *_ in questions}, (path.name, sorted(tops))
        for number, _, kind, lines, _ in questions:
            if kind not in ("long", "short"):
                continue
            page, top = tops[number]
            after = sorted(y for p, y in tops.values() if p == page and y > top + 5)
            bottom = after[0] if after else 1e9
            rules = [y for y in rules_y(path, page) if top < y < bottom]
            assert len(rules) >= (lines if kind == "long" else 1), (path.name, number, rules)
            assert all(b - a >= LINE_MM * MM - 1 for a, b in itertools.pairwise(rules)), number
    # On screen: each long answer's box is as tall as its lines.
    heights = {}
    for page in read_pdf(built / "intake/fillable.en.pdf").pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            _, y0, _, y1 = (float(v) for v in widget["/Rect"])
            heights[str(widget.get("/T"))] = abs(y1 - y0) / MM
    for _, qid, kind, lines, _ in questions:
        if kind == "long":
            assert heights[f"q_{qid}"] >= lines * LINE_MM - 0.8, (qid, heights[f"q_{qid}"])


def _duplex(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        preferences = pdf.Root.get("/ViewerPreferences", {})
        return str(preferences.get("/Duplex", "")) != "/Simplex"


def test_one_page_class_sets_print_single_sided_without_blank_pages(built: Path) -> None:
    """Count the sheets: a class set of one-page copies is one sheet a family, and a sheet of
    labels that one family's copy does not fill is packed with the class's labels."""
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["documents"]
    counts = {e["path"]: e["pages"] for e in manifest}
    students = len([p for p in counts if p.startswith("welcome/students/")])
    for folder in ("welcome", "cards/proud", "cards/case-label"):
        class_set = built / folder / "class-set.pdf"
        reader = read_pdf(class_set)
        assert not _duplex(class_set), folder
        assert "single-sided" in str(reader.metadata.title), folder
        assert all(page.extract_text().strip() for page in reader.pages), f"{folder}: a blank page"
        copies = [p for p in counts if p.startswith(f"{folder}/students/")]
        packed = [p for p in counts if p.startswith(f"{folder}/class-sheets.")]
        if packed:  # the whole class's cards on shared sheets
            assert len(reader.pages) == sum(counts[p] for p in packed) < len(copies), folder
        else:
            assert len(reader.pages) == len(copies) == students, folder
    # Six to a sheet, a sheet of its own for each language's labels: one partly used sheet at
    # most per language.
    languages = Counter(e["language"] for e in manifest
                        if e["path"].startswith("cards/case-label/students/"))
    assert sum(languages.values()) == students
    for lang, families in languages.items():
        assert counts[f"cards/case-label/class-sheets.{lang}.pdf"] == math.ceil(families / 6), lang
    assert not [p for p in counts if p.startswith("cards/case-label/class-sheets.")
                and p.split(".")[-2] not in languages]
    # Copies of two pages and more: double-sided, each family's copy on sheets of its own.
    class_set = built / "intake/class-set.pdf"
    assert _duplex(class_set) and "double-sided" in str(read_pdf(class_set).metadata.title)


def test_a_packet_is_titled_covered_and_wastes_no_sheet(built: Path) -> None:
    """The cover names the family and what is inside; the label goes on the cover's back."""
    packets = sorted((built / "packets").glob("*/students/*.pdf"))
    assert packets
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))["documents"]
    language = {e["path"]: e["language"] for e in manifest}
    for path in packets[:3]:  # Spanish, English and Vietnamese families in the sample
        gettext = i18n.translations(language[path.relative_to(built).as_posix()]).gettext
        reader = read_pdf(path)
        cover = flat(reader.pages[0].extract_text())
        title = str(reader.metadata.title)
        assert title.split(" – ")[0] in cover and " – " in title
        assert gettext("Inside this packet") in cover, path.name
        back = flat(reader.pages[1].extract_text())
        assert gettext("This case belongs to:") in back, path.name  # the case label
        blank = [i for i, page in enumerate(reader.pages) if not page.extract_text().strip()]
        assert len(blank) <= 1, (path.name, blank)  # only the welcome sheet's back
