"""Card sheets read back from the PDFs: equal cards, crop marks to the edge, mirrored backs."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from takehome.kinds.cards.grid import LAYOUTS, MARK_GAP_MM, Grid
from takehome.paper import SIZES_MM as PAPER_SIZES_MM

from .conftest import MM, all_text, page_size_mm, page_text, read_pdf, run, trim_roster

TOLERANCE = 0.2  # mm


def marks_and_cells(path: Path, page: int = 0) -> tuple[list[dict], list[float], list[float]]:
    """The crop marks (solid black lines) of a page and the cut positions they give, in mm."""
    with pdfplumber.open(path) as pdf:
        lines = [dict(x0=ln["x0"] / MM, x1=ln["x1"] / MM, top=ln["top"] / MM,
                      bottom=ln["bottom"] / MM, colour=tuple(ln["stroking_color"]),
                      width=ln["linewidth"] / MM, dash=ln.get("dash"))
                 for ln in pdf.pages[page].lines]
    # crop marks: solid black lines 0.25 mm wide (icons and fields are drawn otherwise)
    marks = [ln for ln in lines if ln["colour"] in ((0,), (0, 0, 0)) and
             abs(ln["width"] - 0.25) < 0.01 and not (ln["dash"] and ln["dash"][0])]
    xs = sorted({round(m["x0"], 2) for m in marks if abs(m["x1"] - m["x0"]) < 0.01})
    ys = sorted({round(m["top"], 2) for m in marks if abs(m["bottom"] - m["top"]) < 0.01})
    return marks, xs, ys


def words(path: Path, page: int = 0) -> list[dict]:
    with pdfplumber.open(path) as pdf:
        return [dict(text=w["text"], x0=w["x0"] / MM, top=w["top"] / MM)
                for w in pdf.pages[page].extract_words()]


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("per_page", sorted(LAYOUTS))
def test_grid_geometry(paper: str, per_page: int) -> None:
    grid = Grid(paper, per_page)
    width, height = PAPER_SIZES_MM[paper]
    cards = [grid.slot(i) for i in range(per_page)]
    assert {(c.w, c.h) for c in cards} == {grid.card}  # every card the same size
    assert all(c.x >= 12 and c.y >= 12 and c.x + c.w <= width - 12 and c.y + c.h <= height - 12
               for c in cards)
    for mark in grid.crop_marks():
        for c in cards:  # no mark reaches into a card
            assert (max(mark.x1, mark.x2) <= c.x or min(mark.x1, mark.x2) >= c.x + c.w
                    or max(mark.y1, mark.y2) <= c.y or min(mark.y1, mark.y2) >= c.y + c.h)
        assert {0, width} & {mark.x1, mark.x2} or {0, height} & {mark.y1, mark.y2}
    backs = [grid.slot(i, back=True) for i in range(per_page)]
    for front, back in zip(cards, backs, strict=True):  # long-edge flip: mirrored left-right
        assert back.y == front.y and abs(back.x - (width - front.x - front.w)) < 0.01


def test_sample_sheets_in_every_layout(sample_build: Path) -> None:
    cards = sample_build / "cards"
    for name, per_page in (("family", 4), ("notes", 8), ("proud", 2), ("case-label", 6)):
        path = cards / f"{name}.en.pdf"
        assert page_size_mm(path) == (215.9, 279.4)
        marks, xs, ys = marks_and_cells(path)
        cols, rows = LAYOUTS[per_page]
        assert (len(xs), len(ys)) == (cols + 1, rows + 1), name
        widths = {round(b - a, 1) for a, b in zip(xs, xs[1:], strict=False)}
        heights = {round(b - a, 1) for a, b in zip(ys, ys[1:], strict=False)}
        assert max(widths) - min(widths) <= TOLERANCE and max(heights) - min(heights) <= TOLERANCE
        for m in marks:  # outside the cards and running to the sheet's edge
            if abs(m["x1"] - m["x0"]) < 0.01:
                assert (m["bottom"] <= ys[0] - MARK_GAP_MM + 0.01
                        or m["top"] >= ys[-1] + MARK_GAP_MM - 0.01)
                assert m["top"] < 0.3 or m["bottom"] > 279.4 - 0.3
            else:
                assert (m["x1"] <= xs[0] - MARK_GAP_MM + 0.01
                        or m["x0"] >= xs[-1] + MARK_GAP_MM - 0.01)
                assert m["x0"] < 0.3 or m["x1"] > 215.9 - 0.3


def test_cards_are_placed_alike_and_backs_are_mirrored(sample_build: Path) -> None:
    path = sample_build / "cards/family.en.pdf"
    assert len(read_pdf(path).pages) == 2  # a page of fronts, a page of backs
    _, xs, ys = marks_and_cells(path)
    titles = ("question", "comment", "concern", "contact")
    fronts = {w["text"]: w for w in words(path, 0) if w["text"] in titles}
    backs = {w["text"]: w for w in words(path, 1) if w["text"] in titles}
    assert set(fronts) == set(backs) == set(titles)
    offsets = set()
    for i, title in enumerate(titles):
        row, col = divmod(i, 2)
        front, back = fronts[title], backs[title]
        assert xs[col] < front["x0"] < xs[col + 1] and ys[row] < front["top"] < ys[row + 1]
        # the back of the card in column `col` is in the other column, same row
        assert xs[1 - col] < back["x0"] < xs[2 - col] and ys[row] < back["top"] < ys[row + 1]
        if title != "contact":  # "Please contact me" starts with a longer word
            offsets.add((round(front["x0"] - xs[col], 1), round(front["top"] - ys[row], 1)))
    assert len(offsets) == 1  # the same card layout in every slot


def test_dashed_cut_guides_only_when_asked(sample_build: Path) -> None:
    def dashed(path: Path) -> int:
        with pdfplumber.open(path) as pdf:
            return sum(1 for ln in pdf.pages[0].lines if ln.get("dash") and ln["dash"][0])
    assert dashed(sample_build / "cards/notes.en.pdf") == 3 + 5  # every cut line of a 2x4 grid
    assert dashed(sample_build / "cards/family.en.pdf") == 0


def test_personalised_sets_in_the_family_language(sample_build: Path) -> None:
    ana = sample_build / "cards/family/students/01-lopez-ana.pdf"
    front = page_text(ana, 0)
    assert "Tengo una pregunta" in front and front.count("Ana López") == 4
    with pdfplumber.open(ana) as pdf:  # as printed: the name is stamped on after the card
        back = pdf.pages[1].extract_text()
    assert "Para: Ms. Elena Rivera · Salón 14" in back and "De la familia de: Ana López" in back
    ben = sample_build / "cards/family/students/02-okafor-benjamin.pdf"
    assert "I have a question" in page_text(ben)
    label = page_text(sample_build / "cards/case-label/students/01-lopez-ana.pdf")
    assert "Nuestro estuche de\ncomunicación" in label and label.count("Ana López") == 1
    sheets = all_text(sample_build / "cards/case-label/class-sheets.es.pdf")
    assert "Ana López" in sheets and "Pepe Ramírez" in sheets and "Ben Okafor" not in sheets


def test_start_at_leaves_used_cards_empty(sample_build: Path) -> None:
    path = sample_build / "cards/case-label.en.pdf"  # 6 up, start_at 3, no fill: one label
    _, xs, ys = marks_and_cells(path)
    tops = [w for w in words(path) if w["text"] == "Our"]
    assert len(tops) == 1
    assert xs[0] < tops[0]["x0"] < xs[1] and ys[1] < tops[0]["top"] < ys[2]  # slot 3: row 2, left


def test_calibration_sheet(sample_build: Path) -> None:
    path = sample_build / "cards/calibration.pdf"
    assert len(read_pdf(path).pages) == 1
    text = page_text(path)
    assert "Printer calibration" in text
    assert "offset_x 0 mm, offset_y 0 mm" in text.replace(".0", "")
    with pdfplumber.open(path) as pdf:
        rects = [r for r in pdf.pages[0].rects if abs(r["width"] / MM - 50) < 0.05]
    assert rects and abs(rects[0]["height"] / MM - 50) < 0.05  # the 50 mm square


def small_project(project: Path) -> None:
    trim_roster(project, 2)
    (project / "content/packets.yaml").unlink()


def test_printer_offset_moves_everything_but_the_calibration(project: Path) -> None:
    small_project(project)
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("offset_x: 0", "offset_x: 2")
                        .replace("offset_y: 0", "offset_y: -1.5"))
    assert run("build", str(project), "--only", "cards").exit_code == 0
    _, xs, ys = marks_and_cells(project / "output/cards/family.en.pdf")
    expected = Grid("letter", 4).cuts()
    assert [round(x, 1) for x in xs] == [round(x - 2, 1) for x in expected[0]]
    assert [round(y, 1) for y in ys] == [round(y + 1.5, 1) for y in expected[1]]
    calibration = page_text(project / "output/cards/calibration.pdf")
    assert "offset_x 2.0 mm, offset_y -1.5 mm" in calibration


def test_a4_sheets_are_laid_out_for_a4(project: Path) -> None:
    small_project(project)
    settings = project / "content/settings.yaml"
    settings.write_text(settings.read_text().replace("paper: letter", "paper: a4"))
    assert run("build", str(project), "--only", "cards").exit_code == 0
    path = project / "output/cards/notes.en.pdf"
    assert page_size_mm(path) == (210.0, 297.0)
    _, xs, ys = marks_and_cells(path)
    width, height = Grid("a4", 8).card
    assert all(abs((b - a) - width) <= TOLERANCE for a, b in zip(xs, xs[1:], strict=False))
    assert all(abs((b - a) - height) <= TOLERANCE for a, b in zip(ys, ys[1:], strict=False))


def test_text_that_does_not_fit_is_an_error_naming_the_card(project: Path) -> None:
    small_project(project)
    cards = project / "content/cards.yaml"
    long = "Today your child read a whole book to the class, with voices for every character. " * 3
    cards.write_text(cards.read_text().replace('en: "Today your child read to the class:"',
                                               f'en: "{long}"'))
    result = run("build", str(project), "--only", "cards")
    assert result.exit_code == 1
    assert "cards/notes.en.pdf: card 'reading' (Reading star!, content/cards.yaml:17) does not " \
           "fit: its text runs" in result.output
    assert not (project / "output").exists()


def test_unknown_card_is_an_error_with_its_line(project: Path) -> None:
    cards = project / "content/cards.yaml"
    cards.write_text(cards.read_text().replace("cards: [proud]", "cards: [prod]"))
    result = run("check", str(project))
    assert result.exit_code == 1
    assert "cards.yaml" in result.output and "unknown card(s) prod" in result.output
